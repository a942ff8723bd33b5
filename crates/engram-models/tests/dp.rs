//! The Dp model's claims that a CI-sized run can check (one full-size network; the 10 learned
//! odors, as co-tuning is defined over them, and 4 novel odors):
//! docs/models/dp.md#numbers-stated-in-the-paper and docs/models/dp.md#claims.

use engram_models::dp::{
    DpConfig, DpConnectivity, OdorSet, Protocol, RunMetrics, Variant, odor_sets, run_metrics, simulate,
};
use std::sync::OnceLock;

struct Runs {
    rand_learned: RunMetrics,
    rand_novel: RunMetrics,
    scaled_learned: RunMetrics,
    scaled_novel: RunMetrics,
    tuned_learned: RunMetrics,
    tuned_novel: RunMetrics,
}

/// One network (structure A), three variants, learned and novel odors; computed once.
fn runs() -> &'static Runs {
    static RUNS: OnceLock<Runs> = OnceLock::new();
    RUNS.get_or_init(|| {
        let config = DpConfig::default();
        let odors = odor_sets(&config, 7).unwrap();
        let base = DpConnectivity::generate(&config, &odors.learned, 101).unwrap();
        let run = |variant: Variant, set: OdorSet| {
            let (net, _) = base.with_variant(&config, variant, 101).unwrap();
            let list = match set {
                OdorSet::Learned => odors.learned[..10].to_vec(),
                OdorSet::Novel => odors.novel[..4].to_vec(),
            };
            let rec = simulate(&config, &net, &Protocol::trials(list), 5, 0.1, None).unwrap();
            run_metrics(&rec, &net, set)
        };
        let jobs = [
            (Variant::Rand, OdorSet::Learned),
            (Variant::Rand, OdorSet::Novel),
            (Variant::SCALED_I, OdorSet::Learned),
            (Variant::SCALED_I, OdorSet::Novel),
            (Variant::TUNED_EI, OdorSet::Learned),
            (Variant::TUNED_EI, OdorSet::Novel),
        ];
        use rayon::prelude::*;
        let mut m: Vec<RunMetrics> = jobs.par_iter().map(|&(v, s)| run(v, s)).collect();
        let mut next = || m.remove(0);
        Runs {
            rand_learned: next(),
            rand_novel: next(),
            scaled_learned: next(),
            scaled_novel: next(),
            tuned_learned: next(),
            tuned_novel: next(),
        }
    })
}

#[test]
fn rand_network_is_quiet_at_rest_and_fires_about_1hz_to_odors() {
    let r = runs();
    for m in [&r.rand_learned, &r.rand_novel] {
        assert!(m.e_rate_baseline_hz < 0.1, "spontaneous E rate {} Hz (paper: < 0.1)", m.e_rate_baseline_hz);
        assert!((0.7..=1.4).contains(&m.e_rate_odor_hz), "odor-evoked E rate {} Hz (paper: ≈ 1)", m.e_rate_odor_hz);
        assert!(m.i_rate_odor_hz > m.e_rate_odor_hz, "I fires more than E: {m:?}");
        assert!(m.pattern_corr.abs() < 0.15, "uncorrelated odors give uncorrelated patterns: {}", m.pattern_corr);
        assert!(m.pct_recurrent > 75.0, "recurrent share of E input {} % (paper: > 80 %)", m.pct_recurrent);
    }
}

#[test]
fn scaled_i_amplifies_inside_assemblies_far_more_than_tuned() {
    let r = runs();
    let amp = |m: &RunMetrics| m.assembly_rate_hz / r.rand_learned.assembly_rate_hz;
    let (scaled, tuned) = (amp(&r.scaled_learned), amp(&r.tuned_learned));
    assert!(scaled > 3.0, "Scaled I amplification {scaled:.2} (paper: several-fold)");
    assert!(scaled > 1.5 * tuned, "Scaled I {scaled:.2} should amplify far more than Tuned E+I {tuned:.2}");
    assert!(tuned > 1.0 && tuned < 4.0, "Tuned E+I amplification {tuned:.2} (paper: modest, a few-fold at most)");
}

#[test]
fn scaled_i_novel_odors_evoke_less_than_learned() {
    let r = runs();
    assert!(
        r.scaled_novel.e_rate_odor_hz < 0.8 * r.scaled_learned.e_rate_odor_hz,
        "Scaled I: novel {} Hz vs learned {} Hz",
        r.scaled_novel.e_rate_odor_hz,
        r.scaled_learned.e_rate_odor_hz
    );
    // Tuned networks respond to novel odors about as much as to learned ones.
    let ratio = r.tuned_novel.e_rate_odor_hz / r.tuned_learned.e_rate_odor_hz;
    assert!(ratio > 0.8, "Tuned E+I novel/learned rate ratio {ratio:.2}");
}

#[test]
fn tuned_returns_to_baseline_after_the_odor_while_scaled_i_persists() {
    let r = runs();
    let persistence = |m: &RunMetrics| m.assembly_rate_after_offset_hz / m.assembly_rate_hz;
    let (scaled, tuned) = (persistence(&r.scaled_learned), persistence(&r.tuned_learned));
    assert!(scaled > 0.5, "Scaled I assemblies keep firing after odor offset: {scaled:.2} of the odor rate");
    assert!(tuned < 0.35, "Tuned E+I assemblies fall back: {tuned:.2} of the odor rate");
    assert!(scaled > 2.0 * tuned);
}

#[test]
fn tuned_networks_are_co_tuned_more_than_rand_and_scaled_i() {
    let r = runs();
    let (tuned, rand, scaled) = (r.tuned_learned.cotuning_r, r.rand_learned.cotuning_r, r.scaled_learned.cotuning_r);
    assert!(tuned > rand + 0.1, "co-tuning Tuned E+I {tuned:.2} vs rand {rand:.2}");
    assert!(tuned > scaled + 0.1, "co-tuning Tuned E+I {tuned:.2} vs Scaled I {scaled:.2}");
    assert!(r.tuned_learned.balanced_sd_ratio > r.rand_learned.balanced_sd_ratio, "balanced-axis SD ratio");
}
