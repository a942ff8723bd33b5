//! `PointPopulation`: vectorises a user's per-neuron [`PointNeuron`] with any integrator.

use crate::common::{ReceptorBank, check_input, refractory_steps};
use engram_core::checkpoint_fields;
use engram_core::neuron::{NeuronModel, PointNeuron, Receptor, StepContext, StepInput};
use engram_core::ode::{Integrator, OdeSystem};

/// One neuron's equations with its synaptic variables and injected current frozen over a step.
struct OneNeuron<'a, N> {
    neuron: &'a N,
    synaptic: &'a [f64],
    i_ext_pa: f64,
}

impl<N: PointNeuron> OdeSystem for OneNeuron<'_, N> {
    fn dim(&self) -> usize {
        N::STATE.len()
    }
    fn derivatives(&self, _t: f64, y: &[f64], dydt: &mut [f64]) {
        self.neuron.derivatives(y, self.synaptic, self.i_ext_pa, dydt);
    }
}

/// A population of `n` copies of a [`PointNeuron`], stored as structure-of-arrays and advanced
/// with any [`Integrator`].
///
/// Each receptor gets one exponentially decaying synaptic variable per neuron: it jumps by the
/// arriving weight and decays exactly with the receptor's `tau_ms`; the neuron's `derivatives`
/// receive it (nS for conductance receptors — compute the current with
/// [`synaptic_current_pa`](crate::synaptic_current_pa) — pA for current receptors) held
/// constant over the step, together with the injected current in pA. After each step the
/// population tests `spiked`, applies `reset`, and holds the state (not integrated) for
/// `refractory_ms`.
///
/// State variables: the names of `N::STATE`, then `g_<receptor>_ns` for conductance receptors
/// and `i_<receptor>_pa` for current receptors. `kind()` is `point:<name>`.
///
/// ```
/// use engram_core::prelude::*;
/// use engram_integrators::IntegratorKind;
/// use engram_neurons::{PointPopulation, synaptic_current_pa};
///
/// /// A conductance LIF written as a point neuron.
/// struct Lif { receptors: Vec<Receptor> }
/// impl PointNeuron for Lif {
///     const STATE: &'static [&'static str] = &["v_mv"];
///     fn receptors(&self) -> &[Receptor] { &self.receptors }
///     fn initial_state(&self, s: &mut [f64]) { s[0] = -60.0 }
///     fn derivatives(&self, s: &[f64], syn: &[f64], i_pa: f64, ds: &mut [f64]) {
///         let i_syn = synaptic_current_pa(&self.receptors, syn, s[0]);
///         ds[0] = (10.0 * (-60.0 - s[0]) + i_syn + i_pa) / 200.0;
///     }
///     fn spiked(&self, s: &[f64]) -> bool { s[0] > -50.0 }
///     fn reset(&self, s: &mut [f64]) { s[0] = -60.0 }
///     fn refractory_ms(&self) -> f64 { 5.0 }
/// }
/// let lif = Lif { receptors: vec![Receptor::conductance("exc", 0.0, 5.0)] };
/// let mut pop = PointPopulation::new("lif", 3, lif, IntegratorKind::Rk2.build());
/// assert_eq!(pop.kind(), "point:lif");
/// assert_eq!(pop.state_names(), ["v_mv", "g_exc_ns"]);
/// let input = vec![vec![0.0; 3]];
/// let mut spikes = Vec::new();
/// pop.step(&StepContext { step: 0, dt_ms: 0.1 }, StepInput { receptors: &input, current_pa: &[0.0, 0.0, 1e5] }, &mut spikes);
/// assert_eq!(spikes, vec![2]);
/// ```
pub struct PointPopulation<N: PointNeuron> {
    neuron: N,
    kind: String,
    integrator: Box<dyn Integrator>,
    names: Vec<&'static str>,
    /// `state[j][i]`: variable `j` of neuron `i`.
    state: Vec<Vec<f64>>,
    /// The synaptic variables, one per receptor and neuron.
    bank: ReceptorBank,
    refractory_left: Vec<u32>,
    /// Scratch: one neuron's state.
    y: Vec<f64>,
    /// Scratch: one neuron's synaptic variables after this step's arrivals.
    syn_now: Vec<f64>,
    /// Scratch: all neurons' synaptic variables after arrivals (receptor-major).
    syn_arrived: Vec<Vec<f64>>,
    /// (dt, refractory steps) for that dt.
    cache_dt_ms: f64,
    n_ref: u32,
}

