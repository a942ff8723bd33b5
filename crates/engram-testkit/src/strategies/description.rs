//! Strategies for generic network descriptions of engram-models (feature `models`): small
//! valid networks of the library's kinds, for round trips and checks.

use engram_models::description::types::Role;
use engram_models::description::{
    Component, ConstantCurrentParams, Distribution, FixedProbabilityParams, InitialValue, MonitorDescription,
    NetworkDescription, NoParams, PhaseDescription, PlasticityDescription, PopulationDescription,
    ProjectionDescription, RawParams, SourceDescription, StimulusDescription,
};
use engram_plasticity::PairStdpParams;
use proptest::collection::vec;
use proptest::prelude::*;

use super::connectivity::delay_distribution;
use super::neurons::{adex_params, lif_cond_params, lif_current_params};
use super::plasticity::pair_stdp_params;
use super::stimuli::poisson_group_params;

/// A neuron kind of the library with parameters from this crate's strategies: `LifCond`,
/// `LifCurrent` or `AdEx` (all have receptors `exc` and `inh`).
pub fn neuron_component() -> impl Strategy<Value = Component> {
    prop_oneof![
        lif_cond_params().prop_map(|p| Component::new("LifCond", &p)),
        lif_current_params().prop_map(|p| Component::new("LifCurrent", &p)),
        adex_params().prop_map(|p| Component::new("AdEx", &p)),
    ]
}

/// Any [`Distribution`] with finite values (`Uniform` ordered, `Normal` with `sd ≥ 0`).
pub fn distribution(low: f64, high: f64) -> impl Strategy<Value = Distribution> {
    prop_oneof![
        (low..high).prop_map(|value| Distribution::Constant { value }),
        (low..high, 0.0..(high - low)).prop_map(|(low, span)| Distribution::Uniform { low, high: low + span }),
        (low..high, 0.0..(high - low), 0.5..2.0f64, -1.0..1.0f64)
            .prop_map(|(mean, sd, times, plus)| Distribution::Normal { mean, sd, times, plus }),
    ]
}

