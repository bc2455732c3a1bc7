//! Which hosts the proxy may contact on a user's behalf.
//!
//! The proxy fetches URLs built from text typed into a web page, so without a
//! guard it would be a way into the network it runs in (cloud metadata at
//! 169.254.169.254, admin UIs on 10/8, services on loopback). Rules:
//! - HTTPS by default; plain HTTP only for `--insecure-registry` targets
//!   (an entry written `https://HOST[:PORT]` is allowed its address and any
//!   certificate, but HTTPS only: the CLI's local registries without
//!   `--plain-http`);
//! - loopback, private, link-local and other non-public addresses are refused
//!   unless the target is on that same allow-list;
//! - the check runs on *resolved* addresses inside the HTTP client's DNS
//!   resolver, so a name that resolves (or re-resolves: DNS rebinding) to a
//!   private address is refused at connect time, not only when validated;
//! - literal IPs are normalized (IPv4-mapped IPv6, odd IPv4 spellings via the
//!   URL parser) before they are classified.
//!
//! The classifier is a pure function so that every address class is unit
//! tested without any network traffic.

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::Host;

use crate::error::RegistryError;

/// What kind of address an IP is, as far as reaching it is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressClass {
    /// Globally routable: the only class reachable without the allow-list.
    Public,
    Loopback,
    /// RFC 1918, IPv6 unique-local (and deprecated site-local).
    Private,
    /// RFC 3927 / fe80::/10; includes cloud metadata endpoints.
    LinkLocal,
    /// RFC 6598 carrier-grade NAT space.
    SharedAddressSpace,
    /// 0.0.0.0/8, `::`: "this host", which connects to loopback on Linux.
    Unspecified,
    Multicast,
    Broadcast,
    /// Documentation, benchmarking, IETF-protocol and future-use ranges.
    Reserved,
}

impl AddressClass {
    pub fn is_public(self) -> bool {
        self == AddressClass::Public
    }

    fn describe(self) -> &'static str {
        match self {
            AddressClass::Public => "a public address",
            AddressClass::Loopback => "a loopback address",
            AddressClass::Private => "a private-network address",
            AddressClass::LinkLocal => "a link-local address",
            AddressClass::SharedAddressSpace => "a carrier-grade NAT address",
            AddressClass::Unspecified => "an unspecified address",
            AddressClass::Multicast => "a multicast address",
            AddressClass::Broadcast => "the broadcast address",
            AddressClass::Reserved => "a reserved address",
        }
    }
}

/// IPv4 addresses carried inside IPv6 (mapped `::ffff:a.b.c.d`, the
/// deprecated compatible form `::a.b.c.d`, NAT64 `64:ff9b::/96`) are the IPv4
/// address they carry.
pub fn normalize_ip(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return IpAddr::V4(v4);
            }
            let s = v6.segments();
            let embedded =
                Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
            let compatible = s[..6] == [0; 6] && u32::from(embedded) > 1;
            let nat64 = s[..6] == [0x64, 0xff9b, 0, 0, 0, 0];
            if compatible || nat64 {
                IpAddr::V4(embedded)
            } else {
                ip
            }
        }
    }
}

