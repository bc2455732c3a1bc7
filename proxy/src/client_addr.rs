//! Who a request comes from, as the per-client limits count it.
//!
//! The connection's peer address, unless the peer is a proxy this server
//! was told to trust (`--trusted-proxy CIDR`): then the `X-Forwarded-For`
//! entry nearest to it that is not itself a trusted proxy. Anybody can write
//! `X-Forwarded-For`; only the hops we trust appended to it honestly, so the
//! header is read from the right and only across trusted hops. An IPv6
//! client is its /64 (one subscriber usually holds a whole /64, and would
//! otherwise have 2^64 fresh addresses to spread requests over).

use std::net::{IpAddr, Ipv6Addr};

use axum::http::HeaderMap;
use ipnet::IpNet;

/// `X-Forwarded-For` entries looked at, from the right (a hostile header
/// can be long; a real chain of proxies is short).
const MAX_HOPS: usize = 16;

pub const FORWARDED_FOR: &str = "x-forwarded-for";

/// A network of trusted proxies.
pub type Network = IpNet;

/// A network (`10.0.0.0/8`) or one address (`10.0.0.1`), as `--trusted-proxy` takes it.
pub fn parse_network(value: &str) -> Result<Network, String> {
    let value = value.trim();
    if let Ok(net) = value.parse::<IpNet>() {
        return Ok(net);
    }
    value
        .parse::<IpAddr>()
        .map(IpNet::from)
        .map_err(|_| format!("`{value}` is not an address or a network (CIDR, e.g. 10.0.0.0/8)"))
}

/// The client behind `peer`, grouped as the limits count it.
pub fn client_of(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    group(forwarded_client(peer, headers, trusted))
}

fn is_trusted(addr: IpAddr, trusted: &[IpNet]) -> bool {
    trusted.iter().any(|net| net.contains(&addr))
}

fn forwarded_client(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let peer = canonical(peer);
    if !is_trusted(peer, trusted) {
        return peer;
    }
    // Several headers count as one list, in order.
    let hops: Vec<&str> = headers
        .get_all(FORWARDED_FOR)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev().take(MAX_HOPS) {
        match parse_hop(hop) {
            Some(addr) => {
                client = addr;
                if !is_trusted(addr, trusted) {
                    return addr;
                }
            }
            // Unreadable: what is left of it was written by whoever sent
            // it, so the last hop read is the client.
            None => return client,
        }
    }
    client
}

/// `203.0.113.7`, `2001:db8::1`, `[2001:db8::1]:443` or `203.0.113.7:443`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    if let Ok(addr) = hop.parse::<IpAddr>() {
        return Some(canonical(addr));
    }
    if let Ok(sock) = hop.parse::<std::net::SocketAddr>() {
        return Some(canonical(sock.ip()));
    }
    None
}

/// IPv4-mapped IPv6 addresses as IPv4.
fn canonical(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

/// IPv6 addresses by their /64.
fn group(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V6(v6) => {
            let bits = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(Ipv6Addr::from(bits))
        }
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(FORWARDED_FOR, v.parse().unwrap());
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn the_header_is_ignored_from_an_untrusted_peer() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let h = headers(&["198.51.100.9"]);
        assert_eq!(
            client_of(ip("203.0.113.1"), &h, &trusted),
            ip("203.0.113.1")
        );
        assert_eq!(client_of(ip("203.0.113.1"), &h, &[]), ip("203.0.113.1"));
    }

    #[test]
    fn a_trusted_chain_is_read_from_the_right() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        // The client forged the first entry; 10.1.1.1 is our own second proxy.
        let h = headers(&["1.2.3.4, 198.51.100.9", "10.1.1.1"]);
        assert_eq!(client_of(ip("10.0.0.2"), &h, &trusted), ip("198.51.100.9"));
        // No header: the proxy itself.
        assert_eq!(
            client_of(ip("10.0.0.2"), &HeaderMap::new(), &trusted),
            ip("10.0.0.2")
        );
        // Garbage stops the walk at the last readable hop.
        let h = headers(&["junk, 10.1.1.1"]);
        assert_eq!(client_of(ip("10.0.0.2"), &h, &trusted), ip("10.1.1.1"));
        let h = headers(&["[2001:db8::5]:443"]);
        assert_eq!(client_of(ip("10.0.0.2"), &h, &trusted), ip("2001:db8::"));
    }

    #[test]
    fn networks_and_single_addresses_are_read() {
        assert_eq!(parse_network("10.0.0.0/8").unwrap().prefix_len(), 8);
        assert_eq!(parse_network(" 10.0.0.1 ").unwrap().prefix_len(), 32);
        assert_eq!(parse_network("::1").unwrap().prefix_len(), 128);
        assert!(parse_network("10.0.0.0/33").is_err());
        assert!(
            parse_network("proxy.example")
                .unwrap_err()
                .contains("proxy.example")
        );
    }

    #[test]
    fn ipv6_clients_are_grouped_by_their_64() {
        assert_eq!(
            client_of(ip("2001:db8:1:2:aaaa::1"), &HeaderMap::new(), &[]),
            ip("2001:db8:1:2::")
        );
        assert_eq!(
            client_of(ip("::ffff:192.0.2.1"), &HeaderMap::new(), &[]),
            ip("192.0.2.1")
        );
    }
}
