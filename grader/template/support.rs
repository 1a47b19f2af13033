//! Helpers for the checks (grader/checks/<chapter>.rs). Compiled into each submission's
//! project as `crate::support`; a check returns `Ok(())` or `Err(message for the student)`.
//! Failure messages are French and say what was expected and what was obtained.

use apprentissage::prelude::*;

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

/// The datasets directory (`<repo>/data`; a check runs in a scratch directory where
/// `../data` also points there, as from notebooks/).
pub fn data_dir() -> std::path::PathBuf {
    std::env::var_os("APPRENTISSAGE_DATA")
        .map(Into::into)
        .unwrap_or_else(|| "../data".into())
}

/// `Err(message)` unless `condition`.
pub fn ensure(condition: bool, message: impl FnOnce() -> String) -> Result<(), String> {
    if condition {
        Ok(())
    } else {
        Err(message())
    }
}

/// |got − want| ≤ tol (absolute), NaN never passes.
pub fn close(what: &str, got: f32, want: f32, tol: f32) -> Result<(), String> {
    ensure((got - want).abs() <= tol, || {
        format!("{what} : attendu {want} (à {tol} près), obtenu {got}")
    })
}

/// Same shape, then every element within `tol`; the message names the first difference.
pub fn close_tensor(what: &str, got: &Tensor, want: &Tensor, tol: f32) -> Result<(), String> {
    ensure(got.shape() == want.shape(), || {
        format!(
            "{what} : forme attendue {:?}, obtenue {:?}",
            want.shape(),
            got.shape()
        )
    })?;
    let (g, w) = (got.to_vec(), want.to_vec());
    match g.iter().zip(&w).position(|(a, b)| !((a - b).abs() <= tol)) {
        None => Ok(()),
        Some(i) => Err(format!(
            "{what} : à l'indice {i} (à plat) attendu {} (à {tol} près), obtenu {}\n  attendu : {want}\n  obtenu  : {got}",
            w[i], g[i]
        )),
    }
}
