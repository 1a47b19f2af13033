//! The check runner compiled into each submission's project (a separate crate from the
//! answers, so nothing here can be named from a student's cell). The grader starts it once
//! per check:
//!
//!   run-checks --list          prints the build nonce, then `id<TAB>timeout<TAB>memory` lines
//!   run-checks --run <id>      runs one check
//!
//! With `--run`, the per-run token and the run's seed arrive on stdin (the grader writes them
//! and closes the pipe): they are read before any student code runs, so student code only
//! ever sees an empty stdin. The probe's observations and its end record, each carrying the
//! token, go to the result pipe (fd 3), never to stdout/stderr; the grader compares them with
//! the reference run's (grader/template/support.rs).

use std::io::Read;
use std::os::fd::FromRawFd;
use std::sync::Mutex;

static PANIC: Mutex<Option<(String, String)>> = Mutex::new(None);

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match (args.get(1).map(String::as_str), args.get(2)) {
        (Some("--list"), None) => {
            println!("nonce\t{}", submission::NONCE);
            for c in submission::grader_checks() {
                println!("{}\t{}\t{}", c.id, c.timeout_secs, c.memory_mib);
            }
        }
        (Some("--run"), Some(id)) => run(id),
        _ => {
            eprintln!("usage: run-checks --list | --run <check id>");
            std::process::exit(2);
        }
    }
}

fn run(id: &str) {
    let mut line = String::new();
    let _ = std::io::stdin().lock().take(256).read_to_string(&mut line);
    let mut words = line.split_whitespace();
    let token = words.next().unwrap_or("").to_string();
    let seed: u64 = words.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    if token.len() < 16 {
        eprintln!("run-checks: no token on stdin");
        std::process::exit(3);
    }
    // SAFETY: the grader opens fd 3 (the result pipe) for this process; nothing else uses it.
    let inherited = unsafe { std::fs::File::from_raw_fd(3) };
    // A copy marked close-on-exec (std duplicates with F_DUPFD_CLOEXEC), then fd 3 closed:
    // no process started by student code inherits the result pipe.
    let Ok(results) = inherited.try_clone() else {
        eprintln!("run-checks: no result pipe on fd 3");
        std::process::exit(3);
    };
    drop(inherited);
    submission::support::start(results, token, seed);
    let Some(check) = submission::grader_checks().iter().find(|c| c.id == id) else {
        end("crash", &format!("no check named {id}"), "");
        std::process::exit(0);
    };
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = if let Some(s) = info.payload().downcast_ref::<&str>() {
            s.to_string()
        } else if let Some(s) = info.payload().downcast_ref::<String>() {
            s.clone()
        } else {
            "(panic sans message)".to_string()
        };
        let location = info
            .location()
            .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
            .unwrap_or_default();
        if let Ok(mut slot) = PANIC.lock() {
            slot.get_or_insert((message, location));
        }
        previous(info);
    }));
    let f = check.run;
    let outcome = std::thread::Builder::new()
        .name("check".into())
        .stack_size(64 << 20)
        .spawn(f)
        .map(|h| h.join());
    match outcome {
        Ok(Ok(Ok(()))) => end("ok", "", ""),
        Ok(Ok(Err(message))) => end("err", &message, ""),
        Ok(Err(_)) => {
            let (message, location) = PANIC
                .lock()
                .ok()
                .and_then(|mut p| p.take())
                .unwrap_or_else(|| ("(panique sans message lisible)".into(), String::new()));
            end("panic", &message, &location)
        }
        Err(e) => end("crash", &format!("cannot start the check thread: {e}"), ""),
    }
    std::process::exit(0);
}

/// The probe's last record: how it ended.
fn end(status: &str, message: &str, location: &str) {
    use submission::support::json_string;
    submission::support::emit(&format!(
        "\"kind\":\"end\",\"status\":\"{status}\",\"message\":{},\"location\":{}",
        json_string(message),
        json_string(location)
    ));
}
