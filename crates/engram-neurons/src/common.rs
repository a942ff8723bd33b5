//! Pieces shared by the models, public so that a model of your own can use them too: the
//! receptor bank (synaptic variables with arrivals, exact decay and the sums the membrane
//! needs), conductance receptor parameters, the membrane integration choice, synaptic current
//! from receptor variables, refractory step counts, spike collection and input checks.

use engram_core::busy;
use engram_core::error::ParamError;
use engram_core::neuron::{Receptor, ReceptorKind, StepInput};
use engram_core::params::{finite, positive};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::sync::Mutex;

/// One exponential conductance channel: `g` jumps by the arriving weight (nS) and decays with
/// `tau_ms`; its current is `g·(e_rev_mv − v)` (pA).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConductanceReceptor {
    /// Name used by projections and monitors (`exc`, `inh`, `ob`, ...).
    pub name: String,
    /// Reversal potential, mV.
    pub e_rev_mv: f64,
    /// Decay time constant, ms.
    pub tau_ms: f64,
}

impl ConductanceReceptor {
    /// A channel named `name` with reversal potential `e_rev_mv` and decay time `tau_ms`.
    pub fn new(name: &str, e_rev_mv: f64, tau_ms: f64) -> Self {
        Self { name: name.into(), e_rev_mv, tau_ms }
    }

    /// The engine's description of this channel.
    pub fn to_receptor(&self) -> Receptor {
        Receptor::conductance(&self.name, self.e_rev_mv, self.tau_ms)
    }
}

/// Check a list of conductance receptors: non-empty unique names, finite reversal
/// potentials, positive time constants. Errors are named `receptors[i].field`.
pub(crate) fn validate_receptors(list: &[ConductanceReceptor]) -> Result<(), ParamError> {
    for (k, r) in list.iter().enumerate() {
        let at = |e: ParamError| e.within(&format!("receptors[{k}]"));
        if r.name.is_empty() || !r.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(at(ParamError::new(
                "name",
                format!("{:?}", r.name),
                "a non-empty name of letters, digits and _",
            )));
        }
        if list[..k].iter().any(|o| o.name == r.name) {
            return Err(at(ParamError::new("name", format!("{:?}", r.name), "a name not used by another receptor")));
        }
        finite("e_rev_mv", r.e_rev_mv).map_err(at)?;
        positive("tau_ms", r.tau_ms).map_err(at)?;
    }
    Ok(())
}

/// `Ok` if `v_reset < v_th`; the error names `field` (the reset).
pub(crate) fn reset_below(field: &str, v_reset: f64, th_name: &str, v_th: f64) -> Result<(), ParamError> {
    if v_reset.is_finite() && v_th.is_finite() && v_reset < v_th {
        Ok(())
    } else {
        Err(ParamError::new(field, v_reset, format!("a finite potential below {th_name} = {v_th} mV")))
    }
}

/// How a conductance-based membrane is advanced over one step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MembraneIntegrator {
    /// Forward Euler from the state at the start of the step (Brian2 `euler`, the Dp code).
    #[default]
    Euler,
    /// Exponential Euler: conductances, injected current and adaptation frozen over the step,
    /// the membrane relaxes exactly towards its momentary equilibrium (Brian2
    /// `exponential_euler`). Stable for any conductance; adaptation decays exactly too.
    ExpEuler,
}

/// Total synaptic current into a neuron at potential `v_mv`, in pA:
/// `Σ g_r·(e_rev_r − v)` over conductance receptors (g in nS) plus `Σ s_r` over current
/// receptors (in pA). `synaptic[r]` is the variable of `receptors[r]`.
///
/// ```
/// use engram_core::neuron::Receptor;
/// use engram_neurons::synaptic_current_pa;
/// let rs = [Receptor::conductance("exc", 0.0, 5.0), Receptor::current("drive", 2.0)];
/// // 2 nS at -60 mV towards 0 mV gives 120 pA, plus 30 pA of current.
/// assert_eq!(synaptic_current_pa(&rs, &[2.0, 30.0], -60.0), 150.0);
/// ```
pub fn synaptic_current_pa(receptors: &[Receptor], synaptic: &[f64], v_mv: f64) -> f64 {
    receptors
        .iter()
        .zip(synaptic)
        .map(|(r, &s)| match r.kind {
            ReceptorKind::Conductance { e_rev_mv } => s * (e_rev_mv - v_mv),
            ReceptorKind::Current => s,
        })
        .sum()
}

