//! Work slots: `<work>/slots/wN` is a submission project directory, held with flock(2) by one
//! grader thread at a time, with its own cargo target directory `wN/target`. A batch with
//! `--jobs 2` thus runs two cargo builds at once instead of queueing on cargo's lock of a
//! shared target directory.
//!
//! The course crate and its dependencies are compiled once: a slot without a target
//! directory starts from a copy of `<work>/base` (a target directory published by the first
//! successful build). While nobody has published one yet, the first builder holds
//! `<work>/base.lock` for its whole build and the others wait for it, then copy, instead of
//! all compiling the same dependencies at once on the same cores.

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
pub struct BaseGuard(Option<File>);

fn flock(file: &File, flags: libc::c_int) -> bool {
    // SAFETY: flock on a descriptor we own.
    unsafe { libc::flock(file.as_raw_fd(), flags) == 0 }
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

    /// Makes sure the slot has a target directory worth starting from (see the module doc).
    pub fn prepare_target(&self, env: &Env) -> io::Result<BaseGuard> {
        if self.target_dir().exists() {
            return Ok(BaseGuard(None));
        }
        std::fs::create_dir_all(&env.work_dir)?;
        let lock = File::create(env.work_dir.join("base.lock"))?;
        flock(&lock, libc::LOCK_EX);
        let base = env.work_dir.join("base");
        if base.exists() {
            copy_tree(&base, &self.target_dir())?;
            return Ok(BaseGuard(None));
        }
        Ok(BaseGuard(Some(lock)))
    }

    /// After a successful build: publish this slot's target directory as the base if the
    /// guard says nobody has yet.
    pub fn publish_target(&self, env: &Env, guard: BaseGuard) {
        if guard.0.is_some() && !env.work_dir.join("base").exists() {
            if let Err(e) = copy_tree(&self.target_dir(), &env.work_dir.join("base")) {
                eprintln!("grader: could not publish the shared build directory: {e}");
            }
        }
    }
}
