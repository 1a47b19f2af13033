//! [`DataLoader`]: batches of images and labels, in order or shuffled
//! (course 8.3: batch, epoch, iterations).

use std::cell::RefCell;
use std::fmt;

use ndarray_rand::rand::rngs::StdRng;
use ndarray_rand::rand::seq::SliceRandom;
use ndarray_rand::rand::SeedableRng;

use crate::data::dataset::Dataset;
use crate::data::table::PixelTable;
use crate::random;
use crate::tensor::Tensor;

/// `torch.utils.data.DataLoader(dataset, batch_size, shuffle, drop_last)`:
/// iterates over a dataset by batches of `(images, labels)`, `images` of
/// shape (B, C, H, W) in `f32` (the dataset's transform applied), `labels` of
/// shape (B) holding whole numbers (usable wherever labels are expected, e.g.
/// `F::cross_entropy`).
///
/// Each pass (`for … in &loader`) is one epoch. With `.shuffle(true)` every
/// epoch draws a new order from the crate's generator, so
/// [`manual_seed`](crate::manual_seed) makes training reproducible. The loader
/// keeps a (cheap) clone of the dataset: it can live in a notebook variable.
///
/// ```
/// use apprentissage::prelude::*;
/// // 10 images 1×2×2 whose pixels are all equal to their index.
/// let ds = ImageDataset::from_vec("ramp", [1, 2, 2], (0..10).flat_map(|i| [i; 4]).collect(), (0..10).collect())
///     .transform(ToTensor);
/// let loader = DataLoader::new(&ds, 4);
/// assert_eq!(loader.len(), 3); // ⌈10 / 4⌉ iterations per epoch
/// for (images, labels) in &loader {
///     println!("{:?} {:?}", images.shape(), labels.to_vec());
/// }
/// let (images, labels) = loader.iter().last().unwrap();
/// assert_eq!(images.shape(), vec![2, 1, 2, 2]); // the last batch is smaller
/// assert_eq!(labels.to_vec(), vec![8.0, 9.0]);
/// assert_eq!(images.to_vec()[0], 8.0 / 255.0);
/// ```
pub struct DataLoader<D> {
    dataset: D,
    batch_size: usize,
    shuffle: bool,
    drop_last: bool,
    /// A generator of the loader's own, when `.seed()` was called.
    generator: RefCell<Option<StdRng>>,
}

impl<D: Dataset + Clone> DataLoader<D> {
    /// A loader of `dataset` by batches of `batch_size`, in order, keeping the
    /// last smaller batch. Panics when `batch_size` is 0.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let ds = ImageDataset::from_vec("ramp", [1, 1, 1], (0..100).collect(), vec![0; 100]);
    /// assert_eq!(DataLoader::new(&ds, 64).len(), 2);
    /// ```
    pub fn new(dataset: &D, batch_size: usize) -> DataLoader<D> {
        assert!(
            batch_size > 0,
            "DataLoader: batch_size should be a positive integer, got 0"
        );
        DataLoader {
            dataset: dataset.clone(),
            batch_size,
            shuffle: false,
            drop_last: false,
            generator: RefCell::new(None),
        }
    }
}

impl<D: Dataset> DataLoader<D> {
    /// Draw a new order of the images at the start of each epoch (`shuffle=True`).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let ds = ImageDataset::from_vec("ramp", [1, 1, 1], (0..100).collect(), (0..100).collect());
    /// manual_seed(0);
    /// let loader = DataLoader::new(&ds, 100).shuffle(true);
    /// let (_, first_epoch) = loader.iter().next().unwrap();
    /// assert_ne!(first_epoch.to_vec(), (0..100).map(|i| i as f32).collect::<Vec<_>>());
    /// ```
    pub fn shuffle(mut self, shuffle: bool) -> DataLoader<D> {
        self.shuffle = shuffle;
        self
    }

    /// Drop the last batch when it is smaller than `batch_size` (`drop_last=True`).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let ds = ImageDataset::from_vec("ramp", [1, 1, 1], (0..100).collect(), vec![0; 100]);
    /// assert_eq!(DataLoader::new(&ds, 64).drop_last(true).len(), 1);
    /// ```
    pub fn drop_last(mut self, drop_last: bool) -> DataLoader<D> {
        self.drop_last = drop_last;
        self
    }

    /// Shuffle with a generator of the loader's own, seeded with `seed`,
    /// instead of the crate's (PyTorch's `generator=`): its orders do not
    /// depend on other random draws. Implies `shuffle(true)`.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let ds = ImageDataset::from_vec("ramp", [1, 1, 1], (0..20).collect(), (0..20).collect());
    /// let order = |l: &DataLoader<ImageDataset>| l.iter().next().unwrap().1.to_vec();
    /// let (a, b) = (DataLoader::new(&ds, 20).seed(5), DataLoader::new(&ds, 20).seed(5));
    /// assert_eq!(order(&a), order(&b));
    /// assert_ne!(order(&a), order(&a)); // the next epoch has another order
    /// ```
    pub fn seed(self, seed: u64) -> DataLoader<D> {
        *self.generator.borrow_mut() = Some(StdRng::seed_from_u64(seed));
        self.shuffle(true)
    }

