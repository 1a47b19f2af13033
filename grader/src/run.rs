//! Runs one check of a built submission in a limited child process and turns what happened
//! (a result record with this run's token, or its absence, a timeout, a signal…) into an
//! outcome with a reason in the student's terms.

use crate::compare;
use crate::grade::{exercise, Options};
use crate::project::{self, Slot};
use crate::reference::Chapter;
use crate::report::{Exercise, Outcome};
use crate::sandbox::{self, Limits};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// One check as the built harness lists it.
pub struct CheckSpec {
    pub id: String,
    pub timeout: Duration,
    pub memory_mib: u64,
}

/// A fresh working directory for one check, `<slot>/scratch/notebooks`, beside `data` (the
/// repository's datasets): `../data/mnist` resolves as it does from notebooks/. In the
/// sandbox the scratch is a new file system in memory and `data` a read-only mount; without
/// namespaces, a directory and a link.
fn scratch_dir(slot: &Slot, opts: &Options) -> PathBuf {
    let root = slot.dir.join("scratch");
    let _ = std::fs::remove_dir_all(&root);
    let _ = std::fs::create_dir_all(root.join("notebooks"));
    let _ = std::os::unix::fs::symlink(opts.env.repo_root.join("data"), root.join("data"));
    root
}

fn check_jail(b: &project::Built, slot: &Slot, opts: &Options) -> sandbox::Jail {
    let scratch = scratch_dir(slot, opts);
    // Execute-only: inside the sandbox (no capabilities) the kernel then makes the check
    // process non-dumpable, so a child it starts cannot read its memory (and the token) with
    // process_vm_readv or ptrace, though it runs as the same user.
    let _ = std::fs::set_permissions(
        &b.binary,
        std::os::unix::fs::PermissionsExt::from_mode(0o111),
    );
    sandbox::policy::check(&b.binary, &scratch, &opts.env.repo_root.join("data"))
}

