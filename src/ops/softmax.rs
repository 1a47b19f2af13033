//! `softmax` and `log_softmax` along one dimension (course chapter 9).
//!
//! For each slice `x` taken along `dim`:
//!
//! ```text
//! softmax(x)ᵢ     = exp(xᵢ) / Σⱼ exp(xⱼ)                         (9.1)
//! log_softmax(x)ᵢ = xᵢ − log Σⱼ exp(xⱼ)
//! ```
//!
//! Both are computed with the course's two tricks of section 9.4: first
//! subtract c = maxⱼ xⱼ (softmax is unchanged by adding a constant, and
//! exp(xⱼ − c) ≤ 1 can no longer overflow to +∞), then, for `log_softmax`,
//! never take the log of a probability but use x′ᵢ − log Σⱼ exp(x′ⱼ), where the
//! sum is ≥ 1 (the largest term is e⁰ = 1): no log(0), no −∞.
//!
//! Backward, with g = ∂loss/∂y and y the output, along `dim`:
//!
//! | op | ∂loss/∂x |
//! |---|---|
//! | softmax | y ⊙ (g − Σⱼ gⱼ·yⱼ) |
//! | log_softmax | g − softmax(x) ⊙ Σⱼ gⱼ, with softmax(x) = exp(y) |
//!
//! ```
//! use apprentissage::prelude::*;
//! let p = tensor!([80., 89., 90.]).softmax(0); // exp(89) overflows an f32
//! let v = p.to_vec();
//! assert!((v[1] - 0.268_932_5).abs() < 1e-6 && (v[2] - 0.731_034_3).abs() < 1e-6);
//! ```

use ndarray::{ArrayD, Axis, Zip};

use super::{resolve_dim, Dim};
use crate::autograd::Op;
use crate::tensor::Tensor;

/// softmax (`log = false`) or log_softmax of `x` along axis `d`, max-subtracted.
pub(crate) fn softmax_array(x: &ArrayD<f32>, d: usize, log: bool) -> ArrayD<f32> {
    let mut y = x.to_owned();
    for mut lane in y.lanes_mut(Axis(d)) {
        let c = lane.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        lane.mapv_inplace(|v| v - c); // x′ = x − c ≤ 0
        let total: f32 = lane.iter().map(|v| v.exp()).sum(); // ≥ 1
        if log {
            let log_total = total.ln();
            lane.mapv_inplace(|v| v - log_total);
        } else {
            lane.mapv_inplace(|v| v.exp() / total);
        }
    }
    y
}

/// The backward of `softmax` (`log = false`) or `log_softmax` along `dim`
/// (`None` for a 0-dimensional input, whose softmax is the constant 1).
struct SoftmaxOp {
    dim: Option<usize>,
    log: bool,
}

impl Op for SoftmaxOp {
    fn name(&self) -> &'static str {
        if self.log {
            "LogSoftmaxBackward0"
        } else {
            "SoftmaxBackward0"
        }
    }

    fn backward(
        &self,
        g: &ArrayD<f32>,
        x: &[&ArrayD<f32>],
        y: &ArrayD<f32>,
        _: &[bool],
    ) -> Vec<Option<ArrayD<f32>>> {
        let mut grad = ArrayD::zeros(x[0].raw_dim());
        let Some(d) = self.dim else {
            return vec![Some(grad)]; // a constant: no gradient
        };
        let lanes = Zip::from(grad.lanes_mut(Axis(d)))
            .and(g.lanes(Axis(d)))
            .and(y.lanes(Axis(d)));
        if self.log {
            // g − softmax ⊙ Σg, where softmax = exp(log_softmax)
            lanes.for_each(|mut dx, g, y| {
                let total = g.sum();
                Zip::from(&mut dx)
                    .and(&g)
                    .and(&y)
                    .for_each(|dx, &g, &y| *dx = g - y.exp() * total);
            });
        } else {
            // y ⊙ (g − Σ g ⊙ y)
            lanes.for_each(|mut dx, g, y| {
                let dot = g.dot(&y);
                Zip::from(&mut dx)
                    .and(&g)
                    .and(&y)
                    .for_each(|dx, &g, &y| *dx = y * (g - dot));
            });
        }
        vec![Some(grad)]
    }
}

