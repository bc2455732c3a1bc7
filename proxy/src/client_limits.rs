//! Per-client limits of a public instance: requests per second and
//! inspections at once, per client address (`client_addr`), answered `429`
//! with `Retry-After` past them.
//!
//! The table of clients is bounded (`max_clients`): a hostile client with
//! many addresses cannot grow it. When it is full, the client seen least
//! recently is forgotten (it starts again with a full bucket, which is all
//! forgetting can give away); an inspection it still runs keeps counting
//! against its own counter until it ends.

use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ipnet::IpNet;
use registry::token_bucket::{Rate, TokenBucket};

use crate::client_addr;
use crate::error::ProxyError;

/// What one client may do.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientLimitSettings {
    /// API requests per second, with a burst.
    pub rate: Rate,
    /// Inspections (inspect, badge, referrers, plan) running at once.
    pub concurrent: usize,
    /// Clients remembered at once.
    pub max_clients: usize,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpNet>,
}

impl Default for ClientLimitSettings {
    fn default() -> Self {
        ClientLimitSettings {
            rate: Rate::new(10.0, 20),
            concurrent: 4,
            max_clients: 10_000,
            trusted_proxies: Vec::new(),
        }
    }
}

struct Client {
    bucket: TokenBucket,
    running: Arc<AtomicUsize>,
    tick: u64,
}

#[derive(Default)]
struct Table {
    clients: HashMap<IpAddr, Client>,
    by_age: BTreeMap<u64, IpAddr>,
    tick: u64,
}

pub struct ClientLimiter {
    settings: ClientLimitSettings,
    table: Mutex<Table>,
}

/// Why a request was turned away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Over the request rate: wait this many seconds.
    Rate(u64),
    /// Over the inspections running at once.
    Concurrency,
}

/// An inspection being counted against its client (until dropped).
pub struct Running(Arc<AtomicUsize>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl ClientLimiter {
    pub fn new(settings: ClientLimitSettings) -> Self {
        ClientLimiter {
            settings,
            table: Mutex::new(Table::default()),
        }
    }

    /// Clients remembered now.
    pub fn tracked(&self) -> usize {
        self.lock().clients.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Count one request of `client`; `inspection`: also take one of its
    /// inspection slots.
    pub fn admit(&self, client: IpAddr, inspection: bool) -> Result<Option<Running>, Refusal> {
        let rate = self.settings.rate;
        let now = Instant::now();
        let mut table = self.lock();
        table.tick += 1;
        let tick = table.tick;
        if !table.clients.contains_key(&client) {
            while table.clients.len() >= self.settings.max_clients.max(1) {
                let Some((_, oldest)) = table.by_age.pop_first() else {
                    break;
                };
                table.clients.remove(&oldest);
            }
            table.clients.insert(
                client,
                Client {
                    bucket: TokenBucket::full(rate, now),
                    running: Arc::new(AtomicUsize::new(0)),
                    tick,
                },
            );
        } else if let Some(entry) = table.clients.get_mut(&client) {
            let old = std::mem::replace(&mut entry.tick, tick);
            table.by_age.remove(&old);
        }
        table.by_age.insert(tick, client);
        let Some(entry) = table.clients.get_mut(&client) else {
            return Ok(None);
        };
        entry
            .bucket
            .try_take(rate, now)
            .map_err(|wait| Refusal::Rate(wait.as_secs_f64().ceil().max(1.0) as u64))?;
        if !inspection {
            return Ok(None);
        }
        let running = entry.running.clone();
        if running.fetch_add(1, Ordering::AcqRel) >= self.settings.concurrent.max(1) {
            running.fetch_sub(1, Ordering::AcqRel);
            return Err(Refusal::Concurrency);
        }
        Ok(Some(Running(running)))
    }

    fn refusal_error(&self, refusal: Refusal) -> ProxyError {
        match refusal {
            Refusal::Rate(retry_after) => ProxyError::ClientLimited {
                message: format!(
                    "too many requests from your address: this server answers {} a second (bursts of {}); try again in {retry_after} s",
                    self.settings.rate.per_second, self.settings.rate.burst
                ),
                retry_after,
            },
            Refusal::Concurrency => ProxyError::ClientLimited {
                message: format!(
                    "your address already has {} inspections running on this server; try again when one has finished",
                    self.settings.concurrent.max(1)
                ),
                retry_after: 1,
            },
        }
    }
}

/// Paths whose requests run an inspection (fetch from registries).
fn is_inspection(path: &str) -> bool {
    [
        shared::api::INSPECT_PATH,
        shared::api::REFERRERS_PATH,
        shared::api::PLAN_PATH,
        shared::api::BADGE_PATH,
    ]
    .contains(&path)
}

/// The middleware: every request it sees counts against its client.
/// Requests without a peer address (not from the accept loop) pass.
pub async fn limit(
    State(limiter): State<Arc<ClientLimiter>>,
    request: Request,
    next: Next,
) -> Response {
    let Some(ConnectInfo(peer)) = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .copied()
    else {
        return next.run(request).await;
    };
    let client = client_addr::client_of(
        peer.ip(),
        request.headers(),
        &limiter.settings.trusted_proxies,
    );
    match limiter.admit(client, is_inspection(request.uri().path())) {
        Ok(running) => {
            let response = next.run(request).await;
            drop(running);
            response
        }
        Err(refusal) => {
            tracing::debug!(%client, ?refusal, "client limited");
            limiter.refusal_error(refusal).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(max_clients: usize) -> ClientLimiter {
        ClientLimiter::new(ClientLimitSettings {
            rate: Rate::new(1.0, 2),
            concurrent: 1,
            max_clients,
            trusted_proxies: Vec::new(),
        })
    }

    #[test]
    fn rate_then_concurrency() {
        let l = limiter(10);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let running = l.admit(a, true).unwrap();
        assert!(running.is_some());
        assert_eq!(l.admit(a, true).err(), Some(Refusal::Concurrency));
        assert_eq!(l.admit(a, false).err(), Some(Refusal::Rate(1)));
        drop(running);
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        assert!(
            l.admit(b, true).is_ok(),
            "another client has its own limits"
        );
    }

    #[test]
    fn the_table_is_bounded_and_forgets_the_least_recent() {
        let l = limiter(3);
        let addr = |i: u8| IpAddr::from([198, 51, 100, i]);
        for i in 0..3 {
            l.admit(addr(i), false).unwrap();
        }
        // 0 is seen again; 1 is now the least recent.
        l.admit(addr(0), false).unwrap();
        for i in 10..200 {
            let _ = l.admit(addr(i), false);
            assert!(l.tracked() <= 3);
        }
        let table = l.lock();
        assert!(!table.clients.contains_key(&addr(1)));
        assert_eq!(table.by_age.len(), table.clients.len());
    }
}
