//! Pooling (course 10.1.5): the maximum or the mean of each window.
//!
//! On planes (N, C, H, W), with a (kh, kw) window moved by `s` and a padding `p`:
//!
//! ```text
//! max: y[n, c, i, j] = max  x[n, c, s·i + u − p, s·j + v − p]     0 ≤ u < kh, 0 ≤ v < kw
//! avg: y[n, c, i, j] = Σ    x[n, c, s·i + u − p, s·j + v − p] / (kh·kw)
//! OH = (H + 2p − kh) / s + 1   (rounded down), the same for OW
//! ```
//!
//! As in PyTorch, the padding of `max_pool2d` is −∞ (it never wins), that of
//! `avg_pool2d` is 0 and still counts in the divisor `kh·kw`
//! (`count_include_pad=True`), and the padding may be at most half the kernel.
//!
//! Backward: the maximum is the only element of its window that changes the
//! output, so its gradient is `g` and the others' 0; the forward pass stores
//! *where* each maximum was (its index in the plane) and the backward pass
//! adds `g` there. For the mean, every element of the window receives
//! `g / (kh·kw)`. Windows overlap when `s < k`: a pixel then receives the sum
//! of its windows' contributions.
//!
//! ```
//! use apprentissage::prelude::*;
//! // course 10.1.5: 2×2 blocks of a 4×4 image
//! let x = tensor!([[[[1., 2., 5., 0.],
//!                    [3., 4., 1., 1.],
//!                    [0., 0., 2., 2.],
//!                    [9., 0., 2., 6.]]]]).requires_grad_();
//! let y = x.max_pool2d(2);
//! assert_eq!(y.to_vec(), vec![4., 5., 9., 6.]);
//! assert_eq!(x.avg_pool2d(2).to_vec(), vec![2.5, 1.75, 2.25, 3.]);
//! y.sum().backward(); // the gradient goes to each maximum
//! assert_eq!(x.grad().unwrap().to_vec(), vec![0., 0., 1., 0., 0., 1., 0., 0.,
//!                                             0., 0., 0., 0., 1., 0., 0., 1.]);
//! ```

use std::hint::select_unpredictable;

use ndarray::ArrayD;

pub use super::window::IntoStride;
use super::window::{Geometry, IntoPair, Windows};
use crate::autograd::Op;
use crate::tensor::Tensor;

/// The backward of [`max_pool2d`]: `g` goes to the stored argmax positions.
struct MaxPoolOp {
    windows: Windows,
    /// For each output element, the index of its maximum in its input plane.
    argmax: Vec<u32>,
}

impl Op for MaxPoolOp {
    fn name(&self) -> &'static str {
        "MaxPool2DWithIndicesBackward0"
    }

    fn backward(
        &self,
        g: &ArrayD<f32>,
        x: &[&ArrayD<f32>],
        _: &ArrayD<f32>,
        _: &[bool],
    ) -> Vec<Option<ArrayD<f32>>> {
        let (hw, l) = self.windows.sizes();
        let g = g.as_standard_layout();
        let g = g.as_slice().expect("standard layout");
        let mut dx = vec![0.0f32; x[0].len()];
        for ((dx, g), idx) in dx
            .chunks_exact_mut(hw)
            .zip(g.chunks_exact(l))
            .zip(self.argmax.chunks_exact(l))
        {
            for (&gi, &k) in g.iter().zip(idx) {
                dx[k as usize] += gi;
            }
        }
        vec![Some(
            ArrayD::from_shape_vec(x[0].raw_dim(), dx).expect("size"),
        )]
    }
}

/// The backward of [`avg_pool2d`]: `g / (kh·kw)` to every element of each window.
struct AvgPoolOp {
    windows: Windows,
}

