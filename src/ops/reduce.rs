//! Reductions: `sum`, `mean`, `max`, `min` over all elements or along one
//! dimension, and `argmax`/`argmin` (indices, no gradient).
//!
//! | op | backward |
//! |---|---|
//! | sum | the gradient is copied to every summed element |
//! | mean | the same, divided by the number of elements averaged |
//! | max / min (all) | to the elements equal to the extremum, shared evenly on ties |
//! | max / min along a dim | to the element the index points at (the first one on ties) |
//!
//! `keepdim = true` keeps the reduced dimension with size 1, so that the
//! result broadcasts against the input (`x - x.max_dim(1, true)`).
//!
//! ```
//! use apprentissage::prelude::*;
//! let x = tensor!([[1., 5.], [3., 2.]]);
//! assert_eq!(x.sum().item(), 11.0);
//! assert_eq!(x.sum_dim(0, false).to_vec(), vec![4., 7.]);
//! assert_eq!(x.mean_dim(1, true).shape(), vec![2, 1]);
//! assert_eq!(x.max_dim(1, false).to_vec(), vec![5., 3.]);
//! assert_eq!(x.argmax(1).to_vec(), vec![1., 0.]);
//! ```

use ndarray::{ArrayD, Axis, IxDyn, Zip};

use super::{resolve_dim, Dim};
use crate::autograd::Op;
use crate::tensor::Tensor;

/// Sum (`scale = 1`) or mean (`scale = 1/n`), over all elements (`dim = None`)
/// or along one dimension.
struct SumOp {
    dim: Option<(usize, bool)>,
    scale: f32,
    mean: bool,
}

impl Op for SumOp {
    fn name(&self) -> &'static str {
        if self.mean {
            "MeanBackward0"
        } else {
            "SumBackward0"
        }
    }
    fn backward(
        &self,
        g: &ArrayD<f32>,
        x: &[&ArrayD<f32>],
        _: &ArrayD<f32>,
        _: &[bool],
    ) -> Vec<Option<ArrayD<f32>>> {
        if self.dim.is_none() {
            // every element receives the same value: fill, don't map a broadcast view
            let v = g.first().copied().expect("one value") * self.scale;
            return vec![Some(ArrayD::from_elem(x[0].raw_dim(), v))];
        }
        let g = match self.dim {
            Some((d, false)) => g.view().insert_axis(Axis(d)),
            _ => g
                .view()
                .into_shape_with_order(keepdim_shape(x[0], self.dim))
                .expect("size"),
        };
        let grad = g
            .broadcast(x[0].raw_dim())
            .expect("keepdim shape")
            .mapv(|v| v * self.scale);
        vec![Some(grad)]
    }
}

/// The shape of the result with the reduced dimension(s) kept as size 1.
fn keepdim_shape(x: &ArrayD<f32>, dim: Option<(usize, bool)>) -> IxDyn {
    let mut shape = x.shape().to_vec();
    match dim {
        Some((d, _)) => shape[d] = 1,
        None => shape.iter_mut().for_each(|s| *s = 1),
    }
    IxDyn(&shape)
}

/// Max or min along a dimension: the gradient goes to the stored index.
struct ExtremumDimOp {
    dim: usize,
    keepdim: bool,
    indices: ArrayD<usize>,
    is_max: bool,
}

impl Op for ExtremumDimOp {
    fn name(&self) -> &'static str {
        if self.is_max {
            "MaxBackward0"
        } else {
            "MinBackward0"
        }
    }
    fn backward(
        &self,
        g: &ArrayD<f32>,
        x: &[&ArrayD<f32>],
        _: &ArrayD<f32>,
        _: &[bool],
    ) -> Vec<Option<ArrayD<f32>>> {
        let g = if self.keepdim {
            g.view().remove_axis(Axis(self.dim))
        } else {
            g.view()
        };
        let mut grad = ArrayD::zeros(x[0].raw_dim());
        // lanes along `dim` correspond one to one with the entries of g / indices
        Zip::from(grad.lanes_mut(Axis(self.dim)))
            .and(&g)
            .and(&self.indices)
            .for_each(|mut lane, &g, &i| lane[i] = g);
        vec![Some(grad)]
    }
}

/// Max or min of all elements: the gradient is shared by the elements equal to it.
struct ExtremumAllOp {
    is_max: bool,
}

