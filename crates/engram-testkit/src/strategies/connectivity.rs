//! Strategies for the connection rules of engram-connectivity.

use engram_connectivity::{ConnectSpec, DelayDistribution, OutDegreeBalancing, Rule};
use proptest::collection::vec;
use proptest::prelude::*;

/// Any connection rule, with no regard to population sizes: `FixedProbability` with
/// [`probability`](super::probability), fixed in- or out-degree 0–50, `AllToAll`, `OneToOne`,
/// up to 50 explicit pairs among 100 × 100 neurons, or groups of 1–199 neurons connected
/// within. For round trips; see
/// [`connect_spec_for`] for rules that fit given populations.
pub fn connection_rule() -> impl Strategy<Value = Rule> {
    prop_oneof![
        super::probability().prop_map(|p| Rule::FixedProbability { p }),
        (0..=50u32).prop_map(|k| Rule::FixedInDegree { k }),
        (0..=50u32).prop_map(|k| Rule::FixedOutDegree { k }),
        Just(Rule::AllToAll),
        Just(Rule::OneToOne),
        vec((0..100u32, 0..100u32), 0..50).prop_map(|pairs| Rule::Explicit { pairs }),
        (super::probability(), 1..200usize).prop_map(|(p, group_size)| Rule::WithinGroups { p, group_size }),
    ]
}

/// Out-degree balancing with trigger and target fractions in [0, 0.2].
pub fn out_degree_balancing() -> impl Strategy<Value = OutDegreeBalancing> {
    (0.0..0.2f64, 0.0..0.2f64)
        .prop_map(|(trigger_fraction, target_fraction)| OutDegreeBalancing { trigger_fraction, target_fraction })
}

/// Any [`connection_rule`] with any autapse and multapse setting and optional balancing.
pub fn connect_spec() -> impl Strategy<Value = ConnectSpec> {
    (connection_rule(), any::<bool>(), any::<bool>(), proptest::option::of(out_degree_balancing()))
        .prop_map(|(rule, autapses, multapses, balance)| ConnectSpec { rule, autapses, multapses, balance })
}

/// A `ConnectSpec` that passes `validate_for(n_pre, n_post, same_population)`: degrees within
/// the candidates (counting multapses and autapses), `OneToOne` only where it fits, explicit
/// pairs in range, distinct unless multapses are on, and no `i → i` when autapses are off.
pub fn connect_spec_for(n_pre: usize, n_post: usize, same_population: bool) -> impl Strategy<Value = ConnectSpec> {
    (any::<bool>(), any::<bool>(), proptest::option::of(out_degree_balancing())).prop_flat_map(
        move |(autapses, multapses, balance)| {
            let no_autapses = same_population && !autapses;
            let candidates = |n: usize| if no_autapses { n.saturating_sub(1) } else { n };
            let k_max = |n: usize| match (multapses, candidates(n)) {
                (true, 0) => 0,
                (true, _) => 2 * n as u32,
                (false, c) => c as u32,
            };
            let (k_in, k_out) = (k_max(n_pre), k_max(n_post));
            let one_to_one_ok = n_pre == n_post && !no_autapses;
            let pairs = vec((0..n_pre.max(1) as u32, 0..n_post.max(1) as u32), 0..3 * (n_pre + n_post)).prop_map(
                move |mut pairs| {
                    pairs.retain(|&(i, j)| !(no_autapses && i == j));
                    if !multapses {
                        pairs.sort_unstable();
                        pairs.dedup();
                    }
                    Rule::Explicit { pairs }
                },
            );
            let in_range = |k_max: u32| if k_max == 0 { Just(0u32).boxed() } else { (0..=k_max).boxed() };
            let rule = prop_oneof![
                3 => super::probability().prop_map(|p| Rule::FixedProbability { p }),
                1 => in_range(k_in).prop_map(|k| Rule::FixedInDegree { k }),
                1 => in_range(k_out).prop_map(|k| Rule::FixedOutDegree { k }),
                1 => Just(Rule::AllToAll),
                1 => Just(if one_to_one_ok { Rule::OneToOne } else { Rule::AllToAll }),
                1 => pairs,
                1 => (super::probability(), 1..=n_pre.max(n_post).max(1))
                    .prop_map(|(p, group_size)| Rule::WithinGroups { p, group_size }),
            ];
            rule.prop_map(move |rule| ConnectSpec { rule, autapses, multapses, balance })
        },
    )
}

/// A delay distribution: constant 0–5 ms, or uniform between two values in 0–5 ms.
pub fn delay_distribution() -> impl Strategy<Value = DelayDistribution> {
    prop_oneof![
        (0.0..5.0f64).prop_map(|ms| DelayDistribution::Constant { ms }),
        (0.0..5.0f64, 0.0..5.0f64).prop_map(|(a, b)| DelayDistribution::Uniform { min_ms: a.min(b), max_ms: a.max(b) }),
    ]
}
