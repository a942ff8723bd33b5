//! proptest strategies for downstream property tests (feature `proptest`): the basic values
//! every simulation draws (step size, seed, connection probability).
//!
//! `engram-testkit` builds on these: it re-exports them from `engram_testkit::strategies`
//! beside strategies for the parameters of every model, rule, stimulus and connection rule,
//! and for small random networks (which take their step, seed and connection probabilities
//! from here).
//!
//! ```
//! use engram_core::proptest::{dt_ms, probability};
//! use engram_core::time::Clock;
//! use proptest::prelude::*;
//!
//! proptest! {
//!     // in a test file: #[test]
//!     fn every_step_makes_a_clock(dt in dt_ms(), p in probability()) {
//!         prop_assert!(Clock::new(dt).is_ok());
//!         prop_assert!(p > 0.0 && p <= 0.5);
//!     }
//! }
//! # fn main() { every_step_makes_a_clock(); }
//! ```

use proptest::prelude::*;

/// Step sizes in ms that the library's models accept (0.01–0.2 ms).
pub fn dt_ms() -> impl Strategy<Value = f64> {
    (1u32..=20).prop_map(|k| k as f64 * 0.01)
}

/// Seeds.
pub fn seed() -> impl Strategy<Value = u64> {
    any::<u64>()
}

/// Connection probabilities in (0, 0.5].
pub fn probability() -> impl Strategy<Value = f64> {
    (1u32..=500).prop_map(|k| k as f64 / 1000.0)
}
