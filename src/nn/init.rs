//! Initial values of the parameters (PyTorch's `torch.nn.init`).
//!
//! The layers of the crate start like PyTorch's: every weight and bias is
//! drawn from the uniform law U(−√k, √k) with k = 1/fan_in, where fan_in is
//! the number of inputs of one neuron (`in_features` for
//! [`Linear`](super::Linear), `in_channels·kh·kw` for [`Conv2d`](super::Conv2d)),
//! course 5.1. Draws come from the crate's generator, so
//! [`manual_seed`](crate::manual_seed) makes a model reproducible.
//!
//! The functions ending in `_` overwrite a tensor's values in place, without
//! recording anything in the graph, to try another initialisation:
//!
//! ```
//! use apprentissage::prelude::*;
//! use apprentissage::nn::init;
//! manual_seed(0);
//! let fc = Linear::new(100, 10);
//! let bound = 0.1; // √(1/100)
//! assert!(fc.weight.to_vec().iter().all(|w| w.abs() <= bound));
//! init::normal_(&fc.weight, 0.0, 0.01);
//! init::zeros_(fc.bias.as_ref().unwrap());
//! assert_eq!(fc.bias.as_ref().unwrap().sum().item(), 0.0);
//! ```

use crate::random;
use crate::tensor::Tensor;

/// A new parameter (a leaf that requires a gradient) of shape `shape`, drawn
/// from U(−1/√fan_in, 1/√fan_in): PyTorch's default for `Linear` and `Conv2d`.
///
/// ```
/// use apprentissage::nn::init::uniform_parameter;
/// let w = uniform_parameter(&[3, 4], 4); // bound 1/√4 = 0.5
/// assert!(w.requires_grad() && w.to_vec().iter().all(|v| v.abs() <= 0.5));
/// ```
pub fn uniform_parameter(shape: &[usize], fan_in: usize) -> Tensor {
    assert!(
        fan_in > 0,
        "a layer needs at least one input per neuron, got fan_in = 0 for a parameter of shape {shape:?}"
    );
    let bound = (1.0 / fan_in as f32).sqrt();
    Tensor::from_array(random::uniform(shape, -bound, bound)).requires_grad_()
}

/// `t` as a layer's parameter (`nn.Parameter(t)`): the same tensor, made to
/// require a gradient, or a detached copy if an operation computed it.
pub(crate) fn as_parameter(t: Tensor) -> Tensor {
    let leaf = if t.is_leaf() { t } else { t.detach() };
    leaf.requires_grad_()
}

/// Checks that a layer's given `bias`, if any, has one value per output
/// (`weight_shape[0]`): `per` names that output in the panic message
/// ("filter", "row"), `layer` names the constructor.
pub(crate) fn check_bias(layer: &str, per: &str, weight_shape: &[usize], bias: Option<&Tensor>) {
    if let Some(b) = bias {
        assert!(
            b.shape() == [weight_shape[0]],
            "{layer}: the bias must have shape [{}] (one value per {per} of the weight {weight_shape:?}), got {:?}",
            weight_shape[0],
            b.shape()
        );
    }
}

/// Overwrites `t` with values drawn from U(low, high) (`nn.init.uniform_`).
///
/// ```
/// use apprentissage::prelude::*;
/// let t = Tensor::zeros(&[100]);
/// apprentissage::nn::init::uniform_(&t, 2.0, 3.0);
/// assert!(t.min().item() >= 2.0 && t.max().item() < 3.0);
/// ```
pub fn uniform_(t: &Tensor, low: f32, high: f32) {
    let values = random::uniform(&t.shape(), low, high);
    t.data_mut().assign(&values);
}

/// Overwrites `t` with values drawn from a normal law (`nn.init.normal_`).
///
/// ```
/// use apprentissage::prelude::*;
/// let t = Tensor::zeros(&[10_000]);
/// apprentissage::nn::init::normal_(&t, 1.0, 0.1);
/// assert!((t.mean().item() - 1.0).abs() < 0.01);
/// ```
pub fn normal_(t: &Tensor, mean: f32, std: f32) {
    let values = random::normal(&t.shape(), mean, std);
    t.data_mut().assign(&values);
}

/// Overwrites `t` with `value` everywhere (`nn.init.constant_`).
///
/// ```
/// use apprentissage::prelude::*;
/// let t = Tensor::zeros(&[2]);
/// apprentissage::nn::init::constant_(&t, 0.5);
/// assert_eq!(t.to_vec(), vec![0.5, 0.5]);
/// ```
pub fn constant_(t: &Tensor, value: f32) {
    t.data_mut().fill(value);
}

/// Overwrites `t` with zeros (`nn.init.zeros_`).
///
/// ```
/// use apprentissage::prelude::*;
/// let t = Tensor::ones(&[2]);
/// apprentissage::nn::init::zeros_(&t);
/// assert_eq!(t.to_vec(), vec![0., 0.]);
/// ```
pub fn zeros_(t: &Tensor) {
    constant_(t, 0.0);
}
