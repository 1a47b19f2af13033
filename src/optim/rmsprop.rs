//! RMSprop (PyTorch's `optim.RMSprop`, course 7.3): Adagrad whose sum of
//! squared gradients is replaced by a decaying average, so the step does
//! not shrink forever.
//!
//! ```text
//! d ← g + weight_decay·p
//! v ← α·v + (1 − α)·d²
//! centered:  m ← α·m + (1 − α)·d,  v̄ = v − m²   (otherwise v̄ = v)
//! r ← d / (√v̄ + ε)
//! with momentum μ: b ← μ·b + r,  p ← p − lr·b    (otherwise p ← p − lr·r)
//! ```

use ndarray::{ArrayD, Zip};

use super::{check_hyper, for_each_param, Optimizer};
use crate::tensor::Tensor;

/// RMSprop with PyTorch's defaults: lr 0.01, α = 0.99, ε = 1e-8, no weight
/// decay, no momentum, not centered.
///
/// ```
/// use apprentissage::prelude::*;
/// let w = tensor!([1.]).requires_grad_();
/// let mut opt = Rmsprop::new(vec![w.clone()]);
/// (&w * &w).sum().backward(); // g = 2, v = 0.01·4
/// opt.step();
/// assert!((w.item() - 0.9).abs() < 1e-6); // 1 − 0.01·2/0.2
/// ```
pub struct Rmsprop {
    params: Vec<Tensor>,
    lr: f32,
    alpha: f32,
    eps: f32,
    weight_decay: f32,
    momentum: f32,
    centered: bool,
    /// per parameter: v, the average of d (centered), the momentum buffer
    states: Vec<Option<[ArrayD<f32>; 3]>>,
}

impl Rmsprop {
    /// RMSprop over `params` with PyTorch's default settings.
    pub fn new(params: Vec<Tensor>) -> Rmsprop {
        Rmsprop {
            params,
            lr: 0.01,
            alpha: 0.99,
            eps: 1e-8,
            weight_decay: 0.0,
            momentum: 0.0,
            centered: false,
            states: Vec::new(),
        }
    }

    /// Learning rate (default 0.01).
    pub fn lr(mut self, lr: f32) -> Rmsprop {
        check_hyper("Rmsprop", "learning rate", lr, lr >= 0.0, "≥ 0");
        self.lr = lr;
        self
    }

    /// Smoothing constant α in [0, 1) (the course's γ; default 0.99).
    pub fn alpha(mut self, alpha: f32) -> Rmsprop {
        let ok = (0.0..1.0).contains(&alpha);
        check_hyper("Rmsprop", "alpha", alpha, ok, "in [0, 1)");
        self.alpha = alpha;
        self
    }

    /// ε, added to the denominator (default 1e-8).
    pub fn eps(mut self, eps: f32) -> Rmsprop {
        check_hyper("Rmsprop", "eps", eps, eps >= 0.0, "≥ 0");
        self.eps = eps;
        self
    }

    /// L2 penalty added to the gradient (default 0).
    pub fn weight_decay(mut self, weight_decay: f32) -> Rmsprop {
        check_hyper(
            "Rmsprop",
            "weight decay",
            weight_decay,
            weight_decay >= 0.0,
            "≥ 0",
        );
        self.weight_decay = weight_decay;
        self
    }

    /// Momentum factor in [0, 1) (default 0).
    pub fn momentum(mut self, momentum: f32) -> Rmsprop {
        let ok = (0.0..1.0).contains(&momentum);
        check_hyper("Rmsprop", "momentum", momentum, ok, "in [0, 1)");
        self.momentum = momentum;
        self
    }

    /// Normalise by an estimate of the gradient's variance instead of its
    /// second moment (default false).
    pub fn centered(mut self, centered: bool) -> Rmsprop {
        self.centered = centered;
        self
    }
}

impl Optimizer for Rmsprop {
    fn step(&mut self) {
        let (lr, a, eps, wd) = (self.lr, self.alpha, self.eps, self.weight_decay);
        let (mu, centered) = (self.momentum, self.centered);
        for_each_param(&self.params, &mut self.states, |p, g, [v, m, b]| {
            Zip::from(p)
                .and(g)
                .and(v)
                .and(m)
                .and(b)
                .for_each(|p, &g, v, m, b| {
                    let d = g + wd * *p;
                    *v = a * *v + (1.0 - a) * d * d;
                    let mut var = *v;
                    if centered {
                        *m = a * *m + (1.0 - a) * d;
                        var -= *m * *m;
                    }
                    let r = d / (var.sqrt() + eps);
                    if mu > 0.0 {
                        *b = mu * *b + r;
                        *p -= lr * *b;
                    } else {
                        *p -= lr * r;
                    }
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
    fn defaults_match_the_update_rule_by_hand() {
        // step 1: g = [2, −1], v = 0.01·g² = [0.04, 0.01] → p = [1 − 0.01·2/0.2, −2 + 0.01·1/0.1]
        let p = param();
        let mut opt = Rmsprop::new(vec![p.clone()]);
        let got = run(&mut opt, &p, 3);
        let expected = [[0.9, -1.9], [0.8309433, -1.832918], [0.7753495, -1.7799823]];
        assert_close(&got, &expected);
    }

    #[test]
    fn centered_with_momentum() {
        // α = 0.9, μ = 0.5: step 1: v = 0.1·g², m = 0.1·g, v̄ = 0.1·g² − 0.01·g² = 0.09·g²
        // r = g / (0.3·|g|) = ±3.33…, p = [1 − 0.01·3.333, −2 + 0.01·3.333]
        let p = param();
        let mut opt = Rmsprop::new(vec![p.clone()])
            .alpha(0.9)
            .momentum(0.5)
            .centered(true);
        let got = run(&mut opt, &p, 3);
        let expected = [
            [0.9666667, -1.9666667],
            [0.9247135, -1.9249235],
            [0.8816602, -1.8824184],
        ];
        assert_close(&got, &expected);
    }
}
