//! Out-degree balancing (Meissner-Bernard et al. 2025, Dp model): presynaptic neurons whose
//! out-degree is far from the mean hand connections to, or take them from, other presynaptic
//! neurons, keeping every postsynaptic in-degree exactly.

use std::ops::Range;

use crate::across::Exchange;
use crate::edit::RowEditor;
use crate::pattern::{Connectivity, Constraints, OmittedEntries};
use engram_core::collective::AllGather;
use engram_core::error::{EngramError, ParamError};
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
        let degree: Vec<i64> = self.out_degrees().into_iter().map(i64::from).collect();
        let Some(band) = Band::of(&degree, trigger_fraction, target_fraction) else {
            return Ok(BalanceReport::nothing());
        };
        let mut rng = stream(seed, stream_id, BALANCE_CHUNK);
        let constraints = self.constraints;
        let unit_weighted = constraints.allow_multapses || self.max_multiplicity() > 1;
        let mut mover = Mover { rng: &mut rng, editor: RowEditor::new(&self.matrix), constraints, unit_weighted };
        let (report, Ok(())) = band.run(degree, &mut mover);
        if report.moved > 0 {
            self.matrix = mover.editor.finish();
        }
        Ok(report)
    }

    /// [`balance_out_degrees`](Self::balance_out_degrees) of a pattern split by columns across
    /// ranks, on one rank: `self` holds the columns `own` of the whole pattern (each rank its
    /// own range; the ranges tile `0..n_post` in rank order, as
    /// [`ConnectSpec::connect_onto`](crate::ConnectSpec::connect_onto) gives them) and ends
    /// with the columns `own` of the whole pattern balanced, bit for bit, with what each row
    /// of it leaves out ([`OmittedEntries`]). No rank ever holds another rank's columns.
    ///
    /// Every rank calls it with the same arguments but `own`, at the same point, and every
    /// rank makes every random draw. A move takes a random connection unit of the donor's whole
    /// row: the rank that owns its column checks and makes it, and one collective
    /// ([`AllGather`]) tells the others, so a move costs two or three collectives of one or two
    /// words per rank; the out-degrees are summed over the ranks at the start
    /// ([`AllGather::all_reduce_sum`]) and the row lengths at the end (with
    /// [`AllGather::exclusive_scan_sum`] for what lies before `own`): one value per row, where
    /// the collective reduces (MPI), rather than one per row and rank.
    ///
    /// ```
    /// use engram_connectivity::{ConnectSpec, Rule};
    /// use engram_core::collective::OneRank;
    /// let spec = ConnectSpec::new(Rule::FixedInDegree { k: 30 });
    /// let mut whole = spec.connect(600, 400, 3, 4).unwrap();
    /// let mut part = whole.clone();
    /// whole.balance_out_degrees(0.05, 0.03, 3, 4).unwrap();
    /// // one rank owning every column: the same pattern
    /// let (report, omitted) = part.balance_out_degrees_across(0..400, 0.05, 0.03, 3, 4, &mut OneRank).unwrap();
    /// assert!(report.moved > 0);
    /// assert_eq!((part, omitted), whole.restrict_targets(0..400).unwrap());
    /// ```
    ///
    /// Errors: the fractions (as `balance_out_degrees`), `own` outside `0..n_post` or not
    /// tiling it with the other ranks' in rank order, an entry of `self` outside `own`, and a
    /// failed collective.
    #[allow(clippy::too_many_arguments)]
    pub fn balance_out_degrees_across(
        &mut self,
        own: Range<usize>,
        trigger_fraction: f64,
        target_fraction: f64,
        seed: u64,
        stream_id: u64,
        ranks: &mut dyn AllGather,
    ) -> Result<(BalanceReport, OmittedEntries), EngramError> {
        OutDegreeBalancing { trigger_fraction, target_fraction }.validate()?;
        // a range outside the columns, or an entry outside `own`, is this rank's mistake, but
        // every rank must learn of it (or the others would wait for it in the next
        // collective): the first collective checks both on every rank
        let (mut exchange, me) = Exchange::join(ranks, self, &own)?;
        // the whole pattern's out-degrees (counting multiplicity) and largest multiplicity
        let own_degrees: Vec<u64> = self.out_degrees().into_iter().map(u64::from).collect();
        let degree: Vec<i64> = exchange.sum(&own_degrees)?.into_iter().map(|d| d as i64).collect();
        drop(own_degrees);
        let max_multiplicity =
            exchange.gather(&[u32::from(self.max_multiplicity())])?.iter().copied().max().unwrap_or(0);
        let report = match Band::of(&degree, trigger_fraction, target_fraction) {
            None => BalanceReport::nothing(),
            Some(band) => {
                let mut rng = stream(seed, stream_id, BALANCE_CHUNK);
                let constraints = self.constraints;
                let unit_weighted = constraints.allow_multapses || max_multiplicity > 1;
                let mover = Mover { rng: &mut rng, editor: RowEditor::new(&self.matrix), constraints, unit_weighted };
                let mut across = Across { mover, exchange, me };
                let (report, done) = band.run(degree, &mut across);
                done?;
                exchange = across.exchange;
                if report.moved > 0 {
                    self.matrix = across.mover.editor.finish();
                }
                report
            }
        };
        let omitted = exchange.omitted(self, me)?;
        Ok((report, omitted))
    }
}

