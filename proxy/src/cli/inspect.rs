//! `manifest-web inspect [--raw] REF`: manifest-tool's inspect output.
//!
//! The text form is the server's `&format=text` (one renderer,
//! `shared::inspect_text`), so the CLI, the page's "copy as text" and
//! manifest-tool print the same bytes. `--raw` fetches the manifests the
//! way inspect does (`fetch`, every digest checked) and prints them in
//! manifest-tool's raw JSON layout (`shared::inspect_raw`).

use std::io::Write as _;

use clap::Args;
use shared::api::InspectResponse;
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
    let target = Target::new(name, flags).await?;
    let output = if args.raw {
        registry::limits::within(
            target.access.client.operation_timeout(),
            target.reference.registry(),
            raw(
                &target.access,
                &target.reference,
                target.credential.clone(),
                name,
            ),
        )
        .await?
    } else {
        // manifest-tool's text needs no config: root and children only.
        let response = target
            .inspect_with(crate::inspect::ChildConfigsIn::SecondPart)
            .await?;
        crate::inspect::to_text(&response, name, &target.access.operations)?
    };
    print(&output)
}

/// One reference as a command inspects it: parsed, its registry reachable
/// with the global flags' access, its credentials found.
pub(super) struct Target {
    pub reference: Reference,
    pub access: Access,
    pub credential: Option<shared::credentials::Credential>,
}

impl Target {
    pub async fn new(name: &str, flags: &GlobalFlags) -> Result<Self, CliError> {
        let reference = Reference::parse(name).map_err(|source| ProxyError::InvalidReference {
            input: name.to_string(),
            source,
        })?;
        let access = Access::new(flags, &[&reference]).await?;
        let credential = access
            .credentials
            .for_registry(reference.registry())
            .cloned();
        Ok(Target {
            reference,
            access,
            credential,
        })
    }

    /// The server's inspection (`crate::inspect`), under the operation timeout.
    pub async fn inspect(&self) -> Result<InspectResponse, CliError> {
        self.inspect_with(crate::inspect::ChildConfigsIn::Answer)
            .await
    }

    /// The inspection with or without the configs of an index's children.
    pub async fn inspect_with(
        &self,
        configs: crate::inspect::ChildConfigsIn,
    ) -> Result<InspectResponse, CliError> {
        Ok(crate::inspect::inspect_with(
            &self.access.client,
            &self.access.operations,
            &self.reference,
            self.credential.clone(),
            configs,
        )
        .await?)
    }
}

/// Write a command's output to stdout.
pub(super) fn print(output: &str) -> Result<(), CliError> {
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
