//! Docker credential helpers (`docker-credential-<name> get`), run exactly as
//! the Docker CLI runs them: the server URL on stdin, JSON
//! `{"ServerURL","Username","Secret"}` on stdout; a `<token>` username means
//! the secret is an identity token; "credentials not found" is not an error.
//!
//! The program is looked up on an explicit search path (the proxy's `PATH`
//! unless configured), so tests can point it at their own helper without
//! touching the environment of the whole test process.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde::Deserialize;
use shared::credentials::Credential;
use tokio::io::AsyncWriteExt;

/// Helpers that prompt (a GPG pinentry) get this long before they are stopped.
pub const HELPER_TIMEOUT: Duration = Duration::from_secs(30);

/// What helpers print when they hold nothing for the server
/// (docker-credential-helpers' `credentials.errCredentialsNotFoundMessage`).
const NOT_FOUND_MESSAGE: &str = "credentials not found in native keychain";

/// Why a helper gave no answer. Never holds what the helper printed on
/// stdout (that is where secrets are).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HelperError {
    /// Named by the program alone: the search path is the proxy's `PATH`,
    /// which is no business of whoever reads the message.
    #[error("the credential helper {program} is not installed: it is not on the search path")]
    NotFound { program: String },
    #[error("cannot run {program}: {reason}")]
    Spawn { program: String, reason: String },
    #[error("{program} failed ({status}){}", stderr_suffix(.stderr))]
    Failed {
        program: String,
        status: String,
        stderr: String,
    },
    #[error("{program} did not answer within {} s", HELPER_TIMEOUT.as_secs())]
    Timeout { program: String },
    #[error("{program} answered something that is not credential JSON ({problem})")]
    BadAnswer {
        program: String,
        problem: &'static str,
    },
}

fn stderr_suffix(stderr: &str) -> String {
    if stderr.is_empty() {
        String::new()
    } else {
        format!(": {stderr}")
    }
}

/// `docker-credential-<name>`
pub fn program_name(helper: &str) -> String {
    format!("docker-credential-{helper}")
}

/// The executable for `program` on `search_path` (a `PATH`-style list).
pub fn find_program(program: &str, search_path: &OsStr) -> Option<PathBuf> {
    std::env::split_paths(search_path)
        .filter(|dir| !dir.as_os_str().is_empty())
        .map(|dir| dir.join(program))
        .find(|candidate| is_executable(candidate))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

/// Run `docker-credential-<helper> get` for `server_url`: `Ok(None)` when the
/// helper holds nothing for it.
pub async fn get(
    helper: &str,
    server_url: &str,
    search_path: &OsStr,
) -> Result<Option<Credential>, HelperError> {
    let program = program_name(helper);
    let path = find_program(&program, search_path).ok_or_else(|| HelperError::NotFound {
        program: program.clone(),
    })?;
    let mut child = tokio::process::Command::new(&path)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| HelperError::Spawn {
            program: program.clone(),
            reason: e.to_string(),
        })?;
    if let Some(mut stdin) = child.stdin.take() {
        // A helper that exits without reading its input is judged by its answer.
        let _ = stdin.write_all(server_url.as_bytes()).await;
        drop(stdin);
    }
    let output = tokio::time::timeout(HELPER_TIMEOUT, child.wait_with_output())
        .await
        .map_err(|_| HelperError::Timeout {
            program: program.clone(),
        })?
        .map_err(|e| HelperError::Spawn {
            program: program.clone(),
            reason: e.to_string(),
        })?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        if stdout.trim() == NOT_FOUND_MESSAGE {
            return Ok(None);
        }
        return Err(HelperError::Failed {
            program,
            status: output.status.to_string(),
            stderr: first_line(&String::from_utf8_lossy(&output.stderr)),
        });
    }
    parse_answer(&program, &output.stdout)
}

/// The helper's JSON answer; empty username and secret mean "nothing".
pub fn parse_answer(program: &str, stdout: &[u8]) -> Result<Option<Credential>, HelperError> {
    #[derive(Deserialize)]
    struct Answer {
        #[serde(default, rename = "Username")]
        username: String,
        #[serde(default, rename = "Secret")]
        secret: String,
    }
    let answer: Answer = serde_json::from_slice(stdout).map_err(|e| HelperError::BadAnswer {
        program: program.to_string(),
        problem: match e.classify() {
            serde_json::error::Category::Data => "unexpected shape",
            serde_json::error::Category::Eof => "truncated or empty JSON",
            _ => "invalid JSON",
        },
    })?;
    if answer.username.is_empty() && answer.secret.is_empty() {
        return Ok(None);
    }
    Ok(Some(Credential {
        username: answer.username,
        password: answer.secret,
    }))
}

/// A helper's stderr, shortened: a message, not a dump.
fn first_line(text: &str) -> String {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let mut short: String = line.chars().take(200).collect();
    if short.len() < line.len() {
        short.push('…');
    }
    short
}

/// The proxy's own `PATH`, the default search path.
pub fn default_search_path() -> OsString {
    std::env::var_os("PATH").unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers() {
        let c = parse_answer(
            "docker-credential-x",
            br#"{"ServerURL":"ghcr.io","Username":"me","Secret":"tok"}"#,
        )
        .unwrap()
        .unwrap();
        assert_eq!((c.username.as_str(), c.password.as_str()), ("me", "tok"));
        let c = parse_answer("p", br#"{"Username":"<token>","Secret":"refresh"}"#)
            .unwrap()
            .unwrap();
        assert_eq!(c.username, "<token>");
        assert_eq!(parse_answer("p", br#"{"ServerURL":"x"}"#).unwrap(), None);
        let e = parse_answer("docker-credential-x", b"secret-ish garbage").unwrap_err();
        assert!(e.to_string().contains("docker-credential-x"), "{e}");
        assert!(!e.to_string().contains("secret-ish"), "{e}");
    }

    #[test]
    fn lookup_on_an_explicit_search_path() {
        let dir = std::env::temp_dir().join(format!("mw-helper-lookup-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let exe = dir.join("docker-credential-unit");
        std::fs::write(&exe, "#!/bin/sh\n").unwrap();
        let path = std::env::join_paths([Path::new("/nonexistent-dir"), &dir]).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // Not executable: not found.
            std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o644)).unwrap();
            assert_eq!(find_program("docker-credential-unit", &path), None);
            std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        assert_eq!(
            find_program("docker-credential-unit", &path),
            Some(exe.clone())
        );
        assert_eq!(find_program("docker-credential-other", &path), None);
        assert_eq!(find_program("docker-credential-unit", OsStr::new("")), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test]
    async fn a_missing_helper_is_a_clear_error() {
        let e = get(
            "surely-not-installed",
            "ghcr.io",
            OsStr::new("/nonexistent-dir"),
        )
        .await
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "the credential helper docker-credential-surely-not-installed is not installed: it is not on the search path"
        );
        assert!(!e.to_string().contains("/nonexistent-dir"), "{e}");
    }
}
