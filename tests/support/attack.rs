//! A hostile registry on loopback: it plays the registry's part of an attack
//! on the proxy (issue 11), so tests can show each attack failing against
//! the real proxy. Every mode serves `/v2/` and the content it was built
//! with under any repository name; a tag `latest` names the root.
//!
//! Plain tokio + `httparse` like the fault proxy (`fault.rs`): a 1xx status
//! or a malformed header needs control over the raw answer. One request per
//! connection (`Connection: close`), which keeps the server trivial; the
//! proxy fetches each distinct digest once, so that is a handful per attack.

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};

use sha2::{Digest as _, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::blob::{Blob, json_blob};

const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
const OCI_LAYER: &str = "application/vnd.oci.image.layer.v1.tar+gzip";

/// What the registry does to whoever asks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attack {
    /// An index of `entries` entries naming one child whose config has a
    /// `history` of `history` items (issue 11 §1: 1,000 and 100,000).
    HugeHistory { entries: usize, history: usize },
    /// An index of `entries` entries naming one missing child whose 404
    /// body carries a `message_bytes`-byte error message (1,000 and 1 MB).
    MissingChild {
        entries: usize,
        message_bytes: usize,
    },
    /// An index of `entries` entries naming one child of about
    /// `child_bytes` bytes (layers), each entry's media type with another
    /// parameter (`;x=N`) (100 entries, 4 MB).
    VariedMediaTypes { entries: usize, child_bytes: usize },
    /// An index of `entries` plain entries naming one child of `layers`
    /// layers: small as JSON (the child described once), but the
    /// manifest-tool text lists the layers under every entry.
    RepeatedLayers { entries: usize, layers: usize },
    /// A small image; manifest reads are answered with status 199 (and then
    /// nothing, the connection held open).
    Informational,
    /// A small image whose manifests come with a malformed
    /// `Docker-Content-Digest`.
    MalformedDigestHeader,
    /// A small image, every blob present; a manifest `PUT` is answered
    /// `307` to the same path on `to` (`http://HOST:PORT`, another origin).
    RedirectWrites { to: String },
    /// A small image; accepts every write (blobs and manifests) like a
    /// registry that stores them.
    Sink,
    /// A small image, every blob present; a manifest `PUT` is never
    /// answered (the push hangs there, holding its slot).
    HoldWrites,
    /// The OCI referrers API for any digest: `pages` pages of about
    /// `page_bytes` bytes each (one referrer listed over and over), each
    /// linking to the next.
    ReferrersPages { pages: usize, page_bytes: usize },
}

/// The content a mode serves, by tag or digest (manifests) and digest (blobs).
#[derive(Default)]
struct Content {
    manifests: HashMap<String, Blob>,
    blobs: HashMap<String, Blob>,
}

impl Content {
    fn manifest(&mut self, reference: &str, blob: &Blob) {
        self.manifests.insert(reference.to_string(), blob.clone());
        self.manifests.insert(blob.digest.to_string(), blob.clone());
    }

    fn blob(&mut self, blob: &Blob) {
        self.blobs.insert(blob.digest.to_string(), blob.clone());
    }
}

/// A running hostile registry; stopped when dropped.
pub struct AttackRegistry {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<String>>>,
    task: JoinHandle<()>,
}

