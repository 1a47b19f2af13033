//! Grades one submission (`grader check`) or many in parallel (`grader grade`): rebuild from
//! the reference with only the graded cells' sources, build, run each check in its own
//! limited child process, and turn what happened into outcomes.

use crate::notebook::{self, LoadError};
use crate::project::{self, CellSource, Env, Slot};
use crate::reference::{self, Chapter};
use crate::report::{Exercise, Outcome, Report};
use crate::sandbox::{self, Limits};
use crate::submission;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Clone, Debug)]
pub struct Options {
    pub env: Env,
    pub chapter: Option<String>,
    pub max_bytes: u64,
    /// Bytes of student output kept per check and stream.
    pub capture: usize,
    /// Caps every check's own time limit (tests, quick instructor runs).
    pub max_check_time: Option<Duration>,
}

/// One check as the built harness lists it.
struct CheckSpec {
    id: String,
    timeout: Duration,
    memory_mib: u64,
}

fn exercise(id: &str, max: f64, outcome: Outcome, reason: impl Into<String>) -> Exercise {
    Exercise {
        id: id.to_string(),
        outcome,
        points: if outcome == Outcome::Pass { max } else { 0.0 },
        max_points: max,
        reason: reason.into(),
        details: String::new(),
        output: String::new(),
        notes: Vec::new(),
        seconds: 0.0,
    }
}

/// Grades `path` in `slot`. Never panics on bad input: the report says what went wrong.
pub fn grade_file(path: &Path, opts: &Options, slot: &Slot) -> Report {
    let start = Instant::now();
    let mut report = Report {
        file: path.display().to_string(),
        chapter: None,
        score: 0.0,
        max_score: 0.0,
        error: None,
        notes: Vec::new(),
        exercises: Vec::new(),
        seconds: 0.0,
    };
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let loaded = notebook::load(path, opts.max_bytes);
    let ids = loaded
        .as_ref()
        .map(submission::graded_ids)
        .unwrap_or_default();
    let chapter = reference::guess_chapter(opts.chapter.as_deref(), &stem, &ids)
        .and_then(|c| reference::chapter(&c));
    match (loaded, chapter) {
        (_, Err(e)) => report.error = Some(e),
        (Err(e), Ok(ch)) => {
            report.chapter = Some(ch.name.clone());
            report.error = Some(e.to_string());
            let reason = short_load_reason(&e);
            report.exercises = ch
                .graded
                .iter()
                .map(|g| exercise(&g.id, g.points, Outcome::Missing, reason))
                .collect();
        }
        (Ok(nb), Ok(ch)) => {
            report.chapter = Some(ch.name.clone());
            report.notes.extend(nb.warnings.iter().cloned());
            grade_notebook(&nb, &ch, opts, slot, &mut report);
        }
    }
    report.seconds = start.elapsed().as_secs_f64();
    report.finish();
    report
}

fn short_load_reason(e: &LoadError) -> &'static str {
    match e {
        LoadError::TooBig { .. } => "fichier refusé (trop gros)",
        LoadError::OldFormat(_) => "fichier refusé (ancien format de carnet)",
        LoadError::Io(_) => "fichier illisible",
        _ => "fichier refusé (pas un carnet Jupyter)",
    }
}

