//! Neutralises what a submission could print to draw on the reader's terminal: every text
//! that comes from a student (file names, panic messages, stdout and stderr, compiler
//! messages quoting the cell) goes through [`text`] before it reaches a report.
//!
//! Line feeds and tabs stay. Every other control character (C0, DEL, the C1 range with
//! CSI `U+009B`) and the invisible characters that reorder or hide text (bidirectional
//! overrides and isolates, zero-width characters) become a visible `\u{…}` escape, so an
//! ANSI sequence such as `ESC [2J` is shown as `\u{1b}[2J` and clears nothing.
//!
//! ```text
//! text("a\u{1b}[31mb\r\n") == "a\\u{1b}[31mb\\u{d}\n"
//! ```

/// Whether `c` must not reach a terminal as is.
fn hidden(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// `s` with every hidden character written as a visible `\u{hex}` escape.
pub fn text(s: &str) -> String {
    if !s.chars().any(hidden) {
        return s.to_string();
    }
    s.chars()
        .map(|c| {
            if hidden(c) {
                format!("\\u{{{:x}}}", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_cannot_reach_the_terminal() {
        assert_eq!(text("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(text("\u{1b}]0;titre\u{7}"), "\\u{1b}]0;titre\\u{7}");
        assert_eq!(text("x\u{9b}31m"), "x\\u{9b}31m");
        assert_eq!(text("ok\r"), "ok\\u{d}");
        assert_eq!(text("abc\u{202E}fed"), "abc\\u{202e}fed");
        assert_eq!(text("\u{7f}"), "\\u{7f}");
    }

    #[test]
    fn ordinary_text_is_kept() {
        let s = "attendu 0,5\n\tobtenu « 0,7 » é ∂ 😀";
        assert_eq!(text(s), s);
    }
}
