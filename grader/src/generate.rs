//! `grader generate`: `solutions/<name>.ipynb` → `notebooks/<name>.ipynb`. In every code cell the
//! lines from `// BEGIN SOLUTION` to `// END SOLUTION` become one `todo!("…")` line (the
//! signature lines around them stay); outputs and execution counts are stripped; everything
//! else is kept byte for byte.

use crate::notebook::{self, LoadError};
use serde_json::Value;
use std::path::{Path, PathBuf};

pub const BEGIN: &str = "// BEGIN SOLUTION";
pub const END: &str = "// END SOLUTION";

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

/// The student notebook derived from a solution notebook.
pub fn student_notebook(solution: &Value) -> Result<Value, String> {
    let mut nb = solution.clone();
    let cells = nb["cells"]
        .as_array_mut()
        .ok_or("the notebook has no `cells` list")?;
    for (i, cell) in cells.iter_mut().enumerate() {
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