impl BalanceReport {
    /// The report of a pattern with no connections (nothing to balance).
    fn nothing() -> Self {
        Self { mean_out_degree: 0.0, target_band: (0, 0), triggered: 0, moved: 0, unresolved: 0 }
    }
}

/// The target band of a pattern's out-degrees and the neurons the trigger selects.
struct Band {
    mean: f64,
    lo: i64,
    hi: i64,
    triggered: Vec<bool>,
}

impl Band {
    /// `None` for a pattern without neurons or connections.
    fn of(degree: &[i64], trigger_fraction: f64, target_fraction: f64) -> Option<Self> {
        let total: i64 = degree.iter().sum();
        if degree.is_empty() || total == 0 {
            return None;
        }
        let mean = total as f64 / degree.len() as f64;
        let lo = ((mean * (1.0 - target_fraction) - 1e-9).ceil() as i64).min(mean.floor() as i64).max(0);
        let hi = ((mean * (1.0 + target_fraction) + 1e-9).floor() as i64).max(mean.ceil() as i64);
        let triggered = degree.iter().map(|&d| (d as f64 - mean).abs() >= trigger_fraction * mean - 1e-9).collect();
        Some(Self { mean, lo, hi, triggered })
    }

    /// Both phases (see [`Connectivity::balance_out_degrees`]) with `mover`, from the
    /// out-degrees `degree`: the report, and the mover's first failure (which stops the run).
    fn run<M: UnitMover>(&self, mut degree: Vec<i64>, mover: &mut M) -> (BalanceReport, Result<(), M::Error>) {
        let done = self.phases(&mut degree, mover);
        let (lo, hi) = (self.lo, self.hi);
        let n_triggered = self.triggered.iter().filter(|&&t| t).count();
        let unresolved = (0..degree.len()).filter(|&i| self.triggered[i] && !(lo..=hi).contains(&degree[i])).count();
        let moved = match &done {
            Ok(m) => *m,
            Err(_) => 0,
        };
        let report = BalanceReport {
            mean_out_degree: self.mean,
            target_band: (lo as u32, hi as u32),
            triggered: n_triggered,
            moved,
            unresolved,
        };
        (report, done.map(|_| ()))
    }

    /// The two phases; the number of units moved.
    fn phases<M: UnitMover>(&self, degree: &mut [i64], mover: &mut M) -> Result<u64, M::Error> {
        let (n, lo, hi, triggered) = (degree.len(), self.lo, self.hi, &self.triggered);
        let mut moved = 0u64;

        // Phase 1: too-high triggered neurons give.
        let mut low_pool: Vec<u32> = (0..n).filter(|&i| triggered[i] && degree[i] < lo).map(|i| i as u32).collect();
        let mut open_pool: Vec<u32> = (0..n).filter(|&i| degree[i] < hi).map(|i| i as u32).collect();
        let donors: Vec<usize> = (0..n).filter(|&i| triggered[i] && degree[i] > hi).collect();
        for a in donors {
            while degree[a] > hi {
                let mut done = false;
                for _ in 0..RANDOM_ATTEMPTS {
                    let b = match pick(mover.rng(), &mut low_pool, |b| degree[b] < lo) {
                        Some(b) => b,
                        None => match pick(mover.rng(), &mut open_pool, |b| degree[b] < hi) {
                            Some(b) => b,
                            None => break,
                        },
                    };
                    if mover.move_unit(a, b, degree[a])? {
                        done = true;
                        degree[a] -= 1;
                        degree[b] += 1;
                        break;
                    }
                }
                if !done {
                    for b in 0..n {
                        if degree[b] < hi && mover.move_unit(a, b, degree[a])? {
                            done = true;
                            degree[a] -= 1;
                            degree[b] += 1;
                            break;
                        }
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
                    let Some(a) = pick(mover.rng(), &mut rich_pool, |a| degree[a] > lo) else { break };
                    if mover.move_unit(a, b, degree[a])? {
                        done = true;
                        degree[a] -= 1;
                        degree[b] += 1;
                        break;
                    }
                }
                if !done {
                    for a in 0..n {
                        if degree[a] > lo && mover.move_unit(a, b, degree[a])? {
                            done = true;
                            degree[a] -= 1;
                            degree[b] += 1;
                            break;
                        }
                    }
                }
                if !done {
                    break;
                }
                moved += 1;
            }
        }
        Ok(moved)
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

/// What the balancing phases need: the random stream and single moves.
trait UnitMover {
    type Error;
    fn rng(&mut self) -> &mut RngStream;
    /// Move one connection unit `from → j` to `to → j` (see [`Mover::try_move`]).
    fn move_unit(&mut self, from: usize, to: usize, from_degree: i64) -> Result<bool, Self::Error>;
}

impl UnitMover for Mover<'_, '_> {
    type Error = std::convert::Infallible;
    fn rng(&mut self) -> &mut RngStream {
        self.rng
    }
    fn move_unit(&mut self, from: usize, to: usize, from_degree: i64) -> Result<bool, Self::Error> {
        Ok(self.try_move(from, to, from_degree))
    }
}

/// Moves on one rank of a pattern split by columns: the rank that owns a candidate unit's
/// column decides and makes the move, and the others learn the outcome (collectives in the
/// same order on every rank, random draws identical on every rank).
struct Across<'r, 'm, 'g> {
    mover: Mover<'r, 'm>,
    exchange: Exchange<'g>,
    me: usize,
}

/// No candidate (collectives carry `u32`s).
const NONE: u32 = u32::MAX;

impl Across<'_, '_, '_> {
    /// Local entry of row `from` holding global unit `u` (unit-weighted) or entry `u`, if this
    /// rank owns it; `offsets` are this rank's first global entry and unit.
    fn local_entry(&self, from: usize, u: i64, (entry_off, unit_off): (i64, i64), own: (i64, i64)) -> Option<usize> {
        if self.mover.unit_weighted {
            let mut r = u - unit_off;
            if r < 0 || r >= own.1 {
                return None;
            }
            let mut k = 0;
            loop {
                let m = i64::from(self.mover.editor.entry(from, k).1);
                if r < m {
                    return Some(k);
                }
                r -= m;
                k += 1;
            }
        } else {
            let k = u - entry_off;
            (k >= 0 && k < own.0).then_some(k as usize)
        }
    }

    /// The smallest of every rank's `mine`.
    fn min_over_ranks(&mut self, mine: u32) -> Result<u32, EngramError> {
        Ok(self.exchange.gather(&[mine])?.iter().copied().min().unwrap_or(NONE))
    }
}

impl UnitMover for Across<'_, '_, '_> {
    type Error = EngramError;

