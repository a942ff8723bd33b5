//! Networks for the plasticity speed benchmarks (performance.md §4, B5): COBA-4000 with pair
//! STDP on E→E, and an Auryn-like plastic background network (Auryn's `sim_background`:
//! 20 000 E + 5 000 I + 2 500 Poisson inputs, p = 0.05 everywhere, triplet STDP on E→E).
//!
//! `cargo xtask bench` measures them (CPU seconds per simulated second, single thread); the
//! criterion bench `coba_4000_pair_stdp_loop_100ms` runs the first one.
//!
//! ```
//! use engram_models::plastic_benchmarks::{AurynBackgroundConfig, coba_with_pair_stdp};
//! use engram_models::coba::CobaConfig;
//! let mut net = coba_with_pair_stdp(&CobaConfig { n: 400, ..CobaConfig::default() }, true, 0.1, 1).unwrap();
//! net.run_ms(5.0).unwrap();
//! let small = AurynBackgroundConfig { n_e: 400, n_i: 100, n_poisson: 50, ..AurynBackgroundConfig::default() };
//! let mut bg = small.build(0.1, 1).unwrap();
//! bg.network.set_modulator(1.0);            // triplet STDP on (off while the modulator is 0)
//! bg.network.run_ms(5.0).unwrap();
//! ```

use engram_connectivity::{ConnectSpec, Rule};
use engram_core::checkpoint::ComponentState;
use engram_core::error::EngramError;
use engram_core::neuron::{NeuronModel, StepContext};
use engram_core::params::Params;
use engram_core::plasticity::{PlasticityRule, SynapsesMut};
use engram_core::rng::{component_id, stream};
use engram_neurons::{LifCond, LifCondParams, MembraneIntegrator};
use engram_plasticity::{PairStdp, PairStdpParams, TripletStdp, TripletStdpParams};
use engram_sim::{Delay, Network, NetworkBuilder, ProjectionId};
use engram_stimuli::{PoissonGroup, PoissonGroupParams, RateSpec};
use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::coba::CobaConfig;

/// Pair STDP for the COBA benchmark's E→E synapses (weights in nS): Song, Miller & Abbott
/// (2000) amplitudes relative to `w_max = 2 Δg_e` (A₊ = 1 % of w_max, A₋ = 1.05 A₊, τ± 20 ms,
/// additive, all-to-all).
pub fn coba_pair_stdp_params(w_exc_ns: f64) -> PairStdpParams {
    let w_max = 2.0 * w_exc_ns;
    PairStdpParams { a_plus: 0.01 * w_max, a_minus: 0.0105 * w_max, w_max, ..PairStdpParams::default() }
}

/// The COBA benchmark network (any [`CobaConfig`]), with pair STDP
/// ([`coba_pair_stdp_params`]) on E→E if `plastic`, otherwise exactly the static benchmark.
pub fn coba_with_pair_stdp(config: &CobaConfig, plastic: bool, dt_ms: f64, seed: u64) -> Result<Network, EngramError> {
    let (model, [ee, ..]) = config.build_with_projections(dt_ms, seed)?;
    let mut b = model.builder;
    if plastic {
        let (ne, _) = config.sizes();
        let params = coba_pair_stdp_params(config.weights_ns().0).check()?;
        b.add_plasticity(ee, PairStdp::new(params, ne, ne));
    }
    b.build()
}

/// A rule that runs `inner` only while the modulator is above `threshold` and does nothing
/// at all otherwise (no trace updates): the same network then has a static phase and a
/// plastic phase, like Auryn's priming with `stdp_active = false`.
pub struct ModulatorSwitch<R> {
    inner: R,
    threshold: f64,
}

impl<R: PlasticityRule> ModulatorSwitch<R> {
    /// Run `inner` while the modulator is strictly above `threshold`.
    pub fn new(inner: R, threshold: f64) -> Self {
        Self { inner, threshold }
    }
}

impl<R: PlasticityRule> PlasticityRule for ModulatorSwitch<R> {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn step(&mut self, ctx: &StepContext, pre: &[u32], post: &[u32], modulator: f64, syn: SynapsesMut<'_>) {
        if modulator > self.threshold {
            self.inner.step(ctx, pre, post, modulator, syn);
        }
    }

    fn reset_traces(&mut self) {
        self.inner.reset_traces();
    }

