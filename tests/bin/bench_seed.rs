//! `bench-seed --registry 127.0.0.1:PORT --platforms N --repository R --tag T
//! [--format docker] [--image]`: push an OCI index (or a Docker manifest
//! list) of N small single-platform images, or with `--image` only the
//! N-th platform's image, for `scripts/bench` and
//! `tests/e2e/bench-render.mjs`. Refuses any registry not on loopback.

use std::process::ExitCode;

use clap::Parser;
use support::push::Pusher;
use support::{Format, ImageSpec, IndexBuilder};

#[derive(Debug, Parser)]
#[command(about = "Push an index of N platforms to a local registry (benchmarks)")]
struct Args {
    /// The registry as HOST:PORT, on loopback (e.g. 127.0.0.1:5000).
    #[arg(long)]
    registry: String,
    /// How many platform entries the index gets (1 to 500).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=500))]
    platforms: u16,
    #[arg(long, default_value = "bench/index")]
    repository: String,
    #[arg(long, default_value = "latest")]
    tag: String,
    /// `oci` (an OCI index of OCI images) or `docker` (a manifest list).
    #[arg(long, default_value = "oci")]
    format: String,
    /// Push one image (the `--platforms`-th platform's) instead of an index.
    #[arg(long)]
    image: bool,
}

/// Real GOOS/GOARCH pairs (and arm/arm64/amd64/riscv64 variants), so the
/// index looks like a real one; cycled with an `os.version` when N exceeds them.
const PLATFORMS: &[&str] = &[
    "linux/amd64",
    "linux/arm64/v8",
    "linux/arm/v7",
    "linux/arm/v6",
    "linux/arm/v5",
    "linux/386",
    "linux/ppc64le",
    "linux/s390x",
    "linux/riscv64",
    "linux/mips64le",
    "linux/mips64",
    "linux/mipsle",
    "linux/mips",
    "linux/ppc64",
    "linux/loong64",
    "linux/amd64/v2",
    "linux/amd64/v3",
    "linux/arm64/v9",
    "windows/amd64",
    "windows/arm64",
    "windows/386",
    "windows/arm",
    "freebsd/amd64",
    "freebsd/arm64",
    "freebsd/386",
    "freebsd/arm",
    "freebsd/riscv64",
    "netbsd/amd64",
    "netbsd/arm64",
    "netbsd/386",
    "netbsd/arm",
    "openbsd/amd64",
    "openbsd/arm64",
    "openbsd/386",
    "openbsd/arm",
    "openbsd/ppc64",
    "openbsd/riscv64",
    "darwin/amd64",
    "darwin/arm64",
    "illumos/amd64",
    "solaris/amd64",
    "dragonfly/amd64",
    "aix/ppc64",
    "android/amd64",
    "android/arm64",
    "android/arm",
    "android/386",
    "plan9/amd64",
    "plan9/386",
    "plan9/arm",
];

fn platform(i: usize) -> String {
    let base = PLATFORMS[i % PLATFORMS.len()];
    match i / PLATFORMS.len() {
        0 => base.to_string(),
        round => format!("{base}:1.0.{round}"),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = Args::parse();
    let registry = args.registry.trim().trim_end_matches('/').to_string();
    let pusher = match Pusher::new(&format!("http://{registry}"), None) {
        Ok(pusher) => pusher,
        Err(e) => {
            eprintln!("bench-seed: {e}");
            return ExitCode::from(2);
        }
    };
    let format = match args.format.as_str() {
        "oci" => Format::Oci,
        "docker" => Format::Docker,
        other => {
            eprintln!("bench-seed: --format {other}: oci or docker");
            return ExitCode::from(2);
        }
    };
    if args.image {
        let i = usize::from(args.platforms);
        let image = ImageSpec::new(format, &platform(i), 20_000 + i as u64).build();
        return match pusher
            .push_image(&args.repository, &image, Some(&args.tag))
            .await
        {
            Ok(()) => {
                println!(
                    "{registry}/{}:{}	{}",
                    args.repository, args.tag, image.manifest.digest
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("bench-seed: pushing to {registry} failed: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let mut index = IndexBuilder::new(format);
    for i in 0..usize::from(args.platforms) {
        index = index.image(ImageSpec::new(format, &platform(i), 10_000 + i as u64).build());
    }
    let index = index.build();
    match pusher
        .push_index(&args.repository, &index, Some(&args.tag))
        .await
    {
        Ok(()) => {
            println!(
                "{registry}/{}:{}\t{}\t{} entries",
                args.repository,
                args.tag,
                index.manifest.digest,
                index.entries.len()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("bench-seed: pushing to {registry} failed: {e}");
            ExitCode::FAILURE
        }
    }
}
