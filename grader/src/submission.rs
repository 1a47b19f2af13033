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
    /// Why this answer does not do the exercise (a forbidden or missing call, see
    /// src/forbidden.rs): `REFUSED`, its stub compiled in its place.
    pub refused: Option<String>,
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
                if let Some(g) = chapter
                    .find(&meta.id)
                    .filter(|g| g.stub.trim() != src.trim())
                {
                    answer.refused = crate::forbidden::violation(&src, &g.rules);
                }
                answer.source = src;
            }
            None => {
                answer.rejected = Some("le champ « source » de la cellule est illisible".into())
            }
        }
        ex.answers.insert(meta.id, answer);
    }
    refuse_hidden_calls(&mut ex, chapter);
    if added > 0 {
        ex.notes.push(format!(
            "{added} cellule(s) ajoutée(s) : elles ne comptent pas pour la note (seules les cellules d'exercice sont reprises)"
        ));
    }
    ex
}

/// A graded cell sees the items of the graded cells before it: a forbidden call hidden in an
/// earlier cell (`fn aide(x: &Tensor) -> Tensor { x.softmax(1) }`) refuses the exercise too,
/// unless the instructor's own answer to that earlier cell makes the same call, or that cell
/// is itself rejected or refused (then its stub is compiled).
fn refuse_hidden_calls(ex: &mut Extracted, chapter: &Chapter) {
    for (i, g) in chapter.graded.iter().enumerate() {
        if g.rules.forbid.is_empty() || ex.answers.get(&g.id).is_none_or(|a| a.refused.is_some()) {
            continue;
        }
        let forbid_only = crate::forbidden::Rules {
            forbid: g.rules.forbid.clone(),
            rule: g.rules.rule.clone(),
            ..Default::default()
        };
        let hidden = chapter.graded[..i].iter().find_map(|earlier| {
            let a = ex.answers.get(&earlier.id)?;
            // a rejected or refused earlier cell is compiled as its stub: nothing hidden there
            if a.rejected.is_some()
                || a.refused.is_some()
                || a.source.trim() == earlier.stub.trim()
                || crate::forbidden::violation(&earlier.solution, &forbid_only).is_some()
            {
                return None;
            }
            let why = crate::forbidden::violation(&a.source, &forbid_only)?;
            Some(format!(
                "dans la cellule de l'exercice {} (visible depuis celle-ci), {why}",
                earlier.id
            ))
        });
        if let Some(why) = hidden {
            if let Some(a) = ex.answers.get_mut(&g.id) {
                a.refused = Some(why);
            }
        }
    }
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

    /// ch9's solution with the graded cell `id` replaced by `source`.
    fn ch9_with(cells: &[(&str, &str)]) -> (Notebook, Chapter) {
        let ch = crate::reference::chapter("ch9").unwrap();
        let text = crate::reference::CHAPTERS
            .iter()
            .find(|c| c.name == "ch9")
            .unwrap()
            .solution;
        let mut nb = notebook::parse(text.as_bytes()).unwrap();
        for cell in nb.json["cells"].as_array_mut().unwrap() {
            let Some(meta) = notebook::grader_meta(cell) else {
                continue;
            };
            if let Some((_, src)) = cells.iter().find(|(id, _)| *id == meta.id) {
                notebook::set_source(cell, src);
            }
        }
        (nb, ch)
    }

    #[test]
    fn a_forbidden_call_is_refused_even_from_an_earlier_cell() {
        let (nb, ch) = ch9_with(&[]);
        let ex = extract(&nb, &ch);
        assert!(ex.answers.values().all(|a| a.refused.is_none()));

        let (nb, ch) = ch9_with(&[(
            "9.4-log-softmax",
            "fn mon_log_softmax(x: &Tensor) -> Tensor {\n    x.log_softmax(1)\n}\n",
        )]);
        let ex = extract(&nb, &ch);
        assert_eq!(
            ex.answers["9.4-log-softmax"].refused.as_deref(),
            Some("ligne 2 : cet exercice demande d'écrire la log_softmax vous-même : n'appelez pas `log_softmax`")
        );
        assert_eq!(ex.answers["9.4-nll"].refused, None);

        let (nb, ch) = ch9_with(&[
            (
                "9.2-entropie",
                "fn aide(x: &Tensor) -> Tensor { x.log_softmax(1) }\nfn entropie(p: &[f64]) -> f64 {\n    p.iter().filter(|&&pi| pi > 0.0).map(|&pi| pi * (1.0 / pi).ln()).sum()\n}\n",
            ),
            (
                "9.4-log-softmax",
                "fn mon_log_softmax(x: &Tensor) -> Tensor {\n    aide(x)\n}\n",
            ),
        ]);
        let ex = extract(&nb, &ch);
        assert_eq!(ex.answers["9.2-entropie"].refused, None);
        assert_eq!(
            ex.answers["9.4-log-softmax"].refused.as_deref(),
            Some("dans la cellule de l'exercice 9.2-entropie (visible depuis celle-ci), ligne 1 : cet exercice demande d'écrire la log_softmax vous-même : n'appelez pas `log_softmax`")
        );
        // 9.3 forbids log_softmax too and comes after 9.2
        assert!(ex.answers["9.3-entropie-croisee"].refused.is_some());
        assert_eq!(ex.answers["9.1-softmax"].refused, None);
    }

    /// The loss object computes the nll when given log-probabilities (their log_softmax is
    /// themselves): the exercises forbid it as they forbid `cross_entropy`.
    #[test]
    fn the_cross_entropy_loss_object_is_refused_as_the_function() {
        let (nb, ch) = ch9_with(&[(
            "9.4-nll",
            "fn mon_nll(log_probs: &Tensor, labels: &Tensor) -> Tensor {\n    CrossEntropyLoss::new().forward(log_probs, labels)\n}\n",
        )]);
        let ex = extract(&nb, &ch);
        assert_eq!(
            ex.answers["9.4-nll"].refused.as_deref(),
            Some("ligne 2 : cet exercice demande d'écrire la nll vous-même : n'appelez pas `CrossEntropyLoss`")
        );
        assert_eq!(ex.answers["9.4-log-softmax"].refused, None);
    }

    #[test]
    fn commands_are_refused_but_paths_and_negations_are_not() {
        assert!(evcxr_command(":dep foo = \"1\"\nfn f() {}").is_some());
        assert!(evcxr_command("fn f() {}\n  :quit").is_some());
        assert!(evcxr_command("// shell\n!ls").is_some());
        assert!(evcxr_command("fn f() { ::std::mem::drop(1) }").is_none());
        assert!(evcxr_command("fn f(b: bool) -> bool {\n    !b\n}").is_none());
    }
}
