//! The hostile corpus of issue 5: every file must end with a report, the right outcome per
//! exercise, within its time limit, and the batch must finish with a row for each.

mod common;

use common::*;
use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

const G: &str = "2.4-gradient";
const S: &str = "9.1-softmax";

/// (file name, expected outcome of 2.4, of 9.1)
type Case = (&'static str, &'static str, &'static str);

fn write_corpus(dir: &Path) -> Vec<Case> {
    let w = |name: &str, nb: &Value| save(nb, &dir.join(name));
    let raw = |name: &str, bytes: &[u8]| std::fs::write(dir.join(name), bytes).unwrap();
    let mut cases: Vec<Case> = Vec::new();

    w("good.ipynb", &good());
    cases.push(("good.ipynb", "PASS", "PASS"));
    w("stubs.ipynb", &student());
    cases.push(("stubs.ipynb", "PANIC", "PANIC"));

    raw("not_json.ipynb", b"Ceci n'est pas un carnet.\n");
    cases.push(("not_json.ipynb", "MISSING", "MISSING"));
    raw("not_notebook.ipynb", br#"{"bonjour": [1, 2, 3]}"#);
    cases.push(("not_notebook.ipynb", "MISSING", "MISSING"));
    raw(
        "nbformat3.ipynb",
        br#"{"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [{"cells": [{"cell_type": "code", "input": "fn f() {}", "outputs": []}]}]}"#,
    );
    cases.push(("nbformat3.ipynb", "MISSING", "MISSING"));

    let mut nb = good();
    let i = position(&nb, G);
    cells(&mut nb).remove(i);
    w("deleted_cell.ipynb", &nb);
    cases.push(("deleted_cell.ipynb", "MISSING", "PASS"));

    // Duplicated: a wrong first copy, the right one last (the last copy wins).
    let mut nb = good();
    let i = position(&nb, G);
    let mut wrong = cells(&mut nb)[i].clone();
    wrong["source"] =
        Value::String("fn gradient_f(x0: f32, x1: f32) -> (f32, f32) { (0.0, 0.0) }".into());
    cells(&mut nb).insert(i, wrong);
    w("duplicated_cell.ipynb", &nb);
    cases.push(("duplicated_cell.ipynb", "PASS", "PASS"));

    let mut nb = good();
    let i = position(&nb, G);
    let cell = cells(&mut nb)[i].as_object_mut().unwrap();
    cell.insert("cell_type".into(), "markdown".into());
    cell.remove("outputs");
    cell.remove("execution_count");
    w("retyped_markdown.ipynb", &nb);
    cases.push(("retyped_markdown.ipynb", "PASS", "PASS"));

    w(
        "syntax_error.ipynb",
        &with_gradient_body("    let x = ;\n    (x, x)"),
    );
    cases.push(("syntax_error.ipynb", "COMPILE_ERROR", "PASS"));
    w(
        "type_error.ipynb",
        &with_gradient_body("    let x: i32 = 1.5;\n    (0.0, 0.0)"),
    );
    cases.push(("type_error.ipynb", "COMPILE_ERROR", "PASS"));
    w(
        "infinite_loop.ipynb",
        &with_gradient_body("    loop { std::hint::black_box(x0); }"),
    );
    cases.push(("infinite_loop.ipynb", "TIMEOUT", "PASS"));
    w(
        "exit0.ipynb",
        &with_gradient_body("    std::process::exit(0)"),
    );
    cases.push(("exit0.ipynb", "CRASH", "PASS"));
    w("panic.ipynb", &with_gradient_body("    panic!(\"boum\")"));
    cases.push(("panic.ipynb", "PANIC", "PASS"));
    w(
        "alloc_50gb.ipynb",
        &with_gradient_body("    let v = vec![1u8; 50 << 30];\n    (v[7] as f32, v.len() as f32)"),
    );
    cases.push(("alloc_50gb.ipynb", "CRASH", "PASS"));
    let mut nb = good();
    set_answer(
        &mut nb,
        G,
        "fn profond(n: u64) -> u64 {\n    let a = [n; 64];\n    std::hint::black_box(&a);\n    if n == 0 { 0 } else { profond(n - 1) + a[3] }\n}\nfn gradient_f(x0: f32, x1: f32) -> (f32, f32) {\n    (profond(1 << 40) as f32, x1)\n}\n",
    );
    w("stack_overflow.ipynb", &nb);
    cases.push(("stack_overflow.ipynb", "CRASH", "PASS"));
    // 100 MB of output, then the right answer: still graded, output truncated.
    let good_body = "    let a = Tensor::scalar(x0).requires_grad_();\n    let b = Tensor::scalar(x1).requires_grad_();\n    let f = (&a * 2.0 + &b * 5.0) * (&a * &b * 3.0);\n    f.backward();\n    (a.grad().unwrap().item(), b.grad().unwrap().item())";
    w(
        "print_100mb.ipynb",
        &with_gradient_body(&format!(
            "    let s = \"x\".repeat(1 << 20);\n    for _ in 0..100 {{ print!(\"{{s}}\"); }}\n{good_body}"
        )),
    );
    cases.push(("print_100mb.ipynb", "PASS", "PASS"));
    // Forged pass records: on stdout, stderr, fd 3 with a guessed token, the stdin and every
    // environment value as token; then a wrong answer (FAIL) or an exit before the harness
    // writes anything (CRASH). Never PASS.
    let forge = r#"    let rec = |t: &str| format!("\n{{\"token\":\"{t}\",\"outcome\":\"PASS\",\"message\":\"\",\"location\":\"\"}}\n");
    let zeros = "0".repeat(32);
    print!("{}", rec(&zeros));
    eprint!("{}", rec(&zeros));
    let mut stolen = String::new();
    let _ = std::io::Read::read_to_string(&mut std::io::stdin(), &mut stolen);
    let environ = String::from_utf8_lossy(&std::fs::read("/proc/self/environ").unwrap_or_default()).into_owned();
    if let Ok(mut f) = std::fs::OpenOptions::new().write(true).open("/proc/self/fd/3") {
        use std::io::Write;
        let _ = f.write_all(rec(&zeros).as_bytes());
        let _ = f.write_all(rec(stolen.trim()).as_bytes());
        let args: Vec<String> = std::env::args().collect();
        for v in environ.split('\0').chain(args.iter().map(|a| a.as_str())) {
            let _ = f.write_all(rec(v.split('=').last().unwrap_or("")).as_bytes());
        }
    }"#;
    w(
        "fake_pass_fail.ipynb",
        &with_gradient_body(&format!("{forge}\n    (1.0, 2.0)")),
    );
    cases.push(("fake_pass_fail.ipynb", "FAIL", "PASS"));
    w(
        "fake_pass_exit.ipynb",
        &with_gradient_body(&format!("{forge}\n    std::process::exit(0)")),
    );
    cases.push(("fake_pass_exit.ipynb", "CRASH", "PASS"));
    // Shadowing what the checks use (Err, format!, close) must not turn a wrong answer into a pass.
    let mut nb = good();
    set_answer(
        &mut nb,
        G,
        "#[allow(non_snake_case)]\nfn Err<T>(_: T) -> Result<(), String> { Ok(()) }\nfn close(_: &str, _: f32, _: f32, _: f32) -> Result<(), String> { Ok(()) }\nmacro_rules! format { ($($t:tt)*) => { return Ok(()) }; }\nfn gradient_f(x0: f32, x1: f32) -> (f32, f32) { (x0, x1) }\n",
    );
    w("shadowing.ipynb", &nb);
    cases.push(("shadowing.ipynb", "FAIL", "PASS"));
    w(
        "unsafe.ipynb",
        &with_gradient_body("    let p = &x0 as *const f32;\n    unsafe { (*p, x1) }"),
    );
    cases.push(("unsafe.ipynb", "COMPILE_ERROR", "PASS"));
    // ndarray's s![…] expands to an allowed `unsafe` block: an answer that slices must build.
    w(
        "slicing.ipynb",
        &with_gradient_body(&format!(
            "    let first = Tensor::from_vec(vec![x0, x1], &[2]).slice(s![..1]).item();\n    assert_eq!(first, x0);\n{good_body}"
        )),
    );
    cases.push(("slicing.ipynb", "PASS", "PASS"));
    let mut nb = good();
    set_answer(
        &mut nb,
        G,
        ":dep rand = \"0.8\"\nfn gradient_f(x0: f32, x1: f32) -> (f32, f32) { (x0, x1) }\n",
    );
    w("evcxr_command.ipynb", &nb);
    cases.push(("evcxr_command.ipynb", "COMPILE_ERROR", "PASS"));
    // Invalid UTF-8 inside a comment of an otherwise right answer.
    let mut nb = good();
    let i = position(&nb, G);
    let src = nb["cells"][i]["source"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect::<String>();
    set_answer(&mut nb, G, &src.replacen("\n", "\n// MARQUE\n", 1));
    let mut bytes = serde_json::to_string_pretty(&nb).unwrap().into_bytes();
    let pos = bytes.windows(6).position(|w| w == b"MARQUE").unwrap();
    bytes.splice(pos..pos + 6, *b"caf\xff\xfe");
    raw("non_utf8.ipynb", &bytes);
    cases.push(("non_utf8.ipynb", "PASS", "PASS"));
    // 200 MB (sparse file: quick to make, refused from its size alone).
    let mut f = std::fs::File::create(dir.join("huge_200mb.ipynb")).unwrap();
    f.write_all(b"{\"cells\": [], \"nbformat\": 4, \"x\": \"")
        .unwrap();
    f.set_len(200 * 1000 * 1000).unwrap();
    cases.push(("huge_200mb.ipynb", "MISSING", "MISSING"));
    cases
}

#[test]
fn hostile_corpus_batch() {
    let dir = tempfile::tempdir().unwrap();
    let cases = write_corpus(dir.path());
    let json = dir.path().join("out.json");
    let csv = dir.path().join("out.csv");
    let mut args: Vec<String> = [
        "grade",
        "--jobs",
        "2",
        "--chapter",
        "demo",
        "--max-check-time",
        "5",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend([
        "--json".into(),
        json.display().to_string(),
        "--csv".into(),
        csv.display().to_string(),
    ]);
    args.extend(
        cases
            .iter()
            .map(|c| dir.path().join(c.0).display().to_string()),
    );
    let t = Instant::now();
    let out = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let elapsed = t.elapsed();
    assert_eq!(
        out.status.code(),
        Some(1),
        "not everything passes, so exit 1"
    );
    let reports: Vec<Value> = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(reports.len(), cases.len(), "one report per file");
    let mut wrong = Vec::new();
    for ((name, g, s), r) in cases.iter().zip(&reports) {
        assert!(r["file"].as_str().unwrap().ends_with(name));
        let got = (outcome(r, G), outcome(r, S));
        if got != (*g, *s) {
            wrong.push(format!("{name}: expected ({g}, {s}), got {got:?}\n{r:#}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    let csv = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(csv.lines().count(), cases.len() + 1, "{csv}");
    // Slow cases are bounded by their limits (the 5 s cap here), builds by the shared target.
    assert!(elapsed < Duration::from_secs(600), "batch took {elapsed:?}");

    let by_name = |n: &str| &reports[cases.iter().position(|c| c.0 == n).unwrap()];
    let text = |n: &str| serde_json::to_string(by_name(n)).unwrap();
    assert!(text("duplicated_cell.ipynb").contains("plusieurs fois"));
    assert!(text("retyped_markdown.ipynb").contains("markdown"));
    assert!(text("non_utf8.ipynb").contains("UTF-8"));
    assert!(text("huge_200mb.ipynb").contains("trop gros"));
    assert!(text("nbformat3.ipynb").contains("nbformat 3"));
    assert!(
        text("syntax_error.ipynb").contains("ligne 2"),
        "compiler lines are the cell's own"
    );
    assert!(text("panic.ipynb").contains("boum"));
    assert!(text("alloc_50gb.ipynb").contains("mémoire"));
    assert!(text("stack_overflow.ipynb").contains("pile"));
    assert!(text("evcxr_command.ipynb").contains(":dep"));
    assert!(
        text("print_100mb.ipynb").len() < 200_000,
        "output is truncated in reports"
    );
}

#[test]
fn a_200mb_notebook_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.ipynb");
    std::fs::File::create(&path)
        .unwrap()
        .set_len(200 * 1000 * 1000)
        .unwrap();
    let t = Instant::now();
    let out = run(&["check", path.to_str().unwrap()]);
    assert!(t.elapsed() < Duration::from_secs(5));
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("trop gros") && text.contains("absent"),
        "{text}"
    );
}