impl Op for AvgPoolOp {
    fn name(&self) -> &'static str {
        "AvgPool2DBackward0"
    }

    fn backward(
        &self,
        g: &ArrayD<f32>,
        x: &[&ArrayD<f32>],
        _: &ArrayD<f32>,
        _: &[bool],
    ) -> Vec<Option<ArrayD<f32>>> {
        let win = &self.windows;
        let (hw, l) = win.sizes();
        let (w, ow, sw) = (win.geo.w, win.geo.ow, win.geo.sw);
        let scale = 1.0 / (win.geo.kh * win.geo.kw) as f32;
        let g = g.as_standard_layout();
        let g = g.as_slice().expect("standard layout");
        let mut dx = vec![0.0f32; x[0].len()];
        for (dx, g) in dx.chunks_exact_mut(hw).zip(g.chunks_exact(l)) {
            for (i, g_row) in g.chunks_exact(ow).enumerate() {
                win.for_each_offset(i, |r, j0, j1, first| {
                    let dx_row = dx[r * win.geo.w + first..(r + 1) * w].iter_mut();
                    for (d, &gi) in dx_row.step_by(sw).zip(&g_row[j0..j1]) {
                        *d += gi * scale;
                    }
                });
            }
        }
        vec![Some(
            ArrayD::from_shape_vec(x[0].raw_dim(), dx).expect("size"),
        )]
    }
}

/// 2-D max pooling, PyTorch's `F.max_pool2d(x, kernel_size, stride=None, padding=0)`.
///
/// `x` is (N, C, H, W) or (C, H, W); `kernel` and `padding` are a number or a
/// (height, width) pair; `stride` too, or `None` for PyTorch's default, the
/// kernel size ([`IntoStride`]; `x.max_pool2d(k)` is the same with no padding).
/// The padding counts as −∞ and may be at most half the kernel. On ties the
/// first maximum (in row-major order) receives the gradient; a NaN in a window
/// wins, so that it stays visible.
///
/// ```
/// use apprentissage::prelude::*;
/// let x = tensor!([[[[-1., -2., -3.], [-4., -5., -6.]]]]);
/// // 2×2 windows every 1 column, padded by one column of −∞ on each side
/// let y = F::max_pool2d(&x, 2, (2, 1), (0, 1));
/// assert_eq!(y.to_vec(), vec![-1., -1., -2., -3.]);
/// // F.max_pool2d(x, 2, padding=(0, 1)): stride None = the kernel, 2
/// assert_eq!(F::max_pool2d(&x, 2, None, (0, 1)).to_vec(), vec![-1., -2.]);
/// ```
pub fn max_pool2d(
    x: &Tensor,
    kernel: impl IntoPair,
    stride: impl IntoStride,
    padding: impl IntoPair,
) -> Tensor {
    let (value, op) = {
        let xd = x.data();
        let kernel = kernel.into_pair();
        let win = Windows::new(
            "max_pool2d",
            xd.shape(),
            kernel,
            stride.into_stride(kernel),
            padding.into_pair(),
        );
        let (l, g) = (win.sizes().1, win.geo);
        let x = xd.as_standard_layout();
        let x = x.as_slice().expect("standard layout");
        let mut out = vec![f32::NEG_INFINITY; win.planes * l];
        let mut argmax = vec![0u32; win.planes * l];
        if (g.kh, g.kw, g.sh, g.sw, g.ph, g.pw) == (2, 2, 2, 2, 0, 0) {
            max_pool_2x2(x, &g, &mut out, &mut argmax);
        } else {
            max_pool_any(x, &win, &mut out, &mut argmax);
        }
        let value = ArrayD::from_shape_vec(win.out_shape(xd.shape()), out).expect("size");
        (
            value,
            MaxPoolOp {
                windows: win,
                argmax,
            },
        )
    };
    Tensor::from_op(value, vec![x.clone()], op)
}

/// PyTorch's rule for a running maximum: a larger value, or a NaN, takes the
/// place. Which one wins is random, so a select, not a branch.
#[inline(always)]
fn challenge(best: &mut f32, at: &mut u32, v: f32, k: u32) {
    let take = (v > *best) | v.is_nan();
    *best = select_unpredictable(take, v, *best);
    *at = select_unpredictable(take, k, *at);
}

