//! The notebook model: loading a `.ipynb` defensively (size limit, broken UTF-8, wrong
//! format), reading and writing cell sources, and writing JSON the way Jupyter does
//! (one-space indent, keys in the file's order, non-ASCII kept, final newline), so that a
//! notebook written by Jupyter round-trips byte for byte.

use serde_json::Value;
use std::fmt;
use std::io::Read;
use std::path::Path;

/// Why a file could not be used as a notebook; `Display` is a French sentence for students.
#[derive(Debug)]
pub enum LoadError {
    NotFound,
    Io(String),
    /// A symbolic link, FIFO, device, socket or directory: never opened.
    NotRegular(String),
    TooBig {
        size: u64,
        limit: u64,
    },
    NotJson(String),
    NotNotebook(String),
    /// nbformat 1 to 3.
    OldFormat(String),
    /// nbformat 5 or later (or not a whole number).
    NewFormat(String),
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::NotFound => write!(f, "fichier introuvable : vérifiez son chemin et son nom"),
            LoadError::Io(e) => write!(
                f,
                "le fichier ne peut pas être lu (message du système : {e})"
            ),
            LoadError::NotRegular(kind) => write!(
                f,
                "ce chemin est {kind}, pas un fichier ordinaire : seul un vrai fichier .ipynb est corrigé"
            ),
            LoadError::TooBig { size, limit } => write!(
                f,
                "fichier trop gros ({} Mo, la limite est {} Mo) : videz les sorties des cellules (Edit > Clear Outputs) puis enregistrez",
                size / 1_000_000,
                limit / 1_000_000
            ),
            LoadError::NotJson(e) => write!(
                f,
                "ce n'est pas un carnet Jupyter : le fichier n'est pas du JSON valide (détail de serde_json : {e})"
            ),
            LoadError::NotNotebook(e) => write!(f, "ce n'est pas un carnet Jupyter ({e})"),
            LoadError::OldFormat(v) => write!(
                f,
                "carnet à l'ancien format nbformat {v}, non pris en charge : enregistrez-le avec un Jupyter récent (format 4)"
            ),
            LoadError::NewFormat(v) => write!(
                f,
                "carnet au format nbformat {v}, plus récent que le format 4 que lit le correcteur : enregistrez-le au format 4 (celui de JupyterLab)"
            ),
        }
    }
}

/// A parsed notebook and what had to be repaired to read it.
pub struct Notebook {
    pub json: Value,
    /// E.g. "invalid UTF-8 replaced": reported to the student, never fatal.
    pub warnings: Vec<String>,
}

/// What a path is when it is not a regular file, in French (`None` for a regular file).
fn not_regular(ft: std::fs::FileType) -> Option<&'static str> {
    use std::os::unix::fs::FileTypeExt;
    if ft.is_symlink() {
        Some("un lien symbolique")
    } else if ft.is_dir() {
        Some("un répertoire")
    } else if ft.is_fifo() {
        Some("un tube nommé (FIFO)")
    } else if ft.is_char_device() || ft.is_block_device() {
        Some("un périphérique")
    } else if ft.is_socket() {
        Some("une socket")
    } else {
        None
    }
}

/// The first directory of `path`, as written, that is a symbolic link: `evil/ch7.ipynb` with
/// `evil -> solutions/` must not be graded as the reference. Only the components written in
/// the path are looked at (a relative path starts at the working directory, already real).
fn linked_directory(path: &Path) -> Option<std::path::PathBuf> {
    path.ancestors()
        .skip(1)
        .filter(|a| !a.as_os_str().is_empty() && a.file_name().is_some())
        .find(|a| std::fs::symlink_metadata(a).is_ok_and(|m| m.file_type().is_symlink()))
        .map(Path::to_path_buf)
}

