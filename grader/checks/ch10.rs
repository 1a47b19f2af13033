// Checks of chapter 10 (solutions/ch10.ipynb): convolutional networks.
// Rules: see grader/checks/demo.rs. The networks of 10.3 are tested on their architecture
// (shapes, parameter counts) and on their learning: two epochs on 1 500 images of CIFAR-10's
// test split (or of its offline fallback, Fashion-MNIST padded to 3×32×32), never a full run.

pub const CHECKS: &[Check] = &[
    Check::new("10.1.1-taille", taille).timeout_secs(30),
    Check::new("10.1.1-convolution", convolution).timeout_secs(30),
    Check::new("10.2.5-entrainement", entrainement).timeout_secs(60),
    Check::new("10.3-lineaires", lineaires).timeout_secs(60),
    Check::new("10.3-reseau1", reseau1).timeout_secs(120),
    Check::new("10.3-reseau2", reseau2).timeout_secs(150),
];

fn taille() -> Result<(), String> {
    // (n, k, pas, marge, attendu): the course's cases first
    let cas = [
        (4, 2, 1, 0, 3),
        (28, 5, 1, 0, 24),
        (32, 5, 1, 2, 32),
        (16, 3, 1, 0, 14),
        (16, 3, 1, 1, 16),
        (32, 2, 2, 0, 16),
        (28, 5, 2, 2, 14),
        (4, 2, 2, 1, 3),
        (7, 3, 2, 0, 3),
        (10, 4, 3, 1, 3),
    ];
    for (n, k, pas, marge, attendu) in cas {
        let obtenu: usize = answers::taille_sortie(n, k, pas, marge);
        ensure(obtenu == attendu, || {
            format!(
                "taille_sortie({n}, {k}, {pas}, {marge}) : obtenu {obtenu}, ce n'est pas ⌊({n} + 2·{marge} − {k}) / {pas}⌋ + 1"
            )
        })?;
        observe_text(
            &format!("taille_sortie({n}, {k}, {pas}, {marge})"),
            &obtenu.to_string(),
        );
    }
    Ok(())
}

/// The library's convolution of a 2-D image by a 2-D kernel.
fn reference(image: &Tensor, noyau: &Tensor, pas: usize, marge: usize) -> Tensor {
    let s: Vec<isize> = image.shape().iter().map(|&d| d as isize).collect();
    let k: Vec<isize> = noyau.shape().iter().map(|&d| d as isize).collect();
    let y = apprentissage::ops::conv::conv2d(
        &image.reshape(&[1, 1, s[0], s[1]]),
        &noyau.reshape(&[1, 1, k[0], k[1]]),
        None,
        pas,
        marge,
    );
    let o = y.shape();
    y.reshape(&[o[2] as isize, o[3] as isize])
}

fn convolution() -> Result<(), String> {
    let image = tensor!([
        [1., 2., 0., 3.],
        [4., 1., 2., 0.],
        [0., 3., 1., 2.],
        [2., 0., 4., 1.]
    ]);
    let noyau = tensor!([[1., 0.], [2., -1.]]);
    let obtenu: Tensor = answers::convolution_2d(&image, &noyau, 1, 0);
    let attendu = tensor!([[8., 2., 4.], [1., 6., 2.], [4., -1., 8.]]);
    let retourne = reference(&image, &tensor!([[-1., 2.], [0., 1.]]), 1, 0);
    let meme_forme = obtenu.shape() == retourne.shape();
    ensure(
        !(meme_forme && (&obtenu - &retourne).abs().max().item() < 1e-5),
        || {
            format!(
                "convolution_2d de l'image 4×4 du carnet : vous avez retourné le noyau (la convolution des mathématiciens) ; \
                 comme PyTorch et le cours, multipliez noyau[a, b] par le pixel décalé de (a, b), sans retourner : attendu {attendu}, obtenu {obtenu}"
            )
        },
    )?;
    close_tensor(
        "convolution_2d de l'image 4×4 du carnet par le noyau [[1, 0], [2, −1]], pas 1, marge 0",
        &obtenu,
        &attendu,
        1e-5,
    )?;
    seed(3);
    let cas = [
        ((5, 6), (3, 2), 1, 0),
        ((5, 6), (3, 2), 2, 0),
        ((6, 5), (2, 3), 1, 1),
        ((7, 7), (3, 3), 2, 1),
        ((8, 6), (5, 5), 1, 2),
        ((9, 8), (3, 2), 3, 2),
    ];
    for ((n, m), (u, v), pas, marge) in cas {
        let image = Tensor::randn(&[n, m]);
        let noyau = Tensor::randn(&[u, v]);
        let obtenu: Tensor = answers::convolution_2d(&image, &noyau, pas, marge);
        close_tensor(
            &format!(
                "convolution_2d d'une image {n}×{m} tirée au hasard par un noyau {u}×{v}, pas {pas}, marge {marge}"
            ),
            &obtenu,
            &reference(&image, &noyau, pas, marge),
            1e-4,
        )?;
    }
    Ok(())
}

