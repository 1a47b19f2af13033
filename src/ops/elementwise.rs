//! Element-wise binary operations with broadcasting: `+ − × ÷`, `maximum`,
//! `minimum`.
//!
//! Forward: `c = a ∘ b` element by element, after broadcasting the two shapes
//! (see [`crate::broadcast`]). Backward: each input receives its partial
//! derivative times the incoming gradient, summed back to its own shape by
//! [`unbroadcast`]:
//!
//! | op | ∂c/∂a | ∂c/∂b |
//! |---|---|---|
//! | a + b | 1 | 1 |
//! | a − b | 1 | −1 |
//! | a × b | b | a |
//! | a ÷ b | 1/b | −a/b² |
//! | maximum(a, b) | 1 where a > b (½ on ties) | 1 where b > a (½ on ties) |
//!
//! The operators work on owned tensors, references and `f32` numbers:
//!
//! ```
//! use apprentissage::prelude::*;
//! let a = tensor!([[0., 0., 0.], [10., 10., 10.]]);
//! let col = tensor!([[1.], [2.]]);
//! let r = &a + &col;           // (2,3) + (2,1) → (2,3)
//! assert_eq!(r.to_vec(), vec![1., 1., 1., 12., 12., 12.]);
//! let s = 2.0 * &a - 1.0;
//! assert_eq!(s.to_vec()[3], 19.0);
//! ```

use std::ops::{Add, Div, Mul, Neg, Sub};

use ndarray::{ArrayD, Zip};

use crate::autograd::Op;
use crate::broadcast::{broadcast_shapes, unbroadcast};
use crate::tensor::Tensor;

/// Panics with the course's broadcasting message if the shapes are incompatible.
fn check_broadcast(op: &str, a: &ArrayD<f32>, b: &ArrayD<f32>) {
    if let Err(e) = broadcast_shapes(a.shape(), b.shape()) {
        panic!("{op}: {e}");
    }
}

/// Applies `f` to the co-broadcast pairs of elements of `a` and `b`.
fn zip_broadcast(a: &ArrayD<f32>, b: &ArrayD<f32>, f: impl Fn(f32, f32) -> f32) -> ArrayD<f32> {
    let shape = broadcast_shapes(a.shape(), b.shape()).expect("checked by the caller");
    let av = a.broadcast(shape.clone()).expect("compatible");
    let bv = b.broadcast(shape).expect("compatible");
    Zip::from(&av).and(&bv).map_collect(|&x, &y| f(x, y))
}

struct AddOp;
impl Op for AddOp {
    fn name(&self) -> &'static str {
        "AddBackward0"
    }
    fn backward(
        &self,
        g: &ArrayD<f32>,
        x: &[&ArrayD<f32>],
        _: &ArrayD<f32>,
        needs: &[bool],
    ) -> Vec<Option<ArrayD<f32>>> {
        vec![
            needs[0].then(|| unbroadcast(g.clone(), x[0].shape())),
            needs[1].then(|| unbroadcast(g.clone(), x[1].shape())),
        ]
    }
}

struct SubOp;
impl Op for SubOp {
    fn name(&self) -> &'static str {
        "SubBackward0"
    }
    fn backward(
        &self,
        g: &ArrayD<f32>,
        x: &[&ArrayD<f32>],
        _: &ArrayD<f32>,
        needs: &[bool],
    ) -> Vec<Option<ArrayD<f32>>> {
        vec![
            needs[0].then(|| unbroadcast(g.clone(), x[0].shape())),
            needs[1].then(|| unbroadcast(-g, x[1].shape())),
        ]
    }
}

struct MulOp;
impl Op for MulOp {
    fn name(&self) -> &'static str {
        "MulBackward0"
    }
    fn backward(
        &self,
        g: &ArrayD<f32>,
        x: &[&ArrayD<f32>],
        _: &ArrayD<f32>,
        needs: &[bool],
    ) -> Vec<Option<ArrayD<f32>>> {
        vec![
            needs[0].then(|| unbroadcast(g * x[1], x[0].shape())),
            needs[1].then(|| unbroadcast(g * x[0], x[1].shape())),
        ]
    }
}

