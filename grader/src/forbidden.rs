//! Each exercise must really be done: a graded cell's metadata may forbid library calls that
//! would do the exercise in one line (`"forbid": ["softmax", "log_softmax"]`), require calls the
//! exercise is about (`"require": ["backward"]`), and forbid arithmetic operators applied to
//! named tensors (`"forbid_ops_on": ["a", "b"]`, for an addition by broadcasting written by
//! hand). A cell breaking its rules is `REFUSED` (0 points) before any build, with a French
//! reason; its stub is compiled in its place, like any refused cell.
//!
//! The check is lexical, on `proc-macro2` tokens as in src/refusals.rs: comments and string
//! literals are not code, raw identifiers count as the plain word, and groups are scanned at
//! every depth (macro arguments included). A forbidden name is refused where it can reach the
//! library: as a method (`x.softmax(1)`), a path segment (`F::softmax`,
//! `apprentissage::functional::softmax`, `Tensor::softmax` as a value), a call (`softmax(…)`
//! after a glob import, unless the cell defines its own `fn softmax`), anywhere in a `use`
//! item (so `use … as s` aliases are refused), and anywhere at all when the name starts with a
//! capital (a type: `Conv2d`), when the cell defines a `macro_rules!` (which can paste an
//! identifier argument into a call) or when it has a glob import (`use …::*`, which brings the
//! library's functions in as bare names: `let f = softmax;`). Local names that merely contain
//! the word (`softmax_manuelle`) are other identifiers and stay allowed.

use proc_macro2::{Delimiter, TokenStream, TokenTree};

/// The rules of one graded cell, from its `metadata.grader`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rules {
    /// Library names the answer must not call.
    pub forbid: Vec<String>,
    /// Names the answer must call.
    pub require: Vec<String>,
    /// Names (tensor arguments) that must not be an operand of `+ - * /`; an operator followed
    /// by a reference (`x + &y`, an addition of tensors or arrays) is refused too.
    pub forbid_ops_on: Vec<String>,
    /// What the exercise asks, in French, after « cet exercice demande » (`d'écrire la
    /// softmax vous-même`).
    pub rule: Option<String>,
}

impl Rules {
    pub fn is_empty(&self) -> bool {
        self.forbid.is_empty() && self.require.is_empty() && self.forbid_ops_on.is_empty()
    }
}