/// 200 images 1×2×2 in two classes: dark (label 0) or bright (label 1), with noise.
fn deux_classes() -> Subset<ImageDataset> {
    seed(5);
    let bruit = Tensor::rand(&[200, 4]).to_vec();
    let mut pixels = Vec::new();
    let mut etiquettes = Vec::new();
    for i in 0..200 {
        let classe = i % 2;
        for j in 0..4 {
            let base = if classe == 0 { 40.0 } else { 160.0 };
            pixels.push((base + 80.0 * bruit[i * 4 + j]) as u8);
        }
        etiquettes.push(classe);
    }
    let ds = ImageDataset::from_vec("deux classes", [1, 2, 2], pixels, etiquettes)
        .transform(compose![ToTensor, Normalize::new(0.5, 0.25)]);
    Subset::new(&ds, (0..200).collect())
}

fn petit_reseau(graine: u64) -> Sequential {
    seed(graine);
    sequential![Flatten::new(), Linear::new(4, 2)]
}

/// Reference accuracy, computed in eval mode without gradients.
fn precision_reference(modele: &dyn Module, lots: &DataLoader<Subset<ImageDataset>>) -> f32 {
    modele.eval();
    let (mut justes, mut vues) = (0.0, 0);
    no_grad(|| {
        for (images, etiquettes) in lots.iter() {
            justes += modele
                .forward(&images)
                .argmax(1)
                .eq(&etiquettes)
                .sum()
                .item();
            vues += etiquettes.numel();
        }
    });
    justes / vues as f32
}

