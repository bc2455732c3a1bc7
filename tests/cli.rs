//! `manifest-web inspect` and `manifest-web push`, run as a user runs them:
//! the built binary against real docker-registry processes. What it prints
//! is compared with what the server answers for the same image, and what it
//! pushed is read back with skopeo and plain GETs.

use std::process::Output;

use reqwest::StatusCode;
use serde_json::Value;
use shared::digest::Digest;
use shared::media_type;
use support::demo::demo_item;
use support::{Format, Image, ImageSpec, IndexBuilder, Proxy, Registry, RegistryOptions};

const BINARY: &str = env!("CARGO_BIN_EXE_manifest-web-under-test");

async fn registry() -> Registry {
    Registry::start()
        .await
        .unwrap_or_else(|e| panic!("start docker-registry: {e}"))
}

/// `manifest-web --plain-http ARGS`: the test registries speak plain HTTP,
/// and as with manifest-tool that takes `--plain-http`.
async fn cli(args: &[&str]) -> Output {
    let mut line = vec!["--plain-http"];
    line.extend_from_slice(args);
    run(&line).await
}

/// Run `manifest-web ARGS` with no Docker config or logins of this machine.
async fn run(args: &[&str]) -> Output {
    support::proxy_process::run_isolated(std::path::Path::new(BINARY), args).await
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("stderr is UTF-8")
}

/// Exit 0; panics with both streams otherwise.
fn ok(out: Output) -> Output {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        stdout(&out),
        stderr(&out)
    );
    out
}

/// A failure: non-zero, nothing on stdout, one line on stderr; that line.
fn failed(out: Output) -> String {
    assert!(
        !out.status.success(),
        "expected a failure: {}",
        stdout(&out)
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "", "nothing on stdout when failing");
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.starts_with("manifest-web: error: "), "{err}");
    err
}

async fn push_image(registry: &Registry, repo: &str, image: &Image, tag: &str) {
    registry
        .pusher()
        .push_image(repo, image, Some(tag))
        .await
        .unwrap_or_else(|e| panic!("seed {repo}:{tag}: {e}\n{}", registry.log()));
}

async fn server_text(proxy: &Proxy, reference: &str) -> String {
    let client = proxy.client();
    let request = client
        .request(reqwest::Method::GET, shared::api::INSPECT_PATH)
        .query(&[("ref", reference), ("format", "text")]);
    let answer = client.send(request).await;
    assert_eq!(answer.status, StatusCode::OK);
    String::from_utf8(answer.body.to_vec()).unwrap()
}

