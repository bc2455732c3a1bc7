//! `manifest-web inspect [--raw] REF`: manifest-tool's inspect output.
//!
//! The text form is the server's `&format=text` (one renderer,
//! `shared::inspect_text`), so the CLI, the page's "copy as text" and
//! manifest-tool print the same bytes. `--raw` fetches the manifests the
//! way inspect does (`fetch`, every digest checked) and prints them in
//! manifest-tool's raw JSON layout (`shared::inspect_raw`).

use std::io::Write as _;

use clap::Args;
use shared::manifest::{Manifest, ManifestBody};
use shared::reference::Reference;

use super::access::Access;
use super::{CliError, GlobalFlags};
use crate::error::ProxyError;
use crate::fetch;

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Print manifest-tool's raw JSON (each entry of an index expanded to its
    /// manifest) instead of the text form.
    #[arg(long)]
    pub raw: bool,
    /// The image: `registry/repository:tag` or `...@sha256:...`.
    #[arg(value_name = "REF")]
    pub reference: String,
}

pub async fn run(args: &InspectArgs, flags: &GlobalFlags) -> Result<(), CliError> {
    let name = args.reference.trim();
    let reference = Reference::parse(name).map_err(|source| ProxyError::InvalidReference {
        input: name.to_string(),
        source,
    })?;
    let access = Access::new(flags, &[&reference]).await?;
    let credential = access
        .credentials
        .for_registry(reference.registry())
        .cloned();
    let timeout = access.client.operation_timeout();
    let output = if args.raw {
        registry::limits::within(
            timeout,
            reference.registry(),
            raw(&access, &reference, credential, name),
        )
        .await?
    } else {
        let response = registry::limits::within(
            timeout,
            reference.registry(),
            crate::inspect::inspect(&access.client, &access.operations, &reference, credential),
        )
        .await?;
        let limit = usize::try_from(access.operations.max_answer_bytes).unwrap_or(usize::MAX);
        shared::inspect_text::render(&response, name, limit)?
    };
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(output.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(CliError::Write)
}

/// The raw JSON and its final newline (manifest-tool's `fmt.Println`).
async fn raw(
    access: &Access,
    reference: &Reference,
    credential: Option<shared::credentials::Credential>,
    name: &str,
) -> Result<String, CliError> {
    let repo = access.client.repository(reference, credential).await?;
    let root = fetch::root(&repo, reference).await?;
    let mut children: Vec<Manifest> = Vec::new();
    let mut config = None;
    match &root.body {
        ManifestBody::Index(index) => {
            let fetched =
                fetch::children(&repo, &index.manifests, access.operations.child_concurrency).await;
            // Every listed child was fetched; one missing here shows as a
            // count mismatch in the renderer.
            for d in &index.manifests {
                if let Some(m) = fetched.get(d) {
                    children.push(m?.clone());
                }
            }
        }
        ManifestBody::Image(image) => {
            config = fetch::image_config(&repo, &image.config)
                .await?
                .map(|(c, _)| c);
        }
        ManifestBody::Schema1(_) => {}
    }
    let children: Vec<&Manifest> = children.iter().collect();
    let mut out = shared::inspect_raw::render(name, &root, &children, config.as_ref())?;
    out.push('\n');
    Ok(out)
}
