//! The Dp model as a network description: the registered kinds `DpPathway` (one pathway's
//! weight matrix of a Dp network, assemblies and variant included) and `OdorBulb` (the
//! mitral cells presenting odors), and the named model [`DpModel`] that `cargo xtask run dp`
//! runs, which expands to a description of those kinds ([`DpModel::description`]).
//!
//! ```
//! use engram_models::dp::described::DpModel;
//! use engram_models::dp::Variant;
//! // a Tuned E+I network scaled down 8x (500 E, 125 I), one learned odor
//! let model = DpModel { variant: Variant::TUNED_EI, n_odors: 1, scale_down: 8, ..DpModel::default() };
//! let d = model.description().unwrap();
//! assert_eq!(d.populations.len(), 2);
//! assert_eq!(d.projections.len(), 6);
//! assert_eq!(d.projections[0].connectivity.kind, "DpPathway");
//! let mut net = d.build(0.1, 7).unwrap();
//! net.run_ms(100.0).unwrap();
//! assert_eq!(model.duration_ms(), 4000.0); // 1 s baseline + 2 s odor per trial, + 1 s
//! ```
//!
//! The expansion builds the same network as [`simulate`](super::simulate::simulate) with the
//! standard protocol ([`Protocol::repeated_trials`]): the same connectivity (drawn from
//! `network_seed` with assemblies chosen from the odors of `odor_seed`), the bulb's Poisson
//! draws from the experiment seed on the stream `dp:ob`, and the projections in the same
//! order, so the spikes are identical.

use std::sync::{Arc, Mutex};

use engram_core::error::{EngramError, ParamError};
use engram_core::params::{Checked, Params, positive};
use engram_stimuli::{Odor, OdorSchedule, PoissonMethod, Presentation};
use serde::{Deserialize, Serialize};

use super::metrics::OdorSet;
use super::network::odor_sets;
use super::onto::DpConnectivityOnto;
use super::params::{DpConfig, Structure, Variant};
use super::simulate::Protocol;
use crate::description::types::Role;
use crate::description::{
    Component, MatrixContext, MatrixPart, NetworkDescription, PopulationDescription, ProjectionDescription, Registry,
    SourceContext, SourceDescription,
};

/// One of the six pathways of a Dp network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PathwayName {
    /// Mitral cells → E (receptor `ob`).
    ObE,
    /// Mitral cells → I (receptor `ob`).
    ObI,
    /// E → E (`exc`).
    EE,
    /// E → I (`exc`).
    EI,
    /// I → E (`inh`).
    IE,
    /// I → I (`inh`).
    II,
}

impl PathwayName {
    /// Index into [`DpConnectivity::weights`](super::network::DpConnectivity::weights).
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Which Dp network: its configuration (structure, variant, sizes), the seed of the odor
/// sets its assemblies are chosen from, and the seed of its connectivity.
///
/// In RON: `(config: (structure: A, variant: TunedEI(alpha: 5, beta: 4, gamma: 3)),
/// odor_seed: 2025, network_seed: 2025001)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DpNetwork {
    /// The network (default: structure A, rand, full size).
    pub config: DpConfig,
    /// Seed of the learned and novel odor sets (default 2025, the reproduction's).
    pub odor_seed: u64,
    /// Seed of the connectivity (default 2025001: the reproduction's network A1).
    pub network_seed: u64,
}

impl Default for DpNetwork {
    fn default() -> Self {
        Self { config: DpConfig::default(), odor_seed: 2025, network_seed: 2025001 }
    }
}

impl Params for DpNetwork {
    fn validate(&self) -> Result<(), ParamError> {
        self.config.validate().map_err(|e| e.within("config"))?;
        self.config.variant.validate().map_err(|e| e.within("config.variant"))
    }
}

/// Parameters of the `DpPathway` connectivity kind: one pathway of a Dp network, with its
/// assemblies and the variant's rewiring and scaling, in nS (on a rank of a split network,
/// only the synapses onto the rank's neurons: [`DpConnectivityOnto`]).
///
/// In RON: `(pathway: e_e, network: (config: (structure: B), network_seed: 7))`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DpPathwayParams {
    /// Which pathway (`ob_e`, `ob_i`, `e_e`, `e_i`, `i_e`, `i_i`).
    pub pathway: PathwayName,
    /// Which network (default: [`DpNetwork::default`]).
    #[serde(default)]
    pub network: DpNetwork,
}

impl Params for DpPathwayParams {
    fn validate(&self) -> Result<(), ParamError> {
        self.network.validate().map_err(|e| e.within("network"))
    }
}

