//! Sliding a window over images: the geometry shared by convolution and
//! pooling, and the `im2col`/`col2im` copies of [`conv2d`](super::conv::conv2d).
//!
//! A (kh, kw) window moved by a stride `s` over an image padded with `p`
//! rows/columns on each side visits `OH × OW` positions,
//!
//! ```text
//! OH = (H + 2p − kh) / s + 1        OW = (W + 2p − kw) / s + 1     (rounded down)
//! ```
//!
//! and at offset `u` inside the window, output row `i` reads input row
//! `s·i + u − p`, which exists for a range of `i` only ([`Geometry::valid`]):
//! every loop here runs over those ranges, so that no pixel of the padding is
//! ever tested for.

use std::ops::Range;

use ndarray::IxDyn;

/// A size given as one number (square) or as (height, width), like the
/// `int or tuple` arguments of PyTorch: `5` or `(5, 3)`.
///
/// ```
/// use apprentissage::ops::conv::IntoPair;
/// assert_eq!(5.into_pair(), (5, 5));
/// assert_eq!((5, 3).into_pair(), (5, 3));
/// ```
pub trait IntoPair {
    /// The (height, width) pair.
    fn into_pair(self) -> (usize, usize);
}

impl IntoPair for usize {
    fn into_pair(self) -> (usize, usize) {
        (self, self)
    }
}

impl IntoPair for (usize, usize) {
    fn into_pair(self) -> (usize, usize) {
        self
    }
}

/// The stride of a pooling window: a size as for [`IntoPair`] (`2`, `(2, 1)`),
/// or `None` for PyTorch's default `stride=None`, which moves the window by
/// its own size (windows side by side).
///
/// ```
/// use apprentissage::ops::pool::IntoStride;
/// assert_eq!(None.into_stride((3, 2)), (3, 2)); // the kernel size
/// assert_eq!(Some(1).into_stride((3, 2)), (1, 1));
/// assert_eq!(1.into_stride((3, 2)), (1, 1));
/// assert_eq!((2, 1).into_stride((3, 2)), (2, 1));
/// ```
pub trait IntoStride {
    /// The (height, width) stride of a window of size `kernel`.
    fn into_stride(self, kernel: (usize, usize)) -> (usize, usize);
}

impl<T: IntoPair> IntoStride for T {
    fn into_stride(self, _kernel: (usize, usize)) -> (usize, usize) {
        self.into_pair()
    }
}

/// `None` is the kernel size; `Some(s)` is `s` (a pair needs no `Some`).
impl IntoStride for Option<usize> {
    fn into_stride(self, kernel: (usize, usize)) -> (usize, usize) {
        self.map_or(kernel, IntoPair::into_pair)
    }
}

/// Everything about the shapes of one convolution (or pooling) window sweep.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Geometry {
    pub c: usize,
    pub h: usize,
    pub w: usize,
    pub kh: usize,
    pub kw: usize,
    pub sh: usize,
    pub sw: usize,
    pub ph: usize,
    pub pw: usize,
    pub oh: usize,
    pub ow: usize,
}

impl Geometry {
    /// The geometry of sweeping a (kh, kw) window over (c, h, w) planes, or a
    /// panic naming `op` when the window does not fit.
    pub(crate) fn new(
        op: &str,
        (c, h, w): (usize, usize, usize),
        (kh, kw): (usize, usize),
        (sh, sw): (usize, usize),
        (ph, pw): (usize, usize),
    ) -> Geometry {
        assert!(
            kh > 0 && kw > 0,
            "{op}: the kernel size must be positive, got ({kh}, {kw})"
        );
        assert!(
            sh > 0 && sw > 0,
            "{op}: the stride must be positive, got ({sh}, {sw})"
        );
        assert!(
            h + 2 * ph >= kh && w + 2 * pw >= kw,
            "{op}: the kernel ({kh}, {kw}) is larger than the padded input ({}, {}) \
             (input {h}×{w}, padding ({ph}, {pw}))",
            h + 2 * ph,
            w + 2 * pw
        );
        Geometry {
            c,
            h,
            w,
            kh,
            kw,
            sh,
            sw,
            ph,
            pw,
            oh: (h + 2 * ph - kh) / sh + 1,
            ow: (w + 2 * pw - kw) / sw + 1,
        }
    }

