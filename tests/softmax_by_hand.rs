//! A softmax written by hand from the engine's ops must have the library
//! softmax's gradient (the grader's demo check relies on it).

use apprentissage::gradcheck::gradcheck;
use apprentissage::prelude::*;

fn softmax_rows(scores: &Tensor) -> Tensor {
    let shifted = scores - &scores.max_dim(1, true).detach();
    let e = shifted.exp();
    &e / &e.sum_dim(1, true)
}

#[test]
fn hand_written_softmax_has_the_library_gradient() {
    let x = Tensor::from_vec(
        (0..20)
            .map(|i| ((i * 7) % 11) as f32 * 0.37 - 1.5)
            .collect(),
        &[4, 5],
    );
    gradcheck(|t: &[Tensor]| softmax_rows(&t[0]), std::slice::from_ref(&x)).unwrap();
    gradcheck(|t: &[Tensor]| t[0].softmax(1), std::slice::from_ref(&x)).unwrap();
    let w = Tensor::from_vec(
        (0..20).map(|i| ((i * 5) % 7) as f32 - 3.0).collect(),
        &[4, 5],
    );
    let (x1, x2) = (x.detach().requires_grad_(), x.detach().requires_grad_());
    (&softmax_rows(&x1) * &w).sum().backward();
    (&x2.softmax(1) * &w).sum().backward();
    let (g1, g2) = (x1.grad().unwrap().to_vec(), x2.grad().unwrap().to_vec());
    for (a, b) in g1.iter().zip(&g2) {
        assert!((a - b).abs() < 1e-5, "{g1:?}\n{g2:?}");
    }
}