/// The manifest the registry holds under `repo:tag`, read with skopeo.
async fn skopeo_raw(reference: &str) -> Vec<u8> {
    let home = tempfile::tempdir().expect("a temp HOME for skopeo");
    let out = tokio::process::Command::new("skopeo")
        .args(["inspect", "--raw", "--tls-verify=false", "--no-creds"])
        .arg(format!("docker://{reference}"))
        .env("HOME", home.path())
        .env_remove("REGISTRY_AUTH_FILE")
        .env_remove("DOCKER_CONFIG")
        .output()
        .await
        .expect("run skopeo");
    assert!(
        out.status.success(),
        "skopeo inspect --raw {reference}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// `Digest: sha256:... LENGTH` as the last stdout line: the digest and length.
fn digest_line(out: &str) -> (Digest, u64) {
    let line = out.lines().last().expect("a Digest line");
    let rest = line
        .strip_prefix("Digest: ")
        .unwrap_or_else(|| panic!("{line}"));
    let (digest, length) = rest.split_once(' ').unwrap_or_else(|| panic!("{line}"));
    (Digest::parse(digest).unwrap(), length.parse().unwrap())
}

#[tokio::test]
async fn inspect_prints_what_the_servers_text_format_gives() {
    let registry = registry().await;
    let item = demo_item("demo/multiarch");
    registry
        .pusher()
        .push_index(item.repository, item.index(), Some(&item.tag))
        .await
        .unwrap_or_else(|e| panic!("push: {e}\n{}", registry.log()));
    let single = ImageSpec::new(Format::Oci, "linux/arm64/v8", 42).build();
    push_image(&registry, "text/single", &single, "1.0").await;
    let proxy = Proxy::start(&[&registry]).await;

    let list_ref = registry.reference(&format!("{}:{}", item.repository, item.tag));
    let by_digest = registry.reference(&format!("{}@{}", item.repository, item.digest()));
    let single_ref = registry.reference("text/single:1.0");
    for name in [&list_ref, &by_digest, &single_ref] {
        let out = ok(cli(&["inspect", name]).await);
        let expected = server_text(&proxy, name).await;
        assert!(expected.starts_with("Name:"), "{expected}");
        assert_eq!(stdout(&out), expected, "{name}");
        assert_eq!(stderr(&out), "", "{name}: nothing on stderr");
    }
    // Global flags may also follow the command.
    let out = ok(run(&["inspect", &single_ref, "--plain-http"]).await);
    assert_eq!(stdout(&out), server_text(&proxy, &single_ref).await);

    // A local registry is reached without flags, but over HTTPS only: plain
    // HTTP takes --plain-http, and the error says so.
    let err = failed(run(&["inspect", &single_ref]).await);
    assert!(err.contains("add --plain-http"), "{err}");
    let err = failed(run(&["--insecure", "inspect", &single_ref]).await);
    assert!(err.contains("add --plain-http"), "{err}");
}

#[tokio::test]
async fn inspect_raw_prints_manifest_tools_json() {
    let registry = registry().await;
    let amd64 = ImageSpec::new(Format::Docker, "linux/amd64", 7).build();
    push_image(&registry, "raw/single", &amd64, "1").await;
    let list = demo_item("demo/multiarch").index().clone();
    registry
        .pusher()
        .push_index("raw/list", &list, Some("1"))
        .await
        .unwrap();

    let name = registry.reference("raw/single:1");
    let out = stdout(&ok(cli(&["inspect", "--raw", &name]).await));
    assert!(out.starts_with("{\n    \"name\": "), "{out}");
    assert!(out.ends_with("}\n"), "{out}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    for key in [
        "name",
        "digest",
        "os",
        "architecture",
        "schemaVersion",
        "mediaType",
        "config",
        "layers",
    ] {
        assert!(keys.contains(&key), "{key} in {keys:?}");
    }
    assert_eq!(v["name"], name);
    assert_eq!(v["digest"], amd64.manifest.digest.to_string());
    assert_eq!(v["os"], "linux");
    assert_eq!(v["architecture"], "amd64");
    assert_eq!(
        v["layers"].as_array().unwrap().len(),
        amd64.layer_descriptors.len()
    );

    let name = registry.reference("raw/list:1");
    let out = stdout(&ok(cli(&["inspect", "--raw", &name]).await));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["name"], name);
    assert_eq!(v["digest"], list.manifest.digest.to_string());
    assert_eq!(v["mediaType"], list.manifest.media_type);
    let manifests = v["manifests"].as_array().unwrap();
    assert_eq!(manifests.len(), list.entries.len());
    for (entry, child) in list.entries.iter().zip(manifests) {
        let image = list.image(&entry.digest);
        // Each entry is the child's manifest, not its descriptor.
        assert!(child.get("digest").is_none(), "{child}");
        assert_eq!(child["config"]["digest"], image.config.digest.to_string());
        assert_eq!(
            child["layers"].as_array().unwrap().len(),
            image.layer_descriptors.len()
        );
    }
}

/// `--raw --expand-config`: manifest-tool's layout with the config blob in
/// place of its descriptor; without `--raw` the flag is refused as
/// manifest-tool refuses it.
#[tokio::test]
async fn inspect_expand_config_prints_the_config() {
    let registry = registry().await;
    let image = ImageSpec::new(Format::Oci, "linux/arm64", 11).build();
    push_image(&registry, "raw/expanded", &image, "1").await;
    let name = registry.reference("raw/expanded:1");
    let out = stdout(&ok(
        cli(&["inspect", "--raw", "--expand-config", &name]).await
    ));
    let position = |key: &str| {
        out.find(&format!("\n    \"{key}\": "))
            .unwrap_or_else(|| panic!("top-level {key} in {out}"))
    };
    let order = [
        "schemaVersion",
        "name",
        "digest",
        "os",
        "architecture",
        "mediaType",
        "config",
        "layers",
    ];
    let positions: Vec<usize> = order.iter().map(|k| position(k)).collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "keys in manifest-tool's order: {out}"
    );
    assert!(out.ends_with("}\n"), "{out}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["digest"], image.manifest.digest.to_string());
    let config: Value = serde_json::from_slice(&image.config.bytes).unwrap();
    assert_eq!(v["config"]["architecture"], "arm64");
    assert_eq!(v["config"]["os"], config["os"]);
    assert_eq!(
        v["config"]["rootfs"], config["rootfs"],
        "the config's own content"
    );
    assert_eq!(v["architecture"], "arm64");
    assert_eq!(
        v["layers"].as_array().unwrap().len(),
        image.layer_descriptors.len()
    );

    let err = failed(cli(&["inspect", "--expand-config", &name]).await);
    assert!(err.contains("only valid when used with --raw"), "{err}");
}

/// Push progress on stderr: plain lines when stderr is not a terminal (a
/// CI log), a bar redrawn in place when it is one (run under `script`,
/// which gives the binary a pseudo-terminal).
#[tokio::test]
async fn push_progress_is_lines_in_a_log_and_a_bar_on_a_terminal() {
    let registry = registry().await;
    let amd64 = ImageSpec::new(Format::Docker, "linux/amd64", 31).build();
    let arm64 = ImageSpec::new(Format::Docker, "linux/arm64", 32).build();
    push_image(&registry, "src/bar", &amd64, "linux-amd64").await;
    push_image(&registry, "src/bar", &arm64, "linux-arm64").await;
    let args = |tag: &str| {
        vec![
            "--plain-http".to_string(),
            "push".into(),
            "from-args".into(),
            "--platforms".into(),
            "linux/amd64,linux/arm64".into(),
            "--template".into(),
            registry.reference("src/bar:OS-ARCH"),
            "--target".into(),
            registry.reference(&format!("out/bar:{tag}")),
        ]
    };

    let line: Vec<String> = args("plain");
    let line: Vec<&str> = line.iter().map(String::as_str).collect();
    let out = ok(run(&line).await);
    let err = stderr(&out);
    assert!(
        !err.contains('\r') && !err.contains('\x1b'),
        "no terminal codes in a log: {err:?}"
    );
    let total: usize = err
        .lines()
        .find_map(|l| {
            l.split_once(" (")?
                .1
                .strip_suffix(" registry writes)")?
                .parse()
                .ok()
        })
        .unwrap_or_else(|| panic!("the number of writes is said: {err}"));
    // Steps run concurrently: each is one line, numbered, in any order.
    let mut numbers: Vec<usize> = err
        .lines()
        .filter_map(|l| {
            l.strip_prefix('[')?
                .split_once(&format!("/{total}] "))?
                .0
                .parse()
                .ok()
        })
        .collect();
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=total).collect::<Vec<_>>(), "{err}");

    let home = tempfile::tempdir().unwrap();
    let command = std::iter::once(BINARY.to_string())
        .chain(args("terminal"))
        .collect::<Vec<_>>()
        .join(" ");
    let out = tokio::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("HOME", home.path())
        .env("DOCKER_CONFIG", home.path())
        .env_remove("RUST_LOG")
        .output()
        .await
        .expect("run script");
    let screen = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{screen}");
    let full_bar = format!("\r\x1b[2K[{}] {total}/{total} ", "#".repeat(30));
    assert!(
        screen.contains(&full_bar),
        "the bar reaches its end in place: {screen:?}"
    );
    assert!(screen.contains("\r\x1b[2K[###"), "{screen:?}");
    assert!(
        !screen.contains(&format!("[1/{total}] ")),
        "no plain step lines on a terminal: {screen:?}"
    );
    assert!(screen.contains("Digest: sha256:"), "{screen:?}");
}