fn grade_notebook(
    nb: &notebook::Notebook,
    ch: &Chapter,
    opts: &Options,
    slot: &Slot,
    report: &mut Report,
) {
    let extracted = submission::extract(nb, ch);
    report.notes.extend(extracted.notes.iter().cloned());
    let cells: Vec<CellSource> = ch
        .graded
        .iter()
        .map(|g| match extracted.answers.get(&g.id) {
            Some(a) if a.rejected.is_none() => CellSource {
                id: g.id.clone(),
                source: a.source.clone(),
                is_stub: false,
            },
            _ => CellSource {
                id: g.id.clone(),
                source: g.stub.clone(),
                is_stub: true,
            },
        })
        .collect();
    let mut results: Vec<Exercise> = Vec::new();
    let built = project::build(&opts.env, slot, ch, &cells);
    let specs = built
        .as_ref()
        .map_err(Clone::clone)
        .and_then(|b| list_checks(b, slot));
    for g in &ch.graded {
        let answer = extracted.answers.get(&g.id);
        let mut ex = match (answer, &built, &specs) {
            (None, _, _) => exercise(
                &g.id,
                g.points,
                Outcome::Missing,
                "cellule d'exercice absente du carnet",
            ),
            (Some(a), _, _) if a.rejected.is_some() => exercise(
                &g.id,
                g.points,
                Outcome::CompileError,
                a.rejected.clone().unwrap_or_default(),
            ),
            (_, Err(e), _) | (_, Ok(_), Err(e)) => {
                let mut ex = exercise(
                    &g.id,
                    g.points,
                    Outcome::CompileError,
                    e.lines().next().unwrap_or(""),
                );
                ex.details = e.clone();
                ex
            }
            (_, Ok(b), Ok(specs)) => match b.compile_errors.get(&g.id) {
                Some(msg) => {
                    let mut ex = exercise(
                        &g.id,
                        g.points,
                        Outcome::CompileError,
                        "erreur de compilation",
                    );
                    ex.details = msg.clone();
                    ex
                }
                None => match specs.iter().find(|s| s.id == g.id) {
                    Some(spec) => run_check(b, spec, g.points, ch, opts, slot),
                    None => exercise(
                        &g.id,
                        g.points,
                        Outcome::Crash,
                        "aucun test pour cet exercice (erreur du correcteur)",
                    ),
                },
            },
        };
        if let Some(a) = answer {
            ex.notes.extend(a.notes.iter().cloned());
        }
        results.push(ex);
    }
    report.exercises = results;
}

fn check_env(cmd: &mut Command, opts: &Options, scratch: &Path) {
    cmd.env_clear()
        .current_dir(scratch)
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("HOME", scratch)
        .env("LANG", "C.UTF-8")
        .env("OPENBLAS_NUM_THREADS", "1")
        .env("RUST_BACKTRACE", "0")
        .env("APPRENTISSAGE_DATA", opts.env.repo_root.join("data"));
}

fn scratch_dir(slot: &Slot) -> PathBuf {
    let scratch = slot.dir.join("scratch");
    let _ = std::fs::remove_dir_all(&scratch);
    let _ = std::fs::create_dir_all(&scratch);
    scratch
}

/// `run-checks --list`: the nonce (the binary is the one just built) and the checks' limits.
fn list_checks(b: &project::Built, slot: &Slot) -> Result<Vec<CheckSpec>, String> {
    let mut cmd = Command::new(&b.binary);
    cmd.arg("--list");
    cmd.env_clear().current_dir(&slot.dir);
    let limits = Limits {
        timeout: Duration::from_secs(30),
        memory_bytes: Some(2 << 30),
        capture: 1 << 20,
        ..Limits::default()
    };
    let f =
        sandbox::run(cmd, &limits).map_err(|e| format!("impossible de lancer les tests : {e}"))?;
    let text = String::from_utf8_lossy(&f.stdout.data);
    let mut lines = text.lines();
    if lines.next() != Some(&format!("nonce\t{}", b.nonce)) || f.exit_code != Some(0) {
        return Err(format!(
            "binaire de test inattendu (erreur du correcteur) : {}",
            text.lines().next().unwrap_or("")
        ));
    }
    Ok(lines
        .filter_map(|l| {
            let mut p = l.split('\t');
            Some(CheckSpec {
                id: p.next()?.to_string(),
                timeout: Duration::from_secs(p.next()?.parse().ok()?),
                memory_mib: p.next()?.parse().ok()?,
            })
        })
        .collect())
}

