//! Chunked parallelism on the built-in networks: COBA-4000 (in `benchmarks`) and here the Dp
//! network (at half size, driven by a current from random potentials) with inhibitory STDP
//! on I→E give the same spikes, learned weights
//! and membrane potentials, bit for bit, on 1 thread (the sequential path), 2 and 4 threads,
//! with the populations split into chunks of 128 neurons.

use engram_core::params::Params;
use engram_models::dp::described::DpModel;
use engram_models::experiment::ModelConfig;
use engram_models::run::build_model;
use engram_plasticity::{InhibitoryStdp, InhibitoryStdpParams};
use engram_sim::stimulus::ConstantCurrent;
use engram_sim::{DivergenceGuard, ProjectionId, SpikeMonitor};
use rand::Rng;

/// Spike times and neurons of E and I, the I→E weights and E's potentials (as bits) after
/// 200 ms on `threads` threads.
type Run = (Vec<f64>, Vec<u32>, Vec<f64>, Vec<u64>, Vec<u64>);

fn dp_with_istdp(threads: usize) -> Run {
    let model = ModelConfig::Dp(DpModel { scale_down: 2, ..DpModel::default() });
    // the I→E projection's index (projections keep the order they are described in)
    let i_to_e = build_model(&model, 0.1, 3).unwrap().builder.build().unwrap().projection("I->E").unwrap();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    pool.install(|| {
        let mut b = build_model(&model, 0.1, 3).unwrap().builder;
        b.parallel_min_neurons(0).chunk_neurons(128);
        b.divergence_guard(DivergenceGuard { max_rate_hz: Some(1000.0), ..Default::default() });
        let istdp = InhibitoryStdpParams { eta: 0.05, target_rate_hz: 5.0, ..Default::default() };
        b.add_plasticity(ProjectionId(i_to_e.0), InhibitoryStdp::new(istdp.check().unwrap(), 500, 2000));
        // no odor in the first 200 ms: drive E and I with a current, from random potentials
        b.add_stimulus("E", ConstantCurrent::new(70.0)).unwrap();
        b.add_stimulus("I", ConstantCurrent::new(20.0)).unwrap();
        let m = b.add_monitor(SpikeMonitor::new(&["E", "I"]));
        let mut net = b.build().unwrap();
        let mut rng = engram_core::rng::stream(8, 0, 0);
        for pop in ["E", "I"] {
            for v in net.model_mut(pop).unwrap().state_mut("v_mv").unwrap() {
                *v = -60.0 + 15.0 * rng.r#gen::<f64>();
            }
        }
        net.set_modulator(1.0);
        net.run_ms(200.0).unwrap();
        let rec = net.monitor::<SpikeMonitor>(m).unwrap();
        let bits = |x: &[f64]| x.iter().map(|v| v.to_bits()).collect::<Vec<u64>>();
        let w = bits(net.weights(i_to_e).data());
        let v = bits(net.model("E").unwrap().unwrap().state("v_mv").unwrap());
        (rec.times_ms("E").to_vec(), rec.neurons("E").to_vec(), rec.times_ms("I").to_vec(), w, v)
    })
}

#[test]
fn dp_network_with_istdp_is_bit_identical_for_1_2_and_4_threads() {
    let one = dp_with_istdp(1);
    assert!(one.1.len() > 500 && one.2.len() > 500, "E and I must fire: {} and {} spikes", one.1.len(), one.2.len());
    let initial = build_model(&ModelConfig::Dp(DpModel { scale_down: 2, ..DpModel::default() }), 0.1, 3).unwrap();
    let w0 = initial.builder.build().unwrap();
    let w0: Vec<u64> = w0.weights(w0.projection("I->E").unwrap()).data().iter().map(|v| v.to_bits()).collect();
    assert_ne!(one.3, w0, "iSTDP must change the I->E weights");
    for threads in [2, 4] {
        let other = dp_with_istdp(threads);
        assert!(other == one, "spikes, I->E weights or potentials differ with {threads} threads");
    }
}