    fn rng(&mut self) -> &mut RngStream {
        self.mover.rng
    }

    /// [`Mover::try_move`] on the whole row of `from`, each rank holding its columns.
    fn move_unit(&mut self, from: usize, to: usize, from_degree: i64) -> Result<bool, EngramError> {
        if from == to {
            return Ok(false);
        }
        // the row's entries and units on every rank (in column order, so in rank order)
        let own_len = self.mover.editor.row_len(from);
        let own_units: i64 = (0..own_len).map(|k| i64::from(self.mover.editor.entry(from, k).1)).sum();
        let layout = self.exchange.gather(&[own_len as u32, own_units as u32])?;
        let (mut entry_off, mut unit_off, mut len) = (0i64, 0i64, 0i64);
        for (rank, part) in layout.chunks(2).enumerate() {
            if rank < self.me {
                entry_off += i64::from(part[0]);
                unit_off += i64::from(part[1]);
            }
            len += i64::from(part[0]);
        }
        if len == 0 {
            return Ok(false);
        }
        let offsets = (entry_off, unit_off);
        let own = (own_len as i64, own_units);
        // A few uniformly random connection units first: drawn ahead on a copy of the stream;
        // the first allowed one wins, and the stream then advances past exactly the draws
        // the whole row's loop would have made.
        let unit_weighted = self.mover.unit_weighted;
        // the draw of `Mover::try_move`, with its types (the stream must advance alike)
        let draw = |rng: &mut RngStream| -> i64 {
            if unit_weighted { rng.gen_range(0..from_degree) } else { rng.gen_range(0..len as usize) as i64 }
        };
        let mut ahead = (*self.mover.rng).clone();
        let draws: [i64; 4] = std::array::from_fn(|_| draw(&mut ahead));
        let mut first_allowed = NONE;
        let mut chosen = [None; 4];
        for (t, &u) in draws.iter().enumerate() {
            if let Some(k) = self.local_entry(from, u, offsets, own) {
                let post = self.mover.editor.entry(from, k).0;
                chosen[t] = Some(post);
                if first_allowed == NONE && self.mover.allowed(to, post) {
                    first_allowed = t as u32;
                }
            }
        }
        let t = self.min_over_ranks(first_allowed)?;
        if t != NONE {
            for _ in 0..=t {
                draw(self.mover.rng);
            }
            if first_allowed == t {
                let post = chosen[t as usize].expect("the rank that found it owns it");
                self.mover.shift(from, to, post);
            }
            return Ok(true);
        }
        for _ in 0..4 {
            draw(self.mover.rng);
        }
        // ... then every synapse of `from`, from a random start: the first allowed one in
        // that order, over all ranks.
        let start = self.mover.rng.gen_range(0..len as usize) as i64;
        let mut best = NONE;
        for k in 0..own_len {
            let post = self.mover.editor.entry(from, k).0;
            let order = ((entry_off + k as i64 - start).rem_euclid(len)) as u32;
            if order < best && self.mover.allowed(to, post) {
                best = order;
            }
        }
        let t = self.min_over_ranks(best)?;
        if t == NONE {
            return Ok(false);
        }
        if best == t {
            let k = ((start + i64::from(t)) % len - entry_off) as usize;
            let post = self.mover.editor.entry(from, k).0;
            self.mover.shift(from, to, post);
        }
        Ok(true)
    }
}
