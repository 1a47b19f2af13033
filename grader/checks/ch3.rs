// Checks of chapter 3 (solutions/ch3.ipynb): tensors, shapes, indexing, slicing, masks,
// copies and views. One function per graded cell id; rules in grader/checks/demo.rs.

pub const CHECKS: &[Check] = &[
    Check::new("3.3-listes", listes).timeout_secs(30),
    Check::new("3.4-forme", forme).timeout_secs(30),
    Check::new("3.6-pixel", pixel).timeout_secs(30),
    Check::new("3.7-tranches", tranches).timeout_secs(30),
    Check::new("3.8-indexage", indexage).timeout_secs(30),
    Check::new("3.9-copie", copie).timeout_secs(30),
    Check::new("3.10.1-vue", vue).timeout_secs(30),
    Check::new("3.10.3-reshape", reshape).timeout_secs(30),
];

fn listes() -> Result<(), String> {
    let got: Tensor = answers::depuis_listes(&[vec![1., 2., 3.], vec![4., 5., 6.]]);
    let want = Tensor::from_vec(vec![1., 2., 3., 4., 5., 6.], &[2, 3]);
    close_tensor("depuis_listes([[1, 2, 3], [4, 5, 6]])", &got, &want, 0.0)?;
    seed(3);
    for (n, m) in [(1usize, 4usize), (3, 1), (4, 5)] {
        let values = Tensor::rand(&[n, m]);
        let lists: Vec<Vec<f32>> = values.to_vec2();
        let got: Tensor = answers::depuis_listes(&lists);
        close_tensor(
            &format!("depuis_listes d'une liste de {n} listes de {m} valeurs"),
            &got,
            &values,
            0.0,
        )?;
    }
    Ok(())
}

fn forme() -> Result<(), String> {
    // one more shape drawn after seed(4): the recorded values change from run to run
    seed(4);
    let tirage: Vec<usize> = Tensor::rand(&[3])
        .to_vec()
        .iter()
        .map(|v| 1 + (v * 5.0) as usize)
        .collect();
    for (a, b, c) in [
        (2usize, 3usize, 4usize),
        (1, 1, 1),
        (3, 2, 5),
        (2, 4, 1),
        (tirage[0], tirage[1], tirage[2]),
    ] {
        let got: Tensor = answers::exemple_3_4(a, b, c);
        ensure(got.shape() == vec![a, b, c], || {
            format!(
                "exemple_3_4({a}, {b}, {c}) : forme attendue [{a}, {b}, {c}], obtenue {:?}",
                got.shape()
            )
        })?;
        let values = got.to_array();
        for ((i, j, k), &v) in values
            .indexed_iter()
            .map(|(ix, v)| ((ix[0], ix[1], ix[2]), v))
        {
            ensure(v == j as f32, || {
                format!("exemple_3_4({a}, {b}, {c}) : T[{i}, {j}, {k}] devrait valoir {j} (l'indice du milieu), obtenu {v}")
            })?;
        }
        let want: Vec<f32> = (0..a * b * c).map(|n| ((n / c) % b) as f32).collect();
        close_tensor(
            &format!("exemple_3_4({a}, {b}, {c})"),
            &got,
            &Tensor::from_vec(want, &[a, b, c]),
            0.0,
        )?;
    }
    Ok(())
}

fn pixel() -> Result<(), String> {
    let img = tensor!([[0, 1, 2, 3], [10, 11, 12, 13], [20, 21, 22, 23]]);
    let got: f32 = answers::pixel(&img, 3, 1);
    ensure(got == 13.0, || {
        format!("pixel(img, x = 3, y = 1) sur l'image 10·y + x de forme [3, 4] : obtenu {got}, ce n'est pas la valeur de la ligne 1, colonne 3")
    })?;
    close(
        "pixel(img, x = 3, y = 1) sur l'image 10·y + x de forme [3, 4]",
        got,
        13.0,
        0.0,
    )?;
    seed(6);
    for (h, w) in [(5usize, 7usize), (6, 2)] {
        let img = Tensor::rand(&[h, w]);
        let data = img.to_vec2();
        let mut lus = Vec::with_capacity(h * w);
        for y in 0..h {
            for x in 0..w {
                let got: f32 = answers::pixel(&img, x, y);
                let want = data[y][x];
                if got != want {
                    let hint = if x < h && y < w && got == data[x][y] {
                        " : vous avez lu A[x, y] au lieu de A[y, x]"
                    } else {
                        ""
                    };
                    return Err(format!(
                        "pixel(image de forme [{h}, {w}], x = {x}, y = {y}) : obtenu {got}, ce n'est pas la valeur de la ligne y, colonne x{hint}"
                    ));
                }
                lus.push(got);
            }
        }
        close_tensor(
            &format!("pixel(img, x, y) pour chaque pixel (ligne y, colonne x) d'une image [{h}, {w}] tirée au hasard"),
            &Tensor::from_vec(lus, &[h, w]),
            &img,
            0.0,
        )?;
    }
    Ok(())
}

