//! The reference run: every probe of a chapter executed against the instructor's answers
//! (the solution cells of solutions/), with the run's seed, in the same sandbox as a
//! student's. Its observations are what students' observations are compared with
//! (src/compare.rs); no student code is in that process.
//!
//! A chapter's reference observations depend on its checks, its solution cells, the probe
//! runtime (harness, support), the course crate and the seed: they are cached under that key
//! in memory (a batch pays the run once) and in `<work>/reference/` (a later `grader check`
//! with the same seed pays nothing). One grader at a time computes a given key (flock).

use crate::grade::Options;
use crate::project::{self, CellSource, Slot};
use crate::reference::Chapter;
use crate::run;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

/// Check id → the reference's observations (ending with its `end` record).
pub type Observations = Arc<BTreeMap<String, Vec<Value>>>;

fn key(ch: &Chapter, seed: u64, opts: &Options) -> String {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    ch.name.hash(&mut h);
    ch.checks.hash(&mut h);
    for g in &ch.graded {
        (&g.id, &g.solution).hash(&mut h);
    }
    project::runtime_sources().hash(&mut h);
    crate::slots::course_stamp(&opts.env.repo_root).hash(&mut h);
    seed.hash(&mut h);
    format!("{}-{:016x}", ch.name, h.finish())
}

static MEMORY: Mutex<Option<HashMap<String, Observations>>> = Mutex::new(None);

fn remembered(k: &str) -> Option<Observations> {
    MEMORY.lock().ok()?.as_ref()?.get(k).cloned()
}

fn remember(k: &str, o: &Observations) {
    if let Ok(mut m) = MEMORY.lock() {
        m.get_or_insert_with(HashMap::new)
            .insert(k.to_string(), o.clone());
    }
}

fn load(path: &std::path::Path) -> Option<Observations> {
    let text = std::fs::read_to_string(path).ok()?;
    serde_json::from_str::<BTreeMap<String, Vec<Value>>>(&text)
        .ok()
        .map(Arc::new)
}

/// The reference observations of `ch` for `opts.seed`, from the caches or by building the
/// solution cells in `slot` and running every probe.
pub fn observations(ch: &Chapter, opts: &Options, slot: &Slot) -> Result<Observations, String> {
    let k = key(ch, opts.seed, opts);
    if let Some(o) = remembered(&k) {
        return Ok(o);
    }
    let dir = opts.env.work_dir.join("reference");
    let io = |e: std::io::Error| format!("{}: {e}", dir.display());
    std::fs::create_dir_all(&dir).map_err(io)?;
    let path = dir.join(format!("{k}.json"));
    let lock = std::fs::File::create(dir.join(format!("{k}.lock"))).map_err(io)?;
    crate::slots::lock_exclusive(&lock);
    let o = match load(&path) {
        Some(o) => o,
        None => {
            let o = Arc::new(compute(ch, opts, slot)?);
            let tmp = path.with_extension("partial");
            let text = serde_json::to_string(&*o).map_err(|e| e.to_string())?;
            std::fs::write(&tmp, text).map_err(io)?;
            std::fs::rename(&tmp, &path).map_err(io)?;
            o
        }
    };
    remember(&k, &o);
    Ok(o)
}

fn compute(
    ch: &Chapter,
    opts: &Options,
    slot: &Slot,
) -> Result<BTreeMap<String, Vec<Value>>, String> {
    let grader_error =
        |e: String| format!("exécution de la solution de référence : {e} (erreur du correcteur)");
    let cells: Vec<CellSource> = ch
        .graded
        .iter()
        .map(|g| CellSource {
            id: g.id.clone(),
            source: g.solution.clone(),
            is_stub: false,
        })
        .collect();
    let built = project::build(&opts.env, slot, ch, &cells).map_err(grader_error)?;
    if let Some((id, msg)) = built.compile_errors.iter().next() {
        return Err(grader_error(format!(
            "la solution de {id} ne compile pas : {msg}"
        )));
    }
    let specs = run::list_checks(&built, slot, opts).map_err(grader_error)?;
    let reference_opts = Options {
        probe_runner: None,
        ..opts.clone()
    };
    let mut out = BTreeMap::new();
    for spec in &specs {
        let r =
            run::run_probe(&built, spec, opts.seed, &reference_opts, slot).map_err(grader_error)?;
        if !r.records.iter().any(|v| v["kind"] == "end") {
            let f = &r.finished;
            return Err(grader_error(format!(
                "le test {} ne se termine pas avec la solution ({}{}) : {}",
                spec.id,
                if f.timed_out { "temps dépassé, " } else { "" },
                f.signal
                    .map(|s| format!("signal {s}"))
                    .unwrap_or_else(|| format!("code {:?}", f.exit_code)),
                String::from_utf8_lossy(&f.stderr.data)
                    .lines()
                    .last()
                    .unwrap_or("")
            )));
        }
        out.insert(spec.id.clone(), r.records);
    }
    Ok(out)
}
