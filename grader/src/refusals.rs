//! Refuses, before any build, graded cells that reach outside themselves or outside safe Rust.
//! The sandbox (src/sandbox/) is the real barrier; these refusals give the student a clear
//! French reason instead of a silent failure, and they fail closed: a cell that cannot even be
//! cut into Rust tokens is refused too.
//!
//! The source is split into tokens by `proc-macro2`, Rust's own lexer as a library: comments
//! disappear, string and character literals are single tokens, so only real code is looked
//! at, at every depth of brackets (macro bodies and macro arguments included). Raw identifiers
//! count as the plain word (`r#include_str` is `include_str`).
//!
//! Refused:
//! - `unsafe` in any form (blocks, functions, `#[unsafe(…)]`, `allow(unsafe_code)`) and the
//!   attributes that place code or symbols where the harness would run or find them
//!   (`no_mangle`, `export_name`, `link_section`, `#[link…]`), `extern` (blocks, crates,
//!   ABIs): these words are refused wherever they appear;
//! - the macros that read files or the environment at compile time or emit assembly
//!   (`include!`, `include_str!`, `include_bytes!`, `env!`, `option_env!`, `asm!`,
//!   `global_asm!`, `naked_asm!`) wherever their name can reach a macro call: before `!`
//!   (`std::env!` too), before `as` (`use std::env as e;`), and anywhere in a cell that
//!   defines a `macro_rules!` (which can turn an identifier argument into a call) except as a
//!   path prefix or after a dot. `let env = …`, `cmd.env(…)` and `std::env::args()` stay
//!   allowed;
//! - `#[path = …]` (also inside `cfg_attr`), `debugger_visualizer` anywhere, and out-of-line
//!   modules `mod x;` (only `mod x { … }` is allowed);
//! - inner attributes and `#!` lines, which would apply to the grader's generated module;
//! - the grader's own items in the generated project (`grader_checks`, `grader_cell_…`,
//!   `support`): `grader_*` names and every `crate::` or `super::` path (the only ways up to
//!   the project's root; a cell names its own items and earlier cells' directly).

use proc_macro2::{Delimiter, TokenStream, TokenTree};

/// Words refused wherever they appear as an identifier, with what they are: keywords and
/// attributes that have no other meaning.
const WORDS: &[(&str, &str)] = &[
    ("unsafe", "le code `unsafe`"),
    ("unsafe_code", "le code `unsafe`"),
    ("no_mangle", "l'attribut `no_mangle`"),
    ("export_name", "l'attribut `export_name`"),
    ("link_section", "l'attribut `link_section`"),
    ("extern", "`extern` (code ou bibliothèques extérieurs)"),
    (
        "debugger_visualizer",
        "l'attribut `#[debugger_visualizer]` (lecture d'un fichier à la compilation)",
    ),
    (
        "crate",
        "un chemin `crate::…` (il mène au code du correcteur ; nommez directement vos éléments)",
    ),
    (
        "super",
        "un chemin `super::…` (il mène au code du correcteur ; nommez directement vos éléments)",
    ),
];

/// Names of the standard macros that read files or the environment at compile time or emit
/// assembly. As ordinary identifiers they are harmless (`let env = …`, `.env(…)`); they are
/// refused where they can name a macro: before `!`, before `as` (a `use … as` alias) and, in a
/// cell that defines its own `macro_rules!` (which can turn an identifier argument into a
/// call), anywhere except as a path prefix (`env::args`) or after a dot (`cmd.env(…)`).
const MACROS: &[(&str, &str)] = &[
    ("asm", "l'assembleur `asm!`"),
    ("global_asm", "l'assembleur `global_asm!`"),
    ("naked_asm", "l'assembleur `naked_asm!`"),
    (
        "include",
        "`include!` (lecture d'un fichier à la compilation)",
    ),
    (
        "include_str",
        "`include_str!` (lecture d'un fichier à la compilation)",
    ),
    (
        "include_bytes",
        "`include_bytes!` (lecture d'un fichier à la compilation)",
    ),
    (
        "env",
        "`env!` (lecture de l'environnement à la compilation)",
    ),
    (
        "option_env",
        "`option_env!` (lecture de l'environnement à la compilation)",
    ),
];

/// Attributes refused on any item: `#[path]` reads a file at compile time (also inside
/// `cfg_attr`), `#[link…]` names native code.
const ATTRIBUTES: &[(&str, &str)] = &[("path", "l'attribut `#[path = …]`")];

/// `Some(French reason)` when the cell must not be compiled.
pub fn refusal(source: &str) -> Option<String> {
    let tokens: TokenStream = match source.parse() {
        Ok(t) => t,
        Err(e) => {
            let at = e.span().start();
            return Some(format!(
                "ligne {} : cette cellule n'est pas du Rust découpable en jetons ({e}) : \
                 vérifiez les guillemets, les accolades, les parenthèses et les crochets ; \
                 elle n'est pas compilée",
                at.line
            ));
        }
    };
    let strict = defines_macros(tokens.clone());
    let (what, line) = scan(tokens, strict)?;
    Some(format!(
        "ligne {line} : {what} est interdit dans une cellule notée (elle ne doit contenir que \
         du Rust sûr, sans lire de fichier ni l'environnement) ; les macros de la bibliothèque, \
         comme `s![…]`, restent permises"
    ))
}

