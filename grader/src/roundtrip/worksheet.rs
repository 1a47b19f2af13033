//! The grading worksheet that Moodle's offline grading imports (« Upload grading worksheet »).
//!
//! Moodle writes it from the grading table in download mode (mod/assign/gradingtable.php):
//! `Identifier` (`Participant <id>`, the string `hiddenuser` followed by the assignment's
//! unique id), `Full name`, the identity fields, `Status`, `Grade`, `Maximum Grade`, `Grade can
//! be changed`, `Last modified (submission)`, `Last modified (grade)`, then one column per
//! feedback editor field (`Feedback comments`). The importer
//! (mod/assign/feedback/offline/importgradeslib.php) finds the columns by their header, refuses a
//! file without `Identifier`, `Grade` and `Last modified (grade)`, strips the `Participant `
//! prefix to get the id, reads the grade with `unformat_float` (a `.` is accepted in every
//! language, a `,` only where it is the decimal separator, so the grade is written with a
//! `.`), and skips a row whose `Last modified (grade)` (read by `strtotime`) is more than 60 s
//! older than the grade already in Moodle (mod/assign/feedback/offline/locallib.php).
//!
//! With `--worksheet`, the exported file is the template: every row and column is kept as is;
//! only `Grade` and `Feedback comments` are filled for the participants graded (the latter
//! column is added when the export has none).

use super::{fr, Entry};

pub const IDENTIFIER: &str = "Identifier";
pub const FULL_NAME: &str = "Full name";
pub const GRADE: &str = "Grade";
pub const MODIFIED_GRADE: &str = "Last modified (grade)";
pub const FEEDBACK: &str = "Feedback comments";
/// Moodle's `hiddenuser` string (English): the Identifier's prefix.
pub const PARTICIPANT: &str = "Participant ";

/// The columns of a fresh worksheet, as Moodle's export names them (English).
pub const COLUMNS: [&str; 9] = [
    IDENTIFIER,
    FULL_NAME,
    "Status",
    GRADE,
    "Maximum Grade",
    "Grade can be changed",
    "Last modified (submission)",
    MODIFIED_GRADE,
    FEEDBACK,
];

/// One participant's line of the worksheet.
pub struct Line {
    pub moodle_id: u64,
    pub name: String,
    pub grade: f64,
    pub max: f64,
    pub comment: String,
}

/// A table of text cells.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub bom: bool,
    pub rows: Vec<Vec<String>>,
}

/// Parses CSV (RFC 4180: `,`, quotes doubled inside quoted fields, line breaks inside quotes).
pub fn parse(text: &str) -> Table {
    let bom = text.starts_with('\u{feff}');
    let text = text.trim_start_matches('\u{feff}');
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        any = true;
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
                any = false;
            }
            (false, c) => field.push(c),
        }
    }
    if any {
        row.push(field);
        rows.push(row);
    }
    Table { bom, rows }
}

fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) || s.starts_with(' ') || s.ends_with(' ') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Writes CSV with `\n` line ends (and the byte-order mark if the template had one).
pub fn write(table: &Table) -> String {
    let mut out = String::new();
    if table.bom {
        out.push('\u{feff}');
    }
    for row in &table.rows {
        out += &row.iter().map(|f| field(f)).collect::<Vec<_>>().join(",");
        out.push('\n');
    }
    out
}

