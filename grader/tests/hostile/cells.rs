//! Classes 1 to 3 of the corpus: forged result records, reading the reference (at compile
//! time: refused; at run time: nothing there), and answers that merely look suspicious.

use super::corpus::{gradient, softmax, Corpus, RIGHT, WRONG};

const REFUSED: &str = "interdit dans une cellule notée";

/// Class 1: Forged records: never a PASS without the harness's own record.
pub fn forgeries(c: &mut Corpus) {
    c.g(
        "forge_stdout",
        &gradient(
            r#"    for t in ["0".repeat(32), "f".repeat(32), "@MARK@".to_string()] {
        let rec = format!("\n{{\"token\":\"{t}\",\"outcome\":\"PASS\",\"message\":\"\",\"location\":\"\"}}\n");
        print!("{rec}");
        eprint!("{rec}");
    }
    println!("nonce\tforge");
    (x0, x1)"#,
        ),
        ("FAIL", "PASS"),
    );
    // fd 3 is closed in the check process and the result pipe is close-on-exec: a child
    // writing a record with a guessed token to every descriptor reaches nothing; then the
    // process exits before the harness can write anything.
    c.g(
        "forge_fd_guessed_token",
        &gradient(
            r#"    use std::io::Write;
    let rec = format!("{{\"token\":\"{}\",\"outcome\":\"PASS\",\"message\":\"\",\"location\":\"\"}}", "0".repeat(32));
    let script = "for fd in 3 4 5 6 7 8 9; do printf '\\n%s\\n' \"$1\" >&$fd 2>/dev/null; done";
    let _ = std::process::Command::new("sh").arg("-c").arg(script).arg("sh").arg(&rec).status();
    for p in ["/proc/self/fd/3", "/dev/fd/3", "/proc/self/fd/4", "/dev/fd/4"] {
        if let Ok(mut f) = std::fs::OpenOptions::new().append(true).open(p) {
            let _ = writeln!(f, "\n{rec}");
        }
    }
    std::process::exit(0)"#,
        ),
        ("CRASH", "PASS"),
    );
    c.s(
        "exit_early_softmax",
        &softmax("    std::process::exit(0)"),
        ("PASS", "CRASH"),
    );
    c.g(
        "panic_hook_replaced_exit",
        &gradient(
            r#"    std::panic::set_hook(Box::new(|_| {
        println!("{{\"token\":\"{}\",\"outcome\":\"PASS\"}}", "0".repeat(32));
        std::process::exit(0);
    }));
    panic!("crochet remplacé")"#,
        ),
        ("CRASH", "PASS"),
    );
    c.g(
        "panic_hook_silenced",
        &gradient("    std::panic::set_hook(Box::new(|_| {}));\n    panic!(\"muet\")"),
        ("PANIC", "PASS"),
    );
    // A thread-local's destructor runs when the check's thread ends, before the harness
    // writes its record: the right answer is returned, then the process exits.
    c.g(
        "exit_in_drop",
        &format!(
            "struct Sortie;\nimpl Drop for Sortie {{\n    fn drop(&mut self) {{\n        std::process::exit(0);\n    }}\n}}\nthread_local! {{\n    static SORTIE: Sortie = const {{ Sortie }};\n}}\n{}",
            gradient(&format!("    SORTIE.with(|_| {{}});\n{RIGHT}"))
        ),
        ("CRASH", "PASS"),
    );
    // The harness's own module reached through a glob import of the crate root: the wrong
    // answer emits the reference's observations and an `end ok`, then points the sink at
    // /dev/null so that the probe's real observations vanish. Must be refused (it gives a
    // full PASS to a wrong answer when it is not).
    c.g(
        "forged_observations_via_super_glob",
        r#"use super::*;
fn gradient_f(x0: f32, x1: f32) -> (f32, f32) {
    static UNE_FOIS: std::sync::Once = std::sync::Once::new();
    UNE_FOIS.call_once(|| {
        let _ = support::close("∂f/∂x0 en (2, 1), l'exemple du cours", 39.0, 39.0, 1e-3);
        let _ = support::close("∂f/∂x1 en (2, 1), l'exemple du cours", 84.0, 84.0, 1e-3);
        for (a, b) in [(0.5f32, -1.0f32), (-3.0, 2.0), (1.5, 0.25)] {
            let w = (12.0 * a * b + 15.0 * b * b, 6.0 * a * a + 30.0 * a * b);
            let _ = support::close(&format!("∂f/∂x0 en ({a}, {b})"), w.0, w.0, 1e-3);
            let _ = support::close(&format!("∂f/∂x1 en ({a}, {b})"), w.1, w.1, 1e-3);
        }
        support::emit("\"kind\":\"end\",\"status\":\"ok\",\"message\":\"\",\"location\":\"\"");
        if let Ok(f) = std::fs::File::create("/dev/null") {
            support::start(f, String::new(), 0);
        }
    });
    (0.0 * x0, 0.0 * x1)
}
"#,
        ("COMPILE_ERROR", "PASS"),
    );
    c.says(REFUSED);
    // Code before main: refused (no `link_section`, in any spelling).
    c.g(
        "init_array",
        &format!(
            "#[used]\n#[link_section = \".init_array\"]\nstatic AVANT_MAIN: extern \"C\" fn() = avant_main;\nextern \"C\" fn avant_main() {{\n    std::process::exit(0);\n}}\n{}",
            gradient(WRONG)
        ),
        ("COMPILE_ERROR", "PASS"),
    );
    c.says(REFUSED);
    c.g(
        "init_array_cfg_attr",
        &format!(
            "#[used]\n#[cfg_attr(all(), unsafe(link_section = \".init_array\"))]\nstatic AVANT_MAIN: fn() = avant_main;\nfn avant_main() {{\n    std::process::exit(0);\n}}\n{}",
            gradient(WRONG)
        ),
        ("COMPILE_ERROR", "PASS"),
    );
    c.says(REFUSED);
}

