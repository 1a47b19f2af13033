//! The files compiled only inside submission projects (the checks and the harness templates)
//! are formatted like the rest: `cargo fmt` does not see them.

use std::path::Path;
use std::process::Command;

#[test]
fn checks_and_templates_are_rustfmt_clean() {
    let grader = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["checks", "template"] {
        for entry in std::fs::read_dir(grader.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    assert!(!files.is_empty());
    let out = Command::new("rustfmt")
        .args(["--check", "--edition", "2021"])
        .args(&files)
        .output()
        .expect("rustfmt");
    assert!(
        out.status.success(),
        "run: rustfmt --edition 2021 grader/checks/*.rs grader/template/*.rs\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
