// Checks of chapter 6 (solutions/ch6.ipynb), exercise 6.5: one function per graded cell id.
// Rules: see the header of grader/checks/demo.rs.

pub const CHECKS: &[Check] = &[
    Check::new("6.5-fonctions", fonctions).timeout_secs(30),
    Check::new("6.5-descente", descente).timeout_secs(60),
    Check::new("6.5-sans-boucle", sans_boucle).timeout_secs(30),
];

/// The distances |x − y| of the two samples whose answer is 1 (the others give 0 error).
const DISTANCES: [f32; 2] = [2.0, 9.0];

/// ErrTot(a) = Σ (min(a·d, 1) − 1)² over the two "different" samples.
fn err_tot_ref(a: f32) -> f32 {
    DISTANCES
        .iter()
        .map(|d| ((a * d).min(1.0) - 1.0).powi(2))
        .sum()
}

/// dErrTot/da (0 on the clipped side).
fn grad_ref(a: f32) -> f32 {
    DISTANCES
        .iter()
        .map(|d| {
            if a * d < 1.0 {
                2.0 * (a * d - 1.0) * d
            } else {
                0.0
            }
        })
        .sum()
}

/// The reference loop: ErrTot at each iteration, stopping at ErrTot ≤ 1e-6.
fn descente_ref(pas: f32, max_iterations: usize) -> Vec<f32> {
    let mut a = 0.0f32;
    let mut erreurs = Vec::new();
    for _ in 0..max_iterations {
        let e = err_tot_ref(a);
        erreurs.push(e);
        if e <= 1e-6 {
            break;
        }
        a -= pas * grad_ref(a);
    }
    erreurs
}

fn fonctions() -> Result<(), String> {
    for (x, y, a, want) in [
        (4.0f32, 2.0f32, 0.3f32, 0.6f32),
        (6.0, -3.0, 0.3, 1.0),
        (1.0, 1.0, 5.0, 0.0),
        (2.0, 4.0, 0.1, 0.2),
    ] {
        let got: Tensor = answers::f(&tensor!(x), &tensor!(y), &tensor!(a));
        ensure(got.numel() == 1, || {
            format!(
                "f({x}, {y}, {a}) doit rendre un seul nombre, obtenu la forme {:?}",
                got.shape()
            )
        })?;
        close(
            &format!("f({x}, {y}, {a}) = min({a}·|{x} − {y}|, 1)"),
            got.item(),
            want,
            1e-5,
        )?;
    }
    let x = tensor!([4., 6., 1., 3.]);
    let y = tensor!([2., -3., 1., 3.]);
    let got: Tensor = answers::f(&x, &y, &tensor!(0.1));
    close_tensor(
        "f sur les quatre échantillons à la fois avec a = 0.1",
        &got,
        &tensor!([0.2, 0.9, 0., 0.]),
        1e-5,
    )?;
    for (a0, want) in [(0.1f32, 11.0f32), (0.3, 2.0), (2.0, 0.0)] {
        let a = tensor!(a0).requires_grad_();
        let out: Tensor = answers::f(&x, &y, &a);
        ensure(out.requires_grad(), || {
            "f(x, y, a) ne demande pas de gradient alors que a en demande un : calculez avec les opérations des tenseurs (abs, minimum, *), sans passer par des f32".to_string()
        })?;
        out.sum().backward();
        let g = a
            .grad()
            .ok_or("aucun gradient n'arrive jusqu'à a après backward()")?;
        close(
            &format!("dérivée par rapport à a de Σ f(xᵢ, yᵢ, a) sur les quatre échantillons, en a = {a0}"),
            g.item(),
            want,
            1e-4,
        )?;
    }

    let got: Tensor = answers::err(&tensor!(0.6), &tensor!(1.));
    close("err(0.6, 1) = (0.6 − 1)²", got.item(), 0.16, 1e-5)?;
    let got: Tensor = answers::err(&tensor!([0.2, 0.9, 0.5, 0.]), &tensor!([1., 1., 0., 0.]));
    close_tensor(
        "err([0.2, 0.9, 0.5, 0], [1, 1, 0, 0])",
        &got,
        &tensor!([0.64, 0.01, 0.25, 0.]),
        1e-5,
    )?;
    let e = tensor!(0.6).requires_grad_();
    let out: Tensor = answers::err(&e, &tensor!(1.));
    ensure(out.requires_grad(), || {
        "err(estim, ref) ne demande pas de gradient alors que estim en demande un".to_string()
    })?;
    out.sum().backward();
    let g = e
        .grad()
        .ok_or("aucun gradient n'arrive jusqu'à estim après backward()")?;
    close(
        "dérivée de err(estim, 1) en estim = 0.6, soit 2·(0.6 − 1)",
        g.item(),
        -0.8,
        1e-5,
    )
}

