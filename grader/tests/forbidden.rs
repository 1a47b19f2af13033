//! Issue 15, part 2: each exercise must really be done. For every exercise with rules
//! (`forbid` / `require` in its `metadata.grader`), a copy of its chapter's solution notebook
//! with that one answer replaced by a library one-liner (or, for 2.5.3-autograd, a gradient
//! derived by hand) gets `REFUSED` for that exercise; the other exercises keep their outcome
//! (PASS, or a failure only where they call the refused answer, now its `todo!()` stub).
//! Unreadable files are in the same batch: their real reason is kept whatever their name.

mod common;

use common::*;
use serde_json::Value;

/// (chapter, exercise, cheating answer, exercises that call the refused answer and so do not pass)
const CHEATS: &[(&str, &str, &str, &[&str])] = &[
    (
        "ch2",
        "2.5.3-autograd",
        "fn gradient_autograd(x0: f32, x1: f32) -> (f32, f32) {\n    let s = 2.0 * (x0 * x1 + x1.abs());\n    (s * x1, s * (x0 + x1.signum()))\n}\n",
        &[],
    ),
    (
        "ch4",
        "4.1-forme",
        "fn broadcast_shape(a: &[usize], b: &[usize]) -> Result<Vec<usize>, String> {\n    apprentissage::broadcast::broadcast_shapes(a, b).map_err(|e| e.to_string())\n}\n",
        &["4.1-addition"],
    ),
    (
        "ch4",
        "4.1-addition",
        "fn gamma(i: usize, taille: usize) -> usize {\n    if taille > 1 { i } else { 0 }\n}\n\nfn addition_broadcast(a: &Tensor, b: &Tensor) -> Tensor {\n    a + b\n}\n",
        &[],
    ),
    (
        "ch7",
        "7.5.1-erreur",
        "fn erreur(scores: &Tensor, id_cat: usize) -> Tensor {\n    F::margin_loss(&scores.reshape(&[1, -1]), &[id_cat], 0.0)\n}\n",
        &[],
    ),
    (
        "ch7",
        "7.5.1-marge",
        "fn erreur_marge(scores: &Tensor, id_cat: usize, delta: f32) -> Tensor {\n    F::margin_loss(&scores.reshape(&[1, -1]), &[id_cat], delta)\n}\n",
        &[],
    ),
    (
        "ch7",
        "7.5.2-vectorisee",
        "fn erreur_vectorisee(scores: &Tensor, cats: &Tensor, delta: f32) -> Tensor {\n    use apprentissage::functional::margin_loss_with as perte;\n    let cats: Vec<usize> = cats.to_vec().iter().map(|&c| c as usize).collect();\n    perte(scores, &cats[..], delta, Reduction::Sum)\n}\n",
        &[],
    ),
    (
        "ch9",
        "9.1-softmax",
        "fn ma_softmax(x: &Tensor) -> Tensor {\n    x.softmax(1)\n}\n",
        &["9.3-entropie-croisee"],
    ),
    (
        "ch9",
        "9.3-entropie-croisee",
        "fn entropie_croisee(scores: &Tensor, labels: &Tensor) -> Tensor {\n    F::cross_entropy(scores, labels)\n}\n",
        &[],
    ),
    (
        "ch9",
        "9.4-log-softmax",
        "fn mon_log_softmax(x: &Tensor) -> Tensor {\n    apprentissage::functional::log_softmax(x, 1)\n}\n",
        &[],
    ),
    (
        "ch9",
        "9.4-nll",
        "fn mon_nll(log_probs: &Tensor, labels: &Tensor) -> Tensor {\n    F::nll_loss(log_probs, labels)\n}\n",
        &[],
    ),
    (
        "ch10",
        "10.1.1-convolution",
        "fn convolution_2d(image: &Tensor, noyau: &Tensor, pas: usize, marge: usize) -> Tensor {\n    let (n, m) = (image.shape()[0], image.shape()[1]);\n    let (u, v) = (noyau.shape()[0], noyau.shape()[1]);\n    apprentissage::ops::conv::conv2d(&image.reshape(&[1, 1, n as isize, m as isize]), &noyau.reshape(&[1, 1, u as isize, v as isize]), None, pas, marge).squeeze()\n}\n",
        &[],
    ),
];

