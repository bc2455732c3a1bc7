//! `manifest-web check-registry [--format table|json|junit] REGISTRY/REPO`:
//! what manifest-tool's `integration/test-registry.sh` does, and more,
//! from the engine the server's `/check` runs (`crate::check`).
//!
//! stdout holds the report alone, in the form asked for, so CI can keep it
//! as a file; each result is also said on stderr as it comes, because a
//! slow registry makes a silent check look hung. The exit status is 0 when
//! nothing failed (`unsupported` is not a failure).

use clap::{Args, ValueEnum};
use shared::check::report;

use super::access::Access;
use super::inspect::print;
use super::{CliError, GlobalFlags};

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// How the report is printed.
    #[arg(long, value_enum, default_value = "table")]
    pub format: ReportFormat,
    /// The repository the check may write its test content to:
    /// `registry/repository` (no tag).
    #[arg(value_name = "REGISTRY/REPO")]
    pub repository: String,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ReportFormat {
    Table,
    Json,
    Junit,
}

/// Run the check; `Ok(true)` when nothing failed.
pub async fn run(args: &CheckArgs, flags: &GlobalFlags) -> Result<bool, CliError> {
    let target = crate::check::parse_target(&args.repository)?;
    let access = Access::new(flags, &[&target]).await?;
    let credential = access.credentials.for_registry(target.registry()).cloned();
    let sink = Box::new(|outcome: &shared::check::CheckOutcome| {
        eprintln!("{}: {}", outcome.name, outcome.result.as_str());
    });
    let report = crate::check::run(&access.client, &target, credential, sink).await?;
    let text = match args.format {
        ReportFormat::Table => report::table(&report),
        ReportFormat::Json => report::json(&report),
        ReportFormat::Junit => report::junit(&report),
    };
    print(&text)?;
    Ok(report.failed() == 0)
}