fn word(t: &TokenTree) -> Option<String> {
    match t {
        TokenTree::Ident(i) => {
            let s = i.to_string();
            Some(s.strip_prefix("r#").map(str::to_string).unwrap_or(s))
        }
        _ => None,
    }
}

fn is_punct(t: Option<&TokenTree>, c: char) -> bool {
    matches!(t, Some(TokenTree::Punct(p)) if p.as_char() == c)
}

fn is_word(t: Option<&TokenTree>, w: &str) -> bool {
    t.and_then(word).is_some_and(|x| x == w)
}

/// Whether the cell defines a `macro_rules!` macro, at any depth.
fn defines_macros(tokens: TokenStream) -> bool {
    tokens.into_iter().any(|t| match &t {
        TokenTree::Group(g) => defines_macros(g.stream()),
        _ => word(&t).is_some_and(|w| w == "macro_rules"),
    })
}

/// Whether the macro-like word at `i` can name a macro there (see [`MACROS`]).
fn names_a_macro(toks: &[TokenTree], i: usize, strict: bool) -> bool {
    let next = toks.get(i + 1);
    if is_punct(next, '!') || is_word(next, "as") {
        return true;
    }
    let path_prefix = is_punct(next, ':') && is_punct(toks.get(i + 2), ':');
    let after_dot = i >= 1
        && matches!(&toks[i - 1], TokenTree::Punct(p) if p.as_char() == '.')
        && !(i >= 2 && is_punct(toks.get(i - 2), '.'));
    strict && !path_prefix && !after_dot
}

/// `path = …` somewhere in an attribute's tokens (`cfg_attr(…, path = "…")`).
fn assigns_path(tokens: TokenStream) -> bool {
    let toks: Vec<TokenTree> = tokens.into_iter().collect();
    toks.iter().enumerate().any(|(i, t)| match t {
        TokenTree::Group(g) => assigns_path(g.stream()),
        _ => is_word(Some(t), "path") && is_punct(toks.get(i + 1), '='),
    })
}

fn line(t: &TokenTree) -> usize {
    t.span().start().line
}