/// Classify an address (after `normalize_ip`).
pub fn classify(ip: IpAddr) -> AddressClass {
    match normalize_ip(ip) {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(ip: Ipv4Addr) -> AddressClass {
    let [a, b, c, _] = ip.octets();
    if ip.is_loopback() {
        AddressClass::Loopback
    } else if a == 0 {
        AddressClass::Unspecified
    } else if ip.is_private() {
        AddressClass::Private
    } else if ip.is_link_local() {
        AddressClass::LinkLocal
    } else if a == 100 && (b & 0xc0) == 64 {
        AddressClass::SharedAddressSpace
    } else if ip.is_broadcast() {
        AddressClass::Broadcast
    } else if ip.is_multicast() {
        AddressClass::Multicast
    } else if (a == 192 && b == 0 && c == 0)
        || ip.is_documentation()
        || (a == 198 && (b & 0xfe) == 18)
        || a >= 240
    {
        AddressClass::Reserved
    } else {
        AddressClass::Public
    }
}

fn classify_v6(ip: Ipv6Addr) -> AddressClass {
    let s = ip.segments();
    if ip.is_loopback() {
        AddressClass::Loopback
    } else if ip.is_unspecified() {
        AddressClass::Unspecified
    } else if ip.is_multicast() {
        AddressClass::Multicast
    } else if (s[0] & 0xffc0) == 0xfe80 {
        AddressClass::LinkLocal
    } else if (s[0] & 0xfe00) == 0xfc00 || (s[0] & 0xffc0) == 0xfec0 {
        AddressClass::Private
    } else if (s[0] == 0x2001 && s[1] == 0x0db8)
        || (s[0] == 0x3fff && s[1] < 0x1000)
        || (s[0] == 0x2001 && s[1] < 0x0200)
        || (s[0] & 0xe000) != 0x2000
    {
        // Documentation (2001:db8::/32, 3fff::/20); IETF protocol assignments (2001::/23: Teredo, whose
        // embedded IPv4 address is obfuscated, benchmarking, ORCHID); and
        // everything outside 2000::/3 (global unicast).
        AddressClass::Reserved
    } else if s[0] == 0x2002 {
        // 6to4 carries an IPv4 address in bits 16..48.
        let embedded = Ipv4Addr::new((s[1] >> 8) as u8, s[1] as u8, (s[2] >> 8) as u8, s[2] as u8);
        classify_v4(embedded)
    } else {
        AddressClass::Public
    }
}

/// A registry to talk to: where, and through which client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// `https://host[:port]` or, for allow-listed hosts, `http://host[:port]`.
    pub base: Url,
    /// Allow-listed: plain HTTP and non-public addresses are fine.
    pub insecure: bool,
    /// Allow-listed: the same registry over TLS, on the same written port
    /// (`reg:80` is `https://reg:80/`, never port 443).
    pub tls_base: Option<Url>,
}

/// A host and the port exactly as written: `reg`, `reg:80` and `reg:443`
/// are three different entries. (A URL parser would drop a port that is the
/// default of the scheme it was parsed with, so `reg:443` and `reg` would
/// become the same under `https://` and different under `http://`.) The
/// host is normalized: lowercase, no trailing dot, canonical IPs
/// (IPv4-mapped IPv6 as IPv4).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct HostPort {
    host: String,
    port: Option<u16>,
}

impl HostPort {
    /// Parse `HOST[:PORT]`; the error says what is wrong with it.
    fn parse(text: &str) -> Result<HostPort, String> {
        let (host_text, port_text) = split_port(text)?;
        if host_text.is_empty() {
            return Err("the host is empty".into());
        }
        if let Some(c) = host_text
            .chars()
            .find(|c| "/\\@?#".contains(*c) || c.is_whitespace())
        {
            return Err(format!(
                "`{c}` cannot be part of a host name (no scheme, path or user)"
            ));
        }
        let port = match port_text {
            None => None,
            Some(p) => Some(parse_port(p)?),
        };
        let url = Url::parse(&format!("http://{host_text}/")).map_err(|e| e.to_string())?;
        if url.port().is_some()
            || url.path() != "/"
            || url.username() != ""
            || url.password().is_some()
            || url.query().is_some()
            || url.fragment().is_some()
        {
            return Err("expected only a host and a port (no scheme, path or user)".into());
        }
        let host = normalized_host(&url).map_err(|e| e.to_string())?;
        Ok(HostPort { host, port })
    }
}

impl std::fmt::Display for HostPort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.port {
            Some(port) => write!(f, "{}:{port}", self.host),
            None => f.write_str(&self.host),
        }
    }
}

/// Split `HOST[:PORT]` (`[v6]:PORT` for IPv6) without interpreting either.
fn split_port(text: &str) -> Result<(&str, Option<&str>), String> {
    if text.starts_with('[') {
        let close = text
            .find(']')
            .ok_or_else(|| "an IPv6 address is missing its closing `]`".to_string())?;
        let (host, rest) = text.split_at(close + 1);
        return match rest {
            "" => Ok((host, None)),
            _ => rest
                .strip_prefix(':')
                .map(|port| (host, Some(port)))
                .ok_or_else(|| format!("unexpected `{rest}` after the IPv6 address")),
        };
    }
    match text.rsplit_once(':') {
        None => Ok((text, None)),
        Some((host, _)) if host.contains(':') => {
            Err("an IPv6 address must be written in brackets, e.g. [::1]:5000".into())
        }
        Some((host, port)) => Ok((host, Some(port))),
    }
}

fn parse_port(text: &str) -> Result<u16, String> {
    match text.parse::<u16>() {
        Ok(port) if port > 0 && text.bytes().all(|b| b.is_ascii_digit()) => Ok(port),
        _ => Err(format!("the port `{text}` is not a number from 1 to 65535")),
    }
}

