//! Accepting connections, with what one client can hold bounded.
//!
//! `axum::serve` reads a request's head with no deadline and accepts as many
//! connections as the process has file descriptors: clients that dribble a
//! header line every few seconds hold their connections for ever, and enough
//! of them make `accept` fail for everybody (`EMFILE`), health checks too.
//! This is axum's accept loop with three bounds:
//!
//! - a deadline for reading each request's head (hyper's
//!   `header_read_timeout`): a slow-loris connection is closed after it;
//! - a cap on open connections, below the process's descriptor limit (half
//!   of it is kept for registry connections and files). At the cap, the
//!   connection that has waited longest *without a request in flight* is
//!   closed to make room, so a new client is always served while idle or
//!   half-sent connections are what is given up. Only when every connection
//!   is busy is the new one refused;
//! - a cap on requests per connection: the last answer says
//!   `Connection: close`;
//! - a deadline on a stalled answer (a client that asks and never reads)
//!   and, in `app.rs`, on reading a request body: a busy connection is
//!   busy doing something, so "every connection busy" cannot be held by
//!   clients that send or take nothing.
//!
//! After the shutdown signal the listener is closed and running requests
//! get `shutdown_grace` to finish.
//!
//! An `accept` that fails for lack of descriptors closes an idle connection
//! and tries again, instead of stopping the server.
//!
//! HTTP/1.1 only: browsers speak HTTP/2 only over TLS, which a reverse proxy
//! in front terminates; serving h2c would add a protocol-detection read that
//! has no deadline of its own.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::HeaderValue;
use axum::http::header::CONNECTION;
use axum::response::Response;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tower::ServiceExt;

/// What one connection may hold, and how many there may be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Reading one request's head (request line and headers).
    pub header_read_timeout: Duration,
    /// Open connections at most (lowered to half the descriptor limit).
    pub max_connections: usize,
    /// Requests served on one connection before it is closed.
    pub max_requests_per_connection: usize,
    /// How long an answer may wait for the client to take more of it: a
    /// client that asks and never reads would otherwise keep its
    /// connection busy (never evicted) for ever.
    pub write_stall_timeout: Duration,
    /// Reading one request's body (a spec is at most 1 MiB), applied by
    /// the app (`app.rs`).
    pub body_read_timeout: Duration,
    /// After the shutdown signal: how long running requests (a push's
    /// stream) may take to finish before the server stops anyway.
    pub shutdown_grace: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_read_timeout: Duration::from_secs(10),
            max_connections: 1024,
            max_requests_per_connection: 1000,
            write_stall_timeout: Duration::from_secs(30),
            body_read_timeout: Duration::from_secs(30),
            shutdown_grace: Duration::from_secs(30),
        }
    }
}

impl ConnectionLimits {
    /// `max_connections`, lowered to half of this process's open-file limit.
    pub fn effective_max_connections(&self) -> usize {
        let by_descriptors = open_file_limit().map_or(usize::MAX, |n| (n / 2).max(1));
        self.max_connections.clamp(1, by_descriptors)
    }
}

/// The soft `RLIMIT_NOFILE`, if it can be read.
fn open_file_limit() -> Option<usize> {
    #[cfg(unix)]
    {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit writes into the struct it is given and nothing else.
        if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0
            && limit.rlim_cur != libc::RLIM_INFINITY
        {
            return usize::try_from(limit.rlim_cur).ok();
        }
        None
    }
    #[cfg(not(unix))]
    None
}