impl Tensor {
    fn softmax_impl(&self, op: &str, dim: impl Dim, log: bool) -> Tensor {
        let x = self.data();
        let d = resolve_dim(op, dim, x.ndim());
        let (value, dim) = if x.ndim() == 0 {
            // one value in its own slice: probability 1, log-probability 0
            // (NaN for ±∞ or NaN, like exp(x − max) / Σ would give)
            let constant = if log { 0.0 } else { 1.0 };
            let value = x.mapv(|v| if v.is_finite() { constant } else { f32::NAN });
            (value, None)
        } else {
            (softmax_array(&x, d, log), Some(d))
        };
        drop(x);
        Tensor::from_op(value, vec![self.clone()], SoftmaxOp { dim, log })
    }

    /// Softmax along `dim` (negative counts from the end), like
    /// `F.softmax(x, dim)`: every slice along `dim` becomes a probability
    /// distribution (positive values summing to 1),
    ///
    /// ```text
    /// softmax(x)ᵢ = exp(xᵢ − c) / Σⱼ exp(xⱼ − c),   c = maxⱼ xⱼ
    /// ```
    ///
    /// Subtracting the maximum c changes nothing mathematically (course 9.1)
    /// but keeps the exponentials from overflowing (course 9.4).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// // Course 9.1: (−1, 1, 3) → 1.59 %, 11.73 %, 86.68 %
    /// let p = tensor!([[-1., 1., 3.], [9., 11., 13.]]).softmax(1);
    /// for row in p.to_vec2() {
    ///     let percent: Vec<f32> = row.iter().map(|p| (p * 10000.).round() / 100.).collect();
    ///     assert_eq!(percent, vec![1.59, 11.73, 86.68]); // unchanged by +10
    /// }
    /// ```
    pub fn softmax(&self, dim: impl Dim) -> Tensor {
        self.softmax_impl("softmax", dim, false)
    }

    /// log(softmax(x)) along `dim`, computed without ever taking a log of 0,
    /// like `F.log_softmax(x, dim)`:
    ///
    /// ```text
    /// log_softmax(x)ᵢ = (xᵢ − c) − log Σⱼ exp(xⱼ − c),   c = maxⱼ xⱼ
    /// ```
    ///
    /// The sum is at least 1, so the result stays finite where
    /// `x.softmax(dim).log()` gives −∞ (course 9.4).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// // Course 9.4: (2, 89, 90) gives −88 − log(1.367879)
    /// let lp = tensor!([2., 89., 90.]).log_softmax(-1).to_vec();
    /// assert!((lp[0] - -88.313_26).abs() < 1e-3);
    /// // with (2, 109, 110), exp(2 − 110) is 0 in f32 and log(softmax) is −∞:
    /// let y = tensor!([2., 109., 110.]);
    /// assert_eq!(y.softmax(-1).log().to_vec()[0], f32::NEG_INFINITY);
    /// assert!((y.log_softmax(-1).to_vec()[0] - -108.313_26).abs() < 1e-3);
    /// ```
    pub fn log_softmax(&self, dim: impl Dim) -> Tensor {
        self.softmax_impl("log_softmax", dim, true)
    }
}

#[cfg(test)]
mod tests {
    use crate::gradcheck::assert_gradcheck;
    use crate::prelude::*;
    use crate::random::test_array;

    fn random(shape: &[usize], seed: u64) -> Tensor {
        Tensor::from_array(test_array(shape, seed).mapv(|v| 2.0 * v))
    }

