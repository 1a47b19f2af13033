//! A small Rust syntax highlighter for the feedback pages: comments, strings, characters,
//! numbers, keywords, macros, types and lifetimes, as `<span class="…">`, every other byte
//! escaped. Returns one HTML string per source line so that messages can sit between lines.

/// `&`, `<`, `>`, `"` and `'` as entities: safe inside elements and quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while",
];

fn tokens(src: &str) -> Vec<(&'static str, String)> {
    let chars: Vec<char> = src.chars().collect();
    let mut out: Vec<(&'static str, String)> = Vec::new();
    let mut i = 0;
    let take = |from: usize, to: usize| chars[from..to.min(chars.len())].iter().collect::<String>();
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let start = i;
        let class = if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
            "c"
        } else if c == '/' && next == Some('*') {
            i += 2;
            let mut depth = 1;
            while i < chars.len() && depth > 0 {
                if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                } else if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else {
                    i += 1;
                }
            }
            "c"
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            "s"
        } else if c == '\'' {
            // a character literal 'x', '\n', or a lifetime 'a
            let close = if next == Some('\\') {
                chars
                    .iter()
                    .skip(i + 3)
                    .take(10)
                    .position(|&d| d == '\'')
                    .map(|p| i + 3 + p)
            } else if chars.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            match close {
                Some(end) => {
                    i = end + 1;
                    "s"
                }
                None => {
                    i += 1;
                    while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                        i += 1;
                    }
                    "l"
                }
            }
        } else if c.is_ascii_digit() {
            while i < chars.len()
                && (chars[i].is_ascii_alphanumeric()
                    || chars[i] == '_'
                    || (chars[i] == '.' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit())))
            {
                i += 1;
            }
            "n"
        } else if c.is_alphabetic() || c == '_' {
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word = take(start, i);
            if chars.get(i) == Some(&'!') {
                i += 1;
                "m"
            } else if KEYWORDS.contains(&word.as_str()) {
                "k"
            } else if c.is_uppercase() {
                "t"
            } else {
                ""
            }
        } else {
            i += 1;
            ""
        };
        let i_end = i.min(chars.len());
        i = i_end;
        let text = take(start, i_end);
        match out.last_mut() {
            Some((last, t)) if class.is_empty() && last.is_empty() => t.push_str(&text),
            _ => out.push((class, text)),
        }
    }
    out
}

/// The highlighted HTML of each line of `src`.
pub fn lines(src: &str) -> Vec<String> {
    let mut lines = vec![String::new()];
    for (class, text) in tokens(src) {
        for (k, piece) in text.split('\n').enumerate() {
            if k > 0 {
                lines.push(String::new());
            }
            if piece.is_empty() {
                continue;
            }
            let line = lines.last_mut().expect("at least one line");
            if class.is_empty() {
                line.push_str(&escape(piece));
            } else {
                line.push_str(&format!("<span class=\"{class}\">{}</span>", escape(piece)));
            }
        }
    }
    if src.ends_with('\n') {
        lines.pop();
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_and_escapes() {
        let l = lines("fn f<'a>(x: &'a str) -> Vec<u8> { // <b>\n    println!(\"<script>\", '\\'', 1.5e3); }\n");
        assert_eq!(l.len(), 2);
        assert!(
            l[0].starts_with(
                "<span class=\"k\">fn</span> f&lt;<span class=\"l\">&#39;a</span>&gt;"
            ),
            "{}",
            l[0]
        );
        assert!(l[0].contains("<span class=\"t\">Vec</span>"));
        assert!(
            l[0].ends_with("<span class=\"c\">// &lt;b&gt;</span>"),
            "{}",
            l[0]
        );
        assert!(l[1].contains("<span class=\"m\">println!</span>"));
        assert!(l[1].contains("<span class=\"s\">&quot;&lt;script&gt;&quot;</span>"));
        assert!(
            l[1].contains("<span class=\"s\">&#39;\\&#39;&#39;</span>"),
            "{}",
            l[1]
        );
        assert!(l[1].contains("<span class=\"n\">1.5e3</span>"));
        assert!(!l.concat().contains("<script"));
    }

    #[test]
    fn an_unclosed_string_or_comment_stays_escaped() {
        for src in ["\"<img src=x onerror=alert(1)>", "/* <b>", "'\\"] {
            assert!(!lines(src).concat().contains('<') || lines(src).concat().contains("<span"));
            assert!(!lines(src).concat().contains("<img"));
            assert!(!lines(src).concat().contains("<b>"));
        }
    }
}
