//! Out-degree balancing (Meissner-Bernard et al. 2025, Dp model): presynaptic neurons whose
//! out-degree is far from the mean hand connections to, or take them from, other presynaptic
//! neurons, keeping every postsynaptic in-degree exactly.

use crate::edit::RowEditor;
use crate::pattern::{Connectivity, Constraints};
use engram_core::error::ParamError;
use engram_core::params::{Params, non_negative};
use engram_core::rng::{RngStream, stream};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// The chunk id of the random stream balancing draws from: `stream(seed, stream_id,
/// BALANCE_CHUNK)`. Generators use chunks `0, 1, ...`, so one `(seed, stream_id)` per projection
/// can serve both without reusing a stream.
pub const BALANCE_CHUNK: u64 = u64::MAX;

/// Out-degree balancing parameters, as fractions of the mean out-degree.
///
/// The Dp reference code uses trigger 0.03 / target 0.03 for E→E and I→I, and trigger 0.05 /
/// target 0.03 for the other pathways (the default).
///
/// ```
/// use engram_connectivity::OutDegreeBalancing;
/// use engram_core::params::Params;
/// let b: OutDegreeBalancing = engram_core::config::from_ron_str(
///     "(trigger_fraction: 0.05, target_fraction: 0.03)", "<inline>").unwrap();
/// assert_eq!(b, OutDegreeBalancing::default());
/// assert_eq!(OutDegreeBalancing { trigger_fraction: -1.0, target_fraction: 0.0 }
///     .validate().unwrap_err().field, "trigger_fraction");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutDegreeBalancing {
    /// A presynaptic neuron is balanced when `|d − mean| ≥ trigger_fraction · mean`.
    pub trigger_fraction: f64,
    /// ... until `|d − mean| ≤ target_fraction · mean` (see [`Connectivity::balance_out_degrees`]).
    pub target_fraction: f64,
}

impl Default for OutDegreeBalancing {
    fn default() -> Self {
        Self { trigger_fraction: 0.05, target_fraction: 0.03 }
    }
}

impl Params for OutDegreeBalancing {
    fn validate(&self) -> Result<(), ParamError> {
        non_negative("trigger_fraction", self.trigger_fraction)?;
        non_negative("target_fraction", self.target_fraction)
    }
}

/// What [`Connectivity::balance_out_degrees`] did.
#[derive(Clone, Debug, PartialEq)]
pub struct BalanceReport {
    /// Mean out-degree (counting multiplicity); balancing does not change it.
    pub mean_out_degree: f64,
    /// The target band `(lo, hi)`, inclusive, in connections.
    pub target_band: (u32, u32),
    /// Number of presynaptic neurons that deviated by at least the trigger.
    pub triggered: usize,
    /// Number of connection units moved from one presynaptic neuron to another.
    pub moved: u64,
    /// Triggered neurons that could not be brought into the band (0 unless the pattern is so
    /// dense that no allowed move exists).
    pub unresolved: usize,
}

/// Random picks from a pool before falling back to a full scan of all neurons.
const RANDOM_ATTEMPTS: usize = 32;

