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
use super::progress::Progress;
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
    /// Safe edit: the digest the target tag must still point at when it is
    /// written; if someone moved it, stop before writing any tag.
    #[arg(long, global = true, value_name = "sha256:...")]
    pub expect: Option<String>,
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

/// The validated spec the arguments describe, `--type`, `--ignore-missing`
/// and `--expect` applied.
fn spec(args: &PushArgs) -> Result<ValidatedSpec, CliError> {
    let mut valid = spec_from_source(args)?;
    if let Some(expect) = &args.expect {
        valid.expect = shared::spec::parse_expect(expect)?;
    }
    Ok(valid)
}

fn spec_from_source(args: &PushArgs) -> Result<ValidatedSpec, CliError> {
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

/// Run the plan with the server's executor, its events on stderr (a bar
/// on a terminal, lines otherwise: `progress`).
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
            None,
        )
        .await;
        drop(tx);
    };
    let report = async {
        let mut progress = Progress::for_stderr();
        let mut outcome = Err(CliError::Push("the push ended without a result".into()));
        while let Some(event) = rx.recv().await {
            match event {
                PushEvent::Planned { total, .. } => {
                    progress.line(&format!(
                        "pushing {} ({total} registry writes)",
                        plan.target
                    ));
                }
                PushEvent::Step {
                    state: StepState::Done,
                    index,
                    total,
                    description,
                    detail,
                    ..
                } => progress.step(index, total, &description, detail.as_deref()),
                PushEvent::Step { .. } | PushEvent::Phase { .. } => {}
                PushEvent::Checked {
                    reference,
                    digest,
                    method,
                } => progress.line(&format!(
                    "{reference} still points at {digest} (checked by {})",
                    method.describe()
                )),
                PushEvent::Warning { message } => progress.line(&format!("warning: {message}")),
                PushEvent::Done {
                    digest, size, tags, ..
                } => {
                    progress.finish();
                    for tag in &tags {
                        progress.line(&format!("pushed {tag}"));
                    }
                    outcome = Ok((digest, size));
                }
                PushEvent::Error { error, step, .. } => {
                    progress.finish();
                    let at = step.map(|s| format!("step {s}: ")).unwrap_or_default();
                    outcome = Err(CliError::Push(format!("{at}{}", error.message)));
                }
            }
        }
        progress.finish();
        outcome
    };
    let ((), outcome) = tokio::join!(executor, report);
    let (digest, size) = outcome?;
    println!("Digest: {digest} {size}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    /// `manifest-web push ...` as clap reads it.
    #[derive(Debug, Parser)]
    struct Line {
        #[command(subcommand)]
        command: super::super::Command,
    }

    fn push_args(line: &[&str]) -> PushArgs {
        let mut argv = vec!["manifest-web"];
        argv.extend_from_slice(line);
        match Line::try_parse_from(argv).unwrap().command {
            super::super::Command::Push(args) => args,
            other => panic!("{other:?}"),
        }
    }

    const FROM_ARGS: [&str; 7] = [
        "from-args",
        "--platforms",
        "linux/amd64,linux/arm/v7",
        "--template",
        "127.0.0.1:5000/app:OS-ARCHVARIANT",
        "--target",
        "127.0.0.1:5000/app:1",
    ];

    #[test]
    fn expect_is_a_digest_for_the_target_tag() {
        let digest = shared::Digest::sha256(b"index");
        let expect = digest.to_string();
        let mut line = vec!["push", "--expect", &expect];
        line.extend(FROM_ARGS);
        assert_eq!(spec(&push_args(&line)).unwrap().expect, Some(digest));
        let mut line = vec!["push"];
        line.extend(FROM_ARGS);
        assert_eq!(spec(&push_args(&line)).unwrap().expect, None);
        line.extend(["--expect", "latest"]);
        let error = spec(&push_args(&line)).unwrap_err().to_string();
        assert!(error.contains("`expect`"), "{error}");
    }

    #[test]
    fn from_args_expands_the_template_and_applies_the_flags() {
        let mut line = vec!["push"];
        line.extend(FROM_ARGS);
        let s = spec(&push_args(&line)).unwrap();
        assert_eq!(s.index_type, IndexType::Auto);
        assert!(!s.ignore_missing);
        let sources: Vec<String> = s.entries.iter().map(|e| e.input.clone()).collect();
        assert_eq!(
            sources,
            [
                "127.0.0.1:5000/app:linux-amd64",
                "127.0.0.1:5000/app:linux-armv7"
            ]
        );

        let mut line = vec!["push", "--type", "oci"];
        line.extend(FROM_ARGS);
        line.extend(["--tags", "a,b", "--ignore-missing", "--dry-run"]);
        let args = push_args(&line);
        assert!(args.dry_run, "--dry-run after the subcommand");
        let s = spec(&args).unwrap();
        assert_eq!(s.index_type, IndexType::Oci);
        assert!(s.ignore_missing);
        assert_eq!(s.tags, ["a", "b"]);

        let mut line = vec!["push", "--dry-run", "--type", "docker"];
        line.extend(FROM_ARGS);
        let args = push_args(&line);
        assert!(args.dry_run, "--dry-run before the subcommand");
        assert_eq!(spec(&args).unwrap().index_type, IndexType::Docker);
    }

    #[test]
    fn from_spec_reads_the_file_and_names_the_line_of_a_mistake() {
        let path = std::env::temp_dir().join(format!("mw-cli-spec-{}.yaml", std::process::id()));
        std::fs::write(
            &path,
            "image: 127.0.0.1:5000/app:1\nmanifests:\n  - image: 127.0.0.1:5000/app:amd64\n",
        )
        .unwrap();
        let file = path.to_str().unwrap();
        let spec_of = |line: &[&str]| spec(&push_args(line));
        let s = spec_of(&["push", "from-spec", file]).unwrap();
        assert_eq!(s.index_type, IndexType::Auto);
        assert!(!s.ignore_missing);
        let s = spec_of(&["push", "from-spec", "--ignore-missing", file]).unwrap();
        assert!(s.ignore_missing);
        let s = spec_of(&["push", "--type", "oci", "from-spec", file]).unwrap();
        assert_eq!(s.index_type, IndexType::Oci);

        std::fs::write(
            &path,
            "image: 127.0.0.1:5000/app:1\nmanifests:\n  - image: 127.0.0.1:5000/app:amd64\n    platform: {os: linux}\n",
        )
        .unwrap();
        let e = spec_of(&["push", "from-spec", file])
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 4"), "{e}");
        std::fs::remove_file(&path).unwrap();
        let e = spec_of(&["push", "from-spec", file]).unwrap_err();
        assert!(matches!(e, CliError::Read { .. }), "{e}");
    }

    #[test]
    fn type_takes_docker_or_oci_only() {
        let mut argv = vec!["manifest-web", "push", "--type", "auto"];
        argv.extend(FROM_ARGS);
        assert!(Line::try_parse_from(argv).is_err());
    }
}