/// Serve `app` on `listener` until `shutdown` completes, then let the
/// connections finish what they are doing.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) {
    let cap = limits.effective_max_connections();
    let open = Arc::new(OpenConnections::default());
    let (stop_tx, stop_rx) = watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    });
    let mut stop = stop_rx.clone();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stop.wait_for(|stopped| *stopped) => break,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(e) if is_connection_error(&e) => continue,
            Err(e) => {
                // Out of descriptors (or another resource): make room and
                // try again shortly, rather than stop serving.
                tracing::warn!("accept failed: {e}");
                open.evict_idle();
                // Give the evicted socket time to close before trying again.
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        if open.len() >= cap && !open.evict_idle() {
            tracing::warn!(cap, "every connection is busy; refusing a new one");
            drop(stream);
            continue;
        }
        let conn = open.register();
        let open = open.clone();
        let app = app.clone();
        let limits = limits.clone();
        let stop = stop_rx.clone();
        tokio::spawn(async move {
            serve_connection(stream, peer, app, &limits, &conn, stop).await;
            open.remove(conn.id);
        });
    }
    // New clients are refused at once rather than left to hang while the
    // running connections finish.
    drop(listener);
    if tokio::time::timeout(limits.shutdown_grace, open.wait_until_empty())
        .await
        .is_err()
    {
        tracing::warn!(
            open = open.len(),
            "connections still busy after the shutdown grace period; stopping anyway"
        );
    }
}

async fn serve_connection(
    stream: tokio::net::TcpStream,
    peer: std::net::SocketAddr,
    app: Router,
    limits: &ConnectionLimits,
    conn: &Arc<Connection>,
    mut stop: watch::Receiver<bool>,
) {
    let max_requests = limits.max_requests_per_connection.max(1);
    let tracked = conn.clone();
    let service = tower::service_fn(move |mut request: Request<Incoming>| {
        // Who is asking, for the per-client limits (`client_limits`).
        request
            .extensions_mut()
            .insert(axum::extract::ConnectInfo(peer));
        let app = app.clone();
        let conn = tracked.clone();
        async move {
            let busy = Busy::start(&conn);
            let served = conn.served.fetch_add(1, Ordering::Relaxed) + 1;
            let mut response: Response = app.oneshot(request.map(Body::new)).await?;
            if served >= max_requests {
                response
                    .headers_mut()
                    .insert(CONNECTION, HeaderValue::from_static("close"));
            }
            // The connection stays busy until the whole body is sent (a push
            // streams its progress for minutes).
            Ok::<_, Infallible>(response.map(|body| {
                Body::new(BusyBody {
                    inner: body,
                    _busy: busy,
                })
            }))
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let connection = builder.serve_connection(
        TokioIo::new(StallGuard::new(stream, limits.write_stall_timeout)),
        TowerToHyperService::new(service),
    );
    let mut connection = std::pin::pin!(connection);
    let mut stopping = false;
    loop {
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(e) = result {
                    tracing::debug!("connection ended: {e}");
                }
                return;
            }
            _ = conn.evict.notified() => {
                tracing::debug!("idle connection closed to make room");
                return;
            }
            _ = stop.wait_for(|stopped| *stopped), if !stopping => {
                stopping = true;
                connection.as_mut().graceful_shutdown();
            }
        }
    }
}

/// Accept errors that concern one connection only.
fn is_connection_error(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(
        e.kind(),
        ConnectionRefused | ConnectionAborted | ConnectionReset
    )
}

/// One open connection: how many requests it has in flight, and a way to
/// close it from outside.
struct Connection {
    id: u64,
    in_flight: AtomicUsize,
    served: AtomicUsize,
    evict: Notify,
}

/// Open connections, oldest first.
#[derive(Default)]
struct OpenConnections {
    inner: Mutex<OpenInner>,
    emptied: Notify,
}

#[derive(Default)]
struct OpenInner {
    next_id: u64,
    by_age: BTreeMap<u64, Arc<Connection>>,
}

impl OpenConnections {
    fn lock(&self) -> std::sync::MutexGuard<'_, OpenInner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn len(&self) -> usize {
        self.lock().by_age.len()
    }

    fn register(&self) -> Arc<Connection> {
        let mut inner = self.lock();
        let id = inner.next_id;
        inner.next_id += 1;
        let conn = Arc::new(Connection {
            id,
            in_flight: AtomicUsize::new(0),
            served: AtomicUsize::new(0),
            evict: Notify::new(),
        });
        inner.by_age.insert(id, conn.clone());
        conn
    }

    fn remove(&self, id: u64) {
        let mut inner = self.lock();
        inner.by_age.remove(&id);
        if inner.by_age.is_empty() {
            self.emptied.notify_waiters();
        }
    }

    /// Close the oldest connection with no request in flight; `false` when
    /// there is none. It leaves the set at once, so two evictions never
    /// pick the same connection.
    fn evict_idle(&self) -> bool {
        let mut inner = self.lock();
        let idle = inner
            .by_age
            .iter()
            .find(|(_, c)| c.in_flight.load(Ordering::Acquire) == 0)
            .map(|(id, _)| *id);
        match idle.and_then(|id| inner.by_age.remove(&id)) {
            Some(conn) => {
                conn.evict.notify_one();
                true
            }
            None => false,
        }
    }

    async fn wait_until_empty(&self) {
        loop {
            let emptied = self.emptied.notified();
            if self.len() == 0 {
                return;
            }
            emptied.await;
        }
    }
}

