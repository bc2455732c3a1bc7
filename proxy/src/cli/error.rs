//! Why a command failed. The server's errors come through as they are (the
//! same words the page shows); the CLI adds only what is its own (its
//! arguments and files).

use std::path::PathBuf;

use crate::error::ProxyError;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Arguments that parse but do not fit together.
    #[error("{0}")]
    Usage(String),
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write the output: {0}")]
    Write(std::io::Error),
    #[error("{0}")]
    Raw(#[from] shared::inspect_raw::RawError),
    #[error(transparent)]
    Proxy(#[from] ProxyError),
    /// The push stopped part-way (its error event's message).
    #[error("{0}")]
    Push(String),
}

impl CliError {
    /// A registry could not be reached (connection or TLS failure).
    pub fn is_unreachable(&self) -> bool {
        let unreachable =
            |e: &registry::RegistryError| matches!(e, registry::RegistryError::Unreachable { .. });
        match self {
            CliError::Proxy(ProxyError::Registry(e)) => unreachable(e),
            CliError::Proxy(ProxyError::Source(e)) => unreachable(&e.error),
            _ => false,
        }
    }
    /// The message on one line (a script shows the last line of stderr).
    pub fn one_line(&self) -> String {
        self.to_string()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl From<registry::RegistryError> for CliError {
    fn from(e: registry::RegistryError) -> Self {
        CliError::Proxy(e.into())
    }
}

impl From<shared::spec::SpecError> for CliError {
    fn from(e: shared::spec::SpecError) -> Self {
        CliError::Proxy(e.into())
    }
}
