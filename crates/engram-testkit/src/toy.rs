//! Small models for engine tests (the library models live in engram-neurons): a probe that
//! records its input and fires on command, a toy current-based LIF with enough dynamics for
//! chaos-sensitive determinism tests, a model that produces NaN on purpose, and random sparse
//! weights.
//!
//! ```
//! use engram_sim::prelude::*;
//! use engram_testkit::toy::{Probe, ToyLif, random_weights};
//!
//! let mut b = NetworkBuilder::new(0.1, 1).unwrap();
//! b.add_population("L", ToyLif::new(20, 3)).unwrap();       // fires on its own (bias)
//! b.add_population("P", Probe::new(5, vec![])).unwrap();    // records what arrives
//! b.connect("L", "P", "exc", random_weights(20, 5, 0.5, 1.0, 7), Delay::Steps(1)).unwrap();
//! let mut net = b.build().unwrap();
//! net.run_ms(50.0).unwrap();
//! assert!(net.stats()[0].n_spikes > 0);
//! ```

use engram_core::checkpoint::ComponentState;
use engram_core::error::EngramError;
use engram_core::neuron::{NeuronModel, Receptor, StepContext, StepInput};

/// Records the input it receives; spikes when told to by `fire_at` (neuron, step) pairs.
///
/// One current receptor `exc`; `v_mv` integrates what arrives on it. It refuses checkpoints
/// (`save_state` and `load_state` return [`ComponentState::unsupported`]): the model without
/// them that the engine's error paths are tested with.
pub struct Probe {
    /// Per step, the input on receptor 0 of every neuron.
    pub received: Vec<Vec<f64>>,
    /// `(neuron, step)`: the neuron spikes in that step.
    pub fire_at: Vec<(u32, u64)>,
    /// Sum of the input received so far, per neuron.
    pub v: Vec<f64>,
    receptors: Vec<Receptor>,
}

impl Probe {
    /// `n` neurons that spike exactly at `fire_at`.
    pub fn new(n: usize, fire_at: Vec<(u32, u64)>) -> Self {
        Self { received: Vec::new(), fire_at, v: vec![0.0; n], receptors: vec![Receptor::current("exc", 1.0)] }
    }
}

impl NeuronModel for Probe {
    fn kind(&self) -> &str {
        "probe"
    }
    fn len(&self) -> usize {
        self.v.len()
    }
    fn receptors(&self) -> &[Receptor] {
        &self.receptors
    }
    fn state_names(&self) -> &[&'static str] {
        &["v_mv"]
    }
    fn state(&self, name: &str) -> Option<&[f64]> {
        (name == "v_mv").then_some(&self.v[..])
    }
    fn state_mut(&mut self, name: &str) -> Option<&mut [f64]> {
        (name == "v_mv").then_some(&mut self.v[..])
    }
    fn save_state(&self) -> Result<ComponentState, EngramError> {
        Err(ComponentState::unsupported("neuron model", self.kind()))
    }
    fn load_state(&mut self, _state: &ComponentState) -> Result<(), EngramError> {
        Err(ComponentState::unsupported("neuron model", self.kind()))
    }
    fn step(&mut self, ctx: &StepContext, input: StepInput<'_>, spikes: &mut Vec<u32>) {
        self.received.push(input.receptors[0].to_vec());
        for i in 0..self.v.len() {
            self.v[i] += input.receptors[0][i];
            if self.fire_at.contains(&(i as u32, ctx.step)) {
                spikes.push(i as u32);
            }
        }
    }
}

/// A current-based LIF with exponential synapses, forward Euler: enough dynamics for
/// chaos-sensitive determinism tests.
///
/// `dv/dt = (−(v + 60) + bias + i_exc − i_inh + I) / 20` (mV, ms), threshold −50 mV, reset to
/// −60 mV and 20 steps refractory; receptors `exc` (τ 5 ms) and `inh` (τ 10 ms), both
/// positive weights (`inh` is subtracted). With the default bias of 12 mV every neuron fires
/// on its own. Initial potentials are uniform in [−60, −50) from `engram_core::rng::stream(seed, 1, 0)`.
/// Checkpoints through the `NeuronModel` defaults (its state variables and one declared field).
pub struct ToyLif {
    /// Membrane potential, mV.
    pub v: Vec<f64>,
    /// Excitatory synaptic input.
    pub i_exc: Vec<f64>,
    /// Inhibitory synaptic input (subtracted).
    pub i_inh: Vec<f64>,
    refractory: Vec<u32>,
    receptors: Vec<Receptor>,
    /// Constant drive, mV. Default 12.
    pub bias: f64,
}

impl ToyLif {
    /// `n` neurons with random initial potentials drawn from `seed`.
    pub fn new(n: usize, seed: u64) -> Self {
        use rand::Rng;
        let mut rng = engram_core::rng::stream(seed, 1, 0);
        Self {
            v: (0..n).map(|_| rng.gen_range(-60.0..-50.0)).collect(),
            i_exc: vec![0.0; n],
            i_inh: vec![0.0; n],
            refractory: vec![0; n],
            receptors: vec![Receptor::current("exc", 5.0), Receptor::current("inh", 10.0)],
            bias: 12.0,
        }
    }

