//! Running a convolution over several images at once (used by [`conv2d`](super::conv2d)).
//!
//! The products of one image are small (32 × 75 × 784 for `Conv2d(3→32, 5×5)`
//! on 32×32 images): left to OpenBLAS, each would be split over its threads,
//! which then meet hundreds of times per call and wait for each other (and
//! much longer when another program uses a core). Instead, a batch is cut
//! into as many parts of consecutive images as OpenBLAS has threads
//! (`OPENBLAS_NUM_THREADS`, every core by default); each part is a task of
//! rayon's thread pool with its own buffers, and during the call OpenBLAS
//! computes each product on the thread that asks for it. Each part adds up
//! its own `∂L/∂W₂`; the parts' sums are added at the end. Measured on 2
//! cores, this is faster in every case than OpenBLAS's threads (LeNet-5
//! training step 5.7–8.3 ms instead of 9.6–11.2 ms, machine shared with
//! other jobs).
//!
//! Why a pool, and not a new thread per call: Linux often starts a new
//! thread on the core of the thread that created it and moves it only later.
//! Two parts of 0.31 ms each, one on a fresh thread and one on the caller,
//! took 0.62 ms (one after the other) in 18–22 calls out of 40; with a 1 ms
//! pause between calls, as between the layers of a network, in all 40. The
//! forward pass of the benchmark layer went from 3.1 ms or 6.2 ms (either,
//! call by call) to 2.6 ms. rayon's workers are started once and stay.
//!
//! # Two pools
//!
//! Other products (`matmul`, `Linear`) keep OpenBLAS's threads. After each
//! product these spin for about a tenth of a second before they sleep, so
//! that the next product finds them awake: a convolution that comes within
//! that time finds one core taken, and its forward pass took 5.2–5.8 ms
//! instead of 2.6–2.9 ms (the benchmark layer right after LeNet-5's
//! training; `OPENBLAS_THREAD_TIMEOUT=4`, which OpenBLAS reads only when it
//! loads, stops the spinning). They spin the same way for ~0.1 s after the
//! program starts: the first ten forward passes of a fresh program took
//! 6.1–7.3 ms, the next ones 3.1–3.3 ms (in 4 runs out of 10; the benchmarks
//! pause 0.3 s before measuring). Putting every product on rayon's pool instead
//! (OpenBLAS on one thread, large products cut in two) was measured too, and
//! is slower where it matters more: the MNIST MLP epoch took 0.50–0.55 s
//! instead of 0.35–0.38 s and LeNet-5's 3.2–3.7 s instead of 2.5–3.7 s, as
//! waking a sleeping rayon worker for each product of ~0.1 ms costs more
//! than OpenBLAS's awake threads. Keeping only the products below 4 million
//! multiply-adds off OpenBLAS's threads (LeNet-5's `Linear` layers) made no
//! measurable difference (LeNet-5 epoch 2.87–3.68 s against 3.04–3.47 s).
//!
//! A small convolution (below 4 million multiply-adds) stays on the calling
//! thread: handing work to another thread and waiting for it costs
//! microseconds. With `OPENBLAS_NUM_THREADS=1`, everything runs on one thread.

use std::os::raw::c_int;
use std::sync::Mutex;

use rayon::prelude::*;

extern "C" {
    // OpenBLAS's own thread settings (the crate links OpenBLAS, see lib.rs)
    fn openblas_get_num_threads() -> c_int;
    fn openblas_set_num_threads(threads: c_int);
}

/// Below this many multiply-adds (n·O·K·L), a convolution stays on one
/// thread: sharing it out would cost more than it saves.
const PARALLEL_MIN_MACS: usize = 4_000_000;

/// How many consecutive images each part of a batch gets: every image (one
/// part, on the calling thread) for a small convolution or when OpenBLAS is
/// asked for one thread (`OPENBLAS_NUM_THREADS=1`), otherwise an equal share
/// per thread. (Smaller parts, which a thread done early could take over from
/// a thread slowed by another program, were measured too: no faster when the
/// machine is quiet, no faster with a busy loop on one core — at 2–5 ms a
/// call, the scheduler's time slices decide.)
pub(crate) fn images_per_part(images: usize, macs: usize) -> usize {
    let images = images.max(1);
    if images < 2 || macs < PARALLEL_MIN_MACS {
        return images;
    }
    // SAFETY: a plain getter of OpenBLAS's configuration.
    let threads = unsafe { openblas_get_num_threads() }.max(1) as usize;
    images.div_ceil(threads)
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

/// `work(buffers, part)` for every part, in rayon's pool (one worker per
/// core, started once and kept), the results in the order of the parts. Each
/// worker makes its `buffers` with `init` once and reuses them from part to
/// part. One part runs on the calling thread. Meanwhile OpenBLAS computes
/// each product on the thread that asks for it, so that its own threads do
/// not compete with ours.
pub(crate) fn map_parts<T: Send, S, R: Send>(
    parts: Vec<T>,
    init: impl Fn() -> S + Sync + Send,
    work: impl Fn(&mut S, T) -> R + Sync + Send,
) -> Vec<R> {
    if parts.len() <= 1 {
        return parts.into_iter().map(|p| work(&mut init(), p)).collect();
    }
    let _single = SingleThreadedBlas::new();
    parts.into_par_iter().map_init(init, work).collect()
}
