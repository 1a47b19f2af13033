//! Small fake dataset files, generated on the spot, for tests and examples
//! that must not need the real datasets (nor the network).
//!
//! ```
//! use apprentissage::prelude::*;
//! use apprentissage::datasets::fixtures::{fake_pixel, write_mnist, TempDir};
//! let dir = TempDir::new("example");
//! write_mnist(dir.path(), Split::Train, 3, true).unwrap(); // gzip-compressed
//! let ds = Mnist::load(dir.path(), Split::Train).unwrap();
//! assert_eq!(ds.len(), 3);
//! assert_eq!(ds.data()[[2, 0, 0, 5]], fake_pixel(2, 5));
//! ```

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use flate2::write::GzEncoder;
use flate2::Compression;

use crate::datasets::image_set::Split;

/// A fresh directory under the system's temporary directory, removed (with
/// its content) when dropped.
///
/// ```
/// use apprentissage::datasets::fixtures::TempDir;
/// let kept;
/// {
///     let dir = TempDir::new("demo");
///     std::fs::write(dir.path().join("f"), b"x").unwrap();
///     kept = dir.path().to_path_buf();
///     assert!(kept.is_dir());
/// }
/// assert!(!kept.exists());
/// ```
#[derive(Debug)]
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    /// Creates `<tmp>/apprentissage-<label>-<process>-<n>`. Panics if it cannot.
    ///
    /// ```
    /// let dir = apprentissage::datasets::fixtures::TempDir::new("new");
    /// assert!(dir.path().is_dir());
    /// ```
    pub fn new(label: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("apprentissage-{label}-{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&path);
        fs::create_dir_all(&path)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", path.display()));
        TempDir { path }
    }

    /// The directory.
    ///
    /// ```
    /// let dir = apprentissage::datasets::fixtures::TempDir::new("path");
    /// assert!(dir.path().starts_with(std::env::temp_dir()));
    /// ```
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.path);
    }
}

/// Value `k` of fake image `image`: varied, and easy to recompute in a test.
///
/// ```
/// assert_eq!(apprentissage::datasets::fixtures::fake_pixel(1, 2), 45);
/// ```
pub fn fake_pixel(image: usize, k: usize) -> u8 {
    ((image * 31 + k * 7) % 256) as u8
}

/// The label of fake item `i`: `i % 10`.
///
/// ```
/// assert_eq!(apprentissage::datasets::fixtures::fake_label(13), 3);
/// ```
pub fn fake_label(i: usize) -> u8 {
    (i % 10) as u8
}

/// An IDX file's bytes: magic `0x000008DD` with `DD = dims.len()`, the
/// dimensions (big-endian), then `data`.
///
/// ```
/// let bytes = apprentissage::datasets::fixtures::idx_bytes(&[2], &[7, 9]);
/// assert_eq!(bytes, vec![0, 0, 8, 1, 0, 0, 0, 2, 7, 9]);
/// ```
pub fn idx_bytes(dims: &[u32], data: &[u8]) -> Vec<u8> {
    let mut bytes = vec![0, 0, 8, dims.len() as u8];
    for d in dims {
        bytes.extend_from_slice(&d.to_be_bytes());
    }
    bytes.extend_from_slice(data);
    bytes
}

/// Writes `bytes` to `path`, or gzip-compressed to `path.gz` when `gz`;
/// returns the path written.
///
/// ```
/// use apprentissage::datasets::fixtures::{write_file, TempDir};
/// let dir = TempDir::new("write");
/// let p = write_file(&dir.path().join("a"), b"hello", true).unwrap();
/// assert!(p.ends_with("a.gz"));
/// ```
pub fn write_file(path: &Path, bytes: &[u8], gz: bool) -> io::Result<PathBuf> {
    if !gz {
        fs::write(path, bytes)?;
        return Ok(path.to_path_buf());
    }
    let mut name = path.as_os_str().to_owned();
    name.push(".gz");
    let path = PathBuf::from(name);
    let mut encoder = GzEncoder::new(fs::File::create(&path)?, Compression::fast());
    encoder.write_all(bytes)?;
    encoder.finish()?.sync_all()?;
    Ok(path)
}

/// Writes a fake MNIST split of `n` images 28×28 into `dir` (the two IDX
/// files of the split, gzip-compressed when `gz`), with pixels
/// [`fake_pixel`] and labels [`fake_label`].
///
/// ```
/// use apprentissage::prelude::*;
/// use apprentissage::datasets::fixtures::{write_mnist, TempDir};
/// let dir = TempDir::new("mnist");
/// write_mnist(dir.path(), Split::Test, 2, false).unwrap();
/// assert!(dir.path().join("t10k-images-idx3-ubyte").is_file());
/// ```
pub fn write_mnist(dir: &Path, split: Split, n: usize, gz: bool) -> io::Result<()> {
    let (images, labels) = match split {
        Split::Train => ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
        Split::Test => ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
    };
    let pixels: Vec<u8> = (0..n)
        .flat_map(|i| (0..784).map(move |k| fake_pixel(i, k)))
        .collect();
    let targets: Vec<u8> = (0..n).map(fake_label).collect();
    write_file(
        &dir.join(images),
        &idx_bytes(&[n as u32, 28, 28], &pixels),
        gz,
    )?;
    write_file(&dir.join(labels), &idx_bytes(&[n as u32], &targets), gz)?;
    Ok(())
}

/// The bytes of a fake CIFAR-10 batch: `n` records, item `i` having label
/// [`fake_label`]`(first + i)` and pixels [`fake_pixel`]`(first + i, k)`.
///
/// ```
/// let bytes = apprentissage::datasets::fixtures::cifar_batch_bytes(0, 2);
/// assert_eq!(bytes.len(), 2 * 3073);
/// ```
pub fn cifar_batch_bytes(first: usize, n: usize) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(n * 3073);
    for i in first..first + n {
        bytes.push(fake_label(i));
        bytes.extend((0..3072).map(|k| fake_pixel(i, k)));
    }
    bytes
}

/// Writes the six files of a fake CIFAR-10 (binary version) into `dir`, with
/// `n` records per file, numbered across the training files.
///
/// ```
/// use apprentissage::prelude::*;
/// use apprentissage::datasets::fixtures::{write_cifar10, TempDir};
/// let dir = TempDir::new("cifar");
/// write_cifar10(dir.path(), 2).unwrap();
/// assert_eq!(Cifar10::load(dir.path(), Split::Train).unwrap().len(), 10);
/// ```
pub fn write_cifar10(dir: &Path, n: usize) -> io::Result<()> {
    for (b, name) in crate::datasets::Cifar10::files(Split::Train)
        .iter()
        .enumerate()
    {
        fs::write(dir.join(name), cifar_batch_bytes(b * n, n))?;
    }
    fs::write(dir.join("test_batch.bin"), cifar_batch_bytes(0, n))
}