fn entrainement() -> Result<(), String> {
    let donnees = deux_classes();
    let lots = DataLoader::new(&donnees, 50);

    // une_epoch against the reference loop, on two identical networks
    let etudiant = petit_reseau(11);
    let temoin = petit_reseau(11);
    let mut sgd = Sgd::new(etudiant.parameters()).lr(0.5);
    etudiant.eval();
    let perte: f32 = answers::une_epoch(&etudiant, &mut sgd, &lots);
    ensure(etudiant.is_training(), || {
        "une_epoch doit mettre le réseau en mode apprentissage (modele.train()) : après l'appel, le réseau est encore en mode eval".to_string()
    })?;
    let mut sgd_temoin = Sgd::new(temoin.parameters()).lr(0.5);
    let mut pertes = Vec::new();
    for (images, etiquettes) in lots.iter() {
        sgd_temoin.zero_grad();
        let p = F::cross_entropy(&temoin.forward(&images), &etiquettes);
        p.backward();
        sgd_temoin.step();
        pertes.push(p.item());
    }
    for ((nom, p), q) in etudiant
        .named_parameters()
        .into_iter()
        .zip(temoin.parameters())
    {
        close_tensor(
            &format!(
                "paramètre {nom} après une_epoch (une étape de l'optimiseur par lot, zero_grad avant chaque backward)"
            ),
            &p,
            &q,
            1e-4,
        )?;
    }
    let moyenne = pertes.iter().sum::<f32>() / pertes.len() as f32;
    close(
        "une_epoch sur 4 lots de 50 images (Sgd, pas 0,5) : moyenne des erreurs des lots",
        perte,
        moyenne,
        1e-4,
    )?;

    // precision against the reference, on a network with a dropout left in train mode
    seed(12);
    let modele = sequential![Flatten::new(), Dropout::new(0.9), Linear::new(4, 2)];
    let lots_test = DataLoader::new(&donnees, 64);
    let attendu = precision_reference(&modele, &lots_test);
    modele.train();
    let obtenu: f32 = answers::precision(&modele, &lots_test);
    ensure(!modele.is_training(), || {
        "precision doit mettre le réseau en mode évaluation (modele.eval()) : après l'appel, il est encore en mode train".to_string()
    })?;
    ensure((obtenu - 100.0 * attendu).abs() > 1e-3, || {
        format!("precision doit renvoyer une proportion entre 0 et 1, pas un pourcentage : attendu {attendu}, obtenu {obtenu}")
    })?;
    close(
        "precision d'un réseau avec Dropout(0,9) sur 200 images (lots de 64, le dernier incomplet)",
        obtenu,
        attendu,
        1e-5,
    )?;

    // together, they learn the two classes
    let reseau = petit_reseau(13);
    let mut adam = Adam::new(reseau.parameters()).lr(0.05);
    let premiere: f32 = answers::une_epoch(&reseau, &mut adam, &lots);
    let mut derniere = premiere;
    for _ in 0..9 {
        derniere = answers::une_epoch(&reseau, &mut adam, &lots);
    }
    ensure(derniere < premiere, || {
        format!("l'erreur moyenne ne baisse pas en 10 epochs (Adam, pas 0,05) : {premiere} à la première, {derniere} à la dernière")
    })?;
    let acc: f32 = answers::precision(&reseau, &lots_test);
    ensure(acc >= 0.9, || {
        format!("après 10 epochs sur deux classes faciles, precision devrait dépasser 0,9 ; obtenu {acc}")
    })
}

/// Shapes of the weights (tensors of 2 or 4 dimensions) of a network, in order.
fn poids(modele: &Sequential) -> Vec<Vec<usize>> {
    modele
        .parameters()
        .iter()
        .map(|p| p.shape())
        .filter(|s| s.len() >= 2)
        .collect()
}

fn sortie_10(nom: &str, modele: &Sequential) -> Result<(), String> {
    seed(20);
    let x = Tensor::randn(&[2, 3, 32, 32]);
    let y = no_grad(|| modele.forward(&x));
    ensure(y.shape() == [2, 10], || {
        format!(
            "{nom} : pour des images (2, 3, 32, 32), la sortie doit être (2, 10), obtenu {:?}",
            y.shape()
        )
    })?;
    observe_text(
        &format!("{nom} : forme de la sortie pour des images (2, 3, 32, 32)"),
        &format!("{:?}", y.shape()),
    );
    Ok(())
}

fn nombre_parametres(nom: &str, modele: &Sequential, attendu: usize) -> Result<(), String> {
    let n = modele.num_parameters();
    ensure(n == attendu, || {
        format!(
            "{nom} : attendu {attendu} paramètres, obtenu {n} (poids : {:?})",
            poids(modele)
        )
    })?;
    observe_text(&format!("{nom} : nombre de paramètres"), &n.to_string());
    Ok(())
}