/// A registry on this machine over HTTPS gets its certificate checked like
/// any other: a self-signed one is refused unless `--insecure` says to
/// accept it (being local is no reason to trust whoever answers there).
#[tokio::test]
async fn a_local_registry_certificate_is_verified_unless_insecure() {
    let registry = Registry::start_with(RegistryOptions {
        self_signed_tls: true,
        ..RegistryOptions::default()
    })
    .await
    .unwrap_or_else(|e| panic!("start docker-registry with TLS: {e}"));
    let missing = registry.reference("nothing/here:1");
    let err = failed(run(&["inspect", &missing]).await);
    assert!(err.to_lowercase().contains("certificate"), "{err}");

    let err = failed(run(&["--insecure", "inspect", &missing]).await);
    assert!(
        !err.to_lowercase().contains("certificate"),
        "the TLS handshake worked: {err}"
    );
    assert!(err.contains("nothing/here"), "{err}");
}

/// What mquery prints for an index, written out independently of the code.
fn mquery_list(name: &str, digest: &Digest, media_type: &str, platforms: &[&str]) -> String {
    let mut text = format!(
        "Image: {name} (digest: {digest})\n \
         * Manifest List: Yes (Image type: {media_type})\n \
         * Supported platforms:\n"
    );
    for p in platforms {
        text.push_str(&format!("   - {p}\n"));
    }
    text
}