    /// Rows of `cols`: one per (channel, kernel row, kernel column).
    pub(crate) fn k(&self) -> usize {
        self.c * self.kh * self.kw
    }

    /// Columns of `cols`: one per output position.
    pub(crate) fn l(&self) -> usize {
        self.oh * self.ow
    }

    /// For kernel offset `u` along a dimension, the output positions `[lo, hi)`
    /// whose input position `o·s + u − p` falls inside `0..size`.
    pub(crate) fn valid(u: usize, s: usize, p: usize, size: usize, out: usize) -> (usize, usize) {
        // o·s + u ≥ p  ⇔  o ≥ ⌈(p − u) / s⌉
        let lo = if u >= p { 0 } else { (p - u).div_ceil(s) };
        // o·s + u − p ≤ size − 1  ⇔  o ≤ ⌊(size − 1 + p − u) / s⌋
        let hi = if size + p > u {
            ((size - 1 + p - u) / s + 1).min(out)
        } else {
            0
        };
        (lo.min(hi), hi)
    }
}

/// Copies the patches of one image `x` (C, H, W) into `cols` (K, L), row-major.
/// Positions in the padding are not written: the caller's buffer holds zeros
/// there (the same positions for every image).
pub(crate) fn im2col(g: &Geometry, x: &[f32], cols: &mut [f32]) {
    im2col_rows(g, x, 0..g.oh, cols);
}

/// [`im2col`] for the output rows `rows` only: `cols` is (K, rows·OW),
/// row-major, and again only the positions inside the image are written.
pub(crate) fn im2col_rows(g: &Geometry, x: &[f32], rows: Range<usize>, cols: &mut [f32]) {
    let (hw, ow) = (g.h * g.w, g.ow);
    let l = rows.len() * ow;
    let mut r = 0;
    for c in 0..g.c {
        let plane = &x[c * hw..(c + 1) * hw];
        for u in 0..g.kh {
            let (i0, i1) = Geometry::valid(u, g.sh, g.ph, g.h, g.oh);
            let (i0, i1) = (i0.max(rows.start), i1.min(rows.end));
            for v in 0..g.kw {
                let (j0, j1) = Geometry::valid(v, g.sw, g.pw, g.w, g.ow);
                let row = &mut cols[r * l..(r + 1) * l];
                for i in i0..i1 {
                    let src = &plane[(i * g.sh + u - g.ph) * g.w..][..g.w];
                    let at = (i - rows.start) * ow;
                    let dst = &mut row[at + j0..at + j1];
                    let first = j0 * g.sw + v - g.pw;
                    if g.sw == 1 {
                        copy_row(dst, &src[first..first + (j1 - j0)]);
                    } else {
                        for (k, d) in dst.iter_mut().enumerate() {
                            *d = src[first + k * g.sw];
                        }
                    }
                }
                r += 1;
            }
        }
    }
}

/// `dst.copy_from_slice(src)` for the short rows of im2col (tens of floats),
/// without a call to `memcpy`, which costs as much as the copy at these
/// sizes: 8 floats at a time, the last 8 overlapping the previous ones.
#[inline(always)]
fn copy_row(dst: &mut [f32], src: &[f32]) {
    let n = dst.len();
    if n < 8 {
        dst.copy_from_slice(src);
        return;
    }
    let src = &src[..n];
    let mut k = 0;
    while k + 8 <= n {
        dst[k..k + 8].copy_from_slice(&src[k..k + 8]);
        k += 8;
    }
    if k < n {
        dst[n - 8..].copy_from_slice(&src[n - 8..]);
    }
}

/// The reverse of [`im2col`]: adds each entry of `cols` (K, L) to the pixel
/// of `dx` (C, H, W) it came from.
pub(crate) fn col2im(g: &Geometry, cols: &[f32], dx: &mut [f32]) {
    let (hw, ow) = (g.h * g.w, g.ow);
    let mut r = 0;
    for c in 0..g.c {
        let plane = &mut dx[c * hw..(c + 1) * hw];
        for u in 0..g.kh {
            let (i0, i1) = Geometry::valid(u, g.sh, g.ph, g.h, g.oh);
            for v in 0..g.kw {
                let (j0, j1) = Geometry::valid(v, g.sw, g.pw, g.w, g.ow);
                let row = &cols[r * g.l()..(r + 1) * g.l()];
                for i in i0..i1 {
                    let dst = &mut plane[(i * g.sh + u - g.ph) * g.w..][..g.w];
                    let src = &row[i * ow + j0..i * ow + j1];
                    let first = j0 * g.sw + v - g.pw;
                    if g.sw == 1 {
                        for (d, s) in dst[first..first + (j1 - j0)].iter_mut().zip(src) {
                            *d += s;
                        }
                    } else {
                        for (k, s) in src.iter().enumerate() {
                            dst[first + k * g.sw] += s;
                        }
                    }
                }
                r += 1;
            }
        }
    }
}

