//! Takes from a submitted notebook ONLY the sources of its graded cells, matched by
//! `metadata.grader.id`, and notes everything unusual (missing, duplicated, retyped, unknown
//! or added cells, evcxr commands) for the student's report. Nothing here is ever fatal.

use crate::notebook::{self, Notebook};
use crate::reference::Chapter;
use std::collections::BTreeMap;

/// What the submission offers for one graded id.
#[derive(Clone, Debug, Default)]
pub struct Answer {
    pub source: String,
    pub notes: Vec<String>,
    /// Why this answer cannot be compiled (an evcxr command, a malformed source).
    pub rejected: Option<String>,
}

#[derive(Debug, Default)]
pub struct Extracted {
    pub answers: BTreeMap<String, Answer>,
    pub notes: Vec<String>,
}

/// The graded ids found in a notebook (to guess its chapter).
pub fn graded_ids(nb: &Notebook) -> Vec<String> {
    nb.cells()
        .iter()
        .filter_map(notebook::grader_meta)
        .map(|m| m.id)
        .collect()
}

pub fn extract(nb: &Notebook, chapter: &Chapter) -> Extracted {
    let mut ex = Extracted::default();
    let mut added = 0;
    for (i, cell) in nb.cells().iter().enumerate() {
        let Some(meta) = notebook::grader_meta(cell) else {
            if notebook::cell_id(cell).is_none_or(|id| !chapter.cell_ids.contains(id)) {
                added += 1;
            }
            continue;
        };
        if chapter.find(&meta.id).is_none() {
            ex.notes.push(format!(
                "la cellule {} porte l'identifiant d'exercice inconnu « {} » : ignorée",
                i + 1,
                meta.id
            ));
            continue;
        }
        let mut answer = Answer::default();
        if let Some(previous) = ex.answers.get(&meta.id) {
            answer.notes = previous.notes.clone();
            answer.notes.push(format!(
                "cellule présente plusieurs fois : c'est la dernière (cellule {}) qui est notée",
                i + 1
            ));
        }
        let kind = notebook::cell_type(cell);
        if kind != "code" {
            answer.notes.push(format!(
                "la cellule {} est devenue une cellule « {kind} » : son texte est noté comme du code ; remettez-la en type Code",
                i + 1
            ));
        }
        match notebook::source(cell) {
            Some(src) => {
                answer.rejected = evcxr_command(&src).or_else(|| crate::refusals::refusal(&src));
                answer.source = src;
            }
            None => {
                answer.rejected = Some("le champ « source » de la cellule est illisible".into())
            }
        }
        ex.answers.insert(meta.id, answer);
    }
    if added > 0 {
        ex.notes.push(format!(
            "{added} cellule(s) ajoutée(s) : elles ne comptent pas pour la note (seules les cellules d'exercice sont reprises)"
        ));
    }
    ex
}

/// A graded cell may hold Rust items only: evcxr commands (`:dep`, `:quit`…) and shell lines
/// (`!ls`) are refused, with the reason.
pub fn evcxr_command(source: &str) -> Option<String> {
    for (n, line) in source.lines().enumerate() {
        let t = line.trim_start();
        let is_command = t.starts_with(':')
            && !t.starts_with("::")
            && t[1..].starts_with(|c: char| c.is_ascii_alphabetic());
        let is_shell = t.starts_with('!') && n == first_code_line(source);
        if is_command || is_shell {
            return Some(format!(
                "ligne {} « {} » : les commandes du noyau (`:dep`, `:quit`…) et du shell (`!`) sont interdites dans une cellule notée ; mettez-les dans une autre cellule",
                n + 1,
                t.chars().take(40).collect::<String>()
            ));
        }
    }
    None
}

fn first_code_line(source: &str) -> usize {
    source
        .lines()
        .position(|l| {
            let t = l.trim();
            !t.is_empty() && !t.starts_with("//")
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_refused_but_paths_and_negations_are_not() {
        assert!(evcxr_command(":dep foo = \"1\"\nfn f() {}").is_some());
        assert!(evcxr_command("fn f() {}\n  :quit").is_some());
        assert!(evcxr_command("// shell\n!ls").is_some());
        assert!(evcxr_command("fn f() { ::std::mem::drop(1) }").is_none());
        assert!(evcxr_command("fn f(b: bool) -> bool {\n    !b\n}").is_none());
    }
}
