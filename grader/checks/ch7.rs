// Checks of chapter 7 (solutions/ch7.ipynb): the optimizers, exercises 7.5.1 and 7.5.2.
// Rules: see grader/checks/demo.rs (answers only as `answers::x`, concrete types, French messages).

pub const CHECKS: &[Check] = &[
    Check::new("7.2-adagrad", adagrad).timeout_secs(30),
    Check::new("7.5.1-cat-pixel", cat_pixel).timeout_secs(30),
    Check::new("7.5.1-erreur", erreur).timeout_secs(30),
    Check::new("7.5.1-epoque", epoque).timeout_secs(30),
    Check::new("7.5.1-marge", marge).timeout_secs(30),
    Check::new("7.5.2-reseau", reseau).timeout_secs(30),
    Check::new("7.5.2-entrainer", entrainer).timeout_secs(60),
    Check::new("7.5.2-taille", taille).timeout_secs(60),
    Check::new("7.5.2-vectorisee", vectorisee).timeout_secs(30),
];

/// The numbers of a 1-D tensor, for messages.
fn liste(t: &Tensor) -> String {
    let v: Vec<String> = t.to_vec().iter().map(|x| format!("{x}")).collect();
    format!("[{}]", v.join(", "))
}

// ----- 7.2 ------------------------------------------------------------------

fn adagrad() -> Result<(), String> {
    // p = [1, −2], loss Σ p²/2 + Σ p (gradient p + 1), lr 0.5: the steps by hand
    let p = tensor!([1., -2.]).requires_grad_();
    let mut opt: answers::AdagradMain = answers::AdagradMain::new(vec![p.clone()], 0.5);
    ensure(opt.ssg.len() == 1 && opt.ssg[0].shape() == vec![2], || {
        format!(
            "AdagradMain::new avec un paramètre de forme [2] : attendu une somme ssg de forme [2], obtenu {} somme(s) de formes {:?}",
            opt.ssg.len(),
            opt.ssg.iter().map(|s| s.shape()).collect::<Vec<_>>()
        )
    })?;
    let attendu = [
        [0.5, -1.5],
        [0.2, -1.276_393_2],
        [-0.016_365_5, -1.156_398_7],
    ];
    for (k, w) in attendu.iter().enumerate() {
        p.zero_grad();
        (p.pow(2.0) * 0.5 + &p).sum().backward();
        opt.step();
        close_tensor(
            &format!(
                "p = [1, −2], perte Σ p²/2 + Σ p, lr = 0,5 : p après le pas {}",
                k + 1
            ),
            &p,
            &tensor!([w[0], w[1]]),
            1e-5,
        )?;
    }
    // ssg = Σ g² over the three steps: g = [2, −1], [1.5, −0.5], [1.2, −0.2763932]
    close_tensor(
        "ssg (somme des carrés des gradients) après ces 3 pas",
        &opt.ssg[0],
        &tensor!([7.69, 1.326_393_2]),
        1e-4,
    )?;

    // a Linear layer (matrix and vector), against the library's Adagrad, 5 steps
    seed(3);
    let x = Tensor::randn(&[8, 3]);
    let y = Tensor::randn(&[8, 2]);
    seed(4);
    let a = Linear::new(3, 2);
    seed(4);
    let b = Linear::new(3, 2);
    let mut mien: answers::AdagradMain = answers::AdagradMain::new(a.parameters(), 0.1);
    let mut reference = Adagrad::new(b.parameters()).lr(0.1);
    for k in 1..=5 {
        mien.zero_grad();
        F::mse_loss(&a.forward(&x), &y).backward();
        mien.step();
        reference.zero_grad();
        F::mse_loss(&b.forward(&x), &y).backward();
        reference.step();
        close_tensor(
            &format!("poids d'une couche Linear(3, 2) après {k} pas (comparés à Adagrad de la bibliothèque, lr = 0,1)"),
            &a.weight,
            &b.weight,
            1e-5,
        )?;
        close_tensor(
            &format!("biais d'une couche Linear(3, 2) après {k} pas (comparés à Adagrad de la bibliothèque)"),
            a.bias.as_ref().unwrap(),
            b.bias.as_ref().unwrap(),
            1e-5,
        )?;
    }

    // a parameter without gradient stays where it is
    let u = tensor!([1., 2.]).requires_grad_();
    let v = tensor!([3., 4.]).requires_grad_();
    let mut opt: answers::AdagradMain = answers::AdagradMain::new(vec![u.clone(), v.clone()], 0.5);
    (&u * &u).sum().backward();
    opt.step();
    close_tensor(
        "un paramètre sans gradient (v = [3, 4], absent de la perte) après un pas : il ne doit pas bouger",
        &v,
        &tensor!([3., 4.]),
        0.0,
    )?;
    close_tensor(
        "u = [1, 2] après un pas sur la perte Σ u² (lr = 0,5)",
        &u,
        &tensor!([0.5, 1.5]),
        1e-5,
    )
}

