//! Helpers for the checks (grader/checks/<chapter>.rs), compiled into each submission's
//! project as `crate::support`.
//!
//! A check is a *probe*: it exercises the answers and records labelled observations (a
//! number, a tensor, a boolean with its message); it decides nothing. The grader runs the
//! same probe, with the same seed, once against the student's answers (in the sandbox) and
//! once against the reference answers of solutions/, then compares the two lists itself
//! (grader/src/compare.rs) with the tolerances the reference run recorded. Whatever the
//! student's process writes, it passes only with the reference's values.
//!
//! `close`, `close_tensor` and `ensure` still return `Err` when the value looks wrong in
//! this process, so that a probe stops at its first problem as before; the grader's
//! comparison, not that `Err`, gives the verdict. A label that names the course (« du
//! cours ») lets the report show the expected value: the course prints it.

use apprentissage::prelude::*;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// One check: `id` is the graded cell's `metadata.grader.id`.
pub struct Check {
    pub id: &'static str,
    pub run: fn() -> Result<(), String>,
    pub timeout_secs: u64,
    pub memory_mib: u64,
}

impl Check {
    /// A check with the default limits: 60 s of wall-clock time and 2 GiB of address space.
    pub const fn new(id: &'static str, run: fn() -> Result<(), String>) -> Check {
        Check {
            id,
            run,
            timeout_secs: 60,
            memory_mib: 2048,
        }
    }

    pub const fn timeout_secs(mut self, secs: u64) -> Check {
        self.timeout_secs = secs;
        self
    }

    pub const fn memory_mib(mut self, mib: u64) -> Check {
        self.memory_mib = mib;
        self
    }
}

/// Where observations go: the result pipe and this run's token (set by the harness).
static SINK: Mutex<Option<(std::fs::File, String)>> = Mutex::new(None);
/// The run's seed, chosen by the grader (the same for the student's and the reference run).
static SEED: AtomicU64 = AtomicU64::new(0);

/// Called by the harness before the probe runs.
pub fn start(out: std::fs::File, token: String, seed: u64) {
    SEED.store(seed, Ordering::SeqCst);
    if let Ok(mut s) = SINK.lock() {
        *s = Some((out, token));
    }
}

/// Writes one observation (a JSON object's fields after the token) as its own line.
pub fn emit(fields: &str) {
    if let Ok(mut s) = SINK.lock() {
        if let Some((out, token)) = s.as_mut() {
            let _ = out.write_all(format!("\n{{\"token\":\"{token}\",{fields}}}\n").as_bytes());
            let _ = out.flush();
        }
    }
}

/// Seeds the generator with `k` mixed with the run's seed: the probe's random inputs change
/// from run to run, identically for the student's and the reference run. Two calls with the
/// same `k` give the same numbers, as `manual_seed(k)` did.
pub fn seed(k: u64) {
    let mut z = SEED.load(Ordering::SeqCst) ^ k.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    // splitmix64's finaliser: nearby k give unrelated seeds.
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    manual_seed(z ^ (z >> 31));
}

/// The datasets directory (`<repo>/data`; a check runs in a scratch directory where
/// `../data` also points there, as from notebooks/).
pub fn data_dir() -> std::path::PathBuf {
    std::env::var_os("APPRENTISSAGE_DATA")
        .map(Into::into)
        .unwrap_or_else(|| "../data".into())
}

/// A JSON string literal.
pub fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A JSON number, or the strings "NaN", "inf", "-inf".
fn json_f32(x: f32) -> String {
    if x.is_finite() {
        format!("{x:?}")
    } else {
        format!("\"{x}\"")
    }
}

fn json_f32s(xs: &[f32]) -> String {
    let items: Vec<String> = xs.iter().map(|&x| json_f32(x)).collect();
    format!("[{}]", items.join(","))
}

/// Observes `condition` with the message for the student when it is false; `Err(message)`
/// unless `condition`.
pub fn ensure(condition: bool, message: impl FnOnce() -> String) -> Result<(), String> {
    if condition {
        emit("\"kind\":\"bool\",\"value\":true,\"message\":\"\"");
        Ok(())
    } else {
        let m = message();
        emit(&format!(
            "\"kind\":\"bool\",\"value\":false,\"message\":{}",
            json_string(&m)
        ));
        Err(m)
    }
}

/// Observes the number `got` (with `want` and the tolerance `tol`, absolute); `Err` when
/// |got − want| > tol here (NaN never passes).
pub fn close(what: &str, got: f32, want: f32, tol: f32) -> Result<(), String> {
    emit(&format!(
        "\"kind\":\"number\",\"label\":{},\"got\":{},\"want\":{},\"tol\":{}",
        json_string(what),
        json_f32(got),
        json_f32(want),
        json_f32(tol)
    ));
    if (got - want).abs() <= tol {
        Ok(())
    } else {
        Err(format!("{what} : obtenu {got}, écart supérieur à {tol}"))
    }
}

/// Observes the tensor `got` (shape and values, with `want` and the tolerance `tol`); `Err`
/// when the shapes differ or an element is off by more than `tol` here.
pub fn close_tensor(what: &str, got: &Tensor, want: &Tensor, tol: f32) -> Result<(), String> {
    let (g, w) = (got.to_vec(), want.to_vec());
    emit(&format!(
        "\"kind\":\"tensor\",\"label\":{},\"shape\":{:?},\"got\":{},\"want_shape\":{:?},\"want\":{},\"tol\":{}",
        json_string(what),
        got.shape(),
        json_f32s(&g),
        want.shape(),
        json_f32s(&w),
        json_f32(tol)
    ));
    if got.shape() != want.shape() {
        return Err(format!("{what} : forme obtenue {:?}", got.shape()));
    }
    match g.iter().zip(&w).position(|(a, b)| !((a - b).abs() <= tol)) {
        None => Ok(()),
        Some(i) => Err(format!(
            "{what} : à l'indice {i} (à plat), obtenu {}, écart supérieur à {tol}",
            g[i]
        )),
    }
}

/// Observes a value as text (a shape, an index, an error's presence): the student's text
/// must equal the reference's.
pub fn observe_text(what: &str, got: &str) {
    emit(&format!(
        "\"kind\":\"text\",\"label\":{},\"got\":{}",
        json_string(what),
        json_string(got)
    ));
}
