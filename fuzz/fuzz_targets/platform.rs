//! Platforms are typed in (`linux/arm/v7`, `windows/amd64:10.0.17763`): any
//! text parses or is an error, and what parses prints back to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::platform::Platform;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(platform) = Platform::parse(text) {
        let shown = platform.to_string();
        let again = Platform::parse(&shown)
            .unwrap_or_else(|e| panic!("{shown:?} (from {text:?}) does not parse: {e}"));
        assert_eq!(again, platform, "from {text:?}");
        let _ = platform.validate_known();
    }
});
