//! Comparisons, element by element: `eq`, `ne`, `gt`, `ge`, `lt`, `le`.
//!
//! The result is a tensor of `1.0` (true) and `0.0` (false), with the
//! broadcast shape of the two operands, like PyTorch's boolean tensors
//! converted with `.float()`. It is a constant: it never requires a gradient
//! (a comparison is a step function, its derivative is 0 almost everywhere).
//!
//! | method | with a number | PyTorch | result is 1 where |
//! |---|---|---|---|
//! | `a.eq(&b)` | `a.eq_scalar(v)` | `a == b` | aᵢ = bᵢ |
//! | `a.ne(&b)` | `a.ne_scalar(v)` | `a != b` | aᵢ ≠ bᵢ |
//! | `a.gt(&b)` | `a.gt_scalar(v)` | `a > b` | aᵢ > bᵢ |
//! | `a.ge(&b)` | `a.ge_scalar(v)` | `a >= b` | aᵢ ≥ bᵢ |
//! | `a.lt(&b)` | `a.lt_scalar(v)` | `a < b` | aᵢ < bᵢ |
//! | `a.le(&b)` | `a.le_scalar(v)` | `a <= b` | aᵢ ≤ bᵢ |
//!
//! The other operand is a tensor (`a.gt(&b)`, broadcast like `+`), or a
//! number with the `_scalar` variants (`a.gt_scalar(0.5)`, PyTorch's `a > 0.5`).
//! As in IEEE arithmetic, NaN is unequal to everything, itself included.
//! The mean of a 0/1 tensor is a proportion, e.g. the accuracy of a classifier:
//!
//! ```
//! use apprentissage::prelude::*;
//! let scores = tensor!([[0.1, 2.0, 0.3], [1.5, 0.2, 0.0], [0.0, 0.1, 0.9]]);
//! let labels = tensor!([1., 0., 0.]);
//! let accuracy = scores.argmax(1).eq(&labels).mean().item();
//! assert!((accuracy - 2.0 / 3.0).abs() < 1e-6);
//! assert_eq!(scores.gt_scalar(1.0).sum().item(), 2.0); // two scores above 1
//! ```

use ndarray::{ArrayD, Zip};

use crate::broadcast::broadcast_shapes;
use crate::tensor::Tensor;

impl Tensor {
    /// 1 where `self` and `other` are equal, else 0 (PyTorch's `a == b`).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let a = tensor!([1., 2., 3.]);
    /// assert_eq!(a.eq(&tensor!([1., 0., 3.])).to_vec(), vec![1., 0., 1.]);
    /// ```
    pub fn eq(&self, other: &Tensor) -> Tensor {
        self.compare("eq", &other.data(), |a, b| a == b)
    }

    /// 1 where `self` and `other` differ, else 0 (PyTorch's `a != b`).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// assert_eq!(tensor!([1., 2.]).ne(&tensor!([1., 0.])).to_vec(), vec![0., 1.]);
    /// ```
    pub fn ne(&self, other: &Tensor) -> Tensor {
        self.compare("ne", &other.data(), |a, b| a != b)
    }

    /// 1 where `self > other`, else 0 (PyTorch's `a > b`).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// assert_eq!(tensor!([1., 5.]).gt(&tensor!([2., 2.])).to_vec(), vec![0., 1.]);
    /// ```
    pub fn gt(&self, other: &Tensor) -> Tensor {
        self.compare("gt", &other.data(), |a, b| a > b)
    }

    /// 1 where `self ≥ other`, else 0 (PyTorch's `a >= b`).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// assert_eq!(tensor!([1., 2.]).ge(&tensor!([2., 2.])).to_vec(), vec![0., 1.]);
    /// ```
    pub fn ge(&self, other: &Tensor) -> Tensor {
        self.compare("ge", &other.data(), |a, b| a >= b)
    }

    /// 1 where `self < other`, else 0 (PyTorch's `a < b`).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let col = tensor!([[1.], [3.]]);
    /// let row = tensor!([2., 4.]);
    /// assert_eq!(col.lt(&row).to_vec2(), vec![vec![1., 1.], vec![0., 1.]]); // broadcast
    /// ```
    pub fn lt(&self, other: &Tensor) -> Tensor {
        self.compare("lt", &other.data(), |a, b| a < b)
    }

    /// 1 where `self ≤ other`, else 0 (PyTorch's `a <= b`).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// assert_eq!(tensor!([1., 2., 3.]).le(&tensor!([2., 2., 2.])).to_vec(), vec![1., 1., 0.]);
    /// ```
    pub fn le(&self, other: &Tensor) -> Tensor {
        self.compare("le", &other.data(), |a, b| a <= b)
    }

    /// 1 where `self = value`, else 0 (PyTorch's `a == 2`).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// assert_eq!(tensor!([1., 2., 3.]).eq_scalar(2.0).to_vec(), vec![0., 1., 0.]);
    /// ```
    pub fn eq_scalar(&self, value: f32) -> Tensor {
        self.compare("eq_scalar", &ndarray::arr0(value).into_dyn(), |a, b| a == b)
    }

    /// 1 where `self ≠ value`, else 0 (PyTorch's `a != 2`).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// assert_eq!(tensor!([1., 2., 3.]).ne_scalar(2.0).to_vec(), vec![1., 0., 1.]);
    /// ```
    pub fn ne_scalar(&self, value: f32) -> Tensor {
        self.compare("ne_scalar", &ndarray::arr0(value).into_dyn(), |a, b| a != b)
    }