    /// The number of iterations per epoch (course 8.3.1): ⌈n / batch_size⌉,
    /// or ⌊n / batch_size⌋ with `drop_last`.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let ds = ImageDataset::from_vec("ramp", [1, 1, 1], vec![0; 50_000], vec![0; 50_000]);
    /// assert_eq!(DataLoader::new(&ds, 100).len(), 500);
    /// ```
    pub fn len(&self) -> usize {
        let n = self.dataset.len();
        if self.drop_last {
            n / self.batch_size
        } else {
            n.div_ceil(self.batch_size)
        }
    }

    /// True when an epoch has no batch.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let ds = ImageDataset::from_vec("ramp", [1, 1, 1], vec![0; 3], vec![0; 3]);
    /// assert!(DataLoader::new(&ds, 4).drop_last(true).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The batch size.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let ds = ImageDataset::from_vec("ramp", [1, 1, 1], vec![0; 3], vec![0; 3]);
    /// assert_eq!(DataLoader::new(&ds, 2).batch_size(), 2);
    /// ```
    pub fn batch_size(&self) -> usize {
        self.batch_size
    }

    /// The dataset the loader reads.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let ds = ImageDataset::from_vec("ramp", [1, 1, 1], vec![0; 3], vec![0; 3]);
    /// assert_eq!(DataLoader::new(&ds, 2).dataset().len(), 3);
    /// ```
    pub fn dataset(&self) -> &D {
        &self.dataset
    }

    /// One epoch: the batches, in a new order when shuffling.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let ds = ImageDataset::from_vec("ramp", [1, 1, 1], vec![0; 5], vec![0; 5]);
    /// assert_eq!(DataLoader::new(&ds, 2).iter().count(), 3);
    /// ```
    pub fn iter(&self) -> Batches<'_, D> {
        let n = self.dataset.len();
        let mut order: Vec<usize> = (0..n).collect();
        if self.shuffle {
            match self.generator.borrow_mut().as_mut() {
                Some(rng) => order.shuffle(rng),
                None => random::with_rng(|rng| order.shuffle(rng)),
            }
        }
        Batches {
            dataset: &self.dataset,
            table: self.dataset.pixel_table(),
            shape: self.dataset.image_shape(),
            order,
            next: 0,
            remaining: self.len(),
            batch_size: self.batch_size,
        }
    }
}

impl<'a, D: Dataset> IntoIterator for &'a DataLoader<D> {
    type Item = (Tensor, Tensor);
    type IntoIter = Batches<'a, D>;

    fn into_iter(self) -> Batches<'a, D> {
        self.iter()
    }
}

impl<D> fmt::Debug for DataLoader<D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DataLoader")
            .field("batch_size", &self.batch_size)
            .field("shuffle", &self.shuffle)
            .field("drop_last", &self.drop_last)
            .finish_non_exhaustive()
    }
}

/// The batches of one epoch, from [`DataLoader::iter`] (or `for … in &loader`).
///
/// ```
/// use apprentissage::prelude::*;
/// let ds = ImageDataset::from_vec("ramp", [1, 1, 1], (0..5).collect(), (0..5).collect());
/// let loader = DataLoader::new(&ds, 2);
/// let mut batches = loader.iter();
/// assert_eq!(batches.len(), 3);
/// assert_eq!(batches.next().unwrap().1.to_vec(), vec![0.0, 1.0]);
/// ```
pub struct Batches<'a, D> {
    dataset: &'a D,
    table: PixelTable,
    shape: [usize; 3],
    order: Vec<usize>,
    next: usize,
    remaining: usize,
    batch_size: usize,
}

