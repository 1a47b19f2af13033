//! Changing the shape without changing the values: `reshape`/`view`,
//! `flatten`, `transpose`, `t`, `permute`, `unsqueeze`, `squeeze`.
//!
//! None of these computes anything: the same numbers are read in another
//! arrangement. The backward pass therefore only puts the gradient back into
//! the input's arrangement:
//!
//! | op | forward | backward | `grad_fn` |
//! |---|---|---|---|
//! | `reshape(s)`, `view(s)`, `flatten` | same values in row-major order, new shape | reshape g to the input's shape | `ViewBackward0` |
//! | `transpose(d0, d1)`, `t()` | swaps two dimensions | swaps them back | `TransposeBackward0`, `TBackward0` |
//! | `permute(p)` | dimension `i` of the result is dimension `p[i]` of the input | permutes g by the inverse permutation | `PermuteBackward0` |
//! | `unsqueeze(d)` | inserts a dimension of size 1 at `d` | removes it | `UnsqueezeBackward0` |
//! | `squeeze()`, `squeeze_dim(d)` | removes dimensions of size 1 | puts them back | `SqueezeBackward0`, `SqueezeBackward1` |
//!
//! Unlike PyTorch, every result owns its values (no view shares memory with
//! its input), so `view` and `reshape` are the same operation and both work
//! on a transposed tensor. `transpose` and `permute` only reorder the strides
//! of the copy; every operation of the crate accepts any memory layout.
//!
//! ```
//! use apprentissage::prelude::*;
//! let x = Tensor::arange(0.0, 6.0, 1.0);     // [0, 1, 2, 3, 4, 5]
//! let m = x.reshape(&[2, -1]);               // -1 is inferred: 3
//! assert_eq!(m.to_vec2(), vec![vec![0., 1., 2.], vec![3., 4., 5.]]);
//! assert_eq!(m.t().to_vec2(), vec![vec![0., 3.], vec![1., 4.], vec![2., 5.]]);
//! assert_eq!(m.unsqueeze(0).shape(), vec![1, 2, 3]);
//! ```

use ndarray::{ArrayD, Axis, IxDyn};

use super::{resolve_dim, Dim};
use crate::autograd::Op;
use crate::tensor::Tensor;

/// Reshape-like ops (reshape, view, flatten, squeeze, unsqueeze): the
/// gradient is reshaped back to the input's shape, in row-major order.
struct ReshapeOp {
    name: &'static str,
}

impl Op for ReshapeOp {
    fn name(&self) -> &'static str {
        self.name
    }
    fn backward(
        &self,
        g: &ArrayD<f32>,
        x: &[&ArrayD<f32>],
        _: &ArrayD<f32>,
        _: &[bool],
    ) -> Vec<Option<ArrayD<f32>>> {
        let grad = g.to_shape(x[0].raw_dim()).expect("same number of elements");
        vec![Some(grad.into_owned())]
    }
}

/// `transpose` and `t`: swapping the same two axes again undoes the swap.
struct TransposeOp {
    d0: usize,
    d1: usize,
    name: &'static str,
}

impl Op for TransposeOp {
    fn name(&self) -> &'static str {
        self.name
    }
    fn backward(
        &self,
        g: &ArrayD<f32>,
        _: &[&ArrayD<f32>],
        _: &ArrayD<f32>,
        _: &[bool],
    ) -> Vec<Option<ArrayD<f32>>> {
        let mut grad = g.clone();
        grad.swap_axes(self.d0, self.d1);
        vec![Some(grad)]
    }
}

/// `permute`: the gradient is permuted by the inverse permutation.
struct PermuteOp {
    inverse: Vec<usize>,
}

impl Op for PermuteOp {
    fn name(&self) -> &'static str {
        "PermuteBackward0"
    }
    fn backward(
        &self,
        g: &ArrayD<f32>,
        _: &[&ArrayD<f32>],
        _: &ArrayD<f32>,
        _: &[bool],
    ) -> Vec<Option<ArrayD<f32>>> {
        vec![Some(
            g.view().permuted_axes(self.inverse.clone()).to_owned(),
        )]
    }
}

