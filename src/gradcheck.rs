//! Checking gradients against finite differences (course 2.4: "nos résultats
//! sont-ils justes ?").
//!
//! The derivative of f at x can be approximated without any calculus:
//!
//! ```text
//! ∂f/∂xₖ ≈ [f(x + ε·eₖ) − f(x − ε·eₖ)] / (2ε)      (central difference)
//! ```
//!
//! [`gradcheck`] compares this with what `backward()` computes, for every
//! element of every input. A function with a non-scalar output is first
//! reduced to a number by a fixed weighted sum `Σ wᵢ·outᵢ` with distinct
//! weights, so that every output element is checked (a plain sum would hide
//! bugs: the sum of a softmax is always 1, whatever its gradient).
//!
//! ```
//! use apprentissage::prelude::*;
//! use apprentissage::gradcheck::gradcheck;
//! // f(x0, x1) = (2·x0 + 5·x1)·(3·x0·x1), course 2.4
//! let f = |x: &[Tensor]| (&x[0] * 2.0 + &x[1] * 5.0) * (&x[0] * &x[1] * 3.0);
//! assert!(gradcheck(f, &[tensor!(2.), tensor!(1.)]).is_ok());
//! ```

use std::fmt;

use ndarray::{ArrayD, Dimension};

use crate::autograd::no_grad;
use crate::tensor::Tensor;

/// Step and tolerances of a check. Values are `f32`, so ε cannot be tiny:
/// rounding errors grow like 10⁻⁷/ε.
///
/// ```
/// use apprentissage::prelude::*;
/// use apprentissage::gradcheck::{gradcheck_with, Tolerance};
/// let tight = Tolerance { eps: 1e-3, atol: 1e-3, rtol: 1e-3 };
/// assert!(gradcheck_with(|x: &[Tensor]| x[0].exp(), &[tensor!([0.5])], tight).is_ok());
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Tolerance {
    /// The finite-difference step ε.
    pub eps: f32,
    /// Absolute tolerance.
    pub atol: f32,
    /// Relative tolerance (of the larger of the two gradients).
    pub rtol: f32,
}

impl Default for Tolerance {
    fn default() -> Self {
        Tolerance {
            eps: 1e-2,
            atol: 1e-2,
            rtol: 1e-2,
        }
    }
}

/// The first element whose analytic and numerical gradients disagree.
///
/// ```
/// use apprentissage::prelude::*;
/// use apprentissage::gradcheck::gradcheck;
/// // `detach` hides the dependency from autograd: backward sees no gradient
/// let err = gradcheck(|x: &[Tensor]| x[0].detach() * &x[0], &[tensor!([3.])]).unwrap_err();
/// assert_eq!(err.index, vec![0]);
/// assert_eq!(err.analytic, 3.0);               // only ∂(c·x)/∂x with c = 3
/// assert!((err.numerical - 6.0).abs() < 1e-2); // the true derivative of x²
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct GradcheckError {
    /// Which input (position in the slice given to `gradcheck`).
    pub input: usize,
    /// Position of the element in that input.
    pub index: Vec<usize>,
    /// What `backward()` gave.
    pub analytic: f32,
    /// What finite differences gave.
    pub numerical: f32,
}

impl fmt::Display for GradcheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "gradient mismatch for input {} at {:?}: backward gives {}, finite differences give {}",
            self.input, self.index, self.analytic, self.numerical
        )
    }
}

impl std::error::Error for GradcheckError {}

/// Fixed, distinct weights used to turn an output into one number.
fn weights(shape: &[usize]) -> ArrayD<f32> {
    let n: usize = shape.iter().product();
    // w₀ = 1, so a scalar output is checked as it is
    let w = (0..n).map(|i| 1.0 - 0.37 * ((i * 7) % 11) as f32 / 11.0);
    ArrayD::from_shape_vec(shape.to_vec(), w.collect()).expect("length")
}

/// Σ wᵢ·outᵢ computed in f64 to keep finite differences accurate.
fn weighted_sum(out: &Tensor, w: &ArrayD<f32>) -> f64 {
    let out = out.data();
    out.iter()
        .zip(w.iter())
        .map(|(&o, &w)| o as f64 * w as f64)
        .sum()
}

/// Fresh leaf copies of `inputs` (standard layout) that require a gradient.
fn fresh_leaves(inputs: &[Tensor]) -> Vec<Tensor> {
    inputs
        .iter()
        .map(|t| Tensor::from_array(t.data().as_standard_layout().into_owned()).requires_grad_())
        .collect()
}