// ----- 7.5.1 ----------------------------------------------------------------

/// A Linear(2, 3) layer with chosen weights (not symmetric in x and y).
fn couche_fixe() -> Linear {
    Linear::from_weights(
        tensor!([[1.0, 0.3], [-0.4, 1.2], [-0.5, -0.9]]),
        Some(tensor!([0.1, -0.2, 0.05])),
    )
}

/// A grid of n rows (y) and m columns (x), as the notebook's `grille` but not square.
fn grille(n: usize, m: usize) -> (Tensor, Tensor) {
    let mut xx = Vec::new();
    let mut yy = Vec::new();
    for i in 0..n {
        for j in 0..m {
            xx.push(-1.0 + (j as f32 + 0.5) * 2.0 / m as f32);
            yy.push(-1.0 + (i as f32 + 0.5) * 2.0 / n as f32);
        }
    }
    (Tensor::from_vec(xx, &[n, m]), Tensor::from_vec(yy, &[n, m]))
}

fn cat_pixel() -> Result<(), String> {
    seed(0);
    let couche = couche_fixe();
    let (n, m) = (5, 7);
    let (xx, yy) = grille(n, m);
    let got: Tensor = answers::compute_cat_per_pixel(&couche, &xx, &yy);
    ensure(got.shape() == vec![n, m], || {
        format!(
            "compute_cat_per_pixel sur une grille de {n} lignes et {m} colonnes : forme attendue [{n}, {m}], obtenue {:?}",
            got.shape()
        )
    })?;
    // by hand: scores = W·(x, y) + b, then the index of the largest
    let w = couche.weight.to_vec2();
    let b = couche.bias.as_ref().unwrap().to_vec();
    let (xv, yv, gv) = (xx.to_vec(), yy.to_vec(), got.to_vec());
    let mut meilleures = Vec::with_capacity(n * m);
    for k in 0..n * m {
        let s: Vec<f32> = (0..3)
            .map(|c| w[c][0] * xv[k] + w[c][1] * yv[k] + b[c])
            .collect();
        let best = (0..3).fold(0, |best, c| if s[c] > s[best] { c } else { best });
        ensure(gv[k] == best as f32, || {
            format!(
                "compute_cat_per_pixel, pixel (ligne {}, colonne {}) en (x, y) = ({:.3}, {:.3}) : scores {:?}, catégorie attendue {best}, obtenue {}",
                k / m,
                k % m,
                xv[k],
                yv[k],
                s,
                gv[k]
            )
        })?;
        meilleures.push(best as f32);
    }
    close_tensor(
        &format!("compute_cat_per_pixel avec une couche Linear(2, 3) sur une grille {n} × {m}"),
        &got,
        &Tensor::from_vec(meilleures, &[n, m]),
        0.0,
    )?;
    // any module: a small network
    seed(5);
    let reseau = sequential![Linear::new(2, 8), ReLU::new(), Linear::new(8, 3)];
    let (xx, yy) = grille(6, 4);
    let got: Tensor = answers::compute_cat_per_pixel(&reseau, &xx, &yy);
    let points = Tensor::stack(&[xx.reshape(&[-1]), yy.reshape(&[-1])], 1);
    let want = no_grad(|| reseau.forward(&points))
        .argmax(1)
        .reshape(&[6, 4]);
    close_tensor(
        "compute_cat_per_pixel avec un réseau 2 → 8 → 3 sur une grille 6 × 4",
        &got,
        &want,
        0.0,
    )
}

