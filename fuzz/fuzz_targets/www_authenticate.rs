//! `WWW-Authenticate` comes from whatever answers as a registry: any header
//! value parses to challenges or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use proxy::registry::auth::challenge::parse_challenges;

fuzz_target!(|data: &[u8]| {
    // Header values are bytes; the proxy only parses those that are text.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(challenges) = parse_challenges(text) {
        assert!(!challenges.is_empty(), "Ok(empty) for {text:?}");
        for c in &challenges {
            assert_eq!(c.scheme, c.scheme.to_ascii_lowercase());
        }
    }
});
