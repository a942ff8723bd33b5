//! Checkpoints, the weight monitor and `reset_activity` on a small E/I network of `LifCond`
//! neurons driven by a `PoissonGroup` (per-synapse delays) and a `PoissonInput`, with inhibitory
//! STDP on I→E and Tsodyks–Markram short-term plasticity on E→I.
//!
//! Restoring a checkpoint (into a freshly built network, into the same network after it ran
//! on, or through files) must reproduce the spikes, weights and membrane potentials of the
//! original continuation bit for bit; a network of another structure must be refused.

use crate::toy::Probe;
use engram_core::error::EngramError;
use engram_core::params::Params;
use engram_neurons::{LifCond, LifCondParams};
use engram_plasticity::{InhibitoryStdp, InhibitoryStdpParams, TsodyksMarkram, TsodyksMarkramParams};
use engram_sim::npy::read_npy_1d;
use engram_sim::prelude::*;
use engram_stimuli::{PoissonGroup, PoissonGroupParams, PoissonInput, PoissonInputParams, RateSpec, Targets};
use rand::Rng;
use sprs::{CsMatI, TriMatI};

const N_E: usize = 80;
const N_I: usize = 20;
const N_P: usize = 60;

/// How to build the test network.
#[derive(Clone)]
pub(crate) struct Setup {
    pub(crate) n_e: usize,
    /// Seed of the connectivity and delays.
    pub(crate) structure_seed: u64,
    /// Seed of the Poisson group and the Poisson input.
    pub(crate) input_seed: u64,
    pub(crate) plastic: bool,
    /// Replace the initial weights of I->E and E->I (CSR order).
    pub(crate) weights: Option<(Vec<f64>, Vec<f64>)>,
    /// The shortest per-synapse delay, steps (default 1; I->E has 1 ms = 10 steps).
    pub(crate) min_delay_steps: u32,
}

impl Default for Setup {
    fn default() -> Self {
        Self { n_e: N_E, structure_seed: 1, input_seed: 2, plastic: true, weights: None, min_delay_steps: 1 }
    }
}