/// `run-checks --list`: the nonce (the binary is the one just built) and the checks' limits.
pub fn list_checks(
    b: &project::Built,
    slot: &Slot,
    opts: &Options,
) -> Result<Vec<CheckSpec>, String> {
    let limits = Limits {
        timeout: Duration::from_secs(30),
        memory_bytes: Some(2 << 30),
        rlimit_as: true,
        pids: Some(64),
        capture: 1 << 20,
        ..Limits::default()
    };
    let jail = check_jail(b, slot, opts);
    let f = sandbox::run_jailed(&b.binary, &["--list".into()], &jail, &limits)
        .map_err(|e| format!("impossible de lancer les tests : {e}"))?;
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

/// What a probe recorded in one run: its observations and end record (those carrying this
/// run's token, in order), and how the process ended.
pub struct ProbeRun {
    pub records: Vec<serde_json::Value>,
    pub finished: sandbox::Finished,
    pub limits: Limits,
}

/// Runs the probe of `spec` once with `seed` in the check sandbox.
pub fn run_probe(
    b: &project::Built,
    spec: &CheckSpec,
    seed: u64,
    opts: &Options,
    slot: &Slot,
) -> Result<ProbeRun, String> {
    let token = sandbox::random_token();
    let mut jail = check_jail(b, slot, opts);
    if let Some(runner) = &opts.probe_runner {
        jail.ro_same(runner);
    }
    let limits = Limits {
        timeout: opts
            .max_check_time
            .map_or(spec.timeout, |m| m.min(spec.timeout)),
        memory_bytes: Some(spec.memory_mib << 20),
        rlimit_as: true,
        pids: Some(64),
        file_size_bytes: Some(64 << 20),
        stdin: format!("{token} {seed}\n").into_bytes(),
        result_pipe: true,
        capture: opts.capture,
    };
    let args = ["--run".into(), spec.id.clone().into()];
    let program = opts.probe_runner.as_deref().unwrap_or(&b.binary);
    let finished = sandbox::run_jailed(program, &args, &jail, &limits)
        .map_err(|e| format!("impossible de lancer le test : {e}"))?;
    Ok(ProbeRun {
        records: records(&finished.results, &token),
        finished,
        limits,
    })
}

/// Runs the student's probe of `spec` and compares what it observed with the reference
/// run's observations (`reference`: that check's list).
#[allow(clippy::too_many_arguments)]
pub fn run_check(
    b: &project::Built,
    spec: &CheckSpec,
    max: f64,
    ch: &Chapter,
    opts: &Options,
    slot: &Slot,
    reference: &[serde_json::Value],
) -> Exercise {
    let run = match run_probe(b, spec, opts.seed, opts, slot) {
        Ok(r) => r,
        Err(e) => return exercise(&spec.id, max, Outcome::Crash, e),
    };
    let f = &run.finished;
    let names = CellNames::new(ch, &opts.env.repo_root);
    let stderr = String::from_utf8_lossy(&f.stderr.data).into_owned();
    let ended = run.records.iter().any(|r| r["kind"] == "end");
    let (outcome, reason, details) = if f.timed_out {
        (
            Outcome::Timeout,
            format!(
                "plus de {} s : boucle infinie ou calcul trop long ?",
                run.limits.timeout.as_secs()
            ),
            String::new(),
        )
    } else if f.oom_killed {
        // The limit covers the whole tree: a child killed for memory fails the check even
        // when the main process goes on.
        (
            Outcome::Crash,
            format!(
                "mémoire épuisée (limite {} Mio pour le test et tous ses processus)",
                spec.memory_mib
            ),
            String::new(),
        )
    } else if ended {
        let v = compare::verdict(&run.records, reference);
        let reason = names.rewrite(&v.reason);
        match v.outcome {
            Outcome::Panic if is_stub_panic(&reason) => (
                Outcome::Panic,
                "pas encore fait : la réponse est encore `todo!()`".into(),
                String::new(),
            ),
            Outcome::Panic => {
                let location = names.location(&v.location);
                let at = if location.is_empty() {
                    String::new()
                } else {
                    format!(" ({location})")
                };
                (
                    Outcome::Panic,
                    format!("{}{at}", first_line(&reason)),
                    reason.lines().skip(1).collect::<Vec<_>>().join("\n"),
                )
            }
            o => (o, first_line(&reason), names.rewrite(&v.details)),
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
    ex.details = details;
    if outcome != Outcome::Pass && !todo {
        ex.output = names.rewrite(&output_excerpt(f));
    }
    ex.seconds = f.elapsed.as_secs_f64();
    ex
}

/// The panic of a stub (`todo!("exercice <id> : à vous d'écrire cette partie")`, this
/// exercise's or one it builds on), not a student's panic that merely uses similar words.
fn is_stub_panic(message: &str) -> bool {
    let first = message.lines().next().unwrap_or("");
    first
        .strip_prefix("not yet implemented: exercice ")
        .and_then(|rest| rest.strip_suffix(" : à vous d'écrire cette partie"))
        .is_some_and(|id| !id.is_empty() && !id.contains(' '))
        && message.lines().count() == 1
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

/// The records on the result pipe that carry this run's token, in order (student code
/// cannot know it: lines without it are ignored).
fn records(results: &[u8], token: &str) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(results)
        .lines()
        .filter(|l| l.contains(token))
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["token"] == token)
        .collect()
}

fn output_excerpt(f: &sandbox::Finished) -> String {
    let mut s = String::new();
    for (name, c) in [("stdout", &f.stdout), ("stderr", &f.stderr)] {
        if c.total == 0 {
            continue;
        }
        let text = String::from_utf8_lossy(&c.data);
        let text = text.trim_start_matches('\n');
        let lines: Vec<&str> = text
            .lines()
            .filter(|l| !l.starts_with("note: run with `RUST_BACKTRACE=1`"))
            .take(30)
            .collect();
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
