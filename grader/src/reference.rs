//! The instructor's side, embedded at build time (build.rs): for each chapter, its graded
//! cells (id, points, stub) and its checks. Grading takes only graded cells'
//! sources from a submission; everything else comes from here.

use crate::generate;
use crate::notebook;
use std::collections::HashSet;

pub struct EmbeddedChapter {
    pub name: &'static str,
    pub solution: &'static str,
    pub checks: Option<&'static str>,
}

include!(concat!(env!("OUT_DIR"), "/chapters.rs"));

/// One graded exercise as the instructor wrote it.
#[derive(Clone, Debug)]
pub struct GradedCell {
    pub id: String,
    pub points: f64,
    pub stub: String,
    /// The instructor's answer (the probes' reference run).
    pub solution: String,
    /// Calls the answer must not or must make (src/forbidden.rs).
    pub rules: crate::forbidden::Rules,
}

/// A chapter ready for grading.
#[derive(Clone, Debug)]
pub struct Chapter {
    pub name: String,
    pub graded: Vec<GradedCell>,
    /// nbformat cell ids of every instructor cell (to tell cells a student added).
    pub cell_ids: HashSet<String>,
    pub checks: Option<String>,
    pub code_cells: usize,
}

impl Chapter {
    pub fn find(&self, id: &str) -> Option<&GradedCell> {
        self.graded.iter().find(|g| g.id == id)
    }
}

/// Builds a chapter from a solution notebook's text.
pub fn chapter_from_solution(
    name: &str,
    solution: &str,
    checks: Option<&str>,
) -> Result<Chapter, String> {
    let nb =
        notebook::parse(solution.as_bytes()).map_err(|e| format!("solutions/{name}.ipynb: {e}"))?;
    let mut graded: Vec<GradedCell> = Vec::new();
    let mut cell_ids = HashSet::new();
    let mut code_cells = 0;
    for (i, cell) in nb.cells().iter().enumerate() {
        if let Some(id) = notebook::cell_id(cell) {
            cell_ids.insert(id.to_string());
        }
        if notebook::cell_type(cell) == "code" {
            code_cells += 1;
        }
        let Some(meta) = notebook::grader_meta(cell) else {
            continue;
        };
        let where_ = format!("solutions/{name}.ipynb, cell {} ({})", i + 1, meta.id);
        if notebook::cell_type(cell) != "code" {
            return Err(format!("{where_}: a graded cell must be a code cell"));
        }
        if graded.iter().any(|g| g.id == meta.id) {
            return Err(format!("{where_}: duplicate grader id"));
        }
        let points = meta
            .points
            .filter(|p| *p >= 0.0)
            .ok_or(format!("{where_}: missing or negative `points`"))?;
        let solution = notebook::source(cell).ok_or(format!("{where_}: bad source"))?;
        if !generate::has_markers(&solution) {
            return Err(format!(
                "{where_}: no `{}` / `{}` markers",
                generate::BEGIN,
                generate::END
            ));
        }
        let stub =
            generate::stub_source(&solution, &meta.id).map_err(|e| format!("{where_}: {e}"))?;
        graded.push(GradedCell {
            id: meta.id,
            points,
            stub,
            solution,
            rules: meta.rules,
        });
    }
    Ok(Chapter {
        name: name.to_string(),
        graded,
        cell_ids,
        checks: checks.map(str::to_string),
        code_cells,
    })
}

/// Sorting key of a chapter name in the course's order: ch1, ch2, …, ch10, then the others
/// (demo) by name. build.rs embeds the chapters in this order.
pub fn course_order(name: &str) -> (u8, u32, String) {
    match name.strip_prefix("ch").and_then(|d| d.parse::<u32>().ok()) {
        Some(k) => (0, k, String::new()),
        None => (1, 0, name.to_string()),
    }
}

/// Names of the embedded chapters, in the course's order.
pub fn names() -> Vec<&'static str> {
    CHAPTERS.iter().map(|c| c.name).collect()
}

/// The embedded chapter `name`.
pub fn chapter(name: &str) -> Result<Chapter, String> {
    let c = CHAPTERS.iter().find(|c| c.name == name).ok_or_else(|| {
        format!(
            "chapitre inconnu « {name} » (connus : {})",
            names().join(", ")
        )
    })?;
    chapter_from_solution(c.name, c.solution, c.checks)
}

