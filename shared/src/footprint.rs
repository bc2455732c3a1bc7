//! Where the bytes go: how much an image stores, counted the way a registry
//! stores it (a layer once per digest) and the way each platform pulls it.
//! For an index: each platform's compressed size, the total of its unique
//! layers, the bytes platforms share, and the largest layers; for a single
//! image: each layer's share. The inspect page shows it as numbers and bars.

use crate::api::InspectResponse;
use crate::digest::Digest;
use crate::platform_images::platform_images;

/// Layers listed among the largest.
pub const LARGEST: usize = 10;

/// The answer for one inspection.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Footprint {
    /// Each platform in index order (attestations left out).
    pub platforms: Vec<PlatformBytes>,
    /// What pulling every platform once would fetch (shared layers counted
    /// once per platform).
    pub sum_of_platforms: u64,
    /// What the registry stores: every distinct layer once.
    pub unique_bytes: u64,
    /// Bytes of the layers two or more platforms use (each layer once).
    pub shared_bytes: u64,
    /// The largest distinct layers, largest first (at most [`LARGEST`]);
    /// for a single image, every layer in order.
    pub layers: Vec<LayerBytes>,
    /// Platforms whose layers were not read (not counted above).
    pub unread: usize,
}

/// One platform's image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformBytes {
    pub platform: String,
    /// The sum of its layers (compressed); `None`: not read.
    pub bytes: Option<u64>,
    /// Of which in no other platform.
    pub own_bytes: u64,
}

/// One distinct layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerBytes {
    pub digest: Digest,
    pub size: u64,
    /// The platforms using it.
    pub platforms: Vec<String>,
    /// Its share of `unique_bytes`, in thousandths.
    pub permille: u32,
}

/// Where the bytes of `r` go.
pub fn footprint(r: &InspectResponse) -> Footprint {
    let images = platform_images(r);
    let single = images.len() == 1 && r.index().is_none();
    let mut out = Footprint::default();
    // Distinct layers in first-seen order, with who uses them.
    let mut layers: Vec<LayerBytes> = Vec::new();
    for image in &images {
        let Some(list) = image.layers else {
            out.unread += 1;
            continue;
        };
        out.sum_of_platforms += list.iter().map(|l| l.size).sum::<u64>();
        for l in list {
            match layers.iter_mut().find(|x| x.digest == l.digest) {
                Some(x) if !x.platforms.contains(&image.platform) => {
                    x.platforms.push(image.platform.clone())
                }
                Some(_) => {}
                None => layers.push(LayerBytes {
                    digest: l.digest.clone(),
                    size: l.size,
                    platforms: vec![image.platform.clone()],
                    permille: 0,
                }),
            }
        }
    }
    out.unique_bytes = layers.iter().map(|l| l.size).sum();
    out.shared_bytes = layers
        .iter()
        .filter(|l| l.platforms.len() > 1)
        .map(|l| l.size)
        .sum();
    for image in &images {
        let bytes = image.layers.map(|list| list.iter().map(|l| l.size).sum());
        let own_bytes = layers
            .iter()
            .filter(|l| l.platforms == [image.platform.clone()])
            .map(|l| l.size)
            .sum();
        out.platforms.push(PlatformBytes {
            platform: image.platform.clone(),
            bytes,
            own_bytes: if bytes.is_some() { own_bytes } else { 0 },
        });
    }
    for l in &mut layers {
        l.permille = permille(l.size, out.unique_bytes);
    }
    if !single {
        // Stable: equal sizes keep first-seen order.
        layers.sort_by_key(|l| std::cmp::Reverse(l.size));
        layers.truncate(LARGEST);
    }
    out.layers = layers;
    out
}

/// `part` of `whole` in thousandths (0 of nothing).
pub fn permille(part: u64, whole: u64) -> u32 {
    if whole == 0 {
        return 0;
    }
    ((part as u128 * 1000 + whole as u128 / 2) / whole as u128) as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::tests::{Img, config, image, index, layer};

    fn img<'a>(seed: &'a str, platform: &'a str, layers: &[(&str, u64)]) -> Img<'a> {
        Img {
            seed,
            platform,
            layers: layers.iter().map(|(s, n)| layer(s, *n)).collect(),
            config: config(platform, &[], &[], 0),
        }
    }

    #[test]
    fn an_index_counts_unique_shared_and_own_bytes() {
        let r = index(
            "i",
            &[
                img("amd", "linux/amd64", &[("base", 600), ("amd", 300)]),
                img("arm", "linux/arm64", &[("base", 600), ("arm", 250)]),
                img("ppc", "linux/ppc64le", &[("ppc", 900)]),
            ],
        );
        let f = footprint(&r);
        assert_eq!(f.sum_of_platforms, 900 + 850 + 900);
        assert_eq!(f.unique_bytes, 600 + 300 + 250 + 900);
        assert_eq!(f.shared_bytes, 600);
        let per: Vec<_> = f
            .platforms
            .iter()
            .map(|p| (p.platform.as_str(), p.bytes, p.own_bytes))
            .collect();
        assert_eq!(
            per,
            [
                ("linux/amd64", Some(900), 300),
                ("linux/arm64", Some(850), 250),
                ("linux/ppc64le", Some(900), 900),
            ]
        );
        let largest: Vec<_> = f
            .layers
            .iter()
            .map(|l| (l.size, l.platforms.len()))
            .collect();
        assert_eq!(largest, [(900, 1), (600, 2), (300, 1), (250, 1)]);
        assert_eq!(f.layers[1].permille, 293, "600 of 2050");
        assert_eq!(f.unread, 0);
    }

    #[test]
    fn a_single_image_lists_each_layer_share_in_order() {
        let r = image(&img(
            "one",
            "linux/amd64",
            &[("a", 250), ("b", 750), ("a", 250)],
        ));
        let f = footprint(&r);
        assert_eq!(f.unique_bytes, 1000);
        assert_eq!(
            f.sum_of_platforms, 1250,
            "a layer listed twice is pulled twice"
        );
        let shares: Vec<_> = f.layers.iter().map(|l| (l.size, l.permille)).collect();
        assert_eq!(shares, [(250, 250), (750, 750)]);
        assert_eq!(f.shared_bytes, 0);
    }

    #[test]
    fn largest_is_bounded_and_unread_platforms_are_counted_apart() {
        let many: Vec<(String, u64)> = (0..30).map(|i| (format!("l{i}"), i)).collect();
        let refs: Vec<(&str, u64)> = many.iter().map(|(s, n)| (s.as_str(), *n)).collect();
        let mut r = index(
            "i",
            &[
                img("amd", "linux/amd64", &refs),
                img("arm", "linux/arm64", &[]),
            ],
        );
        if let crate::api::Content::Index(i) = &mut r.content {
            let d = i.manifests[1].descriptor.digest.clone();
            i.children.remove(&d);
        }
        let f = footprint(&r);
        assert_eq!(f.layers.len(), LARGEST);
        assert_eq!(f.layers[0].size, 29);
        assert_eq!(f.unread, 1);
        assert_eq!(f.platforms[1].bytes, None);
        assert_eq!(permille(1, 0), 0);
        assert_eq!(permille(u64::MAX, u64::MAX), 1000);
    }
}
