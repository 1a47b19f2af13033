//! `grader`: checks the apprentissage notebooks.
//!
//! - `grader generate [--check]`   solutions/*.ipynb → notebooks/*.ipynb
//! - `grader check <notebook>`     a student's report, in French
//! - `grader grade <files…>`       a batch for the instructor (parallel, CSV/JSON)
//! - `grader grade --moodle <zip>` the Moodle round trip (src/roundtrip/)
//! - `grader replay [chapter…]`    runs the solutions in the real kernel, grades them and the stubs
//!
//! How grading stays honest is described in src/project.rs (build) and src/sandbox/ (run).

mod compare;
mod diagnostics;
mod forbidden;
mod generate;
mod grade;
mod notebook;
mod project;
mod reference;
mod reference_run;
mod refusals;
mod replay;
mod report;
mod roundtrip;
mod run;
mod sandbox;
mod sanitize;
mod slots;
mod submission;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "grader",
    version,
    about = "Corrige les carnets du cours apprentissage (check, grade, generate, replay)."
)]
struct Cli {
    /// The repository (solutions/, notebooks/, the course crate). Default: the one the grader
    /// was built from, or $APPRENTISSAGE_ROOT.
    #[arg(long, global = true, value_name = "DIR")]
    root: Option<PathBuf>,
    /// Where submissions are built: one project and cargo target dir per worker (slots/) and
    /// the shared copy they start from (base/).
    /// Default: ROOT/target/grader, or $APPRENTISSAGE_GRADER_DIR.
    #[arg(long, global = true, value_name = "DIR")]
    work_dir: Option<PathBuf>,
    /// Longest build of one submission, in seconds (the first one also compiles the course crate).
    #[arg(long, global = true, default_value_t = 900, value_name = "SECS")]
    build_timeout: u64,
    /// Longest build of a submission's own cells (a cell that makes the compiler loop is
    /// found by a binary search of at most ⌈log₂ n⌉ more builds of this length).
    #[arg(long, global = true, default_value_t = 20, value_name = "SECS")]
    cell_build_timeout: u64,
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Derive notebooks/NAME.ipynb from every solutions/NAME.ipynb (answers become todo!()).
    Generate {
        /// Write nothing; fail if a notebook in notebooks/ is not what generate would write.
        #[arg(long)]
        check: bool,
    },
    /// Grade one notebook and print the student's report (exit 0 only if everything passes).
    Check {
        notebook: PathBuf,
        #[command(flatten)]
        common: Common,
        /// Also write the report as JSON.
        #[arg(long, value_name = "FILE")]
        json: Option<PathBuf>,
    },
    /// Grade many notebooks in parallel: one row per file, never stopped by a bad file.
    Grade {
        #[arg(required_unless_present = "moodle")]
        files: Vec<PathBuf>,
        #[command(flatten)]
        moodle: MoodleArgs,
        /// Submissions graded at the same time.
        #[arg(long, short, default_value_t = 2)]
        jobs: usize,
        /// Gradebook: one row per file, points and outcome per exercise.
        #[arg(long, value_name = "FILE")]
        csv: Option<PathBuf>,
        /// Every report in full (outcomes, reasons, compiler messages, output).
        #[arg(long, value_name = "FILE")]
        json: Option<PathBuf>,
        /// Grade even when the kernel offers no sandbox (bubblewrap missing or namespaces
        /// disabled): only for trusted files.
        #[arg(long)]
        unsandboxed: bool,
        #[command(flatten)]
        common: Common,
    },
    /// Execute solutions/CHAPTER.ipynb in the evcxr kernel through Jupyter, grade it (full
    /// marks expected, twice), grade the student notebook (nothing may pass) and check that
    /// notebooks/ is in sync. Default: every chapter.
    Replay {
        chapters: Vec<String>,
        /// Longest run of one cell, in seconds.
        #[arg(long, default_value_t = 900, value_name = "SECS")]
        cell_timeout: u64,
        /// The `jupyter` command (default: ~/.cache/apprentissage/venv/bin/jupyter, then PATH).
        #[arg(long, value_name = "PATH")]
        jupyter: Option<PathBuf>,
        /// Do not execute the student notebooks (by default each one also runs in the kernel:
        /// only its stubs' todo!() may panic, nothing else may fail).
        #[arg(long)]
        no_student_run: bool,
    },
}

