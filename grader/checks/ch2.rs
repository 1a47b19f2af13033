// Checks of chapter 2 (solutions/ch2.ipynb): one function per graded cell id.
// Rules: see grader/checks/demo.rs (student items only as `answers::x`, concrete types,
// French messages with what was expected and what was obtained).

pub const CHECKS: &[Check] = &[
    Check::new("2.5.1-descente", descente_1d).timeout_secs(30),
    Check::new("2.5.2-descente", descente_2d).timeout_secs(30),
    Check::new("2.5.3-main", main_253).timeout_secs(30),
    Check::new("2.5.3-autograd", autograd_253).timeout_secs(30),
    Check::new("2.5.4-r", descente_r).timeout_secs(30),
    Check::new("2.5.4-r2", descente_r2).timeout_secs(30),
    Check::new("2.5.4-max", descente_max).timeout_secs(30),
];

/// Absolute tolerance scaled by the size of the expected value.
fn tol(want: f32) -> f32 {
    1e-4 * (1.0 + want.abs())
}

fn descente_1d() -> Result<(), String> {
    let got: f32 = answers::err_1d(3.0, 5.0);
    close("err_1d(3, 5), Err(a0) du cours", got, 41.0, 1e-4)?;
    let got: f32 = answers::derivee_1d(3.0, 5.0);
    close("derivee_1d(3, 5), Err'(a0) du cours", got, 13.0, 1e-4)?;
    let got: f32 = answers::iteration_1d(3.0, 5.0, 1.0 / 13.0);
    close("iteration_1d(3, 5, 1/13), a1 du cours", got, 4.0, 1e-4)?;
    let got: f32 = answers::err_1d(3.0, 4.0);
    close("err_1d(3, 4), Err(a1) du cours", got, 29.0, 1e-4)?;
    for (x, a, pas) in [
        (-2.0f32, 1.5f32, 0.1f32),
        (0.5, -3.0, 0.25),
        (7.0, 0.0, 1.0),
    ] {
        let got: f32 = answers::err_1d(x, a);
        let want = a * a + a * x + 1.0;
        close(&format!("err_1d({x}, {a})"), got, want, tol(want))?;
        let got: f32 = answers::derivee_1d(x, a);
        let want = 2.0 * a + x;
        close(
            &format!("derivee_1d({x}, {a}) (dérivée par rapport à a)"),
            got,
            want,
            tol(want),
        )?;
        let got: f32 = answers::iteration_1d(x, a, pas);
        let want = a - pas * (2.0 * a + x);
        close(
            &format!("iteration_1d({x}, {a}, pas = {pas}) : a − pas·Err'(a)"),
            got,
            want,
            tol(want),
        )?;
    }
    Ok(())
}

/// The property only (no value recorded): for steps after a kink, where a correct answer
/// may leave the reference's path. The expected pair is shown only for the course's examples.
fn pair_propriete(what: &str, got: (f32, f32), want: (f32, f32)) -> Result<(), String> {
    ensure(
        (got.0 - want.0).abs() <= tol(want.0) && (got.1 - want.1).abs() <= tol(want.1),
        || {
            if what.contains("du cours") {
                format!("{what} : attendu {want:?} (à 1e-4 près en relatif), obtenu {got:?}")
            } else {
                format!("{what} : obtenu {got:?}, ce n'est pas la valeur attendue (à 1e-4 près en relatif)")
            }
        },
    )
}

/// The property, then both values recorded for the comparison with the reference.
fn pair(what: &str, got: (f32, f32), want: (f32, f32)) -> Result<(), String> {
    pair_propriete(what, got, want)?;
    close(
        &format!("{what}, première composante"),
        got.0,
        want.0,
        tol(want.0),
    )?;
    close(
        &format!("{what}, seconde composante"),
        got.1,
        want.1,
        tol(want.1),
    )
}

