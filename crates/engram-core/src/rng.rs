//! Random streams: every stochastic component owns a `Pcg64` derived from
//! (experiment seed, component id, chunk id), so draws never depend on thread count or on
//! the order in which components run.

use rand_pcg::Pcg64;

/// The generator every component uses.
pub type RngStream = Pcg64;

/// SplitMix64 finaliser: spreads nearby seeds over the whole 64-bit range.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A stable 64-bit id for a component name (FNV-1a), so streams can be keyed by names
/// like `"E->I"` or `"odor_input"`.
///
/// ```
/// assert_eq!(engram_core::rng::component_id("E"), engram_core::rng::component_id("E"));
/// assert_ne!(engram_core::rng::component_id("E"), engram_core::rng::component_id("I"));
/// ```
pub fn component_id(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3))
}

/// The random stream of `(seed, component, chunk)`.
///
/// ```
/// use rand::Rng;
/// use engram_core::rng::{stream, component_id};
/// let mut a = stream(7, component_id("noise"), 0);
/// let mut b = stream(7, component_id("noise"), 0);
/// let mut c = stream(7, component_id("noise"), 1);
/// let (x, y, z): (u64, u64, u64) = (a.r#gen(), b.r#gen(), c.r#gen());
/// assert_eq!(x, y);
/// assert_ne!(x, z);
/// ```
pub fn stream(seed: u64, component: u64, chunk: u64) -> RngStream {
    let state = ((mix(seed) as u128) << 64) | mix(seed ^ mix(component)) as u128;
    let increment = ((mix(component) as u128) << 64) | mix(chunk.wrapping_add(0x5851_F42D_4C95_7F2D)) as u128;
    Pcg64::new(state, increment)
}