    /// 1 where `self > value`, else 0 (PyTorch's `a > 0`).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// assert_eq!(tensor!([-1., 0., 2.]).gt_scalar(0.0).to_vec(), vec![0., 0., 1.]);
    /// ```
    pub fn gt_scalar(&self, value: f32) -> Tensor {
        self.compare("gt_scalar", &ndarray::arr0(value).into_dyn(), |a, b| a > b)
    }

    /// 1 where `self ≥ value`, else 0 (PyTorch's `a >= 0`).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// assert_eq!(tensor!([-1., 0., 2.]).ge_scalar(0.0).to_vec(), vec![0., 1., 1.]);
    /// ```
    pub fn ge_scalar(&self, value: f32) -> Tensor {
        self.compare("ge_scalar", &ndarray::arr0(value).into_dyn(), |a, b| a >= b)
    }

    /// 1 where `self < value`, else 0 (PyTorch's `a < 0`).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// assert_eq!(tensor!([-1., 0., 2.]).lt_scalar(0.0).to_vec(), vec![1., 0., 0.]);
    /// ```
    pub fn lt_scalar(&self, value: f32) -> Tensor {
        self.compare("lt_scalar", &ndarray::arr0(value).into_dyn(), |a, b| a < b)
    }

    /// 1 where `self ≤ value`, else 0 (PyTorch's `a <= 0`).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// assert_eq!(tensor!([-1., 0., 2.]).le_scalar(0.0).to_vec(), vec![1., 1., 0.]);
    /// ```
    pub fn le_scalar(&self, value: f32) -> Tensor {
        self.compare("le_scalar", &ndarray::arr0(value).into_dyn(), |a, b| a <= b)
    }

    /// `f` applied to the co-broadcast pairs of `self` and `other`, as 1/0.
    fn compare(&self, op: &str, other: &ArrayD<f32>, f: fn(f32, f32) -> bool) -> Tensor {
        let a = self.data();
        let shape =
            broadcast_shapes(a.shape(), other.shape()).unwrap_or_else(|e| panic!("{op}: {e}"));
        let a = a.broadcast(shape.clone()).expect("checked");
        let b = other.broadcast(shape).expect("checked");
        let value = Zip::from(&a)
            .and(&b)
            .map_collect(|&x, &y| if f(x, y) { 1.0 } else { 0.0 });
        Tensor::from_array(value)
    }
}

#[cfg(test)]
mod tests {
    use crate::prelude::*;
    use crate::random::test_array;

    #[test]
    fn each_comparison_against_a_tensor_and_a_number() {
        let a = tensor!([1., 2., 3.]);
        let b = tensor!([3., 2., 1.]);
        assert_eq!(a.eq(&b).to_vec(), vec![0., 1., 0.]);
        assert_eq!(a.ne(&b).to_vec(), vec![1., 0., 1.]);
        assert_eq!(a.gt(&b).to_vec(), vec![0., 0., 1.]);
        assert_eq!(a.ge(&b).to_vec(), vec![0., 1., 1.]);
        assert_eq!(a.lt(&b).to_vec(), vec![1., 0., 0.]);
        assert_eq!(a.le(&b).to_vec(), vec![1., 1., 0.]);
        assert_eq!(a.eq_scalar(2.0).to_vec(), vec![0., 1., 0.]);
        assert_eq!(a.ne_scalar(2.0).to_vec(), vec![1., 0., 1.]);
        assert_eq!(a.gt_scalar(1.5).to_vec(), vec![0., 1., 1.]);
        assert_eq!(a.ge_scalar(2.0).to_vec(), vec![0., 1., 1.]);
        assert_eq!(a.lt_scalar(2.0).to_vec(), vec![1., 0., 0.]);
        assert_eq!(a.le_scalar(2.0).to_vec(), vec![1., 1., 0.]);
    }

    #[test]
    fn accuracy_from_argmax_and_labels() {
        let scores = Tensor::from_array(test_array(&[50, 4], 11));
        let labels = scores.argmax(1);
        assert_eq!(scores.argmax(1).eq(&labels).mean().item(), 1.0);
        let wrong = (&labels + 1.0).minimum(&tensor!(3.)); // differs unless label is 3
        let expected = labels.eq_scalar(3.0).sum().item() / 50.0;
        assert_eq!(scores.argmax(1).eq(&wrong).mean().item(), expected);
    }

    #[test]
    fn comparisons_broadcast_and_ignore_layout() {
        let m = tensor!([[1., 2., 3.], [4., 5., 6.]]).t(); // strided [[1, 4], [2, 5], [3, 6]]
        assert_eq!(
            m.gt(&tensor!([2., 4.])).to_vec2(),
            vec![vec![0., 0.], vec![0., 1.], vec![1., 1.]]
        );
        assert_eq!(m.ge(&tensor!([[2.], [5.], [0.]])).shape(), vec![3, 2]);
    }

    #[test]
    fn the_result_is_a_constant_and_nan_is_unequal() {
        let x = tensor!([f32::NAN, 1.]).requires_grad_();
        let e = x.eq(&x);
        assert_eq!(e.to_vec(), vec![0., 1.]);
        assert_eq!(x.ne(&x).to_vec(), vec![1., 0.]);
        assert!(!e.requires_grad() && e.is_leaf());
        // used as a mask, it lets gradients through the other factor only
        let y = tensor!([2., 3.]).requires_grad_();
        (&y * &y.gt_scalar(2.5)).sum().backward();
        assert_eq!(y.grad().unwrap().to_vec(), vec![0., 1.]);
    }

    #[test]
    #[should_panic(expected = "lt: shapes [3, 4] and [3] cannot be broadcast together")]
    fn incompatible_shapes_are_named() {
        Tensor::zeros(&[3, 4]).lt(&Tensor::zeros(&[3]));
    }
}
