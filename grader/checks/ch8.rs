// Checks of chapter 8 (solutions/ch8.ipynb): supervised learning and classification on MNIST.
// Rules: see the header of grader/checks/demo.rs. The network checks test the architecture
// (layers, shapes, parameter counts) and that it learns on a small subset of MNIST (3 000
// images, 3 epochs), never a full-dataset run.

pub const CHECKS: &[Check] = &[
    Check::new("8.4.1-erreur", erreur).timeout_secs(30),
    Check::new("8.5-precision", precision).timeout_secs(30),
    Check::new("8.5-reseau1", reseau1).timeout_secs(120),
    Check::new("8.5-qu1", qu1).timeout_secs(30),
    Check::new("8.5-qu2", qu2).timeout_secs(30),
    Check::new("8.5-qu3", qu3).timeout_secs(30),
    Check::new("8.5-qu4-qu5", qu4_qu5).timeout_secs(30),
    Check::new("8.5-reseau2", reseau2).timeout_secs(120),
    Check::new("8.5-qu6-qu7", qu6_qu7).timeout_secs(30),
    Check::new("8.5-qu8", qu8).timeout_secs(30),
    Check::new("8.5-reseau3", reseau3).timeout_secs(120),
    Check::new("8.5-qu9", qu9).timeout_secs(30),
];

/// The course's formula, written plainly.
fn erreur_attendue(scores: &[f32], k: usize, delta: f32) -> f32 {
    scores
        .iter()
        .map(|&s| (delta + s - scores[k]).max(0.0))
        .sum::<f32>()
        - delta
}

fn erreur() -> Result<(), String> {
    let cours: [([f32; 3], usize, f32); 3] = [
        ([5.0, 4.0, 2.0], 2, 7.0),
        ([4.0, 2.0, 8.0], 0, 5.0),
        ([4.0, 5.0, 1.0], 1, 0.0),
    ];
    for (i, (scores, k, want)) in cours.iter().enumerate() {
        let got: f32 = answers::erreur_marge(scores, *k, 1.0);
        close(
            &format!(
                "erreur_marge({scores:?}, {k}, 1.0), image {} du tableau du cours",
                i + 1
            ),
            got,
            *want,
            1e-5,
        )?;
    }
    seed(8);
    for (n, delta) in [(10usize, 1.0f32), (10, 0.5), (4, 2.0), (10, 0.0)] {
        let scores = (Tensor::randn(&[n]) * 3.0).to_vec();
        for k in [0, n / 2, n - 1] {
            let got: f32 = answers::erreur_marge(&scores, k, delta);
            let want = erreur_attendue(&scores, k, delta);
            close(
                &format!("erreur_marge({scores:?}, {k}, {delta})"),
                got,
                want,
                1e-4,
            )?;
        }
    }
    let got: f32 = answers::erreur_marge(&[1.0, 9.0, 2.0], 1, 1.0);
    close(
        "erreur_marge([1, 9, 2], 1, 1.0) (bon score largement devant : erreur nulle)",
        got,
        0.0,
        1e-6,
    )
}

fn precision() -> Result<(), String> {
    seed(80);
    let model = sequential![Flatten::new(), Linear::new(784, 10)];
    let images = Tensor::randn(&[60, 1, 28, 28]);
    let predites: Vec<usize> = no_grad(|| model.forward(&images).argmax(1))
        .to_vec()
        .iter()
        .map(|&v| v as usize)
        .collect();
    for (fausses, want) in [(0usize, 1.0f32), (15, 0.75), (60, 0.0), (21, 0.65)] {
        let labels: Vec<f32> = predites
            .iter()
            .enumerate()
            .map(|(i, &p)| if i < fausses { (p + 1) % 10 } else { p } as f32)
            .collect();
        let labels = Tensor::from_vec(labels, &[60]);
        let got: f32 = answers::precision(&model, &images, &labels);
        if (got - 100.0 * want).abs() < 1e-3 && want > 0.0 {
            return Err(format!(
                "precision renvoie {got} : on attend une fraction entre 0 et 1 ({want}), pas un pourcentage"
            ));
        }
        close(
            &format!("precision sur 60 images dont {fausses} mal classées"),
            got,
            want,
            1e-5,
        )?;
    }
    Ok(())
}