/// The Moodle round trip (src/roundtrip/).
#[derive(clap::Args)]
struct MoodleArgs {
    /// Moodle's « Download all submissions » (the zip or its folder), or a plain folder of
    /// login.ipynb / login/chN.ipynb: grade everyone, then write into --out the worksheet for
    /// Moodle's offline grading, the feedback zip, one feedback page each and class.html.
    #[arg(long, value_name = "ZIP|DIR")]
    moodle: Option<PathBuf>,
    /// The worksheet exported from Moodle: its Grade and Feedback comments are filled, every
    /// other column and row kept.
    #[arg(long, value_name = "CSV", requires = "moodle")]
    worksheet: Option<PathBuf>,
    /// Where the round trip's outputs go.
    #[arg(
        long,
        value_name = "DIR",
        default_value = "corrections",
        requires = "moodle"
    )]
    out: PathBuf,
    /// The SQLite gradebook (default: OUT/gradebook.sqlite).
    #[arg(long, value_name = "FILE", requires = "moodle")]
    gradebook: Option<PathBuf>,
    /// Grade every notebook again, even those the gradebook already has.
    #[arg(long, requires = "moodle")]
    regrade: bool,
}

#[derive(clap::Args)]
struct Common {
    /// The chapter to grade against (default: from the file name, else from its exercise ids).
    #[arg(long)]
    chapter: Option<String>,
    /// Refuse notebooks larger than this many megabytes.
    #[arg(long, default_value_t = 50, value_name = "MB")]
    max_size: u64,
    /// Lower every check's time limit to at most this many seconds.
    #[arg(long, value_name = "SECS")]
    max_check_time: Option<u64>,
    /// The probes' seed (the checks' random inputs), the same for every submission and for
    /// the reference run. Default: `check` keeps one per work directory (its reference run is
    /// then cached), `grade` draws one per batch.
    #[arg(long)]
    seed: Option<u64>,
    /// Tests only: run this program instead of each submission's probe binary.
    #[arg(long, hide = true, value_name = "PATH")]
    probe_runner: Option<PathBuf>,
}

fn env(cli: &Cli) -> project::Env {
    let repo_root = cli
        .root
        .clone()
        .or_else(|| std::env::var_os("APPRENTISSAGE_ROOT").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from(reference::REPO_ROOT));
    let work_dir = cli
        .work_dir
        .clone()
        .or_else(|| std::env::var_os("APPRENTISSAGE_GRADER_DIR").map(PathBuf::from))
        .unwrap_or_else(|| repo_root.join("target/grader"));
    project::Env {
        repo_root,
        work_dir,
        build_timeout: Duration::from_secs(cli.build_timeout),
        cell_build_timeout: Duration::from_secs(cli.cell_build_timeout),
        build_memory_bytes: 4 << 30,
    }
}

fn options(env: project::Env, common: &Common) -> grade::Options {
    grade::Options {
        env,
        chapter: common.chapter.clone(),
        max_bytes: common.max_size.saturating_mul(1_000_000),
        capture: 16 * 1024,
        max_check_time: common.max_check_time.map(Duration::from_secs),
        seed: common.seed.unwrap_or_else(sandbox::random_seed),
        probe_runner: common.probe_runner.clone(),
    }
}

/// `check`'s seed: drawn once and kept in `<work>/seed`, so that the reference run of a
/// chapter is cached between checks.
fn kept_seed(work_dir: &std::path::Path) -> u64 {
    let path = work_dir.join("seed");
    if let Some(s) = std::fs::read_to_string(&path)
        .ok()
        .and_then(|t| t.trim().parse().ok())
    {
        return s;
    }
    let s = sandbox::random_seed();
    let _ = std::fs::create_dir_all(work_dir);
    let _ = std::fs::write(&path, s.to_string());
    s
}

