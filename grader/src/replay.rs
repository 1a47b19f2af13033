//! `grader replay`: for each chapter, execute `solutions/<name>.ipynb` in the evcxr kernel
//! through Jupyter (`jupyter nbconvert --execute`), treat any error output AND any
//! `panicked at` in a stream as a failure (evcxr reports panics only as text), keep the
//! executed copy in `target/replay/<name>.ipynb`, grade it twice (full marks, same outcomes),
//! grade `notebooks/<name>.ipynb` (no check may pass on the stubs), execute that student
//! notebook too (kept as `target/replay/<name>-eleve.ipynb`: what a student sees after "Run
//! All" before answering; only the stubs' `todo!()` panics are allowed, so a cell that both
//! calls an exercise and defines values used later — lost when it panics — is caught) and
//! check that notebooks/ is what `generate` would write. Prints a table; Ok(false) on any
//! shortfall.

use crate::grade::{self, Options};
use crate::notebook;
use crate::project::{Env, Slot};
use crate::report::{self, Outcome, Report};
use crate::{generate, reference, sandbox};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Where set-up puts Jupyter and the kernel spec (scripts/setup.sh, steps jupyter and evcxr).
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("APPRENTISSAGE_CACHE") {
        return dir.into();
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from("/tmp"));
    base.join("apprentissage")
}

fn find_jupyter(explicit: Option<PathBuf>) -> Result<PathBuf, String> {
    if let Some(j) = explicit {
        return Ok(j);
    }
    let venv = cache_dir().join("venv/bin/jupyter");
    if venv.exists() {
        return Ok(venv);
    }
    std::env::var_os("PATH")
        .and_then(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join("jupyter"))
                .find(|j| j.exists())
        })
        .ok_or_else(|| {
            "jupyter introuvable : lancez `scripts/setup.sh jupyter evcxr` (ou passez --jupyter)"
                .to_string()
        })
}

/// One chapter's replay.
struct Row {
    name: String,
    cells: usize,
    seconds: f64,
    first_result: Option<f64>,
    score: String,
    stub_score: String,
    /// Wall time of the student notebook's run (stubs panicking), when it ran.
    student_seconds: Option<f64>,
    problems: Vec<String>,
}

/// The sentence of a stub's `todo!()` (src/generate.rs): the only panic allowed when the
/// student notebook runs.
const STUB_PANIC: &str = "à vous d'écrire cette partie";