/// A random sparse matrix with connection probability `p` and weights `w·U(0.5, 1.5)`, and a
/// random delay of `min_delay..=max_delay` steps per synapse (`min_delay` if larger).
fn random(
    rng: &mut impl Rng,
    shape: (usize, usize),
    p: f64,
    w: f64,
    (min_delay, max_delay): (u32, u32),
) -> (CsMatI<f64, u32, usize>, Vec<u32>) {
    let mut tri = TriMatI::<f64, u32>::new(shape);
    for i in 0..shape.0 {
        for j in 0..shape.1 {
            if rng.r#gen::<f64>() < p {
                tri.add_triplet(i, j, w * (0.5 + rng.r#gen::<f64>()));
            }
        }
    }
    let m: CsMatI<f64, u32, usize> = tri.to_csr();
    let delays = (0..m.nnz()).map(|_| rng.gen_range(min_delay..=max_delay.max(min_delay))).collect();
    (m, delays)
}

pub(crate) struct Built {
    pub(crate) net: Network,
    pub(crate) i_to_e: ProjectionId,
    pub(crate) e_to_i: ProjectionId,
}

fn build(setup: &Setup) -> Built {
    build_with(setup, |_| {})
}

pub(crate) fn build_with(setup: &Setup, extra: impl FnOnce(&mut NetworkBuilder)) -> Built {
    let mut rng = engram_core::rng::stream(setup.structure_seed, 0, 0);
    let mut b = NetworkBuilder::new(0.1, 7).unwrap();
    let lif = LifCondParams::coba().check().unwrap();
    b.add_population("E", LifCond::new(setup.n_e, lif.clone())).unwrap();
    b.add_population("I", LifCond::new(N_I, lif)).unwrap();
    let rates =
        PoissonGroupParams { n_sources: N_P, rates: RateSpec::Constant { rate_hz: 40.0 }, ..Default::default() };
    b.add_source("P", PoissonGroup::new(rates.check().unwrap(), setup.input_seed, 1, b.clock())).unwrap();
    let drive = PoissonInputParams {
        receptor: "exc".into(),
        n_inputs: 100,
        rate: RateSpec::Constant { rate_hz: 30.0 },
        weight: 1.0,
        targets: Targets::All,
    };
    b.add_stimulus("I", PoissonInput::new(drive.check().unwrap(), N_I, setup.input_seed, 2, b.clock()).unwrap())
        .unwrap();

    let min = setup.min_delay_steps;
    let (p_e, d_pe) = random(&mut rng, (N_P, setup.n_e), 0.3, 4.0, (min, 30));
    b.connect("P", "E", "exc", p_e, Delay::PerSynapse(d_pe)).unwrap();
    let (e_e, d_ee) = random(&mut rng, (setup.n_e, setup.n_e), 0.1, 1.0, (min, 15));
    b.connect("E", "E", "exc", e_e, Delay::PerSynapse(d_ee)).unwrap();
    let (mut e_i, d_ei) = random(&mut rng, (setup.n_e, N_I), 0.2, 2.0, (min, 10));
    let (mut i_e, _) = random(&mut rng, (N_I, setup.n_e), 0.3, 5.0, (1, 1));
    if let Some((w_ie, w_ei)) = &setup.weights {
        i_e.data_mut().copy_from_slice(w_ie);
        e_i.data_mut().copy_from_slice(w_ei);
    }
    let e_to_i = b.connect("E", "I", "exc", e_i, Delay::PerSynapse(d_ei)).unwrap();
    let i_to_e = b.connect("I", "E", "inh", i_e, Delay::Ms(1.0)).unwrap();
    if setup.plastic {
        let istdp = InhibitoryStdpParams { eta: 0.05, target_rate_hz: 5.0, ..Default::default() };
        b.add_plasticity(i_to_e, InhibitoryStdp::new(istdp.check().unwrap(), N_I, setup.n_e));
        let tm = TsodyksMarkramParams::default().check().unwrap();
        b.add_plasticity(e_to_i, TsodyksMarkram::new(tm, setup.n_e));
    }
    // driven hard on purpose (I fires above 0.5 / t_ref): a fixed ceiling instead of the
    // refractory one
    b.divergence_guard(DivergenceGuard { max_rate_hz: Some(500.0), ..Default::default() });
    extra(&mut b);
    Built { net: b.build().unwrap(), i_to_e, e_to_i }
}

/// What a run produced: spikes of every population in every step, final weights and
/// membrane potentials as bits.
#[derive(Debug, PartialEq)]
pub(crate) struct Record {
    spikes: Vec<Vec<Vec<u32>>>,
    weights: Vec<Vec<u64>>,
    v: Vec<Vec<u64>>,
}

impl Record {
    pub(crate) fn n_spikes(&self, pop: usize) -> usize {
        self.spikes.iter().map(|s| s[pop].len()).sum()
    }
}

fn bits(x: &[f64]) -> Vec<u64> {
    x.iter().map(|v| v.to_bits()).collect()
}

pub(crate) fn run(built: &mut Built, steps: u64) -> Record {
    let net = &mut built.net;
    let mut spikes = Vec::new();
    for _ in 0..steps {
        net.run_steps(1).unwrap();
        spikes.push(["E", "I", "P"].iter().map(|p| net.last_spikes(p).unwrap().to_vec()).collect());
    }
    let weights = [built.i_to_e, built.e_to_i].iter().map(|&p| bits(net.weights(p).data())).collect();
    let v = ["E", "I"].iter().map(|p| bits(net.model(p).unwrap().unwrap().state("v_mv").unwrap())).collect();
    Record { spikes, weights, v }
}

const T1: u64 = 1500;
const T2: u64 = 2000;

#[test]
fn restored_runs_are_bit_identical() {
    let mut a = build(&Setup::default());
    let first = run(&mut a, T1);
    let w0 = bits(a.net.weights(a.i_to_e).data());
    let ck = a.net.checkpoint().unwrap();
    assert_eq!(ck.step, T1);
    let original = run(&mut a, T2);
    // The network is active and the rule is at work in T2.
    for pop in 0..3 {
        assert!(original.n_spikes(pop) > 50, "population {pop}: {} spikes", original.n_spikes(pop));
    }
    assert!(first.n_spikes(0) > 0);
    assert_ne!(original.weights[0], w0, "iSTDP changed no weight in T2");

    // 1. Into a freshly built identical network.
    let mut b = build(&Setup::default());
    b.net.restore(&ck).unwrap();
    assert_eq!(b.net.current_step(), T1);
    let restored = run(&mut b, T2);
    assert!(restored == original, "fresh network: the restored run differs");

    // 2. Into the same network, after it ran on.
    a.net.restore(&ck).unwrap();
    assert!(run(&mut a, T2) == original, "same network: the restored run differs");

    // 3. Through files.
    let dir = std::env::temp_dir().join(format!("engram_test_checkpoint_{}", std::process::id()));
    ck.save(&dir).unwrap();
    let loaded = Checkpoint::load(&dir).unwrap();
    assert_eq!(loaded, ck);
    let mut c = build(&Setup::default());
    c.net.restore(&loaded).unwrap();
    assert!(run(&mut c, T2) == original, "loaded from files: the restored run differs");

    // A network with other input seeds does something else (the comparison can tell).
    let mut other = build(&Setup { input_seed: 3, ..Setup::default() });
    other.net.run_steps(T1).unwrap();
    assert!(run(&mut other, T2) != original);

    // The files: a manifest and bit-exact .npy arrays.
    let manifest = std::fs::read_to_string(dir.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"format\": \"engram-checkpoint\""), "{manifest}");
    let weights_file = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with("projections_3__weights.npy"))
        .expect("weights of projection 3 (I->E)");
    let w: Vec<f64> = read_npy_1d(&weights_file).unwrap();
    assert_eq!(bits(&w), w0);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn checkpoint_holds_every_part_of_the_state() {
    let mut a = build(&Setup::default());
    a.net.run_steps(T1).unwrap();
    let ck = a.net.checkpoint().unwrap();
    let names: Vec<&str> = ck.populations.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["E", "I", "P"]);
    let e = &ck.populations[0];
    assert_eq!(e.state.kind, "lif_cond");
    assert!(e.state.u64s["refractory_left"].iter().any(|&r| r > 0), "someone is refractory");
    assert_eq!(e.ring.len(), ck.ring_len * 2 * N_E);
    assert!(e.ring.iter().any(|&x| x != 0.0), "spikes in flight");
    assert_eq!(ck.ring_len, 31);
    assert_eq!(ck.populations[2].state.kind, "poisson");
    assert!(ck.populations[2].state.blobs.contains_key("rng"));
    let proj: Vec<&str> = ck.projections.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(proj, ["P->E", "E->E", "E->I", "I->E"]);
    assert_eq!(ck.projections[3].rule.as_ref().unwrap().kind, "inhibitory_stdp");
    assert!(ck.projections[2].efficacy.as_ref().unwrap().iter().any(|&e| e != 1.0));
    assert_eq!(ck.stimuli[0].state.kind, "poisson_input");
    assert_eq!(ck.populations[0].spike_count, a.net.stats()[0].n_spikes);
}