    fn percent(p: &Tensor) -> Vec<f32> {
        p.to_vec()
            .iter()
            .map(|p| (p * 10_000.0).round() / 100.0)
            .collect()
    }

    #[test]
    fn softmax_and_log_softmax_pass_gradcheck() {
        let cases: [(&[usize], isize); 7] = [
            (&[4], 0),
            (&[4], -1),
            (&[2, 3], 0),
            (&[2, 3], 1),
            (&[2, 3], -1),
            (&[2, 3, 4], 1),
            (&[3, 1, 2], -2),
        ];
        for (i, &(shape, dim)) in cases.iter().enumerate() {
            let x = random(shape, 20 + i as u64);
            assert_gradcheck(|t| t[0].softmax(dim), std::slice::from_ref(&x));
            assert_gradcheck(|t| t[0].log_softmax(dim), std::slice::from_ref(&x));
        }
        // through a transposed, non-contiguous view
        let x = random(&[3, 4], 29);
        for dim in [0, 1, -1] {
            assert_gradcheck(|t| t[0].t().softmax(dim), std::slice::from_ref(&x));
            assert_gradcheck(|t| t[0].t().log_softmax(dim), std::slice::from_ref(&x));
        }
    }

    #[test]
    fn course_9_1_softmax_of_minus_1_1_3() {
        let x = tensor!([-1., 1., 3.]);
        assert_eq!(percent(&x.softmax(0)), vec![1.59, 11.73, 86.68]);
        // invariant under the addition of a constant: +10 and −10
        assert_eq!(percent(&(&x + 10.0).softmax(0)), vec![1.59, 11.73, 86.68]);
        assert_eq!(percent(&(&x - 10.0).softmax(0)), vec![1.59, 11.73, 86.68]);
        // the second value goes from 1 to 2
        assert_eq!(
            percent(&tensor!([-1., 2., 3.]).softmax(0)),
            vec![1.32, 26.54, 72.14]
        );
        let p = x.softmax(0).to_vec();
        assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        let total = (-1f32).exp() + 1f32.exp() + 3f32.exp(); // 23.1717 (the course: 23.172)
        assert!((p[2] - 3f32.exp() / total).abs() < 1e-6);
    }

    #[test]
    fn course_9_4_no_overflow_nor_log_of_zero() {
        // (80, 89, 90): exp(89) and exp(90) are +∞ in f32
        assert_eq!(tensor!([80., 89., 90.]).exp().to_vec()[1], f32::INFINITY);
        let p = tensor!([80., 89., 90.]).softmax(0);
        let expected = [
            4.539_787e-5 / 1.367_925,
            0.367_879_44 / 1.367_925,
            1.0 / 1.367_925,
        ];
        for (p, e) in p.to_vec().iter().zip(expected) {
            assert!((p - e).abs() < 1e-6, "{p} vs {e}");
        }
        // The course counts exp(2 − 90) as 0; in f32 it is a subnormal number,
        // about 6·10⁻³⁹ (f32 reaches 0 only below about e⁻¹⁰⁴).
        let p0 = tensor!([2., 89., 90.]).softmax(0).to_vec()[0];
        assert!(p0 > 0.0 && p0 < 1e-38, "{p0}");
        assert_eq!(tensor!([2., 109., 110.]).softmax(0).to_vec()[0], 0.0);
        let lp = tensor!([2., 89., 90.]).log_softmax(0).to_vec();
        let log_total = 1.367_879_4f32.ln();
        assert!((lp[0] - (-88.0 - log_total)).abs() < 1e-4, "{lp:?}");
        assert!((lp[1] - (-1.0 - log_total)).abs() < 1e-6);
        assert!((lp[2] - -log_total).abs() < 1e-6);
        // ±1000: exact and finite, in both directions
        let p = tensor!([[-1000., 1000.], [1000., 1000.], [-1000., -1000.]]).softmax(1);
        assert_eq!(p.to_vec(), vec![0., 1., 0.5, 0.5, 0.5, 0.5]);
        let lp = tensor!([-1000., 1000.]).log_softmax(0).to_vec();
        assert_eq!(lp, vec![-2000., 0.]);
    }

