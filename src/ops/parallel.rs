//! Running a convolution over several images at once (used by [`super::conv`]).
//!
//! The products of one image are small (32 × 75 × 784 for `Conv2d(3→32, 5×5)` on 32×32 images):
//! left to OpenBLAS, each would be split over its threads, which then meet
//! hundreds of times per call and wait for each other (and much longer when
//! another program uses a core). Instead, a batch is cut into as many runs of
//! consecutive images as OpenBLAS has threads (`OPENBLAS_NUM_THREADS`, every
//! core by default); each run is a task of rayon's thread pool with its own
//! buffers, and during the call OpenBLAS computes each product on the thread
//! that asks for it. Each run adds up its own `∂L/∂W₂`; the runs' sums are
//! added at the end. Measured on 2 cores, this is faster in every case than
//! OpenBLAS's threads (LeNet-5 training step 5.7–8.3 ms instead of 9.6–11.2
//! ms, machine shared with other jobs).
//!
//! Why a pool, and not a new thread per call: Linux often starts a new
//! thread on the core of the thread that created it and moves it only later.
//! Two runs of 0.31 ms each, one on a fresh thread and one on the caller,
//! took 0.62 ms (one after the other) in 18–22 calls out of 40; with a 1 ms
//! pause between calls, as between the layers of a network, in all 40. The
//! forward pass of the benchmark layer went from 3.1 ms or 6.2 ms (either, call
//! by call) to 2.6 ms. rayon's workers are started once and stay on their cores.
//!
//! A small convolution (below 4 million multiply-adds) stays on the calling
//! thread: handing work to another thread and waiting for it costs
//! microseconds. With `OPENBLAS_NUM_THREADS=1`, everything runs on one thread.

use std::os::raw::c_int;
use std::sync::Mutex;

extern "C" {
    // OpenBLAS's own thread settings (the crate links OpenBLAS, see lib.rs)
    fn openblas_get_num_threads() -> c_int;
    fn openblas_set_num_threads(threads: c_int);
}

/// Below this many multiply-adds (n·O·K·L), a convolution stays on one
/// thread: sharing it out would cost more than it saves.
const PARALLEL_MIN_MACS: usize = 4_000_000;

/// How many runs of images to split a batch into: OpenBLAS's thread count
/// (`OPENBLAS_NUM_THREADS`, every core by default), at most one run per
/// image, and one run for a small convolution.
pub(crate) fn runs_for(images: usize, macs: usize) -> usize {
    if images < 2 || macs < PARALLEL_MIN_MACS {
        return 1;
    }
    // SAFETY: a plain getter of OpenBLAS's configuration.
    let threads = unsafe { openblas_get_num_threads() };
    (threads.max(1) as usize).min(images)
}

/// While alive, OpenBLAS computes every product on the thread that asks for
/// it. Several convolutions may overlap (e.g. tests running in parallel): the
/// first one saves OpenBLAS's thread count, the last one puts it back, even
/// after a panic.
struct SingleThreadedBlas;

/// (number of live `SingleThreadedBlas`, OpenBLAS's thread count before the first)
static SINGLE_THREADED_BLAS: Mutex<(usize, c_int)> = Mutex::new((0, 0));

impl SingleThreadedBlas {
    fn new() -> SingleThreadedBlas {
        let mut state = SINGLE_THREADED_BLAS
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if state.0 == 0 {
            // SAFETY: OpenBLAS's documented getter and setter.
            state.1 = unsafe { openblas_get_num_threads() };
            unsafe { openblas_set_num_threads(1) };
        }
        state.0 += 1;
        SingleThreadedBlas
    }
}

impl Drop for SingleThreadedBlas {
    fn drop(&mut self) {
        let mut state = SINGLE_THREADED_BLAS
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        state.0 -= 1;
        if state.0 == 0 {
            // SAFETY: OpenBLAS's documented setter, with the value it gave us.
            unsafe { openblas_set_num_threads(state.1) };
        }
    }
}

/// Runs `work` on every part, each as a task of rayon's pool (one worker
/// per core, started once and kept): the calling thread waits for them.
/// Meanwhile OpenBLAS computes each product on the thread that asks for it,
/// so that its own threads do not compete with ours.
pub(crate) fn in_parallel<T: Send>(parts: Vec<T>, work: impl Fn(T) + Sync) {
    if parts.len() <= 1 {
        parts.into_iter().for_each(work);
        return;
    }
    let _single = SingleThreadedBlas::new();
    rayon::scope(|scope| {
        for part in parts {
            let work = &work;
            scope.spawn(move |_| work(part));
        }
    });
}
