//! `Combined` (several rules on one projection) and `ModulatorExcess` (a rule that sees only the
//! modulator's excess over a baseline).

use engram_core::neuron::StepContext;
use engram_core::params::Params;
use engram_core::plasticity::PlasticityRule;
use engram_plasticity::{
    Combined, InhibitoryStdp, InhibitoryStdpParams, ModulatorExcess, PairStdp, PairStdpParams, RewardModulatedStdp,
    RewardModulatedStdpParams, SynapseTable, TsodyksMarkram, TsodyksMarkramParams,
};
use rand::{Rng, SeedableRng};

const N: usize = 6;
const DT_MS: f64 = 0.1;

/// Per step: the pre and post spikes of `N` neurons firing at about 40 Hz (a fixed seed).
fn trains(seed: u64, steps: u64) -> Vec<(Vec<u32>, Vec<u32>)> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let p = 40.0 * DT_MS / 1000.0;
    (0..steps)
        .map(|_| {
            let pre = (0..N as u32).filter(|_| rng.r#gen::<f64>() < p).collect();
            let post = (0..N as u32).filter(|_| rng.r#gen::<f64>() < p).collect();
            (pre, post)
        })
        .collect()
}

fn stdp() -> PairStdp {
    let p = PairStdpParams { a_plus: 0.02, a_minus: 0.021, w_max: 3.0, ..Default::default() };
    PairStdp::new(p.check().unwrap(), N, N)
}

fn istdp() -> InhibitoryStdp {
    let p = InhibitoryStdpParams { eta: 0.01, w_max: 3.0, ..Default::default() };
    InhibitoryStdp::new(p.check().unwrap(), N, N)
}

fn reward() -> RewardModulatedStdp {
    let p = RewardModulatedStdpParams { learning_rate_per_ms: 0.01, ..Default::default() };
    RewardModulatedStdp::new(p.check().unwrap(), N, N, N * N)
}

/// The modulator at step `s`: phases 0 and 1, and a reward pulse of 2 for a few ms now and then.
fn modulator(s: u64) -> f64 {
    if s % 5000 >= 4900 { 2.0 } else { (s / 2500 % 2) as f64 }
}

/// `Combined[a, b]` is exactly `a` then `b` on the same weights, step by step.
#[test]
fn combined_rules_equal_the_rules_applied_in_turn() {
    let spikes = trains(7, 20_000);
    let mut combined = Combined::new(vec![Box::new(stdp()), Box::new(istdp())]).unwrap();
    let (mut a, mut b) = (stdp(), istdp());
    let mut t1 = SynapseTable::all_to_all(N, N, 1.0);
    let mut t2 = SynapseTable::all_to_all(N, N, 1.0);
    for (s, (pre, post)) in spikes.iter().enumerate() {
        let ctx = StepContext { step: s as u64, dt_ms: DT_MS };
        combined.step(&ctx, pre, post, 1.0, t1.view());
        a.step(&ctx, pre, post, 1.0, t2.view());
        b.step(&ctx, pre, post, 1.0, t2.view());
    }
    assert_eq!(t1.weights, t2.weights);
    // and both rules acted: neither alone gives these weights
    let mut t3 = SynapseTable::all_to_all(N, N, 1.0);
    let mut only_a = stdp();
    for (s, (pre, post)) in spikes.iter().enumerate() {
        only_a.step(&StepContext { step: s as u64, dt_ms: DT_MS }, pre, post, 1.0, t3.view());
    }
    assert_ne!(t1.weights, t3.weights);
    assert_eq!(combined.name(), "combined(pair_stdp+inhibitory_stdp)");
}

/// A checkpoint of the combined rule taken half-way and loaded into a fresh one continues
/// bit-identically (every part's traces, the eligibility included).
#[test]
fn combined_state_round_trips_through_a_checkpoint() {
    let spikes = trains(11, 20_000);
    let make = || {
        Combined::new(vec![Box::new(stdp()), Box::new(ModulatorExcess::new(reward(), 1.0)), Box::new(istdp())]).unwrap()
    };
    let mut rule = make();
    let mut t = SynapseTable::all_to_all(N, N, 1.0);
    let run = |rule: &mut Combined, t: &mut SynapseTable, range: std::ops::Range<usize>| {
        for s in range {
            let (pre, post) = &spikes[s];
            rule.step(&StepContext { step: s as u64, dt_ms: DT_MS }, pre, post, modulator(s as u64), t.view());
        }
    };
    run(&mut rule, &mut t, 0..10_000);
    let saved = rule.save_state().unwrap();
    assert!(saved.f64s.keys().any(|k| k.starts_with("0.")) && saved.f64s.keys().any(|k| k.starts_with("2.")));
    let mut restored = make();
    restored.load_state(&saved).unwrap();
    let mut t2 = SynapseTable { weights: t.weights.clone(), ..SynapseTable::all_to_all(N, N, 1.0) };
    run(&mut rule, &mut t, 10_000..20_000);
    run(&mut restored, &mut t2, 10_000..20_000);
    assert_eq!(t.weights, t2.weights);
}

/// A state that does not fit leaves every part as it was (all or nothing), and a wrong kind
/// is refused with both names.
#[test]
fn combined_load_is_all_or_nothing() {
    let spikes = trains(3, 5000);
    let mut rule = Combined::new(vec![Box::new(stdp()), Box::new(istdp())]).unwrap();
    let mut t = SynapseTable::all_to_all(N, N, 1.0);
    for (s, (pre, post)) in spikes.iter().enumerate() {
        rule.step(&StepContext { step: s as u64, dt_ms: DT_MS }, pre, post, 1.0, t.view());
    }
    let good = rule.save_state().unwrap();
    let mut bad = good.clone();
    // part 0 is fine, part 1 loses a field: part 0 must keep its current state
    let dropped = bad.f64s.keys().find(|k| k.starts_with("1.")).unwrap().clone();
    bad.f64s.remove(&dropped);
    let mut other = Combined::new(vec![Box::new(stdp()), Box::new(istdp())]).unwrap();
    let fresh = other.save_state().unwrap();
    assert!(other.load_state(&bad).is_err());
    assert_eq!(other.save_state().unwrap(), fresh);
    let mut wrong = good.clone();
    wrong.kind = "pair_stdp".into();
    let msg = other.load_state(&wrong).unwrap_err().to_string();
    assert!(msg.contains("pair_stdp") && msg.contains("combined(pair_stdp+inhibitory_stdp)"), "{msg}");
}

#[test]
fn combined_refuses_no_rules_and_short_term_plasticity() {
    assert!(Combined::new(vec![]).err().unwrap().to_string().contains("at least one"));
    let tm = TsodyksMarkram::new(TsodyksMarkramParams::default().check().unwrap(), N);
    let msg = Combined::new(vec![Box::new(stdp()), Box::new(tm)]).err().unwrap().to_string();
    assert!(msg.contains("scales transmission"), "{msg}");
}

/// Under `ModulatorExcess` a three-factor rule tags eligibility through every phase at or below
/// the baseline without changing a weight, and during a pulse above it changes them exactly
/// as the bare rule given the excess does.
#[test]
fn modulator_excess_learns_only_from_the_excess() {
    let spikes = trains(5, 12_000);
    let mut gated = ModulatorExcess::new(reward(), 2.0);
    let mut bare = reward();
    let mut t1 = SynapseTable::all_to_all(N, N, 1.0);
    let mut t2 = SynapseTable::all_to_all(N, N, 1.0);
    for (s, (pre, post)) in spikes.iter().enumerate() {
        let ctx = StepContext { step: s as u64, dt_ms: DT_MS };
        let m = if s < 10_000 { (s % 3) as f64 } else { 2.5 }; // phases 0, 1, 2, then a pulse
        gated.step(&ctx, pre, post, m, t1.view());
        bare.step(&ctx, pre, post, (m - 2.0).max(0.0), t2.view());
        if s == 9_999 {
            assert!(t1.weights.iter().all(|&w| w == 1.0), "no weight changes at or below the baseline");
            assert!(gated.inner().eligibility(s as u64).iter().any(|&c| c != 0.0), "eligibility was tagged");
        }
    }
    assert_eq!(t1.weights, t2.weights);
    assert!(t1.weights.iter().any(|&w| w != 1.0), "the pulse changed weights");
}
