//! Activation functions, applied element by element, with their derivatives:
//!
//! | op | forward y | backward ∂y/∂x |
//! |---|---|---|
//! | `relu` | max(0, x) | 1 if x > 0, else 0 (0 at x = 0, like PyTorch) |
//! | `leaky_relu(a)` | x if x > 0, else a·x (a = 0.01 if `None`) | 1 if x > 0, else a |
//! | `sigmoid` | σ(x) = 1 / (1 + e⁻ˣ) | σ(x)·(1 − σ(x)) = y·(1 − y) |
//! | `tanh` | (eˣ − e⁻ˣ) / (eˣ + e⁻ˣ) | 1 − tanh²(x) = 1 − y² |
//!
//! The derivatives of `sigmoid` and `tanh` are computed from the output `y`,
//! which the graph keeps anyway: no exponential is recomputed in the backward pass.
//!
//! `sigmoid` never overflows: for x < 0 it is computed as eˣ / (1 + eˣ), so that
//! the exponential only ever sees a negative number (σ(−1000) = 0, σ(1000) = 1, no NaN).
//!
//! ```
//! use apprentissage::prelude::*;
//! let x = tensor!([-2., 0.5, 3.]).requires_grad_();
//! let y = x.relu();
//! assert_eq!(y.to_vec(), vec![0., 0.5, 3.]);
//! y.sum().backward();
//! assert_eq!(x.grad().unwrap().to_vec(), vec![0., 1., 1.]);
//! ```

use ndarray::{ArrayD, Zip};

use crate::autograd::Op;
use crate::tensor::Tensor;

/// PyTorch's default slope of LeakyReLU for x < 0 (`negative_slope=0.01` of
/// `F.leaky_relu` and `nn.LeakyReLU`): what `x.leaky_relu(None)`,
/// `F::leaky_relu(&x, None)` and `LeakyReLU::new()` use.
pub const LEAKY_RELU_SLOPE: f32 = 0.01;

/// The activations, with what their backward needs to know.
enum Activation {
    Relu,
    LeakyRelu(f32),
    Sigmoid,
    Tanh,
}

impl Op for Activation {
    fn name(&self) -> &'static str {
        match self {
            Activation::Relu => "ReluBackward0",
            Activation::LeakyRelu(_) => "LeakyReluBackward0",
            Activation::Sigmoid => "SigmoidBackward0",
            Activation::Tanh => "TanhBackward0",
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
            Activation::Relu => Zip::from(g)
                .and(x)
                .map_collect(|&g, &x| if x > 0.0 { g } else { 0.0 }),
            Activation::LeakyRelu(a) => {
                Zip::from(g)
                    .and(x)
                    .map_collect(|&g, &x| if x > 0.0 { g } else { a * g })
            }
            Activation::Sigmoid => Zip::from(g).and(y).map_collect(|&g, &y| g * y * (1.0 - y)),
            Activation::Tanh => Zip::from(g).and(y).map_collect(|&g, &y| g * (1.0 - y * y)),
        };
        vec![Some(grad)]
    }
}

/// σ(x) without overflow: the exponential only receives −|x|.
fn stable_sigmoid(x: f32) -> f32 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

impl Tensor {
    fn activation(&self, op: Activation, f: impl Fn(f32) -> f32) -> Tensor {
        let value = self.data().mapv(f);
        Tensor::from_op(value, vec![self.clone()], op)
    }

    /// ReLU(x) = max(0, x), element by element (`torch.relu`, `F.relu`).
    ///
    /// Its derivative is 1 where x > 0 and 0 elsewhere, including at x = 0
    /// (the same convention as PyTorch).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let x = tensor!([-1., 0., 2.]).requires_grad_();
    /// let y = x.relu();
    /// assert_eq!(y.to_vec(), vec![0., 0., 2.]);
    /// y.sum().backward();
    /// assert_eq!(x.grad().unwrap().to_vec(), vec![0., 0., 1.]);
    /// ```
    pub fn relu(&self) -> Tensor {
        // `max` would turn a NaN into 0; a NaN must stay visible
        self.activation(Activation::Relu, |x| if x < 0.0 { 0.0 } else { x })
    }

