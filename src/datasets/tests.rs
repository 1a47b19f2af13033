//! Loader tests on generated fixtures (every error case), and checks against
//! the real datasets that are skipped when their files are absent.

use std::fs;
use std::path::{Path, PathBuf};

use super::fixtures::{
    cifar_batch_bytes, fake_label, fake_pixel, idx_bytes, write_cifar10, write_file, write_mnist,
    TempDir,
};
use super::*;
use crate::data::{full_batch, mean_std, DataLoader, Dataset, ToTensor};

fn fixture(label: &str, n: usize, gz: bool) -> TempDir {
    let dir = TempDir::new(label);
    write_mnist(dir.path(), Split::Train, n, gz).unwrap();
    write_mnist(dir.path(), Split::Test, n / 2, gz).unwrap();
    dir
}

fn load_err(dir: &Path) -> DataError {
    match Mnist::load(dir, Split::Train) {
        Ok(_) => panic!("loading {} should have failed", dir.display()),
        Err(e) => e,
    }
}

/// The message names `file` (a path ending) and says `what`, and tells what to do.
fn assert_message(err: &DataError, file: &str, what: &str) {
    let text = err.to_string();
    assert!(
        text.contains(file),
        "the message should name {file}: {text}"
    );
    assert!(
        text.contains(what),
        "the message should say {what:?}: {text}"
    );
    assert!(
        text.contains("make data"),
        "the message should say what to do: {text}"
    );
}

#[test]
fn reads_plain_and_gzip_files() {
    for gz in [false, true] {
        let dir = fixture("mnist-ok", 12, gz);
        let train = Mnist::load(dir.path(), Split::Train).unwrap();
        let test = Mnist::load(dir.path(), Split::Test).unwrap();
        assert_eq!((train.len(), test.len()), (12, 6));
        assert_eq!(train.image_shape(), [1, 28, 28]);
        assert_eq!(train.classes().len(), 10);
        for i in [0, 5, 11] {
            let (image, label) = train.get(i);
            assert_eq!(label, fake_label(i) as usize);
            assert_eq!(image[[0, 3, 4]], fake_pixel(i, 3 * 28 + 4));
        }
        assert_eq!(
            train.to_string(),
            format!(
                "Dataset MNIST\n    Number of datapoints: 12\n    Root location: {}\n    Split: Train",
                dir.path().display()
            )
        );
        let n = train.normalize();
        assert_eq!((n.mean(), n.std()), (&[MNIST_MEAN][..], &[MNIST_STD][..]));
    }
}

#[test]
fn missing_directory_and_files() {
    let err = load_err(Path::new("/nonexistent/apprentissage/mnist"));
    assert!(err.is_missing());
    assert_message(
        &err,
        "/nonexistent/apprentissage/mnist",
        "directory not found",
    );

    let dir = fixture("mnist-missing", 4, false);
    fs::remove_file(dir.path().join("train-labels-idx1-ubyte")).unwrap();
    let err = load_err(dir.path());
    assert!(err.is_missing());
    assert_message(
        &err,
        "train-labels-idx1-ubyte",
        "file (nor a .gz copy) not found",
    );
    // The test split is still fine.
    assert!(Mnist::load(dir.path(), Split::Test).is_ok());
}

#[test]
fn truncated_files() {
    for gz in [false, true] {
        let dir = TempDir::new("mnist-truncated");
        write_mnist(dir.path(), Split::Train, 3, false).unwrap();
        let images = dir.path().join("train-images-idx3-ubyte");
        let bytes = fs::read(&images).unwrap();
        fs::remove_file(&images).unwrap();
        write_file(&images, &bytes[..bytes.len() - 100], gz).unwrap();
        let err = load_err(dir.path());
        assert!(
            matches!(
                err,
                DataError::WrongSize {
                    expected: 2368,
                    found: 2268,
                    ..
                }
            ),
            "{err:?}"
        );
        assert_message(
            &err,
            "train-images-idx3-ubyte",
            "truncated: 2368 bytes expected, 2268 found",
        );

        // Cut inside the header.
        fs::remove_file(err.path()).unwrap();
        write_file(&images, &bytes[..10], gz).unwrap();
        let err = load_err(dir.path());
        assert_message(
            &err,
            "train-images-idx3-ubyte",
            "truncated: 16 bytes expected, 10 found",
        );
    }
}

