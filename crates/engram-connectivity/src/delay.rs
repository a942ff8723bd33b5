//! Synaptic delays: distributions in ms, sampled per synapse as whole steps (at least one).

use engram_core::error::ParamError;
use engram_core::params::{Params, non_negative};
use engram_core::rng::{RngStream, stream};

use crate::pattern::OmittedEntries;
use engram_core::time::Clock;
use rand::Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Synapses per random stream when sampling delays. Fixed, so the result does not depend on
/// the thread count.
pub const DELAYS_PER_CHUNK: usize = 1 << 16;

/// Chunk ids of delay streams start here (`stream(seed, stream_id, DELAY_CHUNK_BASE + c)`), so
/// that a projection's delays can use the same `(seed, stream_id)` as its connectivity
/// without reusing a stream.
pub const DELAY_CHUNK_BASE: u64 = 1 << 63;

/// The distribution of synaptic delays of a projection.
///
/// In RON: `Constant(ms: 1.5)` or `Uniform(min_ms: 0.5, max_ms: 3.0)`.
///
/// Conversion to steps: a delay of `d` ms becomes `round(d / dt)` steps (halves away from
/// zero), and at least 1 step. For `Uniform`, `d` is drawn from the continuous uniform
/// distribution on `[min_ms, max_ms)` and then rounded, so the two end steps get about half
/// the weight of the inner ones (as with NEST's rounding of delays to the grid).
///
/// ```
/// use engram_connectivity::DelayDistribution;
/// use engram_core::time::Clock;
/// let clock = Clock::new(0.1).unwrap();
/// let d = DelayDistribution::Uniform { min_ms: 1.0, max_ms: 2.0 };
/// let steps = d.sample_steps(1000, &clock, 42, 7);
/// assert!(steps.iter().all(|&s| (10..=20).contains(&s)));
/// assert_eq!(DelayDistribution::Constant { ms: 0.0 }.sample_steps(3, &clock, 0, 0), vec![1, 1, 1]);
/// assert_eq!(d.max_steps(&clock), 20);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum DelayDistribution {
    /// The same delay for every synapse.
    Constant {
        /// Delay in ms (≥ 0).
        ms: f64,
    },
    /// Uniform on `[min_ms, max_ms)`.
    Uniform {
        /// Smallest delay in ms (≥ 0).
        min_ms: f64,
        /// Largest delay in ms (≥ `min_ms`).
        max_ms: f64,
    },
}

impl Default for DelayDistribution {
    /// One step at any `dt`: `Constant(ms: 0)` (rounded up to the one-step minimum).
    fn default() -> Self {
        Self::Constant { ms: 0.0 }
    }
}

impl Params for DelayDistribution {
    fn validate(&self) -> Result<(), ParamError> {
        match *self {
            Self::Constant { ms } => non_negative("ms", ms),
            Self::Uniform { min_ms, max_ms } => {
                non_negative("min_ms", min_ms)?;
                non_negative("max_ms", max_ms)?;
                if max_ms < min_ms {
                    return Err(ParamError::new("max_ms", max_ms, format!("a number >= min_ms = {min_ms}")));
                }
                Ok(())
            }
        }
    }
}

/// `round(ms / dt)`, at least 1.
fn to_steps(ms: f64, dt_ms: f64) -> u32 {
    ((ms / dt_ms).round() as u32).max(1)
}

impl DelayDistribution {
    /// One delay in steps per synapse (in CSR order, for `n_synapses` stored synapses; a
    /// synapse of multiplicity 2 has one delay). Synapse chunk `c` of [`DELAYS_PER_CHUNK`]
    /// draws from `stream(seed, stream_id, DELAY_CHUNK_BASE + c)`, in parallel.
    ///
    /// Call [`Params::validate`] first: invalid values (negative, NaN) give 1-step delays.
    pub fn sample_steps(&self, n_synapses: usize, clock: &Clock, seed: u64, stream_id: u64) -> Vec<u32> {
        let dt = clock.dt_ms();
        match *self {
            Self::Constant { ms } => vec![to_steps(ms, dt); n_synapses],
            Self::Uniform { min_ms, max_ms } => {
                let mut steps = vec![0u32; n_synapses];
                steps.par_chunks_mut(DELAYS_PER_CHUNK).enumerate().for_each(|(c, chunk)| {
                    let mut rng = stream(seed, stream_id, DELAY_CHUNK_BASE + c as u64);
                    for s in chunk {
                        let u: f64 = rng.r#gen();
                        *s = to_steps(min_ms + (max_ms - min_ms) * u, dt);
                    }
                });
                steps
            }
        }
    }

