//! Push specs arrive as JSON bodies from any client: any text parses and
//! validates to a spec or an error, never a panic (the scalar-as-text pass
//! walks whatever shape it is given).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(spec) = shared::spec::parse_json(text) {
        let _ = spec.validate();
    }
});
