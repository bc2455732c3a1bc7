//! What an attestation manifest or a referrer artifact says: its layers
//! fetched through the one request path (`Repository::get_blob_verified`:
//! capped, digest-checked, counted against the operation's budget) and read
//! by `shared::statement`. A layer larger than [`MAX_DOCUMENT_BYTES`] is not
//! fetched at all and the answer says so; signatures (cosign, Notation) are
//! named as what they are, their blobs not read (nothing is verified here).

use std::collections::HashMap;

use shared::api::{AttestationDocument, AttestationResponse};
use shared::attestation::REFERENCE_DIGEST;
use shared::credentials::Credential;
use shared::descriptor::Descriptor;
use shared::digest::Digest;
use shared::manifest::ManifestBody;
use shared::reference::Reference;
use shared::statement::{IN_TOTO_MEDIA_TYPE, PREDICATE_TYPE_ANNOTATION, read_document};

use registry::{FetchBudget, RegistryClient, RegistryError};

use crate::config::OperationSettings;
use crate::error::ProxyError;

/// The largest document fetched and read (an SBOM of a big image is tens of
/// MB; larger ones are named, not rendered).
pub const MAX_DOCUMENT_BYTES: u64 = 16 * 1024 * 1024;
/// Layers read per manifest (buildx writes one per predicate).
pub const MAX_DOCUMENTS: usize = 16;

/// Media types of the documents read (besides in-toto statements).
const DOCUMENT_TYPES: [&str; 5] = [
    IN_TOTO_MEDIA_TYPE,
    "application/spdx+json",
    "application/vnd.cyclonedx+json",
    "application/vnd.syft+json",
    "application/json",
];

/// What `reference` (by digest) says.
pub async fn attestation(
    client: &RegistryClient,
    settings: &OperationSettings,
    reference: &Reference,
    credential: Option<Credential>,
) -> Result<AttestationResponse, ProxyError> {
    let Some(digest) = reference.digest().cloned() else {
        return Err(ProxyError::NeedsDigest {
            reference: reference.to_string(),
            registry: reference.registry().to_string(),
            repository: reference.repository().to_string(),
        });
    };
    let repo = client
        .repository(reference, credential)
        .await?
        .with_budget(FetchBudget::new(settings.max_fetched_bytes));
    let manifest = crate::fetch::root(&repo, reference).await?;
    let reference_text = format!("{}@{digest}", repo.name());
    let ManifestBody::Image(image) = manifest.body else {
        return Err(RegistryError::BadManifest {
            what: reference_text,
            detail: format!(
                "an attestation or artifact is an image manifest, but this is {} (`{}`)",
                shared::media_type::describe(&manifest.media_type),
                manifest.media_type
            ),
        }
        .into());
    };
    let artifact_type = image
        .artifact_type
        .clone()
        .or_else(|| Some(image.config.media_type.clone()))
        .filter(|t| !is_plain_config(t));
    let signature = signature_kind(artifact_type.as_deref(), &image.layers);
    let subject = image
        .subject
        .as_ref()
        .map(|s| s.digest.clone())
        .or_else(|| {
            image
                .annotations
                .get(REFERENCE_DIGEST)
                .and_then(|d| d.parse::<Digest>().ok())
        });
    let mut documents = Vec::new();
    // A layer listed twice is fetched once.
    let mut read: HashMap<Digest, AttestationDocument> = HashMap::new();
    for (i, layer) in image.layers.iter().enumerate() {
        let mut document = AttestationDocument {
            digest: layer.digest.clone(),
            media_type: layer.media_type.clone(),
            size: layer.size,
            predicate_type: layer.annotations.get(PREDICATE_TYPE_ANNOTATION).cloned(),
            view: None,
            skipped: None,
        };
        if let Some(done) = read.get(&layer.digest) {
            document.view = done.view.clone();
            document.skipped = done.skipped.clone();
        } else if i >= MAX_DOCUMENTS {
            document.skipped = Some(format!("only the first {MAX_DOCUMENTS} layers are read"));
        } else if signature.is_some() {
            document.skipped = Some("a signature: shown as what it is, not verified".into());
        } else if !is_document(layer) {
            document.skipped = Some(format!(
                "`{}` is not a document this page reads (in-toto, SPDX or CycloneDX JSON)",
                layer.media_type
            ));
        } else if layer.size > MAX_DOCUMENT_BYTES {
            document.skipped = Some(format!(
                "too large to render: {} bytes, and documents are read up to {} MiB",
                layer.size,
                MAX_DOCUMENT_BYTES / (1024 * 1024)
            ));
        } else {
            match repo.get_blob_verified(&layer.digest, layer.size).await {
                Ok(bytes) => document.view = Some(read_document(&bytes)),
                Err(e @ RegistryError::TooLarge { .. }) => {
                    document.skipped = Some(format!("too large to render: {e}"))
                }
                Err(e) if is_own_fault(&e) => return Err(e.into()),
                Err(e) => document.skipped = Some(ProxyError::from(e).to_string()),
            }
            read.insert(layer.digest.clone(), document.clone());
        }
        documents.push(document);
    }
    Ok(AttestationResponse {
        reference: reference_text,
        digest,
        artifact_type,
        subject,
        signature,
        documents,
    })
}