/// A request in flight on a connection (while this lives).
struct Busy(Arc<Connection>);

impl Busy {
    fn start(conn: &Arc<Connection>) -> Self {
        conn.in_flight.fetch_add(1, Ordering::AcqRel);
        Busy(conn.clone())
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A connection whose writes fail once the client has taken nothing for
/// `timeout`: reads are left alone (an idle keep-alive connection is the
/// evictable kind; a request head has hyper's deadline, a body the app's).
struct StallGuard {
    stream: tokio::net::TcpStream,
    timeout: Duration,
    stalled_since: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl StallGuard {
    fn new(stream: tokio::net::TcpStream, timeout: Duration) -> Self {
        StallGuard {
            stream,
            timeout,
            stalled_since: None,
        }
    }

    /// `Pending` from a write: start (or check) the stall clock.
    fn stalled(&mut self, cx: &mut Context<'_>) -> Poll<std::io::Result<usize>> {
        let timeout = self.timeout;
        let deadline = self
            .stalled_since
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
        match deadline.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the client stopped reading the answer",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl tokio::io::AsyncRead for StallGuard {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl tokio::io::AsyncWrite for StallGuard {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        match Pin::new(&mut self.stream).poll_write(cx, buf) {
            Poll::Pending => self.stalled(cx),
            done => {
                self.stalled_since = None;
                done
            }
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// A response body that keeps its connection marked busy until it is sent.
struct BusyBody {
    inner: Body,
    _busy: Busy,
}

impl http_body::Body for BusyBody {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_idle_connection_is_evicted_first() {
        let open = OpenConnections::default();
        let busy = open.register();
        let idle_old = open.register();
        let _idle_new = open.register();
        let _guard = Busy::start(&busy);
        assert!(open.evict_idle());
        assert_eq!(open.len(), 2);
        let left: Vec<u64> = open.lock().by_age.keys().copied().collect();
        assert!(!left.contains(&idle_old.id), "{left:?}");
        assert!(left.contains(&busy.id));
        assert!(open.evict_idle());
        assert!(!open.evict_idle(), "only the busy one is left");
        assert_eq!(open.len(), 1);
    }

    /// A client that asks and never reads: the answer's writes fail after
    /// the stall timeout instead of keeping the connection busy for ever.
    #[tokio::test]
    async fn a_stalled_answer_fails_after_its_timeout() {
        use tokio::io::AsyncWriteExt;
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = tokio::net::TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (server, _) = listener.accept().await.unwrap();
        let mut guarded = StallGuard::new(server, Duration::from_millis(200));
        let chunk = vec![0u8; 1 << 20];
        let outcome = tokio::time::timeout(Duration::from_secs(20), async {
            loop {
                if let Err(e) = guarded.write_all(&chunk).await {
                    return e;
                }
            }
        })
        .await
        .expect("the write fails on its own");
        assert_eq!(outcome.kind(), std::io::ErrorKind::TimedOut, "{outcome}");
        drop(client);
    }

    #[test]
    fn the_cap_stays_below_the_descriptor_limit() {
        let limits = ConnectionLimits {
            max_connections: usize::MAX,
            ..ConnectionLimits::default()
        };
        let cap = limits.effective_max_connections();
        if let Some(n) = open_file_limit() {
            assert!(cap <= n / 2, "{cap} vs {n}");
        }
        assert!(cap >= 1);
    }
}
