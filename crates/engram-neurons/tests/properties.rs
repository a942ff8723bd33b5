//! Property tests over random parameters (engram-testkit's strategies): every parameter type
//! validates and round-trips through RON and JSON; rest is a fixed point of the LIF models;
//! no neuron fires twice within its refractory period; a model restored from `save_state`
//! continues bit-identically.

use engram_core::config::{from_ron_str, to_ron_string};
use engram_core::neuron::NeuronModel;
use engram_core::params::Params;
use engram_neurons::{LifCond, LifCurrent};
use engram_testkit::network::{Models, model_spec};
use engram_testkit::neuron::NeuronDrive;
use engram_testkit::strategies::{
    adex_params, dt_ms, izhikevich_params, lif_cond_params, lif_current_params, lif_nmda_params,
};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use rand::{Rng, SeedableRng};

/// Valid, and the same after RON (the config dialect) and JSON.
fn round_trips<P>(p: &P) -> Result<(), TestCaseError>
where
    P: Params + serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    prop_assert!(p.validate().is_ok(), "{:?}: {:?}", p, p.validate());
    let text = to_ron_string(p);
    let back: P = from_ron_str(&text, "<p>").map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
    prop_assert_eq!(&back, p, "RON: {}", text);
    let back: P = serde_json::from_str(&serde_json::to_string(p).unwrap()).unwrap();
    prop_assert_eq!(&back, p);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_parameter_type_round_trips(
        cond in lif_cond_params(),
        current in lif_current_params(),
        adex in adex_params(),
        izh in izhikevich_params(),
        nmda in lif_nmda_params(),
    ) {
        round_trips(&cond)?;
        round_trips(&current)?;
        round_trips(&adex)?;
        round_trips(&izh)?;
        round_trips(&nmda)?;
    }

    #[test]
    fn rest_is_a_fixed_point_of_the_lif_models(cond in lif_cond_params(), current in lif_current_params(), dt in dt_ms()) {
        let models: Vec<(Box<dyn NeuronModel>, f64)> = vec![
            (Box::new(LifCond::new(3, cond.clone().check().unwrap())), cond.e_l_mv),
            (Box::new(LifCurrent::new(3, current.clone().check().unwrap())), current.e_l_mv),
        ];
        for (mut model, e_l) in models {
            let mut drive = NeuronDrive::new(model.as_ref(), dt);
            let spikes = drive.run(model.as_mut(), 1000);
            prop_assert!(spikes.iter().all(Vec::is_empty), "{} fired without input", model.kind());
            let v = model.state("v_mv").unwrap();
            prop_assert!(v.iter().all(|&v| (v - e_l).abs() < 1e-9), "{}: {v:?} vs E_l = {e_l}", model.kind());
        }
    }

    #[test]
    fn no_neuron_fires_within_its_refractory_period(
        cond in lif_cond_params(),
        current in lif_current_params(),
        dt in dt_ms(),
        seed in any::<u64>(),
    ) {
        let models: Vec<Box<dyn NeuronModel>> = vec![
            Box::new(LifCond::new(5, cond.check().unwrap())),
            Box::new(LifCurrent::new(5, current.check().unwrap())),
        ];
        let mut rng = rand_pcg::Pcg64::seed_from_u64(seed);
        for mut model in models {
            let t_ref = model.refractory_ms().unwrap();
            let min_steps = ((t_ref / dt).round() as u64).max(1);
            let mut drive = NeuronDrive::new(model.as_ref(), dt);
            let mut last: Vec<Option<u64>> = vec![None; 5];
            for _ in 0..2000 {
                // strong, fluctuating drive: most neurons fire as fast as they may
                for i in drive.current_pa.iter_mut() {
                    *i = rng.gen_range(0.0..20_000.0);
                }
                let step = drive.step;
                for &i in drive.step(model.as_mut()) {
                    if let Some(prev) = last[i as usize] {
                        prop_assert!(step - prev >= min_steps, "{}: spikes at steps {prev} and {step}, t_ref {t_ref} ms, dt {dt} ms", model.kind());
                    }
                    last[i as usize] = Some(step);
                }
            }
            prop_assert!(last.iter().all(Option::is_some), "{}: the drive should make every neuron fire", model.kind());
        }
    }

    #[test]
    fn a_restored_model_continues_bit_identically(model in model_spec(Models::Library), dt in dt_ms(), seed in any::<u64>()) {
        const N: usize = 6;
        let make = || model.build(N).unwrap();
        let scale = [model.unit_weight("exc"), model.unit_weight("inh")];
        let mut rng = rand_pcg::Pcg64::seed_from_u64(seed);
        let inputs: Vec<Vec<Vec<f64>>> = (0..600)
            .map(|_| {
                (0..2)
                    .map(|r| (0..N).map(|_| if rng.r#gen::<f64>() < 0.3 { 5.0 * scale[r] * rng.r#gen::<f64>() } else { 0.0 }).collect())
                    .collect()
            })
            .collect();
        let run = |m: &mut dyn NeuronModel, d: &mut NeuronDrive, from: usize, to: usize| -> Vec<Vec<u32>> {
            (from..to)
                .map(|k| {
                    for (r, w) in inputs[k].iter().enumerate() {
                        let name = if r == 0 { "exc" } else { "inh" };
                        d.receptor_mut(m, name).copy_from_slice(w);
                    }
                    d.step(m).to_vec()
                })
                .collect()
        };
        let bits = |m: &dyn NeuronModel| -> Vec<Vec<u64>> {
            m.state_names().iter().map(|s| m.state(s).unwrap().iter().map(|x| x.to_bits()).collect()).collect()
        };
        let mut a = make();
        let mut da = NeuronDrive::new(a.as_ref(), dt);
        run(a.as_mut(), &mut da, 0, 300);
        let saved = a.save_state().unwrap();
        let rest = run(a.as_mut(), &mut da, 300, 600);
        let mut b = make();
        b.load_state(&saved).unwrap();
        let mut db = NeuronDrive::new(b.as_ref(), dt);
        db.step = 300;
        prop_assert_eq!(run(b.as_mut(), &mut db, 300, 600), rest, "{}: spikes differ after restoring", a.kind());
        prop_assert_eq!(bits(b.as_ref()), bits(a.as_ref()), "{}: state differs after restoring", a.kind());
    }
}
