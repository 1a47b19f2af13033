//! The [`Dataset`] trait, [`Subset`] and [`random_split`] (course 8.1).

use std::fmt;
use std::sync::Arc;

use ndarray::ArrayView3;
use ndarray_rand::rand::seq::SliceRandom;

use crate::data::table::PixelTable;
use crate::random;
use crate::tensor::Tensor;

/// A collection of labelled images, as a [`DataLoader`](crate::data::DataLoader) reads it.
///
/// Images are kept as `u8` (course 8.3.3: four times less memory than `f32`);
/// they become `f32`, transformed, only when a batch is built. Implement
/// [`len`](Dataset::len) and [`get`](Dataset::get); the other methods have
/// defaults. A loader clones the dataset it is given, so keep `clone` cheap
/// (share big buffers through an `Arc`, as [`ImageDataset`](crate::datasets::ImageDataset) does).
///
/// ```
/// use apprentissage::prelude::*;
/// use ndarray::ArrayView3;
///
/// /// Four 1×2×2 images: image i has every pixel equal to 60·i, label i % 2.
/// #[derive(Clone)]
/// struct Tiny(Vec<u8>);
/// impl Dataset for Tiny {
///     fn len(&self) -> usize { 4 }
///     fn get(&self, i: usize) -> (ArrayView3<'_, u8>, usize) {
///         let image = ArrayView3::from_shape((1, 2, 2), &self.0[4 * i..4 * i + 4]).unwrap();
///         (image, i % 2)
///     }
/// }
/// let tiny = Tiny((0..4u8).flat_map(|i| [60 * i; 4]).collect());
/// let (image, label) = tiny.sample(3);
/// assert_eq!((image.shape(), label), (vec![1, 2, 2], 1));
/// assert_eq!(image.to_vec(), vec![180.0; 4]); // no transform: raw values
/// ```
pub trait Dataset {
    /// The number of images.
    fn len(&self) -> usize;

    /// True when there is no image.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Image `index` as stored, `u8` of shape (C, H, W), and its label.
    /// Every image of a dataset has the same shape. Panics when `index` is
    /// out of range.
    fn get(&self, index: usize) -> (ArrayView3<'_, u8>, usize);

    /// What each pixel value (0 to 255) of each channel becomes in a batch:
    /// the dataset's transform, evaluated once. Raw values by default.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let ds = ImageDataset::from_vec("One", [1, 1, 1], vec![0], vec![0]).transform(ToTensor);
    /// assert_eq!(ds.pixel_table().channel(0)[51], 0.2);
    /// ```
    fn pixel_table(&self) -> PixelTable {
        PixelTable::identity()
    }

    /// The class names, label `k` being `classes()[k]` (empty when unknown).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let ds = ImageDataset::from_vec("One", [1, 1, 1], vec![0], vec![1]).with_classes(&["no", "yes"]);
    /// assert_eq!(ds.classes()[ds.get(0).1], "yes");
    /// ```
    fn classes(&self) -> &[String] {
        &[]
    }

    /// The shape (C, H, W) of the images (that of the first one; all zeros
    /// for an empty dataset).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let ds = ImageDataset::from_vec("Colour", [3, 2, 2], vec![0; 24], vec![0, 1]);
    /// assert_eq!(ds.image_shape(), [3, 2, 2]);
    /// ```
    fn image_shape(&self) -> [usize; 3] {
        if self.is_empty() {
            return [0; 3];
        }
        let (c, h, w) = self.get(0).0.dim();
        [c, h, w]
    }

    /// Image `index` transformed, as a (C, H, W) tensor, with its label: what
    /// `dataset[index]` gives in PyTorch.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let ds = ImageDataset::from_vec("Pair", [1, 1, 2], vec![0, 255], vec![4]).transform(ToTensor);
    /// let (image, label) = ds.sample(0);
    /// assert_eq!((image.to_vec(), label), (vec![0.0, 1.0], 4));
    /// ```
    fn sample(&self, index: usize) -> (Tensor, usize) {
        let (image, label) = self.get(index);
        let (c, h, w) = image.dim();
        let table = self.pixel_table();
        let mut values = Vec::with_capacity(c * h * w);
        for (ch, plane) in image.outer_iter().enumerate() {
            let t = table.channel(ch);
            values.extend(plane.iter().map(|&p| t[p as usize]));
        }
        (Tensor::from_vec(values, &[c, h, w]), label)
    }
}

/// Some images of a dataset, in a given order: what [`random_split`] returns
/// (PyTorch's `Subset`). It shares the images of its dataset, and its transform.
///
/// ```
/// use apprentissage::prelude::*;
/// let ds = ImageDataset::from_vec("ramp", [1, 1, 1], (0..10).collect(), (0..10).collect());
/// let odd = Subset::new(&ds, vec![1, 3, 5]);
/// assert_eq!(odd.len(), 3);
/// assert_eq!(odd.get(2).1, 5);
/// ```
#[derive(Clone)]
pub struct Subset<D> {
    dataset: D,
    indices: Arc<[usize]>,
}

impl<D: Dataset + Clone> Subset<D> {
    /// The images `indices` of `dataset` (a cheap clone of it is kept).
    /// Panics when an index is out of range.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let ds = ImageDataset::from_vec("ramp", [1, 1, 1], vec![7, 8, 9], vec![0, 1, 2]);
    /// assert_eq!(Subset::new(&ds, vec![2, 0]).indices(), &[2, 0]);
    /// ```
    pub fn new(dataset: &D, indices: Vec<usize>) -> Subset<D> {
        let n = dataset.len();
        if let Some(bad) = indices.iter().find(|&&i| i >= n) {
            panic!("Subset: index {bad} is out of range for a dataset of {n} images");
        }
        Subset {
            dataset: dataset.clone(),
            indices: indices.into(),
        }
    }
}

impl<D> Subset<D> {
    /// The positions, in the whole dataset, of this subset's images.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let ds = ImageDataset::from_vec("ramp", [1, 1, 1], vec![7, 8, 9], vec![0, 1, 2]);
    /// assert_eq!(Subset::new(&ds, vec![1]).indices(), &[1]);
    /// ```
    pub fn indices(&self) -> &[usize] {
        &self.indices
    }