fn run_check(
    b: &project::Built,
    spec: &CheckSpec,
    max: f64,
    ch: &Chapter,
    opts: &Options,
    slot: &Slot,
) -> Exercise {
    let token = sandbox::random_token();
    let scratch = scratch_dir(slot);
    let mut cmd = Command::new(&b.binary);
    cmd.arg("--run").arg(&spec.id);
    check_env(&mut cmd, opts, &scratch);
    let limits = Limits {
        timeout: opts
            .max_check_time
            .map_or(spec.timeout, |m| m.min(spec.timeout)),
        memory_bytes: Some(spec.memory_mib << 20),
        file_size_bytes: Some(64 << 20),
        stdin: format!("{token}\n").into_bytes(),
        result_pipe: true,
        capture: opts.capture,
    };
    let f = match sandbox::run(cmd, &limits) {
        Ok(f) => f,
        Err(e) => {
            return exercise(
                &spec.id,
                max,
                Outcome::Crash,
                format!("impossible de lancer le test : {e}"),
            )
        }
    };
    let names = CellNames::new(ch, &opts.env.repo_root);
    let record = find_record(&f.results, &token);
    let stderr = String::from_utf8_lossy(&f.stderr.data).into_owned();
    let (outcome, reason, details) = if f.timed_out {
        (
            Outcome::Timeout,
            format!(
                "plus de {} s : boucle infinie ou calcul trop long ?",
                limits.timeout.as_secs()
            ),
            String::new(),
        )
    } else if let Some(rec) = record {
        let message = names.rewrite(rec["message"].as_str().unwrap_or(""));
        let location = names.location(rec["location"].as_str().unwrap_or(""));
        match rec["outcome"].as_str() {
            Some("PASS") => (Outcome::Pass, String::new(), String::new()),
            Some("FAIL") => (Outcome::Fail, first_line(&message), message),
            Some("PANIC") if message.contains("à vous d'écrire") => (
                Outcome::Panic,
                "pas encore fait : la réponse est encore `todo!()`".into(),
                String::new(),
            ),
            Some("PANIC") => {
                let at = if location.is_empty() {
                    String::new()
                } else {
                    format!(" ({location})")
                };
                (
                    Outcome::Panic,
                    format!("{}{at}", first_line(&message)),
                    message,
                )
            }
            _ => (Outcome::Crash, first_line(&message), message),
        }
    } else if stderr.contains("has overflowed its stack") {
        (
            Outcome::Crash,
            "dépassement de pile : récursion infinie ou trop profonde ?".into(),
            String::new(),
        )
    } else if stderr.contains("memory allocation of") {
        (
            Outcome::Crash,
            format!("mémoire épuisée (limite {} Mio)", spec.memory_mib),
            String::new(),
        )
    } else if let Some(sig) = f.signal {
        (
            Outcome::Crash,
            format!("le test a été tué par le signal {sig}{}", signal_hint(sig)),
            String::new(),
        )
    } else {
        let code = f.exit_code.unwrap_or(-1);
        (
            Outcome::Crash,
            format!("le programme s'est arrêté (code {code}) avant la fin du test : std::process::exit ?"),
            String::new(),
        )
    };
    let todo = outcome == Outcome::Panic && reason.starts_with("pas encore fait");
    let mut ex = exercise(&spec.id, max, outcome, reason);
    ex.details = details.lines().skip(1).collect::<Vec<_>>().join("\n");
    if outcome != Outcome::Pass && !todo {
        ex.output = names.rewrite(&output_excerpt(&f));
    }
    ex.seconds = f.elapsed.as_secs_f64();
    ex
}

fn signal_hint(sig: i32) -> &'static str {
    match sig {
        libc::SIGSEGV => " (SIGSEGV : accès mémoire invalide ou pile épuisée)",
        libc::SIGABRT => " (SIGABRT : arrêt brutal)",
        libc::SIGKILL => " (SIGKILL)",
        libc::SIGXFSZ => " (SIGXFSZ : fichier écrit trop gros)",
        _ => "",
    }
}

fn first_line(s: &str) -> String {
    let l = s.lines().next().unwrap_or("");
    if l.chars().count() > 200 {
        l.chars().take(200).collect::<String>() + "…"
    } else {
        l.to_string()
    }
}

