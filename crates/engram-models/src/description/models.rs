//! The library's models written as network descriptions, drawing from the same random
//! streams in the same order as their own Rust builds, so that the networks built from them
//! are bit-identical: the COBA and CUBA benchmarks ([`CobaConfig::build`],
//! [`CubaConfig::build`]), and the named models of experiment files ([`vogels2011`],
//! [`auryn_background`], [`selection`]).

use engram_connectivity::DelayDistribution;
use engram_core::error::EngramError;
use engram_core::params::Params;

pub use super::named::{auryn_background, selection, vogels2011};
use super::registry::{ConstantCurrentParams, FixedProbabilityParams};
use super::types::{
    Component, Distribution, InitialValue, NetworkDescription, PopulationDescription, ProjectionDescription, Role,
    StimulusDescription,
};
use crate::coba::{CobaConfig, CobaVariant};
use crate::cuba::CubaConfig;

/// The four projections of the random E/I benchmarks: E onto `exc` with `we`, I onto `inh`
/// with `wi`, probability `p`, in the order E→E, E→I, I→E, I→I, on the streams
/// `"{model}:{pre}->{post}"`.
fn ei_projections(model: &str, p: f64, (we, wi): (f64, f64), delay_ms: f64) -> Vec<ProjectionDescription> {
    let mut out = Vec::with_capacity(4);
    for (pre, receptor, w) in [("E", "exc", we), ("I", "inh", wi)] {
        for post in ["E", "I"] {
            out.push(ProjectionDescription {
                name: None,
                pre: pre.into(),
                post: post.into(),
                receptor: receptor.into(),
                connectivity: Component::new("FixedProbability", &FixedProbabilityParams { p }),
                autapses: true,
                multapses: false,
                balance: None,
                weight: Some(Distribution::Constant { value: w }),
                delay: DelayDistribution::Constant { ms: delay_ms },
                plasticity: None,
                stream: Some(format!("{model}:{pre}->{post}")),
            });
        }
    }
    out
}

/// COBA (any variant) as a description: populations `E` and `I` of `LifCond` with the
/// variant's initial state, four projections, and for `Driven` and `Auryn` a 200 pA
/// `ConstantCurrent` into each population.
///
/// ```
/// use engram_models::coba::CobaConfig;
/// use engram_models::description::models::coba;
/// let d = coba(&CobaConfig { n: 400, ..CobaConfig::default() }).unwrap();
/// assert_eq!(d.populations.len(), 2);
/// assert_eq!(d.projections.len(), 4);
/// ```
pub fn coba(config: &CobaConfig) -> Result<NetworkDescription, EngramError> {
    config.validate()?;
    let (ne, ni) = config.sizes();
    let (p, _) = config.probability_and_weight_scale();
    let g_l = config.neuron.g_l_ns;
    let e_l = config.neuron.e_l_mv;
    let initial = match config.variant {
        CobaVariant::Brette2007 => vec![
            // v = E_L + 5 z − 5 mV; g_e = (4 + 1.5 z)·g_L; g_i = (20 + 12 z)·g_L
            init("v_mv", Distribution::Normal { mean: e_l, sd: 5.0, times: 1.0, plus: -5.0 }),
            init("g_exc_ns", Distribution::Normal { mean: 4.0, sd: 1.5, times: g_l, plus: 0.0 }),
            init("g_inh_ns", Distribution::Normal { mean: 20.0, sd: 12.0, times: g_l, plus: 0.0 }),
        ],
        CobaVariant::Driven => vec![
            init("v_mv", Distribution::Normal { mean: -55.0, sd: 5.0, times: 1.0, plus: 0.0 }),
            init("g_exc_ns", Distribution::Constant { value: 0.0 }),
            init("g_inh_ns", Distribution::Constant { value: 0.0 }),
        ],
        CobaVariant::Auryn => vec![
            init("v_mv", Distribution::Constant { value: e_l }),
            init("g_exc_ns", Distribution::Constant { value: 0.0 }),
            init("g_inh_ns", Distribution::Constant { value: 0.0 }),
        ],
    };
    let populations = [("E", ne, Role::Excitatory), ("I", ni, Role::Inhibitory)]
        .into_iter()
        .map(|(name, size, role)| PopulationDescription {
            name: name.into(),
            size,
            neuron: Component::new("LifCond", &config.neuron),
            initial: initial.clone(),
            stream: Some(format!("coba:init:{name}")),
            role: Some(role),
        })
        .collect();
    let stimuli = if matches!(config.variant, CobaVariant::Driven | CobaVariant::Auryn) {
        ["E", "I"]
            .into_iter()
            .map(|target| StimulusDescription {
                name: Some(format!("drive_{target}")),
                target: target.into(),
                stimulus: Component::new("ConstantCurrent", &ConstantCurrentParams { amplitude_pa: 200.0 }),
                stream: None,
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(NetworkDescription {
        populations,
        stimuli,
        projections: ei_projections("coba", p, config.weights_ns(), config.delay_ms),
        ..NetworkDescription::default()
    })
}

/// CUBA as a description: populations `E` and `I` of `LifCurrent` with v₀ ~ U(v_reset, v_th)
/// and four projections with the weights in pA.
///
/// ```
/// use engram_models::cuba::CubaConfig;
/// use engram_models::description::models::cuba;
/// let d = cuba(&CubaConfig { n: 400, ..CubaConfig::default() }).unwrap();
/// assert_eq!(d.populations[0].size, 320);
/// ```
pub fn cuba(config: &CubaConfig) -> Result<NetworkDescription, EngramError> {
    config.validate()?;
    let (ne, ni) = config.sizes();
    let (p, _) = config.probability_and_weight_scale();
    let (low, high) = (config.neuron.v_reset_mv, config.neuron.v_th_mv);
    let populations = [("E", ne, Role::Excitatory), ("I", ni, Role::Inhibitory)]
        .into_iter()
        .map(|(name, size, role)| PopulationDescription {
            name: name.into(),
            size,
            neuron: Component::new("LifCurrent", &config.neuron),
            initial: vec![init("v_mv", Distribution::Uniform { low, high })],
            stream: Some(format!("cuba:init:{name}")),
            role: Some(role),
        })
        .collect();
    Ok(NetworkDescription {
        populations,
        projections: ei_projections("cuba", p, config.weights_pa(), config.delay_ms),
        ..NetworkDescription::default()
    })
}

fn init(variable: &str, value: Distribution) -> InitialValue {
    InitialValue { variable: variable.into(), value }
}