/// The grade as the importer reads it: a `.` decimal point, at most two decimals.
pub fn grade_text(g: f64) -> String {
    let s = format!("{g:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A fresh worksheet for `lines`; `now` goes into `Last modified (grade)`.
pub fn fresh(lines: &[Line], now: &str) -> Table {
    let mut rows = vec![COLUMNS.iter().map(|c| c.to_string()).collect::<Vec<_>>()];
    for l in lines {
        rows.push(vec![
            format!("{PARTICIPANT}{}", l.moodle_id),
            l.name.clone(),
            "Submitted for grading".into(),
            grade_text(l.grade),
            format!("{:.2}", l.max),
            "Yes".into(),
            "-".into(),
            now.into(),
            l.comment.clone(),
        ]);
    }
    Table { bom: false, rows }
}

/// Fills the exported worksheet `template` with `lines`: `Grade` and `Feedback comments` of
/// the matching rows, everything else kept. Returns the table and the ids it has no row for.
pub fn fill(mut template: Table, lines: &[Line]) -> Result<(Table, Vec<u64>), String> {
    let header = template
        .rows
        .first()
        .cloned()
        .ok_or("la feuille de notes exportée est vide")?;
    let col = |name: &str| header.iter().position(|h| h.trim() == name);
    let (Some(id_col), Some(grade_col)) = (col(IDENTIFIER), col(GRADE)) else {
        return Err(format!(
            "la feuille de notes exportée n'a pas les colonnes « {IDENTIFIER} » et « {GRADE} » \
             (exportez-la de Moodle en anglais, ou sans --worksheet)"
        ));
    };
    let feedback_col = match col(FEEDBACK) {
        Some(c) => c,
        None => {
            for (i, row) in template.rows.iter_mut().enumerate() {
                row.resize(header.len(), String::new());
                row.push(if i == 0 {
                    FEEDBACK.into()
                } else {
                    String::new()
                });
            }
            header.len()
        }
    };
    let width = template.rows[0].len();
    let mut missing = Vec::new();
    for l in lines {
        let id = format!("{PARTICIPANT}{}", l.moodle_id);
        match template
            .rows
            .iter_mut()
            .skip(1)
            .find(|r| r.get(id_col).is_some_and(|v| v.trim() == id))
        {
            Some(row) => {
                row.resize(row.len().max(width), String::new());
                row[grade_col] = grade_text(l.grade);
                row[feedback_col] = l.comment.clone();
            }
            None => missing.push(l.moodle_id),
        }
    }
    Ok((template, missing))
}

/// The one-line French comment of a participant's row.
pub fn comment(e: &Entry, max: f64) -> String {
    let mut s = format!("Total {} / {}", fr(e.score()), fr(max));
    if let Some(p) = &e.problem {
        s += &format!(" : {p}");
    } else if let Some(r) = &e.report {
        if let Some(err) = &r.error {
            s += &format!(" : fichier non corrigé ({err})");
        }
        let parts: Vec<String> = r
            .exercises
            .iter()
            .map(|x| {
                format!(
                    "{} {} ({}/{})",
                    x.id,
                    x.outcome.french(),
                    fr(x.points),
                    fr(x.max_points)
                )
            })
            .collect();
        s += &format!(" : {}.", parts.join(" ; "));
    }
    s + " Détails dans le fichier de retour."
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_round_trip_keeps_quotes_commas_and_line_breaks() {
        let text = "\u{feff}Identifier,\"Full name\",Grade\nParticipant 1,\"Dupont, \"\"Jean\"\"\nbis\",\n";
        let t = parse(text);
        assert!(t.bom);
        assert_eq!(t.rows[1][1], "Dupont, \"Jean\"\nbis");
        assert_eq!(parse(&write(&t)), t);
    }

    #[test]
    fn fill_keeps_other_columns_and_rows() {
        let t = parse("Identifier,Full name,Grade,Last modified (grade),Feedback comments,X\nParticipant 7,A,,-,,keep\nParticipant 8,B,,-,,also\n");
        let (t, missing) = fill(
            t,
            &[
                Line {
                    moodle_id: 7,
                    name: "A".into(),
                    grade: 3.5,
                    max: 5.0,
                    comment: "c".into(),
                },
                Line {
                    moodle_id: 9,
                    name: "C".into(),
                    grade: 1.0,
                    max: 5.0,
                    comment: "d".into(),
                },
            ],
        )
        .unwrap();
        assert_eq!(t.rows[1], ["Participant 7", "A", "3.5", "-", "c", "keep"]);
        assert_eq!(t.rows[2], ["Participant 8", "B", "", "-", "", "also"]);
        assert_eq!(missing, [9]);
    }
}