#[test]
fn a_gzip_stream_cut_short_is_an_error() {
    let dir = TempDir::new("mnist-gz-cut");
    write_mnist(dir.path(), Split::Train, 3, true).unwrap();
    let images = dir.path().join("train-images-idx3-ubyte.gz");
    let bytes = fs::read(&images).unwrap();
    fs::write(&images, &bytes[..bytes.len() / 2]).unwrap();
    let err = load_err(dir.path());
    assert!(matches!(err, DataError::Io { .. }), "{err:?}");
    assert_message(
        &err,
        "train-images-idx3-ubyte.gz",
        "gzip stream is truncated",
    );
}

#[test]
fn trailing_bytes() {
    let dir = fixture("mnist-long", 3, false);
    let labels = dir.path().join("train-labels-idx1-ubyte");
    let mut bytes = fs::read(&labels).unwrap();
    bytes.extend_from_slice(&[0, 0]);
    fs::write(&labels, &bytes).unwrap();
    let err = load_err(dir.path());
    assert_message(
        &err,
        "train-labels-idx1-ubyte",
        "longer than expected: 11 bytes expected, 13 found",
    );
}

#[test]
fn wrong_magic_numbers() {
    let dir = fixture("mnist-magic", 3, false);
    // Labels where images are expected: magic 0x801 instead of 0x803.
    fs::copy(
        dir.path().join("train-labels-idx1-ubyte"),
        dir.path().join("train-images-idx3-ubyte"),
    )
    .unwrap();
    let err = load_err(dir.path());
    assert!(
        matches!(
            err,
            DataError::BadMagic {
                expected: 0x803,
                found: 0x801,
                ..
            }
        ),
        "{err:?}"
    );
    assert_message(
        &err,
        "train-images-idx3-ubyte",
        "wrong magic number 0x00000801, expected 0x00000803",
    );
    // Not an IDX file at all (an HTML error page, say).
    fs::write(
        dir.path().join("train-images-idx3-ubyte"),
        b"<html>404</html>",
    )
    .unwrap();
    assert_message(
        &load_err(dir.path()),
        "train-images-idx3-ubyte",
        "wrong magic number 0x3c68746d",
    );
}

#[test]
fn bad_headers() {
    let dir = fixture("mnist-header", 3, false);
    let images = dir.path().join("train-images-idx3-ubyte");
    fs::write(&images, idx_bytes(&[0, 28, 28], &[])).unwrap();
    assert_message(
        &load_err(dir.path()),
        "train-images-idx3-ubyte",
        "holds no item",
    );
    fs::write(&images, idx_bytes(&[3, 0, 28], &[])).unwrap();
    assert_message(
        &load_err(dir.path()),
        "train-images-idx3-ubyte",
        "dimension 1 is 0",
    );
    fs::write(&images, idx_bytes(&[u32::MAX, u32::MAX, 28], &[])).unwrap();
    assert_message(
        &load_err(dir.path()),
        "train-images-idx3-ubyte",
        "too large",
    );
}

#[test]
fn image_label_count_mismatch() {
    let dir = fixture("mnist-count", 4, false);
    write_file(
        &dir.path().join("train-labels-idx1-ubyte"),
        &idx_bytes(&[3], &[1, 2, 3]),
        false,
    )
    .unwrap();
    let err = load_err(dir.path());
    assert!(
        matches!(
            err,
            DataError::CountMismatch {
                n_images: 4,
                n_labels: 3,
                ..
            }
        ),
        "{err:?}"
    );
    assert_message(
        &err,
        "train-images-idx3-ubyte holds 4 images but",
        "train-labels-idx1-ubyte holds 3 labels",
    );
}

#[test]
fn label_out_of_range() {
    let dir = fixture("mnist-label", 4, true);
    fs::remove_file(dir.path().join("train-labels-idx1-ubyte.gz")).unwrap();
    write_file(
        &dir.path().join("train-labels-idx1-ubyte"),
        &idx_bytes(&[4], &[1, 2, 10, 3]),
        false,
    )
    .unwrap();
    let err = load_err(dir.path());
    assert!(
        matches!(
            err,
            DataError::LabelOutOfRange {
                index: 2,
                label: 10,
                ..
            }
        ),
        "{err:?}"
    );
    assert_message(
        &err,
        "train-labels-idx1-ubyte",
        "label 10 of item 2 is out of range (labels go from 0 to 9)",
    );
}

