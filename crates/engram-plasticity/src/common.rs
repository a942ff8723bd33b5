//! Building blocks shared by the rules, public so that a rule of your own can use them too:
//! per-neuron spike traces, the pairing scheme, weight clipping, the column walk with prefetch,
//! cache prefetch of the rows and columns of a step's spikes, and the shape check of a
//! projection.

use engram_core::checkpoint::{ComponentState, StateField};
use engram_core::error::{EngramError, ParamError};
use engram_core::params::ordered;
use engram_core::plasticity::SynapsesMut;
use serde::{Deserialize, Serialize};

/// How a spike changes a trace, which decides which spike pairs interact
/// (Morrison, Diesmann & Gerstner 2008).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Interaction {
    /// The trace jumps by +1 per spike: every pre spike interacts with every post spike.
    #[default]
    AllToAll,
    /// The trace is reset to 1 per spike: a spike interacts only with the nearest (latest)
    /// spike of the other side (symmetric nearest-spike scheme).
    Nearest,
}

/// A low-pass filtered spike train per neuron, `dx/dt = −x/τ + Σ δ(t − t_k)`.
///
/// Decay is clock-driven: [`advance`](Self::advance) multiplies every value by the exact
/// factor `exp(−n dt/τ)` for the `n` steps since the previous call (in the engine `n = 1`: one
/// vectorisable multiply per step; exact at every step, the same as NEST's and Brian2's
/// event-driven traces sampled on the grid). Rules driven directly may skip silent steps.
/// Values read in a step are the traces at `t − ε`, before that step's spikes are added with
/// [`bump`](Self::bump).
///
/// A `Trace` is a [`StateField`]: list it in a rule's `checkpoint_fields!` and checkpoints
/// save and restore it bit-exactly (as `{name}.values`, `{name}.dt_factor` and
/// `{name}.last_step`).
///
/// ```
/// use engram_plasticity::{Interaction, Trace};
/// let mut x = Trace::new(2, 20.0);
/// x.advance(0, 1.0);
/// x.bump(0, Interaction::AllToAll);
/// x.advance(10, 1.0);                             // ten steps of 1 ms later
/// assert!((x.get(0) - (-10.0f64 / 20.0).exp()).abs() < 1e-15);
/// assert_eq!(x.get(1), 0.0);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Trace {
    /// Traces divided by `scale`: the trace of neuron `i` is `values[i] · scale`. Decay
    /// multiplies the one `scale` instead of every value (O(1) per step); values are
    /// renormalised when `scale` gets small.
    values: Vec<f64>,
    tau_ms: f64,
    dt_ms: f64,
    factor: f64,
    last_step: Option<u64>,
    scale: f64,
}

/// Below this `scale`, [`Trace`] folds it into its values.
const RENORMALISE_BELOW: f64 = 1e-100;

impl Trace {
    /// `n` traces with time constant `tau_ms`, all zero.
    pub fn new(n: usize, tau_ms: f64) -> Self {
        Self { values: vec![0.0; n], tau_ms, dt_ms: 0.0, factor: 1.0, last_step: None, scale: 1.0 }
    }

    /// Decay every trace to step `step` (from the step of the previous call; nothing on the
    /// first call or when called twice for the same step).
    #[inline]
    pub fn advance(&mut self, step: u64, dt_ms: f64) {
        if dt_ms != self.dt_ms {
            self.dt_ms = dt_ms;
            self.factor = (-dt_ms / self.tau_ms).exp();
        }
        let n = match self.last_step {
            Some(last) => step.saturating_sub(last),
            None => 0,
        };
        self.last_step = Some(step);
        let f = match n {
            0 => return,
            1 => self.factor,
            n => (-(n as f64) * dt_ms / self.tau_ms).exp(),
        };
        self.scale *= f;
        if self.scale < RENORMALISE_BELOW {
            let s = self.scale;
            self.values.iter_mut().for_each(|x| *x *= s);
            self.scale = 1.0;
        }
    }

