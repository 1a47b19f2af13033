//! Runs untrusted programs (a submission's build, its checks) in a sandbox made by the kernel:
//!
//! - [`bwrap`]: namespaces through Debian's bubblewrap: the program sees only the files its
//!   [`Jail`] lists (read-only unless said), no network, no other process, an empty
//!   environment; every process it starts dies with it;
//! - [`cgroup`]: a control group per run, so memory and process-count limits hold for the
//!   whole tree of processes, and every process of the run is killed at the end;
//! - here: the wall-clock limit, `RLIMIT_AS` for checks (per process, on top of the group's
//!   limit: a huge allocation fails at once instead of being killed later), no core files, a file-size
//!   limit, death with the grader (`PR_SET_PDEATHSIG`), its own process group, stdout/stderr
//!   captured up to a cap while the rest is drained and counted, and optionally a pipe on
//!   fd 3 for results. Nothing the child does can make the grader block.
//!
//! When the kernel lacks a mechanism ([`Mechanisms::get`]), runs go on with what remains and
//! [`Mechanisms::warning`] says, in one French line, what is then not guaranteed.

pub mod bwrap;
pub mod cgroup;
pub mod policy;

pub use bwrap::Jail;

use std::ffi::OsString;
use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// What this kernel lets the grader use, found once per process.
#[derive(Clone, Debug)]
pub struct Mechanisms {
    /// Namespaces through bubblewrap, or why not.
    pub namespaces: Result<(), String>,
    /// Control groups with memory and pids limits, or why not.
    pub cgroups: Result<cgroup::Layout, String>,
}

impl Mechanisms {
    pub fn get() -> &'static Mechanisms {
        static M: OnceLock<Mechanisms> = OnceLock::new();
        M.get_or_init(|| {
            if std::env::var_os("APPRENTISSAGE_NO_SANDBOX").is_some() {
                let why = "désactivé par APPRENTISSAGE_NO_SANDBOX".to_string();
                return Mechanisms {
                    namespaces: Err(why.clone()),
                    cgroups: Err(why),
                };
            }
            Mechanisms {
                namespaces: bwrap::available(),
                cgroups: cgroup::detect(),
            }
        })
    }

    /// `None` when every guarantee holds; else one French line per missing mechanism saying
    /// what is then not guaranteed.
    pub fn warning(&self) -> Option<String> {
        let mut lines = Vec::new();
        if let Err(why) = &self.namespaces {
            lines.push(format!(
                "ATTENTION : pas de bac à sable ({why}) : le code corrigé tourne avec vos droits, peut lire et modifier vos fichiers, utiliser le réseau et laisser des processus derrière lui"
            ));
        }
        if let Err(why) = &self.cgroups {
            lines.push(format!(
                "ATTENTION : pas de cgroup ({why}) : les limites de mémoire valent par processus et non pour tout l'arbre, et le nombre de processus n'est pas limité"
            ));
        }
        (!lines.is_empty()).then(|| lines.join("\n"))
    }
}

/// The first `cap` bytes of a stream and how many bytes it had in all.
#[derive(Debug, Default)]
pub struct Captured {
    pub data: Vec<u8>,
    pub total: u64,
    cap: usize,
}

impl Captured {
    fn new(cap: usize) -> Captured {
        Captured {
            data: Vec::new(),
            total: 0,
            cap,
        }
    }

    fn push(&mut self, bytes: &[u8]) {
        self.total += bytes.len() as u64;
        let room = self.cap.saturating_sub(self.data.len());
        self.data.extend_from_slice(&bytes[..room.min(bytes.len())]);
    }

    pub fn truncated(&self) -> bool {
        self.total > self.data.len() as u64
    }
}

/// What a limited child did.
#[derive(Debug)]
pub struct Finished {
    pub exit_code: Option<i32>,
    pub signal: Option<i32>,
    pub timed_out: bool,
    pub elapsed: Duration,
    pub stdout: Captured,
    pub stderr: Captured,
    /// The last bytes written to fd 3 (when a result pipe was asked for).
    pub results: Vec<u8>,
    /// The kernel killed a process of the run for lack of memory (control group).
    pub oom_killed: bool,
}

/// Limits for one child.
#[derive(Clone, Debug, Default)]
pub struct Limits {
    pub timeout: Duration,
    /// For the whole tree (control group), and for each process (`RLIMIT_AS`) when
    /// `rlimit_as` is set or no control group holds the limit.
    pub memory_bytes: Option<u64>,
    /// Also cap each process's address space at `memory_bytes`, so that a huge allocation
    /// fails at once (checks). Builds leave it off: rustc hitting `RLIMIT_AS` aborts with its
    /// own message, while the group's limit kills it, which the build reads as exhaustion.
    pub rlimit_as: bool,
    /// Processes and threads of the whole tree (control group).
    pub pids: Option<u64>,
    pub file_size_bytes: Option<u64>,
    /// Written to the child's stdin, which is then closed.
    pub stdin: Vec<u8>,
    /// Open a pipe on the child's fd 3 and collect what it writes there.
    pub result_pipe: bool,
    /// Bytes of stdout and of stderr kept (the rest is read and counted).
    pub capture: usize,
}