/// Number of steps a neuron stays refractory after the step in which it spiked: `t_ref/dt`
/// rounded to the nearest step.
///
/// The library's models keep one counter per neuron (`refractory_left`, a `Vec<u32>`, declared
/// with `checkpoint_fields!` so that checkpoints include it) and use it the way Brian2's
/// `(t − lastspike) < refractory` works: set to this value in the step of a spike, decremented
/// at the start of each later step, and the membrane is integrated only when the decremented
/// counter is 0. A neuron that spiked in step `n` then integrates again from step
/// `n + t_ref/dt` on.
///
/// ```
/// use engram_neurons::refractory_steps;
/// assert_eq!(refractory_steps(2.0, 0.1), 20);
/// assert_eq!(refractory_steps(0.25, 0.1), 3); // 2.5 steps round to 3
/// // One neuron with a 0.3 ms period at dt = 0.1 ms, spiking in step 0:
/// let (n_ref, mut left, mut integrated) = (refractory_steps(0.3, 0.1), 0u32, Vec::new());
/// for step in 0..6 {
///     left = left.saturating_sub(1);
///     if left == 0 { integrated.push(step) }
///     if step == 0 { left = n_ref } // the spike
/// }
/// assert_eq!(integrated, [0, 3, 4, 5]);
/// ```
pub fn refractory_steps(t_ref_ms: f64, dt_ms: f64) -> u32 {
    (t_ref_ms / dt_ms).round() as u32
}

/// A `'static` copy of a state-variable name built at run time (`g_ob_ns`, ...).
///
/// Names are interned, so building many populations with the same receptors leaks each
/// distinct name once.
pub(crate) fn intern(name: String) -> &'static str {
    static NAMES: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());
    let mut names = NAMES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(&s) = names.get(name.as_str()) {
        return s;
    }
    let s: &'static str = Box::leak(name.into_boxed_str());
    names.insert(s);
    s
}

/// Panic with a clear message if the input does not match the population: `n` injected
/// currents, `n_receptors` receptor inputs of `n` values each. `kind` names the model.
///
/// ```should_panic
/// use engram_core::neuron::StepInput;
/// let receptors = vec![vec![0.0; 3]];
/// // "my_model: input for 1 receptors, the model has 2"
/// engram_neurons::check_input("my_model", 3, 2, &StepInput { receptors: &receptors, current_pa: &[0.0; 3] });
/// ```
#[inline]
pub fn check_input(kind: &str, n: usize, n_receptors: usize, input: &StepInput<'_>) {
    assert_eq!(input.current_pa.len(), n, "{kind}: current_pa has {} entries for {n} neurons", input.current_pa.len());
    assert_eq!(
        input.receptors.len(),
        n_receptors,
        "{kind}: input for {} receptors, the model has {n_receptors}",
        input.receptors.len()
    );
    for (r, w) in input.receptors.iter().enumerate() {
        assert_eq!(w.len(), n, "{kind}: receptor {r} input has {} entries for {n} neurons", w.len());
    }
}

