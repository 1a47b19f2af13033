//! `grader generate`: `solutions/<name>.ipynb` → `notebooks/<name>.ipynb`. In every code cell the
//! lines from `// BEGIN SOLUTION` to `// END SOLUTION` become one `todo!("…")` line (the
//! signature lines around them stay); in every markdown cell the lines from
//! `<!-- BEGIN SOLUTION -->` to `<!-- END SOLUTION -->` (the written answer to a question,
//! invisible markers in the instructor's rendered notebook) are removed, and a markdown cell
//! left empty is dropped; outputs and execution counts are stripped; everything else is kept
//! byte for byte.

use crate::notebook::{self, LoadError};
use serde_json::Value;
use std::path::{Path, PathBuf};

pub const BEGIN: &str = "// BEGIN SOLUTION";
pub const END: &str = "// END SOLUTION";
/// The markers of an answer written in a markdown cell (HTML comments: Jupyter does not show them).
pub const MD_BEGIN: &str = "<!-- BEGIN SOLUTION -->";
pub const MD_END: &str = "<!-- END SOLUTION -->";

/// The student's version of a cell's source; `label` names the exercise in the `todo!`.
/// Errors on unbalanced or nested markers.
pub fn stub_source(source: &str, label: &str) -> Result<String, String> {
    let mut out = String::with_capacity(source.len());
    let mut inside = false;
    for (n, line) in source.split_inclusive('\n').enumerate() {
        let trimmed = line.trim();
        if trimmed == BEGIN {
            if inside {
                return Err(format!("line {}: nested `{BEGIN}`", n + 1));
            }
            inside = true;
            let indent = &line[..line.len() - line.trim_start().len()];
            let newline = if line.ends_with('\n') { "\n" } else { "" };
            out.push_str(&format!(
                "{indent}todo!(\"exercice {label} : à vous d'écrire cette partie\"){newline}"
            ));
        } else if trimmed == END {
            if !inside {
                return Err(format!("line {}: `{END}` without `{BEGIN}`", n + 1));
            }
            inside = false;
        } else if !inside {
            out.push_str(line);
        }
    }
    if inside {
        return Err(format!("`{BEGIN}` without `{END}`"));
    }
    if !source.ends_with('\n') && out.ends_with('\n') {
        out.pop(); // the cell ended on the END marker line, without a newline
    }
    Ok(out)
}

pub fn has_markers(source: &str) -> bool {
    source.lines().any(|l| l.trim() == BEGIN || l.trim() == END)
}

/// The student's version of a markdown cell: the lines from [`MD_BEGIN`] to [`MD_END`]
/// removed, with one blank line after the block when the text before it already ends on a
/// blank line (so that no run of blank lines is left), and no blank lines at the end.
/// Errors on unbalanced or nested markers.
pub fn strip_markdown_answers(source: &str) -> Result<String, String> {
    let mut out = String::with_capacity(source.len());
    let mut inside = false;
    let mut just_closed = false;
    let mut ends_with_block = false;
    for (n, line) in source.split_inclusive('\n').enumerate() {
        let trimmed = line.trim();
        if trimmed == MD_BEGIN {
            if inside {
                return Err(format!("line {}: nested `{MD_BEGIN}`", n + 1));
            }
            inside = true;
        } else if trimmed == MD_END {
            if !inside {
                return Err(format!("line {}: `{MD_END}` without `{MD_BEGIN}`", n + 1));
            }
            inside = false;
            just_closed = true;
            ends_with_block = true;
        } else if !inside {
            let blank_after_blank = trimmed.is_empty() && (out.is_empty() || out.ends_with("\n\n"));
            if !(just_closed && blank_after_blank) {
                out.push_str(line);
                ends_with_block = false;
            }
            just_closed = false;
        }
    }
    if inside {
        return Err(format!("`{MD_BEGIN}` without `{MD_END}`"));
    }
    if ends_with_block {
        // Jupyter's last line has no newline: the cell ends with its last non-blank line
        let end = out.trim_end().len();
        out.truncate(end);
    }
    Ok(out)
}