fn write_file(path: &PathBuf, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let env = env(&cli);
    let result = match &cli.command {
        Cmd::Generate { check } => cmd_generate(&env, *check),
        Cmd::Check {
            notebook,
            common,
            json,
        } => {
            let mut opts = options(env, common);
            if common.seed.is_none() {
                opts.seed = kept_seed(&opts.env.work_dir);
            }
            if let Some(w) = sandbox::Mechanisms::get().warning() {
                println!("{w}");
            }
            (|| {
                let slot = project::Slot::acquire(&opts.env)
                    .map_err(|e| format!("{}: {e}", opts.env.work_dir.display()))?;
                let r = grade::grade_file(notebook, &opts, &slot);
                print!("{}", report::text(&r));
                if let Some(path) = json {
                    write_file(path, &serde_json::to_string_pretty(&r).unwrap())?;
                }
                Ok(r.all_pass())
            })()
        }
        Cmd::Grade {
            files,
            moodle,
            jobs,
            csv,
            json,
            unsandboxed,
            common,
        } => {
            let opts = options(env, common);
            let mechanisms = sandbox::Mechanisms::get();
            if let Some(w) = mechanisms.warning() {
                eprintln!("{w}");
                if mechanisms.namespaces.is_err() && !unsandboxed {
                    eprintln!("grader: refus de corriger un lot sans bac à sable ; --unsandboxed pour passer outre (seulement pour des copies de confiance)");
                    return ExitCode::from(2);
                }
            }
            if let Some(source) = &moodle.moodle {
                let args = roundtrip::Args {
                    source: source.clone(),
                    worksheet: moodle.worksheet.clone(),
                    out: moodle.out.clone(),
                    gradebook: moodle.gradebook.clone(),
                    regrade: moodle.regrade,
                    csv: csv.clone(),
                    json: json.clone(),
                };
                return exit(roundtrip::run(&args, &opts, *jobs));
            }
            let t = std::time::Instant::now();
            let reports = grade::grade_many(files, &opts, *jobs, &|r| {
                println!("{}", report::summary_line(r))
            });
            let passed = reports.iter().filter(|r| r.all_pass()).count();
            println!(
                "{} fichier(s) corrigé(s) en {:.1} s avec {} tâche(s) ; {passed} entièrement réussi(s)",
                reports.len(),
                t.elapsed().as_secs_f64(),
                jobs
            );
            (|| {
                if let Some(path) = csv {
                    write_file(path, &report::csv(&reports))?;
                }
                if let Some(path) = json {
                    write_file(path, &serde_json::to_string_pretty(&reports).unwrap())?;
                }
                Ok(passed == reports.len())
            })()
        }
        Cmd::Replay {
            chapters,
            cell_timeout,
            jupyter,
            no_student_run,
        } => replay::run(
            &env,
            chapters,
            Duration::from_secs(*cell_timeout),
            jupyter.clone(),
            !no_student_run,
        ),
    };
    exit(result)
}

fn exit(result: Result<bool, String>) -> ExitCode {
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("grader: {e}");
            ExitCode::from(2)
        }
    }
}

fn cmd_generate(env: &project::Env, check: bool) -> Result<bool, String> {
    let results = generate::generate_all(&env.repo_root, check)?;
    let mut ok = true;
    for g in &results {
        let state = match (g.up_to_date, check) {
            (true, _) => "up to date",
            (false, false) => "written",
            (false, true) => {
                ok = false;
                "OUT OF DATE (run `grader generate`)"
            }
        };
        println!("{}: {state}", g.target.display());
        if g.solution_not_canonical {
            println!("  warning: solutions/{}.ipynb is not in Jupyter's formatting; save it from Jupyter so generate changes only the answers", g.name);
        }
    }
    if results.is_empty() {
        println!("no solutions/*.ipynb");
    }
    Ok(ok)
}
