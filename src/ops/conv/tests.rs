//! Tests of [`conv2d`](super::conv2d): against the definition, gradcheck,
//! bands, threads, edge cases.

use super::conv2d;
use crate::gradcheck::assert_gradcheck;
use crate::ops::window::Geometry;
use crate::prelude::*;
use crate::random::test_tensor as random;

/// The definition, summed term by term (slow, obviously right).
fn naive(x: &Tensor, w: &Tensor, b: Option<&Tensor>, s: usize, p: usize) -> Vec<f32> {
    let (x, w) = (x.to_array(), w.to_array());
    let (n, c, h, wd) = (x.shape()[0], x.shape()[1], x.shape()[2], x.shape()[3]);
    let (o, kh, kw) = (w.shape()[0], w.shape()[2], w.shape()[3]);
    let (oh, ow) = ((h + 2 * p - kh) / s + 1, (wd + 2 * p - kw) / s + 1);
    let mut out = Vec::new();
    for ni in 0..n {
        for oi in 0..o {
            for i in 0..oh {
                for j in 0..ow {
                    let mut acc = b.map_or(0.0, |b| b.to_vec()[oi]);
                    for ci in 0..c {
                        for u in 0..kh {
                            for v in 0..kw {
                                let (y, z) = (
                                    (i * s + u) as isize - p as isize,
                                    (j * s + v) as isize - p as isize,
                                );
                                if y >= 0 && z >= 0 && (y as usize) < h && (z as usize) < wd {
                                    acc += w[[oi, ci, u, v]] * x[[ni, ci, y as usize, z as usize]];
                                }
                            }
                        }
                    }
                    out.push(acc);
                }
            }
        }
    }
    out
}

#[test]
fn conv2d_matches_the_definition() {
    for (s, p) in [(1, 0), (2, 1), (1, 2), (3, 1), (2, 0)] {
        let x = random(&[2, 3, 7, 6], s as u64);
        let w = random(&[4, 3, 3, 2], 10 + p as u64);
        let b = random(&[4], 20);
        let y = conv2d(&x, &w, Some(&b), s, p);
        let expected = naive(&x, &w, Some(&b), s, p);
        assert_eq!(y.numel(), expected.len(), "stride {s} padding {p}");
        for (a, e) in y.to_vec().iter().zip(&expected) {
            assert!((a - e).abs() < 1e-5, "stride {s} padding {p}: {a} vs {e}");
        }
    }
}

#[test]
fn large_images_cut_into_bands_of_rows_match_the_definition() {
    // (stride, padding, bias): each image's product is cut into 2 or 3 bands
    for (s, p, bias) in [(1, 2, true), (2, 1, true), (1, 0, false), (3, 2, false)] {
        let x = random(&[2, 3, 45, 43], 5 + s as u64);
        let w = random(&[64, 3, 5, 5], 6 + p as u64);
        let b = random(&[64], 7);
        let b = bias.then_some(&b);
        let geo = Geometry::new("test", (3, 45, 43), (5, 5), (s, s), (p, p));
        let bands = super::bands::bands(&geo, 64, 75 + usize::from(bias));
        assert!(bands.len() > 1, "stride {s} padding {p}: {bands:?}");
        let y = conv2d(&x, &w, b, s, p);
        let expected = naive(&x, &w, b, s, p);
        assert_eq!(y.numel(), expected.len());
        for (a, e) in y.to_vec().iter().zip(&expected) {
            assert!((a - e).abs() < 1e-4, "stride {s} padding {p}: {a} vs {e}");
        }
    }
}

#[test]
fn conv2d_passes_gradcheck_for_strides_paddings_and_non_square_shapes() {
    type Case = (
        &'static [usize],
        &'static [usize],
        (usize, usize),
        (usize, usize),
    );
    let cases: [Case; 6] = [
        (&[2, 2, 5, 5], &[3, 2, 3, 3], (1, 1), (0, 0)),
        (&[1, 2, 6, 5], &[2, 2, 3, 3], (2, 2), (0, 0)),
        (&[2, 1, 5, 4], &[2, 1, 3, 3], (1, 1), (1, 1)),
        (&[1, 3, 4, 6], &[2, 3, 2, 3], (2, 1), (2, 1)),
        (&[1, 2, 7, 5], &[3, 2, 3, 2], (2, 3), (1, 0)),
        (&[1, 1, 3, 3], &[1, 1, 5, 5], (1, 1), (2, 2)),
    ];
    for (i, (xs, ws, s, p)) in cases.into_iter().enumerate() {
        let seed = 3 * i as u64;
        let (x, w, b) = (
            random(xs, seed),
            random(ws, seed + 1),
            random(&[ws[0]], seed + 2),
        );
        assert_gradcheck(
            |t| conv2d(&t[0], &t[1], Some(&t[2]), s, p),
            &[x.clone(), w.clone(), b],
        );
        assert_gradcheck(|t| conv2d(&t[0], &t[1], None, s, p), &[x, w]);
    }
}

