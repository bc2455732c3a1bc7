//! Byte counts for people: registries and `docker` report sizes in 1000-based
//! units (`12.3 MB`), so the page does too, to match what users compare with.

const UNITS: [&str; 6] = ["kB", "MB", "GB", "TB", "PB", "EB"];

/// `0 B`, `999 B`, `1.0 kB`, `12.3 MB`: one decimal, 1000-based units,
/// rounded half up, never `1000.0` of a unit.
pub fn human_size(bytes: u64) -> String {
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let bytes = u128::from(bytes);
    let mut divisor: u128 = 1000;
    for unit in UNITS {
        // Tenths of this unit, rounded half up, in integers to avoid float drift.
        let tenths = (bytes * 10 + divisor / 2) / divisor;
        if tenths < 10_000 || unit == "EB" {
            return format!("{}.{} {unit}", tenths / 10, tenths % 10);
        }
        divisor *= 1000;
    }
    unreachable!("the last unit always returns")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formats_with_1000_based_units() {
        assert_eq!(human_size(0), "0 B");
        assert_eq!(human_size(999), "999 B");
        assert_eq!(human_size(1000), "1.0 kB");
        assert_eq!(human_size(1049), "1.0 kB");
        assert_eq!(human_size(1050), "1.1 kB");
        assert_eq!(human_size(12_345_678), "12.3 MB");
        assert_eq!(human_size(3_374_563), "3.4 MB");
        assert_eq!(human_size(1_718_332_879), "1.7 GB");
        assert_eq!(human_size(u64::MAX), "18.4 EB");
    }

    #[test]
    fn rounding_moves_to_the_next_unit() {
        assert_eq!(human_size(999_949), "999.9 kB");
        assert_eq!(human_size(999_950), "1.0 MB");
        assert_eq!(human_size(999_999_999), "1.0 GB");
    }

    proptest! {
        #[test]
        fn never_panics_and_stays_short(n in any::<u64>()) {
            let s = human_size(n);
            prop_assert!(s.len() <= 8, "{}", s);
            let number: f64 = s.split(' ').next().unwrap().parse().unwrap();
            prop_assert!(number < 1000.0, "{}", s);
        }
    }
}
