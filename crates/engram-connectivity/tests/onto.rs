//! Patterns drawn onto some targets only (`ConnectSpec::connect_onto`, one rank's part of a
//! network split across ranks): exactly the whole pattern's entries onto those targets, with
//! the right counts of what each row left out, for every rule; and the delays of those
//! entries (`DelayDistribution::sample_steps_onto`) are the whole pattern's.

use engram_connectivity::{ConnectSpec, DELAYS_PER_CHUNK, DelayDistribution, OutDegreeBalancing, Rule};
use engram_core::time::Clock;
use proptest::prelude::*;

/// Every rule, with and without autapses and multapses where they matter.
fn specs(n_pre: usize, n_post: usize) -> Vec<ConnectSpec> {
    let pairs: Vec<(u32, u32)> = (0..n_pre as u32).map(|i| (i, (i * 7 + 3) % n_post as u32)).collect();
    let mut repeated: Vec<(u32, u32)> =
        (0..3 * n_pre as u32).rev().map(|k| (k % n_pre as u32, (k * 13 + k / 5) % n_post as u32)).collect();
    repeated.extend_from_within(..n_pre / 2);
    vec![
        ConnectSpec::new(Rule::FixedProbability { p: 0.15 }),
        ConnectSpec::new(Rule::FixedProbability { p: 0.15 }).autapses(false),
        ConnectSpec::new(Rule::FixedInDegree { k: 9 }),
        ConnectSpec::new(Rule::FixedInDegree { k: 9 }).autapses(false).multapses(true),
        ConnectSpec::new(Rule::FixedOutDegree { k: 11 }).multapses(true),
        ConnectSpec::new(Rule::AllToAll).autapses(false),
        ConnectSpec::new(Rule::OneToOne),
        ConnectSpec::new(Rule::Explicit { pairs }),
        // repeated pairs (one entry of multiplicity 2), rows across every range, in no order
        ConnectSpec::new(Rule::Explicit { pairs: repeated }).multapses(true),
        // groups across the ranges' borders
        ConnectSpec::new(Rule::WithinGroups { p: 0.3, group_size: 70 }).autapses(false),
        ConnectSpec::new(Rule::FixedInDegree { k: 9 })
            .balance(OutDegreeBalancing { trigger_fraction: 0.05, target_fraction: 0.03 }),
    ]
}

#[test]
fn every_rule_drawn_onto_targets_is_the_whole_pattern_restricted() {
    // 300 neurons: three chunks of rows or columns (128 each), ranges across chunk borders
    let n = 300;
    for spec in specs(n, n) {
        let whole = spec.connect_populations(n, n, true, 42, 5).unwrap();
        let mut kept = 0;
        for targets in [0..100, 100..200, 200..300, 150..150] {
            let (part, omitted) = spec.connect_onto(n, n, true, 42, 5, targets.clone()).unwrap();
            let expected = whole.restrict_targets(targets.clone()).unwrap();
            assert_eq!((&part, &omitted), (&expected.0, &expected.1), "{spec:?} onto {targets:?}");
            assert!(part.iter().all(|(_, j, _)| targets.contains(&(j as usize))), "{spec:?}");
            assert_eq!(part.n_entries() + omitted.n_omitted(), whole.n_entries(), "{spec:?}");
            kept += part.n_entries();
        }
        assert_eq!(kept, whole.n_entries(), "{spec:?}: the parts cover the whole pattern");
        assert!(whole.n_entries() >= n, "{spec:?}: a pattern worth testing");
    }
}

#[test]
fn restricting_keeps_the_run_of_each_row_and_counts_the_rest() {
    let spec = ConnectSpec::new(Rule::FixedProbability { p: 0.3 });
    let whole = spec.connect_populations(40, 50, false, 1, 1).unwrap();
    let (part, omitted) = whole.restrict_targets(10..30).unwrap();
    for i in 0..40 {
        let row = whole.row(i).0;
        let below = row.iter().filter(|&&j| j < 10).count() as u32;
        let above = row.iter().filter(|&&j| j >= 30).count() as u32;
        assert_eq!((omitted.before[i], omitted.after[i]), (below, above), "row {i}");
        let inside: Vec<u32> = row.iter().copied().filter(|j| (10..30).contains(j)).collect();
        assert_eq!(part.row(i).0, &inside[..], "row {i}");
    }
    // the whole pattern's CSR index of each kept entry
    let indptr = part.matrix().indptr();
    let whole_k: Vec<usize> = omitted.whole_indices(indptr.raw_storage()).collect();
    let expected: Vec<usize> =
        (0..whole.n_entries()).filter(|&k| (10..30).contains(&(whole.matrix().indices()[k] as usize))).collect();
    assert_eq!(whole_k, expected);
}

#[test]
fn targets_outside_the_population_are_refused_naming_the_range() {
    let spec = ConnectSpec::new(Rule::FixedProbability { p: 0.1 });
    let e = spec.connect_onto(10, 20, false, 1, 1, 15..21).unwrap_err();
    assert_eq!(e.field, "targets");
    assert!(e.to_string().contains("15..21") && e.to_string().contains("within 0..20"), "{e}");
}

proptest! {
    #![proptest_config(crate::config(24))]

    #[test]
    fn rows_and_columns_onto_any_range_match_the_whole_pattern(
        n_pre in 1usize..400, n_post in 1usize..400, a in 0.0f64..1.0, b in 0.0f64..1.0, seed: u64, rule in 0usize..4,
    ) {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        let targets = (lo * n_post as f64) as usize..(hi * n_post as f64) as usize;
        let spec = ConnectSpec::new(match rule {
            0 => Rule::FixedProbability { p: 0.05 },
            1 => Rule::FixedInDegree { k: (n_pre / 3) as u32 },
            2 => Rule::FixedOutDegree { k: (n_post / 4) as u32 },
            _ => Rule::WithinGroups { p: 0.2, group_size: 1 + n_pre / 5 },
        });
        let whole = spec.connect(n_pre, n_post, seed, 9).unwrap();
        let part = spec.connect_onto(n_pre, n_post, false, seed, 9, targets.clone()).unwrap();
        prop_assert_eq!(part, whole.restrict_targets(targets).unwrap());
    }
}

#[test]
fn delays_onto_targets_are_the_whole_patterns_across_delay_chunks() {
    // more synapses than one delay chunk (65 536), so that the streams jump across chunks
    let clock = Clock::new(0.1).unwrap();
    let d = DelayDistribution::Uniform { min_ms: 0.3, max_ms: 4.0 };
    let spec = ConnectSpec::new(Rule::FixedInDegree { k: 120 });
    let (n_pre, n_post) = (2000, 1500);
    let whole = spec.connect(n_pre, n_post, 3, 4).unwrap();
    assert!(whole.n_entries() > 2 * DELAYS_PER_CHUNK);
    let all = d.sample_steps(whole.n_entries(), &clock, 3, 4);
    for targets in [0..500, 500..1000, 1000..1500, 0..0] {
        let (part, omitted) = spec.connect_onto(n_pre, n_post, false, 3, 4, targets.clone()).unwrap();
        let indptr = part.matrix().indptr();
        let mine = d.sample_steps_onto(indptr.raw_storage(), &omitted, &clock, 3, 4);
        let expected: Vec<u32> = omitted.whole_indices(indptr.raw_storage()).map(|k| all[k]).collect();
        assert_eq!(mine.len(), part.n_entries());
        assert_eq!(mine, expected, "onto {targets:?}");
    }
}