/// The connectivity of `network`, made pathway by pathway ([`DpConnectivityOnto`]). The six
/// projections of a description name the same network, so the last few networks are kept:
/// only their assemblies (once chosen), never a pathway's synapses.
fn network_onto(network: &DpNetwork) -> Result<Arc<DpConnectivityOnto>, EngramError> {
    const KEPT: usize = 4;
    static LAST: Mutex<Vec<(DpNetwork, Arc<DpConnectivityOnto>)>> = Mutex::new(Vec::new());
    let mut last = LAST.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((_, onto)) = last.iter().find(|(key, _)| key == network) {
        return Ok(onto.clone());
    }
    let config = &network.config;
    let odors = odor_sets(config, network.odor_seed)?;
    let onto = Arc::new(DpConnectivityOnto::new(config, &odors.learned, network.network_seed)?);
    if last.len() == KEPT {
        last.remove(0);
    }
    last.push((network.clone(), onto.clone()));
    Ok(onto)
}

/// An odor of the Dp model's sets: learned odor `k` (the odor of assembly `k`) or novel
/// odor `k`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DpOdor {
    /// Learned odor `k` (0-based, below the network's `n_assemblies`).
    Learned(usize),
    /// Novel odor `k` (0-based, below 10).
    Novel(usize),
}

/// One presentation of an odor to the bulb.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OdorPresentation {
    /// Which odor.
    pub odor: DpOdor,
    /// Onset, ms (≥ 0).
    pub onset_ms: f64,
    /// Duration, ms (> 0).
    pub duration_ms: f64,
}

/// Parameters of the `OdorBulb` source kind: the Dp model's mitral cells (Poisson spikes at
/// their baseline rates, and at the odor's rates while one is presented), with the odor sets
/// drawn from `odor_seed` as the network's.
///
/// In RON: `(n_mitral_cells: 1500, n_learned: 15, odor_seed: 2025,
/// presentations: [(odor: Learned(0), onset_ms: 1000, duration_ms: 2000)])`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OdorBulbParams {
    /// Mitral cells (default 1500; the network's `n_mitral_cells`).
    pub n_mitral_cells: usize,
    /// Learned odors (default 15; the network's `n_assemblies`). Novel odors: 10.
    pub n_learned: usize,
    /// Seed of the odor sets (default 2025; the network's `odor_seed`).
    pub odor_seed: u64,
    /// The presentations, in time order (default none: baseline only).
    pub presentations: Vec<OdorPresentation>,
}

impl Default for OdorBulbParams {
    fn default() -> Self {
        Self { n_mitral_cells: 1500, n_learned: 15, odor_seed: 2025, presentations: Vec::new() }
    }
}

/// Novel odors in the Dp model's sets.
const N_NOVEL: usize = 10;

impl Params for OdorBulbParams {
    fn validate(&self) -> Result<(), ParamError> {
        if self.n_mitral_cells < 20 {
            return Err(ParamError::new("n_mitral_cells", self.n_mitral_cells, "at least 20"));
        }
        if self.n_learned == 0 {
            return Err(ParamError::new("n_learned", 0, "at least 1"));
        }
        let mut end = 0.0;
        for (k, p) in self.presentations.iter().enumerate() {
            let at = |f: &str| format!("presentations[{k}].{f}");
            match p.odor {
                DpOdor::Learned(i) if i >= self.n_learned => {
                    return Err(ParamError::new(
                        at("odor"),
                        format!("Learned({i})"),
                        format!("Learned(0..{})", self.n_learned),
                    ));
                }
                DpOdor::Novel(i) if i >= N_NOVEL => {
                    return Err(ParamError::new(at("odor"), format!("Novel({i})"), format!("Novel(0..{N_NOVEL})")));
                }
                _ => {}
            }
            positive(&at("duration_ms"), p.duration_ms)?;
            if !p.onset_ms.is_finite() || p.onset_ms < end {
                return Err(ParamError::new(
                    at("onset_ms"),
                    p.onset_ms,
                    format!("at least {end} (the end of the one before)"),
                ));
            }
            end = p.onset_ms + p.duration_ms;
        }
        Ok(())
    }
}

