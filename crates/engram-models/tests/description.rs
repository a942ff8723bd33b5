//! Generic network descriptions: COBA and CUBA built from a description are bit-identical to
//! the built-in models; the shipped description files run; a user-registered neuron runs; any
//! valid description round-trips through RON; and every bad input gets an error naming the
//! file, line, field, value and what is allowed.

use std::path::PathBuf;

use engram_core::error::ParamError;
use engram_core::params::{Checked, Params};
use engram_models::coba::{CobaConfig, CobaVariant};
use engram_models::cuba::CubaConfig;
use engram_models::description::{NetworkDescription, Registry, models};
use engram_sim::{NetworkBuilder, SpikeMonitor, WeightMonitor};
use engram_testkit::ToyLif;
use engram_testkit::strategies::network_description;
use proptest::prelude::*;
use serde::{Deserialize, Serialize};

/// Run a builder for `ms` and return each population's spike times and neurons.
fn spikes_of(mut b: NetworkBuilder, ms: f64) -> Vec<(Vec<f64>, Vec<u32>)> {
    let id = b.add_monitor(SpikeMonitor::new(&["E", "I"]));
    let mut net = b.build().unwrap();
    net.run_ms(ms).unwrap();
    let m = net.monitor::<SpikeMonitor>(id).unwrap();
    ["E", "I"].iter().map(|p| (m.times_ms(p).to_vec(), m.neurons(p).to_vec())).collect()
}

/// The description, written to RON and read back (so the file route is what is tested).
fn through_ron(d: &NetworkDescription) -> NetworkDescription {
    let text = d.to_ron_string();
    let back = NetworkDescription::from_ron_str(&text, "<written>").unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(&back, d);
    back
}

fn assert_identical(builtin: Vec<(Vec<f64>, Vec<u32>)>, described: Vec<(Vec<f64>, Vec<u32>)>) {
    assert!(builtin.iter().map(|(t, _)| t.len()).sum::<usize>() > 0, "the network is active");
    assert_eq!(builtin, described);
}

#[test]
fn coba_from_a_description_is_bit_identical_to_the_builtin() {
    for variant in [CobaVariant::Brette2007, CobaVariant::Driven, CobaVariant::Auryn] {
        let config = CobaConfig { n: 500, variant, ..CobaConfig::default() };
        let builtin = spikes_of(config.build(0.1, 11).unwrap().builder, 200.0);
        let d = through_ron(&models::coba(&config).unwrap());
        let (b, ..) = d.builder_with(&Registry::default(), 0.1, 11).unwrap();
        assert_identical(builtin, spikes_of(b, 200.0));
    }
}

#[test]
fn cuba_from_a_description_is_bit_identical_to_the_builtin() {
    let config = CubaConfig { n: 500, ..CubaConfig::default() };
    let builtin = spikes_of(config.build(0.1, 5).unwrap().builder, 200.0);
    let d = through_ron(&models::cuba(&config).unwrap());
    let (b, ..) = d.builder_with(&Registry::default(), 0.1, 5).unwrap();
    assert_identical(builtin, spikes_of(b, 200.0));
}

fn shipped(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../experiments/networks").join(name)
}

#[test]
fn the_shipped_coba_description_is_the_builtin_coba() {
    let d = NetworkDescription::from_file(&shipped("coba.ron")).unwrap_or_else(|e| panic!("{e}"));
    let builtin = spikes_of(CobaConfig::default().build(0.1, 12345).unwrap().builder, 50.0);
    let (b, ..) = d.builder_with(&Registry::default(), 0.1, 12345).unwrap();
    assert_identical(builtin, spikes_of(b, 50.0));
}

#[test]
fn the_shipped_adex_stdp_description_runs_and_learns_only_in_its_learning_phase() {
    let d = NetworkDescription::from_file(&shipped("adex_stdp.ron")).unwrap_or_else(|e| panic!("{e}"));
    let mut built = d.build_with(&Registry::default(), 0.1, 3).unwrap();
    assert_eq!(built.phases.len(), 2);
    let w0 = built.network.weights(built.projections[0]).data().to_vec();
    built.network.set_modulator(built.phases[0].2);
    built.network.run_steps(built.phases[0].1).unwrap();
    let stats = built.network.stats();
    assert!(stats.iter().find(|s| s.name == "E").unwrap().n_spikes > 0, "E fires in the baseline: {stats:?}");
    assert!(built.network.weights(built.projections[0]).data() == &w0[..], "no learning in the baseline");
    built.network.run_steps(built.phases[1].1).unwrap();
    assert!(built.network.weights(built.projections[0]).data() != &w0[..], "STDP changed the weights");
    let weights = built.network.monitor::<WeightMonitor>(built.monitors[2]).unwrap();
    assert!(!weights.times_ms().is_empty());
}

