//! `manifest-web mquery REF`: which platforms an image supports, in
//! mquery's format.
//!
//! The same inspection as `inspect` (and the server's), summarized by
//! `shared::mquery`, the one place the API's `format=mquery`, its JSON
//! summary and the badge also read.

use clap::Args;
use shared::mquery::Summary;

use super::inspect::{Target, print};
use super::{CliError, GlobalFlags};

#[derive(Debug, Args)]
pub struct MqueryArgs {
    /// The image: `registry/repository:tag` or `...@sha256:...`.
    #[arg(value_name = "REF")]
    pub reference: String,
}

pub async fn run(args: &MqueryArgs, flags: &GlobalFlags) -> Result<(), CliError> {
    let name = args.reference.trim();
    let response = Target::new(name, flags).await?.inspect().await?;
    print(&Summary::of(&response).render(name))
}
