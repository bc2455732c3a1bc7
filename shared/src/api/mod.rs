//! The JSON types of the proxy's HTTP API, shared by the proxy and the page so
//! the two cannot drift apart. Field names follow OCI spelling (`mediaType`).

mod error;
mod inspect;
mod push;

pub use error::{ApiError, ErrorBody, ErrorCode};
pub use inspect::{EntryView, InspectResponse};
pub use push::*;

/// `GET {INSPECT_PATH}?ref=REFERENCE`
pub const INSPECT_PATH: &str = "/api/v1/inspect";