/// The first refused construct and its line, at every depth.
fn scan(tokens: TokenStream, strict: bool) -> Option<(String, usize)> {
    let toks: Vec<TokenTree> = tokens.into_iter().collect();
    for (i, t) in toks.iter().enumerate() {
        if let Some(w) = word(t) {
            if let Some((_, what)) = WORDS.iter().find(|(x, _)| *x == w) {
                return Some((what.to_string(), line(t)));
            }
            if w.starts_with("grader_")
                || (w == "support" && i >= 1 && is_punct(toks.get(i - 1), ':'))
            {
                return Some((
                    "le code du correcteur (`grader_…`, `crate::support`)".into(),
                    line(t),
                ));
            }
            if let Some((_, what)) = MACROS.iter().find(|(x, _)| *x == w) {
                if names_a_macro(&toks, i, strict) {
                    return Some((what.to_string(), line(t)));
                }
            }
            if w == "mod" {
                let braced = matches!(toks.get(i + 2), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace);
                if !(toks.get(i + 1).and_then(word).is_some() && braced) {
                    return Some((
                        "un module dans un autre fichier (`mod x;`) : écrivez `mod x { … }`".into(),
                        line(t),
                    ));
                }
            }
        }
        if is_punct(Some(t), '#') {
            if is_punct(toks.get(i + 1), '!') {
                return Some((
                    "un attribut interne ou une ligne `#!` (`#![…]`)".into(),
                    line(t),
                ));
            }
            if let Some(TokenTree::Group(g)) = toks.get(i + 1) {
                if g.delimiter() == Delimiter::Bracket {
                    let first = g.stream().into_iter().next();
                    if let Some(w) = first.as_ref().and_then(word) {
                        if let Some((_, what)) = ATTRIBUTES.iter().find(|(x, _)| *x == w) {
                            return Some((what.to_string(), line(t)));
                        }
                        if w == "cfg_attr" && assigns_path(g.stream()) {
                            return Some((ATTRIBUTES[0].1.to_string(), line(t)));
                        }
                        if w.starts_with("link") {
                            return Some((format!("l'attribut `#[{w}…]`"), line(t)));
                        }
                    }
                }
            }
        }
        if let TokenTree::Group(g) = t {
            if let Some(found) = scan(g.stream(), strict) {
                return Some(found);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(src: &str) -> bool {
        refusal(src).is_some()
    }

    #[test]
    fn unsafe_code_is_refused() {
        assert!(refused(
            "fn f() { unsafe { std::hint::unreachable_unchecked() } }"
        ));
        assert!(refused("#[allow(unsafe_code)]\nfn f() {}"));
        assert!(refused("#[no_mangle]\npub extern \"C\" fn main() {}"));
        assert!(refused("#[unsafe(no_mangle)]\npub fn main() {}"));
        assert!(refused("unsafe fn f() {}"));
        assert!(refused("fn f() { r#unsafe { } }"));
        let reason = refusal("fn f() {}\n\nfn g() { unsafe {} }").unwrap();
        assert!(reason.starts_with("ligne 3 : le code `unsafe`"), "{reason}");
    }

    #[test]
    fn reaching_outside_the_cell_is_refused_in_every_spelling() {
        for src in [
            "const S: &str = include_str!(\"/work/solutions/ch7.ipynb\");",
            "const S: &[u8] = include_bytes!(\"/dev/zero\");",
            "const S: &str = r#include_str!(\"x\");",
            "const S: &str = std::include_str!(\"x\");",
            "use std::include_str as lire;\nconst S: &str = lire!(\"x\");",
            "macro_rules! m { ($m:ident) => { $m!(\"x\") } }\nconst S: &str = m!(include_str);",
            "include!(\"/tmp/evil.rs\");",
            "const H: &str = env!(\"HOME\");",
            "const H: Option<&str> = option_env!(\"HOME\");",
            "macro_rules! m { ($m:ident) => { $m!(\"HOME\") } }\nconst H: &str = m!(env);",
            "#[path = \"/tmp/evil.rs\"]\nmod m;",
            "mod m;",
            "macro_rules! m { ($i:ident) => { mod $i; } }\nm!(x);",
            "#![allow(dead_code)]\nfn f() {}",
            "#!/bin/sh\nfn f() {}",
            "#[link(name = \"c\")]\nfn f() {}",
            "extern \"C\" { fn abs(x: i32) -> i32; }",
            "extern crate core as c;",
            "fn f() { std::arch::asm!(\"nop\") }",
            "std::arch::global_asm!(\"nop\");",
            "#[link_section = \".init_array\"]\nstatic F: fn() = g;",
            "const H: &str = std::env!(\"HOME\");",
            "use std::env as x;\nconst H: &str = x!(\"HOME\");",
            "use std::{include_bytes as b};\nconst B: &[u8] = b!(\"/dev/zero\");",
            "macro_rules! m { ($b:tt $x:ident) => { $x $b (\"HOME\") } }\nconst H: &str = m!(! env);",
            "#[debugger_visualizer(natvis_file = \"/work/solutions/ch7.ipynb\")]\nmod m {}",
            "#[doc = include_str!(\"/work/solutions/ch7.ipynb\")]\nfn f() {}",
            "fn f() { let _ = crate::grader_checks(); }",
            "fn f() { crate::support::emit(\"x\"); }",
            "use super::super::support as s;",
            "use crate::*;\nfn f() { support::emit(\"x\"); }",
            "use crate::{support as s};",
            "use super::*;",
            "#[cfg_attr(all(), debugger_visualizer(gdb_script_file = \"../checks.rs\"))]\nmod vis {}",
            "#[cfg_attr(all(), path = \"/tmp/x.rs\")]\nmod m {}",
            "macro_rules! v { () => { #[debugger_visualizer(gdb_script_file = \"x\")] mod m {} } }\nv!();",
        ] {
            assert!(refused(src), "not refused: {src}");
        }
    }

    #[test]
    fn a_cell_that_does_not_lex_is_refused() {
        let r = refusal("fn gradient_f(x0: f32, x1: f32) -> (f32, f32) { \"").unwrap();
        assert!(r.contains("jetons"), "{r}");
        assert!(refused("fn f() { ( }"));
    }

    #[test]
    fn ordinary_answers_are_not_refused() {
        for src in [
            "// unsafe here is a comment\nfn f() {}",
            "/* unsafe /* nested */ include_str! */ fn f() {}",
            "fn f() -> &'static str { \"unsafe \\\" env!(x)\" }",
            "fn f() -> &'static str { r#\"unsafe \"quoted\"\"# }",
            "fn f<'a>(x: &'a str) -> char { let _ = x; 'u' }",
            "fn f(a: &Tensor) -> Tensor { a.slice(s![.., 1..;2]) }",
            "fn not_unsafe_at_all() {}",
            "mod aide { pub fn f() {} }",
            "fn f() -> Vec<String> { std::env::args().collect() }",
            "use std::env;\nfn f() -> usize { env::args().count() }",
            "#[derive(Debug, Clone)]\nstruct S;",
            "fn f() { let path = 3; let _ = path; }",
            "fn f() -> i32 { let env = 1; let include = 2; env + include }",
            "fn f(asm: f32) -> f32 { asm * 2.0 }",
            "fn f() { let _ = std::process::Command::new(\"true\").env(\"A\", \"B\").status(); }",
            "fn f() -> &'static str { \"include_str!(x)\" }",
            "macro_rules! carre { ($x:expr) => { $x * $x } }\nfn f() -> Vec<String> { std::env::args().collect() }",
        ] {
            assert!(!refused(src), "refused: {src}: {:?}", refusal(src));
        }
    }
}
