// Checks of the demo notebook (solutions/demo.ipynb): one function per graded cell id,
// registered in CHECKS (the id is the cell's `metadata.grader.id`).
//
// Rules for every checks file (the grader compiles it inside each submission's project):
// - a check is a probe: it calls the answers and records what they give with `close`,
//   `close_tensor`, `ensure` and `observe_text` (grader/template/support.rs); the grader runs
//   it against the student's answers and against the reference answers of solutions/ with
//   the same seed, and compares the two lists itself (grader/src/compare.rs). Record every
//   value the verdict depends on: a value computed but never recorded is not compared;
// - reach the student's items ONLY as `answers::name`, never through a glob import, and bind
//   their results to concrete types (`let got: f32 = answers::f(…)`);
// - draw random inputs after `seed(k)` (the grader's seed for the run mixed with k), never
//   `manual_seed`: inputs then change from run to run, the same for student and reference;
// - labels are French; a label that names the course (« du cours ») shows the expected
//   value in the report (the course prints it), others show only what the student obtained;
// - in scope: `apprentissage::prelude::*`, the helpers of grader/template/support.rs
//   (`close`, `close_tensor`, `ensure`, `observe_text`, `seed`, `data_dir()` for datasets).
// A check runs in its own process (default limits: 60 s, 2 GiB; `.timeout_secs(…)`,
// `.memory_mib(…)`), with OPENBLAS_NUM_THREADS=1, in a scratch directory.

pub const CHECKS: &[Check] = &[
    Check::new("2.4-gradient", gradient).timeout_secs(30),
    Check::new("9.1-softmax", softmax).timeout_secs(30),
];

/// f(a, b) = (2a + 5b)(3ab) = 6a²b + 15ab², so ∂f/∂a = 12ab + 15b² and ∂f/∂b = 6a² + 30ab.
fn gradient() -> Result<(), String> {
    let got: (f32, f32) = answers::gradient_f(2.0, 1.0);
    close("∂f/∂x0 en (2, 1), l'exemple du cours", got.0, 39.0, 1e-3)?;
    close("∂f/∂x1 en (2, 1), l'exemple du cours", got.1, 84.0, 1e-3)?;
    for (a, b) in [(0.5f32, -1.0f32), (-3.0, 2.0), (1.5, 0.25)] {
        let got: (f32, f32) = answers::gradient_f(a, b);
        let want = (12.0 * a * b + 15.0 * b * b, 6.0 * a * a + 30.0 * a * b);
        close(&format!("∂f/∂x0 en ({a}, {b})"), got.0, want.0, 1e-3)?;
        close(&format!("∂f/∂x1 en ({a}, {b})"), got.1, want.1, 1e-3)?;
    }
    Ok(())
}

fn softmax() -> Result<(), String> {
    let x = tensor!([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]);
    let got: Tensor = answers::softmax_lignes(&x);
    let e = [1f32.exp(), 2f32.exp(), 3f32.exp()];
    let s: f32 = e.iter().sum();
    let want = Tensor::from_vec(
        vec![
            e[0] / s,
            e[1] / s,
            e[2] / s,
            1.0 / 3.0,
            1.0 / 3.0,
            1.0 / 3.0,
        ],
        &[2, 3],
    );
    close_tensor("softmax_lignes([[1, 2, 3], [0, 0, 0]])", &got, &want, 1e-5)?;

    seed(0);
    let x = Tensor::randn(&[4, 5]) * 3.0;
    let got: Tensor = answers::softmax_lignes(&x);
    close_tensor(
        "softmax d'un tenseur 4×5 tiré au hasard",
        &got,
        &x.softmax(1),
        1e-5,
    )?;

    let big = tensor!([[1000.0, 1000.0, 1001.0]]);
    let got: Tensor = answers::softmax_lignes(&big);
    ensure(got.to_vec().iter().all(|v| v.is_finite()), || {
        format!("softmax_lignes([[1000, 1000, 1001]]) donne {got} : pensez à soustraire le maximum de chaque ligne avant exp")
    })?;
    close_tensor(
        "softmax_lignes([[1000, 1000, 1001]])",
        &got,
        &big.softmax(1),
        1e-5,
    )?;

    // Differentiable: the gradient of Σ w·softmax(x) must match the library's softmax.
    seed(1);
    let w = Tensor::randn(&[4, 5]);
    let x1 = (Tensor::randn(&[4, 5]) * 2.0).requires_grad_();
    let x2 = x1.detach().requires_grad_();
    let out: Tensor = answers::softmax_lignes(&x1);
    ensure(out.requires_grad(), || {
        "le résultat ne demande pas de gradient : utilisez les opérations des tenseurs (pas to_vec) pour qu'il reste dérivable".to_string()
    })?;
    (&out * &w).sum().backward();
    (&x2.softmax(1) * &w).sum().backward();
    let (g1, g2) = (x1.grad(), x2.grad());
    let g1 = g1.ok_or("aucun gradient n'arrive jusqu'aux scores après backward()")?;
    close_tensor(
        "gradient de Σ w·softmax_lignes(x) par rapport à x",
        &g1,
        &g2.unwrap(),
        1e-4,
    )
}