/// A user's neuron model: the test kit's toy LIF with its own parameter struct.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct ToyParams {
    /// Constant drive, mV (above 10 it fires on its own).
    bias: f64,
    /// Seed of the initial potentials.
    seed: u64,
}

impl Default for ToyParams {
    fn default() -> Self {
        Self { bias: 12.0, seed: 1 }
    }
}

impl Params for ToyParams {
    fn validate(&self) -> Result<(), ParamError> {
        engram_core::params::finite("bias", self.bias)
    }
}

const TOY_FILE: &str = r#"(
    populations: [(name: "A", size: 10, neuron: (kind: "Toy", params: (bias: 15.0)))],
    monitors: [Spikes(populations: ["A"])],
)"#;

#[test]
fn a_user_registered_neuron_runs_from_a_file() {
    let e = NetworkDescription::from_ron_str(TOY_FILE, "toy.ron").unwrap_err().to_string();
    assert!(e.starts_with("toy.ron:2: populations[0].neuron.kind = \"Toy\" is not allowed"), "{e}");

    let mut registry = Registry::default();
    registry.register_neuron("Toy", |n, p: Checked<ToyParams>| Ok(ToyLif::new(n, p.seed).with_bias(p.bias)));
    assert!(registry.neuron_kinds().contains(&"Toy"));
    let d = NetworkDescription::from_ron_str_with(TOY_FILE, "toy.ron", &registry).unwrap();
    let mut built = d.build_with(&registry, 0.1, 1).unwrap();
    built.network.run_ms(100.0).unwrap();
    let spikes = built.network.monitor::<SpikeMonitor>(built.monitors[0]).unwrap();
    assert!(spikes.count("A") > 10, "{}", spikes.count("A"));

    let bad = TOY_FILE.replace("bias: 15.0", "bias: 15.0, tau: 3");
    let e = NetworkDescription::from_ron_str_with(&bad, "toy.ron", &registry).unwrap_err().to_string();
    assert!(e.starts_with("toy.ron:2:") && e.contains("populations[0].neuron.params") && e.contains("tau"), "{e}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn any_valid_description_round_trips_through_ron(d in network_description()) {
        prop_assert!(d.check(&Registry::default()).is_ok(), "{:?}", d.check(&Registry::default()));
        let text = d.to_ron_string();
        let back = NetworkDescription::from_ron_str(&text, "<rt>").map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(back, d);
    }
}

// ─── Bad input: each error names the file, line, field, value and what is allowed ──────────

/// A valid file; the tests below break one thing each. Line numbers matter.
const GOOD: &str = r#"(
    populations: [
        (name: "E", size: 20, neuron: (kind: "AdEx", params: (b_pa: 60.0))),
        (name: "I", size: 5, neuron: (kind: "LifCond")),
    ],
    sources: [(name: "in", source: (kind: "PoissonGroup", params: (n_sources: 30)))],
    projections: [
        (pre: "in", post: "E", receptor: "exc",
         connectivity: (kind: "FixedProbability", params: (p: 0.2)),
         weight: Constant(value: 0.5),
         plasticity: (rule: (kind: "PairStdp", params: (w_max: 1.0)))),
        (pre: "E", post: "I", receptor: "exc",
         connectivity: (kind: "FixedInDegree", params: (k: 4)),
         weight: Constant(value: 1.0)),
    ],
    monitors: [State(population: "E", variable: "w_pa", neurons: [0], every_ms: 1.0)],
    phases: [
        (name: "rest", duration_ms: 100.0, learning: []),
        (name: "learn", start_ms: 100.0, duration_ms: 100.0),
    ],
)"#;

fn error_of(text: &str) -> String {
    NetworkDescription::from_ron_str(text, "net.ron").unwrap_err().to_string()
}

fn broken(from: &str, to: &str) -> String {
    assert!(GOOD.contains(from), "{from}");
    error_of(&GOOD.replacen(from, to, 1))
}

#[test]
fn the_good_file_is_good_and_runs() {
    let d = NetworkDescription::from_ron_str(GOOD, "net.ron").unwrap();
    let mut built = d.build_with(&Registry::default(), 0.1, 1).unwrap();
    built.run_protocol().unwrap();
    assert_eq!(built.network.current_step(), 2000);
}

#[test]
fn an_unknown_neuron_kind_lists_the_known_ones() {
    let e = broken("\"AdEx\"", "\"Adex\"");
    assert_eq!(
        e,
        "net.ron:3: populations[0].neuron.kind = \"Adex\" is not allowed: expected one of the registered neuron \
         kinds: AdEx, Izhikevich, LifCond, LifCurrent, LifNmda"
    );
}

