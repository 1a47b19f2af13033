//! The worked numbers of the course (`../shared/seed`, chapters 2, 4, 8 and 9),
//! recomputed with the public API exactly as a notebook would.

use apprentissage::broadcast::broadcast_shapes;
use apprentissage::gradcheck::numerical_gradient;
use apprentissage::prelude::*;

/// Chapter 2.4: f(x0, x1) = (2·x0 + 5·x1)·(3·x0·x1) at (2, 1): the forward
/// pass gives y0 = 9, y1 = 6, f = 54, and backpropagation (39, 84).
#[test]
fn chapter_2_4_backpropagation_by_hand() {
    let x0 = tensor!(2.).requires_grad_();
    let x1 = tensor!(1.).requires_grad_();
    let y0 = &x0 * 2.0 + &x1 * 5.0;
    let y1 = &x0 * &x1 * 3.0;
    y0.retain_grad();
    y1.retain_grad();
    let f = &y0 * &y1;
    assert_eq!((y0.item(), y1.item(), f.item()), (9.0, 6.0, 54.0));
    f.backward();
    // ∂f/∂y0 = y1 = 6 and ∂f/∂y1 = y0 = 9, as the course says
    assert_eq!(y0.grad().unwrap().item(), 6.0);
    assert_eq!(y1.grad().unwrap().item(), 9.0);
    assert_eq!(x0.grad().unwrap().item(), 39.0);
    assert_eq!(x1.grad().unwrap().item(), 84.0);

    // The course's check by finite differences, with ε = 0.001 (forward
    // differences, in f32: the third decimal is rounding noise).
    let f = |x: &[Tensor]| (&x[0] * 2.0 + &x[1] * 5.0) * (&x[0] * &x[1] * 3.0);
    let g = numerical_gradient(f, &[tensor!(2.), tensor!(1.)], 1e-3);
    assert!((g[0].item() - 39.0).abs() < 0.1, "{}", g[0]);
    assert!((g[1].item() - 84.0).abs() < 0.1, "{}", g[1]);
}

/// Chapter 2.5.3: f = ((x0·x1) + |x1|)² at (3, −1) has gradient (4, −8).
#[test]
fn chapter_2_5_3_exercise() {
    let x0 = tensor!(3.).requires_grad_();
    let x1 = tensor!(-1.).requires_grad_();
    let f = (&x0 * &x1 + x1.abs()).pow(2.0);
    f.backward();
    assert_eq!(x0.grad().unwrap().item(), 4.0);
    assert_eq!(x1.grad().unwrap().item(), -8.0);
}

/// Chapter 4.1: the shapes of broadcast results, and the two incompatible cases.
#[test]
fn chapter_4_1_broadcast_shapes() {
    let cases: [(&[usize], &[usize], &[usize]); 6] = [
        (&[3, 4], &[1], &[3, 4]),
        (&[3, 4], &[1, 1], &[3, 4]),
        (&[3, 1], &[4], &[3, 4]),
        (&[3, 1], &[1, 4], &[3, 4]),
        (&[1, 1, 4], &[1, 3, 1], &[1, 3, 4]),
        (&[1, 1, 4], &[3, 2, 1], &[3, 2, 4]),
    ];
    for (a, b, expected) in cases {
        let sum = Tensor::zeros(a) + Tensor::zeros(b);
        assert_eq!(sum.shape(), expected, "{a:?} + {b:?}");
    }
    for (a, b) in [(&[3usize, 4][..], &[3usize][..]), (&[1, 1, 4], &[1, 3])] {
        let err = broadcast_shapes(a, b).unwrap_err();
        assert_eq!(err.dim, a.len() - 1);
        let caught = std::panic::catch_unwind(|| Tensor::zeros(a) + Tensor::zeros(b));
        let message = *caught.unwrap_err().downcast::<String>().unwrap();
        assert!(message.contains("cannot be broadcast"), "{message}");
    }
}

