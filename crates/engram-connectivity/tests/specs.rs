//! Property tests over random connection specs (engram-testkit's strategies): any `ConnectSpec`
//! and delay distribution round-trips through RON and JSON; a spec made for given populations
//! passes `validate_for`, and the pattern it draws has the degrees, counts, autapses and
//! multiplicities the rule and settings promise (balancing keeps the total).

use engram_connectivity::{ConnectSpec, Rule};
use engram_core::config::{from_ron_str, to_ron_string};
use engram_core::params::Params;
use engram_testkit::strategies::{connect_spec, connect_spec_for, delay_distribution, seed};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

fn round_trips<P>(p: &P) -> Result<(), TestCaseError>
where
    P: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let text = to_ron_string(p);
    let back: P = from_ron_str(&text, "<p>").map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
    prop_assert_eq!(&back, p, "RON: {}", text);
    let back: P = serde_json::from_str(&serde_json::to_string(p).unwrap()).unwrap();
    prop_assert_eq!(&back, p);
    Ok(())
}

/// Sizes and a spec that fits them: `(n_pre, n_post, same population, spec)`.
fn fitting() -> impl Strategy<Value = (usize, usize, bool, ConnectSpec)> {
    (1..40usize, 1..40usize, any::<bool>()).prop_flat_map(|(n_pre, n_post, same)| {
        let n_post = if same { n_pre } else { n_post };
        (Just(n_pre), Just(n_post), Just(same), connect_spec_for(n_pre, n_post, same))
    })
}

proptest! {
    #![proptest_config(crate::config(64))]

    #[test]
    fn specs_and_delays_round_trip(spec in connect_spec(), delays in delay_distribution()) {
        prop_assert!(spec.validate().is_ok(), "{:?}", spec);
        prop_assert!(delays.validate().is_ok(), "{:?}", delays);
        round_trips(&spec)?;
        round_trips(&spec.rule)?;
        round_trips(&delays)?;
    }

    #[test]
    fn patterns_keep_the_promises_of_their_spec((n_pre, n_post, same, spec) in fitting(), seed in seed()) {
        prop_assert!(spec.validate_for(n_pre, n_post, same).is_ok(), "{:?}", spec.validate_for(n_pre, n_post, same));
        let c = spec.connect_populations(n_pre, n_post, same, seed, 1).unwrap();
        prop_assert_eq!((c.n_pre(), c.n_post()), (n_pre, n_post));
        let no_autapses = same && !spec.autapses;
        let total = c.n_connections();
        let expected = match &spec.rule {
            Rule::FixedInDegree { k } => Some(*k as u64 * n_post as u64),
            Rule::FixedOutDegree { k } => Some(*k as u64 * n_pre as u64),
            Rule::AllToAll => Some((n_pre * n_post - if no_autapses { n_pre } else { 0 }) as u64),
            Rule::OneToOne => Some(n_pre as u64),
            Rule::Explicit { pairs } => Some(pairs.len() as u64),
            Rule::FixedProbability { .. } | Rule::WithinGroups { .. } => None,
        };
        if let Some(expected) = expected {
            prop_assert_eq!(total, expected, "connections (balancing keeps the total)");
        }
        if spec.balance.is_none() {
            match &spec.rule {
                Rule::FixedInDegree { k } => prop_assert!(c.in_degrees().iter().all(|d| d == k)),
                Rule::FixedOutDegree { k } => prop_assert!(c.out_degrees().iter().all(|d| d == k)),
                Rule::WithinGroups { group_size, .. } => {
                    prop_assert!(c.iter().all(|(i, j, _)| i as usize / group_size == j as usize / group_size));
                }
                _ => {}
            }
            if no_autapses {
                prop_assert_eq!(c.n_diagonal_entries(), 0);
            }
            if !spec.multapses {
                prop_assert!(c.max_multiplicity() <= 1);
            }
        }
    }
}
