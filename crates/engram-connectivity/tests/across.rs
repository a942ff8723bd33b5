//! Constructions on a pattern split by columns across ranks, the ranks as threads exchanging
//! through a barrier. Out-degree balancing (`Connectivity::balance_out_degrees_across`,
//! `ConnectSpec::connect_onto_across`): each rank ends with exactly the whole balanced
//! pattern's columns it owns, and what each row leaves out, for 1 to 4 ranks (an empty rank
//! included), with and without multapses and autapses; ranges that do not tile the columns
//! are refused on every rank. Assembly rewiring (`rewire_within_across`): each rank ends with
//! the whole rewired pattern's columns and the whole report, for factors and counts,
//! overlapping assemblies, with and without multapses and autapses. Input counts and what rows
//! leave out (`input_counts_across`, `Connectivity::omitted_across`): the whole pattern's.

use std::ops::Range;
use std::sync::{Arc, Barrier, Mutex};

use engram_connectivity::{
    AssemblySet, ConnectSpec, Connectivity, Constraints, OmittedEntries, OutDegreeBalancing, RewireReport, Rule,
    WithinTarget, input_counts, input_counts_across, rewire_within, rewire_within_across,
};
use engram_core::collective::AllGather;
use engram_core::error::EngramError;

/// Ranks as threads: each puts its words in its slot, and after a barrier every rank reads all.
#[derive(Clone)]
struct Threads {
    rank: usize,
    barrier: Arc<Barrier>,
    slots: Arc<Mutex<Vec<Vec<u32>>>>,
    calls: usize,
}

impl Threads {
    fn group(n: usize) -> Vec<Self> {
        let barrier = Arc::new(Barrier::new(n));
        let slots = Arc::new(Mutex::new(vec![Vec::new(); n]));
        (0..n).map(|rank| Self { rank, barrier: barrier.clone(), slots: slots.clone(), calls: 0 }).collect()
    }
}

impl AllGather for Threads {
    fn all_gather(&mut self, send: &[u32], recv: &mut Vec<u32>, counts: &mut Vec<usize>) -> Result<(), EngramError> {
        self.calls += 1;
        self.slots.lock().unwrap()[self.rank] = send.to_vec();
        self.barrier.wait();
        {
            let slots = self.slots.lock().unwrap();
            recv.clear();
            counts.clear();
            for s in slots.iter() {
                recv.extend_from_slice(s);
                counts.push(s.len());
            }
        }
        self.barrier.wait();
        Ok(())
    }
}

/// Contiguous blocks of `n` columns, one per rank, in rank order (sizes differ by at most one).
fn blocks(n: usize, n_ranks: usize) -> Vec<Range<usize>> {
    (0..n_ranks).map(|r| r * n / n_ranks..(r + 1) * n / n_ranks).collect()
}

/// One rank's part of a pattern and what its rows left out, and the collectives it made.
type RankResult = (Result<(Connectivity, OmittedEntries), EngramError>, usize);

/// `spec` drawn onto each of `ranges` by its own thread rank; each rank's result and the number
/// of collectives it made.
fn across(spec: &ConnectSpec, (n_pre, n_post, same): (usize, usize, bool), ranges: &[Range<usize>]) -> Vec<RankResult> {
    on_ranks(ranges, |own, ranks| (spec.connect_onto_across(n_pre, n_post, same, 8, 3, own, ranks), ranks.calls))
}