/// `max_pool2d(x, 2)`, by far the most common pooling (LeNet, the course's
/// networks): 2×2 windows side by side, written out so that the compiler
/// vectorises it — ten times faster than the general loops.
fn max_pool_2x2(x: &[f32], g: &Geometry, out: &mut [f32], argmax: &mut [u32]) {
    let (hw, l, w) = (g.h * g.w, g.oh * g.ow, g.w);
    for ((plane, out), at) in x
        .chunks_exact(hw)
        .zip(out.chunks_exact_mut(l))
        .zip(argmax.chunks_exact_mut(l))
    {
        for (i, (best, at)) in out
            .chunks_exact_mut(g.ow)
            .zip(at.chunks_exact_mut(g.ow))
            .enumerate()
        {
            let top = &plane[2 * i * w..2 * i * w + 2 * g.ow];
            let bottom = &plane[(2 * i + 1) * w..(2 * i + 1) * w + 2 * g.ow];
            for (j, (b, a)) in best.iter_mut().zip(at.iter_mut()).enumerate() {
                let k = (2 * i * w + 2 * j) as u32;
                let (mut m, mut at) = (top[2 * j], k);
                challenge(&mut m, &mut at, top[2 * j + 1], k + 1);
                challenge(&mut m, &mut at, bottom[2 * j], k + w as u32);
                challenge(&mut m, &mut at, bottom[2 * j + 1], k + w as u32 + 1);
                *b = m;
                *a = at;
            }
        }
    }
}

/// Max pooling for any kernel, stride and padding.
fn max_pool_any(x: &[f32], win: &Windows, out: &mut [f32], argmax: &mut [u32]) {
    let g = win.geo;
    let (hw, l) = win.sizes();
    // until a value is seen, a window's index is its first pixel inside the input
    let first_col: Vec<u32> = (0..g.ow)
        .map(|j| (j * g.sw).saturating_sub(g.pw) as u32)
        .collect();
    for ((plane, out), at) in x
        .chunks_exact(hw)
        .zip(out.chunks_exact_mut(l))
        .zip(argmax.chunks_exact_mut(l))
    {
        for (i, (best, at)) in out
            .chunks_exact_mut(g.ow)
            .zip(at.chunks_exact_mut(g.ow))
            .enumerate()
        {
            let first_row = ((i * g.sh).saturating_sub(g.ph) * g.w) as u32;
            for (a, &c) in at.iter_mut().zip(&first_col) {
                *a = first_row + c;
            }
            win.for_each_offset(i, |r, j0, j1, first| {
                let row = plane[r * g.w + first..(r + 1) * g.w].iter().step_by(g.sw);
                let start = (r * g.w + first) as u32;
                let cells = best[j0..j1].iter_mut().zip(&mut at[j0..j1]);
                for (k, ((b, a), &v)) in cells.zip(row).enumerate() {
                    challenge(b, a, v, start + (k * g.sw) as u32);
                }
            });
        }
    }
}

/// 2-D average pooling, PyTorch's `F.avg_pool2d(x, kernel_size, stride=None, padding=0)`.
///
/// Same arguments as [`max_pool2d`] (a stride `None` is the kernel size); the
/// padding counts as zeros and the divisor is always `kh·kw` (PyTorch's
/// default `count_include_pad=True`).
///
/// ```
/// use apprentissage::prelude::*;
/// let x = Tensor::ones(&[1, 1, 2, 2]);
/// // one row of zeros on top and at the bottom: the border windows average two 1s and two 0s
/// assert_eq!(F::avg_pool2d(&x, 2, 1, (1, 0)).to_vec(), vec![0.5, 1., 0.5]);
/// assert_eq!(F::avg_pool2d(&x, 2, None, (1, 0)).to_vec(), vec![0.5, 0.5]);
/// ```
pub fn avg_pool2d(
    x: &Tensor,
    kernel: impl IntoPair,
    stride: impl IntoStride,
    padding: impl IntoPair,
) -> Tensor {
    let (value, op) = {
        let xd = x.data();
        let kernel = kernel.into_pair();
        let win = Windows::new(
            "avg_pool2d",
            xd.shape(),
            kernel,
            stride.into_stride(kernel),
            padding.into_pair(),
        );
        let (hw, l) = win.sizes();
        let g = win.geo;
        let scale = 1.0 / (g.kh * g.kw) as f32;
        let x = xd.as_standard_layout();
        let x = x.as_slice().expect("standard layout");
        let mut out = vec![0.0f32; win.planes * l];
        for (plane, out) in x.chunks_exact(hw).zip(out.chunks_exact_mut(l)) {
            for (i, sums) in out.chunks_exact_mut(g.ow).enumerate() {
                win.for_each_offset(i, |r, j0, j1, first| {
                    let row = plane[r * g.w + first..(r + 1) * g.w].iter().step_by(g.sw);
                    for (s, &v) in sums[j0..j1].iter_mut().zip(row) {
                        *s += v;
                    }
                });
                sums.iter_mut().for_each(|s| *s *= scale);
            }
        }
        let value = ArrayD::from_shape_vec(win.out_shape(xd.shape()), out).expect("size");
        (value, AvgPoolOp { windows: win })
    };
    Tensor::from_op(value, vec![x.clone()], op)
}