#[test]
fn a_network_of_another_structure_is_refused() {
    let mut a = build(&Setup::default());
    a.net.run_steps(100).unwrap();
    let ck = a.net.checkpoint().unwrap();
    let refuse = |setup: Setup| -> String {
        let mut b = build(&setup);
        let before = b.net.checkpoint().unwrap();
        let e = b.net.restore(&ck).unwrap_err();
        assert!(matches!(e, EngramError::Checkpoint(_)), "{e:?}");
        assert!(b.net.checkpoint().unwrap() == before, "a refused restore changed the network");
        e.to_string()
    };
    let e = refuse(Setup { n_e: N_E + 1, ..Setup::default() });
    assert!(e.contains("does not fit this network") && e.contains("population `E` (81 neurons) here, `E` (80)"), "{e}");
    let e = refuse(Setup { structure_seed: 9, ..Setup::default() });
    assert!(e.contains("projection `P->E` (P -> E): (60, 80) with 1434 synapses here, (60, 80) with 1427"), "{e}");
    let e = refuse(Setup { plastic: false, ..Setup::default() });
    assert!(
        e.contains("projection `E->I` (E -> I): no plasticity rule here, `tsodyks_markram` in the checkpoint"),
        "{e}"
    );
    // A component refusing its state after others were loaded: the network is put back.
    let mut broken = ck.clone();
    broken.projections[3].rule.as_mut().unwrap().f64s.remove("x_post.values");
    let mut b = build(&Setup::default());
    b.net.run_steps(10).unwrap();
    let before = b.net.checkpoint().unwrap();
    let e = b.net.restore(&broken).unwrap_err().to_string();
    assert!(e.contains("I->E: state of `inhibitory_stdp`: no array `x_post.values`"), "{e}");
    assert!(b.net.checkpoint().unwrap() == before, "a failed restore must roll back");
    assert_eq!(b.net.current_step(), 10);
    // Same structure, other input seeds: accepted (the seeds are part of the state).
    build(&Setup { input_seed: 5, ..Setup::default() }).net.restore(&ck).unwrap();
}

