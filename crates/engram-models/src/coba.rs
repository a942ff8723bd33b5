//! The COBA benchmark (Brette et al. 2007, benchmark 1; the network of Vogels & Abbott 2005),
//! with exactly the parameters and initial conditions of `xtask/peers/brian2_coba.py`, and
//! its fixed-in-degree scaling to other sizes (described in `docs/models/coba.md`).
//!
//! 80 % excitatory, 20 % inhibitory conductance-based LIF neurons (C 200 pF, g_L 10 nS,
//! E_L −60 mV, threshold −50 mV, reset −60 mV, refractory 5 ms), exponential conductances
//! (τ_e 5 ms, τ_i 10 ms, E_e 0 mV, E_i −80 mV), random connections with probability 0.02 at
//! N = 4000 (80 inputs per neuron), Δg_e 6 nS, Δg_i 67 nS, forward Euler at 0.1 ms, and the
//! effect of a spike one step later.
//!
//! ```
//! use engram_models::coba::CobaConfig;
//! let net = CobaConfig { n: 400, ..CobaConfig::default() }.build(0.1, 1).unwrap();
//! assert_eq!(net.n_neurons, 400);
//! ```

use engram_connectivity::{ConnectSpec, Rule};
use engram_core::error::{EngramError, ParamError};
use engram_core::params::{Params, non_negative, positive};
use engram_core::rng::{component_id, stream};
use engram_neurons::{LifCond, LifCondParams};
use engram_sim::network::Partition;
use engram_sim::stimulus::ConstantCurrent;
use engram_sim::{Delay, NetworkBuilder, ProjectionId};
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

use crate::run::ModelNetwork;

/// How the network grows with `n`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scaling {
    /// Keep the in-degree (p = 0.02 · 4000 / n) and the weights: the same per-neuron dynamics
    /// at every size, cost linear in n.
    FixedK,
    /// Keep p = 0.02 and scale the weights by 4000 / n: the synapse count grows as n².
    FixedP,
}

/// The shape shared by the COBA and CUBA networks: n neurons split E/I, random connections
/// with probability `p_at_4000` at n = 4000, scaled to other sizes.
pub(crate) struct RandomEi {
    pub(crate) n: usize,
    pub(crate) exc_fraction: f64,
    pub(crate) p_at_4000: f64,
    pub(crate) scaling: Scaling,
}

impl RandomEi {
    /// Excitatory and inhibitory population sizes.
    pub(crate) fn sizes(&self) -> (usize, usize) {
        let ne = (self.exc_fraction * self.n as f64).round() as usize;
        (ne, self.n - ne)
    }

    /// Connection probability and weight scale at this size.
    pub(crate) fn probability_and_weight_scale(&self) -> (f64, f64) {
        match self.scaling {
            Scaling::FixedK => (self.p_at_4000 * 4000.0 / self.n as f64, 1.0),
            Scaling::FixedP => (self.p_at_4000, 4000.0 / self.n as f64),
        }
    }

    /// Expected inputs per neuron (from both populations).
    pub(crate) fn in_degree(&self) -> f64 {
        let (p, _) = self.probability_and_weight_scale();
        p * self.n as f64
    }

    /// Sizes, fraction and probability are usable (errors name the config fields).
    pub(crate) fn validate(&self) -> Result<(), ParamError> {
        if self.n as u64 > u64::from(u32::MAX) {
            return Err(ParamError::new("n", self.n, format!("at most {} neurons (indices are 32-bit)", u32::MAX)));
        }
        if self.n < 2 {
            return Err(ParamError::new("n", self.n, "at least 2 neurons (one excitatory, one inhibitory)"));
        }
        if !(self.exc_fraction > 0.0 && self.exc_fraction < 1.0) {
            return Err(ParamError::new("exc_fraction", self.exc_fraction, "a fraction strictly between 0 and 1"));
        }
        let (ne, ni) = self.sizes();
        if ne == 0 || ni == 0 {
            return Err(ParamError::new("n", self.n, "enough neurons for both populations to be non-empty"));
        }
        engram_core::params::probability("connection_probability", self.p_at_4000)?;
        let (p, _) = self.probability_and_weight_scale();
        if p > 1.0 {
            let n_min = (self.p_at_4000 * 4000.0).ceil();
            return Err(ParamError::new(
                "n",
                self.n,
                format!("at least {n_min} neurons: with fixed in-degree the probability would be {p:.3} > 1"),
            ));
        }
        Ok(())
    }
}

