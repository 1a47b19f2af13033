//! The fully connected layer (course 5.1).

use std::cell::Cell;

use super::init::{as_parameter, check_bias, uniform_parameter};
use super::module::{display_as_module, Module};
use crate::ops::linear::linear;
use crate::tensor::Tensor;

/// A fully connected layer, `y = x·Wᵀ + b` (PyTorch's `nn.Linear`, course 5.1):
/// `out_features` neurons, each computing `Σᵢ xᵢ·wᵢ + b` over the
/// `in_features` inputs.
///
/// * `weight`: (out_features, in_features), one row per neuron;
/// * `bias`: (out_features), or `None` ([`Linear::no_bias`]);
///
/// both drawn from U(−√k, √k) with k = 1/in_features, like PyTorch. The input
/// may be one sample (in_features), a batch (N, in_features) or have more
/// leading dimensions (N, *, in_features); see [`linear`](crate::ops::linear::linear).
///
/// ```
/// use apprentissage::prelude::*;
/// manual_seed(0);
/// let layer = Linear::new(4, 2);          // nn.Linear(4, 2)
/// assert_eq!(layer.weight.shape(), vec![2, 4]);
/// assert_eq!(layer.bias.as_ref().unwrap().shape(), vec![2]);
/// let y = layer.forward(&Tensor::ones(&[3, 4]));
/// assert_eq!(y.shape(), vec![3, 2]);
/// println!("{layer}");                    // Linear(in_features=4, out_features=2, bias=true)
/// println!("{}", layer.weight);           // the weights, as PyTorch prints them
/// ```
pub struct Linear {
    /// The weights, (out_features, in_features).
    pub weight: Tensor,
    /// The biases, (out_features), if the layer has them.
    pub bias: Option<Tensor>,
    training: Cell<bool>,
}

impl Linear {
    /// A layer from `in_features` inputs to `out_features` outputs, with a
    /// bias (`nn.Linear(in_features, out_features)`).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let layer = Linear::new(784, 128);
    /// assert_eq!(layer.num_parameters(), 784 * 128 + 128);
    /// ```
    pub fn new(in_features: usize, out_features: usize) -> Linear {
        let weight = uniform_parameter(&[out_features, in_features], in_features);
        let bias = uniform_parameter(&[out_features], in_features);
        Linear {
            weight,
            bias: Some(bias),
            training: Cell::new(true),
        }
    }

    /// A layer without bias, `y = x·Wᵀ` (`nn.Linear(in, out, bias=False)`).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let layer = Linear::no_bias(3, 2);
    /// assert!(layer.bias.is_none());
    /// assert_eq!(layer.to_string(), "Linear(in_features=3, out_features=2, bias=false)");
    /// ```
    pub fn no_bias(in_features: usize, out_features: usize) -> Linear {
        Linear {
            weight: uniform_parameter(&[out_features, in_features], in_features),
            bias: None,
            training: Cell::new(true),
        }
    }

    /// A layer with the given weights, (out_features, in_features), and
    /// biases, (out_features) or `None`: what PyTorch writes as
    /// `nn.Linear(i, o)` followed by `layer.weight.data = w` (and `bias`).
    /// The layer keeps these tensors (the same handles, made to require a
    /// gradient): a tensor given to two layers ties their weights. A tensor
    /// computed by an operation is first detached, as `nn.Parameter` does.
    ///
    /// Panics if the weight is not a matrix or the bias does not have one
    /// value per row of the weight.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// // one neuron y = 2·x₀ − x₁ + 0.5
    /// let layer = Linear::from_weights(tensor!([[2., -1.]]), Some(tensor!([0.5])));
    /// assert_eq!(layer.forward(&tensor!([[1., 3.]])).to_vec(), vec![-0.5]);
    /// assert_eq!(layer.to_string(), "Linear(in_features=2, out_features=1, bias=true)");
    /// assert!(layer.weight.requires_grad());
    /// ```
    pub fn from_weights(weight: Tensor, bias: Option<Tensor>) -> Linear {
        let w = weight.shape();
        assert!(
            w.len() == 2,
            "Linear::from_weights: the weight must be a matrix (out_features, in_features), got shape {w:?}"
        );
        check_bias("Linear::from_weights", "row", &w, bias.as_ref());
        Linear {
            weight: as_parameter(weight),
            bias: bias.map(as_parameter),
            training: Cell::new(true),
        }
    }

    /// The number of inputs of each neuron.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// assert_eq!(Linear::new(4, 2).in_features(), 4);
    /// ```
    pub fn in_features(&self) -> usize {
        self.weight.shape()[1]
    }

    /// The number of neurons (outputs).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// assert_eq!(Linear::new(4, 2).out_features(), 2);
    /// ```
    pub fn out_features(&self) -> usize {
        self.weight.shape()[0]
    }
}