/// The allow-list of `--insecure-registry` targets and the rules around it.
#[derive(Debug, Clone, Default)]
pub struct TargetPolicy {
    /// Hosts with the port as written (none, or an explicit one), and
    /// whether plain HTTP is allowed to them (`false`: written `https://`).
    insecure: HashMap<HostPort, bool>,
    /// Hosts any of whose entries accepts any certificate (not `tls://`).
    any_certificate: HashSet<String>,
}

impl TargetPolicy {
    /// Normalize the `HOST[:PORT]` (or `https://HOST[:PORT]`: no plain
    /// HTTP; or `tls://HOST[:PORT]`: no plain HTTP and the certificate
    /// verified, only a private address allowed) entries; a malformed
    /// entry is an error.
    pub fn new(insecure_registries: &[String]) -> Result<Self, RegistryError> {
        let mut insecure = HashMap::new();
        let mut any_certificate = HashSet::new();
        for entry in insecure_registries {
            let trimmed = entry.trim();
            let (text, plain_http, verified) = match (
                trimmed.strip_prefix("https://"),
                trimmed.strip_prefix("tls://"),
            ) {
                (Some(rest), _) => (rest, false, false),
                (_, Some(rest)) => (rest, false, true),
                _ => (trimmed, true, false),
            };
            let parsed =
                HostPort::parse(text).map_err(|e| RegistryError::InsecureRegistryEntry {
                    entry: entry.clone(),
                    reason: e,
                })?;
            if !verified {
                any_certificate.insert(parsed.host.clone());
            }
            let allowed = insecure.entry(parsed).or_insert(plain_http);
            *allowed |= plain_http;
        }
        Ok(TargetPolicy {
            insecure,
            any_certificate,
        })
    }

    /// Host names whose certificates are not checked (see `tls_trust`).
    pub fn any_certificate_host_names(&self) -> HashSet<String> {
        self.any_certificate.clone()
    }

    /// Host names (without port) of the allow-list: the only names the
    /// resolver lets resolve to non-public addresses.
    pub fn insecure_host_names(&self) -> HashSet<String> {
        self.insecure.keys().map(|e| e.host.clone()).collect()
    }

    /// Where to send `/v2/` requests for `host_port` (a reference's API host).
    ///
    /// An allow-listed `host_port` (host and port exactly as written) gets
    /// plain HTTP to exactly that port, or to port 80 when none is written;
    /// anything else gets HTTPS.
    pub fn target(&self, host_port: &str) -> Result<Target, RegistryError> {
        let invalid = |reason: String| RegistryError::ForbiddenTarget {
            host: host_port.to_string(),
            reason: format!("not a valid host name: {reason}"),
        };
        let written = HostPort::parse(host_port).map_err(invalid)?;
        if let Some(&plain_http) = self.insecure.get(&written) {
            let url = |scheme: &str| {
                Url::parse(&format!("{scheme}://{written}/")).map_err(|e| RegistryError::Url {
                    what: written.to_string(),
                    detail: e.to_string(),
                })
            };
            if !plain_http {
                return Ok(Target {
                    base: url("https")?,
                    insecure: true,
                    tls_base: None,
                });
            }
            return Ok(Target {
                base: url("http")?,
                insecure: true,
                tls_base: Some(url("https")?),
            });
        }
        let url =
            Url::parse(&format!("https://{host_port}/")).map_err(|e| invalid(e.to_string()))?;
        check_literal(&url, host_port)?;
        Ok(Target {
            base: url,
            insecure: false,
            tls_base: None,
        })
    }

    /// Whether a URL (with its scheme, so with a definite port) is on the
    /// allow-list: an entry without a port matches a URL without one; an
    /// entry with a port matches a URL whose port (explicit or the scheme's
    /// default) is that one.
    /// `Some(plain_http_allowed)` when it is.
    fn allows_url(&self, url: &Url) -> Result<Option<bool>, RegistryError> {
        let host = normalized_host(url)?;
        let exact = HostPort {
            host: host.clone(),
            port: url.port(),
        };
        let effective = HostPort {
            host,
            port: url.port_or_known_default(),
        };
        Ok(self
            .insecure
            .get(&exact)
            .or_else(|| self.insecure.get(&effective))
            .copied())
    }

