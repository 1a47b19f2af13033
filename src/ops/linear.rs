//! The affine map of a `Linear` layer, fused: `y = x·Wᵀ + b` (course 5.1).
//!
//! With `x` of shape (N, in) — one sample per row —, `W` (out, in) — one
//! neuron per row — and `b` (out):
//!
//! ```text
//! y[n, o] = Σᵢ x[n, i]·W[o, i] + b[o]                  (N, out)
//!
//! ∂L/∂x = g·W          (N, out)·(out, in) → (N, in)
//! ∂L/∂W = gᵀ·x         (out, N)·(N, in)   → (out, in)
//! ∂L/∂b = Σₙ g[n, ·]   the sum of the rows of g          (out)
//! ```
//!
//! where `g = ∂L/∂y`. One BLAS `sgemm` per product: `Wᵀ` is a transposed
//! *view* of `W` (BLAS reads it with its "transposed" flag, nothing is
//! copied), and the bias is written into the result before the product, which
//! then adds to it (`beta = 1`), so no separate pass adds `b`. The backward
//! pass computes only the gradients that are needed (the input of a first
//! layer usually needs none).
//!
//! The input may also be a single sample (in) or have extra leading
//! dimensions (N, *, in): all dimensions but the last are rows.
//!
//! ```
//! use apprentissage::prelude::*;
//! use apprentissage::ops::linear::linear;
//! let x = tensor!([[1., 2.], [3., 4.]]);             // 2 samples, 2 features
//! let w = tensor!([[1., 0.], [1., 1.], [0., -1.]]);  // 3 neurons
//! let b = tensor!([0.5, 0., 1.]);
//! let y = linear(&x, &w, Some(&b));
//! assert_eq!(y.to_vec2(), vec![vec![1.5, 3., -1.], vec![3.5, 7., -3.]]);
//! ```

use ndarray::linalg::general_mat_mul;
use ndarray::{Array2, ArrayD, Axis, Ix2, IxDyn};

use crate::autograd::Op;
use crate::tensor::Tensor;

/// The backward of [`linear`]; inputs are `[x, W]` or `[x, W, b]`.
struct LinearOp {
    has_bias: bool,
}

impl Op for LinearOp {
    fn name(&self) -> &'static str {
        // PyTorch's names for x·Wᵀ + b and x·Wᵀ on a 2-D input
        if self.has_bias {
            "AddmmBackward0"
        } else {
            "MmBackward0"
        }
    }

    fn backward(
        &self,
        g: &ArrayD<f32>,
        inputs: &[&ArrayD<f32>],
        _: &ArrayD<f32>,
        needs: &[bool],
    ) -> Vec<Option<ArrayD<f32>>> {
        let (x, w) = (inputs[0], inputs[1]);
        let (out_f, in_f) = (w.shape()[0], w.shape()[1]);
        let rows = x.len() / in_f.max(1);
        let w = w.view().into_dimensionality::<Ix2>().expect("2-D weight");
        // views when the layouts allow it (the usual case), copies otherwise
        let g = g.to_shape((rows, out_f)).expect("g has the output's size");

        let dx = needs[0].then(|| {
            let mut dx = Array2::zeros((rows, in_f));
            general_mat_mul(1.0, &g, &w, 0.0, &mut dx);
            dx.into_shape_with_order(x.raw_dim()).expect("size")
        });
        let dw = needs[1].then(|| {
            let x = x.to_shape((rows, in_f)).expect("x has rows × in elements");
            let mut dw = Array2::zeros((out_f, in_f));
            general_mat_mul(1.0, &g.t(), &x, 0.0, &mut dw);
            dw.into_dyn()
        });
        let mut grads = vec![dx, dw];
        if self.has_bias {
            grads.push(needs[2].then(|| g.sum_axis(Axis(0)).into_dyn()));
        }
        grads
    }
}