impl Connectivity {
    /// Balance out-degrees, as in the Dp model (docs/models/dp.md#connectivity): every presynaptic
    /// neuron whose out-degree `d` (counting multiplicity) deviates from the mean `m` by
    /// `|d − m| ≥ trigger_fraction · m` is brought into the target band `lo ..= hi`, where
    /// `lo`/`hi` are the smallest/largest whole numbers within `target_fraction · m` of `m`
    /// (widened to `floor(m)` / `ceil(m)` if that leaves no room).
    ///
    /// Rather than deleting outputs of one neuron and adding outputs to random postsynaptic
    /// neurons elsewhere (which would change in-degrees and the total), each step **moves**
    /// one connection: a uniformly random connection unit `a → j` of a neuron `a` with too
    /// many outputs is deleted and `b → j` is added for a random neuron `b` that may receive.
    /// Hence:
    ///
    /// - every postsynaptic in-degree, the total count and the mean out-degree are unchanged;
    /// - the new connection respects [`Connectivity::constraints`]: no `b → b` if autapses are
    ///   not allowed, and `b → j` only if not yet connected if multapses are not allowed;
    /// - triggered neurons end in `lo ..= hi` (reported as `unresolved` otherwise, which only
    ///   happens when no allowed move exists);
    /// - a neuron that was not triggered only gives while above `lo` and only receives while
    ///   below `hi`, so it moves towards the band and never leaves the trigger band.
    ///
    /// Order: first every too-high triggered neuron (in index order) gives to random too-low
    /// triggered neurons, or, once none is left, to random neurons below `hi`; then every
    /// still too-low triggered neuron takes from random neurons above `lo`. Randomness comes
    /// from `stream(seed, stream_id, BALANCE_CHUNK)`; the work is sequential, so the result
    /// does not depend on the thread count.
    ///
    /// ```
    /// use engram_connectivity::{ConnectSpec, Rule};
    /// let mut c = ConnectSpec::new(Rule::FixedProbability { p: 0.05 }).connect(2000, 2000, 1, 2).unwrap();
    /// let in_before = c.in_degrees();
    /// let report = c.balance_out_degrees(0.05, 0.03, 1, 2).unwrap();
    /// let (lo, hi) = report.target_band;
    /// assert!(report.triggered > 0 && report.unresolved == 0);
    /// let m = report.mean_out_degree;
    /// for d in c.out_degrees() {
    ///     let d = d as f64;
    ///     assert!((lo as f64..=hi as f64).contains(&d) || (d - m).abs() < 0.05 * m);
    /// }
    /// assert_eq!(c.in_degrees(), in_before);
    /// ```
    pub fn balance_out_degrees(
        &mut self,
        trigger_fraction: f64,
        target_fraction: f64,
        seed: u64,
        stream_id: u64,
    ) -> Result<BalanceReport, ParamError> {
        OutDegreeBalancing { trigger_fraction, target_fraction }.validate()?;
        let n = self.n_pre();
        let mut degree: Vec<i64> = self.out_degrees().into_iter().map(i64::from).collect();
        let total: i64 = degree.iter().sum();
        if n == 0 || total == 0 {
            return Ok(BalanceReport {
                mean_out_degree: 0.0,
                target_band: (0, 0),
                triggered: 0,
                moved: 0,
                unresolved: 0,
            });
        }
        let mean = total as f64 / n as f64;
        let lo = ((mean * (1.0 - target_fraction) - 1e-9).ceil() as i64).min(mean.floor() as i64).max(0);
        let hi = ((mean * (1.0 + target_fraction) + 1e-9).floor() as i64).max(mean.ceil() as i64);
        let triggered: Vec<bool> =
            degree.iter().map(|&d| (d as f64 - mean).abs() >= trigger_fraction * mean - 1e-9).collect();

        let mut rng = stream(seed, stream_id, BALANCE_CHUNK);
        let constraints = self.constraints;
        let unit_weighted = constraints.allow_multapses || self.max_multiplicity() > 1;
        let mut mover = Mover { rng: &mut rng, editor: RowEditor::new(&self.matrix), constraints, unit_weighted };
        let mut moved = 0u64;

        // Phase 1: too-high triggered neurons give.
        let mut low_pool: Vec<u32> = (0..n).filter(|&i| triggered[i] && degree[i] < lo).map(|i| i as u32).collect();
        let mut open_pool: Vec<u32> = (0..n).filter(|&i| degree[i] < hi).map(|i| i as u32).collect();
        let donors: Vec<usize> = (0..n).filter(|&i| triggered[i] && degree[i] > hi).collect();
        for a in donors {
            while degree[a] > hi {
                let mut done = false;
                for _ in 0..RANDOM_ATTEMPTS {
                    let b = match pick(mover.rng, &mut low_pool, |b| degree[b] < lo) {
                        Some(b) => b,
                        None => match pick(mover.rng, &mut open_pool, |b| degree[b] < hi) {
                            Some(b) => b,
                            None => break,
                        },
                    };
                    if mover.try_move(a, b, degree[a]) {
                        done = true;
                        degree[a] -= 1;
                        degree[b] += 1;
                        break;
                    }
                }
                if !done {
                    if let Some(b) = (0..n).find(|&b| degree[b] < hi && mover.try_move(a, b, degree[a])) {
                        done = true;
                        degree[a] -= 1;
                        degree[b] += 1;
                    }
                }
                if !done {
                    break;
                }
                moved += 1;
            }
        }

        // Phase 2: still too-low triggered neurons take.
        let mut rich_pool: Vec<u32> = (0..n).filter(|&i| degree[i] > lo).map(|i| i as u32).collect();
        let takers: Vec<usize> = (0..n).filter(|&i| triggered[i] && degree[i] < lo).collect();
        for b in takers {
            while degree[b] < lo {
                let mut done = false;
                for _ in 0..RANDOM_ATTEMPTS {
                    let Some(a) = pick(mover.rng, &mut rich_pool, |a| degree[a] > lo) else { break };
                    if mover.try_move(a, b, degree[a]) {
                        done = true;
                        degree[a] -= 1;
                        degree[b] += 1;
                        break;
                    }
                }
                if !done {
                    if let Some(a) = (0..n).find(|&a| degree[a] > lo && mover.try_move(a, b, degree[a])) {
                        done = true;
                        degree[a] -= 1;
                        degree[b] += 1;
                    }
                }
                if !done {
                    break;
                }
                moved += 1;
            }
        }

        let n_triggered = triggered.iter().filter(|&&t| t).count();
        let unresolved = (0..n).filter(|&i| triggered[i] && !(lo..=hi).contains(&degree[i])).count();
        if moved > 0 {
            let matrix = mover.editor.finish();
            self.matrix = matrix;
        }
        Ok(BalanceReport {
            mean_out_degree: mean,
            target_band: (lo as u32, hi as u32),
            triggered: n_triggered,
            moved,
            unresolved,
        })
    }
}

