//! Broadcasting (course chapter 4): how `a + b` works when shapes differ.
//!
//! The rules, for shapes `(a₀ … aₙ)` and `(b₀ … bₘ)`:
//! 1. the shorter shape is padded on the *left* with 1s until both have the
//!    same number of dimensions;
//! 2. in each dimension `i`, the sizes are compatible if `aᵢ = bᵢ`, or one of
//!    them is 1;
//! 3. the result has size `max(aᵢ, bᵢ)`: a size-1 dimension is repeated.
//!
//! ```
//! use apprentissage::broadcast::broadcast_shapes;
//! assert_eq!(broadcast_shapes(&[1, 1, 4], &[3, 2, 1]).unwrap(), vec![3, 2, 4]);
//! assert!(broadcast_shapes(&[3, 4], &[3]).is_err());
//! ```
//!
//! In the backward pass, a gradient computed for the broadcast result must be
//! brought back to the input's shape: since a repeated value was used several
//! times, its gradient is the **sum** over the repetitions ([`unbroadcast`]).

use std::fmt;

use ndarray::{ArrayD, Axis};

/// Two shapes that cannot be broadcast together, with the dimension at fault.
///
/// ```
/// use apprentissage::broadcast::broadcast_shapes;
/// let err = broadcast_shapes(&[3, 4], &[3]).unwrap_err();
/// assert_eq!((err.dim, err.sizes), (1, (4, 3)));
/// assert!(err.to_string().contains("must be equal or one of them must be 1"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BroadcastError {
    /// The left operand's shape.
    pub left: Vec<usize>,
    /// The right operand's shape.
    pub right: Vec<usize>,
    /// The offending dimension, counted in the left-padded shapes.
    pub dim: usize,
    /// The two sizes found in that dimension.
    pub sizes: (usize, usize),
}

impl fmt::Display for BroadcastError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "shapes {:?} and {:?} cannot be broadcast together: in dimension {} \
             (after padding the shorter shape with 1s on the left) the sizes are {} and {}; \
             they must be equal or one of them must be 1",
            self.left, self.right, self.dim, self.sizes.0, self.sizes.1
        )
    }
}

impl std::error::Error for BroadcastError {}

/// The shape of `a op b` under broadcasting, or why there is none.
///
/// ```
/// use apprentissage::broadcast::broadcast_shapes;
/// assert_eq!(broadcast_shapes(&[3, 1], &[4]).unwrap(), vec![3, 4]);
/// let err = broadcast_shapes(&[1, 1, 4], &[1, 3]).unwrap_err();
/// assert_eq!(err.dim, 2);
/// ```
pub fn broadcast_shapes(a: &[usize], b: &[usize]) -> Result<Vec<usize>, BroadcastError> {
    let n = a.len().max(b.len());
    let padded = |s: &[usize], i: usize| {
        if i < n - s.len() {
            1
        } else {
            s[i - (n - s.len())]
        }
    };
    (0..n)
        .map(|i| match (padded(a, i), padded(b, i)) {
            (x, y) if x == y || y == 1 => Ok(x),
            (1, y) => Ok(y),
            (x, y) => Err(BroadcastError {
                left: a.to_vec(),
                right: b.to_vec(),
                dim: i,
                sizes: (x, y),
            }),
        })
        .collect()
}

/// Sums `grad` (shaped like a broadcast result) back down to `shape`: over the
/// leading dimensions that broadcasting added, and over the dimensions where
/// `shape` has size 1.
///
/// ```
/// use apprentissage::broadcast::unbroadcast;
/// use ndarray::{ArrayD, IxDyn};
/// let g = ArrayD::<f32>::ones(IxDyn(&[4, 3]));
/// assert_eq!(unbroadcast(g.clone(), &[3]).into_raw_vec_and_offset().0, vec![4., 4., 4.]);
/// assert_eq!(unbroadcast(g, &[4, 1]).shape(), &[4, 1]);
/// ```
pub fn unbroadcast(grad: ArrayD<f32>, shape: &[usize]) -> ArrayD<f32> {
    if grad.shape() == shape {
        return grad;
    }
    let mut g = grad;
    while g.ndim() > shape.len() {
        g = g.sum_axis(Axis(0));
    }
    for (i, &size) in shape.iter().enumerate() {
        if size == 1 && g.shape()[i] != 1 {
            g = g.sum_axis(Axis(i)).insert_axis(Axis(i));
        }
    }
    g
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn course_4_1_result_shapes() {
        let cases: [(&[usize], &[usize], &[usize]); 6] = [
            (&[3, 4], &[1], &[3, 4]),
            (&[3, 4], &[1, 1], &[3, 4]),
            (&[3, 1], &[4], &[3, 4]),
            (&[3, 1], &[1, 4], &[3, 4]),
            (&[1, 1, 4], &[1, 3, 1], &[1, 3, 4]),
            (&[1, 1, 4], &[3, 2, 1], &[3, 2, 4]),
        ];
        for (a, b, expected) in cases {
            assert_eq!(broadcast_shapes(a, b).unwrap(), expected, "{a:?} + {b:?}");
            assert_eq!(broadcast_shapes(b, a).unwrap(), expected, "{b:?} + {a:?}");
        }
    }

    #[test]
    fn course_4_1_incompatible_cases_name_the_dimension() {
        let e = broadcast_shapes(&[3, 4], &[3]).unwrap_err();
        assert_eq!((e.dim, e.sizes), (1, (4, 3)));
        let msg = e.to_string();
        assert!(
            msg.contains("[3, 4] and [3]") && msg.contains("dimension 1"),
            "{msg}"
        );

        let e = broadcast_shapes(&[1, 1, 4], &[1, 3]).unwrap_err();
        assert_eq!((e.dim, e.sizes), (2, (4, 3)));
    }

    #[test]
    fn scalars_broadcast_with_anything() {
        assert_eq!(broadcast_shapes(&[], &[2, 3]).unwrap(), vec![2, 3]);
        assert_eq!(broadcast_shapes(&[], &[]).unwrap(), Vec::<usize>::new());
    }

    fn values(a: ArrayD<f32>) -> Vec<f32> {
        a.iter().copied().collect()
    }

    #[test]
    fn unbroadcast_sums_the_repeated_dimensions() {
        let g = ArrayD::from_shape_vec(vec![2, 3], vec![1., 2., 3., 4., 5., 6.]).unwrap();
        assert_eq!(values(unbroadcast(g.clone(), &[3])), vec![5., 7., 9.]);
        assert_eq!(values(unbroadcast(g.clone(), &[2, 1])), vec![6., 15.]);
        assert_eq!(values(unbroadcast(g.clone(), &[1, 1])), vec![21.]);
        assert_eq!(values(unbroadcast(g, &[])), vec![21.]);
    }
}
