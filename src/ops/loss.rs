//! Loss functions, each ONE operation with its own backward. They are called
//! through [`crate::functional`] (`F::mse_loss`, `F::cross_entropy`…), like
//! `torch.nn.functional`. With N samples (rows) and C classes (columns), and
//! the reduction r = 1/N for [`Reduction::Mean`], 1 for [`Reduction::Sum`]:
//!
//! | loss | value | ∂loss/∂input |
//! |---|---|---|
//! | `mse_loss(p, t)` | `r·Σ (pₖ − tₖ)²`, r = 1/numel for Mean | `2r·(p − t)` (the opposite for t) |
//! | `nll_loss(L, t)` | `−r·Σᵢ L[i, tᵢ]` | `−r` at `[i, tᵢ]`, 0 elsewhere |
//! | `cross_entropy(S, t)` | `−r·Σᵢ log_softmax(Sᵢ)[tᵢ]` | `r·(softmax(S) − onehot(t))` |
//! | `margin_loss(S, t, Δ)` | `r·Σᵢ [Σⱼ max(0, S[i, j] − S[i, tᵢ] + Δ) − Δ]` | see below |
//!
//! `cross_entropy` is `nll_loss(log_softmax(S, 1), t)` fused into a single
//! operation: the log-probabilities are max-subtracted (course 9.4), and the
//! gradient is simply "probabilities minus the expected answer".
//!
//! The margin loss is the course's (chapter 8.4.1): for each sample, every other
//! class j whose score comes within Δ of the right class's score (or beats it)
//! costs S_j − S_cat + Δ. The term j = cat is Δ, removed by the final −Δ.
//! Backward: each j ≠ cat with a positive margin adds +1 to S_j and −1 to S_cat.
//!
//! ```
//! use apprentissage::prelude::*;
//! let logits = tensor!([[80., 89., 90.], [2., 89., 90.]]).requires_grad_();
//! let loss = F::cross_entropy(&logits, &[2, 0]);
//! assert!((loss.item() - (0.313_295 + 88.313_26) / 2.0).abs() < 1e-3);
//! loss.backward(); // (softmax − onehot)/N, finite
//! assert!(logits.grad().unwrap().to_vec().iter().all(|g| g.is_finite()));
//! ```

use ndarray::{arr0, Array2, ArrayD, ArrayView2, Ix2, Zip};

use super::softmax::softmax_array;
use super::Indices;
use crate::autograd::Op;
use crate::functional::Reduction;
use crate::tensor::Tensor;

/// The factor r applied to the sum of `n` per-sample losses.
fn factor(reduction: Reduction, n: usize) -> f32 {
    match reduction {
        Reduction::Mean => 1.0 / n as f32, // NaN for n = 0, as in PyTorch
        Reduction::Sum => 1.0,
    }
}

/// The value of the scalar gradient that reaches a loss.
fn scalar(g: &ArrayD<f32>) -> f32 {
    g.first().copied().expect("a loss is a single number")
}

/// Checks that `x` is (N, C) and that there are N targets, each below C.
fn class_targets(
    op: &str,
    what: &str,
    x: &ArrayD<f32>,
    targets: &(impl Indices + ?Sized),
) -> Vec<usize> {
    assert!(
        x.ndim() == 2,
        "{op}: expected {what} of shape (N, C), one row per sample and one column per class, \
         got shape {:?}",
        x.shape()
    );
    let (n, c) = (x.shape()[0], x.shape()[1]);
    let targets = targets.to_indices();
    assert!(
        targets.len() == n,
        "{op}: {n} samples (rows of {what}) but {} targets; there must be one target per sample",
        targets.len()
    );
    for (i, &t) in targets.iter().enumerate() {
        assert!(
            t < c,
            "{op}: target {t} of sample {i} is out of range for {c} classes \
             (valid targets: 0 to {})",
            c as isize - 1
        );
    }
    targets
}

/// `x` as a 2-D view (checked by [`class_targets`]).
fn rows(x: &ArrayD<f32>) -> ArrayView2<'_, f32> {
    x.view().into_dimensionality::<Ix2>().expect("checked: 2-D")
}

fn scalar_tensor(value: f32, inputs: Vec<Tensor>, op: impl Op + 'static) -> Tensor {
    Tensor::from_op(arr0(value).into_dyn(), inputs, op)
}

// ----- mean squared error -------------------------------------------------

struct MseLossOp {
    r: f32,
}

