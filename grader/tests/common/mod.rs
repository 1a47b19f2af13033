//! Shared by the grader's integration tests: the demo notebook pair, edits of its cells, and
//! running the grader binary.
#![allow(dead_code)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

pub fn grader() -> Command {
    Command::new(env!("CARGO_BIN_EXE_grader"))
}

pub fn run(args: &[&str]) -> Output {
    let out = grader().args(args).output().expect("running the grader");
    eprintln!(
        "grader {}\n--- stdout\n{}--- stderr\n{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

pub fn solution() -> Value {
    load(&root().join("solutions/demo.ipynb"))
}

pub fn student() -> Value {
    load(&root().join("notebooks/demo.ipynb"))
}

pub fn load(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

pub fn save(nb: &Value, path: &Path) {
    std::fs::write(path, serde_json::to_string_pretty(nb).unwrap()).unwrap();
}

pub fn cells(nb: &mut Value) -> &mut Vec<Value> {
    nb["cells"].as_array_mut().unwrap()
}

pub fn position(nb: &Value, id: &str) -> usize {
    nb["cells"]
        .as_array()
        .unwrap()
        .iter()
        .position(|c| c["metadata"]["grader"]["id"] == id)
        .unwrap_or_else(|| panic!("no graded cell {id}"))
}

/// Replaces the source of the graded cell `id`.
pub fn set_answer(nb: &mut Value, id: &str, source: &str) {
    let i = position(nb, id);
    cells(nb)[i]["source"] = Value::String(source.to_string());
}

/// A full-marks submission that does not depend on the engine's composite gradients: the
/// softmax answer calls the library's softmax (the checks cannot tell).
pub fn good() -> Value {
    let mut nb = solution();
    set_answer(
        &mut nb,
        "9.1-softmax",
        "fn softmax_lignes(scores: &Tensor) -> Tensor {\n    scores.softmax(1)\n}\n",
    );
    nb
}

/// `good()` with the 2.4 answer's body replaced (the signature is kept).
pub fn with_gradient_body(body: &str) -> Value {
    let mut nb = good();
    set_answer(
        &mut nb,
        "2.4-gradient",
        &format!("fn gradient_f(x0: f32, x1: f32) -> (f32, f32) {{\n{body}\n}}\n"),
    );
    nb
}

/// The outcome of exercise `id` in a JSON report.
pub fn outcome<'a>(report: &'a Value, id: &str) -> &'a str {
    report["exercises"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == id)
        .and_then(|e| e["outcome"].as_str())
        .unwrap_or("(absent du rapport)")
}
