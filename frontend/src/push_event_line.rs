//! Reading one line of the push progress stream into a [`PushEvent`].
//!
//! `PushEvent` is an internally tagged serde enum (`"event": "step"`, ...).
//! Deserializing such an enum buffers every line into serde's generic
//! `Content` tree and then compiles every variant's fields a second time
//! against that tree, which costs the page's wasm tens of kilobytes. The
//! page instead reads each line once into one flat struct holding every
//! field any event has, and picks the variant from `event` itself. The wire
//! format stays the one `shared` defines; the tests hold the two together
//! by reading back what `PushEvent::to_ndjson` writes.

use serde::Deserialize;
use shared::Digest;
use shared::api::{ApiError, PushEvent, StepState};
use shared::plan::StepKind;

/// Every field of every event, each optional: which ones must be present
/// depends on `event`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Line {
    event: String,
    digest: Option<Digest>,
    size: Option<u64>,
    total: Option<usize>,
    state: Option<StepState>,
    index: Option<usize>,
    kind: Option<StepKind>,
    description: Option<String>,
    detail: Option<String>,
    message: Option<String>,
    media_type: Option<String>,
    tags: Option<Vec<String>>,
    error: Option<ApiError>,
    step: Option<usize>,
}

/// One NDJSON line (surrounding whitespace allowed) as an event; the error
/// says what is wrong with it.
pub fn parse(line: &str) -> Result<PushEvent, String> {
    let l: Line = serde_json::from_str(line.trim()).map_err(|e| e.to_string())?;
    let event = l.event.as_str();
    let missing = |field: &str| format!("the `{event}` event has no `{field}`");
    Ok(match event {
        "planned" => PushEvent::Planned {
            digest: l.digest.ok_or_else(|| missing("digest"))?,
            size: l.size.ok_or_else(|| missing("size"))?,
            total: l.total.ok_or_else(|| missing("total"))?,
        },
        "step" => PushEvent::Step {
            state: l.state.ok_or_else(|| missing("state"))?,
            index: l.index.ok_or_else(|| missing("index"))?,
            total: l.total.ok_or_else(|| missing("total"))?,
            kind: l.kind.ok_or_else(|| missing("kind"))?,
            description: l.description.ok_or_else(|| missing("description"))?,
            detail: l.detail,
        },
        "warning" => PushEvent::Warning {
            message: l.message.ok_or_else(|| missing("message"))?,
        },
        "done" => PushEvent::Done {
            digest: l.digest.ok_or_else(|| missing("digest"))?,
            size: l.size.ok_or_else(|| missing("size"))?,
            media_type: l.media_type.ok_or_else(|| missing("mediaType"))?,
            tags: l.tags.ok_or_else(|| missing("tags"))?,
        },
        "error" => PushEvent::Error {
            error: l.error.ok_or_else(|| missing("error"))?,
            step: l.step,
        },
        other => {
            return Err(format!(
                "unknown event `{other}`, expected planned, step, warning, done or error"
            ));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::api::ErrorCode;

    fn every_event() -> Vec<PushEvent> {
        let digest = Digest::sha256(b"index");
        vec![
            PushEvent::Planned {
                digest: digest.clone(),
                size: 412,
                total: 3,
            },
            PushEvent::Step {
                state: StepState::Started,
                index: 1,
                total: 3,
                kind: StepKind::Blob,
                description: "copy blob".into(),
                detail: None,
            },
            PushEvent::Step {
                state: StepState::Done,
                index: 1,
                total: 3,
                kind: StepKind::Manifest,
                description: "copy manifest".into(),
                detail: Some("mounted".into()),
            },
            PushEvent::Warning {
                message: "é ✓ careful".into(),
            },
            PushEvent::Done {
                digest,
                size: 412,
                media_type: shared::media_type::OCI_INDEX.into(),
                tags: vec![
                    "localhost:5000/a:1".into(),
                    "localhost:5000/a:latest".into(),
                ],
            },
            PushEvent::Error {
                error: ApiError::new(ErrorCode::Denied, "push refused"),
                step: Some(2),
            },
            PushEvent::Error {
                error: ApiError::new(ErrorCode::Internal, "broke"),
                step: None,
            },
        ]
    }

    #[test]
    fn reads_back_every_event_the_proxy_writes() {
        for event in every_event() {
            let line = event.to_ndjson();
            assert_eq!(parse(&line), Ok(event.clone()), "{line}");
            // And agrees with the shared (derived) reader.
            assert_eq!(PushEvent::from_ndjson(&line).ok(), Some(event));
        }
    }

    #[test]
    fn names_what_is_wrong() {
        let missing = parse(r#"{"event":"step","state":"done","index":1,"total":2,"kind":"blob"}"#);
        assert_eq!(
            missing,
            Err("the `step` event has no `description`".to_string())
        );
        let unknown = parse(r#"{"event":"finished"}"#).unwrap_err();
        assert!(unknown.contains("unknown event `finished`"), "{unknown}");
        assert!(parse("not json").is_err());
        assert!(parse(r#"{"message":"m"}"#).unwrap_err().contains("event"));
        let bad_digest = parse(r#"{"event":"planned","digest":"sha256:zz","size":1,"total":1}"#);
        assert!(bad_digest.is_err());
        // Both readers refuse the same malformed lines.
        for line in [
            r#"{"event":"done","digest":"sha256:00","size":1}"#,
            r#"{"event":"warning"}"#,
            r#"{"event":"error","error":{"code":"NOPE","message":"m"}}"#,
        ] {
            assert!(parse(line).is_err(), "{line}");
            assert!(PushEvent::from_ndjson(line).is_err(), "{line}");
        }
    }

    #[test]
    fn unknown_fields_are_ignored_like_the_shared_reader_does() {
        let line = r#"{"event":"warning","message":"m","extra":[1,2]}"#;
        assert_eq!(
            parse(line),
            Ok(PushEvent::Warning {
                message: "m".into()
            })
        );
        assert_eq!(parse(line).ok(), PushEvent::from_ndjson(line).ok());
    }
}