/// Reads `path` refusing anything over `max_bytes` without reading it all, and anything that
/// is not a regular file (a symbolic link, say into solutions/, or a path through a linked
/// directory, a FIFO that would block, a
/// device, a directory) before reading a byte. The file is opened without following a final
/// symbolic link and without blocking, then checked again on the open descriptor, so a swap
/// between the check and the open changes nothing.
pub fn read_limited(path: &Path, max_bytes: u64) -> Result<Vec<u8>, LoadError> {
    use std::os::unix::fs::OpenOptionsExt;
    let io = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::NotFound => LoadError::NotFound,
        _ => LoadError::Io(e.to_string()),
    };
    if let Some(link) = linked_directory(path) {
        return Err(LoadError::NotRegular(format!(
            "un chemin qui passe par un lien symbolique ({}) : donnez le chemin réel du fichier",
            link.display()
        )));
    }
    if let Some(kind) = not_regular(std::fs::symlink_metadata(path).map_err(io)?.file_type()) {
        return Err(LoadError::NotRegular(kind.into()));
    }
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        .map_err(|e| match e.raw_os_error() {
            Some(libc::ELOOP) => LoadError::NotRegular("un lien symbolique".into()),
            _ => io(e),
        })?;
    let meta = file.metadata().map_err(io)?;
    if let Some(kind) = not_regular(meta.file_type()) {
        return Err(LoadError::NotRegular(kind.into()));
    }
    let size = meta.len();
    if size > max_bytes {
        return Err(LoadError::TooBig {
            size,
            limit: max_bytes,
        });
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(max_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| LoadError::Io(e.to_string()))?;
    if bytes.len() as u64 > max_bytes {
        return Err(LoadError::TooBig {
            size: bytes.len() as u64,
            limit: max_bytes,
        });
    }
    Ok(bytes)
}

/// Loads a notebook file (see [`parse`]).
pub fn load(path: &Path, max_bytes: u64) -> Result<Notebook, LoadError> {
    parse(&read_limited(path, max_bytes)?)
}

/// Parses and validates nbformat 4. Invalid UTF-8 is replaced (U+FFFD) with a warning.
pub fn parse(bytes: &[u8]) -> Result<Notebook, LoadError> {
    let mut warnings = Vec::new();
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => std::borrow::Cow::Borrowed(t),
        Err(_) => {
            warnings.push(
                "le fichier contient des octets qui ne sont pas de l'UTF-8 : ils ont été remplacés par « \u{FFFD} »"
                    .to_string(),
            );
            String::from_utf8_lossy(bytes)
        }
    };
    let json: Value = serde_json::from_str(&text).map_err(|e| LoadError::NotJson(e.to_string()))?;
    let obj = json
        .as_object()
        .ok_or_else(|| LoadError::NotNotebook("le JSON n'est pas un objet".into()))?;
    match obj.get("nbformat") {
        Some(Value::Number(n)) if n.as_u64() == Some(4) => {}
        Some(Value::Number(n)) if n.as_u64().is_some_and(|v| v < 4) => {
            return Err(LoadError::OldFormat(n.to_string()))
        }
        Some(Value::Number(n)) => return Err(LoadError::NewFormat(n.to_string())),
        Some(_) => {
            return Err(LoadError::NotNotebook(
                "« nbformat » n'est pas un nombre".into(),
            ))
        }
        None => return Err(LoadError::NotNotebook("champ « nbformat » absent".into())),
    }
    let cells = obj
        .get("cells")
        .and_then(Value::as_array)
        .ok_or_else(|| LoadError::NotNotebook("liste « cells » absente".into()))?;
    if let Some(i) = cells.iter().position(|c| !c.is_object()) {
        return Err(LoadError::NotNotebook(format!(
            "la cellule {} n'est pas un objet",
            i + 1
        )));
    }
    Ok(Notebook { json, warnings })
}