    fn save_state(&self) -> Result<ComponentState, EngramError> {
        self.inner.save_state()
    }

    fn load_state(&mut self, state: &ComponentState) -> Result<(), EngramError> {
        self.inner.load_state(state)
    }
}

/// An Auryn-like plastic background network (after Auryn's `sim_background`, Zenke,
/// Hennequin & Gerstner 2013): `n_e` excitatory and `n_i` inhibitory conductance LIF neurons
/// (COBA neuron; the I cells with τ_m = 10 ms as in Auryn), `n_poisson` Poisson inputs onto
/// the E cells, connection probability `p` on all five pathways, and triplet STDP
/// (Pfister & Gerstner 2006, all-to-all minimal, amplitudes relative to `w_max`) on E→E.
///
/// Auryn's neurons have NMDA currents and its weights are in units of g_leak
/// (w = 0.16, w_I = 1); this network has only AMPA/GABA exponential conductances, so the
/// weights and the input rate are rescaled to keep the activity low and asynchronous
/// (E ≈ 3 Hz, the regime Auryn's benchmark runs in). Defaults give 33.75 M synapses.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AurynBackgroundConfig {
    /// Excitatory neurons. Default 20 000.
    pub n_e: usize,
    /// Inhibitory neurons. Default 5 000.
    pub n_i: usize,
    /// Poisson inputs (onto E only). Default 2 500.
    pub n_poisson: usize,
    /// Connection probability of every pathway. Default 0.05.
    pub p: f64,
    /// Rate of each Poisson input, Hz. Default 2 (as Auryn).
    pub poisson_rate_hz: f64,
    /// Poisson → E weight, nS. Default 1.8.
    pub w_ext_ns: f64,
    /// E → E weight (initial), nS. Default 0.2.
    pub w_ee_ns: f64,
    /// E → I weight, nS. Default 0.4.
    pub w_ei_ns: f64,
    /// I → E weight, nS. Default 4.
    pub w_ie_ns: f64,
    /// I → I weight, nS. Default 4.
    pub w_ii_ns: f64,
    /// Synaptic delay, ms (Auryn's minimum delay). Default 0.8.
    pub delay_ms: f64,
    /// Triplet STDP on E→E; its amplitudes are in units of `w_max`, which is
    /// `w_max_factor × w_ee_ns`. Default: all-to-all minimal visual-cortex set.
    pub triplet: TripletStdpParams,
    /// Upper weight bound of E→E in units of the initial weight. Default 4.
    pub w_max_factor: f64,
}

impl Default for AurynBackgroundConfig {
    fn default() -> Self {
        Self {
            n_e: 20_000,
            n_i: 5_000,
            n_poisson: 2_500,
            p: 0.05,
            poisson_rate_hz: 2.0,
            w_ext_ns: 1.8,
            w_ee_ns: 0.2,
            w_ei_ns: 0.4,
            w_ie_ns: 4.0,
            w_ii_ns: 4.0,
            delay_ms: 0.8,
            triplet: TripletStdpParams::default(),
            w_max_factor: 4.0,
        }
    }
}

/// A built [`AurynBackgroundConfig`] network.
pub struct AurynBackground {
    /// The network: populations `E`, `I` and the source `P`. Triplet STDP on E→E is active
    /// only while the modulator is above 0.5 (`network.set_modulator(1.0)`); at 0 (the start)
    /// the network is static.
    pub network: Network,
    /// The plastic E→E projection.
    pub ee: ProjectionId,
}

impl AurynBackgroundConfig {
    /// The same network with `1/scale` of the neurons and inputs and the connection
    /// probability multiplied by `scale`, so that every neuron keeps its in-degrees (for quick
    /// checks of the activity).
    pub fn scaled_down(&self, scale: usize) -> Self {
        let s = scale.max(1);
        Self {
            n_e: self.n_e / s,
            n_i: self.n_i / s,
            n_poisson: self.n_poisson / s,
            p: (self.p * s as f64).min(1.0),
            ..self.clone()
        }
    }

    /// Expected number of synapses.
    pub fn expected_synapses(&self) -> f64 {
        let (e, i, q) = (self.n_e as f64, self.n_i as f64, self.n_poisson as f64);
        self.p * (e * e + 2.0 * e * i + i * i + q * e)
    }