/// Valid descriptions: 1–3 populations of [`neuron_component`] (1–20 neurons, sometimes an
/// initial `v_mv`, sometimes a role), 0–1 Poisson groups, 0–4 projections onto `exc` (fixed probability or all
/// to all, weights 0–1 nS or pA, any delay, sometimes pair STDP whose bounds hold the
/// weights), 0–1 constant currents, a spike monitor, 0–2 phases of whole milliseconds (some
/// saving a checkpoint), and sometimes a `base_dir`.
pub fn network_description() -> impl Strategy<Value = NetworkDescription> {
    let role = proptest::option::of(prop_oneof![Just(Role::Excitatory), Just(Role::Inhibitory)]);
    let populations =
        vec((neuron_component(), 1..=20usize, proptest::option::of(distribution(-70.0, -50.0)), role), 1..=3);
    let sources = vec(poisson_group_params(20), 0..=1);
    let projection = (
        any::<usize>(),
        any::<usize>(),
        prop_oneof![
            crate::strategies::probability()
                .prop_map(|p| Component::new("FixedProbability", &FixedProbabilityParams { p })),
            Just(Component::new("AllToAll", &NoParams {})),
        ],
        distribution(0.0, 1.0),
        delay_distribution(),
        proptest::option::of(pair_stdp_params()),
        any::<bool>(),
    );
    let projections = vec(projection, 0..=4);
    let stimuli = vec((any::<usize>(), -50.0..200.0f64), 0..=1);
    let phases = vec((1..100u32, proptest::option::of(any::<bool>()), 0.0..1.0f64, any::<bool>()), 0..=2);
    let base_dir = proptest::option::of(prop_oneof![Just("inputs"), Just("/data/run 1"), Just("../shared")]);
    let parts = (populations, sources, projections, stimuli, phases, base_dir);
    parts.prop_map(|(pops, sources, projections, stimuli, phases, base_dir)| {
        let populations: Vec<PopulationDescription> = pops
            .into_iter()
            .enumerate()
            .map(|(k, (neuron, size, v, role))| PopulationDescription {
                name: format!("P{k}"),
                size,
                neuron,
                initial: v.map(|value| vec![InitialValue { variable: "v_mv".into(), value }]).unwrap_or_default(),
                stream: None,
                role,
            })
            .collect();
        let sources: Vec<SourceDescription> = sources
            .into_iter()
            .enumerate()
            .map(|(k, p)| SourceDescription {
                name: format!("S{k}"),
                source: Component::new("PoissonGroup", &p),
                stream: (k == 0).then(|| "my_stream".to_string()),
            })
            .collect();
        let nodes: Vec<String> =
            populations.iter().map(|p| p.name.clone()).chain(sources.iter().map(|s| s.name.clone())).collect();
        let projections: Vec<ProjectionDescription> = projections
            .into_iter()
            .map(|(pre, post, connectivity, weight, delay, stdp, autapses)| {
                let (_, hi) = weight.range();
                let plasticity = stdp.filter(|_| hi.is_finite()).map(|p| {
                    let params = PairStdpParams { w_min: f64::min(0.0, weight.range().0), w_max: hi + p.w_max, ..p };
                    PlasticityDescription {
                        rule: Component::new("PairStdp", &params),
                        axonal_delay_ms: 0.0,
                        dendritic_delay_ms: 0.0,
                        gate_threshold: None,
                    }
                });
                ProjectionDescription {
                    name: None,
                    pre: nodes[pre % nodes.len()].clone(),
                    post: populations[post % populations.len()].name.clone(),
                    receptor: "exc".into(),
                    connectivity,
                    autapses,
                    multapses: false,
                    balance: None,
                    weight: Some(weight),
                    delay,
                    plasticity,
                    stream: None,
                }
            })
            .collect();
        let stimuli: Vec<StimulusDescription> = stimuli
            .into_iter()
            .enumerate()
            .map(|(k, (target, amplitude_pa))| StimulusDescription {
                name: Some(format!("bias{k}")),
                target: populations[target % populations.len()].name.clone(),
                stimulus: Component::new("ConstantCurrent", &ConstantCurrentParams { amplitude_pa }),
                stream: None,
            })
            .collect();
        let stimulus_names: Vec<String> = stimuli.iter().map(|s| s.name.clone().unwrap_or_default()).collect();
        let phases = phases
            .into_iter()
            .enumerate()
            .map(|(k, (ms, all_on, modulator, checkpoint))| PhaseDescription {
                name: format!("phase{k}"),
                start_ms: None,
                duration_ms: ms as f64,
                stimuli_on: match all_on {
                    Some(false) => Some(Vec::new()),
                    Some(true) => Some(stimulus_names.clone()),
                    None => None,
                },
                learning: None,
                modulator,
                checkpoint,
                weight_changes: Vec::new(),
            })
            .collect();
        let monitors = vec![MonitorDescription::Spikes { populations: nodes }];
        let base_dir = base_dir.map(std::path::PathBuf::from);
        NetworkDescription { populations, sources, stimuli, projections, monitors, phases, base_dir }
    })
}

/// `Custom` monitors of the kinds `kinds` (one chosen), with parameters `(population: "<p>")`
/// naming one of `populations`, or `()`: for round trips of the monitor registry's syntax
/// (check them against a registry that registers those kinds).
pub fn custom_monitor(
    kinds: &'static [&'static str],
    populations: Vec<String>,
) -> impl Strategy<Value = MonitorDescription> {
    let params = proptest::option::of(proptest::sample::select(populations));
    (proptest::sample::select(kinds), params).prop_map(|(kind, population)| MonitorDescription::Custom {
        kind: kind.to_string(),
        params: match population {
            Some(p) => RawParams::from_text(&format!("(population: {p:?})")).expect("valid RON"),
            None => RawParams::default(),
        },
    })
}
