//! The dropout layer (course 10.1.6).

use std::cell::Cell;

use super::module::{display_as_module, Module};
use crate::ops::dropout::dropout;
use crate::tensor::Tensor;

/// Dropout (PyTorch's `nn.Dropout`, course 10.1.6): in training mode, each
/// value is set to zero with probability `p` and the others are multiplied
/// by 1/(1 − p), so that the mean is kept; in evaluation mode
/// (`model.eval()`), the identity.
///
/// ```text
/// training: y = x · m,   m = 0 with probability p, 1/(1 − p) otherwise
/// eval:     y = x
/// ```
///
/// The mask is drawn from the crate's generator at each `forward`. See
/// [`dropout`](crate::ops::dropout::dropout).
///
/// ```
/// use apprentissage::prelude::*;
/// manual_seed(0);
/// let m = Dropout::new(0.5);
/// let input = Tensor::ones(&[10]);
/// let output = m.forward(&input);
/// println!("{output}"); // tensor([2., 2., 2., 2., 2., 0., 2., 2., 2., 0.])
/// assert!(output.to_vec().iter().all(|&v| v == 0.0 || v == 2.0));
/// m.eval();
/// assert_eq!(m.forward(&input).to_vec(), vec![1.; 10]); // identity in eval mode
/// ```
pub struct Dropout {
    p: f32,
    training: Cell<bool>,
}

impl Dropout {
    /// A dropout layer that zeroes values with probability `p`
    /// (`nn.Dropout(p)`; PyTorch's default p is 0.5). Panics unless
    /// 0 ≤ p ≤ 1.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// assert_eq!(Dropout::new(0.25).p(), 0.25);
    /// ```
    pub fn new(p: f32) -> Dropout {
        assert!(
            (0.0..=1.0).contains(&p),
            "Dropout: the probability p must be between 0 and 1, got {p}"
        );
        Dropout {
            p,
            training: Cell::new(true),
        }
    }

    /// The probability of zeroing a value.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// assert_eq!(Dropout::default().p(), 0.5);
    /// ```
    pub fn p(&self) -> f32 {
        self.p
    }
}

impl Default for Dropout {
    /// `Dropout::new(0.5)`, PyTorch's default.
    fn default() -> Dropout {
        Dropout::new(0.5)
    }
}

impl Module for Dropout {
    fn forward(&self, x: &Tensor) -> Tensor {
        dropout(x, self.p, self.training.get())
    }

    fn training_flag(&self) -> Option<&Cell<bool>> {
        Some(&self.training)
    }

    fn extra_repr(&self) -> String {
        format!("p={}, inplace=false", self.p)
    }
}

display_as_module!(Dropout);

#[cfg(test)]
mod tests {
    use crate::gradcheck::assert_gradcheck;
    use crate::prelude::*;
    use crate::random::{test_array, SEED_LOCK};

    #[test]
    fn eval_mode_is_the_identity_with_its_gradient() {
        let m = Dropout::new(0.9);
        m.eval();
        let x = Tensor::from_array(test_array(&[4, 5], 3));
        assert!(m.forward(&x).same_node(&x));
        assert_gradcheck(|t| m.forward(&t[0]), &[x]);
    }

    #[test]
    fn training_mode_zeroes_about_p_and_keeps_the_mean() {
        let _lock = SEED_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        manual_seed(0);
        let m = Dropout::default();
        assert!(m.is_training());
        let y = m.forward(&Tensor::full(&[50_000], 3.0)).to_vec();
        let zeros = y.iter().filter(|&&v| v == 0.0).count() as f32 / 50_000.0;
        assert!((zeros - 0.5).abs() < 0.01, "{zeros}");
        let mean = y.iter().sum::<f32>() / 50_000.0;
        assert!((mean - 3.0).abs() < 0.05, "{mean}");
        assert_eq!(m.to_string(), "Dropout(p=0.5, inplace=false)");
    }
}
