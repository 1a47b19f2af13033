//! `grader generate`: notebooks/ is derived from solutions/, byte for byte apart from the
//! answers, outputs and execution counts.

mod common;

use common::*;

#[test]
fn notebooks_are_in_sync_with_solutions() {
    let out = run(&["generate", "--check"]);
    assert!(
        out.status.success(),
        "run `grader generate` and commit notebooks/"
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("warning"));
}

#[test]
fn generate_writes_the_student_notebook_and_check_detects_drift() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("solutions")).unwrap();
    std::fs::copy(root_solution(), root.join("solutions/demo.ipynb")).unwrap();
    let r = root.to_str().unwrap();

    let out = run(&["--root", r, "generate", "--check"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a missing notebook is out of date"
    );
    assert!(run(&["--root", r, "generate"]).status.success());
    let written = std::fs::read(root.join("notebooks/demo.ipynb")).unwrap();
    assert_eq!(
        written,
        std::fs::read(common::root().join("notebooks/demo.ipynb")).unwrap()
    );
    assert!(run(&["--root", r, "generate", "--check"]).status.success());

    std::fs::write(
        root.join("notebooks/demo.ipynb"),
        [&written[..], b" "].concat(),
    )
    .unwrap();
    let out = run(&["--root", r, "generate", "--check"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("OUT OF DATE"));
}

#[test]
fn only_answers_outputs_and_counts_differ() {
    let sol = solution();
    let stu = student();
    let (a, b) = (
        sol["cells"].as_array().unwrap(),
        stu["cells"].as_array().unwrap(),
    );
    assert_eq!(a.len(), b.len());
    assert_eq!(sol["metadata"], stu["metadata"]);
    for (x, y) in a.iter().zip(b) {
        assert_eq!(x["metadata"], y["metadata"]);
        assert_eq!(x["id"], y["id"]);
        let (sx, sy) = (text(x), text(y));
        if sx.contains("// BEGIN SOLUTION") {
            assert!(sy.contains("todo!(\"exercice "), "{sy}");
            assert!(!sy.contains("SOLUTION"));
            let sig = sx.lines().find(|l| l.starts_with("fn ")).unwrap();
            assert!(sy.contains(sig), "the signature line stays: {sig}");
        } else {
            assert_eq!(sx, sy);
        }
        if y["cell_type"] == "code" {
            assert_eq!(y["outputs"], serde_json::json!([]));
            assert!(y["execution_count"].is_null());
        }
    }
}

fn root_solution() -> std::path::PathBuf {
    common::root().join("solutions/demo.ipynb")
}

fn text(cell: &serde_json::Value) -> String {
    cell["source"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect()
}
