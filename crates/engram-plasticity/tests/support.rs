//! Synthetic spike trains and a driver that runs a rule on them without the engine.

use engram_core::neuron::StepContext;
use engram_core::plasticity::PlasticityRule;
use engram_plasticity::SynapseTable;
use rand::Rng;

/// Spike steps of a Bernoulli-per-step (discrete Poisson) train with `p = rate · dt`,
/// drawn by geometric skips.
pub fn poisson_steps(rng: &mut impl Rng, rate_hz: f64, dt_ms: f64, n_steps: u64) -> Vec<u64> {
    let p = rate_hz * dt_ms / 1000.0;
    let mut out = Vec::new();
    if p <= 0.0 {
        return out;
    }
    let ln_q = (1.0 - p).ln();
    let mut t: u64 = 0;
    loop {
        let u: f64 = 1.0 - rng.r#gen::<f64>(); // (0, 1]
        t += (u.ln() / ln_q).floor() as u64;
        if t >= n_steps {
            return out;
        }
        out.push(t);
        t += 1;
    }
}

/// Pre and post spikes grouped by step (only steps with spikes).
pub struct Raster {
    pub events: Vec<(u64, Vec<u32>, Vec<u32>)>,
}

impl Raster {
    pub fn new(pre: &[Vec<u64>], post: &[Vec<u64>]) -> Self {
        let mut all: Vec<(u64, bool, u32)> = Vec::new();
        for (i, t) in pre.iter().enumerate() {
            all.extend(t.iter().map(|&s| (s, false, i as u32)));
        }
        for (j, t) in post.iter().enumerate() {
            all.extend(t.iter().map(|&s| (s, true, j as u32)));
        }
        all.sort();
        let mut events: Vec<(u64, Vec<u32>, Vec<u32>)> = Vec::new();
        for (s, is_post, n) in all {
            if events.last().is_none_or(|e| e.0 != s) {
                events.push((s, Vec::new(), Vec::new()));
            }
            let e = events.last_mut().unwrap();
            if is_post { e.2.push(n) } else { e.1.push(n) }
        }
        Self { events }
    }
}

/// Run `rule` over the raster (steps without spikes skipped: traces decay over the gap).
pub fn drive(rule: &mut impl PlasticityRule, syn: &mut SynapseTable, raster: &Raster, dt_ms: f64) {
    for (step, pre, post) in &raster.events {
        rule.step(&StepContext { step: *step, dt_ms }, pre, post, 0.0, syn.view());
    }
}

pub fn rng(seed: u64) -> rand_pcg::Pcg64 {
    engram_core::rng::stream(seed, 99, 0)
}

pub fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}
