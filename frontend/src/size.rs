//! Byte sizes for people: registries store compressed layers whose exact byte
//! counts are unreadable at a glance, so tables show binary units and keep the
//! exact number in a tooltip.

/// `0 B`, `512 B`, `1.5 KiB`, `27.3 MiB`, `1.02 GiB`.
pub fn human(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    // About three significant digits.
    let text = if value >= 100.0 {
        format!("{value:.0}")
    } else if value >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    };
    format!("{text} {}", UNITS[unit])
}

/// `1,234,567 bytes`.
pub fn exact(bytes: u64) -> String {
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
    fn small_sizes_are_bytes() {
        assert_eq!(human(0), "0 B");
        assert_eq!(human(1023), "1023 B");
    }

    #[test]
    fn larger_sizes_use_binary_units() {
        assert_eq!(human(1024), "1.00 KiB");
        assert_eq!(human(1536), "1.50 KiB");
        assert_eq!(human(10 * 1024 + 512), "10.5 KiB");
        assert_eq!(human(3 * 1024 * 1024), "3.00 MiB");
        assert_eq!(human(150 * 1024 * 1024 * 1024), "150 GiB");
        assert_eq!(human(u64::MAX), "16.0 EiB");
    }

    #[test]
    fn exact_groups_thousands() {
        assert_eq!(exact(1), "1 byte");
        assert_eq!(exact(999), "999 bytes");
        assert_eq!(exact(1000), "1,000 bytes");
        assert_eq!(exact(1_234_567), "1,234,567 bytes");
    }
}
