//! Reads what the instructor downloaded: Moodle's « Download all submissions » archive (a zip,
//! or the folder it unpacks to) or a plain folder of `login.ipynb` / `login/chN.ipynb`, and
//! groups the files by participant.
//!
//! Moodle's layout (mod/assign/classes/downloader.php, `get_student_prefix` and
//! `load_submissionplugin_filelist`): one folder per participant and submission plugin, named
//! `<full name>_<participant id>_assignsubmission_file` (Moodle ≥ 4.1; earlier versions add a
//! trailing `_`), underscores of the name replaced by spaces; with « download as folders » off,
//! the same prefix, then `_`, then the file's name, all at the top level. The participant id is
//! the assignment's unique id (`get_uniqueid_for_user`), the one the worksheet and the feedback
//! zip use. Some sites prefix the user name (`login_Full Name_id_…`): the id is read as the
//! field just before the plugin's subtype, so both parse.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

/// One participant and the files of their submission.
#[derive(Clone, Debug)]
pub struct Participant {
    /// Stable key in the gradebook: `moodle-<id>` or the login of a plain folder.
    pub key: String,
    pub moodle_id: Option<u64>,
    pub name: String,
    /// Notebooks (`.ipynb`), path inside the participant's folder → contents (or why unreadable).
    pub notebooks: BTreeMap<String, Content>,
    /// Every other file they handed in (names only).
    pub others: Vec<String>,
}

/// `(name, participant id, rest)` of a Moodle folder or file name, e.g.
/// `Jean Dupont_12345_assignsubmission_file_` → `("Jean Dupont", 12345, "")`.
pub fn moodle_prefix(part: &str) -> Option<(String, u64, String)> {
    let fields: Vec<&str> = part.split('_').collect();
    (1..fields.len().saturating_sub(2)).find_map(|i| {
        let id = fields[i];
        let numeric = !id.is_empty() && id.len() < 19 && id.bytes().all(|b| b.is_ascii_digit());
        (numeric && fields[i + 1].starts_with("assign") && !fields[i + 2].is_empty()).then(|| {
            (
                fields[..i].join("_"),
                id.parse().unwrap_or(0),
                fields[i + 3..].join("_"),
            )
        })
    })
}

/// At most this many files in a download (a class is a few hundred participants).
const MAX_ENTRIES: usize = 100_000;

/// Only notebooks are read; other files are listed by name.
fn is_notebook(path: &str) -> bool {
    path.to_lowercase().ends_with(".ipynb")
}

fn hidden(component: &str) -> bool {
    component.starts_with('.') || component.starts_with('~') || component == "__MACOSX"
}

/// A file's contents, or why it was not read (French).
pub type Content = Result<Vec<u8>, String>;

/// Every file under `source` (a zip or a folder): path with `/` separators → contents.
fn files(source: &Path, max_bytes: u64) -> Result<Vec<(String, Content)>, String> {
    let meta =
        std::fs::symlink_metadata(source).map_err(|e| format!("{}: {e}", source.display()))?;
    let mut out = Vec::new();
    if meta.is_dir() {
        walk(source, "", 0, max_bytes, &mut out)?;
    } else {
        let file = std::fs::File::open(source).map_err(|e| format!("{}: {e}", source.display()))?;
        let mut zip = zip::ZipArchive::new(file)
            .map_err(|e| format!("{} : archive zip illisible ({e})", source.display()))?;
        for i in 0..zip.len() {
            let mut entry = match zip.by_index(i) {
                Ok(e) => e,
                Err(e) => return Err(format!("{} : entrée {i} illisible ({e})", source.display())),
            };
            if entry.is_dir() {
                continue;
            }
            let absolute = entry.name().map_or(true, |n| {
                n.starts_with(['/', '\\']) || n.get(1..2) == Some(":")
            });
            let Some(name) = entry.enclosed_name().filter(|_| !absolute) else {
                continue; // an absolute or `..` path: not part of a download
            };
            let name = name.to_string_lossy().replace('\\', "/");
            if out.len() >= MAX_ENTRIES {
                return Err(format!(
                    "{} : plus de {MAX_ENTRIES} fichiers",
                    source.display()
                ));
            }
            let content = if !is_notebook(&name) {
                Ok(Vec::new()) // only its name is used
            } else if entry.size() > max_bytes {
                Err(format!(
                    "fichier refusé (plus de {} Mo)",
                    max_bytes / 1_000_000
                ))
            } else {
                let mut bytes = Vec::new();
                match (&mut entry).take(max_bytes + 1).read_to_end(&mut bytes) {
                    Ok(_) if bytes.len() as u64 > max_bytes => Err(format!(
                        "fichier refusé (plus de {} Mo)",
                        max_bytes / 1_000_000
                    )),
                    Ok(_) => Ok(bytes),
                    Err(e) => Err(format!("fichier illisible dans l'archive ({e})")),
                }
            };
            out.push((name, content));
        }
    }
    Ok(out)
}

