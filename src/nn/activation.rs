//! Activation functions as layers, to be placed in a
//! [`Sequential`](super::Sequential): `ReLU`, `LeakyReLU`, `Sigmoid`, `Tanh`,
//! `Softmax`, `LogSoftmax`. Each applies the tensor method of the same name
//! (see [`ops::activation`](crate::ops::activation) and
//! [`ops::softmax`](crate::ops::softmax) for the formulas and derivatives);
//! none has parameters.
//!
//! ```
//! use apprentissage::prelude::*;
//! let x = tensor!([[-1., 0., 2.]]);
//! assert_eq!(ReLU::new().forward(&x).to_vec(), vec![0., 0., 2.]);
//! assert_eq!(LeakyReLU::new().negative_slope(0.1).forward(&x).to_vec(), vec![-0.1, 0., 2.]);
//! assert_eq!(Softmax::new(1).forward(&x).sum().item(), 1.0);
//! ```

use std::cell::Cell;

use super::module::{display_as_module, Module};
use crate::tensor::Tensor;

/// ReLU(x) = max(0, x), element by element (PyTorch's `nn.ReLU`).
///
/// ```
/// use apprentissage::prelude::*;
/// assert_eq!(ReLU::new().forward(&tensor!([-3., 3.])).to_vec(), vec![0., 3.]);
/// assert_eq!(ReLU::new().to_string(), "ReLU()");
/// ```
pub struct ReLU {
    training: Cell<bool>,
}

impl ReLU {
    /// The layer (`nn.ReLU()`).
    pub fn new() -> ReLU {
        ReLU {
            training: Cell::new(true),
        }
    }
}

impl Default for ReLU {
    fn default() -> ReLU {
        ReLU::new()
    }
}

impl Module for ReLU {
    fn forward(&self, x: &Tensor) -> Tensor {
        x.relu()
    }
    fn training_flag(&self) -> Option<&Cell<bool>> {
        Some(&self.training)
    }
}

/// LeakyReLU(x) = x if x > 0, else `negative_slope`·x (PyTorch's `nn.LeakyReLU`),
/// with PyTorch's default slope 0.01 ([`LEAKY_RELU_SLOPE`](crate::ops::activation::LEAKY_RELU_SLOPE))
/// unless [`negative_slope`](LeakyReLU::negative_slope) says otherwise.
///
/// ```
/// use apprentissage::prelude::*;
/// let m = LeakyReLU::new(); // nn.LeakyReLU(): slope 0.01
/// assert_eq!(m.forward(&tensor!([-2., 2.])).to_vec(), vec![-0.02, 2.]);
/// assert_eq!(m.to_string(), "LeakyReLU(negative_slope=0.01)");
/// ```
pub struct LeakyReLU {
    negative_slope: f32,
    training: Cell<bool>,
}

impl LeakyReLU {
    /// The layer with PyTorch's default slope 0.01 (`nn.LeakyReLU()`).
    pub fn new() -> LeakyReLU {
        LeakyReLU {
            negative_slope: crate::ops::activation::LEAKY_RELU_SLOPE,
            training: Cell::new(true),
        }
    }

    /// The same layer with another slope for x < 0 (`nn.LeakyReLU(0.2)`).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let m = LeakyReLU::new().negative_slope(0.2);
    /// assert_eq!(m.forward(&tensor!([-1., 1.])).to_vec(), vec![-0.2, 1.]);
    /// assert_eq!(m.to_string(), "LeakyReLU(negative_slope=0.2)");
    /// ```
    pub fn negative_slope(mut self, negative_slope: f32) -> LeakyReLU {
        self.negative_slope = negative_slope;
        self
    }
}

impl Default for LeakyReLU {
    /// Slope 0.01, PyTorch's default: [`LeakyReLU::new`].
    fn default() -> LeakyReLU {
        LeakyReLU::new()
    }
}

impl Module for LeakyReLU {
    fn forward(&self, x: &Tensor) -> Tensor {
        x.leaky_relu(self.negative_slope)
    }
    fn training_flag(&self) -> Option<&Cell<bool>> {
        Some(&self.training)
    }
    fn extra_repr(&self) -> String {
        format!("negative_slope={}", self.negative_slope)
    }
}

