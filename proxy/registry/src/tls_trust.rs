//! Which certificates the client for allow-listed registries accepts.
//!
//! An allow-list entry written `https://HOST` (the server's
//! `--insecure-registry https://…`, the CLI's `--insecure`) accepts any
//! certificate from HOST, as the Docker daemon does for its insecure
//! registries. An entry written `tls://HOST` only lets HOST be on a
//! loopback or private address: its certificate is verified like any
//! public registry's (the CLI reaching `localhost` or `10.0.0.5` without
//! `--insecure`). Both kinds share one connection pool, so the choice is
//! made per server name by this verifier rather than by a second client.

use std::collections::HashSet;
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, Error, SignatureScheme};

/// A TLS configuration that accepts any certificate from the server names
/// in `any_certificate` and verifies every other one against the web's
/// roots.
pub fn client_config(any_certificate: HashSet<String>) -> Result<rustls::ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let roots = Arc::new(rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    });
    let verified = WebPkiServerVerifier::builder_with_provider(roots, provider.clone())
        .build()
        .map_err(|e| e.to_string())?;
    let verifier = Arc::new(PerName {
        any_certificate,
        verified,
        provider: provider.clone(),
    });
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// A server name as the allow-list writes hosts: lowercase names, IPv6
/// in brackets.
fn written(name: &ServerName<'_>) -> String {
    match name {
        ServerName::DnsName(d) => d.as_ref().trim_end_matches('.').to_ascii_lowercase(),
        ServerName::IpAddress(ip) => match std::net::IpAddr::from(*ip) {
            std::net::IpAddr::V4(v4) => v4.to_string(),
            std::net::IpAddr::V6(v6) => format!("[{v6}]"),
        },
        _ => String::new(),
    }
}

#[derive(Debug)]
struct PerName {
    any_certificate: HashSet<String>,
    verified: Arc<WebPkiServerVerifier>,
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl ServerCertVerifier for PerName {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        if self.any_certificate.contains(&written(server_name)) {
            return Ok(ServerCertVerified::assertion());
        }
        self.verified
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_written_as_the_allow_list_writes_them() {
        let name = |s: &str| ServerName::try_from(s.to_string()).unwrap();
        assert_eq!(written(&name("Reg.Example.")), "reg.example");
        assert_eq!(written(&name("127.0.0.1")), "127.0.0.1");
        assert_eq!(written(&name("::1")), "[::1]");
    }

    #[test]
    fn a_configuration_builds() {
        let config = client_config(HashSet::from(["127.0.0.1".to_string()])).unwrap();
        assert_eq!(config.alpn_protocols.len(), 2);
    }
}
