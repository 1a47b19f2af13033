//! Activations and losses as free functions, by their PyTorch names: this
//! module is PyTorch's `torch.nn.functional`, imported as `F` by the prelude.
//!
//! | PyTorch | apprentissage |
//! |---|---|
//! | `F.relu(x)` | `F::relu(&x)` or `x.relu()` |
//! | `F.leaky_relu(x)` (slope 0.01) | `F::leaky_relu(&x, None)` or `x.leaky_relu(None)` |
//! | `F.leaky_relu(x, 0.2)` | `F::leaky_relu(&x, 0.2)` or `x.leaky_relu(0.2)` |
//! | `torch.sigmoid(x)` | `F::sigmoid(&x)` or `x.sigmoid()` |
//! | `torch.tanh(x)` | `F::tanh(&x)` or `x.tanh()` |
//! | `F.softmax(x, dim=1)` | `F::softmax(&x, 1)` or `x.softmax(1)` |
//! | `F.log_softmax(x, dim=1)` | `F::log_softmax(&x, 1)` or `x.log_softmax(1)` |
//! | `F.mse_loss(pred, y)` | `F::mse_loss(&pred, &y)` |
//! | `F.nll_loss(logp, labels)` | `F::nll_loss(&logp, &labels)` |
//! | `F.cross_entropy(logits, labels)` | `F::cross_entropy(&logits, &labels)` |
//! | the course's margin loss (8.4.1) | `F::margin_loss(&scores, &labels, delta)` |
//! | `…, reduction='sum'` | `F::cross_entropy_with(&logits, &labels, Reduction::Sum)`, … |
//! | `F.linear(x, w, b)` | `F::linear(&x, &w, Some(&b))` |
//! | `F.conv2d(x, w, b, stride=1, padding=0)` | `F::conv2d(&x, &w, Some(&b), 1, 0)` |
//! | `F.max_pool2d(x, 2)` (stride = kernel) | `F::max_pool2d(&x, 2, None, 0)` or `x.max_pool2d(2)` |
//! | `F.max_pool2d(x, 3, stride=1, padding=1)` | `F::max_pool2d(&x, 3, 1, 1)` |
//! | `F.avg_pool2d(x, 2)` (stride = kernel) | `F::avg_pool2d(&x, 2, None, 0)` or `x.avg_pool2d(2)` |
//!
//! Rust has no default arguments, so a function of `F` takes every argument of
//! PyTorch's, in PyTorch's order. Where PyTorch's default is not a plain value
//! but "the kernel size" or a slope, the argument is an `Option`: a value, or
//! `None` for PyTorch's default — `stride=None` of the pooling functions is
//! the kernel size, `negative_slope` of `leaky_relu` is [`LEAKY_RELU_SLOPE`]
//! = 0.01. (Layers and optimizers take PyTorch's defaults instead, changed by
//! builder methods: `MaxPool2d::new(2).stride(1)`, `Sgd::new(params).lr(0.1)`.)
//!
//! ```
//! use apprentissage::prelude::*;
//! let x = Tensor::ones(&[1, 1, 4, 4]);
//! let w = Tensor::ones(&[2, 1, 3, 3]);
//! let y = F::conv2d(&x, &w, None, 1, 1); // padding 1 keeps 4×4
//! assert_eq!(y.shape(), vec![1, 2, 4, 4]);
//! // stride None: the 2×2 windows side by side, as F.max_pool2d(y, 2)
//! assert_eq!(F::max_pool2d(&y, 2, None, 0).shape(), vec![1, 2, 2, 2]);
//! assert_eq!(F::max_pool2d(&y, 2, 1, 0).shape(), vec![1, 2, 3, 3]);
//! assert_eq!(F::avg_pool2d(&y, 2, None, 0).to_vec(), y.avg_pool2d(2).to_vec());
//! let h = F::linear(&Tensor::ones(&[3, 8]), &Tensor::ones(&[5, 8]), None);
//! assert_eq!((h.shape(), h.to_vec()[0]), (vec![3, 5], 8.0));
//! // F.leaky_relu(t): slope 0.01
//! let t = tensor!([-3., 2.]);
//! assert_eq!(F::leaky_relu(&t, None).to_vec(), vec![-0.03, 2.]);
//! assert_eq!(F::leaky_relu(&t, 0.5).to_vec(), vec![-1.5, 2.]);
//! ```
//!
//! The losses return a single number (a 0-dimensional tensor), the average over
//! the samples by default ([`Reduction::Mean`], PyTorch's default too). The
//! class labels (`targets`) can be a slice or an array of `usize`, a `Vec<usize>`,
//! or a tensor of whole numbers (the labels of a batch): `&[2, 0]`, `&labels`.
//!
//! ```
//! use apprentissage::prelude::*;
//! let scores = tensor!([[1., 2., 3.], [0., 5., 1.]]).requires_grad_();
//! let labels = tensor!([2., 1.]);
//! let loss = F::cross_entropy(&scores, &labels);
//! loss.backward();
//! assert!(loss.item() < 0.5);
//! assert_eq!(scores.grad().unwrap().shape(), vec![2, 3]);
//! ```

