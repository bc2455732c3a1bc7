//! Tag listing, whole and in pages (`n`, then `last`).

use registry::probe::{PROBE_BODY_LIMIT, Probe};
use reqwest::Method;
use shared::check::content::{TAG_DOCKER, TAG_INDEX, TAG_LIST, TAG_NESTED, TAG_OCI};
use shared::check::{Exchange, Verdict, verdict};

use super::Session;

/// The page size asked for.
const PAGE: usize = 2;

pub(super) async fn run(s: &mut Session<'_, '_>) {
    match paging(s).await {
        Ok((result, why)) => s.record("tag-list-paging", result, why),
        Err(e) => s.unanswered("tag-list-paging", e),
    }
}

async fn paging(s: &mut Session<'_, '_>) -> Result<(Verdict, String), String> {
    let whole = s.ask(Probe::at(Method::GET, "tags/list")).await?;
    // A repository with many tags lists more than a probe keeps: the
    // presence of the check's tags is then not judged.
    let all = if truncated(&whole) {
        None
    } else {
        match tags(&whole) {
            Ok(t) => Some(t),
            Err(e) => return Ok((Verdict::Fail, e)),
        }
    };
    let ours: Vec<&str> = s
        .manifests
        .iter()
        .filter_map(|m| m.tag.as_deref())
        .filter(|t| [TAG_DOCKER, TAG_OCI, TAG_LIST, TAG_INDEX, TAG_NESTED].contains(t))
        .collect();
    if let Some(all) = &all
        && let Some(missing) = ours.iter().find(|t| !all.iter().any(|a| a == *t))
    {
        return Ok((
            Verdict::Fail,
            format!(
                "the tag list lacks `{missing}`, pushed just before. {}",
                whole.describe(&[])
            ),
        ));
    }
    let first = s
        .ask(Probe::at(Method::GET, format!("tags/list?n={PAGE}")))
        .await?;
    if truncated(&first) {
        return Ok((
            Verdict::Unsupported,
            format!(
                "asked for n={PAGE}, got more tags than a probe keeps: the registry does not page tag lists. {}",
                first.describe(&["link"])
            ),
        ));
    }
    let first_tags = match tags(&first) {
        Ok(t) => t,
        Err(e) => return Ok((Verdict::Fail, e)),
    };
    let last = first_tags.last().cloned().unwrap_or_default();
    let second = s
        .ask(Probe::at(
            Method::GET,
            format!("tags/list?n={PAGE}&last={last}"),
        ))
        .await?;
    let second_tags = match tags(&second) {
        Ok(t) => t,
        Err(e) => return Ok((Verdict::Fail, e)),
    };
    let count = all.map_or_else(|| "many".to_string(), |a| a.len().to_string());
    let shown = format!(
        "{count} tags in all | {} -> {} | {} -> {}",
        first.describe(&["link"]),
        some(&first_tags),
        second.describe(&["link"]),
        some(&second_tags)
    );
    Ok(match verdict::paging(PAGE, &first_tags, &second_tags) {
        None => (
            Verdict::Pass,
            format!("pages of n={PAGE} continue after last. {shown}"),
        ),
        Some((result, problem)) => (result, format!("{problem}. {shown}")),
    })
}

/// Did the answer fill the probe's cap (so its end was cut off)?
fn truncated(answer: &Exchange) -> bool {
    answer.body.len() as u64 >= PROBE_BODY_LIMIT
}

/// The first few tags, for the report.
fn some(tags: &[String]) -> String {
    const SHOWN: usize = 4;
    let mut text = tags
        .iter()
        .take(SHOWN)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if tags.len() > SHOWN {
        text.push_str(&format!(", … ({} in all)", tags.len()));
    }
    format!("[{text}]")
}

fn tags(answer: &Exchange) -> Result<Vec<String>, String> {
    if answer.status != 200 {
        return Err(format!(
            "listing tags is answered 200. {}",
            answer.describe(&[])
        ));
    }
    verdict::tag_list(&answer.body).map_err(|e| format!("{e}. {}", answer.describe(&[])))
}
