//! What the plotting functions accept as data: tensors, vectors, slices and
//! arrays of numbers ([`Values`]), and 2-D points ([`Points`]).

use crate::tensor::Tensor;

/// A sequence of numbers to plot: a [`Tensor`] (all its values, in order),
/// a `Vec`, slice or array of `f32` or `f64`.
///
/// ```
/// use apprentissage::plot::Values;
/// use apprentissage::prelude::*;
/// assert_eq!(tensor!([1., 2.]).to_f64s(), vec![1.0, 2.0]);
/// assert_eq!(vec![0.5f32].to_f64s(), vec![0.5]);
/// assert_eq!([1.0, 2.0].to_f64s().len(), 2);
/// ```
pub trait Values {
    /// The numbers, as `f64`.
    fn to_f64s(&self) -> Vec<f64>;
}

impl Values for Tensor {
    fn to_f64s(&self) -> Vec<f64> {
        self.data().iter().map(|&v| v as f64).collect()
    }
}

macro_rules! impl_values {
    ($($t:ty),*) => {$(
        impl Values for [$t] {
            fn to_f64s(&self) -> Vec<f64> {
                self.iter().map(|&v| v as f64).collect()
            }
        }
        impl Values for Vec<$t> {
            fn to_f64s(&self) -> Vec<f64> {
                self.as_slice().to_f64s()
            }
        }
        impl<const N: usize> Values for [$t; N] {
            fn to_f64s(&self) -> Vec<f64> {
                self.as_slice().to_f64s()
            }
        }
    )*};
}
impl_values!(f32, f64);

/// Points of the plane: a [`Tensor`] of shape (N, 2), or a `Vec`, slice or
/// array of `(x, y)` pairs or `[x, y]` arrays (e.g. the iterates of a 2-D
/// gradient descent collected in a loop).
///
/// ```
/// use apprentissage::plot::Points;
/// use apprentissage::prelude::*;
/// assert_eq!(tensor!([[1., 2.], [3., 4.]]).to_points(), vec![(1.0, 2.0), (3.0, 4.0)]);
/// assert_eq!(vec![(0.5f32, 1.0f32)].to_points(), vec![(0.5, 1.0)]);
/// ```
pub trait Points {
    /// The points as `(x, y)` pairs.
    fn to_points(&self) -> Vec<(f64, f64)>;
}

impl Points for Tensor {
    /// Panics unless the tensor has shape (N, 2).
    fn to_points(&self) -> Vec<(f64, f64)> {
        let shape = self.shape();
        assert!(
            shape.len() == 2 && shape[1] == 2,
            "points: expected a tensor of shape (N, 2), one (x, y) per row, got {shape:?}"
        );
        self.to_vec()
            .chunks(2)
            .map(|p| (p[0] as f64, p[1] as f64))
            .collect()
    }
}

macro_rules! impl_points {
    ($($t:ty),*) => {$(
        impl Points for [($t, $t)] {
            fn to_points(&self) -> Vec<(f64, f64)> {
                self.iter().map(|&(x, y)| (x as f64, y as f64)).collect()
            }
        }
        impl Points for Vec<($t, $t)> {
            fn to_points(&self) -> Vec<(f64, f64)> {
                self.as_slice().to_points()
            }
        }
        impl<const N: usize> Points for [($t, $t); N] {
            fn to_points(&self) -> Vec<(f64, f64)> {
                self.as_slice().to_points()
            }
        }
        impl Points for [[$t; 2]] {
            fn to_points(&self) -> Vec<(f64, f64)> {
                self.iter().map(|&[x, y]| (x as f64, y as f64)).collect()
            }
        }
        impl Points for Vec<[$t; 2]> {
            fn to_points(&self) -> Vec<(f64, f64)> {
                self.as_slice().to_points()
            }
        }
    )*};
}
impl_points!(f32, f64);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;

    #[test]
    fn values_and_points_from_every_source() {
        assert_eq!(Tensor::arange(0.0, 3.0, 1.0).to_f64s(), vec![0., 1., 2.]);
        assert_eq!([1f32, 2.][..].to_f64s(), vec![1., 2.]);
        assert_eq!(vec![[1.0, 2.0]].to_points(), vec![(1., 2.)]);
        // a transposed (non-contiguous) tensor is read in logical order
        let t = tensor!([[1., 3.], [2., 4.]]).t();
        assert_eq!(t.to_points(), vec![(1., 2.), (3., 4.)]);
    }

    #[test]
    #[should_panic(expected = "expected a tensor of shape (N, 2)")]
    fn points_need_two_columns() {
        tensor!([1., 2., 3.]).to_points();
    }
}
