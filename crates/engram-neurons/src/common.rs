//! Pieces shared by the models: conductance receptor parameters, the membrane integration
//! choice, synaptic current from receptor variables, refractory step counts, input checks.

use engram_core::checkpoint::ComponentState;
use engram_core::error::{EngramError, ParamError};
use engram_core::neuron::{NeuronModel, Receptor, ReceptorKind, StepInput};
use engram_core::params::{finite, positive};
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
/// rounded to the nearest step. With the counter set to this value at the spike and decremented
/// at the start of each later step, a neuron that spiked in step `n` integrates again from step
/// `n + t_ref/dt` on (Brian2's `(t − lastspike) < refractory`).
pub(crate) fn refractory_steps(t_ref_ms: f64, dt_ms: f64) -> u32 {
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

/// Panic with a clear message if the input does not match the population.
#[inline]
pub(crate) fn check_input(kind: &str, n: usize, n_receptors: usize, input: &StepInput<'_>) {
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

/// Add the arriving weights to one synaptic variable, hand its post-arrival value to `use_value`,
/// then decay it by `decay` (steps 1 and 5 of the update order; the membrane in between only
/// reads the post-arrival value, so the decay can be applied in the same pass).
#[inline]
pub(crate) fn arrive_and_decay(g: &mut [f64], w: &[f64], decay: f64, mut use_value: impl FnMut(usize, f64)) {
    let n = g.len();
    let w = &w[..n];
    for i in 0..n {
        let gi = g[i] + w[i];
        use_value(i, gi);
        g[i] = gi * decay;
    }
}

/// Steps 1 and 5 for a set of conductance receptors: add the arrivals, record the total
/// conductance `g_sum` (nS) and `ge_sum = Σ g_r·e_rev_r` (pA) after arrival for the membrane
/// update, and decay each conductance by its factor.
pub(crate) fn conductance_pass(
    g_ns: &mut [Vec<f64>],
    e_rev_mv: &[f64],
    decay: &[f64],
    input: &StepInput<'_>,
    g_sum: &mut [f64],
    ge_sum: &mut [f64],
) {
    let n = g_sum.len();
    let ge_sum = &mut ge_sum[..n];
    if g_ns.is_empty() {
        g_sum.fill(0.0);
        ge_sum.fill(0.0);
        return;
    }
    // Two or three receptors (COBA, Dp) in one fused pass over zipped slices: half the memory
    // traffic of one pass per receptor, and no bounds checks, so it vectorises.
    match g_ns {
        [g0, g1] => {
            let (e0, e1, d0, d1) = (e_rev_mv[0], e_rev_mv[1], decay[0], decay[1]);
            let (w0, w1) = (&input.receptors[0][..n], &input.receptors[1][..n]);
            let per_neuron =
                g0[..n].iter_mut().zip(&mut g1[..n]).zip(w0.iter().zip(w1)).zip(g_sum.iter_mut().zip(ge_sum));
            for (((g0, g1), (w0, w1)), (gs, ges)) in per_neuron {
                let (a, b) = (*g0 + w0, *g1 + w1);
                *gs = a + b;
                *ges = a * e0 + b * e1;
                *g0 = a * d0;
                *g1 = b * d1;
            }
            return;
        }
        [g0, g1, g2] => {
            let (e0, e1, e2) = (e_rev_mv[0], e_rev_mv[1], e_rev_mv[2]);
            let (d0, d1, d2) = (decay[0], decay[1], decay[2]);
            let (w0, w1, w2) = (&input.receptors[0][..n], &input.receptors[1][..n], &input.receptors[2][..n]);
            let per_neuron = g0[..n]
                .iter_mut()
                .zip(&mut g1[..n])
                .zip(&mut g2[..n])
                .zip(w0.iter().zip(w1).zip(w2))
                .zip(g_sum.iter_mut().zip(ge_sum));
            for ((((g0, g1), g2), ((w0, w1), w2)), (gs, ges)) in per_neuron {
                let (a, b, c) = (*g0 + w0, *g1 + w1, *g2 + w2);
                *gs = a + b + c;
                *ges = a * e0 + b * e1 + c * e2;
                *g0 = a * d0;
                *g1 = b * d1;
                *g2 = c * d2;
            }
            return;
        }
        _ => {}
    }
    for (r, g) in g_ns.iter_mut().enumerate() {
        let (e, d) = (e_rev_mv[r], decay[r]);
        let g = &mut g[..n];
        let w = &input.receptors[r][..n];
        if r == 0 {
            for i in 0..n {
                let gi = g[i] + w[i];
                g_sum[i] = gi;
                ge_sum[i] = gi * e;
                g[i] = gi * d;
            }
        } else {
            for i in 0..n {
                let gi = g[i] + w[i];
                g_sum[i] += gi;
                ge_sum[i] += gi * e;
                g[i] = gi * d;
            }
        }
    }
}

/// Push the indices `i` with `spiked[i] != 0`, in increasing order, skipping eight silent
/// neurons at a time.
#[inline]
pub(crate) fn collect_spikes(spiked: &[u8], spikes: &mut Vec<u32>) {
    let mut chunks = spiked.chunks_exact(8);
    let mut base = 0u32;
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

/// The checkpoint state of a model whose whole dynamic state is its named state variables
/// (as `state_names` lists them) plus, if it has them, refractory counters.
pub(crate) fn save_named(model: &dyn NeuronModel, refractory_left: Option<&[u32]>) -> ComponentState {
    let mut s = ComponentState::new(model.kind());
    for &name in model.state_names() {
        s = s.with_f64(name, model.state(name).expect("listed state variable"));
    }
    if let Some(r) = refractory_left {
        s = s.with_u32("refractory_left", r);
    }
    s
}

/// Load what [`save_named`] wrote: checks the kind and every length before changing anything,
/// then copies the state variables. With `refractory`, the counters (one per neuron) are
/// checked too but copied by the caller (`read_u32("refractory_left", ..)`).
pub(crate) fn load_named(
    model: &mut dyn NeuronModel,
    state: &ComponentState,
    refractory: bool,
) -> Result<(), EngramError> {
    state.check_kind(model.kind())?;
    let names: Vec<&'static str> = model.state_names().to_vec();
    let n = model.len();
    for name in &names {
        let len = state.f64_array(name)?.len();
        if len != n {
            return Err(EngramError::Checkpoint(format!(
                "state of `{}`: `{name}` has {len} values, expected {n}",
                model.kind()
            )));
        }
    }
    if refractory {
        let len = state.u64_array("refractory_left")?.len();
        if len != n {
            return Err(EngramError::Checkpoint(format!(
                "state of `{}`: `refractory_left` has {len} values, expected {n}",
                model.kind()
            )));
        }
    }
    for name in names {
        state.read_f64(name, model.state_mut(name).expect("listed state variable"))?;
    }
    Ok(())
}