#[tokio::test]
async fn mquery_prints_the_platforms_as_mquery_does() {
    let registry = registry().await;
    let windows = "windows/amd64:10.0.17763.2300";
    let index = IndexBuilder::new(Format::Docker)
        .image(ImageSpec::new(Format::Docker, "linux/amd64", 80).build())
        .image(ImageSpec::new(Format::Docker, "linux/arm64/v8", 81).build())
        .image(ImageSpec::new(Format::Docker, windows, 82).build())
        .build();
    let attested = IndexBuilder::new(Format::Oci)
        .attested_image(ImageSpec::new(Format::Oci, "linux/amd64", 83).build())
        .attested_image(ImageSpec::new(Format::Oci, "linux/riscv64", 84).build())
        .build();
    for (repo, list, tag) in [
        ("mq/list", &index, "latest"),
        ("mq/attested", &attested, "1"),
    ] {
        registry
            .pusher()
            .push_index(repo, list, Some(tag))
            .await
            .unwrap_or_else(|e| panic!("push {repo}: {e}\n{}", registry.log()));
    }
    let single = ImageSpec::new(Format::Oci, "linux/arm/v7", 85).build();
    push_image(&registry, "mq/single", &single, "1.0").await;

    let name = registry.reference("mq/list:latest");
    let out = ok(cli(&["mquery", &name]).await);
    let expected = mquery_list(
        &name,
        &index.manifest.digest,
        media_type::DOCKER_MANIFEST_LIST,
        &["linux/amd64", "linux/arm64/v8", windows],
    );
    assert_eq!(stdout(&out), expected);
    assert_eq!(stderr(&out), "");

    // Attestation entries are no platforms.
    let name = registry.reference("mq/attested:1");
    let out = ok(cli(&["mquery", &name]).await);
    let expected = mquery_list(
        &name,
        &attested.manifest.digest,
        media_type::OCI_INDEX,
        &["linux/amd64", "linux/riscv64"],
    );
    assert_eq!(stdout(&out), expected);

    let name = registry.reference("mq/single:1.0");
    let out = ok(cli(&["mquery", &name]).await);
    assert_eq!(
        stdout(&out),
        format!(
            "Image: {name} (digest: {})\n \
             * Manifest List: No (Image type: {})\n \
             * Supports: linux/arm/v7\n",
            single.manifest.digest,
            media_type::OCI_MANIFEST
        )
    );

    // Failures as for the other commands.
    let err = failed(cli(&["mquery", &registry.reference("mq/none:1")]).await);
    assert!(err.contains("mq/none"), "{err}");
    failed(cli(&["mquery", "Not A Reference"]).await);
    let err = failed(run(&["mquery", &name]).await);
    assert!(err.contains("add --plain-http"), "{err}");
}

