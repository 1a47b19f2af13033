//! Class 8 of the corpus: input paths that are not regular files (no notebook to build):
//! each is refused with a French reason and 0 points, without being opened for long.

use super::corpus::Corpus;
use std::os::unix::fs::symlink;
use std::path::PathBuf;

const MISSING: (&str, &str) = ("MISSING", "MISSING");

pub fn input_paths(c: &mut Corpus) {
    let root = c.ctx.root.clone();
    let dir = c.ctx.dir.clone();

    let link = dir.join("link_to_solution.ipynb");
    symlink(root.join("solutions/demo.ipynb"), &link).unwrap();
    c.file("symlink_to_solution", link, MISSING);
    c.says("lien symbolique");

    // The final component is a regular file; a directory on the way is a link.
    let evil = dir.join("evil_dir");
    symlink(root.join("solutions"), &evil).unwrap();
    c.file("linked_directory", evil.join("demo.ipynb"), MISSING);
    c.says("lien symbolique");
    let evil_root = dir.join("evil_root");
    symlink(&root, &evil_root).unwrap();
    c.file(
        "linked_repository",
        evil_root.join("solutions/demo.ipynb"),
        MISSING,
    );
    c.says("lien symbolique");

    let fifo = dir.join("fifo.ipynb");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    c.file("fifo", fifo, MISSING);
    c.says("tube nommé");

    let zero = dir.join("zero.ipynb");
    symlink("/dev/zero", &zero).unwrap();
    c.file("link_to_dev_zero", zero, MISSING);
    c.says("lien symbolique");
    c.file("dev_zero", PathBuf::from("/dev/zero"), MISSING);
    c.says("périphérique");

    let directory = dir.join("directory.ipynb");
    std::fs::create_dir(&directory).unwrap();
    c.file("directory", directory, MISSING);
    c.says("répertoire");

    let socket = dir.join("socket.ipynb");
    drop(std::os::unix::net::UnixListener::bind(&socket).unwrap());
    c.file("socket", socket, MISSING);
    c.says("socket");
}