impl AttackRegistry {
    /// Serve `attack` on a free 127.0.0.1 port.
    ///
    /// # Panics
    /// When no loopback port can be bound.
    pub async fn start(attack: Attack) -> AttackRegistry {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .expect("bind a loopback port for the attack registry");
        let addr = listener.local_addr().expect("a bound address");
        let content = Arc::new(build(&attack));
        let attack = Arc::new(attack);
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (content, attack, seen) = (content.clone(), attack.clone(), seen.clone());
                tokio::spawn(async move {
                    let _ = serve(stream, &attack, &content, &seen).await;
                });
            }
        });
        AttackRegistry {
            addr,
            requests,
            task,
        }
    }

    /// `127.0.0.1:PORT`, as `--insecure-registry` and references take it.
    pub fn host(&self) -> String {
        self.addr.to_string()
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `HOST/REPOSITORY:latest`, the root of the attack.
    pub fn reference(&self, repository: &str) -> String {
        format!("{}/{repository}:latest", self.host())
    }

    /// Every request so far, as `METHOD PATH` (without the query).
    pub fn requests(&self) -> Vec<String> {
        self.requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

impl Drop for AttackRegistry {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A small image: config, one layer, manifest; tagged `latest`.
fn small_image(content: &mut Content) {
    let layer = Blob::new(OCI_LAYER, b"not really a tarball".to_vec());
    let config = json_blob(
        OCI_CONFIG,
        &serde_json::json!({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": []}}),
    );
    let manifest = image_manifest(&config, &[layer.descriptor_json()]);
    content.blob(&layer);
    content.blob(&config);
    content.manifest("latest", &manifest);
}

fn image_manifest(config: &Blob, layers: &[serde_json::Value]) -> Blob {
    // Compact: the size of a huge manifest is the point, not its looks.
    let bytes = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": config.descriptor_json(),
        "layers": layers,
    }))
    .expect("a manifest serializes");
    Blob::new(OCI_MANIFEST, bytes)
}

/// An index whose `entries` entries all name `child` (by digest and size),
/// with the media type `media_type(i)`.
fn index_of(
    child_digest: &str,
    child_size: u64,
    entries: usize,
    media_type: impl Fn(usize) -> String,
) -> Blob {
    let manifests: Vec<_> = (0..entries)
        .map(|i| {
            serde_json::json!({
                "mediaType": media_type(i),
                "digest": child_digest,
                "size": child_size,
                "platform": {"architecture": "amd64", "os": "linux"},
            })
        })
        .collect();
    let bytes = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "manifests": manifests,
    }))
    .expect("an index serializes");
    Blob::new(OCI_INDEX, bytes)
}

fn build(attack: &Attack) -> Content {
    let mut content = Content::default();
    match attack {
        Attack::HugeHistory { entries, history } => {
            let items: Vec<_> = (0..*history)
                .map(|i| serde_json::json!({"created": "2024-01-01T00:00:00Z", "created_by": format!("/bin/sh -c #(nop) RUN step {i}")}))
                .collect();
            let config = Blob::new(
                OCI_CONFIG,
                serde_json::to_vec(&serde_json::json!({
                    "architecture": "amd64", "os": "linux",
                    "rootfs": {"type": "layers", "diff_ids": []},
                    "history": items,
                }))
                .expect("a config serializes"),
            );
            let child = image_manifest(&config, &[]);
            let index = index_of(&child.digest.to_string(), child.size(), *entries, |_| {
                OCI_MANIFEST.to_string()
            });
            content.blob(&config);
            content.manifest(&child.digest.to_string(), &child);
            content.manifest("latest", &index);
        }
        Attack::MissingChild { entries, .. } => {
            let missing = Blob::new(OCI_MANIFEST, b"{\"schemaVersion\":2}".to_vec());
            let index = index_of(
                &missing.digest.to_string(),
                missing.size(),
                *entries,
                |_| OCI_MANIFEST.to_string(),
            );
            content.manifest("latest", &index);
        }
        Attack::VariedMediaTypes {
            entries,
            child_bytes,
        } => {
            let config = json_blob(
                OCI_CONFIG,
                &serde_json::json!({"architecture": "amd64", "os": "linux"}),
            );
            let one = Blob::new(OCI_LAYER, b"layer".to_vec()).descriptor_json();
            let per_layer = serde_json::to_vec(&one).expect("serializes").len() + 1;
            let layers = vec![one; child_bytes / per_layer];
            let child = image_manifest(&config, &layers);
            let index = index_of(&child.digest.to_string(), child.size(), *entries, |i| {
                format!("{OCI_MANIFEST};x={i}")
            });
            content.blob(&config);
            content.manifest(&child.digest.to_string(), &child);
            content.manifest("latest", &index);
        }
        Attack::RepeatedLayers { entries, layers } => {
            let config = json_blob(
                OCI_CONFIG,
                &serde_json::json!({"architecture": "amd64", "os": "linux"}),
            );
            let one = Blob::new(OCI_LAYER, b"layer".to_vec()).descriptor_json();
            let child = image_manifest(&config, &vec![one; *layers]);
            let index = index_of(&child.digest.to_string(), child.size(), *entries, |_| {
                OCI_MANIFEST.to_string()
            });
            content.blob(&config);
            content.manifest(&child.digest.to_string(), &child);
            content.manifest("latest", &index);
        }
        Attack::Informational
        | Attack::MalformedDigestHeader
        | Attack::RedirectWrites { .. }
        | Attack::Sink
        | Attack::HoldWrites
        | Attack::ReferrersPages { .. } => small_image(&mut content),
    }
    content
}

