//! Vogels et al. (2011), single-neuron detailed balance at CI size: with iSTDP on the
//! inhibitory synapses, the output rate falls from its unbalanced value towards ρ0 and the
//! inhibitory tuning curve becomes correlated with the excitatory one; at full size
//! (mechanisms.md §9 item 2) the rate settles near ρ0 and the co-tuning exceeds r = 0.9.

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

/// mechanisms.md §9 item 2 at full size (the reference's 100 runs × 1.5 s, 4 s in the test
/// profile): after learning the output rate is ≈ ρ0 and the per-channel mean E and I currents
/// are co-tuned with r > 0.9.
///
/// Rate tolerance: measured over runs 51–100 (75 s, ~400 output spikes) for seeds 2011, 1, 2,
/// 3, 4: 5.05, 5.12, 5.53, 5.45, 5.11 Hz, i.e. 12–19 % below ρ0 = 6.25 Hz, each ±0.3 Hz
/// (standard error of the per-run rates). The shift is systematic: the inhibitory inputs share
/// their channel's rate signal with the excitatory inputs that drive the cell, so pre and post
/// spikes are positively correlated, every pair adds potentiation beyond the independent-rate
/// drift `2ητρ_pre(ρ_post − ρ0)`, and the fixed point lies below ρ0 (the "spike correlations
/// shift it slightly" of §9.2). The test allows ±25 % of ρ0 (4.69–7.81 Hz): the measured
/// spread plus more than one standard error on either side, and still far below the unbalanced
/// start (first run > 5 ρ0). Co-tuning: Pearson r of the mean tuning over the last 10 runs
/// measured 0.9975–0.9989 and the median per-run r over the last 50 runs 0.993–0.996 for
/// the same seeds; both must exceed the §9.2 threshold 0.9.
#[test]
fn single_neuron_detailed_balance_full_size() {
    let cfg = SingleCellConfig::default();
    assert_eq!((cfg.n_runs, cfg.run_ms), (100, 1500.0), "the reference protocol");
    let res = run_single_cell(&cfg, 2011).unwrap();
    let rho0 = cfg.rho0_hz;
    let n = res.rate_hz.len();
    assert!(res.rate_hz[0] > 5.0 * rho0, "unbalanced start: first run {} Hz", res.rate_hz[0]);

    let late = &res.rate_hz[n / 2..];
    let rate = late.iter().sum::<f64>() / late.len() as f64;
    assert!((rate - rho0).abs() < 0.25 * rho0, "rate after learning {rate:.2} Hz, rho0 {rho0} Hz");

    let (e, i) = mean_tuning(&res.runs[n - 10..]);
    let r = pearson_correlation(&e, &i).unwrap();
    assert!(r > 0.9, "co-tuning of the mean currents over the last 10 runs: r = {r:.4}");
    let mut per_run = res.cotuning_corr[n / 2..].to_vec();
    per_run.sort_by(f64::total_cmp);
    let median = per_run[per_run.len() / 2];
    assert!(median > 0.9, "median per-run co-tuning over the last {} runs: r = {median:.4}", per_run.len());
}
