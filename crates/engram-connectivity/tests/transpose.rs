//! The transpose index lists every synapse exactly once, under the right postsynaptic neuron,
//! in increasing presynaptic order.

use engram_connectivity::{ConnectSpec, Connectivity, Rule, TransposeIndex};
use proptest::prelude::*;

fn check_round_trip(c: &Connectivity) {
    let w = c.weights(1.0);
    let t = TransposeIndex::new(&w);
    assert_eq!(t, c.transpose_index());
    assert_eq!(t.n_post(), c.n_post());
    assert_eq!(t.col_ptr.len(), c.n_post() + 1);
    assert_eq!(t.syn_of_post.len(), c.n_entries());
    assert_eq!(t.pre_of_post.len(), c.n_entries());
    let mut seen = vec![0u32; c.n_entries()];
    let indptr = c.matrix().indptr().raw_storage().to_vec();
    for j in 0..c.n_post() {
        let pres = t.pre_onto(j);
        assert!(pres.windows(2).all(|p| p[0] < p[1]), "pre not increasing for post {j}");
        for (&s, &i) in t.synapses_onto(j).iter().zip(pres) {
            let s = s as usize;
            seen[s] += 1;
            assert_eq!(c.matrix().indices()[s] as usize, j, "synapse {s} is not onto {j}");
            assert!((indptr[i as usize]..indptr[i as usize + 1]).contains(&s), "synapse {s} is not from {i}");
        }
        assert_eq!(t.synapses_onto(j).len(), c.matrix().indices().iter().filter(|&&q| q as usize == j).count());
    }
    assert!(seen.iter().all(|&n| n == 1), "a synapse is missing or repeated");
}

proptest! {
    #![proptest_config(crate::config(64))]

    #[test]
    fn transpose_round_trip_on_explicit_pairs(
        n_pre in 1usize..40, n_post in 1usize..40,
        raw in proptest::collection::vec((any::<u32>(), any::<u32>()), 0..400),
    ) {
        let pairs = raw.into_iter().map(|(i, j)| (i % n_pre as u32, j % n_post as u32));
        check_round_trip(&Connectivity::from_pairs(n_pre, n_post, pairs).unwrap());
    }

    #[test]
    fn transpose_round_trip_on_generated_patterns(n in 1usize..400, k in 0u32..30, seed: u64) {
        let c = ConnectSpec::new(Rule::FixedInDegree { k }).multapses(true).connect(n, n + 7, seed, 1).unwrap();
        check_round_trip(&c);
    }
}

#[test]
fn transpose_of_an_empty_pattern() {
    check_round_trip(&Connectivity::empty(5, 3));
    check_round_trip(&Connectivity::empty(0, 0));
}