    /// Add a spike of neuron `i`.
    #[inline]
    pub fn bump(&mut self, i: usize, interaction: Interaction) {
        match interaction {
            Interaction::AllToAll => self.values[i] += 1.0 / self.scale,
            Interaction::Nearest => self.values[i] = 1.0 / self.scale,
        }
    }

    /// Add `amount` to neuron `i`'s trace (a weighted spike: a trace of the synaptic drive a
    /// neuron receives, for example).
    #[inline]
    pub fn add(&mut self, i: usize, amount: f64) {
        self.values[i] += amount / self.scale;
    }

    /// Value of neuron `i`'s trace.
    #[inline]
    pub fn get(&self, i: usize) -> f64 {
        self.values[i] * self.scale
    }

    /// All values (a copy; for inspection, not for hot loops).
    pub fn values(&self) -> Vec<f64> {
        self.values.iter().map(|x| x * self.scale).collect()
    }

    /// Number of neurons.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// `true` for zero neurons.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Time constant, ms.
    pub fn tau_ms(&self) -> f64 {
        self.tau_ms
    }

    /// Set every trace to `value`.
    pub fn fill(&mut self, value: f64) {
        self.values.fill(value / self.scale);
    }

    /// Set every trace to zero.
    pub fn reset(&mut self) {
        self.values.fill(0.0);
        self.last_step = None;
        self.scale = 1.0;
    }
}

/// Saved as `{name}.values` (the values divided by the scale), `{name}.dt_factor` (dt, decay
/// factor, scale) and `{name}.last_step`; loading needs the same number of neurons.
impl StateField for Trace {
    fn save_field(&self, state: &mut ComponentState, name: &str) -> Result<(), EngramError> {
        state.f64s.insert(format!("{name}.values"), self.values.clone());
        state.f64s.insert(format!("{name}.dt_factor"), vec![self.dt_ms, self.factor, self.scale]);
        state.u64s.insert(format!("{name}.last_step"), self.last_step.into_iter().collect());
        Ok(())
    }

    fn load_field(&mut self, state: &ComponentState, name: &str) -> Result<(), EngramError> {
        let mut dt_factor = [0.0; 3];
        state.read_f64(&format!("{name}.dt_factor"), &mut dt_factor)?;
        let last_step = state.opt_u64(&format!("{name}.last_step"))?;
        state.read_f64(&format!("{name}.values"), &mut self.values)?;
        [self.dt_ms, self.factor, self.scale] = dt_factor;
        self.last_step = last_step;
        Ok(())
    }
}

/// Load a rule's state all or nothing: `load` works on a copy that replaces the rule only if
/// it succeeds.
pub(crate) fn load_all_or_nothing<R: Clone>(
    rule: &mut R,
    kind: &str,
    state: &ComponentState,
    load: impl FnOnce(&mut R, &ComponentState) -> Result<(), EngramError>,
) -> Result<(), EngramError> {
    state.check_kind(kind)?;
    let mut copy = rule.clone();
    load(&mut copy, state)?;
    *rule = copy;
    Ok(())
}

/// `Ok` if `w_min < w_max` and `w_min ≥ 0` is not required (inhibitory weights may be
/// stored positive or negative); both finite.
pub(crate) fn check_bounds(w_min: f64, w_max: f64) -> Result<(), ParamError> {
    if !w_min.is_finite() {
        return Err(ParamError::new("w_min", w_min, "a finite number"));
    }
    ordered("w_max", w_min, w_max)
}

/// Clip a weight to `[lo, hi]` (for `lo ≤ hi`; NaN-free for finite inputs), the way every
/// library rule bounds the weights it changes.
///
/// ```
/// use engram_plasticity::clip;
/// assert_eq!(clip(1.5, 0.0, 1.0), 1.0);
/// assert_eq!(clip(-0.2, 0.0, 1.0), 0.0);
/// assert_eq!(clip(0.3, 0.0, 1.0), 0.3);
/// ```
#[inline(always)]
pub fn clip(w: f64, lo: f64, hi: f64) -> f64 {
    // Two plain selects (not f64::max/min, whose NaN handling costs extra compares), which
    // compile to `minsd`/`maxsd` without branches: the weight walks then have no branch the
    // CPU can mispredict or wait on, and keep more cache misses in flight.
    let w = if w > hi { hi } else { w };
    if w < lo { lo } else { w }
}

