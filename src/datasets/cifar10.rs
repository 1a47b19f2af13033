//! CIFAR-10 (binary version) and its offline fallback, Fashion-MNIST padded
//! to 3×32×32.

use std::io::Read;
use std::path::Path;

use crate::data::Dataset;
use crate::datasets::error::DataError;
use crate::datasets::idx::{check_dir, open};
use crate::datasets::image_set::{ImageDataset, Split};
use crate::datasets::mnist::FashionMnist;
use crate::datasets::{CIFAR10_FALLBACK_MEAN, CIFAR10_FALLBACK_STD, CIFAR10_MEAN, CIFAR10_STD};

const CIFAR_HINT: &str = "Run `scripts/setup.sh cifar` on a machine with network access, \
or use `Cifar10::load_or_fallback` to work with Fashion-MNIST instead";

/// Bytes per record: the label, then 1024 red, 1024 green and 1024 blue values.
const RECORD: usize = 1 + 3 * 32 * 32;

/// CIFAR-10 (course 10.3): 50 000 training and 10 000 test colour images of
/// 32×32 in 10 classes, from the binary version of the archive
/// (`data_batch_1.bin` … `data_batch_5.bin`, `test_batch.bin`), which
/// `scripts/setup.sh cifar` downloads and verifies into [`Cifar10::DEFAULT_DIR`].
///
/// Without network access, [`Cifar10::load_or_fallback`] gives Fashion-MNIST
/// shaped like CIFAR-10 instead.
///
/// ```
/// use apprentissage::prelude::*;
/// # let dir = apprentissage::datasets::fixtures::TempDir::new("doc-cifar");
/// # apprentissage::datasets::fixtures::write_cifar10(dir.path(), 3).unwrap();
/// # let cifar_dir = dir.path();
/// let train_set = Cifar10::load(cifar_dir, Split::Train)?
///     .transform(compose![ToTensor, Normalize::new(CIFAR10_MEAN, CIFAR10_STD)]);
/// let (image, label) = train_set.sample(0);
/// assert_eq!(image.shape(), vec![3, 32, 32]);
/// println!("a {}", train_set.classes()[label]);
/// # Ok::<(), DataError>(())
/// ```
pub struct Cifar10;

impl Cifar10 {
    /// Where `scripts/setup.sh cifar` puts the files, relative to the repository.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let _ = Cifar10::load(Cifar10::DEFAULT_DIR, Split::Test); // run from the repository
    /// ```
    pub const DEFAULT_DIR: &'static str = "data/cifar-10-batches-bin";

    /// The class names, as in torchvision (the course's "avion, voiture,
    /// oiseau, chat, daim, chien, grenouille, cheval, navire et camion").
    ///
    /// ```
    /// assert_eq!(apprentissage::prelude::Cifar10::CLASSES[3], "cat");
    /// ```
    pub const CLASSES: [&'static str; 10] = [
        "airplane",
        "automobile",
        "bird",
        "cat",
        "deer",
        "dog",
        "frog",
        "horse",
        "ship",
        "truck",
    ];