/// The synaptic variables of a population: for each receptor one exponentially decaying
/// variable per neuron (a conductance in nS for [`ReceptorKind::Conductance`], a current in
/// pA for [`ReceptorKind::Current`]), which jumps by the weight arriving in a step and decays
/// exactly by `exp(−dt/τ)`.
///
/// This is steps (1) and (5) of the update order of every library model: in a step, each
/// variable first takes the arriving weights, the membrane then reads these post-arrival
/// values, and the variable decays by its exact factor. The membrane only reads the
/// post-arrival value, so arrival, reading and decay happen in one pass over memory:
///
/// - [`advance_with_sums`](Self::advance_with_sums) hands the membrane the two sums it needs
///   for any mix of receptors, `g_sum = Σ g_r` (conductances only) and
///   `ge_sum = Σ g_r·E_r + Σ i_r`, so that the synaptic current at potential `v` is
///   `ge_sum − g_sum·v` (pA) — what [`LifCond`](crate::LifCond) and [`AdEx`](crate::AdEx) use;
/// - [`advance`](Self::advance) hands each post-arrival value to a closure
///   ([`PointPopulation`](crate::PointPopulation));
/// - a model that fuses everything into one loop of its own ([`LifCurrent`](crate::LifCurrent),
///   [`LifNmda`](crate::LifNmda), [`Izhikevich`](crate::Izhikevich)) takes
///   [`values_mut`](Self::values_mut) and the factors of [`decay`](Self::decay) after
///   [`prepare`](Self::prepare).
///
/// Each variable has a state-variable name for monitors and checkpoints: `g_<receptor>_ns` or
/// `i_<receptor>_pa` ([`with_names`](Self::with_names) chooses others); a model lists
/// [`names`](Self::names) in its `state_names` and answers `state(name)` with
/// [`get`](Self::get).
///
/// ```
/// use engram_core::neuron::Receptor;
/// use engram_neurons::ReceptorBank;
///
/// let mut bank = ReceptorBank::new(2, vec![Receptor::conductance("exc", 0.0, 5.0), Receptor::current("drive", 2.0)]);
/// assert_eq!(bank.names(), ["g_exc_ns", "i_drive_pa"]);
/// // Step 1: 2 nS arrive on `exc` of neuron 0, 30 pA on `drive` of neuron 1.
/// let input = vec![vec![2.0, 0.0], vec![0.0, 30.0]];
/// let (mut g_sum, mut ge_sum) = (vec![0.0; 2], vec![0.0; 2]);
/// bank.advance_with_sums(0.1, &input, &mut g_sum, &mut ge_sum);
/// assert_eq!((g_sum, ge_sum.clone()), (vec![2.0, 0.0], vec![0.0, 30.0])); // E_exc = 0 mV
/// // Synaptic current of neuron 0 at −60 mV: ge_sum − g_sum·v = 120 pA.
/// assert_eq!(ge_sum[0] - 2.0 * -60.0, 120.0);
/// // After the step, the variables have decayed by exp(−dt/τ).
/// assert_eq!(bank.get("g_exc_ns").unwrap()[0], 2.0 * (-0.1f64 / 5.0).exp());
/// assert_eq!(bank.get("i_drive_pa").unwrap()[1], 30.0 * (-0.1f64 / 2.0).exp());
/// ```
#[derive(Clone, Debug)]
pub struct ReceptorBank {
    receptors: Vec<Receptor>,
    names: Vec<&'static str>,
    /// `values[r][i]`: the variable of receptor `r` of neuron `i`.
    values: Vec<Vec<f64>>,
    /// Reversal potential per receptor (0 for current receptors, where it is not used).
    e_rev_mv: Vec<f64>,
    /// `true` if every receptor is a conductance (the fused two- and three-receptor passes).
    all_conductance: bool,
    /// The step size the decay factors are for.
    dt_ms: f64,
    /// `exp(−dt/τ_r)` per receptor.
    decay: Vec<f64>,
}

/// Keep the elements `block` of `v` (a per-neuron array), freeing the rest.
pub(crate) fn keep_block<T>(v: &mut Vec<T>, block: &std::ops::Range<usize>) {
    v.truncate(block.end);
    v.drain(..block.start.min(v.len()));
    v.shrink_to_fit();
}

impl ReceptorBank {
    /// Keep the neurons `block` (see `NeuronModel::keep_block`).
    pub fn keep_block(&mut self, block: &std::ops::Range<usize>) {
        self.values.iter_mut().for_each(|v| keep_block(v, block));
    }

