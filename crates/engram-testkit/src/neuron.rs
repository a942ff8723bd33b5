//! Driving a [`NeuronModel`] without the engine: a loop calling `step` with receptor inputs and
//! injected currents held in plain vectors, collecting spikes and state traces.
//!
//! ```
//! use engram_core::params::Params;
//! use engram_neurons::{LifCond, LifCondParams};
//! use engram_testkit::neuron::{NeuronDrive, isis_ms};
//!
//! let mut model = LifCond::new(1, LifCondParams::coba().check().unwrap());
//! let mut drive = NeuronDrive::new(&model, 0.1);
//! drive.current_pa[0] = 300.0;                  // kept from step to step
//! let spikes = drive.run(&mut model, 2000);     // 200 ms: step indices per neuron
//! let isis = isis_ms(&spikes[0], 0.1);
//! assert!(isis.len() > 3 && isis.iter().all(|&d| d >= 5.0)); // never inside t_ref
//! ```

use engram_core::neuron::{NeuronModel, StepContext, StepInput};

use crate::raster::Raster;

/// Inputs and bookkeeping for stepping one population without the engine.
///
/// Before each step, set the weights arriving in that step in [`receptors`](Self::receptors)
/// (cleared after the step, as the engine's delay buffer slot is) and the injected current in
/// [`current_pa`](Self::current_pa) (kept from step to step).
#[derive(Clone, Debug)]
pub struct NeuronDrive {
    /// Weights arriving in the next step, per receptor (the model's order); cleared after each
    /// step.
    pub receptors: Vec<Vec<f64>>,
    /// Injected current per neuron, pA; kept from step to step.
    pub current_pa: Vec<f64>,
    spikes: Vec<u32>,
    /// Index of the next step.
    pub step: u64,
    /// Step size, ms.
    pub dt_ms: f64,
}

impl NeuronDrive {
    /// A drive for `model` (sized from its neurons and receptors) at step 0.
    pub fn new(model: &dyn NeuronModel, dt_ms: f64) -> Self {
        let n = model.len();
        Self {
            receptors: vec![vec![0.0; n]; model.receptors().len()],
            current_pa: vec![0.0; n],
            spikes: Vec::with_capacity(n),
            step: 0,
            dt_ms,
        }
    }

    /// The input of the next step on the receptor named `name` of `model`.
    ///
    /// # Panics
    /// If the model has no such receptor (the message lists those it has).
    pub fn receptor_mut(&mut self, model: &dyn NeuronModel, name: &str) -> &mut [f64] {
        let Some(r) = model.receptors().iter().position(|r| r.name == name) else {
            let known: Vec<&str> = model.receptors().iter().map(|r| r.name.as_str()).collect();
            panic!("`{}` has no receptor `{name}`; it has {}", model.kind(), known.join(", "));
        };
        &mut self.receptors[r]
    }

    /// Advance one step; return the neurons that spiked.
    pub fn step(&mut self, model: &mut dyn NeuronModel) -> &[u32] {
        self.spikes.clear();
        let ctx = StepContext { step: self.step, dt_ms: self.dt_ms };
        model.step(&ctx, StepInput { receptors: &self.receptors, current_pa: &self.current_pa }, &mut self.spikes);
        for r in &mut self.receptors {
            r.fill(0.0);
        }
        self.step += 1;
        &self.spikes
    }

    /// Run `n_steps` with the current input; return the step indices at which each neuron
    /// spiked.
    pub fn run(&mut self, model: &mut dyn NeuronModel, n_steps: u64) -> Vec<Vec<u64>> {
        let mut out = vec![Vec::new(); model.len()];
        for _ in 0..n_steps {
            let step = self.step;
            for &i in self.step(model) {
                out[i as usize].push(step);
            }
        }
        out
    }

