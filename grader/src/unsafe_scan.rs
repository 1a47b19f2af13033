//! Refuses graded cells that could step outside safe Rust.
//!
//! The submission's library is built with `#![deny(unsafe_code)]`, not `forbid`: ndarray's
//! `s![…]` macro (in the course's prelude) expands to `#[allow(unsafe_code)] unsafe { … }`,
//! which `forbid` would turn into a compile error in every answer that slices an array.
//! `deny` lets that macro through, so the student's own text is checked here instead: outside
//! comments and string or character literals, the words below refuse the exercise with a
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

/// `Some(reason)` when `source` uses one of the forbidden words in its code.
pub fn forbidden_word(source: &str) -> Option<String> {
    let code = strip_comments_and_literals(source);
    for (n, line) in code.lines().enumerate() {
        let words = line.split(|c: char| !(c.is_alphanumeric() || c == '_'));
        if let Some(word) = words.into_iter().find(|w| FORBIDDEN.contains(w)) {
            return Some(format!(
                "ligne {} : `{word}` est interdit dans une cellule notée (le correcteur n'accepte que du Rust sûr) ; \
                 les macros de la bibliothèque, comme `s![…]`, restent permises",
                n + 1
            ));
        }
    }
    None
}

/// `source` with comments, string literals and character literals replaced by spaces
/// (line breaks kept, so line numbers stay right). Lifetimes (`'a`) are left alone.
fn strip_comments_and_literals(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            // block comments nest in Rust
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
        } else if c == 'r' && matches!(next, Some('"') | Some('#')) && !ident_before(&chars, i) {
            // raw string r"…", r#"…"#: ends at a quote followed by as many #
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            while j < chars.len() {
                if chars[j] == '"' && (1..=hashes).all(|k| chars.get(j + k) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            for &ch in &chars[i..j.min(chars.len())] {
                out.push(blank(ch));
            }
            i = j;
        } else if c == '"' {
            let mut j = i + 1;
            while j < chars.len() && chars[j] != '"' {
                j += if chars[j] == '\\' { 2 } else { 1 };
            }
            for &ch in &chars[i..(j + 1).min(chars.len())] {
                out.push(blank(ch));
            }
            i = j + 1;
        } else if c == '\'' {
            // a character literal ('x', '\n', '\u{…}') — or a lifetime, kept as it is
            let end = if next == Some('\\') {
                chars
                    .get(i + 3..)
                    .and_then(|rest| rest.iter().position(|&ch| ch == '\''))
                    .map(|p| i + 3 + p)
            } else if chars.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            match end {
                Some(end) => {
                    out.extend(std::iter::repeat_n(' ', end + 1 - i));
                    i = end + 1;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// Whether the character before `i` continues an identifier (`for r in…` vs `bar"`).
fn ident_before(chars: &[char], i: usize) -> bool {
    i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_')
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