fn descente_2d() -> Result<(), String> {
    let got: f32 = answers::err_2d(6.0, 3.0, 2.0);
    close(
        "err_2d(6, 3, 2) = 3² + 2×6 + 1 (le document écrit à tort 21)",
        got,
        22.0,
        1e-4,
    )?;
    let got: (f32, f32) = answers::gradient_2d(6.0, 3.0, 2.0);
    pair(
        "gradient_2d(6, 3, 2), ∇Err(a0, b0) du cours",
        got,
        (6.0, 6.0),
    )?;
    let got: (f32, f32) = answers::iteration_2d(6.0, 3.0, 2.0, 1.0 / 6.0);
    pair(
        "iteration_2d(6, 3, 2, 1/6), (a1, b1) du cours",
        got,
        (2.0, 1.0),
    )?;
    let got: f32 = answers::err_2d(6.0, 2.0, 1.0);
    close("err_2d(6, 2, 1), Err(a1, b1) du cours", got, 11.0, 1e-4)?;
    let got: (f32, f32) = answers::iteration_2d(6.0, 3.0, 2.0, 4.0);
    pair(
        "iteration_2d(6, 3, 2, 4) : (3, 2) − 4·(6, 6) (le document écrit à tort (−19, −20))",
        got,
        (-21.0, -22.0),
    )?;
    let got: f32 = answers::err_2d(6.0, -21.0, -22.0);
    close(
        "err_2d(6, −21, −22) (le document écrit à tort 242)",
        got,
        310.0,
        1e-3,
    )?;
    for (x, a, b, pas) in [(-2.0f32, 1.5f32, 0.5f32, 0.1f32), (0.5, -3.0, 4.0, 0.25)] {
        let got: f32 = answers::err_2d(x, a, b);
        let want = a * a + b * x + 1.0;
        close(&format!("err_2d({x}, {a}, {b})"), got, want, tol(want))?;
        let got: (f32, f32) = answers::gradient_2d(x, a, b);
        pair(&format!("gradient_2d({x}, {a}, {b})"), got, (2.0 * a, x))?;
        let got: (f32, f32) = answers::iteration_2d(x, a, b, pas);
        pair(
            &format!("iteration_2d({x}, {a}, {b}, pas = {pas})"),
            got,
            (a - pas * 2.0 * a, b - pas * x),
        )?;
    }
    Ok(())
}

/// ∇f for f(x0, x1) = (x0·x1 + |x1|)², x1 ≠ 0.
fn gradient_253(x0: f32, x1: f32) -> (f32, f32) {
    let u = x0 * x1 + x1.abs();
    (2.0 * u * x1, 2.0 * u * (x0 + x1.signum()))
}

const POINTS_253: [(f32, f32); 4] = [(1.0, 2.0), (-2.0, 0.5), (0.5, -3.0), (-1.5, -0.25)];

fn main_253() -> Result<(), String> {
    let got: (f32, f32) = answers::gradient_a_la_main(3.0, -1.0);
    pair(
        "gradient_a_la_main(3, −1), l'exemple du cours",
        got,
        (4.0, -8.0),
    )?;
    for (x0, x1) in POINTS_253 {
        let got: (f32, f32) = answers::gradient_a_la_main(x0, x1);
        pair(
            &format!("gradient_a_la_main({x0}, {x1})"),
            got,
            gradient_253(x0, x1),
        )?;
    }
    Ok(())
}

fn autograd_253() -> Result<(), String> {
    let got: (f32, f32) = answers::gradient_autograd(3.0, -1.0);
    pair(
        "gradient_autograd(3, −1), l'exemple du cours",
        got,
        (4.0, -8.0),
    )?;
    for (x0, x1) in POINTS_253 {
        let got: (f32, f32) = answers::gradient_autograd(x0, x1);
        pair(
            &format!("gradient_autograd({x0}, {x1})"),
            got,
            gradient_253(x0, x1),
        )?;
    }
    Ok(())
}

/// Common checks of a path of iterates: length n + 1, starts at `start`, and each step is
/// p − pas·∇f(p) at the student's own previous point (skipped where `skip(p)`: on a kink).
fn check_path(
    name: &str,
    path: &[(f32, f32)],
    start: (f32, f32),
    pas: f32,
    n: usize,
    grad: fn(f32, f32) -> (f32, f32),
    skip: fn(f32, f32) -> bool,
) -> Result<(), String> {
    ensure(path.len() == n + 1, || {
        format!(
            "{name} : {n} pas doivent donner {} itérés (départ compris), obtenu {}",
            n + 1,
            path.len()
        )
    })?;
    observe_text(
        &format!("{name} : nombre d'itérés"),
        &path.len().to_string(),
    );
    pair(
        &format!("{name} : premier itéré (le départ)"),
        path[0],
        start,
    )?;
    // values are recorded up to the first kink; after it, a correct path may leave the
    // reference's (either one-sided gradient is accepted) and only the property is checked
    let mut suit_la_reference = true;
    for k in 0..n {
        let (x, y) = path[k];
        if skip(x, y) {
            suit_la_reference = false;
            continue;
        }
        let (gx, gy) = grad(x, y);
        let want = (x - pas * gx, y - pas * gy);
        let what = format!(
            "{name} : itéré {} (un pas de descente depuis l'itéré {k})",
            k + 1
        );
        if suit_la_reference {
            pair(&what, path[k + 1], want)?;
        } else {
            pair_propriete(&format!("{what} = ({x}, {y})"), path[k + 1], want)?;
        }
    }
    Ok(())
}