impl<D: Dataset> Iterator for Batches<'_, D> {
    type Item = (Tensor, Tensor);

    fn next(&mut self) -> Option<(Tensor, Tensor)> {
        if self.remaining == 0 {
            return None;
        }
        self.remaining -= 1;
        let end = (self.next + self.batch_size).min(self.order.len());
        let indices = &self.order[self.next..end];
        self.next = end;
        Some(build_batch(self.dataset, indices, &self.table, self.shape))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl<D: Dataset> ExactSizeIterator for Batches<'_, D> {}

/// The images `indices` of `dataset` as one (B, C, H, W) tensor, each pixel
/// looked up in `table`, and their labels as a (B) tensor.
///
/// The hot path of every training loop: one allocation for the images, one
/// for the labels, and a tight loop of table look-ups per channel plane.
pub(crate) fn build_batch<D: Dataset + ?Sized>(
    dataset: &D,
    indices: &[usize],
    table: &PixelTable,
    shape: [usize; 3],
) -> (Tensor, Tensor) {
    let [c, h, w] = shape;
    let plane = h * w;
    let mut images: Vec<f32> = Vec::with_capacity(indices.len() * c * plane);
    let mut labels: Vec<f32> = Vec::with_capacity(indices.len());
    for &i in indices {
        let (image, label) = dataset.get(i);
        assert!(
            image.dim() == (c, h, w),
            "dataset image {i} has shape {:?}, the first one had ({c}, {h}, {w}): every image must have the same shape",
            image.dim()
        );
        labels.push(label as f32);
        match image.as_slice() {
            Some(pixels) => {
                for (ch, pixels) in pixels.chunks_exact(plane.max(1)).enumerate() {
                    let t = table.channel(ch);
                    images.extend(pixels.iter().map(|&p| t[p as usize]));
                }
            }
            None => {
                for (ch, pixels) in image.outer_iter().enumerate() {
                    let t = table.channel(ch);
                    images.extend(pixels.iter().map(|&p| t[p as usize]));
                }
            }
        }
    }
    let b = indices.len();
    (
        Tensor::from_vec(images, &[b, c, h, w]),
        Tensor::from_vec(labels, &[b]),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose;
    use crate::data::{Normalize, ToTensor};
    use crate::datasets::ImageDataset;
    use crate::random::SEED_LOCK;

    /// n images 2×2×3 whose pixel (c, y, x) of image i is i + 10c + 3y + x.
    fn ramp(n: usize) -> ImageDataset {
        let pixels = (0..n)
            .flat_map(|i| (0..12).map(move |k| (i + 10 * (k / 6) + k % 6) as u8))
            .collect();
        ImageDataset::from_vec("ramp", [2, 2, 3], pixels, (0..n).map(|i| i % 7).collect())
    }

    fn labels_of(loader: &DataLoader<ImageDataset>) -> Vec<Vec<f32>> {
        loader.iter().map(|(_, y)| y.to_vec()).collect()
    }

    #[test]
    fn batches_in_order_with_transform_folded_in() {
        let ds = ramp(10).transform(compose![ToTensor, Normalize::new([0.5, 0.25], [0.5, 2.0])]);
        let loader = DataLoader::new(&ds, 4);
        assert_eq!(loader.len(), 3);
        let batches: Vec<_> = loader.iter().collect();
        assert_eq!(batches.len(), 3);
        let (x, y) = &batches[1];
        assert_eq!(x.shape(), vec![4, 2, 2, 3]);
        assert_eq!(y.to_vec(), vec![4., 5., 6., 0.]);
        let x = x.to_array();
        for b in 0..4 {
            for (k, &v) in x.index_axis(ndarray::Axis(0), b).iter().enumerate() {
                let (c, raw) = (k / 6, (4 + b + 10 * (k / 6) + k % 6) as f32);
                let expected = (raw / 255.0 - [0.5, 0.25][c]) / [0.5, 2.0][c];
                assert_eq!(v, expected, "image {b}, value {k}");
            }
        }
        assert_eq!(batches[2].0.shape(), vec![2, 2, 2, 3]);
    }

    #[test]
    fn drop_last_and_len() {
        let ds = ramp(10);
        for (batch, drop, len) in [
            (4, false, 3),
            (4, true, 2),
            (5, true, 2),
            (5, false, 2),
            (11, true, 0),
            (11, false, 1),
            (1, false, 10),
        ] {
            let loader = DataLoader::new(&ds, batch).drop_last(drop);
            assert_eq!(loader.len(), len, "batch {batch}, drop_last {drop}");
            assert_eq!(loader.iter().len(), len);
            let sizes: Vec<usize> = loader.iter().map(|(x, _)| x.shape()[0]).collect();
            assert_eq!(sizes.len(), len);
            assert!(sizes
                .iter()
                .all(|&s| s == batch || (!drop && s == 10 % batch)));
        }
        let empty = ImageDataset::from_vec("empty", [1, 1, 1], vec![], vec![]);
        assert_eq!(DataLoader::new(&empty, 3).iter().count(), 0);
    }

    #[test]
    fn shuffle_is_seeded_by_manual_seed_and_covers_every_image() {
        let ds = ramp(30);
        let loader = DataLoader::new(&ds, 8).shuffle(true);
        let _guard = SEED_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        random::manual_seed(11);
        let first = labels_of(&loader);
        let second = labels_of(&loader);
        random::manual_seed(11);
        let again = labels_of(&loader);
        drop(_guard);
        assert_eq!(first, again, "manual_seed replays the epochs");
        assert_ne!(first, second, "each epoch has its own order");
        // Image and label stay together, every image once per epoch.
        let mut seen = vec![];
        for (x, y) in &loader {
            let x = x.to_array();
            for (b, &label) in y.to_vec().iter().enumerate() {
                let i = x[[b, 0, 0, 0]] as usize;
                assert_eq!(label as usize, i % 7);
                seen.push(i);
            }
        }
        seen.sort_unstable();
        assert_eq!(seen, (0..30).collect::<Vec<_>>());
    }

    #[test]
    fn a_loader_seed_is_independent_of_the_crate_generator() {
        let ds = ramp(30);
        let a = labels_of(&DataLoader::new(&ds, 8).seed(1));
        let b = labels_of(&DataLoader::new(&ds, 8).seed(1));
        assert_eq!(a, b);
        assert_ne!(a, labels_of(&DataLoader::new(&ds, 8).seed(2)));
    }

    #[test]
    #[should_panic(expected = "batch_size should be a positive integer")]
    fn zero_batch_size() {
        DataLoader::new(&ramp(3), 0);
    }
}