    /// LeakyReLU(x) = x if x > 0, else `negative_slope`·x (`F.leaky_relu`).
    /// Derivative: 1 if x > 0, else the slope. `negative_slope` is a number, or
    /// `None` for PyTorch's default, [`LEAKY_RELU_SLOPE`] = 0.01.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let x = tensor!([-2., 3.]).requires_grad_();
    /// let y = x.leaky_relu(0.1);
    /// assert_eq!(y.to_vec(), vec![-0.2, 3.]);
    /// y.sum().backward();
    /// assert_eq!(x.grad().unwrap().to_vec(), vec![0.1, 1.]);
    /// assert_eq!(x.leaky_relu(None).to_vec(), vec![-0.02, 3.]); // F.leaky_relu(x)
    /// ```
    pub fn leaky_relu(&self, negative_slope: impl Into<Option<f32>>) -> Tensor {
        let negative_slope = negative_slope.into().unwrap_or(LEAKY_RELU_SLOPE);
        self.activation(Activation::LeakyRelu(negative_slope), move |x| {
            if x > 0.0 {
                x
            } else {
                negative_slope * x
            }
        })
    }

    /// The logistic function σ(x) = 1 / (1 + e⁻ˣ), between 0 and 1
    /// (`torch.sigmoid`). Derivative: σ(x)·(1 − σ(x)).
    ///
    /// Stable for any x: `sigmoid` of −1000 is 0 and of 1000 is 1.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let x = tensor!([0., -1000., 1000.]).requires_grad_();
    /// let y = x.sigmoid();
    /// assert_eq!(y.to_vec(), vec![0.5, 0., 1.]);
    /// y.sum().backward();
    /// assert_eq!(x.grad().unwrap().to_vec(), vec![0.25, 0., 0.]); // ½·(1 − ½)
    /// ```
    pub fn sigmoid(&self) -> Tensor {
        self.activation(Activation::Sigmoid, stable_sigmoid)
    }

    /// The hyperbolic tangent tanh(x) = (eˣ − e⁻ˣ) / (eˣ + e⁻ˣ), between −1
    /// and 1 (`torch.tanh`). Derivative: 1 − tanh²(x).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let x = tensor!([0., 1.]).requires_grad_();
    /// let y = x.tanh();
    /// assert!((y.to_vec()[1] - 0.761_594_2).abs() < 1e-6);
    /// y.sum().backward();
    /// assert_eq!(x.grad().unwrap().to_vec()[0], 1.0); // 1 − tanh²(0)
    /// ```
    pub fn tanh(&self) -> Tensor {
        self.activation(Activation::Tanh, f32::tanh)
    }
}

#[cfg(test)]
mod tests {
    use crate::gradcheck::assert_gradcheck;
    use crate::prelude::*;
    use crate::random::{test_array, test_tensor as random};

    /// Random values at least 0.1 away from the kink at 0 (finite differences
    /// use a step of 0.01).
    fn away_from_zero(shape: &[usize], seed: u64) -> Tensor {
        Tensor::from_array(test_array(shape, seed).mapv(|v| v + v.signum() * 0.1))
    }

    #[test]
    fn activations_pass_gradcheck() {
        for (i, shape) in [vec![], vec![5], vec![2, 3], vec![2, 1, 3]]
            .iter()
            .enumerate()
        {
            let seed = 10 + i as u64;
            assert_gradcheck(|t| t[0].relu(), &[away_from_zero(shape, seed)]);
            assert_gradcheck(|t| t[0].leaky_relu(0.2), &[away_from_zero(shape, seed)]);
            // scaled to [−3, 3] to visit the flat parts of the curves
            let wide = Tensor::from_array(test_array(shape, seed).mapv(|v| 3.0 * v));
            assert_gradcheck(|t| t[0].sigmoid(), std::slice::from_ref(&wide));
            assert_gradcheck(|t| t[0].tanh(), std::slice::from_ref(&wide));
        }
        // through a transposed, non-contiguous view
        let x = away_from_zero(&[3, 4], 15);
        let f = |t: &[Tensor]| {
            let v = t[0].t();
            v.relu() + v.leaky_relu(0.2) * 0.5 + v.sigmoid() * 2.0 + v.tanh() * 3.0
        };
        assert_gradcheck(f, &[x]);
    }

