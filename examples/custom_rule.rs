//! Write your own plasticity rule: a spiking BCM rule with a sliding threshold, implemented
//! as one `PlasticityRule` and attached to the input projection of a small network.
//!
//! ```sh
//! cargo run --release --example custom_rule
//! ```
//!
//! Network (10 s at dt = 0.1 ms): 100 Poisson inputs, 50 at 20 Hz and 50 at 5 Hz, all onto
//! 10 conductance LIF neurons (`LifCond::coba`). The rule potentiates the synapses of active
//! inputs while a neuron fires above its threshold θ and depresses them below it; θ follows
//! the neuron's squared rate (divided by a 10 Hz target), so the rate is pulled towards the
//! target. The output starts far above it, and since every change is proportional to the
//! presynaptic trace, the 20 Hz inputs, which drove the excess firing, lose the most weight.
//! Prints the mean weight of each input group before and after. The guide is
//! `docs/guide/custom-plasticity.md`.

use engram::connectivity::{ConnectSpec, Rule, WeightMatrix};
use engram::core::checkpoint_fields;
use engram::core::neuron::StepContext;
use engram::core::params::Params;
use engram::core::plasticity::{PlasticityRule, SynapsesMut};
use engram::neurons::{LifCond, LifCondParams};
use engram::plasticity::{Interaction, Trace, clip, for_each_in_column};
use engram::sim::{Delay, Network, NetworkBuilder, ProjectionId};
use engram::stimuli::{PoissonGroup, PoissonGroupParams, RateSpec};

/// Time constant of the presynaptic traces, ms.
const TAU_PRE_MS: f64 = 20.0;
/// Time constant of the postsynaptic rate estimates, ms.
const TAU_RATE_MS: f64 = 200.0;
/// Time constant of the sliding thresholds, ms.
const TAU_THETA_MS: f64 = 500.0;

/// Spiking BCM: at each postsynaptic spike of neuron `j`, every incoming synapse changes by
/// `η · x_pre,i · (ν_j − θ_j)`, where `x_pre` is a presynaptic trace (τ = 20 ms), `ν_j` the
/// neuron's rate estimate (τ = 200 ms) and `θ_j = ⟨ν_j²⟩ / ν_target` a sliding threshold
/// (τ = 500 ms). Weights are clipped to `[0, w_max]`.
pub struct Bcm {
    eta: f64,
    w_max: f64,
    rate_target_hz: f64,
    /// Presynaptic traces: +1 per spike, decay with `TAU_PRE_MS`.
    x_pre: Trace,
    /// Postsynaptic spikes filtered with `TAU_RATE_MS`; times `1000 / TAU_RATE_MS` it is the
    /// rate in Hz.
    rate: Trace,
    /// Sliding thresholds, Hz.
    theta_hz: Vec<f64>,
}

impl Bcm {
    /// A rule for `n_pre × n_post` synapses, every threshold at the 10 Hz target.
    pub fn new(n_pre: usize, n_post: usize) -> Self {
        Self {
            eta: 5e-5,
            w_max: 2.0,
            rate_target_hz: 10.0,
            x_pre: Trace::new(n_pre, TAU_PRE_MS),
            rate: Trace::new(n_post, TAU_RATE_MS),
            theta_hz: vec![10.0; n_post],
        }
    }

    /// Rate estimate of postsynaptic neuron `j`, Hz.
    pub fn rate_hz(&self, j: usize) -> f64 {
        self.rate.get(j) * (1000.0 / TAU_RATE_MS)
    }
}

impl PlasticityRule for Bcm {
    fn name(&self) -> &str {
        "bcm"
    }

