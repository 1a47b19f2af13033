//! 2-D convolution (course 10.1): `im2col`, then one matrix product.
//!
//! For images `x` (N, C, H, W), filters `W` (O, C, kh, kw) and a bias `b` (O),
//! with stride `s` and zero padding `p`:
//!
//! ```text
//! y[n, o, i, j] = b[o] + Σ_c Σ_u Σ_v W[o, c, u, v] · x[n, c, s·i + u − p, s·j + v − p]
//! OH = (H + 2p − kh) / s + 1        OW = (W + 2p − kw) / s + 1     (rounded down)
//! ```
//!
//! (a pixel outside the image counts as 0). The trick that makes it fast:
//! copy, for one image, every patch the filters will see into the columns of
//! a matrix `cols` (C·kh·kw, OH·OW) — **im2col** —; then all the filters of
//! the layer, flattened into a matrix `W₂` (O, C·kh·kw), meet all the patches
//! in one matrix product, which BLAS computes at full speed:
//!
//! ```text
//! y[n] = W₂ · cols(x[n]) + b                 (O, OH·OW)
//!
//! ∂L/∂W₂  = Σₙ g[n] · cols(x[n])ᵀ            (O, C·kh·kw)
//! ∂L/∂cols = W₂ᵀ · g[n]                      (C·kh·kw, OH·OW), then col2im
//! ∂L/∂b[o] = Σₙ Σᵢⱼ g[n, o, i, j]
//! ```
//!
//! **col2im** is the reverse of im2col: each entry of `∂L/∂cols` is *added* to
//! the pixel it was copied from (a pixel appears in up to kh·kw patches, so
//! its gradient is the sum of their contributions).
//!
//! # One product per image, not one for the batch
//!
//! The product could also be done once for the whole batch, with `cols`
//! (C·kh·kw, N·OH·OW); it then gives an (O, N, OH, OW) result that must be
//! transposed into (N, O, OH, OW). Both were measured here (thread CPU time,
//! one OpenBLAS thread, median of 20; 2-core machine, OpenBLAS 0.3.21, see
//! `examples/conv_timing.rs` for the wall-clock times of the layer):
//!
//! | layer, batch | one product per image: fwd / fwd+bwd | one for the batch: fwd / fwd+bwd |
//! |---|---|---|
//! | `Conv2d(3→32, 5×5)`, (100, 3, 32, 32) | 5.8 / 21.5 ms | 14.7 / 45.8 ms |
//! | LeNet-5 `Conv2d(1→6, 5×5, padding 2)`, (64, 1, 28, 28) | 0.32 / 1.1 ms | 1.0 / 3.4 ms |
//! | LeNet-5 `Conv2d(6→16, 5×5)`, (64, 6, 14, 14) | 0.66 / 2.2 ms | 0.91 / 2.7 ms |
//!
//! One product per image wins, by 2 to 3 times: `cols` for one image (235 KB
//! for the first layer) stays in the processor's cache between im2col and
//! the product, and each image's result is written directly into its place
//! `y[n]`. The batch's `cols` (23.5 MB) does not fit in any cache, the large
//! product is limited by memory rather than by arithmetic, and the
//! transposed copy of the output costs one more pass over 10 MB. The
//! backward pass works image by image too, accumulating `∂L/∂W₂` with
//! `beta = 1`.
//!
//! # The forward pass, band by band
//!
//! The forward pass cuts each image's output rows into bands, so that
//! OpenBLAS multiplies each band's `cols` where it lies, and puts the bias
//! inside the product (see `ops/conv/bands.rs`).
//!
//! Each thread allocates its buffers once per call and reuses them for every
//! image: the zeros of the padding and the rows of ones are written only
//! once, since every image has them at the same places.
//!
//! # Several images at once
//!
//! A batch is cut into parts of consecutive images, one per core, shared
//! out among rayon's threads (see `ops/conv/parallel.rs`).
//!
//! ```
//! use apprentissage::prelude::*;
//! use apprentissage::ops::conv::conv2d;
//! // course 10.1.1: a 2×2 filter over a 3×3 image gives a (3−2+1)×(3−2+1) result
//! let image = Tensor::arange(1.0, 10.0, 1.0).reshape(&[1, 1, 3, 3]);
//! let filter = tensor!([[[[1., 0.], [0., -1.]]]]);
//! let y = conv2d(&image, &filter, None, 1, 0);
//! assert_eq!(y.shape(), vec![1, 1, 2, 2]);
//! assert_eq!(y.to_vec(), vec![-4., -4., -4., -4.]); // x[i][j] − x[i+1][j+1]
//! ```

use ndarray::linalg::general_mat_mul;
use ndarray::{Array2, ArrayD, ArrayView1, ArrayView2, ArrayViewMut2, IxDyn};

use self::bands::{forward_images, Patches};
use self::parallel::{images_per_part, map_parts};
pub use super::window::IntoPair;
use super::window::{col2im, im2col, Geometry};
use crate::autograd::Op;
use crate::tensor::Tensor;

