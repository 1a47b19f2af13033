//! `grader replay demo`: the solution runs in the real evcxr kernel through Jupyter, gets full
//! marks, the stubs get none, notebooks/ is in sync.
//!
//! Needs set-up's Jupyter venv and evcxr kernel (`scripts/setup.sh jupyter evcxr`). Without
//! them the test says so and passes, unless APPRENTISSAGE_REQUIRE_JUPYTER=1 (as `make test`
//! sets), where their absence is a failure.

mod common;

use common::*;

fn jupyter_available() -> bool {
    let cache = std::env::var_os("APPRENTISSAGE_CACHE")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(std::env::var("HOME").unwrap_or_default())
                .join(".cache/apprentissage")
        });
    cache.join("venv/bin/jupyter").exists()
        && cache.join("jupyter/kernels/rust/kernel.json").exists()
}

#[test]
fn replay_demo() {
    if !jupyter_available() {
        let required = std::env::var("APPRENTISSAGE_REQUIRE_JUPYTER").is_ok_and(|v| v == "1");
        assert!(
            !required,
            "Jupyter or the rust kernel is missing: run scripts/setup.sh jupyter evcxr"
        );
        eprintln!("SKIPPED: replay needs `scripts/setup.sh jupyter evcxr` (set APPRENTISSAGE_REQUIRE_JUPYTER=1 to make this a failure)");
        return;
    }
    let out = run(&["replay", "demo"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    let row = text
        .lines()
        .find(|l| l.starts_with("demo "))
        .unwrap_or_default();
    assert!(
        row.contains("5/5") && row.contains("0/5") && row.ends_with("ok"),
        "{text}"
    );
    let executed = load(&root().join("target/replay/demo.ipynb"));
    let outputs: String = executed["cells"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["outputs"].as_array().cloned().unwrap_or_default())
        .map(|o| o.to_string())
        .collect();
    assert!(
        outputs.contains("(39.0, 84.0)"),
        "the course's example is recomputed: {outputs}"
    );
}
