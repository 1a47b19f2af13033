//! A student process that takes full control of its output: simulated by a probe runner (the
//! grader's test-only `--probe-runner`) that reads the run's token and seed like the real
//! harness and writes whatever records it likes on the result pipe. The verdict is the
//! grader's comparison with the reference run, so none of these forgeries earns a point;
//! the same runner passing the real probe through earns full marks (the test can fail).

mod common;

use common::*;
use serde_json::Value;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// A python probe runner: `body` runs with `token`, `seed` and `write(line)` (to fd 3).
fn runner(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    let script = format!(
        "#!/usr/bin/python3\nimport os, sys, json, glob\n\
         token, seed = sys.stdin.read().split()\n\
         def write(obj):\n    obj = dict(token=token, **obj)\n    os.write(3, ('\\n' + json.dumps(obj) + '\\n').encode())\n\
         check = sys.argv[2] if len(sys.argv) > 2 else ''\n\
         if sys.argv[1] == '--list':\n    pass\n{body}\n"
    );
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

fn check_with(runner: &Path, json: &Path) -> Value {
    let out = run(&[
        "check",
        root().join("solutions/demo.ipynb").to_str().unwrap(),
        "--probe-runner",
        runner.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ]);
    assert!(out.status.code().is_some(), "the grader was killed");
    load(json)
}

fn outcomes(r: &Value) -> Vec<(String, String, f64)> {
    r["exercises"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["id"].as_str().unwrap().to_string(),
                e["outcome"].as_str().unwrap().to_string(),
                e["points"].as_f64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn forged_records_earn_nothing_and_only_the_references_values_pass() {
    let dir = std::env::temp_dir().join(format!("grader-forgery-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let json = dir.join("r.json");
    let forgers = [
        (
            "old_pass_record",
            "write(dict(outcome='PASS', message='', location=''))",
        ),
        (
            "end_ok_only",
            "write(dict(kind='end', status='ok', message='', location=''))",
        ),
        (
            // The demo's labels with made-up values, its own expected values and a huge
            // tolerance, then a clean end.
            "labels_with_wrong_values",
            "for l in ['∂f/∂x0 en (2, 1), l\\'exemple du cours', '∂f/∂x1 en (2, 1), l\\'exemple du cours']:\n    \
             write(dict(kind='number', label=l, got=0.0, want=0.0, tol=1e9))\n\
             for i in range(20):\n    write(dict(kind='bool', value=True, message=''))\n\
             write(dict(kind='end', status='ok', message='', location=''))",
        ),
        (
            "bools_only",
            "for i in range(20):\n    write(dict(kind='bool', value=True, message=''))\n\
             write(dict(kind='end', status='ok', message='', location=''))",
        ),
    ];
    for (name, body) in forgers {
        let r = check_with(&runner(&dir, name, body), &json);
        for (id, outcome, points) in outcomes(&r) {
            assert_eq!(points, 0.0, "{name}: {id} earned points ({outcome})");
            assert_ne!(outcome, "PASS", "{name}: {id}");
        }
        assert_eq!(r["score"].as_f64(), Some(0.0), "{name}");
    }
    // The same kind of runner handing over to the real probe: full marks.
    let pattern = root().join("target/grader/slots/*/target/debug/run-checks-w*");
    let honest = runner(
        &dir,
        "passthrough",
        &format!(
            "real = [p for p in glob.glob('{}') if not p.endswith('.d') and os.path.isfile(p)]\n\
         r, w = os.pipe()\n\
         os.write(w, (token + ' ' + seed + '\\n').encode()); os.close(w)\n\
         os.dup2(r, 0)\n\
         os.execv(real[0], [real[0]] + sys.argv[1:])",
            pattern.display()
        ),
    );
    let r = check_with(&honest, &json);
    assert_eq!(
        outcomes(&r)
            .iter()
            .map(|(_, o, _)| o.as_str())
            .collect::<Vec<_>>(),
        ["PASS", "PASS"],
        "{r}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
