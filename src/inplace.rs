//! In-place updates, for parameters: `w.sub_(&step)` is PyTorch's `w -= step`.
//!
//! They change the values without recording anything in the graph, so, as in
//! PyTorch, they are refused on a tensor that requires a gradient unless grad
//! mode is off: wrap the update in [`no_grad`](crate::no_grad).
//!
//! ```
//! use apprentissage::prelude::*;
//! let w = tensor!([1., 2.]).requires_grad_();
//! (&w * &w).sum().backward();
//! no_grad(|| w.sub_(&(w.grad().unwrap() * 0.1)));
//! assert_eq!(w.to_vec(), vec![0.8, 1.6]);
//! ```

use ndarray::ArrayD;

use crate::autograd::is_grad_enabled;
use crate::broadcast::broadcast_shapes;
use crate::tensor::Tensor;

impl Tensor {
    fn update_in_place(&self, op: &str, other: &Tensor, f: impl Fn(&mut f32, f32)) {
        assert!(
            !(self.requires_grad() && is_grad_enabled()),
            "{op}: a tensor that requires grad cannot be modified in place while gradients \
             are recorded; do the update inside no_grad(|| ...)"
        );
        let shape = self.shape();
        let fits = broadcast_shapes(&shape, &other.shape()).is_ok_and(|s| s == shape);
        assert!(
            fits,
            "{op}: a tensor of shape {:?} cannot be applied in place to one of shape {:?}",
            other.shape(),
            shape
        );
        if self.same_node(other) {
            let copy = other.to_array();
            self.apply(&copy, f);
        } else {
            self.apply(&other.data(), f);
        }
    }

    fn apply(&self, other: &ArrayD<f32>, f: impl Fn(&mut f32, f32)) {
        let mut data = self.data_mut();
        let other = other.broadcast(data.raw_dim()).expect("checked");
        ndarray::Zip::from(&mut *data)
            .and(&other)
            .for_each(|a, &b| f(a, b));
    }

    /// `self += other` in place (PyTorch's `add_`).
    pub fn add_(&self, other: &Tensor) {
        self.update_in_place("add_", other, |a, b| *a += b);
    }

    /// `self -= other` in place (PyTorch's `sub_`).
    pub fn sub_(&self, other: &Tensor) {
        self.update_in_place("sub_", other, |a, b| *a -= b);
    }

    /// `self *= other` in place (PyTorch's `mul_`).
    pub fn mul_(&self, other: &Tensor) {
        self.update_in_place("mul_", other, |a, b| *a *= b);
    }

    /// Sets every value to `value` in place (PyTorch's `fill_`).
    pub fn fill_(&self, value: f32) {
        self.update_in_place("fill_", &Tensor::scalar(value), |a, b| *a = b);
    }
}

#[cfg(test)]
mod tests {
    use crate::prelude::*;

    #[test]
    #[should_panic(expected = "inside no_grad")]
    fn updating_a_parameter_outside_no_grad_is_refused() {
        let w = tensor!([1.]).requires_grad_();
        w.sub_(&tensor!([1.]));
    }

    #[test]
    fn updates_broadcast_and_can_use_self() {
        let a = tensor!([[1., 2.], [3., 4.]]);
        a.add_(&tensor!([10., 20.]));
        assert_eq!(a.to_vec(), vec![11., 22., 13., 24.]);
        a.mul_(&a.clone());
        assert_eq!(a.to_vec(), vec![121., 484., 169., 576.]);
        a.fill_(0.0);
        assert_eq!(a.to_vec(), vec![0.; 4]);
    }

    #[test]
    #[should_panic(expected = "cannot be applied in place")]
    fn a_larger_operand_is_refused() {
        tensor!([1.]).add_(&tensor!([1., 2.]));
    }
}
