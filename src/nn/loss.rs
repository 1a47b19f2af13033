//! Loss objects (PyTorch's `nn.CrossEntropyLoss`, course 9.3 and 9.5.2): a
//! loss built once, with its settings, then called on each batch. They hold no
//! parameters; the same computation is the free function of [`F`](crate::functional).
//!
//! A loss takes two inputs (the scores and the expected classes), so it is not a
//! [`Module`](crate::nn::Module) (whose `forward` takes one): it has its own
//! `forward(&scores, &targets)`.

use std::fmt;

use crate::functional::{self as F, Reduction};
use crate::ops::Indices;
use crate::tensor::Tensor;

/// Cross-entropy of raw scores (logits) of shape (N, C) against one class per
/// sample (PyTorch's `nn.CrossEntropyLoss`, course 9.3):
///
/// ```text
/// lossᵢ = −log softmax(scoresᵢ)[targetᵢ] = log Σⱼ exp(scores[i, j]) − scores[i, targetᵢ]
/// loss  = (1/N)·Σᵢ lossᵢ   (Reduction::Mean, the default)   or   Σᵢ lossᵢ   (Reduction::Sum)
/// ```
///
/// The object is [`F::cross_entropy_with`] with its reduction kept: `criterion.forward(&s, &t)`
/// is PyTorch's `criterion(s, t)`. It takes the **scores**, not probabilities: the softmax is
/// inside (computed max-subtracted, course 9.4), so a softmax applied before it would be
/// applied twice.
///
/// ```
/// use apprentissage::prelude::*;
/// let criterion = CrossEntropyLoss::new();         // nn.CrossEntropyLoss()
/// println!("{criterion}");                         // CrossEntropyLoss()
/// let scores = tensor!([[1., 2., 3.], [1., 2., 3.]]).requires_grad_();
/// let loss = criterion.forward(&scores, &tensor!([2., 0.]));
/// // (log(e¹ + e² + e³) − 3 + log(e¹ + e² + e³) − 1) / 2
/// let lse = (1f32.exp() + 2f32.exp() + 3f32.exp()).ln();
/// assert!((loss.item() - (2.0 * lse - 4.0) / 2.0).abs() < 1e-6);
/// loss.backward(); // (softmax − onehot) / N
/// assert!((scores.grad().unwrap().to_vec()[2] - (0.665_241 - 1.0) / 2.0).abs() < 1e-6);
///
/// let total = CrossEntropyLoss::new().reduction(Reduction::Sum); // reduction='sum'
/// assert!((total.forward(&scores, &[2, 0]).item() - (2.0 * lse - 4.0)).abs() < 1e-5);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct CrossEntropyLoss {
    reduction: Reduction,
}

impl CrossEntropyLoss {
    /// The loss with PyTorch's default, the mean over the samples (`nn.CrossEntropyLoss()`).
    pub fn new() -> CrossEntropyLoss {
        CrossEntropyLoss {
            reduction: Reduction::Mean,
        }
    }

    /// How the per-sample losses are combined (`reduction='sum'` is `Reduction::Sum`).
    pub fn reduction(mut self, reduction: Reduction) -> CrossEntropyLoss {
        self.reduction = reduction;
        self
    }

    /// The loss of `scores` (N, C) for the classes `targets` (N of them: a tensor of whole
    /// numbers, a slice or a vector of `usize`), a 0-dimensional tensor (PyTorch's
    /// `criterion(scores, targets)`). Panics, naming the sample, when a target is not a class
    /// number below C.
    pub fn forward(&self, scores: &Tensor, targets: &(impl Indices + ?Sized)) -> Tensor {
        F::cross_entropy_with(scores, targets, self.reduction)
    }
}

/// `CrossEntropyLoss()`, as PyTorch prints it (whatever the reduction, as PyTorch).
impl fmt::Display for CrossEntropyLoss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CrossEntropyLoss()")
    }
}

impl fmt::Debug for CrossEntropyLoss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use crate::prelude::*;

    /// A PyTorch printout (forum thread « How Cross Entropy Loss is Calculated? »,
    /// discuss.pytorch.org, May 2021):
    ///
    /// ```python
    /// logits = tensor([[-0.0820, 0.0076, -0.0952, 0.0285]])
    /// y = tensor([1])
    /// nn.CrossEntropyLoss()(logits, y)     # tensor(1.3449, dtype=torch.float64, …)
    /// -torch.log(F.softmax(logits, dim=1))
    /// # tensor([[1.4345, 1.3449, 1.4477, 1.3240]])
    /// ```
    ///
    /// so the loss for each target class is one of these four numbers (printed to 4 decimals).
    #[test]
    fn matches_a_pytorch_printout() {
        let logits = tensor!([[-0.0820, 0.0076, -0.0952, 0.0285]]);
        let criterion = CrossEntropyLoss::new();
        let pytorch = [1.4345f32, 1.3449, 1.4477, 1.3240];
        for (k, want) in pytorch.iter().enumerate() {
            let got = criterion.forward(&logits, &[k]).item();
            assert!((got - want).abs() < 6e-5, "target {k}: {got} vs {want}");
        }
        // the four samples at once: Mean is their average, Sum their total
        let four = Tensor::cat(&[logits.clone(), logits.clone(), logits.clone(), logits], 0);
        let targets = [0usize, 1, 2, 3];
        let total: f32 = pytorch.iter().sum();
        let sum = CrossEntropyLoss::new().reduction(Reduction::Sum);
        assert!((sum.forward(&four, &targets).item() - total).abs() < 2e-4);
        assert!((criterion.forward(&four, &targets).item() - total / 4.0).abs() < 6e-5);
    }

    /// The object is the functional form with its reduction kept: same value, same gradient.
    #[test]
    fn equals_the_functional_form() {
        let scores = tensor!([
            [2.0, -1.0, 0.5, 3.0],
            [0.0, 0.0, 0.0, 0.0],
            [90., 89., 80., 2.]
        ]);
        let targets = tensor!([3., 1., 2.]);
        for reduction in [Reduction::Mean, Reduction::Sum] {
            let (a, b) = (
                scores.detach().requires_grad_(),
                scores.detach().requires_grad_(),
            );
            let by_object = CrossEntropyLoss::new()
                .reduction(reduction)
                .forward(&a, &targets);
            let by_function = F::cross_entropy_with(&b, &targets, reduction);
            assert_eq!(by_object.item(), by_function.item());
            by_object.backward();
            by_function.backward();
            assert_eq!(a.grad().unwrap().to_vec(), b.grad().unwrap().to_vec());
        }
        // and the default is PyTorch's: the mean
        assert_eq!(
            CrossEntropyLoss::new().forward(&scores, &targets).item(),
            F::cross_entropy(&scores, &targets).item()
        );
        assert_eq!(CrossEntropyLoss::default(), CrossEntropyLoss::new());
    }

    #[test]
    fn prints_as_pytorch() {
        assert_eq!(CrossEntropyLoss::new().to_string(), "CrossEntropyLoss()");
        assert_eq!(
            format!("{:?}", CrossEntropyLoss::new().reduction(Reduction::Sum)),
            "CrossEntropyLoss()"
        );
    }

    #[test]
    #[should_panic(expected = "out of range")]
    fn a_target_beyond_the_classes_is_named() {
        CrossEntropyLoss::new().forward(&tensor!([[1., 2.]]), &[2]);
    }
}
