//! The platforms badge: a small SVG for READMEs (`GET /api/v1/badge`).
//!
//! Written by hand, not with a template or an SVG crate: it is two boxes and
//! two texts, and every piece of text in it comes from a registry (an
//! `os.version` can hold anything), so each is escaped here, in one place.
//! An image listing hundreds of platforms would make a badge nobody can
//! read and an answer anyone can inflate: it shows the first
//! [`MAX_SHOWN`] platforms (each cut at [`MAX_CHARS`] characters) and how
//! many more there are.

/// Platforms shown before "+N more".
pub const MAX_SHOWN: usize = 8;
/// Characters of one platform shown before `…`.
pub const MAX_CHARS: usize = 48;
/// Separator between platforms.
pub const SEPARATOR: &str = " · ";

const LABEL: &str = "platforms";
/// Rough width of one character of 11px Verdana, as shields.io badges assume.
const CHAR_WIDTH: usize = 7;
const PADDING: usize = 10;

/// The text the badge shows after its label.
pub fn value_text(platforms: &[String]) -> String {
    if platforms.is_empty() {
        return "none".to_string();
    }
    let mut shown: Vec<String> = platforms
        .iter()
        .take(MAX_SHOWN)
        .map(|p| {
            if p.chars().count() > MAX_CHARS {
                let cut: String = p.chars().take(MAX_CHARS).collect();
                format!("{cut}…")
            } else {
                p.clone()
            }
        })
        .collect();
    if platforms.len() > MAX_SHOWN {
        shown.push(format!("+{} more", platforms.len() - MAX_SHOWN));
    }
    shown.join(SEPARATOR)
}

/// `s` as SVG (XML) text or attribute content.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters are not allowed in XML 1.0 text.
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// The badge listing `platforms`.
pub fn render(platforms: &[String]) -> String {
    let value = value_text(platforms);
    let label_width = LABEL.chars().count() * CHAR_WIDTH + PADDING;
    let value_width = value.chars().count() * CHAR_WIDTH + PADDING;
    let width = label_width + value_width;
    let label_x = label_width / 2;
    let value_x = label_width + value_width / 2;
    let title = escape(&format!("{LABEL}: {value}"));
    let value = escape(&value);
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" aria-label="{title}"><title>{title}</title><rect width="{label_width}" height="20" fill="#555"/><rect x="{label_width}" width="{value_width}" height="20" fill="#007ec6"/><g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11"><text x="{label_x}" y="14">{LABEL}</text><text x="{value_x}" y="14">{value}</text></g></svg>
"##
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn lists_the_platforms() {
        let svg = render(&list(&["linux/amd64", "linux/arm64"]));
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains(">platforms</text>"));
        assert!(svg.contains(">linux/amd64 · linux/arm64</text>"));
        assert!(svg.contains("<title>platforms: linux/amd64 · linux/arm64</title>"));
        assert!(!svg.contains("<script"));
        assert_eq!(value_text(&[]), "none");
    }

    #[test]
    fn registry_text_is_escaped() {
        let svg = render(&list(&[
            "windows/amd64:<script>alert(1)</script>",
            "a/b:\"'&\u{1}",
        ]));
        assert!(!svg.contains("<script"), "{svg}");
        assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(svg.contains("&quot;&apos;&amp;\u{FFFD}"));
    }

    #[test]
    fn long_lists_are_cut() {
        let many: Vec<String> = (0..20).map(|i| format!("linux/arch{i}")).collect();
        let text = value_text(&many);
        assert!(text.ends_with("linux/arch7 · +12 more"), "{text}");
        let long = "x".repeat(500);
        let text = value_text(&[long]);
        assert_eq!(text.chars().count(), MAX_CHARS + 1);
        assert!(text.ends_with('…'));
    }
}