    /// [`sample_steps`](Self::sample_steps) for a pattern restricted to some targets
    /// ([`Connectivity::restrict_targets`](crate::Connectivity::restrict_targets),
    /// [`ConnectSpec::connect_onto`](crate::ConnectSpec::connect_onto)): the delays the whole
    /// pattern's synapses would get, for the kept ones only (`part_indptr`: the restricted
    /// matrix's row pointers; `omitted`: what each row left out). Each stream jumps over the
    /// draws of the synapses left out, so the work and the memory are the kept synapses'.
    ///
    /// ```
    /// use engram_connectivity::{ConnectSpec, DelayDistribution, Rule};
    /// use engram_core::time::Clock;
    /// let clock = Clock::new(0.1).unwrap();
    /// let d = DelayDistribution::Uniform { min_ms: 0.5, max_ms: 3.0 };
    /// let spec = ConnectSpec::new(Rule::FixedProbability { p: 0.2 });
    /// let whole = spec.connect_populations(50, 60, false, 1, 2).unwrap();
    /// let (part, omitted) = spec.connect_onto(50, 60, false, 1, 2, 20..40).unwrap();
    /// let all = d.sample_steps(whole.n_entries(), &clock, 1, 2);
    /// let mine = d.sample_steps_onto(part.matrix().indptr().raw_storage(), &omitted, &clock, 1, 2);
    /// let expected: Vec<u32> = omitted.whole_indices(part.matrix().indptr().raw_storage()).map(|k| all[k]).collect();
    /// assert_eq!(mine, expected);
    /// ```
    pub fn sample_steps_onto(
        &self,
        part_indptr: &[usize],
        omitted: &OmittedEntries,
        clock: &Clock,
        seed: u64,
        stream_id: u64,
    ) -> Vec<u32> {
        let dt = clock.dt_ms();
        let n_kept = part_indptr.last().copied().unwrap_or(0);
        match *self {
            Self::Constant { ms } => vec![to_steps(ms, dt); n_kept],
            Self::Uniform { min_ms, max_ms } => {
                let mut steps = Vec::with_capacity(n_kept);
                // the stream of the current chunk, positioned before synapse `next` of it
                let mut current: Option<(usize, RngStream, usize)> = None;
                for k in omitted.whole_indices(part_indptr) {
                    let (c, at) = (k / DELAYS_PER_CHUNK, k % DELAYS_PER_CHUNK);
                    let (_, rng, next) = match &mut current {
                        Some(s) if s.0 == c && s.2 <= at => s,
                        _ => current.insert((c, stream(seed, stream_id, DELAY_CHUNK_BASE + c as u64), 0)),
                    };
                    // one 64-bit output per uniform draw
                    rng.advance((at - *next) as u128);
                    let u: f64 = rng.r#gen();
                    *next = at + 1;
                    steps.push(to_steps(min_ms + (max_ms - min_ms) * u, dt));
                }
                steps
            }
        }
    }

    /// The longest delay this distribution can give, in steps (for sizing delay buffers).
    pub fn max_steps(&self, clock: &Clock) -> u32 {
        match *self {
            Self::Constant { ms } => to_steps(ms, clock.dt_ms()),
            Self::Uniform { max_ms, .. } => to_steps(max_ms, clock.dt_ms()),
        }
    }

    /// The shortest delay this distribution can give, in steps.
    pub fn min_steps(&self, clock: &Clock) -> u32 {
        match *self {
            Self::Constant { ms } => to_steps(ms, clock.dt_ms()),
            Self::Uniform { min_ms, .. } => to_steps(min_ms, clock.dt_ms()),
        }
    }
}