#[test]
fn every_rank_holds_its_columns_of_the_whole_balanced_pattern() {
    let balance = OutDegreeBalancing { trigger_fraction: 0.03, target_fraction: 0.03 };
    let cases = [
        // unit-weighted moves (multapses), the Dp model's recurrent pathways' kind
        (ConnectSpec::new(Rule::FixedInDegree { k: 12 }).multapses(true).balance(balance), (300, 250, false)),
        // one entry per move, checked against the target's column (no multapses), no autapses
        (ConnectSpec::new(Rule::FixedProbability { p: 0.06 }).autapses(false).balance(balance), (240, 240, true)),
        // dense, no multapses: many random candidates are taken, so moves often fall back to
        // scanning the donor's whole row
        (ConnectSpec::new(Rule::FixedProbability { p: 0.6 }).autapses(false).balance(balance), (70, 70, true)),
        // columns drawn whole, no multapses, the default trigger
        (ConnectSpec::new(Rule::FixedInDegree { k: 15 }).balance(OutDegreeBalancing::default()), (200, 260, false)),
    ];
    for (spec, (n_pre, n_post, same)) in cases {
        let whole = spec.connect_populations(n_pre, n_post, same, 8, 3).unwrap();
        // the pattern before balancing, to check that balancing moved something
        let drawn =
            ConnectSpec { balance: None, ..spec.clone() }.connect_populations(n_pre, n_post, same, 8, 3).unwrap();
        assert!(drawn != whole, "{spec:?}: balancing must move connections");
        let mut ranges_list: Vec<Vec<Range<usize>>> = (1..=4).map(|r| blocks(n_post, r)).collect();
        ranges_list.push(vec![0..0, 0..n_post / 3, n_post / 3..n_post]); // a rank with no columns
        for ranges in ranges_list {
            let ranks = across(&spec, (n_pre, n_post, same), &ranges);
            let mut entries = 0;
            for ((got, calls), own) in ranks.into_iter().zip(&ranges) {
                let (part, omitted) = got.unwrap();
                let expected = whole.restrict_targets(own.clone()).unwrap();
                assert!(part == expected.0, "{spec:?} on {ranges:?}: the columns {own:?} differ");
                assert!(omitted == expected.1, "{spec:?} on {ranges:?}: what rows leave out differs on {own:?}");
                assert!(calls > 2, "{spec:?}: moves are agreed on by collectives ({calls})");
                entries += part.n_entries();
            }
            assert_eq!(entries, whole.n_entries(), "{spec:?} on {ranges:?}");
        }
    }
}

#[test]
fn ranges_that_do_not_tile_the_columns_are_refused_on_every_rank() {
    let spec = ConnectSpec::new(Rule::FixedInDegree { k: 5 }).balance(OutDegreeBalancing::default());
    for ranges in [vec![0..50, 60..100], vec![50..100, 0..50], vec![0..50, 50..90], vec![0..50, 50..120]] {
        for (got, _) in across(&spec, (80, 100, false), &ranges) {
            let e = got.unwrap_err().to_string();
            assert!(e.contains("tile 0..100 in rank order"), "{ranges:?}: {e}");
        }
    }
}

/// A rank that holds an entry outside its range makes every rank fail (none is left waiting
/// in a collective).
#[test]
fn an_entry_outside_a_ranks_columns_fails_on_every_rank() {
    let whole = ConnectSpec::new(Rule::FixedInDegree { k: 5 }).connect(40, 60, 1, 2).unwrap();
    // rank 1 keeps every column by mistake
    let errors = on_ranks(&[0..30, 30..60], |own, ranks| {
        let mut part = if own.start == 0 { whole.restrict_targets(own.clone()).unwrap().0 } else { whole.clone() };
        part.balance_out_degrees_across(own, 0.05, 0.03, 1, 2, ranks).unwrap_err().to_string()
    });
    for e in errors {
        assert!(e.contains("on rank 1") && e.contains("holds an entry in column"), "{e}");
    }
}

