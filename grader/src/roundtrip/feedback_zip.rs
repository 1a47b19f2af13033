//! The feedback zip for Moodle's « Upload multiple feedback files in a zip ».
//!
//! Moodle's importer (mod/assign/feedback/file/importziplib.php,
//! `is_valid_filename_for_import`) skips directories and names starting with `.` or `~`, splits
//! each path part on `_` into at most five fields, and takes the first part with at least four:
//! field 2 must be the participant's numeric id, fields 3 and 4 a plugin of the assignment
//! (`assignfeedback` + `file`), and the fifth field plus the rest of the path is the file's name
//! in the participant's feedback. So each page is stored at the top level as
//! `<full name>_<id>_assignfeedback_file_retour-<chapter>.html`, the name's `_`, `/` and `\`
//! turned into spaces (as Moodle's own download does), which Moodle files as
//! `retour-<chapter>.html`. Participants of a plain folder (no Moodle id) go under
//! `<login>/retour-<chapter>.html`, for other platforms.

use std::io::Write;
use std::path::Path;

/// A name that cannot break the importer's split: no `_`, `/`, `\`, control characters, and not
/// starting with `.` or `~`.
pub fn clean_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| match c {
            '_' | '/' | '\\' => ' ',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    let cleaned = cleaned
        .trim_start_matches(['.', '~', ' '])
        .trim()
        .to_string();
    if cleaned.is_empty() {
        "Participant".into()
    } else {
        cleaned
    }
}

/// The path of a participant's page in the zip.
pub fn entry_name(name: &str, moodle_id: Option<u64>, login: &str, chapter: &str) -> String {
    let file = format!("retour-{}.html", clean_name(chapter).replace(' ', "-"));
    match moodle_id {
        Some(id) => format!("{}_{id}_assignfeedback_file_{file}", clean_name(name)),
        None => format!("{}/{file}", clean_name(login)),
    }
}

/// Writes `pages` (entry name, HTML) into a new zip at `path`.
pub fn write(path: &Path, pages: &[(String, String)]) -> Result<(), String> {
    let err = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
    let file = std::fs::File::create(path).map_err(|e| err(&e))?;
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o644);
    for (name, html) in pages {
        zip.start_file(name.as_str(), options)
            .map_err(|e| err(&e))?;
        zip.write_all(html.as_bytes()).map_err(|e| err(&e))?;
    }
    zip.finish().map_err(|e| err(&e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cannot_break_the_split() {
        assert_eq!(
            entry_name("Jean_Du/pont", Some(12), "x", "demo"),
            "Jean Du pont_12_assignfeedback_file_retour-demo.html"
        );
        assert_eq!(
            entry_name("..", Some(3), "x", "ch1"),
            "Participant_3_assignfeedback_file_retour-ch1.html"
        );
        assert_eq!(
            entry_name("", None, "alice", "ch1"),
            "alice/retour-ch1.html"
        );
    }
}
