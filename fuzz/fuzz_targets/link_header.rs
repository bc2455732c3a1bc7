//! `Link` headers come from registries, which may send anything: the
//! `rel="next"` finder returns a slice of its input or nothing, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(next) = shared::link_header::next_link(text) {
        assert!(text.contains(next));
    }
});