impl<N: PointNeuron> PointPopulation<N> {
    /// `n` neurons in `neuron.initial_state`, advanced with `integrator`; `name` gives the
    /// population's kind `point:<name>`.
    pub fn new(name: &str, n: usize, neuron: N, integrator: Box<dyn Integrator>) -> Self {
        let bank = ReceptorBank::new(n, neuron.receptors().to_vec());
        let mut names: Vec<&'static str> = N::STATE.to_vec();
        names.extend(bank.names());
        let dim = N::STATE.len();
        let n_r = bank.receptors().len();
        let mut pop = Self {
            kind: format!("point:{name}"),
            integrator,
            names,
            state: vec![vec![0.0; n]; dim],
            bank,
            refractory_left: vec![0; n],
            y: vec![0.0; dim],
            syn_now: vec![0.0; n_r],
            syn_arrived: vec![vec![0.0; n]; n_r],
            cache_dt_ms: f64::NAN,
            n_ref: 0,
            neuron,
        };
        pop.reset_state();
        pop
    }

    /// The neuron's equations.
    pub fn neuron(&self) -> &N {
        &self.neuron
    }

    /// The integrator's name (`euler`, `rk4`, ...).
    pub fn integrator_name(&self) -> &'static str {
        self.integrator.name()
    }

    fn prepare(&mut self, dt_ms: f64) {
        if self.cache_dt_ms == dt_ms {
            return;
        }
        self.cache_dt_ms = dt_ms;
        self.n_ref = refractory_steps(self.neuron.refractory_ms(), dt_ms);
    }
}

impl<N: PointNeuron> NeuronModel for PointPopulation<N> {
    fn kind(&self) -> &str {
        &self.kind
    }
    fn len(&self) -> usize {
        self.refractory_left.len()
    }
    fn receptors(&self) -> &[Receptor] {
        self.bank.receptors()
    }
    fn state_names(&self) -> &[&'static str] {
        &self.names
    }
    fn state(&self, name: &str) -> Option<&[f64]> {
        match N::STATE.iter().position(|&s| s == name) {
            Some(k) => Some(&self.state[k]),
            None => self.bank.get(name),
        }
    }
    fn state_mut(&mut self, name: &str) -> Option<&mut [f64]> {
        match N::STATE.iter().position(|&s| s == name) {
            Some(k) => Some(&mut self.state[k]),
            None => self.bank.get_mut(name),
        }
    }
    checkpoint_fields!(refractory_left);
    fn step(&mut self, ctx: &StepContext, input: StepInput<'_>, spikes: &mut Vec<u32>) {
        let n = self.len();
        check_input(&self.kind, n, self.bank.receptors().len(), &input);
        self.prepare(ctx.dt_ms);
        // (1) and (5): arrivals, remembered for the membrane, then exact decay.
        let arrived = &mut self.syn_arrived;
        self.bank.advance(ctx.dt_ms, input.receptors, |r, i, g| arrived[r][i] = g);
        let t = ctx.time_ms();
        let dim = N::STATE.len();
        for i in 0..n {
            // (2) integrate unless refractory
            let r = self.refractory_left[i].saturating_sub(1);
            self.refractory_left[i] = r;
            if r > 0 {
                continue;
            }
            for j in 0..dim {
                self.y[j] = self.state[j][i];
            }
            for (s, arrived) in self.syn_now.iter_mut().zip(&self.syn_arrived) {
                *s = arrived[i];
            }
            let sys = OneNeuron { neuron: &self.neuron, synaptic: &self.syn_now, i_ext_pa: input.current_pa[i] };
            self.integrator.step(&sys, t, ctx.dt_ms, &mut self.y);
            // (3)–(4) threshold, reset, refractoriness
            if self.neuron.spiked(&self.y) {
                self.neuron.reset(&mut self.y);
                self.refractory_left[i] = self.n_ref;
                spikes.push(i as u32);
            }
            for j in 0..dim {
                self.state[j][i] = self.y[j];
            }
        }
    }
    /// Keeps the block's state, synaptic variables and refractory counters (a point neuron
    /// has no per-neuron parameters: every neuron shares `neuron`).
    fn keep_block(&mut self, block: std::ops::Range<usize>) -> bool {
        assert!(block.end <= self.len(), "{}: keep_block({block:?}) of {} neurons", self.kind, self.len());
        for v in self.state.iter_mut().chain(self.syn_arrived.iter_mut()) {
            crate::common::keep_block(v, &block);
        }
        crate::common::keep_block(&mut self.refractory_left, &block);
        self.bank.keep_block(&block);
        true
    }
    fn refractory_ms(&self) -> Option<f64> {
        let t_ref_ms = self.neuron.refractory_ms();
        (t_ref_ms > 0.0).then_some(t_ref_ms)
    }
    fn reset_state(&mut self) {
        let dim = N::STATE.len();
        for i in 0..self.len() {
            self.neuron.initial_state(&mut self.y[..dim]);
            for j in 0..dim {
                self.state[j][i] = self.y[j];
            }
        }
        self.bank.reset();
        self.refractory_left.fill(0);
    }
}
