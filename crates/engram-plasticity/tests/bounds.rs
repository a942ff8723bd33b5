//! Property tests: weights stay within the rule's bounds (and finite) under any spike trains,
//! learning rates and modulator values; STP efficacies stay in (0, 1].

use engram_core::neuron::StepContext;
use engram_core::params::Params;
use engram_core::plasticity::PlasticityRule;
use engram_plasticity::*;
use proptest::prelude::*;

const N_PRE: usize = 4;
const N_POST: usize = 3;

#[derive(Debug, Clone)]
struct Case {
    synapses: Vec<(usize, usize, f64)>,          // weight as a fraction of the range
    steps: Vec<(u8, Vec<bool>, Vec<bool>, f64)>, // (gap, pre mask, post mask, modulator)
    eta: f64,
}

fn case() -> impl Strategy<Value = Case> {
    let syn = proptest::collection::vec((0..N_PRE, 0..N_POST, 0.0..=1.0f64), 1..10);
    let step = (
        1u8..30,
        proptest::collection::vec(any::<bool>(), N_PRE),
        proptest::collection::vec(any::<bool>(), N_POST),
        -5.0..5.0f64,
    );
    (syn, proptest::collection::vec(step, 1..60), 0.0..50.0f64).prop_map(|(synapses, steps, eta)| Case {
        synapses,
        steps,
        eta,
    })
}

fn check(mut rule: impl PlasticityRule, c: &Case, lo: f64, hi: f64) -> Result<(), TestCaseError> {
    let t: Vec<_> = c.synapses.iter().map(|&(i, j, f)| (i, j, lo + f * (hi - lo))).collect();
    let mut syn = SynapseTable::from_triplets(N_PRE, N_POST, &t);
    let mut step = 0u64;
    for (gap, pre, post, m) in &c.steps {
        step += *gap as u64;
        let pre: Vec<u32> = (0..N_PRE as u32).filter(|&i| pre[i as usize]).collect();
        let post: Vec<u32> = (0..N_POST as u32).filter(|&j| post[j as usize]).collect();
        rule.step(&StepContext { step, dt_ms: 0.5 }, &pre, &post, *m, syn.view());
        for &w in &syn.weights {
            prop_assert!(w.is_finite() && w >= lo && w <= hi, "{} gave w = {w} outside [{lo}, {hi}]", rule.name());
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_rule_keeps_weights_within_bounds(c in case()) {
        let (lo, hi) = (0.5, 3.0);
        let p = InhibitoryStdpParams { eta: c.eta, w_min: lo, w_max: hi, ..Default::default() };
        check(InhibitoryStdp::new(p.check().unwrap(), N_PRE, N_POST), &c, lo, hi)?;
        let p = InhibitoryStdpParams { eta: c.eta, w_min: lo, w_max: hi, ..InhibitoryStdpParams::gated(0.0) };
        check(InhibitoryStdp::new(p.check().unwrap(), N_PRE, N_POST), &c, lo, hi)?;
        for plus_one_on in [PlusOneOn::Pre, PlusOneOn::Post] {
            let p = GlobalFactorIstdpParams { eta: c.eta, w_min: lo, w_max: hi, tau_rate_ms: 5.0, plus_one_on, ..Default::default() };
            check(GlobalFactorIstdp::new(p.check().unwrap(), N_PRE, N_POST), &c, lo, hi)?;
        }
        for weight_dependence in [WeightDependence::Additive, WeightDependence::Multiplicative { mu: 1.0 }, WeightDependence::Multiplicative { mu: 0.3 }] {
            for interaction in [Interaction::AllToAll, Interaction::Nearest] {
                let p = PairStdpParams { a_plus: c.eta, a_minus: 1.05 * c.eta, w_min: lo, w_max: hi, weight_dependence, interaction, ..Default::default() };
                check(PairStdp::new(p.check().unwrap(), N_PRE, N_POST), &c, lo, hi)?;
            }
        }
        for base in [TripletStdpParams::visual_cortex_all_to_all_full(), TripletStdpParams::visual_cortex_nearest_full()] {
            let p = TripletStdpParams { a3_plus: c.eta, a2_minus: c.eta, w_min: lo, w_max: hi, ..base };
            check(TripletStdp::new(p.check().unwrap(), N_PRE, N_POST), &c, lo, hi)?;
        }
        let p = SynapticScalingParams { beta_per_s_hz: c.eta, gamma_per_s2_hz: c.eta, tau_sensor_ms: 10.0, update_every_ms: 1.0, w_min: lo, w_max: hi, ..Default::default() };
        check(SynapticScaling::new(p.check().unwrap(), N_PRE, N_POST), &c, lo, hi)?;
        let p = RewardModulatedStdpParams { a_plus: c.eta, a_minus: c.eta, w_min: lo, w_max: hi, ..Default::default() };
        check(RewardModulatedStdp::new(p.check().unwrap(), N_PRE, N_POST, c.synapses.len()), &c, lo, hi)?;
    }

    #[test]
    fn stp_efficacy_stays_in_unit_interval(
        u_se in 0.001..=1.0f64, tau_rec in 1.0..2000.0f64, tau_fac in 0.0..2000.0f64,
        gaps in proptest::collection::vec(1u64..5000, 1..80),
    ) {
        let p = TsodyksMarkramParams { u_se, tau_rec_ms: tau_rec, tau_fac_ms: tau_fac };
        let mut stp = TsodyksMarkram::new(p.check().unwrap(), 1);
        let (row_ptr, mut eff) = (vec![0, 2], vec![1.0, 1.0]);
        let mut step = 0;
        for g in gaps {
            step += g;
            stp.before_delivery(&StepContext { step, dt_ms: 0.1 }, &[0], &row_ptr, &mut eff);
            prop_assert!(eff[0] > 0.0 && eff[0] <= 1.0 && eff[0] == eff[1], "{eff:?}");
        }
    }
}
