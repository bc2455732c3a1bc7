//! Manifests and image configs are bytes from a registry: they parse or are
//! an error, with any Content-Type, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::config::ImageConfig;
use shared::manifest::Manifest;
use shared::media_type;

const TYPES: [Option<&str>; 6] = [
    None,
    Some(media_type::OCI_INDEX),
    Some(media_type::OCI_MANIFEST),
    Some(media_type::DOCKER_MANIFEST_LIST),
    Some(media_type::DOCKER_MANIFEST),
    Some("application/vnd.docker.distribution.manifest.v1+prettyjws"),
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let content_type = TYPES[selector as usize % TYPES.len()];
    let _ = Manifest::parse(body.to_vec(), content_type);
    let _ = ImageConfig::parse(body);
});
