//! [`ImageDataset`]: labelled images held in memory as `u8`, what every
//! loader of [`crate::datasets`] returns; and [`Split`].

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ndarray::{ArrayView3, ArrayView4};

use crate::data::{mean_std, Dataset, Normalize, PixelTable, ToTensor, Transform};

/// Which part of a dataset to load: `train=True` / `train=False` in PyTorch.
///
/// ```
/// use apprentissage::prelude::*;
/// assert_eq!(Split::Train.to_string(), "Train");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Split {
    /// The training set.
    Train,
    /// The test (validation) set.
    Test,
}

impl fmt::Display for Split {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Split::Train => "Train",
            Split::Test => "Test",
        })
    }
}

/// Labelled images of one shape (C, H, W), stored as `u8` and shared: cloning
/// is cheap (the pixels are behind an `Arc`). [`Mnist::load`](crate::datasets::Mnist::load),
/// [`FashionMnist::load`](crate::datasets::FashionMnist::load) and
/// [`Cifar10::load`](crate::datasets::Cifar10::load) return one;
/// [`ImageDataset::from_vec`] builds one from your own data.
///
/// It prints like PyTorch's `print(TrainSet)` (course 8.3.3).
///
/// ```
/// use apprentissage::prelude::*;
/// let ds = ImageDataset::from_vec("Tiny", [1, 2, 2], vec![0, 64, 128, 255], vec![3])
///     .transform(compose![ToTensor, Normalize::new(0.5, 0.5)]);
/// assert_eq!(ds.len(), 1);
/// assert_eq!(ds.data()[[0, 0, 1, 1]], 255); // still u8
/// assert_eq!(ds.sample(0).0.to_vec()[3], 1.0); // transformed on the way out
/// println!("{ds}");
/// ```
#[derive(Clone)]
pub struct ImageDataset {
    name: String,
    root: Option<PathBuf>,
    split: Option<Split>,
    note: Option<String>,
    shape: [usize; 3],
    pixels: Arc<Vec<u8>>,
    labels: Arc<Vec<usize>>,
    classes: Arc<Vec<String>>,
    transform: Option<Arc<dyn Transform>>,
    table: PixelTable,
    /// Published mean and std per channel, on the [0, 1] scale.
    constants: Option<(Vec<f32>, Vec<f32>)>,
}

impl ImageDataset {
    /// A dataset named `name` of images of shape `[c, h, w]`: `pixels` holds
    /// them one after the other, each channel after channel and row after row
    /// (length `labels.len() · c · h · w`).
    ///
    /// Panics when the lengths do not match or a dimension is 0.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let ds = ImageDataset::from_vec("Pairs", [1, 1, 2], vec![1, 2, 3, 4], vec![0, 1]);
    /// assert_eq!(ds.get(1).0.to_owned().into_raw_vec_and_offset().0, vec![3, 4]);
    /// ```
    pub fn from_vec(
        name: impl Into<String>,
        shape: [usize; 3],
        pixels: Vec<u8>,
        labels: Vec<usize>,
    ) -> ImageDataset {
        assert!(
            shape.iter().all(|&d| d > 0),
            "ImageDataset::from_vec: image shape {shape:?} has a zero dimension"
        );
        let per_image: usize = shape.iter().product();
        assert!(
            pixels.len() == labels.len() * per_image,
            "ImageDataset::from_vec: {} labels of images {shape:?} need {} pixel values, got {}",
            labels.len(),
            labels.len() * per_image,
            pixels.len()
        );
        ImageDataset {
            name: name.into(),
            root: None,
            split: None,
            note: None,
            shape,
            pixels: Arc::new(pixels),
            labels: Arc::new(labels),
            classes: Arc::new(Vec::new()),
            transform: None,
            table: PixelTable::identity(),
            constants: None,
        }
    }

    /// A dataset read from files under `root` (used by the loaders, which
    /// have already checked the lengths).
    pub(crate) fn from_files(
        name: &str,
        root: &Path,
        split: Split,
        shape: [usize; 3],
        pixels: Vec<u8>,
        labels: Vec<usize>,
    ) -> ImageDataset {
        let mut ds = ImageDataset::from_vec(name, shape, pixels, labels);
        ds.root = Some(root.to_path_buf());
        ds.split = Some(split);
        ds
    }