struct DivOp;
impl Op for DivOp {
    fn name(&self) -> &'static str {
        "DivBackward0"
    }
    fn backward(
        &self,
        g: &ArrayD<f32>,
        x: &[&ArrayD<f32>],
        out: &ArrayD<f32>,
        needs: &[bool],
    ) -> Vec<Option<ArrayD<f32>>> {
        // ∂(a/b)/∂b = −a/b² = −(a/b)/b = −out/b
        vec![
            needs[0].then(|| unbroadcast(g / x[1], x[0].shape())),
            needs[1].then(|| unbroadcast(-(g * out) / x[1], x[1].shape())),
        ]
    }
}

/// `maximum` (`is_max = true`) or `minimum`: the gradient goes to the input
/// that won, and is shared half and half on a tie (as in PyTorch).
struct ExtremumOp {
    is_max: bool,
}
impl Op for ExtremumOp {
    fn name(&self) -> &'static str {
        if self.is_max {
            "MaximumBackward0"
        } else {
            "MinimumBackward0"
        }
    }
    fn backward(
        &self,
        g: &ArrayD<f32>,
        x: &[&ArrayD<f32>],
        _: &ArrayD<f32>,
        needs: &[bool],
    ) -> Vec<Option<ArrayD<f32>>> {
        let is_max = self.is_max;
        // share of the gradient that goes to `a`: 1, ½ or 0
        let share_a = zip_broadcast(x[0], x[1], |a, b| {
            if a == b {
                0.5
            } else if (a > b) == is_max {
                1.0
            } else {
                0.0
            }
        });
        vec![
            needs[0].then(|| unbroadcast(g * &share_a, x[0].shape())),
            needs[1].then(|| unbroadcast(g * &(1.0 - &share_a), x[1].shape())),
        ]
    }
}

impl Tensor {
    /// `self + other` with broadcasting (same as the `+` operator).
    pub fn add(&self, other: &Tensor) -> Tensor {
        let (a, b) = (self.data(), other.data());
        check_broadcast("add", &a, &b);
        let value = &*a + &*b;
        Tensor::from_op(value, vec![self.clone(), other.clone()], AddOp)
    }

    /// `self − other` with broadcasting (same as the `-` operator).
    pub fn sub(&self, other: &Tensor) -> Tensor {
        let (a, b) = (self.data(), other.data());
        check_broadcast("sub", &a, &b);
        let value = &*a - &*b;
        Tensor::from_op(value, vec![self.clone(), other.clone()], SubOp)
    }

    /// `self × other` element by element, with broadcasting (the `*` operator;
    /// for the matrix product see [`Tensor::matmul`]).
    pub fn mul(&self, other: &Tensor) -> Tensor {
        let (a, b) = (self.data(), other.data());
        check_broadcast("mul", &a, &b);
        let value = &*a * &*b;
        Tensor::from_op(value, vec![self.clone(), other.clone()], MulOp)
    }

    /// `self ÷ other` element by element, with broadcasting (the `/` operator).
    pub fn div(&self, other: &Tensor) -> Tensor {
        let (a, b) = (self.data(), other.data());
        check_broadcast("div", &a, &b);
        let value = &*a / &*b;
        Tensor::from_op(value, vec![self.clone(), other.clone()], DivOp)
    }

    /// Element-wise maximum of two tensors, with broadcasting (`torch.maximum`).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let m = tensor!([1., 5.]).maximum(&tensor!([3., 2.]));
    /// assert_eq!(m.to_vec(), vec![3., 5.]);
    /// ```
    pub fn maximum(&self, other: &Tensor) -> Tensor {
        self.extremum(other, true)
    }

