//! The proxy as a separate process (the real `manifest-web` command line), for
//! what only a process shows: its flags, environment and everything it prints.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::task::JoinHandle;

use crate::proxy::ProxyClient;

/// How long the process may take to print its listening line.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// One command of the binary at `binary`, run to its end with no Docker
/// config or logins of this machine (a temporary `HOME` and
/// `DOCKER_CONFIG`) and no `RUST_LOG`.
pub async fn run_isolated(binary: &Path, args: &[&str]) -> std::process::Output {
    let home = tempfile::tempdir().expect("a temp HOME");
    Command::new(binary)
        .args(args)
        .env("HOME", home.path())
        .env("DOCKER_CONFIG", home.path())
        .env_remove("RUST_LOG")
        .output()
        .await
        .expect("run manifest-web")
}

/// A running proxy process; killed when dropped.
pub struct ProxyProcess {
    child: Child,
    addr: SocketAddr,
    // Drained all the time: a full pipe would block the proxy mid-request.
    stdout: JoinHandle<String>,
    stderr: JoinHandle<String>,
}

/// What the process printed, after it stopped.
#[derive(Debug, Clone)]
pub struct ProcessOutput {
    pub stdout: String,
    pub stderr: String,
}

impl ProxyProcess {
    /// Run `binary --listen 127.0.0.1:0 ARGS` with `env` added and wait for
    /// "listening on http://ADDR".
    ///
    /// # Panics
    /// When it does not start (the test cannot go on).
    pub async fn spawn(binary: &Path, args: &[String], env: &[(&str, String)]) -> ProxyProcess {
        Self::spawn_command(Command::new(binary), binary, args, env).await
    }

    /// [`ProxyProcess::spawn`] with the process's open-file limit (soft and
    /// hard) set to `nofile`, through util-linux's `prlimit`.
    pub async fn spawn_with_nofile(
        binary: &Path,
        nofile: u64,
        args: &[String],
        env: &[(&str, String)],
    ) -> ProxyProcess {
        Self::spawn_limited(binary, &[format!("--nofile={nofile}:{nofile}")], args, env).await
    }

    /// [`ProxyProcess::spawn`] under util-linux's `prlimit` with these
    /// limits (e.g. `--as=2147483648` for a 2 GiB address space). `prlimit`
    /// execs the binary, so [`ProxyProcess::pid`] is the proxy's.
    pub async fn spawn_limited(
        binary: &Path,
        limits: &[String],
        args: &[String],
        env: &[(&str, String)],
    ) -> ProxyProcess {
        let mut command = Command::new("prlimit");
        command.args(limits).arg("--").arg(binary);
        Self::spawn_command(command, binary, args, env).await
    }

    async fn spawn_command(
        mut command: Command,
        binary: &Path,
        args: &[String],
        env: &[(&str, String)],
    ) -> ProxyProcess {
        command
            .arg("--listen")
            .arg("127.0.0.1:0")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("run {}: {e}", binary.display()));
        let stderr = child.stderr.take().expect("piped stderr");
        let stderr = tokio::spawn(async move {
            let mut text = String::new();
            let mut stderr = stderr;
            let _ = stderr.read_to_string(&mut text).await;
            text
        });
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout);
        let mut head = String::new();
        let addr = tokio::time::timeout(START_TIMEOUT, async {
            loop {
                let mut line = String::new();
                let n = lines.read_line(&mut line).await.unwrap_or(0);
                if n == 0 {
                    return None;
                }
                head.push_str(&line);
                if let Some(rest) = line
                    .trim()
                    .strip_prefix("manifest-web listening on http://")
                {
                    return rest.parse::<SocketAddr>().ok();
                }
            }
        })
        .await
        .ok()
        .flatten();
        let Some(addr) = addr else {
            let _ = child.start_kill();
            let err = stderr.await.unwrap_or_default();
            panic!("the proxy did not start; stdout:\n{head}\nstderr:\n{err}");
        };
        let stdout = tokio::spawn(async move {
            let mut text = head;
            let _ = lines.read_to_string(&mut text).await;
            text
        });
        ProxyProcess {
            child,
            addr,
            stdout,
            stderr,
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The process id (for `/proc/PID/status`); `None` once it exited.
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// Does `/api/v1/health` answer 2xx within `within`?
    pub async fn answers_health(&self, within: Duration) -> bool {
        let health = tokio::time::timeout(within, async {
            reqwest::Client::new()
                .get(format!("http://{}/api/v1/health", self.addr))
                .send()
                .await
        })
        .await;
        matches!(health, Ok(Ok(r)) if r.status().is_success())
    }

    /// The process's peak resident memory so far (`VmHWM` in
    /// `/proc/PID/status`), in bytes; `None` where there is no `/proc`.
    pub fn peak_memory(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()?)).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        let kib: u64 = line
            .trim_start_matches("VmHWM:")
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()?;
        Some(kib * 1024)
    }

    pub fn client(&self) -> ProxyClient {
        ProxyClient::new(&format!("http://{}", self.addr))
    }

    /// Ask it to stop as an orchestrator does (SIGTERM, through `kill`).
    pub async fn terminate(&self) {
        let pid = self.pid().expect("the proxy is running");
        let status = Command::new("kill")
            .arg("-TERM")
            .arg(pid.to_string())
            .status()
            .await
            .expect("run kill");
        assert!(status.success(), "kill -TERM {pid}: {status}");
    }

    /// Wait (at most `within`) for it to exit on its own; its exit status
    /// (`None`: still running then, and killed) and what it printed.
    pub async fn wait_exit(
        mut self,
        within: Duration,
    ) -> (Option<std::process::ExitStatus>, ProcessOutput) {
        let status = tokio::time::timeout(within, self.child.wait())
            .await
            .ok()
            .and_then(Result::ok);
        let output = self.stop().await;
        (status, output)
    }

    /// Stop it and collect everything it printed.
    pub async fn stop(mut self) -> ProcessOutput {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
        ProcessOutput {
            stdout: (&mut self.stdout).await.unwrap_or_default(),
            stderr: (&mut self.stderr).await.unwrap_or_default(),
        }
    }
}
