//! Bad input is rejected with errors that name the field, the value and what is allowed.

use engram_connectivity::{ConnectSpec, Connectivity, DelayDistribution, OutDegreeBalancing, Rule};
use engram_core::config::from_ron_str;
use engram_core::params::Params;

#[test]
fn probability_out_of_range_names_p() {
    let err = Rule::FixedProbability { p: 1.5 }.validate().unwrap_err();
    assert_eq!(err.field, "p");
    assert_eq!(err.value, "1.5");
    assert_eq!(err.allowed, "a probability in [0, 1]");
    let err = ConnectSpec::new(Rule::FixedProbability { p: 1.5 }).connect(10, 10, 0, 0).unwrap_err();
    assert_eq!(err.field, "rule.p");
    assert!(err.to_string().contains("1.5") && err.to_string().contains("a probability in [0, 1]"), "{err}");
    assert!(ConnectSpec::new(Rule::FixedProbability { p: -0.1 }).connect(10, 10, 0, 0).is_err());
    assert!(ConnectSpec::new(Rule::FixedProbability { p: f64::NAN }).connect(10, 10, 0, 0).is_err());
}

#[test]
fn degree_larger_than_the_population_without_multapses() {
    let err = ConnectSpec::new(Rule::FixedInDegree { k: 11 }).connect(10, 5, 0, 0).unwrap_err();
    assert_eq!((err.field.as_str(), err.value.as_str()), ("rule.k", "11"));
    assert!(err.allowed.contains("at most 10"), "{err}");
    // k = n is fine between populations, but not within one without autapses
    assert!(ConnectSpec::new(Rule::FixedInDegree { k: 10 }).connect(10, 10, 0, 0).is_ok());
    let err = ConnectSpec::new(Rule::FixedInDegree { k: 10 }).autapses(false).connect_recurrent(10, 0, 0).unwrap_err();
    assert!(err.allowed.contains("at most 9"), "{err}");
    let err = ConnectSpec::new(Rule::FixedOutDegree { k: 6 }).connect(10, 5, 0, 0).unwrap_err();
    assert_eq!(err.field, "rule.k");
    // with multapses any k works, as long as there is something to draw from
    assert!(ConnectSpec::new(Rule::FixedOutDegree { k: 60 }).multapses(true).connect(10, 5, 0, 0).is_ok());
    let err = ConnectSpec::new(Rule::FixedInDegree { k: 1 }).multapses(true).connect(0, 5, 0, 0).unwrap_err();
    assert_eq!(err.field, "rule.k");
}

#[test]
fn one_to_one_and_recurrent_need_equal_sizes() {
    let err = ConnectSpec::new(Rule::OneToOne).connect(10, 11, 0, 0).unwrap_err();
    assert_eq!(err.field, "n_post");
    let err = ConnectSpec::new(Rule::AllToAll).connect_populations(10, 11, true, 0, 0).unwrap_err();
    assert_eq!(err.field, "n_post");
    let err = ConnectSpec::new(Rule::OneToOne).autapses(false).connect_recurrent(10, 0, 0).unwrap_err();
    assert_eq!(err.field, "autapses");
}

#[test]
fn explicit_pairs_out_of_range_or_against_the_settings() {
    let err = ConnectSpec::new(Rule::Explicit { pairs: vec![(0, 1), (3, 0)] }).connect(3, 3, 0, 0).unwrap_err();
    assert_eq!((err.field.as_str(), err.value.as_str()), ("rule.pairs", "(3, 0)"));
    let err = Connectivity::from_pairs(3, 3, [(0, 3)]).unwrap_err();
    assert_eq!(err.field, "pairs");
    let dup = ConnectSpec::new(Rule::Explicit { pairs: vec![(0, 1), (0, 1)] });
    assert_eq!(dup.connect(3, 3, 0, 0).unwrap_err().field, "rule.pairs");
    assert_eq!(dup.clone().multapses(true).connect(3, 3, 0, 0).unwrap().max_multiplicity(), 2);
    let auto = ConnectSpec::new(Rule::Explicit { pairs: vec![(1, 1)] }).autapses(false);
    assert_eq!(auto.connect_recurrent(3, 0, 0).unwrap_err().field, "rule.pairs");
    assert!(auto.connect(3, 3, 0, 0).is_ok(), "between populations (1, 1) is not an autapse");
}

#[test]
fn balancing_and_delay_parameters_are_checked() {
    let spec = ConnectSpec::new(Rule::FixedInDegree { k: 3 })
        .balance(OutDegreeBalancing { trigger_fraction: 0.05, target_fraction: -1.0 });
    assert_eq!(spec.connect(10, 10, 0, 0).unwrap_err().field, "balance.target_fraction");
    let err = DelayDistribution::Uniform { min_ms: 2.0, max_ms: 1.0 }.validate().unwrap_err();
    assert_eq!(err.field, "max_ms");
    assert_eq!(DelayDistribution::Constant { ms: -1.0 }.validate().unwrap_err().field, "ms");
    assert_eq!(DelayDistribution::Uniform { min_ms: f64::NAN, max_ms: 1.0 }.validate().unwrap_err().field, "min_ms");
    assert!(DelayDistribution::Uniform { min_ms: 1.0, max_ms: 1.0 }.validate().is_ok());
}

#[test]
fn ron_configs_round_trip_and_reject_unknown_fields() {
    // engram's RON dialect (engram_core::config) has implicit `Some`
    let text = "(rule: FixedInDegree(k: 200), autapses: true, multapses: false, \
                balance: (trigger_fraction: 0.03, target_fraction: 0.03))";
    let spec: ConnectSpec = from_ron_str(text, "<inline>").unwrap();
    assert_eq!(spec.rule, Rule::FixedInDegree { k: 200 });
    assert_eq!(spec.balance, Some(OutDegreeBalancing { trigger_fraction: 0.03, target_fraction: 0.03 }));
    let back: ConnectSpec = from_ron_str(&engram_core::config::to_ron_string(&spec), "<inline>").unwrap();
    assert_eq!(back, spec);
    // defaults: autapses true, multapses false, no balancing
    let spec: ConnectSpec = from_ron_str("(rule: AllToAll)", "<inline>").unwrap();
    assert_eq!(spec, ConnectSpec::new(Rule::AllToAll));
    let spec: ConnectSpec = from_ron_str("(rule: Explicit(pairs: [(0, 1), (2, 3)]))", "<inline>").unwrap();
    assert_eq!(spec.rule, Rule::Explicit { pairs: vec![(0, 1), (2, 3)] });
    for bad in
        ["(rule: AllToAll, autapse: true)", "(rule: FixedProbability(p: 0.1, q: 2))", "(rule: Bernoulli(p: 0.1))"]
    {
        assert!(from_ron_str::<ConnectSpec>(bad, "<inline>").is_err(), "{bad}");
    }
    let d: DelayDistribution = from_ron_str("Uniform(min_ms: 0.5, max_ms: 3.0)", "<inline>").unwrap();
    assert_eq!(d, DelayDistribution::Uniform { min_ms: 0.5, max_ms: 3.0 });
    assert!(from_ron_str::<DelayDistribution>("Constant(ms: 1, extra: 2)", "<inline>").is_err());
}