/// Resolves the position where a new dimension is inserted (`unsqueeze`,
/// `stack`): `0..=ndim`, negative values counting from the end as in PyTorch
/// (`-1` appends the new dimension last).
pub(crate) fn resolve_insert_dim(op: &str, dim: impl Dim, ndim: usize) -> usize {
    let d = dim.as_isize();
    let n = ndim as isize;
    let resolved = if d < 0 { d + n + 1 } else { d };
    assert!(
        (0..=n).contains(&resolved),
        "{op}: dimension {d} is out of range for a tensor with {ndim} dimension(s): a new \
         dimension can be inserted at positions 0 to {n} (or -{} to -1 from the end)",
        n + 1
    );
    resolved as usize
}

/// The shape `to` (with at most one `-1`) made concrete for `numel` elements,
/// or a panic naming `op`, both shapes and both element counts.
fn infer_shape(op: &str, from: &[usize], to: &[isize]) -> Vec<usize> {
    let numel: usize = from.iter().product();
    let inferred = to.iter().filter(|&&s| s == -1).count();
    assert!(
        inferred <= 1,
        "{op}: only one size can be -1 (inferred), the shape {to:?} has {inferred}"
    );
    if let Some(&bad) = to.iter().find(|&&s| s < -1) {
        panic!("{op}: invalid size {bad} in the shape {to:?}; sizes must be ≥ 0, or -1 once");
    }
    let known: usize = to
        .iter()
        .filter(|&&s| s >= 0)
        .map(|&s| s as usize)
        .product();
    if inferred == 1 {
        assert!(
            known != 0 && numel.is_multiple_of(known),
            "{op}: cannot view a tensor of shape {from:?} ({numel} elements) as shape {to:?}: \
             the -1 would have to be {numel} / {known}, which is not a whole number"
        );
        to.iter()
            .map(|&s| if s == -1 { numel / known } else { s as usize })
            .collect()
    } else {
        assert!(
            known == numel,
            "{op}: cannot reshape a tensor of shape {from:?} ({numel} elements) into shape \
             {to:?} ({known} elements); the number of elements must stay the same"
        );
        to.iter().map(|&s| s as usize).collect()
    }
}

impl Tensor {
    /// Reshapes into the row-major order arrangement of shape `shape`
    /// (PyTorch's `x.reshape(2, 3)`); one size may be `-1`, inferred from the
    /// number of elements (`x.view(-1, 784)` turns a batch of 28×28 images into
    /// rows of 784 pixels).
    ///
    /// The values are read in row-major order (last index fastest), whatever
    /// the memory layout: a transposed tensor can be reshaped too.
    ///
    /// Panics when the number of elements differs, or `-1` cannot be inferred.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let x = tensor!([1., 2., 3., 4., 5., 6.]);
    /// assert_eq!(x.reshape(&[3, 2]).to_vec2(), vec![vec![1., 2.], vec![3., 4.], vec![5., 6.]]);
    /// assert_eq!(x.reshape(&[2, 1, -1]).shape(), vec![2, 1, 3]);
    /// ```
    pub fn reshape(&self, shape: &[isize]) -> Tensor {
        self.reshape_op("reshape", shape)
    }

    /// Same as [`Tensor::reshape`] (PyTorch's `x.view(-1, 784)`).
    ///
    /// In PyTorch a view shares its memory with the original and fails on a
    /// non-contiguous tensor; here every result owns its values, so `view`
    /// always works and never changes the original.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let images = Tensor::zeros(&[64, 1, 28, 28]);
    /// assert_eq!(images.view(&[-1, 784]).shape(), vec![64, 784]);
    /// ```
    pub fn view(&self, shape: &[isize]) -> Tensor {
        self.reshape_op("view", shape)
    }