/// A raw answer.
struct Answer {
    head: String,
    body: Vec<u8>,
    /// Keep the connection open after writing (and write nothing more).
    hold: bool,
}

impl Answer {
    fn new(status: &str, headers: &[(&str, String)], body: Vec<u8>) -> Answer {
        let mut head = format!("HTTP/1.1 {status}\r\n");
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str(&format!(
            "Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        ));
        Answer {
            head,
            body,
            hold: false,
        }
    }

    fn status(status: &str) -> Answer {
        Answer::new(status, &[], Vec::new())
    }
}

async fn serve(
    mut stream: TcpStream,
    attack: &Attack,
    content: &Content,
    seen: &Mutex<Vec<String>>,
) -> std::io::Result<()> {
    let Some((method, target, length, mut body)) = read_head(&mut stream).await? else {
        return Ok(());
    };
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let mut rest = vec![0; length.saturating_sub(body.len())];
    stream.read_exact(&mut rest).await?;
    body.extend_from_slice(&rest);
    seen.lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(format!("{method} {path}"));
    let answer = match attack {
        Attack::ReferrersPages { pages, page_bytes } if path.contains("/referrers/") => {
            referrers_page(path, query, *pages, *page_bytes)
        }
        _ => answer(attack, content, &method, path, &body),
    };
    stream.write_all(answer.head.as_bytes()).await?;
    if method != "HEAD" {
        stream.write_all(&answer.body).await?;
    }
    stream.flush().await?;
    if answer.hold {
        // Until the client gives up.
        let mut sink = [0u8; 1024];
        while stream.read(&mut sink).await? > 0 {}
    }
    Ok(())
}

/// The next request's method, target (path and query), Content-Length and
/// the start of its body (read along with the head).
type Head = (String, String, usize, Vec<u8>);

async fn read_head(stream: &mut TcpStream) -> std::io::Result<Option<Head>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut request = httparse::Request::new(&mut headers);
        if let httparse::Status::Complete(end) = request
            .parse(&buf)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?
        {
            let length = request
                .headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case("content-length"))
                .and_then(|h| std::str::from_utf8(h.value).ok()?.trim().parse().ok())
                .unwrap_or(0usize);
            let path = request.path.unwrap_or("/").to_string();
            let method = request.method.unwrap_or("GET").to_string();
            return Ok(Some((method, path, length, buf[end..].to_vec())));
        }
    }
}