impl Notebook {
    pub fn cells(&self) -> &[Value] {
        self.json["cells"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
}

/// A cell's `source` as one string (nbformat allows a string or a list of lines).
/// `None` when the field is missing or malformed.
pub fn source(cell: &Value) -> Option<String> {
    match cell.get("source")? {
        Value::String(s) => Some(s.clone()),
        Value::Array(parts) => parts.iter().map(|p| p.as_str()).collect(),
        _ => None,
    }
}

/// Writes `text` as Jupyter does: a list of lines, each keeping its `\n`.
pub fn set_source(cell: &mut Value, text: &str) {
    let lines: Vec<Value> = text
        .split_inclusive('\n')
        .map(|l| Value::String(l.to_string()))
        .collect();
    if let Some(obj) = cell.as_object_mut() {
        obj.insert("source".into(), Value::Array(lines));
    }
}

pub fn cell_type(cell: &Value) -> &str {
    cell.get("cell_type").and_then(Value::as_str).unwrap_or("")
}

pub fn cell_id(cell: &Value) -> Option<&str> {
    cell.get("id").and_then(Value::as_str)
}

/// `metadata.grader = {"id": …, "points": …}`, with the exercise's rules (src/forbidden.rs):
/// `"forbid"`, `"require"`, `"forbid_ops_on"` (lists of names) and `"rule"` (French text).
#[derive(Clone, Debug, PartialEq)]
pub struct GraderMeta {
    pub id: String,
    pub points: Option<f64>,
    pub rules: crate::forbidden::Rules,
}

pub fn grader_meta(cell: &Value) -> Option<GraderMeta> {
    let g = cell.get("metadata")?.get("grader")?;
    let id = g.get("id")?.as_str()?.to_string();
    let points = g.get("points").and_then(Value::as_f64);
    let names = |key: &str| -> Vec<String> {
        g.get(key)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    let rules = crate::forbidden::Rules {
        forbid: names("forbid"),
        require: names("require"),
        forbid_ops_on: names("forbid_ops_on"),
        rule: g.get("rule").and_then(Value::as_str).map(str::to_string),
    };
    Some(GraderMeta { id, points, rules })
}

/// Empties `outputs` and `execution_count` of a code cell.
pub fn strip_outputs(cell: &mut Value) {
    if cell_type(cell) != "code" {
        return;
    }
    if let Some(obj) = cell.as_object_mut() {
        obj.insert("outputs".into(), Value::Array(Vec::new()));
        obj.insert("execution_count".into(), Value::Null);
    }
}

/// JSON as Jupyter writes it (`json.dumps(nb, indent=1, ensure_ascii=False)` + `\n`).
pub fn to_jupyter_string(value: &Value) -> String {
    use serde::Serialize;
    let mut out = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b" ");
    let mut ser = serde_json::Serializer::with_formatter(&mut out, fmt);
    value
        .serialize(&mut ser)
        .expect("serialising JSON to memory");
    let mut s = String::from_utf8(out).expect("serde_json writes UTF-8");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_jupyter_formatting() {
        let text = "{\n \"cells\": [\n  {\n   \"cell_type\": \"code\",\n   \"execution_count\": null,\n   \"id\": \"a\",\n   \"metadata\": {},\n   \"outputs\": [],\n   \"source\": [\n    \"é = 1;\\n\",\n    \"\\u001b\"\n   ]\n  }\n ],\n \"metadata\": {},\n \"nbformat\": 4,\n \"nbformat_minor\": 5\n}\n";
        let nb = parse(text.as_bytes()).unwrap();
        assert_eq!(to_jupyter_string(&nb.json), text);
        assert_eq!(source(&nb.cells()[0]).unwrap(), "é = 1;\n\u{1b}");
    }

    #[test]
    fn refuses_old_formats_and_non_notebooks() {
        assert!(matches!(
            parse(b"{\"nbformat\": 3, \"worksheets\": []}"),
            Err(LoadError::OldFormat(_))
        ));
        let v5 = parse(b"{\"nbformat\": 5, \"cells\": []}").err().unwrap();
        assert!(matches!(v5, LoadError::NewFormat(_)), "{v5:?}");
        assert!(!v5.to_string().contains("ancien"), "{v5}");
        assert!(matches!(parse(b"[1, 2]"), Err(LoadError::NotNotebook(_))));
        assert!(matches!(parse(b"not json"), Err(LoadError::NotJson(_))));
        let missing = read_limited(Path::new("/nonexistent/ch7.ipynb"), 100).unwrap_err();
        assert!(matches!(missing, LoadError::NotFound), "{missing:?}");
        assert!(parse(b"not json")
            .err()
            .unwrap()
            .to_string()
            .contains("n'est pas du JSON valide (détail de serde_json : "));
    }

    #[test]
    fn set_source_splits_lines_like_jupyter() {
        let mut cell = serde_json::json!({"source": []});
        set_source(&mut cell, "a\nb\n\nc");
        assert_eq!(cell["source"], serde_json::json!(["a\n", "b\n", "\n", "c"]));
    }

    #[test]
    fn a_path_through_a_linked_directory_is_refused() {
        let dir = std::env::temp_dir().join(format!("grader-link-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("real")).unwrap();
        std::fs::write(dir.join("real/a.ipynb"), b"{}").unwrap();
        std::os::unix::fs::symlink(dir.join("real"), dir.join("evil")).unwrap();
        let through_link = read_limited(&dir.join("evil/a.ipynb"), 100);
        let direct = read_limited(&dir.join("real/a.ipynb"), 100);
        std::fs::remove_dir_all(&dir).unwrap();
        match through_link {
            Err(LoadError::NotRegular(why)) => assert!(why.contains("evil"), "{why}"),
            other => panic!("not refused: {other:?}"),
        }
        assert_eq!(direct.unwrap(), b"{}");
    }
}