impl Tensor {
    /// Max pooling with a `kernel`×`kernel` window moved by `kernel`, no
    /// padding: PyTorch's `F.max_pool2d(x, 2)`, which halves the height and
    /// width of (N, C, H, W) planes; `F::max_pool2d(x, kernel, None, 0)`.
    /// See [`max_pool2d`] for other strides and paddings.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// assert_eq!(Tensor::zeros(&[64, 6, 28, 28]).max_pool2d(2).shape(), vec![64, 6, 14, 14]);
    /// ```
    pub fn max_pool2d(&self, kernel: usize) -> Tensor {
        max_pool2d(self, kernel, None, 0)
    }

    /// Average pooling with a `kernel`×`kernel` window moved by `kernel`, no
    /// padding (PyTorch's `F.avg_pool2d(x, 2)`). See [`avg_pool2d`].
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// assert_eq!(Tensor::ones(&[1, 1, 4, 4]).avg_pool2d(2).to_vec(), vec![1.; 4]);
    /// ```
    pub fn avg_pool2d(&self, kernel: usize) -> Tensor {
        avg_pool2d(self, kernel, None, 0)
    }
}

#[cfg(test)]
mod tests {
    use super::{avg_pool2d, max_pool2d};
    use crate::gradcheck::assert_gradcheck;
    use crate::prelude::*;

    /// Distinct values 0.05 apart in a scrambled order: no two elements of a
    /// window are within the finite-difference step, so the max is never a tie.
    fn distinct(shape: &[usize], seed: usize) -> Tensor {
        let n: usize = shape.iter().product();
        let p = 101; // a prime larger than n
        let v = (0..n)
            .map(|i| ((i * 104_729 + seed * 31) % p) as f32 * 0.05 - 2.0)
            .collect();
        Tensor::from_vec(v, shape)
    }

    type Case = (
        &'static [usize],
        (usize, usize),
        (usize, usize),
        (usize, usize),
    );
    const CASES: [Case; 6] = [
        (&[2, 2, 4, 4], (2, 2), (2, 2), (0, 0)),
        (&[1, 2, 5, 5], (3, 3), (2, 2), (1, 1)),
        (&[1, 1, 5, 6], (2, 3), (1, 2), (1, 1)),
        (&[2, 1, 6, 5], (3, 2), (3, 1), (0, 1)),
        (&[3, 5, 5], (2, 2), (1, 1), (0, 0)),
        (&[1, 1, 7, 7], (4, 4), (3, 3), (2, 2)),
    ];

    #[test]
    fn max_pool_passes_gradcheck() {
        for (i, (shape, k, s, p)) in CASES.into_iter().enumerate() {
            assert_gradcheck(|t| max_pool2d(&t[0], k, s, p), &[distinct(shape, i)]);
        }
    }

    #[test]
    fn avg_pool_passes_gradcheck() {
        for (i, (shape, k, s, p)) in CASES.into_iter().enumerate() {
            assert_gradcheck(|t| avg_pool2d(&t[0], k, s, p), &[distinct(shape, i)]);
        }
    }

    /// The definition, window by window (slow, obviously right): (max, mean).
    fn naive(
        x: &Tensor,
        k: (usize, usize),
        s: (usize, usize),
        p: (usize, usize),
    ) -> Vec<(f32, f32)> {
        let shape = x.shape();
        let (h, w) = (shape[shape.len() - 2], shape[shape.len() - 1]);
        let (oh, ow) = ((h + 2 * p.0 - k.0) / s.0 + 1, (w + 2 * p.1 - k.1) / s.1 + 1);
        let values = x.to_vec();
        let mut out = Vec::new();
        for plane in values.chunks(h * w) {
            for i in 0..oh {
                for j in 0..ow {
                    let (mut max, mut sum) = (f32::NEG_INFINITY, 0.0);
                    for u in 0..k.0 {
                        for v in 0..k.1 {
                            let (r, c) = (
                                (i * s.0 + u) as isize - p.0 as isize,
                                (j * s.1 + v) as isize - p.1 as isize,
                            );
                            if r >= 0 && c >= 0 && (r as usize) < h && (c as usize) < w {
                                let x = plane[r as usize * w + c as usize];
                                max = max.max(x);
                                sum += x;
                            }
                        }
                    }
                    out.push((max, sum / (k.0 * k.1) as f32));
                }
            }
        }
        out
    }