#[test]
fn other_delays_with_the_same_synapses_are_refused() {
    let build = |delays: Vec<u32>| {
        let mut b = NetworkBuilder::new(0.1, 1).unwrap();
        b.add_population("A", LifCond::new(2, LifCondParams::coba().check().unwrap())).unwrap();
        b.connect("A", "A", "exc", CsMatI::<f64, u32, usize>::eye(2), Delay::PerSynapse(delays)).unwrap();
        b.build().unwrap()
    };
    let ck = build(vec![1, 2]).checkpoint().unwrap();
    build(vec![1, 2]).restore(&ck).unwrap();
    let e = build(vec![2, 1]).restore(&ck).unwrap_err().to_string();
    assert!(e.contains("projection `A->A` (A -> A): same size, but other synapses or delays"), "{e}");
}

#[test]
fn a_component_without_checkpoints_is_named() {
    let mut b = NetworkBuilder::new(0.1, 1).unwrap();
    b.add_population("A", Probe::new(2, vec![])).unwrap();
    let net = b.build().unwrap();
    let e = net.checkpoint().unwrap_err().to_string();
    assert!(e.contains("neuron model `probe` does not support checkpoints"), "{e}");
}

#[test]
fn weight_monitor_records_the_weights_of_those_steps() {
    let dir = std::env::temp_dir().join(format!("engram_test_weight_monitor_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (mut all, mut sub) = (None, None);
    let mut built = build_with(&Setup::default(), |b| {
        all = Some(b.add_monitor(WeightMonitor::new("I->E", 7, None).streaming_to(&dir, OutputFormat::Npy)));
        sub = Some(b.add_monitor(WeightMonitor::new(ProjectionId(3), 5, Some(vec![9, 2, 40]))));
    });
    let (all, sub) = (all.unwrap(), sub.unwrap());
    let mut expected_all = Vec::new();
    let mut expected_sub = Vec::new();
    for step in 0..600u64 {
        built.net.run_steps(1).unwrap();
        let w = built.net.weights(built.i_to_e).data();
        if step % 7 == 0 {
            expected_all.push((step as f64 * 0.1, w.to_vec()));
        }
        if step % 5 == 0 {
            expected_sub.push(vec![w[9], w[2], w[40]]);
        }
    }
    built.net.finish_monitors().unwrap();
    let m = built.net.monitor::<WeightMonitor>(all).unwrap();
    let nnz = built.net.weights(built.i_to_e).nnz();
    assert_eq!(m.width(), nnz);
    assert_eq!(m.times_ms().len(), expected_all.len());
    for (k, (t, w)) in expected_all.iter().enumerate() {
        assert_eq!(m.times_ms()[k], *t);
        assert_eq!(m.sample(k), &w[..], "sample {k}");
    }
    assert_ne!(m.sample(0), m.sample(expected_all.len() - 1), "weights should change under iSTDP");
    let s = built.net.monitor::<WeightMonitor>(sub).unwrap();
    assert_eq!(s.width(), 3);
    let rows: Vec<Vec<f64>> = (0..s.times_ms().len()).map(|k| s.sample(k).to_vec()).collect();
    assert_eq!(rows, expected_sub);
    assert_eq!(s.trace(1), expected_sub.iter().map(|r| r[1]).collect::<Vec<_>>());

    // The file: shape (samples, 1 + synapses), time then weights.
    let path = dir.join("weights_I_to_E.npy");
    let bytes = std::fs::read(&path).unwrap();
    let header = String::from_utf8_lossy(&bytes[..128]).to_string();
    assert!(header.contains(&format!("'shape': ({}, {})", expected_all.len(), nnz + 1)), "{header}");
    let flat: Vec<f64> = read_npy_1d(&path).unwrap();
    for (k, (t, w)) in expected_all.iter().enumerate() {
        let row = &flat[k * (nnz + 1)..(k + 1) * (nnz + 1)];
        assert_eq!(row[0], *t);
        assert_eq!(&row[1..], &w[..]);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn weight_monitor_names_a_missing_projection_or_synapse() {
    let mut b = NetworkBuilder::new(0.1, 1).unwrap();
    b.add_population("A", Probe::new(2, vec![])).unwrap();
    b.connect("A", "A", "exc", CsMatI::<f64, u32, usize>::eye(2), Delay::Steps(1)).unwrap();
    b.add_monitor(WeightMonitor::new("A->B", 1, None));
    let e = b.build().err().unwrap().to_string();
    assert!(e.contains("unknown projection `A->B`; known: A->A"), "{e}");
    let mut b = NetworkBuilder::new(0.1, 1).unwrap();
    b.add_population("A", Probe::new(2, vec![])).unwrap();
    let id = b.connect("A", "A", "exc", CsMatI::<f64, u32, usize>::eye(2), Delay::Steps(1)).unwrap();
    b.name_projection(id, "recurrent").unwrap();
    b.add_monitor(WeightMonitor::new("recurrent", 1, Some(vec![2])));
    let e = b.build().err().unwrap().to_string();
    assert!(e.contains("synapse 2 does not exist in projection `recurrent` (2 synapses)"), "{e}");
}

#[test]
fn projections_get_unique_default_names() {
    let mut b = NetworkBuilder::new(0.1, 1).unwrap();
    b.add_population("A", LifCond::new(2, LifCondParams::coba().check().unwrap())).unwrap();
    let eye = || CsMatI::<f64, u32, usize>::eye(2);
    let p0 = b.connect("A", "A", "exc", eye(), Delay::Steps(1)).unwrap();
    b.connect("A", "A", "inh", eye(), Delay::Steps(1)).unwrap();
    b.connect("A", "A", "inh", eye(), Delay::Steps(2)).unwrap();
    assert!(b.name_projection(p0, "A->A:inh").is_err(), "taken");
    let net = b.build().unwrap();
    assert_eq!(net.projection_names(), ["A->A", "A->A:inh", "A->A:inh#2"]);
    assert_eq!(net.projection("A->A:inh").unwrap(), ProjectionId(1));
    assert!(net.projection("B->A").unwrap_err().to_string().contains("known: A->A, A->A:inh, A->A:inh#2"));
}

/// Reseed the Poisson group and the Poisson input of the test network.
fn reseed(net: &mut Network, seed: u64) {
    let group = net.source_mut("P").unwrap().as_any_mut().unwrap().downcast_mut::<PoissonGroup>().unwrap();
    group.reseed(seed);
    let input = net.stimulus_mut(0).unwrap().as_any_mut().unwrap().downcast_mut::<PoissonInput>().unwrap();
    input.reseed(seed);
}

#[test]
fn reset_activity_leaves_only_the_weights() {
    // Learn for T1, then start a new trial with reseeded inputs.
    let mut a = build(&Setup::default());
    a.net.run_steps(T1).unwrap();
    let learned = (a.net.weights(a.i_to_e).data().to_vec(), a.net.weights(a.e_to_i).data().to_vec());
    assert_ne!(learned.0, build(&Setup::default()).net.weights(a.i_to_e).data(), "iSTDP learned nothing");
    let busy = a.net.checkpoint().unwrap();
    a.net.reset_activity();
    let after = a.net.checkpoint().unwrap();
    a.net.reset_clock();
    reseed(&mut a.net, 11);
    let trial = run(&mut a, T2);

    // A fresh network with the learned weights and inputs seeded the same way.
    let mut fresh = build(&Setup { input_seed: 11, weights: Some(learned.clone()), ..Setup::default() });
    let at_rest = fresh.net.checkpoint().unwrap();
    let expected = run(&mut fresh, T2);
    assert!(expected.n_spikes(0) > 50);
    assert!(trial == expected, "after reset_activity the trial differs from a fresh network with the same weights");

    // State by state: busy before the reset, as in a fresh network after it.
    for k in 0..2 {
        let (b, r, f) = (&busy.populations[k], &after.populations[k], &at_rest.populations[k]);
        assert!(b.state != f.state && b.ring.iter().any(|&x| x != 0.0), "{} should be busy before the reset", b.name);
        assert_eq!(r.state, f.state, "neuron state of {}", r.name);
        assert_eq!(r.ring, f.ring, "delay buffer of {}", r.name);
        assert_eq!(r.current_pa, f.current_pa);
        assert!(r.last_spikes.is_empty());
        assert_eq!(r.window_count, 0);
    }
    for k in [2, 3] {
        let (b, r, f) = (&busy.projections[k], &after.projections[k], &at_rest.projections[k]);
        assert_eq!(r.efficacy, f.efficacy, "{}", r.name);
        let (br, rr, fr) = (b.rule.as_ref().unwrap(), r.rule.as_ref().unwrap(), f.rule.as_ref().unwrap());
        let mut busy_arrays = 0;
        for (name, values) in &fr.f64s {
            if name.ends_with("dt_factor") {
                continue; // dt-derived cache, not activity
            }
            busy_arrays += (&br.f64s[name] != values) as usize;
            assert_eq!(&rr.f64s[name], values, "{}: `{name}` after the reset", r.name);
        }
        assert!(busy_arrays > 0, "{}: the rule should be busy before the reset", r.name);
        for (name, values) in &fr.u64s {
            assert_eq!(&rr.u64s[name], values, "{}: `{name}` after the reset", r.name);
        }
    }
    assert_ne!(busy.projections[2].efficacy, at_rest.projections[2].efficacy);
}