/// One pooling call: the planes, the window geometry, and for each kernel
/// row `u` (column `v`) the output rows (columns) whose window reaches inside
/// the input at that offset.
pub(crate) struct Windows {
    pub(crate) planes: usize,
    pub(crate) geo: Geometry,
    pub(crate) rows: Vec<(usize, usize)>,
    pub(crate) cols: Vec<(usize, usize)>,
}

impl Windows {
    pub(crate) fn new(
        op: &str,
        shape: &[usize],
        kernel: (usize, usize),
        stride: (usize, usize),
        padding: (usize, usize),
    ) -> Windows {
        assert!(
            shape.len() == 4 || shape.len() == 3,
            "{op}: expected planes of shape (N, C, H, W) or (C, H, W), got {shape:?}"
        );
        let (h, w) = (shape[shape.len() - 2], shape[shape.len() - 1]);
        assert!(
            2 * padding.0 <= kernel.0 && 2 * padding.1 <= kernel.1,
            "{op}: the padding must be at most half the kernel size, got padding {padding:?} \
             for a kernel {kernel:?}"
        );
        let g = Geometry::new(op, (1, h, w), kernel, stride, padding);
        Windows {
            planes: shape.iter().product::<usize>() / (h * w).max(1),
            rows: (0..g.kh)
                .map(|u| Geometry::valid(u, g.sh, g.ph, g.h, g.oh))
                .collect(),
            cols: (0..g.kw)
                .map(|v| Geometry::valid(v, g.sw, g.pw, g.w, g.ow))
                .collect(),
            geo: g,
        }
    }

    pub(crate) fn out_shape(&self, input: &[usize]) -> IxDyn {
        let mut shape = input.to_vec();
        let d = shape.len();
        shape[d - 2] = self.geo.oh;
        shape[d - 1] = self.geo.ow;
        IxDyn(&shape)
    }

    /// Input (h·w) and output (oh·ow) sizes of one plane.
    pub(crate) fn sizes(&self) -> (usize, usize) {
        (self.geo.h * self.geo.w, self.geo.oh * self.geo.ow)
    }

    /// Visits, for output row `i`, every kernel offset (u, v) whose input row
    /// exists, in row-major order: `f(r, j0, j1, first)` where `r` is the
    /// input row, `[j0, j1)` the output columns that see an input pixel at
    /// this offset, and `first` the input column of output column `j0` (the
    /// next ones are `stride` apart).
    ///
    /// The loops of the pooling ops are written this way — kernel offsets
    /// outside, output columns inside — so that the inner loop runs over
    /// contiguous output elements, without branches.
    #[inline]
    pub(crate) fn for_each_offset(&self, i: usize, mut f: impl FnMut(usize, usize, usize, usize)) {
        let g = &self.geo;
        for (u, &(i0, i1)) in self.rows.iter().enumerate() {
            if i < i0 || i >= i1 {
                continue;
            }
            let r = i * g.sh + u - g.ph;
            for (v, &(j0, j1)) in self.cols.iter().enumerate() {
                if j0 < j1 {
                    f(r, j0, j1, j0 * g.sw + v - g.pw);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Geometry;

    #[test]
    fn valid_ranges_cover_exactly_the_positions_inside_the_input() {
        for (u, s, p, size) in [
            (0, 1, 2, 5),
            (4, 1, 2, 5),
            (1, 2, 1, 6),
            (2, 3, 0, 7),
            (0, 2, 3, 2),
        ] {
            let out = (size + 2 * p - 5.min(size + 2 * p)) / s + 1;
            let (lo, hi) = Geometry::valid(u, s, p, size, out);
            for o in 0..out {
                let inside = (o * s + u) >= p && (o * s + u - p) < size;
                assert_eq!(
                    (lo..hi).contains(&o),
                    inside,
                    "u {u} s {s} p {p} size {size} o {o}"
                );
            }
        }
    }
}