    /// The files of a split.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// assert_eq!(Cifar10::files(Split::Test), vec!["test_batch.bin"]);
    /// assert_eq!(Cifar10::files(Split::Train).len(), 5);
    /// ```
    pub fn files(split: Split) -> Vec<&'static str> {
        match split {
            Split::Train => vec![
                "data_batch_1.bin",
                "data_batch_2.bin",
                "data_batch_3.bin",
                "data_batch_4.bin",
                "data_batch_5.bin",
            ],
            Split::Test => vec!["test_batch.bin"],
        }
    }

    /// Reads a split from the binary batches in `dir`. A missing file, a file
    /// whose size is not a whole number of records, or a label above 9 is an
    /// error naming the file.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// match Cifar10::load("data/cifar-10-batches-bin", Split::Test) {
    ///     Ok(test_set) => assert_eq!(test_set.len(), 10_000),
    ///     Err(e) => println!("{e}"),
    /// }
    /// ```
    pub fn load(dir: impl AsRef<Path>, split: Split) -> Result<ImageDataset, DataError> {
        let dir = dir.as_ref();
        check_dir(dir, CIFAR_HINT)?;
        let files = Cifar10::files(split);
        // Open everything first: a missing file is reported before any reading.
        let mut opened = Vec::with_capacity(files.len());
        let mut total = 0u64;
        for name in &files {
            let path = dir.join(name);
            let file = open(&path, CIFAR_HINT)?;
            let len = file
                .metadata()
                .map_err(|source| DataError::Io {
                    path: path.clone(),
                    source,
                    hint: CIFAR_HINT,
                })?
                .len();
            if len == 0 || len % RECORD as u64 != 0 {
                let expected = if len == 0 {
                    10_000 * RECORD as u64
                } else {
                    len.div_ceil(RECORD as u64) * RECORD as u64
                };
                return Err(DataError::WrongSize {
                    path,
                    expected,
                    found: len,
                    hint: CIFAR_HINT,
                });
            }
            total += len;
            opened.push((path, file, len));
        }
        let n = (total / RECORD as u64) as usize;
        let mut pixels = Vec::with_capacity(n * (RECORD - 1));
        let mut labels = Vec::with_capacity(n);
        let mut buffer = Vec::new();
        for (path, mut file, len) in opened {
            buffer.clear();
            buffer.reserve(len as usize);
            let io_err = |source| DataError::Io {
                path: path.clone(),
                source,
                hint: CIFAR_HINT,
            };
            let got = file.read_to_end(&mut buffer).map_err(io_err)?;
            if got as u64 != len {
                return Err(DataError::WrongSize {
                    path,
                    expected: len,
                    found: got as u64,
                    hint: CIFAR_HINT,
                });
            }
            for (index, record) in buffer.chunks_exact(RECORD).enumerate() {
                let label = record[0] as usize;
                if label >= Cifar10::CLASSES.len() {
                    return Err(DataError::LabelOutOfRange {
                        path,
                        index,
                        label,
                        classes: Cifar10::CLASSES.len(),
                        hint: CIFAR_HINT,
                    });
                }
                labels.push(label);
                pixels.extend_from_slice(&record[1..]);
            }
        }
        Ok(
            ImageDataset::from_files("CIFAR10", dir, split, [3, 32, 32], pixels, labels)
                .with_classes(&Cifar10::CLASSES)
                .with_constants(&CIFAR10_MEAN, &CIFAR10_STD),
        )
    }

    /// CIFAR-10 from `dir` when its files are there; otherwise (no network
    /// when setting up) prints one line saying so and returns
    /// [`Cifar10::fallback`] read from [`FashionMnist::DEFAULT_DIR`]. A CIFAR
    /// file that is there but damaged is still an error.
    ///
    /// ```no_run
    /// use apprentissage::prelude::*;
    /// let train_set = Cifar10::load_or_fallback(Cifar10::DEFAULT_DIR, Split::Train)?;
    /// assert_eq!(train_set.image_shape(), [3, 32, 32]); // either way
    /// let trs = compose![ToTensor, train_set.normalize()]; // the right constants either way
    /// let train_set = train_set.transform(trs);
    /// # Ok::<(), DataError>(())
    /// ```
    pub fn load_or_fallback(
        dir: impl AsRef<Path>,
        split: Split,
    ) -> Result<ImageDataset, DataError> {
        Cifar10::load_or_fallback_from(dir, FashionMnist::DEFAULT_DIR, split)
    }

    /// [`Cifar10::load_or_fallback`] with Fashion-MNIST read from `fashion_dir`.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// # let dir = apprentissage::datasets::fixtures::TempDir::new("doc-fallback");
    /// # apprentissage::datasets::fixtures::write_mnist(dir.path(), Split::Test, 2, true).unwrap();
    /// # let fashion_dir = dir.path();
    /// // Prints "note: CIFAR-10 is not available (…); using the offline fallback: …"
    /// let test_set = Cifar10::load_or_fallback_from("/nonexistent/cifar", fashion_dir, Split::Test)?;
    /// assert_eq!(test_set.name(), "FashionMNIST");
    /// assert_eq!(test_set.image_shape(), [3, 32, 32]);
    /// # Ok::<(), DataError>(())
    /// ```
    pub fn load_or_fallback_from(
        dir: impl AsRef<Path>,
        fashion_dir: impl AsRef<Path>,
        split: Split,
    ) -> Result<ImageDataset, DataError> {
        match Cifar10::load(dir.as_ref(), split) {
            Err(missing) if missing.is_missing() => {
                println!(
                    "note: CIFAR-10 is not available ({} not found); using the offline fallback: Fashion-MNIST padded to 3×32×32 (to get CIFAR-10, run `scripts/setup.sh cifar` with network access)",
                    missing.path().display()
                );
                Cifar10::fallback(fashion_dir, split)
            }
            other => other,
        }
    }

    /// The offline stand-in for CIFAR-10: Fashion-MNIST from `fashion_dir`,
    /// each 28×28 image padded with 2 black pixels on every side to 32×32 and
    /// repeated in 3 channels, so that a network written for CIFAR-10
    /// (3×32×32 inputs, 10 classes) runs unchanged. Its `normalize()` gives
    /// its own constants ([`CIFAR10_FALLBACK_MEAN`], [`CIFAR10_FALLBACK_STD`]).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// # let dir = apprentissage::datasets::fixtures::TempDir::new("doc-fallback2");
    /// # apprentissage::datasets::fixtures::write_mnist(dir.path(), Split::Train, 2, true).unwrap();
    /// # let fashion_dir = dir.path();
    /// let train_set = Cifar10::fallback(fashion_dir, Split::Train)?;
    /// let image = train_set.data();
    /// assert_eq!(image.shape(), &[2, 3, 32, 32]);
    /// assert_eq!(image[[0, 0, 0, 0]], 0); // padding
    /// assert_eq!(image[[0, 0, 2, 2]], image[[0, 2, 2, 2]]); // same in every channel
    /// # Ok::<(), DataError>(())
    /// ```
    pub fn fallback(
        fashion_dir: impl AsRef<Path>,
        split: Split,
    ) -> Result<ImageDataset, DataError> {
        let fashion = FashionMnist::load(fashion_dir.as_ref(), split)?;
        let [_, h, w] = fashion.image_shape();
        let (pad_h, pad_w) = (32usize.saturating_sub(h) / 2, 32usize.saturating_sub(w) / 2);
        let (out_h, out_w) = (h + 2 * pad_h, w + 2 * pad_w);
        let plane = out_h * out_w;
        let mut pixels = vec![0u8; fashion.len() * 3 * plane];
        for (i, out) in pixels.chunks_exact_mut(3 * plane).enumerate() {
            let (image, _) = fashion.get(i);
            let (first, rest) = out.split_at_mut(plane);
            for (y, row) in image
                .outer_iter()
                .next()
                .expect("one channel")
                .outer_iter()
                .enumerate()
            {
                let start = (y + pad_h) * out_w + pad_w;
                for (dst, &p) in first[start..start + w].iter_mut().zip(row.iter()) {
                    *dst = p;
                }
            }
            rest[..plane].copy_from_slice(first);
            rest[plane..].copy_from_slice(first);
        }
        let root = fashion.root().expect("read from files").to_path_buf();
        let labels = fashion.targets().to_vec();
        Ok(ImageDataset::from_files(
            "FashionMNIST",
            &root,
            split,
            [3, out_h, out_w],
            pixels,
            labels,
        )
        .with_classes(&FashionMnist::CLASSES)
        .with_note(format!(
            "Padded to 3×{out_h}×{out_w}: offline fallback for CIFAR-10"
        ))
        .with_constants(&CIFAR10_FALLBACK_MEAN, &CIFAR10_FALLBACK_STD))
    }
}
