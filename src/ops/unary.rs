//! Element-wise functions of one tensor, each with its derivative:
//!
//! | op | forward y | backward ∂y/∂x |
//! |---|---|---|
//! | `neg` | −x | −1 |
//! | `pow(p)` | xᵖ | p·xᵖ⁻¹ |
//! | `sqrt` | √x | 1 / (2√x) |
//! | `exp` | eˣ | eˣ (= y) |
//! | `log` | ln x | 1/x |
//! | `abs` | \|x\| | sign(x) (0 at 0) |
//! | `clamp(lo, hi)` | min(max(x, lo), hi) | 1 inside [lo, hi], 0 outside |
//!
//! ```
//! use apprentissage::prelude::*;
//! let x = tensor!([1., 4.]).requires_grad_();
//! let y = x.sqrt().sum();
//! y.backward();
//! assert_eq!(x.grad().unwrap().to_vec(), vec![0.5, 0.25]);
//! ```

use ndarray::{ArrayD, Zip};

use crate::autograd::Op;
use crate::tensor::Tensor;

/// The unary operations, with what their backward needs to know.
enum Unary {
    Neg,
    Pow(f32),
    Sqrt,
    Exp,
    Log,
    Abs,
    Clamp(f32, f32),
}

impl Op for Unary {
    fn name(&self) -> &'static str {
        match self {
            Unary::Neg => "NegBackward0",
            Unary::Pow(_) => "PowBackward0",
            Unary::Sqrt => "SqrtBackward0",
            Unary::Exp => "ExpBackward0",
            Unary::Log => "LogBackward0",
            Unary::Abs => "AbsBackward0",
            Unary::Clamp(..) => "ClampBackward1",
        }
    }

    fn backward(
        &self,
        g: &ArrayD<f32>,
        x: &[&ArrayD<f32>],
        y: &ArrayD<f32>,
        _: &[bool],
    ) -> Vec<Option<ArrayD<f32>>> {
        let x = x[0];
        let grad = match *self {
            Unary::Neg => -g,
            Unary::Pow(p) => Zip::from(g)
                .and(x)
                .map_collect(|&g, &x| g * p * x.powf(p - 1.0)),
            Unary::Sqrt => Zip::from(g).and(y).map_collect(|&g, &y| g / (2.0 * y)),
            Unary::Exp => g * y,
            Unary::Log => g / x,
            Unary::Abs => Zip::from(g).and(x).map_collect(|&g, &x| {
                if x > 0.0 {
                    g
                } else if x < 0.0 {
                    -g
                } else {
                    0.0
                }
            }),
            Unary::Clamp(lo, hi) => {
                Zip::from(g)
                    .and(x)
                    .map_collect(|&g, &x| if x >= lo && x <= hi { g } else { 0.0 })
            }
        };
        vec![Some(grad)]
    }
}

impl Tensor {
    fn unary(&self, op: Unary, f: impl Fn(f32) -> f32) -> Tensor {
        let value = self.data().mapv(f);
        Tensor::from_op(value, vec![self.clone()], op)
    }

    /// −x (also the unary `-` operator).
    pub fn neg(&self) -> Tensor {
        self.unary(Unary::Neg, |x| -x)
    }

    /// xᵖ element by element, like `x ** p` in PyTorch.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// assert_eq!(tensor!([2., 3.]).pow(2.0).to_vec(), vec![4., 9.]);
    /// ```
    pub fn pow(&self, p: f32) -> Tensor {
        if p == 2.0 {
            // the most common case, exact and faster than powf
            return self.unary(Unary::Pow(p), |x| x * x);
        }
        self.unary(Unary::Pow(p), |x| x.powf(p))
    }

    /// Square root.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// assert_eq!(tensor!([9.]).sqrt().item(), 3.0);
    /// ```
    pub fn sqrt(&self) -> Tensor {
        self.unary(Unary::Sqrt, f32::sqrt)
    }

    /// eˣ.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// assert_eq!(tensor!([0.]).exp().item(), 1.0);
    /// ```
    pub fn exp(&self) -> Tensor {
        self.unary(Unary::Exp, f32::exp)
    }

    /// Natural logarithm ln x.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// assert_eq!(tensor!([1.]).log().item(), 0.0);
    /// ```
    pub fn log(&self) -> Tensor {
        self.unary(Unary::Log, f32::ln)
    }

    /// Absolute value |x|.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// assert_eq!(tensor!([-2., 3.]).abs().to_vec(), vec![2., 3.]);
    /// ```
    pub fn abs(&self) -> Tensor {
        self.unary(Unary::Abs, f32::abs)
    }

    /// Clamps every value into `[min, max]` (`torch.clamp`).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// assert_eq!(tensor!([-2., 0.5, 3.]).clamp(0.0, 1.0).to_vec(), vec![0., 0.5, 1.]);
    /// ```
    pub fn clamp(&self, min: f32, max: f32) -> Tensor {
        assert!(min <= max, "clamp: min ({min}) must not exceed max ({max})");
        self.unary(Unary::Clamp(min, max), move |x| x.clamp(min, max))
    }
}

#[cfg(test)]
mod tests {
    use crate::gradcheck::assert_gradcheck;
    use crate::prelude::*;
    use crate::random::{test_array, test_tensor as random};

    /// Values in [0.5, 1.5], where sqrt and log are smooth.
    fn positive(shape: &[usize], seed: u64) -> Tensor {
        Tensor::from_array(test_array(shape, seed).mapv(|v| 1.0 + v / 2.0))
    }

    #[test]
    fn unary_ops_pass_gradcheck() {
        for (i, shape) in [vec![], vec![5], vec![2, 3], vec![2, 1, 3]]
            .iter()
            .enumerate()
        {
            let seed = i as u64;
            assert_gradcheck(|t| -&t[0], &[random(shape, seed)]);
            assert_gradcheck(|t| t[0].pow(2.0), &[random(shape, seed)]);
            assert_gradcheck(|t| t[0].pow(3.0), &[random(shape, seed)]);
            assert_gradcheck(|t| t[0].pow(-1.5), &[positive(shape, seed)]);
            assert_gradcheck(|t| t[0].sqrt(), &[positive(shape, seed)]);
            assert_gradcheck(|t| t[0].exp(), &[random(shape, seed)]);
            assert_gradcheck(|t| t[0].log(), &[positive(shape, seed)]);
            // keep values away from the kinks at 0 and ±0.5
            let away = |s| Tensor::from_array(test_array(shape, s).mapv(|v| v + v.signum() * 0.1));
            assert_gradcheck(|t| t[0].abs(), &[away(seed)]);
            let mid = positive(shape, seed) - 1.0; // in [−0.5, 0.5]
            assert_gradcheck(|t| t[0].clamp(-0.7, 0.7), &[mid]);
        }
    }

    #[test]
    fn abs_and_clamp_gradients_at_the_kinks() {
        let x = tensor!([-1., 0., 2.]).requires_grad_();
        x.abs().sum().backward();
        assert_eq!(x.grad().unwrap().to_vec(), vec![-1., 0., 1.]);
        let x = tensor!([-1., 0., 1., 2.]).requires_grad_();
        x.clamp(0.0, 1.0).sum().backward();
        assert_eq!(x.grad().unwrap().to_vec(), vec![0., 1., 1., 0.]);
    }

    #[test]
    fn derivative_of_pow_matches_the_formula() {
        let x = tensor!([2.]).requires_grad_();
        x.pow(3.0).sum().backward();
        assert_eq!(x.grad().unwrap().item(), 12.0); // 3·2²
    }
}
