//! Assemblies: explicit, random and "from input" (top input counts, both tie rules), and the
//! errors of their constructors.

use engram_connectivity::{Assembly, AssemblySet, ConnectSpec, Connectivity, Rule, TopSelection, input_counts};
use proptest::prelude::*;

/// 5 sources → 6 posts. Input counts from sources {0, 1, 2}: post 0: 3, post 1: 1,
/// post 2: 2, post 3: 2, post 4: 0, post 5: 3 (post 5 gets a multiplicity-2 connection).
/// Source 3 and 4 are not in the set and project to posts 1 and 4 heavily.
fn hand_example() -> Connectivity {
    Connectivity::from_pairs(
        5,
        6,
        [
            (0, 0),
            (1, 0),
            (2, 0),
            (0, 1),
            (0, 2),
            (1, 2),
            (1, 3),
            (2, 3),
            (0, 5),
            (2, 5),
            (2, 5),
            (3, 1),
            (3, 4),
            (4, 4),
            (4, 1),
        ],
    )
    .unwrap()
}

#[test]
fn input_counts_count_multiplicity_from_the_sources_only() {
    assert_eq!(input_counts(&hand_example(), &[0, 1, 2]).unwrap(), vec![3, 1, 2, 2, 0, 3]);
    assert_eq!(input_counts(&hand_example(), &[3, 4]).unwrap(), vec![0, 2, 0, 0, 2, 0]);
}

#[test]
fn from_input_picks_exactly_the_top_input_neurons() {
    let c = hand_example();
    let sources = vec![vec![0u32, 1, 2], vec![3, 4]];
    for seed in 0..20 {
        let top2 = AssemblySet::from_input(&c, &sources, 2, TopSelection::Strict, seed, 1).unwrap();
        assert_eq!(top2[0].members(), &[0, 5]);
        assert_eq!(top2[1].members(), &[1, 4]);
        // Both tie rules agree when nobody above the threshold is left out.
        let code = AssemblySet::from_input(&c, &sources, 2, TopSelection::ReferenceCode, seed, 1).unwrap();
        assert_eq!(code, top2);
        let top4 = AssemblySet::from_input(&c, &sources[..1], 4, TopSelection::Strict, seed, 1).unwrap();
        assert_eq!(top4[0].members(), &[0, 2, 3, 5]);
    }
}

#[test]
fn ties_at_the_threshold_are_broken_at_random() {
    // Top 3 from {0, 1, 2}: posts 0 and 5 (count 3) always, then post 2 or 3 (count 2).
    let c = hand_example();
    let mut seen = [0usize; 6];
    for seed in 0..200 {
        let a = Assembly::from_input(&c, &[0, 1, 2], 3, TopSelection::Strict, seed, 1, 0).unwrap();
        assert!(a.contains(0) && a.contains(5) && a.len() == 3);
        assert!(a.contains(2) != a.contains(3));
        for &j in a.members() {
            seen[j as usize] += 1;
        }
        // same seed, same choice
        assert_eq!(a, Assembly::from_input(&c, &[0, 1, 2], 3, TopSelection::Strict, seed, 1, 0).unwrap());
    }
    assert!(seen[2] > 60 && seen[3] > 60, "{seen:?}");
}

#[test]
fn the_reference_code_rule_draws_from_everyone_at_or_above_the_threshold() {
    // Threshold 2: candidates {0, 2, 3, 5}; the code draws 3 of them uniformly, so posts 0 and 5
    // (count 3) are sometimes left out, which the strict rule never does.
    let c = hand_example();
    let mut left_out_top = 0;
    for seed in 0..200 {
        let a = Assembly::from_input(&c, &[0, 1, 2], 3, TopSelection::ReferenceCode, seed, 1, 0).unwrap();
        assert_eq!(a.len(), 3);
        assert!(a.members().iter().all(|j| [0, 2, 3, 5].contains(j)));
        if !(a.contains(0) && a.contains(5)) {
            left_out_top += 1;
        }
    }
    // P(one of posts 0, 5 left out) = 1 - 2/4 = 1/2
    assert!((60..140).contains(&left_out_top), "{left_out_top}");
}

