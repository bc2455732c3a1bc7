//! The image config blob: the essentials a person wants to see, and the
//! platform an image really is (used to fill and check push specs).
//!
//! Our own type because oci-spec drops `os.version`/`os.features`, which
//! Windows images carry in their config.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

use crate::json_error::message_without_position;
use crate::platform::Platform;

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageConfig {
    #[serde(default, deserialize_with = "null_as_default")]
    pub architecture: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub os: String,
    #[serde(
        rename = "os.version",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub os_version: Option<String>,
    #[serde(
        rename = "os.features",
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub os_features: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<RunConfig>,
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub history: Vec<History>,
}

/// The `config` object: how a container of this image runs. Go field names.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RunConfig {
    #[serde(rename = "User", default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(
        rename = "ExposedPorts",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub exposed_ports: Option<BTreeMap<String, serde_json::Value>>,
    #[serde(rename = "Env", default, skip_serializing_if = "Option::is_none")]
    pub env: Option<Vec<String>>,
    #[serde(
        rename = "Entrypoint",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub entrypoint: Option<Vec<String>>,
    #[serde(rename = "Cmd", default, skip_serializing_if = "Option::is_none")]
    pub cmd: Option<Vec<String>>,
    #[serde(
        rename = "WorkingDir",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub working_dir: Option<String>,
    #[serde(rename = "Labels", default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
    #[serde(
        rename = "StopSignal",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub stop_signal: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct History {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "std::ops::Not::not"
    )]
    pub empty_layer: bool,
}

/// `null` reads as the type's default: Go writes nil slices and empty
/// fields as `null` (`"Env": null`), which means "absent".
fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("the image config is not valid JSON (line {line}, column {column}): {message}")]
    NotJson {
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "the image config has a field of the wrong type (line {line}, column {column}): {message}"
    )]
    WrongType {
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "the image config is JSON but not an object: expected {{\"architecture\": ..., \"os\": ...}}"
    )]
    NotAnObject,
}

fn config_error(e: serde_json::Error) -> ConfigError {
    let (line, column, message) = (e.line(), e.column(), message_without_position(&e));
    match e.classify() {
        serde_json::error::Category::Data => ConfigError::WrongType {
            line,
            column,
            message,
        },
        _ => ConfigError::NotJson {
            line,
            column,
            message,
        },
    }
}