    /// `n` neurons with the variables of `receptors` at zero, named `g_<receptor>_ns`
    /// (conductance) or `i_<receptor>_pa` (current).
    pub fn new(n: usize, receptors: Vec<Receptor>) -> Self {
        let names = receptors
            .iter()
            .map(|r| match r.kind {
                ReceptorKind::Conductance { .. } => intern(format!("g_{}_ns", r.name)),
                ReceptorKind::Current => intern(format!("i_{}_pa", r.name)),
            })
            .collect();
        let e_rev_mv = receptors
            .iter()
            .map(|r| match r.kind {
                ReceptorKind::Conductance { e_rev_mv } => e_rev_mv,
                ReceptorKind::Current => 0.0,
            })
            .collect();
        let all_conductance = receptors.iter().all(|r| matches!(r.kind, ReceptorKind::Conductance { .. }));
        let n_r = receptors.len();
        Self {
            values: vec![vec![0.0; n]; n_r],
            decay: vec![0.0; n_r],
            dt_ms: f64::NAN,
            receptors,
            names,
            e_rev_mv,
            all_conductance,
        }
    }

    /// Name the variables `names` (one per receptor, in order) instead of
    /// `g_<receptor>_ns` / `i_<receptor>_pa`, e.g. after the transmitter (`g_ampa_ns`).
    ///
    /// # Panics
    /// If `names` does not have one name per receptor.
    pub fn with_names(mut self, names: &[&'static str]) -> Self {
        assert_eq!(names.len(), self.receptors.len(), "ReceptorBank::with_names: one name per receptor");
        self.names = names.to_vec();
        self
    }

    /// Number of neurons.
    pub fn len(&self) -> usize {
        self.values.first().map_or(0, Vec::len)
    }

    /// `true` without neurons or without receptors.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The receptors, in the order of `StepInput::receptors`.
    pub fn receptors(&self) -> &[Receptor] {
        &self.receptors
    }

    /// The state-variable names, one per receptor.
    pub fn names(&self) -> &[&'static str] {
        &self.names
    }

    /// The variable called `name` for all neurons.
    pub fn get(&self, name: &str) -> Option<&[f64]> {
        let r = self.names.iter().position(|&s| s == name)?;
        Some(&self.values[r])
    }

    /// The variable called `name` for all neurons, mutable.
    pub fn get_mut(&mut self, name: &str) -> Option<&mut [f64]> {
        let r = self.names.iter().position(|&s| s == name)?;
        Some(&mut self.values[r])
    }

    /// All variables: `values()[r][i]` is receptor `r` of neuron `i`.
    pub fn values(&self) -> &[Vec<f64>] {
        &self.values
    }

    /// All variables, mutable (for a model's own fused loop).
    pub fn values_mut(&mut self) -> &mut [Vec<f64>] {
        &mut self.values
    }

    /// Reversal potential of each receptor, mV (0 for current receptors).
    pub fn e_rev_mv(&self) -> &[f64] {
        &self.e_rev_mv
    }

    /// Compute the decay factors `exp(−dt/τ_r)` for step size `dt_ms` (nothing if they are
    /// already for this step size). The `advance` methods call it themselves.
    #[inline]
    pub fn prepare(&mut self, dt_ms: f64) {
        if self.dt_ms == dt_ms {
            return;
        }
        self.dt_ms = dt_ms;
        for (d, r) in self.decay.iter_mut().zip(&self.receptors) {
            *d = (-dt_ms / r.tau_ms).exp();
        }
    }

    /// The decay factor of each receptor for the step size of the last
    /// [`prepare`](Self::prepare).
    pub fn decay(&self) -> &[f64] {
        &self.decay
    }

    /// Set every variable to zero (between trials).
    pub fn reset(&mut self) {
        for v in &mut self.values {
            v.fill(0.0);
        }
    }

    /// One step of arrivals and decay: add `input[r][i]` to each variable, hand its
    /// post-arrival value to `use_value(r, i, value)`, then decay it by `exp(−dt/τ_r)`.
    ///
    /// ```
    /// use engram_core::neuron::Receptor;
    /// use engram_neurons::ReceptorBank;
    /// let mut bank = ReceptorBank::new(1, vec![Receptor::current("exc", 10.0)]);
    /// let mut seen = Vec::new();
    /// bank.advance(1.0, &[vec![5.0]], |_, _, i_pa| seen.push(i_pa));
    /// bank.advance(1.0, &[vec![0.0]], |_, _, i_pa| seen.push(i_pa));
    /// assert_eq!(seen, [5.0, 5.0 * (-0.1f64).exp()]);
    /// ```
    #[inline]
    pub fn advance(&mut self, dt_ms: f64, input: &[Vec<f64>], mut use_value: impl FnMut(usize, usize, f64)) {
        self.prepare(dt_ms);
        for (r, g) in self.values.iter_mut().enumerate() {
            let (n, decay) = (g.len(), self.decay[r]);
            let w = &input[r][..n];
            for i in 0..n {
                let gi = g[i] + w[i];
                use_value(r, i, gi);
                g[i] = gi * decay;
            }
        }
    }

    /// One step of arrivals and decay that leaves the membrane its synaptic input as two sums
    /// per neuron, taken after the arrivals: `g_sum[i] = Σ g_r` over the conductance receptors
    /// (nS) and `ge_sum[i] = Σ g_r·E_r + Σ i_r` over conductance and current receptors (pA).
    /// The synaptic current at potential `v` is then `ge_sum[i] − g_sum[i]·v`.
    ///
    /// With two or three conductance receptors (COBA, Dp) the receptors are updated in one
    /// fused pass over zipped slices: half the memory traffic of one pass per receptor, and no
    /// bounds checks, so it vectorises.
    pub fn advance_with_sums(&mut self, dt_ms: f64, input: &[Vec<f64>], g_sum: &mut [f64], ge_sum: &mut [f64]) {
        self.advance_range_with_sums(dt_ms, input, 0, g_sum, ge_sum);
    }

    /// [`advance_with_sums`](Self::advance_with_sums) for the neurons `first..first + n` only
    /// (`n = g_sum.len()`; `g_sum` and `ge_sum` hold those neurons' sums), leaving the others
    /// untouched: each neuron's arithmetic is the same, bit for bit. For a rank of a network
    /// split across ranks, which advances only its own neurons.
    pub fn advance_range_with_sums(
        &mut self,
        dt_ms: f64,
        input: &[Vec<f64>],
        first: usize,
        g_sum: &mut [f64],
        ge_sum: &mut [f64],
    ) {
        self.prepare(dt_ms);
        let n = g_sum.len();
        let own = first..first + n;
        let ge_sum = &mut ge_sum[..n];
        let (e_rev_mv, decay) = (&self.e_rev_mv, &self.decay);
        if self.values.is_empty() {
            g_sum.fill(0.0);
            ge_sum.fill(0.0);
            return;
        }
        if self.all_conductance {
            match &mut self.values[..] {
                [g0, g1] => {
                    let k = [(e_rev_mv[0], decay[0]), (e_rev_mv[1], decay[1])];
                    let w = [&input[0][own.clone()], &input[1][own.clone()]];
                    fused2(k, [&mut g0[own.clone()], &mut g1[own]], w, g_sum, ge_sum);
                    return;
                }
                [g0, g1, g2] => {
                    let k = [(e_rev_mv[0], decay[0]), (e_rev_mv[1], decay[1]), (e_rev_mv[2], decay[2])];
                    let g = [&mut g0[own.clone()], &mut g1[own.clone()], &mut g2[own.clone()]];
                    fused3(k, g, [&input[0][own.clone()], &input[1][own.clone()], &input[2][own]], g_sum, ge_sum);
                    return;
                }
                _ => {}
            }
        }
        for (r, g) in self.values.iter_mut().enumerate() {
            let (e, d) = (e_rev_mv[r], decay[r]);
            let conductance = matches!(self.receptors[r].kind, ReceptorKind::Conductance { .. });
            let g = &mut g[own.clone()];
            let w = &input[r][own.clone()];
            match (r == 0, conductance) {
                (true, true) => {
                    for i in 0..n {
                        let gi = g[i] + w[i];
                        g_sum[i] = gi;
                        ge_sum[i] = gi * e;
                        g[i] = gi * d;
                    }
                }
                (false, true) => {
                    for i in 0..n {
                        let gi = g[i] + w[i];
                        g_sum[i] += gi;
                        ge_sum[i] += gi * e;
                        g[i] = gi * d;
                    }
                }
                (true, false) => {
                    for i in 0..n {
                        let si = g[i] + w[i];
                        g_sum[i] = 0.0;
                        ge_sum[i] = si;
                        g[i] = si * d;
                    }
                }
                (false, false) => {
                    for i in 0..n {
                        let si = g[i] + w[i];
                        ge_sum[i] += si;
                        g[i] = si * d;
                    }
                }
            }
        }
    }

    /// [`advance_with_sums`](Self::advance_with_sums) in chunks of `chunk_len` neurons on the
    /// current rayon pool, with the same result bit for bit (each neuron's arithmetic is the
    /// same; only the split into chunks differs). The fused two- and three-conductance passes
    /// run in parallel, each chunk timed with [`engram_core::busy::timed`]; other banks run
    /// sequentially.
    pub fn par_advance_with_sums(
        &mut self,
        dt_ms: f64,
        input: &[Vec<f64>],
        chunk_len: usize,
        g_sum: &mut [f64],
        ge_sum: &mut [f64],
    ) {
        self.par_advance_range_with_sums(dt_ms, input, chunk_len, 0, g_sum, ge_sum);
    }

    /// [`par_advance_with_sums`](Self::par_advance_with_sums) for the neurons
    /// `first..first + g_sum.len()` only (see
    /// [`advance_range_with_sums`](Self::advance_range_with_sums)).
    pub fn par_advance_range_with_sums(
        &mut self,
        dt_ms: f64,
        input: &[Vec<f64>],
        chunk_len: usize,
        first: usize,
        g_sum: &mut [f64],
        ge_sum: &mut [f64],
    ) {
        if !(self.all_conductance && matches!(self.values.len(), 2 | 3)) {
            return busy::timed(|| self.advance_range_with_sums(dt_ms, input, first, g_sum, ge_sum));
        }
        self.prepare(dt_ms);
        let n = g_sum.len();
        let own = first..first + n;
        let (e_rev_mv, decay) = (&self.e_rev_mv, &self.decay);
        let c = chunk_len.max(1);
        match &mut self.values[..] {
            [g0, g1] => {
                let k = [(e_rev_mv[0], decay[0]), (e_rev_mv[1], decay[1])];
                let (w0, w1) = (&input[0][own.clone()], &input[1][own.clone()]);
                g0[own.clone()]
                    .par_chunks_mut(c)
                    .zip(g1[own.clone()].par_chunks_mut(c))
                    .zip(w0.par_chunks(c).zip(w1.par_chunks(c)))
                    .zip(g_sum.par_chunks_mut(c).zip(ge_sum[..n].par_chunks_mut(c)))
                    .for_each(|(((g0, g1), (w0, w1)), (gs, ges))| {
                        busy::timed(|| fused2(k, [g0, g1], [w0, w1], gs, ges))
                    });
            }
            [g0, g1, g2] => {
                let k = [(e_rev_mv[0], decay[0]), (e_rev_mv[1], decay[1]), (e_rev_mv[2], decay[2])];
                let (w0, w1, w2) = (&input[0][own.clone()], &input[1][own.clone()], &input[2][own.clone()]);
                g0[own.clone()]
                    .par_chunks_mut(c)
                    .zip(g1[own.clone()].par_chunks_mut(c))
                    .zip(g2[own.clone()].par_chunks_mut(c))
                    .zip(w0.par_chunks(c).zip(w1.par_chunks(c)).zip(w2.par_chunks(c)))
                    .zip(g_sum.par_chunks_mut(c).zip(ge_sum[..n].par_chunks_mut(c)))
                    .for_each(|((((g0, g1), g2), ((w0, w1), w2)), (gs, ges))| {
                        busy::timed(|| fused3(k, [g0, g1, g2], [w0, w1, w2], gs, ges))
                    });
            }
            _ => unreachable!("two or three receptors, checked above"),
        }
    }
}

/// The fused pass of two conductance receptors over one run of neurons: arrivals, the sums
/// for the membrane, exact decay. `k[r]` = (reversal potential, decay factor) of receptor `r`.
#[inline]
fn fused2(k: [(f64, f64); 2], g: [&mut [f64]; 2], w: [&[f64]; 2], g_sum: &mut [f64], ge_sum: &mut [f64]) {
    let [(e0, d0), (e1, d1)] = k;
    let [g0, g1] = g;
    let per_neuron = g0.iter_mut().zip(g1).zip(w[0].iter().zip(w[1])).zip(g_sum.iter_mut().zip(ge_sum));
    for (((g0, g1), (w0, w1)), (gs, ges)) in per_neuron {
        let (a, b) = (*g0 + w0, *g1 + w1);
        *gs = a + b;
        *ges = a * e0 + b * e1;
        *g0 = a * d0;
        *g1 = b * d1;
    }
}

/// [`fused2`] for three conductance receptors.
#[inline]
fn fused3(k: [(f64, f64); 3], g: [&mut [f64]; 3], w: [&[f64]; 3], g_sum: &mut [f64], ge_sum: &mut [f64]) {
    let [(e0, d0), (e1, d1), (e2, d2)] = k;
    let [g0, g1, g2] = g;
    let per_neuron =
        g0.iter_mut().zip(g1).zip(g2).zip(w[0].iter().zip(w[1]).zip(w[2])).zip(g_sum.iter_mut().zip(ge_sum));
    for ((((g0, g1), g2), ((w0, w1), w2)), (gs, ges)) in per_neuron {
        let (a, b, c) = (*g0 + w0, *g1 + w1, *g2 + w2);
        *gs = a + b + c;
        *ges = a * e0 + b * e1 + c * e2;
        *g0 = a * d0;
        *g1 = b * d1;
        *g2 = c * d2;
    }
}

/// Push the indices `i` with `spiked[i] != 0`, in increasing order, skipping eight silent
/// neurons at a time.
///
/// A model's membrane loop then writes one flag per neuron instead of pushing (a loop without
/// pushes vectorises) and collects the spikes afterwards, in the order `step` must push them.
///
/// ```
/// let mut spikes = Vec::new();
/// engram_neurons::collect_spikes(&[0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1], &mut spikes);
/// assert_eq!(spikes, [1, 9, 10]);
/// ```
#[inline]
pub fn collect_spikes(spiked: &[u8], spikes: &mut Vec<u32>) {
    collect_spikes_from(spiked, 0, spikes);
}

/// [`collect_spikes`] for a chunk of neurons that starts at neuron `first`: pushes
/// `first + i` for each `spiked[i] != 0`, in increasing order.
///
/// ```
/// let mut spikes = Vec::new();
/// engram_neurons::collect_spikes_from(&[0, 1, 1], 4096, &mut spikes);
/// assert_eq!(spikes, [4097, 4098]);
/// ```
#[inline]
pub fn collect_spikes_from(spiked: &[u8], first: u32, spikes: &mut Vec<u32>) {
    let mut chunks = spiked.chunks_exact(8);
    let mut base = first;
    for chunk in &mut chunks {
        if u64::from_ne_bytes(chunk.try_into().expect("chunk of 8")) != 0 {
            for (k, &f) in chunk.iter().enumerate() {
                if f != 0 {
                    spikes.push(base + k as u32);
                }
            }
        }
        base += 8;
    }
    for (k, &f) in chunks.remainder().iter().enumerate() {
        if f != 0 {
            spikes.push(base + k as u32);
        }
    }
}
