//! Auryn's plastic background network (`sim_background`; Zenke, Hennequin & Gerstner 2013):
//! 20 000 E + 5 000 I + 2 500 Poisson inputs, p = 0.05 everywhere, NMDA, triplet STDP with a
//! sliding threshold on E→E. The plasticity speed benchmark of Zenke & Gerstner 2014, measured
//! by `cargo xtask bench --plastic` (docs/performance.md#plasticity).
//!
//! ```
//! use engram_models::auryn_background::AurynBackgroundConfig;
//! let small = AurynBackgroundConfig { n_e: 400, n_i: 100, n_poisson: 50, ..AurynBackgroundConfig::default() };
//! let mut bg = small.build(0.1, 1).unwrap();
//! bg.network.set_modulator(1.0);            // triplet STDP on (off while the modulator is 0)
//! bg.network.run_ms(5.0).unwrap();
//! ```

use engram_connectivity::{ConnectSpec, Rule};
use engram_core::error::EngramError;
use engram_core::neuron::NeuronModel;
use engram_core::params::Params;
use engram_core::rng::{component_id, stream};
use engram_neurons::{LifNmda, LifNmdaParams};
use engram_plasticity::{ModulatorSwitch, SlidingThreshold, TripletStdp, TripletStdpParams};
use engram_sim::{Delay, Network, NetworkBuilder, PlasticityTiming, ProjectionId};
use engram_stimuli::{PoissonGroup, PoissonGroupParams, RateSpec};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// Auryn's plastic background network (`sim_background`, Zenke, Hennequin & Gerstner 2013;
/// the plasticity benchmark of Zenke & Gerstner 2014): `n_e` excitatory and `n_i` inhibitory
/// [`LifNmda`] neurons (Auryn's `IFGroup`: AMPA + NMDA, moving threshold; the I cells with
/// τ_m = 10 ms), `n_poisson` Poisson inputs at 2 Hz onto the E cells, connection probability
/// `p` on all five pathways, 0.8 ms delays, and triplet STDP with a sliding LTD threshold
/// (τ_hom 10 s, κ 3 Hz) on E→E.
///
/// Weights are in units of the leak conductance, as in Auryn (w = 0.16, w_I = 1, w_max = 1);
/// the network multiplies them by `neuron.g_l_ns`. Defaults give 33.75 M synapses.
///
/// Differences from Auryn: double precision; our delays are whole steps of the same 0.8 ms;
/// initial potentials and connectivity are drawn from our own streams.
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
    /// Rate of each Poisson input, Hz. Default 2.
    pub poisson_rate_hz: f64,
    /// Poisson → E weight, units of g_leak. Default 0.16.
    pub w_ext: f64,
    /// E → E weight (initial), units of g_leak. Default 0.16.
    pub w_ee: f64,
    /// E → I weight, units of g_leak. Default 0.16.
    pub w_ei: f64,
    /// I → E weight, units of g_leak. Default 1.
    pub w_ie: f64,
    /// I → I weight, units of g_leak. Default 1.
    pub w_ii: f64,
    /// Synaptic delay, ms (Auryn's minimum delay). Default 0.8.
    pub delay_ms: f64,
    /// The excitatory neuron; the inhibitory one differs by `tau_m_i_ms`. Default Auryn's.
    pub neuron: LifNmdaParams,
    /// Membrane time constant of the inhibitory neurons, ms. Default 10.
    pub tau_m_i_ms: f64,
    /// Triplet STDP on E→E, amplitudes and bounds in units of g_leak. Default Auryn's
    /// `TripletConnection`: minimal all-to-all, A₃⁺ = 6.5e-3, τ₊ 16.8 ms, τ₋ 33.7 ms,
    /// τ_y 114 ms, sliding threshold τ_hom 10 s, κ 3 Hz, bounds [0, 1].
    pub triplet: TripletStdpParams,
    /// Priming, ms: triplet STDP's weight changes off while its traces and rate estimates
    /// run. Default 30 000 (3 τ_hom, Auryn's benchmark `sim_background --tau 10`). Used by
    /// the named model's protocol ([`description::models::auryn_background`]); [`build`]
    /// leaves the switch to its caller.
    ///
    /// [`description::models::auryn_background`]: crate::description::models::auryn_background
    /// [`build`]: Self::build
    pub priming_ms: f64,
    /// Plastic phase after the priming, ms. Default 10 000 (Auryn's benchmark).
    pub plastic_ms: f64,
}

