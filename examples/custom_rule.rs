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
use engram::core::neuron::StepContext;
use engram::core::params::Params;
use engram::core::plasticity::{PlasticityRule, SynapsesMut};
use engram::neurons::{LifCond, LifCondParams};
use engram::sim::{Delay, NetworkBuilder};
use engram::stimuli::{PoissonGroup, PoissonGroupParams, RateSpec};

/// Spiking BCM: at each postsynaptic spike of neuron `j`, every incoming synapse changes by
/// `η · x_pre,i · (ν_j − θ_j)`, where `x_pre` is a presynaptic trace (τ = 20 ms), `ν_j` the
/// neuron's rate estimate (τ = 200 ms) and `θ_j = ⟨ν_j²⟩ / ν_target` a sliding threshold
/// (τ = 500 ms). Weights are clipped to `[0, w_max]`.
struct Bcm {
    eta: f64,
    w_max: f64,
    rate_target_hz: f64,
    x_pre: Vec<f64>,    // presynaptic traces
    rate_hz: Vec<f64>,  // postsynaptic rate estimates
    theta_hz: Vec<f64>, // sliding thresholds
    decay: [f64; 3],    // per-step factors of x_pre, rate, theta
}

impl Bcm {
    fn new(n_pre: usize, n_post: usize, dt_ms: f64) -> Self {
        let f = |tau_ms: f64| (-dt_ms / tau_ms).exp();
        Self {
            eta: 5e-5,
            w_max: 2.0,
            rate_target_hz: 10.0,
            x_pre: vec![0.0; n_pre],
            rate_hz: vec![0.0; n_post],
            theta_hz: vec![10.0; n_post],
            decay: [f(20.0), f(200.0), f(500.0)],
        }
    }
}

impl PlasticityRule for Bcm {
    fn name(&self) -> &str {
        "bcm"
    }

    fn step(&mut self, _ctx: &StepContext, pre: &[u32], post: &[u32], _modulator: f64, syn: SynapsesMut<'_>) {
        // 1. decay the traces by one step (exact factors, computed once)
        let [fx, fr, ft] = self.decay;
        self.x_pre.iter_mut().for_each(|x| *x *= fx);
        for (nu, th) in self.rate_hz.iter_mut().zip(&mut self.theta_hz) {
            *nu *= fr;
            *th = ft * *th + (1.0 - ft) * *nu * *nu / self.rate_target_hz;
        }
        // 2. presynaptic spikes only feed their trace
        for &i in pre {
            self.x_pre[i as usize] += 1.0;
        }
        // 3. postsynaptic spikes change the weights of all synapses onto the neuron,
        //    found through the transpose index (col_ptr / syn_of_post / pre_of_post)
        for &j in post {
            let j = j as usize;
            self.rate_hz[j] += 1000.0 / 200.0; // +1/τ per spike, in Hz
            let gain = self.eta * (self.rate_hz[j] - self.theta_hz[j]);
            for e in syn.col_ptr[j]..syn.col_ptr[j + 1] {
                let (k, i) = (syn.syn_of_post[e] as usize, syn.pre_of_post[e] as usize);
                syn.weights[k] = (syn.weights[k] + gain * self.x_pre[i]).clamp(0.0, self.w_max);
            }
        }
    }

    fn reset_traces(&mut self) {
        self.x_pre.fill(0.0);
        self.rate_hz.fill(0.0);
    }
}

fn main() -> anyhow::Result<()> {
    let (n_in, n_out, dt) = (100, 10, 0.1);
    let mut b = NetworkBuilder::new(dt, 2024)?;
    let rates: Vec<f64> = (0..n_in).map(|i| if i < n_in / 2 { 20.0 } else { 5.0 }).collect();
    let input =
        PoissonGroupParams { n_sources: n_in, rates: RateSpec::PerSource { rates_hz: rates }, ..Default::default() };
    b.add_source("input", PoissonGroup::new(input.check()?, 2024, 1, b.clock()))?;
    b.add_population("out", LifCond::new(n_out, LifCondParams::coba().check()?))?;
    let c = ConnectSpec::new(Rule::AllToAll).connect(n_in, n_out, 2024, 2)?;
    let proj = b.connect("input", "out", "exc", c.weights(0.6), Delay::Ms(1.0))?;
    b.add_plasticity(proj, Bcm::new(n_in, n_out, dt));
    let mut net = b.build()?;

    // mean weight of the 20 Hz group (rows 0..50) and of the 5 Hz group (rows 50..100)
    let group_means = |w: &WeightMatrix| {
        let row_means: Vec<f64> =
            w.outer_iterator().map(|row| row.data().iter().sum::<f64>() / row.nnz() as f64).collect();
        let mean = |x: &[f64]| x.iter().sum::<f64>() / x.len() as f64;
        (mean(&row_means[..n_in / 2]), mean(&row_means[n_in / 2..]))
    };
    let out_rate = |net: &engram::sim::Network| net.stats().iter().find(|s| s.name == "out").map_or(0.0, |s| s.rate_hz);
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