    #[test]
    fn log_softmax_is_log_of_softmax_where_finite() {
        let x = random(&[3, 5], 7);
        for dim in [0, 1, -1] {
            let a = x.log_softmax(dim).to_vec();
            let b = x.softmax(dim).log().to_vec();
            for (a, b) in a.iter().zip(&b) {
                assert!((a - b).abs() < 1e-5, "dim {dim}: {a} vs {b}");
            }
        }
    }

    #[test]
    fn slices_along_dim_sum_to_one() {
        let x = random(&[2, 3, 4], 8);
        for (dim, reduced) in [(0, 0), (1, 1), (-1, 2), (-3, 0)] {
            let total = x.softmax(dim).sum_dim(reduced, false);
            assert!(total.to_vec().iter().all(|t| (t - 1.0).abs() < 1e-6));
        }
    }

    #[test]
    fn gradient_of_a_plain_sum_is_zero() {
        // Σ softmax = 1 whatever x: ∂/∂x = 0; Σ exp(log_softmax) too
        let x = random(&[2, 3], 9).requires_grad_();
        x.softmax(1).sum().backward();
        assert!(x.grad().unwrap().to_vec().iter().all(|g| g.abs() < 1e-6));
        assert_eq!(x.softmax(1).grad_fn(), Some("SoftmaxBackward0"));
        assert_eq!(x.log_softmax(1).grad_fn(), Some("LogSoftmaxBackward0"));
    }

    #[test]
    fn gradients_stay_finite_at_extreme_inputs() {
        let x = tensor!([[-1000., 0., 1000.], [2., 89., 90.]]).requires_grad_();
        let w = tensor!([[0.3, -1., 2.], [1., 0.5, -0.7]]);
        (x.log_softmax(1) * &w).sum().backward();
        let g = x.grad().unwrap().to_vec();
        assert!(g.iter().all(|g| g.is_finite()), "{g:?}");
        // row 0: softmax = (0, 0, 1), Σw = 1.3: g = w − (0, 0, 1.3)
        for (g, e) in g.iter().zip([0.3, -1., 0.7]) {
            assert!((g - e).abs() < 1e-6, "{g} vs {e}");
        }
    }

    #[test]
    fn non_contiguous_inputs() {
        let a = test_array(&[3, 4], 11);
        let strided = Tensor::from_array(a.clone().reversed_axes()).requires_grad_();
        let dense = Tensor::from_array(a.reversed_axes().as_standard_layout().into_owned())
            .requires_grad_();
        assert!(!strided.data().is_standard_layout());
        let w = random(&[4, 3], 12);
        for dim in [0, 1, -1] {
            let f = |x: &Tensor| (x.softmax(dim) * &w + x.log_softmax(dim)) * &w;
            let (ys, yd) = (f(&strided), f(&dense));
            assert_eq!(ys.to_vec(), yd.to_vec());
            ys.sum().backward();
            yd.sum().backward();
            assert_eq!(
                strided.grad().unwrap().to_vec(),
                dense.grad().unwrap().to_vec()
            );
        }
    }

    #[test]
    fn a_scalar_has_probability_one() {
        let x = tensor!(3.).requires_grad_();
        assert_eq!(x.softmax(0).item(), 1.0);
        assert_eq!(x.log_softmax(0).item(), 0.0);
        x.log_softmax(0).backward();
        assert_eq!(x.grad().unwrap().item(), 0.0);
    }

    #[test]
    #[should_panic(expected = "softmax: dimension 2 is out of range")]
    fn a_bad_dimension_is_named() {
        tensor!([[1., 2.]]).softmax(2);
    }
}
