//! `manifest-web inspect`, `manifest-web push` and `manifest-web mquery`: manifest-tool's commands,
//! and `manifest-web check-registry` (its `test-registry.sh`, grown up),
//! flags and output from the same binary, so a CI script can swap
//! `manifest-tool` for `manifest-web` without changing a line.
//!
//! Each command is a thin adapter over what the server runs (the registry
//! client, `fetch`, `inspect`, `resolve`, `push`, and `shared`'s spec,
//! plan and text forms): a CLI and a server that could disagree about an
//! index would be worse than either alone. Only the reach differs: the CLI
//! runs on the user's own machine, so their local registries are allowed
//! (see `access`).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

mod access;
mod check;
mod error;
mod inspect;
mod mquery;
mod progress;
mod push;

pub use error::CliError;

/// manifest-tool's global flags (they may also follow the command).
#[derive(Debug, Clone, Default, Args)]
pub struct GlobalFlags {
    /// Registry username (for every registry the command reaches).
    #[arg(long, global = true, value_name = "USER")]
    pub username: Option<String>,
    /// Registry password or token (with --username).
    #[arg(long, global = true, value_name = "PASSWORD")]
    pub password: Option<String>,
    /// Docker client config to take credentials from: a directory holding
    /// config.json, or the file. Default: $DOCKER_CONFIG, else ~/.docker.
    #[arg(long = "docker-cfg", global = true, value_name = "DIR|FILE")]
    pub docker_cfg: Option<PathBuf>,
    /// Accept any TLS certificate (self-signed) from the registries reached.
    #[arg(long, global = true)]
    pub insecure: bool,
    /// Allow plain HTTP to the registries reached.
    #[arg(long = "plain-http", global = true)]
    pub plain_http: bool,
    /// Log every registry request on stderr.
    #[arg(long, global = true)]
    pub debug: bool,
}

/// The commands; without one, `manifest-web` runs the server.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show a manifest or index as `manifest-tool inspect` does.
    Inspect(inspect::InspectArgs),
    /// Say which platforms an image supports, as mquery does.
    Mquery(mquery::MqueryArgs),
    /// Build an index (manifest list) and push it, as `manifest-tool push` does.
    Push(push::PushArgs),
    /// Check what a registry supports, writing small test content to one
    /// repository (and removing it where the registry allows).
    CheckRegistry(check::CheckArgs),
}

/// Run `command`; the exit status says whether it worked, and a failure
/// has said why on stderr in one line.
pub async fn run(command: Command, flags: GlobalFlags) -> ExitCode {
    let result = match command {
        Command::Inspect(args) => inspect::run(&args, &flags).await.map(|()| true),
        Command::Mquery(args) => mquery::run(&args, &flags).await.map(|()| true),
        Command::Push(args) => push::run(&args, &flags).await.map(|()| true),
        Command::CheckRegistry(args) => check::run(&args, &flags).await,
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        // The report said what failed.
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            let mut line = e.one_line();
            if !flags.plain_http && e.is_unreachable() {
                line.push_str(" (if the registry speaks plain HTTP, add --plain-http)");
            }
            eprintln!("manifest-web: error: {line}");
            ExitCode::FAILURE
        }
    }
}
