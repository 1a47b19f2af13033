//! Adagrad (PyTorch's `optim.Adagrad`, course 7.2): each parameter gets its
//! own step, smaller where gradients have been large.
//!
//! ```text
//! d ← g + weight_decay·p
//! s ← s + d²                       (the course's SSG, sum of squared gradients)
//! p ← p − lr_t · d / (√s + ε)      with lr_t = lr / (1 + (t − 1)·lr_decay)
//! ```

use ndarray::{ArrayD, Zip};

use super::{check_hyper, for_each_param, Optimizer};
use crate::tensor::Tensor;

/// Adagrad with PyTorch's defaults: lr 0.01, lr_decay 0, weight_decay 0, ε = 1e-10.
///
/// ```
/// use apprentissage::prelude::*;
/// let w = tensor!([1.]).requires_grad_();
/// let mut opt = Adagrad::new(vec![w.clone()]).lr(0.5);
/// (&w * &w).sum().backward(); // g = 2, s = 4
/// opt.step();
/// assert_eq!(w.item(), 0.5); // 1 − 0.5·2/√4
/// ```
pub struct Adagrad {
    params: Vec<Tensor>,
    lr: f32,
    lr_decay: f32,
    weight_decay: f32,
    eps: f32,
    steps: u32,
    sums: Vec<Option<[ArrayD<f32>; 1]>>,
}

impl Adagrad {
    /// Adagrad over `params` with PyTorch's default settings.
    pub fn new(params: Vec<Tensor>) -> Adagrad {
        Adagrad {
            params,
            lr: 0.01,
            lr_decay: 0.0,
            weight_decay: 0.0,
            eps: 1e-10,
            steps: 0,
            sums: Vec::new(),
        }
    }

    /// Learning rate (default 0.01).
    pub fn lr(mut self, lr: f32) -> Adagrad {
        check_hyper("Adagrad", "learning rate", lr, lr >= 0.0, "≥ 0");
        self.lr = lr;
        self
    }

    /// Decay of the learning rate with the step number (default 0).
    pub fn lr_decay(mut self, lr_decay: f32) -> Adagrad {
        check_hyper("Adagrad", "lr_decay", lr_decay, lr_decay >= 0.0, "≥ 0");
        self.lr_decay = lr_decay;
        self
    }

    /// L2 penalty added to the gradient (default 0).
    pub fn weight_decay(mut self, weight_decay: f32) -> Adagrad {
        check_hyper(
            "Adagrad",
            "weight decay",
            weight_decay,
            weight_decay >= 0.0,
            "≥ 0",
        );
        self.weight_decay = weight_decay;
        self
    }

    /// ε, added to the denominator (default 1e-10).
    pub fn eps(mut self, eps: f32) -> Adagrad {
        check_hyper("Adagrad", "eps", eps, eps >= 0.0, "≥ 0");
        self.eps = eps;
        self
    }
}

impl Optimizer for Adagrad {
    fn step(&mut self) {
        self.steps += 1;
        let lr = self.lr / (1.0 + (self.steps - 1) as f32 * self.lr_decay);
        let (wd, eps) = (self.weight_decay, self.eps);
        for_each_param(&self.params, &mut self.sums, |p, g, [s]| {
            Zip::from(p).and(s).and(g).for_each(|p, s, &g| {
                let d = g + wd * *p;
                *s += d * d;
                *p -= lr * d / (s.sqrt() + eps);
            });
        });
    }

    fn parameters(&self) -> &[Tensor] {
        &self.params
    }

    fn learning_rate(&self) -> f32 {
        self.lr
    }

    fn set_learning_rate(&mut self, lr: f32) {
        self.lr = lr;
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{assert_close, param, run};
    use crate::prelude::*;

    #[test]
    fn matches_the_update_rule_by_hand() {
        // step 1: g = [2, −1], s = [4, 1] → p = [1 − 0.5·2/2, −2 + 0.5·1/1] = [0.5, −1.5]
        // step 2: g = [1.5, −0.5], s = [6.25, 1.25] → p = [0.5 − 0.5·1.5/2.5, …] = [0.2, −1.2763932]
        let p = param();
        let mut opt = Adagrad::new(vec![p.clone()]).lr(0.5);
        let got = run(&mut opt, &p, 3);
        let expected = [[0.5, -1.5], [0.2, -1.2763932], [-0.0163655, -1.1563987]];
        assert_close(&got, &expected);
    }

    #[test]
    fn lr_decay_shrinks_later_steps() {
        // step 2 uses lr / (1 + 1·1) = 0.25 instead of 0.5
        let p = param();
        let mut opt = Adagrad::new(vec![p.clone()]).lr(0.5).lr_decay(1.0);
        let got = run(&mut opt, &p, 2);
        assert_close(&got, &[[0.5, -1.5], [0.35, -1.3881966]]);
    }
}