#[test]
fn a_batch_split_over_threads_equals_image_by_image() {
    // 4 images, 6 million multiply-adds: split into parts (one per thread)
    let (x, w, b) = (
        random(&[4, 16, 20, 20], 1),
        random(&[32, 16, 3, 3], 2),
        random(&[32], 3),
    );
    let g = random(&[4, 32, 18, 18], 4);
    let (w, b) = (w.requires_grad_(), b.requires_grad_());
    let x = x.requires_grad_();
    let y = conv2d(&x, &w, Some(&b), 1, 0);
    (&y * &g).sum().backward();
    let (dx, dw, db) = (x.grad().unwrap(), w.grad().unwrap(), b.grad().unwrap());
    let close = |a: &Tensor, e: &Tensor| {
        for (a, e) in a.to_vec().iter().zip(e.to_vec()) {
            assert!((a - e).abs() <= 1e-4 * (1.0 + e.abs()), "{a} vs {e}");
        }
    };
    w.zero_grad();
    b.zero_grad();
    for i in 0..4 {
        let xi = x.slice(s![i..i + 1, .., .., ..]).detach().requires_grad_();
        let yi = conv2d(&xi, &w, Some(&b), 1, 0);
        close(&yi, &y.slice(s![i..i + 1, .., .., ..]));
        (&yi * &g.slice(s![i..i + 1, .., .., ..])).sum().backward();
        close(&xi.grad().unwrap(), &dx.slice(s![i..i + 1, .., .., ..]));
    }
    close(&w.grad().unwrap(), &dw);
    close(&b.grad().unwrap(), &db);
}

#[test]
fn no_input_channel_gives_the_bias_and_no_image_a_zero_gradient() {
    let x = Tensor::zeros(&[2, 0, 5, 5]);
    let w = Tensor::zeros(&[3, 0, 3, 3]);
    let y = conv2d(&x, &w, Some(&tensor!([1., 2., 3.])), 1, 0);
    assert_eq!(y.shape(), vec![2, 3, 3, 3]);
    assert_eq!(
        y.sum_dim(0, false)
            .sum_dim(1, false)
            .sum_dim(1, false)
            .to_vec(),
        vec![18., 36., 54.]
    );
    assert!(conv2d(&x, &w, None, 1, 0)
        .to_vec()
        .iter()
        .all(|&v| v == 0.0));
    // and their gradients: empty ∂L/∂x and ∂L/∂W; an empty batch gives ∂L/∂W = 0
    let (x, w) = (x.requires_grad_(), w.requires_grad_());
    conv2d(&x, &w, None, 1, 0).sum().backward();
    assert_eq!(w.grad().unwrap().shape(), vec![3, 0, 3, 3]);
    assert_eq!(x.grad().unwrap().shape(), vec![2, 0, 5, 5]);
    let w = Tensor::ones(&[3, 2, 3, 3]).requires_grad_();
    conv2d(&Tensor::zeros(&[0, 2, 5, 5]), &w, None, 1, 0)
        .sum()
        .backward();
    assert_eq!(w.grad().unwrap().to_vec(), vec![0.0; 54]);
}

#[test]
fn a_known_convolution() {
    // x = torch.arange(16.).reshape(1, 1, 4, 4)
    // F.conv2d(x, torch.tensor([[[[1., 2.], [3., 4.]]]]), torch.tensor([1.]), stride=2, padding=1)
    // → tensor([[[[ 1., 12., 10.], [41., 85., 41.], [25., 42., 16.]]]])   (worked by hand)
    let x = Tensor::arange(0.0, 16.0, 1.0).reshape(&[1, 1, 4, 4]);
    let w = tensor!([[[[1., 2.], [3., 4.]]]]);
    let y = conv2d(&x, &w, Some(&tensor!([1.])), 2, 1);
    assert_eq!(y.to_vec(), vec![1., 12., 10., 41., 85., 41., 25., 42., 16.]);
}

#[test]
fn course_10_1_3_shapes() {
    // RVB = torch.FloatTensor(size=(1000,3,28,28)); C1 = nn.Conv2d(3, 32, (5,5))
    // print(C1(RVB).shape) → torch.Size([1000, 32, 24, 24])
    let x = Tensor::zeros(&[1000, 3, 28, 28]);
    let w = Tensor::zeros(&[32, 3, 5, 5]);
    assert_eq!(conv2d(&x, &w, None, 1, 0).shape(), vec![1000, 32, 24, 24]);
    // one image without a batch dimension
    let one = conv2d(&Tensor::zeros(&[3, 28, 28]), &w, None, 1, 2);
    assert_eq!(one.shape(), vec![32, 28, 28]);
}

#[test]
fn only_the_weight_gradient_when_the_input_needs_none() {
    let x = random(&[2, 1, 5, 5], 1);
    let w = random(&[2, 1, 3, 3], 2).requires_grad_();
    let b = random(&[2], 3).requires_grad_();
    let y = conv2d(&x, &w, Some(&b), 1, 1);
    assert_eq!(y.grad_fn(), Some("ConvolutionBackward0"));
    y.sum().backward();
    assert!(x.grad().is_none());
    assert_eq!(b.grad().unwrap().to_vec(), vec![50., 50.]); // 2 images × 5 × 5
}

#[test]
#[should_panic(expected = "conv2d: expected images of shape (N, 3, H, W)")]
fn a_channel_mismatch_is_explained() {
    conv2d(
        &Tensor::zeros(&[1, 1, 8, 8]),
        &Tensor::zeros(&[4, 3, 3, 3]),
        None,
        1,
        0,
    );
}

#[test]
#[should_panic(expected = "conv2d: the kernel (5, 5) is larger than the padded input (4, 4)")]
fn a_kernel_larger_than_the_image_is_explained() {
    conv2d(
        &Tensor::zeros(&[1, 1, 4, 4]),
        &Tensor::zeros(&[1, 1, 5, 5]),
        None,
        1,
        0,
    );
}