fn erreur() -> Result<(), String> {
    let scores = tensor!([1.0, 5.0, 3.0]);
    for (cat, want) in [(0, 6.0), (1, 0.0), (2, 2.0)] {
        let got: Tensor = answers::erreur(&scores, cat);
        ensure(got.numel() == 1, || {
            format!(
                "erreur(scores, {cat}) doit être un tenseur à une seule valeur, obtenu la forme {:?}",
                got.shape()
            )
        })?;
        close(
            &format!("erreur des scores (1, 5, 3) pour la bonne catégorie {cat}"),
            got.item(),
            want,
            1e-5,
        )?;
    }
    seed(1);
    for _ in 0..5 {
        let s = Tensor::randn(&[3]) * 2.0;
        let v = s.to_vec();
        for cat in 0..3 {
            let want: f32 = v.iter().map(|&x| (x - v[cat]).max(0.0)).sum();
            let got: Tensor = answers::erreur(&s, cat);
            close(
                &format!("erreur({}, {cat})", liste(&s)),
                got.item(),
                want,
                1e-5,
            )?;
        }
    }
    // differentiable: scores (2, 1, 3), right class 0 → only j = 2 counts
    let s = tensor!([2.0, 1.0, 3.0]).requires_grad_();
    let got: Tensor = answers::erreur(&s, 0);
    ensure(got.requires_grad(), || {
        "le résultat de erreur ne demande pas de gradient : calculez-le avec les opérations des tenseurs (relu, sum…), pas avec to_vec ou item".to_string()
    })?;
    got.backward();
    let g = s
        .grad()
        .ok_or("aucun gradient n'arrive jusqu'aux scores après backward()")?;
    close_tensor(
        "gradient de erreur((2, 1, 3), 0) par rapport aux scores",
        &g,
        &tensor!([-1.0, 0.0, 1.0]),
        1e-6,
    )
}

/// The 10 points of the notebook.
fn points_751() -> (Tensor, Vec<usize>) {
    let points = tensor!([
        [-0.7, 0.6],
        [-0.5, 0.8],
        [-0.8, 0.3],
        [0.6, 0.7],
        [0.8, 0.4],
        [0.5, 0.9],
        [0.0, -0.7],
        [-0.3, -0.5],
        [0.3, -0.8],
        [0.1, -0.3]
    ]);
    (points, vec![0, 0, 0, 1, 1, 1, 2, 2, 2, 2])
}

fn epoque() -> Result<(), String> {
    use std::cell::RefCell;
    let (points, cats) = points_751();
    let formes: RefCell<Vec<Vec<usize>>> = RefCell::new(Vec::new());
    let hinge = |s: &Tensor, c: usize| {
        formes.borrow_mut().push(s.shape());
        (s - &s.index_select(0, &[c]) + 0.5).relu().sum() - 0.5
    };
    seed(11);
    let a = Linear::new(2, 3);
    seed(11);
    let b = Linear::new(2, 3);
    let mut opt_a = Sgd::new(a.parameters()).lr(0.05);
    let mut opt_b = Sgd::new(b.parameters()).lr(0.05);
    for passage in 1..=3 {
        formes.borrow_mut().clear();
        let got: f32 = answers::epoque(&a, &mut opt_a, &points, &cats, &hinge);
        let vues = formes.borrow().clone();
        ensure(vues.len() == 10, || {
            format!(
                "epoque sur 10 points doit appeler la fonction d'erreur 10 fois (une par point), elle l'a appelée {} fois",
                vues.len()
            )
        })?;
        ensure(vues.iter().all(|f| f == &vec![3]), || {
            format!(
                "la fonction d'erreur doit recevoir les scores d'un seul point, de forme [3] (points.index_select(0, &[i]).flatten()), elle a reçu les formes {vues:?}"
            )
        })?;
        // the reference: sample by sample, the error measured before its step
        let mut want = 0.0;
        for (i, &c) in cats.iter().enumerate() {
            opt_b.zero_grad();
            let e = hinge(&b.forward(&points.index_select(0, &[i]).flatten()), c);
            e.backward();
            opt_b.step();
            want += e.item();
        }
        close(
            &format!(
                "ErrTot renvoyée par le passage {passage} (Sgd de pas 0,05, erreur avec marge 0,5 ; \
                 zero_grad avant chaque point, erreur de chaque point mesurée avant son pas)"
            ),
            got,
            want,
            1e-4,
        )?;
        close_tensor(
            &format!("poids de la couche après le passage {passage} (un pas de l'optimiseur par point, dans l'ordre)"),
            &a.weight,
            &b.weight,
            1e-5,
        )?;
        close_tensor(
            &format!("biais de la couche après le passage {passage}"),
            a.bias.as_ref().unwrap(),
            b.bias.as_ref().unwrap(),
            1e-5,
        )?;
    }
    Ok(())
}