#[tokio::test]
async fn every_failure_exits_non_zero_with_one_line() {
    let registry = registry().await;
    // A tag that is not there (manifest-tool exits 0 here; we do not).
    let missing = registry.reference("nothing/here:1");
    let err = failed(cli(&["inspect", &missing]).await);
    assert!(
        err.contains("not found") || err.contains("unknown"),
        "{err}"
    );
    let err = failed(cli(&["inspect", "--raw", &missing]).await);
    assert!(err.contains("nothing/here"), "{err}");
    failed(cli(&["inspect", "Not A Reference"]).await);
    // A spec file that is not there, or not a spec.
    let err = failed(cli(&["push", "from-spec", "/nonexistent/spec.yaml"]).await);
    assert!(err.contains("/nonexistent/spec.yaml"), "{err}");
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yaml");
    std::fs::write(
        &bad,
        "image: a\nmanifests:\n  - image: b\n    platfrom: {}\n",
    )
    .unwrap();
    let err = failed(cli(&["push", "from-spec", bad.to_str().unwrap()]).await);
    assert!(err.contains("line 4") && err.contains("platfrom"), "{err}");
    // A source that is not there.
    let target = registry.reference("out/x:1");
    let source = registry.reference("src/none:1");
    let err = failed(
        cli(&[
            "push",
            "from-args",
            "--platforms",
            "linux/amd64",
            "--template",
            &source,
            "--target",
            &target,
        ])
        .await,
    );
    assert!(
        err.contains("ignoreMissing") || err.contains("not found"),
        "{err}"
    );
    // --username without --password.
    failed(cli(&["--username", "u", "inspect", &missing]).await);
}

