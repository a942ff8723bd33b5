//! Vogels et al. (2011), single-neuron detailed balance at CI size: with iSTDP on the
//! inhibitory synapses, the output rate falls from its unbalanced value towards ρ0 and the
//! inhibitory tuning curve becomes correlated with the excitatory one.

use engram_analysis::correlation::pearson_correlation;
use engram_models::vogels2011::{SingleCellConfig, mean_tuning, run_single_cell};

#[test]
fn single_neuron_istdp_moves_rate_to_rho0_and_cotunes_inhibition() {
    let cfg = SingleCellConfig { n_runs: 8, ..Default::default() };
    let res = run_single_cell(&cfg, 2011).unwrap();
    let rho0 = cfg.rho0_hz;
    let first_rate = res.rate_hz[0];
    let last_rate = (res.rate_hz[6] + res.rate_hz[7]) / 2.0;
    // unbalanced start: far above ρ0; after 12 s of learning much closer to it
    assert!(first_rate > 5.0 * rho0, "first run {first_rate} Hz");
    assert!((last_rate - rho0).abs() < 0.5 * (first_rate - rho0), "rate {first_rate} -> {last_rate} Hz, rho0 {rho0}");
    // co-tuning across the 8 channels increases
    let (e0, i0) = mean_tuning(&res.runs[..1]);
    let (e1, i1) = mean_tuning(&res.runs[6..]);
    let r0 = pearson_correlation(&e0, &i0).unwrap();
    let r1 = pearson_correlation(&e1, &i1).unwrap();
    assert!(r1 > r0 && r1 > 0.7, "co-tuning r {r0} -> {r1}");
    // inhibitory weights grew most on the preferred channel (5, index 4)
    let w = res.inh_weight_ps.last().unwrap();
    let max_k = (0..8).max_by(|&a, &b| w[a].total_cmp(&w[b])).unwrap();
    assert!((3..=5).contains(&max_k), "largest inhibitory weights on channel {} ({w:?})", max_k + 1);
    // E and I currents track each other in time better after learning
    assert!(res.runs[7].temporal_corr > res.runs[0].temporal_corr);
}