impl Module for Linear {
    fn forward(&self, x: &Tensor) -> Tensor {
        linear(x, &self.weight, self.bias.as_ref())
    }

    fn own_parameters(&self) -> Vec<(&str, Tensor)> {
        let mut params = vec![("weight", self.weight.clone())];
        params.extend(self.bias.iter().map(|b| ("bias", b.clone())));
        params
    }

    fn training_flag(&self) -> Option<&Cell<bool>> {
        Some(&self.training)
    }

    fn extra_repr(&self) -> String {
        format!(
            "in_features={}, out_features={}, bias={}",
            self.in_features(),
            self.out_features(),
            self.bias.is_some()
        )
    }
}

display_as_module!(Linear);

#[cfg(test)]
mod tests {
    use crate::prelude::*;
    use crate::random::SEED_LOCK;

    #[test]
    fn initial_values_are_uniform_within_one_over_sqrt_in() {
        let _lock = SEED_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        manual_seed(0);
        let layer = Linear::new(16, 2000);
        let w = layer.weight.to_vec();
        assert!(w.iter().all(|v| v.abs() <= 0.25)); // √(1/16)
                                                    // a uniform law on [−¼, ¼] has mean 0 and variance (½)²/12
        let mean = w.iter().sum::<f32>() / w.len() as f32;
        let var = w.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / w.len() as f32;
        assert!(
            mean.abs() < 0.005 && (var - 0.25 / 12.0).abs() < 0.001,
            "{mean} {var}"
        );
        let b = layer.bias.as_ref().unwrap().to_vec();
        assert!(b.iter().all(|v| v.abs() <= 0.25) && b.iter().any(|v| v.abs() > 0.2));
        // manual_seed makes a layer reproducible
        manual_seed(0);
        assert_eq!(Linear::new(16, 2000).weight.to_vec(), w);
    }

    #[test]
    fn forward_is_x_times_w_transposed_plus_b_for_every_rank() {
        let _lock = SEED_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let layer = Linear::new(3, 2);
        for shape in [vec![3], vec![5, 3], vec![2, 4, 3]] {
            let x = Tensor::ones(&shape);
            let y = layer.forward(&x);
            let expected = x.matmul(&layer.weight.t()) + layer.bias.as_ref().unwrap();
            assert_eq!(y.shape(), expected.shape());
            for (a, e) in y.to_vec().iter().zip(expected.to_vec()) {
                assert!((a - e).abs() < 1e-6);
            }
        }
    }

    #[test]
    fn from_weights_keeps_the_tensors_and_computes_x_wt_plus_b() {
        // x·Wᵀ + b by hand: [1, 2, 3]·[[1, 0, −1], [0.5, 0.5, 0.5]]ᵀ + [0.1, −0.2] = [−1.9, 2.8]
        let w = tensor!([[1., 0., -1.], [0.5, 0.5, 0.5]]);
        let layer = Linear::from_weights(w.clone(), Some(tensor!([0.1, -0.2])));
        assert!(layer.weight.same_node(&w) && w.requires_grad());
        let y = layer.forward(&tensor!([[1., 2., 3.]]));
        assert!((y.to_vec()[0] + 1.9).abs() < 1e-6 && (y.to_vec()[1] - 2.8).abs() < 1e-6);
        assert_eq!((layer.in_features(), layer.out_features()), (3, 2));
        // no bias, and a computed tensor becomes a leaf parameter
        let computed = &tensor!([[1., 1.]]).requires_grad_() * 2.0;
        let no_bias = Linear::from_weights(computed, None);
        assert!(no_bias.weight.is_leaf() && no_bias.weight.requires_grad());
        assert_eq!(no_bias.parameters().len(), 1);
        assert_eq!(no_bias.forward(&tensor!([3., 4.])).to_vec(), vec![14.]);
    }

    #[test]
    #[should_panic(expected = "Linear::from_weights: the bias must have shape [2]")]
    fn from_weights_refuses_a_bias_of_the_wrong_size() {
        Linear::from_weights(Tensor::zeros(&[2, 3]), Some(Tensor::zeros(&[3])));
    }

    #[test]
    #[should_panic(
        expected = "the weight must be a matrix (out_features, in_features), got shape [3]"
    )]
    fn from_weights_refuses_a_vector_weight() {
        Linear::from_weights(Tensor::zeros(&[3]), None);
    }

    #[test]
    fn parameters_are_the_layers_own_tensors() {
        let _lock = SEED_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let layer = Linear::new(2, 2);
        let params = layer.parameters();
        assert_eq!(params.len(), 2);
        assert!(params[0].same_node(&layer.weight));
        assert!(params.iter().all(Tensor::requires_grad));
        assert_eq!(Linear::no_bias(2, 2).parameters().len(), 1);
        assert_eq!(
            format!("{layer:?}"),
            "Linear(in_features=2, out_features=2, bias=true)"
        );
    }
}
