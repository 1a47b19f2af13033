//! The forward pass of [`conv2d`](super::conv2d), band by band, with
//! the bias inside the product.
//!
//! Each image's output rows are cut into bands small enough (O·K·rows·OW ≤
//! 10⁶ multiply-adds) for OpenBLAS to multiply the band's `cols` where it
//! lies, without first copying it into its own packed layout; and the bias
//! becomes one more column of `W₂`, meeting a row of ones under each band's
//! `cols`,
//!
//! ```text
//! y[n][:, band] = [W₂ | b] · [cols(x[n])[:, band] ; 1 … 1]
//! ```
//!
//! so that the output is written once, by the product (`beta = 0`), instead of
//! being filled with the bias first. On the benchmark layer (one OpenBLAS
//! thread, median of 20) the forward pass went from 5.16–5.18 ms to
//! 4.91–4.98 ms, and with two threads from 2.55–3.17 ms to 2.22–2.46 ms
//! (`examples/conv_timing.rs`, old and new code in the same minutes).

use std::mem::MaybeUninit;
use std::ops::Range;

use crate::ops::window::{im2col_rows, Geometry};

/// OpenBLAS multiplies matrices with m·n·k ≤ 10⁶ by "small matrix" kernels
/// that read them where they are, instead of first copying them into blocks
/// laid out for its main kernel (`kernel/x86_64/*small_kernel_permit*` in
/// OpenBLAS's sources; on this machine's AVX-512 processor).
const SMALL_GEMM: usize = 1_000_000;

/// The output rows of one image, cut into bands whose product stays under
/// [`SMALL_GEMM`] (O·K'·rows·OW multiply-adds), or one band when not even two
/// rows fit.
pub(crate) fn bands(geo: &Geometry, o: usize, kb: usize) -> Vec<Range<usize>> {
    let fit = SMALL_GEMM / (o * kb * geo.ow).max(1);
    let count = if fit >= 2 { geo.oh.div_ceil(fit) } else { 1 };
    let per = geo.oh.div_ceil(count);
    (0..geo.oh)
        .step_by(per)
        .map(|start| start..(start + per).min(geo.oh))
        .collect()
}

/// `c = a·b` through OpenBLAS, for row-major `a` (m, k), `b` (k, n) and `c`
/// (m, n) whose rows are `ldc` apart. `c` is only written (beta = 0: BLAS
/// does not read it), so it may be uninitialised.
fn gemm_into(
    (m, n, k): (usize, usize, usize),
    a: &[f32],
    b: &[f32],
    c: &mut [MaybeUninit<f32>],
    ldc: usize,
) {
    assert!(a.len() >= m * k && b.len() >= k * n && ldc >= n);
    assert!(m == 0 || c.len() >= (m - 1) * ldc + n);
    if k == 0 {
        // an empty sum (no input channel): BLAS would refuse lda = 0
        for row in c.chunks_mut(ldc).take(m) {
            row[..n].fill(MaybeUninit::new(0.0));
        }
        return;
    }
    let int = |v: usize| i32::try_from(v).expect("matrix size fits an i32");
    use cblas_sys::{CBLAS_LAYOUT::CblasRowMajor, CBLAS_TRANSPOSE::CblasNoTrans};
    // SAFETY: the lengths checked above cover every element BLAS touches.
    unsafe {
        cblas_sys::cblas_sgemm(
            CblasRowMajor,
            CblasNoTrans,
            CblasNoTrans,
            int(m),
            int(n),
            int(k),
            1.0,
            a.as_ptr(),
            int(k),
            b.as_ptr(),
            int(n),
            0.0,
            c.as_mut_ptr().cast(),
            int(ldc),
        )
    }
}

/// One thread's buffer for the forward pass: per band of output rows, the
/// band's patches (K, rows·OW), plus a row of ones when there is a bias.
pub(crate) struct Patches {
    cols: Vec<f32>,
    bands: Vec<Range<usize>>,
    /// rows of each band's matrix: K, or K + 1 with the row of ones
    kb: usize,
}

