//! The examples of `docs/guide/testing.md`, as tests (same code, with the paths a user of the
//! `engram` facade writes), so that the guide stays true.

use engram::core::config::{from_ron_str, to_ron_string};
use engram::core::neuron::NeuronModel;
use engram::core::params::Params;
use engram::neurons::{LifCurrent, LifCurrentParams};
use engram::sim::Network;
use engram_testkit::NeuronDrive;
use engram_testkit::network::{NetworkOptions, network_spec};
use engram_testkit::strategies::{dt_ms, lif_current_params};
use proptest::prelude::*;

#[test]
fn a_neuron_model_without_the_engine() {
    use engram::neurons::{LifCond, LifCondParams};
    use engram_testkit::neuron::isis_ms;

    let p = LifCondParams::coba();
    let mut model = LifCond::new(1, p.clone().check().unwrap());
    let mut drive = NeuronDrive::new(&model, 0.1);
    drive.current_pa[0] = 300.0;
    let spikes = drive.run(&mut model, 5000); // 500 ms
    assert!(isis_ms(&spikes[0], 0.1).iter().all(|&isi| isi >= p.t_ref_ms));

    // one 6 nS input at 10 ms: a PSP, no spike
    let mut model = LifCond::new(1, p.check().unwrap());
    let mut drive = NeuronDrive::new(&model, 0.1);
    let rec = drive.record(&mut model, 1000, &["v_mv", "g_exc_ns"], |step, receptors, _current| {
        if step == 100 {
            receptors[0][0] = 6.0;
        }
    });
    let v = rec.trace("v_mv", 0);
    let peak = v.iter().cloned().fold(f64::MIN, f64::max);
    assert!(rec.raster.is_empty() && peak > -59.0 && peak < -50.0, "{peak}");
}

#[test]
fn a_plasticity_rule_on_spike_trains() {
    use engram::plasticity::{InhibitoryStdp, InhibitoryStdpParams};
    use engram_testkit::plasticity::{PrePost, SynapseTable, drive};
    use engram_testkit::spikes::{poisson_trains, rng};
    use engram_testkit::stats::mean;

    // 50 inhibitory synapses onto one neuron; pre at 10 Hz, post at 1 Hz (below ρ0 = 3 Hz)
    let (dt, n_steps) = (0.1, 1_000_000); // 100 s
    let mut r = rng(1);
    let pre = poisson_trains(&mut r, 50, 10.0, dt, n_steps);
    let post = poisson_trains(&mut r, 1, 1.0, dt, n_steps);
    let mut syn = SynapseTable::all_to_all(50, 1, 1.0);
    let mut rule = InhibitoryStdp::new(InhibitoryStdpParams::default().check().unwrap(), 50, 1);
    drive(&mut rule, &mut syn, &PrePost::new(&pre, &post), dt);
    assert!(mean(&syn.weights) < 1.0); // depressed towards ρ0
}

#[test]
fn spike_drives_and_rasters() {
    use engram_testkit::Raster;
    use engram_testkit::spikes::{poisson_trains, regular_train, rng};

    let poisson = Raster::from_trains(&poisson_trains(&mut rng(2), 100, 20.0, 0.1, 100_000), 0.1);
    assert!((poisson.mean_rate_hz(100_000) - 20.0).abs() < 1.0);
    assert!((poisson.cv_isi().unwrap() - 1.0).abs() < 0.1); // Poisson: CV ≈ 1
    let fano = poisson.fano_factor(1000, 100_000).unwrap(); // 100 ms bins
    assert!((fano - 1.0).abs() < 0.3, "{fano}");
    let regular = Raster::from_trains(&[regular_train(50.0, 0.1, 0, 10_000)], 0.1);
    assert_eq!((regular.len(), regular.cv_isi()), (50, Some(0.0)));
}

proptest! {
    #[test]
    fn reads_back_from_ron(p in lif_current_params()) {
        let back: LifCurrentParams = from_ron_str(&to_ron_string(&p), "<p>").unwrap();
        prop_assert_eq!(back, p);
    }

    #[test]
    fn rests_without_input(p in lif_current_params(), dt in dt_ms()) {
        let mut model = LifCurrent::new(3, p.clone().check().unwrap());
        let mut drive = NeuronDrive::new(&model, dt);
        prop_assert!(drive.run(&mut model, 1000).iter().all(Vec::is_empty));
        prop_assert!(model.state("v_mv").unwrap().iter().all(|&v| (v - p.e_l_mv).abs() < 1e-9));
    }
}

fn state_after(spec: &engram_testkit::NetworkSpec, threads: usize) -> Vec<u8> {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    pool.install(|| {
        let (mut b, _) = spec.builder().unwrap();
        b.parallel_min_neurons(0); // the parallel path, even if small
        let mut net: Network = b.build().unwrap();
        net.run_steps(300).unwrap();
        serde_json::to_vec(&net.checkpoint().unwrap()).unwrap() // the complete state
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]
    #[test]
    fn same_state_for_any_thread_count(spec in network_spec(NetworkOptions::default())) {
        prop_assert!(state_after(&spec, 1) == state_after(&spec, 4));
    }
}
