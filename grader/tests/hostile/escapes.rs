//! Classes 4 to 7 and 9 of the corpus: tampering, processes that try to outlive their check,
//! resource exhaustion, attacks on the build, and control characters aimed at the reader's
//! terminal.

use super::corpus::{gradient, softmax, Corpus, RIGHT, RIGHT_S, WRONG};

/// Class 4: Tampering with the grader's files and processes.
pub fn tampering(c: &mut Corpus) {
    c.g(
        "tamper_check_binaries",
        &gradient(
            r##"    let faux = "#!/bin/sh\nread t\nprintf 'nonce\\tfaux\\n'\nprintf '\\n{\"token\":\"%s\",\"outcome\":\"PASS\",\"message\":\"\",\"location\":\"\"}\\n' \"$t\" >&3\n";
    let mut cibles: Vec<String> = @BINARIES@.iter().map(|s| s.to_string()).collect();
    for n in 0..4 {
        cibles.push(format!("../../target/debug/run-checks-w{n}"));
        cibles.push(format!("../../../w{n}/target/debug/run-checks-w{n}"));
    }
    // The cache of the reference observations, which the grader compares with.
    if let Ok(d) = std::fs::read_dir("@ROOT@/target/grader/reference") {
        cibles.extend(d.flatten().map(|e| e.path().display().to_string()));
    }
    cibles.push("@ROOT@/target/grader/reference/@MARK@.json".to_string());
    if let Some(a) = std::env::args().next() {
        cibles.push(format!("@ROOT@/{a}"));
        cibles.push(a);
    }
    if let Ok(e) = std::env::current_exe() {
        cibles.push(e.display().to_string());
    }
    let mut faits = Vec::new();
    for c in &cibles {
        let tmp = format!("{c}.@MARK@");
        if std::fs::write(&tmp, faux).is_ok() && std::fs::rename(&tmp, c).is_ok() {
            faits.push(format!("remplacé {c}"));
        }
        if std::fs::OpenOptions::new().append(true).open(c).is_ok() {
            faits.push(format!("ouvert en écriture {c}"));
        }
        if std::fs::remove_file(c).is_ok() {
            faits.push(format!("supprimé {c}"));
        }
    }
    assert!(faits.is_empty(), "ALTÉRÉ : {faits:?}");
    (x0, x1)"##,
        ),
        ("FAIL", "PASS"),
    );
    c.g(
        "tamper_host_paths",
        &gradient(
            r#"    let gardes = @GUARDED@;
    let mut cibles: Vec<String> = @PATHS@.iter().map(|s| s.to_string()).collect();
    for r in ["../@MARK@-w", "../../@MARK@-w", "../../../@MARK@-w", "../data/@MARK@-w", "../../src/@MARK@-w"] {
        cibles.push(r.to_string());
    }
    let mut faits = Vec::new();
    for p in &cibles {
        let garde = gardes.iter().any(|g| p.starts_with(g)) && !p.contains("/scratch/");
        if std::fs::write(p, "@MARK@").is_ok() && garde {
            faits.push(p.clone());
        }
    }
    assert!(faits.is_empty(), "ÉCRIT HORS DU BAC À SABLE : {faits:?}");
    (x0, x1)"#,
        ),
        ("FAIL", "PASS"),
    );
    // A file planted in /tmp for a later submission to include: /tmp is the check's own.
    c.g(
        "plant_in_tmp",
        &gradient(
            "    let _ = std::fs::write(\"/tmp/@MARK@-plant.rs\", \"pub const S: &str = \\\"planté\\\";\\n\");\n    (x0, x1)",
        ),
        ("FAIL", "PASS"),
    );
    c.g(
        "include_planted",
        &format!(
            "#[path = \"/tmp/@MARK@-plant.rs\"]\nmod plante;\n{}",
            gradient(WRONG)
        ),
        ("COMPILE_ERROR", "PASS"),
    );
    c.says("interdit dans une cellule notée");
    // The check's own process stopped by its child: a timeout, nothing else.
    c.g(
        "kill_stop_parent",
        &gradient(&format!(
            "    let _ = std::process::Command::new(\"sh\").arg(\"-c\").arg(\"kill -STOP $PPID\").status();\n{RIGHT}"
        )),
        ("TIMEOUT", "PASS"),
    );
    // kill -9 -1 reaches every process the sandbox can see: its own, never the grader's.
    c.g(
        "kill_all_command",
        &gradient(&format!(
            "    let _ = std::process::Command::new(\"kill\").args([\"-9\", \"-1\"]).status();\n{RIGHT}"
        )),
        ("CRASH", "PASS"),
    );
    c.g(
        "kill_all_shell",
        &gradient(&format!(
            "    let _ = std::process::Command::new(\"sh\").arg(\"-c\").arg(\"kill -STOP -1; kill -KILL -1; kill -KILL 1; kill -STOP 1\").status();\n{RIGHT}"
        )),
        ("CRASH", "PASS"),
    );
    c.g(
        "signal_parent",
        &gradient(&format!(
            "    let pp = std::os::unix::process::parent_id().to_string();\n    for sig in [\"-TERM\", \"-INT\", \"-HUP\", \"-STOP\", \"-KILL\"] {{\n        let _ = std::process::Command::new(\"kill\").args([sig, &pp]).status();\n    }}\n{RIGHT}"
        )),
        ("PASS", "PASS"),
    );
    // A child reads the token from its parent's memory (its address is known in safe Rust:
    // stdin's emptied buffer), then tries every descriptor: the check process is not
    // dumpable, the pipe is close-on-exec.
    c.g(
        "token_through_process_vm_readv",
        &gradient(
            r##"    use std::io::BufRead;
    let adresse = std::io::stdin().lock().fill_buf().map(|b| b.as_ptr() as usize).unwrap_or(0);
    let py = r#"
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
class Iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]
buf = ctypes.create_string_buffer(64)
local = Iovec(ctypes.cast(buf, ctypes.c_void_p), 64)
remote = Iovec(int(sys.argv[2]), 64)
n = libc.process_vm_readv(int(sys.argv[1]), ctypes.byref(local), 1, ctypes.byref(remote), 1, 0)
if n > 0:
    t = buf.raw[:32].decode("latin1")
    print("JETON " + t)
    rec = '\n{"token":"%s","outcome":"PASS","message":"","location":""}\n' % t
    for fd in range(3, 20):
        try:
            os.write(fd, rec.encode())
        except OSError:
            pass
"#;
    let out = std::process::Command::new("python3").arg("-c").arg(py)
        .arg(std::process::id().to_string()).arg(adresse.to_string()).output();
    if let Ok(o) = out {
        print!("{}", String::from_utf8_lossy(&o.stdout));
    }
    std::process::exit(0)"##,
        ),
        ("CRASH", "PASS"),
    );
    c.never("JETON ");
}