fn qu1() -> Result<(), String> {
    let got: f32 = answers::reponse_qu1();
    if (0.05..=0.15).contains(&got) {
        return Err(format!(
            "reponse_qu1 renvoie {got} : donnez un pourcentage (un nombre entre 0 et 100), pas une fraction"
        ));
    }
    ensure((5.0..=15.0).contains(&got), || {
        format!(
            "reponse_qu1 : obtenu {got} %. Avant l'apprentissage, les poids sont tirés au hasard : \
             combien de chances a-t-on de tomber sur le bon chiffre parmi 10 ? (attendu entre 5 et 15 %)"
        )
    })?;
    // the value itself, for the comparison: 10 % give or take 5
    close("reponse_qu1 (en %)", got, 10.0, 5.0)
}

/// A test accuracy read from a training run, in %: refuses a fraction, then records the value
/// with a tolerance that covers what a run of the notebook shows, from its first epoch to its
/// last and from one initial draw to another (the reference's answer is the centre).
fn pourcentage_lu(quoi: &str, reseau: &str, got: f32, plage: (f32, f32)) -> Result<(), String> {
    if (0.0..=1.0).contains(&got) && got > 0.0 {
        return Err(format!(
            "{quoi} renvoie {got} : donnez un pourcentage (un nombre entre 0 et 100), pas une fraction"
        ));
    }
    ensure((plage.0..=plage.1).contains(&got), || {
        format!(
            "{quoi} : obtenu {got} %. Relisez la « précision sur le test » affichée par l'apprentissage \
             du {reseau} (après la dernière epoch)"
        )
    })?;
    close(
        &format!("{quoi} (en %)"),
        got,
        (plage.0 + plage.1) / 2.0,
        (plage.1 - plage.0) / 2.0,
    )
}

fn qu2() -> Result<(), String> {
    let got: f32 = answers::reponse_qu2();
    // one Linear layer, margin loss, 1 to 4 epochs: 88 to 93 % on MNIST's test set
    pourcentage_lu("reponse_qu2", "réseau 1", got, (87.0, 95.0))
}

fn qu8() -> Result<(), String> {
    let got: f32 = answers::reponse_qu8();
    // 784-128-10 with a ReLU: 94 % after one epoch, 96 to 97.5 % after four
    pourcentage_lu("reponse_qu8", "réseau 2", got, (94.0, 99.0))
}

/// A multiple-choice answer: one of `lettres`, then the right one.
fn choix(quoi: &str, got: char, lettres: &[char], bonne: char, indice: &str) -> Result<(), String> {
    ensure(lettres.contains(&got), || {
        let l: Vec<String> = lettres.iter().map(|c| format!("'{c}'")).collect();
        format!(
            "{quoi} renvoie {got:?} : répondez par l'une des lettres {}",
            l.join(", ")
        )
    })?;
    ensure(got == bonne, || {
        format!("{quoi} : '{got}' n'est pas la bonne réponse. {indice}")
    })?;
    observe_text(quoi, &got.to_string());
    Ok(())
}

fn qu3() -> Result<(), String> {
    let got: char = answers::reponse_qu3();
    choix(
        "reponse_qu3",
        got,
        &['a', 'b', 'c', 'd'],
        'b',
        "À quoi servent les lots pendant l'apprentissage, et de quoi a-t-on besoin en test ?",
    )
}

fn qu9() -> Result<(), String> {
    let got: char = answers::reponse_qu9();
    choix(
        "reponse_qu9",
        got,
        &['a', 'b', 'c'],
        'b',
        "Comparez l'écart entre les réseaux 2 et 3 à celui entre les réseaux 1 et 2.",
    )
}

