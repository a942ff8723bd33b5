//! Plasticity rules for engram, each a [`PlasticityRule`](engram_core::plasticity::PlasticityRule)
//! that the engine attaches to one projection (`NetworkBuilder::add_plasticity`):
//!
//! | Rule | Mechanism | Reference |
//! |---|---|---|
//! | [`InhibitoryStdp`] | symmetric iSTDP with target rate ρ0; optional neuromodulatory gate | Vogels et al. 2011 |
//! | [`GlobalFactorIstdp`] | iSTDP whose sign follows the population rate | Zenke, Agnes & Gerstner 2015 |
//! | [`NormalisedHebbian`] | Hebbian E→I with a homeostatic sign (input or own rate vs ρ0), optional soft bounds, postsynaptic L1 normalisation | Mackwood, Naumann & Sprekeler 2021 |
//! | [`PairStdp`] | pair STDP, additive or multiplicative, all-to-all or nearest-spike | Song et al. 2000; Gütig et al. 2003 |
//! | [`TripletStdp`] | triplet STDP, all-to-all or nearest-spike, visual-cortex and hippocampal sets, optional sliding LTD threshold | Pfister & Gerstner 2006; Zenke et al. 2013 |
//! | [`TsodyksMarkram`] | short-term depression/facilitation, exact event-driven | Tsodyks & Markram 1997; NEST `tsodyks2` |
//! | [`SynapticScaling`] | multiplicative homeostatic scaling with a rate sensor (PI) | van Rossum et al. 2000 |
//! | [`RewardModulatedStdp`] | eligibility trace × neuromodulator | Izhikevich 2007 |
//!
//! Wrappers: [`ModulatorSwitch`] (weight changes only while the modulator is above a threshold),
//! [`ModulatorExcess`] (the rule sees only the modulator's excess over a baseline: phases below
//! it, reward pulses above), [`Combined`] (several rules on one projection, in order).
//!
//! Between simulated days, [`volatility`] moves a class's weights by slow random steps (a
//! "night": log-normal Ornstein–Uhlenbeck or Kesten), the synaptic volatility behind
//! representational drift (Loewenstein et al. 2011; Statman et al. 2014).
//!
//! Each rule has a serde parameter struct (`deny_unknown_fields`, defaults from the
//! literature, [`Params::validate`](engram_core::params::Params::validate) naming the field) and
//! a constructor taking the [`Checked`](engram_core::params::Checked) parameters and the
//! projection's size. Weights are always clipped to the rule's `[w_min, w_max]`.
//!
//! # Conventions
//!
//! - **Timing and delays.** With `NetworkBuilder::add_plasticity` the engine calls rules
//!   with the spikes *emitted* in the current step: the STDP-type rules time pairings at the
//!   somata, `Δt = t_post − t_pre`, with zero axonal and zero dendritic delay for plasticity,
//!   whatever the projection's transmission delay. With
//!   `add_plasticity_with_timing(.., PlasticityTiming { axonal_delay_ms, dendritic_delay_ms })`
//!   the rule sees presynaptic spikes `axonal_delay_ms` and postsynaptic spikes
//!   `dendritic_delay_ms` later, i.e. timing at the synapse,
//!   `Δt_syn = (t_post + d_dend) − (t_pre + d_axon)` (Brian2 treats a synaptic delay as axonal,
//!   NEST's `stdp_synapse` as dendritic). [`TsodyksMarkram`] computes each spike's efficacy at
//!   emission; it travels with the spike, which is exact for (constant) axonal delays.
//! - **Order in a step.** Traces are first decayed to the current step; then presynaptic
//!   spikes are processed (reading postsynaptic traces as they were before this step's post
//!   spikes, `t − ε`), then postsynaptic spikes (reading presynaptic traces including this
//!   step's pre spikes). A pre and a post spike in the same step form a pair with `Δt = 0`
//!   counted once, on the potentiating side. A spike reads a trace before adding itself to it.
//! - **Traces.** Per neuron wherever the rule allows ([`Trace`]: one value per pre or post
//!   neuron, decayed once per step by an exact multiply, which vectorises); per synapse only
//!   for the eligibility of [`RewardModulatedStdp`], decayed lazily through one shared epoch
//!   factor so that steps without neuromodulator cost nothing per synapse. Short-term
//!   plasticity keeps `(u, x, last spike)` per presynaptic neuron. No rule allocates in `step`.
//! - **Short-term plasticity and the engine.** [`TsodyksMarkram`] implements
//!   [`scales_transmission`](engram_core::plasticity::PlasticityRule::scales_transmission) and
//!   [`before_delivery`](engram_core::plasticity::PlasticityRule::before_delivery): the engine
//!   keeps one efficacy per synapse for that projection only and delivers `weight × efficacy`;
//!   the weights themselves stay the baseline.
//! - **Driving a rule directly.** [`SynapseTable`] holds a projection in the engine's layout so
//!   that rules can be run on synthetic spike trains; rules may then skip silent steps (traces
//!   decay over the elapsed steps).
//! - **Checkpoints.** Rules whose state is a few traces and vectors declare them with
//!   [`checkpoint_fields!`](engram_core::checkpoint_fields) and get `save_state` / `load_state`
//!   from the trait's defaults; [`Trace`] is a [`StateField`](engram_core::checkpoint::StateField).
//!
//! # Building blocks for your own rules
//!
//! The pieces the library's rules are made of are public: [`Trace`] and [`Interaction`],
//! [`clip`], [`normalise_l1`] and [`l1_sums`] (pre- or postsynaptic L1 normalisation),
//! [`for_each_in_column`] (the postsynaptic walk through the transpose index, with
//! prefetch), [`prefetch_rows`] and [`prefetch_columns`] (cache hints for the rows and columns
//! of a step's spikes), [`check_shape`], and [`SynapseTable`] to test a rule without a network.
//!
//! ```
//! use engram_core::params::Params;
//! use engram_neurons::{LifCond, LifCondParams};
//! use engram_plasticity::{InhibitoryStdp, InhibitoryStdpParams};
//! use engram_sim::prelude::*;
//! use engram_stimuli::{PoissonGroup, PoissonGroupParams, RateSpec};
//!
//! let mut b = NetworkBuilder::new(0.1, 7).unwrap();
//! b.add_population("E", LifCond::new(1, LifCondParams::coba().check().unwrap())).unwrap();
//! let inh = PoissonGroupParams { n_sources: 20, rates: RateSpec::Constant { rate_hz: 10.0 }, ..Default::default() };
//! b.add_source("I", PoissonGroup::new(inh.check().unwrap(), 7, 1, b.clock())).unwrap();
//! let w = sprs::CsMatI::<f64, u32, usize>::new_csc((20, 1), vec![0, 20], (0..20).collect(), vec![1.0; 20]).to_csr();
//! let proj = b.connect("I", "E", "inh", w, Delay::Steps(1)).unwrap();
//! let rule = InhibitoryStdp::new(InhibitoryStdpParams::default().check().unwrap(), 20, 1);
//! b.add_plasticity(proj, rule);
//! let mut net = b.build().unwrap();
//! net.run_ms(1000.0).unwrap();
//! // the neuron is silent (below ρ0 = 3 Hz): every inhibitory spike depressed its synapses
//! assert!(net.weights(proj).data().iter().all(|&w| w < 1.0));
//! ```

mod combined;
mod common;
mod hebbian;
mod istdp;
mod normalise;
mod scaling;
mod stdp;
mod stp;
mod switch;
mod three_factor;
mod triplet;
pub mod volatility;

pub use combined::Combined;
pub use common::{
    Interaction, SynapseTable, Trace, check_shape, clip, for_each_in_column, prefetch_columns, prefetch_rows,
};
pub use hebbian::{HebbianSignal, NormalisedHebbian, NormalisedHebbianParams};
pub use istdp::{GlobalFactorIstdp, GlobalFactorIstdpParams, InhibitoryStdp, InhibitoryStdpParams, PlusOneOn};
pub use normalise::{NormaliseSide, l1_sums, normalise_l1};
pub use scaling::{SynapticScaling, SynapticScalingParams};
pub use stdp::{PairStdp, PairStdpParams, WeightDependence};
pub use stp::{TsodyksMarkram, TsodyksMarkramParams};
pub use switch::{ModulatorExcess, ModulatorSwitch};
pub use three_factor::{RewardModulatedStdp, RewardModulatedStdpParams};
pub use triplet::{SlidingThreshold, TripletStdp, TripletStdpParams};
