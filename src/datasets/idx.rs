//! A reader of IDX files (the format of MNIST and Fashion-MNIST), plain or
//! gzip-compressed, that returns a [`DataError`] instead of panicking.
//!
//! An IDX file is a 4-byte magic number `0x000008DD` (`08`: unsigned bytes,
//! `DD`: number of dimensions), the dimensions as big-endian `u32`, then the
//! bytes, row-major.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use flate2::bufread::MultiGzDecoder;

use crate::datasets::error::DataError;

/// The content of an IDX file.
pub(crate) struct Idx {
    pub(crate) path: PathBuf,
    pub(crate) dims: Vec<usize>,
    pub(crate) data: Vec<u8>,
}

/// Largest number of bytes we accept in one file (4 GiB): beyond is a corrupt header.
const MAX_BYTES: u64 = 1 << 32;

/// `dir/name`, or `dir/name.gz` when only that exists. The error says the
/// directory is missing, or the file (under both names).
pub(crate) fn locate(dir: &Path, name: &str, hint: &'static str) -> Result<PathBuf, DataError> {
    check_dir(dir, hint)?;
    let plain = dir.join(name);
    if plain.exists() {
        return Ok(plain);
    }
    let gz = dir.join(format!("{name}.gz"));
    if gz.exists() {
        return Ok(gz);
    }
    Err(DataError::Missing {
        path: plain,
        kind: "file (nor a .gz copy)",
        hint,
    })
}

/// An error unless `dir` is an existing directory.
pub(crate) fn check_dir(dir: &Path, hint: &'static str) -> Result<(), DataError> {
    if dir.is_dir() {
        Ok(())
    } else {
        Err(DataError::Missing {
            path: dir.to_path_buf(),
            kind: "directory",
            hint,
        })
    }
}

/// Opens `path` for reading, as a [`DataError`] on failure.
pub(crate) fn open(path: &Path, hint: &'static str) -> Result<File, DataError> {
    File::open(path).map_err(|source| match source.kind() {
        io::ErrorKind::NotFound => DataError::Missing {
            path: path.to_path_buf(),
            kind: "file",
            hint,
        },
        _ => DataError::Io {
            path: path.to_path_buf(),
            source,
            hint,
        },
    })
}

/// Reads until `buf` is full or the input ends; returns the number of bytes read.
fn read_up_to(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(k) => filled += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Reads the IDX file `path` (gzip-compressed or not, recognised by its
/// content), which must have `ndims` dimensions.
pub(crate) fn read_idx(path: &Path, ndims: u8, hint: &'static str) -> Result<Idx, DataError> {
    let file = open(path, hint)?;
    let io_err = |source: io::Error| DataError::Io {
        path: path.to_path_buf(),
        source,
        hint,
    };
    let file_len = file.metadata().map_err(io_err)?.len();
    let mut buffered = BufReader::with_capacity(1 << 16, file);
    let gzipped = buffered
        .fill_buf()
        .map_err(io_err)?
        .starts_with(&[0x1f, 0x8b]);
    let mut reader: Box<dyn Read> = if gzipped {
        Box::new(MultiGzDecoder::new(buffered))
    } else {
        Box::new(buffered)
    };
    // A gzip stream cut short reports an "unexpected end of file": say it plainly.
    let read_err = |source: io::Error| {
        if gzipped && source.kind() == io::ErrorKind::UnexpectedEof {
            io_err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the gzip stream is truncated (incomplete copy?)",
            ))
        } else {
            io_err(source)
        }
    };

    let header_len = 4 + 4 * ndims as usize;
    let mut header = vec![0u8; header_len];
    let got = read_up_to(&mut reader, &mut header).map_err(read_err)?;
    let expected_magic = 0x0800 | ndims as u32;
    if got >= 4 {
        let magic = u32::from_be_bytes(header[..4].try_into().expect("4 bytes"));
        if magic != expected_magic {
            return Err(DataError::BadMagic {
                path: path.to_path_buf(),
                expected: expected_magic,
                found: magic,
                hint,
            });
        }
    }
    if got < header_len {
        return Err(DataError::WrongSize {
            path: path.to_path_buf(),
            expected: header_len as u64,
            found: got as u64,
            hint,
        });
    }
    let dims: Vec<usize> = header[4..]
        .chunks_exact(4)
        .map(|b| u32::from_be_bytes(b.try_into().expect("4 bytes")) as usize)
        .collect();
    let bad_header = |detail: String| DataError::BadHeader {
        path: path.to_path_buf(),
        detail,
        hint,
    };
    if dims[0] == 0 {
        return Err(bad_header(
            "the file holds no item (first dimension is 0)".into(),
        ));
    }
    if let Some(d) = dims[1..].iter().position(|&d| d == 0) {
        return Err(bad_header(format!(
            "dimension {} is 0 (dimensions {dims:?})",
            d + 1
        )));
    }
    let n = dims
        .iter()
        .try_fold(1u64, |acc, &d| acc.checked_mul(d as u64))
        .filter(|&n| n <= MAX_BYTES)
        .ok_or_else(|| bad_header(format!("dimensions {dims:?} are too large")))?;
    let expected = header_len as u64 + n;
    if !gzipped && file_len != expected {
        return Err(DataError::WrongSize {
            path: path.to_path_buf(),
            expected,
            found: file_len,
            hint,
        });
    }
    let mut data = Vec::with_capacity(n as usize);
    let got = (&mut reader)
        .take(n)
        .read_to_end(&mut data)
        .map_err(read_err)?;
    if (got as u64) < n {
        return Err(DataError::WrongSize {
            path: path.to_path_buf(),
            expected,
            found: header_len as u64 + got as u64,
            hint,
        });
    }
    let extra = io::copy(&mut reader, &mut io::sink()).map_err(read_err)?;
    if extra > 0 {
        return Err(DataError::WrongSize {
            path: path.to_path_buf(),
            expected,
            found: expected + extra,
            hint,
        });
    }
    Ok(Idx {
        path: path.to_path_buf(),
        dims,
        data,
    })
}