    /// Check a URL the registry told us to use (token realm, redirect):
    /// returns whether it is an allow-listed (insecure) target.
    pub fn check_url(&self, url: &Url) -> Result<bool, RegistryError> {
        let shown = url.host_str().unwrap_or("").to_string();
        if let Some(plain_http) = self.allows_url(url)? {
            return match url.scheme() {
                "https" => Ok(true),
                "http" if plain_http => Ok(true),
                "http" => Err(RegistryError::ForbiddenTarget {
                    host: shown,
                    reason: "only https is allowed to it (plain HTTP was not allowed)".into(),
                }),
                other => Err(RegistryError::ForbiddenTarget {
                    host: shown,
                    reason: format!("unsupported URL scheme `{other}`"),
                }),
            };
        }
        let key = match url.port() {
            Some(port) => format!("{}:{port}", normalized_host(url)?),
            None => normalized_host(url)?,
        };
        if url.scheme() != "https" {
            return Err(RegistryError::ForbiddenTarget {
                host: key.clone(),
                reason: format!(
                    "only https is allowed (got `{}`); start the proxy with --insecure-registry {key} to allow plain HTTP to it",
                    url.scheme()
                ),
            });
        }
        check_literal(url, &key)?;
        Ok(false)
    }
}

/// A URL's host after normalization by the URL parser: lowercase names
/// without a trailing dot, canonical IPs (IPv4-mapped IPv6 as IPv4).
fn normalized_host(url: &Url) -> Result<String, RegistryError> {
    match url.host() {
        Some(Host::Domain(d)) => Ok(d.trim_end_matches('.').to_ascii_lowercase()),
        Some(Host::Ipv4(v4)) => Ok(v4.to_string()),
        Some(Host::Ipv6(v6)) => Ok(match normalize_ip(IpAddr::V6(v6)) {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => format!("[{v6}]"),
        }),
        None => Err(RegistryError::ForbiddenTarget {
            host: url.to_string(),
            reason: "the URL has no host".into(),
        }),
    }
}

fn check_literal(url: &Url, shown: &str) -> Result<(), RegistryError> {
    let ip = match url.host() {
        Some(Host::Ipv4(v4)) => IpAddr::V4(v4),
        Some(Host::Ipv6(v6)) => IpAddr::V6(v6),
        _ => return Ok(()),
    };
    let class = classify(ip);
    if class.is_public() {
        Ok(())
    } else {
        Err(refusal(shown, normalize_ip(ip), class))
    }
}

fn refusal(host: &str, ip: IpAddr, class: AddressClass) -> RegistryError {
    RegistryError::ForbiddenTarget {
        host: host.to_string(),
        reason: format!(
            "{ip} is {}; start the proxy with --insecure-registry {host} to allow it",
            class.describe()
        ),
    }
}

/// The resolver error: carried through reqwest so the client can report
/// `FORBIDDEN_TARGET` rather than a generic connect failure.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{host} resolves to {ip}, {}", class.describe())]
pub struct RefusedAddress {
    pub host: String,
    pub ip: IpAddr,
    pub class: AddressClass,
}

impl RefusedAddress {
    pub fn into_error(self) -> RegistryError {
        refusal(&self.host, self.ip, self.class)
    }
}

/// A DNS resolver that drops non-public addresses, except for the names in
/// `private_ok` (the allow-listed hosts).
#[derive(Debug, Clone, Default)]
pub struct GuardedResolver {
    private_ok: Arc<HashSet<String>>,
}

impl GuardedResolver {
    /// Only public addresses.
    pub fn public_only() -> Self {
        GuardedResolver::default()
    }

    /// Any address for these host names; public only for the rest.
    pub fn allowing(names: HashSet<String>) -> Self {
        GuardedResolver {
            private_ok: Arc::new(names),
        }
    }
}

