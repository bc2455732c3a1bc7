//! A registry's error answer (status and body) is the registry's text, which
//! may be anything and any size: it becomes a typed error without a panic,
//! and the registry's own words in the message are capped
//! (`registry::refusal::MAX_DETAIL_BYTES`), however long the body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use proxy::registry::refusal::{ErrorContext, MAX_DETAIL_BYTES, map_registry_error};

fuzz_target!(|data: &[u8]| {
    let Some((&status, body)) = data.split_first() else {
        return;
    };
    // 400..=655: every 4xx and 5xx and a few beyond.
    let status = 400 + u16::from(status);
    let ctx = ErrorContext {
        registry: "registry.example",
        what: "manifest `registry.example/app:1`",
    };
    let message = map_registry_error(status, body, &ctx).to_string();
    let bound = ctx.registry.len() + ctx.what.len() + MAX_DETAIL_BYTES + 100;
    assert!(message.len() <= bound, "{} bytes", message.len());
});