/// Class 2a: Reaching outside the cell at compile time (files, the environment, the harness's
/// module): refused before the build, in every spelling.
pub fn compile_time_reads(c: &mut Corpus) {
    let reads: [(&str, &str); 16] = [
        (
            "include_concat_manifest_dir",
            "const S: &str = include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/../../../../solutions/demo.ipynb\"));",
        ),
        (
            "include_raw_identifier",
            "const S: &str = r#include_str!(\"@ROOT@/solutions/demo.ipynb\");",
        ),
        (
            "include_macro_indirection",
            "macro_rules! lire {\n    () => { include_str!(\"../checks.rs\") };\n}\nconst S: &str = lire!();",
        ),
        (
            "include_ident_through_macro",
            "macro_rules! appelle {\n    ($m:ident) => { $m!(\"../checks.rs\") };\n}\nconst S: &str = appelle!(include_str);",
        ),
        ("std_env_macro", "const S: &str = std::env!(\"HOME\");"),
        (
            "env_renamed_by_use",
            "use std::env as x;\nconst S: &str = x!(\"HOME\");",
        ),
        (
            "include_bytes_renamed_in_braces",
            "use std::{include_bytes as b};\nconst S: &[u8] = b!(\"../checks.rs\");",
        ),
        (
            "path_attribute",
            "#[path = \"@ROOT@/grader/checks/demo.rs\"]\nmod verif;",
        ),
        ("mod_out_of_line", "mod checks;"),
        (
            "doc_include",
            "#[doc = include_str!(\"../checks.rs\")]\nfn documente() {}",
        ),
        (
            "debugger_visualizer",
            "#[debugger_visualizer(gdb_script_file = \"../checks.rs\")]\nmod vis {}",
        ),
        // Spellings that reach the same attribute without naming it after `#[`.
        (
            "debugger_visualizer_in_cfg_attr",
            "#[cfg_attr(all(), debugger_visualizer(gdb_script_file = \"../checks.rs\"))]\nmod vis {}",
        ),
        (
            "debugger_visualizer_from_macro",
            "macro_rules! attr {\n    ($a:ident) => {\n        #[$a(gdb_script_file = \"../checks.rs\")]\n        mod vis {}\n    };\n}\nattr!(debugger_visualizer);",
        ),
        // The harness's own module (`support::emit` writes observations with the token).
        (
            "support_by_path",
            "fn f() {\n    crate::support::emit(\"\\\"kind\\\":\\\"bool\\\",\\\"value\\\":true\");\n}",
        ),
        (
            "support_through_glob_import",
            "use crate::*;\nfn f() {\n    support::emit(\"\\\"kind\\\":\\\"bool\\\",\\\"value\\\":true\");\n}",
        ),
        (
            "support_renamed_in_braces",
            "use crate::{support as s};\nfn f() {\n    s::emit(\"\\\"kind\\\":\\\"bool\\\",\\\"value\\\":true\");\n}",
        ),
    ];
    for (name, item) in reads {
        c.g(
            name,
            &format!("{item}\n{}", gradient(WRONG)),
            ("COMPILE_ERROR", "PASS"),
        );
        c.says(REFUSED);
    }
}

