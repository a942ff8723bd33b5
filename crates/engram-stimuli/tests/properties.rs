//! Property tests over random parameters (engram-testkit's strategies): every parameter type
//! validates and round-trips through RON and JSON; Poisson groups emit sorted, distinct, valid
//! indices and continue bit-identically after `load_state`; spike trains emit exactly their
//! spikes, each in the step that contains it; a Poisson input delivers whole multiples of its
//! weight to its targets only; a current injection is the bias plus the pulses that are on.

use engram_core::config::{from_ron_str, to_ron_string};
use engram_core::params::Params;
use engram_core::prelude::*;
use engram_stimuli::{CurrentInjection, CurrentInjectionParams, PoissonGroup, PoissonInput, SpikeTrains, Targets};
use engram_testkit::strategies::{
    current_injection_params, dt_ms, poisson_group_params, poisson_input_params, rate_spec, seed, spike_trains_params,
    targets,
};
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

fn valid<P: Params + std::fmt::Debug>(p: &P) -> Result<(), TestCaseError> {
    prop_assert!(p.validate().is_ok(), "{:?}: {:?}", p, p.validate());
    Ok(())
}

/// The neurons a `Targets` reaches in a population of `n`.
fn reached(t: &Targets, n: usize) -> Vec<bool> {
    match t {
        Targets::All => vec![true; n],
        Targets::Indices(idx) => (0..n as u32).map(|i| idx.contains(&i)).collect(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_parameter_type_round_trips(
        group in poisson_group_params(20),
        input in poisson_input_params(10, "exc", 5.0),
        trains in spike_trains_params(8),
        current in current_injection_params(10),
        rates in rate_spec(7),
        t in targets(12),
    ) {
        valid(&group)?;
        valid(&input)?;
        valid(&trains)?;
        valid(&current)?;
        prop_assert!(rates.validate(7, "rates").is_ok(), "{:?}", rates);
        prop_assert!(t.resolve(12, "targets").is_ok());
        round_trips(&group)?;
        round_trips(&input)?;
        round_trips(&trains)?;
        round_trips(&current)?;
        round_trips(&rates)?;
        round_trips(&t)?;
    }

    #[test]
    fn poisson_groups_emit_valid_spikes_and_restore(params in poisson_group_params(40), dt in dt_ms(), seed in seed()) {
        let clock = Clock::new(dt).unwrap();
        let n = params.n_sources;
        let make = || PoissonGroup::new(params.clone().check().unwrap(), seed, 3, clock);
        let emit = |g: &mut PoissonGroup, from: u64, to: u64| -> Vec<Vec<u32>> {
            (from..to)
                .map(|step| {
                    let mut s = Vec::new();
                    g.emit(&StepContext { step, dt_ms: dt }, &mut s);
                    s
                })
                .collect()
        };
        let mut a = make();
        let first = emit(&mut a, 0, 1000);
        for s in &first {
            prop_assert!(s.windows(2).all(|w| w[0] < w[1]), "unsorted or repeated: {s:?}");
            prop_assert!(s.iter().all(|&i| (i as usize) < n));
        }
        let saved = a.save_state().unwrap();
        let rest = emit(&mut a, 1000, 2000);
        let mut b = make();
        b.reseed(seed ^ 1);
        b.load_state(&saved).unwrap();
        prop_assert_eq!(emit(&mut b, 1000, 2000), rest);
    }

    #[test]
    fn spike_trains_emit_each_spike_in_its_step(params in spike_trains_params(8), dt in dt_ms()) {
        let mut trains = SpikeTrains::new(params.clone().check().unwrap(), Clock::new(dt).unwrap()).unwrap();
        let last_step = (100.0 / dt) as u64 + 2;
        let mut emitted: Vec<Vec<u64>> = vec![Vec::new(); params.n_sources];
        let mut s = Vec::new();
        for step in 0..=last_step {
            s.clear();
            trains.emit(&StepContext { step, dt_ms: dt }, &mut s);
            prop_assert!(s.windows(2).all(|w| w[0] < w[1]), "step {step}: {s:?}");
            for &i in &s {
                emitted[i as usize].push(step);
            }
        }
        for (i, steps) in emitted.iter().enumerate() {
            let mut times: Vec<f64> = params.spikes.iter().filter(|&&(j, _)| j as usize == i).map(|&(_, t)| t).collect();
            times.sort_by(f64::total_cmp);
            prop_assert_eq!(steps.len(), times.len(), "source {}", i);
            for (&step, &t) in steps.iter().zip(&times) {
                let start = step as f64 * dt;
                prop_assert!(start <= t + 1e-9 && t < start + dt + 1e-9, "source {i}: {t} ms emitted in step {step} (dt {dt})");
            }
        }
    }

    #[test]
    fn poisson_input_delivers_whole_multiples_of_its_weight_to_its_targets(
        params in poisson_input_params(15, "exc", 2.0),
        dt in dt_ms(),
        seed in seed(),
    ) {
        let n = 15;
        let mut input = PoissonInput::new(params.clone().check().unwrap(), n, seed, 4, Clock::new(dt).unwrap()).unwrap();
        let to = reached(&params.targets, n);
        let w = params.weight;
        let (mut g, mut i_pa) = (vec![0.0; n], vec![0.0; n]);
        for step in 0..500 {
            g.fill(0.0);
            input.apply(&StepContext { step, dt_ms: dt }, StimulusTarget { receptor: Some(&mut g), current_pa: &mut i_pa, first_neuron: 0 });
            for k in 0..n {
                let x = g[k];
                prop_assert!(x >= 0.0 && x.is_finite(), "neuron {k}: {x}");
                if !to[k] || w == 0.0 {
                    prop_assert_eq!(x, 0.0, "neuron {} is not a target", k);
                } else {
                    let count = (x / w).round();
                    prop_assert!((x - count * w).abs() <= 1e-9 * x.max(1.0), "neuron {k}: {x} is not a multiple of {w}");
                    prop_assert!(count <= params.n_inputs as f64);
                }
            }
        }
        prop_assert!(i_pa.iter().all(|&x| x == 0.0), "a Poisson input injects no current");
    }

    #[test]
    fn current_injection_is_the_bias_plus_the_pulses_that_are_on(params in current_injection_params(10), dt in dt_ms()) {
        let n = 10;
        let p: CurrentInjectionParams = params.clone();
        let mut inj = CurrentInjection::new(params.check().unwrap(), n, Clock::new(dt).unwrap()).unwrap();
        let to = reached(&p.targets, n);
        let near_an_edge = |t: f64| p.pulses.iter().any(|q| ((q.start_ms - t) / dt).abs() < 1e-3 || ((q.stop_ms - t) / dt).abs() < 1e-3);
        let mut i_pa = vec![0.0; n];
        for step in 0..(160.0 / dt) as u64 {
            i_pa.fill(0.0);
            inj.apply(&StepContext { step, dt_ms: dt }, StimulusTarget { receptor: None, current_pa: &mut i_pa, first_neuron: 0 });
            let t = step as f64 * dt;
            if near_an_edge(t) {
                continue;
            }
            let on = p.pulses.iter().filter(|q| q.start_ms <= t && t < q.stop_ms).fold(p.bias_pa, |acc, q| acc + q.amplitude_pa);
            for k in 0..n {
                prop_assert_eq!(i_pa[k], if to[k] { on } else { 0.0 }, "step {} neuron {}", step, k);
            }
        }
    }
}