/// `x·Wᵀ + b`, PyTorch's `F.linear(x, weight, bias)`: what a
/// [`Linear`](crate::nn::Linear) layer computes.
///
/// * `x`: (in), (N, in) or (N, *, in);
/// * `weight`: (out, in), one row per neuron;
/// * `bias`: (out), or `None`.
///
/// The result has the shape of `x` with its last dimension replaced by `out`.
/// Panics with a message naming both shapes when they do not fit.
///
/// ```
/// use apprentissage::prelude::*;
/// use apprentissage::ops::linear::linear;
/// let x = Tensor::ones(&[64, 784]);
/// let w = Tensor::ones(&[128, 784]).requires_grad_();
/// let y = linear(&x, &w, None);
/// assert_eq!(y.shape(), vec![64, 128]);
/// assert_eq!(y.grad_fn(), Some("MmBackward0"));
/// y.sum().backward();
/// assert_eq!(w.grad().unwrap().shape(), vec![128, 784]);
/// ```
pub fn linear(x: &Tensor, weight: &Tensor, bias: Option<&Tensor>) -> Tensor {
    let value = {
        let (xd, wd) = (x.data(), weight.data());
        assert!(
            wd.ndim() == 2,
            "linear: the weight must be a matrix (out_features, in_features), got shape {:?}",
            wd.shape()
        );
        let (out_f, in_f) = (wd.shape()[0], wd.shape()[1]);
        assert!(
            xd.ndim() >= 1 && xd.shape()[xd.ndim() - 1] == in_f,
            "linear: the input of shape {:?} must have {in_f} features (in_features) in its last \
             dimension, to match the weight of shape {:?}",
            xd.shape(),
            wd.shape()
        );
        let rows = xd.len() / in_f.max(1);
        let mut out = Array2::zeros((rows, out_f));
        let beta = match bias {
            Some(b) => {
                let bd = b.data();
                assert!(
                    bd.shape() == [out_f],
                    "linear: the bias must have shape [{out_f}] (out_features), got {:?}",
                    bd.shape()
                );
                out.assign(&bd.view().insert_axis(Axis(0)));
                1.0
            }
            None => 0.0,
        };
        let xs = xd.to_shape((rows, in_f)).expect("rows × in elements");
        let w = wd.view().into_dimensionality::<Ix2>().expect("2-D");
        general_mat_mul(1.0, &xs, &w.t(), beta, &mut out);
        let mut shape = xd.shape().to_vec();
        *shape.last_mut().expect("ndim ≥ 1") = out_f;
        out.into_shape_with_order(IxDyn(&shape)).expect("size")
    };
    let mut inputs = vec![x.clone(), weight.clone()];
    inputs.extend(bias.cloned());
    Tensor::from_op(
        value,
        inputs,
        LinearOp {
            has_bias: bias.is_some(),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::linear;
    use crate::gradcheck::assert_gradcheck;
    use crate::prelude::*;
    use crate::random::{test_array, test_tensor as random};

    #[test]
    fn linear_passes_gradcheck_for_every_input_rank_with_and_without_bias() {
        let shapes: [&[usize]; 4] = [&[4], &[3, 4], &[2, 3, 4], &[2, 1, 3, 4]];
        for (i, shape) in shapes.iter().enumerate() {
            let seed = 10 * i as u64;
            let (x, w, b) = (
                random(shape, seed),
                random(&[5, 4], seed + 1),
                random(&[5], 2),
            );
            assert_gradcheck(
                |t| linear(&t[0], &t[1], Some(&t[2])),
                &[x.clone(), w.clone(), b],
            );
            assert_gradcheck(|t| linear(&t[0], &t[1], None), &[x, w]);
        }
    }

    #[test]
    fn linear_equals_matmul_with_the_transposed_weight_plus_bias() {
        let (x, w, b) = (random(&[6, 3], 1), random(&[2, 3], 2), random(&[2], 3));
        let fused = linear(&x, &w, Some(&b)).to_vec();
        let plain = (x.matmul(&w.t()) + &b).to_vec();
        for (a, e) in fused.iter().zip(&plain) {
            assert!((a - e).abs() < 1e-6, "{a} vs {e}");
        }
        assert_eq!(linear(&random(&[3], 4), &w, None).shape(), vec![2]);
        assert_eq!(
            linear(&random(&[2, 5, 3], 4), &w, None).shape(),
            vec![2, 5, 2]
        );
    }

    #[test]
    fn only_the_needed_gradients_are_computed_and_transposed_inputs_work() {
        // x without grad (a first layer): only W and b receive a gradient
        let x = Tensor::from_array(test_array(&[3, 4], 7).reversed_axes()); // (4, 3), F-order
        let w = random(&[2, 3], 8).requires_grad_();
        let b = random(&[2], 9).requires_grad_();
        let y = linear(&x, &w, Some(&b));
        assert_eq!(y.grad_fn(), Some("AddmmBackward0"));
        y.sum().backward();
        assert!(x.grad().is_none());
        assert_eq!(b.grad().unwrap().to_vec(), vec![4., 4.]); // 4 rows
        assert_gradcheck(|t| linear(&t[0], &t[1], Some(&t[2])), &[x, w, b]);
    }

    #[test]
    fn course_5_1_one_neuron_is_a_weighted_sum_plus_bias() {
        // Sortie = Σ xᵢ·wᵢ + b
        let x = tensor!([1., 2., 3.]);
        let w = tensor!([[0.5, -1., 2.]]);
        let b = tensor!([0.25]);
        assert_eq!(linear(&x, &w, Some(&b)).to_vec(), vec![4.75]);
    }

    #[test]
    #[should_panic(expected = "linear: the input of shape [2, 3] must have 4 features")]
    fn a_feature_mismatch_is_explained() {
        linear(&Tensor::zeros(&[2, 3]), &Tensor::zeros(&[5, 4]), None);
    }

    #[test]
    #[should_panic(expected = "linear: the bias must have shape [5]")]
    fn a_bias_mismatch_is_explained() {
        linear(
            &Tensor::zeros(&[2, 4]),
            &Tensor::zeros(&[5, 4]),
            Some(&Tensor::zeros(&[4])),
        );
    }
}
