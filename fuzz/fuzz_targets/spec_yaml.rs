//! manifest-tool YAML specs are pasted or uploaded: any text parses and
//! validates to a spec or a located error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = shared::spec::parse_and_validate_yaml(text);
});