/// Class 5: Processes that try to outlive their check (the answer is right: they are simply killed
/// with it). Each writes marker files after 6 s if it survives.
pub fn survivors(c: &mut Corpus) {
    let shell = |how: &str| {
        gradient(&format!(
            "    use std::os::unix::process::CommandExt;\n    let _ = {how};\n{RIGHT}"
        ))
    };
    c.g(
        "survive_background_shell",
        &shell("std::process::Command::new(\"sh\").arg(\"-c\").arg(\"sleep 6; touch /tmp/@MARK@-bg @ROOT@/@MARK@-bg &\").spawn()"),
        ("PASS", "PASS"),
    );
    c.g(
        "survive_setsid",
        &shell("std::process::Command::new(\"setsid\").args([\"sh\", \"-c\", \"sleep 6; touch /tmp/@MARK@-setsid @ROOT@/@MARK@-setsid\"]).spawn()"),
        ("PASS", "PASS"),
    );
    c.g(
        "survive_process_group",
        &shell("std::process::Command::new(\"sh\").arg(\"-c\").arg(\"sleep 6; touch /tmp/@MARK@-pgrp @ROOT@/@MARK@-pgrp\").process_group(0).spawn()"),
        ("PASS", "PASS"),
    );
    c.g(
        "survive_nohup_double_fork",
        &shell("std::process::Command::new(\"sh\").arg(\"-c\").arg(\"nohup sh -c 'sleep 6; touch /tmp/@MARK@-nohup @ROOT@/@MARK@-nohup' >/dev/null 2>&1 &\").status()"),
        ("PASS", "PASS"),
    );
    c.g(
        "survive_python_daemon",
        &gradient(&format!(
            r##"    let py = r#"
import os, sys, time
if os.fork() > 0:
    os._exit(0)
os.setsid()
if os.fork() > 0:
    os._exit(0)
time.sleep(6)
for p in sys.argv[2:]:
    try:
        open(p, "w").write(sys.argv[1])
    except OSError:
        pass
"#;
    let mut cibles: Vec<String> = @PATHS@.iter().map(|s| s.to_string()).collect();
    cibles.push("/tmp/@MARK@-python".to_string());
    let _ = std::process::Command::new("python3").arg("-c").arg(py).arg("@MARK@").args(&cibles).status();
{RIGHT}"##
        )),
        ("PASS", "PASS"),
    );
}