proptest! {
    #![proptest_config(crate::config(30))]

    /// I assemblies as in the Tuned networks: the I neurons with the most connections from an
    /// E assembly (column sums of E→I over the E members).
    #[test]
    fn strict_selection_is_a_top_set(
        n_pre in 20usize..400, n_post in 5usize..200, k in 1u32..20, n_sources in 1usize..40,
        size_frac in 0.0f64..1.0, seed: u64,
    ) {
        let k = k.min(n_pre as u32);
        let c = ConnectSpec::new(Rule::FixedInDegree { k }).multapses(true).connect(n_pre, n_post, seed, 1).unwrap();
        let sources = AssemblySet::random(n_pre, 3, n_sources.min(n_pre), seed, 2).unwrap();
        let size = ((n_post as f64) * size_frac) as usize;
        let set = AssemblySet::from_input(&c, sources.assemblies(), size, TopSelection::Strict, seed, 3).unwrap();
        prop_assert_eq!(set.len(), 3);
        prop_assert_eq!(set.n_neurons(), n_post);
        for (a, s) in set.iter().zip(&sources) {
            prop_assert_eq!(a.len(), size);
            prop_assert!(a.members().windows(2).all(|w| w[0] < w[1]));
            let counts = input_counts(&c, s.members()).unwrap();
            let min_in = a.members().iter().map(|&j| counts[j as usize]).min().unwrap_or(u32::MAX);
            let max_out = (0..n_post as u32).filter(|&j| !a.contains(j)).map(|j| counts[j as usize]).max().unwrap_or(0);
            prop_assert!(a.is_empty() || min_in >= max_out, "member with {} < non-member with {}", min_in, max_out);
        }
    }

    #[test]
    fn random_assemblies_are_distinct_in_range_and_reproducible(
        n in 1usize..2000, n_assemblies in 0usize..20, size_frac in 0.0f64..1.0, seed: u64,
    ) {
        let size = ((n as f64) * size_frac) as usize;
        let set = AssemblySet::random(n, n_assemblies, size, seed, 9).unwrap();
        prop_assert_eq!(set.len(), n_assemblies);
        for a in &set {
            prop_assert_eq!(a.len(), size);
            prop_assert!(a.members().windows(2).all(|w| w[0] < w[1]));
            prop_assert!(a.members().iter().all(|&j| (j as usize) < n));
        }
        prop_assert_eq!(&set, &AssemblySet::random(n, n_assemblies, size, seed, 9).unwrap());
        let disjoint_size = size.checked_div(n_assemblies).unwrap_or(0);
        let d = AssemblySet::random_disjoint(n, n_assemblies, disjoint_size, seed, 9).unwrap();
        prop_assert!(d.memberships().iter().all(|&m| m <= 1));
        prop_assert_eq!(d.union().len(), n_assemblies * disjoint_size);
    }
}

#[test]
fn explicit_assemblies_and_their_errors() {
    let set = AssemblySet::from_members(10, vec![vec![3, 1], vec![1, 9]]).unwrap();
    assert_eq!(set[0].members(), &[1, 3]);
    assert_eq!(set.memberships(), vec![0, 2, 0, 1, 0, 0, 0, 0, 0, 1]);
    assert_eq!(set.union(), vec![1, 3, 9]);
    let e = AssemblySet::from_members(10, vec![vec![1], vec![2, 10]]).unwrap_err();
    assert_eq!(e.field, "members[1].members");
    let e = AssemblySet::from_members(10, vec![vec![2, 2]]).unwrap_err();
    assert_eq!(e.field, "members[0].members");
    assert!(e.to_string().contains("at most once"));
    assert_eq!(AssemblySet::random(10, 2, 11, 0, 0).unwrap_err().field, "size");
    assert_eq!(AssemblySet::random_disjoint(10, 3, 4, 0, 0).unwrap_err().field, "size");
    let c = hand_example();
    assert_eq!(AssemblySet::from_input(&c, &[vec![0u32]], 7, TopSelection::Strict, 0, 0).unwrap_err().field, "size");
    let e = AssemblySet::from_input(&c, &[vec![0u32], vec![5]], 2, TopSelection::Strict, 0, 0).unwrap_err();
    assert_eq!(e.field, "sources[1]");
    let e = AssemblySet::from_input(&c, &[vec![1u32, 1]], 2, TopSelection::Strict, 0, 0).unwrap_err();
    assert_eq!(e.field, "sources[0]");
    let mut set = AssemblySet::new(4, Vec::new()).unwrap();
    assert_eq!(set.push(Assembly::new(vec![5], 6).unwrap()).unwrap_err().field, "members");
    assert!(AssemblySet::new(4, vec![Assembly::new(vec![4], 5).unwrap()]).is_err());
}
