//! `seed-demo --registry 127.0.0.1:PORT`: push the demo images (see
//! `support::demo`) to a running registry, for the sandbox and the browser
//! tests. Refuses any registry that is not on loopback.

use std::process::ExitCode;

use clap::Parser;
use support::demo::{DemoContent, seed};
use support::push::{BasicAuth, Pusher};

#[derive(Debug, Parser)]
#[command(about = "Push manifest-web's demo images to a local registry")]
struct Args {
    /// The registry as HOST:PORT, on loopback (e.g. 127.0.0.1:5000).
    #[arg(long)]
    registry: String,
    /// Username, when the registry requires Basic auth.
    #[arg(long, requires = "password")]
    username: Option<String>,
    /// Password for --username.
    #[arg(long, requires = "username")]
    password: Option<String>,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = Args::parse();
    let registry = args
        .registry
        .trim()
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let auth = match (&args.username, &args.password) {
        (Some(u), Some(p)) => Some(BasicAuth::new(u, p)),
        _ => None,
    };
    let pusher = match Pusher::new(&format!("http://{registry}"), auth) {
        Ok(pusher) => pusher,
        Err(e) => {
            eprintln!("seed-demo: {e}");
            return ExitCode::from(2);
        }
    };
    match seed(&pusher).await {
        Ok(items) => {
            for item in items {
                let entries = match &item.content {
                    DemoContent::Index(index) => format!(" ({} entries)", index.entries.len()),
                    DemoContent::Image(_) => String::new(),
                };
                println!(
                    "{registry}/{}:{}\t{}\t{}{entries}",
                    item.repository,
                    item.tag,
                    item.digest(),
                    item.description
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("seed-demo: pushing to {registry} failed: {e}");
            ExitCode::FAILURE
        }
    }
}