    /// The same with another bias (below 10 mV the neurons are silent without input).
    pub fn with_bias(mut self, bias: f64) -> Self {
        self.bias = bias;
        self
    }
}

impl NeuronModel for ToyLif {
    fn kind(&self) -> &str {
        "toy_lif"
    }
    fn len(&self) -> usize {
        self.v.len()
    }
    fn receptors(&self) -> &[Receptor] {
        &self.receptors
    }
    fn state_names(&self) -> &[&'static str] {
        &["v_mv", "i_exc", "i_inh"]
    }
    fn state(&self, name: &str) -> Option<&[f64]> {
        match name {
            "v_mv" => Some(&self.v),
            "i_exc" => Some(&self.i_exc),
            "i_inh" => Some(&self.i_inh),
            _ => None,
        }
    }
    fn state_mut(&mut self, name: &str) -> Option<&mut [f64]> {
        match name {
            "v_mv" => Some(&mut self.v),
            "i_exc" => Some(&mut self.i_exc),
            "i_inh" => Some(&mut self.i_inh),
            _ => None,
        }
    }
    // Checkpoints come from the trait's default: the three state variables plus this field.
    engram_core::checkpoint_fields!(refractory);
    fn step(&mut self, ctx: &StepContext, input: StepInput<'_>, spikes: &mut Vec<u32>) {
        let dt = ctx.dt_ms;
        for i in 0..self.v.len() {
            self.i_exc[i] += input.receptors[0][i];
            self.i_inh[i] += input.receptors[1][i];
            if self.refractory[i] > 0 {
                self.refractory[i] -= 1;
            } else {
                let dv = (-(self.v[i] + 60.0) + self.bias + self.i_exc[i] - self.i_inh[i] + input.current_pa[i]) / 20.0;
                self.v[i] += dt * dv;
            }
            if self.v[i] > -50.0 {
                self.v[i] = -60.0;
                self.refractory[i] = 20;
                spikes.push(i as u32);
            }
            self.i_exc[i] *= (-dt / 5.0f64).exp();
            self.i_inh[i] *= (-dt / 10.0f64).exp();
        }
    }
    fn reset_state(&mut self) {
        self.v.fill(-60.0);
        self.i_exc.fill(0.0);
        self.i_inh.fill(0.0);
        self.refractory.fill(0);
    }
}

/// A model that produces NaN in neuron `bad` at step `when`, or (with `fire_always`) makes
/// every neuron spike in every step.
pub struct Poison {
    /// Membrane potential (0 until poisoned).
    pub v: Vec<f64>,
    /// The neuron that turns NaN.
    pub bad: usize,
    /// The step in which it does.
    pub when: u64,
    /// Spike in every step instead (a runaway population).
    pub fire_always: bool,
    receptors: Vec<Receptor>,
}

impl Poison {
    /// `n` neurons; see the fields.
    pub fn new(n: usize, bad: usize, when: u64, fire_always: bool) -> Self {
        Self { v: vec![0.0; n], bad, when, fire_always, receptors: vec![Receptor::current("exc", 1.0)] }
    }
}

impl NeuronModel for Poison {
    fn kind(&self) -> &str {
        "poison"
    }
    fn len(&self) -> usize {
        self.v.len()
    }
    fn receptors(&self) -> &[Receptor] {
        &self.receptors
    }
    fn state_names(&self) -> &[&'static str] {
        &["v_mv"]
    }
    fn state(&self, name: &str) -> Option<&[f64]> {
        (name == "v_mv").then_some(&self.v[..])
    }
    fn state_mut(&mut self, name: &str) -> Option<&mut [f64]> {
        (name == "v_mv").then_some(&mut self.v[..])
    }
    fn step(&mut self, ctx: &StepContext, _input: StepInput<'_>, spikes: &mut Vec<u32>) {
        if ctx.step == self.when && !self.fire_always {
            self.v[self.bad] = f64::NAN;
        }
        if self.fire_always {
            spikes.extend(0..self.v.len() as u32);
        }
    }
}

/// Random sparse weights: each pair with probability `p`, weight `w`, drawn from
/// `engram_core::rng::stream(seed, 2, 0)` (the library generators are in engram-connectivity).
pub fn random_weights(n_pre: usize, n_post: usize, p: f64, w: f64, seed: u64) -> sprs::CsMatI<f64, u32, usize> {
    use rand::Rng;
    let mut rng = engram_core::rng::stream(seed, 2, 0);
    let mut tri = sprs::TriMatI::<f64, u32>::new((n_pre, n_post));
    for i in 0..n_pre {
        for j in 0..n_post {
            if rng.r#gen::<f64>() < p {
                tri.add_triplet(i, j, w);
            }
        }
    }
    tri.to_csr()
}
