//! `grader check` and `grader grade` on ordinary submissions: the student's report, exit
//! codes, JSON/CSV, determinism, and "rebuild, don't trust".

mod common;

use common::*;
use serde_json::Value;

fn check_json(nb: &Value, name: &str) -> (std::process::Output, Value) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    save(nb, &path);
    let json = dir.path().join("report.json");
    let out = run(&[
        "check",
        path.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ]);
    let report = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    (out, report)
}

#[test]
fn full_marks_exit_zero_and_say_so_in_french() {
    let (out, r) = check_json(&good(), "demo.ipynb");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Total : 5 / 5") && text.contains("réussi") && text.contains("Bravo"),
        "{text}"
    );
    assert_eq!(
        (r["score"].as_f64(), r["max_score"].as_f64()),
        (Some(5.0), Some(5.0))
    );
}

#[test]
fn the_student_notebook_passes_nothing() {
    let (out, r) = check_json(&student(), "demo.ipynb");
    assert_eq!(out.status.code(), Some(1));
    for id in ["2.4-gradient", "9.1-softmax"] {
        assert_eq!(outcome(&r, id), "PANIC");
    }
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("pas encore fait") && text.contains("Total : 0 / 5"),
        "{text}"
    );
}

#[test]
fn a_wrong_answer_fails_with_expected_and_obtained() {
    let nb = with_gradient_body("    (x0, x1)");
    let (out, r) = check_json(&nb, "demo.ipynb");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(outcome(&r, "2.4-gradient"), "FAIL");
    assert_eq!(outcome(&r, "9.1-softmax"), "PASS");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("attendu 39") && text.contains("obtenu 2"),
        "{text}"
    );
}

/// Only graded cells' sources come from the submission: points, other cells and metadata
/// are the instructor's, whatever the file says.
#[test]
fn rebuild_dont_trust() {
    let mut nb = good();
    nb["metadata"]["kernelspec"]["name"] = "python3".into();
    let i = position(&nb, "2.4-gradient");
    cells(&mut nb)[i]["metadata"]["grader"]["points"] = 1000.into();
    cells(&mut nb).retain(|c| c["metadata"]["grader"].is_object());
    cells(&mut nb).push(serde_json::json!({
        "cell_type": "code", "execution_count": null, "id": "ajout", "metadata": {"grader": {"id": "bonus", "points": 50}},
        "outputs": [], "source": "fn bonus() {}"
    }));
    cells(&mut nb).push(serde_json::json!({
        "cell_type": "code", "execution_count": null, "id": "brouillon", "metadata": {}, "outputs": [], "source": "let x = 1;"
    }));
    let (out, r) = check_json(&nb, "copie-de-quelqu-un.ipynb");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        r["chapter"], "demo",
        "the chapter is recognised from the exercise ids"
    );
    assert_eq!(
        (r["score"].as_f64(), r["max_score"].as_f64()),
        (Some(5.0), Some(5.0))
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("« bonus »") && text.contains("ajoutée"),
        "{text}"
    );
}

#[test]
fn grading_is_deterministic_and_a_batch_has_a_row_per_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (i, nb) in [
        good(),
        student(),
        with_gradient_body("    (x0, x1)"),
        good(),
    ]
    .iter()
    .enumerate()
    {
        let p = dir.path().join(format!("eleve{i}_demo.ipynb"));
        save(nb, &p);
        files.push(p.display().to_string());
    }
    let csv = dir.path().join("notes.csv");
    let json = dir.path().join("notes.json");
    let mut args = vec![
        "grade",
        "--jobs",
        "2",
        "--csv",
        csv.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ];
    args.extend(files.iter().map(String::as_str));
    let first = run(&args);
    assert_eq!(first.status.code(), Some(1));
    let a: Vec<Value> = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let csv_text = std::fs::read_to_string(&csv).unwrap();
    assert!(run(&args).status.code() == Some(1));
    let b: Vec<Value> = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let outcomes = |v: &Vec<Value>| {
        v.iter()
            .map(|r| {
                (
                    outcome(r, "2.4-gradient").to_string(),
                    outcome(r, "9.1-softmax").to_string(),
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(outcomes(&a), outcomes(&b));
    assert_eq!(outcomes(&a)[0], ("PASS".into(), "PASS".into()));
    assert_eq!(outcomes(&a)[2], ("FAIL".into(), "PASS".into()));
    let lines: Vec<&str> = csv_text.lines().collect();
    assert_eq!(lines.len(), 5, "{csv_text}");
    assert!(lines[0]
        .starts_with("file,chapter,score,max_score,error,2.4-gradient,2.4-gradient outcome"));
    assert!(
        lines[1].contains(",demo,5,5,,2,PASS,3,PASS"),
        "{}",
        lines[1]
    );
}
