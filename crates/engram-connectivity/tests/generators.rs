//! Degree statistics of each generator.

use engram_connectivity::{ConnectSpec, Connectivity, Rule};
use proptest::prelude::*;

fn check_constraints(c: &Connectivity, spec: &ConnectSpec, same_population: bool) {
    if same_population && !spec.autapses {
        assert_eq!(c.n_diagonal_entries(), 0, "autapses although disabled");
    }
    if !spec.multapses {
        assert!(c.max_multiplicity() <= 1, "multapses although disabled");
    }
    assert!(c.matrix().data().iter().all(|&m| m >= 1));
    for i in 0..c.n_pre() {
        assert!(c.row(i).0.windows(2).all(|w| w[0] < w[1]), "row {i} not strictly sorted");
    }
}

/// (n_pre, n_post, same_population): equal sizes when same_population.
fn sizes() -> impl Strategy<Value = (usize, usize, bool)> {
    (1usize..300, 1usize..300, any::<bool>()).prop_map(|(a, b, same)| if same { (a, a, true) } else { (a, b, false) })
}

proptest! {
    #![proptest_config(crate::config(48))]

    #[test]
    fn fixed_in_degree_gives_exactly_k_inputs_per_post(
        (n_pre, n_post, same) in sizes(), k_frac in 0.0f64..=1.0, autapses: bool, multapses: bool, seed: u64,
    ) {
        let candidates = if same && !autapses { n_pre - 1 } else { n_pre };
        let k = if multapses { (k_frac * 2.0 * n_pre as f64) as u32 } else { (k_frac * candidates as f64) as u32 };
        prop_assume!(!(multapses && candidates == 0 && k > 0));
        let spec = ConnectSpec::new(Rule::FixedInDegree { k }).autapses(autapses).multapses(multapses);
        let c = spec.connect_populations(n_pre, n_post, same, seed, 3).unwrap();
        prop_assert_eq!((c.n_pre(), c.n_post()), (n_pre, n_post));
        prop_assert!(c.in_degrees().iter().all(|&d| d == k));
        prop_assert_eq!(c.n_connections(), k as u64 * n_post as u64);
        prop_assert_eq!(c.out_degrees().iter().map(|&d| d as u64).sum::<u64>(), c.n_connections());
        check_constraints(&c, &spec, same);
    }

    #[test]
    fn fixed_out_degree_gives_exactly_k_outputs_per_pre(
        (n_pre, n_post, same) in sizes(), k_frac in 0.0f64..=1.0, autapses: bool, multapses: bool, seed: u64,
    ) {
        let candidates = if same && !autapses { n_post - 1 } else { n_post };
        let k = if multapses { (k_frac * 2.0 * n_post as f64) as u32 } else { (k_frac * candidates as f64) as u32 };
        prop_assume!(!(multapses && candidates == 0 && k > 0));
        let spec = ConnectSpec::new(Rule::FixedOutDegree { k }).autapses(autapses).multapses(multapses);
        let c = spec.connect_populations(n_pre, n_post, same, seed, 3).unwrap();
        prop_assert!(c.out_degrees().iter().all(|&d| d == k));
        prop_assert_eq!(c.n_connections(), k as u64 * n_pre as u64);
        prop_assert_eq!(c.in_degrees().iter().map(|&d| d as u64).sum::<u64>(), c.n_connections());
        check_constraints(&c, &spec, same);
    }

    #[test]
    fn fixed_probability_count_is_binomial(
        n_pre in 100usize..500, n_post in 100usize..500, p in 0.005f64..0.6, same: bool, autapses: bool, seed: u64,
    ) {
        let n_post = if same { n_pre } else { n_post };
        let spec = ConnectSpec::new(Rule::FixedProbability { p }).autapses(autapses);
        let c = spec.connect_populations(n_pre, n_post, same, seed, 9).unwrap();
        let pairs = (n_pre * n_post - if same && !autapses { n_pre } else { 0 }) as f64;
        let (mean, sd) = (pairs * p, (pairs * p * (1.0 - p)).sqrt());
        let count = c.n_connections() as f64;
        prop_assert!((count - mean).abs() <= 5.0 * sd, "count {count}, expected {mean} ± {sd}");
        // mean in-degree within 5 SD of p · n_pre (its SD is the per-neuron SD / sqrt(n_post))
        let mean_in = c.in_degrees().iter().map(|&d| d as f64).sum::<f64>() / n_post as f64;
        let per_post = pairs / n_post as f64;
        let sd_mean_in = (per_post * p * (1.0 - p)).sqrt() / (n_post as f64).sqrt();
        prop_assert!((mean_in - p * per_post).abs() <= 5.0 * sd_mean_in);
        prop_assert_eq!(c.n_connections(), c.n_entries() as u64);
        check_constraints(&c, &spec, same);
    }

    #[test]
    fn all_to_all_connects_every_allowed_pair_once(
        (n_pre, n_post, same) in sizes(), autapses: bool, seed: u64,
    ) {
        let spec = ConnectSpec::new(Rule::AllToAll).autapses(autapses);
        let c = spec.connect_populations(n_pre, n_post, same, seed, 0).unwrap();
        let excluded = same && !autapses;
        prop_assert_eq!(c.n_entries(), n_pre * n_post - if excluded { n_pre } else { 0 });
        let expect_in = if excluded { n_pre - 1 } else { n_pre } as u32;
        let expect_out = if excluded { n_post - 1 } else { n_post } as u32;
        prop_assert!(c.in_degrees().iter().all(|&d| d == expect_in));
        prop_assert!(c.out_degrees().iter().all(|&d| d == expect_out));
        check_constraints(&c, &spec, same);
    }

    #[test]
    fn one_to_one_is_the_identity(n in 0usize..500, same: bool, seed: u64) {
        let c = ConnectSpec::new(Rule::OneToOne).connect_populations(n, n, same, seed, 0).unwrap();
        let expected: Vec<(u32, u32, u16)> = (0..n as u32).map(|i| (i, i, 1)).collect();
        prop_assert_eq!(c.iter().collect::<Vec<_>>(), expected);
    }

    #[test]
    fn explicit_pairs_become_multiplicities(
        pairs in proptest::collection::vec((0u32..20, 0u32..30), 0..200),
    ) {
        let spec = ConnectSpec::new(Rule::Explicit { pairs: pairs.clone() }).multapses(true);
        let c = spec.connect(20, 30, 0, 0).unwrap();
        prop_assert_eq!(c.n_connections(), pairs.len() as u64);
        for (i, j, m) in c.iter() {
            prop_assert_eq!(m as usize, pairs.iter().filter(|&&q| q == (i, j)).count());
        }
        prop_assert_eq!(&c, &Connectivity::from_pairs(20, 30, pairs).unwrap().with_constraints(c.constraints()));
    }
}

