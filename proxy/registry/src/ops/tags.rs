//! The tag list (`GET /v2/<name>/tags/list?n=N&last=TAG`), one page at a
//! time. Registries page it with `n`/`last` and point at the next page with
//! a `Link` header; like the referrers API's, that link is followed on the
//! registry's own origin only (it is sent with the registry's credentials).

use reqwest::{Method, Url};
use serde::Deserialize;

use super::TagsPage;
use crate::body;
use crate::error::RegistryError;
use crate::repository::Repository;
use crate::request::Outgoing;
use crate::retry;

/// A page of tags is a small JSON document; a registry that sends more is
/// cut off (a million 128-byte tags would be 128 MB).
pub const TAGS_PAGE_LIMIT: u64 = body::MANIFEST_LIMIT;

#[derive(Deserialize)]
struct TagList {
    /// distribution writes `null` for a repository without tags.
    #[serde(default)]
    tags: Option<Vec<String>>,
}

impl Repository<'_> {
    /// One page of the repository's tags. `page`: `None` for the first
    /// page (asked with `n` and `last` when given), else the previous
    /// page's `next`. Every tag must be a tag (`[\w][\w.-]{0,127}`): the
    /// list becomes links and references, so anything else is the
    /// registry's error.
    pub async fn list_tags(
        &self,
        n: Option<usize>,
        last: Option<&str>,
        page: Option<&Url>,
    ) -> Result<TagsPage, RegistryError> {
        let what = format!("the tag list of {}", self.name());
        let url = match page {
            Some(url) => url.clone(),
            None => {
                let mut url = self.url("tags/list")?;
                {
                    let mut query = url.query_pairs_mut();
                    if let Some(n) = n {
                        query.append_pair("n", &n.to_string());
                    }
                    if let Some(last) = last {
                        query.append_pair("last", last);
                    }
                }
                url
            }
        };
        let extras = Outgoing::accepting(Some("application/json"));
        let (bytes, link) = retry::rereading(&self.client.transport.retry, || async {
            let resp = self.send(Method::GET, url.clone(), &extras, &what).await?;
            let link = super::link_headers(resp.headers());
            let bytes = self.read_whole(resp, TAGS_PAGE_LIMIT, &what).await?;
            Ok((bytes, link))
        })
        .await?;
        let list: TagList = serde_json::from_slice(&bytes).map_err(|e| {
            RegistryError::protocol(
                &self.registry,
                &what,
                format!("it is not a tag list (`{{\"name\", \"tags\": [...]}}`): {e}"),
            )
        })?;
        let tags = list.tags.unwrap_or_default();
        if let Some(bad) = tags
            .iter()
            .find(|t| shared::reference::validate_tag(t).is_err())
        {
            let shown: String = bad.chars().take(100).collect();
            return Err(RegistryError::protocol(
                &self.registry,
                &what,
                format!("it lists `{shown}`, which is not a tag"),
            ));
        }
        let next = match shared::link_header::next_link(&link) {
            Some(target) => Some(self.same_origin_link(&url, target, &what)?),
            None => None,
        };
        Ok(TagsPage { tags, next })
    }
}