/// Connect populations `E` and `I` all to all pathways with probability `p`: E onto receptor
/// `exc` with weight `w.0`, I onto `inh` with `w.1`. Each pathway draws from its own stream
/// (`"{model}:E->I"`, ...). Returns the projections in the order E→E, E→I, I→E, I→I. On a
/// builder [split](NetworkBuilder::split) across ranks, draws only the synapses onto the
/// rank's own neurons.
pub(crate) fn connect_ei(
    b: &mut NetworkBuilder,
    model: &str,
    (ne, ni): (usize, usize),
    p: f64,
    (we, wi): (f64, f64),
    delay_ms: f64,
    seed: u64,
) -> Result<Vec<engram_sim::ProjectionId>, EngramError> {
    let spec = ConnectSpec::new(Rule::FixedProbability { p });
    let mut ids = Vec::with_capacity(4);
    for (pre, n_pre, receptor, w) in [("E", ne, "exc", we), ("I", ni, "inh", wi)] {
        for (post, n_post) in [("E", ne), ("I", ni)] {
            let id = component_id(&format!("{model}:{pre}->{post}"));
            // on a rank of a split network, only the synapses onto its own neurons (the same draws)
            let pattern = match b.owned_targets(n_post) {
                Some(own) => spec.connect_onto(n_pre, n_post, pre == post, seed, id, own)?.0,
                None => spec.connect_populations(n_pre, n_post, pre == post, seed, id)?,
            };
            ids.push(b.connect(pre, post, receptor, pattern.weights(w), Delay::Ms(delay_ms))?);
        }
    }
    Ok(ids)
}

/// Which published variant of the benchmark.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CobaVariant {
    /// Brette et al. 2007: self-sustained activity, no external input; v ~ −65 ± 5 mV,
    /// g_e ~ (4 ± 1.5)·g_L, g_i ~ (20 ± 12)·g_L at the start.
    Brette2007,
    /// Constant 200 pA input, v ~ −55 ± 5 mV, g = 0 (NEST and BrainPy comparisons).
    Driven,
    /// Auryn's COBA: 200 pA, Δg_e 4 nS, Δg_i 51 nS, all v = −60 mV, g = 0.
    Auryn,
}

/// Parameters of the COBA benchmark.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CobaConfig {
    /// Total number of neurons.
    pub n: usize,
    /// Fraction of excitatory neurons.
    pub exc_fraction: f64,
    /// Connection probability at n = 4000 (scaled with `scaling`).
    pub connection_probability: f64,
    /// Size scaling.
    pub scaling: Scaling,
    /// Variant (initial conditions, input, weights).
    pub variant: CobaVariant,
    /// Neuron parameters (both populations).
    pub neuron: LifCondParams,
    /// Excitatory weight Δg_e, nS (default: 6, or 4 for Auryn).
    pub w_exc_ns: Option<f64>,
    /// Inhibitory weight Δg_i, nS (default: 67, or 51 for Auryn).
    pub w_inh_ns: Option<f64>,
    /// Synaptic delay, ms (rounded to steps, at least one step; 0.1 ms = Brian2's default).
    pub delay_ms: f64,
}