/// Bernoulli in-degrees have variance n·p·(1 − p) (a fixed-degree or clumped generator would
/// not), and no column is favoured by the geometric skipping.
#[test]
fn fixed_probability_in_degree_variance_and_uniform_columns() {
    let (n, p) = (3000usize, 0.05);
    let c = ConnectSpec::new(Rule::FixedProbability { p }).connect(n, n, 11, 4).unwrap();
    let d: Vec<f64> = c.in_degrees().iter().map(|&d| d as f64).collect();
    let mean = d.iter().sum::<f64>() / n as f64;
    let var = d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let expected = n as f64 * p * (1.0 - p); // 142.5; sample variance SD ≈ 142.5·sqrt(2/n) ≈ 3.7
    assert!((var - expected).abs() < 5.0 * expected * (2.0 / n as f64).sqrt(), "variance {var} vs {expected}");
    // first and last 300 columns: each sum ≈ 300·150 = 45 000 ± 207
    let first: f64 = d[..300].iter().sum();
    let last: f64 = d[n - 300..].iter().sum();
    let sd = (300.0 * expected).sqrt();
    assert!((first - 45_000.0).abs() < 5.0 * sd && (last - 45_000.0).abs() < 5.0 * sd, "{first} {last}");
}

/// Groups connected within: no entry between groups, no autapse when they are off, each
/// group's density near `p` (binomial), the last (smaller) group included; p = 1 connects every
/// candidate pair.
#[test]
fn within_groups_connects_only_within_each_group_at_its_probability() {
    let (n, size, p) = (1050usize, 200usize, 0.2);
    let c = ConnectSpec::new(Rule::WithinGroups { p, group_size: size })
        .autapses(false)
        .connect_recurrent(n, 3, 8)
        .unwrap();
    assert!(c.iter().all(|(i, j, m)| i as usize / size == j as usize / size && i != j && m == 1));
    for g in 0..n.div_ceil(size) {
        let members = (size.min(n - g * size)) as f64;
        let pairs = members * (members - 1.0);
        let got = c.iter().filter(|&(i, _, _)| i as usize / size == g).count() as f64;
        let sd = (pairs * p * (1.0 - p)).sqrt();
        assert!((got - p * pairs).abs() < 5.0 * sd, "group {g}: {got} entries of {pairs} pairs");
    }
    let all = ConnectSpec::new(Rule::WithinGroups { p: 1.0, group_size: 30 }).connect(100, 70, 1, 1).unwrap();
    // rows 0..60 reach their groups of 30 posts; rows 60..90 the 10 posts 60..70 of theirs;
    // rows 90..100 a group with no posts
    assert_eq!(all.n_entries(), 60 * 30 + 30 * 10);
    let e = ConnectSpec::new(Rule::WithinGroups { p: 0.5, group_size: 0 }).connect(10, 10, 1, 1).unwrap_err();
    assert_eq!(e.field, "rule.group_size");
}