    fn step(&mut self, ctx: &StepContext, pre: &[u32], post: &[u32], _modulator: f64, mut syn: SynapsesMut<'_>) {
        // 1. decay the traces to this step (exact factors exp(−dt/τ) for this step's dt) and
        //    let the thresholds follow the squared rates
        self.x_pre.advance(ctx.step, ctx.dt_ms);
        self.rate.advance(ctx.step, ctx.dt_ms);
        let ft = (-ctx.dt_ms / TAU_THETA_MS).exp();
        for j in 0..self.theta_hz.len() {
            let nu = self.rate_hz(j);
            self.theta_hz[j] = ft * self.theta_hz[j] + (1.0 - ft) * nu * nu / self.rate_target_hz;
        }
        // 2. presynaptic spikes only feed their trace
        for &i in pre {
            self.x_pre.bump(i as usize, Interaction::AllToAll);
        }
        // 3. postsynaptic spikes change the weights of all synapses onto the neuron, walked
        //    through the transpose index
        for &j in post {
            let j = j as usize;
            self.rate.bump(j, Interaction::AllToAll);
            let gain = self.eta * (self.rate_hz(j) - self.theta_hz[j]);
            let (x_pre, w_max) = (&self.x_pre, self.w_max);
            for_each_in_column(&mut syn, j, |i, w| *w = clip(*w + gain * x_pre.get(i), 0.0, w_max));
        }
    }

    fn reset_traces(&mut self) {
        self.x_pre.reset();
        self.rate.reset();
    }

    // Checkpoints come for free: the trait's default `save_state` / `load_state` save and
    // restore the fields listed here.
    checkpoint_fields!(x_pre, rate, theta_hz);
}

/// Number of Poisson inputs (the first half at 20 Hz, the second at 5 Hz).
pub const N_IN: usize = 100;
/// Number of output neurons.
pub const N_OUT: usize = 10;
/// Time step, ms.
pub const DT_MS: f64 = 0.1;

/// The network: Poisson inputs → conductance LIF neurons, BCM on the input projection, which
/// is returned with the network.
pub fn build(seed: u64) -> anyhow::Result<(Network, ProjectionId)> {
    let mut b = NetworkBuilder::new(DT_MS, seed)?;
    let rates: Vec<f64> = (0..N_IN).map(|i| if i < N_IN / 2 { 20.0 } else { 5.0 }).collect();
    let input =
        PoissonGroupParams { n_sources: N_IN, rates: RateSpec::PerSource { rates_hz: rates }, ..Default::default() };
    b.add_source("input", PoissonGroup::new(input.check()?, seed, 1, b.clock()))?;
    b.add_population("out", LifCond::new(N_OUT, LifCondParams::coba().check()?))?;
    let c = ConnectSpec::new(Rule::AllToAll).connect(N_IN, N_OUT, seed, 2)?;
    let proj = b.connect("input", "out", "exc", c.weights(0.6), Delay::Ms(1.0))?;
    b.add_plasticity(proj, Bcm::new(N_IN, N_OUT));
    Ok((b.build()?, proj))
}

fn main() -> anyhow::Result<()> {
    let (mut net, proj) = build(2024)?;

    // mean weight of the 20 Hz group (rows 0..50) and of the 5 Hz group (rows 50..100)
    let group_means = |w: &WeightMatrix| {
        let row_means: Vec<f64> =
            w.outer_iterator().map(|row| row.data().iter().sum::<f64>() / row.nnz() as f64).collect();
        let mean = |x: &[f64]| x.iter().sum::<f64>() / x.len() as f64;
        (mean(&row_means[..N_IN / 2]), mean(&row_means[N_IN / 2..]))
    };
    let out_rate = |net: &Network| net.stats().iter().find(|s| s.name == "out").map_or(0.0, |s| s.rate_hz);
    let before = group_means(net.weights(proj));
    net.run_ms(500.0)?;
    let first = out_rate(&net);
    net.run_ms(8_500.0)?;
    net.reset_counts();
    net.run_ms(1_000.0)?;
    let after = group_means(net.weights(proj));
    println!(
        "BCM on input -> out: output rate {first:.1} Hz in the first 0.5 s, {:.1} Hz in the last 1 s (target 10 Hz)",
        out_rate(&net)
    );
    println!("mean weight of the 20 Hz inputs: {:.3} -> {:.3} nS", before.0, after.0);
    println!("mean weight of the  5 Hz inputs: {:.3} -> {:.3} nS", before.1, after.1);
    Ok(())
}