/// Keep the addresses we may connect to: all of them for allow-listed names,
/// the public ones otherwise; an error naming the first refused one when none is left.
pub fn filter_addresses(
    host: &str,
    allow_private: bool,
    addrs: impl IntoIterator<Item = SocketAddr>,
) -> Result<Vec<SocketAddr>, RefusedAddress> {
    let mut kept = Vec::new();
    let mut refused = None;
    for addr in addrs {
        let ip = normalize_ip(addr.ip());
        let class = classify(ip);
        if allow_private || class.is_public() {
            kept.push(SocketAddr::new(ip, addr.port()));
        } else if refused.is_none() {
            refused = Some(RefusedAddress {
                host: host.to_string(),
                ip,
                class,
            });
        }
    }
    match (kept.is_empty(), refused) {
        (true, Some(r)) => Err(r),
        _ => Ok(kept),
    }
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().trim_end_matches('.').to_ascii_lowercase();
        let allow_private = self.private_ok.contains(&host);
        Box::pin(async move {
            let resolved = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let kept = filter_addresses(&host, allow_private, resolved)?;
            let addrs: Addrs = Box::new(kept.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(s: &str) -> AddressClass {
        classify(s.parse().expect("test IP"))
    }

    #[test]
    fn ipv4_classes() {
        assert_eq!(class("127.0.0.1"), AddressClass::Loopback);
        assert_eq!(class("127.255.255.254"), AddressClass::Loopback);
        assert_eq!(class("10.1.2.3"), AddressClass::Private);
        assert_eq!(class("172.16.0.1"), AddressClass::Private);
        assert_eq!(class("172.31.255.255"), AddressClass::Private);
        assert_eq!(class("172.32.0.1"), AddressClass::Public);
        assert_eq!(class("192.168.1.1"), AddressClass::Private);
        assert_eq!(class("169.254.169.254"), AddressClass::LinkLocal);
        assert_eq!(class("100.64.0.1"), AddressClass::SharedAddressSpace);
        assert_eq!(class("100.127.255.255"), AddressClass::SharedAddressSpace);
        assert_eq!(class("100.128.0.1"), AddressClass::Public);
        assert_eq!(class("0.0.0.0"), AddressClass::Unspecified);
        assert_eq!(class("0.1.2.3"), AddressClass::Unspecified);
        assert_eq!(class("224.0.0.1"), AddressClass::Multicast);
        assert_eq!(class("255.255.255.255"), AddressClass::Broadcast);
        assert_eq!(class("240.0.0.1"), AddressClass::Reserved);
        assert_eq!(class("192.0.2.1"), AddressClass::Reserved);
        assert_eq!(class("198.18.0.1"), AddressClass::Reserved);
        assert_eq!(class("192.0.0.8"), AddressClass::Reserved);
        assert_eq!(class("8.8.8.8"), AddressClass::Public);
        assert_eq!(class("140.82.112.3"), AddressClass::Public);
    }

    #[test]
    fn ipv6_classes() {
        assert_eq!(class("::1"), AddressClass::Loopback);
        assert_eq!(class("::"), AddressClass::Unspecified);
        assert_eq!(class("fe80::1"), AddressClass::LinkLocal);
        assert_eq!(class("fd00::1"), AddressClass::Private);
        assert_eq!(class("fc00::1"), AddressClass::Private);
        assert_eq!(class("fec0::1"), AddressClass::Private);
        assert_eq!(class("ff02::1"), AddressClass::Multicast);
        assert_eq!(class("2001:db8::1"), AddressClass::Reserved);
        assert_eq!(class("2606:4700::1111"), AddressClass::Public);
    }

    #[test]
    fn ipv4_inside_ipv6_is_classified_as_ipv4() {
        assert_eq!(class("::ffff:127.0.0.1"), AddressClass::Loopback);
        assert_eq!(class("::ffff:169.254.169.254"), AddressClass::LinkLocal);
        assert_eq!(class("::ffff:10.0.0.1"), AddressClass::Private);
        assert_eq!(class("::127.0.0.1"), AddressClass::Loopback);
        assert_eq!(class("64:ff9b::a00:1"), AddressClass::Private);
        assert_eq!(class("2002:7f00:1::"), AddressClass::Loopback);
        assert_eq!(class("::ffff:8.8.8.8"), AddressClass::Public);
        assert_eq!(
            normalize_ip("::ffff:127.0.0.1".parse().unwrap()),
            "127.0.0.1".parse::<IpAddr>().unwrap()
        );
    }

    #[test]
    fn every_non_public_class_in_every_form() {
        let cases = [
            // IPv4 ranges at their edges.
            ("10.0.0.0", AddressClass::Private),
            ("10.255.255.255", AddressClass::Private),
            ("172.15.255.255", AddressClass::Public),
            ("192.167.255.255", AddressClass::Public),
            ("192.169.0.1", AddressClass::Public),
            ("169.254.0.1", AddressClass::LinkLocal),
            ("169.255.0.1", AddressClass::Public),
            ("100.63.255.255", AddressClass::Public),
            ("198.51.100.7", AddressClass::Reserved),
            ("203.0.113.7", AddressClass::Reserved),
            ("198.19.255.255", AddressClass::Reserved),
            ("198.20.0.1", AddressClass::Public),
            ("233.252.0.1", AddressClass::Multicast),
            ("239.255.255.250", AddressClass::Multicast),
            ("250.1.2.3", AddressClass::Reserved),
            // Cloud metadata, however written.
            ("::ffff:169.254.169.254", AddressClass::LinkLocal),
            ("64:ff9b::a9fe:a9fe", AddressClass::LinkLocal),
            ("2002:a9fe:a9fe::1", AddressClass::LinkLocal),
            ("::169.254.169.254", AddressClass::LinkLocal),
            ("fd00:ec2::254", AddressClass::Private),
            // Loopback and private inside the IPv6 forms.
            ("64:ff9b::7f00:1", AddressClass::Loopback),
            ("2002:7f00:0001::", AddressClass::Loopback),
            ("2002:0a00:0001::", AddressClass::Private),
            ("2002:c0a8:0101::", AddressClass::Private),
            ("::ffff:100.64.0.1", AddressClass::SharedAddressSpace),
            ("64:ff9b::6440:1", AddressClass::SharedAddressSpace),
            ("::ffff:0.0.0.0", AddressClass::Unspecified),
            ("::ffff:255.255.255.255", AddressClass::Broadcast),
            ("::ffff:224.0.0.1", AddressClass::Multicast),
            ("2002:0808:0808::", AddressClass::Public),
            ("64:ff9b::808:808", AddressClass::Public),
            // IPv6 classes.
            ("fdff:ffff::1", AddressClass::Private),
            ("fe80::1:2:3:4", AddressClass::LinkLocal),
            ("febf::1", AddressClass::LinkLocal),
            ("fec0::1", AddressClass::Private),
            ("ff05::2", AddressClass::Multicast),
            ("ff0e::1", AddressClass::Multicast),
            ("2001::1", AddressClass::Reserved),
            ("2001:2::1", AddressClass::Reserved),
            ("2001:db8:1::1", AddressClass::Reserved),
            ("100::1", AddressClass::Reserved),
            ("64:ff9b:1::1", AddressClass::Reserved),
            ("::ffff:0:a00:1", AddressClass::Reserved),
            ("3fff::1", AddressClass::Reserved),
            ("3fff:1000::1", AddressClass::Public),
            ("2001:4860:4860::8888", AddressClass::Public),
            ("2a00:1450::1", AddressClass::Public),
        ];
        for (ip, expected) in cases {
            assert_eq!(class(ip), expected, "{ip}");
        }
    }

    #[test]
    fn resolved_metadata_and_private_addresses_are_dropped() {
        let a = |s: &str| -> SocketAddr { s.parse().unwrap() };
        for ip in [
            "169.254.169.254:0",
            "[::ffff:169.254.169.254]:0",
            "[fe80::1]:0",
            "[fd00::1]:0",
            "100.64.0.1:0",
            "0.0.0.0:0",
            "[::]:0",
            "[64:ff9b::a00:1]:0",
            "[2002:a9fe:a9fe::]:0",
        ] {
            let e = filter_addresses("rebind.example", false, [a(ip)]).unwrap_err();
            assert!(!e.class.is_public(), "{ip}");
            let message = e.clone().into_error().to_string();
            assert!(
                message.contains("--insecure-registry rebind.example"),
                "{message}"
            );
        }
    }

    #[test]
    fn targets_are_https_unless_allow_listed() {
        let p = TargetPolicy::new(&["LocalHost:5000".into(), "127.0.0.1:5001".into()]).unwrap();
        let t = p.target("ghcr.io").unwrap();
        assert_eq!(t.base.as_str(), "https://ghcr.io/");
        assert!(!t.insecure);
        let t = p.target("localhost:5000").unwrap();
        assert_eq!(t.base.as_str(), "http://localhost:5000/");
        assert!(t.insecure);
        assert!(p.target("127.0.0.1:5001").unwrap().insecure);
        // Same host, another port: not allow-listed, and a literal loopback IP.
        let e = p.target("127.0.0.1:5002").unwrap_err();
        assert!(matches!(e, RegistryError::ForbiddenTarget { .. }), "{e}");
        // localhost on another port is https + public-only resolution.
        assert!(!p.target("localhost:6000").unwrap().insecure);
    }

    #[test]
    fn tls_entries_allow_the_address_with_a_verified_certificate() {
        let p = TargetPolicy::new(&[
            "tls://127.0.0.1:5000".into(),
            "https://10.0.0.5".into(),
            "[::1]:5001".into(),
        ])
        .unwrap();
        let t = p.target("127.0.0.1:5000").unwrap();
        assert_eq!(t.base.as_str(), "https://127.0.0.1:5000/");
        assert!(t.tls_base.is_none(), "never plain HTTP");
        assert!(
            p.insecure_host_names().contains("127.0.0.1"),
            "the address is allowed"
        );
        let any = p.any_certificate_host_names();
        assert!(!any.contains("127.0.0.1"), "its certificate is verified");
        assert!(any.contains("10.0.0.5") && any.contains("[::1]"), "{any:?}");
        assert!(p.target("127.0.0.1:5002").is_err(), "only the port written");
        let plain = Url::parse("http://127.0.0.1:5000/v2/").unwrap();
        assert!(
            p.check_url(&plain).is_err(),
            "no plain HTTP to a tls:// entry"
        );
    }

    #[test]
    fn https_entries_allow_the_address_but_not_plain_http() {
        let p = TargetPolicy::new(&[
            "https://127.0.0.1:5000".into(),
            "https://both:5000".into(),
            "both:5000".into(),
        ])
        .unwrap();
        let t = p.target("127.0.0.1:5000").unwrap();
        assert!(
            t.insecure,
            "its loopback address and any certificate are fine"
        );
        assert_eq!(t.base.as_str(), "https://127.0.0.1:5000/");
        assert_eq!(t.tls_base, None, "never probed for plain HTTP");
        let https = Url::parse("https://127.0.0.1:5000/token").unwrap();
        assert!(p.check_url(&https).unwrap());
        let http = Url::parse("http://127.0.0.1:5000/token").unwrap();
        let e = p.check_url(&http).unwrap_err();
        assert!(matches!(e, RegistryError::ForbiddenTarget { .. }), "{e}");
        // Written both ways: plain HTTP is allowed.
        assert!(p.target("both:5000").unwrap().tls_base.is_some());
        assert!(
            p.check_url(&Url::parse("http://both:5000/").unwrap())
                .unwrap()
        );
        assert!(p.insecure_host_names().contains("127.0.0.1"));
    }

    #[test]
    fn allow_list_ports_match_exactly_as_written() {
        let p =
            TargetPolicy::new(&["reg:443".into(), "Reg.Local.".into(), "other:80".into()]).unwrap();
        let at = |host: &str| p.target(host).unwrap();
        // `reg:443` is allow-listed as written: plain HTTP to port 443.
        let t = at("reg:443");
        assert!(t.insecure);
        assert_eq!(t.base.as_str(), "http://reg:443/");
        assert_eq!(t.base.port_or_known_default(), Some(443));
        // Tried over TLS first: on the same port.
        let tls = t.tls_base.expect("an allow-listed target has a TLS form");
        assert_eq!(tls.as_str(), "https://reg/");
        assert_eq!(tls.port_or_known_default(), Some(443));
        // ... and `reg` (no port) is another entry: HTTPS.
        let t = at("reg");
        assert!(!t.insecure);
        assert_eq!(t.base.as_str(), "https://reg/");
        // `reg.local` is allow-listed without a port: plain HTTP to port 80.
        let t = at("reg.local");
        assert!(t.insecure);
        assert_eq!(t.base.as_str(), "http://reg.local/");
        // Names are compared lowercased and without a trailing dot.
        assert!(at("REG.local.").insecure);
        // `reg.local:443` is not `reg.local`: HTTPS to 443, never HTTP to 80.
        let t = at("reg.local:443");
        assert!(!t.insecure);
        assert_eq!(t.base.scheme(), "https");
        assert_eq!(t.base.port_or_known_default(), Some(443));
        let t = at("reg.local:80");
        assert!(!t.insecure);
        assert_eq!(t.base.scheme(), "https");
        assert_eq!(t.base.port_or_known_default(), Some(80));
        // `other:80` does not allow-list plain `other`.
        let t = at("other:80");
        assert!(t.insecure);
        // Its TLS form stays on port 80, never 443.
        let tls = t.tls_base.clone().expect("a TLS form");
        assert_eq!(tls.as_str(), "https://other:80/");
        assert_eq!(tls.port_or_known_default(), Some(80));
        assert_eq!(
            at("reg.local").tls_base.expect("a TLS form").as_str(),
            "https://reg.local/"
        );
        assert_eq!(t.base.scheme(), "http");
        assert_eq!(t.base.port_or_known_default(), Some(80));
        assert!(!at("other").insecure);
        assert!(!at("other:443").insecure);
    }

    #[test]
    fn urls_match_entries_by_their_definite_port() {
        let p =
            TargetPolicy::new(&["reg:443".into(), "reg.local".into(), "other:80".into()]).unwrap();
        let check = |u: &str| p.check_url(&Url::parse(u).unwrap());
        // A URL has a scheme, so its port is known even when not written.
        assert!(check("https://reg/token").unwrap());
        assert!(check("http://reg:443/token").unwrap());
        assert!(check("http://reg/token").is_err());
        assert!(check("http://other/v2/").unwrap());
        assert!(check("http://other:80/v2/").unwrap());
        assert!(check("http://other:8080/v2/").is_err());
        // An entry without a port matches URLs without one.
        assert!(check("http://reg.local/v2/").unwrap());
        assert!(check("http://REG.LOCAL./v2/").unwrap());
        assert!(check("http://reg.local:443/v2/").is_err());
        assert!(check("http://reg.local:5000/v2/").is_err());
    }

    #[test]
    fn literal_ips_are_normalized_before_the_check() {
        let p = TargetPolicy::new(&[]).unwrap();
        for host in [
            "127.0.0.1",
            "127.1",
            "0x7f.0.0.1",
            "2130706433",
            "[::ffff:127.0.0.1]",
            "[::1]:5000",
            "169.254.169.254",
            "10.0.0.1:443",
            "0.0.0.0",
        ] {
            let e = p.target(host).unwrap_err();
            assert!(
                matches!(e, RegistryError::ForbiddenTarget { .. }),
                "{host}: {e}"
            );
        }
        assert!(p.target("8.8.8.8").is_ok());
        // Allow-listing a mapped address allows its IPv4 spelling.
        let p = TargetPolicy::new(&["[::ffff:127.0.0.1]:5000".into()]).unwrap();
        assert!(p.target("127.0.0.1:5000").unwrap().insecure);
    }

    #[test]
    fn realm_urls_are_checked() {
        let p = TargetPolicy::new(&["127.0.0.1:5000".into()]).unwrap();
        let ok = |u: &str| p.check_url(&Url::parse(u).unwrap());
        assert!(!ok("https://auth.docker.io/token").unwrap());
        assert!(ok("http://127.0.0.1:5000/auth").unwrap());
        assert!(ok("http://auth.docker.io/token").is_err());
        assert!(ok("https://169.254.169.254/latest").is_err());
        assert!(ok("https://127.0.0.1:5001/auth").is_err());
        assert!(ok("file:///etc/passwd").is_err());
    }

    #[test]
    fn bad_allow_list_entries_are_errors() {
        for bad in [
            "http://x:5000",
            "x:5000/path",
            "user@x",
            "x:port",
            "",
            ":5000",
            "x:",
            "x:0",
            "x:65536",
            "x:+5",
            "/x",
            "x/",
            "::1",
            "[::1",
            "[::1]x",
            "[::1]:",
            "x y",
        ] {
            assert!(TargetPolicy::new(&[bad.to_string()]).is_err(), "{bad:?}");
        }
        let p = TargetPolicy::new(&["reg.local:5000".into(), "[::1]:5000".into()]).unwrap();
        let names = p.insecure_host_names();
        assert!(names.contains("reg.local"));
        assert!(names.contains("[::1]"));
    }

    #[test]
    fn resolved_addresses_are_filtered() {
        let a = |s: &str| -> SocketAddr { s.parse().unwrap() };
        let e =
            filter_addresses("evil.example", false, [a("127.0.0.1:0"), a("[::1]:0")]).unwrap_err();
        assert_eq!(e.class, AddressClass::Loopback);
        assert_eq!(e.host, "evil.example");
        // Mixed answers: keep the public one only.
        let kept =
            filter_addresses("mixed.example", false, [a("10.0.0.1:0"), a("8.8.8.8:0")]).unwrap();
        assert_eq!(kept, vec![a("8.8.8.8:0")]);
        // Allow-listed name: loopback kept, mapped address normalized.
        let kept = filter_addresses("localhost", true, [a("[::ffff:127.0.0.1]:0")]).unwrap();
        assert_eq!(kept, vec![a("127.0.0.1:0")]);
    }
}
