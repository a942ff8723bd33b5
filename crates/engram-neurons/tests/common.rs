//! Driving a model by hand: a loop calling `step` with inputs held in plain vectors.

use engram_core::neuron::{NeuronModel, StepContext, StepInput};

/// Inputs and bookkeeping for stepping one population without the engine.
pub struct Drive {
    /// Weights arriving in the next step, per receptor; cleared after each step.
    pub receptors: Vec<Vec<f64>>,
    /// Injected current per neuron, pA; kept from step to step.
    pub current_pa: Vec<f64>,
    spikes: Vec<u32>,
    /// Index of the next step.
    pub step: u64,
    /// Step size, ms.
    pub dt_ms: f64,
}

impl Drive {
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

    /// Run `n_steps`; return the step indices at which each neuron spiked.
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
}

/// Inter-spike intervals in ms.
pub fn isis_ms(spike_steps: &[u64], dt_ms: f64) -> Vec<f64> {
    spike_steps.windows(2).map(|w| (w[1] - w[0]) as f64 * dt_ms).collect()
}

/// One membrane potential.
pub fn v(model: &dyn NeuronModel, i: usize) -> f64 {
    model.state("v_mv").unwrap()[i]
}