pub fn has_markdown_markers(source: &str) -> bool {
    source
        .lines()
        .any(|l| l.trim() == MD_BEGIN || l.trim() == MD_END)
}

/// The student notebook derived from a solution notebook.
pub fn student_notebook(solution: &Value) -> Result<Value, String> {
    let mut nb = solution.clone();
    let cells = nb["cells"]
        .as_array_mut()
        .ok_or("the notebook has no `cells` list")?;
    let mut emptied = Vec::new();
    for (i, cell) in cells.iter_mut().enumerate() {
        if notebook::cell_type(cell) == "markdown" {
            let src = notebook::source(cell).ok_or(format!("cell {}: bad `source`", i + 1))?;
            if has_markdown_markers(&src) {
                let text =
                    strip_markdown_answers(&src).map_err(|e| format!("cell {}: {e}", i + 1))?;
                if text.trim().is_empty() {
                    emptied.push(i);
                }
                notebook::set_source(cell, &text);
            }
            continue;
        }
        if notebook::cell_type(cell) != "code" {
            continue;
        }
        let src = notebook::source(cell).ok_or(format!("cell {}: bad `source`", i + 1))?;
        if has_markers(&src) {
            let label = notebook::grader_meta(cell)
                .map(|m| m.id)
                .unwrap_or_else(|| format!("de la cellule {}", i + 1));
            let stub = stub_source(&src, &label).map_err(|e| format!("cell {}: {e}", i + 1))?;
            notebook::set_source(cell, &stub);
        }
        notebook::strip_outputs(cell);
    }
    // a markdown cell that held only an answer is dropped
    for i in emptied.into_iter().rev() {
        cells.remove(i);
    }
    Ok(nb)
}

/// One notebook's generation result.
pub struct Generated {
    pub name: String,
    pub target: PathBuf,
    pub up_to_date: bool,
    /// The solution file is not in Jupyter's own formatting (so "byte-identical" is relative
    /// to its re-formatted text): re-save it from Jupyter.
    pub solution_not_canonical: bool,
}

