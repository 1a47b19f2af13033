//! Adam (PyTorch's `optim.Adam`, course 7.3): running averages of the
//! gradient (m) and of its square (v), corrected for their zero start.
//!
//! ```text
//! d ← g + weight_decay·p
//! m ← β₁·m + (1 − β₁)·d          v ← β₂·v + (1 − β₂)·d²
//! m̂ = m / (1 − β₁ᵗ)              v̂ = v / (1 − β₂ᵗ)
//! p ← p − lr · m̂ / (√v̂ + ε)
//! ```

use ndarray::{ArrayD, Zip};

use super::{check_hyper, for_each_param, Optimizer};
use crate::tensor::Tensor;

/// Adam with PyTorch's defaults: lr 1e-3, β = (0.9, 0.999), ε = 1e-8, no
/// weight decay. Its first step moves every parameter by about `lr`.
///
/// ```
/// use apprentissage::prelude::*;
/// let w = tensor!([1.]).requires_grad_();
/// let mut opt = Adam::new(vec![w.clone()]).lr(0.1);
/// (&w * &w).sum().backward();
/// opt.step();
/// assert!((w.item() - 0.9).abs() < 1e-6); // m̂/√v̂ = 1 at the first step
/// ```
pub struct Adam {
    params: Vec<Tensor>,
    lr: f32,
    betas: (f32, f32),
    eps: f32,
    weight_decay: f32,
    steps: i32,
    /// per parameter: m and v
    moments: Vec<Option<[ArrayD<f32>; 2]>>,
}

impl Adam {
    /// Adam over `params` with PyTorch's default settings.
    pub fn new(params: Vec<Tensor>) -> Adam {
        Adam {
            params,
            lr: 1e-3,
            betas: (0.9, 0.999),
            eps: 1e-8,
            weight_decay: 0.0,
            steps: 0,
            moments: Vec::new(),
        }
    }

    /// Learning rate (default 1e-3).
    pub fn lr(mut self, lr: f32) -> Adam {
        check_hyper("Adam", "learning rate", lr, lr >= 0.0, "≥ 0");
        self.lr = lr;
        self
    }

    /// Decay rates (β₁, β₂) of the two averages, each in [0, 1) (default (0.9, 0.999)).
    pub fn betas(mut self, beta1: f32, beta2: f32) -> Adam {
        check_hyper(
            "Adam",
            "beta1",
            beta1,
            (0.0..1.0).contains(&beta1),
            "in [0, 1)",
        );
        check_hyper(
            "Adam",
            "beta2",
            beta2,
            (0.0..1.0).contains(&beta2),
            "in [0, 1)",
        );
        self.betas = (beta1, beta2);
        self
    }

    /// ε, added to the denominator (default 1e-8).
    pub fn eps(mut self, eps: f32) -> Adam {
        check_hyper("Adam", "eps", eps, eps >= 0.0, "≥ 0");
        self.eps = eps;
        self
    }

    /// L2 penalty added to the gradient (default 0).
    pub fn weight_decay(mut self, weight_decay: f32) -> Adam {
        check_hyper(
            "Adam",
            "weight decay",
            weight_decay,
            weight_decay >= 0.0,
            "≥ 0",
        );
        self.weight_decay = weight_decay;
        self
    }
}

impl Optimizer for Adam {
    fn step(&mut self) {
        self.steps += 1;
        let (b1, b2) = self.betas;
        let correction1 = 1.0 - b1.powi(self.steps);
        let correction2 = 1.0 - b2.powi(self.steps);
        let (lr, eps, wd) = (self.lr, self.eps, self.weight_decay);
        for_each_param(&self.params, &mut self.moments, |p, g, [m, v]| {
            Zip::from(p).and(g).and(m).and(v).for_each(|p, &g, m, v| {
                let d = g + wd * *p;
                *m = b1 * *m + (1.0 - b1) * d;
                *v = b2 * *v + (1.0 - b2) * d * d;
                *p -= lr * (*m / correction1) / ((*v / correction2).sqrt() + eps);
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
        // step 1: m̂ = g, v̂ = g², so p moves by lr·sign(g): [0.9, −1.9]
        let p = param();
        let mut opt = Adam::new(vec![p.clone()]).lr(0.1);
        let got = run(&mut opt, &p, 3);
        let expected = [
            [0.9, -1.9],
            [0.8001665, -1.8004122],
            [0.7006234, -1.7015863],
        ];
        assert_close(&got, &expected);
    }

    #[test]
    fn betas_and_weight_decay() {
        let p = param();
        let mut opt = Adam::new(vec![p.clone()])
            .lr(0.1)
            .betas(0.8, 0.9)
            .weight_decay(0.1);
        let got = run(&mut opt, &p, 3);
        let expected = [
            [0.9, -1.9],
            [0.8001936, -1.8003967],
            [0.7007241, -1.7015185],
        ];
        assert_close(&got, &expected);
    }

    #[test]
    fn set_learning_rate_changes_the_next_step() {
        let p = param();
        let mut opt = Adam::new(vec![p.clone()]).lr(0.1);
        opt.set_learning_rate(0.2);
        assert_eq!(opt.learning_rate(), 0.2);
        let got = run(&mut opt, &p, 1);
        assert_close(&got, &[[0.8, -1.8]]);
    }
}
