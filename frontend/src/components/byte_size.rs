//! A size as registries and `docker` print it (1000-based units), the exact
//! byte count on hover.

use leptos::prelude::*;
use shared::size::human_size;

#[component]
pub fn ByteSize(bytes: u64) -> impl IntoView {
    view! {
        <span class="size" title=exact(bytes)>
            {human_size(bytes)}
        </span>
    }
}

/// `1,234,567 bytes`: digit groups make a long count readable.
fn exact(bytes: u64) -> String {
    let digits = bytes.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 6);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out.push_str(if bytes == 1 { " byte" } else { " bytes" });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_groups_thousands() {
        assert_eq!(exact(1), "1 byte");
        assert_eq!(exact(999), "999 bytes");
        assert_eq!(exact(1000), "1,000 bytes");
        assert_eq!(exact(1_234_567), "1,234,567 bytes");
    }
}
