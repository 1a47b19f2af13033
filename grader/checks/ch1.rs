// Checks of chapter 1 (solutions/ch1.ipynb): one function per graded cell id.
// Rules: see grader/checks/demo.rs (student items only as `answers::x`, concrete types,
// French messages with what was expected and what was obtained).

pub const CHECKS: &[Check] = &[
    Check::new("1.6.1-export", export).timeout_secs(30),
    Check::new("1.6.2-fonction", fonction).timeout_secs(30),
    Check::new("1.6.2-erreur", erreur).timeout_secs(30),
    Check::new("1.6.2-verites", verites).timeout_secs(30),
];

/// The four ground truths of the course (x, y, T).
const VERITES: [(f32, f32, f32); 4] = [
    (0.0, 5.0, 1.0),
    (4.1, 4.0, 1.0),
    (10.0, 6.0, 1.0),
    (3.0, 3.0, 0.0),
];

fn export() -> Result<(), String> {
    use answers::Element as E;
    let got: Vec<answers::Element> = answers::a_exporter();
    // read each variant with a match (no reliance on the cell's PartialEq)
    let mut chosen = [false; 6];
    for e in &got {
        let i: usize = match e {
            E::ImagesDeLaBase => 0,
            E::FonctionF => 1,
            E::FonctionErreur => 2,
            E::ReponsesDeLaBase => 3,
            E::MethodeOptimisation => 4,
            E::ParametresInternes => 5,
        };
        chosen[i] = true;
    }
    let why = [
        "les images de la base ne servent qu'à apprendre : en production, on présente des données nouvelles",
        "la fonction (le réseau) f est indispensable : c'est elle qui calcule la réponse",
        "la fonction d'erreur ne sert qu'à évaluer les réponses pendant l'apprentissage",
        "les réponses de la base (les vérités terrain) ne servent qu'à apprendre",
        "la méthode d'optimisation ne sert qu'à faire évoluer les poids pendant l'apprentissage",
        "les paramètres internes (les poids) sont indispensables : ce sont eux qui ont été appris",
    ];
    let want = [false, true, false, false, false, true];
    let mut problems = Vec::new();
    for i in 0..6 {
        if chosen[i] != want[i] {
            let verdict = if want[i] { "manquant" } else { "en trop" };
            problems.push(format!("  - {verdict} : {}", why[i]));
        }
    }
    ensure(problems.is_empty(), || {
        format!(
            "a_exporter() renvoie {} élément(s) ; attendu : exactement les deux éléments nécessaires en production.\n{}",
            got.len(),
            problems.join("\n")
        )
    })?;
    observe_text("éléments exportés", &format!("{chosen:?}"));
    Ok(())
}

fn fonction() -> Result<(), String> {
    let a: f32 = answers::valeur_a();
    ensure(a.is_finite(), || {
        format!("valeur_a() doit être un nombre fini, obtenu {a}")
    })?;
    for (x, y, t) in VERITES {
        let got: f32 = answers::f_apprise(x, y, a);
        close(
            &format!("f_apprise({x}, {y}, valeur_a()) (vérité terrain T = {t})"),
            got,
            t,
            1e-5,
        )?;
    }
    // equal inputs anywhere give 0, clearly different ones give 1
    for x in [-7.5f32, -1.0, 0.0, 2.5, 42.0] {
        let got: f32 = answers::f_apprise(x, x, a);
        close(
            &format!("f_apprise({x}, {x}, valeur_a()), deux nombres égaux"),
            got,
            0.0,
            1e-5,
        )?;
    }
    for (x, y) in [(-3.0f32, 8.0f32), (20.0, 1.0), (-5.0, -9.0), (1.0, 2.5)] {
        let got: f32 = answers::f_apprise(x, y, a);
        close(
            &format!("f_apprise({x}, {y}, valeur_a()), deux nombres bien différents"),
            got,
            1.0,
            1e-5,
        )?;
    }
    // a is a real learning parameter: some other value of a must change the answers
    let candidates = [0.0f32, 0.001, 0.01, 0.1, 1.0, 100.0, 1000.0, 1e5, -1.0];
    let changes = candidates.iter().any(|&b| {
        VERITES.iter().any(|&(x, y, t)| {
            let got: f32 = answers::f_apprise(x, y, b);
            !((got - t).abs() <= 1e-3)
        })
    });
    ensure(changes, || {
        format!(
            "f_apprise donne les bonnes réponses pour toutes les valeurs de a essayées ({candidates:?}) : \
             le paramètre a ne sert à rien. Il doit intervenir dans le calcul (c'est lui que l'apprentissage règle)."
        )
    })
}

