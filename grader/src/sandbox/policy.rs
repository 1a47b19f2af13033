//! What each kind of untrusted run may see: the check of an answer, and the build of a
//! submission. Everything else (the solutions, the checks' sources, the other slots, the
//! grader's files, `$HOME`, other processes) is simply not in its file system.
//!
//! Paths inside are the real paths outside, so the same command runs unchanged when the
//! kernel offers no namespaces (see [`super::Mechanisms`]).

use super::Jail;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// A check (or a probe run): the system's libraries, the check binary (read-only, so a
/// check cannot replace it for the next one), the datasets (read-only, seen as `../data` from
/// the working directory, as from notebooks/), and a fresh scratch file system in memory as
/// its working directory. No `/proc`: nothing to read there, not even its own memory.
pub fn check(binary: &Path, scratch: &Path, data: &Path) -> Jail {
    let mut j = Jail::system(64 << 20);
    j.tmpfs.push((scratch.to_path_buf(), 256 << 20));
    let work = scratch.join("notebooks");
    j.dirs.push(work.clone());
    let data_inside = scratch.join("data");
    if data.is_dir() {
        j.ro.push((data.to_path_buf(), data_inside.clone()));
    }
    j.ro_same(binary);
    j.cwd = work.clone();
    j.env("PATH", "/usr/bin:/bin");
    j.env("HOME", &work);
    j.env("LANG", "C.UTF-8");
    j.env("OPENBLAS_NUM_THREADS", "1");
    j.env("RUST_BACKTRACE", "0");
    j.env("APPRENTISSAGE_DATA", &data_inside);
    j
}

/// The toolchain this grader builds with: `rustc --print sysroot` run from the repository
/// (so a `rust-toolchain` file there applies), and cargo's home.
#[derive(Clone, Debug)]
pub struct Toolchain {
    pub sysroot: PathBuf,
    pub cargo_home: PathBuf,
}

impl Toolchain {
    pub fn find(repo_root: &Path) -> Result<&'static Toolchain, String> {
        static T: OnceLock<Result<Toolchain, String>> = OnceLock::new();
        T.get_or_init(|| {
            let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
            let out = std::process::Command::new(rustc)
                .args(["--print", "sysroot"])
                .current_dir(repo_root)
                .output()
                .map_err(|e| format!("rustc introuvable : {e}"))?;
            if !out.status.success() {
                return Err(format!(
                    "rustc --print sysroot a échoué : {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                ));
            }
            let sysroot = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
            let sysroot = sysroot.canonicalize().unwrap_or(sysroot);
            let cargo_home = std::env::var_os("CARGO_HOME")
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
                .ok_or("ni CARGO_HOME ni HOME ne sont définis")?;
            Ok(Toolchain {
                sysroot,
                cargo_home,
            })
        })
        .as_ref()
        .map_err(Clone::clone)
    }

    pub fn cargo(&self) -> PathBuf {
        let c = self.sysroot.join("bin/cargo");
        if c.exists() {
            c
        } else {
            PathBuf::from("/usr/bin/cargo")
        }
    }
}

/// A submission's build: the toolchain and the downloaded crates (read-only; cargo's home
/// is otherwise an empty file system, for its lock files), the course crate's sources
/// (read-only: manifest, lock file, `src/`, `assets/`), and the slot's project directory,
/// writable (sources and target directory). `/proc` is mounted (of the sandbox's own PID
/// namespace): the loader finds rustc's libraries through `/proc/self/exe`. No network,
/// `--offline`.
pub fn build(t: &Toolchain, repo_root: &Path, slot_dir: &Path) -> Jail {
    let mut j = Jail::system(1 << 30);
    j.proc_fs = true;
    j.ro_same(&t.sysroot);
    j.tmpfs.push((t.cargo_home.clone(), 16 << 20));
    for sub in ["registry", "git", "config.toml", "config"] {
        j.ro_same(t.cargo_home.join(sub));
    }
    for f in ["Cargo.toml", "Cargo.lock", "build.rs", "src", "assets"] {
        j.ro_same(repo_root.join(f));
    }
    j.rw.push((slot_dir.to_path_buf(), slot_dir.to_path_buf()));
    j.cwd = slot_dir.to_path_buf();
    let mut path = t.sysroot.join("bin").into_os_string();
    path.push(":/usr/bin:/bin");
    j.env("PATH", path);
    j.env("CARGO_HOME", &t.cargo_home);
    j.env("HOME", "/tmp");
    j.env("LANG", "C.UTF-8");
    j.env("CARGO_TERM_COLOR", "never");
    j
}
