//! The check runner compiled into each submission's project (a separate crate from the
//! answers, so nothing here can be named from a student's cell). The grader starts it once
//! per check:
//!
//!   run-checks --list          prints the build nonce, then `id<TAB>timeout<TAB>memory` lines
//!   run-checks --run <id>      runs one check
//!
//! With `--run`, the per-run token arrives on stdin (the grader writes it and closes the
//! pipe): it is read before any student code runs, so student code only ever sees an empty
//! stdin and cannot learn it from the environment, the arguments or /proc. The result record,
//! carrying the token, goes to file descriptor 3, never to stdout/stderr.

use std::io::{Read, Write};
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
    let mut token = String::new();
    let _ = std::io::stdin().lock().take(256).read_to_string(&mut token);
    let token = token.trim().to_string();
    if token.len() < 16 {
        eprintln!("run-checks: no token on stdin");
        std::process::exit(3);
    }
    // SAFETY: the grader opens fd 3 (the result pipe) for this process; nothing else uses it.
    let inherited = unsafe { std::fs::File::from_raw_fd(3) };
    // A copy marked close-on-exec (std duplicates with F_DUPFD_CLOEXEC), then fd 3 closed:
    // no process started by student code inherits the result pipe.
    let Ok(mut results) = inherited.try_clone() else {
        eprintln!("run-checks: no result pipe on fd 3");
        std::process::exit(3);
    };
    drop(inherited);
    let Some(check) = submission::grader_checks().iter().find(|c| c.id == id) else {
        write_record(
            &mut results,
            &token,
            "CRASH",
            &format!("no check named {id}"),
            "",
        );
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
            *slot = Some((message, location));
        }
        previous(info);
    }));
    let f = check.run;
    let outcome = std::thread::Builder::new()
        .name("check".into())
        .stack_size(64 << 20)
        .spawn(f)
        .map(|h| h.join());
    let (status, message) = match outcome {
        Ok(Ok(Ok(()))) => ("PASS", String::new()),
        Ok(Ok(Err(message))) => ("FAIL", message),
        Ok(Err(_)) => ("PANIC", String::new()),
        Err(e) => ("CRASH", format!("cannot start the check thread: {e}")),
    };
    let (message, location) = if status == "PANIC" {
        PANIC
            .lock()
            .ok()
            .and_then(|mut p| p.take())
            .unwrap_or_default()
    } else {
        (message, String::new())
    };
    write_record(&mut results, &token, status, &message, &location);
    std::process::exit(0);
}

fn write_record(
    out: &mut std::fs::File,
    token: &str,
    outcome: &str,
    message: &str,
    location: &str,
) {
    let line = format!(
        "\n{{\"token\":\"{token}\",\"outcome\":\"{outcome}\",\"message\":{},\"location\":{}}}\n",
        json_string(message),
        json_string(location)
    );
    let _ = out.write_all(line.as_bytes());
    let _ = out.flush();
}

fn json_string(s: &str) -> String {
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
