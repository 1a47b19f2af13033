//! A control group per sandboxed run, so that memory and process-count limits hold for the
//! whole tree of processes (a check that forks three children of 1.5 GB each is one 4.5 GB
//! tree, not three processes under a per-process limit), and so that every process of the run
//! can be found and killed at the end, whatever it did (`setsid`, double fork, new process
//! group).
//!
//! The kernel does the accounting; this module only writes its files (`cgroupfs` is the
//! kernel's interface). Both layouts are handled:
//!
//! - cgroup v1 (this machine and CI's): the `memory` and `pids` hierarchies, each mounted on its
//!   own directory; `memory.limit_in_bytes`, `pids.max`, `cgroup.procs`;
//! - cgroup v2: one unified hierarchy; `memory.max`, `memory.swap.max`, `pids.max`,
//!   `cgroup.kill`.
//!
//! Groups are created under the grader's own group (`/proc/self/cgroup`), named
//! `apprentissage-<grader pid>-<n>`, so they also stay inside whatever limits the grader itself
//! runs under. The child joins its group between `fork` and `exec` by writing `0` (itself) to
//! `cgroup.procs` ([`join_in_child`]), so nothing it starts can escape accounting.

use std::ffi::CString;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Where groups can be created, found once per grader process.
#[derive(Clone, Debug)]
pub enum Layout {
    /// v1: the directory of our group in the memory hierarchy and in the pids hierarchy.
    V1 { memory: PathBuf, pids: PathBuf },
    /// v2: the directory of our group in the unified hierarchy.
    V2 { dir: PathBuf },
}

/// One run's group (two directories in v1). Removed on drop, after killing what is left.
pub struct Group {
    dirs: Vec<PathBuf>,
    v2: bool,
    procs: Vec<CString>,
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Finds where this process may create groups with memory and pids limits, or says why not.
pub fn detect() -> Result<Layout, String> {
    let own =
        fs::read_to_string("/proc/self/cgroup").map_err(|e| format!("/proc/self/cgroup : {e}"))?;
    let mounts = fs::read_to_string("/proc/self/mountinfo")
        .map_err(|e| format!("/proc/self/mountinfo : {e}"))?;
    let path_of = |controller: &str| -> Option<String> {
        own.lines().find_map(|l| {
            let mut p = l.splitn(3, ':');
            let (_, ctrls, path) = (p.next()?, p.next()?, p.next()?);
            ctrls
                .split(',')
                .any(|c| c == controller)
                .then(|| path.to_string())
        })
    };
    // mountinfo: "id parent maj:min root mountpoint opts … - fstype source superopts"
    let mount_of = |fstype: &str, option: Option<&str>| -> Option<PathBuf> {
        mounts.lines().find_map(|l| {
            let (left, right) = l.split_once(" - ")?;
            let mut r = right.split(' ');
            let (fs, _src, opts) = (r.next()?, r.next()?, r.next().unwrap_or(""));
            let point = left.split(' ').nth(4)?;
            let root = left.split(' ').nth(3)?;
            (fs == fstype && root == "/" && option.is_none_or(|o| opts.split(',').any(|x| x == o)))
                .then(|| PathBuf::from(point))
        })
    };
    let v1 = (|| {
        let memory =
            mount_of("cgroup", Some("memory"))?.join(path_of("memory")?.trim_start_matches('/'));
        let pids = mount_of("cgroup", Some("pids"))?.join(path_of("pids")?.trim_start_matches('/'));
        Some(Layout::V1 { memory, pids })
    })();
    if let Some(layout) = v1 {
        return probe(layout);
    }
    let unified = own
        .lines()
        .find_map(|l| l.strip_prefix("0::"))
        .and_then(|path| Some(mount_of("cgroup2", None)?.join(path.trim_start_matches('/'))));
    match unified {
        Some(dir) => {
            let controllers =
                fs::read_to_string(dir.join("cgroup.subtree_control")).unwrap_or_default();
            if !(controllers.contains("memory") && controllers.contains("pids")) {
                return Err(format!(
                    "cgroup v2 : les contrôleurs memory et pids ne sont pas délégués à {} (cgroup.subtree_control : « {} »)",
                    dir.display(),
                    controllers.trim()
                ));
            }
            probe(Layout::V2 { dir })
        }
        None => Err("aucune hiérarchie cgroup avec les contrôleurs memory et pids".into()),
    }
}

/// Creates and removes one group to be sure we may.
fn probe(layout: Layout) -> Result<Layout, String> {
    let g = Group::create(&layout, 64 << 20, 8)
        .map_err(|e| format!("création d'un cgroup impossible : {e}"))?;
    drop(g);
    Ok(layout)
}

fn write(path: &Path, value: &str) -> io::Result<()> {
    fs::write(path, value).map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))
}