    fn reshape_op(&self, op: &str, shape: &[isize]) -> Tensor {
        let x = self.data();
        let new = infer_shape(op, x.shape(), shape);
        self.reshaped(&x, &new, "ViewBackward0")
    }

    /// The values of `x` in the shape `new` (same number of elements).
    fn reshaped(&self, x: &ArrayD<f32>, new: &[usize], name: &'static str) -> Tensor {
        let value = x.to_shape(IxDyn(new)).expect("checked size").into_owned();
        Tensor::from_op(value, vec![self.clone()], ReshapeOp { name })
    }

    /// All the values in one dimension, in row-major order (`x.flatten()`).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// assert_eq!(tensor!([[1., 2.], [3., 4.]]).flatten().to_vec(), vec![1., 2., 3., 4.]);
    /// ```
    pub fn flatten(&self) -> Tensor {
        let x = self.data();
        self.reshaped(&x, &[x.len()], "ViewBackward0")
    }

    /// Keeps the dimensions before `start_dim` and flattens the others into
    /// one (PyTorch's `torch.flatten(x, 1)`): a batch `[64, 16, 5, 5]` becomes
    /// `[64, 400]`, one row per image, as before a `Linear` layer.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let x = Tensor::zeros(&[64, 16, 5, 5]);
    /// assert_eq!(x.flatten_from(1).shape(), vec![64, 400]);
    /// assert_eq!(x.flatten_from(-2).shape(), vec![64, 16, 25]);
    /// ```
    pub fn flatten_from(&self, start_dim: impl Dim) -> Tensor {
        let x = self.data();
        let d = resolve_dim("flatten_from", start_dim, x.ndim());
        let mut new = x.shape()[..d].to_vec();
        new.push(x.shape()[d..].iter().product());
        self.reshaped(&x, &new, "ViewBackward0")
    }

    /// Swaps dimensions `d0` and `d1` (`x.transpose(0, 1)`); negative
    /// dimensions count from the end.
    ///
    /// `y[…, i, …, j, …] = x[…, j, …, i, …]`.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let x = Tensor::zeros(&[2, 3, 4]);
    /// assert_eq!(x.transpose(0, -1).shape(), vec![4, 3, 2]);
    /// let m = tensor!([[1., 2., 3.], [4., 5., 6.]]);
    /// assert_eq!(m.transpose(0, 1).to_vec(), vec![1., 4., 2., 5., 3., 6.]);
    /// ```
    pub fn transpose(&self, d0: impl Dim, d1: impl Dim) -> Tensor {
        let x = self.data();
        let a = resolve_dim("transpose", d0, x.ndim());
        let b = resolve_dim("transpose", d1, x.ndim());
        self.swapped(&x, a, b, "TransposeBackward0")
    }

    fn swapped(&self, x: &ArrayD<f32>, d0: usize, d1: usize, name: &'static str) -> Tensor {
        let mut value = x.clone();
        value.swap_axes(d0, d1);
        Tensor::from_op(value, vec![self.clone()], TransposeOp { d0, d1, name })
    }

    /// The transpose of a matrix, `Mᵀ[i, j] = M[j, i]` (PyTorch's `M.t()`).
    ///
    /// Panics unless the tensor is 2-D: a 1-D tensor is neither a row nor a
    /// column (use `unsqueeze` or `reshape` to make one); for more dimensions,
    /// say which ones with [`Tensor::transpose`].
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let m = tensor!([[1., 2., 3.], [4., 5., 6.]]);
    /// assert_eq!(m.t().to_vec2(), vec![vec![1., 4.], vec![2., 5.], vec![3., 6.]]);
    /// ```
    pub fn t(&self) -> Tensor {
        let x = self.data();
        assert!(
            x.ndim() == 2,
            "t(): expected a 2-D tensor (a matrix), got shape {:?} ({} dimension(s)); \
             use unsqueeze/reshape to make a row or a column, or transpose(d0, d1)",
            x.shape(),
            x.ndim()
        );
        self.swapped(&x, 0, 1, "TBackward0")
    }