    #[test]
    fn both_pools_match_the_definition() {
        let mut cases = CASES.to_vec();
        cases.push((&[2, 3, 9, 7], (2, 2), (2, 2), (0, 0))); // odd sizes: the last row/column is dropped
        for (i, (shape, k, s, p)) in cases.into_iter().enumerate() {
            let x = distinct(shape, i);
            let expected = naive(&x, k, s, p);
            let (max, avg) = (
                max_pool2d(&x, k, s, p).to_vec(),
                avg_pool2d(&x, k, s, p).to_vec(),
            );
            assert_eq!(max.len(), expected.len());
            for ((m, a), (em, ea)) in max.iter().zip(&avg).zip(&expected) {
                assert_eq!(m, em, "case {i}");
                assert!((a - ea).abs() < 1e-5, "case {i}: {a} vs {ea}");
            }
        }
    }

    #[test]
    fn shapes_follow_pytorch() {
        let x = Tensor::zeros(&[2, 3, 7, 9]);
        assert_eq!(x.max_pool2d(2).shape(), vec![2, 3, 3, 4]); // rounded down
        assert_eq!(max_pool2d(&x, 3, 1, 1).shape(), vec![2, 3, 7, 9]);
        assert_eq!(
            avg_pool2d(&x, (3, 2), (2, 3), (1, 0)).shape(),
            vec![2, 3, 4, 3]
        );
    }

    #[test]
    fn max_pool_padding_never_wins_and_avg_counts_it() {
        // all values negative: a zero padding would win, −∞ does not
        let x = tensor!([[[[-1., -2.], [-3., -4.]]]]);
        assert_eq!(
            max_pool2d(&x, 2, 1, 1).to_vec(),
            vec![-1., -1., -2., -1., -1., -2., -3., -3., -4.]
        );
        // corners: one value out of a 2×2 window
        assert_eq!(avg_pool2d(&x, 2, 1, 1).to_vec()[0], -0.25);
    }

    #[test]
    fn ties_send_the_gradient_to_the_first_maximum_and_nan_wins() {
        let x = tensor!([[[[1., 3.], [3., 2.]]]]).requires_grad_();
        x.max_pool2d(2).sum().backward();
        assert_eq!(x.grad().unwrap().to_vec(), vec![0., 1., 0., 0.]);
        let y = tensor!([[[[1., f32::NAN], [3., 2.]]]]).max_pool2d(2);
        assert!(y.item().is_nan());
    }

    #[test]
    fn overlapping_windows_add_their_gradients() {
        let x = tensor!([[[[0., 0., 0.], [0., 5., 0.], [0., 0., 0.]]]]).requires_grad_();
        max_pool2d(&x, 2, 1, 0).sum().backward(); // the 5 wins all four windows
        assert_eq!(x.grad().unwrap().to_vec()[4], 4.0);
        assert_eq!(
            x.max_pool2d(2).grad_fn(),
            Some("MaxPool2DWithIndicesBackward0")
        );
        assert_eq!(x.avg_pool2d(2).grad_fn(), Some("AvgPool2DBackward0"));
    }

    #[test]
    #[should_panic(expected = "max_pool2d: the padding must be at most half the kernel size")]
    fn too_much_padding_is_refused() {
        max_pool2d(&Tensor::zeros(&[1, 1, 4, 4]), 2, 2, 2);
    }

    #[test]
    #[should_panic(expected = "avg_pool2d: expected planes of shape (N, C, H, W) or (C, H, W)")]
    fn a_flat_input_is_refused() {
        Tensor::zeros(&[16]).avg_pool2d(2);
    }
}
