//! The hostile corpus of the issue "every build and every check runs in a real sandbox": an
//! attacker who has read the grader's source and knows everything but the per-run token and
//! the hidden inputs. One batch of submissions (hostile/*.rs write them), each with its exact
//! outcome per exercise; then, whatever the cells did: nothing left running, no control group
//! left, nothing written outside the scratch, no line of the reference or of the checks in a
//! report, no raw control character for the reader's terminal.

mod common;

mod hostile {
    pub mod cells;
    pub mod corpus;
    pub mod escapes;
    pub mod leaks;
    pub mod paths;
}

use common::*;
use hostile::corpus::{gradient, softmax, Corpus, Ctx, G, RIGHT, S};
use hostile::{cells, escapes, leaks, paths};
use serde_json::Value;
use std::io::ErrorKind;
use std::net::{IpAddr, TcpListener, UdpSocket};
use std::os::linux::net::SocketAddrExt;
use std::os::unix::net::{SocketAddr, UnixListener};
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

/// The heavy tests of this file run one at a time (2 cores: two batches at once would blur
/// every time limit).
static HEAVY: Mutex<()> = Mutex::new(());

fn heavy() -> MutexGuard<'static, ()> {
    HEAVY.lock().unwrap_or_else(|e| e.into_inner())
}

/// The host's own address on its default route, if it has one (no packet is sent).
fn host_ip() -> Option<IpAddr> {
    let s = UdpSocket::bind("0.0.0.0:0").ok()?;
    s.connect("192.0.2.1:9").ok()?;
    let ip = s.local_addr().ok()?.ip();
    (!ip.is_unspecified() && !ip.is_loopback()).then_some(ip)
}

fn write_corpus(c: &mut Corpus) {
    c.g("good", &gradient(RIGHT), ("PASS", "PASS"));
    // Slow ones first, so that they overlap with the rest.
    escapes::build_attacks(c);
    escapes::tampering(c);
    cells::forgeries(c);
    cells::compile_time_reads(c);
    cells::run_time_reads(c);
    cells::false_positives(c);
    escapes::survivors(c);
    escapes::resources(c);
    escapes::terminal_escapes(c);
    // After the tamperers: a slot's binary replaced would show here.
    for i in 0..3 {
        c.notebook(
            &format!("stubs_after_tampering_{i}"),
            &student(),
            ("PANIC", "PANIC"),
        );
    }
    paths::input_paths(c);
    c.g("good_at_the_end", &gradient(RIGHT), ("PASS", "PASS"));
}

/// The checks after the batch can fail: a marked process and a marker file are seen.
fn scanners_see_what_they_look_for(ctx: &Ctx) {
    let mut witness = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("sleep 60; : {}", ctx.mark))
        .spawn()
        .unwrap();
    let planted = PathBuf::from(format!("/tmp/{}-w", ctx.mark));
    std::fs::write(&planted, "").unwrap();
    let seen = leaks::survivors(0, Some(&ctx.mark));
    let found = leaks::markers_left(ctx);
    witness.kill().unwrap();
    witness.wait().unwrap();
    std::fs::remove_file(&planted).unwrap();
    assert!(
        seen.iter()
            .any(|p| p.starts_with(&format!("{}:", witness.id()))),
        "{seen:?}"
    );
    assert_eq!(found, vec![planted]);
}

fn points(o: &str, max: f64) -> f64 {
    if o == "PASS" {
        max
    } else {
        0.0
    }
}