impl Default for CobaConfig {
    fn default() -> Self {
        Self {
            n: 4000,
            exc_fraction: 0.8,
            connection_probability: 0.02,
            scaling: Scaling::FixedK,
            variant: CobaVariant::Brette2007,
            neuron: LifCondParams::coba(),
            w_exc_ns: None,
            w_inh_ns: None,
            delay_ms: 0.1,
        }
    }
}

impl CobaConfig {
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

    /// The weights actually used, nS.
    pub fn weights_ns(&self) -> (f64, f64) {
        let (we, wi) = match self.variant {
            CobaVariant::Auryn => (4.0, 51.0),
            _ => (6.0, 67.0),
        };
        let (_, scale) = self.probability_and_weight_scale();
        (self.w_exc_ns.unwrap_or(we) * scale, self.w_inh_ns.unwrap_or(wi) * scale)
    }

    /// The shortest time constant, ms (membrane, receptors, adaptation).
    pub fn shortest_time_constant_ms(&self) -> f64 {
        shortest_time_constant_ms(&self.neuron)
    }

    /// Build the network: populations `E` and `I`, four projections, initial conditions.
    pub fn build(&self, dt_ms: f64, seed: u64) -> Result<ModelNetwork, EngramError> {
        self.build_with_projections(dt_ms, seed).map(|(net, _)| net)
    }

    /// [`build`](Self::build) as rank `partition.rank()`'s part of a network split across
    /// ranks ([`NetworkBuilder::split`]): the same populations and initial conditions, and of
    /// each projection only the synapses onto the rank's own neurons, drawn with the single
    /// process's draws (`None`: the whole network, as `build`).
    ///
    /// ```
    /// use engram_models::coba::CobaConfig;
    /// use engram_sim::network::Partition;
    /// let coba = CobaConfig { n: 1000, ..CobaConfig::default() };
    /// let whole = coba.build(0.1, 1).unwrap().builder.n_synapses();
    /// let parts: Vec<usize> = (0..3)
    ///     .map(|r| coba.build_on_rank(0.1, 1, Some(Partition::new(r, 3).unwrap())).unwrap().builder.n_synapses())
    ///     .collect();
    /// assert_eq!(parts.iter().sum::<usize>(), whole);
    /// assert!(parts.iter().all(|&n| n < whole / 2));
    /// ```
    pub fn build_on_rank(
        &self,
        dt_ms: f64,
        seed: u64,
        partition: Option<Partition>,
    ) -> Result<ModelNetwork, EngramError> {
        self.build_parts(dt_ms, seed, partition).map(|(net, _)| net)
    }

    /// Like [`build`](Self::build), also returning the four projections in the order
    /// `E->E`, `E->I`, `I->E`, `I->I` (e.g. to attach a plasticity rule to `E->E`).
    ///
    /// ```
    /// use engram_models::coba::CobaConfig;
    /// let (_, ids) = CobaConfig { n: 400, ..CobaConfig::default() }.build_with_projections(0.1, 1).unwrap();
    /// assert_eq!(ids.len(), 4);
    /// ```
    pub fn build_with_projections(
        &self,
        dt_ms: f64,
        seed: u64,
    ) -> Result<(ModelNetwork, [ProjectionId; 4]), EngramError> {
        self.build_parts(dt_ms, seed, None)
    }

    fn build_parts(
        &self,
        dt_ms: f64,
        seed: u64,
        partition: Option<Partition>,
    ) -> Result<(ModelNetwork, [ProjectionId; 4]), EngramError> {
        self.validate()?;
        let (ne, ni) = self.sizes();
        let (p, _) = self.probability_and_weight_scale();
        let (we, wi) = self.weights_ns();
        let mut b = NetworkBuilder::new(dt_ms, seed)?;
        if let Some(partition) = partition {
            b.split(partition);
        }
        let params = self.neuron.clone().check().map_err(|e| e.within("neuron"))?;
        for (name, n) in [("E", ne), ("I", ni)] {
            let mut pop = LifCond::new(n, params.clone());
            self.initial_conditions(&mut pop, seed, name)?;
            b.add_population(name, pop)?;
        }
        let ids = connect_ei(&mut b, "coba", (ne, ni), p, (we, wi), self.delay_ms, seed)?;
        if matches!(self.variant, CobaVariant::Driven | CobaVariant::Auryn) {
            for pop in ["E", "I"] {
                b.add_stimulus(pop, ConstantCurrent::new(200.0))?;
            }
        }
        let net = ModelNetwork { builder: b, exc: vec!["E".into()], inh: vec!["I".into()], n_neurons: self.n };
        Ok((net, [ids[0], ids[1], ids[2], ids[3]]))
    }

