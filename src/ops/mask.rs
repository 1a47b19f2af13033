//! Masks: `masked_fill` and `masked_select` (PyTorch's `x[mask] = v` and
//! `x[mask]`). A mask is a tensor of 0/1 values, e.g. the result of `x.gt(&t)`;
//! any non-zero value counts as true.
//!
//! | op | forward | backward | `grad_fn` |
//! |---|---|---|---|
//! | `masked_fill(m, v)` | `v` where m ≠ 0, else `x` | g where m = 0, else 0 | `MaskedFillBackward0` |
//! | `masked_select(m)` | the `x` where m ≠ 0, in a 1-D tensor | g put back at those places | `MaskedSelectBackward0` |
//!
//! ```
//! use apprentissage::prelude::*;
//! let x = tensor!([1., -2., 3.]);
//! let negative = x.lt_scalar(0.0);
//! assert_eq!(x.masked_fill(&negative, 0.0).to_vec(), vec![1., 0., 3.]);
//! assert_eq!(x.masked_select(&negative).to_vec(), vec![-2.]);
//! ```

use ndarray::{ArrayD, IxDyn, Zip};

use crate::autograd::Op;
use crate::broadcast::{broadcast_shapes, unbroadcast};
use crate::tensor::Tensor;

/// `masked_fill`: the gradient passes only where the value was kept.
struct MaskedFillOp {
    keep: ArrayD<f32>,
}

impl Op for MaskedFillOp {
    fn name(&self) -> &'static str {
        "MaskedFillBackward0"
    }
    fn backward(
        &self,
        g: &ArrayD<f32>,
        _: &[&ArrayD<f32>],
        _: &ArrayD<f32>,
        _: &[bool],
    ) -> Vec<Option<ArrayD<f32>>> {
        vec![Some(g * &self.keep)]
    }
}

/// `masked_select`: the gradients go back to the selected places (of the
/// broadcast shape), then are summed back to the input's shape.
struct MaskedSelectOp {
    shape: Vec<usize>,
    mask: Vec<bool>,
}

impl Op for MaskedSelectOp {
    fn name(&self) -> &'static str {
        "MaskedSelectBackward0"
    }
    fn backward(
        &self,
        g: &ArrayD<f32>,
        x: &[&ArrayD<f32>],
        _: &ArrayD<f32>,
        _: &[bool],
    ) -> Vec<Option<ArrayD<f32>>> {
        let mut grad = ArrayD::zeros(IxDyn(&self.shape));
        let targets = grad.iter_mut().zip(&self.mask).filter(|(_, &m)| m);
        for ((dst, _), &g) in targets.zip(g.iter()) {
            *dst = g;
        }
        vec![Some(unbroadcast(grad, x[0].shape()))]
    }
}

impl Tensor {
    /// Replaces by `value` the elements where `mask` is non-zero
    /// (`x.masked_fill(mask, value)`); `mask` is a tensor of 0/1 (e.g. from
    /// [`Tensor::gt`] or [`Tensor::gt_scalar`]) of the same shape, or one that broadcasts to it.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let x = tensor!([[1., -2.], [-3., 4.]]);
    /// assert_eq!(x.masked_fill(&x.lt_scalar(0.0), 0.0).to_vec(), vec![1., 0., 0., 4.]);
    /// // a mask of shape [2, 1] is broadcast along the columns: whole rows are filled
    /// let rows = tensor!([[1.], [0.]]);
    /// assert_eq!(x.masked_fill(&rows, 99.).to_vec(), vec![99., 99., -3., 4.]);
    /// ```
    pub fn masked_fill(&self, mask: &Tensor, value: f32) -> Tensor {
        let (x, m) = (self.data(), mask.data());
        let fits = broadcast_shapes(x.shape(), m.shape()).is_ok_and(|s| s == x.shape());
        assert!(
            fits,
            "masked_fill: a mask of shape {:?} does not broadcast to the tensor's shape {:?}",
            m.shape(),
            x.shape()
        );
        let m = m.broadcast(x.raw_dim()).expect("checked");
        let keep = m.mapv(|m| if m != 0.0 { 0.0 } else { 1.0 });
        let out = Zip::from(&*x)
            .and(&keep)
            .map_collect(|&v, &k| if k == 0.0 { value } else { v });
        Tensor::from_op(out, vec![self.clone()], MaskedFillOp { keep })
    }