fn graded_ids(nb: &Value) -> Vec<String> {
    nb["cells"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["metadata"]["grader"]["id"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn one_library_call_does_not_do_the_exercise() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (chapter, id, answer, _) in CHEATS {
        let mut nb = load(&root().join(format!("solutions/{chapter}.ipynb")));
        assert!(
            nb["cells"][position(&nb, id)]["metadata"]["grader"]["forbid"].is_array()
                || nb["cells"][position(&nb, id)]["metadata"]["grader"]["require"].is_array(),
            "{chapter} {id} has no rule"
        );
        set_answer(&mut nb, id, answer);
        let path = dir.path().join(format!("{chapter}_{id}.ipynb"));
        save(&nb, &path);
        files.push(path.display().to_string());
    }
    // Unreadable files named like no chapter: each keeps its own reason.
    let missing = dir.path().join("copie-introuvable.ipynb");
    let not_json = dir.path().join("dupont.ipynb");
    std::fs::write(&not_json, b"pas du JSON").unwrap();
    let v5 = dir.path().join("rendu.ipynb");
    std::fs::write(&v5, br#"{"nbformat": 5, "nbformat_minor": 0, "cells": []}"#).unwrap();
    for p in [&missing, &not_json, &v5] {
        files.push(p.display().to_string());
    }

    let json = dir.path().join("out.json");
    let mut args = vec!["grade", "--jobs", "2", "--json", json.to_str().unwrap()];
    args.extend(files.iter().map(String::as_str));
    let out = run(&args);
    assert_eq!(out.status.code(), Some(1), "some exercises are refused");
    let reports: Vec<Value> = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(reports.len(), files.len());

    let mut wrong = Vec::new();
    for ((chapter, id, _, dependents), r) in CHEATS.iter().zip(&reports) {
        assert_eq!(r["chapter"], *chapter, "{r:#}");
        let nb = load(&root().join(format!("solutions/{chapter}.ipynb")));
        for other in graded_ids(&nb) {
            let got = outcome(r, &other);
            let ok = if other == *id {
                got == "REFUSED"
            } else if dependents.contains(&other.as_str()) {
                got == "PANIC"
            } else {
                got == "PASS"
            };
            if !ok {
                wrong.push(format!("{chapter} with {id} cheated: {other} is {got}"));
            }
        }
        let refused = r["exercises"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"] == *id)
            .unwrap();
        let reason = refused["reason"].as_str().unwrap();
        assert!(
            reason.contains("cet exercice demande") && refused["points"] == 0.0,
            "{id}: {reason}"
        );
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));

    let n = CHEATS.len();
    let error = |i: usize| reports[i]["error"].as_str().unwrap_or("").to_string();
    assert!(error(n).contains("introuvable"), "{}", error(n));
    assert!(
        error(n + 1).contains("n'est pas du JSON valide (détail de serde_json"),
        "{}",
        error(n + 1)
    );
    assert!(
        error(n + 2).contains("nbformat 5") && !error(n + 2).contains("ancien"),
        "{}",
        error(n + 2)
    );
    for r in &reports[n..] {
        assert_eq!(r["score"], 0.0);
        assert!(!r["score"].to_string().starts_with('-'));
    }
}

#[test]
fn the_refusal_is_in_the_student_report() {
    let dir = tempfile::tempdir().unwrap();
    let mut nb = load(&root().join("notebooks/ch9.ipynb"));
    set_answer(
        &mut nb,
        "9.1-softmax",
        "use apprentissage::functional::softmax as s;\nfn ma_softmax(x: &Tensor) -> Tensor {\n    s(x, 1)\n}\n",
    );
    let path = dir.path().join("ch9.ipynb");
    save(&nb, &path);
    let out = run(&["check", path.to_str().unwrap(), "--max-check-time", "20"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("0/2  refusé : ligne 1 : cet exercice demande d'écrire la softmax vous-même : n'appelez pas `softmax`"),
        "{text}"
    );
}
