//! Stochastic gradient descent, with optional momentum, Nesterov momentum
//! and weight decay (PyTorch's `optim.SGD`, course 7.1).
//!
//! For each parameter p with gradient g:
//!
//! ```text
//! d ← g + weight_decay·p
//! with momentum μ:   b ← μ·b + d            (b starts at 0, so b₁ = d)
//!                    d ← b, or d + μ·b with Nesterov
//! p ← p − lr·d
//! ```

use ndarray::{ArrayD, Zip};

use super::{check_hyper, for_each_param, Optimizer};
use crate::tensor::Tensor;

/// Gradient descent with a fixed step `lr` (the course's "pas constant"), with
/// PyTorch's defaults: lr 1e-3, no momentum, no weight decay.
///
/// ```
/// use apprentissage::prelude::*;
/// let w = tensor!([1.]).requires_grad_();
/// let mut sgd = Sgd::new(vec![w.clone()]).lr(0.5).momentum(0.9);
/// (&w * &w).sum().backward(); // gradient 2
/// sgd.step();
/// assert_eq!(w.item(), 0.0); // 1 − 0.5·2
/// ```
pub struct Sgd {
    params: Vec<Tensor>,
    lr: f32,
    momentum: f32,
    nesterov: bool,
    weight_decay: f32,
    buffers: Vec<Option<[ArrayD<f32>; 1]>>,
}

impl Sgd {
    /// SGD over `params` with PyTorch's default settings (`optim.SGD(params)`:
    /// lr 1e-3, no momentum, no weight decay).
    pub fn new(params: Vec<Tensor>) -> Sgd {
        Sgd {
            params,
            lr: 1e-3,
            momentum: 0.0,
            nesterov: false,
            weight_decay: 0.0,
            buffers: Vec::new(),
        }
    }

    /// Learning rate (default 1e-3).
    pub fn lr(mut self, lr: f32) -> Sgd {
        check_hyper("Sgd", "learning rate", lr, lr >= 0.0, "≥ 0");
        self.lr = lr;
        self
    }

    /// Momentum factor μ in [0, 1) (PyTorch default 0).
    pub fn momentum(mut self, momentum: f32) -> Sgd {
        let ok = (0.0..1.0).contains(&momentum);
        check_hyper("Sgd", "momentum", momentum, ok, "in [0, 1)");
        self.momentum = momentum;
        self
    }

    /// Nesterov momentum (needs a momentum > 0, as in PyTorch).
    pub fn nesterov(mut self, nesterov: bool) -> Sgd {
        self.nesterov = nesterov;
        self
    }

    /// L2 penalty added to the gradient (PyTorch default 0).
    pub fn weight_decay(mut self, weight_decay: f32) -> Sgd {
        check_hyper(
            "Sgd",
            "weight decay",
            weight_decay,
            weight_decay >= 0.0,
            "≥ 0",
        );
        self.weight_decay = weight_decay;
        self
    }
}

impl Optimizer for Sgd {
    fn step(&mut self) {
        assert!(
            !self.nesterov || self.momentum > 0.0,
            "Sgd: Nesterov momentum requires a momentum > 0"
        );
        let (lr, mu, wd, nesterov) = (self.lr, self.momentum, self.weight_decay, self.nesterov);
        if mu == 0.0 {
            // no buffer needed: p ← p − lr·(g + wd·p)
            for p in &self.params {
                if let Some(g) = p.grad_ref().as_ref() {
                    Zip::from(&mut *p.data_mut())
                        .and(g)
                        .for_each(|p, &g| *p -= lr * (g + wd * *p));
                }
            }
            return;
        }
        for_each_param(&self.params, &mut self.buffers, |p, g, [b]| {
            Zip::from(p).and(b).and(g).for_each(|p, b, &g| {
                let d = g + wd * *p;
                *b = mu * *b + d;
                *p -= lr * if nesterov { d + mu * *b } else { *b };
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

    // Expected values: the PyTorch update rule applied by hand (in f64) to
    // p = [1, −2] with gradient p + 1, e.g. plain SGD, lr 0.1:
    // step 1: g = [2, −1] → p = [0.8, −1.9]; step 2: g = [1.8, −0.9] → [0.62, −1.81].

    #[test]
    fn plain_sgd() {
        let p = param();
        let mut sgd = Sgd::new(vec![p.clone()]).lr(0.1);
        let got = run(&mut sgd, &p, 3);
        assert_close(&got, &[[0.8, -1.9], [0.62, -1.81], [0.458, -1.729]]);
    }

    #[test]
    fn default_learning_rate_is_pytorchs_1e_3() {
        // optim.SGD([p]) (PyTorch ≥ 2.2: lr=1e-3): p − 0.001·(p + 1)
        let p = param();
        let mut sgd = Sgd::new(vec![p.clone()]);
        assert_eq!(sgd.learning_rate(), 1e-3);
        let got = run(&mut sgd, &p, 2);
        assert_close(&got, &[[0.998, -1.999], [0.996002, -1.998001]]);
    }

    #[test]
    #[should_panic(expected = "Sgd: invalid learning rate -0.1: it must be ≥ 0")]
    fn negative_learning_rate_is_refused() {
        let _ = Sgd::new(vec![]).lr(-0.1);
    }

    #[test]
    fn momentum() {
        // b₂ = 0.9·[2, −1] + [1.8, −0.9] = [3.6, −1.8] → p₂ = [0.44, −1.72]
        let p = param();
        let mut sgd = Sgd::new(vec![p.clone()]).lr(0.1).momentum(0.9);
        let got = run(&mut sgd, &p, 3);
        assert_close(&got, &[[0.8, -1.9], [0.44, -1.72], [-0.028, -1.486]]);
    }

    #[test]
    fn nesterov() {
        // step 1: b = [2, −1], d = g + 0.9·b = [3.8, −1.9] → p = [0.62, −1.81]
        let p = param();
        let mut sgd = Sgd::new(vec![p.clone()])
            .lr(0.1)
            .momentum(0.9)
            .nesterov(true);
        let got = run(&mut sgd, &p, 3);
        let expected = [[0.62, -1.81], [0.1502, -1.5751], [-0.345358, -1.327321]];
        assert_close(&got, &expected);
    }

    #[test]
    fn weight_decay() {
        // d = g + 0.5·p = [2.5, −2] → p = [0.75, −1.8]
        let p = param();
        let mut sgd = Sgd::new(vec![p.clone()]).lr(0.1).weight_decay(0.5);
        let got = run(&mut sgd, &p, 2);
        assert_close(&got, &[[0.75, -1.8], [0.5375, -1.63]]);
    }

    #[test]
    fn parameters_without_gradient_are_left_alone() {
        let (p, q) = (param(), tensor!([5.]).requires_grad_());
        let mut sgd = Sgd::new(vec![p.clone(), q.clone()]).lr(0.1).momentum(0.5);
        run(&mut sgd, &p, 2);
        assert_eq!(q.to_vec(), vec![5.]);
    }

    #[test]
    #[should_panic(expected = "Sgd: invalid momentum 1.5")]
    fn bad_momentum_is_refused() {
        let _ = Sgd::new(vec![]).lr(0.1).momentum(1.5);
    }
}