/// Generates every `notebooks/<name>.ipynb` from `solutions/<name>.ipynb` under `root`; with
/// `check`, writes nothing and only reports which are out of date.
pub fn generate_all(root: &Path, check: bool) -> Result<Vec<Generated>, String> {
    let solutions = root.join("solutions");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&solutions)
        .map_err(|e| format!("{}: {e}", solutions.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ipynb"))
        .collect();
    names.sort_by_key(|p| {
        crate::reference::course_order(&p.file_stem().unwrap_or_default().to_string_lossy())
    });
    let mut results = Vec::new();
    for path in names {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let nb =
            notebook::parse(&bytes).map_err(|e: LoadError| format!("{}: {e}", path.display()))?;
        let canonical = notebook::to_jupyter_string(&nb.json);
        let student = student_notebook(&nb.json).map_err(|e| format!("{}: {e}", path.display()))?;
        let text = notebook::to_jupyter_string(&student);
        let target = root.join("notebooks").join(format!("{name}.ipynb"));
        let up_to_date = std::fs::read(&target).is_ok_and(|old| old == text.as_bytes());
        if !check && !up_to_date {
            std::fs::create_dir_all(target.parent().unwrap())
                .and_then(|_| std::fs::write(&target, &text))
                .map_err(|e| format!("{}: {e}", target.display()))?;
        }
        results.push(Generated {
            name,
            target,
            up_to_date,
            solution_not_canonical: canonical.as_bytes() != bytes.as_slice(),
        });
    }
    Ok(results)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_become_todo_and_signatures_stay() {
        let src =
            "fn f(x: f32) -> f32 {\n    // BEGIN SOLUTION\n    x * 2.0\n    // END SOLUTION\n}\n";
        assert_eq!(
            stub_source(src, "1.1-f").unwrap(),
            "fn f(x: f32) -> f32 {\n    todo!(\"exercice 1.1-f : à vous d'écrire cette partie\")\n}\n"
        );
    }

    #[test]
    fn unbalanced_markers_are_errors() {
        assert!(stub_source("// BEGIN SOLUTION\n", "x").is_err());
        assert!(stub_source("// END SOLUTION\n", "x").is_err());
        assert!(stub_source("// BEGIN SOLUTION\n// BEGIN SOLUTION\n", "x").is_err());
    }

    #[test]
    fn markdown_answers_are_removed_without_leaving_blank_runs() {
        let src = "**Qu3.** Pourquoi ?\n\n<!-- BEGIN SOLUTION -->\nParce que.\n\nEt encore.\n<!-- END SOLUTION -->\n\n### Suite\n";
        assert_eq!(
            strip_markdown_answers(src).unwrap(),
            "**Qu3.** Pourquoi ?\n\n### Suite\n"
        );
        // at the end of the cell (no trailing newline, as Jupyter writes it)
        let src = "Question ?\n\n<!-- BEGIN SOLUTION -->\nRéponse.\n<!-- END SOLUTION -->";
        assert_eq!(strip_markdown_answers(src).unwrap(), "Question ?");
        // at the start of the cell
        let src = "<!-- BEGIN SOLUTION -->\nRéponse.\n<!-- END SOLUTION -->\n\n## 9.6";
        assert_eq!(strip_markdown_answers(src).unwrap(), "## 9.6");
        // a cell without markers is kept byte for byte
        let src = "# t\n\ntexte  \n";
        assert_eq!(strip_markdown_answers(src).unwrap(), src);
    }

    #[test]
    fn unbalanced_markdown_markers_are_errors() {
        assert!(strip_markdown_answers("<!-- BEGIN SOLUTION -->\nx").is_err());
        assert!(strip_markdown_answers("x\n<!-- END SOLUTION -->").is_err());
        assert!(strip_markdown_answers(
            "<!-- BEGIN SOLUTION -->\n<!-- BEGIN SOLUTION -->\n<!-- END SOLUTION -->"
        )
        .is_err());
    }

    #[test]
    fn a_markdown_cell_holding_only_an_answer_is_dropped() {
        let nb = serde_json::json!({"cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["Q ?\n", "<!-- BEGIN SOLUTION -->\n", "R\n", "<!-- END SOLUTION -->"]},
            {"cell_type": "markdown", "metadata": {}, "source": ["<!-- BEGIN SOLUTION -->\n", "R2\n", "<!-- END SOLUTION -->"]},
            {"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [], "source": ["// <!-- BEGIN SOLUTION -->"]}
        ]});
        let s = student_notebook(&nb).unwrap();
        let cells = s["cells"].as_array().unwrap();
        assert_eq!(cells.len(), 2);
        assert_eq!(cells[0]["source"], serde_json::json!(["Q ?"]));
        // markdown markers mean nothing in a code cell
        assert_eq!(cells[1]["source"], nb["cells"][2]["source"]);
    }

    #[test]
    fn outputs_are_stripped() {
        let nb = serde_json::json!({"cells": [
            {"cell_type": "code", "execution_count": 3, "metadata": {}, "outputs": [{"x": 1}], "source": ["1\n", "// BEGIN SOLUTION\n", "2\n", "// END SOLUTION"]},
            {"cell_type": "markdown", "metadata": {}, "source": ["# t"]}
        ]});
        let s = student_notebook(&nb).unwrap();
        assert_eq!(s["cells"][0]["outputs"], serde_json::json!([]));
        assert_eq!(s["cells"][0]["execution_count"], Value::Null);
        assert_eq!(
            s["cells"][0]["source"],
            serde_json::json!([
                "1\n",
                "todo!(\"exercice de la cellule 1 : à vous d'écrire cette partie\")"
            ])
        );
        assert_eq!(s["cells"][1], nb["cells"][1]);
    }
}
