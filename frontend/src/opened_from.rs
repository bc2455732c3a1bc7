//! A page opened by a link or script on another site does not look anything
//! up by itself: inspecting may make the proxy use its owner's saved
//! credentials (quota, prompts, what exists leaked by timing), and that must
//! take a person's action on this page. The proxy sees where a navigation
//! came from (`Sec-Fetch-Site`) and marks the HTML it answers
//! (`proxy/src/page.rs`); the page reads the mark once, at start, and the
//! inspect store holds the reference in the URL until Inspect is pressed.
//! The tags and compare pages hold their URL's lookup the same way; the
//! create page needs nothing: no URL makes it plan or push.

use shared::Reference;
use shared::api::OPENED_FROM_META;

/// Whether the proxy marked this page as opened from another site.
pub fn from_another_site() -> bool {
    leptos::prelude::document()
        .query_selector(&format!(r#"meta[name="{OPENED_FROM_META}"]"#))
        .is_ok_and(|found| found.is_some())
}

/// What the page says instead of inspecting `reference` by itself.
pub fn held_notice(reference: &str) -> String {
    let credentials = match Reference::parse(reference) {
        Ok(r) => format!(
            " It may use this proxy's saved credentials for {}.",
            r.registry()
        ),
        Err(_) => String::new(),
    };
    format!(
        "Opened from another site: nothing was looked up yet. Inspect {reference}?{credentials}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_notice_names_the_reference_and_whose_credentials() {
        assert_eq!(
            held_notice("127.0.0.1:5000/private/app:1"),
            "Opened from another site: nothing was looked up yet. Inspect \
             127.0.0.1:5000/private/app:1? It may use this proxy's saved credentials \
             for 127.0.0.1:5000."
        );
        assert!(held_notice("alpine").ends_with("saved credentials for docker.io."));
        // Not a reference: nothing to say about credentials (inspecting it
        // would only be refused).
        assert_eq!(
            held_notice("Not A Ref"),
            "Opened from another site: nothing was looked up yet. Inspect Not A Ref?"
        );
    }
}
