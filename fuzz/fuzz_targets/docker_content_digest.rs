//! A registry's `Docker-Content-Digest` header may be anything: it parses
//! to a digest or to an error (which the proxy reports, never ignores), never
//! a panic; a digest that parses prints back as the same digest.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(digest) = shared::Digest::parse(text.trim()) {
        let again = shared::Digest::parse(&digest.to_string()).expect("a printed digest parses");
        assert_eq!(again, digest);
    }
});
