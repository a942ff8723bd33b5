//! The Dp model as a network description (`cargo xtask run dp`): the description built from
//! [`DpModel`] gives the spikes of the Rust-built network ([`simulate`]) at the same seeds,
//! also after a round trip through RON, and its bad inputs get clear errors.

use engram_models::description::{NetworkDescription, Registry};
use engram_models::dp::described::DpModel;
use engram_models::dp::{DpConnectivity, OdorSet, Protocol, Structure, Variant, odor_sets, simulate};
use engram_models::experiment::{Experiment, ModelConfig};
use engram_sim::SpikeMonitor;

/// E and I spikes of `model`'s description run for `ms` with experiment seed `seed`.
fn described_spikes(d: &NetworkDescription, ms: f64, seed: u64) -> Vec<(Vec<f64>, Vec<u32>)> {
    let (mut b, _) = d.builder_with(&Registry::default(), 0.1, seed).unwrap();
    let id = b.add_monitor(SpikeMonitor::new(&["E", "I"]));
    let mut net = b.build().unwrap();
    net.run_ms(ms).unwrap();
    let m = net.monitor::<SpikeMonitor>(id).unwrap();
    ["E", "I"].iter().map(|p| (m.times_ms(p).to_vec(), m.neurons(p).to_vec())).collect()
}

/// The same network built in Rust: `simulate` with the standard trials.
fn simulated_spikes(model: &DpModel, seed: u64) -> Vec<(Vec<f64>, Vec<u32>)> {
    let config = model.config();
    let odors = odor_sets(&config, model.odor_seed).unwrap();
    let base = DpConnectivity::generate(&config, &odors.learned, model.network_seed).unwrap();
    let (net, _) = base.with_variant(&config, model.variant, model.network_seed).unwrap();
    let set = match model.odor_set {
        OdorSet::Learned => &odors.learned,
        OdorSet::Novel => &odors.novel,
    };
    let protocol = Protocol::repeated_trials(set[..model.n_odors].to_vec(), model.repeats);
    assert_eq!(protocol.duration_ms, model.duration_ms());
    let rec = simulate(&config, &net, &protocol, seed, 0.1, None).unwrap();
    vec![(rec.e_spike_times_ms, rec.e_spike_neurons), (rec.i_spike_times_ms, rec.i_spike_neurons)]
}

#[test]
fn the_described_dp_network_spikes_as_the_rust_built_one() {
    for model in [
        DpModel { n_odors: 1, scale_down: 4, ..DpModel::default() },
        DpModel {
            structure: Structure::C,
            variant: Variant::SCALED_I,
            odor_set: OdorSet::Novel,
            n_odors: 2,
            network_seed: 17,
            odor_seed: 3,
            scale_down: 4,
            ..DpModel::default()
        },
    ] {
        let d = model.description().unwrap();
        let text = d.to_ron_string();
        let back = NetworkDescription::from_ron_str(&text, "dp.ron").unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(back, d, "the description survives RON");
        let ms = model.duration_ms();
        let rust = simulated_spikes(&model, 9);
        assert!(rust[0].0.len() > 100, "the network is active: {} E spikes", rust[0].0.len());
        assert_eq!(described_spikes(&back, ms, 9), rust, "{model:?}");
    }
}

#[test]
fn the_dp_experiment_names_the_whole_protocol_and_validates_its_fields() {
    let exp = Experiment::builtin("dp").unwrap();
    assert_eq!(exp.run.duration_s, 31.0, "10 trials of 3 s and 1 s");
    assert!(matches!(exp.model, ModelConfig::Dp(ref m) if *m == DpModel::default()));
    let e = Experiment::from_ron_str("(model: Dp(n_odors: 16))", "dp.ron").unwrap_err().to_string();
    assert!(e.starts_with("dp.ron:1:") && e.contains("model.Dp.n_odors = 16") && e.contains("1..=15"), "{e}");
    let e = Experiment::from_ron_str("(model: Dp(varaint: Rand))", "dp.ron").unwrap_err().to_string();
    assert!(e.contains("varaint") && e.contains("variant"), "{e}");
    // a protocol too long to write down is refused before anything is allocated
    let e = Experiment::from_ron_str("(model: Dp(repeats: 4294967296))", "dp.ron").unwrap_err().to_string();
    assert!(e.contains("model.Dp.repeats = 4294967296") && e.contains("1..=1000"), "{e}");
    let e = Experiment::from_ron_str("(model: Dp(variant: ScaledI(alpha: -1, chi: 1)))", "dp.ron").unwrap_err();
    assert!(e.to_string().contains("model.Dp.variant.alpha = -1"), "{e}");
}

#[test]
fn a_dp_pathway_takes_no_weight_and_a_drawn_rule_needs_one() {
    let d = DpModel { n_odors: 1, scale_down: 8, ..DpModel::default() }.description().unwrap();
    let text = d.to_ron_string();
    let with_weight = text.replacen("weight: None", "weight: Constant(value: 1.0)", 1);
    assert_ne!(with_weight, text, "the description writes its weight field");
    let e = NetworkDescription::from_ron_str(&with_weight, "dp.ron").unwrap_err().to_string();
    assert!(
        e.contains("projections[0].weight") && e.contains("connectivity `DpPathway` gives each synapse its own weight"),
        "{e}"
    );
    let no_weight = "(populations: [(name: \"A\", size: 5, neuron: (kind: \"LifCond\"))],
        projections: [(pre: \"A\", post: \"A\", receptor: \"exc\", connectivity: (kind: \"FixedProbability\", params: (p: 0.5)))])";
    let e = NetworkDescription::from_ron_str(no_weight, "net.ron").unwrap_err().to_string();
    assert!(e.contains("projections[0].weight = missing") && e.contains("draws only the pattern"), "{e}");
    let bad_odor = text.replacen("Learned(0)", "Learned(15)", 1);
    let e = NetworkDescription::from_ron_str(&bad_odor, "dp.ron").unwrap_err().to_string();
    assert!(e.contains("sources[0].source.params.presentations[0].odor") && e.contains("Learned(0..15)"), "{e}");
}

#[test]
fn the_runner_gives_the_named_model_and_its_written_description_the_same_spikes() {
    use engram_models::run::run_experiment;
    let mut named = Experiment::builtin("dp").unwrap();
    let ModelConfig::Dp(m) = &mut named.model else { unreachable!() };
    m.scale_down = 8;
    named.run.duration_s = 1.5;
    named.record.figure = true; // keeps the spikes in the output
    let described = Experiment {
        model: ModelConfig::Network(named.model.description().unwrap().unwrap().into_owned()),
        ..named.clone()
    };
    let text = engram_core::config::to_ron_string(&described);
    let described = Experiment::from_ron_str(&text, "dp_description.ron").unwrap();
    let a = run_experiment(&named, None, false).unwrap();
    let b = run_experiment(&described, None, false).unwrap();
    assert!(a.summary.n_spikes > 0);
    assert_eq!(a.summary.n_spikes, b.summary.n_spikes);
    assert_eq!((a.summary.rate_exc_hz, a.summary.rate_inh_hz), (b.summary.rate_exc_hz, b.summary.rate_inh_hz));
    let e_spikes = |o: &engram_models::run::RunOutput| o.spikes.iter().find(|p| p.name == "E").cloned().unwrap();
    assert_eq!(e_spikes(&a), e_spikes(&b));
}
