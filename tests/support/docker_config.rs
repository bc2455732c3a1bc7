//! A Docker client config directory for the proxy side (`config.json` plus a
//! `bin/` of `docker-credential-*` helpers), built per test in a temp dir.
//!
//! The helpers are small shell scripts that behave like real ones (server URL
//! on stdin, JSON on stdout, the "not found" message and exit 1 otherwise) and
//! record each call, so tests can check what the proxy asked for.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use base64::Engine;
use serde_json::{Value, json};

/// What a test helper answers for one server URL.
#[derive(Debug, Clone)]
pub enum HelperAnswer {
    /// `{"Username","Secret"}`
    Credential { username: String, secret: String },
    /// Print `message` on stderr and exit with `code`.
    Fail { message: String, code: i32 },
}

/// A temp dir with `config.json` and `bin/`.
pub struct DockerConfigDir {
    dir: tempfile::TempDir,
}

impl DockerConfigDir {
    /// # Panics
    /// When the temp dir cannot be created.
    pub fn new() -> DockerConfigDir {
        let dir = tempfile::Builder::new()
            .prefix("mw-test-docker-config-")
            .tempdir()
            .expect("a temp dir for a Docker config");
        std::fs::create_dir_all(dir.path().join("bin")).expect("create bin/");
        DockerConfigDir { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn config_file(&self) -> PathBuf {
        self.dir.path().join("config.json")
    }

    /// Where the helpers are: the search path to give the proxy.
    pub fn bin_dir(&self) -> PathBuf {
        self.dir.path().join("bin")
    }

    /// Write `config.json` as given (may be broken on purpose).
    pub fn write_raw(&self, text: &str) {
        std::fs::write(self.config_file(), text).expect("write config.json");
    }

    pub fn write(&self, config: &Value) {
        self.write_raw(&config.to_string());
    }

    /// The proxy-side credential source for an in-process proxy.
    pub fn credentials(&self) -> proxy::registry::credentials::DockerCredentials {
        let mut c = proxy::registry::credentials::DockerCredentials::at(self.path());
        c.helper_search_path = Some(self.bin_dir().into_os_string());
        c
    }

    /// Install `docker-credential-NAME` answering per server URL (anything
    /// else: "credentials not found"). Each call appends the server URL to
    /// `calls-NAME`.
    pub fn install_helper(&self, name: &str, answers: &BTreeMap<String, HelperAnswer>) {
        let calls = self.dir.path().join(format!("calls-{name}"));
        let mut script = format!(
            "#!/bin/sh\n[ \"$1\" = get ] || {{ echo \"unsupported: $1\" >&2; exit 2; }}\nserver=$(cat)\nprintf '%s\\n' \"$server\" >> '{}'\ncase \"$server\" in\n",
            calls.display()
        );
        for (server, answer) in answers {
            match answer {
                HelperAnswer::Credential { username, secret } => {
                    let body = json!({"ServerURL": server, "Username": username, "Secret": secret});
                    script.push_str(&format!(
                        "  '{server}') printf '%s' '{}' ;;\n",
                        body.to_string().replace('\'', "'\\''")
                    ));
                }
                HelperAnswer::Fail { message, code } => {
                    script.push_str(&format!(
                        "  '{server}') echo '{message}' >&2; exit {code} ;;\n"
                    ));
                }
            }
        }
        script.push_str("  *) echo 'credentials not found in native keychain'; exit 1 ;;\nesac\n");
        let path = self.bin_dir().join(format!("docker-credential-{name}"));
        std::fs::write(&path, script).expect("write the helper");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
                .expect("make the helper executable");
        }
    }

    /// The server URLs helper `name` was asked for, in order.
    pub fn helper_calls(&self, name: &str) -> Vec<String> {
        std::fs::read_to_string(self.dir.path().join(format!("calls-{name}")))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }
}

impl Default for DockerConfigDir {
    fn default() -> Self {
        DockerConfigDir::new()
    }
}

/// `auths` entry value: base64 `user:password`, as `docker login` writes it.
pub fn auth_entry(username: &str, password: &str) -> Value {
    json!({"auth": base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"))})
}