impl Default for AurynBackgroundConfig {
    fn default() -> Self {
        Self {
            n_e: 20_000,
            n_i: 5_000,
            n_poisson: 2_500,
            p: 0.05,
            poisson_rate_hz: 2.0,
            w_ext: 0.16,
            w_ee: 0.16,
            w_ei: 0.16,
            w_ie: 1.0,
            w_ii: 1.0,
            delay_ms: 0.8,
            neuron: LifNmdaParams::default(),
            tau_m_i_ms: 10.0,
            triplet: TripletStdpParams {
                sliding_threshold: Some(SlidingThreshold { tau_ms: 10_000.0, target_rate_hz: 3.0 }),
                ..TripletStdpParams::visual_cortex_all_to_all_minimal()
            },
            priming_ms: 30_000.0,
            plastic_ms: 10_000.0,
        }
    }
}

/// A built [`AurynBackgroundConfig`] network.
pub struct AurynBackground {
    /// The network: populations `E`, `I` and the source `P`. Triplet STDP on E→E changes
    /// weights only while the modulator is above 0.5 (`network.set_modulator(1.0)`); at 0
    /// (the start) the weights are static while the rule's traces and rate estimates run,
    /// like Auryn's priming phase (Auryn's benchmark primes for 3 τ_hom = 30 s).
    pub network: Network,
    /// The plastic E→E projection.
    pub ee: ProjectionId,
}

impl AurynBackgroundConfig {
    /// Expected number of synapses.
    pub fn expected_synapses(&self) -> f64 {
        let (e, i, q) = (self.n_e as f64, self.n_i as f64, self.n_poisson as f64);
        self.p * (e * e + 2.0 * e * i + i * i + q * e)
    }

    /// Build the network (initial potentials normal, mean −60 mV, SD 10 mV, as Auryn's
    /// `random_mem(-60e-3, 10e-3)`).
    pub fn build(&self, dt_ms: f64, seed: u64) -> Result<AurynBackground, EngramError> {
        let mut b = NetworkBuilder::new(dt_ms, seed)?;
        let exc = self.neuron.clone();
        let inh = LifNmdaParams { tau_m_ms: self.tau_m_i_ms, ..exc.clone() };
        let g_l = exc.g_l_ns;
        for (name, n, params) in [("E", self.n_e, exc), ("I", self.n_i, inh)] {
            let checked = params
                .check()
                .map_err(|e| EngramError::Param(e.within(if name == "E" { "neuron" } else { "tau_m_i_ms" })))?;
            let mut pop = LifNmda::new(n, checked);
            let mut rng = stream(seed, component_id(&format!("auryn_bg:v0:{name}")), 0);
            let normal = rand_distr::Normal::new(-60.0, 10.0).expect("valid normal");
            if let Some(v) = pop.state_mut("v_mv") {
                v.iter_mut().for_each(|x| *x = rng.sample(normal));
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
            ("E", "E", "exc", self.w_ee),
            ("E", "I", "exc", self.w_ei),
            ("I", "E", "inh", self.w_ie),
            ("I", "I", "inh", self.w_ii),
            ("P", "E", "exc", self.w_ext),
        ] {
            let id = component_id(&format!("auryn_bg:{pre}->{post}"));
            let pattern = spec.connect_populations(size(pre), size(post), pre == post, seed, id)?;
            let proj = b.connect(pre, post, receptor, pattern.weights(w * g_l), delay.clone())?;
            if pre == "E" && post == "E" {
                ee = Some(proj);
            }
        }
        let ee = ee.expect("E->E is connected above");
        let t = &self.triplet;
        let triplet = TripletStdpParams {
            a2_plus: t.a2_plus * g_l,
            a3_plus: t.a3_plus * g_l,
            a2_minus: t.a2_minus * g_l,
            a3_minus: t.a3_minus * g_l,
            w_min: t.w_min * g_l,
            w_max: t.w_max * g_l,
            ..t.clone()
        }
        .check()
        .map_err(|e| EngramError::Param(e.within("triplet")))?;
        // Auryn's connections see presynaptic spikes when they arrive (after the delay) and
        // postsynaptic spikes at once: axonal timing.
        let timing = PlasticityTiming { axonal_delay_ms: self.delay_ms, dendritic_delay_ms: 0.0 };
        b.add_plasticity_with_timing(
            ee,
            ModulatorSwitch::new(TripletStdp::new(triplet, self.n_e, self.n_e), 0.5),
            timing,
        )?;
        Ok(AurynBackground { network: b.build()?, ee })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let w_ee_ns = small.w_ee * small.neuron.g_l_ns;
        let w0 = bg.network.weights(bg.ee).data().to_vec();
        assert!(w0.iter().all(|&w| w == w_ee_ns));
        bg.network.set_modulator(1.0);
        bg.network.run_ms(100.0).unwrap();
        assert!(bg.network.weights(bg.ee).data().iter().any(|&w| w != w_ee_ns));
    }
}