    fn initial_conditions(&self, pop: &mut LifCond, seed: u64, name: &str) -> Result<(), EngramError> {
        use engram_core::neuron::NeuronModel;
        let mut rng = stream(seed, component_id(&format!("coba:init:{name}")), 0);
        let mut normal = || -> f64 { StandardNormal.sample(&mut rng) };
        let g_l = self.neuron.g_l_ns;
        let e_l = self.neuron.e_l_mv;
        let n = pop.len();
        let (v, ge, gi): (Vec<f64>, Vec<f64>, Vec<f64>) = match self.variant {
            CobaVariant::Brette2007 => {
                let v = (0..n).map(|_| e_l + normal() * 5.0 - 5.0).collect();
                let ge = (0..n).map(|_| (normal() * 1.5 + 4.0) * g_l).collect();
                let gi = (0..n).map(|_| (normal() * 12.0 + 20.0) * g_l).collect();
                (v, ge, gi)
            }
            CobaVariant::Driven => ((0..n).map(|_| -55.0 + normal() * 5.0).collect(), vec![0.0; n], vec![0.0; n]),
            CobaVariant::Auryn => (vec![e_l; n], vec![0.0; n], vec![0.0; n]),
        };
        for (var, values) in [("v_mv", v), ("g_exc_ns", ge), ("g_inh_ns", gi)] {
            let known = pop.state_names().join(", ");
            let state =
                pop.state_mut(var).ok_or_else(|| EngramError::unknown("state variable", var, known.split(", ")))?;
            state.copy_from_slice(&values);
        }
        Ok(())
    }
}

impl Params for CobaConfig {
    fn validate(&self) -> Result<(), ParamError> {
        self.shape().validate()?;
        if let Some(w) = self.w_exc_ns {
            non_negative("w_exc_ns", w)?;
        }
        if let Some(w) = self.w_inh_ns {
            non_negative("w_inh_ns", w)?;
        }
        non_negative("delay_ms", self.delay_ms)?;
        self.neuron.validate().map_err(|e| e.within("neuron"))?;
        require_receptors("neuron.receptors", self.neuron.receptors.iter().map(|r| r.name.as_str()))?;
        positive("neuron.c_m_pf", self.neuron.c_m_pf())
    }
}

/// The benchmark networks connect E onto receptor `exc` and I onto `inh`: both must exist.
pub(crate) fn require_receptors<'a>(
    field: &str,
    names: impl Iterator<Item = &'a str> + Clone,
) -> Result<(), ParamError> {
    for needed in ["exc", "inh"] {
        if !names.clone().any(|n| n == needed) {
            let have: Vec<&str> = names.clone().collect();
            return Err(ParamError::new(
                field,
                format!("[{}]", have.join(", ")),
                format!("receptors named `exc` and `inh` (E connects onto `exc`, I onto `inh`); `{needed}` is missing"),
            ));
        }
    }
    Ok(())
}

/// The shortest time constant of a conductance-based LIF, ms (membrane, receptors, adaptation).
pub fn shortest_time_constant_ms(p: &LifCondParams) -> f64 {
    let receptors = p.receptors.iter().map(|r| r.tau_ms);
    let adaptation = p.adaptation.iter().map(|a| a.tau_w_ms);
    receptors.chain(adaptation).fold(p.tau_m_ms, f64::min)
}