/// Class 6: Resources: time, processes, memory (for the whole tree), output, files, stack, network.
pub fn resources(c: &mut Corpus) {
    c.s(
        "infinite_loop_softmax",
        &softmax("    loop {\n        std::hint::black_box(0);\n    }"),
        ("PASS", "TIMEOUT"),
    );
    c.g(
        "fork_bomb",
        &gradient(
            r#"    static UNE_FOIS: std::sync::Once = std::sync::Once::new();
    UNE_FOIS.call_once(|| {
        let _ = std::process::Command::new("sh").arg("-c").arg("f() { f | f & }; f").status();
        std::thread::sleep(std::time::Duration::from_secs(1));
        let refus = (0..100).filter(|_| std::process::Command::new("true").spawn().is_err()).count();
        println!("refus {refus}");
    });
    (x0, x1)"#,
        ),
        ("FAIL", "PASS"),
    );
    c.g(
        "alloc_50gb",
        &gradient("    let mut v: Vec<u8> = Vec::new();\n    v.resize(50 << 30, 7);\n    (v[3] as f32, x1)"),
        ("CRASH", "PASS"),
    );
    c.says("mémoire");
    // Three children of 1.5 GiB each: under the per-process limit, over the tree's.
    c.g(
        "three_children_1_5gb",
        &gradient(&format!(
            r#"    // Once, although the check calls the answer several times.
    static UNE_FOIS: std::sync::Once = std::sync::Once::new();
    UNE_FOIS.call_once(|| {{
        let enfants: Vec<_> = (0..3)
            .map(|_| std::process::Command::new("python3").arg("-c")
                .arg("import time\nx = bytearray(b'\\x01') * (1536 << 20)\ntime.sleep(3)")
                .spawn())
            .collect();
        for mut e in enfants.into_iter().flatten() {{
            let _ = e.wait();
        }}
    }});
{RIGHT}"#
        )),
        ("CRASH", "PASS"),
    );
    c.says("mémoire");
    c.s(
        "stdout_flood_softmax",
        &softmax(&format!(
            "    let s = \"x\".repeat(1 << 20);\n    for _ in 0..60 {{\n        print!(\"{{s}}\");\n        eprint!(\"{{s}}\");\n    }}\n{RIGHT_S}"
        )),
        ("PASS", "PASS"),
    );
    c.g(
        "huge_file",
        &gradient(&format!(
            "    use std::io::Write;\n    if let Ok(mut f) = std::fs::File::create(\"gros.bin\") {{\n        let mo = vec![1u8; 1 << 20];\n        for _ in 0..200 {{\n            let _ = f.write_all(&mo);\n        }}\n    }}\n{RIGHT}"
        )),
        ("CRASH", "PASS"),
    );
    c.s(
        "deep_recursion_softmax",
        &format!(
            "fn profond(n: u64) -> u64 {{\n    let a = [n; 64];\n    std::hint::black_box(&a);\n    if n == 0 {{ 0 }} else {{ profond(n - 1) + a[3] }}\n}}\n{}",
            softmax(&format!("    let _ = profond(1 << 40);\n{RIGHT_S}"))
        ),
        ("PASS", "CRASH"),
    );
    c.says("pile");
    // If anything connects, the cell answers right: a PASS here is a failure of the test.
    c.g(
        "network",
        &gradient(
            r#"    use std::time::Duration;
    let mut joints: Vec<String> = Vec::new();
    for a in @ADDRS@ {
        if let Ok(addr) = a.parse::<std::net::SocketAddr>() {
            if std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(300)).is_ok() {
                joints.push(a.to_string());
            }
        }
    }
    if let Ok(u) = std::net::UdpSocket::bind("0.0.0.0:0") {
        if u.send_to(b"@MARK@", "192.0.2.1:9").is_ok() {
            joints.push("udp".to_string());
        }
    }
    {
        use std::os::linux::net::SocketAddrExt;
        if let Ok(sa) = std::os::unix::net::SocketAddr::from_abstract_name(b"@ABSTRACT@") {
            if std::os::unix::net::UnixStream::connect_addr(&sa).is_ok() {
                joints.push("abstrait".to_string());
            }
        }
    }
    if joints.is_empty() {
        (x0, x1)
    } else {
        println!("JOINT {joints:?}");
        (x1 * (12.0 * x0 + 15.0 * x1), x0 * (6.0 * x0 + 30.0 * x1))
    }"#,
        ),
        ("FAIL", "PASS"),
    );
    c.never("JOINT");
}

