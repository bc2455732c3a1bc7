//! The tags of a repository, one answer of at most `n` of them.
//!
//! The registry decides how many tags a page of its own holds (distribution
//! honours `n`; others cap it lower or ignore it), so an answer may take
//! several of its pages: they are followed by their `Link` on the registry's
//! own origin, up to `OperationSettings::max_tag_pages`, and the answer's
//! `next` is always a tag (`last=` for the next answer), whatever the
//! registry's own links look like. A tag listed twice is kept once.

use std::collections::HashSet;

use shared::api::{MAX_TAGS_PER_PAGE, TagsResponse};
use shared::credentials::Credential;
use shared::reference::Reference;

use registry::{FetchBudget, RegistryClient, RegistryError};

use crate::config::OperationSettings;
use crate::error::ProxyError;

/// At most `n` tags of `repository` after `last` (the first when `None`).
pub async fn tags(
    client: &RegistryClient,
    settings: &OperationSettings,
    repository: &Reference,
    credential: Option<Credential>,
    n: usize,
    last: Option<&str>,
) -> Result<TagsResponse, ProxyError> {
    let want = n.clamp(1, MAX_TAGS_PER_PAGE);
    let repo = client
        .repository(repository, credential)
        .await?
        .with_budget(FetchBudget::new(settings.max_fetched_bytes));
    let what = format!("the tag list of {}", repo.name());
    let mut tags: Vec<String> = Vec::new();
    let mut seen = HashSet::new();
    let mut page = repo.list_tags(Some(want), last, None).await?;
    let mut more = false;
    for read in 1.. {
        for tag in page.tags {
            if tags.len() == want {
                more = true;
                break;
            }
            if seen.insert(tag.clone()) {
                tags.push(tag);
            }
        }
        let Some(next) = page.next else { break };
        if tags.len() == want || more {
            more = true;
            break;
        }
        if read == settings.max_tag_pages {
            if tags.is_empty() {
                return Err(RegistryError::protocol(
                    repository.registry(),
                    &what,
                    format!(
                        "it links on past {} pages without listing a tag; not followed further",
                        settings.max_tag_pages
                    ),
                )
                .into());
            }
            // The rest is the next answer's.
            more = true;
            break;
        }
        page = repo.list_tags(None, None, Some(&next)).await?;
    }
    let next = if more { tags.last().cloned() } else { None };
    Ok(TagsResponse {
        repository: repo.name(),
        tags,
        next,
        pointing: None,
    })
}