/// σ(x) = 1 / (1 + e⁻ˣ), element by element (PyTorch's `nn.Sigmoid`).
///
/// ```
/// use apprentissage::prelude::*;
/// assert_eq!(Sigmoid::new().forward(&tensor!([0.])).to_vec(), vec![0.5]);
/// assert_eq!(Sigmoid::new().to_string(), "Sigmoid()");
/// ```
pub struct Sigmoid {
    training: Cell<bool>,
}

impl Sigmoid {
    /// The layer (`nn.Sigmoid()`).
    pub fn new() -> Sigmoid {
        Sigmoid {
            training: Cell::new(true),
        }
    }
}

impl Default for Sigmoid {
    fn default() -> Sigmoid {
        Sigmoid::new()
    }
}

impl Module for Sigmoid {
    fn forward(&self, x: &Tensor) -> Tensor {
        x.sigmoid()
    }
    fn training_flag(&self) -> Option<&Cell<bool>> {
        Some(&self.training)
    }
}

/// tanh(x), element by element (PyTorch's `nn.Tanh`).
///
/// ```
/// use apprentissage::prelude::*;
/// assert_eq!(Tanh::new().forward(&tensor!([0.])).to_vec(), vec![0.]);
/// assert_eq!(Tanh::new().to_string(), "Tanh()");
/// ```
pub struct Tanh {
    training: Cell<bool>,
}

impl Tanh {
    /// The layer (`nn.Tanh()`).
    pub fn new() -> Tanh {
        Tanh {
            training: Cell::new(true),
        }
    }
}

impl Default for Tanh {
    fn default() -> Tanh {
        Tanh::new()
    }
}

impl Module for Tanh {
    fn forward(&self, x: &Tensor) -> Tensor {
        x.tanh()
    }
    fn training_flag(&self) -> Option<&Cell<bool>> {
        Some(&self.training)
    }
}

/// Softmax along `dim`: exp(xᵢ) / Σⱼ exp(xⱼ), so each slice along `dim` sums
/// to 1 (PyTorch's `nn.Softmax(dim)`).
///
/// ```
/// use apprentissage::prelude::*;
/// let m = Softmax::new(1);
/// let p = m.forward(&tensor!([[1., 1.], [0., 0.]]));
/// assert_eq!(p.to_vec(), vec![0.5, 0.5, 0.5, 0.5]);
/// assert_eq!(m.to_string(), "Softmax(dim=1)");
/// ```
pub struct Softmax {
    dim: isize,
    training: Cell<bool>,
}

impl Softmax {
    /// The layer, normalising along `dim` (negative counts from the end).
    pub fn new(dim: isize) -> Softmax {
        Softmax {
            dim,
            training: Cell::new(true),
        }
    }
}

impl Module for Softmax {
    fn forward(&self, x: &Tensor) -> Tensor {
        x.softmax(self.dim)
    }
    fn training_flag(&self) -> Option<&Cell<bool>> {
        Some(&self.training)
    }
    fn extra_repr(&self) -> String {
        format!("dim={}", self.dim)
    }
}

/// log(softmax(x)) along `dim`, computed stably (PyTorch's
/// `nn.LogSoftmax(dim)`); followed by `F::nll_loss`, it gives the cross-entropy.
///
/// ```
/// use apprentissage::prelude::*;
/// let m = LogSoftmax::new(1);
/// let lp = m.forward(&tensor!([[0., 0.]]));
/// assert!((lp.to_vec()[0] - 0.5f32.ln()).abs() < 1e-6);
/// assert_eq!(m.to_string(), "LogSoftmax(dim=1)");
/// ```
pub struct LogSoftmax {
    dim: isize,
    training: Cell<bool>,
}

impl LogSoftmax {
    /// The layer, normalising along `dim` (negative counts from the end).
    pub fn new(dim: isize) -> LogSoftmax {
        LogSoftmax {
            dim,
            training: Cell::new(true),
        }
    }
}

impl Module for LogSoftmax {
    fn forward(&self, x: &Tensor) -> Tensor {
        x.log_softmax(self.dim)
    }
    fn training_flag(&self) -> Option<&Cell<bool>> {
        Some(&self.training)
    }
    fn extra_repr(&self) -> String {
        format!("dim={}", self.dim)
    }
}

display_as_module!(ReLU, LeakyReLU, Sigmoid, Tanh, Softmax, LogSoftmax);