/// How many entries ahead [`for_each_in_column`] prefetches the weight of.
const PREFETCH_AHEAD: usize = 64;

/// `u32` indices per 64-byte cache line.
const ENTRIES_PER_LINE: usize = 16;

/// Start loading the postsynaptic indices of the rows of this step's presynaptic spikes (their
/// first 64 entries; the hardware prefetcher follows a longer row on its own, and without
/// plasticity delays spike delivery has just read the weights of those rows). A cache hint
/// only: nothing observable changes, so a rule may call it or not. See [`prefetch_columns`]
/// for where it pays.
#[inline]
pub fn prefetch_rows(syn: &SynapsesMut<'_>, pres: &[u32]) {
    for &i in pres {
        let row = syn.row_ptr[i as usize]..syn.row_ptr[i as usize + 1];
        for e in row.take(PREFETCH_AHEAD).step_by(ENTRIES_PER_LINE) {
            prefetch(syn.post, e);
        }
    }
}

/// At most this many weights are prefetched by [`prefetch_columns`] per call.
const PREFETCH_STEP_BUDGET: usize = 512;

/// Ask the CPU to start loading `slice[index]` into the cache (a hint; nothing else happens).
/// One of the two `unsafe` places of the workspace (which denies it; the other is the engine's
/// parallel delivery): the intrinsic is `unsafe` only because it takes a raw pointer.
#[inline(always)]
#[allow(unsafe_code)]
fn prefetch<T>(slice: &[T], index: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(x) = slice.get(index) {
        // SAFETY: `prefetcht0` only hints the cache hierarchy; it has no architectural
        // effect and never faults, and the address is a valid element of `slice` anyway.
        unsafe { core::arch::x86_64::_mm_prefetch::<{ core::arch::x86_64::_MM_HINT_T0 }>((x as *const T).cast()) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (slice, index);
}

/// Start loading the weights and presynaptic indices of the columns of this step's
/// postsynaptic spikes (the first 64 entries of each column, at most 512 in all;
/// [`for_each_in_column`] prefetches the rest as it walks), so that the misses of all columns
/// overlap instead of each column waiting on its own. The library's STDP rules call it with
/// [`prefetch_rows`] before the presynaptic (depression) walk, which then runs while the loads
/// are on their way. A cache hint only; nothing else changes.
///
/// Two passes: first the index lines of every column (independent loads, all in flight at
/// once), then the weights those indices point to. In one pass each column's weight
/// prefetches wait for that column's index line, one column after the other.
///
/// ```
/// use engram_plasticity::{SynapseTable, prefetch_columns, prefetch_rows};
/// let mut t = SynapseTable::all_to_all(3, 2, 0.5);
/// let syn = t.view();
/// let (pre, post) = ([0u32, 2], [1u32]);
/// prefetch_rows(&syn, &pre);    // then walk the rows of `pre` ...
/// prefetch_columns(&syn, &post); // ... and the columns of `post`
/// assert_eq!(syn.weights, &[0.5; 6]); // hints only
/// ```
#[inline]
pub fn prefetch_columns(syn: &SynapsesMut<'_>, posts: &[u32]) {
    let columns = || {
        let mut budget = PREFETCH_STEP_BUDGET;
        posts.iter().map_while(move |&j| {
            let start = syn.col_ptr[j as usize];
            let n = (syn.col_ptr[j as usize + 1] - start).min(PREFETCH_AHEAD).min(budget);
            budget -= n;
            (n > 0 || budget > 0).then_some(start..start + n)
        })
    };
    for column in columns() {
        for e in column.step_by(ENTRIES_PER_LINE) {
            prefetch(syn.syn_of_post, e);
            prefetch(syn.pre_of_post, e);
        }
    }
    for column in columns() {
        for &k in &syn.syn_of_post[column] {
            prefetch(syn.weights, k as usize);
        }
    }
}

/// Call `f(pre, weight)` for every synapse onto postsynaptic neuron `j`, in the order of the
/// transpose index: the walk a rule does at a postsynaptic spike. The weights of a column lie
/// one CSR row apart (random access into the whole weight array), so the loop prefetches the
/// weight a few entries ahead: without it the postsynaptic side of STDP waits on memory for
/// every synapse.
///
/// ```
/// use engram_plasticity::{SynapseTable, clip, for_each_in_column};
/// let mut t = SynapseTable::from_triplets(3, 2, &[(0, 1, 0.5), (1, 0, 0.5), (2, 1, 0.9)]);
/// let x_pre = [1.0, 0.0, 0.5]; // presynaptic traces
/// // a spike of postsynaptic neuron 1 potentiates its synapses by 0.2 · x_pre, up to 1
/// for_each_in_column(&mut t.view(), 1, |i, w| *w = clip(*w + 0.2 * x_pre[i], 0.0, 1.0));
/// assert_eq!((t.weight(0, 1), t.weight(1, 0), t.weight(2, 1)), (Some(0.7), Some(0.5), Some(1.0)));
/// ```
#[inline]
pub fn for_each_in_column(syn: &mut SynapsesMut<'_>, j: usize, mut f: impl FnMut(usize, &mut f64)) {
    let column = syn.col_ptr[j]..syn.col_ptr[j + 1];
    let (ks, pres) = (&syn.syn_of_post[column.clone()], &syn.pre_of_post[column]);
    for (e, (&k, &i)) in ks.iter().zip(pres).enumerate() {
        if let Some(&ahead) = ks.get(e + PREFETCH_AHEAD) {
            prefetch(syn.weights, ahead as usize);
        }
        f(i as usize, &mut syn.weights[k as usize]);
    }
}

/// Panics with a clear message when a rule sized for `n_pre × n_post` is attached to a
/// projection of another shape (call it at the top of `step`; it costs two comparisons).
///
/// ```should_panic
/// use engram_plasticity::{SynapseTable, check_shape};
/// let mut t = SynapseTable::all_to_all(3, 2, 0.5);
/// // "plasticity rule `bcm` was built for 3 pre x 4 post neurons but its projection is 3 x 2"
/// check_shape("bcm", 3, 4, &t.view());
/// ```
#[inline]
pub fn check_shape(rule: &str, n_pre: usize, n_post: usize, syn: &SynapsesMut<'_>) {
    let (p, q) = (syn.row_ptr.len().saturating_sub(1), syn.col_ptr.len().saturating_sub(1));
    assert!(
        p == n_pre && q == n_post,
        "plasticity rule `{rule}` was built for {n_pre} pre x {n_post} post neurons but its projection is {p} x {q}"
    );
}

/// An owned projection in the engine's layout (CSR by presynaptic neuron plus the transpose
/// index), to drive a rule directly with synthetic spike trains (tests, calibration, docs).
/// Inside a network the engine owns this data; use [`view`](Self::view) to hand a rule the
/// same [`SynapsesMut`] the engine would.
///
/// ```
/// use engram_plasticity::SynapseTable;
/// let mut t = SynapseTable::from_triplets(2, 3, &[(0, 2, 0.5), (1, 0, 1.0), (0, 0, 0.25)]);
/// assert_eq!(t.len(), 3);
/// assert_eq!(t.weight(0, 2), Some(0.5));
/// assert_eq!(t.weight(1, 1), None);
/// let v = t.view();
/// assert_eq!(v.row_ptr, &[0, 2, 3]);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SynapseTable {
    /// CSR row pointers (length `n_pre + 1`).
    pub row_ptr: Vec<usize>,
    /// Postsynaptic neuron of each synapse.
    pub post: Vec<u32>,
    /// Weight of each synapse.
    pub weights: Vec<f64>,
    /// Transpose pointers (length `n_post + 1`).
    pub col_ptr: Vec<usize>,
    /// Synapse indices grouped by postsynaptic neuron.
    pub syn_of_post: Vec<u32>,
    /// Presynaptic neuron of each entry of `syn_of_post`.
    pub pre_of_post: Vec<u32>,
}

impl SynapseTable {
    /// From `(pre, post, weight)` triplets (any order; duplicates are kept as separate synapses).
    pub fn from_triplets(n_pre: usize, n_post: usize, triplets: &[(usize, usize, f64)]) -> Self {
        let mut sorted: Vec<(usize, usize, f64)> = triplets.to_vec();
        sorted.sort_by_key(|t| (t.0, t.1));
        let mut row_ptr = vec![0usize; n_pre + 1];
        for &(i, j, _) in &sorted {
            assert!(i < n_pre && j < n_post, "synapse ({i}, {j}) outside {n_pre} x {n_post}");
            row_ptr[i + 1] += 1;
        }
        for i in 0..n_pre {
            row_ptr[i + 1] += row_ptr[i];
        }
        let post: Vec<u32> = sorted.iter().map(|t| t.1 as u32).collect();
        let weights: Vec<f64> = sorted.iter().map(|t| t.2).collect();
        let mut col_ptr = vec![0usize; n_post + 1];
        for &j in &post {
            col_ptr[j as usize + 1] += 1;
        }
        for j in 0..n_post {
            col_ptr[j + 1] += col_ptr[j];
        }
        let mut fill = col_ptr.clone();
        let (mut syn_of_post, mut pre_of_post) = (vec![0u32; post.len()], vec![0u32; post.len()]);
        for i in 0..n_pre {
            for k in row_ptr[i]..row_ptr[i + 1] {
                let j = post[k] as usize;
                syn_of_post[fill[j]] = k as u32;
                pre_of_post[fill[j]] = i as u32;
                fill[j] += 1;
            }
        }
        Self { row_ptr, post, weights, col_ptr, syn_of_post, pre_of_post }
    }

    /// Every presynaptic neuron connected to every postsynaptic neuron with weight `w`.
    pub fn all_to_all(n_pre: usize, n_post: usize, w: f64) -> Self {
        let t: Vec<_> = (0..n_pre).flat_map(|i| (0..n_post).map(move |j| (i, j, w))).collect();
        Self::from_triplets(n_pre, n_post, &t)
    }

    /// `n` independent synapses `i → i` with weight `w`.
    pub fn one_to_one(n: usize, w: f64) -> Self {
        let t: Vec<_> = (0..n).map(|i| (i, i, w)).collect();
        Self::from_triplets(n, n, &t)
    }

    /// Number of synapses.
    pub fn len(&self) -> usize {
        self.weights.len()
    }

    /// `true` without synapses.
    pub fn is_empty(&self) -> bool {
        self.weights.is_empty()
    }

    /// Number of presynaptic neurons.
    pub fn n_pre(&self) -> usize {
        self.row_ptr.len() - 1
    }

    /// Number of postsynaptic neurons.
    pub fn n_post(&self) -> usize {
        self.col_ptr.len() - 1
    }

    /// Weight of the first synapse `pre → post`, if any.
    pub fn weight(&self, pre: usize, post: usize) -> Option<f64> {
        (self.row_ptr[pre]..self.row_ptr[pre + 1]).find(|&k| self.post[k] as usize == post).map(|k| self.weights[k])
    }

    /// The view a rule's `step` takes.
    pub fn view(&mut self) -> SynapsesMut<'_> {
        SynapsesMut {
            row_ptr: &self.row_ptr,
            post: &self.post,
            weights: &mut self.weights,
            col_ptr: &self.col_ptr,
            syn_of_post: &self.syn_of_post,
            pre_of_post: &self.pre_of_post,
        }
    }
}