fn qu4_qu5() -> Result<(), String> {
    let qu4: usize = answers::reponse_qu4();
    ensure(qu4 == 784, || {
        format!("reponse_qu4 : obtenu {qu4}, attendu le nombre de pixels d'une image de 28 × 28")
    })?;
    observe_text("reponse_qu4", &qu4.to_string());
    let qu5: usize = answers::reponse_qu5();
    ensure(qu5 == 10, || {
        format!("reponse_qu5 : obtenu {qu5}, attendu le nombre de catégories de MNIST")
    })?;
    observe_text("reponse_qu5", &qu5.to_string());
    Ok(())
}

fn qu6_qu7() -> Result<(), String> {
    let qu6: [(usize, usize); 2] = answers::reponse_qu6();
    ensure(qu6 == [(784, 128), (128, 10)], || {
        format!(
            "reponse_qu6 : obtenu {qu6:?}, attendu les (entrées, sorties) des deux couches : \
             784 pixels vers 128 neurones, puis 128 vers les 10 scores"
        )
    })?;
    observe_text("reponse_qu6", &format!("{qu6:?}"));
    let qu7: usize = answers::reponse_qu7();
    ensure((90_000..=110_000).contains(&qu7), || {
        format!(
            "reponse_qu7 : obtenu {qu7}, attendu de l'ordre de 100 000 (entre 90 000 et 110 000) ; \
             comptez les poids de chaque couche : entrées × sorties, plus un biais par sortie"
        )
    })?;
    close("reponse_qu7", qu7 as f32, 100_000.0, 10_000.0)
}

/// The (in, out) sizes of the Linear layers of `model`, in order, and whether a ReLU
/// comes between each pair of consecutive Linear layers.
fn couches(model: &Sequential) -> (Vec<(usize, usize)>, bool) {
    let mut sizes = Vec::new();
    let mut relu_between = true;
    let mut since_linear: Option<bool> = None; // Some(seen a ReLU since the last Linear)
    for (_, layer) in model.children() {
        match layer.name().as_str() {
            "Linear" => {
                let shapes: Vec<Vec<usize>> = layer
                    .own_parameters()
                    .iter()
                    .map(|(_, t)| t.shape())
                    .collect();
                if let Some(w) = shapes.first() {
                    if w.len() == 2 {
                        sizes.push((w[1], w[0]));
                    }
                }
                if since_linear == Some(false) {
                    relu_between = false;
                }
                since_linear = Some(false);
            }
            "ReLU" => {
                if since_linear.is_some() {
                    since_linear = Some(true);
                }
            }
            _ => {}
        }
    }
    (sizes, relu_between)
}

fn architecture(
    quoi: &str,
    model: &Sequential,
    want: &[(usize, usize)],
    params: usize,
) -> Result<(), String> {
    let (sizes, relu_between) = couches(model);
    ensure(sizes == want, || {
        format!(
            "{quoi} : couches Linear (entrées, sorties) attendues {want:?}, obtenues {sizes:?}\n{model}"
        )
    })?;
    observe_text(
        &format!("{quoi} : couches Linear (entrées, sorties)"),
        &format!("{sizes:?}"),
    );
    ensure(relu_between, || {
        format!("{quoi} : il manque une ReLU::new() entre deux couches Linear\n{model}")
    })?;
    let n = model.num_parameters();
    ensure(n == params, || {
        format!("{quoi} : {params} paramètres attendus, obtenu {n}\n{model}")
    })?;
    observe_text(&format!("{quoi} : nombre de paramètres"), &n.to_string());
    let x = Tensor::randn(&[5, 1, 28, 28]);
    let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| model.forward(&x)))
        .map_err(|_| {
            format!(
                "{quoi} : le réseau plante sur un lot d'images de forme (5, 1, 28, 28) ; \
                 commencez par Flatten::new() pour mettre chaque image à plat (784 valeurs)\n{model}"
            )
        })?;
    ensure(out.shape() == vec![5, 10], || {
        format!(
            "{quoi} : pour un lot (5, 1, 28, 28), sortie de forme [5, 10] attendue, obtenue {:?}",
            out.shape()
        )
    })?;
    observe_text(
        &format!("{quoi} : forme de la sortie pour un lot (5, 1, 28, 28)"),
        &format!("{:?}", out.shape()),
    );
    Ok(())
}