fn descente_r() -> Result<(), String> {
    for x in [-4.0f32, -1.5, 0.0, 2.5] {
        let got: f32 = answers::derivee_r(x);
        close(
            &format!("derivee_r({x}), la dérivée de x² + 3x + 1"),
            got,
            2.0 * x + 3.0,
            1e-4,
        )?;
    }
    for (x0, pas, n) in [(5.0f32, 0.3f32, 8usize), (-4.0, 0.1, 20), (1.0, 0.9, 5)] {
        let got: Vec<f32> = answers::descente_r(x0, pas, n);
        let path: Vec<(f32, f32)> = got.iter().map(|&x| (x, 0.0)).collect();
        check_path(
            &format!("descente_r({x0}, {pas}, {n})"),
            &path,
            (x0, 0.0),
            pas,
            n,
            |x, _| (2.0 * x + 3.0, 0.0),
            |_, _| false,
        )?;
    }
    let got: Vec<f32> = answers::descente_r(5.0, 0.3, 0);
    ensure(got.len() == 1, || {
        format!("descente_r(5, 0.3, 0) : 0 pas donnent 1 itéré (le départ), obtenu {got:?}")
    })?;
    observe_text("descente_r(5, 0.3, 0) : itérés", &format!("{got:?}"));
    Ok(())
}

fn descente_r2() -> Result<(), String> {
    for (x, y) in [(-1.8f32, 0.9f32), (0.5, -2.0)] {
        let got: (f32, f32) = answers::gradient_r2(x, y);
        pair(
            &format!("gradient_r2({x}, {y}), le gradient de x² + 8y²"),
            got,
            (2.0 * x, 16.0 * y),
        )?;
    }
    for (start, pas, n) in [
        ((-1.8f32, 0.9f32), 0.11f32, 15usize),
        ((1.0, -0.5), 0.05, 10),
    ] {
        let got: Vec<(f32, f32)> = answers::descente_r2(start, pas, n);
        check_path(
            &format!("descente_r2({start:?}, {pas}, {n})"),
            &got,
            start,
            pas,
            n,
            |x, y| (2.0 * x, 16.0 * y),
            |_, _| false,
        )?;
    }
    Ok(())
}

fn grad_max(x: f32, y: f32) -> (f32, f32) {
    if x.abs() >= 2.0 * (y - 0.5).abs() {
        (x.signum() + 0.3, 0.0)
    } else {
        (0.3, 2.0 * (y - 0.5).signum())
    }
}

/// Near an edge of the max (or of an absolute value), both one-sided gradients are fine.
fn on_kink(x: f32, y: f32) -> bool {
    (x.abs() - 2.0 * (y - 0.5).abs()).abs() < 1e-3 || x.abs() < 1e-4 || (y - 0.5).abs() < 1e-4
}

fn descente_max() -> Result<(), String> {
    for (x, y) in [(1.8f32, -1.5f32), (-1.0, 0.6), (0.2, 1.5), (0.1, -0.8)] {
        let got: (f32, f32) = answers::gradient_max(x, y);
        pair(
            &format!(
                "gradient_max({x}, {y}) (ici {} l'emporte dans le max)",
                if x.abs() >= 2.0 * (y - 0.5).abs() {
                    "|x|"
                } else {
                    "2|y − 0.5|"
                }
            ),
            got,
            grad_max(x, y),
        )?;
    }
    for (start, pas, n) in [
        ((1.8f32, -1.5f32), 0.12f32, 25usize),
        ((-1.7, 1.9), 0.1, 20),
    ] {
        let got: Vec<(f32, f32)> = answers::descente_max(start, pas, n);
        check_path(
            &format!("descente_max({start:?}, {pas}, {n})"),
            &got,
            start,
            pas,
            n,
            grad_max,
            on_kink,
        )?;
    }
    Ok(())
}