impl Op for MseLossOp {
    fn name(&self) -> &'static str {
        "MseLossBackward0"
    }
    fn backward(
        &self,
        g: &ArrayD<f32>,
        x: &[&ArrayD<f32>],
        _: &ArrayD<f32>,
        needs: &[bool],
    ) -> Vec<Option<ArrayD<f32>>> {
        let k = 2.0 * self.r * scalar(g);
        let dp = Zip::from(x[0]).and(x[1]).map_collect(|&p, &t| k * (p - t));
        let dt = needs[1].then(|| -&dp);
        vec![Some(dp), dt]
    }
}

/// Mean squared error, see [`crate::functional::mse_loss`].
pub(crate) fn mse_loss(pred: &Tensor, target: &Tensor, reduction: Reduction) -> Tensor {
    let (p, t) = (pred.data(), target.data());
    assert!(
        p.shape() == t.shape(),
        "mse_loss: the prediction has shape {:?} but the target has shape {:?}; they must be \
         equal (PyTorch would broadcast them with a mere warning, which is almost always a bug, \
         e.g. (N, 1) against (N,): reshape one of them)",
        p.shape(),
        t.shape()
    );
    let r = factor(reduction, p.len()); // Mean: over all the elements
    let total = Zip::from(&*p)
        .and(&*t)
        .fold(0.0f32, |s, &p, &t| s + (p - t) * (p - t));
    drop((p, t));
    scalar_tensor(
        total * r,
        vec![pred.clone(), target.clone()],
        MseLossOp { r },
    )
}

// ----- negative log-likelihood ---------------------------------------------

struct NllLossOp {
    targets: Vec<usize>,
    r: f32,
}

impl Op for NllLossOp {
    fn name(&self) -> &'static str {
        "NllLossBackward0"
    }
    fn backward(
        &self,
        g: &ArrayD<f32>,
        x: &[&ArrayD<f32>],
        _: &ArrayD<f32>,
        _: &[bool],
    ) -> Vec<Option<ArrayD<f32>>> {
        let mut grad = Array2::zeros((x[0].shape()[0], x[0].shape()[1]));
        let k = -self.r * scalar(g);
        for (i, &t) in self.targets.iter().enumerate() {
            grad[[i, t]] = k;
        }
        vec![Some(grad.into_dyn())]
    }
}

/// Negative log-likelihood, see [`crate::functional::nll_loss`].
pub(crate) fn nll_loss(
    log_probs: &Tensor,
    targets: &(impl Indices + ?Sized),
    reduction: Reduction,
) -> Tensor {
    let x = log_probs.data();
    let targets = class_targets("nll_loss", "log-probabilities", &x, targets);
    let r = factor(reduction, targets.len());
    let x2 = rows(&x);
    let total: f32 = targets.iter().enumerate().map(|(i, &t)| -x2[[i, t]]).sum();
    drop(x);
    scalar_tensor(total * r, vec![log_probs.clone()], NllLossOp { targets, r })
}

// ----- cross-entropy (log_softmax + nll, fused) -----------------------------

struct CrossEntropyOp {
    /// softmax of the logits, saved by the forward pass.
    probs: Array2<f32>,
    targets: Vec<usize>,
    r: f32,
}

impl Op for CrossEntropyOp {
    fn name(&self) -> &'static str {
        "CrossEntropyLossBackward0"
    }
    fn backward(
        &self,
        g: &ArrayD<f32>,
        _: &[&ArrayD<f32>],
        _: &ArrayD<f32>,
        _: &[bool],
    ) -> Vec<Option<ArrayD<f32>>> {
        // r·(softmax − onehot), times the incoming gradient
        let k = self.r * scalar(g);
        let mut grad = self.probs.mapv(|p| k * p);
        for (i, &t) in self.targets.iter().enumerate() {
            grad[[i, t]] -= k;
        }
        vec![Some(grad.into_dyn())]
    }
}

/// Cross-entropy of logits, see [`crate::functional::cross_entropy`].
pub(crate) fn cross_entropy(
    logits: &Tensor,
    targets: &(impl Indices + ?Sized),
    reduction: Reduction,
) -> Tensor {
    let x = logits.data();
    let targets = class_targets("cross_entropy", "logits", &x, targets);
    let r = factor(reduction, targets.len());
    let log_probs = softmax_array(&x, 1, true);
    drop(x);
    let log_probs = log_probs.into_dimensionality::<Ix2>().expect("2-D");
    let total: f32 = targets
        .iter()
        .enumerate()
        .map(|(i, &t)| -log_probs[[i, t]])
        .sum();
    let probs = log_probs.mapv(f32::exp);
    let op = CrossEntropyOp { probs, targets, r };
    scalar_tensor(total * r, vec![logits.clone()], op)
}