fn tranches() -> Result<(), String> {
    for (n, m) in [(3usize, 3usize), (4, 5), (6, 4), (5, 7)] {
        let a = Tensor::arange(0.0, (n * m) as f32, 1.0).reshape(&[n as isize, m as isize]);
        let data = a.to_vec2();
        let inner: Vec<f32> = data[1..n - 1]
            .iter()
            .flat_map(|r| r[1..m - 1].to_vec())
            .collect();
        let want = Tensor::from_vec(inner, &[n - 2, m - 2]);
        let got: Tensor = answers::interieur(&a);
        close_tensor(
            &format!("interieur d'une matrice [{n}, {m}] (valeurs 0, 1, 2…)"),
            &got,
            &want,
            0.0,
        )?;
        let even: Vec<f32> = data
            .iter()
            .flat_map(|r| r.iter().step_by(2).copied().collect::<Vec<f32>>())
            .collect();
        let want = Tensor::from_vec(even, &[n, m.div_ceil(2)]);
        let got: Tensor = answers::colonnes_paires(&a);
        close_tensor(
            &format!("colonnes_paires d'une matrice [{n}, {m}] (valeurs 0, 1, 2…)"),
            &got,
            &want,
            0.0,
        )?;
    }
    Ok(())
}

fn indexage() -> Result<(), String> {
    seed(8);
    let a = Tensor::randn(&[5, 3]);
    let data = a.to_vec2();
    for indices in [vec![4usize, 0, 0, 2], vec![1], vec![0, 1, 2, 3, 4]] {
        let picked: Vec<f32> = indices.iter().flat_map(|&i| data[i].clone()).collect();
        let want = Tensor::from_vec(picked, &[indices.len(), 3]);
        let got: Tensor = answers::lignes_choisies(&a, &indices);
        close_tensor(
            &format!("lignes_choisies(a de forme [5, 3], {indices:?})"),
            &got,
            &want,
            0.0,
        )?;
    }
    let b = Tensor::randn(&[4, 5]);
    for seuil in [0.3f32, -0.5, 10.0] {
        let kept: Vec<f32> = b.to_vec().into_iter().filter(|&v| v > seuil).collect();
        let n = kept.len();
        let want = Tensor::from_vec(kept, &[n]);
        let got: Tensor = answers::superieurs_a(&b, seuil);
        close_tensor(
            &format!("superieurs_a(b de forme [4, 5], {seuil}) (les éléments > {seuil}, à plat, dans l'ordre)"),
            &got,
            &want,
            0.0,
        )?;
    }
    let before = b.to_vec();
    for seuil in [0.3f32, -0.5] {
        let capped: Vec<f32> = b.to_vec().into_iter().map(|v| v.min(seuil)).collect();
        let want = Tensor::from_vec(capped, &[4, 5]);
        let got: Tensor = answers::plafonner(&b, seuil);
        close_tensor(
            &format!("plafonner(b de forme [4, 5], {seuil})"),
            &got,
            &want,
            0.0,
        )?;
        ensure(b.to_vec() == before, || {
            "plafonner a modifié le tenseur reçu : il doit renvoyer une copie".to_string()
        })?;
        close_tensor(
            &format!("b après plafonner(b, {seuil}) (inchangé)"),
            &b,
            &Tensor::from_vec(before.clone(), &[4, 5]),
            0.0,
        )?;
    }
    Ok(())
}

fn copie() -> Result<(), String> {
    seed(9);
    for (shape, valeur) in [([2usize, 2usize], 5.0f32), ([3, 4], -1.5)] {
        let t = Tensor::rand(&shape);
        let before = t.to_vec();
        let got: Tensor = answers::copie_modifiee(&t, valeur);
        ensure(t.to_vec() == before, || {
            format!(
                "copie_modifiee a modifié le tenseur d'origine (il vaut maintenant {t}) : pour un Tensor, \
                 clone() ne copie pas les valeurs (c'est un second nom, comme A = T) ; utilisez detach()"
            )
        })?;
        ensure(!got.same_node(&t), || {
            "copie_modifiee renvoie le tenseur d'origine lui-même, pas une copie".to_string()
        })?;
        close_tensor(
            &format!("t après copie_modifiee(t de forme {shape:?}, {valeur}) (inchangé)"),
            &t,
            &Tensor::from_vec(before.clone(), &shape),
            0.0,
        )?;
        let mut want = before.clone();
        want[0] = valeur;
        close_tensor(
            &format!("copie_modifiee(t de forme {shape:?}, {valeur})"),
            &got,
            &Tensor::from_vec(want, &shape),
            0.0,
        )?;
    }
    Ok(())
}