    #[test]
    fn grad_fn_names_follow_pytorch() {
        let x = tensor!([1.]).requires_grad_();
        assert_eq!(x.relu().grad_fn(), Some("ReluBackward0"));
        assert_eq!(x.leaky_relu(0.01).grad_fn(), Some("LeakyReluBackward0"));
        assert_eq!(x.sigmoid().grad_fn(), Some("SigmoidBackward0"));
        assert_eq!(x.tanh().grad_fn(), Some("TanhBackward0"));
    }

    #[test]
    fn relu_and_leaky_relu_at_the_kink() {
        let x = tensor!([-1., 0., 1.]).requires_grad_();
        x.relu().sum().backward();
        assert_eq!(x.grad().unwrap().to_vec(), vec![0., 0., 1.]);
        let x = tensor!([-1., 0., 1.]).requires_grad_();
        let y = x.leaky_relu(0.01);
        assert_eq!(y.to_vec(), vec![-0.01, 0., 1.]);
        y.sum().backward();
        assert_eq!(x.grad().unwrap().to_vec(), vec![0.01, 0.01, 1.]); // PyTorch: slope at 0
    }

    #[test]
    fn relu_keeps_nan_visible() {
        assert!(tensor!([f32::NAN]).relu().item().is_nan());
    }

    #[test]
    fn sigmoid_is_stable_for_large_inputs() {
        let x = tensor!([-1000., -100., -20., 20., 100., 1000.]).requires_grad_();
        let y = x.sigmoid();
        let v = y.to_vec();
        assert!(v.iter().all(|v| v.is_finite()), "{v:?}");
        assert_eq!(v[0], 0.0);
        assert!((v[2] - 2.061_153_6e-9).abs() < 1e-15); // e⁻²⁰ / (1 + e⁻²⁰)
        assert_eq!(v[5], 1.0);
        y.sum().backward();
        let g = x.grad().unwrap().to_vec();
        assert!(g.iter().all(|g| g.is_finite() && *g >= 0.0), "{g:?}");
        assert_eq!((g[0], g[5]), (0.0, 0.0));
        let t = tensor!([-1000., 1000.]).tanh().to_vec();
        assert_eq!(t, vec![-1., 1.]);
    }

    #[test]
    fn derivative_of_sigmoid_is_sigmoid_times_one_minus_sigmoid() {
        let x = Tensor::from_array(test_array(&[7], 3).mapv(|v| 4.0 * v)).requires_grad_();
        let s = x.sigmoid();
        s.sum().backward();
        let expected: Vec<f32> = s.to_vec().iter().map(|s| s * (1.0 - s)).collect();
        for (g, e) in x.grad().unwrap().to_vec().iter().zip(&expected) {
            assert!((g - e).abs() < 1e-7, "{g} vs {e}");
        }
        // and σ(x) = 1 / (1 + e⁻ˣ) at a few points
        for (x, y) in [(0.0f32, 0.5f32), (2.0, 0.880_797_1), (-2.0, 0.119_202_92)] {
            assert!((tensor!(x).sigmoid().item() - y).abs() < 1e-6);
        }
    }

    #[test]
    fn derivative_of_tanh_is_one_minus_tanh_squared() {
        let x = random(&[7], 4).requires_grad_();
        let t = x.tanh();
        t.sum().backward();
        for ((g, t), x) in x
            .grad()
            .unwrap()
            .to_vec()
            .iter()
            .zip(t.to_vec())
            .zip(x.to_vec())
        {
            assert!((g - (1.0 - t * t)).abs() < 1e-6);
            assert!((t - x.tanh()).abs() < 1e-7);
        }
    }

    #[test]
    fn activations_of_non_contiguous_inputs() {
        let a = test_array(&[3, 4], 5);
        let strided = Tensor::from_array(a.clone().reversed_axes()).requires_grad_();
        let dense = Tensor::from_array(a.reversed_axes().as_standard_layout().into_owned())
            .requires_grad_();
        assert!(!strided.data().is_standard_layout());
        let w = random(&[4, 3], 6);
        let f = |x: &Tensor| x.relu() * 1.5 + x.leaky_relu(0.3) + x.sigmoid() * &w + x.tanh();
        let (ys, yd) = (f(&strided), f(&dense));
        assert_eq!(ys.shape(), vec![4, 3]);
        assert_eq!(ys.to_vec(), yd.to_vec());
        (ys * &w).sum().backward();
        (yd * &w).sum().backward();
        assert_eq!(
            strided.grad().unwrap().to_vec(),
            dense.grad().unwrap().to_vec()
        );
    }
}
