//! A chain of layers (PyTorch's `nn.Sequential`).

use std::cell::Cell;
use std::ops::Index;

use super::module::{display_as_module, Module};
use crate::tensor::Tensor;

/// Layers applied one after the other: `forward(x)` is
/// `layerₙ(…layer₂(layer₁(x)))` (PyTorch's `nn.Sequential`). The layers are
/// named `0`, `1`, … in the printout and in `named_parameters`, and
/// `model[i]` is layer `i`.
///
/// Built with the [`sequential!`](crate::sequential) macro, or with
/// [`Sequential::new`] and [`add`](Sequential::add):
///
/// ```
/// use apprentissage::prelude::*;
/// let model = sequential![
///     Linear::new(784, 128),
///     ReLU::new(),
///     Linear::new(128, 10),
/// ];
/// let same = Sequential::new()
///     .add(Linear::new(784, 128))
///     .add(ReLU::new())
///     .add(Linear::new(128, 10));
/// assert_eq!(model.to_string(), same.to_string());
/// assert_eq!(model.forward(&Tensor::zeros(&[64, 784])).shape(), vec![64, 10]);
/// assert_eq!(model.len(), 3);
/// assert_eq!(model[2].to_string(), "Linear(in_features=128, out_features=10, bias=true)");
/// ```
pub struct Sequential {
    layers: Vec<Box<dyn Module>>,
    /// "0", "1", …: kept so that `children` can lend them.
    names: Vec<String>,
    training: Cell<bool>,
}

impl Sequential {
    /// An empty chain (its `forward` returns the input).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let x = tensor!([1., 2.]);
    /// assert!(Sequential::new().forward(&x).same_node(&x));
    /// ```
    pub fn new() -> Sequential {
        Sequential {
            layers: Vec::new(),
            names: Vec::new(),
            training: Cell::new(true),
        }
    }

    /// The chain with `layer` added at the end.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let model = Sequential::new().add(Linear::new(2, 2)).add(Tanh::new());
    /// assert_eq!(model.len(), 2);
    /// ```
    #[allow(clippy::should_implement_trait)] // Keras' `model.add(layer)`, not `+`
    pub fn add(mut self, layer: impl Module + 'static) -> Sequential {
        self.push(Box::new(layer));
        self
    }

    /// Adds a boxed layer at the end.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let mut model = Sequential::new();
    /// for _ in 0..3 {
    ///     model.push(Box::new(Linear::new(4, 4)));
    /// }
    /// assert_eq!(model.num_parameters(), 3 * (16 + 4));
    /// ```
    pub fn push(&mut self, layer: Box<dyn Module>) {
        self.names.push(self.layers.len().to_string());
        self.layers.push(layer);
    }

    /// The number of layers.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// assert_eq!(sequential![ReLU::new(), Tanh::new()].len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.layers.len()
    }

    /// True when there is no layer.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// assert!(Sequential::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.layers.is_empty()
    }
}

impl Default for Sequential {
    fn default() -> Sequential {
        Sequential::new()
    }
}

impl From<Vec<Box<dyn Module>>> for Sequential {
    /// A chain of boxed layers, in order.
    fn from(layers: Vec<Box<dyn Module>>) -> Sequential {
        let mut model = Sequential::new();
        for layer in layers {
            model.push(layer);
        }
        model
    }
}

impl Index<usize> for Sequential {
    type Output = dyn Module;

    /// Layer `i` (PyTorch's `model[i]`); panics when `i` is out of range.
    fn index(&self, i: usize) -> &(dyn Module + 'static) {
        assert!(
            i < self.layers.len(),
            "Sequential: index {i} is out of range for {} layer(s)",
            self.layers.len()
        );
        &*self.layers[i]
    }
}

impl Module for Sequential {
    fn forward(&self, x: &Tensor) -> Tensor {
        self.layers
            .iter()
            .fold(x.clone(), |x, layer| layer.forward(&x))
    }

    fn children(&self) -> Vec<(&str, &dyn Module)> {
        self.names
            .iter()
            .map(String::as_str)
            .zip(self.layers.iter().map(|l| &**l as &dyn Module))
            .collect()
    }

    fn training_flag(&self) -> Option<&Cell<bool>> {
        Some(&self.training)
    }
}

display_as_module!(Sequential);

/// A [`Sequential`] from a list of layers, like PyTorch's
/// `nn.Sequential(a, b, c)`.
///
/// ```
/// use apprentissage::prelude::*;
/// let model = sequential![Linear::new(2, 100), ReLU::new(), Linear::new(100, 3)];
/// assert_eq!(model.num_parameters(), 603);
/// ```
#[macro_export]
macro_rules! sequential {
    ($($layer:expr),* $(,)?) => {
        $crate::nn::Sequential::new()$(.add($layer))*
    };
}