/// `Some(French reason)` when `source` breaks `rules`. A source that does not lex is left to
/// src/refusals.rs, which refuses it with its own reason.
pub fn violation(source: &str, rules: &Rules) -> Option<String> {
    if rules.is_empty() {
        return None;
    }
    let tokens: TokenStream = source.parse().ok()?;
    let toks = flatten(tokens);
    // a macro can paste an identifier argument into a call, and a glob import brings the
    // library's functions in as bare names (`let f = softmax;`): then every occurrence counts
    let strict = toks.iter().enumerate().any(|(i, t)| {
        t.word.as_deref() == Some("macro_rules") || (t.punct == Some('*') && in_use_item(&toks, i))
    });
    let rule = rules
        .rule
        .as_deref()
        .unwrap_or("d'écrire ce calcul vous-même");
    let defined = |name: &str| {
        toks.windows(2)
            .any(|w| w[0].word.as_deref() == Some("fn") && w[1].word.as_deref() == Some(name))
    };
    for (i, t) in toks.iter().enumerate() {
        let Some(w) = t.word.as_deref() else { continue };
        if rules.forbid.iter().any(|f| f == w) && reaches_library(&toks, i, strict, defined(w)) {
            return Some(format!(
                "ligne {} : cet exercice demande {rule} : n'appelez pas `{w}`",
                t.line
            ));
        }
    }
    if let Some(line) = forbidden_operator(&toks, &rules.forbid_ops_on) {
        return Some(format!(
            "ligne {line} : cet exercice demande {rule} : pas d'opérateur `+ - * /` entre \
             tenseurs ou tableaux (ni sur {}), calculez chaque valeur avec des boucles",
            rules
                .forbid_ops_on
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    for name in &rules.require {
        let called = toks.iter().enumerate().any(|(i, t)| {
            t.word.as_deref() == Some(name.as_str())
                && toks
                    .get(i + 1)
                    .is_some_and(|n| n.open == Some(Delimiter::Parenthesis))
                && !(i >= 1 && toks[i - 1].word.as_deref() == Some("fn"))
        });
        if !called {
            return Some(format!(
                "cet exercice demande {rule} : appelez `{name}` dans cette cellule"
            ));
        }
    }
    None
}

/// One token of the cell, groups flattened into open and close markers so that neighbours
/// are easy to see (`x.softmax(1)` is `x . softmax ( 1 )`).
#[derive(Debug)]
struct Tok {
    word: Option<String>,
    punct: Option<char>,
    /// `(`, `[` or `{` opening here.
    open: Option<Delimiter>,
    close: bool,
    line: usize,
}

fn flatten(tokens: TokenStream) -> Vec<Tok> {
    let mut out = Vec::new();
    flatten_into(tokens, &mut out);
    out
}

fn flatten_into(tokens: TokenStream, out: &mut Vec<Tok>) {
    for t in tokens {
        let line = t.span().start().line;
        let mut tok = Tok {
            word: None,
            punct: None,
            open: None,
            close: false,
            line,
        };
        match t {
            TokenTree::Ident(i) => {
                let s = i.to_string();
                tok.word = Some(s.strip_prefix("r#").map(str::to_string).unwrap_or(s));
                out.push(tok);
            }
            TokenTree::Punct(p) => {
                tok.punct = Some(p.as_char());
                out.push(tok);
            }
            TokenTree::Literal(_) => out.push(tok),
            TokenTree::Group(g) => {
                tok.open = Some(g.delimiter());
                out.push(tok);
                flatten_into(g.stream(), out);
                out.push(Tok {
                    word: None,
                    punct: None,
                    open: None,
                    close: true,
                    line: g.span_close().start().line,
                });
            }
        }
    }
}

fn punct(toks: &[Tok], i: usize, c: char) -> bool {
    toks.get(i).is_some_and(|t| t.punct == Some(c))
}

/// Whether `toks[i..]` starts with `::`.
fn colons(toks: &[Tok], i: usize) -> bool {
    punct(toks, i, ':') && punct(toks, i + 1, ':')
}

/// Whether the forbidden name at `i` can reach the library (see the module's documentation).
fn reaches_library(toks: &[Tok], i: usize, strict: bool, defined_here: bool) -> bool {
    let word = toks[i].word.as_deref().unwrap_or("");
    if strict || word.starts_with(char::is_uppercase) || in_use_item(toks, i) {
        return true;
    }
    let after_dot = i >= 1 && punct(toks, i - 1, '.') && !(i >= 2 && punct(toks, i - 2, '.'));
    let after_path = i >= 2 && colons(toks, i - 2);
    let before_path = colons(toks, i + 1) || punct(toks, i + 1, '!');
    let defining = i >= 1 && toks[i - 1].word.as_deref() == Some("fn");
    let called = toks
        .get(i + 1)
        .is_some_and(|t| t.open == Some(Delimiter::Parenthesis));
    after_dot || after_path || before_path || (called && !defining && !defined_here)
}

/// Whether the token at `i` is inside a `use` item (`use a::{b as c};`).
fn in_use_item(toks: &[Tok], i: usize) -> bool {
    let mut depth = 0usize;
    for t in toks[..i].iter().rev() {
        if t.close {
            depth += 1;
        } else if t.open.is_some() {
            if depth == 0 {
                continue; // still inside `use a::{…}` or an enclosing block
            }
            depth -= 1;
        } else if depth == 0 {
            if t.punct == Some(';') {
                return false;
            }
            if t.word.as_deref() == Some("use") {
                return true;
            }
        }
    }
    false
}

/// The line of the first binary `+ - * /` with one of `names` as an operand, or followed by a
/// reference (`x + &y`).
fn forbidden_operator(toks: &[Tok], names: &[String]) -> Option<usize> {
    if names.is_empty() {
        return None;
    }
    let is_name = |j: usize| {
        toks.get(j)
            .and_then(|t| t.word.as_deref())
            .is_some_and(|w| names.iter().any(|n| n == w))
    };
    for (i, t) in toks.iter().enumerate() {
        let Some(op) = t.punct else { continue };
        if !matches!(op, '+' | '-' | '*' | '/') || i == 0 {
            continue;
        }
        // compound operators (`+=`, `->`, `*=`) and a unary operator are not binary arithmetic
        if punct(toks, i + 1, '=') || punct(toks, i + 1, '>') {
            continue;
        }
        let prev = &toks[i - 1];
        let binary =
            prev.word.is_some() || prev.close || (prev.punct.is_none() && prev.open.is_none());
        if !binary
            || prev
                .word
                .as_deref()
                .is_some_and(|w| matches!(w, "return" | "in" | "let" | "mut"))
        {
            continue;
        }
        // the left operand is a name itself (not `x.a`, `x::a`)
        let left =
            is_name(i - 1) && !(i >= 2 && (punct(toks, i - 2, '.') || punct(toks, i - 2, ':')));
        // the right operand is a name itself (`a + b`, `a + *b`), not `b.len()`, `b[0]`, `b::x`
        let mut j = i + 1;
        while punct(toks, j, '*') {
            j += 1;
        }
        let right = is_name(j)
            && !punct(toks, j + 1, '.')
            && !punct(toks, j + 1, ':')
            && toks.get(j + 1).is_none_or(|t| t.open.is_none());
        let reference = punct(toks, i + 1, '&');
        if left || right || reference {
            return Some(t.line);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(forbid: &[&str], require: &[&str]) -> Rules {
        Rules {
            forbid: forbid.iter().map(|s| s.to_string()).collect(),
            require: require.iter().map(|s| s.to_string()).collect(),
            forbid_ops_on: Vec::new(),
            rule: Some("d'écrire la softmax vous-même".into()),
        }
    }

    fn softmax_rules() -> Rules {
        rules(&["softmax", "log_softmax", "Softmax"], &[])
    }

    #[test]
    fn every_spelling_of_a_forbidden_call_is_refused() {
        for src in [
            "fn f(x: &Tensor) -> Tensor { x.softmax(1) }",
            "fn f(x: &Tensor) -> Tensor { x.r#softmax(1) }",
            "fn f(x: &Tensor) -> Tensor { F::softmax(x, 1) }",
            "fn f(x: &Tensor) -> Tensor { apprentissage::functional::softmax(x, 1) }",
            "fn f(x: &Tensor) -> Tensor { ::apprentissage::functional::softmax(x, 1) }",
            "fn f(x: &Tensor) -> Tensor { Tensor::softmax(x, 1) }",
            "fn f(x: &Tensor) -> Tensor { <Tensor>::softmax(x, 1) }",
            "fn f(x: &Tensor) -> Tensor { let g = F::softmax; g(x, 1) }",
            "fn f(x: &Tensor) -> Tensor { x.log_softmax(1).exp() }",
            "use apprentissage::functional::softmax as s;\nfn f(x: &Tensor) -> Tensor { s(x, 1) }",
            "use apprentissage::functional::{relu, softmax as s};\nfn f(x: &Tensor) -> Tensor { s(x, 1) }",
            "use apprentissage::functional::*;\nfn f(x: &Tensor) -> Tensor { softmax(x, 1) }",
            "fn f(x: &Tensor) -> Tensor { use F::softmax as s; s(x, 1) }",
            "fn f(x: &Tensor) -> Tensor { let v = vec![x.softmax(1)]; v[0].clone() }",
            "fn f(x: &Tensor) -> Tensor { println!(\"{}\", x.softmax(1)); x.clone() }",
            "fn f(x: &Tensor) -> Tensor { Softmax::new(1).forward(x) }",
            "fn f(x: &Tensor) -> Tensor { let m: Softmax = Default::default(); m.forward(x) }",
            "macro_rules! appel { ($x:expr, $m:ident) => { $x.$m(1) } }\nfn f(x: &Tensor) -> Tensor { appel!(x, softmax) }",
            "fn f(x: &Tensor) -> Tensor { x\n    .softmax(1) }",
            "use apprentissage::functional::*;\nfn f(x: &Tensor) -> Tensor { let g = softmax; g(x, 1) }",
            "fn f(x: &Tensor) -> Tensor { use apprentissage::functional::{*}; let g = softmax; g(x, 1) }",
            "fn f(xs: &[Tensor]) -> Vec<Tensor> { xs.iter().map(|x| x.softmax(1)).collect() }",
        ] {
            let why = violation(src, &softmax_rules());
            assert!(
                why.as_deref().is_some_and(|w| w.contains("n'appelez pas `")),
                "not refused: {src}: {why:?}"
            );
        }
    }

    #[test]
    fn the_reason_names_the_call_and_its_line() {
        assert_eq!(
            violation(
                "fn f(x: &Tensor) -> Tensor {\n    x.softmax(1)\n}",
                &softmax_rules()
            )
            .unwrap(),
            "ligne 2 : cet exercice demande d'écrire la softmax vous-même : n'appelez pas `softmax`"
        );
    }

    #[test]
    fn what_is_not_a_library_call_stays_allowed() {
        for src in [
            "// x.softmax(1) would be too easy\nfn f(x: &Tensor) -> Tensor { x.exp() }",
            "/* F::softmax */ fn f(x: &Tensor) -> Tensor { x.exp() }",
            "fn f(x: &Tensor) -> Tensor { let _ = \"x.softmax(1)\"; x.exp() }",
            "fn f(x: &Tensor) -> Tensor { let softmax_manuelle = x.exp(); let s = softmax_manuelle.sum_dim(1, true); &softmax_manuelle / &s }",
            "fn f(x: &Tensor) -> Tensor { let softmax = x.exp(); let s = softmax.sum_dim(1, true); &softmax / &s }",
            "fn softmax(x: &Tensor) -> Tensor { let e = x.exp(); &e / &e.sum_dim(1, true) }\nfn f(x: &Tensor) -> Tensor { softmax(x) }",
            "fn ma_softmax(x: &Tensor) -> Tensor { let e = x.exp(); &e / &e.sum_dim(1, true) }",
            "fn f(x: &Tensor) -> Tensor { x.exp() }",
        ] {
            assert_eq!(violation(src, &softmax_rules()), None, "refused: {src}");
        }
    }

    #[test]
    fn a_required_call_must_be_made() {
        let r = Rules {
            rule: Some("d'utiliser l'autograd".into()),
            ..rules(&[], &["backward"])
        };
        let by_hand = "fn g(x0: f32, x1: f32) -> (f32, f32) { (2.0 * x0, x1) }";
        assert_eq!(
            violation(by_hand, &r).unwrap(),
            "cet exercice demande d'utiliser l'autograd : appelez `backward` dans cette cellule"
        );
        for src in [
            "fn g(x0: f32) -> f32 { /* f.backward() */ x0 }",
            "fn g(x0: f32) -> f32 { let _ = \"f.backward()\"; x0 }",
            "fn g(x0: f32) -> f32 { let backward = x0; backward }",
            "fn backward() {}\nfn g(x0: f32) -> f32 { x0 }",
        ] {
            assert!(violation(src, &r).is_some(), "accepted: {src}");
        }
        for src in [
            "fn g(x0: f32) -> f32 { let a = Tensor::scalar(x0).requires_grad_(); let f = &a * &a; f.backward(); a.grad().unwrap().item() }",
            "fn g(x0: f32) -> f32 { let a = Tensor::scalar(x0).requires_grad_(); (&a * &a).r#backward(); a.grad().unwrap().item() }",
        ] {
            assert_eq!(violation(src, &r), None, "refused: {src}");
        }
    }

    #[test]
    fn operators_on_named_tensors_are_refused() {
        let r = Rules {
            forbid_ops_on: vec!["a".into(), "b".into()],
            ..rules(&["add"], &[])
        };
        for src in [
            "fn h(a: &Tensor, b: &Tensor) -> Tensor { a + b }",
            "fn h(a: &Tensor, b: &Tensor) -> Tensor { a - &(-b) }",
            "fn h(a: &Tensor, b: &Tensor) -> Tensor { a.clone() + b }",
            "fn h(a: &Tensor, b: &Tensor) -> Tensor { a + &b.clone() }",
            "fn h(a: &Tensor, b: &Tensor) -> Tensor { let x = a.to_array(); let y = b.to_array(); Tensor::from_array(&x + &y) }",
            "fn h(a: &Tensor, b: &Tensor) -> Tensor { a.add(b) }",
            "fn h(a: &Tensor, b: &Tensor) -> Tensor { vec![a * b][0].clone() }",
        ] {
            assert!(violation(src, &r).is_some(), "accepted: {src}");
        }
        for src in [
            "fn h(a: &[usize], b: &[usize]) -> usize { let n = a.len().max(b.len()); n - a.len() + b[0] * 2 }",
            "fn h(a: &Tensor) -> Vec<f32> { let v = a.to_vec(); v.iter().map(|x| x + 1.0).collect() }",
            "fn h(x: &Tensor) -> f32 { let (va, vb) = (1.0, 2.0); va + vb - 1.0 }",
            "fn h(a: &Tensor, i: usize) -> usize { let s = a.shape(); i * s[0] + 3 - -1 }",
            "fn h(a: &Tensor) -> f32 { -1.0 * 2.0 }",
        ] {
            assert_eq!(violation(src, &r), None, "refused: {src}");
        }
    }

    #[test]
    fn cells_without_rules_are_never_refused() {
        assert_eq!(
            violation(
                "fn f(x: &Tensor) -> Tensor { x.softmax(1) }",
                &Rules::default()
            ),
            None
        );
    }
}
