//! Dropout (course 10.1.6): during training, each value is set to zero with
//! probability `p`, and the others are multiplied by `1/(1 − p)`, so that the
//! mean of the output stays that of the input:
//!
//! ```text
//! training: y = x · m    with m = 0 (probability p) or 1/(1 − p) (probability 1 − p)
//! eval:     y = x        (the identity: nothing is dropped, nothing is scaled)
//! backward: ∂L/∂x = g · m    (the same mask: a dropped value has no influence)
//! ```
//!
//! The mask `m` is drawn from the crate's generator (so
//! [`manual_seed`](crate::manual_seed) makes it reproducible) and kept by the
//! operation for the backward pass.
//!
//! ```
//! use apprentissage::prelude::*;
//! use apprentissage::ops::dropout::dropout;
//! manual_seed(0);
//! let x = Tensor::ones(&[10]);
//! let y = dropout(&x, 0.5, true);
//! println!("{y}"); // tensor([2., 2., 2., 2., 2., 0., 2., 2., 2., 0.])
//! assert!(y.to_vec().iter().all(|&v| v == 0.0 || v == 2.0));
//! assert_eq!(dropout(&x, 0.5, false).to_vec(), x.to_vec()); // eval: identity
//! ```

use ndarray::{ArrayD, Zip};

use crate::autograd::Op;
use crate::random;
use crate::tensor::Tensor;

/// The backward of [`dropout`]: multiplies by the stored mask.
struct DropoutOp {
    /// 0 for a dropped value, 1/(1 − p) for a kept one.
    mask: ArrayD<f32>,
}

impl Op for DropoutOp {
    fn name(&self) -> &'static str {
        "NativeDropoutBackward0"
    }

    fn backward(
        &self,
        g: &ArrayD<f32>,
        _: &[&ArrayD<f32>],
        _: &ArrayD<f32>,
        _: &[bool],
    ) -> Vec<Option<ArrayD<f32>>> {
        vec![Some(g * &self.mask)]
    }
}

/// Dropout with probability `p`, PyTorch's `F.dropout(x, p, training)`.
///
/// With `training = false`, or `p = 0`, it returns `x` itself (the same node,
/// as PyTorch does); with `p = 1` every value is dropped. Panics when `p` is
/// not between 0 and 1.
///
/// ```
/// use apprentissage::prelude::*;
/// use apprentissage::ops::dropout::dropout;
/// manual_seed(1);
/// let x = Tensor::ones(&[10_000]).requires_grad_();
/// let y = dropout(&x, 0.2, true);
/// assert!((y.mean().item() - 1.0).abs() < 0.05); // the mean is kept
/// y.sum().backward();
/// assert_eq!(x.grad().unwrap().to_vec(), y.to_vec()); // ∂y/∂x = the mask
/// ```
pub fn dropout(x: &Tensor, p: f32, training: bool) -> Tensor {
    assert!(
        (0.0..=1.0).contains(&p),
        "dropout: the probability p must be between 0 and 1, got {p}"
    );
    if !training || p == 0.0 {
        return x.clone();
    }
    let (value, mask) = {
        let xd = x.data();
        let scale = if p < 1.0 { 1.0 / (1.0 - p) } else { 0.0 };
        // one draw per element, turned into the mask in place
        let mut mask = random::uniform(xd.shape(), 0.0, 1.0);
        mask.mapv_inplace(|u| if u < p { 0.0 } else { scale });
        let value = Zip::from(&*xd).and(&mask).map_collect(|&x, &m| x * m);
        (value, mask)
    };
    Tensor::from_op(value, vec![x.clone()], DropoutOp { mask })
}

impl Tensor {
    /// [`dropout`] as a method: `x.dropout(0.5, training)`.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let x = tensor!([1., 2.]);
    /// assert!(x.dropout(0.5, false).same_node(&x));
    /// ```
    pub fn dropout(&self, p: f32, training: bool) -> Tensor {
        dropout(self, p, training)
    }
}

#[cfg(test)]
mod tests {
    use super::dropout;
    use crate::gradcheck::assert_gradcheck;
    use crate::prelude::*;
    use crate::random::{test_array, SEED_LOCK};

    #[test]
    fn eval_mode_is_the_identity_and_passes_gradcheck() {
        let x = Tensor::from_array(test_array(&[3, 4], 1));
        assert!(dropout(&x, 0.7, false).same_node(&x));
        assert!(dropout(&x, 0.0, true).same_node(&x));
        assert_gradcheck(|t| dropout(&t[0], 0.5, false), &[x]);
    }

    #[test]
    fn training_drops_a_fraction_p_and_keeps_the_mean() {
        let _lock = SEED_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        manual_seed(3);
        for p in [0.1f32, 0.5, 0.8] {
            let x = Tensor::ones(&[100_000]);
            let y = dropout(&x, p, true);
            let values = y.to_vec();
            let zeros = values.iter().filter(|&&v| v == 0.0).count() as f32 / 1e5;
            assert!((zeros - p).abs() < 0.01, "p = {p}: {zeros} zeros");
            let scale = 1.0 / (1.0 - p);
            assert!(values.iter().all(|&v| v == 0.0 || (v - scale).abs() < 1e-6));
            assert!(
                (y.mean().item() - 1.0).abs() < 0.03,
                "p = {p}: mean {}",
                y.mean().item()
            );
        }
    }

    #[test]
    fn the_gradient_uses_the_same_mask_and_the_seed_repeats_it() {
        let _lock = SEED_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        manual_seed(5);
        let x = Tensor::from_array(test_array(&[50], 2)).requires_grad_();
        let y = dropout(&x, 0.5, true);
        assert_eq!(y.grad_fn(), Some("NativeDropoutBackward0"));
        y.sum().backward();
        let g = x.grad().unwrap().to_vec();
        for ((&gi, &yi), &xi) in g.iter().zip(&y.to_vec()).zip(&x.to_vec()) {
            assert_eq!(gi == 0.0, yi == 0.0);
            assert!(gi == 0.0 || (yi - 2.0 * xi).abs() < 1e-6 && gi == 2.0);
        }
        manual_seed(5);
        assert_eq!(dropout(&x, 0.5, true).to_vec(), y.to_vec());
    }

    #[test]
    fn p_equal_to_one_drops_everything() {
        let _lock = SEED_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        assert_eq!(
            dropout(&Tensor::ones(&[5]), 1.0, true).to_vec(),
            vec![0.; 5]
        );
    }

    #[test]
    #[should_panic(expected = "dropout: the probability p must be between 0 and 1, got 1.5")]
    fn a_bad_probability_is_refused() {
        dropout(&Tensor::ones(&[2]), 1.5, true);
    }
}