fn marge() -> Result<(), String> {
    let scores = tensor!([1.0, 5.0, 3.0]);
    let cas = [
        (1, 0.0, 0.0),
        (1, 1.0, 0.0),
        (1, 2.0, 0.0),
        (1, 3.0, 1.0),
        (0, 1.0, 8.0),
        (2, 2.0, 4.0),
    ];
    for (cat, delta, want) in cas {
        let got: Tensor = answers::erreur_marge(&scores, cat, delta);
        ensure(got.numel() == 1, || {
            format!(
                "erreur_marge doit être un tenseur à une seule valeur, obtenu la forme {:?}",
                got.shape()
            )
        })?;
        let v = got.item();
        if want == 0.0 && (v - delta).abs() < 1e-5 && delta > 0.0 {
            return Err(format!(
                "erreur_marge des scores (1, 5, 3), catégorie {cat}, δ = {delta} : attendu 0, obtenu {v} — le terme j = id_cat vaut toujours δ : il faut l'exclure de la somme (ou retrancher δ)"
            ));
        }
        close(
            &format!("erreur_marge des scores (1, 5, 3), catégorie {cat}, δ = {delta}"),
            v,
            want,
            1e-5,
        )?;
    }
    seed(2);
    for _ in 0..5 {
        let s = (Tensor::randn(&[3]) * 2.0).requires_grad_();
        let r = s.detach().requires_grad_();
        for (cat, delta) in [(0, 1.0), (1, 2.0), (2, 0.5)] {
            s.zero_grad();
            r.zero_grad();
            let got: Tensor = answers::erreur_marge(&s, cat, delta);
            let want = F::margin_loss_with(&r.reshape(&[1, 3]), &[cat], delta, Reduction::Sum);
            close(
                &format!("erreur_marge({}, {cat}, {delta})", liste(&s)),
                got.item(),
                want.item(),
                1e-5,
            )?;
            ensure(got.requires_grad(), || {
                "le résultat de erreur_marge ne demande pas de gradient : utilisez les opérations des tenseurs".to_string()
            })?;
            got.backward();
            want.backward();
            let g = s
                .grad()
                .ok_or("aucun gradient n'arrive jusqu'aux scores après backward()")?;
            close_tensor(
                &format!("gradient de erreur_marge({}, {cat}, {delta})", liste(&s)),
                &g,
                &r.grad().unwrap(),
                1e-5,
            )?;
        }
    }
    Ok(())
}

// ----- 7.5.2 ----------------------------------------------------------------