#[test]
fn an_unknown_rule_kind_lists_the_known_ones() {
    let e = broken("\"PairStdp\"", "\"PairSTDP\"");
    assert!(e.starts_with("net.ron:11: projections[0].plasticity.rule.kind = \"PairSTDP\" is not allowed"), "{e}");
    assert!(e.contains("InhibitoryStdp, PairStdp, TripletStdp"), "{e}");
}

#[test]
fn an_unknown_source_kind_lists_the_known_ones() {
    let e = broken("\"PoissonGroup\"", "\"Poisson\"");
    assert!(e.starts_with("net.ron:6: sources[0].source.kind = \"Poisson\" is not allowed"), "{e}");
    assert!(e.contains("expected one of the registered source kinds: MatSpikeMatrix, OdorBulb, PoissonGroup"), "{e}");
}

#[test]
fn an_unknown_connectivity_rule_lists_the_known_ones() {
    let e = broken("\"FixedInDegree\"", "\"FixedInDeg\"");
    assert!(e.starts_with("net.ron:13: projections[1].connectivity.kind = \"FixedInDeg\""), "{e}");
    assert!(
        e.contains("registered connectivity kinds: AllToAll, DpPathway, FixedInDegree, FixedOutDegree, FixedProbability, OneToOne"),
        "{e}"
    );
}

#[test]
fn a_projection_to_a_missing_population_names_the_populations() {
    let e = broken("post: \"I\"", "post: \"J\"");
    assert_eq!(e, "net.ron:12: projections[1].post = \"J\" is not allowed: expected one of the populations: E, I");
    let e = broken("pre: \"E\"", "pre: \"X\"");
    assert!(e.starts_with("net.ron:12: projections[1].pre = \"X\""), "{e}");
    assert!(e.contains("one of the populations and source groups: E, I, in"), "{e}");
    let e = broken("post: \"E\"", "post: \"in\"");
    assert!(e.contains("projections[0].post = \"in\"") && e.contains("`in` is a source group"), "{e}");
}

#[test]
fn a_projection_to_a_missing_receptor_names_the_receptors() {
    let e = broken("post: \"I\", receptor: \"exc\"", "post: \"I\", receptor: \"ampa\"");
    assert_eq!(
        e,
        "net.ron:12: projections[1].receptor = \"ampa\" is not allowed: expected a receptor of `I` (LifCond): exc, inh"
    );
}

#[test]
fn a_rule_that_cannot_serve_its_projection_is_refused() {
    // weights of 2 nS under a rule that clips them to [0, 1]
    let e = broken("weight: Constant(value: 0.5)", "weight: Constant(value: 2.0)");
    assert!(e.starts_with("net.ron:11: projections[0].plasticity.rule.params.w_max = 1 is not allowed"), "{e}");
    assert!(e.contains("at least the projection's largest weight (2)"), "{e}");
}

#[test]
fn a_monitor_on_a_missing_variable_names_the_variables() {
    let e = broken("variable: \"w_pa\"", "variable: \"u\"");
    assert_eq!(
        e,
        "net.ron:16: monitors[0].variable = \"u\" is not allowed: expected a state variable of `E` (AdEx): v_mv, \
         w_pa, g_exc_ns, g_inh_ns"
    );
}

#[test]
fn overlapping_phases_are_refused() {
    let e = broken("start_ms: 100.0", "start_ms: 50.0");
    assert_eq!(
        e,
        "net.ron:19: phases[1].start_ms = 50 is not allowed: expected 100 ms (the end of `rest`): phases may not \
         overlap"
    );
    let e = broken("start_ms: 100.0", "start_ms: 150.0");
    assert!(e.contains("phases[1].start_ms = 150") && e.contains("without gaps"), "{e}");
}

#[test]
fn parameters_are_checked_by_their_kind_at_their_line() {
    // out of range: the kind's own validation, placed at the line
    let e = broken("b_pa: 60.0", "b_pa: -60.0");
    assert!(e.starts_with("net.ron:3: populations[0].neuron.params.b_pa = -60 is not allowed"), "{e}");
    // unknown field inside the parameters: line and column inside the file
    let e = broken("(b_pa: 60.0)", "(b_pa: 60.0, tau_ww: 1.0)");
    assert!(e.starts_with("net.ron:3:"), "{e}");
    assert!(e.contains("populations[0].neuron.params") && e.contains("tau_ww"), "{e}");
    // a degree above the presynaptic population
    let e = broken("(k: 4)", "(k: 40)");
    assert!(e.starts_with("net.ron:13: projections[1].connectivity.params.k = 40 is not allowed"), "{e}");
    // a typo outside the parameters is a parse error
    let e = broken(
        "receptor: \"exc\",\n         connectivity: (kind: \"FixedP",
        "receptr: \"exc\",\n         connectivity: (kind: \"FixedP",
    );
    assert!(e.starts_with("net.ron:8:") && e.contains("receptr"), "{e}");
}