impl ImageConfig {
    /// Parse a config blob (Docker or OCI). Null fields (`"Env": null`) are
    /// accepted as absent, as Docker writes them; unknown fields are ignored.
    pub fn parse(raw: &[u8]) -> Result<Self, ConfigError> {
        // serde reads a struct from an array too (`[]` would be a config), so
        // anything not starting with `{` is only checked for being JSON.
        let first = raw.iter().find(|b| !b.is_ascii_whitespace());
        if first.is_some_and(|b| *b != b'{') {
            return match serde_json::from_slice::<serde_json::Value>(raw) {
                Ok(_) => Err(ConfigError::NotAnObject),
                Err(e) => Err(config_error(e)),
            };
        }
        serde_json::from_slice(raw).map_err(config_error)
    }
    pub fn platform(&self) -> Platform {
        Platform {
            architecture: self.architecture.clone(),
            os: self.os.clone(),
            os_version: self.os_version.clone(),
            os_features: self.os_features.clone(),
            variant: self.variant.clone(),
            features: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // Shaped like what `docker build` writes, nulls included.
    const DOCKER_CONFIG: &str = r#"{
  "architecture": "amd64",
  "config": {
    "Hostname": "",
    "User": "",
    "ExposedPorts": {"80/tcp": {}},
    "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "NGINX_VERSION=1.25.4"],
    "Cmd": ["nginx", "-g", "daemon off;"],
    "Entrypoint": ["/docker-entrypoint.sh"],
    "OnBuild": null,
    "Volumes": null,
    "WorkingDir": "",
    "Labels": {"maintainer": "NGINX Docker Maintainers"},
    "StopSignal": "SIGQUIT"
  },
  "container_config": {"Env": null, "Cmd": null},
  "created": "2024-02-14T21:35:41.556347423Z",
  "docker_version": "20.10.23",
  "history": [
    {"created": "2024-02-13T00:00:00Z", "created_by": "/bin/sh -c #(nop) ADD file:abc in / "},
    {"created": "2024-02-13T00:00:01Z", "created_by": "/bin/sh -c #(nop)  CMD [\"bash\"]", "empty_layer": true}
  ],
  "os": "linux",
  "rootfs": {"type": "layers", "diff_ids": ["sha256:2804bad6fe94a55f18b2b37e300919a5fd517b95aa81e95db574c0ba069a3740"]}
}"#;

    #[test]
    fn parses_a_docker_config() {
        let c = ImageConfig::parse(DOCKER_CONFIG.as_bytes()).unwrap();
        assert_eq!(c.architecture, "amd64");
        assert_eq!(c.os, "linux");
        assert_eq!(c.created.as_deref(), Some("2024-02-14T21:35:41.556347423Z"));
        let run = c.config.as_ref().unwrap();
        assert_eq!(run.cmd.as_deref().unwrap(), ["nginx", "-g", "daemon off;"]);
        assert_eq!(
            run.entrypoint.as_deref().unwrap(),
            ["/docker-entrypoint.sh"]
        );
        assert_eq!(run.env.as_ref().unwrap().len(), 2);
        assert_eq!(run.user.as_deref(), Some(""));
        assert_eq!(run.stop_signal.as_deref(), Some("SIGQUIT"));
        assert!(run.exposed_ports.as_ref().unwrap().contains_key("80/tcp"));
        assert_eq!(
            run.labels
                .as_ref()
                .unwrap()
                .get("maintainer")
                .map(String::as_str),
            Some("NGINX Docker Maintainers")
        );
        assert_eq!(c.history.len(), 2);
        assert!(!c.history[0].empty_layer);
        assert!(c.history[1].empty_layer);
        assert_eq!(c.platform().to_string(), "linux/amd64");
    }

    #[test]
    fn nulls_are_absent() {
        let c = ImageConfig::parse(
            br#"{"architecture":null,"os":"linux","os.features":null,"variant":null,"history":null,
                "config":{"Env":null,"Cmd":null,"Entrypoint":null,"Labels":null,"ExposedPorts":null,"User":null},
                "author":null,"created":null}"#,
        )
        .unwrap();
        assert_eq!(c.architecture, "");
        assert!(c.os_features.is_empty());
        assert!(c.history.is_empty());
        let run = c.config.unwrap();
        assert_eq!(run.env, None);
        assert_eq!(run.cmd, None);
        let c = ImageConfig::parse(br#"{"config":null,"history":[{"empty_layer":null}]}"#).unwrap();
        assert_eq!(c.config, None);
        assert!(!c.history[0].empty_layer);
    }

    #[test]
    fn windows_config_keeps_os_version() {
        let c = ImageConfig::parse(
            br#"{"architecture":"amd64","os":"windows","os.version":"10.0.17763.2565","os.features":["win32k"],"rootfs":{}}"#,
        )
        .unwrap();
        let p = c.platform();
        assert_eq!(p.os_version.as_deref(), Some("10.0.17763.2565"));
        assert_eq!(p.os_features, ["win32k"]);
        assert_eq!(p.to_string(), "windows/amd64:10.0.17763.2565");
        let arm =
            ImageConfig::parse(br#"{"architecture":"arm","os":"linux","variant":"v7"}"#).unwrap();
        assert_eq!(arm.platform().to_string(), "linux/arm/v7");
    }

    #[test]
    fn errors_have_line_and_column() {
        let err = ImageConfig::parse(b"{\n  \"os\": \"linux\",\n}").unwrap_err();
        assert!(matches!(err, ConfigError::NotJson { line: 3, .. }), "{err}");
        assert!(err.to_string().contains("line 3"), "{err}");
        let err = ImageConfig::parse(b"{\"os\": 5}").unwrap_err();
        assert!(
            matches!(err, ConfigError::WrongType { line: 1, .. }),
            "{err}"
        );
        assert_eq!(ImageConfig::parse(b"[]"), Err(ConfigError::NotAnObject));
        assert_eq!(ImageConfig::parse(b" 5 "), Err(ConfigError::NotAnObject));
        assert!(matches!(
            ImageConfig::parse(b"[1,"),
            Err(ConfigError::NotJson { .. })
        ));
        let err = ImageConfig::parse(b"").unwrap_err();
        assert!(matches!(err, ConfigError::NotJson { .. }), "{err}");
    }

    proptest! {
        #[test]
        fn parse_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let _ = ImageConfig::parse(&bytes);
        }

        #[test]
        fn parse_never_panics_on_mutations(cut in any::<proptest::sample::Index>(), insert in "[\\[\\]{}\",:0-9a-z ]{0,3}") {
            let at = cut.index(DOCKER_CONFIG.len() + 1);
            let mut text = DOCKER_CONFIG.as_bytes()[..at].to_vec();
            text.extend_from_slice(insert.as_bytes());
            text.extend_from_slice(&DOCKER_CONFIG.as_bytes()[at..]);
            let _ = ImageConfig::parse(&text);
        }
    }
}
