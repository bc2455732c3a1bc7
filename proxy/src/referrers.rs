//! The referrers of a manifest: artifacts (signatures, SBOMs, attestations)
//! whose `subject` is it.
//!
//! Registries implementing OCI distribution 1.1 answer
//! `GET /v2/<name>/referrers/<digest>` with an index of descriptors. Older
//! ones (distribution 2.8 answers 404 there) have only what clients such as
//! oras and cosign keep up to date by hand: an index tagged `sha256-<hex>`
//! (the referrers tag schema). Both are read the same way; the answer says
//! which one was used.
//!
//! The API may answer in pages (`Link: <...>; rel="next"`): pages are
//! followed on the registry's own origin only, up to
//! `OperationSettings::max_referrer_pages`, and a referrer listed twice is
//! kept once.

use std::collections::HashSet;

use shared::api::{ReferrersResponse, ReferrersSource, referrers_tag};
use shared::credentials::Credential;
use shared::descriptor::Descriptor;
use shared::manifest::{Manifest, ManifestBody};
use shared::reference::Reference;

use registry::{FetchBudget, FetchedManifest, RegistryClient, RegistryError};

use crate::config::OperationSettings;
use crate::error::ProxyError;

/// The referrers of `reference` (which must name a digest). A registry that
/// links on past `max_referrer_pages` pages, or lists more than
/// `max_referrers`, is cut off with an error rather than followed.
pub async fn referrers(
    client: &RegistryClient,
    settings: &OperationSettings,
    reference: &Reference,
    credential: Option<Credential>,
) -> Result<ReferrersResponse, ProxyError> {
    let Some(subject) = reference.digest().cloned() else {
        return Err(ProxyError::NeedsDigest {
            reference: reference.to_string(),
            registry: reference.registry().to_string(),
            repository: reference.repository().to_string(),
        });
    };
    let (max_pages, max_referrers) = (settings.max_referrer_pages, settings.max_referrers);
    // Pages are read one by one and dropped, but a registry can send
    // `max_referrer_pages` of them at the manifest cap each.
    let repo = client
        .repository(reference, credential)
        .await?
        .with_budget(FetchBudget::new(settings.max_fetched_bytes));
    let normalized = format!("{}@{subject}", repo.name());
    let answer = |source, referrers| ReferrersResponse {
        reference: normalized.clone(),
        subject: subject.clone(),
        source,
        referrers,
    };
    let what = format!("the referrers list of {normalized}");
    if let Some(mut page) = repo.get_referrers(&subject, None).await? {
        let mut all: Vec<Descriptor> = Vec::new();
        let mut seen = HashSet::new();
        for read in 1.. {
            for d in descriptors(&what, page.fetched)? {
                if seen.insert(d.digest.clone()) {
                    all.push(d);
                }
            }
            if all.len() > max_referrers {
                return Err(RegistryError::protocol(
                    reference.registry(),
                    &what,
                    format!("it lists more than {max_referrers} referrers; not read further"),
                )
                .into());
            }
            let Some(next) = page.next else { break };
            if read == max_pages {
                return Err(RegistryError::protocol(
                    reference.registry(),
                    &what,
                    format!("it links on past {max_pages} pages; not followed further"),
                )
                .into());
            }
            // Only a first page can be missing (no API); a later 404 is an error.
            match repo.get_referrers(&subject, Some(&next)).await? {
                Some(next) => page = next,
                None => break,
            }
        }
        return Ok(answer(ReferrersSource::Api, all));
    }
    let tag = referrers_tag(&subject);
    let what = format!("the referrers index `{}:{tag}`", repo.name());
    match repo.get_manifest(&tag).await {
        Ok(fetched) => {
            if let Some(claimed) = &fetched.docker_content_digest {
                claimed
                    .verify(&fetched.bytes)
                    .map_err(|e| RegistryError::BadManifest {
                        what: format!("{what} (Docker-Content-Digest)"),
                        detail: e.to_string(),
                    })?;
            }
            Ok(answer(
                ReferrersSource::TagSchema,
                descriptors(&what, fetched)?,
            ))
        }
        Err(RegistryError::NotFound { .. }) => Ok(answer(ReferrersSource::None, Vec::new())),
        Err(e) => Err(e.into()),
    }
}

/// The entries of a referrers index.
fn descriptors(what: &str, fetched: FetchedManifest) -> Result<Vec<Descriptor>, RegistryError> {
    let manifest = Manifest::parse(fetched.bytes.to_vec(), fetched.content_type.as_deref())
        .map_err(|e| RegistryError::BadManifest {
            what: what.to_string(),
            detail: e.to_string(),
        })?;
    match manifest.body {
        ManifestBody::Index(index) => Ok(index.manifests),
        _ => Err(RegistryError::BadManifest {
            what: what.to_string(),
            detail: format!(
                "expected an OCI image index listing the referrers, but it is {} (`{}`)",
                shared::media_type::describe(&manifest.media_type),
                manifest.media_type
            ),
        }),
    }
}
