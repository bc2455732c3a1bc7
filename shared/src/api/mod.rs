//! The JSON types of the proxy's HTTP API, shared by the proxy and the page so
//! the two cannot drift apart. Field names follow OCI spelling (`mediaType`).

mod attestation;
mod auth;
mod check;
mod child_configs;
mod error;
mod inspect;
mod push;
mod rate_limit;
mod referrers;
mod tags;

pub use attestation::{ATTESTATION_PATH, AttestationDocument, AttestationResponse};
pub use auth::{AuthInfo, AuthSource};
pub use check::{CHECK_PATH, CheckEvent, CheckRequest};
pub use child_configs::{CONFIGS_PATH, ChildConfig, ChildConfigs, FIRST_PART_PARAM};
pub use error::{ApiError, ErrorBody, ErrorCode};
pub use inspect::{
    ChildView, ChildViews, Content, EntryView, ImageContent, IndexContent, InspectResponse,
    Schema1Content,
};
pub use push::*;
pub use rate_limit::RateLimitInfo;
pub use referrers::{ReferrersResponse, ReferrersSource, referrers_tag};
pub use tags::{
    DEFAULT_TAGS_PER_PAGE, MAX_POINTING_CHECKS, MAX_TAGS_PER_PAGE, Pointing, TAGS_PATH,
    TagsResponse, pointing_digest,
};

/// The name of the `<meta>` the proxy puts into the page's HTML when a
/// navigation from another site opened it; the page then asks before
/// inspecting the reference in its URL (docs/security.md, rule 2).
pub const OPENED_FROM_META: &str = "mw-opened-from";
/// `GET {INSPECT_PATH}?ref=REFERENCE`
pub const INSPECT_PATH: &str = "/api/v1/inspect";
/// `GET {INSPECT_PATH}?ref=REFERENCE&format=text`: manifest-tool's text.
pub const INSPECT_TEXT_FORMAT: &str = "text";
/// `GET {INSPECT_PATH}?ref=REFERENCE&format=mquery`: mquery's text.
pub const INSPECT_MQUERY_FORMAT: &str = "mquery";
/// `GET {INSPECT_PATH}?ref=REFERENCE&format=summary`: `shared::mquery::Summary` as JSON.
pub const INSPECT_SUMMARY_FORMAT: &str = "summary";
/// `GET {BADGE_PATH}?ref=REFERENCE`: an SVG badge listing the platforms.
pub const BADGE_PATH: &str = "/api/v1/badge";
/// `GET {REFERRERS_PATH}?ref=REPOSITORY@DIGEST`
pub const REFERRERS_PATH: &str = "/api/v1/referrers";

/// `value` as one NDJSON line (JSON + `\n`). Plain data with string keys
/// cannot fail to serialize; if it ever did, an error event is still a
/// valid line.
pub(crate) fn ndjson_line(value: &impl serde::Serialize) -> String {
    let mut line = serde_json::to_string(value).unwrap_or_else(|e| {
        format!(
            r#"{{"event":"error","error":{{"code":"INTERNAL","message":"event not serializable: {}"}}}}"#,
            e.to_string().replace(['"', '\\'], "'")
        )
    });
    line.push('\n');
    line
}