/// An image's own config type: not an artifact type worth showing.
fn is_plain_config(media_type: &str) -> bool {
    matches!(
        media_type,
        shared::media_type::OCI_CONFIG | shared::media_type::DOCKER_CONFIG
    )
}

fn is_document(layer: &Descriptor) -> bool {
    layer.annotations.contains_key(PREDICATE_TYPE_ANNOTATION)
        || DOCUMENT_TYPES.contains(&layer.media_type.as_str())
}

/// A signature, by what cosign and Notation write: cosign's simple signing
/// layers (`.sig` tags) or its bundle artifact type, Notation's signature
/// artifact type.
fn signature_kind(artifact_type: Option<&str>, layers: &[Descriptor]) -> Option<String> {
    let cosign_layer = layers.iter().any(|l| {
        l.media_type == "application/vnd.dev.cosign.simplesigning.v1+json"
            || l.annotations
                .contains_key("dev.cosignproject.cosign/signature")
    });
    match artifact_type {
        Some("application/vnd.cncf.notary.signature") => {
            Some("Notation signature (not verified)".into())
        }
        Some(t) if t.starts_with("application/vnd.dev.sigstore.bundle") => {
            Some("Sigstore bundle (cosign; not verified)".into())
        }
        _ if cosign_layer => Some("cosign signature (not verified)".into()),
        _ => None,
    }
}

/// Failures that end the whole answer (the registry refused us, or the
/// budget is spent), as opposed to one layer that could not be read.
fn is_own_fault(e: &RegistryError) -> bool {
    matches!(
        e,
        RegistryError::Unauthorized { .. } | RegistryError::Denied { .. }
    )
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn layer(media_type: &str, annotations: &[(&str, &str)]) -> Descriptor {
        Descriptor {
            media_type: media_type.into(),
            digest: Digest::sha256(b"l"),
            size: 1,
            urls: Vec::new(),
            annotations: annotations
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>(),
            platform: None,
            artifact_type: None,
        }
    }

    #[test]
    fn signatures_are_named_and_documents_told_apart() {
        let cosign = layer(
            "application/vnd.dev.cosign.simplesigning.v1+json",
            &[("dev.cosignproject.cosign/signature", "MEUC...")],
        );
        assert_eq!(
            signature_kind(None, &[cosign]).as_deref(),
            Some("cosign signature (not verified)")
        );
        assert!(
            signature_kind(Some("application/vnd.cncf.notary.signature"), &[])
                .unwrap()
                .starts_with("Notation")
        );
        let in_toto = layer(
            IN_TOTO_MEDIA_TYPE,
            &[(PREDICATE_TYPE_ANNOTATION, "https://spdx.dev/Document")],
        );
        assert_eq!(signature_kind(None, std::slice::from_ref(&in_toto)), None);
        assert!(is_document(&in_toto));
        assert!(is_document(&layer("application/spdx+json", &[])));
        assert!(!is_document(&layer(
            "application/vnd.oci.image.layer.v1.tar+gzip",
            &[]
        )));
    }
}