    /// Build the network (random initial potentials in [−60, −50] mV).
    pub fn build(&self, dt_ms: f64, seed: u64) -> Result<AurynBackground, EngramError> {
        let mut b = NetworkBuilder::new(dt_ms, seed)?;
        let exc = LifCondParams { integrator: MembraneIntegrator::ExpEuler, ..LifCondParams::coba() };
        let inh = LifCondParams { tau_m_ms: 10.0, ..exc.clone() };
        for (name, n, params) in [("E", self.n_e, exc), ("I", self.n_i, inh)] {
            let mut pop = LifCond::new(n, params.check()?);
            let mut rng = stream(seed, component_id(&format!("auryn_bg:v0:{name}")), 0);
            if let Some(v) = pop.state_mut("v_mv") {
                v.iter_mut().for_each(|x| *x = -60.0 + 10.0 * rng.r#gen::<f64>());
            }
            b.add_population(name, pop)?;
        }
        let input = PoissonGroupParams {
            n_sources: self.n_poisson,
            rates: RateSpec::Constant { rate_hz: self.poisson_rate_hz },
            ..Default::default()
        };
        b.add_source("P", PoissonGroup::new(input.check()?, seed, component_id("auryn_bg:poisson"), b.clock()))?;
        let spec = ConnectSpec::new(Rule::FixedProbability { p: self.p });
        let delay = Delay::Ms(self.delay_ms);
        let size = |pop: &str| match pop {
            "E" => self.n_e,
            "I" => self.n_i,
            _ => self.n_poisson,
        };
        let mut ee = None;
        for (pre, post, receptor, w) in [
            ("E", "E", "exc", self.w_ee_ns),
            ("E", "I", "exc", self.w_ei_ns),
            ("I", "E", "inh", self.w_ie_ns),
            ("I", "I", "inh", self.w_ii_ns),
            ("P", "E", "exc", self.w_ext_ns),
        ] {
            let id = component_id(&format!("auryn_bg:{pre}->{post}"));
            let pattern = spec.connect_populations(size(pre), size(post), pre == post, seed, id)?;
            let proj = b.connect(pre, post, receptor, pattern.weights(w), delay.clone())?;
            if pre == "E" && post == "E" {
                ee = Some(proj);
            }
        }
        let ee = ee.expect("E->E is connected above");
        let w_max = self.w_max_factor * self.w_ee_ns;
        let t = &self.triplet;
        let triplet = TripletStdpParams {
            a2_plus: t.a2_plus * w_max,
            a3_plus: t.a3_plus * w_max,
            a2_minus: t.a2_minus * w_max,
            a3_minus: t.a3_minus * w_max,
            w_min: 0.0,
            w_max,
            ..t.clone()
        }
        .check()?;
        b.add_plasticity(ee, ModulatorSwitch::new(TripletStdp::new(triplet, self.n_e, self.n_e), 0.5));
        Ok(AurynBackground { network: b.build()?, ee })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pair_stdp_changes_only_the_plastic_coba() {
        let config = CobaConfig { n: 400, ..CobaConfig::default() };
        for plastic in [false, true] {
            let mut net = coba_with_pair_stdp(&config, plastic, 0.1, 3).unwrap();
            net.run_ms(200.0).unwrap();
            let ee = net.projection("E->E").unwrap();
            let changed = net.weights(ee).data().iter().filter(|&&w| w != 6.0).count();
            assert_eq!(changed > 0, plastic, "plastic {plastic}: {changed} weights changed");
        }
    }

    #[test]
    fn triplet_stdp_runs_only_while_the_modulator_is_on() {
        let small = AurynBackgroundConfig {
            n_e: 800,
            n_i: 200,
            n_poisson: 100,
            p: 0.25,
            poisson_rate_hz: 20.0,
            ..Default::default()
        };
        assert!((small.expected_synapses() - 0.25 * (1000.0 * 1000.0 + 100.0 * 800.0)).abs() < 1e-6);
        let mut bg = small.build(0.1, 2).unwrap();
        bg.network.run_ms(100.0).unwrap();
        let w0 = bg.network.weights(bg.ee).data().to_vec();
        assert!(w0.iter().all(|&w| w == small.w_ee_ns));
        bg.network.set_modulator(1.0);
        bg.network.run_ms(100.0).unwrap();
        assert!(bg.network.weights(bg.ee).data().iter().any(|&w| w != small.w_ee_ns));
    }
}