#[test]
fn learning_switches_name_plastic_projections() {
    let e = broken("learning: []", "learning: [\"E->I\"]");
    assert_eq!(
        e,
        "net.ron:18: phases[0].learning[0] = \"E->I\" is not allowed: expected a projection with a plasticity rule: \
         in->E"
    );
}

#[test]
fn the_guide_example_parses_and_runs() {
    let guide =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/guide/configuration.md")).unwrap();
    let section = &guide[guide.find("## Network descriptions").expect("the section")..];
    let start = section.find("```ron\n").unwrap() + "```ron\n".len();
    let text = &section[start..start + section[start..].find("```").unwrap()];
    let d = NetworkDescription::from_ron_str(text, "configuration.md").unwrap_or_else(|e| panic!("{e}"));
    let mut built = d.build_with(&Registry::default(), 0.1, 1).unwrap();
    built.run_protocol().unwrap();
    assert_eq!(built.network.current_step(), 10_000);
}

// ─── Out-degree balancing of a drawn pattern (`balance`) ──────────────────────────────────

/// E→E of 400 neurons drawn with a fixed in-degree and out-degree balanced (`balance`), as a
/// file: the built pattern is the connectivity crate's balanced one (out-degrees of the
/// triggered neurons within 3 % of the mean, in-degrees untouched) and the same on every build.
#[test]
fn a_balanced_projection_has_the_balanced_pattern() {
    use engram_connectivity::{ConnectSpec, OutDegreeBalancing, Rule};
    let text = r#"(populations: [(name: "E", size: 400, neuron: (kind: "LifCond"))],
        projections: [(pre: "E", post: "E", receptor: "exc", stream: "ee",
            connectivity: (kind: "FixedInDegree", params: (k: 40)),
            balance: (trigger_fraction: 0.05, target_fraction: 0.03),
            weight: Constant(value: 0.5))])"#;
    let d = NetworkDescription::from_ron_str(text, "balanced.ron").unwrap();
    let built = d.build_with(&Registry::default(), 0.1, 9).unwrap();
    let w = built.network.weights(built.projections[0]);
    let out: Vec<usize> = w.outer_iterator().map(|row| row.nnz()).collect();
    let mean = out.iter().sum::<usize>() as f64 / 400.0;
    assert_eq!(mean, 40.0);
    // without balancing the same draw spreads far wider
    let unbalanced = ConnectSpec::new(Rule::FixedInDegree { k: 40 }).connect(400, 400, 9, 1).unwrap().out_degrees();
    let spread = |d: &[f64]| d.iter().map(|x| (x - mean).abs()).fold(0.0, f64::max);
    let (balanced_spread, drawn_spread) = (
        spread(&out.iter().map(|&x| x as f64).collect::<Vec<_>>()),
        spread(&unbalanced.iter().map(|&x| f64::from(x)).collect::<Vec<_>>()),
    );
    assert!(balanced_spread <= 0.05 * mean + 1.0, "out-degrees within the trigger band: {balanced_spread}");
    assert!(drawn_spread > 0.1 * mean, "an unbalanced draw is wider: {drawn_spread}");
    let mut in_degree = vec![0; 400];
    w.iter().for_each(|(_, (_, j))| in_degree[j as usize] += 1);
    assert!(in_degree.iter().all(|&k| k == 40), "in-degrees are kept");
    assert_eq!(OutDegreeBalancing::default().trigger_fraction, 0.05);
    // and a second build is the same network
    let again = d.build_with(&Registry::default(), 0.1, 9).unwrap();
    assert_eq!(again.network.weights(again.projections[0]), w);
}

#[test]
fn balancing_a_matrix_kind_or_with_a_negative_fraction_is_refused() {
    let e = broken(
        "connectivity: (kind: \"FixedInDegree\", params: (k: 4)),",
        "connectivity: (kind: \"FixedInDegree\", params: (k: 4)), balance: (trigger_fraction: -0.1, target_fraction: 0.03),",
    );
    assert!(e.contains("projections[1].balance.trigger_fraction") && e.contains("-0.1"), "{e}");
    let text = r#"(populations: [(name: "E", size: 10, neuron: (kind: "LifCond"))],
        projections: [(pre: "E", post: "E", receptor: "exc",
            connectivity: (kind: "DpPathway", params: (pathway: e_e)),
            balance: (trigger_fraction: 0.05, target_fraction: 0.03))])"#;
    let e = error_of(text);
    assert!(e.contains("projections[0].balance") && e.contains("makes the whole matrix itself"), "{e}");
}