/// Picks the chapter for a submission: `explicit` if given; else the file name (`ch7.ipynb`,
/// `dupont_ch7.ipynb`); else the chapter sharing the most graded ids with the submission.
pub fn guess_chapter(
    explicit: Option<&str>,
    file_stem: &str,
    graded_ids: &[String],
) -> Result<String, String> {
    if let Some(name) = explicit {
        return Ok(name.to_string());
    }
    let known = names();
    if known.contains(&file_stem) {
        return Ok(file_stem.to_string());
    }
    let tokens: Vec<&str> = file_stem
        .split(|c: char| !c.is_ascii_alphanumeric())
        .collect();
    let by_name: Vec<&str> = known
        .iter()
        .copied()
        .filter(|k| tokens.contains(k))
        .collect();
    if by_name.len() == 1 {
        return Ok(by_name[0].to_string());
    }
    let mut best: Vec<(usize, &str)> = CHAPTERS
        .iter()
        .filter_map(|c| {
            let ch = chapter_from_solution(c.name, c.solution, c.checks).ok()?;
            let n = ch
                .graded
                .iter()
                .filter(|g| graded_ids.contains(&g.id))
                .count();
            (n > 0).then_some((n, c.name))
        })
        .collect();
    best.sort_by_key(|b| std::cmp::Reverse(b.0));
    match best.as_slice() {
        [(n, name), rest @ ..] if rest.first().is_none_or(|r| r.0 < *n) => Ok(name.to_string()),
        _ => Err(format!(
            "impossible de savoir de quel chapitre il s'agit : nommez le fichier comme le chapitre (par exemple {}.ipynb) ou passez --chapter",
            known.first().unwrap_or(&"ch1")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_chapter_is_valid_and_has_checks() {
        for c in CHAPTERS {
            let ch = chapter(c.name).unwrap();
            assert!(!ch.graded.is_empty(), "{}: no graded cell", c.name);
            assert!(
                ch.checks.is_some(),
                "{}: no grader/checks/{}.rs",
                c.name,
                c.name
            );
        }
    }

    #[test]
    fn no_solution_or_stub_is_refused() {
        for c in CHAPTERS {
            let nb = notebook::parse(c.solution.as_bytes()).unwrap();
            let ch = chapter(c.name).unwrap();
            for cell in nb.cells() {
                let Some(meta) = notebook::grader_meta(cell) else {
                    continue;
                };
                let src = notebook::source(cell).unwrap();
                let stub = &ch.find(&meta.id).unwrap().stub;
                for (what, text) in [("solution", &src), ("stub", stub)] {
                    assert_eq!(
                        crate::refusals::refusal(text),
                        None,
                        "{} {}: {what}",
                        c.name,
                        meta.id
                    );
                }
            }
        }
    }

    #[test]
    fn no_solution_or_stub_breaks_its_rules() {
        let mut ruled = 0;
        for c in CHAPTERS {
            for g in chapter(c.name).unwrap().graded {
                ruled += usize::from(!g.rules.is_empty());
                assert_eq!(
                    crate::forbidden::violation(&g.solution, &g.rules),
                    None,
                    "{} {}: solution",
                    c.name,
                    g.id
                );
                let forbid_only = crate::forbidden::Rules {
                    require: Vec::new(),
                    ..g.rules.clone()
                };
                assert_eq!(
                    crate::forbidden::violation(&g.stub, &forbid_only),
                    None,
                    "{} {}: stub",
                    c.name,
                    g.id
                );
            }
        }
        assert!(ruled >= 10, "only {ruled} exercises have rules");
    }

    #[test]
    fn chapter_guessing() {
        assert_eq!(guess_chapter(Some("x"), "y", &[]).unwrap(), "x");
        assert_eq!(guess_chapter(None, "demo", &[]).unwrap(), "demo");
        assert_eq!(guess_chapter(None, "dupont_demo", &[]).unwrap(), "demo");
        let ids = chapter("demo")
            .unwrap()
            .graded
            .iter()
            .map(|g| g.id.clone())
            .collect::<Vec<_>>();
        assert_eq!(guess_chapter(None, "copie", &ids).unwrap(), "demo");
        assert!(guess_chapter(None, "copie", &[]).is_err());
    }
}
