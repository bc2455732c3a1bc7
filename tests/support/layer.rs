//! Layer tarballs that look like real ones (a gzipped tar with files) but are
//! made from a seed, so the same test always pushes the same bytes and two
//! images never share a layer by accident.

use std::io::Write;

use flate2::Compression;
use flate2::write::GzEncoder;
use rand_pcg::Pcg64;
use rand_pcg::rand_core::{Rng, SeedableRng};
use shared::digest::Digest;

use crate::blob::Blob;

/// A fixed mtime for every file: 2024-01-01T00:00:00Z.
const MTIME: u64 = 1_704_067_200;

/// A built layer: the compressed blob and the digest of the uncompressed tar
/// (the `diff_id` that goes into the image config's `rootfs`).
#[derive(Debug, Clone)]
pub struct Layer {
    pub blob: Blob,
    pub diff_id: Digest,
}

/// A gzipped tar holding a small text file naming the layer and `size`
/// seeded-random bytes. Same `(seed, index, size)`, same bytes.
pub fn seeded_layer(media_type: &str, seed: u64, index: usize, size: usize) -> Layer {
    let mut rng = Pcg64::seed_from_u64(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ index as u64);
    let mut random = vec![0u8; size];
    rng.fill_bytes(&mut random);
    let note = format!("manifest-web test layer {index} of image seed {seed}\n");

    let mut tar = tar::Builder::new(Vec::new());
    append_file(
        &mut tar,
        &format!("etc/manifest-web/layer-{index}.txt"),
        note.as_bytes(),
    );
    append_file(&mut tar, &format!("opt/data/{seed}-{index}.bin"), &random);
    let tar_bytes = tar
        .into_inner()
        .expect("writing a tar into memory cannot fail");

    // GzEncoder writes mtime 0 and no file name: deterministic output.
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    gz.write_all(&tar_bytes)
        .expect("compressing into memory cannot fail");
    let compressed = gz.finish().expect("compressing into memory cannot fail");

    Layer {
        blob: Blob::new(media_type, compressed),
        diff_id: Digest::sha256(&tar_bytes),
    }
}

fn append_file(tar: &mut tar::Builder<Vec<u8>>, path: &str, contents: &[u8]) {
    let mut header = tar::Header::new_ustar();
    header.set_size(contents.len() as u64);
    header.set_mode(0o644);
    header.set_mtime(MTIME);
    header.set_uid(0);
    header.set_gid(0);
    header.set_entry_type(tar::EntryType::Regular);
    tar.append_data(&mut header, path, contents)
        .expect("test paths are short relative paths");
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        let a = seeded_layer("t", 7, 0, 512);
        let b = seeded_layer("t", 7, 0, 512);
        let c = seeded_layer("t", 8, 0, 512);
        let d = seeded_layer("t", 7, 1, 512);
        assert_eq!(a.blob, b.blob);
        assert_ne!(a.blob.digest, c.blob.digest);
        assert_ne!(a.blob.digest, d.blob.digest);
    }

    #[test]
    fn diff_id_is_the_digest_of_the_uncompressed_tar() {
        let layer = seeded_layer("t", 3, 2, 1000);
        let mut tar_bytes = Vec::new();
        flate2::read::GzDecoder::new(layer.blob.bytes.as_slice())
            .read_to_end(&mut tar_bytes)
            .unwrap();
        assert_eq!(Digest::sha256(&tar_bytes), layer.diff_id);
        let mut archive = tar::Archive::new(tar_bytes.as_slice());
        let sizes: Vec<u64> = archive
            .entries()
            .unwrap()
            .map(|e| e.unwrap().header().size().unwrap())
            .collect();
        assert_eq!(sizes.len(), 2);
        assert_eq!(sizes[1], 1000);
    }
}
