//! Embeds the instructor's side into the grader at build time: every `solutions/<name>.ipynb`
//! with its checks `grader/checks/<name>.rs`, and the harness templates. Grading then never
//! depends on files a student could edit (see src/reference.rs).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let root = manifest.parent().unwrap().to_path_buf();
    let solutions = root.join("solutions");
    let checks = manifest.join("checks");
    println!("cargo:rerun-if-changed={}", solutions.display());
    println!("cargo:rerun-if-changed={}", checks.display());

    let mut names: Vec<String> = fs::read_dir(&solutions)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "ipynb"))
                .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
                .collect()
        })
        .unwrap_or_default();
    // The course's order: ch1, ch2, …, ch10, then the others (demo) by name.
    names.sort_by_key(
        |n| match n.strip_prefix("ch").and_then(|d| d.parse::<u32>().ok()) {
            Some(k) => (0, k, String::new()),
            None => (1, 0, n.clone()),
        },
    );

    let mut out = String::new();
    writeln!(out, "/// The repository the grader was built from.").unwrap();
    writeln!(
        out,
        "pub const REPO_ROOT: &str = {:?};",
        root.display().to_string()
    )
    .unwrap();
    writeln!(out, "pub static CHAPTERS: &[EmbeddedChapter] = &[").unwrap();
    for name in &names {
        let solution = solutions.join(format!("{name}.ipynb"));
        let check = checks.join(format!("{name}.rs"));
        let check_expr = if check.exists() {
            format!("Some(include_str!({}))", lit(&check))
        } else {
            println!(
                "cargo:warning=solutions/{name}.ipynb has no checks file grader/checks/{name}.rs"
            );
            "None".to_string()
        };
        writeln!(
            out,
            "    EmbeddedChapter {{ name: {name:?}, solution: include_str!({}), checks: {check_expr} }},",
            lit(&solution)
        )
        .unwrap();
    }
    writeln!(out, "];").unwrap();
    let dest = PathBuf::from(env::var("OUT_DIR").unwrap()).join("chapters.rs");
    fs::write(dest, out).unwrap();
}

fn lit(p: &Path) -> String {
    format!("{:?}", p.display().to_string())
}
