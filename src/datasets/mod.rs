//! The course's datasets, read from local files into [`ImageDataset`]s:
//! [`Mnist`] (chapters 8–9), [`FashionMnist`], [`Cifar10`] (chapter 10) and
//! its offline fallback. `scripts/setup.sh` puts the files in place (`make
//! data`); no loader touches the network.
//!
//! Reading never panics on bad files: a missing directory or file, a truncated
//! or corrupt file, a wrong magic number, an image/label count mismatch or a
//! label out of range is a [`DataError`] that names the file, says what is
//! wrong and what to do.
//!
//! The normalisation constants (course 8.2.2: mean and standard deviation of
//! each channel over the whole training set, on the [0, 1] scale of
//! `ToTensor`) are given below; [`mean_std`](crate::data::mean_std)
//! recomputes them, and the tests check them against the data when it is there.
//!
//! ```
//! use apprentissage::prelude::*;
//! match Mnist::load("data/mnist", Split::Train) {
//!     Ok(train_set) => {
//!         let train_set = train_set.transform(compose![ToTensor, Normalize::new(MNIST_MEAN, MNIST_STD)]);
//!         let loader = DataLoader::new(&train_set, 64).shuffle(true);
//!         assert_eq!(loader.len(), 938);
//!     }
//!     Err(e) => eprintln!("{e}"), // "data/mnist: directory not found. Run `make data` …"
//! }
//! ```

mod cifar10;
mod error;
pub mod fixtures;
mod idx;
mod image_set;
mod mnist;
#[cfg(test)]
mod tests;

pub use cifar10::Cifar10;
pub use error::DataError;
pub use image_set::{ImageDataset, Split};
pub use mnist::{FashionMnist, Mnist};

/// Mean of MNIST's training pixels on the [0, 1] scale (course 8.2.3: `moy`).
///
/// ```
/// use apprentissage::prelude::*;
/// // transforms.Compose([transforms.ToTensor(), transforms.Normalize(moy, dev)])
/// let trs = compose![ToTensor, Normalize::new(MNIST_MEAN, MNIST_STD)];
/// assert!((trs.apply(0.1307 * 255.0, 0)).abs() < 1e-6);
/// ```
pub const MNIST_MEAN: f32 = 0.1307;
/// Standard deviation of MNIST's training pixels on the [0, 1] scale (`dev`).
pub const MNIST_STD: f32 = 0.3081;

/// Mean of Fashion-MNIST's training pixels on the [0, 1] scale.
pub const FASHION_MNIST_MEAN: f32 = 0.2860;
/// Standard deviation of Fashion-MNIST's training pixels on the [0, 1] scale.
pub const FASHION_MNIST_STD: f32 = 0.3530;

/// Mean of each channel (red, green, blue) of CIFAR-10's training pixels.
///
/// ```
/// use apprentissage::prelude::*;
/// let trs = compose![ToTensor, Normalize::new(CIFAR10_MEAN, CIFAR10_STD)];
/// assert_eq!(trs.to_string().lines().nth(2).unwrap(),
///     "    Normalize(mean=(0.4914, 0.4822, 0.4465), std=(0.247, 0.2435, 0.2616))");
/// ```
pub const CIFAR10_MEAN: [f32; 3] = [0.4914, 0.4822, 0.4465];
/// Standard deviation of each channel of CIFAR-10's training pixels (over
/// all pixels, not the average of each image's deviation: 0.2470, not the
/// 0.2023 found in many examples).
pub const CIFAR10_STD: [f32; 3] = [0.2470, 0.2435, 0.2616];

/// Mean of each channel of the CIFAR-10 fallback ([`Cifar10::fallback`]):
/// Fashion-MNIST padded to 32×32, so darker than Fashion-MNIST.
pub const CIFAR10_FALLBACK_MEAN: [f32; 3] = [0.2190; 3];
/// Standard deviation of each channel of the CIFAR-10 fallback.
pub const CIFAR10_FALLBACK_STD: [f32; 3] = [0.3318; 3];
