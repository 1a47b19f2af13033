//! MNIST and Fashion-MNIST: four IDX files each (plain or `.gz`).

use std::path::Path;

use crate::datasets::error::DataError;
use crate::datasets::idx::{locate, read_idx};
use crate::datasets::image_set::{ImageDataset, Split};
use crate::datasets::{FASHION_MNIST_MEAN, FASHION_MNIST_STD, MNIST_MEAN, MNIST_STD};

const MNIST_HINT: &str =
    "Run `make data` (or `scripts/setup.sh mnist`) to download and verify MNIST";
const FASHION_HINT: &str =
    "Run `scripts/setup.sh fashion` (it installs the Debian package dataset-fashion-mnist)";

/// The names of the image and label files of a split, without `.gz`.
fn file_names(split: Split) -> (&'static str, &'static str) {
    match split {
        Split::Train => ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
        Split::Test => ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
    }
}

/// Reads a split of an MNIST-like dataset: grey images (N, H, W) and labels (N)
/// below `classes.len()`.
fn load_idx_pair(
    name: &str,
    dir: &Path,
    split: Split,
    classes: &[&str],
    hint: &'static str,
) -> Result<ImageDataset, DataError> {
    let (image_file, label_file) = file_names(split);
    let images = read_idx(&locate(dir, image_file, hint)?, 3, hint)?;
    let labels = read_idx(&locate(dir, label_file, hint)?, 1, hint)?;
    let (n_images, n_labels) = (images.dims[0], labels.dims[0]);
    if n_images != n_labels {
        return Err(DataError::CountMismatch {
            images: images.path,
            n_images,
            labels: labels.path,
            n_labels,
            hint,
        });
    }
    if let Some(index) = labels
        .data
        .iter()
        .position(|&l| l as usize >= classes.len())
    {
        return Err(DataError::LabelOutOfRange {
            path: labels.path,
            index,
            label: labels.data[index] as usize,
            classes: classes.len(),
            hint,
        });
    }
    let shape = [1, images.dims[1], images.dims[2]];
    let labels = labels.data.iter().map(|&l| l as usize).collect();
    Ok(
        ImageDataset::from_files(name, dir, split, shape, images.data, labels)
            .with_classes(classes),
    )
}

/// MNIST, the handwritten digits (course 8): 60 000 training and 10 000 test
/// grey images of 28×28, labels 0 to 9. `datasets.MNIST(root, train=…)`.
///
/// ```
/// use apprentissage::prelude::*;
/// # let dir = apprentissage::datasets::fixtures::TempDir::new("doc-mnist");
/// # apprentissage::datasets::fixtures::write_mnist(dir.path(), Split::Train, 5, false).unwrap();
/// # let data_mnist = dir.path();
/// let train_set = Mnist::load(data_mnist, Split::Train)?
///     .transform(compose![ToTensor, Normalize::new(MNIST_MEAN, MNIST_STD)]);
/// println!("{train_set}");
/// let (image, label) = train_set.sample(0);
/// assert_eq!(image.shape(), vec![1, 28, 28]);
/// assert!(label < 10);
/// # Ok::<(), DataError>(())
/// ```
pub struct Mnist;

impl Mnist {
    /// Where `make data` puts MNIST, relative to the repository.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let _ = Mnist::load(Mnist::DEFAULT_DIR, Split::Train); // run from the repository
    /// ```
    pub const DEFAULT_DIR: &'static str = "data/mnist";

    /// The class names, as in torchvision.
    ///
    /// ```
    /// assert_eq!(apprentissage::prelude::Mnist::CLASSES[7], "7 - seven");
    /// ```
    pub const CLASSES: [&'static str; 10] = [
        "0 - zero",
        "1 - one",
        "2 - two",
        "3 - three",
        "4 - four",
        "5 - five",
        "6 - six",
        "7 - seven",
        "8 - eight",
        "9 - nine",
    ];

    /// Reads a split from the IDX files in `dir` (`train-images-idx3-ubyte`,
    /// `train-labels-idx1-ubyte`, `t10k-…`; each may be gzip-compressed, as
    /// `….gz`). A missing, truncated or corrupt file is an error naming it.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// match Mnist::load("data/mnist", Split::Test) {
    ///     Ok(test_set) => assert_eq!(test_set.len(), 10_000),
    ///     Err(e) => println!("{e}"), // e.g. "data/mnist: directory not found. Run `make data` …"
    /// }
    /// ```
    pub fn load(dir: impl AsRef<Path>, split: Split) -> Result<ImageDataset, DataError> {
        Ok(
            load_idx_pair("MNIST", dir.as_ref(), split, &Mnist::CLASSES, MNIST_HINT)?
                .with_constants(&[MNIST_MEAN], &[MNIST_STD]),
        )
    }
}

/// Fashion-MNIST (Zalando): the same shape as MNIST (28×28 grey, 60 000 +
/// 10 000 images) with 10 kinds of clothes. Debian's package
/// `dataset-fashion-mnist` installs its four gzip IDX files in
/// [`FashionMnist::DEFAULT_DIR`].
///
/// ```
/// use apprentissage::prelude::*;
/// # let dir = apprentissage::datasets::fixtures::TempDir::new("doc-fashion");
/// # apprentissage::datasets::fixtures::write_mnist(dir.path(), Split::Test, 4, true).unwrap();
/// # let fashion_dir = dir.path();
/// let test_set = FashionMnist::load(fashion_dir, Split::Test)?;
/// let (_, label) = test_set.get(0);
/// println!("first item: {}", test_set.classes()[label]);
/// # Ok::<(), DataError>(())
/// ```
pub struct FashionMnist;

impl FashionMnist {
    /// Where the Debian package `dataset-fashion-mnist` installs the files
    /// (`scripts/setup.sh fashion` installs it).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let _ = FashionMnist::load(FashionMnist::DEFAULT_DIR, Split::Test);
    /// ```
    pub const DEFAULT_DIR: &'static str = "/usr/share/datasets/fashion-mnist";

    /// The class names, as in torchvision.
    ///
    /// ```
    /// assert_eq!(apprentissage::prelude::FashionMnist::CLASSES[9], "Ankle boot");
    /// ```
    pub const CLASSES: [&'static str; 10] = [
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    ];

    /// Reads a split from the IDX files in `dir` (gzip-compressed or not).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// if let Ok(train_set) = FashionMnist::load(FashionMnist::DEFAULT_DIR, Split::Train) {
    ///     assert_eq!(train_set.len(), 60_000);
    /// }
    /// ```
    pub fn load(dir: impl AsRef<Path>, split: Split) -> Result<ImageDataset, DataError> {
        Ok(load_idx_pair(
            "FashionMNIST",
            dir.as_ref(),
            split,
            &FashionMnist::CLASSES,
            FASHION_HINT,
        )?
        .with_constants(&[FASHION_MNIST_MEAN], &[FASHION_MNIST_STD]))
    }
}
