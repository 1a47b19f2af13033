//! Reads rustc's JSON diagnostics of a submission build: which graded cell an error belongs
//! to, and a short rendering with the cell's own line numbers for the student.

use crate::project::CellSource;
use serde_json::Value;

pub enum Blame {
    Cell(usize),
    Unknown,
}

/// Every span of a diagnostic, primary first, with the macro call sites they expand from.
fn spans(d: &Value) -> Vec<&Value> {
    let mut all: Vec<&Value> = Vec::new();
    let list = d["spans"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    let (primary, other): (Vec<&Value>, Vec<&Value>) =
        list.iter().partition(|s| s["is_primary"] == true);
    for s in primary.into_iter().chain(other) {
        let mut cur = Some(s);
        while let Some(span) = cur {
            all.push(span);
            cur = span
                .get("expansion")
                .and_then(|e| e.get("span"))
                .filter(|v| v.is_object());
        }
    }
    all
}

/// The cell a build error belongs to: its file, or for an error inside the checks, the cell
/// whose check function contains it.
pub fn blame(d: &Value, files: &[String], checks: &str, cells: &[CellSource]) -> Blame {
    for s in spans(d) {
        let Some(file) = s["file_name"].as_str() else {
            continue;
        };
        if let Some(k) = files.iter().position(|f| f == file) {
            return Blame::Cell(k);
        }
        if file == "src/checks.rs" {
            let line = s["line_start"].as_u64().unwrap_or(0) as usize;
            if let Some(id) = check_id_at_line(checks, line) {
                if let Some(k) = cells.iter().position(|c| c.id == id) {
                    return Blame::Cell(k);
                }
            }
        }
    }
    Blame::Unknown
}

/// The check id whose function (registered as `Check::new("id", function)`) contains `line`.
pub fn check_id_at_line(checks: &str, line: usize) -> Option<String> {
    let mut current: Option<&str> = None;
    for (n, l) in checks.lines().enumerate() {
        if n + 1 > line {
            break;
        }
        let t = l.trim_start_matches("pub ").trim_start();
        if !l.starts_with(' ') {
            current = t.strip_prefix("fn ").map(|r| {
                r.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .next()
                    .unwrap_or("")
            });
        }
    }
    let function = current?;
    let mut rest = checks;
    while let Some(i) = rest.find("Check::new(") {
        rest = &rest[i + "Check::new(".len()..];
        let mut parts = rest.splitn(2, ',');
        let id = parts.next()?.trim().trim_matches('"');
        let f = parts.next()?.trim_start();
        let f = f
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .next()
            .unwrap_or("");
        if f == function {
            return Some(id.to_string());
        }
    }
    None
}

/// A compact rendering: the message, then each span in the student's cell with its line,
/// column, source line and label; a span in the tests gets only its label (never their
/// source or line).
pub fn render(d: &Value, files: &[String], k: usize) -> String {
    let code = d["code"]["code"]
        .as_str()
        .map(|c| format!("[{c}]"))
        .unwrap_or_default();
    let mut out = format!("erreur{code} : {}\n", d["message"].as_str().unwrap_or("?"));
    let mut shown = 0;
    for s in spans(d) {
        if shown == 3 {
            break;
        }
        let file = s["file_name"].as_str().unwrap_or("");
        let place = if files.get(k).is_some_and(|f| f == file) {
            "dans cette cellule"
        } else if file == "src/checks.rs" {
            "dans les tests, là où ils appellent votre code"
        } else if let Some(other) = files.iter().position(|f| f == file) {
            out += &format!("  (voir la cellule notée n° {})\n", other + 1);
            continue;
        } else {
            continue;
        };
        if file == "src/checks.rs" {
            // The checks' source (their call lines hold the hidden inputs) never reaches a
            // report: only where it is and the compiler's label.
            let label = s["label"].as_str().unwrap_or("");
            out += &format!(
                "  --> {place}{}\n",
                if label.is_empty() {
                    String::new()
                } else {
                    format!(" : {label}")
                }
            );
            shown += 1;
            continue;
        }
        let line = s["line_start"].as_u64().unwrap_or(0);
        let col = s["column_start"].as_u64().unwrap_or(0);
        out += &format!("  --> {place}, ligne {line}, colonne {col}\n");
        if let Some(text) = s["text"].as_array().and_then(|t| t.first()) {
            let src = text["text"].as_str().unwrap_or("");
            let (a, b) = (
                text["highlight_start"].as_u64().unwrap_or(1) as usize,
                text["highlight_end"].as_u64().unwrap_or(1) as usize,
            );
            out += &format!("   | {src}\n");
            let marks = "^".repeat(b.saturating_sub(a).max(1));
            let label = s["label"].as_str().unwrap_or("");
            out += &format!("   | {}{marks} {label}\n", " ".repeat(a.saturating_sub(1)));
        }
        shown += 1;
    }
    for child in d["children"].as_array().map(Vec::as_slice).unwrap_or(&[]) {
        if let Some(m) = child["message"].as_str() {
            out += &format!("   = {} : {m}\n", child["level"].as_str().unwrap_or("note"));
        }
    }
    if out.len() > 3000 {
        let mut cut = 3000;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        out += "…\n";
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_in_checks_are_blamed_on_the_check_function() {
        let checks = "pub const CHECKS: &[Check] = &[\n    Check::new(\"a-1\", first),\n    Check::new(\"b-2\", second).timeout_secs(3),\n];\n\nfn first() -> R {\n    x\n}\n\nfn second() -> R {\n    y\n}\n";
        assert_eq!(check_id_at_line(checks, 7).as_deref(), Some("a-1"));
        assert_eq!(check_id_at_line(checks, 11).as_deref(), Some("b-2"));
        assert_eq!(check_id_at_line(checks, 2), None);
    }
}
