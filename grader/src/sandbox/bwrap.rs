//! What a sandboxed program sees, and the `bwrap` (Debian's bubblewrap) command line that
//! builds it with the kernel's namespaces.
//!
//! Every run gets: a new user namespace where it is `nobody` (65534) with no capability and
//! may not create further user namespaces (`--disable-userns`: the read-only mounts below
//! cannot be remounted from a nested namespace), new PID, network (loopback only, down), IPC,
//! UTS and cgroup namespaces, a new session (no terminal to inject keystrokes into), an empty
//! environment but for the variables listed, and a root file system that holds only what the
//! [`Jail`] lists, read-only unless said otherwise. When the sandbox's first process ends, the
//! kernel kills every process left in its PID namespace; `--die-with-parent` does the same
//! when the grader dies.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The file system and environment of one sandboxed run.
#[derive(Clone, Debug, Default)]
pub struct Jail {
    /// (source outside, destination inside), read-only.
    pub ro: Vec<(PathBuf, PathBuf)>,
    /// (source outside, destination inside), writable.
    pub rw: Vec<(PathBuf, PathBuf)>,
    /// Fresh, empty, writable file systems in memory (destination, size limit in bytes).
    pub tmpfs: Vec<(PathBuf, u64)>,
    /// Directories to create (inside a tmpfs).
    pub dirs: Vec<PathBuf>,
    /// Symbolic links to create (target, link).
    pub symlinks: Vec<(String, PathBuf)>,
    /// Mount a `/proc` of the sandbox's own PID namespace (only its own processes).
    pub proc_fs: bool,
    pub env: Vec<(String, OsString)>,
    pub cwd: PathBuf,
}

impl Jail {
    /// The system's programs and libraries, read-only: `/usr` (with `/bin`, `/lib`, `/lib64`
    /// as links, as on merged-/usr Debian), the loader's cache and the alternatives links
    /// (OpenBLAS is reached through them), a minimal `/dev`, an empty `/tmp`.
    pub fn system(tmp_bytes: u64) -> Jail {
        let mut j = Jail::default();
        j.ro_same("/usr");
        for (link, target) in [
            ("/bin", "usr/bin"),
            ("/lib", "usr/lib"),
            ("/lib64", "usr/lib64"),
            ("/sbin", "usr/sbin"),
        ] {
            match std::fs::symlink_metadata(link) {
                Ok(m) if m.file_type().is_symlink() => {
                    j.symlinks.push((target.into(), link.into()))
                }
                Ok(m) if m.is_dir() => j.ro_same(link),
                _ => {}
            }
        }
        for f in [
            "/etc/ld.so.cache",
            "/etc/ld.so.conf",
            "/etc/ld.so.conf.d",
            "/etc/alternatives",
            "/etc/passwd",
            "/etc/group",
        ] {
            if Path::new(f).exists() {
                j.ro_same(f);
            }
        }
        j.tmpfs.push(("/tmp".into(), tmp_bytes));
        j.cwd = "/tmp".into();
        j
    }

    /// `path` read-only at the same place inside (only if it exists).
    pub fn ro_same(&mut self, path: impl AsRef<Path>) {
        let p = path.as_ref();
        if p.exists() {
            self.ro.push((p.to_path_buf(), p.to_path_buf()));
        }
    }

    pub fn env(&mut self, key: &str, value: impl Into<OsString>) {
        self.env.push((key.to_string(), value.into()));
    }

    /// `bwrap … -- program args…`.
    pub fn command(&self, program: &Path, args: &[OsString]) -> Command {
        let mut c = Command::new("bwrap");
        c.args([
            "--unshare-all",
            "--unshare-user",
            "--disable-userns",
            "--uid",
            "65534",
            "--gid",
            "65534",
            "--hostname",
            "bac-a-sable",
            "--die-with-parent",
            "--new-session",
            "--clearenv",
            "--cap-drop",
            "ALL",
        ]);
        c.args(["--dev", "/dev"]);
        if self.proc_fs {
            c.args(["--proc", "/proc"]);
        }
        // Mount order matters: a tmpfs first, then what is bound inside it.
        for (dest, size) in &self.tmpfs {
            c.arg("--size")
                .arg(size.to_string())
                .arg("--tmpfs")
                .arg(dest);
        }
        for d in &self.dirs {
            c.arg("--dir").arg(d);
        }
        for (target, link) in &self.symlinks {
            c.arg("--symlink").arg(target).arg(link);
        }
        for (src, dest) in &self.ro {
            c.arg("--ro-bind").arg(src).arg(dest);
        }
        for (src, dest) in &self.rw {
            c.arg("--bind").arg(src).arg(dest);
        }
        // The skeleton bwrap built for the mounts (owned by the sandbox's user) becomes
        // read-only; the tmpfs and `rw` mounts keep their own flags.
        c.args(["--remount-ro", "/"]);
        for (k, v) in &self.env {
            c.arg("--setenv").arg(k).arg(v);
        }
        c.arg("--chdir").arg(&self.cwd);
        c.arg("--").arg(program).args(args);
        c.env_clear();
        c
    }
}

/// Can we build a sandbox here? Checked once by running `true` in the strictest jail; the
/// error says what is missing, in French, for the one-line warning.
pub fn available() -> Result<(), String> {
    static PROBE: OnceLock<Result<(), String>> = OnceLock::new();
    PROBE
        .get_or_init(|| {
            let mut j = Jail::system(1 << 20);
            j.env("PATH", "/usr/bin:/bin");
            let out = j.command(Path::new("/bin/true"), &[]).output();
            match out {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(
                    "bubblewrap (bwrap) est introuvable : installez-le (apt-get install bubblewrap, ou scripts/setup.sh system)".into(),
                ),
                Err(e) => Err(format!("bwrap ne démarre pas : {e}")),
                Ok(o) if o.status.success() => Ok(()),
                Ok(o) => Err(format!(
                    "bwrap ne peut pas créer d'espaces de noms ici (espaces de noms utilisateur désactivés ?) : {}",
                    String::from_utf8_lossy(&o.stderr).trim()
                )),
            }
        })
        .clone()
}