/// Finite-difference gradient of `Σ wᵢ·f(inputs)ᵢ` for each input (central
/// differences with step `eps`). For a function with a scalar output, the
/// weight is 1 and this is simply ∂f/∂input.
///
/// ```
/// use apprentissage::prelude::*;
/// use apprentissage::gradcheck::numerical_gradient;
/// let g = numerical_gradient(|x: &[Tensor]| x[0].pow(2.0).sum(), &[tensor!([3.])], 1e-2);
/// assert!((g[0].item() - 6.0).abs() < 1e-3);
/// ```
pub fn numerical_gradient(
    f: impl Fn(&[Tensor]) -> Tensor,
    inputs: &[Tensor],
    eps: f32,
) -> Vec<Tensor> {
    let xs = fresh_leaves(inputs);
    let w = weights(&no_grad(|| f(&xs)).shape());
    let eval = |xs: &[Tensor]| no_grad(|| weighted_sum(&f(xs), &w));
    (0..xs.len())
        .map(|i| {
            let n = xs[i].numel();
            let mut grad = Vec::with_capacity(n);
            for k in 0..n {
                let original = xs[i].data().as_slice().expect("standard layout")[k];
                xs[i].data_mut().as_slice_mut().expect("standard layout")[k] = original + eps;
                let plus = eval(&xs);
                xs[i].data_mut().as_slice_mut().expect("standard layout")[k] = original - eps;
                let minus = eval(&xs);
                xs[i].data_mut().as_slice_mut().expect("standard layout")[k] = original;
                grad.push(((plus - minus) / (2.0 * eps as f64)) as f32);
            }
            Tensor::from_vec(grad, &xs[i].shape())
        })
        .collect()
}

/// Checks the gradients computed by `backward()` for `f` at `inputs` against
/// finite differences, with the default [`Tolerance`].
///
/// The inputs are copied; `f` receives leaves that require a gradient.
pub fn gradcheck(f: impl Fn(&[Tensor]) -> Tensor, inputs: &[Tensor]) -> Result<(), GradcheckError> {
    gradcheck_with(f, inputs, Tolerance::default())
}

/// [`gradcheck`] with a chosen step and tolerances.
pub fn gradcheck_with(
    f: impl Fn(&[Tensor]) -> Tensor,
    inputs: &[Tensor],
    tol: Tolerance,
) -> Result<(), GradcheckError> {
    let xs = fresh_leaves(inputs);
    let out = f(&xs);
    let w = Tensor::from_array(weights(&out.shape()));
    if out.requires_grad() {
        (&out * &w).sum().backward();
    }
    let numerical = numerical_gradient(&f, inputs, tol.eps);
    for (i, (x, num)) in xs.iter().zip(&numerical).enumerate() {
        let analytic = x
            .grad()
            .map(|g| g.to_array())
            .unwrap_or_else(|| ArrayD::zeros(x.data().raw_dim()));
        for ((index, &a), &n) in analytic.indexed_iter().zip(num.data().iter()) {
            if (a - n).abs() > tol.atol + tol.rtol * a.abs().max(n.abs()) {
                return Err(GradcheckError {
                    input: i,
                    index: index.slice().to_vec(),
                    analytic: a,
                    numerical: n,
                });
            }
        }
    }
    Ok(())
}

/// Test helper: panics with the mismatch, naming the failing call site.
#[cfg(test)]
#[track_caller]
pub(crate) fn assert_gradcheck(f: impl Fn(&[Tensor]) -> Tensor, inputs: &[Tensor]) {
    if let Err(e) = gradcheck(f, inputs) {
        let shapes: Vec<_> = inputs.iter().map(Tensor::shape).collect();
        panic!("{e} (input shapes {shapes:?})");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::autograd::Op;
    use crate::tensor;

    /// y = x² with a deliberately wrong derivative (x instead of 2x).
    struct WrongSquare;
    impl Op for WrongSquare {
        fn name(&self) -> &'static str {
            "WrongSquare"
        }
        fn backward(
            &self,
            g: &ArrayD<f32>,
            x: &[&ArrayD<f32>],
            _: &ArrayD<f32>,
            _: &[bool],
        ) -> Vec<Option<ArrayD<f32>>> {
            vec![Some(g * x[0])]
        }
    }

    #[test]
    fn a_wrong_backward_is_caught_and_located() {
        let wrong = |x: &[Tensor]| {
            let v = x[0].data().mapv(|v| v * v);
            Tensor::from_op(v, vec![x[0].clone()], WrongSquare)
        };
        let err = gradcheck(wrong, &[tensor!([0., 1., 2.])]).unwrap_err();
        assert_eq!(err.input, 0);
        assert_eq!(err.index, vec![1]); // at 0 both derivatives are 0
        assert!((err.numerical - 2.0 * weights(&[3])[[1]]).abs() < 1e-3);
    }

    #[test]
    fn course_2_4_by_finite_differences() {
        let f = |x: &[Tensor]| (&x[0] * 2.0 + &x[1] * 5.0) * (&x[0] * &x[1] * 3.0);
        let g = numerical_gradient(f, &[tensor!(2.), tensor!(1.)], 1e-2);
        assert!((g[0].item() - 39.0).abs() < 1e-2, "{}", g[0].item());
        assert!((g[1].item() - 84.0).abs() < 1e-2, "{}", g[1].item());
    }

    #[test]
    fn the_inputs_are_left_untouched() {
        let x = tensor!([1., 2.]);
        gradcheck(|t: &[Tensor]| t[0].exp(), std::slice::from_ref(&x)).unwrap();
        assert_eq!(x.to_vec(), vec![1., 2.]);
        assert!(x.grad().is_none());
    }
}
