//! `save_state` / `load_state` of every rule: a rule restored into a freshly built one, on the
//! same weights, continues bit-identically (weights and, for short-term plasticity,
//! efficacies); a fresh rule without the saved traces does not; bad states are refused.

use engram_core::neuron::StepContext;
use engram_core::params::Params;
use engram_core::plasticity::PlasticityRule;
use engram_plasticity::{
    GlobalFactorIstdp, GlobalFactorIstdpParams, InhibitoryStdp, InhibitoryStdpParams, PairStdp, PairStdpParams,
    RewardModulatedStdp, RewardModulatedStdpParams, SynapseTable, SynapticScaling, SynapticScalingParams, TripletStdp,
    TripletStdpParams, TsodyksMarkram, TsodyksMarkramParams,
};
use engram_testkit::RuleDrive;
use rand::Rng;

const DT: f64 = 0.1;
const N_PRE: usize = 12;
const N_POST: usize = 8;

/// Random pre and post spikes (about 100 Hz each) and a reward pulse every 50 ms.
fn raster() -> Vec<(Vec<u32>, Vec<u32>, f64)> {
    let mut rng = engram_core::rng::stream(4, 4, 4);
    (0..6000u64)
        .map(|step| {
            let pre = (0..N_PRE as u32).filter(|_| rng.r#gen::<f64>() < 0.01).collect();
            let post = (0..N_POST as u32).filter(|_| rng.r#gen::<f64>() < 0.01).collect();
            (pre, post, if step % 500 < 30 { 1.0 } else { 0.0 })
        })
        .collect()
}

/// Run steps `from..to` as the engine does; the weights and efficacies as bits afterwards.
fn drive(
    rule: &mut dyn PlasticityRule,
    d: &mut RuleDrive,
    raster: &[(Vec<u32>, Vec<u32>, f64)],
    from: usize,
    to: usize,
) -> Vec<u64> {
    for (step, (pre, post, m)) in raster.iter().enumerate().take(to).skip(from) {
        d.step(rule, step as u64, pre, post, *m);
    }
    d.bits()
}

fn check(name: &str, make: &dyn Fn() -> Box<dyn PlasticityRule>) {
    let raster = raster();
    let mut d = RuleDrive::new(SynapseTable::all_to_all(N_PRE, N_POST, 0.5), DT);
    let mut a = make();
    drive(a.as_mut(), &mut d, &raster, 0, 3000);
    let saved = a.save_state().unwrap();
    assert_eq!(saved.kind, name);
    let at = d.clone();
    let end_a = drive(a.as_mut(), &mut d, &raster, 3000, 6000);

    let mut d_b = at.clone();
    let mut b = make();
    b.load_state(&saved).unwrap();
    assert!(drive(b.as_mut(), &mut d_b, &raster, 3000, 6000) == end_a, "{name}: restored run differs");

    let mut d_c = at;
    let mut fresh = make();
    let end_c = drive(fresh.as_mut(), &mut d_c, &raster, 3000, 6000);
    assert!(end_c != end_a, "{name}: the saved state should matter in this test");
    let (w, eff) = (d.syn.weights.clone(), &d.efficacy);
    assert!(w.iter().any(|&x| x != w[0]) || eff.iter().any(|&e| e != 1.0), "{name}: weights saturated or unchanged");
}

#[test]
fn every_rule_continues_bit_identically() {
    let pair = PairStdpParams::default().check().unwrap();
    check("pair_stdp", &|| Box::new(PairStdp::new(pair.clone(), N_PRE, N_POST)));
    let trip = TripletStdpParams::default().check().unwrap();
    check("triplet_stdp", &|| Box::new(TripletStdp::new(trip.clone(), N_PRE, N_POST)));
    let istdp = InhibitoryStdpParams::default().check().unwrap();
    check("inhibitory_stdp", &|| Box::new(InhibitoryStdp::new(istdp.clone(), N_PRE, N_POST)));
    let global = GlobalFactorIstdpParams { tau_rate_ms: 50.0, target_rate_hz: 90.0, eta: 1e-3, ..Default::default() }
        .check()
        .unwrap();
    check("global_factor_istdp", &|| Box::new(GlobalFactorIstdp::new(global.clone(), N_PRE, N_POST)));
    let reward = RewardModulatedStdpParams { learning_rate_per_ms: 1e-3, ..Default::default() }.check().unwrap();
    check("reward_modulated_stdp", &|| {
        Box::new(RewardModulatedStdp::new(reward.clone(), N_PRE, N_POST, N_PRE * N_POST))
    });
    let tm = TsodyksMarkramParams::default().check().unwrap();
    check("tsodyks_markram", &|| Box::new(TsodyksMarkram::new(tm.clone(), N_PRE)));
    let scaling =
        SynapticScalingParams { tau_sensor_ms: 200.0, update_every_ms: 10.0, ..Default::default() }.check().unwrap();
    check("synaptic_scaling", &|| Box::new(SynapticScaling::new(scaling.clone(), N_PRE, N_POST)));
}

#[test]
fn mismatched_states_are_refused_and_leave_the_rule_unchanged() {
    let p = PairStdpParams::default().check().unwrap();
    let mut a = PairStdp::new(p.clone(), N_PRE, N_POST);
    let mut syn = SynapseTable::all_to_all(N_PRE, N_POST, 0.5);
    a.step(&StepContext { step: 0, dt_ms: DT }, &[0, 1], &[0], 0.0, syn.view());
    let saved = a.save_state().unwrap();
    // Same kind, other size: the pre trace loads, the post trace fails; nothing may change.
    let mut other = PairStdp::new(p, N_PRE, N_POST + 1);
    let before = other.clone();
    let e = other.load_state(&saved).unwrap_err().to_string();
    assert!(e.contains(&format!("`y_post.values` has {N_POST} values, expected {}", N_POST + 1)), "{e}");
    assert_eq!(other, before);
    let mut tm = TsodyksMarkram::new(TsodyksMarkramParams::default().check().unwrap(), N_PRE);
    let e = tm.load_state(&saved).unwrap_err().to_string();
    assert!(e.contains("a saved `pair_stdp` state cannot be loaded into `tsodyks_markram`"), "{e}");
}