/// Chapter 6: two backward calls without zero_grad double the gradient.
#[test]
fn chapter_6_gradients_accumulate() {
    let w = tensor!([1., -2.]).requires_grad_();
    let loss = || (&w * 3.0).sum();
    loss().backward();
    loss().backward();
    assert_eq!(w.grad().unwrap().to_vec(), vec![6., 6.]);
    w.zero_grad();
    loss().backward();
    assert_eq!(w.grad().unwrap().to_vec(), vec![3., 3.]);
}

fn percents(t: &Tensor) -> Vec<f32> {
    t.to_vec()
        .iter()
        .map(|p| (p * 10_000.0).round() / 100.0)
        .collect()
}

/// Chapter 9.1: softmax(−1, 1, 3) = 1.59 %, 11.73 %, 86.68 %, unchanged by a
/// shift of +10 or −10; with 2 instead of 1: 1.32 %, 26.54 %, 72.14 %.
#[test]
fn chapter_9_1_softmax_tables() {
    let x = tensor!([-1., 1., 3.]);
    assert_eq!(percents(&x.softmax(0)), vec![1.59, 11.73, 86.68]);
    assert_eq!(percents(&(&x + 10.0).softmax(0)), vec![1.59, 11.73, 86.68]);
    assert_eq!(percents(&(&x - 10.0).softmax(0)), vec![1.59, 11.73, 86.68]);
    assert_eq!(
        percents(&tensor!([-1., 2., 3.]).softmax(0)),
        vec![1.32, 26.54, 72.14]
    );
    // the intermediate total of the table: e⁻¹ + e¹ + e³ = 23.172
    assert!((x.exp().sum().item() - 23.172).abs() < 1e-3);
}

/// Chapter 9.4: exp overflows f32 above ln(3.4028e38) ≈ 88.72, yet the
/// max-subtracted softmax and the fused cross-entropy stay finite.
#[test]
fn chapter_9_4_numerical_stability() {
    let big = tensor!([80., 89., 90.]);
    let e = big.exp().to_vec();
    assert!(e[0].is_finite() && e[1].is_infinite() && e[2].is_infinite());
    assert!((f32::MAX.ln() - 88.72).abs() < 0.01);
    // 0.003 %, 26.893 %, 73.103 %
    let p = big.softmax(0).to_vec();
    assert!(
        (p[1] - 0.26893).abs() < 1e-5 && (p[2] - 0.73103).abs() < 1e-5,
        "{p:?}"
    );
    for logits in [tensor!([[80., 89., 90.]]), tensor!([[2., 89., 90.]])] {
        for target in 0..3 {
            let loss = F::cross_entropy(&logits, &[target]);
            assert!(loss.item().is_finite(), "{logits} target {target}");
        }
    }
    // −log_softmax of the class at 2 is 88 + ln(1.367879) ≈ 88.3133, not ∞
    let ls = tensor!([2., 89., 90.]).log_softmax(0).to_vec();
    assert!((ls[0] + 88.3133).abs() < 1e-3, "{ls:?}");
    let x = tensor!([[1000., -1000., 0.]]).requires_grad_();
    let loss = F::cross_entropy(&x, &[1]);
    loss.backward();
    assert!((loss.item() - 2000.0).abs() < 1e-2);
    assert!(x.grad().unwrap().to_vec().iter().all(|g| g.is_finite()));
}

/// Chapter 8.4.1: the margin loss of three images with Δ = 1. The course's
/// table gives 7, 5 and 0 per image but a total of 15: the sum is 12.
#[test]
fn chapter_8_4_1_margin_loss_table() {
    let scores = tensor!([[5., 4., 2.], [4., 2., 8.], [4., 5., 1.]]);
    let cats = [2usize, 0, 1];
    let per_image: Vec<f32> = (0..3)
        .map(|i| {
            let row = scores.slice(s![i..i + 1, ..]);
            F::margin_loss_with(&row, &cats[i..i + 1], 1.0, Reduction::Sum).item()
        })
        .collect();
    assert_eq!(per_image, vec![7., 5., 0.]);
    assert_eq!(
        F::margin_loss_with(&scores, &cats, 1.0, Reduction::Sum).item(),
        12.0
    );
}
