//! Vogels et al. (2011), single-neuron detailed balance at CI size: with iSTDP on the inhibitory
//! synapses, the output rate falls from its unbalanced value towards ρ0 and the inhibitory tuning
//! curve becomes correlated with the excitatory one; at full size
//! (docs/models/vogels2011.md#validation-targets) the rate settles near ρ0 and the co-tuning
//! exceeds r = 0.9. The recurrent network at a quarter of its size: synchrony without I→E, the AI
//! state restored by iSTDP, patterns ×5 suppressed again by an inhibitory replica, recall by a cue.

use engram_analysis::correlation::pearson_correlation;
use engram_models::vogels2011::{RecurrentConfig, SingleCellConfig, mean_tuning, run_recurrent, run_single_cell};

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

/// docs/models/vogels2011.md#validation-targets, item 2, at full size (the reference's 100 runs
/// × 1.5 s, 4 s in the test profile): after learning the output rate is ≈ ρ0 and the per-channel
/// mean E and I currents are co-tuned with r > 0.9.
///
/// Rate tolerance: measured over runs 51–100 (75 s, ~400 output spikes) for seeds 2011, 1, 2,
/// 3, 4: 5.05, 5.12, 5.53, 5.45, 5.11 Hz, i.e. 12–19 % below ρ0 = 6.25 Hz, each ±0.3 Hz (standard
/// error of the per-run rates). The shift is systematic: the inhibitory inputs share their
/// channel's rate signal with the excitatory inputs that drive the cell, so pre and post spikes are
/// positively correlated, every pair adds potentiation beyond the independent-rate drift
/// `2ητρ_pre(ρ_post − ρ0)`, and the fixed point lies below ρ0 (the shift by spike correlations
/// noted in the validation targets). The test allows ±25 % of ρ0 (4.69–7.81 Hz): the measured
/// spread plus more than one standard error on either side, and still far below the unbalanced
/// start (first run > 5 ρ0). Co-tuning: Pearson r of the mean tuning over the last 10 runs measured
/// 0.9975–0.9989 and the median per-run r over the last 50 runs 0.993–0.996 for the same seeds;
/// both must exceed the threshold 0.9 of the validation targets.
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

/// The recurrent network of Fig. 4 at a quarter of its size (2000 E, 500 I; p 0.08 keeps each
/// neuron's 160 E and 40 I inputs, patterns, overlap and cue scaled by 1/4) with the quick
/// protocol (η = 0.5 nS, 15 s learning, 15 s consolidation). Seeds 1, 2, 3 in release gave:
/// A (I→E = 0) E 25.2–25.3 Hz, count correlation 0.999–1.000; B E 4.5–5.2 Hz (ρ0 = 3 Hz; the
/// full run's fixed point is ≈ 5 Hz too, see docs/reproduction/vogels2011.md), ISI CV
/// 1.13–1.17, correlation 0.004–0.010; C patterns 29.6–38.6 Hz vs control 5.5–6.7; D patterns
/// 4.4–6.0 vs control 4.2–4.6; I→E onto the patterns 37–42 nS vs control 27–28 at the end of
/// D; during the cue the rest of pattern 1 at 28.3–31.3 Hz, pattern 2 3.8–5.4 and control
/// 5.9–6.7; ISI CV over the recall window 1.26–1.33. The bounds below leave room around those.
#[test]
fn recurrent_network_regains_ai_state_stores_patterns_and_recalls_from_a_cue() {
    let cfg = RecurrentConfig {
        n_e: 2000,
        n_i: 500,
        p: 0.08,
        pattern_size: 196,
        pattern_overlap: 16,
        cue_size: 49,
        ..RecurrentConfig::quick()
    };
    let res = run_recurrent(&cfg, 1, false).unwrap();
    let window = |prefix: &str| res.windows.iter().find(|w| w.label.starts_with(prefix)).expect(prefix);
    // groups: cue, rest of pattern 1, pattern 2, control, background
    let (a, b, c, d, e) = (window("A:"), window("B:"), window("C:"), window("D:"), window("E:"));
    // A: without I→E the network fires fast and in synchrony
    assert!(a.rate_e_hz > 15.0 && a.count_corr > 0.5, "A: E {} Hz, correlation {}", a.rate_e_hz, a.count_corr);
    // B: iSTDP brings back a low-rate asynchronous irregular state near ρ0
    assert!(b.rate_e_hz > 0.5 * cfg.rho0_hz && b.rate_e_hz < 2.5 * cfg.rho0_hz, "B: E {} Hz", b.rate_e_hz);
    assert!(b.isi_cv > 0.9 && b.count_corr < 0.05, "B: CV {}, correlation {}", b.isi_cv, b.count_corr);
    // C: patterns with E→E ×5 fire well above the control group
    let (g_c, g_d) = (&c.group_rates_hz, &d.group_rates_hz);
    assert!(g_c[1] > 3.0 * g_c[3] && g_c[2] > 3.0 * g_c[3], "C: {g_c:?}");
    // D: consolidation suppresses them again, through more inhibition onto the patterns
    assert!(g_d[1] < 1.6 * g_d[3] && g_d[2] < 1.6 * g_d[3], "D: {g_d:?}");
    let w = &res.chunks.iter().rev().find(|ch| ch.t_s <= d.t1_s + 1e-9).unwrap().group_w_ie_ns;
    assert!(w[1] > w[3] + 5.0 && w[2] > w[3] + 5.0, "I->E onto groups at the end of D: {w:?} nS");
    // E: a cue to a quarter of pattern 1 recalls the rest of it, not pattern 2 or the control
    let during_cue = |g: usize| {
        let v: Vec<f64> =
            res.recall_bins.iter().filter(|(t, _)| *t > 0.0 && *t < cfg.t_recall_ms).map(|(_, x)| x[g]).collect();
        v.iter().sum::<f64>() / v.len() as f64
    };
    let (rest, p2, control) = (during_cue(1), during_cue(2), during_cue(3));
    assert!(rest > 3.0 * control, "recall: rest of pattern 1 {rest} Hz, control {control} Hz");
    assert!(p2 < 1.5 * control, "recall: pattern 2 {p2} Hz, control {control} Hz");
    assert!(e.isi_cv > 0.9, "recall stays irregular: CV {}", e.isi_cv);
}

#[test]
fn a_switch_between_chunks_is_refused_not_skipped() {
    // I→E is zeroed at the end of t_pre_ms and the patterns are imprinted at the end of
    // t_learn_ms, both at chunk boundaries: a time off the chunk grid would skip the switch
    let cfg = RecurrentConfig { t_pre_ms: 750.0, chunk_ms: 500.0, ..RecurrentConfig::quick() };
    let e = run_recurrent(&cfg, 1, false).unwrap_err().to_string();
    assert!(e.contains("t_pre_ms") && e.contains("chunk_ms = 500 ms") && e.contains("750"), "{e}");
    let cfg = RecurrentConfig { t_pre_ms: 1000.0, t_learn_ms: 1250.0, chunk_ms: 500.0, ..RecurrentConfig::quick() };
    let e = run_recurrent(&cfg, 1, false).unwrap_err().to_string();
    assert!(e.contains("t_learn_ms") && e.contains("2250"), "{e}");
}
