//! The instructor's round trip with Moodle (`grader grade --moodle`): from the archive of
//! « Download all submissions » to the grading worksheet and the feedback zip that Moodle
//! imports, a feedback page per student and `class.html`, with every run kept in a SQLite
//! gradebook so that the next run regrades only what changed.
//!
//! - [`intake`]: the archive (or folder) → participants and their notebooks; [`select`]: the
//!   chapter and which notebook of each participant is graded;
//! - grading goes through [`crate::grade::grade_many`], as `grader grade FILES…` does;
//! - [`gradebook`]: results by content hash, history per participant;
//! - [`worksheet`], [`feedback_zip`]: Moodle's import formats;
//! - [`feedback`] (with [`highlight`]), [`class_page`] (with [`charts`]): the pages.

pub mod charts;
pub mod class_page;
pub mod feedback;
pub mod feedback_zip;
pub mod gradebook;
pub mod highlight;
pub mod intake;
pub mod select;
pub mod worksheet;

use crate::grade::{self, Options};
use crate::reference::Chapter;
use crate::report::{self, Exercise, Outcome, Report};
use intake::Participant;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What `grader grade --moodle` was asked.
pub struct Args {
    pub source: PathBuf,
    pub worksheet: Option<PathBuf>,
    pub out: PathBuf,
    pub gradebook: Option<PathBuf>,
    pub regrade: bool,
    pub csv: Option<PathBuf>,
    pub json: Option<PathBuf>,
}

/// One participant's result in this run.
pub struct Entry {
    pub participant: Participant,
    /// The notebook graded (path inside the participant's folder).
    pub notebook: Option<String>,
    pub sha256: Option<String>,
    /// Why the submission could not be graded as handed in (French, for the student).
    pub problem: Option<String>,
    pub report: Option<Report>,
    /// The graded cells' sources, by exercise id.
    pub sources: BTreeMap<String, String>,
    /// The gradebook row this result was copied from (same bytes, same grading key).
    pub reused_from: Option<i64>,
    /// Earlier runs: (date, total).
    pub history: Vec<(String, f64)>,
}

impl Entry {
    pub fn score(&self) -> f64 {
        self.report.as_ref().map_or(0.0, |r| r.score)
    }

    pub fn exercise(&self, id: &str) -> Option<&Exercise> {
        self.report.as_ref()?.exercises.iter().find(|e| e.id == id)
    }
}

/// The whole class for the pages.
pub struct Class {
    pub chapter: String,
    pub source: String,
    pub max: f64,
    /// The chapter's exercises and their points.
    pub exercises: Vec<(String, f64)>,
    pub entries: Vec<Entry>,
}

impl Class {
    /// How many participants got `outcome` for exercise `id` (no report counts as MISSING).
    pub fn count(&self, id: &str, outcome: Outcome) -> usize {
        self.entries
            .iter()
            .filter(|e| e.exercise(id).map_or(Outcome::Missing, |x| x.outcome) == outcome)
            .count()
    }
}

/// Points in French: `3`, `2,5`.
pub fn fr(p: f64) -> String {
    report::points(p).replace('.', ",")
}

