//! Where the credentials of a request came from, so the page can say "pulled
//! anonymously" or "using your Docker login" instead of leaving people to
//! guess why a registry let them in (or did not).

use serde::{Deserialize, Serialize};

/// The source of the credential used for one registry, in the order the
/// proxy tries them: typed into the page, the Docker client's config on the
/// proxy's machine (stored `auths`, or a credential helper), else none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuthSource {
    Anonymous,
    /// The page's credentials panel (the `x-registry-auth` header).
    Typed,
    /// `auths` in the proxy side's Docker `config.json`.
    DockerConfig,
    /// A `docker-credential-*` helper named by `credHelpers` or `credsStore`.
    CredentialHelper,
}

/// Read by hand (`unit_variant`), written derived: the same names.
impl<'de> Deserialize<'de> for AuthSource {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        const NAMES: &[&str] = &["anonymous", "typed", "docker-config", "credential-helper"];
        const SOURCES: [AuthSource; 4] = [
            AuthSource::Anonymous,
            AuthSource::Typed,
            AuthSource::DockerConfig,
            AuthSource::CredentialHelper,
        ];
        Ok(SOURCES[crate::unit_variant::read(d, NAMES)?])
    }
}

/// Which credentials a registry was asked with. Never holds a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthInfo {
    pub source: AuthSource,
    /// The registry as in the reference (`docker.io`, `localhost:5000`).
    pub registry: String,
    /// The helper program for `credential-helper` (`docker-credential-pass`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub helper: Option<String>,
}

impl AuthInfo {
    pub fn anonymous(registry: &str) -> Self {
        AuthInfo {
            source: AuthSource::Anonymous,
            registry: registry.to_string(),
            helper: None,
        }
    }

    /// "typed into the page", "the Docker config", "docker-credential-pass", "none".
    pub fn describe(&self) -> String {
        match self.source {
            AuthSource::Anonymous => "none (anonymous)".to_string(),
            AuthSource::Typed => "typed into the page".to_string(),
            AuthSource::DockerConfig => "the proxy's Docker config (auths)".to_string(),
            AuthSource::CredentialHelper => match &self.helper {
                Some(h) => format!("the credential helper {h}"),
                None => "a Docker credential helper".to_string(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_form() {
        let info = AuthInfo {
            source: AuthSource::CredentialHelper,
            registry: "ghcr.io".into(),
            helper: Some("docker-credential-pass".into()),
        };
        let json = serde_json::to_string(&info).unwrap();
        assert_eq!(
            json,
            r#"{"source":"credential-helper","registry":"ghcr.io","helper":"docker-credential-pass"}"#
        );
        assert_eq!(serde_json::from_str::<AuthInfo>(&json).unwrap(), info);
        let anon = serde_json::to_string(&AuthInfo::anonymous("docker.io")).unwrap();
        assert_eq!(anon, r#"{"source":"anonymous","registry":"docker.io"}"#);
        let typed: AuthInfo =
            serde_json::from_str(r#"{"source":"docker-config","registry":"r"}"#).unwrap();
        assert_eq!(typed.source, AuthSource::DockerConfig);
    }
}
