//! The corpus's frame: where the files go, the per-run marker, the host paths a hostile cell
//! aims at, and the cases with their exact expected outcome per exercise.

use crate::common::{good, save, set_answer};
use serde_json::Value;
use std::path::{Path, PathBuf};

pub const G: &str = "2.4-gradient";
pub const S: &str = "9.1-softmax";

/// A right 2.4 body that shares no line with the reference answer (so that a leak check on
/// the reference's lines cannot be set off by the cell itself).
pub const RIGHT: &str = "    (x1 * (12.0 * x0 + 15.0 * x1), x0 * (6.0 * x0 + 30.0 * x1))";
/// A wrong 2.4 body: the check fails (FAIL) unless something forges a pass.
pub const WRONG: &str = "    (x0, x1)";
/// A right 9.1 body.
pub const RIGHT_S: &str = "    scores.softmax(1)";

pub fn gradient(body: &str) -> String {
    format!("fn gradient_f(x0: f32, x1: f32) -> (f32, f32) {{\n{body}\n}}\n")
}

pub fn softmax(body: &str) -> String {
    format!("fn softmax_lignes(scores: &Tensor) -> Tensor {{\n{body}\n}}\n")
}

/// What one run of the corpus needs to write its cells and check the host afterwards.
pub struct Ctx {
    /// Where the submissions are written.
    pub dir: PathBuf,
    pub root: PathBuf,
    /// Unique to this run: in every marker file name and every surviving process's argv.
    pub mark: String,
    pub home: PathBuf,
    /// `ip:port` addresses of the test's TCP listener (127.0.0.1 and the host's own address).
    pub addrs: Vec<String>,
    /// The name of the test's abstract Unix socket.
    pub abstract_name: String,
}

impl Ctx {
    fn slot(&self, n: usize) -> PathBuf {
        self.root.join(format!("target/grader/slots/w{n}"))
    }

    /// The check binaries of the first slots (a tamperer aims at every one of them).
    pub fn binaries(&self) -> Vec<String> {
        (0..4)
            .map(|n| {
                self.slot(n)
                    .join(format!("target/debug/run-checks-w{n}"))
                    .display()
                    .to_string()
            })
            .collect()
    }

    /// Host paths where a marker file would land if a cell could write outside its scratch.
    pub fn host_paths(&self) -> Vec<PathBuf> {
        let name = format!("{}-w", self.mark);
        let mut dirs: Vec<PathBuf> = vec![
            "/tmp".into(),
            "/var/tmp".into(),
            "/dev/shm".into(),
            self.home.clone(),
            self.dir.clone(),
            self.root.clone(),
        ];
        for sub in [
            "solutions",
            "notebooks",
            "grader/checks",
            "data",
            "target",
            "target/grader",
            "target/grader/slots",
            "target/grader/base",
            "target/grader/reference",
        ] {
            dirs.push(self.root.join(sub));
        }
        for n in 0..4 {
            for sub in ["", "src", "scratch", "target/debug"] {
                dirs.push(self.slot(n).join(sub));
            }
        }
        let mut paths: Vec<PathBuf> = dirs.iter().map(|d| d.join(&name)).collect();
        paths.extend(
            self.binaries()
                .iter()
                .map(|b| PathBuf::from(format!("{b}.{}", self.mark))),
        );
        paths.push(format!("/tmp/{}-plant.rs", self.mark).into());
        paths
    }

    /// Directories scanned (not recursively) for any entry whose name holds the marker.
    pub fn scanned_dirs(&self) -> Vec<PathBuf> {
        let mut d: Vec<PathBuf> = self
            .host_paths()
            .iter()
            .filter_map(|p| p.parent().map(Path::to_path_buf))
            .collect();
        d.sort();
        d.dedup();
        d
    }

    /// Prefixes of host paths that no cell may write under (in the sandbox they are absent or
    /// read-only; `/tmp` and `/dev/shm` are the sandbox's own and are checked from outside).
    fn guarded(&self) -> Vec<String> {
        [&self.root, &self.home, &self.dir]
            .iter()
            .map(|p| p.display().to_string())
            .collect()
    }

    /// Fills a cell template: `@MARK@`, `@ROOT@`, `@HOME@`, `@PATHS@` (Rust array of the host
    /// paths), `@GUARDED@`, `@BINARIES@`, `@ADDRS@`, `@ABSTRACT@`.
    pub fn fill(&self, template: &str) -> String {
        let list = |v: Vec<String>| format!("{v:?}");
        template
            .replace(
                "@PATHS@",
                &list(
                    self.host_paths()
                        .iter()
                        .map(|p| p.display().to_string())
                        .collect(),
                ),
            )
            .replace("@GUARDED@", &list(self.guarded()))
            .replace("@BINARIES@", &list(self.binaries()))
            .replace("@ADDRS@", &list(self.addrs.clone()))
            .replace("@ABSTRACT@", &self.abstract_name)
            .replace("@MARK@", &self.mark)
            .replace("@ROOT@", &self.root.display().to_string())
            .replace("@HOME@", &self.home.display().to_string())
    }
}

/// One submission and what its report must say.
pub struct Case {
    pub name: String,
    /// The path given to the grader.
    pub path: PathBuf,
    /// Outcomes of 2.4 and 9.1.
    pub expect: (&'static str, &'static str),
    /// Texts the report (its strings, decoded) must contain.
    pub says: Vec<String>,
    /// Texts it must not contain.
    pub never: Vec<String>,
}

pub struct Corpus {
    pub ctx: Ctx,
    pub cases: Vec<Case>,
}

impl Corpus {
    pub fn new(ctx: Ctx) -> Corpus {
        Corpus {
            ctx,
            cases: Vec::new(),
        }
    }

    /// A case for a file already in place.
    pub fn file(&mut self, name: &str, path: PathBuf, expect: (&'static str, &'static str)) {
        self.cases.push(Case {
            name: name.to_string(),
            path,
            expect,
            says: Vec::new(),
            never: Vec::new(),
        });
    }

    pub fn notebook(&mut self, name: &str, nb: &Value, expect: (&'static str, &'static str)) {
        let path = self.ctx.dir.join(format!("{name}.ipynb"));
        save(nb, &path);
        self.file(name, path, expect);
    }

    /// `good()` with the 2.4 cell's whole source replaced by the filled `template`.
    pub fn g(&mut self, name: &str, template: &str, expect: (&'static str, &'static str)) {
        let mut nb = good();
        set_answer(&mut nb, G, &self.ctx.fill(template));
        self.notebook(name, &nb, expect);
    }

    /// `good()` with the 9.1 cell's whole source replaced by the filled `template`.
    pub fn s(&mut self, name: &str, template: &str, expect: (&'static str, &'static str)) {
        let mut nb = good();
        set_answer(&mut nb, S, &self.ctx.fill(template));
        self.notebook(name, &nb, expect);
    }

    /// The last case's report must contain `text`.
    pub fn says(&mut self, text: &str) {
        self.cases.last_mut().unwrap().says.push(text.to_string());
    }

    /// The last case's report must not contain `text`.
    pub fn never(&mut self, text: &str) {
        self.cases.last_mut().unwrap().never.push(text.to_string());
    }
}
