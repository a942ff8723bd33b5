//! Driving a [`PlasticityRule`] without the engine: a tiny projection in the engine's layout
//! ([`SynapseTable`]), given pre- and postsynaptic spike trains, and the rule called as the
//! engine calls it.
//!
//! Two drivers: [`drive`] runs a rule over the steps with spikes only (rules decay their traces
//! over the skipped steps, so this is exact and fast for long sparse trains), and
//! [`RuleDrive`] calls the rule step by step as the engine does, with a neuromodulator and, for
//! rules that scale transmission (short-term plasticity), the efficacies.
//!
//! ```
//! use engram_core::params::Params;
//! use engram_plasticity::{PairStdp, PairStdpParams};
//! use engram_testkit::plasticity::{PrePost, SynapseTable, drive};
//!
//! // pre fires 5 ms before post, 20 times: causal pairs potentiate
//! let pre: Vec<Vec<u64>> = vec![(0..20).map(|k| 1000 * k).collect()];
//! let post: Vec<Vec<u64>> = vec![(0..20).map(|k| 1000 * k + 50).collect()];
//! let mut syn = SynapseTable::one_to_one(1, 0.5);
//! let mut rule = PairStdp::new(PairStdpParams::default().check().unwrap(), 1, 1);
//! drive(&mut rule, &mut syn, &PrePost::new(&pre, &post), 0.1);
//! assert!(syn.weights[0] > 0.5);
//! ```

use engram_core::neuron::StepContext;
use engram_core::plasticity::PlasticityRule;
pub use engram_plasticity::SynapseTable;

/// Pre- and postsynaptic spikes grouped by step, only the steps with spikes, in order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PrePost {
    /// `(step, presynaptic neurons, postsynaptic neurons)`, steps increasing.
    pub events: Vec<(u64, Vec<u32>, Vec<u32>)>,
}

impl PrePost {
    /// From one train of spike steps per presynaptic and per postsynaptic neuron.
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
            let e = events.last_mut().expect("pushed above");
            if is_post { e.2.push(n) } else { e.1.push(n) }
        }
        Self { events }
    }
}

/// Run `rule` over the steps of `events` that have spikes (steps without spikes are skipped:
/// traces decay over the gap), with no neuromodulator.
pub fn drive(rule: &mut (impl PlasticityRule + ?Sized), syn: &mut SynapseTable, events: &PrePost, dt_ms: f64) {
    for (step, pre, post) in &events.events {
        rule.step(&StepContext { step: *step, dt_ms }, pre, post, 0.0, syn.view());
    }
}

/// A projection and its short-term plasticity efficacies, driven step by step as the engine
/// does: for a rule that [scales transmission](PlasticityRule::scales_transmission),
/// `before_delivery` with the presynaptic spikes, then `step`.
///
/// ```
/// use engram_core::params::Params;
/// use engram_plasticity::{TsodyksMarkram, TsodyksMarkramParams};
/// use engram_testkit::plasticity::{RuleDrive, SynapseTable};
///
/// let mut rule = TsodyksMarkram::new(TsodyksMarkramParams::depressing().check().unwrap(), 1);
/// let mut d = RuleDrive::new(SynapseTable::one_to_one(1, 1.0), 0.1);
/// d.step(&mut rule, 0, &[0], &[], 0.0);
/// let first = d.efficacy[0];
/// d.step(&mut rule, 100, &[0], &[], 0.0);     // 10 ms later: depressed
/// assert!(d.efficacy[0] < first);
/// assert_eq!(d.syn.weights, vec![1.0]);        // the weights stay the baseline
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct RuleDrive {
    /// The projection (weights updated in place by the rule).
    pub syn: SynapseTable,
    /// One efficacy per synapse (starts at 1; only rules that scale transmission change it).
    pub efficacy: Vec<f64>,
    /// Step size, ms.
    pub dt_ms: f64,
}

impl RuleDrive {
    /// A driver for the synapses `syn`, efficacies 1.
    pub fn new(syn: SynapseTable, dt_ms: f64) -> Self {
        let efficacy = vec![1.0; syn.len()];
        Self { syn, efficacy, dt_ms }
    }

    /// Step `step` of `rule` with these spikes and neuromodulator.
    pub fn step(&mut self, rule: &mut dyn PlasticityRule, step: u64, pre: &[u32], post: &[u32], modulator: f64) {
        let ctx = StepContext { step, dt_ms: self.dt_ms };
        if rule.scales_transmission() {
            rule.before_delivery(&ctx, pre, &self.syn.row_ptr, &mut self.efficacy);
        }
        rule.step(&ctx, pre, post, modulator, self.syn.view());
    }

    /// [`step`](Self::step) for every step of `events` (steps without spikes skipped), with a
    /// constant neuromodulator.
    pub fn run(&mut self, rule: &mut dyn PlasticityRule, events: &PrePost, modulator: f64) {
        for (step, pre, post) in &events.events {
            self.step(rule, *step, pre, post, modulator);
        }
    }

    /// The weights and then the efficacies, as bits, for bit-exact comparisons.
    pub fn bits(&self) -> Vec<u64> {
        self.syn.weights.iter().chain(&self.efficacy).map(|x| x.to_bits()).collect()
    }
}