fn walk(
    dir: &Path,
    prefix: &str,
    depth: usize,
    max_bytes: u64,
    out: &mut Vec<(String, Content)>,
) -> Result<(), String> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        let rel = format!("{prefix}{name}");
        let Ok(meta) = std::fs::symlink_metadata(e.path()) else {
            continue;
        };
        if meta.is_dir() && depth < 4 {
            walk(&e.path(), &format!("{rel}/"), depth + 1, max_bytes, out)?;
        } else if meta.is_file() {
            if out.len() >= MAX_ENTRIES {
                return Err(format!(
                    "{} : plus de {MAX_ENTRIES} fichiers",
                    dir.display()
                ));
            }
            let content = if !is_notebook(&rel) {
                Ok(Vec::new()) // only its name is used
            } else if meta.len() > max_bytes {
                Err(format!(
                    "fichier refusé (plus de {} Mo)",
                    max_bytes / 1_000_000
                ))
            } else {
                std::fs::read(e.path()).map_err(|e| format!("fichier illisible ({e})"))
            };
            out.push((rel, content));
        } else {
            out.push((rel, Err("refusé (pas un fichier ordinaire)".into())));
        }
    }
    Ok(())
}

/// The participants of `source`, in the order of their names.
pub fn read(source: &Path, max_bytes: u64) -> Result<Vec<Participant>, String> {
    let mut all = files(source, max_bytes)?;
    all.retain(|(path, _)| !path.split('/').any(hidden));
    // A folder that wraps Moodle's folders (the zip unpacked into `download/`): look inside.
    let first_is_moodle = |p: &str| moodle_prefix(p.split('/').next().unwrap_or("")).is_some();
    if !all.iter().any(|(p, _)| first_is_moodle(p))
        && all.iter().any(|(p, _)| {
            p.split_once('/')
                .is_some_and(|(_, rest)| first_is_moodle(rest))
        })
    {
        all = all
            .into_iter()
            .filter_map(|(p, c)| p.split_once('/').map(|(_, rest)| (rest.to_string(), c)))
            .collect();
    }
    let mut by_key: BTreeMap<String, Participant> = BTreeMap::new();
    for (path, content) in all {
        let (first, rest) = match path.split_once('/') {
            Some((f, r)) => (f.to_string(), Some(r.to_string())),
            None => (path.clone(), None),
        };
        let (key, moodle_id, name, inner) = match moodle_prefix(&first) {
            Some((name, id, tail)) => {
                let inner = match rest {
                    Some(r) if tail.is_empty() => r,
                    Some(r) => format!("{tail}/{r}"),
                    None => tail,
                };
                (format!("moodle-{id}"), Some(id), name, inner)
            }
            None => match rest {
                Some(r) => (first.clone(), None, first.clone(), r),
                None => {
                    let login = first.strip_suffix(".ipynb").unwrap_or(&first).to_string();
                    (login.clone(), None, login, first.clone())
                }
            },
        };
        let p = by_key.entry(key.clone()).or_insert_with(|| Participant {
            key,
            moodle_id,
            name,
            notebooks: BTreeMap::new(),
            others: Vec::new(),
        });
        if is_notebook(&inner) {
            p.notebooks.insert(inner, content);
        } else if !inner.is_empty() {
            p.others.push(inner);
        }
    }
    let mut list: Vec<Participant> = by_key.into_values().collect();
    list.sort_by(|a, b| (a.name.to_lowercase(), &a.key).cmp(&(b.name.to_lowercase(), &b.key)));
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moodle_folder_names() {
        assert_eq!(
            moodle_prefix("Jean Dupont_12345_assignsubmission_file_"),
            Some(("Jean Dupont".into(), 12345, "".into()))
        );
        assert_eq!(
            moodle_prefix("Zoé Ñúñez_7_assignsubmission_file"),
            Some(("Zoé Ñúñez".into(), 7, "".into()))
        );
        assert_eq!(
            moodle_prefix("jdupont_Jean Dupont_12_assignsubmission_file_ch1.ipynb"),
            Some(("jdupont_Jean Dupont".into(), 12, "ch1.ipynb".into()))
        );
        assert_eq!(moodle_prefix("alice"), None);
        assert_eq!(moodle_prefix("alice_2024_notes"), None);
    }

    #[test]
    fn a_zip_is_grouped_by_participant_and_escaping_paths_are_ignored() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("download.zip");
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
        let opts = zip::write::SimpleFileOptions::default();
        for (name, body) in [
            ("Zoé Ñúñez_7_assignsubmission_file/demo.ipynb", "{}"),
            (
                "Zoé Ñúñez_7_assignsubmission_onlinetext/onlinetext.html",
                "<p>",
            ),
            ("Jean Dupont_8_assignsubmission_file_/a/b.ipynb", "x"),
            (
                "__MACOSX/Jean Dupont_8_assignsubmission_file_/._b.ipynb",
                "x",
            ),
            ("../evil.ipynb", "x"),
            ("/abs.ipynb", "x"),
        ] {
            zip.start_file(name, opts).unwrap();
            zip.write_all(body.as_bytes()).unwrap();
        }
        zip.finish().unwrap();
        let people = read(&path, 1000).unwrap();
        let summary: Vec<String> = people
            .iter()
            .map(|p| {
                let nbs: Vec<&str> = p.notebooks.keys().map(String::as_str).collect();
                format!("{} {:?} {nbs:?} {:?}", p.name, p.moodle_id, p.others)
            })
            .collect();
        assert_eq!(
            summary,
            [
                "Jean Dupont Some(8) [\"a/b.ipynb\"] []",
                "Zoé Ñúñez Some(7) [\"demo.ipynb\"] [\"onlinetext.html\"]",
            ]
        );
    }
}
