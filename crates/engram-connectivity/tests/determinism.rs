//! Same seed → identical pattern and delays, whatever the rayon thread count.

use engram_connectivity::{ConnectSpec, Connectivity, DelayDistribution, OutDegreeBalancing, Rule};
use engram_core::time::Clock;

fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap().install(f)
}

fn specs() -> Vec<ConnectSpec> {
    vec![
        ConnectSpec::new(Rule::FixedProbability { p: 0.05 }).autapses(false),
        ConnectSpec::new(Rule::FixedInDegree { k: 30 }),
        ConnectSpec::new(Rule::FixedInDegree { k: 30 }).multapses(true).balance(OutDegreeBalancing::default()),
        ConnectSpec::new(Rule::FixedOutDegree { k: 25 }).autapses(false).multapses(true),
        ConnectSpec::new(Rule::AllToAll).autapses(false),
    ]
}

#[test]
fn patterns_are_identical_for_1_2_and_4_threads() {
    // 1000 lines span several chunks of 128.
    for spec in specs() {
        let build = || spec.connect_recurrent(1000, 77, 5).unwrap();
        let one: Connectivity = in_pool(1, build);
        assert_eq!(one, in_pool(2, build), "{spec:?}");
        assert_eq!(one, in_pool(4, build), "{spec:?}");
        // and the seed matters
        if !matches!(spec.rule, Rule::AllToAll) {
            assert_ne!(one, spec.connect_recurrent(1000, 78, 5).unwrap(), "{spec:?}");
            assert_ne!(one, spec.connect_recurrent(1000, 77, 6).unwrap(), "{spec:?}");
        }
    }
}

#[test]
fn delays_are_identical_for_1_2_and_4_threads() {
    let clock = Clock::new(0.1).unwrap();
    let d = DelayDistribution::Uniform { min_ms: 0.5, max_ms: 5.0 };
    let n = 300_000; // several chunks of 65 536
    let one = in_pool(1, || d.sample_steps(n, &clock, 3, 4));
    assert_eq!(one, in_pool(2, || d.sample_steps(n, &clock, 3, 4)));
    assert_eq!(one, in_pool(4, || d.sample_steps(n, &clock, 3, 4)));
    assert_ne!(one, d.sample_steps(n, &clock, 3, 5));
}