fn compare_listes(quoi: &str, got: &[f32], want: &[f32]) -> Result<(), String> {
    ensure(got.len() == want.len(), || {
        format!(
            "{quoi} : attendu {} valeurs de ErrTot, obtenu {}\n  obtenu : {got:?}",
            want.len(),
            got.len()
        )
    })?;
    observe_text(
        &format!("{quoi} : nombre de valeurs de ErrTot"),
        &got.len().to_string(),
    );
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let tol = 1e-4 * w.abs().max(1.0);
        ensure((g - w).abs() <= tol, || {
            format!(
                "{quoi} : à l'itération {i}, ErrTot obtenu {g}, ce n'est pas la valeur attendue (à {tol} près)\n  obtenu : {got:?}{}",
                if i >= 2 { "\n  (si les premières valeurs sont justes : pensez à remettre le gradient de a à zéro après chaque pas)" } else { "" }
            )
        })?;
        close(&format!("{quoi} : ErrTot à l'itération {i}"), *g, *w, tol)?;
    }
    Ok(())
}

fn descente() -> Result<(), String> {
    let got: Vec<f32> = answers::descente(0.001, 6);
    compare_listes(
        "descente(0.001, 6), en partant de a = 0",
        &got,
        &descente_ref(0.001, 6),
    )?;
    let got: Vec<f32> = answers::descente(0.05, 10);
    compare_listes(
        "descente(0.05, 10) (ErrTot = 0 dès la deuxième itération : la liste doit s'arrêter là)",
        &got,
        &descente_ref(0.05, 10),
    )?;
    // a step drawn after seed(7): the values change from run to run
    seed(7);
    let pas_tire = 0.002 + 0.018 * Tensor::rand(&[1]).to_vec()[0];
    let got: Vec<f32> = answers::descente(pas_tire, 12);
    compare_listes(
        &format!("descente({pas_tire}, 12), en partant de a = 0"),
        &got,
        &descente_ref(pas_tire, 12),
    )?;

    let pas: f32 = answers::pas_choisi();
    ensure(pas.is_finite() && pas > 0.0, || {
        format!("pas_choisi() doit être un nombre positif, obtenu {pas}")
    })?;
    let reference = descente_ref(pas, 100);
    let got: Vec<f32> = answers::descente(pas, 100);
    let fin = got.last().copied().unwrap_or(f32::NAN);
    ensure(!got.is_empty() && fin <= 1e-6 && got.len() < 100, || {
        format!(
            "avec pas_choisi() = {pas}, descente(pas, 100) doit converger (ErrTot ≤ 1e-6) en moins de 100 itérations : obtenu {} itération(s), ErrTot finale {fin}{}",
            got.len(),
            if reference.len() >= 100 { " ; ce pas est trop petit, essayez plus grand" } else { "" }
        )
    })?;
    ensure(
        reference.len() < 100 && reference.last().is_some_and(|e| *e <= 1e-6),
        || {
            format!(
            "avec pas_choisi() = {pas}, la descente de référence ne converge pas en moins de 100 itérations ({} itérations) : votre boucle ne fait pas une vraie descente du gradient",
            reference.len()
        )
        },
    )?;
    ensure(got.len().abs_diff(reference.len()) <= 1, || {
        format!(
            "avec pas_choisi() = {pas} : attendu environ {} itérations, votre boucle en fait {}",
            reference.len(),
            got.len()
        )
    })
}

fn sans_boucle() -> Result<(), String> {
    for a0 in [0.0f32, 0.05, 0.3, 0.7] {
        let a = tensor!(a0).requires_grad_();
        let got: Tensor = answers::erreur_totale(&a);
        ensure(got.numel() == 1, || {
            format!(
                "erreur_totale({a0}) doit rendre un seul nombre, obtenu la forme {:?}",
                got.shape()
            )
        })?;
        close(
            &format!("erreur_totale({a0})"),
            got.item(),
            err_tot_ref(a0),
            1e-4,
        )?;
        if a0 >= 0.5 {
            continue; // ErrTot = 0 and no gradient needed: min is clipped everywhere
        }
        ensure(got.grad_fn() == Some("SumBackward0"), || {
            format!(
                "erreur_totale({a0}) : le résultat doit venir d'une seule somme `.sum()` sur le tenseur des quatre erreurs (grad_fn SumBackward0), son grad_fn est {:?}",
                got.grad_fn()
            )
        })?;
        got.backward();
        let g = a
            .grad()
            .ok_or("aucun gradient n'arrive jusqu'à a après backward()")?;
        close(
            &format!("dErrTot/da en a = {a0}"),
            g.item(),
            grad_ref(a0),
            1e-3,
        )?;
    }
    Ok(())
}