pub use crate::ops::activation::LEAKY_RELU_SLOPE;
pub use crate::ops::conv::conv2d;
pub use crate::ops::linear::linear;
pub use crate::ops::pool::{avg_pool2d, max_pool2d};

use crate::ops::loss;
use crate::ops::{Dim, Indices};
use crate::tensor::Tensor;

/// How a loss combines the per-sample values (PyTorch's `reduction=`).
///
/// ```
/// use apprentissage::prelude::*;
/// let (pred, target) = (tensor!([1., 3.]), tensor!([0., 0.]));
/// assert_eq!(F::mse_loss(&pred, &target).item(), 5.0); // (1 + 9) / 2
/// assert_eq!(F::mse_loss_with(&pred, &target, Reduction::Sum).item(), 10.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Reduction {
    /// The average over the samples (PyTorch's default).
    #[default]
    Mean,
    /// The sum over the samples.
    Sum,
}

// ----- activations -----------------------------------------------------------

/// ReLU(x) = max(0, x), element by element (`F.relu`); see [`Tensor::relu`].
///
/// ```
/// use apprentissage::prelude::*;
/// assert_eq!(F::relu(&tensor!([-1., 2.])).to_vec(), vec![0., 2.]);
/// ```
pub fn relu(x: &Tensor) -> Tensor {
    x.relu()
}

/// LeakyReLU(x) = x if x > 0, else `negative_slope`·x (`F.leaky_relu`);
/// `negative_slope` is a number, or `None` for PyTorch's default
/// [`LEAKY_RELU_SLOPE`] = 0.01. See [`Tensor::leaky_relu`].
///
/// ```
/// use apprentissage::prelude::*;
/// let x = tensor!([-1., 2.]);
/// assert_eq!(F::leaky_relu(&x, None).to_vec(), vec![-0.01, 2.]); // F.leaky_relu(x)
/// assert_eq!(F::leaky_relu(&x, 0.2).to_vec(), vec![-0.2, 2.]);   // F.leaky_relu(x, 0.2)
/// assert_eq!(F::LEAKY_RELU_SLOPE, 0.01);
/// ```
pub fn leaky_relu(x: &Tensor, negative_slope: impl Into<Option<f32>>) -> Tensor {
    x.leaky_relu(negative_slope)
}

/// σ(x) = 1 / (1 + e⁻ˣ) (`torch.sigmoid`); see [`Tensor::sigmoid`].
///
/// ```
/// use apprentissage::prelude::*;
/// assert_eq!(F::sigmoid(&tensor!([0.])).to_vec(), vec![0.5]);
/// ```
pub fn sigmoid(x: &Tensor) -> Tensor {
    x.sigmoid()
}

/// tanh(x) = (eˣ − e⁻ˣ) / (eˣ + e⁻ˣ) (`torch.tanh`); see [`Tensor::tanh`].
///
/// ```
/// use apprentissage::prelude::*;
/// assert_eq!(F::tanh(&tensor!([0.])).to_vec(), vec![0.]);
/// ```
pub fn tanh(x: &Tensor) -> Tensor {
    x.tanh()
}

/// softmax(x)ᵢ = exp(xᵢ) / Σⱼ exp(xⱼ) along `dim` (`F.softmax(x, dim)`),
/// computed with the maximum subtracted; see [`Tensor::softmax`].
///
/// ```
/// use apprentissage::prelude::*;
/// let p = F::softmax(&tensor!([[-1., 1., 3.]]), 1); // course 9.1
/// assert!((p.to_vec()[2] - 0.8668).abs() < 1e-4);
/// ```
pub fn softmax(x: &Tensor, dim: impl Dim) -> Tensor {
    x.softmax(dim)
}

/// log_softmax(x)ᵢ = xᵢ − log Σⱼ exp(xⱼ) along `dim` (`F.log_softmax(x, dim)`),
/// finite even where softmax underflows to 0; see [`Tensor::log_softmax`].
///
/// ```
/// use apprentissage::prelude::*;
/// let lp = F::log_softmax(&tensor!([[0., 0.]]), -1);
/// assert_eq!(lp.to_vec(), vec![-(2f32.ln()); 2]);
/// ```
pub fn log_softmax(x: &Tensor, dim: impl Dim) -> Tensor {
    x.log_softmax(dim)
}

