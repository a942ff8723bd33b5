//! Out-degree balancing across ranks (`Connectivity::balance_out_degrees_across`,
//! `ConnectSpec::connect_onto_across`), the ranks as threads exchanging through a barrier: each
//! rank ends with exactly the whole balanced pattern's columns it owns, and what each row
//! leaves out, for 1 to 4 ranks (an empty rank included), with and without multapses and
//! autapses; ranges that do not tile the columns are refused on every rank.

use std::ops::Range;
use std::sync::{Arc, Barrier, Mutex};

use engram_connectivity::{ConnectSpec, Connectivity, OmittedEntries, OutDegreeBalancing, Rule};
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
    let group = Threads::group(ranges.len());
    std::thread::scope(|s| {
        let handles: Vec<_> = group
            .into_iter()
            .zip(ranges)
            .map(|(mut ranks, own)| {
                s.spawn(move || {
                    let got = spec.connect_onto_across(n_pre, n_post, same, 8, 3, own.clone(), &mut ranks);
                    (got, ranks.calls)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
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
    let ranges = [0..30, 30..60];
    let group = Threads::group(2);
    let errors: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = group
            .into_iter()
            .zip(&ranges)
            .map(|(mut ranks, own)| {
                // rank 1 keeps every column by mistake
                let mut part =
                    if own.start == 0 { whole.restrict_targets(own.clone()).unwrap().0 } else { whole.clone() };
                s.spawn(move || part.balance_out_degrees_across(own.clone(), 0.05, 0.03, 1, 2, &mut ranks).unwrap_err())
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap().to_string()).collect()
    });
    for e in errors {
        assert!(e.contains("on rank 1") && e.contains("holds an entry in column"), "{e}");
    }
}
