//! Which notebook is graded: the chapter of the batch (given, or the majority guess over every
//! notebook), each participant's notebook (one, or the one named after the chapter), and the
//! graded cells' sources shown on the feedback pages.

use super::intake::{self, Participant};
use crate::notebook;
use crate::reference::{self, Chapter};
use crate::submission;
use std::collections::BTreeMap;
use std::path::Path;

/// The chapter: the one given, else the one most notebooks look like.
pub fn choose_chapter(explicit: Option<&str>, people: &[Participant]) -> Result<Chapter, String> {
    let mut votes: BTreeMap<String, usize> = BTreeMap::new();
    if explicit.is_none() {
        for p in people {
            for (path, content) in &p.notebooks {
                let Ok(bytes) = content else { continue };
                let ids = notebook::parse(bytes)
                    .map(|nb| submission::graded_ids(&nb))
                    .unwrap_or_default();
                let stem = Path::new(path)
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned());
                if let Ok(c) = reference::guess_chapter(None, &stem.unwrap_or_default(), &ids) {
                    *votes.entry(c).or_default() += 1;
                }
            }
        }
    }
    let name = match explicit {
        Some(c) => c.to_string(),
        None => votes
            .into_iter()
            .max_by_key(|(_, n)| *n)
            .map(|(c, _)| c)
            .ok_or("impossible de deviner le chapitre de ces carnets : précisez --chapter")?,
    };
    reference::chapter(&name)
}

/// Which notebook of a participant to grade, or why none.
pub fn pick(p: &Participant, chapter: &str) -> Result<(String, Vec<u8>), String> {
    let names = |v: &BTreeMap<String, intake::Content>| {
        v.keys()
            .map(|k| format!("« {k} »"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let chosen = match p.notebooks.len() {
        0 if p.others.is_empty() => return Err("aucun fichier dans votre dépôt : note 0.".into()),
        0 => {
            return Err(format!(
                "aucun carnet Jupyter (.ipynb) dans votre dépôt (fichiers reçus : {}) : note 0.",
                p.others.join(", ")
            ))
        }
        1 => p.notebooks.iter().next(),
        _ => {
            let named: Vec<_> = p
                .notebooks
                .iter()
                .filter(|(k, _)| Path::new(k).file_stem().is_some_and(|s| s == chapter))
                .collect();
            match named.as_slice() {
                [one] => Some(*one),
                _ => {
                    return Err(format!(
                        "{} carnets dans votre dépôt ({}) : un seul est attendu, aucun n'a été corrigé (note 0).",
                        p.notebooks.len(),
                        names(&p.notebooks)
                    ))
                }
            }
        }
    };
    let (name, content) = chosen.expect("one notebook chosen");
    match content {
        Ok(bytes) => Ok((name.clone(), bytes.clone())),
        Err(e) => Err(format!("« {name} » : {e} ; note 0.")),
    }
}

/// The graded cells' sources of a notebook (the copy that counts, as the grader sees it).
pub fn sources(bytes: &[u8], ch: &Chapter) -> BTreeMap<String, String> {
    notebook::parse(bytes)
        .map(|nb| {
            submission::extract(&nb, ch)
                .answers
                .into_iter()
                .map(|(id, a)| (id, a.source))
                .collect()
        })
        .unwrap_or_default()
}
