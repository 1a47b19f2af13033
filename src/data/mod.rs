//! Feeding images to a network (course chapter 8): what
//! `torch.utils.data` and `torchvision.transforms` give the course.
//!
//! * [`Dataset`]: labelled images kept as `u8` until a batch is built
//!   (course 8.3.3); [`Subset`] and [`random_split`] for a validation set
//!   (8.1.1);
//! * transforms with PyTorch's names (8.2.3): [`ToTensor`], [`Normalize`],
//!   [`Lambda`], [`Compose`] (or the [`compose!`](crate::compose) macro);
//! * [`DataLoader`]: an epoch as batches of `(images, labels)`, shuffled with
//!   the crate's seeded generator (8.3.1–8.3.2);
//! * [`mean_std`] and [`full_batch`]: the whole set at once (8.2.2).
//!
//! The datasets themselves (MNIST, Fashion-MNIST, CIFAR-10) are in
//! [`crate::datasets`].
//!
//! ```
//! use apprentissage::prelude::*;
//!
//! // A stand-in for MNIST: 100 grey 28×28 images.
//! let pixels = (0..100 * 784).map(|k| (k % 251) as u8).collect();
//! let labels = (0..100).map(|i| i % 10).collect();
//! let train_set = ImageDataset::from_vec("Tiny", [1, 28, 28], pixels, labels)
//!     .transform(compose![ToTensor, Normalize::new(0.1307, 0.3081)]);
//! let loader = DataLoader::new(&train_set, 32).shuffle(true);
//! for (data, target) in &loader {
//!     assert_eq!(&data.shape()[1..], &[1, 28, 28]);
//!     assert_eq!(target.shape()[0], data.shape()[0]);
//! }
//! assert_eq!(loader.len(), 4);
//! ```

mod dataset;
mod loader;
mod stats;
mod table;
mod transforms;

pub use dataset::{random_split, Dataset, SplitLengths, Subset};
pub use loader::{Batches, DataLoader};
pub use stats::{full_batch, mean_std};
pub use table::PixelTable;
pub use transforms::{Compose, Lambda, Normalize, PerChannel, ToTensor, Transform};