fn erreur() -> Result<(), String> {
    for v in [0.0f32, 1.0, 0.3, -2.0] {
        let got: f32 = answers::erreur(v, v);
        close(&format!("erreur({v}, {v}), réponse exacte"), got, 0.0, 1e-6)?;
    }
    for (s, t) in [
        (0.5f32, 1.0f32),
        (0.0, 1.0),
        (1.0, 0.0),
        (0.2, 0.0),
        (3.0, -1.0),
    ] {
        let got: f32 = answers::erreur(s, t);
        ensure(got > 0.0, || {
            format!("erreur({s}, {t}) : attendu une valeur strictement positive (la réponse est fausse), obtenu {got}")
        })?;
        let farther: f32 = answers::erreur(s + 2.0 * (s - t), t);
        ensure(farther > got, || {
            format!(
                "l'erreur doit grandir quand la sortie s'éloigne de la réponse : erreur({s}, {t}) = {got} mais erreur({}, {t}) = {farther}",
                s + 2.0 * (s - t)
            )
        })?;
    }
    let base: Vec<(f32, f32, f32)> = VERITES.to_vec();
    for a in [0.0f32, 0.5, 2.0, 10.0, 50.0] {
        let want: f32 = base
            .iter()
            .map(|&(x, y, t)| {
                let s: f32 = answers::f_apprise(x, y, a);
                let e: f32 = answers::erreur(s, t);
                e
            })
            .sum();
        let got: f32 = answers::erreur_totale(a, &base);
        // erreur and f_apprise are the student's own (any positive, growing error is
        // accepted): record the gap to their sum, 0 for every correct answer.
        close(
            &format!(
                "erreur_totale({a}, vérités du cours) moins la somme de erreur(f_apprise(x, y, {a}), T)"
            ),
            got - want,
            0.0,
            1e-4 * (1.0 + want.abs()),
        )?;
    }
    let one: Vec<(f32, f32, f32)> = vec![(1.0, 2.0, 1.0)];
    let got: f32 = answers::erreur_totale(0.0, &one);
    let s: f32 = answers::f_apprise(1.0, 2.0, 0.0);
    let want: f32 = answers::erreur(s, 1.0);
    close(
        "erreur_totale(0, [(1, 2, 1)]) moins erreur(f_apprise(1, 2, 0), 1) (un seul exemple)",
        got - want,
        0.0,
        1e-5,
    )?;
    let none: Vec<(f32, f32, f32)> = Vec::new();
    let got: f32 = answers::erreur_totale(1.0, &none);
    close("erreur_totale(1, []) (base vide)", got, 0.0, 1e-6)
}

fn verites() -> Result<(), String> {
    let got: Vec<(f32, f32, f32)> = answers::meilleures_verites();
    ensure(got.len() >= 8, || {
        format!(
            "meilleures_verites() : au moins 8 triplets attendus, obtenu {}",
            got.len()
        )
    })?;
    for &(x, y, t) in &got {
        let want = if x != y { 1.0 } else { 0.0 };
        ensure(t == want, || {
            format!("le triplet ({x}, {y}, {t}) est faux : T({x}, {y}) vaut {want}")
        })?;
    }
    let close_pairs = got
        .iter()
        .filter(|&&(x, y, _)| x != y && (x - y).abs() <= 0.0105)
        .count();
    ensure(close_pairs >= 1, || {
        "il faut au moins un couple de nombres différents mais très proches (écart d'au plus 0,01) : \
         c'est là que f_apprise se trompe avec la base du cours"
            .to_string()
    })?;
    let mut equal_x: Vec<f32> = got.iter().filter(|p| p.0 == p.1).map(|p| p.0).collect();
    equal_x.sort_by(f32::total_cmp);
    equal_x.dedup();
    ensure(equal_x.len() >= 2, || {
        format!(
            "il faut plusieurs couples égaux (x = y) à des endroits différents ; obtenu {} valeur(s) distincte(s) : {equal_x:?}",
            equal_x.len()
        )
    })
}