const RESULTS_KEPT: usize = 256 * 1024;

/// 128 random bits as 32 hex digits, from the kernel's generator.
pub fn random_token() -> String {
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .expect("reading /dev/urandom");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// 64 random bits from the kernel's generator (a probe run's seed).
pub fn random_seed() -> u64 {
    u64::from_str_radix(&random_token()[..16], 16).expect("hex digits")
}

fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0 as RawFd; 2];
    // SAFETY: pipe2 fills two new descriptors that we then own.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: both descriptors are fresh and owned by nobody else.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

fn set_nonblocking(fd: RawFd) {
    // SAFETY: fcntl on a descriptor we own.
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK);
    }
}

/// Runs a trusted `cmd` (Jupyter, in replay) with a wall-clock limit.
pub fn run_command(cmd: Command, timeout: Duration, capture: usize) -> io::Result<Finished> {
    run(
        cmd,
        &Limits {
            timeout,
            capture,
            ..Limits::default()
        },
    )
}

/// Runs `program args…` inside `jail` under `limits`, with every mechanism the kernel offers
/// (see [`Mechanisms`]). Paths in the jail are the real paths, so that without namespaces the
/// same program runs with the same working directory and environment.
pub fn run_jailed(
    program: &Path,
    args: &[OsString],
    jail: &Jail,
    limits: &Limits,
) -> io::Result<Finished> {
    let m = Mechanisms::get();
    let cmd = if m.namespaces.is_ok() {
        jail.command(program, args)
    } else {
        let mut c = Command::new(program);
        c.args(args).env_clear().current_dir(&jail.cwd);
        for (k, v) in &jail.env {
            c.env(k, v);
        }
        c
    };
    let group = match (&m.cgroups, limits.memory_bytes) {
        (Ok(layout), Some(mem)) => Some(cgroup::Group::create(
            layout,
            mem,
            limits.pids.unwrap_or(256),
        )?),
        _ => None,
    };
    run_in(cmd, limits, group.as_ref())
}

/// Runs `cmd` under `limits`; always returns once the child is gone (or killed).
pub fn run(cmd: Command, limits: &Limits) -> io::Result<Finished> {
    run_in(cmd, limits, None)
}