fn reseau() -> Result<(), String> {
    seed(0);
    let r: answers::Reseau = answers::Reseau::new(7);
    ensure(
        r.couche1.weight.shape() == vec![7, 2] && r.couche2.weight.shape() == vec![3, 7],
        || {
            format!(
                "Reseau::new(7) : couche1 doit être Linear(2, 7) (poids [7, 2]) et couche2 Linear(7, 3) (poids [3, 7]), obtenu des poids {:?} et {:?}",
                r.couche1.weight.shape(),
                r.couche2.weight.shape()
            )
        },
    )?;
    observe_text(
        "Reseau::new(7) : formes des poids de couche1 et couche2",
        &format!(
            "{:?} {:?}",
            r.couche1.weight.shape(),
            r.couche2.weight.shape()
        ),
    );
    let params = r.parameters();
    ensure(params.len() == 4, || {
        format!(
            "parameters() doit donner les 4 tenseurs des deux couches (children doit nommer couche1 et couche2), obtenu {} tenseur(s)",
            params.len()
        )
    })?;
    let n = r.num_parameters();
    ensure(n == 7 * 2 + 7 + 7 * 3 + 3, || {
        format!("Reseau::new(7) : attendu 45 paramètres (2×7 + 7 + 7×3 + 3), obtenu {n}")
    })?;
    // sorted: the order of children is free
    let mut formes: Vec<Vec<usize>> = params.iter().map(|p| p.shape()).collect();
    formes.sort();
    observe_text(
        "Reseau::new(7) : formes des tenseurs de parameters(), triées",
        &format!("{formes:?}"),
    );
    seed(1);
    let x = Tensor::randn(&[5, 2]);
    let got = r.forward(&x);
    let h = (x.matmul(&r.couche1.weight.t()) + r.couche1.bias.as_ref().unwrap()).relu();
    let want = h.matmul(&r.couche2.weight.t()) + r.couche2.bias.as_ref().unwrap();
    close_tensor(
        "forward de 5 points : couche2(relu(couche1(x)))",
        &got,
        &want,
        1e-5,
    )?;
    got.sum().backward();
    ensure(r.couche1.weight.grad().is_some(), || {
        "après backward, couche1.weight n'a pas de gradient : forward doit passer par couche1"
            .to_string()
    })
}

/// The reference training loop of `entrainer`.
fn boucle_reference(
    modele: &dyn Module,
    x: &Tensor,
    cats: &[usize],
    pas: usize,
    lr: f32,
) -> Vec<f32> {
    let mut optim = Adam::new(modele.parameters()).lr(lr);
    (0..pas)
        .map(|_| {
            optim.zero_grad();
            let perte = F::margin_loss(&modele.forward(x), cats, 1.0);
            perte.backward();
            optim.step();
            perte.item()
        })
        .collect()
}

fn entrainer() -> Result<(), String> {
    seed(6);
    let x = Tensor::randn(&[40, 2]);
    let cats: Vec<usize> = (0..40).map(|i| (i * 7 + i / 3) % 3).collect();
    seed(7);
    let a = sequential![Linear::new(2, 16), ReLU::new(), Linear::new(16, 3)];
    seed(7);
    let b = sequential![Linear::new(2, 16), ReLU::new(), Linear::new(16, 3)];
    let got: Vec<f32> = answers::entrainer(&a, &x, &cats, 30, 0.02);
    let want = boucle_reference(&b, &x, &cats, 30, 0.02);
    ensure(got.len() == 30, || {
        format!(
            "entrainer(…, pas = 30, …) doit renvoyer 30 pertes, une par itération, obtenu {}",
            got.len()
        )
    })?;
    for (k, (g, w)) in got.iter().zip(&want).enumerate() {
        close(
            &format!("perte de l'itération {k} (Adam de pas 0,02, F::margin_loss(scores, cats, 1.0), tous les points à la fois)"),
            *g,
            *w,
            1e-4,
        )?;
    }
    for ((nom, p), q) in a.named_parameters().iter().zip(b.parameters()) {
        close_tensor(&format!("paramètre {nom} après 30 itérations"), p, &q, 1e-4)?;
    }
    Ok(())
}

/// The notebook's spiral.
fn spirale(n: usize, bruit: f32) -> (Tensor, Vec<usize>) {
    let alea = Tensor::randn(&[3 * n]).to_vec();
    let mut xy = Vec::with_capacity(6 * n);
    let mut cats = Vec::with_capacity(3 * n);
    for c in 0..3 {
        for i in 0..n {
            let r = (i + 1) as f32 / n as f32;
            let theta = 4.0 * c as f32 + 4.0 * r + bruit * alea[c * n + i];
            xy.extend([r * theta.sin(), r * theta.cos()]);
            cats.push(c);
        }
    }
    (Tensor::from_vec(xy, &[3 * n, 2]), cats)
}