/// Gives every parameter of `modele` values drawn after `seed(k)` (whatever the student's
/// initialisation), then records its output, in eval mode, for images drawn at random: with
/// the architecture asked for, it is the reference's output.
fn sortie_poids_fixes(nom: &str, modele: &Sequential, k: u64) -> Result<(), String> {
    seed(k);
    for p in modele.parameters() {
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
    let x = Tensor::randn(&[2, 3, 32, 32]);
    modele.eval();
    let y = no_grad(|| modele.forward(&x));
    close_tensor(
        &format!("{nom} : sortie pour 2 images tirées au hasard, avec des poids fixés par le test (couches et activations de l'énoncé, dans l'ordre)"),
        &y,
        &y,
        1e-3,
    )
}

/// A network whose layers are all affine satisfies f(x) + f(−x) = 2·f(0).
fn non_lineaire(nom: &str, modele: &Sequential) -> Result<(), String> {
    seed(21);
    let x = Tensor::randn(&[4, 3, 32, 32]);
    let ecart = no_grad(|| {
        let zero = modele.forward(&Tensor::zeros(&[4, 3, 32, 32]));
        (modele.forward(&x) + modele.forward(&x.neg()) - zero * 2.0)
            .abs()
            .max()
            .item()
    });
    ensure(ecart > 1e-3, || {
        format!("{nom} se comporte comme une seule couche Linear : il manque une activation (ReLU) entre les couches")
    })
}

fn lineaires() -> Result<(), String> {
    let cas: [(&str, fn() -> Sequential, Vec<Vec<usize>>, usize); 3] = [
        (
            "lineaire_1",
            answers::lineaire_1,
            vec![vec![10, 3072]],
            30_730,
        ),
        (
            "lineaire_2",
            answers::lineaire_2,
            vec![vec![256, 3072], vec![10, 256]],
            789_258,
        ),
        (
            "lineaire_3",
            answers::lineaire_3,
            vec![vec![256, 3072], vec![128, 256], vec![10, 128]],
            820_874,
        ),
    ];
    for (nom, construire, formes, total) in cas {
        let modele: Sequential = construire();
        sortie_10(nom, &modele)?;
        let obtenues = poids(&modele);
        ensure(obtenues == formes, || {
            format!("{nom} : poids des couches Linear attendus {formes:?} (sorties, entrées), obtenus {obtenues:?}")
        })?;
        observe_text(
            &format!("{nom} : formes des poids"),
            &format!("{obtenues:?}"),
        );
        nombre_parametres(nom, &modele, total)?;
        if formes.len() > 1 {
            non_lineaire(nom, &modele)?;
        }
        sortie_poids_fixes(nom, &modele, 23)?;
    }
    Ok(())
}

/// 1 500 training and 500 test images from CIFAR-10's test split, or from the fallback; the
/// accuracy to reach after two epochs.
fn donnees_10_3() -> Result<(Subset<ImageDataset>, Subset<ImageDataset>, f32), String> {
    let dossier = data_dir().join("cifar-10-batches-bin");
    let (jeu, seuil) = match Cifar10::load(&dossier, Split::Test) {
        Ok(jeu) => (jeu, 0.2),
        Err(e) if e.is_missing() => (
            Cifar10::fallback(FashionMnist::DEFAULT_DIR, Split::Test)
                .map_err(|e| format!("ni CIFAR-10 ni Fashion-MNIST ne sont lisibles : {e}"))?,
            0.5,
        ),
        Err(e) => return Err(format!("CIFAR-10 est illisible : {e}")),
    };
    let norme = jeu.normalize();
    let jeu = jeu.transform(compose![ToTensor, norme]);
    seed(7);
    let mut parts = random_split(&jeu, &[1_500, 500, jeu.len() - 2_000]);
    let test = parts.swap_remove(1);
    Ok((parts.swap_remove(0), test, seuil))
}

/// Two epochs of Adam (1e-3, batches of 50), then the test accuracy must reach the threshold.
fn apprend(nom: &str, modele: &Sequential) -> Result<(), String> {
    let (train, test, seuil) = donnees_10_3()?;
    let nom_jeu = train.dataset().name().to_string();
    seed(8);
    let lots = DataLoader::new(&train, 50).shuffle(true);
    let mut adam = Adam::new(modele.parameters()).lr(1e-3);
    modele.train();
    for _ in 0..2 {
        for (images, etiquettes) in lots.iter() {
            adam.zero_grad();
            let perte = F::cross_entropy(&modele.forward(&images), &etiquettes);
            perte.backward();
            adam.step();
        }
    }
    let acc = precision_reference(modele, &DataLoader::new(&test, 250));
    ensure(acc >= seuil, || {
        format!(
            "{nom} apprend trop peu : après 2 epochs (Adam, pas 1e-3) sur 1 500 images de {nom_jeu}, précision {:.1} % sur 500 autres images ; attendu au moins {:.0} % (le hasard donne 10 %)",
            100.0 * acc,
            100.0 * seuil
        )
    })
}

/// Output shapes (without the batch) of the Conv2d and pooling layers, in order.
fn formes_intermediaires(modele: &Sequential) -> Vec<Vec<usize>> {
    let mut x = Tensor::zeros(&[1, 3, 32, 32]);
    let mut formes = Vec::new();
    no_grad(|| {
        for i in 0..modele.len() {
            x = modele[i].forward(&x);
            let nom = modele[i].name();
            if nom == "Conv2d" || nom.ends_with("Pool2d") {
                formes.push(x.shape()[1..].to_vec());
            }
        }
    });
    formes
}

fn reseau1() -> Result<(), String> {
    let modele: Sequential = answers::reseau_1();
    sortie_10("reseau_1", &modele)?;
    let formes = formes_intermediaires(&modele);
    let attendues = vec![
        vec![32, 32, 32],
        vec![32, 16, 16],
        vec![64, 16, 16],
        vec![64, 8, 8],
    ];
    ensure(formes == attendues, || {
        format!("reseau_1 : sorties des Conv2d et MaxPool2d attendues {attendues:?} (10.1.7), obtenues {formes:?}")
    })?;
    observe_text(
        "reseau_1 : sorties des Conv2d et MaxPool2d",
        &format!("{formes:?}"),
    );
    let obtenus = poids(&modele);
    let attendus = vec![
        vec![32, 3, 5, 5],
        vec![64, 32, 3, 3],
        vec![256, 4096],
        vec![10, 256],
    ];
    ensure(obtenus == attendus, || {
        format!("reseau_1 : poids attendus {attendus:?}, obtenus {obtenus:?}")
    })?;
    observe_text("reseau_1 : formes des poids", &format!("{obtenus:?}"));
    nombre_parametres("reseau_1", &modele, 1_072_330)?;
    non_lineaire("reseau_1", &modele)?;
    apprend("reseau_1", &modele)?;
    // after the learning test: the fixed weights replace the learnt ones
    sortie_poids_fixes("reseau_1", &modele, 24)
}

fn reseau2() -> Result<(), String> {
    let modele: Sequential = answers::reseau_2();
    sortie_10("reseau_2", &modele)?;
    let convolutions = poids(&modele).iter().filter(|s| s.len() == 4).count();
    ensure(convolutions >= 3, || {
        format!("reseau_2 doit être plus profond que le Réseau 1 : au moins 3 couches Conv2d attendues, {convolutions} trouvée(s)")
    })?;
    seed(22);
    let x = Tensor::randn(&[4, 3, 32, 32]);
    modele.train();
    let (a, b) = no_grad(|| (modele.forward(&x), modele.forward(&x)));
    ensure((&a - &b).abs().max().item() > 1e-6, || {
        "reseau_2 doit contenir au moins un Dropout : en mode train, deux passages sur les mêmes images donnent ici exactement le même résultat".to_string()
    })?;
    modele.eval();
    let (a, b) = no_grad(|| (modele.forward(&x), modele.forward(&x)));
    ensure((&a - &b).abs().max().item() == 0.0, || {
        "reseau_2 : en mode eval, deux passages sur les mêmes images doivent donner le même résultat".to_string()
    })?;
    apprend("reseau_2", &modele)
}