/// Class 2b: Reading the reference, the checks, other slots, the grader's environment at run time:
/// none of it is in the sandbox. Whatever is read is printed (the answer is wrong, so the
/// output is in the report, where the leak checks look).
pub fn run_time_reads(c: &mut Corpus) {
    c.g(
        "reads_files",
        &gradient(
            r#"    let mut cibles: Vec<String> = [
        "@ROOT@/solutions/demo.ipynb", "@ROOT@/grader/checks/demo.rs", "@ROOT@/notebooks/demo.ipynb",
        "../solutions/demo.ipynb", "../../solutions/demo.ipynb", "../../../../../solutions/demo.ipynb",
        "../data/../solutions/demo.ipynb", "../data/../../../../../solutions/demo.ipynb",
        "../../src/checks.rs", "../../src/cells/c1.rs", "../../src/cells/c2.rs",
        "/proc/self/environ", "/proc/self/mem", "/proc/self/maps", "/proc/1/environ", "/proc/1/cmdline",
        "/proc/self/cmdline", "/dev/fd/0", "@HOME@/.bash_history",
    ].iter().map(|s| s.to_string()).collect();
    for n in 0..4 {
        for f in ["src/checks.rs", "src/cells/c1.rs", "src/cells/c2.rs", "src/lib.rs"] {
            cibles.push(format!("@ROOT@/target/grader/slots/w{n}/{f}"));
            cibles.push(format!("../../../w{n}/{f}"));
        }
    }
    for p in &cibles {
        if let Ok(b) = std::fs::read(p) {
            println!("LU {p} : {}", String::from_utf8_lossy(&b[..b.len().min(3000)]));
        }
    }
    // Only the directories leading to the check binary itself (the mount's skeleton) may show.
    let moi = std::env::args().next().unwrap_or_default();
    for d in ["@ROOT@", "@ROOT@/solutions", "@ROOT@/target/grader/slots", "@ROOT@/target/grader/base", "@ROOT@/target/grader/reference", "@HOME@", "/proc"] {
        if let Ok(entries) = std::fs::read_dir(d) {
            for e in entries.flatten() {
                if !moi.starts_with(&e.path().display().to_string()) {
                    println!("VU {}", e.path().display());
                }
            }
        }
    }
    (x0, x1)"#,
        ),
        ("FAIL", "PASS"),
    );
    c.never("LU ");
    c.never("VU ");
    c.g(
        "reads_environment",
        &gradient(
            r#"    for (k, v) in std::env::vars() {
        println!("ENV {k}={v}");
    }
    for a in std::env::args() {
        println!("ARG {a}");
    }
    (x0, x1)"#,
        ),
        ("FAIL", "PASS"),
    );
    c.says("ENV PATH=");
    c.never("-secret");
    c.never("CARGO_");
    c.g(
        "reads_with_a_shell",
        &gradient(
            r#"    let out = std::process::Command::new("sh").arg("-c")
        .arg("find / -name 'demo.*' 2>/dev/null | head -n 20; cat @ROOT@/solutions/demo.ipynb @ROOT@/grader/checks/demo.rs ../../src/checks.rs 2>/dev/null | head -c 4000")
        .output();
    if let Ok(o) = out {
        println!("{}", String::from_utf8_lossy(&o.stdout));
    }
    (x0, x1)"#,
        ),
        ("FAIL", "PASS"),
    );
    c.never("/solutions/demo.ipynb\n");
    c.never("/checks/demo.rs\n");
}