    /// Element-wise minimum of two tensors, with broadcasting (`torch.minimum`).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let m = tensor!([1., 5.]).minimum(&tensor!(2.));
    /// assert_eq!(m.to_vec(), vec![1., 2.]);
    /// ```
    pub fn minimum(&self, other: &Tensor) -> Tensor {
        self.extremum(other, false)
    }

    fn extremum(&self, other: &Tensor, is_max: bool) -> Tensor {
        let (a, b) = (self.data(), other.data());
        check_broadcast(if is_max { "maximum" } else { "minimum" }, &a, &b);
        let value = if is_max {
            zip_broadcast(&a, &b, f32::max)
        } else {
            zip_broadcast(&a, &b, f32::min)
        };
        Tensor::from_op(
            value,
            vec![self.clone(), other.clone()],
            ExtremumOp { is_max },
        )
    }
}

/// Implements `op` for every combination of owned/borrowed tensors and `f32`.
macro_rules! binary_operator {
    ($trait:ident, $method:ident) => {
        impl $trait<&Tensor> for &Tensor {
            type Output = Tensor;
            fn $method(self, rhs: &Tensor) -> Tensor {
                Tensor::$method(self, rhs)
            }
        }
        impl $trait<Tensor> for Tensor {
            type Output = Tensor;
            fn $method(self, rhs: Tensor) -> Tensor {
                Tensor::$method(&self, &rhs)
            }
        }
        impl $trait<&Tensor> for Tensor {
            type Output = Tensor;
            fn $method(self, rhs: &Tensor) -> Tensor {
                Tensor::$method(&self, rhs)
            }
        }
        impl $trait<Tensor> for &Tensor {
            type Output = Tensor;
            fn $method(self, rhs: Tensor) -> Tensor {
                Tensor::$method(self, &rhs)
            }
        }
        impl $trait<f32> for &Tensor {
            type Output = Tensor;
            fn $method(self, rhs: f32) -> Tensor {
                Tensor::$method(self, &Tensor::scalar(rhs))
            }
        }
        impl $trait<f32> for Tensor {
            type Output = Tensor;
            fn $method(self, rhs: f32) -> Tensor {
                Tensor::$method(&self, &Tensor::scalar(rhs))
            }
        }
        impl $trait<&Tensor> for f32 {
            type Output = Tensor;
            fn $method(self, rhs: &Tensor) -> Tensor {
                Tensor::$method(&Tensor::scalar(self), rhs)
            }
        }
        impl $trait<Tensor> for f32 {
            type Output = Tensor;
            fn $method(self, rhs: Tensor) -> Tensor {
                Tensor::$method(&Tensor::scalar(self), &rhs)
            }
        }
    };
}

binary_operator!(Add, add);
binary_operator!(Sub, sub);
binary_operator!(Mul, mul);
binary_operator!(Div, div);

impl Neg for &Tensor {
    type Output = Tensor;
    fn neg(self) -> Tensor {
        Tensor::neg(self)
    }
}

impl Neg for Tensor {
    type Output = Tensor;
    fn neg(self) -> Tensor {
        Tensor::neg(&self)
    }
}

#[cfg(test)]
mod tests {
    use crate::gradcheck::assert_gradcheck;
    use crate::prelude::*;
    use crate::random::test_array;
    use proptest::prelude::*;

    /// Pairs of broadcast-compatible shapes: left padding, size-1 axes, scalars.
    fn broadcast_pair() -> impl Strategy<Value = (Vec<usize>, Vec<usize>)> {
        prop::collection::vec((1usize..4, 0u8..3), 0..4).prop_flat_map(|dims| {
            let full: Vec<usize> = dims.iter().map(|d| d.0).collect();
            // each axis of b: same size (0), size 1 (1) or same (2); then drop a prefix
            let b: Vec<usize> = dims
                .iter()
                .map(|&(n, k)| if k == 1 { 1 } else { n })
                .collect();
            let a: Vec<usize> = dims
                .iter()
                .map(|&(n, k)| if k == 2 { 1 } else { n })
                .collect();
            (Just(a), Just(b), 0..=full.len())
                .prop_map(|(a, b, drop)| (a, b[drop.min(b.len())..].to_vec()))
        })
    }

