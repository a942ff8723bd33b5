//! Small models used only by the engine tests (the library models live in engram-neurons).

use engram_core::neuron::{NeuronModel, Receptor, StepContext, StepInput};

/// Records the input it receives; spikes when told to by `fire_at` (neuron, step) pairs.
pub struct Probe {
    pub received: Vec<Vec<f64>>, // per step, input on receptor 0
    pub fire_at: Vec<(u32, u64)>,
    pub v: Vec<f64>,
    receptors: Vec<Receptor>,
}

impl Probe {
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
pub struct ToyLif {
    pub v: Vec<f64>,
    pub i_exc: Vec<f64>,
    pub i_inh: Vec<f64>,
    refractory: Vec<u32>,
    receptors: Vec<Receptor>,
    pub bias: f64,
}

impl ToyLif {
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
            _ => None,
        }
    }
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
}

/// A model that produces NaN in neuron `bad` at step `when`.
pub struct Poison {
    pub v: Vec<f64>,
    pub bad: usize,
    pub when: u64,
    pub fire_always: bool,
    receptors: Vec<Receptor>,
}

impl Poison {
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

/// Random sparse weights with fixed probability (test helper; the library generators are in
/// engram-connectivity).
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