// ----- losses ------------------------------------------------------------------

/// Mean squared error, `F.mse_loss(pred, target)`:
///
/// ```text
/// mse = (1/n)·Σₖ (predₖ − targetₖ)²     over all n elements
/// ```
///
/// The two shapes must be equal: unlike PyTorch, which broadcasts (N, 1)
/// against (N,) with a mere warning, this panics and says so.
///
/// ```
/// use apprentissage::prelude::*;
/// let pred = tensor!([[1.], [2.], [3.]]).requires_grad_();
/// let y = tensor!([[1.], [0.], [0.]]);
/// let loss = F::mse_loss(&pred, &y);
/// assert!((loss.item() - 13.0 / 3.0).abs() < 1e-6); // (0 + 4 + 9) / 3
/// loss.backward();
/// let g = pred.grad().unwrap().to_vec(); // 2·(pred − y)/n
/// assert!(g[0] == 0.0 && (g[1] - 4.0 / 3.0).abs() < 1e-6);
/// ```
pub fn mse_loss(pred: &Tensor, target: &Tensor) -> Tensor {
    loss::mse_loss(pred, target, Reduction::Mean)
}

/// [`mse_loss`] with a chosen reduction (`Sum`: Σₖ (predₖ − targetₖ)²).
///
/// ```
/// use apprentissage::prelude::*;
/// let loss = F::mse_loss_with(&tensor!([1., 2., 3.]), &tensor!([1., 0., 0.]), Reduction::Sum);
/// assert_eq!(loss.item(), 13.0);
/// ```
pub fn mse_loss_with(pred: &Tensor, target: &Tensor, reduction: Reduction) -> Tensor {
    loss::mse_loss(pred, target, reduction)
}

/// Negative log-likelihood, `F.nll_loss(log_probs, targets)` (course 9.4): for
/// log-probabilities of shape (N, C) and one class per sample,
///
/// ```text
/// nll = −(1/N)·Σᵢ log_probs[i, targetᵢ]
/// ```
///
/// Combined with [`log_softmax`] it gives the cross-entropy. Panics when a
/// target is not a class number below C, naming the sample.
///
/// ```
/// use apprentissage::prelude::*;
/// let logp = tensor!([[-0.5, -1., -2.], [-3., -0.25, -1.5]]);
/// assert_eq!(F::nll_loss(&logp, &[2, 1]).item(), 1.125); // (2 + 0.25) / 2
/// ```
pub fn nll_loss(log_probs: &Tensor, targets: &(impl Indices + ?Sized)) -> Tensor {
    loss::nll_loss(log_probs, targets, Reduction::Mean)
}

/// [`nll_loss`] with a chosen reduction.
///
/// ```
/// use apprentissage::prelude::*;
/// let logp = tensor!([[-0.5, -1., -2.], [-3., -0.25, -1.5]]);
/// assert_eq!(F::nll_loss_with(&logp, &vec![2, 1], Reduction::Sum).item(), 2.25);
/// ```
pub fn nll_loss_with(
    log_probs: &Tensor,
    targets: &(impl Indices + ?Sized),
    reduction: Reduction,
) -> Tensor {
    loss::nll_loss(log_probs, targets, reduction)
}

/// Cross-entropy of raw scores (logits) of shape (N, C) against one class per
/// sample, `F.cross_entropy(logits, targets)` (course 9.3):
///
/// ```text
/// ce = −(1/N)·Σᵢ log softmax(logitsᵢ)[targetᵢ]
///    =  (1/N)·Σᵢ [log Σⱼ exp(logits[i, j]) − logits[i, targetᵢ]]
/// ```
///
/// One fused, max-subtracted operation (no overflow, no log 0, course 9.4),
/// whose gradient is (softmax(logits) − onehot(targets)) / N. Its `grad_fn` is
/// `CrossEntropyLossBackward0`, where PyTorch shows `NllLossBackward0` after a
/// separate `LogSoftmaxBackward0`.
///
/// ```
/// use apprentissage::prelude::*;
/// let logits = tensor!([[1., 2., 3.]]).requires_grad_();
/// let loss = F::cross_entropy(&logits, &[2]);
/// assert!((loss.item() - 0.407_606).abs() < 1e-6); // log(1 + e⁻¹ + e⁻²)
/// loss.backward();
/// let g = logits.grad().unwrap().to_vec(); // softmax − (0, 0, 1)
/// assert!((g[2] - (0.665_241 - 1.0)).abs() < 1e-6);
/// // course 9.4: finite even when exp(89) overflows
/// let big = F::cross_entropy(&tensor!([[80., 89., 90.], [2., 89., 90.]]), &[0, 0]);
/// assert!((big.item() - (10.313_29 + 88.313_26) / 2.0).abs() < 1e-3);
/// ```
pub fn cross_entropy(logits: &Tensor, targets: &(impl Indices + ?Sized)) -> Tensor {
    loss::cross_entropy(logits, targets, Reduction::Mean)
}