    /// The elements where `mask` is non-zero, in row-major order, as a 1-D
    /// tensor (PyTorch's `x[mask]` or `x.masked_select(mask)`). `mask` and
    /// `self` are broadcast together first.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let x = tensor!([[1., -2.], [-3., 4.]]);
    /// assert_eq!(x.masked_select(&x.gt_scalar(0.0)).to_vec(), vec![1., 4.]);
    /// ```
    pub fn masked_select(&self, mask: &Tensor) -> Tensor {
        let (x, m) = (self.data(), mask.data());
        let shape = broadcast_shapes(x.shape(), m.shape())
            .unwrap_or_else(|e| panic!("masked_select: tensor and mask: {e}"));
        let xb = x.broadcast(IxDyn(&shape)).expect("checked");
        let mask: Vec<bool> = m
            .broadcast(IxDyn(&shape))
            .expect("checked")
            .iter()
            .map(|&m| m != 0.0)
            .collect();
        let values: Vec<f32> = xb
            .iter()
            .zip(&mask)
            .filter(|(_, &m)| m)
            .map(|(&v, _)| v)
            .collect();
        let value = ArrayD::from_shape_vec(IxDyn(&[values.len()]), values).expect("1-D");
        Tensor::from_op(value, vec![self.clone()], MaskedSelectOp { shape, mask })
    }
}

// ----- cat and stack ---------------------------------------------------------

#[cfg(test)]
mod tests {
    use crate::gradcheck::assert_gradcheck;
    use crate::prelude::*;
    use crate::random::test_tensor as random;

    #[test]
    fn masks_pass_gradcheck_and_course_3_8() {
        let x = [random(&[3, 4], 4)];
        let mask = x[0].gt_scalar(0.0);
        assert_gradcheck(|t| t[0].masked_fill(&mask, 99.0), &x);
        assert_gradcheck(|t| t[0].masked_fill(&tensor!([1, 0, 0, 1]), -1.0), &x);
        assert_gradcheck(|t| t[0].masked_select(&mask), &x);
        assert_gradcheck(|t| t[0].t().masked_select(&mask.t()), &x);
        // a row [1, 4] broadcast against a [3, 4] mask: each value picked up to 3 times
        assert_gradcheck(|t| t[0].masked_select(&mask), &[random(&[1, 4], 5)]);
        // chapter 3.8: indexing with booleans, and filling with 99
        let a = tensor!([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
        assert_eq!(
            a.masked_select(&a.gt_scalar(5.0)).to_vec(),
            vec![6., 7., 8., 9.]
        );
        let filled = a.masked_fill(&tensor!([[0], [1], [1]]), 99.);
        assert_eq!(filled.to_vec2()[1..], [vec![99.; 3], vec![99.; 3]]);
        let y = tensor!([1., -2., 3.]).requires_grad_();
        let z = y.masked_fill(&y.lt_scalar(0.0), 0.0);
        assert_eq!(z.grad_fn(), Some("MaskedFillBackward0"));
        z.sum().backward();
        assert_eq!(y.grad().unwrap().to_vec(), vec![1., 0., 1.]);
    }

    #[test]
    #[should_panic(
        expected = "masked_fill: a mask of shape [3] does not broadcast to the \
                               tensor's shape [3, 1]"
    )]
    fn masked_fill_with_a_larger_mask_is_refused() {
        Tensor::zeros(&[3, 1]).masked_fill(&tensor!([1, 0, 1]), 0.0);
    }
}