impl Op for ExtremumAllOp {
    fn name(&self) -> &'static str {
        if self.is_max {
            "MaxBackward1"
        } else {
            "MinBackward1"
        }
    }
    fn backward(
        &self,
        g: &ArrayD<f32>,
        x: &[&ArrayD<f32>],
        out: &ArrayD<f32>,
        _: &[bool],
    ) -> Vec<Option<ArrayD<f32>>> {
        let m = out.first().copied().expect("one value");
        let ties = x[0].iter().filter(|&&v| v == m).count() as f32;
        let share = g.first().copied().expect("one value") / ties;
        vec![Some(x[0].mapv(|v| if v == m { share } else { 0.0 }))]
    }
}

/// Index of the max (`is_max`) or min in each lane along `dim` (first on ties;
/// NaN counts as the largest, as in PyTorch).
fn arg_extremum(x: &ArrayD<f32>, dim: usize, is_max: bool) -> ArrayD<usize> {
    x.map_axis(Axis(dim), |lane| {
        let mut best = 0;
        for (i, &v) in lane.iter().enumerate() {
            let b = lane[best];
            let better = if is_max { v > b } else { v < b };
            if (better || v.is_nan()) && !b.is_nan() {
                best = i;
            }
        }
        best
    })
}

impl Tensor {
    /// Sum of all elements, a 0-dimensional tensor (`x.sum()`).
    pub fn sum(&self) -> Tensor {
        let value = ndarray::arr0(self.data().sum()).into_dyn();
        let op = SumOp {
            dim: None,
            scale: 1.0,
            mean: false,
        };
        Tensor::from_op(value, vec![self.clone()], op)
    }

    /// Sum along `dim` (negative counts from the end), like `x.sum(dim, keepdim)`.
    pub fn sum_dim(&self, dim: impl Dim, keepdim: bool) -> Tensor {
        self.reduce_dim("sum_dim", dim, keepdim, false)
    }

    /// Mean of all elements (`x.mean()`).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// assert_eq!(tensor!([1., 2., 3., 6.]).mean().item(), 3.0);
    /// ```
    pub fn mean(&self) -> Tensor {
        let n = self.numel();
        assert!(n > 0, "mean() of an empty tensor is undefined");
        let value = ndarray::arr0(self.data().sum() / n as f32).into_dyn();
        let op = SumOp {
            dim: None,
            scale: 1.0 / n as f32,
            mean: true,
        };
        Tensor::from_op(value, vec![self.clone()], op)
    }

    /// Mean along `dim`, like `x.mean(dim, keepdim)`.
    pub fn mean_dim(&self, dim: impl Dim, keepdim: bool) -> Tensor {
        self.reduce_dim("mean_dim", dim, keepdim, true)
    }

    fn reduce_dim(&self, op: &str, dim: impl Dim, keepdim: bool, mean: bool) -> Tensor {
        let x = self.data();
        let d = resolve_dim(op, dim, x.ndim());
        let n = x.shape()[d];
        let scale = if mean { 1.0 / n as f32 } else { 1.0 };
        let mut value = x.sum_axis(Axis(d));
        if mean {
            value.mapv_inplace(|v| v * scale);
        }
        if keepdim {
            value.insert_axis_inplace(Axis(d));
        }
        let op = SumOp {
            dim: Some((d, keepdim)),
            scale,
            mean,
        };
        Tensor::from_op(value, vec![self.clone()], op)
    }

    /// Largest element (`x.max()`), a 0-dimensional tensor.
    pub fn max(&self) -> Tensor {
        self.extremum_all(true)
    }

    /// Smallest element (`x.min()`), a 0-dimensional tensor.
    pub fn min(&self) -> Tensor {
        self.extremum_all(false)
    }

    fn extremum_all(&self, is_max: bool) -> Tensor {
        let x = self.data();
        assert!(!x.is_empty(), "max()/min() of an empty tensor is undefined");
        // NaN wins, as in PyTorch: a NaN anywhere must not go unnoticed
        let first = *x.iter().next().expect("non-empty");
        let m = x
            .iter()
            .copied()
            .fold(first, |a, b| match (a.is_nan() || b.is_nan(), is_max) {
                (true, _) => f32::NAN,
                (false, true) => a.max(b),
                (false, false) => a.min(b),
            });
        let value = ndarray::arr0(m).into_dyn();
        Tensor::from_op(value, vec![self.clone()], ExtremumAllOp { is_max })
    }

    /// Maximum along `dim` (the values of PyTorch's `x.max(dim, keepdim)`;
    /// the indices are [`Tensor::argmax`]).
    pub fn max_dim(&self, dim: impl Dim, keepdim: bool) -> Tensor {
        self.extremum_dim("max_dim", dim, keepdim, true)
    }

    /// Minimum along `dim` (the values of PyTorch's `x.min(dim, keepdim)`).
    pub fn min_dim(&self, dim: impl Dim, keepdim: bool) -> Tensor {
        self.extremum_dim("min_dim", dim, keepdim, false)
    }

