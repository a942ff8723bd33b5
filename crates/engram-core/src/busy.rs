//! Busy time per thread: what the engine's and the models' parallel work cost each thread,
//! so that a scaling benchmark can show load imbalance and waiting (off unless switched on).
//!
//! The engine wraps each piece of work it hands a thread (a chunk of neurons to advance, a
//! chunk of targets to deliver to, a sequential section) in [`timed`]; a model that advances
//! its neurons in chunks ([`NeuronModel::step_chunked`](crate::neuron::NeuronModel::step_chunked))
//! wraps each chunk. The time adds up in a counter of the thread that did the work, read
//! (and zeroed) with [`take_thread_s`] on that thread, e.g. on every thread of a rayon pool
//! with `pool.broadcast(|_| take_thread_s())`. Spans must not nest: wrap leaves of work only,
//! never a section that waits for other threads (the wait would count as busy).
//!
//! Switched off (the default) [`timed`] costs one relaxed atomic load.
//!
//! ```
//! use engram_core::busy;
//! busy::set_enabled(true);
//! let x = busy::timed(|| (0..100_000u64).map(|i| i * i).sum::<u64>());
//! assert!(x > 0);
//! assert!(busy::take_thread_s() > 0.0);
//! assert_eq!(busy::take_thread_s(), 0.0); // taking zeroes the counter
//! busy::set_enabled(false);
//! ```

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

static ENABLED: AtomicBool = AtomicBool::new(false);

thread_local! {
    static BUSY_NS: Cell<u64> = const { Cell::new(0) };
}

/// Switch the measurement on or off for all threads.
pub fn set_enabled(on: bool) {
    ENABLED.store(on, Ordering::Relaxed);
}

/// `true` while the measurement is on.
pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// Run `work`, adding its wall time to the calling thread's busy counter when the
/// measurement is on.
#[inline]
pub fn timed<R>(work: impl FnOnce() -> R) -> R {
    if !enabled() {
        return work();
    }
    let start = Instant::now();
    let result = work();
    let ns = start.elapsed().as_nanos() as u64;
    BUSY_NS.with(|b| b.set(b.get() + ns));
    result
}

/// The calling thread's busy seconds since the last call, and zero the counter.
pub fn take_thread_s() -> f64 {
    BUSY_NS.with(|b| b.replace(0)) as f64 * 1e-9
}