#[test]
fn fashion_mnist_names_its_own_remedy() {
    let dir = TempDir::new("fashion");
    write_mnist(dir.path(), Split::Test, 5, true).unwrap();
    let ds = FashionMnist::load(dir.path(), Split::Test).unwrap();
    assert_eq!(
        (ds.name(), ds.len(), ds.classes()[9].as_str()),
        ("FashionMNIST", 5, "Ankle boot")
    );
    let err = FashionMnist::load(dir.path(), Split::Train).unwrap_err();
    assert!(
        err.to_string().contains("scripts/setup.sh fashion"),
        "{err}"
    );
}

fn cifar_err(dir: &Path) -> String {
    let err = Cifar10::load(dir, Split::Train).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("scripts/setup.sh cifar"), "{text}");
    text
}

#[test]
fn cifar10_reads_records_in_order() {
    let dir = TempDir::new("cifar-ok");
    write_cifar10(dir.path(), 3).unwrap();
    let train = Cifar10::load(dir.path(), Split::Train).unwrap();
    assert_eq!((train.len(), train.image_shape()), (15, [3, 32, 32]));
    let (image, label) = train.get(7); // second record of data_batch_3
    assert_eq!(label, fake_label(7) as usize);
    assert_eq!(image[[2, 31, 30]], fake_pixel(7, 2 * 1024 + 31 * 32 + 30));
    assert_eq!(train.classes()[0], "airplane");
    assert_eq!(Cifar10::load(dir.path(), Split::Test).unwrap().len(), 3);
    let (mean, std) = (
        train.normalize().mean().to_vec(),
        train.normalize().std().to_vec(),
    );
    assert_eq!((mean, std), (CIFAR10_MEAN.to_vec(), CIFAR10_STD.to_vec()));
}

#[test]
fn cifar10_errors() {
    let text = cifar_err(Path::new("/nonexistent/cifar"));
    assert!(
        text.starts_with("/nonexistent/cifar: directory not found."),
        "{text}"
    );

    let dir = TempDir::new("cifar-bad");
    write_cifar10(dir.path(), 2).unwrap();
    let batch = dir.path().join("data_batch_4.bin");
    fs::remove_file(&batch).unwrap();
    assert!(cifar_err(dir.path()).contains("data_batch_4.bin: file not found"));

    let bytes = cifar_batch_bytes(0, 2);
    fs::write(&batch, &bytes[..bytes.len() - 1]).unwrap();
    assert!(cifar_err(dir.path())
        .contains("data_batch_4.bin: truncated: 6146 bytes expected, 6145 found"));
    fs::write(&batch, b"").unwrap();
    assert!(cifar_err(dir.path())
        .contains("data_batch_4.bin: truncated: 30730000 bytes expected, 0 found"));

    let mut bad = bytes.clone();
    bad[3073] = 10;
    fs::write(&batch, &bad).unwrap();
    assert!(cifar_err(dir.path()).contains("data_batch_4.bin: label 10 of item 1 is out of range"));
}

#[test]
fn cifar10_fallback_is_fashion_mnist_padded_to_3x32x32() {
    let fashion = TempDir::new("fallback-fashion");
    write_mnist(fashion.path(), Split::Train, 4, true).unwrap();
    let ds =
        Cifar10::load_or_fallback_from("/nonexistent/cifar", fashion.path(), Split::Train).unwrap();
    assert_eq!(
        (ds.name(), ds.len(), ds.image_shape()),
        ("FashionMNIST", 4, [3, 32, 32])
    );
    let data = ds.data();
    for c in 0..3 {
        for (y, x) in [(0, 0), (1, 31), (31, 5), (2, 1), (30, 30)] {
            assert_eq!(data[[1, c, y, x]], 0, "padding at ({y}, {x})");
        }
        assert_eq!(data[[1, c, 2, 2]], fake_pixel(1, 0));
        assert_eq!(data[[1, c, 29, 29]], fake_pixel(1, 783));
        assert_eq!(data[[1, c, 10, 7]], fake_pixel(1, 8 * 28 + 5));
    }
    assert!(
        ds.to_string()
            .contains("Padded to 3×32×32: offline fallback for CIFAR-10"),
        "{ds}"
    );
    assert_eq!(ds.normalize().mean(), &CIFAR10_FALLBACK_MEAN);

    // CIFAR present: no fallback. CIFAR damaged: an error, not a silent fallback.
    let cifar = TempDir::new("fallback-cifar");
    write_cifar10(cifar.path(), 1).unwrap();
    let ds = Cifar10::load_or_fallback_from(cifar.path(), fashion.path(), Split::Train).unwrap();
    assert_eq!(ds.name(), "CIFAR10");
    fs::write(cifar.path().join("data_batch_1.bin"), b"short").unwrap();
    assert!(Cifar10::load_or_fallback_from(cifar.path(), fashion.path(), Split::Train).is_err());
    // Neither dataset: the error is about Fashion-MNIST and says how to get it.
    let err =
        Cifar10::load_or_fallback_from("/nonexistent/cifar", "/nonexistent/fashion", Split::Test)
            .unwrap_err();
    assert!(
        err.to_string().contains("scripts/setup.sh fashion"),
        "{err}"
    );
}