    /// Run `n_steps`, calling `input(step, receptors, current_pa)` before each step to set
    /// its input, and record the spikes and the state `variables` after every step.
    ///
    /// # Panics
    /// If the model has no state variable of one of the names.
    ///
    /// ```
    /// use engram_core::params::Params;
    /// use engram_neurons::{LifCurrent, LifCurrentParams};
    /// use engram_testkit::neuron::NeuronDrive;
    ///
    /// let mut model = LifCurrent::new(2, LifCurrentParams::default().check().unwrap());
    /// let mut drive = NeuronDrive::new(&model, 0.1);
    /// // one 100 pA excitatory input into neuron 1 at step 10
    /// let rec = drive.record(&mut model, 500, &["v_mv", "i_exc_pa"], |step, receptors, _| {
    ///     if step == 10 { receptors[0][1] = 100.0 }
    /// });
    /// assert!(rec.raster.is_empty());
    /// let v1 = rec.trace("v_mv", 1);
    /// assert_eq!(v1.len(), 500);
    /// assert!(v1[9] == -60.0 && v1.iter().cloned().fold(f64::MIN, f64::max) > -60.0);
    /// assert!(rec.trace("v_mv", 0).iter().all(|&v| v == -60.0));
    /// ```
    pub fn record(
        &mut self,
        model: &mut dyn NeuronModel,
        n_steps: u64,
        variables: &[&str],
        mut input: impl FnMut(u64, &mut [Vec<f64>], &mut [f64]),
    ) -> Recording {
        let n = model.len();
        for var in variables {
            assert!(
                model.state(var).is_some(),
                "`{}` has no state variable `{var}`; it has {}",
                model.kind(),
                model.state_names().join(", ")
            );
        }
        let mut raster = Raster::new(n, self.dt_ms);
        let mut traces = vec![Vec::with_capacity(n * n_steps as usize); variables.len()];
        for _ in 0..n_steps {
            let step = self.step;
            input(step, &mut self.receptors, &mut self.current_pa);
            let spikes = self.step(model);
            raster.push(step, spikes);
            for (trace, var) in traces.iter_mut().zip(variables) {
                trace.extend_from_slice(model.state(var).expect("checked above"));
            }
        }
        Recording { raster, variables: variables.iter().map(|v| v.to_string()).collect(), traces, n_neurons: n }
    }
}

/// What [`NeuronDrive::record`] collected: the spikes and, after every step, the recorded
/// state variables of every neuron.
#[derive(Clone, Debug, PartialEq)]
pub struct Recording {
    /// The spikes, at their step indices.
    pub raster: Raster,
    /// The recorded state variables, in the order asked for.
    pub variables: Vec<String>,
    /// `traces[k][s * n + i]`: variable `k` of neuron `i` after the `s`-th recorded step.
    traces: Vec<Vec<f64>>,
    n_neurons: usize,
}

impl Recording {
    /// Number of recorded steps.
    pub fn n_steps(&self) -> usize {
        self.traces.first().map_or(0, |t| t.len() / self.n_neurons.max(1))
    }

    fn index(&self, variable: &str) -> usize {
        self.variables
            .iter()
            .position(|v| v == variable)
            .unwrap_or_else(|| panic!("`{variable}` was not recorded; recorded: {}", self.variables.join(", ")))
    }

    /// The trace of `variable` of neuron `neuron`, one value per recorded step.
    pub fn trace(&self, variable: &str, neuron: usize) -> Vec<f64> {
        assert!(neuron < self.n_neurons, "neuron {neuron} of {}", self.n_neurons);
        self.traces[self.index(variable)].iter().skip(neuron).step_by(self.n_neurons).copied().collect()
    }

    /// `variable` of every neuron after the `k`-th recorded step.
    pub fn sample(&self, variable: &str, k: usize) -> &[f64] {
        &self.traces[self.index(variable)][k * self.n_neurons..(k + 1) * self.n_neurons]
    }
}

/// Inter-spike intervals in ms, from the spike steps of one neuron.
pub fn isis_ms(spike_steps: &[u64], dt_ms: f64) -> Vec<f64> {
    spike_steps.windows(2).map(|w| (w[1] - w[0]) as f64 * dt_ms).collect()
}

/// The membrane potential `v_mv` of neuron `i`.
///
/// # Panics
/// If the model has no state variable `v_mv`.
pub fn v(model: &dyn NeuronModel, i: usize) -> f64 {
    model.state("v_mv").expect("the model has a state variable `v_mv`")[i]
}