/// A random member of `pool` that satisfies `eligible`; members that no longer do are dropped
/// from the pool on the way (eligibility only ever decreases within one phase).
fn pick(rng: &mut RngStream, pool: &mut Vec<u32>, eligible: impl Fn(usize) -> bool) -> Option<usize> {
    while !pool.is_empty() {
        let k = rng.gen_range(0..pool.len());
        let i = pool[k] as usize;
        if eligible(i) {
            return Some(i);
        }
        pool.swap_remove(k);
    }
    None
}

/// Moves single connection units between presynaptic neurons.
struct Mover<'r, 'm> {
    rng: &'r mut RngStream,
    editor: RowEditor<'m>,
    constraints: Constraints,
    /// Draw units weighted by multiplicity (some multiplicity may exceed 1).
    unit_weighted: bool,
}

impl Mover<'_, '_> {
    /// May `to → post` be created?
    fn allowed(&self, to: usize, post: u32) -> bool {
        (self.constraints.allow_autapses || post as usize != to)
            && (self.constraints.allow_multapses || self.editor.multiplicity(to, post) == 0)
    }

    /// Move one connection unit `from → j` to `to → j`, for a random `j` that `to` may take.
    /// `from_degree` is `from`'s out-degree counting multiplicity. `false` if no such `j`.
    fn try_move(&mut self, from: usize, to: usize, from_degree: i64) -> bool {
        let len = self.editor.row_len(from);
        if len == 0 || from == to {
            return false;
        }
        // A few uniformly random connection units first ...
        for _ in 0..4 {
            let k = if self.unit_weighted {
                let mut r = self.rng.gen_range(0..from_degree);
                let mut k = 0;
                loop {
                    let m = self.editor.entry(from, k).1 as i64;
                    if r < m {
                        break k;
                    }
                    r -= m;
                    k += 1;
                }
            } else {
                self.rng.gen_range(0..len)
            };
            let post = self.editor.entry(from, k).0;
            if self.allowed(to, post) {
                self.shift(from, to, post);
                return true;
            }
        }
        // ... then every synapse of `from`, from a random start.
        let start = self.rng.gen_range(0..len);
        for t in 0..len {
            let post = self.editor.entry(from, (start + t) % len).0;
            if self.allowed(to, post) {
                self.shift(from, to, post);
                return true;
            }
        }
        false
    }

    fn shift(&mut self, from: usize, to: usize, post: u32) {
        self.editor.remove_unit(from, post);
        self.editor.add_unit(to, post);
    }
}
