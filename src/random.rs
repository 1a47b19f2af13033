//! The crate's random number generator, seeded like PyTorch's.
//!
//! One generator for the whole process (not per thread: the evcxr kernel may
//! run each notebook cell on a new thread, and `manual_seed` in one cell must
//! still govern `Tensor::rand` in the next). It starts from a fixed seed, so a
//! program that never calls [`manual_seed`] is still reproducible.
//!
//! ```
//! use apprentissage::prelude::*;
//! manual_seed(7);
//! let a = Tensor::rand(&[3]).to_vec();
//! manual_seed(7);
//! assert_eq!(a, Tensor::rand(&[3]).to_vec());
//! ```

use std::sync::{Mutex, MutexGuard};

use ndarray::{ArrayD, IxDyn};
use ndarray_rand::rand::rngs::StdRng;
use ndarray_rand::rand::SeedableRng;
use ndarray_rand::rand_distr::{Normal, Uniform};
use ndarray_rand::RandomExt;

/// The generator's seed when the program never calls [`manual_seed`]
/// (PyTorch's default seed, for the fun of it).
pub const DEFAULT_SEED: u64 = 67_280_421_310_721;

static GENERATOR: Mutex<Option<StdRng>> = Mutex::new(None);

/// Re-seeds the crate's generator, like `torch.manual_seed(seed)`: every
/// random tensor, weight initialisation and shuffle after this call is the
/// same from one run to the next.
pub fn manual_seed(seed: u64) {
    *lock() = Some(StdRng::seed_from_u64(seed));
}

fn lock() -> MutexGuard<'static, Option<StdRng>> {
    // A panic while the lock was held cannot leave a generator half-updated
    // in a way that matters, so a poisoned lock is simply taken back.
    GENERATOR
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Runs `f` with the crate's generator (for code that needs raw random numbers,
/// e.g. a shuffle).
///
/// ```
/// use apprentissage::random::with_rng;
/// use ndarray_rand::rand::Rng;
/// let x: f32 = with_rng(|rng| rng.random());
/// assert!((0.0..1.0).contains(&x));
/// ```
pub fn with_rng<R>(f: impl FnOnce(&mut StdRng) -> R) -> R {
    let mut guard = lock();
    let rng = guard.get_or_insert_with(|| StdRng::seed_from_u64(DEFAULT_SEED));
    f(rng)
}

/// Values drawn uniformly in `[low, high)`.
pub fn uniform(shape: &[usize], low: f32, high: f32) -> ArrayD<f32> {
    let dist = Uniform::new(low, high).unwrap_or_else(|e| {
        panic!("uniform: cannot draw from [{low}, {high}): {e}");
    });
    with_rng(|rng| ArrayD::random_using(IxDyn(shape), dist, rng))
}

/// Values drawn from a normal law of the given mean and standard deviation.
pub fn normal(shape: &[usize], mean: f32, std: f32) -> ArrayD<f32> {
    let dist = Normal::new(mean, std).unwrap_or_else(|e| {
        panic!("normal: invalid standard deviation {std}: {e}");
    });
    with_rng(|rng| ArrayD::random_using(IxDyn(shape), dist, rng))
}

/// A private generator for tests that must not depend on, or disturb, the
/// shared one (tests run in parallel threads).
#[cfg(test)]
pub(crate) fn test_array(shape: &[usize], seed: u64) -> ArrayD<f32> {
    let mut rng = StdRng::seed_from_u64(seed);
    ArrayD::random_using(IxDyn(shape), Uniform::new(-1.0f32, 1.0).unwrap(), &mut rng)
}

/// [`test_array`] as a leaf tensor.
#[cfg(test)]
pub(crate) fn test_tensor(shape: &[usize], seed: u64) -> crate::tensor::Tensor {
    crate::tensor::Tensor::from_array(test_array(shape, seed))
}

/// Serialises the tests that re-seed the shared generator and check exact values.
#[cfg(test)]
pub(crate) static SEED_LOCK: Mutex<()> = Mutex::new(());
