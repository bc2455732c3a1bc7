//! `manifest-web push [--type T] [--dry-run] from-spec|from-args ...`:
//! manifest-tool's push, planned and pushed by the server's own code
//! (`resolve::plan`, `push::run`), so what the CLI pushes is byte for byte
//! what the page previews for the same spec.
//!
//! stdout carries only what scripts read: `Digest: sha256:... LENGTH` as
//! manifest-tool prints it (and with `--dry-run` the index itself before
//! it); progress, the choice of index type and warnings go to stderr as
//! plain lines.

use std::io::Write as _;
use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use shared::api::{PushEvent, StepState};
use shared::plan::Plan;
use shared::spec::{IndexType, PushSpec, ValidatedSpec};
use tokio::sync::Semaphore;

use super::access::Access;
use super::{CliError, GlobalFlags};

#[derive(Debug, Args)]
pub struct PushArgs {
    /// Index type. Default: the spec's `type`, else a Docker manifest list
    /// when every source is a Docker schema 2 image and an OCI index
    /// otherwise.
    #[arg(long = "type", value_enum, value_name = "docker|oci")]
    pub index_type: Option<TypeArg>,
    /// Plan only: print the exact index bytes and its digest, push nothing.
    #[arg(long = "dry-run", global = true)]
    pub dry_run: bool,
    #[command(subcommand)]
    pub from: Source,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TypeArg {
    Docker,
    Oci,
}

#[derive(Debug, Subcommand)]
pub enum Source {
    /// Push the index a manifest-tool YAML spec describes.
    FromSpec {
        /// Skip (with a warning) sources that do not exist.
        #[arg(long = "ignore-missing")]
        ignore_missing: bool,
        /// The YAML spec.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Push an index of `--template` expanded for each of `--platforms`.
    FromArgs {
        /// Platforms, comma-separated: linux/amd64,linux/arm/v7.
        #[arg(long, required = true, value_delimiter = ',')]
        platforms: Vec<String>,
        /// Source image pattern; OS, ARCH and VARIANT are replaced per
        /// platform: registry/app:v1-OS-ARCHVARIANT.
        #[arg(long, required = true)]
        template: String,
        /// Where the index is pushed: registry/app:v1.
        #[arg(long, required = true)]
        target: String,
        /// Extra tags, comma-separated.
        #[arg(long, value_delimiter = ',')]
        tags: Vec<String>,
        /// Skip (with a warning) sources that do not exist.
        #[arg(long = "ignore-missing")]
        ignore_missing: bool,
    },
}

pub async fn run(args: &PushArgs, flags: &GlobalFlags) -> Result<(), CliError> {
    let spec = spec(args)?;
    let mut references = vec![&spec.target];
    references.extend(spec.entries.iter().map(|e| &e.source));
    let access = Access::new(flags, &references).await?;
    let plan = crate::resolve::plan(
        &access.client,
        &access.operations,
        &spec,
        &access.credentials,
    )
    .await?;
    if let Some(note) = &plan.type_note {
        eprintln!("{note}");
    }
    if args.dry_run {
        return dry_run(&plan);
    }
    push(&access, &plan).await
}

/// The validated spec the arguments describe, `--type` and
/// `--ignore-missing` applied.
fn spec(args: &PushArgs) -> Result<ValidatedSpec, CliError> {
    let index_type = args.index_type.map(|t| match t {
        TypeArg::Docker => IndexType::Docker,
        TypeArg::Oci => IndexType::Oci,
    });
    let (mut spec, ignore_missing): (PushSpec, bool) = match &args.from {
        Source::FromSpec {
            ignore_missing,
            file,
        } => {
            let text = std::fs::read_to_string(file).map_err(|source| CliError::Read {
                path: file.clone(),
                source,
            })?;
            if index_type.is_none() {
                // Validated as the server validates a YAML body: errors
                // name their line.
                let (mut spec, mut valid) = shared::spec::parse_and_validate_yaml(&text)?;
                spec.ignore_missing |= *ignore_missing;
                valid.ignore_missing = spec.ignore_missing;
                return Ok(valid);
            }
            (shared::spec::parse_yaml(&text)?, *ignore_missing)
        }
        Source::FromArgs {
            platforms,
            template,
            target,
            tags,
            ignore_missing,
        } => (
            shared::spec::expand_template(&platforms.join(","), template, target, tags)?,
            *ignore_missing,
        ),
    };
    if let Some(t) = index_type {
        spec.index_type = t;
    }
    spec.ignore_missing |= ignore_missing;
    Ok(spec.validate()?)
}

fn dry_run(plan: &Plan) -> Result<(), CliError> {
    for warning in &plan.warnings {
        eprintln!("warning: {warning}");
    }
    eprintln!(
        "dry run: nothing pushed; {} registry writes planned to {}",
        plan.steps.len(),
        plan.target
    );
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(&plan.index)
        .and_then(|()| writeln!(stdout))
        .and_then(|()| writeln!(stdout, "Digest: {} {}", plan.digest, plan.size))
        .and_then(|()| stdout.flush())
        .map_err(CliError::Write)
}

/// Run the plan with the server's executor, its events as stderr lines.
async fn push(access: &Access, plan: &Plan) -> Result<(), CliError> {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<PushEvent>(64);
    let slots = Semaphore::new(1);
    let executor = async {
        crate::push::run(
            &access.client,
            &access.operations,
            &slots,
            plan,
            &access.credentials,
            &tx,
        )
        .await;
        drop(tx);
    };
    let report = async {
        let mut outcome = Err(CliError::Push("the push ended without a result".into()));
        while let Some(event) = rx.recv().await {
            match event {
                PushEvent::Planned { total, .. } => {
                    eprintln!("pushing {} ({total} registry writes)", plan.target);
                }
                PushEvent::Step {
                    state: StepState::Done,
                    index,
                    total,
                    description,
                    detail,
                    ..
                } => match detail {
                    Some(detail) => eprintln!("[{index}/{total}] {description}: {detail}"),
                    None => eprintln!("[{index}/{total}] {description}"),
                },
                PushEvent::Step { .. } => {}
                PushEvent::Warning { message } => eprintln!("warning: {message}"),
                PushEvent::Done {
                    digest, size, tags, ..
                } => {
                    for tag in &tags {
                        eprintln!("pushed {tag}");
                    }
                    outcome = Ok((digest, size));
                }
                PushEvent::Error { error, step } => {
                    let at = step.map(|s| format!("step {s}: ")).unwrap_or_default();
                    outcome = Err(CliError::Push(format!("{at}{}", error.message)));
                }
            }
        }
        outcome
    };
    let ((), outcome) = tokio::join!(executor, report);
    let (digest, size) = outcome?;
    println!("Digest: {digest} {size}");
    Ok(())
}
