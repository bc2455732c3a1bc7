//! The inspection model the page renders: what a person needs at a glance,
//! derived from an `InspectResponse` (is it multi-platform, which platforms,
//! how big is each).

use crate::api::{EntryView, InspectResponse};
use crate::descriptor::Descriptor;

/// Sum of the layer sizes (compressed, as stored in the registry).
pub fn total_layer_size(layers: &[Descriptor]) -> u64 {
    layers.iter().map(|l| l.size).sum()
}

/// True for an index / manifest list.
pub fn is_multi_platform(r: &InspectResponse) -> bool {
    r.manifests.is_some()
}

/// Is this entry an attestation manifest (BuildKit's `unknown/unknown` with
/// `vnd.docker.reference.type: attestation-manifest`)?
pub fn is_attestation(_e: &EntryView) -> bool {
    todo!()
}

/// The platforms of an index as display strings (`linux/arm/v7`), in index
/// order, attestations left out; for a single image, its config's platform.
pub fn platform_list(_r: &InspectResponse) -> Vec<String> {
    todo!()
}
