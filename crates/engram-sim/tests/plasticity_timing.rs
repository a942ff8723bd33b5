//! Plasticity timing at the synapse (`NetworkBuilder::add_plasticity_with_timing`): the rule
//! sees presynaptic spikes after the axonal delay and postsynaptic spikes after the dendritic
//! delay, `Δt_syn = (t_post + d_dend) − (t_pre + d_axon)`; zero delays are bit-identical to
//! `add_plasticity`; spikes in flight are checkpointed and cleared by `reset_activity`; bad
//! delays are refused naming the field.

use crate::toy::Probe;
use engram_core::error::EngramError;
use engram_core::neuron::StepContext;
use engram_core::params::Params;
use engram_core::plasticity::{PlasticityRule, SynapsesMut};
use engram_neurons::{LifCond, LifCondParams};
use engram_plasticity::{PairStdp, PairStdpParams, TsodyksMarkram, TsodyksMarkramParams};
use engram_sim::prelude::*;
use engram_stimuli::{PoissonGroup, PoissonGroupParams, RateSpec};
use rand::Rng;
use sprs::{CsMatI, TriMatI};
use std::sync::{Arc, Mutex};

const DT: f64 = 0.1;

/// Records the steps in which it sees pre and post spikes.
struct Recorder {
    seen: Arc<Mutex<Vec<(char, u64, u32)>>>,
}

impl PlasticityRule for Recorder {
    fn name(&self) -> &str {
        "recorder"
    }
    fn step(&mut self, ctx: &StepContext, pre: &[u32], post: &[u32], _m: f64, _syn: SynapsesMut<'_>) {
        let mut seen = self.seen.lock().unwrap();
        seen.extend(pre.iter().map(|&i| ('p', ctx.step, i)));
        seen.extend(post.iter().map(|&j| ('q', ctx.step, j)));
    }
}

fn stdp_params() -> PairStdpParams {
    // wide bounds: no clipping, so the total change is the sum of the pair window
    PairStdpParams { w_min: -100.0, w_max: 100.0, ..PairStdpParams::default() }
}

/// One pre and one post probe neuron firing at the given steps, connected one-to-one (weight 1,
/// transmission delay 1 step) with `rule` attached with `timing` (or with `add_plasticity`).
fn pair_network(
    pre_steps: &[u64],
    post_steps: &[u64],
    rule: impl PlasticityRule + 'static,
    timing: Option<PlasticityTiming>,
) -> (Network, ProjectionId) {
    let mut b = NetworkBuilder::new(DT, 1).unwrap();
    b.add_population("pre", Probe::new(1, pre_steps.iter().map(|&s| (0, s)).collect())).unwrap();
    b.add_population("post", Probe::new(1, post_steps.iter().map(|&s| (0, s)).collect())).unwrap();
    let proj = b.connect("pre", "post", "exc", CsMatI::<f64, u32, usize>::eye(1), Delay::Steps(1)).unwrap();
    match timing {
        Some(t) => b.add_plasticity_with_timing(proj, rule, t).unwrap(),
        None => b.add_plasticity(proj, rule),
    }
    (b.build().unwrap(), proj)
}

/// The all-to-all additive pair-STDP change for these spike steps seen at the synapse.
fn closed_form(pre_steps: &[u64], post_steps: &[u64], timing: PlasticityTiming) -> f64 {
    let p = stdp_params();
    let mut dw = 0.0;
    for &tp in pre_steps {
        for &tq in post_steps {
            dw += p.window(timing.delta_t_syn_ms(tp as f64 * DT, tq as f64 * DT));
        }
    }
    dw
}

#[test]
fn the_rule_sees_spikes_after_the_axonal_and_dendritic_delays() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let timing = PlasticityTiming { axonal_delay_ms: 2.0, dendritic_delay_ms: 0.7 };
    let (mut net, _) = pair_network(&[3, 10, 11], &[0, 5, 30], Recorder { seen: seen.clone() }, Some(timing));
    net.run_steps(60).unwrap();
    let seen = seen.lock().unwrap().clone();
    // pre: +20 steps, post: +7 steps
    assert_eq!(seen, [('q', 7, 0), ('q', 12, 0), ('p', 23, 0), ('p', 30, 0), ('p', 31, 0), ('q', 37, 0)]);
}

