//! [`DataError`]: why a dataset could not be loaded, and what to do about it.

use std::error::Error;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// A dataset file that is missing or not what it should be. Every variant
/// names the file; its message ends with what to do (`hint`, e.g. "run
/// `make data`").
///
/// ```
/// use apprentissage::prelude::*;
/// let err = Mnist::load("/nonexistent/mnist", Split::Train).unwrap_err();
/// assert!(matches!(err, DataError::Missing { .. }));
/// assert!(err.to_string().contains("/nonexistent/mnist"));
/// assert!(err.to_string().contains("make data"));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum DataError {
    /// A directory or file that does not exist.
    Missing {
        /// What is missing.
        path: PathBuf,
        /// "directory" or "file".
        kind: &'static str,
        /// What to do.
        hint: &'static str,
    },
    /// A file that exists but cannot be read (permissions, corrupt gzip…).
    Io {
        /// The file.
        path: PathBuf,
        /// The system's or the decompressor's error.
        source: io::Error,
        /// What to do.
        hint: &'static str,
    },
    /// A file shorter or longer than its header (or format) says.
    WrongSize {
        /// The file.
        path: PathBuf,
        /// Size in bytes the header announces (or the format requires).
        expected: u64,
        /// Size found (for a gzip file, of its decompressed content).
        found: u64,
        /// What to do.
        hint: &'static str,
    },
    /// A file that does not start with the expected magic number.
    BadMagic {
        /// The file.
        path: PathBuf,
        /// The magic number of this kind of file.
        expected: u32,
        /// The first four bytes found.
        found: u32,
        /// What to do.
        hint: &'static str,
    },
    /// A header whose dimensions make no sense (zero images, absurd sizes…).
    BadHeader {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
        /// What to do.
        hint: &'static str,
    },
    /// An image file and a label file that do not hold the same number of items.
    CountMismatch {
        /// The image file.
        images: PathBuf,
        /// How many images it holds.
        n_images: usize,
        /// The label file.
        labels: PathBuf,
        /// How many labels it holds.
        n_labels: usize,
        /// What to do.
        hint: &'static str,
    },
    /// A label that is not one of the dataset's classes.
    LabelOutOfRange {
        /// The file.
        path: PathBuf,
        /// Position of the item in the file.
        index: usize,
        /// The label found.
        label: usize,
        /// The number of classes (labels run from 0 to `classes − 1`).
        classes: usize,
        /// What to do.
        hint: &'static str,
    },
}

impl DataError {
    /// The file (or directory) the error is about; the image file for a
    /// [`DataError::CountMismatch`].
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let err = Mnist::load("/nonexistent", Split::Test).unwrap_err();
    /// assert_eq!(err.path(), std::path::Path::new("/nonexistent"));
    /// ```
    pub fn path(&self) -> &Path {
        match self {
            DataError::Missing { path, .. }
            | DataError::Io { path, .. }
            | DataError::WrongSize { path, .. }
            | DataError::BadMagic { path, .. }
            | DataError::BadHeader { path, .. }
            | DataError::LabelOutOfRange { path, .. } => path,
            DataError::CountMismatch { images, .. } => images,
        }
    }

    /// What to do about it.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let err = Cifar10::load("/nonexistent", Split::Test).unwrap_err();
    /// assert!(err.hint().contains("scripts/setup.sh cifar"));
    /// ```
    pub fn hint(&self) -> &'static str {
        match self {
            DataError::Missing { hint, .. }
            | DataError::Io { hint, .. }
            | DataError::WrongSize { hint, .. }
            | DataError::BadMagic { hint, .. }
            | DataError::BadHeader { hint, .. }
            | DataError::CountMismatch { hint, .. }
            | DataError::LabelOutOfRange { hint, .. } => hint,
        }
    }

    /// True for a missing directory or file (as opposed to a damaged one).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// assert!(Mnist::load("/nonexistent", Split::Test).unwrap_err().is_missing());
    /// ```
    pub fn is_missing(&self) -> bool {
        matches!(self, DataError::Missing { .. })
    }
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DataError::Missing { path, kind, .. } => {
                write!(f, "{}: {kind} not found", path.display())
            }
            DataError::Io { path, source, .. } => {
                write!(f, "{}: cannot read it: {source}", path.display())
            }
            DataError::WrongSize {
                path,
                expected,
                found,
                ..
            } => {
                let what = if found < expected {
                    "truncated"
                } else {
                    "longer than expected"
                };
                write!(
                    f,
                    "{}: {what}: {expected} bytes expected, {found} found",
                    path.display()
                )
            }
            DataError::BadMagic {
                path,
                expected,
                found,
                ..
            } => write!(
                f,
                "{}: wrong magic number {found:#010x}, expected {expected:#010x} (not a file of this kind, or corrupted)",
                path.display()
            ),
            DataError::BadHeader { path, detail, .. } => {
                write!(f, "{}: bad header: {detail}", path.display())
            }
            DataError::CountMismatch {
                images,
                n_images,
                labels,
                n_labels,
                ..
            } => write!(
                f,
                "{} holds {n_images} images but {} holds {n_labels} labels",
                images.display(),
                labels.display()
            ),
            DataError::LabelOutOfRange {
                path,
                index,
                label,
                classes,
                ..
            } => write!(
                f,
                "{}: label {label} of item {index} is out of range (labels go from 0 to {})",
                path.display(),
                classes - 1
            ),
        }?;
        write!(f, ". {}", self.hint())
    }
}

impl Error for DataError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            DataError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_file_say_what_is_wrong_and_what_to_do() {
        let hint = "Run `make data`";
        let p = PathBuf::from("data/mnist/train-labels-idx1-ubyte");
        let cases = [
            (
                DataError::WrongSize { path: p.clone(), expected: 60_008, found: 100, hint },
                "data/mnist/train-labels-idx1-ubyte: truncated: 60008 bytes expected, 100 found. Run `make data`",
            ),
            (
                DataError::WrongSize { path: p.clone(), expected: 8, found: 9, hint },
                "data/mnist/train-labels-idx1-ubyte: longer than expected: 8 bytes expected, 9 found. Run `make data`",
            ),
            (
                DataError::BadMagic { path: p.clone(), expected: 0x801, found: 0x803, hint },
                "data/mnist/train-labels-idx1-ubyte: wrong magic number 0x00000803, expected 0x00000801 (not a file of this kind, or corrupted). Run `make data`",
            ),
            (
                DataError::LabelOutOfRange { path: p.clone(), index: 3, label: 12, classes: 10, hint },
                "data/mnist/train-labels-idx1-ubyte: label 12 of item 3 is out of range (labels go from 0 to 9). Run `make data`",
            ),
        ];
        for (err, text) in cases {
            assert_eq!(err.to_string(), text);
            assert_eq!(err.path(), p);
        }
        let io = DataError::Io {
            path: p,
            source: io::Error::other("boom"),
            hint,
        };
        assert!(io.source().is_some());
    }
}
