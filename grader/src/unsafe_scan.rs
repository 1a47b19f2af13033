//! Refuses graded cells that could step outside safe Rust.
//!
//! The submission's library is built with `#![deny(unsafe_code)]`, not `forbid`: ndarray's
//! `s![…]` macro (in the course's prelude) expands to `#[allow(unsafe_code)] unsafe { … }`,
//! which `forbid` would turn into a compile error in every answer that slices an array.
//! `deny` lets that macro through, so the student's own text is checked here instead: as an
//! identifier (not in a comment or a literal), each word below refuses the exercise with a
//! French reason (`unsafe` blocks and functions, `#[allow(unsafe_code)]`, and the attributes
//! that place code or symbols where the harness would run or find them).

/// The words a graded cell may not contain outside comments and literals.
const FORBIDDEN: &[&str] = &[
    "unsafe",
    "unsafe_code",
    "no_mangle",
    "export_name",
    "link_section",
    "global_asm",
];

/// `Some(reason)` when `source` uses one of the forbidden words in its code. The source is
/// split into tokens by `proc-macro2`, Rust's own lexer as a library: comments disappear and
/// string or character literals are single tokens, so only real identifiers are compared. A
/// source that does not even lex is left to the compiler, which reports it.
pub fn forbidden_word(source: &str) -> Option<String> {
    let tokens: proc_macro2::TokenStream = source.parse().ok()?;
    let (word, line) = find_forbidden(tokens)?;
    Some(format!(
        "ligne {line} : `{word}` est interdit dans une cellule notée (le correcteur n'accepte que du Rust sûr) ; \
         les macros de la bibliothèque, comme `s![…]`, restent permises"
    ))
}

/// The first forbidden identifier and its line, looking inside every bracketed group.
fn find_forbidden(tokens: proc_macro2::TokenStream) -> Option<(String, usize)> {
    tokens.into_iter().find_map(|token| match token {
        proc_macro2::TokenTree::Ident(ident) => {
            let word = ident.to_string();
            FORBIDDEN
                .contains(&word.as_str())
                .then(|| (word, ident.span().start().line))
        }
        proc_macro2::TokenTree::Group(group) => find_forbidden(group.stream()),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_code_is_refused() {
        assert!(
            forbidden_word("fn f() { unsafe { std::hint::unreachable_unchecked() } }").is_some()
        );
        assert!(forbidden_word("#[allow(unsafe_code)]\nfn f() {}").is_some());
        assert!(forbidden_word("#[no_mangle]\npub extern \"C\" fn main() {}").is_some());
        assert!(forbidden_word("unsafe fn f() {}").is_some());
        let reason = forbidden_word("fn f() {}\n\nfn g() { unsafe {} }").unwrap();
        assert!(reason.starts_with("ligne 3 : `unsafe`"), "{reason}");
    }

    #[test]
    fn comments_literals_and_library_macros_are_not_refused() {
        assert!(forbidden_word("// unsafe here is a comment\nfn f() {}").is_none());
        assert!(forbidden_word("/* unsafe /* nested */ unsafe */ fn f() {}").is_none());
        assert!(forbidden_word("fn f() -> &'static str { \"unsafe \\\" unsafe\" }").is_none());
        assert!(forbidden_word("fn f() -> &'static str { r#\"unsafe \"quoted\"\"# }").is_none());
        assert!(forbidden_word("fn f<'a>(x: &'a str) -> char { let _ = x; 'u' }").is_none());
        assert!(forbidden_word("fn f() -> [char; 2] { ['\\'', '\\n'] } // unsafe").is_none());
        assert!(forbidden_word("fn f(a: &Tensor) -> Tensor { a.slice(s![.., 1..;2]) }").is_none());
        assert!(forbidden_word("fn not_unsafe_at_all() {}").is_none());
    }
}