/// [`cross_entropy`] with a chosen reduction.
///
/// ```
/// use apprentissage::prelude::*;
/// let logits = tensor!([[0., 0.], [0., 0.]]);
/// let loss = F::cross_entropy_with(&logits, &[0, 1], Reduction::Sum);
/// assert!((loss.item() - 2.0 * 2f32.ln()).abs() < 1e-6);
/// ```
pub fn cross_entropy_with(
    logits: &Tensor,
    targets: &(impl Indices + ?Sized),
    reduction: Reduction,
) -> Tensor {
    loss::cross_entropy(logits, targets, reduction)
}

/// The course's multiclass margin loss (chapter 8.4.1), for scores S of shape
/// (N, C), the right class catᵢ of each sample and a margin Δ = `delta` ≥ 0:
///
/// ```text
/// errorᵢ = [Σⱼ max(0, (Δ + S[i, j]) − S[i, catᵢ])] − Δ        loss = (1/N)·Σᵢ errorᵢ
/// ```
///
/// A sample costs nothing once its right class beats every other by at least Δ.
/// Gradient: each class j ≠ cat with a positive term gets +1, the class cat
/// gets −1 for each of them (then /N). PyTorch's closest loss,
/// `F.multi_margin_loss(S, cat, margin=Δ)`, also divides each errorᵢ by C.
///
/// ```
/// use apprentissage::prelude::*;
/// // The course's three images, Δ = 1: errors 7, 5 and 0
/// let scores = tensor!([[5., 4., 2.], [4., 2., 8.], [4., 5., 1.]]);
/// let loss = F::margin_loss(&scores, &[2, 0, 1], 1.0);
/// assert_eq!(loss.item(), 4.0); // (7 + 5 + 0) / 3
/// ```
pub fn margin_loss(scores: &Tensor, targets: &(impl Indices + ?Sized), delta: f32) -> Tensor {
    loss::margin_loss(scores, targets, delta, Reduction::Mean)
}

/// [`margin_loss`] with a chosen reduction; `Reduction::Sum` gives the course's
/// total error ("ErrTot").
///
/// ```
/// use apprentissage::prelude::*;
/// let scores = tensor!([[5., 4., 2.], [4., 2., 8.], [4., 5., 1.]]);
/// let total = F::margin_loss_with(&scores, &[2, 0, 1], 1.0, Reduction::Sum);
/// assert_eq!(total.item(), 12.0); // 7 + 5 + 0 (the course prints 15 by mistake)
/// ```
pub fn margin_loss_with(
    scores: &Tensor,
    targets: &(impl Indices + ?Sized),
    delta: f32,
    reduction: Reduction,
) -> Tensor {
    loss::margin_loss(scores, targets, delta, reduction)
}

#[cfg(test)]
mod tests {
    use crate::gradcheck::assert_gradcheck;
    use crate::prelude::*;
    use crate::random::test_tensor as random;

    #[test]
    fn functions_match_the_methods() {
        let x = random(&[3, 4], 80);
        let same = |a: Tensor, b: Tensor| assert_eq!(a.to_vec(), b.to_vec());
        same(F::relu(&x), x.relu());
        same(F::leaky_relu(&x, 0.2), x.leaky_relu(0.2));
        same(F::sigmoid(&x), x.sigmoid());
        same(F::tanh(&x), x.tanh());
        same(F::softmax(&x, 0), x.softmax(0));
        same(F::log_softmax(&x, -1), x.log_softmax(1));
    }

    #[test]
    fn losses_default_to_the_mean() {
        let x = random(&[4, 3], 81);
        let y = random(&[4, 3], 82);
        let t = [0usize, 2, 1, 1];
        let pairs = [
            (
                F::mse_loss(&x, &y),
                F::mse_loss_with(&x, &y, Reduction::Sum),
                12.0,
            ),
            (
                F::nll_loss(&x, &t),
                F::nll_loss_with(&x, &t, Reduction::Sum),
                4.0,
            ),
            (
                F::cross_entropy(&x, &t),
                F::cross_entropy_with(&x, &t, Reduction::Sum),
                4.0,
            ),
            (
                F::margin_loss(&x, &t, 1.0),
                F::margin_loss_with(&x, &t, 1.0, Reduction::Sum),
                4.0,
            ),
        ];
        for (mean, sum, n) in pairs {
            assert!((mean.item() * n - sum.item()).abs() < 1e-5);
        }
    }

