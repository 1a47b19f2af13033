// Checks of chapter 9 (solutions/ch9.ipynb): softmax, entropy, cross-entropy, stable
// log_softmax and nll, each compared with the library (values and gradients).
// Rules: see the header of grader/checks/demo.rs.

pub const CHECKS: &[Check] = &[
    Check::new("9.1-softmax", softmax).timeout_secs(30),
    Check::new("9.2-entropie", entropie).timeout_secs(30),
    Check::new("9.3-entropie-croisee", entropie_croisee).timeout_secs(30),
    Check::new("9.4-log-softmax", log_softmax).timeout_secs(30),
    Check::new("9.4-nll", nll).timeout_secs(30),
    Check::new("9.5-q10", q10).timeout_secs(30),
];

/// The gradient of Σ w·f(x) with respect to x, for a fixed random w.
fn gradient(f: impl Fn(&Tensor) -> Tensor, x: &Tensor, w: &Tensor) -> Result<Tensor, String> {
    let x = x.detach().requires_grad_();
    let out = f(&x);
    ensure(out.requires_grad(), || {
        "le résultat ne demande pas de gradient : utilisez les opérations des tenseurs \
         (exp, sum_dim, log, gather…), pas to_vec, pour qu'il reste dérivable"
            .to_string()
    })?;
    (&out * w).sum().backward();
    x.grad()
        .ok_or_else(|| "aucun gradient n'arrive jusqu'aux scores après backward()".to_string())
}

fn softmax() -> Result<(), String> {
    let x = tensor!([
        [-1., 1., 3.],
        [-1., 2., 3.],
        [9., 11., 13.],
        [-11., -9., -7.]
    ]);
    let got: Tensor = answers::ma_softmax(&x);
    close_tensor(
        "ma_softmax des quatre lignes des tableaux du cours",
        &got,
        &x.softmax(1),
        1e-5,
    )?;
    seed(90);
    let x = Tensor::randn(&[4, 6]) * 3.0;
    let got: Tensor = answers::ma_softmax(&x);
    close_tensor(
        "ma_softmax d'un tenseur 4×6 tiré au hasard (chaque LIGNE doit sommer à 1)",
        &got,
        &x.softmax(1),
        1e-5,
    )?;
    let w = Tensor::randn(&[4, 6]);
    let g = gradient(|t| answers::ma_softmax(t), &x, &w)?;
    let want = gradient(|t| t.softmax(1), &x, &w)?;
    close_tensor(
        "gradient de Σ w·ma_softmax(x) par rapport à x",
        &g,
        &want,
        1e-4,
    )
}

/// The entropy of a box with a proportion r of red marbles, in nats.
fn h2(r: f64) -> f64 {
    -(r * r.ln() + (1.0 - r) * (1.0 - r).ln())
}

fn entropie() -> Result<(), String> {
    // and a distribution of 5 outcomes drawn after seed(2): it changes from run to run
    seed(2);
    let tirage: Vec<f64> = Tensor::rand(&[5])
        .to_vec()
        .iter()
        .map(|&v| 0.05 + v as f64)
        .collect();
    let somme: f64 = tirage.iter().sum();
    let tirage: Vec<f64> = tirage.iter().map(|v| v / somme).collect();
    let h_tirage: f64 = -tirage.iter().map(|p| p * p.ln()).sum::<f64>();
    let cas: [(&str, Vec<f64>, f64); 6] = [
        (
            "la boîte de gauche (26/30, 4/30), du cours",
            vec![26.0 / 30.0, 4.0 / 30.0],
            h2(26.0 / 30.0),
        ),
        (
            "la boîte du centre (14/30, 16/30), du cours",
            vec![14.0 / 30.0, 16.0 / 30.0],
            h2(14.0 / 30.0),
        ),
        ("la boîte de droite (0, 1), du cours", vec![0.0, 1.0], 0.0),
        ("quatre issues équiprobables", vec![0.25; 4], 4f64.ln()),
        (
            "(0.5, 0, 0.5) : le terme nul doit être sauté",
            vec![0.5, 0.0, 0.5],
            2f64.ln(),
        ),
        ("une loi de 5 issues tirée au hasard", tirage, h_tirage),
    ];
    for (quoi, p, want) in cas {
        let got: f64 = answers::entropie(&p);
        if want > 0.0 && (got - want / 2f64.ln()).abs() < 1e-6 {
            return Err(format!(
                "entropie({p:?}) = {got} : c'est la valeur avec log₂ ; les nombres du cours (et PyTorch) \
                 utilisent le logarithme népérien ln, attendu {want:.6}"
            ));
        }
        ensure((got - want).abs() <= 1e-6, || {
            if quoi.contains("du cours") {
                format!("entropie de {quoi} : attendu {want:.6} (à 1e-6 près), obtenu {got}")
            } else {
                format!("entropie de {quoi} : obtenu {got}, ce n'est pas la valeur attendue (à 1e-6 près)")
            }
        })?;
        // recorded in f32: the tolerance covers the rounding
        close(
            &format!("entropie de {quoi}"),
            got as f32,
            want as f32,
            2e-6,
        )?;
    }
    Ok(())
}

