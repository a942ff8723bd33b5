//! proptest strategies for downstream property tests (feature `proptest`).

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