mod bands;
mod parallel;

/// The backward pass over consecutive images: `g` is their ∂L/∂y; returns
/// their ∂L/∂W₂ and writes their ∂L/∂x into `dx`, when asked. `cols` and
/// `dcols` are (K, L) buffers, the first holding zeros in the padding.
fn backward_images(
    geo: &Geometry,
    (w2, need_dw): (&ArrayView2<f32>, bool),
    (cols, dcols): &mut (Vec<f32>, Vec<f32>),
    (x, g): (&[f32], &[f32]),
    mut dx: Option<&mut [f32]>,
) -> Option<Array2<f32>> {
    let (k, l, o) = (geo.k(), geo.l(), w2.nrows());
    let chw = geo.c * geo.h * geo.w;
    let mut dw = need_dw.then(|| Array2::zeros((o, k)));
    for (i, (x, g)) in x.chunks_exact(chw).zip(g.chunks_exact(o * l)).enumerate() {
        let g = ArrayView2::from_shape((o, l), g).expect("size");
        if let Some(dw) = dw.as_mut() {
            im2col(geo, x, cols);
            let cols = ArrayView2::from_shape((k, l), &cols[..]).expect("size");
            general_mat_mul(1.0, &g, &cols.t(), 1.0, dw);
        }
        if let Some(dx) = dx.as_deref_mut() {
            let mut dc = ArrayViewMut2::from_shape((k, l), &mut dcols[..]).expect("size");
            general_mat_mul(1.0, &w2.t(), &g, 0.0, &mut dc);
            col2im(geo, dcols, &mut dx[i * chw..(i + 1) * chw]);
        }
    }
    dw
}

/// The backward of [`conv2d`]; inputs are `[x, W]` or `[x, W, b]`.
struct ConvOp {
    geometry: Geometry,
    has_bias: bool,
}

impl Op for ConvOp {
    fn name(&self) -> &'static str {
        "ConvolutionBackward0"
    }

    fn backward(
        &self,
        g: &ArrayD<f32>,
        inputs: &[&ArrayD<f32>],
        _: &ArrayD<f32>,
        needs: &[bool],
    ) -> Vec<Option<ArrayD<f32>>> {
        let geo = &self.geometry;
        let (x, w) = (inputs[0], inputs[1]);
        let (k, l) = (geo.k(), geo.l());
        let chw = geo.c * geo.h * geo.w;
        let n = if x.ndim() == 4 { x.shape()[0] } else { 1 };
        let o = w.shape()[0];
        let x = x.as_standard_layout();
        let x = x.as_slice().expect("standard layout");
        let g = g.as_standard_layout();
        let g = g.as_slice().expect("standard layout");
        let w2 = w.to_shape((o, k)).expect("O × K");

        // parts of consecutive images, shared out among threads, each with
        // its own part of ∂L/∂x and its own ∂L/∂W₂, added up at the end
        let per = images_per_part(n, n * o * k * l);
        let mut dx = needs[0].then(|| vec![0.0f32; x.len()]);
        let parts: Vec<_> = match dx.as_mut() {
            Some(dx) => dx.chunks_mut((per * chw).max(1)).map(Some).collect(),
            None => (0..n.div_ceil(per)).map(|_| None).collect(),
        };
        let parts: Vec<_> = x
            .chunks((per * chw).max(1))
            .zip(g.chunks((per * o * l).max(1)))
            .zip(parts)
            .collect();
        let w2 = (&w2.view(), needs[1]);
        let buffers = || {
            let size = |need: bool| if need { k * l } else { 0 };
            (vec![0.0f32; size(needs[1])], vec![0.0f32; size(needs[0])])
        };
        let dws = map_parts(parts, buffers, |buffers, (xg, dx)| {
            backward_images(geo, w2, buffers, xg, dx)
        });

        let dx = dx.map(|v| ArrayD::from_shape_vec(inputs[0].raw_dim(), v).expect("size"));
        let dw = dws.into_iter().flatten().reduce(|a, b| a + b);
        // no part at all (no image, or no input channel): ∂L/∂W₂ is zero
        let dw = dw.or_else(|| needs[1].then(|| Array2::zeros((o, k))));
        let dw = dw.map(|d| d.into_shape_with_order(w.raw_dim()).expect("size"));
        let mut grads = vec![dx, dw];
        if self.has_bias {
            grads.push(needs[2].then(|| {
                let mut db = vec![0.0f32; o];
                for (j, plane) in g.chunks_exact(l).enumerate() {
                    // ndarray's sum keeps several partial sums: vectorised
                    db[j % o] += ArrayView1::from(plane).sum();
                }
                ArrayD::from_shape_vec(IxDyn(&[o]), db).expect("size")
            }));
        }
        grads
    }
}