/// What a result depends on besides the notebook's bytes: the grader's version, the chapter,
/// and a digest of the chapter's graded cells, points, stubs and checks.
pub fn grading_key(ch: &Chapter) -> String {
    let mut h = Sha256::new();
    for g in &ch.graded {
        h.update(format!("{}\0{}\0{}\0", g.id, g.points, g.stub));
    }
    h.update(ch.checks.as_deref().unwrap_or(""));
    let digest: String = h
        .finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("grader-{}/{}/{digest}", env!("CARGO_PKG_VERSION"), ch.name)
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// UTC now as (`2026-12-05 18:30:00`, `5 décembre 2026 à 18 h 30 (UTC)`).
pub fn now() -> (String, String) {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // days since 1970-01-01 → civil date (Howard Hinnant's algorithm)
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let (h, min, s) = (rem / 3600, rem % 3600 / 60, rem % 60);
    const MONTHS: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    (
        format!("{y:04}-{m:02}-{d:02} {h:02}:{min:02}:{s:02}"),
        format!(
            "{d} {} {y} à {h} h {min:02} (UTC)",
            MONTHS[(m - 1) as usize]
        ),
    )
}

/// Runs the round trip; Ok(true) once every output is written.
pub fn run(args: &Args, opts: &Options, jobs: usize) -> Result<bool, String> {
    let start = Instant::now();
    let people = intake::read(&args.source, opts.max_bytes)?;
    if people.is_empty() {
        return Err(format!("{} : aucun dépôt trouvé", args.source.display()));
    }
    let ch = select::choose_chapter(opts.chapter.as_deref(), &people)?;
    let key = grading_key(&ch);
    std::fs::create_dir_all(&args.out).map_err(|e| format!("{}: {e}", args.out.display()))?;
    let book_path = args
        .gradebook
        .clone()
        .unwrap_or_else(|| args.out.join("gradebook.sqlite"));
    let book = gradebook::Gradebook::open(&book_path)?;
    let source = args.source.file_name().map_or_else(
        || args.source.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let run_id = book.start_run(&source, &ch.name, &key)?;
    let opts = Options {
        chapter: Some(ch.name.clone()),
        ..opts.clone()
    };

    let staging = args.out.join(".a-corriger");
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging).map_err(|e| format!("{}: {e}", staging.display()))?;
    let mut entries = Vec::new();
    // Notebooks to grade: each distinct content once, with the entries that handed it in.
    let mut to_grade: Vec<(Vec<usize>, PathBuf)> = Vec::new();
    let mut by_hash: BTreeMap<String, usize> = BTreeMap::new();
    for mut p in people {
        let mut e = Entry {
            notebook: None,
            sha256: None,
            problem: None,
            report: None,
            sources: BTreeMap::new(),
            reused_from: None,
            history: book.history(&p.key, run_id)?,
            participant: p.clone(),
        };
        match select::pick(&p, &ch.name) {
            Err(why) => e.problem = Some(why),
            Ok((name, bytes)) => {
                let hash = sha256_hex(&bytes);
                e.sources = select::sources(&bytes, &ch);
                e.notebook = Some(name);
                match book.find(&hash, &key)? {
                    Some((row, report)) if !args.regrade => {
                        e.report = Some(report);
                        e.reused_from = Some(row);
                    }
                    _ => match by_hash.get(&hash) {
                        Some(&k) => to_grade[k].0.push(entries.len()),
                        None => {
                            let path = staging.join(format!("{}.ipynb", to_grade.len()));
                            std::fs::write(&path, &bytes)
                                .map_err(|e| format!("{}: {e}", path.display()))?;
                            by_hash.insert(hash.clone(), to_grade.len());
                            to_grade.push((vec![entries.len()], path));
                        }
                    },
                }
                e.sha256 = Some(hash);
            }
        }
        p.notebooks.clear(); // the bytes are no longer needed
        e.participant = p;
        entries.push(e);
    }
    let paths: Vec<PathBuf> = to_grade.iter().map(|(_, p)| p.clone()).collect();
    let reports = grade::grade_many(&paths, &opts, jobs, &|_| {});
    for ((who, _), r) in to_grade.iter().zip(reports) {
        for &i in who {
            let e = &mut entries[i];
            let mut r = r.clone();
            r.file = format!(
                "{} ({})",
                e.participant.name,
                e.notebook.as_deref().unwrap_or("")
            );
            println!("{}", report::summary_line(&r));
            e.report = Some(r);
        }
    }
    let _ = std::fs::remove_dir_all(&staging);
    let reused = entries.iter().filter(|e| e.reused_from.is_some()).count();
    for e in &entries {
        book.record(
            run_id,
            &key,
            &gradebook::Row {
                key: &e.participant.key,
                moodle_id: e.participant.moodle_id,
                name: &e.participant.name,
                notebook: e.notebook.as_deref(),
                sha256: e.sha256.as_deref(),
                score: e.score(),
                max_score: ch.graded.iter().map(|g| g.points).sum(),
                problem: e.problem.as_deref(),
                report: e.report.as_ref(),
                reused_from: e.reused_from,
            },
        )?;
    }
    let class = Class {
        max: ch.graded.iter().map(|g| g.points).sum(),
        exercises: ch.graded.iter().map(|g| (g.id.clone(), g.points)).collect(),
        chapter: ch.name.clone(),
        source,
        entries,
    };
    write_outputs(args, &class)?;
    let secs = start.elapsed().as_secs_f64();
    book.finish_run(run_id, to_grade.len(), reused, secs)?;
    println!(
        "{} participant(s) : {} carnet(s) corrigé(s), {reused} repris du carnet de notes ({}), en {:.1} s ; résultats dans {}",
        class.entries.len(),
        to_grade.len(),
        book_path.display(),
        secs,
        args.out.display()
    );
    Ok(true)
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

fn write_outputs(args: &Args, class: &Class) -> Result<(), String> {
    let (stamp, french_stamp) = now();
    let lines: Vec<worksheet::Line> = class
        .entries
        .iter()
        .filter_map(|e| {
            Some(worksheet::Line {
                moodle_id: e.participant.moodle_id?,
                name: e.participant.name.clone(),
                grade: e.score(),
                max: class.max,
                comment: worksheet::comment(e, class.max),
            })
        })
        .collect();
    let table = match &args.worksheet {
        None => worksheet::fresh(&lines, &stamp),
        Some(path) => {
            let text =
                std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            let (table, missing) = worksheet::fill(worksheet::parse(&text), &lines)?;
            for id in missing {
                eprintln!(
                    "grader: Participant {id} n'est pas dans {} : pas de ligne pour lui",
                    path.display()
                );
            }
            table
        }
    };
    write(
        &args.out.join("feuille-de-notes.csv"),
        &worksheet::write(&table),
    )?;

    let pages_dir = args.out.join("retours");
    std::fs::create_dir_all(&pages_dir).map_err(|e| format!("{}: {e}", pages_dir.display()))?;
    let mut zipped = Vec::new();
    let mut links = Vec::new();
    for e in &class.entries {
        let html = feedback::page(e, &class.chapter, class.max, &french_stamp);
        let file = format!(
            "{}.html",
            feedback_zip::clean_name(&e.participant.key).replace(' ', "-")
        );
        write(&pages_dir.join(&file), &html)?;
        links.push(format!("retours/{file}"));
        let name = feedback_zip::entry_name(
            &e.participant.name,
            e.participant.moodle_id,
            &e.participant.key,
            &class.chapter,
        );
        zipped.push((name, html));
    }
    feedback_zip::write(&args.out.join("retours.zip"), &zipped)?;
    write(
        &args.out.join("class.html"),
        &class_page::page(class, &links, &french_stamp),
    )?;
    let reports: Vec<Report> = class
        .entries
        .iter()
        .filter_map(|e| e.report.clone())
        .collect();
    if let Some(path) = &args.csv {
        write(path, &report::csv(&reports))?;
    }
    if let Some(path) = &args.json {
        write(
            path,
            &serde_json::to_string_pretty(&reports).unwrap_or_default(),
        )?;
    }
    Ok(())
}
