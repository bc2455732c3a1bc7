//! What one command may reach and as whom, from manifest-tool's global flags.
//!
//! The server refuses loopback and private addresses and plain HTTP unless
//! its operator allow-lists a registry (`--insecure-registry`), because the
//! people using it are not the people running it. The CLI is run by the
//! person whose machine and network it is, as manifest-tool is, so the
//! registries a command names go on the registry client's same allow-list:
//! - with `--plain-http`: HTTPS (any certificate) first, then plain HTTP, as
//!   the Docker daemon does for its insecure registries;
//! - with `--insecure`: HTTPS only, with any certificate (an `https://`
//!   entry);
//! - when written as `localhost` or a loopback or private literal
//!   address: HTTPS only, with the certificate verified (a `tls://` entry):
//!   being on the user's own network is no reason to trust whoever answers
//!   there; a name is never trusted for what DNS says it is;
//! - otherwise not at all: HTTPS with a verified certificate to a public
//!   address, as for the server.

use std::net::IpAddr;

use registry::RegistryClient;
use registry::credentials::{CredentialResolver, DockerCredentials};
use registry::guard::classify;
use shared::credentials::{Credential, CredentialSet};
use shared::reference::Reference;

use super::{CliError, GlobalFlags};
use crate::config::{OperationSettings, RegistrySettings};

/// A registry client for the references of one command, and the
/// credentials to use for each of their registries.
pub struct Access {
    pub client: RegistryClient,
    pub credentials: CredentialSet,
    pub operations: OperationSettings,
}

impl Access {
    /// Set up for `references` (every registry the command will touch).
    pub async fn new(flags: &GlobalFlags, references: &[&Reference]) -> Result<Access, CliError> {
        let mut allowed: Vec<String> = Vec::new();
        for reference in references {
            let host = reference.api_host();
            if allowed
                .iter()
                .any(|h| h.trim_start_matches("https://") == host)
            {
                continue;
            }
            if flags.plain_http {
                allowed.push(host.to_string());
            } else if flags.insecure {
                allowed.push(format!("https://{host}"));
            } else if is_local(host) {
                // Reachable on this machine or network, and its
                // certificate still checked.
                allowed.push(format!("tls://{host}"));
            }
        }
        tracing::debug!(
            ?allowed,
            "registries allowed on local addresses or without a verified certificate"
        );
        let client = RegistryClient::with_settings(&allowed, &RegistrySettings::default())?;

        let typed = typed_credentials(flags, references)?;
        let docker = match &flags.docker_cfg {
            Some(path) => Some(DockerCredentials::at(path)),
            None => DockerCredentials::default_location(),
        };
        let registries: Vec<String> = references
            .iter()
            .map(|r| r.registry().to_string())
            .collect();
        let (credentials, auth) = CredentialResolver::new(docker)
            .complete(&typed, &registries)
            .await?;
        for info in &auth {
            tracing::debug!(registry = %info.registry, credentials = %info.describe(), "credentials");
        }
        Ok(Access {
            client,
            credentials,
            operations: OperationSettings::default(),
        })
    }
}

/// `--username`/`--password` apply to every registry the command names, as
/// in manifest-tool.
fn typed_credentials(
    flags: &GlobalFlags,
    references: &[&Reference],
) -> Result<CredentialSet, CliError> {
    let mut set = CredentialSet::default();
    let (username, password) = match (&flags.username, &flags.password) {
        (None, None) => return Ok(set),
        (Some(u), Some(p)) => (u, p),
        (Some(_), None) => return Err(CliError::Usage("--username needs --password".into())),
        (None, Some(_)) => return Err(CliError::Usage("--password needs --username".into())),
    };
    for reference in references {
        set.0.insert(
            reference.registry().to_string(),
            Credential {
                username: username.clone(),
                password: password.clone(),
            },
        );
    }
    Ok(set)
}

/// Is `host` (`name[:port]`, `[v6]:port`) written as this machine or a
/// private address: `localhost` or a non-public literal address? A name is
/// never judged by what it resolves to: a spoofed DNS answer (a hostile
/// network answering `ghcr.io` with 192.168.1.66) must not turn certificate
/// checks off and send the saved credentials for `ghcr.io` to whoever
/// answers. A registry on a private network under a name needs `--insecure`
/// or `--plain-http`, said on purpose.
fn is_local(host: &str) -> bool {
    let name = match host.rsplit_once(':') {
        Some((name, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    };
    let name = name.trim_start_matches('[').trim_end_matches(']');
    if name.eq_ignore_ascii_case("localhost") || name.ends_with(".localhost") {
        return true;
    }
    name.parse::<IpAddr>()
        .is_ok_and(|ip| !classify(ip).is_public())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_and_private_hosts_are_local() {
        for host in [
            "localhost:5000",
            "127.0.0.1:5000",
            "127.0.0.1",
            "[::1]:5000",
            "10.1.2.3:443",
            "192.168.1.20",
        ] {
            assert!(is_local(host), "{host}");
        }
        // Names are never judged by their DNS answer (which a hostile network
        // controls), only by how they are written.
        for host in [
            "8.8.8.8",
            "[2001:4860:4860::8888]:443",
            "1.1.1.1:5000",
            "ghcr.io",
            "registry.corp.example:5000",
        ] {
            assert!(!is_local(host), "{host}");
        }
    }

    #[test]
    fn username_and_password_go_together() {
        let r = Reference::parse("127.0.0.1:5000/a:1").unwrap();
        let flags = GlobalFlags {
            username: Some("u".into()),
            ..GlobalFlags::default()
        };
        assert!(matches!(
            typed_credentials(&flags, &[&r]),
            Err(CliError::Usage(_))
        ));
        let flags = GlobalFlags {
            username: Some("u".into()),
            password: Some("p".into()),
            ..GlobalFlags::default()
        };
        let set = typed_credentials(&flags, &[&r]).unwrap();
        assert_eq!(set.for_registry("127.0.0.1:5000").unwrap().username, "u");
    }
}