    /// The whole dataset this subset is taken from.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let ds = ImageDataset::from_vec("ramp", [1, 1, 1], vec![7, 8, 9], vec![0, 1, 2]);
    /// assert_eq!(Subset::new(&ds, vec![1]).dataset().len(), 3);
    /// ```
    pub fn dataset(&self) -> &D {
        &self.dataset
    }
}

impl<D: Dataset> Dataset for Subset<D> {
    fn len(&self) -> usize {
        self.indices.len()
    }

    fn get(&self, index: usize) -> (ArrayView3<'_, u8>, usize) {
        self.dataset.get(self.indices[index])
    }

    fn pixel_table(&self) -> PixelTable {
        self.dataset.pixel_table()
    }

    fn classes(&self) -> &[String] {
        self.dataset.classes()
    }

    fn image_shape(&self) -> [usize; 3] {
        self.dataset.image_shape()
    }
}

impl<D: fmt::Display> fmt::Display for Subset<D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Subset of {} datapoints of\n{}",
            self.indices.len(),
            self.dataset
        )
    }
}

impl<D: fmt::Display> fmt::Debug for Subset<D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// How [`random_split`] cuts a dataset: fractions summing to 1 (`&[0.8, 0.2]`)
/// or counts summing to its length (`&[48_000, 12_000]`).
pub trait SplitLengths {
    /// The length of each part for a dataset of `n` images; panics with a
    /// message when the fractions or counts do not fit `n`.
    ///
    /// ```
    /// use apprentissage::data::SplitLengths;
    /// assert_eq!([0.8, 0.2].lengths(60_000), vec![48_000, 12_000]);
    /// assert_eq!([0.5, 0.5].lengths(5), vec![3, 2]);
    /// assert_eq!([4, 1].lengths(5), vec![4, 1]);
    /// ```
    fn lengths(&self, n: usize) -> Vec<usize>;
}

impl SplitLengths for [usize] {
    fn lengths(&self, n: usize) -> Vec<usize> {
        let total: usize = self.iter().sum();
        assert!(
            total == n,
            "random_split: the lengths {self:?} add up to {total}, the dataset has {n} images"
        );
        self.to_vec()
    }
}

impl SplitLengths for [f64] {
    /// PyTorch's rule: ⌊n·fraction⌋ each, then one more image to the first
    /// parts, in turn, until all `n` are placed.
    fn lengths(&self, n: usize) -> Vec<usize> {
        let total: f64 = self.iter().sum();
        assert!(
            self.iter().all(|f| (0.0..=1.0).contains(f)) && (total - 1.0).abs() < 1e-6,
            "random_split: fractions must lie in [0, 1] and add up to 1, got {self:?} (sum {total})"
        );
        let mut lengths: Vec<usize> = self
            .iter()
            .map(|f| (n as f64 * f).floor() as usize)
            .collect();
        let missing = n - lengths.iter().sum::<usize>();
        let parts = lengths.len();
        for i in 0..missing {
            lengths[i % parts] += 1;
        }
        lengths
    }
}

