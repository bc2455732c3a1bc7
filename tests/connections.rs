//! The proxy's front door against hostile clients, on the real binary:
//! half-sent requests (slow loris) and descriptor exhaustion must not stop it
//! from answering everybody else.

use std::path::Path;
use std::time::Duration;

use support::proxy_process::ProxyProcess;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const BINARY: &str = env!("CARGO_BIN_EXE_manifest-web-under-test");
const HEALTH: &str = "/api/v1/health";

/// A request head cut off before its blank line.
const HALF_SENT: &[u8] = b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n";

/// With 256 descriptors, 300 connections holding half-sent requests are
/// open against the proxy; a health check still answers within 2 s.
#[tokio::test]
async fn half_sent_requests_do_not_starve_health_checks() {
    let proxy = ProxyProcess::spawn_with_nofile(Path::new(BINARY), 256, &[], &[]).await;
    let mut held = Vec::new();
    for _ in 0..300 {
        let mut stream = TcpStream::connect(proxy.addr()).await.expect("connect");
        stream.write_all(HALF_SENT).await.expect("write");
        held.push(stream);
    }
    let health = tokio::time::timeout(Duration::from_secs(2), async {
        reqwest::Client::new()
            .get(format!("http://{}{HEALTH}", proxy.addr()))
            .send()
            .await
    })
    .await;
    let status = match health {
        Ok(Ok(response)) => response.status().as_u16(),
        Ok(Err(e)) => panic!("health check failed: {e}"),
        Err(_) => panic!("health check did not answer within 2 s"),
    };
    assert_eq!(status, 200);
    drop(held);
    let output = proxy.stop().await;
    assert!(
        !output.stderr.contains("panicked"),
        "stderr:\n{}",
        output.stderr
    );
}

/// A client that sends one header line a second never finishes its head:
/// the proxy closes the connection after its header-read deadline (10 s)
/// instead of holding it for ever.
#[tokio::test]
async fn a_request_head_dribbled_forever_is_cut_off() {
    let proxy = ProxyProcess::spawn(Path::new(BINARY), &[], &[]).await;
    let mut stream = TcpStream::connect(proxy.addr()).await.expect("connect");
    stream
        .write_all(b"GET / HTTP/1.1\r\n")
        .await
        .expect("write");
    let mut closed = false;
    for i in 0..25 {
        tokio::time::sleep(Duration::from_secs(1)).await;
        if stream
            .write_all(format!("X-Dribble-{i}: x\r\n").as_bytes())
            .await
            .is_err()
        {
            closed = true;
            break;
        }
        let mut buf = [0u8; 1024];
        match tokio::time::timeout(Duration::from_millis(10), stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => {
                closed = true;
                break;
            }
            // hyper may answer 408 before closing.
            Ok(Ok(_)) => {}
            Err(_) => {}
        }
    }
    assert!(
        closed,
        "the connection was still open after 25 s of dribbling"
    );
    // And the proxy serves others all along.
    let ok = proxy
        .client()
        .request(reqwest::Method::GET, HEALTH)
        .send()
        .await;
    assert_eq!(ok.expect("health").status().as_u16(), 200);
}

/// One connection serves at most 1,000 requests; the last answer says
/// `Connection: close`.
#[tokio::test]
async fn a_connection_is_closed_after_its_request_budget() {
    let proxy = ProxyProcess::spawn(Path::new(BINARY), &[], &[]).await;
    let mut stream = TcpStream::connect(proxy.addr()).await.expect("connect");
    let request = format!("GET {HEALTH} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    let mut seen = Vec::new();
    let mut answers = 0;
    let mut last_head = String::new();
    let mut buf = vec![0u8; 64 * 1024];
    'requests: for _ in 0..1001 {
        if stream.write_all(request.as_bytes()).await.is_err() {
            break;
        }
        loop {
            let text = String::from_utf8_lossy(&seen).to_string();
            if let Some(end) = text.find("\r\n\r\n") {
                let head = text[..end].to_ascii_lowercase();
                let length: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .map_or(0, |v| v.trim().parse().unwrap_or(0));
                if seen.len() >= end + 4 + length {
                    seen.drain(..end + 4 + length);
                    answers += 1;
                    last_head = head;
                    continue 'requests;
                }
            }
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break 'requests,
                Ok(n) => seen.extend_from_slice(&buf[..n]),
            }
        }
    }
    assert_eq!(answers, 1000, "answers on one connection");
    assert!(
        last_head.contains("connection: close"),
        "the last answer:\n{last_head}"
    );
}

/// A request whose body never comes is answered (and its connection freed)
/// after the body deadline, instead of holding a busy connection for ever.
#[tokio::test]
async fn a_body_that_never_comes_is_cut_off() {
    let proxy = support::proxy::Proxy::start_with(|c| {
        c.connections.body_read_timeout = Duration::from_secs(1);
    })
    .await;
    let mut stream = TcpStream::connect(proxy.addr()).await.expect("connect");
    stream
        .write_all(
            b"POST /api/v1/spec/parse HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/yaml\r\nContent-Length: 100000\r\n\r\nimage: a",
        )
        .await
        .expect("write");
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(15), async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    answer.extend_from_slice(&buf[..n]);
                    if answer.windows(4).any(|w| w == b"\r\n\r\n") {
                        break;
                    }
                }
            }
        }
    })
    .await;
    assert!(read.is_ok(), "still waiting for the body after 15 s");
    let head = String::from_utf8_lossy(&answer);
    assert!(
        head.is_empty() || head.starts_with("HTTP/1.1 4"),
        "the answer to a body that never came: {head}"
    );
}