    #[test]
    fn targets_as_slice_array_vec_or_tensor() {
        let x = random(&[3, 4], 83);
        let expected = F::cross_entropy(&x, &[3usize, 0, 2]).item();
        let slice: &[usize] = &[3, 0, 2];
        assert_eq!(F::cross_entropy(&x, slice).item(), expected);
        assert_eq!(F::cross_entropy(&x, &vec![3, 0, 2]).item(), expected);
        assert_eq!(
            F::cross_entropy(&x, &tensor!([3., 0., 2.])).item(),
            expected
        );
    }

    #[test]
    fn a_small_classifier_step_passes_gradcheck() {
        // scores = tanh(x ⊙ w), then two losses: the functions compose with the engine
        let x = random(&[5, 3], 84);
        let t = vec![0, 2, 1, 1, 0];
        let f = |p: &[Tensor]| {
            let s = (&x * &p[0]).tanh();
            F::cross_entropy(&s, &t) + F::nll_loss(&F::log_softmax(&s, 1), &t) * 0.5
        };
        assert_gradcheck(f, &[random(&[5, 3], 85)]);
    }

    // PyTorch's defaults. The expected values follow PyTorch's documented rules by hand (its
    // wheel index is out of reach from this machine); in PyTorch they read
    //   x = torch.arange(35.).reshape(1, 1, 5, 7)
    //   F.max_pool2d(x, (3, 2), padding=(1, 0))  # stride=None: (3, 2); OH = (5+2−3)//3+1 = 2, OW = 3
    //   F.avg_pool2d(x, (3, 2), padding=(1, 0))  # zeros counted: divisor 6
    //   F.leaky_relu(torch.tensor([-3., -0.5, 0., 2.]))  # negative_slope=0.01
    #[test]
    fn pooling_stride_none_is_the_kernel_size() {
        let x = Tensor::arange(0.0, 35.0, 1.0).reshape(&[1, 1, 5, 7]);
        // first row of windows: input rows −1 (padding), 0, 1; second: rows 2, 3, 4
        let max = F::max_pool2d(&x, (3, 2), None, (1, 0));
        assert_eq!(max.shape(), vec![1, 1, 2, 3]);
        assert_eq!(max.to_vec(), vec![8., 10., 12., 29., 31., 33.]);
        let avg = F::avg_pool2d(&x, (3, 2), None, (1, 0)).to_vec();
        // (0 + 1 + 7 + 8) / 6, (2 + 3 + 9 + 10) / 6, …, (18 + 19 + 25 + 26 + 32 + 33) / 6
        let want = [16. / 6., 4., 32. / 6., 21.5, 23.5, 25.5];
        assert!(
            avg.iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-5),
            "{avg:?}"
        );
        let explicit = F::max_pool2d(&x, (3, 2), (3, 2), (1, 0));
        assert_eq!(max.to_vec(), explicit.to_vec());
        assert_eq!(F::max_pool2d(&x, 2, Some(1), 0).shape(), vec![1, 1, 4, 6]);
        // the layers and the methods have the same default
        assert_eq!(
            MaxPool2d::new(2).forward(&x).to_vec(),
            F::max_pool2d(&x, 2, None, 0).to_vec()
        );
        assert_eq!(
            x.avg_pool2d(2).to_vec(),
            F::avg_pool2d(&x, 2, None, 0).to_vec()
        );
    }

    #[test]
    fn leaky_relu_slope_none_is_one_hundredth_everywhere() {
        let x = tensor!([-3., -0.5, 0., 2.]).requires_grad_();
        let want = vec![-0.03, -0.005, 0., 2.];
        assert_eq!(F::leaky_relu(&x, None).to_vec(), want);
        assert_eq!(x.leaky_relu(None).to_vec(), want);
        assert_eq!(LeakyReLU::new().forward(&x).to_vec(), want);
        assert_eq!(LeakyReLU::default().forward(&x).to_vec(), want);
        F::leaky_relu(&x, None).sum().backward();
        assert_eq!(x.grad().unwrap().to_vec(), vec![0.01, 0.01, 0.01, 1.]);
        assert_eq!(F::LEAKY_RELU_SLOPE, 0.01);
    }

    #[test]
    fn reduction_defaults_to_mean() {
        assert_eq!(Reduction::default(), Reduction::Mean);
    }
}