/// The last record on fd 3 that carries this run's token (student code cannot know it).
fn find_record(results: &[u8], token: &str) -> Option<serde_json::Value> {
    String::from_utf8_lossy(results)
        .lines()
        .filter(|l| l.contains(token))
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .rfind(|v| v["token"] == token)
}

fn output_excerpt(f: &sandbox::Finished) -> String {
    let mut s = String::new();
    for (name, c) in [("stdout", &f.stdout), ("stderr", &f.stderr)] {
        if c.total == 0 {
            continue;
        }
        let text = String::from_utf8_lossy(&c.data);
        let text = text.trim_start_matches('\n');
        let lines: Vec<&str> = text.lines().take(30).collect();
        s += &lines.join("\n");
        s.push('\n');
        if c.truncated() || text.lines().count() > 30 {
            s += &format!("[{name} tronqué : {} octets en tout]\n", c.total);
        }
    }
    s
}

/// Rewrites generated paths (`src/cells/c2.rs:3:5`) into the student's terms.
struct CellNames {
    pairs: Vec<(String, String)>,
}

impl CellNames {
    fn new(ch: &Chapter, root: &Path) -> CellNames {
        let mut pairs: Vec<(String, String)> = ch
            .graded
            .iter()
            .enumerate()
            .map(|(k, g)| {
                (
                    format!("{}:", project::cell_file(k)),
                    format!("cellule « {} », ligne ", g.id),
                )
            })
            .collect();
        pairs.push((
            "src/checks.rs:".into(),
            "tests du correcteur, ligne ".into(),
        ));
        pairs.push((format!("{}/", root.display()), String::new()));
        CellNames { pairs }
    }

    /// `src/cells/c2.rs:3:5` → `cellule « id », ligne 3, colonne 5`.
    fn location(&self, loc: &str) -> String {
        let mut parts = loc.rsplitn(3, ':');
        match (parts.next(), parts.next(), parts.next()) {
            (Some(col), Some(line), Some(file)) => {
                let place = self.rewrite(&format!("{file}:"));
                let place = place.trim_end_matches(':').trim_end_matches(", ligne ");
                format!("{place}, ligne {line}, colonne {col}")
            }
            _ => self.rewrite(loc),
        }
    }

    fn rewrite(&self, s: &str) -> String {
        let mut s = s.to_string();
        for (from, to) in &self.pairs {
            s = s.replace(from, to);
        }
        s
    }
}

/// Grades every file with `jobs` workers (each in its own slot); a report per file, in order.
/// `on_done` is called as each finishes (progress lines).
pub fn grade_many(
    files: &[PathBuf],
    opts: &Options,
    jobs: usize,
    on_done: &(dyn Fn(&Report) + Sync),
) -> Vec<Report> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Report>>> = Mutex::new(vec![None; files.len()]);
    std::thread::scope(|scope| {
        for _ in 0..jobs.max(1).min(files.len().max(1)) {
            scope.spawn(|| {
                let slot = match Slot::acquire(&opts.env) {
                    Ok(s) => Some(s),
                    Err(e) => {
                        eprintln!("grader: cannot create a work directory: {e}");
                        None
                    }
                };
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(path) = files.get(i) else { break };
                    let report = match &slot {
                        Some(slot) => {
                            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                                grade_file(path, opts, slot)
                            }))
                            .unwrap_or_else(|_| {
                                internal_error(path, "erreur interne du correcteur (panique)")
                            })
                        }
                        None => internal_error(path, "pas de répertoire de travail"),
                    };
                    on_done(&report);
                    results.lock().unwrap()[i] = Some(report);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap()
        .into_iter()
        .map(|r| r.expect("every file graded"))
        .collect()
}

fn internal_error(path: &Path, why: &str) -> Report {
    Report {
        file: path.display().to_string(),
        chapter: None,
        score: 0.0,
        max_score: 0.0,
        error: Some(why.to_string()),
        notes: Vec::new(),
        exercises: Vec::new(),
        seconds: 0.0,
    }
}