    /// Reorders the dimensions: dimension `i` of the result is dimension
    /// `dims[i]` of the input (PyTorch's `x.permute(2, 0, 1)`, e.g. an image
    /// `[H, W, C]` into `[C, H, W]`).
    ///
    /// Panics unless `dims` lists each dimension `0..ndim` exactly once.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let image = Tensor::zeros(&[32, 28, 3]); // H, W, C
    /// assert_eq!(image.permute(&[2, 0, 1]).shape(), vec![3, 32, 28]);
    /// ```
    pub fn permute(&self, dims: &[usize]) -> Tensor {
        let x = self.data();
        let n = x.ndim();
        let mut inverse = vec![usize::MAX; n];
        let mut is_permutation = dims.len() == n;
        for (i, &d) in dims.iter().enumerate() {
            if is_permutation && d < n && inverse[d] == usize::MAX {
                inverse[d] = i;
            } else {
                is_permutation = false;
            }
        }
        assert!(
            is_permutation,
            "permute: {dims:?} is not a permutation of the dimensions of a tensor of shape {:?}; \
             expected each of 0 to {} exactly once",
            x.shape(),
            n as isize - 1
        );
        let value = x.view().permuted_axes(dims.to_vec()).to_owned();
        Tensor::from_op(value, vec![self.clone()], PermuteOp { inverse })
    }

    /// Inserts a dimension of size 1 at position `dim` (`x.unsqueeze(0)`),
    /// which may go from 0 to `ndim`; `-1` appends it last.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let v = tensor!([1., 2., 3.]);
    /// assert_eq!(v.unsqueeze(0).shape(), vec![1, 3]); // a row
    /// assert_eq!(v.unsqueeze(-1).shape(), vec![3, 1]); // a column
    /// ```
    pub fn unsqueeze(&self, dim: impl Dim) -> Tensor {
        let x = self.data();
        let d = resolve_insert_dim("unsqueeze", dim, x.ndim());
        let value = x.clone().insert_axis(Axis(d));
        let op = ReshapeOp {
            name: "UnsqueezeBackward0",
        };
        Tensor::from_op(value, vec![self.clone()], op)
    }

    /// Removes every dimension of size 1 (`x.squeeze()`).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// assert_eq!(Tensor::zeros(&[1, 3, 1, 2]).squeeze().shape(), vec![3, 2]);
    /// ```
    pub fn squeeze(&self) -> Tensor {
        let x = self.data();
        let mut value = x.clone();
        for d in (0..x.ndim()).rev().filter(|&d| x.shape()[d] == 1) {
            value = value.remove_axis(Axis(d));
        }
        let op = ReshapeOp {
            name: "SqueezeBackward0",
        };
        Tensor::from_op(value, vec![self.clone()], op)
    }

    /// Removes dimension `dim` if its size is 1 (`x.squeeze(dim)`); as in
    /// PyTorch, a dimension of another size is left as it is.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let x = Tensor::zeros(&[1, 3, 1]);
    /// assert_eq!(x.squeeze_dim(-1).shape(), vec![1, 3]);
    /// assert_eq!(x.squeeze_dim(1).shape(), vec![1, 3, 1]); // size 3: unchanged
    /// ```
    pub fn squeeze_dim(&self, dim: impl Dim) -> Tensor {
        let x = self.data();
        let d = resolve_dim("squeeze_dim", dim, x.ndim());
        let value = if x.ndim() > 0 && x.shape()[d] == 1 {
            x.clone().remove_axis(Axis(d))
        } else {
            x.clone()
        };
        let op = ReshapeOp {
            name: "SqueezeBackward1",
        };
        Tensor::from_op(value, vec![self.clone()], op)
    }
}

#[cfg(test)]
mod tests;