    /// The same dataset with class names (`classes()[k]` is the name of label `k`).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let ds = ImageDataset::from_vec("Pairs", [1, 1, 1], vec![1, 2], vec![0, 1])
    ///     .with_classes(&["cat", "dog"]);
    /// assert_eq!(ds.classes()[1], "dog");
    /// ```
    pub fn with_classes(mut self, names: &[&str]) -> ImageDataset {
        self.classes = Arc::new(names.iter().map(|s| s.to_string()).collect());
        self
    }

    pub(crate) fn with_constants(mut self, mean: &[f32], std: &[f32]) -> ImageDataset {
        self.constants = Some((mean.to_vec(), std.to_vec()));
        self
    }

    pub(crate) fn with_note(mut self, note: String) -> ImageDataset {
        self.note = Some(note);
        self
    }

    /// The same dataset (sharing its images) with `transform` applied when
    /// images are read: `transform=` in PyTorch's constructors. It replaces
    /// any previous transform.
    ///
    /// Panics when the transform does not suit the images (e.g. a
    /// `Normalize` with 3 means on grey images), saying why.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let raw = ImageDataset::from_vec("One", [1, 1, 1], vec![255], vec![0]);
    /// let scaled = raw.clone().transform(ToTensor);
    /// assert_eq!((raw.sample(0).0.item(), scaled.sample(0).0.item()), (255.0, 1.0));
    /// ```
    pub fn transform(mut self, transform: impl Transform + 'static) -> ImageDataset {
        if let Err(why) = transform.check(self.shape[0]) {
            panic!("{} dataset: cannot apply this transform: {why}", self.name);
        }
        self.table = PixelTable::new(Some(&transform), self.shape[0]);
        self.transform = Some(Arc::new(transform));
        self
    }

    /// The dataset's name (`"MNIST"`, `"CIFAR10"`…).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// assert_eq!(ImageDataset::from_vec("Mine", [1, 1, 1], vec![], vec![]).name(), "Mine");
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The directory it was read from (None for a dataset built in memory).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// assert!(ImageDataset::from_vec("Mine", [1, 1, 1], vec![], vec![]).root().is_none());
    /// ```
    pub fn root(&self) -> Option<&Path> {
        self.root.as_deref()
    }

    /// Train or Test (None for a dataset built in memory).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// assert_eq!(ImageDataset::from_vec("Mine", [1, 1, 1], vec![], vec![]).split(), None);
    /// ```
    pub fn split(&self) -> Option<Split> {
        self.split
    }

    /// All the images as stored, `u8` of shape (N, C, H, W): `TrainSet.data`.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let ds = ImageDataset::from_vec("Pairs", [1, 1, 2], vec![1, 2, 3, 4], vec![0, 1]);
    /// assert_eq!(ds.data().shape(), &[2, 1, 1, 2]);
    /// ```
    pub fn data(&self) -> ArrayView4<'_, u8> {
        let [c, h, w] = self.shape;
        ArrayView4::from_shape((self.labels.len(), c, h, w), &self.pixels)
            .expect("lengths checked at construction")
    }

    /// All the labels: `TrainSet.targets`.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let ds = ImageDataset::from_vec("Pairs", [1, 1, 1], vec![1, 2], vec![0, 1]);
    /// assert_eq!(ds.targets(), &[0, 1]);
    /// ```
    pub fn targets(&self) -> &[usize] {
        &self.labels
    }

    /// The `Normalize` that gives this dataset mean 0 and standard deviation 1
    /// per channel, to put after `ToTensor`: the published constants for
    /// MNIST, Fashion-MNIST, CIFAR-10 and the CIFAR-10 fallback (see
    /// [`crate::datasets`]), computed with [`mean_std`] for other datasets.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let ds = ImageDataset::from_vec("Two", [1, 1, 1], vec![0, 255], vec![0, 1]);
    /// let n = ds.normalize();
    /// assert_eq!((n.mean(), n.std()), (&[0.5][..], &[0.5][..]));
    /// let ds = ds.transform(compose![ToTensor, n]);
    /// assert_eq!(mean_std(&ds), (vec![0.0], vec![1.0]));
    /// ```
    pub fn normalize(&self) -> Normalize {
        match &self.constants {
            Some((mean, std)) => Normalize::new(mean.clone(), std.clone()),
            None => {
                let (mean, std) = mean_std(&self.clone().transform(ToTensor));
                let std = std
                    .into_iter()
                    .map(|s| if s == 0.0 { 1.0 } else { s })
                    .collect::<Vec<_>>();
                Normalize::new(mean, std)
            }
        }
    }
}