impl OdorBulbParams {
    /// The odors presented (each once, in order of first presentation) and the presentations
    /// indexing into them.
    fn schedule(&self) -> Result<(Vec<Odor>, Vec<Presentation>), ParamError> {
        let config =
            DpConfig { n_mitral_cells: self.n_mitral_cells, n_assemblies: self.n_learned, ..DpConfig::default() };
        let sets = odor_sets(&config, self.odor_seed)?;
        let mut chosen: Vec<DpOdor> = Vec::new();
        let mut presentations = Vec::with_capacity(self.presentations.len());
        for p in &self.presentations {
            let k = chosen.iter().position(|&o| o == p.odor).unwrap_or_else(|| {
                chosen.push(p.odor);
                chosen.len() - 1
            });
            presentations.push(Presentation { odor: k, onset_ms: p.onset_ms, duration_ms: p.duration_ms });
        }
        let odors = chosen
            .iter()
            .map(|o| match *o {
                DpOdor::Learned(i) => sets.learned[i].clone(),
                DpOdor::Novel(i) => sets.novel[i].clone(),
            })
            .collect();
        Ok((odors, presentations))
    }
}

/// Register `DpPathway` (connectivity that makes its own matrix) and `OdorBulb` (a source)
/// in `registry`; [`Registry::library`] does this. On a rank of a network split across
/// ranks, `DpPathway` makes only the synapses onto the rank's neurons
/// ([`MatrixContext::targets`], [`DpConnectivityOnto::weights_onto`]), and, given the ranks,
/// makes every pathway across them without holding it whole
/// ([`DpConnectivityOnto::weights_across`]).
pub fn register(registry: &mut Registry) {
    registry.register_connectivity_matrix_across(
        "DpPathway",
        |p: Checked<DpPathwayParams>, c: &MatrixContext, ranks| {
            let onto = network_onto(&p.network)?;
            let targets = c.targets.clone().unwrap_or(0..c.n_post);
            let (weights, omitted) = match ranks {
                Some(ranks) => onto.weights_across(p.pathway, targets, ranks)?,
                None => onto.weights_onto(p.pathway, targets)?,
            };
            Ok(match c.targets {
                Some(_) => MatrixPart::onto(weights, omitted),
                None => MatrixPart::from(weights),
            })
        },
    );
    registry.register_source("OdorBulb", |p: Checked<OdorBulbParams>, c: &SourceContext| {
        let (odors, presentations) = p.schedule()?;
        if odors.is_empty() {
            // baseline only: an odor that is never presented gives the baseline rates
            let config =
                DpConfig { n_mitral_cells: p.n_mitral_cells, n_assemblies: p.n_learned, ..DpConfig::default() };
            let sets = odor_sets(&config, p.odor_seed)?;
            let schedule = OdorSchedule::new(vec![sets.learned[0].clone()], &[], 1.0, c.clock)?;
            return Ok(schedule.into_poisson_group(PoissonMethod::Auto, c.seed, c.stream_id));
        }
        let schedule = OdorSchedule::new(odors, &presentations, 1.0, c.clock)?;
        Ok(schedule.into_poisson_group(PoissonMethod::Auto, c.seed, c.stream_id))
    });
}

/// The Dp model as `cargo xtask run dp` runs it: one network of a structure and variant,
/// shown odors of one set in the standard trials (1 s baseline, 2 s odor each, then 1 s).
///
/// In an experiment file: `model: Dp(structure: A, variant: TunedEI(alpha: 5, beta: 4,
/// gamma: 3), odor_set: Learned, n_odors: 10)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DpModel {
    /// Structure A–D or Simple (Table 2; default A).
    pub structure: Structure,
    /// Variant with its α/β/γ/χ (Table 5; default Tuned E+I: α 5, β 4, γ 3).
    pub variant: Variant,
    /// Seed of the connectivity (default 2025001, the reproduction's network A1).
    pub network_seed: u64,
    /// Seed of the odor sets (default 2025, the reproduction's).
    pub odor_seed: u64,
    /// Which odors are shown: `Learned` (odor k has assembly k; default) or `Novel`.
    pub odor_set: OdorSet,
    /// How many odors of the set are shown, odor 0 first (default 10, as the paper's
    /// Figs 1–2).
    pub n_odors: usize,
    /// How often the sequence of odors is shown (default 1).
    pub repeats: usize,
    /// Divide the sizes by this factor, keeping the in-degrees (default 1: full size;
    /// 4 or 8 for quick tests; the numbers then mean little).
    pub scale_down: usize,
}

impl Default for DpModel {
    fn default() -> Self {
        Self {
            structure: Structure::A,
            variant: Variant::TUNED_EI,
            network_seed: 2025001,
            odor_seed: 2025,
            odor_set: OdorSet::Learned,
            n_odors: 10,
            repeats: 1,
            scale_down: 1,
        }
    }
}

/// The most trials (`n_odors × repeats`) a [`DpModel`] may ask for: 30,000 simulated
/// seconds.
const MAX_TRIALS: usize = 10_000;