#[tokio::test]
async fn push_from_spec_pushes_oci_sources_as_an_oci_index() {
    let registry = registry().await;
    let amd64 = ImageSpec::new(Format::Oci, "linux/amd64", 11).build();
    let arm64 = ImageSpec::new(Format::Oci, "linux/arm64/v8", 12).build();
    push_image(&registry, "src/app", &amd64, "amd64").await;
    push_image(&registry, "src/app", &arm64, "arm64").await;
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec.yaml");
    // A manifest-tool spec as it is: no `type`.
    std::fs::write(
        &spec,
        format!(
            "image: {}\ntags: [latest]\nmanifests:\n  - image: {}\n    platform:\n      os: linux\n      architecture: amd64\n  - image: {}\n",
            registry.reference("team/app:1.0"),
            registry.reference("src/app:amd64"),
            registry.reference("src/app:arm64"),
        ),
    )
    .unwrap();
    let out = ok(cli(&["push", "from-spec", spec.to_str().unwrap()]).await);
    let text = stdout(&out);
    assert_eq!(
        text.lines().count(),
        1,
        "only the Digest line on stdout: {text}"
    );
    let (digest, length) = digest_line(&text);
    let err = stderr(&out);
    assert!(
        err.contains("OCI image index"),
        "the type choice is said: {err}"
    );

    for tag in ["1.0", "latest"] {
        let raw = skopeo_raw(&registry.reference(&format!("team/app:{tag}"))).await;
        assert_eq!(Digest::sha256(&raw), digest, "{tag}");
        assert_eq!(raw.len() as u64, length);
        let index: Value = serde_json::from_slice(&raw).unwrap();
        assert_eq!(index["mediaType"], media_type::OCI_INDEX);
        let listed: Vec<&str> = index["manifests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["digest"].as_str().unwrap())
            .collect();
        assert_eq!(
            listed,
            [
                amd64.manifest.digest.to_string(),
                arm64.manifest.digest.to_string()
            ]
        );
    }

    // --type docker with OCI sources is refused as in the page.
    let err = failed(
        cli(&[
            "push",
            "--type",
            "docker",
            "from-spec",
            spec.to_str().unwrap(),
        ])
        .await,
    );
    assert!(err.contains("type: oci"), "{err}");
}

#[tokio::test]
async fn push_from_args_with_tags_and_a_dry_run_first() {
    let registry = registry().await;
    let amd64 = ImageSpec::new(Format::Docker, "linux/amd64", 21).build();
    let arm = ImageSpec::new(Format::Docker, "linux/arm/v7", 22).build();
    push_image(&registry, "src/tool", &amd64, "v1-linux-amd64").await;
    push_image(&registry, "src/tool", &arm, "v1-linux-armv7").await;
    let template = registry.reference("src/tool:v1-OS-ARCHVARIANT");
    let target = registry.reference("team/tool:v1");
    let args = [
        "push",
        "from-args",
        "--platforms",
        "linux/amd64,linux/arm/v7",
        "--template",
        &template,
        "--target",
        &target,
        "--tags",
        "v1.0,latest",
    ];

    // Dry run: the index and its digest, and nothing in the registry.
    let mut dry: Vec<&str> = args.to_vec();
    dry.push("--dry-run");
    let out = ok(cli(&dry).await);
    let text = stdout(&out);
    let (planned, length) = digest_line(&text);
    let index = text.lines().next().unwrap();
    assert_eq!(Digest::sha256(index.as_bytes()), planned);
    assert_eq!(index.len() as u64, length);
    let v: Value = serde_json::from_str(index).unwrap();
    assert_eq!(v["mediaType"], media_type::DOCKER_MANIFEST_LIST);
    assert!(stderr(&out).contains("nothing pushed"), "{}", stderr(&out));
    for tag in ["v1", "v1.0", "latest"] {
        let probe = registry
            .pusher()
            .get_manifest("team/tool", tag, media_type::DOCKER_MANIFEST_LIST)
            .await
            .unwrap();
        assert_eq!(probe.status, StatusCode::NOT_FOUND, "dry run pushed {tag}");
    }

    // The push gives the planned digest, on every tag.
    let out = ok(cli(&args).await);
    let (digest, size) = digest_line(&stdout(&out));
    assert_eq!((digest.clone(), size), (planned, length));
    let err = stderr(&out);
    assert!(err.contains("Docker manifest list"), "{err}");
    for tag in ["v1", "v1.0", "latest"] {
        let got = registry
            .pusher()
            .get_manifest("team/tool", tag, media_type::DOCKER_MANIFEST_LIST)
            .await
            .unwrap();
        assert_eq!(got.status, StatusCode::OK, "{tag}");
        assert_eq!(Digest::sha256(&got.body), digest, "{tag}");
    }
    let raw = skopeo_raw(&registry.reference("team/tool:latest")).await;
    let v: Value = serde_json::from_slice(&raw).unwrap();
    assert_eq!(v["manifests"][1]["platform"]["variant"], "v7");

    // --type oci makes an OCI index of the same sources.
    let mut oci = vec!["push", "--type", "oci"];
    oci.extend_from_slice(&args[1..]);
    let out = ok(cli(&oci).await);
    let (digest, _) = digest_line(&stdout(&out));
    let raw = skopeo_raw(&target).await;
    assert_eq!(Digest::sha256(&raw), digest);
    let v: Value = serde_json::from_slice(&raw).unwrap();
    assert_eq!(v["mediaType"], media_type::OCI_INDEX);
}

#[tokio::test]
async fn help_names_the_commands_and_the_server_flags() {
    let out = ok(run(&["--help"]).await);
    let text = stdout(&out);
    for needle in [
        "inspect",
        "push",
        "--listen",
        "--username",
        "--plain-http",
        "--docker-cfg",
    ] {
        assert!(text.contains(needle), "{needle} in --help:\n{text}");
    }
    let out = ok(run(&["push", "from-args", "--help"]).await);
    let text = stdout(&out);
    for needle in [
        "--platforms",
        "--template",
        "--target",
        "--tags",
        "--ignore-missing",
        "--dry-run",
    ] {
        assert!(text.contains(needle), "{needle}:\n{text}");
    }
}