/// Class 3: Ordinary answers that only look like the refused constructs: they must pass.
pub fn false_positives(c: &mut Corpus) {
    c.g(
        "fp_let_env_include",
        &gradient(&format!(
            "    let env = 1;\n    let include = 2;\n    let path = env + include;\n    let _ = path;\n{RIGHT}"
        )),
        ("PASS", "PASS"),
    );
    c.g(
        "fp_command_env",
        &gradient(&format!(
            "    let _ = std::process::Command::new(\"true\").env(\"A\", \"B\").env_remove(\"C\").status();\n    let _ = std::env::var(\"HOME\");\n{RIGHT}"
        )),
        ("PASS", "PASS"),
    );
    c.s(
        "fp_asm_variable",
        &softmax("    let asm = scores.softmax(1);\n    asm"),
        ("PASS", "PASS"),
    );
    c.g(
        "fp_strings_and_comments",
        &gradient(&format!(
            "    // include!(\"x\"); unsafe {{ asm!(\"nop\") }} env!(\"HOME\")\n    let s = \"include_str!(\\\"/etc/passwd\\\") env!(\\\"HOME\\\") #[path = \\\"x\\\"] mod m;\";\n    let _ = s;\n{RIGHT}"
        )),
        ("PASS", "PASS"),
    );
    c.g(
        "fp_macro_rules_and_env_path",
        &format!(
            "macro_rules! carre {{\n    ($x:expr) => {{ $x * $x }};\n}}\n{}",
            gradient(
                "    let _n = std::env::args().count();\n    (x1 * (12.0 * x0 + 15.0 * x1), 6.0 * carre!(x0) + 30.0 * x0 * x1)"
            )
        ),
        ("PASS", "PASS"),
    );
    c.s(
        "fp_softmax_by_hand_named_like_macros",
        &softmax(
            "    let include_bytes = scores.clone();\n    let option_env = include_bytes.softmax(1);\n    option_env",
        ),
        ("PASS", "PASS"),
    );
}

/// The in-process theft (rustc issue #25860, cve-rs's lifetime expansion): safe Rust that
/// reads the token in stdin's emptied buffer, writes a PASS record on every descriptor, and
/// exits before the harness writes its own. Only moving the verdict out of the student's
/// process (issue 15) defeats it.
pub const TOKEN_THEFT: &str = r#"const UNITE: &&() = &&();
fn allonge<'a, 'b, T: ?Sized>(_a: &'a &'b (), b: &'b mut T) -> &'a mut T {
    b
}
fn etend<'a, 'b, T: ?Sized>(x: &'a mut T) -> &'b mut T {
    let f: for<'x> fn(_, &'x mut T) -> &'b mut T = allonge;
    f(UNITE, x)
}
enum Boite<A, B> {
    A(Option<Box<A>>),
    B(Option<Box<B>>),
}
fn change<A, B>(objet: A) -> B {
    let mut d: Boite<A, B> = Boite::B(None);
    let r = match &mut d {
        Boite::B(r) => etend(r),
        Boite::A(_) => unreachable!(),
    };
    d = Boite::A(Some(Box::new(objet)));
    let _ = &d;
    *r.take().unwrap()
}
fn gradient_f(x0: f32, x1: f32) -> (f32, f32) {
    use std::io::{BufRead, Write};
    let p = std::io::stdin().lock().fill_buf().map(|b| b.as_ptr() as usize).unwrap_or(0);
    let jeton: &'static [u8] = change::<[usize; 2], &'static [u8]>([p, 32]);
    let jeton = String::from_utf8_lossy(jeton).into_owned();
    let rec = format!("\n{{\"token\":\"{jeton}\",\"outcome\":\"PASS\",\"message\":\"\",\"location\":\"\"}}\n{{\"token\":\"{jeton}\",\"kind\":\"end\",\"status\":\"ok\",\"message\":\"\",\"location\":\"\"}}\n");
    for fd in 3..16 {
        let mut f: std::fs::File = change::<i32, std::fs::File>(fd);
        let _ = f.write_all(rec.as_bytes());
        std::mem::forget(f);
    }
    let _ = (x0, x1);
    std::process::exit(0)
}
"#;