#[test]
fn hostile_corpus_batch() {
    let _heavy = heavy();
    let dir = tempfile::tempdir().unwrap();
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let mark = format!("hostile{}q{nanos}", std::process::id());
    let listener = TcpListener::bind("0.0.0.0:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut addrs = vec![format!("127.0.0.1:{port}"), format!("[::1]:{port}")];
    addrs.extend(host_ip().map(|ip| std::net::SocketAddr::new(ip, port).to_string()));
    let abstract_name = format!("{mark}-abstrait");
    let unix =
        UnixListener::bind_addr(&SocketAddr::from_abstract_name(abstract_name.as_bytes()).unwrap())
            .unwrap();
    let notebooks = dir.path().join("copies");
    std::fs::create_dir(&notebooks).unwrap();
    let ctx = Ctx {
        dir: notebooks,
        root: root(),
        mark: mark.clone(),
        home: std::env::var_os("HOME").map_or_else(|| PathBuf::from("/root"), PathBuf::from),
        addrs,
        abstract_name,
    };
    scanners_see_what_they_look_for(&ctx);
    let mut corpus = Corpus::new(ctx);
    write_corpus(&mut corpus);
    let cases = &corpus.cases;
    assert!(cases.len() >= 45, "{} cases", cases.len());

    let json = dir.path().join("out.json");
    let mut args: Vec<String> = [
        "grade",
        "--jobs",
        "2",
        "--chapter",
        "demo",
        "--max-check-time",
        "20",
        "--cell-build-timeout",
        "12",
        "--json",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.push(json.display().to_string());
    args.extend(cases.iter().map(|c| c.path.display().to_string()));
    let secret = format!("{mark}-secret");
    let run = leaks::grade_in_session(&args, dir.path(), &[("HOSTILE_SECRET", &secret)]);
    // Right after the batch, then once delayed writers (6 s) would have written.
    let mut problems: Vec<String> = Vec::new();
    let mut survivors = leaks::survivors(run.pid, Some(&mark));
    problems.extend(
        leaks::cgroups_left(run.pid)
            .iter()
            .map(|d| format!("control group left: {}", d.display())),
    );
    std::thread::sleep(Duration::from_secs(15));
    survivors.extend(leaks::survivors(run.pid, Some(&mark)));
    problems.extend(survivors.iter().map(|p| format!("process left: {p}")));
    problems.extend(
        leaks::markers_left(&corpus.ctx)
            .iter()
            .map(|p| format!("written outside the sandbox: {}", p.display())),
    );
    listener.set_nonblocking(true).unwrap();
    match listener.accept() {
        Err(e) if e.kind() == ErrorKind::WouldBlock => {}
        other => problems.push(format!("the TCP listener was reached: {other:?}")),
    }
    unix.set_nonblocking(true).unwrap();
    match unix.accept() {
        Err(e) if e.kind() == ErrorKind::WouldBlock => {}
        other => problems.push(format!("the abstract socket was reached: {other:?}")),
    }

    assert_eq!(run.status.code(), Some(1), "not everything passes: exit 1");
    let reports: Vec<Value> = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(reports.len(), cases.len(), "one report per file");
    let secrets = leaks::secret_lines(&root());
    let mut table = String::new();
    for (case, r) in cases.iter().zip(&reports) {
        let file = r["file"].as_str().unwrap_or("");
        let last = case.path.file_name().unwrap().to_string_lossy();
        if !file.ends_with(&*last) && !case.name.contains('\u{1b}') {
            problems.push(format!("{}: report for another file: {file}", case.name));
        }
        let got = (outcome(r, G), outcome(r, S));
        let name: String = case
            .name
            .chars()
            .map(|c| if c.is_control() { '?' } else { c })
            .collect();
        table += &format!(
            "{name:40} expected {:14} {:14} got {:14} {:14}{}\n",
            case.expect.0,
            case.expect.1,
            got.0,
            got.1,
            if got == case.expect {
                ""
            } else {
                "  <-- WRONG"
            }
        );
        let text = leaks::strings(r);
        if got != case.expect {
            problems.push(format!(
                "{name}: expected {:?}, got {got:?}\n{}",
                case.expect,
                serde_json::to_string_pretty(r).unwrap()
            ));
        }
        let want = points(case.expect.0, 2.0) + points(case.expect.1, 3.0);
        if r["score"].as_f64() != Some(want) {
            problems.push(format!("{name}: score {} instead of {want}", r["score"]));
        }
        for s in &case.says {
            if !text.contains(s.as_str()) {
                problems.push(format!("{name}: the report does not say « {s} »"));
            }
        }
        for s in &case.never {
            if text.contains(s.as_str()) {
                problems.push(format!("{name}: the report contains « {s} »:\n{text}"));
            }
        }
        for l in &secrets {
            if text.contains(l.as_str()) {
                problems.push(format!("{name}: the report quotes a hidden line: {l}"));
            }
        }
        let controls = leaks::raw_controls(&text);
        if !controls.is_empty() {
            problems.push(format!("{name}: raw control characters {controls:?}"));
        }
        if case.name == "fifo" && r["seconds"].as_f64().is_none_or(|s| s >= 1.0) {
            problems.push(format!("fifo: refused in {} s", r["seconds"]));
        }
    }
    let printed = format!("{}{}", run.stdout, run.stderr);
    for l in &secrets {
        if printed.contains(l.as_str()) {
            problems.push(format!("the grader printed a hidden line: {l}"));
        }
    }
    let controls = leaks::raw_controls(&printed);
    if !controls.is_empty() {
        problems.push(format!(
            "the grader printed raw control characters {controls:?}"
        ));
    }
    eprintln!(
        "{} cases graded in {:.1} s\n{table}",
        cases.len(),
        run.elapsed.as_secs_f64()
    );
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert!(
        run.elapsed < Duration::from_secs(600),
        "batch took {:?}",
        run.elapsed
    );
}

/// One graded cell of chapter 7 makes the compiler loop: only that exercise is lost, in
/// bounded time (the first build, then a bisection on prefixes of the cells).
#[test]
fn ch7_compile_time_loop_costs_only_its_cell() {
    let _heavy = heavy();
    let dir = tempfile::tempdir().unwrap();
    let mut nb = load(&root().join("solutions/ch7.ipynb"));
    let guilty = "7.5.1-marge";
    let i = position(&nb, guilty);
    let src: String = match &nb["cells"][i]["source"] {
        Value::Array(parts) => parts.iter().filter_map(Value::as_str).collect(),
        v => v.as_str().unwrap().to_string(),
    };
    set_answer(
        &mut nb,
        guilty,
        &format!("#[allow(long_running_const_eval)]\nconst _: () = loop {{}};\n{src}"),
    );
    let path = dir.path().join("ch7.ipynb");
    save(&nb, &path);
    let json = dir.path().join("out.json");
    let args: Vec<String> = [
        "grade",
        "--jobs",
        "1",
        "--json",
        json.to_str().unwrap(),
        path.to_str().unwrap(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let t = Instant::now();
    let run = leaks::grade_in_session(&args, dir.path(), &[]);
    let elapsed = t.elapsed();
    eprintln!("chapter 7 with a compile-time loop graded in {elapsed:.1?}");
    assert!(
        elapsed < Duration::from_secs(150),
        "took {elapsed:?} (budget 120 s)"
    );
    let reports: Vec<Value> = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let exercises = reports[0]["exercises"].as_array().unwrap();
    assert_eq!(exercises.len(), 9, "{:#}", reports[0]);
    for e in exercises {
        let id = e["id"].as_str().unwrap();
        let want = if id == guilty {
            "COMPILE_ERROR"
        } else {
            "PASS"
        };
        assert_eq!(e["outcome"], want, "{id}: {e:#}");
        if id != guilty {
            assert_eq!(e["points"], e["max_points"], "{id}: {e:#}");
        }
    }
    assert_eq!(run.status.code(), Some(1));
    assert!(leaks::survivors(run.pid, None).is_empty());
    assert!(leaks::cgroups_left(run.pid).is_empty());
}

/// `grader check`'s terminal output shows control characters escaped, never raw.
#[test]
fn check_prints_no_raw_control_characters() {
    let _heavy = heavy();
    let dir = tempfile::tempdir().unwrap();
    let mut nb = good();
    set_answer(
        &mut nb,
        G,
        &gradient(r#"    panic!("avant\u{1b}[2J\u{1b}]0;titre\u{7}\u{9b}31m\r\u{7}après")"#),
    );
    set_answer(
        &mut nb,
        S,
        &softmax("    print!(\"\\u{1b}[31mrouge\\u{7}\");\n    eprint!(\"\\u{9b}2J\\r\");\n    scores.clone()"),
    );
    let path = dir.path().join("demo.ipynb");
    save(&nb, &path);
    let json = dir.path().join("out.json");
    let out = run(&[
        "check",
        path.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let r: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!((outcome(&r, G), outcome(&r, S)), ("PANIC", "FAIL"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(leaks::raw_controls(&text), Vec::<String>::new(), "{text}");
    assert!(
        text.contains("\\u{1b}[2J") && text.contains("\\u{1b}[31mrouge"),
        "{text}"
    );
}

/// Safe Rust that breaks the type system (rustc issue #25860) reads the run's token from the
/// stdin buffer and writes, with it, an old-style PASS record and an `end ok` observation on
/// every descriptor: the verdict is the grader's comparison with the reference run, so it
/// gets 0.
#[test]
fn token_theft_through_a_soundness_hole_gives_no_points() {
    let _heavy = heavy();
    let dir = tempfile::tempdir().unwrap();
    let mut nb = good();
    set_answer(&mut nb, G, cells::TOKEN_THEFT);
    let path = dir.path().join("demo.ipynb");
    save(&nb, &path);
    let json = dir.path().join("out.json");
    run(&[
        "check",
        path.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ]);
    let r: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let ex = |id: &str| {
        r["exercises"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(ex(G)["points"].as_f64(), Some(0.0), "{r:#}");
    assert_ne!(ex(G)["outcome"], "PASS", "{r:#}");
    assert_eq!(outcome(&r, S), "PASS");
}