impl Group {
    /// A new group limited to `memory_bytes` (no swap) and `pids` tasks (threads count).
    pub fn create(layout: &Layout, memory_bytes: u64, pids: u64) -> io::Result<Group> {
        let name = format!(
            "apprentissage-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        );
        let (dirs, v2) = match layout {
            Layout::V1 { memory, pids } => (vec![memory.join(&name), pids.join(&name)], false),
            Layout::V2 { dir } => (vec![dir.join(&name)], true),
        };
        let mut group = Group {
            dirs: Vec::new(),
            v2,
            procs: Vec::new(),
        };
        for d in &dirs {
            fs::create_dir(d)
                .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", d.display())))?;
            group.dirs.push(d.clone());
            let c = CString::new(d.join("cgroup.procs").into_os_string().into_encoded_bytes())
                .map_err(io::Error::other)?;
            group.procs.push(c);
        }
        let mem = memory_bytes.to_string();
        if v2 {
            write(&dirs[0].join("memory.max"), &mem)?;
            let _ = write(&dirs[0].join("memory.swap.max"), "0");
            write(&dirs[0].join("pids.max"), &pids.to_string())?;
        } else {
            write(&dirs[0].join("memory.limit_in_bytes"), &mem)?;
            // Only present when swap accounting is on; then swap is limited too.
            let memsw = dirs[0].join("memory.memsw.limit_in_bytes");
            if memsw.exists() {
                write(&memsw, &mem)?;
            }
            write(&dirs[1].join("pids.max"), &pids.to_string())?;
        }
        Ok(group)
    }

    /// The `cgroup.procs` files to join, for [`join_in_child`] (prepared before `fork`).
    pub fn procs_files(&self) -> Vec<CString> {
        self.procs.clone()
    }

    /// Did the kernel kill a process of this group for lack of memory?
    pub fn oom_killed(&self) -> bool {
        let file = if self.v2 {
            "memory.events"
        } else {
            "memory.oom_control"
        };
        let text = fs::read_to_string(self.dirs[0].join(file)).unwrap_or_default();
        let kills = text
            .lines()
            .find_map(|l| l.strip_prefix("oom_kill "))
            .and_then(|n| n.trim().parse::<u64>().ok())
            .unwrap_or(0);
        let failcnt = if self.v2 {
            0
        } else {
            fs::read_to_string(self.dirs[0].join("memory.failcnt"))
                .ok()
                .and_then(|s| s.trim().parse::<u64>().ok())
                .unwrap_or(0)
        };
        kills > 0 || (failcnt > 0 && !text.contains("oom_kill "))
    }

    fn pids(&self) -> Vec<libc::pid_t> {
        let mut all = Vec::new();
        for d in &self.dirs {
            if let Ok(text) = fs::read_to_string(d.join("cgroup.procs")) {
                all.extend(
                    text.lines()
                        .filter_map(|l| l.trim().parse::<libc::pid_t>().ok()),
                );
            }
        }
        all.sort_unstable();
        all.dedup();
        all
    }

    /// SIGKILLs every process of the group until none is left (a fork racing the kill is
    /// caught by the next round; `pids.max` bounds how many there can be).
    pub fn kill_all(&self) {
        if self.v2 {
            let _ = fs::write(self.dirs[0].join("cgroup.kill"), "1");
        }
        let start = Instant::now();
        loop {
            let pids = self.pids();
            if pids.is_empty() || start.elapsed() > Duration::from_secs(10) {
                break;
            }
            for pid in pids {
                // SAFETY: plain kill(2) of a process the kernel lists in our own group.
                unsafe { libc::kill(pid, libc::SIGKILL) };
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        self.kill_all();
        for d in &self.dirs {
            // A killed process leaves its group when it is reaped: retry briefly.
            for _ in 0..200 {
                if fs::remove_dir(d).is_ok() || !d.exists() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        }
    }
}

/// Between `fork` and `exec`: moves the calling process into the group (writes `0`, which
/// the kernel reads as "the writer", to each `cgroup.procs`). Only async-signal-safe calls.
///
/// # Safety
/// To be called in a `pre_exec` hook only.
pub unsafe fn join_in_child(procs: &[CString]) -> io::Result<()> {
    for p in procs {
        let fd = libc::open(p.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        let n = libc::write(fd, b"0".as_ptr().cast(), 1);
        let err = io::Error::last_os_error();
        libc::close(fd);
        if n != 1 {
            return Err(err);
        }
    }
    Ok(())
}
