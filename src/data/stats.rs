//! The whole dataset at once: [`full_batch`] and per-channel [`mean_std`]
//! (course 8.2.2: normalise each channel over all the images).

use crate::data::dataset::Dataset;
use crate::data::loader::build_batch;
use crate::tensor::Tensor;

/// Every image of `dataset` in one (N, C, H, W) tensor, transformed, with the
/// (N) labels: `next(iter(DataLoader(ds, batch_size=len(ds))))` in PyTorch.
///
/// Mind the memory: MNIST's 60 000 images take 188 MB as `f32`.
///
/// ```
/// use apprentissage::prelude::*;
/// let ds = ImageDataset::from_vec("ramp", [1, 1, 2], vec![0, 255, 51, 102], vec![1, 0])
///     .transform(ToTensor);
/// let (x, y) = full_batch(&ds);
/// assert_eq!(x.shape(), vec![2, 1, 1, 2]);
/// assert_eq!(x.to_vec(), vec![0.0, 1.0, 0.2, 0.4]);
/// assert_eq!(y.to_vec(), vec![1.0, 0.0]);
/// ```
pub fn full_batch<D: Dataset + ?Sized>(dataset: &D) -> (Tensor, Tensor) {
    let indices: Vec<usize> = (0..dataset.len()).collect();
    build_batch(
        dataset,
        &indices,
        &dataset.pixel_table(),
        dataset.image_shape(),
    )
}

/// The mean and standard deviation of each channel over every pixel of every
/// image, after the dataset's transform (course 8.2.2). On a dataset
/// transformed by [`ToTensor`](crate::data::ToTensor) alone this gives the
/// constants to pass to [`Normalize`](crate::data::Normalize) (MNIST:
/// 0.1307 and 0.3081); once normalised, it gives 0 and 1.
///
/// The standard deviation is the population one (divided by the number of
/// pixels). The computation is exact and fast: it counts how often each of
/// the 256 values occurs in each channel, then sums in `f64`.
/// Returns empty vectors for an empty dataset.
///
/// ```
/// use apprentissage::prelude::*;
/// // Two 2-channel images of one pixel: channel 0 holds 0 and 255, channel 1 holds 51 twice.
/// let ds = ImageDataset::from_vec("tiny", [2, 1, 1], vec![0, 51, 255, 51], vec![0, 1])
///     .transform(ToTensor);
/// let (mean, std) = mean_std(&ds);
/// assert_eq!(mean, vec![0.5, 0.2]);
/// assert_eq!(std, vec![0.5, 0.0]);
/// let normalised = ds.clone().transform(compose![ToTensor, Normalize::new(0.5, 0.5)]);
/// assert_eq!(mean_std(&normalised).0[0], 0.0);
/// ```
pub fn mean_std<D: Dataset + ?Sized>(dataset: &D) -> (Vec<f32>, Vec<f32>) {
    if dataset.is_empty() {
        return (vec![], vec![]);
    }
    let [channels, _, _] = dataset.image_shape();
    // Four interleaved histograms per channel: runs of equal pixels (MNIST's black
    // background) would otherwise increment one counter in a dependent chain.
    let mut counts = vec![[[0u64; 256]; 4]; channels];
    for i in 0..dataset.len() {
        let (image, _) = dataset.get(i);
        for (ch, plane) in image.outer_iter().enumerate() {
            let [c0, c1, c2, c3] = &mut counts[ch];
            match plane.as_slice() {
                Some(pixels) => {
                    let mut quads = pixels.chunks_exact(4);
                    for q in &mut quads {
                        c0[q[0] as usize] += 1;
                        c1[q[1] as usize] += 1;
                        c2[q[2] as usize] += 1;
                        c3[q[3] as usize] += 1;
                    }
                    quads.remainder().iter().for_each(|&p| c0[p as usize] += 1);
                }
                None => plane.iter().for_each(|&p| c0[p as usize] += 1),
            }
        }
    }
    let table = dataset.pixel_table();
    counts
        .iter()
        .enumerate()
        .map(|(ch, [c0, c1, c2, c3])| {
            let count: Vec<u64> = (0..256).map(|p| c0[p] + c1[p] + c2[p] + c3[p]).collect();
            let values = table.channel(ch);
            let n: f64 = count.iter().map(|&k| k as f64).sum();
            let mean = (0..256)
                .map(|p| count[p] as f64 * values[p] as f64)
                .sum::<f64>()
                / n;
            let var = (0..256)
                .map(|p| count[p] as f64 * (values[p] as f64 - mean).powi(2))
                .sum::<f64>()
                / n;
            (mean as f32, var.sqrt() as f32)
        })
        .unzip()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose;
    use crate::data::{Normalize, ToTensor};
    use crate::datasets::ImageDataset;

    #[test]
    fn mean_std_matches_a_direct_computation() {
        // 3 channels of varied values.
        let n = 40;
        let pixels: Vec<u8> = (0..n * 3 * 4 * 5)
            .map(|k| ((k * 37 + k / 7) % 256) as u8)
            .collect();
        let ds = ImageDataset::from_vec("varied", [3, 4, 5], pixels.clone(), vec![0; n])
            .transform(ToTensor);
        let (mean, std) = mean_std(&ds);
        for c in 0..3 {
            let values: Vec<f64> = pixels
                .chunks(20)
                .skip(c)
                .step_by(3)
                .flatten()
                .map(|&p| p as f64 / 255.0)
                .collect();
            let m = values.iter().sum::<f64>() / values.len() as f64;
            let s =
                (values.iter().map(|v| (v - m).powi(2)).sum::<f64>() / values.len() as f64).sqrt();
            assert!((mean[c] as f64 - m).abs() < 1e-6 && (std[c] as f64 - s).abs() < 1e-6);
        }
        // Normalising with them gives mean 0, std 1; full_batch agrees.
        // `transform` replaces the previous one, as `transform=` does in PyTorch.
        let normalised = ds.transform(compose![
            ToTensor,
            Normalize::new(mean.clone(), std.clone())
        ]);
        let (m2, s2) = mean_std(&normalised);
        for c in 0..3 {
            assert!(
                m2[c].abs() < 1e-5 && (s2[c] - 1.0).abs() < 1e-5,
                "{m2:?} {s2:?}"
            );
        }
        let (x, y) = full_batch(&normalised);
        assert_eq!(x.shape(), vec![n, 3, 4, 5]);
        assert_eq!(y.shape(), vec![n]);
        assert!(x.mean().item().abs() < 1e-5);
    }

    #[test]
    fn empty_dataset() {
        let ds = ImageDataset::from_vec("empty", [1, 2, 2], vec![], vec![]);
        assert_eq!(mean_std(&ds), (vec![], vec![]));
        assert_eq!(full_batch(&ds).0.shape(), vec![0, 1, 2, 2]);
    }
}