/// 2-D convolution, PyTorch's `F.conv2d(x, weight, bias, stride, padding)`:
/// what a [`Conv2d`](crate::nn::Conv2d) layer computes.
///
/// * `x`: images (N, C, H, W), or one image (C, H, W);
/// * `weight`: filters (O, C, kh, kw);
/// * `bias`: (O), or `None`;
/// * `stride`, `padding`: a number, or a (height, width) pair.
///
/// The result is (N, O, OH, OW) with `OH = (H + 2·padding − kh) / stride + 1`
/// (rounded down), and the same for `OW`. Panics with a message naming the
/// shapes when they do not fit. See the [module documentation](self).
///
/// ```
/// use apprentissage::prelude::*;
/// use apprentissage::ops::conv::conv2d;
/// let x = Tensor::ones(&[2, 3, 8, 8]);
/// let w = Tensor::ones(&[4, 3, 3, 3]).requires_grad_();
/// let y = conv2d(&x, &w, None, 2, 1);
/// assert_eq!(y.shape(), vec![2, 4, 4, 4]);
/// assert_eq!(y.to_vec()[5], 27.0); // an inner pixel: 3 channels × 3 × 3 ones
/// y.sum().backward();
/// assert_eq!(w.grad().unwrap().shape(), vec![4, 3, 3, 3]);
/// ```
pub fn conv2d(
    x: &Tensor,
    weight: &Tensor,
    bias: Option<&Tensor>,
    stride: impl IntoPair,
    padding: impl IntoPair,
) -> Tensor {
    let (value, geometry) = {
        let (xd, wd) = (x.data(), weight.data());
        assert!(
            wd.ndim() == 4,
            "conv2d: the weight must have shape (out_channels, in_channels, kh, kw), got {:?}",
            wd.shape()
        );
        let ws = wd.shape();
        let (o, k4) = (ws[0], (ws[1], ws[2], ws[3]));
        assert!(
            (xd.ndim() == 4 || xd.ndim() == 3) && xd.shape()[xd.ndim() - 3] == k4.0,
            "conv2d: expected images of shape (N, {c}, H, W) or ({c}, H, W) to match the weight \
             of shape {ws:?} ({c} input channels), got {:?}",
            xd.shape(),
            c = k4.0
        );
        let s = xd.shape();
        let (n, hw) = if xd.ndim() == 4 {
            (s[0], (s[2], s[3]))
        } else {
            (1, (s[1], s[2]))
        };
        let geo = Geometry::new(
            "conv2d",
            (k4.0, hw.0, hw.1),
            (k4.1, k4.2),
            stride.into_pair(),
            padding.into_pair(),
        );
        let (k, l) = (geo.k(), geo.l());
        let chw = geo.c * geo.h * geo.w;
        // W₂ (O, K), each row followed by its bias when there is one
        let mut w2b = Vec::with_capacity(o * (k + 1));
        let wd = wd.as_standard_layout();
        let w2 = wd.as_slice().expect("standard layout");
        let bias = bias.map(|b| {
            let bd = b.data();
            assert!(
                bd.shape() == [o],
                "conv2d: the bias must have shape [{o}] (out_channels), got {:?}",
                bd.shape()
            );
            bd.iter().copied().collect::<Vec<f32>>()
        });
        for j in 0..o {
            w2b.extend_from_slice(&w2[j * k..(j + 1) * k]);
            w2b.extend(bias.as_ref().map(|b| b[j]));
        }
        let x = xd.as_standard_layout();
        let x = x.as_slice().expect("standard layout");

        // one part of consecutive images per thread, each writing its own part
        // of the output; no pass of zeros or of the bias first: each value is
        // written once, by the product
        let len = n * o * l;
        let mut out: Vec<f32> = Vec::with_capacity(len);
        let per = images_per_part(n, n * o * k * l);
        // cut along the output, so that images without input channel (an
        // empty x) still get their part: their output is the bias
        let parts: Vec<_> = out.spare_capacity_mut()[..len]
            .chunks_mut((per * o * l).max(1))
            .enumerate()
            .map(|(p, out)| (&x[p * per * chw..][..out.len() / (o * l) * chw], out))
            .collect();
        let has_bias = bias.is_some();
        map_parts(
            parts,
            || Patches::new(&geo, o, has_bias),
            |patches, (x, out)| forward_images(&geo, (&w2b, o), patches, x, out),
        );
        // SAFETY: `forward_images` wrote every one of the `len` values (a
        // panic would have left before this line).
        unsafe { out.set_len(len) };
        let mut shape = vec![n, o, geo.oh, geo.ow];
        if xd.ndim() == 3 {
            shape.remove(0);
        }
        (
            ArrayD::from_shape_vec(IxDyn(&shape), out).expect("size"),
            geo,
        )
    };
    let mut inputs = vec![x.clone(), weight.clone()];
    inputs.extend(bias.cloned());
    let op = ConvOp {
        geometry,
        has_bias: bias.is_some(),
    };
    Tensor::from_op(value, inputs, op)
}

#[cfg(test)]
mod tests;
