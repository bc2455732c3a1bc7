//! `bench-floor --registry 127.0.0.1:PORT --repository R --tag T [--samples N]`:
//! the floor a registry client can reach for a cold inspection of an index,
//! against this registry and this network, for `scripts/bench`.
//!
//! An ideal client: before each sample it opens one keep-alive HTTP/1.1
//! connection per child and sends a `GET /v2/` on each (untimed), so no
//! connection set-up is left in what it times. Then it times
//!
//! * one round trip: a GET of the tag's manifest on one of those connections;
//! * the floor: the tag's manifest again, its children's digests parsed, every
//!   child's manifest asked for at once (one per connection, all in flight
//!   together) and every body read — no digest checked, no answer built.
//!
//! It prints the medians of `--samples` samples as one line,
//! `round_trip_ms=… floor_ms=… children=… samples=…`. Raw HTTP/1.1 over
//! `TcpStream` (`Content-Length` bodies only, as distribution sends for
//! manifests), no pool, no TLS. Refuses any registry not on loopback.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use shared::media_type::MANIFEST_ACCEPT;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::task::JoinSet;

#[derive(Debug, Parser)]
#[command(about = "Time an ideal client's cold inspection of an index (benchmarks)")]
struct Args {
    /// The registry as IP:PORT, on loopback (e.g. 127.0.0.1:5000).
    #[arg(long)]
    registry: String,
    #[arg(long, default_value = "bench/index")]
    repository: String,
    #[arg(long, default_value = "latest")]
    tag: String,
    /// How many samples to take; the medians are printed.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..=100))]
    samples: u16,
}

/// A manifest is small; anything larger is a mistake of the setup.
const MAX_BODY: usize = 4 << 20;

/// One keep-alive connection and its read buffer.
struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
    host: String,
}

impl Conn {
    async fn open(addr: SocketAddr) -> Result<Conn, String> {
        let stream = TcpStream::connect(addr)
            .await
            .map_err(|e| format!("connecting to {addr}: {e}"))?;
        stream
            .set_nodelay(true)
            .map_err(|e| format!("TCP_NODELAY: {e}"))?;
        Ok(Conn {
            stream,
            buf: Vec::with_capacity(16 << 10),
            host: addr.to_string(),
        })
    }

    /// GET `path` and read the whole body; an error unless the answer is 200.
    async fn get(&mut self, path: &str) -> Result<Vec<u8>, String> {
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\nAccept: {MANIFEST_ACCEPT}\r\nUser-Agent: bench-floor\r\n\r\n",
            self.host
        );
        self.stream
            .write_all(request.as_bytes())
            .await
            .map_err(|e| format!("GET {path}: {e}"))?;
        self.buf.clear();
        let (head, length) = loop {
            if let Some(parsed) = head_of(&self.buf).map_err(|e| format!("GET {path}: {e}"))? {
                break parsed;
            }
            self.read_more(path).await?;
        };
        while self.buf.len() < head + length {
            self.read_more(path).await?;
        }
        if self.buf.len() > head + length {
            return Err(format!(
                "GET {path}: bytes past the body (no pipelining here)"
            ));
        }
        Ok(self.buf[head..].to_vec())
    }

    async fn read_more(&mut self, path: &str) -> Result<(), String> {
        self.buf.reserve(16 << 10);
        match self.stream.read_buf(&mut self.buf).await {
            Ok(0) => Err(format!("GET {path}: the connection closed mid-answer")),
            Ok(_) => Ok(()),
            Err(e) => Err(format!("GET {path}: {e}")),
        }
    }
}

/// `Some((head length, body length))` once the head is complete.
fn head_of(buf: &[u8]) -> Result<Option<(usize, usize)>, String> {
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut response = httparse::Response::new(&mut headers);
    let head = match response.parse(buf).map_err(|e| e.to_string())? {
        httparse::Status::Complete(head) => head,
        httparse::Status::Partial => return Ok(None),
    };
    if response.code != Some(200) {
        return Err(format!("answered {:?}", response.code));
    }
    let length = response
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("content-length"))
        .and_then(|h| {
            std::str::from_utf8(h.value)
                .ok()?
                .trim()
                .parse::<usize>()
                .ok()
        })
        .ok_or("no Content-Length (chunked answers are not read here)")?;
    if length > MAX_BODY {
        return Err(format!("a {length}-byte body"));
    }
    Ok(Some((head, length)))
}