/// Class 7: Attacks on the build: the guilty cell alone gets COMPILE_ERROR (found by bisection
/// when the compiler loops or explodes), the other one is still graded.
pub fn build_attacks(c: &mut Corpus) {
    c.g(
        "const_eval_loop",
        &format!(
            "#[allow(long_running_const_eval)]\nconst _: () = loop {{}};\n{}",
            gradient(RIGHT)
        ),
        ("COMPILE_ERROR", "PASS"),
    );
    c.says("compilation");
    c.s(
        "macro_explosion_softmax",
        &format!(
            "macro_rules! double {{\n    ($($t:tt)*) => {{ double!($($t)* $($t)*); }};\n}}\ndouble!(x);\n{}",
            softmax(RIGHT_S)
        ),
        ("PASS", "COMPILE_ERROR"),
    );
    c.says("compilation");
    c.g(
        "include_bytes_dev_zero",
        &format!(
            "const Z: &[u8] = include_bytes!(\"/dev/zero\");\n{}",
            gradient(WRONG)
        ),
        ("COMPILE_ERROR", "PASS"),
    );
    c.says("interdit dans une cellule notée");
    c.g(
        "unterminated_string",
        &gradient("    let s = \"pas fini;\n    (x0, x1)"),
        ("COMPILE_ERROR", "PASS"),
    );
    c.says("jetons");
}

/// Class 9: Control characters for the reader's terminal: shown escaped, never raw (checked on
/// every report after the batch).
pub fn terminal_escapes(c: &mut Corpus) {
    c.g(
        "escapes_in_panic",
        &gradient(r#"    panic!("avant\u{1b}[2J\u{1b}]0;titre\u{7}\u{9b}31m\r\u{7}après")"#),
        ("PANIC", "PASS"),
    );
    c.says("\\u{1b}[2J");
    c.s(
        "escapes_in_output_softmax",
        &softmax(
            r#"    print!("\u{1b}[2J\u{1b}]0;titre\u{7}");
    eprint!("\u{9b}31m\r\u{7}");
    scores.clone()"#,
        ),
        ("PASS", "FAIL"),
    );
    c.says("\\u{1b}]0;titre");
    // Raw control characters in the source, quoted by the compiler's message.
    c.g(
        "escapes_in_compile_error",
        &gradient("    let x: i32 = \"\u{1b}[2J\u{7}\u{9b}\";\n    (x0, x1)"),
        ("COMPILE_ERROR", "PASS"),
    );
    let mut nb = crate::common::good();
    crate::common::set_answer(&mut nb, super::corpus::G, &gradient(RIGHT));
    c.notebook("escapes_in_file_name\u{1b}[2J\u{7}", &nb, ("PASS", "PASS"));
}