#[test]
fn probability_zero_and_one_are_exact() {
    let none = ConnectSpec::new(Rule::FixedProbability { p: 0.0 }).connect(50, 60, 1, 1).unwrap();
    assert_eq!(none.n_entries(), 0);
    let all = ConnectSpec::new(Rule::FixedProbability { p: 1.0 }).autapses(false).connect_recurrent(50, 1, 1).unwrap();
    assert_eq!(all.n_entries(), 50 * 49);
    assert_eq!(all.n_diagonal_entries(), 0);
}

#[test]
fn weights_fold_multiplicity_and_keep_the_layout() {
    let c = ConnectSpec::new(Rule::FixedInDegree { k: 40 }).multapses(true).connect(10, 100, 5, 5).unwrap();
    assert!(c.max_multiplicity() > 1, "40 draws from 10 must repeat");
    let w = c.weights(0.25);
    assert_eq!(w.indices(), c.matrix().indices());
    assert_eq!(w.indptr().raw_storage(), c.matrix().indptr().raw_storage());
    for (&wk, &m) in w.data().iter().zip(c.matrix().data()) {
        assert_eq!(wk, 0.25 * m as f64);
    }
    // a post's summed weight is k · w
    let t = c.transpose_index();
    for j in 0..100 {
        let total: f64 = t.synapses_onto(j).iter().map(|&s| w.data()[s as usize]).sum();
        assert!((total - 40.0 * 0.25).abs() < 1e-12);
    }
}

#[test]
fn dense_fixed_in_degree_without_replacement_uses_every_candidate() {
    // k = n − 1 without autapses: each post gets every other neuron exactly once.
    let c = ConnectSpec::new(Rule::FixedInDegree { k: 99 }).autapses(false).connect_recurrent(100, 3, 3).unwrap();
    assert_eq!(c.n_entries(), 100 * 99);
    assert_eq!(c.n_diagonal_entries(), 0);
    assert_eq!(c.max_multiplicity(), 1);
}