// ----- the course's multiclass margin loss ------------------------------------

struct MarginLossOp {
    targets: Vec<usize>,
    delta: f32,
    r: f32,
}

impl Op for MarginLossOp {
    fn name(&self) -> &'static str {
        "MarginLossBackward0"
    }
    fn backward(
        &self,
        g: &ArrayD<f32>,
        x: &[&ArrayD<f32>],
        _: &ArrayD<f32>,
        _: &[bool],
    ) -> Vec<Option<ArrayD<f32>>> {
        let s = rows(x[0]);
        let k = self.r * scalar(g);
        let mut grad = Array2::zeros(s.raw_dim());
        for (i, &cat) in self.targets.iter().enumerate() {
            for j in (0..s.ncols()).filter(|&j| j != cat) {
                if s[[i, j]] - s[[i, cat]] + self.delta > 0.0 {
                    grad[[i, j]] += k;
                    grad[[i, cat]] -= k;
                }
            }
        }
        vec![Some(grad.into_dyn())]
    }
}

/// The course's margin loss, see [`crate::functional::margin_loss`].
pub(crate) fn margin_loss(
    scores: &Tensor,
    targets: &(impl Indices + ?Sized),
    delta: f32,
    reduction: Reduction,
) -> Tensor {
    assert!(
        delta >= 0.0,
        "margin_loss: delta is the margin by which the right class's score must beat the \
         others, it must be ≥ 0, got {delta}"
    );
    let x = scores.data();
    let targets = class_targets("margin_loss", "scores", &x, targets);
    let r = factor(reduction, targets.len());
    let s = rows(&x);
    // Σ over j ≠ cat: the course's term j = cat, max(0, Δ) = Δ, cancels with −Δ
    let total: f32 = targets
        .iter()
        .enumerate()
        .map(|(i, &cat)| {
            (0..s.ncols())
                .filter(|&j| j != cat)
                .map(|j| (s[[i, j]] - s[[i, cat]] + delta).max(0.0))
                .sum::<f32>()
        })
        .sum();
    drop(x);
    let op = MarginLossOp { targets, delta, r };
    scalar_tensor(total * r, vec![scores.clone()], op)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradcheck::assert_gradcheck;
    use crate::prelude::*;
    use crate::random::test_array;
    use Reduction::{Mean, Sum};

    fn random(shape: &[usize], seed: u64) -> Tensor {
        Tensor::from_array(test_array(shape, seed).mapv(|v| 2.0 * v))
    }

    fn close(a: f32, b: f32, tol: f32) -> bool {
        (a - b).abs() <= tol
    }

    /// Row `i` of a 2-D tensor, as a new (1, C) leaf.
    fn row(x: &Tensor, i: usize) -> Tensor {
        Tensor::from_array(x.to_array().slice_move(ndarray::s![i..i + 1, ..]))
    }

    #[test]
    fn mse_loss_value_and_gradcheck() {
        let (p, t) = (tensor!([1., 2., 3.]), tensor!([1., 0., 0.]));
        assert!(close(mse_loss(&p, &t, Mean).item(), 13.0 / 3.0, 1e-6));
        assert_eq!(mse_loss(&p, &t, Sum).item(), 13.0);
        for (i, shape) in [vec![], vec![3], vec![2, 3]].iter().enumerate() {
            for red in [Mean, Sum] {
                let (p, t) = (random(shape, 30 + i as u64), random(shape, 40 + i as u64));
                assert_gradcheck(|x| mse_loss(&x[0], &x[1], red), &[p, t]);
            }
        }
        let loss = mse_loss(&p.requires_grad_(), &t, Mean);
        assert_eq!(loss.grad_fn(), Some("MseLossBackward0"));
    }

    #[test]
    fn nll_loss_value_and_gradcheck() {
        let lp = tensor!([[-0.5, -1., -2.], [-3., -0.25, -1.5]]);
        assert_eq!(nll_loss(&lp, &[2, 1], Sum).item(), 2.25);
        assert_eq!(nll_loss(&lp, &vec![0, 0], Mean).item(), 1.75);
        assert_eq!(nll_loss(&lp, &tensor!([1., 2.]), Mean).item(), 1.25);
        for red in [Mean, Sum] {
            let x = random(&[4, 3], 50);
            assert_gradcheck(|t| nll_loss(&t[0], &[0, 2, 1, 2], red), &[x]);
        }
        let x = lp.requires_grad_();
        let loss = nll_loss(&x, &[2, 1], Mean);
        assert_eq!(loss.grad_fn(), Some("NllLossBackward0"));
        loss.backward();
        assert_eq!(x.grad().unwrap().to_vec(), vec![0., 0., -0.5, 0., -0.5, 0.]);
    }

    #[test]
    fn cross_entropy_against_a_hand_computation() {
        // logits (1, 2, 3): −log softmax₂ = log(1 + e⁻¹ + e⁻²) = 0.407606
        //                   −log softmax₀ = 2 + 0.407606
        let e = std::f32::consts::E;
        let total = 1.0 + 1.0 / e + 1.0 / (e * e);
        let x = tensor!([[1., 2., 3.], [1., 2., 3.]]).requires_grad_();
        let loss = cross_entropy(&x, &[2, 0], Mean);
        let sum = cross_entropy(&x, &[2, 0], Sum).item();
        assert!(
            close(loss.item(), total.ln() + 1.0, 1e-6),
            "{}",
            loss.item()
        );
        assert!(close(sum, 2.0 * total.ln() + 2.0, 1e-5), "{sum}");
        assert_eq!(loss.grad_fn(), Some("CrossEntropyLossBackward0"));
        loss.backward();
        // (softmax − onehot) / N
        let p = [1.0 / e / e, 1.0 / e, 1.0].map(|v| v / total);
        let expected = [p[0], p[1], p[2] - 1.0, p[0] - 1.0, p[1], p[2]].map(|v| v / 2.0);
        for (g, e) in x.grad().unwrap().to_vec().iter().zip(expected) {
            assert!(close(*g, e, 1e-6), "{g} vs {e}");
        }
    }

    #[test]
    fn cross_entropy_is_log_softmax_then_nll() {
        let x = random(&[5, 4], 60);
        let targets = vec![3, 0, 1, 1, 2];
        for red in [Mean, Sum] {
            let fused = cross_entropy(&x, &targets, red).item();
            let composed = nll_loss(&x.log_softmax(1), &targets, red).item();
            assert!(close(fused, composed, 1e-5), "{fused} vs {composed}");
            let f = |t: &[Tensor]| cross_entropy(&t[0], &targets, red);
            assert_gradcheck(f, std::slice::from_ref(&x));
        }
        let one = random(&[1, 3], 61);
        assert_gradcheck(|t| cross_entropy(&t[0], &[1], Mean), &[one]);
    }

    #[test]
    fn cross_entropy_is_finite_at_the_course_9_4_values() {
        let x = tensor!([[80., 89., 90.], [2., 89., 90.]]).requires_grad_();
        // Σ exp(x − 90) = eᵃ + e⁻¹ + 1, with a = x₀ − 90
        let log_total = |a: f32| (a.exp() + (-1.0f32).exp() + 1.0).ln();
        for (i, a) in [(0, -10.0), (1, -88.0)] {
            for (target, expected) in [(0, -a + log_total(a)), (2, log_total(a))] {
                let v = cross_entropy(&row(&x, i), &[target], Sum).item();
                assert!(
                    v.is_finite() && close(v, expected, 1e-4),
                    "{v} vs {expected}"
                );
            }
        }
        let loss = cross_entropy(&x, &[0, 0], Mean);
        assert!(loss.item().is_finite());
        loss.backward();
        assert!(x.grad().unwrap().to_vec().iter().all(|g| g.is_finite()));
        // ±1000
        let x = tensor!([[-1000., 1000.], [1000., -1000.]]).requires_grad_();
        assert_eq!(cross_entropy(&x, &[1, 0], Sum).item(), 0.0);
        let loss = cross_entropy(&x, &[0, 0], Sum);
        assert_eq!(loss.item(), 2000.0);
        loss.backward();
        assert_eq!(x.grad().unwrap().to_vec(), vec![-1., 1., 0., 0.]);
    }

    #[test]
    fn losses_of_transposed_inputs_pass_gradcheck() {
        // x.t() is a non-contiguous view of a (3, 4) tensor: the scores are (4, 3)
        let x = random(&[3, 4], 62);
        let target = random(&[4, 3], 63);
        let t = [2, 0, 1, 1];
        let f = |x: &[Tensor]| {
            let s = x[0].t();
            cross_entropy(&s, &t, Mean)
                + nll_loss(&s.log_softmax(1), &t, Sum)
                + mse_loss(&s, &target, Mean)
        };
        assert_gradcheck(f, std::slice::from_ref(&x));
        let x = scores_away_from_kinks(4, 3, &t, 0.5, 64).t().detach();
        assert!(!x.data().is_standard_layout());
        assert_gradcheck(|x| margin_loss(&x[0].t(), &t, 0.5, Mean), &[x]);
    }

    #[test]
    fn course_8_4_1_margin_loss_table() {
        let scores = tensor!([[5., 4., 2.], [4., 2., 8.], [4., 5., 1.]]).requires_grad_();
        let cats = [2, 0, 1];
        for (i, expected) in [7.0, 5.0, 0.0].into_iter().enumerate() {
            let error = margin_loss(&row(&scores, i), &[cats[i]], 1.0, Sum);
            assert_eq!(error.item(), expected);
        }
        // 7 + 5 + 0 = 12. The course prints an ErrTot of 15: an arithmetic slip.
        let total = margin_loss(&scores, &cats, 1.0, Sum);
        assert_eq!(total.item(), 12.0);
        assert_eq!(margin_loss(&scores, &cats, 1.0, Mean).item(), 4.0);
        assert_eq!(total.grad_fn(), Some("MarginLossBackward0"));
        total.backward();
        // row 3: 4 − 5 + 1 = 0 exactly, no gradient at the kink (like relu)
        let expected = [1., 1., -2., -1., 0., 1., 0., 0., 0.];
        assert_eq!(scores.grad().unwrap().to_vec(), expected);
    }

    /// Scores whose margins S_j − S_cat + Δ all stay 0.1 away from the kink at 0.
    fn scores_away_from_kinks(n: usize, c: usize, t: &[usize], delta: f32, seed: u64) -> Tensor {
        (seed..seed + 1000)
            .map(|s| random(&[n, c], s))
            .find(|x| {
                let x = x.to_array().into_dimensionality::<Ix2>().unwrap();
                let away = |i: usize, j: usize| (x[[i, j]] - x[[i, t[i]]] + delta).abs() > 0.1;
                (0..n).all(|i| (0..c).all(|j| j == t[i] || away(i, j)))
            })
            .expect("a seed with margins away from 0")
    }

    #[test]
    fn margin_loss_gradcheck() {
        let t = [1, 0, 3, 3];
        for (delta, red) in [(1.0, Sum), (0.5, Mean), (0.0, Mean)] {
            let x = scores_away_from_kinks(4, 5, &t, delta, 70);
            assert_gradcheck(|s| margin_loss(&s[0], &t, delta, red), &[x]);
        }
    }

    /// Checks that `f` panics with a message containing `expected`.
    #[track_caller]
    fn assert_panics(f: impl FnOnce() -> Tensor + std::panic::UnwindSafe, expected: &str) {
        let payload = std::panic::catch_unwind(f).expect_err("should panic");
        let message = match payload.downcast_ref::<String>() {
            Some(s) => s.clone(),
            None => payload.downcast_ref::<&str>().unwrap().to_string(),
        };
        assert!(message.contains(expected), "{message:?} lacks {expected:?}");
    }

    #[test]
    fn bad_arguments_are_explained() {
        let z = Tensor::zeros;
        let msg = "mse_loss: the prediction has shape [3, 1] but the target has shape [3]";
        assert_panics(|| mse_loss(&z(&[3, 1]), &z(&[3]), Mean), msg);
        let msg = "cross_entropy: target 3 of sample 1 is out of range for 3 classes";
        assert_panics(|| cross_entropy(&z(&[2, 3]), &[0, 3], Mean), msg);
        let msg = "nll_loss: target 5 of sample 0 is out of range for 2 classes";
        assert_panics(|| nll_loss(&z(&[1, 2]), &tensor!([5.]), Mean), msg);
        let msg = "margin_loss: target 2 of sample 0 is out of range for 2 classes";
        assert_panics(|| margin_loss(&z(&[1, 2]), &vec![2], 1.0, Mean), msg);
        let msg = "cross_entropy: 2 samples (rows of logits) but 3 targets";
        assert_panics(|| cross_entropy(&z(&[2, 3]), &[0, 1, 2], Mean), msg);
        let msg = "margin_loss: expected scores of shape (N, C)";
        assert_panics(|| margin_loss(&z(&[3]), &[0], 1.0, Mean), msg);
        assert_panics(
            || margin_loss(&z(&[1, 2]), &[0], -1.0, Mean),
            "must be ≥ 0, got -1",
        );
    }
}