/// `f` run by each of `ranges.len()` thread ranks on its range; each rank's result.
fn on_ranks<T: Send>(ranges: &[Range<usize>], f: impl Fn(Range<usize>, &mut Threads) -> T + Sync) -> Vec<T> {
    let group = Threads::group(ranges.len());
    std::thread::scope(|s| {
        let handles: Vec<_> = group
            .into_iter()
            .zip(ranges)
            .map(|(mut ranks, own)| {
                let f = &f;
                s.spawn(move || f(own.clone(), &mut ranks))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

/// Column ranges checked: 1 to 4 blocks, and a rank with no columns.
fn rank_ranges(n_post: usize) -> Vec<Vec<Range<usize>>> {
    let mut list: Vec<Vec<Range<usize>>> = (1..=4).map(|r| blocks(n_post, r)).collect();
    list.push(vec![0..n_post / 2, n_post / 2..n_post / 2, n_post / 2..n_post]);
    list
}

#[test]
fn every_rank_holds_its_columns_of_the_whole_rewired_pattern() {
    let multapses = Constraints { allow_autapses: true, allow_multapses: true };
    let neither = Constraints { allow_autapses: false, allow_multapses: false };
    // (pattern, pre groups, post groups, target): E→E-like (recurrent, overlapping
    // assemblies), E→I-like (two populations), each with multapses (the Dp kind) and without
    let ee = ConnectSpec::new(Rule::FixedInDegree { k: 20 }).connect_recurrent(400, 1, 1).unwrap();
    let ei = ConnectSpec::new(Rule::FixedInDegree { k: 30 }).connect(400, 150, 1, 2).unwrap();
    let e = AssemblySet::random(400, 4, 60, 1, 3).unwrap();
    let overlapping =
        AssemblySet::from_members(400, vec![(0..80).collect(), (50..130).collect(), (300..400).collect()]).unwrap();
    let i = AssemblySet::from_members(150, vec![(0..20).collect(), (60..80).collect(), (130..150).collect()]).unwrap();
    let e3 = AssemblySet::new(400, e.assemblies()[..3].to_vec()).unwrap();
    let cases = [
        (ee.clone().with_constraints(multapses), &e, &e, WithinTarget::Factor(5.0)),
        (ee.clone().with_constraints(neither), &overlapping, &overlapping, WithinTarget::Factor(3.0)),
        (ee.with_constraints(multapses), &overlapping, &overlapping, WithinTarget::Count(12)),
        (ei.clone().with_constraints(multapses), &e3, &i, WithinTarget::Count(25)),
        (ei.with_constraints(neither), &e3, &i, WithinTarget::Factor(2.0)),
    ];
    for (before, pre, post, target) in cases {
        let mut whole = before.clone();
        let report = rewire_within(&mut whole, pre, post, target, 5, 6).unwrap();
        assert!(report.moved > 0, "{target:?}: rewiring must move connections");
        let what = format!("{target:?} {:?}", before.constraints());
        for ranges in rank_ranges(before.n_post()) {
            let got: Vec<(Connectivity, RewireReport, usize)> = on_ranks(&ranges, |own, ranks| {
                let mut part = before.restrict_targets(own.clone()).unwrap().0;
                let r = rewire_within_across(&mut part, own, pre, post, target, 5, 6, ranks).unwrap();
                (part, r, ranks.calls)
            });
            for ((part, r, calls), own) in got.into_iter().zip(&ranges) {
                let at = format!("{what} on {ranges:?}, rank {own:?}");
                assert!(part == whole.restrict_targets(own.clone()).unwrap().0, "{at}: the columns differ");
                assert_eq!(r, report, "{at}: the report");
                assert_eq!(calls, 1 + 2 * pre.len(), "{at}: one check, then two collectives per pair");
            }
        }
    }
}

#[test]
fn input_counts_and_omitted_entries_across_ranks_are_the_whole_patterns() {
    let whole = ConnectSpec::new(Rule::FixedInDegree { k: 9 }).multapses(true).connect(120, 90, 2, 3).unwrap();
    let sources: Vec<u32> = (10..60).step_by(3).collect();
    for ranges in rank_ranges(90) {
        let got = on_ranks(&ranges, |own, ranks| {
            let part = whole.restrict_targets(own.clone()).unwrap().0;
            (
                input_counts_across(&part, own.clone(), &sources, ranks).unwrap(),
                part.omitted_across(own, ranks).unwrap(),
            )
        });
        for ((counts, omitted), own) in got.into_iter().zip(&ranges) {
            assert_eq!(counts, input_counts(&whole, &sources).unwrap(), "{ranges:?}");
            assert_eq!(omitted, whole.restrict_targets(own.clone()).unwrap().1, "{ranges:?} {own:?}");
        }
    }
    // a rank holding columns it does not own fails on every rank
    let errors = on_ranks(&blocks(90, 2), |own, ranks| {
        let part = if own.start == 0 { whole.clone() } else { whole.restrict_targets(own.clone()).unwrap().0 };
        input_counts_across(&part, own, &sources, ranks).unwrap_err().to_string()
    });
    for e in errors {
        assert!(e.contains("on rank 0") && e.contains("holds an entry in column"), "{e}");
    }
}

/// Parts of different shapes (a rank given another pattern) are refused on every rank.
#[test]
fn parts_of_different_shapes_are_refused_on_every_rank() {
    let a = ConnectSpec::new(Rule::FixedInDegree { k: 5 }).connect(40, 60, 1, 2).unwrap();
    let b = ConnectSpec::new(Rule::FixedInDegree { k: 5 }).connect(41, 60, 1, 2).unwrap();
    let errors = on_ranks(&blocks(60, 2), |own, ranks| {
        let whole = if own.start == 0 { &a } else { &b };
        let part = whole.restrict_targets(own.clone()).unwrap().0;
        part.omitted_across(own, ranks).unwrap_err().to_string()
    });
    for e in errors {
        assert!(e.contains("41 x 60 on rank 1") || e.contains("40 x 60 on rank 0"), "{e}");
    }
}