impl Dataset for ImageDataset {
    fn len(&self) -> usize {
        self.labels.len()
    }

    fn get(&self, index: usize) -> (ArrayView3<'_, u8>, usize) {
        let n = self.labels.len();
        assert!(
            index < n,
            "{} dataset: index {index} is out of range for {n} images",
            self.name
        );
        let [c, h, w] = self.shape;
        let size = c * h * w;
        let pixels = &self.pixels[index * size..(index + 1) * size];
        let image =
            ArrayView3::from_shape((c, h, w), pixels).expect("lengths checked at construction");
        (image, self.labels[index])
    }

    fn pixel_table(&self) -> PixelTable {
        self.table.clone()
    }

    fn classes(&self) -> &[String] {
        &self.classes
    }

    fn image_shape(&self) -> [usize; 3] {
        self.shape
    }
}

impl fmt::Display for ImageDataset {
    /// torchvision's layout (`print(TrainSet)`, course 8.3.3).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Dataset {}\n    Number of datapoints: {}",
            self.name,
            self.labels.len()
        )?;
        if let Some(root) = &self.root {
            write!(f, "\n    Root location: {}", root.display())?;
        }
        if let Some(split) = self.split {
            write!(f, "\n    Split: {split}")?;
        }
        if let Some(note) = &self.note {
            write!(f, "\n    {note}")?;
        }
        if let Some(transform) = &self.transform {
            let head = "Transform: ";
            write!(f, "\n    StandardTransform")?;
            for (i, line) in transform.to_string().lines().enumerate() {
                let lead = if i == 0 {
                    head.to_string()
                } else {
                    " ".repeat(head.len())
                };
                write!(f, "\n{lead}{line}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for ImageDataset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose;

    #[test]
    fn prints_like_torchvision() {
        let ds = ImageDataset::from_files(
            "MNIST",
            Path::new("./data"),
            Split::Train,
            [1, 1, 1],
            vec![0; 3],
            vec![0; 3],
        );
        assert_eq!(
            ds.to_string(),
            "Dataset MNIST\n    Number of datapoints: 3\n    Root location: ./data\n    Split: Train"
        );
        let ds = ds.transform(compose![ToTensor, Normalize::new(0.1307, 0.3081)]);
        assert_eq!(
            ds.to_string(),
            "Dataset MNIST
    Number of datapoints: 3
    Root location: ./data
    Split: Train
    StandardTransform
Transform: Compose(
               ToTensor()
               Normalize(mean=0.1307, std=0.3081)
           )"
        );
        let single = ImageDataset::from_vec("Tiny", [1, 1, 1], vec![], vec![]).transform(ToTensor);
        assert_eq!(
            single.to_string(),
            "Dataset Tiny\n    Number of datapoints: 0\n    StandardTransform\nTransform: ToTensor()"
        );
    }

    #[test]
    #[should_panic(
        expected = "MNIST dataset: cannot apply this transform: Normalize(mean=(0.1, 0.2, 0.3), std=1) has 3 means but the images have 1 channel"
    )]
    fn transform_is_checked_against_the_channels() {
        ImageDataset::from_vec("MNIST", [1, 1, 1], vec![], vec![])
            .transform(Normalize::new([0.1, 0.2, 0.3], 1.0));
    }

    #[test]
    #[should_panic(expected = "2 labels of images [1, 2, 2] need 8 pixel values, got 7")]
    fn from_vec_checks_lengths() {
        ImageDataset::from_vec("Bad", [1, 2, 2], vec![0; 7], vec![0, 1]);
    }

    #[test]
    #[should_panic(expected = "index 2 is out of range for 2 images")]
    fn get_checks_the_index() {
        ImageDataset::from_vec("Two", [1, 1, 1], vec![0; 2], vec![0, 1]).get(2);
    }
}