impl Params for DpModel {
    fn validate(&self) -> Result<(), ParamError> {
        self.variant.validate().map_err(|e| e.within("variant"))?;
        if self.scale_down == 0 || self.scale_down > 20 {
            return Err(ParamError::new("scale_down", self.scale_down, "1..=20"));
        }
        let available = match self.odor_set {
            OdorSet::Learned => DpConfig::default().n_assemblies,
            OdorSet::Novel => N_NOVEL,
        };
        if self.n_odors == 0 || self.n_odors > available {
            return Err(ParamError::new("n_odors", self.n_odors, format!("1..={available} (odors in the set)")));
        }
        if self.repeats == 0 || self.n_odors.saturating_mul(self.repeats) > MAX_TRIALS {
            return Err(ParamError::new(
                "repeats",
                self.repeats,
                format!("1..={} (at most {MAX_TRIALS} trials of 3 s in all)", MAX_TRIALS / self.n_odors),
            ));
        }
        Ok(())
    }
}

impl DpModel {
    /// The network's configuration: the structure's pathways, the variant, the sizes divided
    /// by `scale_down`.
    pub fn config(&self) -> DpConfig {
        let config = DpConfig { structure: self.structure, variant: self.variant, ..DpConfig::default() };
        if self.scale_down > 1 { config.scaled_down(self.scale_down) } else { config }
    }

    /// The standard protocol's presentations: `n_odors` odors of the set, `repeats` times.
    pub fn presentations(&self) -> Vec<OdorPresentation> {
        Protocol::trial_presentations(self.n_odors, self.repeats)
            .iter()
            .map(|p| OdorPresentation {
                odor: match self.odor_set {
                    OdorSet::Learned => DpOdor::Learned(p.odor),
                    OdorSet::Novel => DpOdor::Novel(p.odor),
                },
                onset_ms: p.onset_ms,
                duration_ms: p.duration_ms,
            })
            .collect()
    }

    /// Length of the protocol, ms: 3 s per trial plus 1 s.
    pub fn duration_ms(&self) -> f64 {
        3000.0 * (self.n_odors * self.repeats) as f64 + 1000.0
    }

    /// The network description this model expands to: populations `E` and `I` (`LifCond`
    /// with the structure's neuron parameters), the source `OB` (`OdorBulb` on the stream
    /// `dp:ob`), and the six `DpPathway` projections in the order
    /// [`simulate`](super::simulate::simulate) connects them.
    ///
    /// # Errors
    /// Parameters out of range.
    pub fn description(&self) -> Result<NetworkDescription, EngramError> {
        self.validate()?;
        let config = self.config();
        let network = DpNetwork { config: config.clone(), odor_seed: self.odor_seed, network_seed: self.network_seed };
        let (e_params, i_params) = config.structure.neurons();
        let population = |name: &str, size: usize, params, role| PopulationDescription {
            name: name.into(),
            size,
            neuron: Component::new("LifCond", params),
            initial: Vec::new(),
            stream: None,
            role: Some(role),
        };
        let bulb = OdorBulbParams {
            n_mitral_cells: config.n_mitral_cells,
            n_learned: config.n_assemblies,
            odor_seed: self.odor_seed,
            presentations: self.presentations(),
        };
        let projection = |pre: &str, post: &str, receptor: &str, pathway| ProjectionDescription {
            name: None,
            pre: pre.into(),
            post: post.into(),
            receptor: receptor.into(),
            connectivity: Component::new("DpPathway", &DpPathwayParams { pathway, network: network.clone() }),
            autapses: true,
            multapses: false,
            balance: None,
            weight: None,
            delay: Default::default(),
            plasticity: None,
            stream: None,
        };
        Ok(NetworkDescription {
            populations: vec![
                population("E", config.n_exc, &e_params, Role::Excitatory),
                population("I", config.n_inh, &i_params, Role::Inhibitory),
            ],
            sources: vec![SourceDescription {
                name: "OB".into(),
                source: Component::new("OdorBulb", &bulb),
                stream: Some("dp:ob".into()),
            }],
            projections: vec![
                projection("OB", "E", "ob", PathwayName::ObE),
                projection("E", "E", "exc", PathwayName::EE),
                projection("I", "E", "inh", PathwayName::IE),
                projection("OB", "I", "ob", PathwayName::ObI),
                projection("E", "I", "exc", PathwayName::EI),
                projection("I", "I", "inh", PathwayName::II),
            ],
            ..NetworkDescription::default()
        })
    }
}