/// Gives every parameter of `model` values drawn after `seed(k)` (whatever the student's
/// initialisation and training), then records its output, in eval mode, for images drawn at
/// random: with the architecture asked for, it is the reference's output.
fn sortie_poids_fixes(quoi: &str, model: &Sequential, k: u64) -> Result<(), String> {
    seed(k);
    for p in model.parameters() {
        let forme = p.shape();
        let entrees: usize = forme.iter().skip(1).product();
        let echelle = if forme.len() >= 2 {
            1.0 / (entrees as f32).sqrt()
        } else {
            0.1
        };
        let valeurs = Tensor::randn(&forme) * echelle;
        no_grad(|| {
            p.fill_(0.0);
            p.add_(&valeurs);
        });
    }
    let x = Tensor::randn(&[3, 1, 28, 28]);
    model.eval();
    let y = no_grad(|| model.forward(&x));
    close_tensor(
        &format!("{quoi} : sortie pour 3 images tirées au hasard, avec des poids fixés par le test (couches et activations de l'énoncé, dans l'ordre)"),
        &y,
        &y,
        1e-3,
    )
}

/// Trains `model` on 3 000 MNIST training images for 3 epochs (margin loss, SGD 0.01, lots
/// of 50) and requires a test accuracy of at least `seuil` on 1 000 test images.
fn apprend(quoi: &str, model: &Sequential, seuil: f32) -> Result<(), String> {
    let dir = data_dir().join("mnist");
    let load = |split| {
        Mnist::load(&dir, split)
            .map(|d| d.transform(compose![ToTensor, Normalize::new(MNIST_MEAN, MNIST_STD)]))
            .map_err(|e| format!("MNIST illisible pour la vérification : {e}"))
    };
    let (train, test) = (load(Split::Train)?, load(Split::Test)?);
    let petite = Subset::new(&train, (0..3000).collect());
    let (x_test, y_test) = full_batch(&Subset::new(&test, (0..1000).collect()));
    seed(0);
    let loader = DataLoader::new(&petite, 50).shuffle(true);
    let mut optimizer = Sgd::new(model.parameters()).lr(0.01);
    for _ in 0..3 {
        for (x, y) in &loader {
            optimizer.zero_grad();
            F::margin_loss(&model.forward(&x), &y, 1.0).backward();
            optimizer.step();
        }
    }
    let acc = no_grad(|| model.forward(&x_test).argmax(1).eq(&y_test).mean().item());
    ensure(acc >= seuil, || {
        format!(
            "{quoi} : après 3 epochs sur 3 000 images, précision de {:.1} % sur 1 000 images de test, \
             attendu au moins {:.0} % (le hasard donne 10 %)",
            100.0 * acc,
            100.0 * seuil
        )
    })
}

fn reseau1() -> Result<(), String> {
    seed(81);
    let model: Sequential = answers::reseau_1();
    architecture("reseau_1()", &model, &[(784, 10)], 7850)?;
    apprend("reseau_1()", &model, 0.8)?;
    sortie_poids_fixes("reseau_1()", &model, 91)
}

fn reseau2() -> Result<(), String> {
    seed(82);
    let model: Sequential = answers::reseau_2();
    architecture("reseau_2()", &model, &[(784, 128), (128, 10)], 101_770)?;
    apprend("reseau_2()", &model, 0.8)?;
    sortie_poids_fixes("reseau_2()", &model, 92)
}

fn reseau3() -> Result<(), String> {
    seed(83);
    let model: Sequential = answers::reseau_3();
    architecture(
        "reseau_3()",
        &model,
        &[(784, 128), (128, 64), (64, 10)],
        784 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10,
    )?;
    apprend("reseau_3()", &model, 0.8)?;
    sortie_poids_fixes("reseau_3()", &model, 93)
}
