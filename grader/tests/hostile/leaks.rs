//! After the batch: what must be true of the host and of the reports whatever the cells did.
//! Nothing running, no control group, no marker file, no line of the reference answers or of
//! the checks in a report, no raw control character for the reader's terminal.

use super::corpus::Ctx;
use serde_json::Value;
use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// One run of the grader in a session of its own.
pub struct Run {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
    /// Its pid, which is also its session and process group id.
    pub pid: u32,
    pub elapsed: Duration,
}

/// Runs the grader with `args` in a new session (its pid is the session id), output to files
/// (a process that kept a pipe open could not make the test wait); killed after 15 minutes.
pub fn grade_in_session(args: &[String], scratch: &Path, env: &[(&str, &str)]) -> Run {
    let out_path = scratch.join("grader.stdout");
    let err_path = scratch.join("grader.stderr");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_grader"));
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(File::create(&out_path).unwrap())
        .stderr(File::create(&err_path).unwrap());
    for (k, v) in env {
        cmd.env(k, v);
    }
    // SAFETY: setsid(2) is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            if libc::setsid() < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let start = Instant::now();
    let mut child = cmd.spawn().expect("starting the grader");
    let limit = Duration::from_secs(900);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the grader ran for more than {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let read = |p: &Path| String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned();
    let run = Run {
        status,
        stdout: read(&out_path),
        stderr: read(&err_path),
        pid: child.id(),
        elapsed: start.elapsed(),
    };
    eprintln!(
        "grader {}\n--- stdout\n{}--- stderr\n{}--- {:.1} s",
        args.join(" "),
        run.stdout,
        run.stderr,
        run.elapsed.as_secs_f64()
    );
    run
}

/// Every string of a JSON value, keys included, decoded, one per line.
pub fn strings(v: &Value) -> String {
    fn walk(v: &Value, out: &mut String) {
        match v {
            Value::String(s) => {
                out.push_str(s);
                out.push('\n');
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            Value::Object(o) => {
                for (k, x) in o {
                    out.push_str(k);
                    out.push('\n');
                    walk(x, out);
                }
            }
            _ => {}
        }
    }
    let mut out = String::new();
    walk(v, &mut out);
    out
}

/// Distinctive lines of the demo's reference answers (between the solution markers) and of
/// its checks: none may reach a report.
pub fn secret_lines(root: &Path) -> Vec<String> {
    let mut lines = Vec::new();
    let nb = crate::common::load(&root.join("solutions/demo.ipynb"));
    for cell in nb["cells"].as_array().unwrap() {
        let src: String = match &cell["source"] {
            Value::Array(parts) => parts.iter().filter_map(Value::as_str).collect(),
            Value::String(s) => s.clone(),
            _ => continue,
        };
        let mut inside = false;
        for l in src.lines().map(str::trim) {
            if l.contains("END SOLUTION") {
                inside = false;
            }
            if inside && l.chars().count() >= 16 {
                lines.push(l.to_string());
            }
            if l.contains("BEGIN SOLUTION") {
                inside = true;
            }
        }
    }
    let checks = std::fs::read_to_string(root.join("grader/checks/demo.rs")).unwrap();
    lines.extend(
        checks
            .lines()
            .map(str::trim)
            .filter(|l| l.chars().count() >= 24)
            .map(str::to_string),
    );
    assert!(lines.len() > 20, "too few distinctive lines: {lines:?}");
    lines
}

/// Characters that would act on a terminal (line feeds and tabs are fine).
pub fn raw_controls(text: &str) -> Vec<String> {
    text.chars()
        .filter(|c| c.is_control() && *c != '\n' && *c != '\t')
        .map(|c| format!("U+{:04X}", c as u32))
        .collect()
}

fn stat_ids(pid: &str) -> Option<(u32, u32)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    Some((f.get(2)?.parse().ok()?, f.get(3)?.parse().ok()?))
}

/// Processes left by the grader `sid`: in its session or process group, with the marker (if
/// any) in their arguments, or in one of its control groups.
pub fn survivors(sid: u32, mark: Option<&str>) -> Vec<String> {
    let group = format!("apprentissage-{sid}-");
    let mut found = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let pid = e.file_name().to_string_lossy().into_owned();
        if !pid.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline"))
            .map(|b| String::from_utf8_lossy(&b).replace('\0', " "))
            .unwrap_or_default();
        let cgroup = std::fs::read_to_string(format!("/proc/{pid}/cgroup")).unwrap_or_default();
        let in_session =
            stat_ids(&pid).is_some_and(|(pgrp, session)| pgrp == sid || session == sid);
        if in_session || mark.is_some_and(|m| cmdline.contains(m)) || cgroup.contains(&group) {
            found.push(format!("{pid}: {cmdline}"));
        }
    }
    found
}

/// Control groups named after the grader `pid` (src/sandbox/cgroup.rs) still present where
/// it creates them: under this process's own group in each hierarchy.
pub fn cgroups_left(pid: u32) -> Vec<PathBuf> {
    let prefix = format!("apprentissage-{pid}-");
    let own = std::fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    let mut dirs = Vec::new();
    for line in own.lines() {
        let mut p = line.splitn(3, ':');
        let (_, ctrls, path) = (p.next(), p.next().unwrap_or(""), p.next().unwrap_or(""));
        for m in mounts.lines() {
            let Some((left, right)) = m.split_once(" - ") else {
                continue;
            };
            let r: Vec<&str> = right.split(' ').collect();
            let l: Vec<&str> = left.split(' ').collect();
            let (Some(fstype), Some(opts), Some(root), Some(point)) =
                (r.first(), r.get(2), l.get(3), l.get(4))
            else {
                continue;
            };
            let matches = if ctrls.is_empty() {
                *fstype == "cgroup2"
            } else {
                *fstype == "cgroup" && opts.split(',').any(|o| ctrls.split(',').any(|c| c == o))
            };
            if let (true, Some(rel)) = (matches, path.strip_prefix(root)) {
                dirs.push(Path::new(point).join(rel.trim_start_matches('/')));
            }
        }
    }
    let mut left = Vec::new();
    for d in dirs {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            if e.file_name().to_string_lossy().starts_with(&prefix) {
                left.push(e.path());
            }
        }
    }
    left
}

/// Marker files on the host: the paths the cells aimed at, and anything holding the marker
/// in the directories around them.
pub fn markers_left(ctx: &Ctx) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = ctx
        .host_paths()
        .into_iter()
        .filter(|p| std::fs::symlink_metadata(p).is_ok())
        .collect();
    for d in ctx.scanned_dirs() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            if e.file_name().to_string_lossy().contains(&ctx.mark) && !found.contains(&e.path()) {
                found.push(e.path());
            }
        }
    }
    found
}
