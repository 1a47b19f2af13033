//! Optimizers: the update rule applied to every parameter after `backward()`
//! (course chapter 7). They follow PyTorch's formulas and default values.
//!
//! | optimizer | update of a parameter p with gradient g |
//! |---|---|
//! | [`Sgd`] | p ← p − lr·g (with momentum: a running sum of past gradients) |
//! | [`Adagrad`] | p ← p − lr·g / (√Σg² + ε) (course 7.2) |
//! | [`Rmsprop`] | p ← p − lr·g / (√v + ε), v ← α·v + (1 − α)·g² (course 7.3) |
//! | [`Adam`] | p ← p − lr·m̂ / (√v̂ + ε), with m̂, v̂ bias-corrected averages of g and g² |
//!
//! # One way to build them
//!
//! Every optimizer is built the same way: `new(params)` with PyTorch's
//! default settings, then one builder method per setting to change, named as
//! PyTorch's keyword argument:
//!
//! | PyTorch | apprentissage | default lr |
//! |---|---|---|
//! | `optim.SGD(params, lr=0.1, momentum=0.9)` | `Sgd::new(params).lr(0.1).momentum(0.9)` | 1e-3 |
//! | `optim.Adagrad(params, lr=0.5)` | `Adagrad::new(params).lr(0.5)` | 1e-2 |
//! | `optim.RMSprop(params, lr=0.01, alpha=0.9)` | `Rmsprop::new(params).lr(0.01).alpha(0.9)` | 1e-2 |
//! | `optim.Adam(params, lr=1e-3, betas=(0.9, 0.99))` | `Adam::new(params).lr(1e-3).betas(0.9, 0.99)` | 1e-3 |
//!
//! Why the learning rate is a builder too, and not a second argument of `new`:
//!
//! * PyTorch 2 gives every optimizer a default learning rate (SGD's is 1e-3,
//!   since PyTorch 2.2), so `lr` is a setting like the others, not a required
//!   argument; `Adam::new(params)` alone is PyTorch's `optim.Adam(params)`.
//! * PyTorch code always names it (`lr=0.1`): `.lr(0.1)` reads the same, where
//!   a bare `0.1` in `new(params, 0.1)` would not say what it is.
//! * One pattern for the four: switching from SGD to Adam changes one name,
//!   nothing else (the course's 7.5 compares them in one loop).
//!
//! Each builder checks its value (a negative `lr`, a momentum ≥ 1 panic with
//! the optimizer's and the setting's names).
//!
//! # The training loop
//!
//! The training loop is the course's "forme standard" (7.4):
//!
//! ```
//! use apprentissage::prelude::*;
//! // fit y = 3x with one weight
//! let w = Tensor::zeros(&[1]).requires_grad_();
//! let mut optimizer = Sgd::new(vec![w.clone()]).lr(0.1);
//! let x = tensor!([1., 2., 3.]);
//! let y = &x * 3.0;
//! for _ in 0..100 {
//!     optimizer.zero_grad();
//!     let loss = F::mse_loss(&(&x * &w), &y);
//!     loss.backward();
//!     optimizer.step();
//! }
//! assert!((w.item() - 3.0).abs() < 1e-4);
//! ```
//!
//! Parameters are tensor handles shared with the model: `step()` changes the
//! model's own weights. A parameter that received no gradient is left as it is.

mod adagrad;
mod adam;
mod rmsprop;
mod sgd;

pub use adagrad::Adagrad;
pub use adam::Adam;
pub use rmsprop::Rmsprop;
pub use sgd::Sgd;

use ndarray::ArrayD;

use crate::tensor::Tensor;

/// What every optimizer does: forget the gradients, and take one step.
pub trait Optimizer {
    /// Applies one update to every parameter that has a gradient.
    fn step(&mut self);

    /// The parameters being optimized.
    fn parameters(&self) -> &[Tensor];

    /// Forgets the gradients of all parameters (PyTorch's
    /// `optimizer.zero_grad()`): call it before each `backward()`, since
    /// gradients accumulate.
    fn zero_grad(&self) {
        for p in self.parameters() {
            p.zero_grad();
        }
    }

    /// The learning rate.
    fn learning_rate(&self) -> f32;

    /// Changes the learning rate (e.g. for a schedule).
    fn set_learning_rate(&mut self, lr: f32);
}

/// Runs `update(param, grad, state)` for every parameter that has a
/// gradient, with `state` the optimizer's per-parameter buffers (created
/// on first use, shaped like the parameter, zero-filled).
pub(crate) fn for_each_param<const K: usize>(
    params: &[Tensor],
    states: &mut Vec<Option<[ArrayD<f32>; K]>>,
    mut update: impl FnMut(&mut ArrayD<f32>, &ArrayD<f32>, &mut [ArrayD<f32>; K]),
) {
    states.resize_with(params.len(), || None);
    for (p, state) in params.iter().zip(states.iter_mut()) {
        let grad = p.grad_ref();
        let Some(g) = grad.as_ref() else { continue };
        let mut data = p.data_mut();
        let state =
            state.get_or_insert_with(|| std::array::from_fn(|_| ArrayD::zeros(data.raw_dim())));
        update(&mut data, g, state);
    }
}

/// Panics unless `value` lies in the given range, naming the optimizer and setting.
pub(crate) fn check_hyper(optimizer: &str, name: &str, value: f32, ok: bool, rule: &str) {
    assert!(ok, "{optimizer}: invalid {name} {value}: it must be {rule}");
}

#[cfg(test)]
pub(crate) mod testing {
    use crate::prelude::*;

    /// One parameter p = [1, −2] and the loss Σ p²/2 + Σ p, whose gradient
    /// is p + 1: simple enough to follow each step by hand.
    pub fn param() -> Tensor {
        tensor!([1., -2.]).requires_grad_()
    }

    /// Runs `steps` optimizer steps on that loss and returns p after each step.
    pub fn run(optimizer: &mut dyn Optimizer, p: &Tensor, steps: usize) -> Vec<Vec<f32>> {
        (0..steps)
            .map(|_| {
                optimizer.zero_grad();
                let loss = (p.pow(2.0) * 0.5 + p).sum();
                loss.backward();
                optimizer.step();
                p.to_vec()
            })
            .collect()
    }

    /// Asserts that two sequences of parameter values agree to 1e-5.
    #[track_caller]
    pub fn assert_close(got: &[Vec<f32>], expected: &[[f64; 2]]) {
        assert_eq!(got.len(), expected.len());
        for (step, (g, e)) in got.iter().zip(expected).enumerate() {
            for (a, b) in g.iter().zip(e) {
                assert!(
                    (*a as f64 - b).abs() < 1e-5,
                    "step {}: got {g:?}, expected {e:?}",
                    step + 1
                );
            }
        }
    }
}
