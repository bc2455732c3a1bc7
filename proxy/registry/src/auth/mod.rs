//! Authentication with a registry, the whole state machine in one place.
//!
//! A request goes out with what is known to work (a cached Bearer token for
//! the handle's scopes, else the Authorization that worked last on this
//! handle: Basic registries have no token to cache). A 401 from the registry
//! itself is answered once: the stale token is dropped, the challenge is
//! parsed, Basic is answered from the credential, Bearer by asking the token
//! service (`token_request`) and caching the token (`scheme::TokenCache`). A
//! 401 from anywhere else (a CDN the registry redirected to) is never
//! answered: that would send the registry's credentials to whatever realm
//! the other host names.

pub mod challenge;
pub mod challenge_memo;
pub mod scheme;
mod state;
pub mod token_request;

pub use scheme::*;
