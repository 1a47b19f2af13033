//! Work slots: `<work>/slots/wN` is a submission project directory, held with flock(2) by one
//! grader thread at a time, with its own cargo target directory `wN/target`. A batch with
//! `--jobs 2` thus runs two cargo builds at once instead of queueing on cargo's lock of a
//! shared target directory.
//!
//! The course crate and its dependencies are compiled once per change of the course crate: a
//! slot whose target directory was not built from the current sources (see [`course_stamp`])
//! starts from a copy of `<work>/base`, a target directory published by a build of the
//! current sources. While there is none, the first builder holds `<work>/base.lock` for its
//! whole build and publishes its target directory; the others wait for it, then copy, instead
//! of all compiling the same crates at once on the same cores.

use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::project::Env;

/// An exclusively locked project directory (released on drop).
pub struct Slot {
    pub dir: PathBuf,
    pub index: usize,
    _lock: File,
}

/// Held while building the first target directory that will be published as the base.
pub struct BaseGuard(Option<(File, String)>);

impl BaseGuard {
    /// This slot compiles the course crate (the others wait for it).
    pub fn is_builder(&self) -> bool {
        self.0.is_some()
    }
}

fn flock(file: &File, flags: libc::c_int) -> bool {
    // SAFETY: flock on a descriptor we own.
    unsafe { libc::flock(file.as_raw_fd(), flags) == 0 }
}

/// Waits for an exclusive lock on `file` (released when it is closed).
pub fn lock_exclusive(file: &File) {
    while !flock(file, libc::LOCK_EX) {
        if io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
            return;
        }
    }
}

/// `cp -a` (keeps modification times, which cargo's freshness checks compare).
fn copy_tree(from: &Path, to: &Path) -> io::Result<()> {
    let tmp = to.with_extension("partial");
    let _ = std::fs::remove_dir_all(&tmp);
    let status = Command::new("cp").arg("-a").arg(from).arg(&tmp).status()?;
    if !status.success() {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(io::Error::other(format!("cp -a {} failed", from.display())));
    }
    std::fs::rename(&tmp, to)
}

impl Slot {
    pub fn acquire(env: &Env) -> io::Result<Slot> {
        let slots = env.work_dir.join("slots");
        std::fs::create_dir_all(&slots)?;
        for index in 0.. {
            let lock = File::create(slots.join(format!("w{index}.lock")))?;
            if flock(&lock, libc::LOCK_EX | libc::LOCK_NB) {
                let dir = slots.join(format!("w{index}"));
                std::fs::create_dir_all(dir.join("src/cells"))?;
                return Ok(Slot {
                    dir,
                    index,
                    _lock: lock,
                });
            }
        }
        unreachable!()
    }

    pub fn target_dir(&self) -> PathBuf {
        self.dir.join("target")
    }

    /// Makes sure the slot starts from a target directory where the course crate, as it is
    /// now, is already compiled, if any slot has compiled it (see the module doc).
    pub fn prepare_target(&self, env: &Env) -> io::Result<BaseGuard> {
        let stamp = course_stamp(&env.repo_root);
        let mine = self.dir.join("target.stamp");
        if self.target_dir().exists() && read(&mine) == stamp {
            return Ok(BaseGuard(None));
        }
        std::fs::create_dir_all(&env.work_dir)?;
        let lock = File::create(env.work_dir.join("base.lock"))?;
        flock(&lock, libc::LOCK_EX);
        let base = env.work_dir.join("base");
        if base.exists() && read(&env.work_dir.join("base.stamp")) == stamp {
            let _ = std::fs::remove_dir_all(self.target_dir());
            copy_tree(&base, &self.target_dir())?;
            std::fs::write(&mine, &stamp)?;
            return Ok(BaseGuard(None));
        }
        // This slot compiles the course crate; the others wait for it, then copy. A stale base
        // still holds the dependencies compiled: start from it rather than from nothing.
        if !self.target_dir().exists() && base.exists() {
            copy_tree(&base, &self.target_dir())?;
        }
        Ok(BaseGuard(Some((lock, stamp))))
    }

    /// After a successful build: publish this slot's target directory as the new base if it
    /// was built under the lock.
    pub fn publish_target(&self, env: &Env, guard: BaseGuard) {
        let Some((_lock, stamp)) = guard.0 else {
            return;
        };
        let base = env.work_dir.join("base");
        let old = env.work_dir.join("base.old");
        let _ = std::fs::remove_dir_all(&old);
        let _ = std::fs::rename(&base, &old);
        match copy_tree(&self.target_dir(), &base) {
            Ok(()) => {
                let _ = std::fs::write(env.work_dir.join("base.stamp"), &stamp);
                let _ = std::fs::write(self.dir.join("target.stamp"), &stamp);
            }
            Err(e) => eprintln!("grader: could not publish the shared build directory: {e}"),
        }
        let _ = std::fs::remove_dir_all(&old);
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// Names, sizes and modification times of what the course crate is built from (src/,
/// assets/, Cargo.toml, Cargo.lock, build.rs): a change means its build is stale.
pub fn course_stamp(root: &Path) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    let mut stack: Vec<PathBuf> = ["src", "assets", "Cargo.toml", "Cargo.lock", "build.rs"]
        .iter()
        .map(|p| root.join(p))
        .collect();
    let mut seen = Vec::new();
    while let Some(p) = stack.pop() {
        let Ok(meta) = std::fs::metadata(&p) else {
            continue;
        };
        if meta.is_dir() {
            if let Ok(rd) = std::fs::read_dir(&p) {
                stack.extend(rd.filter_map(|e| e.ok().map(|e| e.path())));
            }
        } else {
            let mtime = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
            seen.push((p, meta.len(), mtime));
        }
    }
    seen.sort();
    seen.hash(&mut h);
    format!("{:016x}", h.finish())
}