fn taille() -> Result<(), String> {
    let tailles = [10usize, 30, 100, 300, 500, 1000];
    let got: usize = answers::taille_suffisante();
    ensure(tailles.contains(&got), || {
        format!("taille_suffisante doit être l'une des tailles essayées (10, 30, 100, 300, 500, 1000), obtenu {got}")
    })?;
    // the comparison of the notebook, size by size, until 99 % of the training points are right
    seed(0);
    let (x, cats) = spirale(100, 0.2);
    let cats_t = Tensor::from_vec(cats.iter().map(|&c| c as f32).collect(), &[300]);
    let mut vues = Vec::new();
    for h in tailles {
        seed(3);
        let reseau = sequential![Linear::new(2, h), ReLU::new(), Linear::new(h, 3)];
        boucle_reference(&reseau, &x, &cats, 300, 0.02);
        let precision = no_grad(|| reseau.forward(&x))
            .argmax(1)
            .eq(&cats_t)
            .mean()
            .item();
        vues.push(format!("{h} neurones : {:.1} %", 100.0 * precision));
        if precision >= 0.99 {
            ensure(got == h, || {
                format!(
                    "taille suffisante : obtenu {got}, ce n'est pas la plus petite taille qui atteint 99 % (précisions d'apprentissage, comme dans le carnet : {})",
                    vues.join(", ")
                )
            })?;
            observe_text("taille_suffisante()", &got.to_string());
            return Ok(());
        }
    }
    Err(format!(
        "aucune taille n'atteint 99 % dans la vérification ({}) : signalez-le à l'enseignant",
        vues.join(", ")
    ))
}

/// Σ_i Σ_{j ≠ cat_i} max(0, S[i, j] − S[i, cat_i] + δ) with loops.
fn vectorisee_reference(s: &Tensor, cats: &[usize], delta: f32) -> f32 {
    let v = s.to_vec2();
    let mut total = 0.0;
    for (i, &c) in cats.iter().enumerate() {
        for (j, &x) in v[i].iter().enumerate() {
            if j != c {
                total += (x - v[i][c] + delta).max(0.0);
            }
        }
    }
    total
}

fn vectorisee() -> Result<(), String> {
    let scores = tensor!([[5., 4., 2.], [4., 2., 8.], [4., 5., 1.]]);
    let cats = tensor!([2., 0., 1.]);
    let got: Tensor = answers::erreur_vectorisee(&scores, &cats, 1.0);
    ensure(got.numel() == 1, || {
        format!(
            "erreur_vectorisee doit être un tenseur à une seule valeur (l'erreur totale), obtenu la forme {:?}",
            got.shape()
        )
    })?;
    close(
        "erreur totale des scores [[5, 4, 2], [4, 2, 8], [4, 5, 1]], catégories (2, 0, 1), δ = 1 (7 + 5 + 0)",
        got.item(),
        12.0,
        1e-4,
    )?;
    seed(4);
    for (n, c, delta) in [
        (40usize, 3usize, 0.0f32),
        (40, 3, 1.0),
        (25, 5, 2.0),
        (1, 3, 1.0),
    ] {
        let s = (Tensor::randn(&[n, c]) * 2.0).requires_grad_();
        let r = s.detach().requires_grad_();
        let cats: Vec<usize> = (0..n).map(|i| (i * 5 + 1) % c).collect();
        let cats_t = Tensor::from_vec(cats.iter().map(|&k| k as f32).collect(), &[n]);
        let got: Tensor = answers::erreur_vectorisee(&s, &cats_t, delta);
        let want = vectorisee_reference(&s, &cats, delta);
        close(
            &format!("erreur totale de scores aléatoires de forme [{n}, {c}], δ = {delta}"),
            got.item(),
            want,
            1e-3,
        )?;
        ensure(got.requires_grad(), || {
            "le résultat de erreur_vectorisee ne demande pas de gradient : utilisez les opérations des tenseurs (index, relu, sum)".to_string()
        })?;
        got.backward();
        F::margin_loss_with(&r, &cats, delta, Reduction::Sum).backward();
        let g = s
            .grad()
            .ok_or("aucun gradient n'arrive jusqu'aux scores après backward()")?;
        close_tensor(
            &format!("gradient de l'erreur totale par rapport aux scores [{n}, {c}], δ = {delta}"),
            &g,
            &r.grad().unwrap(),
            1e-4,
        )?;
    }
    Ok(())
}