#[test]
fn axonal_delay_makes_post_after_pre_by_that_delay_simultaneous() {
    // Pairs 200 ms apart; in each, post follows pre by d = 2 ms (20 steps).
    let d_steps = 20u64;
    let pre: Vec<u64> = (0..6).map(|k| 500 + 2000 * k).collect();
    let post: Vec<u64> = pre.iter().map(|t| t + d_steps).collect();
    let p = stdp_params();
    let run = |timing: Option<PlasticityTiming>| {
        let rule = PairStdp::new(stdp_params().check().unwrap(), 1, 1);
        let (mut net, proj) = pair_network(&pre, &post, rule, timing);
        net.run_steps(12_000).unwrap();
        net.weights(proj).data()[0] - 1.0
    };
    // Somatic timing: Δt = +2 ms for the matched pairs.
    let somatic = run(None);
    let zero = PlasticityTiming::default();
    assert!((somatic - closed_form(&pre, &post, zero)).abs() < 1e-12, "{somatic}");
    assert!((somatic - 6.0 * p.window(2.0)).abs() < 1e-3 * somatic, "the matched pairs dominate");

    // Axonal delay d: the matched pairs are simultaneous at the synapse, each gives A₊.
    let axonal = PlasticityTiming { axonal_delay_ms: 2.0, dendritic_delay_ms: 0.0 };
    let dw = run(Some(axonal));
    let expected = closed_form(&pre, &post, axonal);
    assert!((dw - expected).abs() < 1e-12, "{dw} vs closed form {expected}");
    assert!((dw - 6.0 * p.a_plus).abs() < 1e-3 * dw, "{dw} vs 6 A+ = {}", 6.0 * p.a_plus);
    assert!(dw > somatic);

    // A dendritic delay adds to Δt, an axonal one subtracts from it.
    for (axonal_delay_ms, dendritic_delay_ms) in [(0.0, 3.0), (1.5, 0.5), (3.0, 0.0), (4.0, 1.0)] {
        let timing = PlasticityTiming { axonal_delay_ms, dendritic_delay_ms };
        let dw = run(Some(timing));
        let expected = closed_form(&pre, &post, timing);
        assert!((dw - expected).abs() < 1e-12, "{timing:?}: {dw} vs closed form {expected}");
    }
    // Δt_syn = 2 + 0 − 3 = −1 ms: somatic potentiation becomes depression at the synapse.
    assert!(run(Some(PlasticityTiming { axonal_delay_ms: 3.0, dendritic_delay_ms: 0.0 })) < 0.0);
}

#[test]
fn a_dendritic_delay_turns_pre_after_post_into_a_simultaneous_pair() {
    // post 3 ms before pre; with a 3 ms dendritic delay the back-propagated spike meets the
    // presynaptic one at the synapse (Δt_syn = 0: potentiation A₊ in the library's order).
    let post: Vec<u64> = (0..4).map(|k| 500 + 2000 * k).collect();
    let pre: Vec<u64> = post.iter().map(|t| t + 30).collect();
    let timing = PlasticityTiming { axonal_delay_ms: 0.0, dendritic_delay_ms: 3.0 };
    let rule = PairStdp::new(stdp_params().check().unwrap(), 1, 1);
    let (mut net, proj) = pair_network(&pre, &post, rule, Some(timing));
    net.run_steps(8000).unwrap();
    let dw = net.weights(proj).data()[0] - 1.0;
    let expected = closed_form(&pre, &post, timing);
    assert!((dw - expected).abs() < 1e-12, "{dw} vs {expected}");
    assert!((dw - 4.0 * stdp_params().a_plus).abs() < 1e-3 * dw);
    assert!(closed_form(&pre, &post, PlasticityTiming::default()) < 0.0, "somatic timing depresses");
}

const N_E: usize = 40;
const N_P: usize = 50;

