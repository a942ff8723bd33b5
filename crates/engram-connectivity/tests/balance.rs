//! Out-degree balancing: every triggered neuron ends in the target band, nobody leaves the
//! trigger band, and in-degrees, the total and the constraints are kept.

use engram_connectivity::{BalanceReport, ConnectSpec, Connectivity, OutDegreeBalancing, Rule};
use proptest::prelude::*;

/// Check the promises of `balance_out_degrees` for `before` → `after`.
fn check_balanced(before: &Connectivity, after: &Connectivity, r: &BalanceReport, trigger: f64, target: f64) {
    assert_eq!(r.unresolved, 0, "{r:?}");
    assert_eq!(after.in_degrees(), before.in_degrees(), "in-degrees changed");
    assert_eq!(after.n_connections(), before.n_connections());
    let m = r.mean_out_degree;
    let (lo, hi) = (r.target_band.0 as f64, r.target_band.1 as f64);
    assert!(lo <= m && m <= hi);
    // the band is the whole numbers within target · m of m, widened only to floor(m) / ceil(m)
    let eps = 1e-9;
    assert!(lo >= (m * (1.0 - target) - eps).ceil().min(m.floor()), "lo {lo} for m {m}, target {target}");
    assert!(hi <= (m * (1.0 + target) + eps).floor().max(m.ceil()), "hi {hi} for m {m}, target {target}");
    for (i, (&d0, &d1)) in before.out_degrees().iter().zip(&after.out_degrees()).enumerate() {
        let (d0, d1) = (d0 as f64, d1 as f64);
        if (d0 - m).abs() >= trigger * m - 1e-9 {
            assert!(lo <= d1 && d1 <= hi, "triggered neuron {i}: {d0} -> {d1}, band [{lo}, {hi}]");
        } else {
            // untriggered: moves only towards the band, so stays in the trigger band
            assert!((d1 - m).abs() < trigger * m || (lo <= d1 && d1 <= hi), "neuron {i}: {d0} -> {d1}");
            assert!((d1 - m).abs() <= (d0 - m).abs() || (lo <= d1 && d1 <= hi), "neuron {i}: {d0} -> {d1}");
        }
    }
    let c = after.constraints();
    if !c.allow_autapses {
        assert_eq!(after.n_diagonal_entries(), 0);
    }
    if !c.allow_multapses {
        assert!(after.max_multiplicity() <= before.max_multiplicity().max(1));
    }
}

proptest! {
    #![proptest_config(crate::config(40))]

    #[test]
    fn balancing_bernoulli_patterns(
        n in 50usize..600, p in 0.01f64..0.3, trigger in 0.0f64..0.15, target in 0.0f64..0.1,
        autapses: bool, seed: u64,
    ) {
        let before = ConnectSpec::new(Rule::FixedProbability { p }).autapses(autapses).connect_recurrent(n, seed, 1).unwrap();
        let mut after = before.clone();
        let r = after.balance_out_degrees(trigger, target, seed, 1).unwrap();
        check_balanced(&before, &after, &r, trigger, target);
        if trigger <= target {
            let (lo, hi) = r.target_band;
            prop_assert!(after.out_degrees().iter().all(|&d| lo <= d && d <= hi));
        }
    }

    #[test]
    fn balancing_fixed_in_degree_with_multapses(
        n_pre in 20usize..300, n_post in 20usize..300, k in 1u32..40, trigger in 0.0f64..0.1, seed: u64,
    ) {
        let before = ConnectSpec::new(Rule::FixedInDegree { k }).multapses(true).connect(n_pre, n_post, seed, 2).unwrap();
        let mut after = before.clone();
        let r = after.balance_out_degrees(trigger, 0.03, seed, 2).unwrap();
        check_balanced(&before, &after, &r, trigger, 0.03);
        prop_assert!(after.in_degrees().iter().all(|&d| d == k));
    }
}

/// Dp E→E-like: fixed in-degree without autapses or multapses, then ±3 % balancing.
#[test]
fn dp_like_recurrent_pattern_keeps_fixed_in_degree() {
    let spec = ConnectSpec::new(Rule::FixedInDegree { k: 50 })
        .autapses(false)
        .balance(OutDegreeBalancing { trigger_fraction: 0.03, target_fraction: 0.03 });
    let c = spec.connect_recurrent(1000, 8, 8).unwrap();
    assert!(c.in_degrees().iter().all(|&d| d == 50));
    assert!(c.out_degrees().iter().all(|&d| (49..=51).contains(&d)), "{:?}", c.out_degrees());
    assert_eq!(c.n_diagonal_entries(), 0);
    assert_eq!(c.max_multiplicity(), 1);
    // without balancing, out-degrees spread like a binomial (SD ≈ 7)
    let raw = ConnectSpec::new(Rule::FixedInDegree { k: 50 }).autapses(false).connect_recurrent(1000, 8, 8).unwrap();
    assert!(raw.out_degrees().iter().any(|&d| !(49..=51).contains(&d)));
}

#[test]
fn balancing_an_already_balanced_pattern_moves_nothing() {
    let mut c = ConnectSpec::new(Rule::FixedOutDegree { k: 30 }).connect(200, 300, 1, 1).unwrap();
    let before = c.clone();
    let r = c.balance_out_degrees(0.05, 0.03, 1, 1).unwrap();
    assert_eq!((r.moved, r.triggered), (0, 0));
    assert_eq!(c, before);
}

#[test]
fn balancing_is_reproducible_and_rejects_bad_fractions() {
    let c0 = ConnectSpec::new(Rule::FixedProbability { p: 0.1 }).connect(300, 300, 4, 4).unwrap();
    let (mut a, mut b) = (c0.clone(), c0.clone());
    a.balance_out_degrees(0.05, 0.03, 9, 9).unwrap();
    b.balance_out_degrees(0.05, 0.03, 9, 9).unwrap();
    assert_eq!(a, b);
    let err = c0.clone().balance_out_degrees(f64::NAN, 0.03, 9, 9).unwrap_err();
    assert_eq!(err.field, "trigger_fraction");
    let err = c0.clone().balance_out_degrees(0.05, -0.1, 9, 9).unwrap_err();
    assert_eq!(err.field, "target_fraction");
}