impl<const N: usize> SplitLengths for [usize; N] {
    fn lengths(&self, n: usize) -> Vec<usize> {
        self[..].lengths(n)
    }
}

impl<const N: usize> SplitLengths for [f64; N] {
    fn lengths(&self, n: usize) -> Vec<usize> {
        self[..].lengths(n)
    }
}

/// `torch.utils.data.random_split`: cuts `dataset` into random disjoint parts,
/// by fractions (`&[0.8, 0.2]`) or by counts (`&[48_000, 12_000]`), drawing the
/// permutation from the crate's generator (so [`manual_seed`](crate::manual_seed)
/// makes it reproducible). Course 8.1.1: a validation set never seen in training.
///
/// ```
/// use apprentissage::prelude::*;
/// let ds = ImageDataset::from_vec("ramp", [1, 1, 1], (0..10).collect(), (0..10).collect());
/// manual_seed(0);
/// let parts = random_split(&ds, &[0.8, 0.2]);
/// assert_eq!((parts[0].len(), parts[1].len()), (8, 2));
/// let [a, b] = [parts[0].indices(), parts[1].indices()];
/// assert!(a.iter().all(|i| !b.contains(i))); // disjoint
/// let by_count = random_split(&ds, &[7, 3]);
/// assert_eq!(by_count[1].len(), 3);
/// ```
pub fn random_split<D, L>(dataset: &D, lengths: &L) -> Vec<Subset<D>>
where
    D: Dataset + Clone,
    L: SplitLengths + ?Sized,
{
    let n = dataset.len();
    let lengths = lengths.lengths(n);
    let mut order: Vec<usize> = (0..n).collect();
    random::with_rng(|rng| order.shuffle(rng));
    let mut start = 0;
    lengths
        .into_iter()
        .map(|len| {
            let part = order[start..start + len].to_vec();
            start += len;
            Subset {
                dataset: dataset.clone(),
                indices: part.into(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::datasets::ImageDataset;

    fn ramp(n: usize) -> ImageDataset {
        ImageDataset::from_vec(
            "ramp",
            [1, 1, 1],
            (0..n).map(|i| i as u8).collect(),
            (0..n).map(|i| i % 10).collect(),
        )
    }

    #[test]
    fn fractions_follow_pytorch_rounding() {
        assert_eq!([0.8, 0.2].lengths(10), vec![8, 2]);
        assert_eq!([0.5, 0.5].lengths(11), vec![6, 5]);
        assert_eq!([0.34, 0.33, 0.33].lengths(10), vec![4, 3, 3]);
        assert_eq!([1.0 / 3.0; 3].lengths(5), vec![2, 2, 1]);
        assert_eq!([0.8, 0.2].lengths(60_000), vec![48_000, 12_000]);
    }

    #[test]
    #[should_panic(expected = "add up to 1")]
    fn fractions_must_add_up_to_one() {
        random_split(&ramp(10), &[0.5, 0.2]);
    }

    #[test]
    #[should_panic(expected = "add up to 9, the dataset has 10 images")]
    fn counts_must_add_up_to_len() {
        random_split(&ramp(10), &[5, 4]);
    }

    #[test]
    fn split_is_a_seeded_partition() {
        let ds = ramp(50);
        let _guard = random::SEED_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        random::manual_seed(3);
        let parts = random_split(&ds, &[30, 20]);
        random::manual_seed(3);
        let again = random_split(&ds, &[0.6, 0.4]);
        drop(_guard);
        assert_eq!(parts[0].indices(), again[0].indices());
        assert_eq!(parts[1].indices(), again[1].indices());
        let mut all: Vec<usize> = parts.iter().flat_map(|p| p.indices().to_vec()).collect();
        assert_ne!(all, (0..50).collect::<Vec<_>>(), "the split is shuffled");
        all.sort_unstable();
        assert_eq!(all, (0..50).collect::<Vec<_>>(), "every image exactly once");
        // A subset reads through to its dataset.
        let i = parts[1].indices()[4];
        assert_eq!(parts[1].get(4).0[[0, 0, 0]] as usize, i);
        assert_eq!(parts[1].get(4).1, i % 10);
    }

    #[test]
    #[should_panic(expected = "index 5 is out of range for a dataset of 5 images")]
    fn subset_checks_indices() {
        Subset::new(&ramp(5), vec![0, 5]);
    }
}