pub fn run(
    env: &Env,
    chapters: &[String],
    cell_timeout: Duration,
    jupyter: Option<PathBuf>,
    students: bool,
) -> Result<bool, String> {
    let jupyter = find_jupyter(jupyter)?;
    let names: Vec<String> = if chapters.is_empty() {
        reference::names().iter().map(|s| s.to_string()).collect()
    } else {
        chapters.to_vec()
    };
    if names.is_empty() {
        println!("aucun carnet dans solutions/");
        return Ok(true);
    }
    let out_dir = env.repo_root.join("target/replay");
    std::fs::create_dir_all(&out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    let slot = Slot::acquire(env).map_err(|e| format!("{}: {e}", env.work_dir.display()))?;
    // One seed for the whole replay: each chapter's reference run is paid once.
    let seed = crate::sandbox::random_seed();
    let opts = |chapter: &str| Options {
        env: env.clone(),
        chapter: Some(chapter.to_string()),
        max_bytes: 500_000_000,
        capture: 16 * 1024,
        max_check_time: None,
        seed,
        probe_runner: None,
    };
    let sync = generate::generate_all(&env.repo_root, true)?;
    let mut rows = Vec::new();
    for name in &names {
        let chapter = reference::chapter(name)?;
        let mut row = Row {
            name: name.clone(),
            cells: chapter.code_cells,
            seconds: 0.0,
            first_result: None,
            score: "-".into(),
            stub_score: "-".into(),
            student_seconds: None,
            problems: Vec::new(),
        };
        eprintln!("==> replay {name}: exécution de solutions/{name}.ipynb dans le noyau Rust…");
        let executed = out_dir.join(format!("{name}.ipynb"));
        match execute(
            &jupyter,
            &env.repo_root,
            &format!("solutions/{name}.ipynb"),
            (&out_dir, &format!("{name}.ipynb")),
            cell_timeout,
            chapter.code_cells,
        ) {
            Err(e) => row.problems.push(e),
            Ok((seconds, first)) => {
                row.seconds = seconds;
                row.first_result = first;
                row.problems.extend(scan_outputs(&executed, false));
                let a = grade::grade_file(&executed, &opts(name), &slot);
                let b = grade::grade_file(&executed, &opts(name), &slot);
                row.score = format!(
                    "{}/{}",
                    report::points(a.score),
                    report::points(a.max_score)
                );
                if !a.all_pass() {
                    row.problems
                        .push(format!("solution pas à 100 % :\n{}", report::text(&a)));
                }
                if outcomes(&a) != outcomes(&b) {
                    row.problems.push(
                        "deux corrections de la solution diffèrent (non déterministe)".into(),
                    );
                }
            }
        }
        let stubs = grade::grade_file(
            &env.repo_root.join(format!("notebooks/{name}.ipynb")),
            &opts(name),
            &slot,
        );
        row.stub_score = format!(
            "{}/{}",
            report::points(stubs.score),
            report::points(stubs.max_score)
        );
        let passing: Vec<&str> = stubs
            .exercises
            .iter()
            .filter(|e| e.outcome == Outcome::Pass)
            .map(|e| e.id.as_str())
            .collect();
        if !passing.is_empty() || stubs.error.is_some() {
            row.problems.push(format!(
                "le carnet élève passe des tests sans réponse : {passing:?} {:?}",
                stubs.error
            ));
        }
        if students {
            eprintln!("==> replay {name}: exécution de notebooks/{name}.ipynb (le carnet élève, sans réponses)…");
            let out_name = format!("{name}-eleve.ipynb");
            match execute(
                &jupyter,
                &env.repo_root,
                &format!("notebooks/{name}.ipynb"),
                (&out_dir, &out_name),
                cell_timeout,
                chapter.code_cells,
            ) {
                Err(e) => row.problems.push(format!("carnet élève : {e}")),
                Ok((seconds, _)) => {
                    row.student_seconds = Some(seconds);
                    row.problems.extend(
                        scan_outputs(&out_dir.join(&out_name), true)
                            .into_iter()
                            .filter(|p| !p.contains(STUB_PANIC))
                            .map(|p| {
                                format!(
                                    "carnet élève, {p} (seules les paniques des todo!() sont permises : \
                                     une cellule qui appelle un exercice ne doit pas définir de valeurs \
                                     utilisées plus loin, elles sont perdues quand elle panique)"
                                )
                            }),
                    );
                }
            }
        }
        match sync.iter().find(|g| &g.name == name) {
            Some(g) if g.up_to_date => {}
            _ => row.problems.push(format!(
                "notebooks/{name}.ipynb n'est pas à jour : lancez `grader generate`"
            )),
        }
        rows.push(row);
    }
    print_table(&rows);
    Ok(rows.iter().all(|r| r.problems.is_empty()))
}

fn outcomes(r: &Report) -> Vec<(String, Outcome)> {
    r.exercises
        .iter()
        .map(|e| (e.id.clone(), e.outcome))
        .collect()
}

/// Runs nbconvert; returns (wall seconds, seconds from start to the first code cell's reply).
fn execute(
    jupyter: &Path,
    root: &Path,
    source: &str,
    (out_dir, out_name): (&Path, &str),
    cell_timeout: Duration,
    cells: usize,
) -> Result<(f64, Option<f64>), String> {
    let mut cmd = Command::new(jupyter);
    cmd.args([
        "nbconvert",
        "--to",
        "notebook",
        "--execute",
        "--allow-errors",
    ])
    .arg(format!(
        "--ExecutePreprocessor.timeout={}",
        cell_timeout.as_secs()
    ))
    .arg("--ExecutePreprocessor.kernel_name=rust")
    .arg("--output-dir")
    .arg(out_dir)
    .arg("--output")
    .arg(out_name)
    .arg(root.join(source))
    .current_dir(root);
    let kernels = cache_dir().join("jupyter");
    if kernels.exists() && std::env::var_os("JUPYTER_PATH").is_none() {
        cmd.env("JUPYTER_PATH", kernels);
    }
    let started = SystemTime::now();
    let t = Instant::now();
    let whole = cell_timeout * (cells as u32 + 2);
    let f = sandbox::run_command(cmd, whole, 64 * 1024)
        .map_err(|e| format!("{}: {e}", jupyter.display()))?;
    let seconds = t.elapsed().as_secs_f64();
    if f.timed_out {
        return Err(format!("l'exécution a dépassé {} s", whole.as_secs()));
    }
    if f.exit_code != Some(0) {
        let err = String::from_utf8_lossy(&f.stderr.data);
        let tail: Vec<&str> = err.lines().rev().take(15).collect();
        return Err(format!(
            "jupyter nbconvert a échoué (code {:?}) :\n{}",
            f.exit_code,
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        ));
    }
    let start = started
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0);
    let first = first_reply(&out_dir.join(out_name)).map(|t| t - start);
    Ok((seconds, first))
}

/// Unix time of the first code cell's `shell.execute_reply` (nbclient's timing metadata).
fn first_reply(path: &Path) -> Option<f64> {
    let nb = notebook::load(path, 500_000_000).ok()?;
    let cell = nb
        .cells()
        .iter()
        .find(|c| notebook::cell_type(c) == "code")?;
    iso_to_unix(cell["metadata"]["execution"]["shell.execute_reply"].as_str()?)
}

