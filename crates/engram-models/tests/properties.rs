//! Property tests over random model configs and experiments (engram-testkit's strategies,
//! feature `models`): every experiment validates and reads back from its RON (the
//! `config.ron` of a run directory) and from JSON unchanged; the E/I split, the scaled
//! probability and weights follow the size scaling; a built network has the populations the
//! config describes and a synapse count within the binomial spread of its probability.

use engram_core::config::to_ron_string;
use engram_core::params::Params;
use engram_models::coba::{CobaVariant, Scaling};
use engram_models::experiment::{Experiment, ModelConfig};
use engram_testkit::strategies::{coba_config, cuba_config, dt_ms, experiment, seed};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

/// `(n, exc_fraction, p at 4000, scaling, p used, weight scale, sizes)` of either model.
fn scaling_of(m: &ModelConfig) -> (usize, f64, f64, Scaling, (f64, f64), (usize, usize)) {
    match m {
        ModelConfig::Coba(c) => {
            (c.n, c.exc_fraction, c.connection_probability, c.scaling, c.probability_and_weight_scale(), c.sizes())
        }
        ModelConfig::Cuba(c) => {
            (c.n, c.exc_fraction, c.connection_probability, c.scaling, c.probability_and_weight_scale(), c.sizes())
        }
        ModelConfig::Network(_)
        | ModelConfig::Dp(_)
        | ModelConfig::Vogels2011(_)
        | ModelConfig::AurynBackground(_)
        | ModelConfig::Selection(_) => unreachable!("the strategies make built-in models only"),
    }
}

/// The network of `model` has populations `E` and `I` of the config's sizes and, for
/// connection probability `p` between all `n` neurons, `p n²` synapses up to 6 binomial SDs.
fn check_network(model: &ModelConfig, dt: f64, seed: u64) -> Result<(), TestCaseError> {
    let built = match model {
        ModelConfig::Coba(c) => c.build(dt, seed),
        ModelConfig::Cuba(c) => c.build(dt, seed),
        ModelConfig::Network(_)
        | ModelConfig::Dp(_)
        | ModelConfig::Vogels2011(_)
        | ModelConfig::AurynBackground(_)
        | ModelConfig::Selection(_) => unreachable!("the strategies make built-in models only"),
    };
    let net = built.unwrap().builder.build().unwrap();
    let (n, _, _, _, (p, _), (ne, ni)) = scaling_of(model);
    let sizes: Vec<(String, usize)> = net.stats().into_iter().map(|s| (s.name, s.n)).collect();
    prop_assert_eq!(sizes, vec![("E".to_string(), ne), ("I".to_string(), ni)]);
    let pairs = (n * n) as f64;
    let (mean, sd) = (p * pairs, (p * (1.0 - p) * pairs).sqrt());
    let got = net.n_synapses() as f64;
    prop_assert!((got - mean).abs() <= 6.0 * sd + 1.0, "{got} synapses, expected {mean} ± {sd}");
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn experiments_read_back_from_their_ron_and_json(exp in experiment(4000)) {
        prop_assert!(exp.validate().is_ok(), "{:?}", exp.validate());
        let text = to_ron_string(&exp);
        let back = Experiment::from_ron_str(&text, "config.ron").map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(&back, &exp, "RON:\n{}", text);
        let back: Experiment = serde_json::from_str(&serde_json::to_string(&exp).unwrap()).unwrap();
        prop_assert_eq!(back, exp);
    }

    #[test]
    fn sizes_probability_and_weights_follow_the_scaling(exp in experiment(4000)) {
        let model = &exp.model;
        let (n, f, p_4000, scaling, (p, scale), (ne, ni)) = scaling_of(model);
        prop_assert_eq!(ne + ni, n);
        prop_assert!(ne > 0 && ni > 0);
        prop_assert!((ne as f64 - f * n as f64).abs() <= 0.5);
        match scaling {
            // the in-degree is kept: p n = p_4000 · 4000, weights as published
            Scaling::FixedK => prop_assert!((p * n as f64 - p_4000 * 4000.0).abs() < 1e-9 && scale == 1.0),
            // the probability is kept, weights scale as 1/n
            Scaling::FixedP => prop_assert!(p == p_4000 && (scale * n as f64 - 4000.0).abs() < 1e-9),
        }
        if let ModelConfig::Coba(c) = model {
            let published = if c.variant == CobaVariant::Auryn { (4.0, 51.0) } else { (6.0, 67.0) };
            let (we, wi) = c.weights_ns();
            prop_assert_eq!(we, c.w_exc_ns.unwrap_or(published.0) * scale);
            prop_assert_eq!(wi, c.w_inh_ns.unwrap_or(published.1) * scale);
        }
        // what an experiment file may record is what the model has
        let populations = model.populations().unwrap();
        prop_assert_eq!(populations.iter().map(|p| (p.name.as_str(), p.n)).collect::<Vec<_>>(), vec![("E", ne), ("I", ni)]);
        prop_assert!(populations.iter().all(|p| p.state_names.contains(&"v_mv".to_string())));
    }

    #[test]
    fn built_networks_match_their_config(
        coba in coba_config(300),
        cuba in cuba_config(300),
        dt in dt_ms(),
        seed in seed(),
    ) {
        check_network(&ModelConfig::Coba(coba), dt, seed)?;
        check_network(&ModelConfig::Cuba(cuba), dt, seed)?;
    }
}