fn entropie_croisee() -> Result<(), String> {
    seed(91);
    let scores = Tensor::randn(&[8, 10]) * 2.0;
    let labels = tensor!([3., 1., 4., 1., 5., 9., 2., 6.]);
    let got: Tensor = answers::entropie_croisee(&scores, &labels);
    ensure(got.numel() == 1, || {
        format!(
            "entropie_croisee doit renvoyer un seul nombre (la moyenne sur le lot), obtenu la forme {:?}",
            got.shape()
        )
    })?;
    let want = F::cross_entropy(&scores, &labels).item();
    let g = got.to_vec()[0];
    if (g - 8.0 * want).abs() < 1e-3 {
        return Err(format!(
            "entropie_croisee = {g} : c'est la somme sur les 8 lignes ; attendu la moyenne, {want}"
        ));
    }
    close(
        "entropie_croisee d'un lot de 8 lignes de 10 scores, comparée à F::cross_entropy (elle utilise ma_softmax, qui doit être juste)",
        g,
        want,
        1e-4,
    )?;
    let one = tensor!([[1., 2., 3.]]);
    let got: Tensor = answers::entropie_croisee(&one, &tensor!([0.]));
    close(
        "entropie_croisee([[1, 2, 3]], bonne catégorie 0) = −ln(0.0900)",
        got.to_vec()[0],
        2.407_606,
        1e-4,
    )?;
    let w = Tensor::ones(&[1]);
    let grad = gradient(
        |t| answers::entropie_croisee(t, &labels).reshape(&[1]),
        &scores,
        &w,
    )?;
    let want = gradient(|t| F::cross_entropy(t, &labels).reshape(&[1]), &scores, &w)?;
    close_tensor(
        "gradient de entropie_croisee par rapport aux scores (softmax − onehot, divisé par N)",
        &grad,
        &want,
        1e-4,
    )
}

fn log_softmax() -> Result<(), String> {
    seed(92);
    let x = Tensor::randn(&[5, 7]) * 3.0;
    let got: Tensor = answers::mon_log_softmax(&x);
    close_tensor(
        "mon_log_softmax d'un tenseur 5×7 tiré au hasard, comparé à F::log_softmax",
        &got,
        &F::log_softmax(&x, 1),
        1e-4,
    )?;
    let big = tensor!([
        [80., 89., 90.],
        [2., 89., 90.],
        [2., 109., 110.],
        [1000., 0., -1000.]
    ]);
    let got: Tensor = answers::mon_log_softmax(&big);
    ensure(got.to_vec().iter().all(|v| v.is_finite()), || {
        format!(
            "mon_log_softmax des scores du cours (80, 89, 90), (2, 109, 110)… donne des valeurs infinies \
             ou NaN :\n{got}\nsoustrayez le maximum de chaque ligne, puis calculez x' − ln(Σ exp(x'))"
        )
    })?;
    close_tensor(
        "mon_log_softmax de scores très écartés ([[80, 89, 90], [2, 89, 90], [2, 109, 110], [1000, 0, −1000]])",
        &got,
        &F::log_softmax(&big, 1),
        1e-3,
    )?;
    let w = Tensor::randn(&[5, 7]);
    let g = gradient(|t| answers::mon_log_softmax(t), &x, &w)?;
    let want = gradient(|t| F::log_softmax(t, 1), &x, &w)?;
    close_tensor(
        "gradient de Σ w·mon_log_softmax(x) par rapport à x",
        &g,
        &want,
        1e-4,
    )
}

fn nll() -> Result<(), String> {
    let logp = tensor!([[-0.5, -1., -2.], [-3., -0.25, -1.5]]);
    let got: Tensor = answers::mon_nll(&logp, &tensor!([2., 1.]));
    ensure(got.numel() == 1, || {
        format!(
            "mon_nll doit renvoyer un seul nombre (la moyenne sur le lot), obtenu la forme {:?}",
            got.shape()
        )
    })?;
    close(
        "mon_nll([[−0.5, −1, −2], [−3, −0.25, −1.5]], [2, 1]) = (2 + 0.25) / 2",
        got.to_vec()[0],
        1.125,
        1e-5,
    )?;
    seed(93);
    let x = Tensor::randn(&[6, 5]).log_softmax(1);
    let labels = tensor!([4., 0., 2., 2., 1., 3.]);
    let got: Tensor = answers::mon_nll(&x, &labels);
    close(
        "mon_nll d'un lot de 6 lignes, comparé à F::nll_loss",
        got.to_vec()[0],
        F::nll_loss(&x, &labels).item(),
        1e-5,
    )?;
    let w = Tensor::ones(&[1]);
    let g = gradient(|t| answers::mon_nll(t, &labels).reshape(&[1]), &x, &w)?;
    let want = gradient(|t| F::nll_loss(t, &labels).reshape(&[1]), &x, &w)?;
    close_tensor(
        "gradient de mon_nll (−1/N sur la bonne catégorie de chaque ligne, 0 ailleurs)",
        &g,
        &want,
        1e-5,
    )
}

/// Question 10, a multiple choice: why the accuracy function (TestOK) does not change.
fn q10() -> Result<(), String> {
    let got: char = answers::reponse_q10();
    ensure(['a', 'b', 'c', 'd'].contains(&got), || {
        format!("reponse_q10 renvoie {got:?} : répondez par l'une des lettres 'a', 'b', 'c', 'd'")
    })?;
    ensure(got == 'c', || {
        format!(
            "reponse_q10 : '{got}' n'est pas la bonne réponse. Comment la catégorie prédite est-elle \
             choisie, et la softmax peut-elle changer l'ordre des scores d'une ligne ?"
        )
    })?;
    observe_text("reponse_q10", &got.to_string());
    Ok(())
}
