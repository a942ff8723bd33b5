//! The CUBA benchmark (Brette et al. 2007, benchmark 2) with the parameters and initial conditions
//! of `xtask/peers/brian2_coba.py --model cuba` (described in `docs/models/coba.md#cuba`).
//!
//! τ_m dv/dt = −(v − E_L) + g_e + g_i with E_L = −49 mV, τ_m = 20 ms, exponential synaptic
//! inputs g_e (τ 5 ms, +1.62 mV per spike) and g_i (τ 10 ms, −9 mV per spike), threshold
//! −50 mV, reset −60 mV, refractory 5 ms, v₀ ~ U(−60, −50) mV, integrated exactly.
//! engram's [`LifCurrent`] works in currents (pA), so the jumps in mV are converted with
//! the membrane capacitance: I = g·C/τ_m.
//!
//! ```
//! use engram_models::cuba::CubaConfig;
//! let net = CubaConfig { n: 400, ..CubaConfig::default() }.build(0.1, 1).unwrap();
//! assert_eq!(net.n_neurons, 400);
//! ```

use engram_core::error::{EngramError, ParamError};
use engram_core::params::{Params, finite};
use engram_core::rng::{component_id, stream};
use engram_neurons::{LifCurrent, LifCurrentParams};
use engram_sim::NetworkBuilder;
use engram_sim::network::Partition;
use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::coba::{RandomEi, Scaling, connect_ei};
use crate::run::ModelNetwork;

/// Parameters of the CUBA benchmark.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CubaConfig {
    /// Total number of neurons.
    pub n: usize,
    /// Fraction of excitatory neurons.
    pub exc_fraction: f64,
    /// Connection probability at n = 4000 (scaled with `scaling`).
    pub connection_probability: f64,
    /// Size scaling.
    pub scaling: Scaling,
    /// Neuron parameters (both populations).
    pub neuron: LifCurrentParams,
    /// Excitatory jump of the synaptic input, mV (Brian2's `we`).
    pub w_exc_mv: f64,
    /// Inhibitory jump, mV (negative; Brian2's `wi`).
    pub w_inh_mv: f64,
    /// Synaptic delay, ms (at least one step).
    pub delay_ms: f64,
}

impl Default for CubaConfig {
    fn default() -> Self {
        Self {
            n: 4000,
            exc_fraction: 0.8,
            connection_probability: 0.02,
            scaling: Scaling::FixedK,
            neuron: LifCurrentParams::cuba(),
            w_exc_mv: 1.62,
            w_inh_mv: -9.0,
            delay_ms: 0.1,
        }
    }
}

impl CubaConfig {
    /// Excitatory and inhibitory population sizes.
    pub fn sizes(&self) -> (usize, usize) {
        self.shape().sizes()
    }

    /// Connection probability and weight scale at this size.
    pub fn probability_and_weight_scale(&self) -> (f64, f64) {
        self.shape().probability_and_weight_scale()
    }

    pub(crate) fn shape(&self) -> RandomEi {
        RandomEi {
            n: self.n,
            exc_fraction: self.exc_fraction,
            p_at_4000: self.connection_probability,
            scaling: self.scaling,
        }
    }

    /// The shortest time constant, ms.
    pub fn shortest_time_constant_ms(&self) -> f64 {
        let n = &self.neuron;
        n.tau_m_ms.min(n.tau_syn_exc_ms).min(n.tau_syn_inh_ms)
    }

    /// Weights in pA (the mV jumps times C/τ_m), excitatory and inhibitory.
    pub fn weights_pa(&self) -> (f64, f64) {
        let (_, scale) = self.probability_and_weight_scale();
        let pa_per_mv = self.neuron.c_m_pf / self.neuron.tau_m_ms;
        (self.w_exc_mv * pa_per_mv * scale, self.w_inh_mv * pa_per_mv * scale)
    }

    /// Build the network: populations `E` and `I`, four projections, v₀ ~ U(v_reset, v_th).
    pub fn build(&self, dt_ms: f64, seed: u64) -> Result<ModelNetwork, EngramError> {
        self.build_on_rank(dt_ms, seed, None)
    }

    /// [`build`](Self::build) as rank `partition.rank()`'s part of a network split across
    /// ranks ([`NetworkBuilder::split`]): only the synapses onto the rank's own neurons, drawn
    /// with the single process's draws (`None`: the whole network).
    pub fn build_on_rank(
        &self,
        dt_ms: f64,
        seed: u64,
        partition: Option<Partition>,
    ) -> Result<ModelNetwork, EngramError> {
        self.validate()?;
        let (ne, ni) = self.sizes();
        let (p, _) = self.probability_and_weight_scale();
        let (we, wi) = self.weights_pa();
        let mut b = NetworkBuilder::new(dt_ms, seed)?;
        if let Some(partition) = partition {
            b.split(partition);
        }
        let params = self.neuron.clone().check().map_err(|e| e.within("neuron"))?;
        for (name, n) in [("E", ne), ("I", ni)] {
            use engram_core::neuron::NeuronModel;
            let mut pop = LifCurrent::new(n, params.clone());
            let mut rng = stream(seed, component_id(&format!("cuba:init:{name}")), 0);
            let (lo, hi) = (self.neuron.v_reset_mv, self.neuron.v_th_mv);
            let v_mv = pop.state_mut("v_mv").ok_or_else(|| EngramError::Other("LifCurrent has no v_mv".into()))?;
            for v in v_mv {
                *v = lo + rng.r#gen::<f64>() * (hi - lo);
            }
            b.add_population(name, pop)?;
        }
        // Inhibitory weights are negative currents onto the `inh` receptor.
        connect_ei(&mut b, "cuba", (ne, ni), p, (we, wi), self.delay_ms, seed)?;
        Ok(ModelNetwork { builder: b, exc: vec!["E".into()], inh: vec!["I".into()], n_neurons: self.n })
    }
}

impl Params for CubaConfig {
    fn validate(&self) -> Result<(), ParamError> {
        self.shape().validate()?;
        finite("w_exc_mv", self.w_exc_mv)?;
        finite("w_inh_mv", self.w_inh_mv)?;
        engram_core::params::non_negative("delay_ms", self.delay_ms)?;
        self.neuron.validate().map_err(|e| e.within("neuron"))
    }
}
