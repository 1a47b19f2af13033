//! Grades one submission (`grader check`) or many in parallel (`grader grade`): rebuild from
//! the reference with only the graded cells' sources, build, run each check in its own
//! limited child process, and turn what happened into outcomes.

use crate::notebook::{self, LoadError};
use crate::project::{self, CellSource, Env, Slot};
use crate::reference::{self, Chapter};
use crate::reference_run;
use crate::report::{Exercise, Outcome, Report};
use crate::run::{list_checks, run_check};
use crate::submission;
use std::path::{Path, PathBuf};
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
    /// The probes' seed for this run: the same for the students' and the reference run.
    pub seed: u64,
    /// Tests only: runs this program instead of a submission's probe binary (a process that
    /// writes whatever records it likes), to show the comparison does not trust it.
    pub probe_runner: Option<std::path::PathBuf>,
}

pub fn exercise(id: &str, max: f64, outcome: Outcome, reason: impl Into<String>) -> Exercise {
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
        // The file's own problem comes first, whatever its name: an unreadable file's chapter
        // is only known from its name.
        (Err(e), ch) => {
            report.error = Some(e.to_string());
            if let Ok(ch) = ch {
                report.chapter = Some(ch.name.clone());
                let reason = short_load_reason(&e);
                report.exercises = ch
                    .graded
                    .iter()
                    .map(|g| exercise(&g.id, g.points, Outcome::Missing, reason))
                    .collect();
            }
        }
        (_, Err(e)) => report.error = Some(e),
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

/// One line from the compiler's messages for the table.
fn compile_reason(msg: &str) -> String {
    // rustc's own words (in English) are introduced as such; the grader's are French already
    let first = match msg.lines().find(|l| l.starts_with("erreur")) {
        Some(l) if l.contains("la compilation de cette cellule") => l.to_string(),
        Some(l) => format!("message du compilateur (rustc) : {l}"),
        None => "erreur de compilation".to_string(),
    };
    if msg.contains("dans les tests") && !msg.contains("dans cette cellule") {
        format!("{first} (dans les tests, qui appellent votre code : gardez la signature donnée)")
    } else {
        first
    }
}

fn short_load_reason(e: &LoadError) -> &'static str {
    match e {
        LoadError::TooBig { .. } => "fichier refusé (trop gros)",
        LoadError::OldFormat(_) => "fichier refusé (ancien format de carnet)",
        LoadError::NewFormat(_) => "fichier refusé (format de carnet plus récent que 4)",
        LoadError::NotFound => "fichier introuvable",
        LoadError::Io(_) => "fichier illisible",
        LoadError::NotRegular(_) => "refusé (pas un fichier ordinaire)",
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
            Some(a) if a.rejected.is_none() && a.refused.is_none() => CellSource {
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
    // The reference first (cached: once per chapter and seed), then the submission, in the
    // same slot.
    let reference = reference_run::observations(ch, opts, slot);
    let built = project::build(&opts.env, slot, ch, &cells);
    let specs = built
        .as_ref()
        .map_err(Clone::clone)
        .and_then(|b| list_checks(b, slot, opts));
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
            (Some(a), _, _) if a.refused.is_some() => exercise(
                &g.id,
                g.points,
                Outcome::Refused,
                a.refused.clone().unwrap_or_default(),
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
                    let mut ex =
                        exercise(&g.id, g.points, Outcome::CompileError, compile_reason(msg));
                    ex.details = msg.clone();
                    ex
                }
                None => match (specs.iter().find(|s| s.id == g.id), &reference) {
                    (Some(spec), Ok(r)) => match r.get(&g.id) {
                        Some(obs) => run_check(b, spec, g.points, ch, opts, slot, obs),
                        None => exercise(
                            &g.id,
                            g.points,
                            Outcome::Crash,
                            "la solution de référence n'a pas ce test (erreur du correcteur)",
                        ),
                    },
                    (Some(_), Err(e)) => exercise(&g.id, g.points, Outcome::Crash, e.clone()),
                    (None, _) => exercise(
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
    let mut r = Report {
        file: path.display().to_string(),
        chapter: None,
        score: 0.0,
        max_score: 0.0,
        error: Some(why.to_string()),
        notes: Vec::new(),
        exercises: Vec::new(),
        seconds: 0.0,
    };
    r.finish();
    r
}