impl Patches {
    /// Band `rows` has its (kb, rows·OW) matrix at `cols[kb·start·OW..]`. The
    /// padding's zeros and the row of ones are the same for every image:
    /// they are written once, here.
    pub(crate) fn new(geo: &Geometry, o: usize, has_bias: bool) -> Patches {
        let (k, kb) = (geo.k(), geo.k() + usize::from(has_bias));
        let mut patches = Patches {
            cols: vec![0.0f32; kb * geo.l()],
            bands: bands(geo, o, kb),
            kb,
        };
        if has_bias {
            for i in 0..patches.bands.len() {
                let (at, bl) = patches.place(geo, i);
                patches.cols[at + k * bl..at + kb * bl].fill(1.0);
            }
        }
        patches
    }

    /// Where band `i`'s matrix starts in `cols`, and its number of columns.
    fn place(&self, geo: &Geometry, i: usize) -> (usize, usize) {
        let rows = &self.bands[i];
        (self.kb * rows.start * geo.ow, rows.len() * geo.ow)
    }
}

/// The forward pass over consecutive images `x` (n·C·H·W values), writing
/// `out` (n·O·L values, not initialised yet). `w2b` is `W₂` (O, K), followed
/// on each row by the output channel's bias when there is one: (O, K + 1).
///
/// Per image and per band of output rows: im2col of the band's patches (next
/// to their row of ones, which meets the bias column), then
/// `y[:, band] = W₂b·cols`. A band's patches (~120 KB for the benchmark
/// layer) stay in the cache between the two steps, and each value of the
/// result is written once, by BLAS.
pub(crate) fn forward_images(
    geo: &Geometry,
    (w2b, o): (&[f32], usize),
    patches: &mut Patches,
    x: &[f32],
    out: &mut [MaybeUninit<f32>],
) {
    let (k, l, kb) = (geo.k(), geo.l(), patches.kb);
    let chw = geo.c * geo.h * geo.w;
    for (i, out) in out.chunks_exact_mut(o * l).enumerate() {
        let x = &x[i * chw..(i + 1) * chw];
        for i in 0..patches.bands.len() {
            let (at, bl) = patches.place(geo, i);
            let rows = patches.bands[i].clone();
            let band = &mut patches.cols[at..at + kb * bl];
            im2col_rows(geo, x, rows.clone(), &mut band[..k * bl]);
            gemm_into((o, bl, kb), w2b, band, &mut out[rows.start * geo.ow..], l);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{bands, SMALL_GEMM};
    use crate::ops::window::Geometry;

    #[test]
    fn bands_cover_every_output_row_once_and_stay_small() {
        // (channels in, image side, out channels, padding)
        for (c, side, o, p) in [
            (3, 32, 32, 0),
            (3, 45, 64, 2),
            (1, 28, 6, 2),
            (16, 64, 64, 1),
        ] {
            let geo = Geometry::new("test", (c, side, side), (5, 5), (1, 1), (p, p));
            let kb = geo.k() + 1;
            let bands = bands(&geo, o, kb);
            let rows: Vec<usize> = bands.iter().flat_map(|b| b.clone()).collect();
            assert_eq!(rows, (0..geo.oh).collect::<Vec<_>>(), "{bands:?}");
            if bands.len() > 1 {
                for b in &bands {
                    assert!(o * kb * b.len() * geo.ow <= SMALL_GEMM, "{bands:?}");
                }
            }
        }
        // the benchmark layer: two bands of 14 rows
        let geo = Geometry::new("test", (3, 32, 32), (5, 5), (1, 1), (0, 0));
        assert_eq!(bands(&geo, 32, 76), vec![0..14, 14..28]);
        // 16→64 channels on 64×64: not even two rows fit, one band
        let geo = Geometry::new("test", (16, 64, 64), (5, 5), (1, 1), (2, 2));
        assert_eq!(bands(&geo, 64, 401), vec![0..64]);
    }
}