    fn extremum_dim(&self, op: &str, dim: impl Dim, keepdim: bool, is_max: bool) -> Tensor {
        let x = self.data();
        let d = resolve_dim(op, dim, x.ndim());
        assert!(x.shape()[d] > 0, "{op}: dimension {d} is empty");
        let indices = arg_extremum(&x, d, is_max);
        let mut value = Zip::from(x.lanes(Axis(d)))
            .and(&indices)
            .map_collect(|lane, &i| lane[i]);
        if keepdim {
            value.insert_axis_inplace(Axis(d));
        }
        let op = ExtremumDimOp {
            dim: d,
            keepdim,
            indices,
            is_max,
        };
        Tensor::from_op(value, vec![self.clone()], op)
    }

    /// Index of the largest value along `dim`, as a tensor of whole numbers
    /// (the predicted class of each row: `scores.argmax(1)`). No gradient.
    pub fn argmax(&self, dim: impl Dim) -> Tensor {
        self.arg_extremum_tensor("argmax", dim, true)
    }

    /// Index of the smallest value along `dim`. No gradient.
    pub fn argmin(&self, dim: impl Dim) -> Tensor {
        self.arg_extremum_tensor("argmin", dim, false)
    }

    fn arg_extremum_tensor(&self, op: &str, dim: impl Dim, is_max: bool) -> Tensor {
        let x = self.data();
        let d = resolve_dim(op, dim, x.ndim());
        assert!(x.shape()[d] > 0, "{op}: dimension {d} is empty");
        Tensor::from_array(arg_extremum(&x, d, is_max).mapv(|i| i as f32))
    }
}

#[cfg(test)]
mod tests {
    use crate::gradcheck::assert_gradcheck;
    use crate::prelude::*;
    use crate::random::test_tensor as random;

    #[test]
    fn reductions_pass_gradcheck() {
        for (seed, shape) in [vec![4], vec![2, 3], vec![2, 3, 4]].iter().enumerate() {
            let seed = seed as u64;
            assert_gradcheck(|t| t[0].sum(), &[random(shape, seed)]);
            assert_gradcheck(|t| t[0].mean(), &[random(shape, seed)]);
            assert_gradcheck(|t| t[0].max(), &[random(shape, seed)]);
            assert_gradcheck(|t| t[0].min(), &[random(shape, seed)]);
            for d in 0..shape.len() as isize {
                for keep in [false, true] {
                    assert_gradcheck(|t| t[0].sum_dim(d, keep), &[random(shape, seed)]);
                    let negative = d - shape.len() as isize; // the same dim, counted from the end
                    assert_gradcheck(
                        |t| t[0].mean_dim(negative, keep).exp(),
                        &[random(shape, seed)],
                    );
                    assert_gradcheck(|t| t[0].max_dim(d, keep), &[random(shape, seed)]);
                    assert_gradcheck(|t| t[0].min_dim(d, keep), &[random(shape, seed)]);
                }
            }
        }
    }

    #[test]
    fn extremum_gradients_on_ties() {
        let x = tensor!([[3., 1., 3.]]).requires_grad_();
        x.max().backward();
        assert_eq!(x.grad().unwrap().to_vec(), vec![0.5, 0., 0.5]);
        x.zero_grad();
        x.max_dim(1, false).sum().backward();
        assert_eq!(x.grad().unwrap().to_vec(), vec![1., 0., 0.]);
    }

    #[test]
    fn reductions_work_on_transposed_data() {
        let x = tensor!([[1., 2., 3.], [4., 5., 6.]]).t();
        assert_eq!(x.sum_dim(0, false).to_vec(), vec![6., 15.]);
        assert_eq!(x.max().item(), 6.0);
        assert_eq!(x.argmax(0).to_vec(), vec![2., 2.]);
        assert_eq!(
            x.min_dim(1, true).to_vec2(),
            vec![vec![1.], vec![2.], vec![3.]]
        );
    }

    #[test]
    fn argmax_takes_the_first_of_ties_and_negative_dims() {
        let x = tensor!([[1., 7., 7.], [9., 0., 9.]]);
        assert_eq!(x.argmax(-1).to_vec(), vec![1., 0.]);
        assert_eq!(x.argmin(0).to_vec(), vec![0., 1., 0.]);
    }

    #[test]
    #[should_panic(expected = "dimension 2 is out of range for a tensor with 2 dimension(s)")]
    fn a_bad_dimension_is_named() {
        tensor!([[1.]]).sum_dim(2, false);
    }
}