    fn inputs(a: &[usize], b: &[usize], seed: u64) -> (Tensor, Tensor) {
        let x = Tensor::from_array(test_array(a, seed));
        // keep b away from 0 so that division is smooth
        let y = Tensor::from_array(test_array(b, seed + 1).mapv(|v| v.signum() * (0.5 + v.abs())));
        (x, y)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn binary_ops_pass_gradcheck_under_broadcasting((a, b) in broadcast_pair(), seed in 0u64..1000) {
            let (x, y) = inputs(&a, &b, seed);
            assert_gradcheck(|t| &t[0] + &t[1], &[x.clone(), y.clone()]);
            assert_gradcheck(|t| &t[0] - &t[1], &[x.clone(), y.clone()]);
            assert_gradcheck(|t| &t[0] * &t[1], &[x.clone(), y.clone()]);
            assert_gradcheck(|t| &t[0] / &t[1], &[x.clone(), y.clone()]);
            // on a grid of step ¼ shifted by ⅛, so that |x − y| ≥ ⅛ stays far from the kink
            let grid = |t: &Tensor, shift: f32| Tensor::from_array(t.data().mapv(|v| (v * 4.0).round() / 4.0 + shift));
            let (gx, gy) = (grid(&x, 0.0), grid(&y, 0.125));
            assert_gradcheck(|t| t[0].maximum(&t[1]), &[gx.clone(), gy.clone()]);
            assert_gradcheck(|t| t[0].minimum(&t[1]), &[gx, gy]);
        }
    }

    #[test]
    fn course_4_examples() {
        let a = tensor!([[0, 0, 0], [10, 10, 10], [20, 20, 20], [30, 30, 30]]);
        // 4.2: + [[7]]
        assert_eq!((&a + &tensor!([[7]])).to_vec2()[3], vec![37., 37., 37.]);
        // 4.3: + column (4,1)
        let col = tensor!([[1], [2], [3], [4]]);
        assert_eq!((&a + &col).to_vec2()[1], vec![12., 12., 12.]);
        // 4.4: + row (3)
        let row = tensor!([1, 2, 3]);
        assert_eq!((&a + &row).to_vec2()[2], vec![21., 22., 23.]);
        // 4.5: column (4,1) + row (1,3) → (4,3)
        let r = &col + &tensor!([[10, 20, 30]]);
        assert_eq!(r.shape(), vec![4, 3]);
        assert_eq!(r.to_vec2()[3], vec![14., 24., 34.]);
    }

    #[test]
    #[should_panic(
        expected = "add: shapes [3, 4] and [3] cannot be broadcast together: in dimension 1"
    )]
    fn incompatible_shapes_panic_with_the_course_rule() {
        let _ = Tensor::zeros(&[3, 4]) + Tensor::zeros(&[3]);
    }

    #[test]
    fn scalar_operators_and_gradients() {
        let x = tensor!([1., 2.]).requires_grad_();
        let y = (2.0 - &x) * 3.0 / 2.0 + 1.0; // y = 1.5·(2 − x) + 1
        assert_eq!(y.to_vec(), vec![2.5, 1.0]);
        y.sum().backward();
        assert_eq!(x.grad().unwrap().to_vec(), vec![-1.5, -1.5]);
    }

    #[test]
    fn maximum_shares_the_gradient_on_ties() {
        let a = tensor!([1., 2., 3.]).requires_grad_();
        let b = tensor!([2., 2., 2.]).requires_grad_();
        a.maximum(&b).sum().backward();
        assert_eq!(a.grad().unwrap().to_vec(), vec![0., 0.5, 1.]);
        assert_eq!(b.grad().unwrap().to_vec(), vec![1., 0.5, 0.]);
    }
}