fn vue() -> Result<(), String> {
    for (n, m, lignes, colonnes) in [
        (4usize, 5usize, 1usize..3usize, 2usize..5usize),
        (6, 6, 0..6, 0..1),
        (3, 4, 2..3, 1..2),
    ] {
        let t = Tensor::arange(1.0, (n * m + 1) as f32, 1.0).reshape(&[n as isize, m as isize]);
        let before = t.to_vec2();
        answers::effacer_bloc(&t, lignes.clone(), colonnes.clone());
        let after = t.to_vec2();
        ensure(after != before, || {
            format!(
                "effacer_bloc(t de forme [{n}, {m}], {lignes:?}, {colonnes:?}) n'a pas modifié t : \
                 écrivez dans le tableau du tenseur lui-même (t.data_mut()), pas dans une copie"
            )
        })?;
        for i in 0..n {
            for j in 0..m {
                let want = if lignes.contains(&i) && colonnes.contains(&j) {
                    0.0
                } else {
                    before[i][j]
                };
                ensure(after[i][j] == want, || {
                    format!(
                        "effacer_bloc(t de forme [{n}, {m}], {lignes:?}, {colonnes:?}) : t[{i}, {j}] devrait valoir {want}, obtenu {}\n  t après l'appel : {t}",
                        after[i][j]
                    )
                })?;
            }
        }
        let want: Vec<f32> = (0..n * m)
            .map(|f| {
                let (i, j) = (f / m, f % m);
                if lignes.contains(&i) && colonnes.contains(&j) {
                    0.0
                } else {
                    before[i][j]
                }
            })
            .collect();
        close_tensor(
            &format!("t après effacer_bloc(t de forme [{n}, {m}], {lignes:?}, {colonnes:?})"),
            &t,
            &Tensor::from_vec(want, &[n, m]),
            0.0,
        )?;
    }
    Ok(())
}

fn reshape() -> Result<(), String> {
    use apprentissage::ndarray::{ArrayD, IxDyn, Slice, SliceInfoElem};
    let values: Vec<f32> = (0..12).map(|v| v as f32).collect();
    let a = ArrayD::from_shape_vec(IxDyn(&[3, 4]), values.clone()).expect("12 values");
    let flat = ArrayD::from_shape_vec(IxDyn(&[12]), values).expect("12 values");
    let transposed = a.clone().reversed_axes();
    // a[:, :2] keeps gaps between its rows. (a[:, ::2] of a [3, 4] array would be a view: its
    // offsets 0, 2, …, 10 have a single stride.)
    let first_two = [
        SliceInfoElem::from(..),
        SliceInfoElem::from(Slice::from(..2)),
    ];
    let stepped = a.clone().slice_move(&first_two[..]);
    let cases: [(&str, &ArrayD<f32>, &[usize], bool); 6] = [
        (
            "un tableau [3, 4] rangé ligne par ligne, vers [4, 3]",
            &a,
            &[4, 3],
            true,
        ),
        (
            "un tableau [3, 4] rangé ligne par ligne, vers [12]",
            &a,
            &[12],
            true,
        ),
        ("un tableau [12], vers [2, 6]", &flat, &[2, 6], true),
        (
            "la transposée (reversed_axes) d'un tableau [3, 4], vers [12]",
            &transposed,
            &[12],
            false,
        ),
        (
            "la transposée (reversed_axes) d'un tableau [3, 4], vers [2, 6]",
            &transposed,
            &[2, 6],
            false,
        ),
        (
            "les deux premières colonnes (a[:, :2]) d'un tableau [3, 4], vers [6]",
            &stepped,
            &[6],
            false,
        ),
    ];
    for (what, array, shape, want) in cases {
        let got: bool = answers::partage_memoire(array, shape);
        ensure(got == want, || {
            format!("partage_memoire pour {what} : attendu {want}, obtenu {got}")
        })?;
        observe_text(&format!("partage_memoire pour {what}"), &got.to_string());
    }
    Ok(())
}