fn run_in(
    mut cmd: Command,
    limits: &Limits,
    group: Option<&cgroup::Group>,
) -> io::Result<Finished> {
    let procs = group.map(|g| g.procs_files()).unwrap_or_default();
    let result_pipe = if limits.result_pipe {
        Some(pipe()?)
    } else {
        None
    };
    let child_result_fd = result_pipe.as_ref().map(|(_, w)| w.as_raw_fd());
    let memory = limits
        .memory_bytes
        .filter(|_| limits.rlimit_as || group.is_none());
    let fsize = limits.file_size_bytes;
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    // SAFETY: only async-signal-safe calls (dup2, fcntl, setrlimit, prctl) between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            cgroup::join_in_child(&procs)?;
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(io::Error::last_os_error());
            }
            let limit = |resource, bytes: u64| {
                let rl = libc::rlimit {
                    rlim_cur: bytes,
                    rlim_max: bytes,
                };
                if libc::setrlimit(resource, &rl) != 0 {
                    return Err(io::Error::last_os_error());
                }
                Ok(())
            };
            limit(libc::RLIMIT_CORE, 0)?;
            if let Some(bytes) = memory {
                limit(libc::RLIMIT_AS, bytes)?;
            }
            if let Some(bytes) = fsize {
                limit(libc::RLIMIT_FSIZE, bytes)?;
            }
            if let Some(fd) = child_result_fd {
                if fd == 3 {
                    libc::fcntl(3, libc::F_SETFD, 0);
                } else if libc::dup2(fd, 3) < 0 {
                    return Err(io::Error::last_os_error());
                }
            }
            Ok(())
        });
    }
    let start = Instant::now();
    let mut child = cmd.spawn()?;
    let pid = child.id() as libc::pid_t;
    let result_read = result_pipe.map(|(r, w)| {
        drop(w); // the child holds the only write end now
        r
    });
    if let Some(mut stdin) = child.stdin.take() {
        // Small (a token): fits in the pipe buffer, so this cannot block on a silent child.
        let _ = stdin.write_all(&limits.stdin);
    }
    let out = child.stdout.take().unwrap();
    let err = child.stderr.take().unwrap();
    let mut streams: Vec<(RawFd, usize)> = vec![(out.as_raw_fd(), 0), (err.as_raw_fd(), 1)];
    if let Some(r) = &result_read {
        streams.push((r.as_raw_fd(), 2));
    }
    for (fd, _) in &streams {
        set_nonblocking(*fd);
    }
    let mut stdout = Captured::new(limits.capture);
    let mut stderr = Captured::new(limits.capture);
    let mut results: Vec<u8> = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut timed_out = false;
    let mut open: Vec<bool> = vec![true; streams.len()];
    let mut drain = |open: &mut Vec<bool>,
                     stdout: &mut Captured,
                     stderr: &mut Captured,
                     results: &mut Vec<u8>| {
        for (i, (fd, which)) in streams.iter().enumerate() {
            while open[i] {
                // SAFETY: reading into our own buffer from a descriptor we own.
                let n = unsafe { libc::read(*fd, buf.as_mut_ptr().cast(), buf.len()) };
                if n > 0 {
                    let chunk = &buf[..n as usize];
                    match which {
                        0 => stdout.push(chunk),
                        1 => stderr.push(chunk),
                        _ => {
                            results.extend_from_slice(chunk);
                            if results.len() > RESULTS_KEPT {
                                results.drain(..results.len() - RESULTS_KEPT);
                            }
                        }
                    }
                } else if n == 0 {
                    open[i] = false;
                } else {
                    break; // EAGAIN (or an error): nothing more for now
                }
            }
        }
    };
    loop {
        let mut pfds: Vec<libc::pollfd> = streams
            .iter()
            .zip(&open)
            .filter(|(_, o)| **o)
            .map(|((fd, _), _)| libc::pollfd {
                fd: *fd,
                events: libc::POLLIN,
                revents: 0,
            })
            .collect();
        // SAFETY: pfds is a valid array of pollfd for its length.
        unsafe { libc::poll(pfds.as_mut_ptr(), pfds.len() as libc::nfds_t, 20) };
        drain(&mut open, &mut stdout, &mut stderr, &mut results);
        if exited(pid) {
            drain(&mut open, &mut stdout, &mut stderr, &mut results);
            break;
        }
        if start.elapsed() >= limits.timeout {
            timed_out = true;
            break;
        }
    }
    // The child is a zombie (exited) or still running (timeout): either way its pid, hence its
    // process group id, is still reserved, so this kills exactly its group.
    // SAFETY: plain kill(2).
    unsafe { libc::kill(-pid, libc::SIGKILL) };
    if let Some(g) = group {
        g.kill_all();
    }
    let status = child.wait()?;
    let elapsed = start.elapsed();
    let oom_killed = group.is_some_and(|g| g.oom_killed());
    Ok(Finished {
        exit_code: status.code(),
        signal: status.signal(),
        timed_out,
        elapsed,
        stdout,
        stderr,
        results,
        oom_killed,
    })
}

/// Has `pid` exited? Does not reap it (WNOWAIT), so its pid stays reserved.
fn exited(pid: libc::pid_t) -> bool {
    // SAFETY: waitid fills a zeroed siginfo_t we own.
    unsafe {
        let mut info: libc::siginfo_t = std::mem::zeroed();
        let r = libc::waitid(
            libc::P_PID,
            pid as libc::id_t,
            &mut info,
            libc::WEXITED | libc::WNOHANG | libc::WNOWAIT,
        );
        r == 0 && info.si_pid() != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> Command {
        let mut c = Command::new("sh");
        c.arg("-c").arg(script);
        c
    }

    #[test]
    fn timeout_kills_the_whole_group() {
        let limits = Limits {
            timeout: Duration::from_millis(300),
            capture: 100,
            ..Default::default()
        };
        let t = Instant::now();
        let f = run(sh("sleep 30 & sleep 30"), &limits).unwrap();
        assert!(f.timed_out);
        assert!(t.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn output_is_capped_but_counted_and_results_come_from_fd3() {
        let limits = Limits {
            timeout: Duration::from_secs(20),
            capture: 10,
            result_pipe: true,
            stdin: b"tok\n".to_vec(),
            ..Default::default()
        };
        let f = run(
            sh("head -c 1000000 /dev/zero; read t; echo \"r $t\" >&3; exit 4"),
            &limits,
        )
        .unwrap();
        assert_eq!(f.stdout.data.len(), 10);
        assert_eq!(f.stdout.total, 1_000_000);
        assert_eq!(f.exit_code, Some(4));
        assert_eq!(String::from_utf8_lossy(&f.results), "r tok\n");
    }

    #[test]
    fn a_background_writer_does_not_hold_the_grader() {
        let limits = Limits {
            timeout: Duration::from_secs(20),
            capture: 100,
            ..Default::default()
        };
        let t = Instant::now();
        let f = run(sh("(sleep 30; echo late) & echo early"), &limits).unwrap();
        assert!(!f.timed_out);
        assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
        assert_eq!(String::from_utf8_lossy(&f.stdout.data), "early\n");
    }
}