/// The digests of an index's children.
fn children(body: &[u8]) -> Result<Vec<String>, String> {
    let index: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| format!("the tag's manifest: {e}"))?;
    let manifests = index["manifests"]
        .as_array()
        .ok_or("the tag's manifest is not an index (no `manifests`)")?;
    manifests
        .iter()
        .map(|m| {
            m["digest"]
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| "an entry without a digest".to_string())
        })
        .collect()
}

/// `n` connections, each with a `GET /v2/` answered.
async fn open_all(addr: SocketAddr, n: usize) -> Result<Vec<Conn>, String> {
    let mut set = JoinSet::new();
    for _ in 0..n {
        set.spawn(async move {
            let mut conn = Conn::open(addr).await?;
            conn.get("/v2/").await?;
            Ok::<_, String>(conn)
        });
    }
    let mut conns = Vec::with_capacity(n);
    while let Some(joined) = set.join_next().await {
        conns.push(joined.map_err(|e| e.to_string())??);
    }
    Ok(conns)
}

/// The floor: the tag, then every child at once; the connections come back.
async fn floor(
    mut conns: Vec<Conn>,
    tag_path: &str,
    repository: &str,
) -> Result<(f64, Vec<Conn>), String> {
    let start = Instant::now();
    let digests = children(&conns[0].get(tag_path).await?)?;
    if digests.len() > conns.len() {
        return Err("the index grew between samples".into());
    }
    let mut set = JoinSet::new();
    for (mut conn, digest) in conns.drain(..digests.len()).zip(digests) {
        let path = format!("/v2/{repository}/manifests/{digest}");
        set.spawn(async move {
            let body = conn.get(&path).await?;
            Ok::<_, String>((conn, body.len()))
        });
    }
    while let Some(joined) = set.join_next().await {
        let (conn, _len) = joined.map_err(|e| e.to_string())??;
        conns.push(conn);
    }
    Ok((start.elapsed().as_secs_f64() * 1000.0, conns))
}

async fn run(args: &Args, addr: SocketAddr) -> Result<String, String> {
    let tag_path = format!("/v2/{}/manifests/{}", args.repository, args.tag);
    // Learn how many children there are (untimed).
    let n = children(&Conn::open(addr).await?.get(&tag_path).await?)?.len();
    let (mut trips, mut floors) = (Vec::new(), Vec::new());
    for _ in 0..args.samples {
        let mut conns = open_all(addr, n.max(1)).await?;
        let start = Instant::now();
        conns[0].get(&tag_path).await?;
        trips.push(start.elapsed().as_secs_f64() * 1000.0);
        let (ms, _conns) = floor(conns, &tag_path, &args.repository).await?;
        floors.push(ms);
    }
    Ok(format!(
        "round_trip_ms={:.1} floor_ms={:.1} children={n} samples={}",
        median(&mut trips),
        median(&mut floors),
        args.samples
    ))
}

fn median(xs: &mut [f64]) -> f64 {
    xs.sort_by(f64::total_cmp);
    let mid = xs.len() / 2;
    if xs.len() % 2 == 1 {
        xs[mid]
    } else {
        (xs[mid - 1] + xs[mid]) / 2.0
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    let addr = match args.registry.trim().parse::<SocketAddr>() {
        Ok(addr) if addr.ip().is_loopback() => addr,
        Ok(addr) => {
            eprintln!("bench-floor: {addr} is not on loopback");
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("bench-floor: --registry {}: {e} (IP:PORT)", args.registry);
            return ExitCode::from(2);
        }
    };
    // One thread: the client should take as little of the machine's CPU from
    // the registry (and the latency proxy) as it can.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("bench-floor: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(&args, addr)) {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("bench-floor: {e}");
            ExitCode::FAILURE
        }
    }
}
