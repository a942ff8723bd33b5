//! A process-wide request to stop the run (SIGINT, SIGTERM): [`Network::run_steps`] checks it
//! after every complete step and returns [`EngramError::Interrupted`] with the simulated time
//! reached; [`Network::run_ms_with`] then flushes and finishes the monitors, so every streamed
//! file is complete up to that time.
//!
//! The request is one atomic number: 0 for none, else the signal's number. This crate installs
//! no signal handler; a binary registers [`flag`] with its own, e.g. with `signal-hook`:
//!
//! ```text
//! signal_hook::flag::register_usize(signal_hook::consts::SIGINT, engram_sim::interrupt::flag(), 2)?;
//! signal_hook::flag::register_usize(signal_hook::consts::SIGTERM, engram_sim::interrupt::flag(), 15)?;
//! ```
//!
//! The request stays set after the run returns (so that an outer loop of trials stops too)
//! until [`clear`] is called.
//!
//! ```
//! use engram_sim::interrupt;
//! interrupt::request(15);
//! assert_eq!(interrupt::requested(), Some("SIGTERM"));
//! interrupt::clear();
//! assert_eq!(interrupt::requested(), None);
//! ```
//!
//! [`Network::run_steps`]: crate::Network::run_steps
//! [`Network::run_ms_with`]: crate::Network::run_ms_with
//! [`EngramError::Interrupted`]: engram_core::error::EngramError::Interrupted

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

static FLAG: LazyLock<Arc<AtomicUsize>> = LazyLock::new(|| Arc::new(AtomicUsize::new(0)));

/// The request itself, for a signal handler to set: 0 = none, else the signal's number.
/// Every call returns the same `Arc`.
pub fn flag() -> Arc<AtomicUsize> {
    Arc::clone(&FLAG)
}

/// The flag as a plain reference, for the loop (one relaxed load per step).
pub(crate) fn flag_ref() -> &'static AtomicUsize {
    &FLAG
}

/// Ask the running network to stop after its current step, as signal number `signal` would
/// (2 = SIGINT, 15 = SIGTERM). `request(0)` is the same as [`clear`].
pub fn request(signal: usize) {
    FLAG.store(signal, Ordering::Relaxed);
}

/// The name of the requested signal (`"SIGINT"`, `"SIGTERM"`, `"signal N"`), or `None`.
pub fn requested() -> Option<&'static str> {
    name(FLAG.load(Ordering::Relaxed))
}

/// Withdraw the request.
pub fn clear() {
    FLAG.store(0, Ordering::Relaxed);
}

/// The name of signal number `signal` (`None` for 0). Names of uncommon numbers are made
/// once per number and kept.
pub(crate) fn name(signal: usize) -> Option<&'static str> {
    static OTHERS: LazyLock<Mutex<HashMap<usize, &'static str>>> = LazyLock::new(Default::default);
    Some(match signal {
        0 => return None,
        2 => "SIGINT",
        15 => "SIGTERM",
        n => {
            let mut others = OTHERS.lock().unwrap_or_else(|e| e.into_inner());
            others.entry(n).or_insert_with(|| Box::leak(format!("signal {n}").into_boxed_str()))
        }
    })
}