fn random(rng: &mut impl Rng, shape: (usize, usize), p: f64, w: f64) -> CsMatI<f64, u32, usize> {
    let mut tri = TriMatI::<f64, u32>::new(shape);
    for i in 0..shape.0 {
        for j in 0..shape.1 {
            if rng.r#gen::<f64>() < p {
                tri.add_triplet(i, j, w * (0.5 + rng.r#gen::<f64>()));
            }
        }
    }
    tri.to_csr()
}

/// How the rules are attached in [`network`].
#[derive(Clone, Copy, Debug)]
enum Attach {
    Plain,
    Timed(PlasticityTiming),
}

/// Poisson inputs P onto conductance LIF neurons E with recurrent E->E; pair STDP on P->E and
/// E->E, attached as told.
fn network(attach: Attach, input_seed: u64) -> (Network, [ProjectionId; 2]) {
    let mut rng = engram_core::rng::stream(3, 0, 0);
    let mut b = NetworkBuilder::new(DT, 7).unwrap();
    b.add_population("E", LifCond::new(N_E, LifCondParams::coba().check().unwrap())).unwrap();
    let rates =
        PoissonGroupParams { n_sources: N_P, rates: RateSpec::Constant { rate_hz: 40.0 }, ..Default::default() };
    b.add_source("P", PoissonGroup::new(rates.check().unwrap(), input_seed, 1, b.clock())).unwrap();
    let pe = b.connect("P", "E", "exc", random(&mut rng, (N_P, N_E), 0.3, 4.0), Delay::Ms(1.0)).unwrap();
    let ee = b.connect("E", "E", "exc", random(&mut rng, (N_E, N_E), 0.1, 1.0), Delay::Ms(1.5)).unwrap();
    let params = PairStdpParams { w_max: 10.0, a_plus: 0.05, a_minus: 0.0525, ..PairStdpParams::default() };
    for (proj, n_pre) in [(pe, N_P), (ee, N_E)] {
        let rule = PairStdp::new(params.clone().check().unwrap(), n_pre, N_E);
        match attach {
            Attach::Plain => b.add_plasticity(proj, rule),
            Attach::Timed(t) => b.add_plasticity_with_timing(proj, rule, t).unwrap(),
        }
    }
    // driven hard on purpose (E fires above 0.5 / t_ref): a fixed ceiling instead of the
    // refractory one
    b.divergence_guard(DivergenceGuard { max_rate_hz: Some(500.0), ..Default::default() });
    (b.build().unwrap(), [pe, ee])
}

#[derive(Debug, PartialEq)]
struct Record {
    spikes: Vec<Vec<u32>>,
    weights: Vec<Vec<u64>>,
}

fn bits(x: &[f64]) -> Vec<u64> {
    x.iter().map(|v| v.to_bits()).collect()
}

fn run(net: &mut Network, projections: [ProjectionId; 2], steps: u64) -> Record {
    let mut spikes = Vec::new();
    for _ in 0..steps {
        net.run_steps(1).unwrap();
        spikes.push(net.last_spikes("E").unwrap().to_vec());
    }
    Record { spikes, weights: projections.iter().map(|&p| bits(net.weights(p).data())).collect() }
}

const TIMED: PlasticityTiming = PlasticityTiming { axonal_delay_ms: 1.5, dendritic_delay_ms: 0.7 };

#[test]
fn zero_delays_are_bit_identical_to_add_plasticity() {
    let (mut plain, ids) = network(Attach::Plain, 2);
    let reference = run(&mut plain, ids, 3000);
    assert!(reference.spikes.iter().map(Vec::len).sum::<usize>() > 200, "E should be active");
    let (fresh, _) = network(Attach::Plain, 2);
    assert_ne!(reference.weights[1], bits(fresh.weights(ids[1]).data()), "STDP changed no E->E weight");

    let (mut zero, ids) = network(Attach::Timed(PlasticityTiming::default()), 2);
    assert!(run(&mut zero, ids, 3000) == reference, "zero delays differ from add_plasticity");
    // ... and a zero-delay checkpoint is the plain one
    assert_eq!(zero.checkpoint().unwrap(), plain.checkpoint().unwrap());

    // The comparison can tell: with delays the weights end elsewhere.
    let (mut timed, ids) = network(Attach::Timed(TIMED), 2);
    assert_ne!(run(&mut timed, ids, 3000).weights, reference.weights);
}

#[test]
fn spikes_in_flight_to_the_rule_are_checkpointed() {
    const T1: u64 = 1500;
    const T2: u64 = 1500;
    let (mut a, ids) = network(Attach::Timed(TIMED), 2);
    run(&mut a, ids, T1);
    let ck = a.checkpoint().unwrap();
    let delays = ck.projections[1].plasticity_delays.as_ref().expect("E->E has delay lines");
    assert_eq!((delays.pre_counts.len(), delays.post_counts.len()), (15, 7));
    assert!(!delays.pre_spikes.is_empty() && !delays.post_spikes.is_empty(), "spikes in flight: {delays:?}");
    let original = run(&mut a, ids, T2);

    // Into a fresh network, into the same one after it ran on, and through files.
    let (mut b, _) = network(Attach::Timed(TIMED), 2);
    b.restore(&ck).unwrap();
    assert!(run(&mut b, ids, T2) == original, "fresh network: the restored run differs");
    a.restore(&ck).unwrap();
    assert!(run(&mut a, ids, T2) == original, "same network: the restored run differs");
    let dir = std::env::temp_dir().join(format!("engram_test_plasticity_timing_{}", std::process::id()));
    ck.save(&dir).unwrap();
    let loaded = Checkpoint::load(&dir).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(loaded, ck);
    let (mut c, _) = network(Attach::Timed(TIMED), 2);
    c.restore(&loaded).unwrap();
    assert!(run(&mut c, ids, T2) == original, "loaded from files: the restored run differs");

    // Dropping the spikes in flight changes the continuation (the test can tell).
    let mut dropped = ck.clone();
    for p in &mut dropped.projections {
        let d = p.plasticity_delays.as_mut().unwrap();
        d.pre_spikes.clear();
        d.pre_counts.fill(0);
        d.post_spikes.clear();
        d.post_counts.fill(0);
    }
    let (mut d, _) = network(Attach::Timed(TIMED), 2);
    d.restore(&dropped).unwrap();
    assert_ne!(run(&mut d, ids, T2).weights, original.weights);

    // Other plasticity delays: refused, naming them.
    let (mut other, _) = network(Attach::Timed(PlasticityTiming { dendritic_delay_ms: 0.5, ..TIMED }), 2);
    let e = other.restore(&ck).unwrap_err().to_string();
    assert!(
        e.contains("projection `P->E` (P -> E): plasticity delays of axonal 15, dendritic 5 steps here, axonal 15, dendritic 7 steps in the checkpoint"),
        "{e}"
    );
    let (mut plain, _) = network(Attach::Plain, 2);
    let e = plain.restore(&ck).unwrap_err().to_string();
    assert!(e.contains("plasticity delays of axonal 0, dendritic 0 steps here"), "{e}");
}

#[test]
fn reset_activity_drops_the_spikes_in_flight() {
    let (mut a, ids) = network(Attach::Timed(TIMED), 2);
    run(&mut a, ids, 1500);
    let busy = a.checkpoint().unwrap();
    assert!(busy.projections.iter().all(|p| !p.plasticity_delays.as_ref().unwrap().pre_spikes.is_empty()));
    a.reset_activity();
    let after = a.checkpoint().unwrap();
    let (fresh, _) = network(Attach::Timed(TIMED), 2);
    let at_rest = fresh.checkpoint().unwrap();
    for (r, f) in after.projections.iter().zip(&at_rest.projections) {
        assert_eq!(r.plasticity_delays, f.plasticity_delays, "{}", r.name);
        let d = r.plasticity_delays.as_ref().unwrap();
        assert!(d.pre_spikes.is_empty() && d.post_spikes.is_empty());
        assert!(d.pre_counts.iter().chain(&d.post_counts).all(|&c| c == 0));
    }
}

#[test]
fn bad_plasticity_delays_are_refused_naming_the_field() {
    let attach = |timing: PlasticityTiming| -> Result<(), EngramError> {
        let mut b = NetworkBuilder::new(DT, 1).unwrap();
        b.add_population("A", Probe::new(2, vec![])).unwrap();
        let p = b.connect("A", "A", "exc", CsMatI::<f64, u32, usize>::eye(2), Delay::Steps(1)).unwrap();
        b.add_plasticity_with_timing(p, PairStdp::new(stdp_params().check().unwrap(), 2, 2), timing)
    };
    let axonal = |ms| PlasticityTiming { axonal_delay_ms: ms, dendritic_delay_ms: 0.0 };
    let dendritic = |ms| PlasticityTiming { axonal_delay_ms: 0.0, dendritic_delay_ms: ms };
    let allowed = "is not allowed: expected a finite delay >= 0 ms that is a whole number of steps (dt = 0.1 ms)";
    for (timing, text) in [
        (axonal(-0.1), "projections.A->A.plasticity_timing.axonal_delay_ms = -0.1"),
        (axonal(f64::NAN), "projections.A->A.plasticity_timing.axonal_delay_ms = NaN"),
        (dendritic(f64::INFINITY), "projections.A->A.plasticity_timing.dendritic_delay_ms = inf"),
        (dendritic(0.25), "projections.A->A.plasticity_timing.dendritic_delay_ms = 0.25"),
    ] {
        let e = attach(timing).unwrap_err().to_string();
        assert_eq!(e, format!("{text} {allowed}"));
    }
    // Whole steps within rounding (0.3 / 0.1 = 2.9999999999999996) are fine.
    attach(PlasticityTiming { axonal_delay_ms: 0.3, dendritic_delay_ms: 0.7 }).unwrap();

    // Short-term plasticity acts at transmission: no plasticity delays.
    let mut b = NetworkBuilder::new(DT, 1).unwrap();
    b.add_population("A", Probe::new(2, vec![])).unwrap();
    let p = b.connect("A", "A", "exc", CsMatI::<f64, u32, usize>::eye(2), Delay::Steps(1)).unwrap();
    let tm = || TsodyksMarkram::new(TsodyksMarkramParams::default().check().unwrap(), 2);
    let e = b.add_plasticity_with_timing(p, tm(), axonal(1.0)).unwrap_err().to_string();
    assert!(e.contains("rule `tsodyks_markram` scales transmission"), "{e}");
    b.add_plasticity_with_timing(p, tm(), PlasticityTiming::default()).unwrap();
}