/// `2026-11-27T12:00:01.250000Z` → seconds since the epoch (UTC only).
fn iso_to_unix(s: &str) -> Option<f64> {
    let (date, time) = s.trim_end_matches('Z').split_once('T')?;
    let mut d = date.split('-').map(|x| x.parse::<i64>());
    let (y, m, day) = (d.next()?.ok()?, d.next()?.ok()?, d.next()?.ok()?);
    let mut t = time.split(':');
    let (h, min, sec) = (
        t.next()?.parse::<f64>().ok()?,
        t.next()?.parse::<f64>().ok()?,
        t.next()?.parse::<f64>().ok()?,
    );
    // Days from civil (H. Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days as f64 * 86_400.0 + h * 3600.0 + min * 60.0 + sec)
}

/// Error outputs and panics reported as text, one line each with the cell number. A panic's
/// message may come in several stream outputs (evcxr flushes stderr in pieces): a cell's
/// streams are read as one text. For a `student` notebook, a panic whose message was lost is
/// not reported (the caller then allows the stubs' own panics).
fn scan_outputs(path: &Path, student: bool) -> Vec<String> {
    let nb = match notebook::load(path, 500_000_000) {
        Ok(nb) => nb,
        Err(e) => return vec![format!("{}: {e}", path.display())],
    };
    let mut problems = Vec::new();
    for (i, cell) in nb.cells().iter().enumerate() {
        let outputs = cell["outputs"].as_array().map(Vec::as_slice).unwrap_or(&[]);
        let mut found = Vec::new();
        let mut streams = String::new();
        for out in outputs {
            match out["output_type"].as_str() {
                Some("error") => found.push(format!(
                    "{}: {}",
                    out["ename"].as_str().unwrap_or("erreur"),
                    out["evalue"].as_str().unwrap_or("")
                )),
                Some("stream") => streams.push_str(
                    &notebook::source(&serde_json::json!({"source": out["text"]}))
                        .unwrap_or_default(),
                ),
                _ => {}
            }
        }
        let lines: Vec<&str> = streams.lines().collect();
        for (k, line) in lines.iter().enumerate() {
            if !line.contains("panicked at") {
                continue;
            }
            let end = (k + 3).min(lines.len());
            let message_lost = lines[k + 1..end].iter().all(|l| {
                l.trim().is_empty() || l.starts_with("note:") || l.contains("panicked at")
            });
            // evcxr, when busy, sometimes drops a panic's message or prints it with a later
            // cell: in the student notebook a panic without its message cannot be judged
            if !(student && message_lost) {
                found.push(lines[k..end].join(" / "));
            }
        }
        for t in found {
            problems.push(format!(
                "cellule {} : {}",
                i + 1,
                t.chars().take(400).collect::<String>()
            ));
        }
    }
    problems
}

fn print_table(rows: &[Row]) {
    println!(
        "\n{:<10} {:>6} {:>10} {:>14} {:>8} {:>11} {:>12}  état",
        "chapitre", "cellules", "exécution", "1er résultat", "note", "squelettes", "carnet élève"
    );
    for r in rows {
        let first = r
            .first_result
            .map(|s| format!("{s:.1} s"))
            .unwrap_or_else(|| "-".into());
        let state = if r.problems.is_empty() {
            "ok"
        } else {
            "ÉCHEC"
        };
        let student = r
            .student_seconds
            .map(|s| format!("{s:.1} s"))
            .unwrap_or_else(|| "-".into());
        println!(
            "{:<10} {:>8} {:>10} {:>14} {:>8} {:>11} {:>12}  {state}",
            r.name,
            r.cells,
            format!("{:.1} s", r.seconds),
            first,
            r.score,
            r.stub_score,
            student
        );
    }
    for r in rows.iter().filter(|r| !r.problems.is_empty()) {
        println!("\n{} :", r.name);
        for p in &r.problems {
            for (i, line) in p.lines().enumerate() {
                println!("  {}{line}", if i == 0 { "- " } else { "  " });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_split_over_two_streams_is_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.ipynb");
        let stream =
            |t: &str| serde_json::json!({"output_type": "stream", "name": "stderr", "text": [t]});
        let nb = serde_json::json!({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
            {"cell_type": "code", "id": "a", "metadata": {}, "source": [], "execution_count": 1,
             "outputs": [stream("thread '<unnamed>' panicked at src/lib.rs:4:5:\n"),
                         stream("not yet implemented: exercice 1.1-f : à vous d'écrire cette partie\n")]},
            {"cell_type": "code", "id": "b", "metadata": {}, "source": [], "execution_count": 2,
             "outputs": [{"output_type": "error", "ename": "Error", "evalue": "cannot find value `v` in this scope", "traceback": []}]}
        ]});
        std::fs::write(&path, nb.to_string()).unwrap();
        let problems = scan_outputs(&path, false);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].starts_with("cellule 1 : ") && problems[0].contains(STUB_PANIC));
        assert!(problems[1].starts_with("cellule 2 : Error: cannot find value"));
    }

    #[test]
    fn iso_timestamps() {
        assert_eq!(iso_to_unix("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(iso_to_unix("2000-03-01T00:00:01.5Z"), Some(951_868_801.5));
    }
}