// ----------------------------------------------------------------- real data

/// `dir` when its files are there (else prints why the test is skipped).
fn real(dir: PathBuf, file: &str) -> Option<PathBuf> {
    if dir.join(file).exists() || dir.join(format!("{file}.gz")).exists() {
        Some(dir)
    } else {
        eprintln!("skipped: {} not present", dir.join(file).display());
        None
    }
}

fn repo_data(sub: &str) -> PathBuf {
    let base = std::env::var_os("APPRENTISSAGE_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("data"));
    base.join(sub)
}

fn assert_stats(ds: &ImageDataset, mean: &[f32], std: &[f32]) {
    let (m, s) = mean_std(&ds.clone().transform(ToTensor));
    println!("{}: mean {m:?} std {s:?}", ds.name());
    for c in 0..m.len() {
        assert!(
            (m[c] - mean[c]).abs() < 5e-5,
            "{}: mean {m:?}, constant {mean:?}",
            ds.name()
        );
        assert!(
            (s[c] - std[c]).abs() < 5e-5,
            "{}: std {s:?}, constant {std:?}",
            ds.name()
        );
    }
}

#[test]
fn real_mnist_has_the_published_statistics() {
    let Some(dir) = real(repo_data("mnist"), "train-images-idx3-ubyte") else {
        return;
    };
    let train = Mnist::load(&dir, Split::Train).unwrap();
    let test = Mnist::load(&dir, Split::Test).unwrap();
    assert_eq!(
        (train.len(), test.len(), train.image_shape()),
        (60_000, 10_000, [1, 28, 28])
    );
    assert_stats(&train, &[MNIST_MEAN], &[MNIST_STD]);
    let (x, y) = full_batch(&test.transform(ToTensor));
    assert_eq!(
        (x.shape(), y.shape()),
        (vec![10_000, 1, 28, 28], vec![10_000])
    );
    assert_eq!(DataLoader::new(&train, 64).len(), 938);
}

#[test]
fn real_fashion_mnist_and_its_fallback_have_their_statistics() {
    let Some(dir) = real(
        PathBuf::from(FashionMnist::DEFAULT_DIR),
        "train-images-idx3-ubyte",
    ) else {
        return;
    };
    let train = FashionMnist::load(&dir, Split::Train).unwrap();
    assert_eq!(
        (
            train.len(),
            FashionMnist::load(&dir, Split::Test).unwrap().len()
        ),
        (60_000, 10_000)
    );
    assert_stats(&train, &[FASHION_MNIST_MEAN], &[FASHION_MNIST_STD]);
    let fallback = Cifar10::fallback(&dir, Split::Train).unwrap();
    assert_stats(&fallback, &CIFAR10_FALLBACK_MEAN, &CIFAR10_FALLBACK_STD);
}

#[test]
fn real_cifar10_has_the_published_statistics() {
    let Some(dir) = real(repo_data("cifar-10-batches-bin"), "data_batch_1.bin") else {
        return;
    };
    let train = Cifar10::load(&dir, Split::Train).unwrap();
    assert_eq!(
        (train.len(), Cifar10::load(&dir, Split::Test).unwrap().len()),
        (50_000, 10_000)
    );
    assert_stats(&train, &CIFAR10_MEAN, &CIFAR10_STD);
}
