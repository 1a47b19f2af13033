//! The differentiable operations, one family per file. In each file the
//! forward computation (a method on [`Tensor`]) and its [`Op`](crate::autograd::Op)
//! (the backward computation) sit side by side, with their tests below them.
//!
//! | file | operations |
//! |---|---|
//! | `elementwise` | `+ − × ÷` with broadcasting, `maximum`, `minimum` |
//! | `unary` | `neg`, `pow`, `sqrt`, `exp`, `log`, `abs`, `clamp` |
//! | `reduce` | `sum`, `mean`, `max`, `min` (all or along a dim), `argmax`, `argmin` |
//! | `matmul` | `matmul`, `mm`, batched `bmm` through BLAS |
//! | `shape/` | `reshape`/`view`, `flatten`, `transpose`, `t`, `permute`, `unsqueeze`, `squeeze` |
//! | `index` | `slice`, `index_select`, `gather`, `index` |
//! | `mask` | `masked_fill`, `masked_select` |
//! | `join` | `cat`, `stack` |
//! | `compare` | `eq`, `ne`, `gt`, `ge`, `lt`, `le` (masks of 0/1, no gradient) |
//! | `activation` | `relu`, `leaky_relu`, `sigmoid`, `tanh` |
//! | `softmax` | `softmax`, `log_softmax` |
//! | `loss` | `mse_loss`, `nll_loss`, `cross_entropy`, `margin_loss` |
//! | `linear` | `linear` (x·Wᵀ + b, fused, through BLAS) |
//! | `conv/` | `conv2d` (im2col + BLAS); inside: `bands` (the forward pass band by band), `parallel` (a batch in parts on rayon's threads), `tests` |
//! | `pool` | `max_pool2d`, `avg_pool2d` |
//! | `dropout` | `dropout` |
//! | `window` (internal) | the geometry of sliding windows, `im2col`/`col2im`, shared by `conv` and `pool` |

use crate::tensor::Tensor;

pub mod activation;
pub mod compare;
pub mod conv;
pub mod dropout;
pub mod elementwise;
pub mod index;
pub mod join;
pub mod linear;
pub mod loss;
pub mod mask;
pub mod matmul;
pub mod pool;
pub mod reduce;
pub mod shape;
pub mod softmax;
pub mod unary;
pub(crate) mod window;

/// A dimension number; negative values count from the end, as in PyTorch
/// (`-1` is the last dimension).
///
/// ```
/// use apprentissage::prelude::*;
/// let x = tensor!([[1., 2.], [3., 4.]]);
/// assert_eq!(x.sum_dim(-1, false).to_vec(), x.sum_dim(1, false).to_vec());
/// ```
pub trait Dim: Copy {
    /// The dimension as an `isize`.
    fn as_isize(self) -> isize;
}

macro_rules! impl_dim {
    ($($t:ty),*) => { $(impl Dim for $t { fn as_isize(self) -> isize { self as isize } })* };
}
impl_dim!(i32, i64, isize, usize);

/// Resolves a possibly negative `dim` for a tensor of `ndim` dimensions,
/// panicking with a message that names `op` when it is out of range.
pub(crate) fn resolve_dim(op: &str, dim: impl Dim, ndim: usize) -> usize {
    let d = dim.as_isize();
    // a 0-dimensional tensor accepts 0 and −1, as in PyTorch
    let n = (ndim as isize).max(1);
    let resolved = if d < 0 { d + n } else { d };
    assert!(
        (0..n).contains(&resolved),
        "{op}: dimension {d} is out of range for a tensor with {ndim} dimension(s) \
         (valid: {} to {})",
        -n,
        n - 1
    );
    resolved as usize
}

/// Indices given as a slice, a vector, or a tensor of whole numbers (e.g. labels).
///
/// ```
/// use apprentissage::ops::Indices;
/// use apprentissage::prelude::*;
/// assert_eq!(tensor!([2., 0.]).to_indices(), vec![2, 0]);
/// assert_eq!([1usize, 3].to_indices(), vec![1, 3]);
/// ```
pub trait Indices {
    /// The indices as `usize`; panics on a negative or fractional value.
    fn to_indices(&self) -> Vec<usize>;
}

impl Indices for [usize] {
    fn to_indices(&self) -> Vec<usize> {
        self.to_vec()
    }
}

impl Indices for Vec<usize> {
    fn to_indices(&self) -> Vec<usize> {
        self.clone()
    }
}

impl<const N: usize> Indices for [usize; N] {
    fn to_indices(&self) -> Vec<usize> {
        self.to_vec()
    }
}

impl Indices for Tensor {
    fn to_indices(&self) -> Vec<usize> {
        self.data()
            .iter()
            .map(|&v| {
                assert!(
                    v >= 0.0 && v.fract() == 0.0 && v < 16_777_216.0,
                    "indices must be whole numbers ≥ 0, found {v}"
                );
                v as usize
            })
            .collect()
    }
}
