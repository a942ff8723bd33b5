//! Pair STDP: the window shape, nearest-spike vs all-to-all, weight dependence.

use engram_core::params::Params;
use engram_plasticity::{Interaction, PairStdp, PairStdpParams, SynapseTable, WeightDependence};
use engram_testkit::plasticity::{PrePost, drive};

const DT: f64 = 0.1;

/// Weight after spikes at the given steps (pre and post lists), starting from `w0`.
fn run(p: &PairStdpParams, pre: &[u64], post: &[u64], w0: f64) -> f64 {
    let mut rule = PairStdp::new(p.clone().check().unwrap(), 1, 1);
    let mut syn = SynapseTable::one_to_one(1, w0);
    drive(&mut rule, &mut syn, &PrePost::new(&[pre.to_vec()], &[post.to_vec()]), DT);
    syn.weights[0]
}

#[test]
fn window_matches_a_exp_minus_abs_dt_over_tau() {
    for p in [
        PairStdpParams { w_max: 10.0, ..Default::default() },
        PairStdpParams { w_max: 10.0, ..PairStdpParams::bi_poo() },
    ] {
        for interaction in [Interaction::AllToAll, Interaction::Nearest] {
            let p = PairStdpParams { interaction, ..p.clone() };
            for dt_steps in (-1000i64..=1000).step_by(25) {
                let (t_pre, t_post) = (2000u64, (2000 + dt_steps) as u64);
                let dw = run(&p, &[t_pre], &[t_post], 5.0) - 5.0;
                let dt_ms = dt_steps as f64 * DT;
                let expected = if dt_ms >= 0.0 {
                    p.a_plus * (-dt_ms / p.tau_plus_ms).exp()
                } else {
                    -p.a_minus * (-dt_ms.abs() / p.tau_minus_ms).exp()
                };
                assert!((dw - expected).abs() < 1e-12, "Δt = {dt_ms} ms: {dw} vs {expected}");
            }
        }
    }
}

#[test]
fn nearest_spike_pairs_only_the_latest_pre_spike() {
    let base = PairStdpParams { w_max: 10.0, ..Default::default() };
    let (a, b) = ((-15.0f64 / 20.0).exp(), (-5.0f64 / 20.0).exp());
    // pre at 0 and 10 ms, post at 15 ms
    let all = run(&base, &[0, 100], &[150], 5.0) - 5.0;
    let near = run(&PairStdpParams { interaction: Interaction::Nearest, ..base.clone() }, &[0, 100], &[150], 5.0) - 5.0;
    assert!((all - base.a_plus * (a + b)).abs() < 1e-12);
    assert!((near - base.a_plus * b).abs() < 1e-12);
}

#[test]
fn multiplicative_updates_scale_with_distance_to_the_bounds() {
    let p = PairStdpParams {
        weight_dependence: WeightDependence::Multiplicative { mu: 1.0 },
        w_min: 0.0,
        w_max: 2.0,
        ..Default::default()
    };
    for w0 in [0.2, 1.0, 1.8] {
        let ltp = run(&p, &[0], &[100], w0) - w0;
        let ltd = run(&p, &[100], &[0], w0) - w0;
        let (e, s) = ((-10.0f64 / 20.0).exp(), w0 / 2.0);
        assert!((ltp - p.a_plus * (1.0 - s) * e).abs() < 1e-12, "{w0}: {ltp}");
        assert!((ltd + p.a_minus * s * e).abs() < 1e-12, "{w0}: {ltd}");
    }
    // μ = 0.5 (Gütig et al. 2003)
    let p = PairStdpParams { weight_dependence: WeightDependence::Multiplicative { mu: 0.5 }, w_max: 1.0, ..p };
    let ltp = run(&p, &[0], &[100], 0.36) - 0.36;
    assert!((ltp - p.a_plus * 0.64f64.sqrt() * (-0.5f64).exp()).abs() < 1e-12);
}

#[test]
fn additive_weights_stop_at_hard_bounds() {
    let p = PairStdpParams { a_plus: 0.3, a_minus: 0.3, ..Default::default() };
    let pre: Vec<u64> = (0..50).map(|k| 1000 * k).collect();
    let post: Vec<u64> = pre.iter().map(|t| t + 10).collect();
    assert_eq!(run(&p, &pre, &post, 0.5), 1.0);
    let post: Vec<u64> = pre.iter().map(|t| t + 10).collect();
    assert_eq!(run(&p, &post, &pre, 0.5), 0.0);
}

#[test]
fn a_zero_trace_leaves_an_in_bound_weight_exactly_and_clips_one_outside_the_bounds() {
    // The first presynaptic spike meets a zero postsynaptic trace: no depression. The walks
    // do not test for a zero trace, they only clip, so an in-bound weight keeps every bit and
    // a weight set outside [w_min, w_max] is brought back the first time it is touched.
    let p = PairStdpParams { w_max: 2.0, ..Default::default() };
    for w0 in [0.0, 1e-300, 0.3, 1.0 / 3.0, 2.0] {
        assert_eq!(run(&p, &[10], &[], w0).to_bits(), w0.to_bits(), "w0 = {w0}");
    }
    assert_eq!(run(&p, &[10], &[], 5.0), 2.0);
    assert_eq!(run(&p, &[10], &[], -1.0), 0.0);
    // the same for potentiation: a postsynaptic spike before any presynaptic one
    assert_eq!(run(&p, &[], &[10], 1.0 / 3.0).to_bits(), (1.0f64 / 3.0).to_bits());
    assert_eq!(run(&p, &[], &[10], 7.0), 2.0);
}
