//! The layer between the convolutions and the fully connected layers.

use std::cell::Cell;

use super::module::{display_as_module, Module};
use crate::tensor::Tensor;

/// Flattens every dimension but the first (PyTorch's `nn.Flatten()`, i.e.
/// `start_dim=1`): a batch of feature maps (N, C, H, W) becomes (N, C·H·W),
/// one row per image, ready for a [`Linear`](super::Linear) layer (course
/// 10.1.7: "flatten"). No parameters.
///
/// ```
/// use apprentissage::prelude::*;
/// let f = Flatten::new();
/// assert_eq!(f.forward(&Tensor::zeros(&[64, 16, 5, 5])).shape(), vec![64, 400]);
/// assert_eq!(f.to_string(), "Flatten(start_dim=1, end_dim=-1)");
/// ```
pub struct Flatten {
    training: Cell<bool>,
}

impl Flatten {
    /// The layer (`nn.Flatten()`).
    pub fn new() -> Flatten {
        Flatten {
            training: Cell::new(true),
        }
    }
}

impl Default for Flatten {
    fn default() -> Flatten {
        Flatten::new()
    }
}

impl Module for Flatten {
    fn forward(&self, x: &Tensor) -> Tensor {
        x.flatten_from(1)
    }
    fn training_flag(&self) -> Option<&Cell<bool>> {
        Some(&self.training)
    }
    fn extra_repr(&self) -> String {
        "start_dim=1, end_dim=-1".into()
    }
}

display_as_module!(Flatten);