fn answer(attack: &Attack, content: &Content, method: &str, path: &str, body: &[u8]) -> Answer {
    if path == "/v2/" || path == "/v2" {
        return Answer::new("200 OK", &[], b"{}".to_vec());
    }
    let Some(rest) = path.strip_prefix("/v2/") else {
        return Answer::status("404 Not Found");
    };
    if let Some((_, reference)) = rest.rsplit_once("/manifests/") {
        return manifest_answer(attack, content, method, path, reference, body);
    }
    if rest.ends_with("/blobs/uploads/") || rest.contains("/blobs/uploads/") {
        return match method {
            "POST" => Answer::new(
                "202 Accepted",
                &[(
                    "Location",
                    format!("/{}upload-1", path.trim_start_matches('/')),
                )],
                Vec::new(),
            ),
            _ => Answer::new(
                "201 Created",
                &[("Docker-Content-Digest", sha256(body))],
                Vec::new(),
            ),
        };
    }
    if let Some((_, digest)) = rest.rsplit_once("/blobs/") {
        if let Some(blob) = content.blobs.get(digest) {
            return Answer::new(
                "200 OK",
                &[
                    ("Content-Type", "application/octet-stream".into()),
                    ("Docker-Content-Digest", blob.digest.to_string()),
                ],
                blob.bytes.clone(),
            );
        }
        let writable = matches!(
            attack,
            Attack::RedirectWrites { .. } | Attack::Sink | Attack::HoldWrites
        );
        if writable && method == "HEAD" {
            // Every blob is already there: the push goes straight to manifests.
            return Answer::status("200 OK");
        }
        return not_found("BLOB_UNKNOWN", "blob unknown to registry");
    }
    Answer::status("404 Not Found")
}

fn manifest_answer(
    attack: &Attack,
    content: &Content,
    method: &str,
    path: &str,
    reference: &str,
    body: &[u8],
) -> Answer {
    match (attack, method) {
        (Attack::RedirectWrites { to }, "PUT") => {
            return Answer::new(
                "307 Temporary Redirect",
                &[("Location", format!("{to}{path}"))],
                Vec::new(),
            );
        }
        (Attack::HoldWrites, "PUT") => {
            return Answer {
                head: String::new(),
                body: Vec::new(),
                hold: true,
            };
        }
        (_, "PUT") => {
            return Answer::new(
                "201 Created",
                &[("Docker-Content-Digest", sha256(body))],
                Vec::new(),
            );
        }
        (Attack::Informational, _) => {
            let mut a = Answer::new(
                "199 Whatever",
                &[("Content-Type", OCI_MANIFEST.into())],
                Vec::new(),
            );
            a.hold = true;
            return a;
        }
        _ => {}
    }
    let Some(blob) = content.manifests.get(reference) else {
        return match attack {
            Attack::MissingChild { message_bytes, .. } => {
                not_found("MANIFEST_UNKNOWN", &"A".repeat(*message_bytes))
            }
            _ => not_found("MANIFEST_UNKNOWN", "manifest unknown"),
        };
    };
    let digest_header = match attack {
        Attack::MalformedDigestHeader => "sha256:not-a-digest".to_string(),
        _ => blob.digest.to_string(),
    };
    Answer::new(
        "200 OK",
        &[
            ("Content-Type", blob.media_type.clone()),
            ("Docker-Content-Digest", digest_header),
        ],
        blob.bytes.clone(),
    )
}

/// Page `page=N` (1 if none) of `pages`, about `page_bytes` long.
fn referrers_page(path: &str, query: &str, pages: usize, page_bytes: usize) -> Answer {
    let page: usize = query
        .split('&')
        .find_map(|kv| kv.strip_prefix("page="))
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    let referrer = Blob::new(OCI_MANIFEST, b"{}".to_vec()).descriptor_json();
    let per = serde_json::to_vec(&referrer).expect("serializes").len() + 1;
    let manifests = vec![referrer; (page_bytes / per).max(1)];
    // Each page is different content (identical pages would be one piece
    // of content, counted once).
    let body = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests,
        "annotations": {"org.example.page": page.to_string()},
    }))
    .expect("an index serializes");
    let mut headers = vec![("Content-Type", OCI_INDEX.to_string())];
    if page < pages {
        headers.push(("Link", format!("<{path}?page={}>; rel=\"next\"", page + 1)));
    }
    Answer::new("200 OK", &headers, body)
}

fn not_found(code: &str, message: &str) -> Answer {
    let body =
        serde_json::to_vec(&serde_json::json!({"errors": [{"code": code, "message": message}]}))
            .expect("an error body serializes");
    Answer::new(
        "404 Not Found",
        &[("Content-Type", "application/json".into())],
        body,
    )
}

fn sha256(bytes: &[u8]) -> String {
    let hex: String = Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256:{hex}")
}
