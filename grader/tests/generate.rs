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

/// A written answer (markdown between `<!-- BEGIN SOLUTION -->` and `<!-- END SOLUTION -->`)
/// reaches the generated notebook neither in its cell nor as a cell of its own.
#[test]
fn generate_removes_written_answers_from_markdown_cells() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("solutions")).unwrap();
    let mut nb = solution();
    let answer_in_cell = serde_json::json!({"cell_type": "markdown", "id": "question-qu3",
        "metadata": {}, "source": ["**Qu3.** Pourquoi ?\n", "\n", "<!-- BEGIN SOLUTION -->\n",
        "Réponse secrète : aucun gradient en test.\n", "<!-- END SOLUTION -->\n", "\n", "### Suite"]});
    let answer_alone = serde_json::json!({"cell_type": "markdown", "id": "reponse-qu9",
        "metadata": {}, "source": ["<!-- BEGIN SOLUTION -->\n", "Réponse secrète : non.\n",
        "<!-- END SOLUTION -->"]});
    let n = cells(&mut nb).len();
    cells(&mut nb).push(answer_in_cell);
    cells(&mut nb).push(answer_alone);
    std::fs::write(
        root.join("solutions/demo.ipynb"),
        serde_json::to_string_pretty(&nb).unwrap(),
    )
    .unwrap();
    assert!(run(&["--root", root.to_str().unwrap(), "generate"])
        .status
        .success());
    let text = std::fs::read_to_string(root.join("notebooks/demo.ipynb")).unwrap();
    assert!(!text.contains("secrète"), "an answer is left");
    assert!(!text.contains("SOLUTION"));
    let student = load(&root.join("notebooks/demo.ipynb"));
    let out = student["cells"].as_array().unwrap();
    assert_eq!(
        out.len(),
        n + 1,
        "the cell that held only an answer is dropped"
    );
    assert_eq!(out[n]["id"], "question-qu3");
    assert_eq!(
        out[n]["source"],
        serde_json::json!(["**Qu3.** Pourquoi ?\n", "\n", "### Suite"])
    );
}

/// No student notebook of the course shows a written answer: no marker, no « Réponse » block.
#[test]
fn no_student_notebook_shows_an_answer() {
    for entry in std::fs::read_dir(common::root().join("notebooks")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|x| x != "ipynb") {
            continue;
        }
        let nb = load(&path);
        for cell in nb["cells"].as_array().unwrap() {
            let t = text(cell);
            assert!(!t.contains("SOLUTION"), "{}: {t}", path.display());
            assert!(!t.contains("<details>"), "{}: {t}", path.display());
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
