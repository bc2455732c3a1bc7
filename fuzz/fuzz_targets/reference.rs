//! Image references come from a text field: any text parses to a reference
//! or an error, and a parsed reference's normal form parses to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::reference::Reference;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(reference) = Reference::parse(text) {
        let normal = reference.to_string();
        let again = Reference::parse(&normal)
            .unwrap_or_else(|e| panic!("{normal:?} (from {text:?}) does not parse: {e}"));
        assert_eq!(again.to_string(), normal, "from {text:?}");
    }
});
