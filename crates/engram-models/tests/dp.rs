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
fn tuned_networks_are_co_tuned_more_than_rand() {
    let r = runs();
    let (tuned, rand) = (r.tuned_learned.cotuning_r, r.rand_learned.cotuning_r);
    // the authors' own four networks: Tuned E+I 0.24, rand 0.12 (reproduce dp-authors); this
    // network of engram's: 0.22 and 0.14
    assert!(tuned > rand + 0.05, "co-tuning Tuned E+I {tuned:.2} vs rand {rand:.2}");
    assert!(r.tuned_learned.balanced_sd_ratio > r.rand_learned.balanced_sd_ratio, "balanced-axis SD ratio");
    // Scaled I's co-tuning is not compared on one network: on this one 7 of 10 odors ignite
    // their assembly and 3 do not, and its co-tuning is 0.33 (probably the population's g_E
    // and g_I swinging together between igniting and quiet odors; not separated yet), while
    // over the full run's 8 networks it is below rand's (dp.md's claims table, claim 3).
}

/// Inputs (connections × multiplicity) from members of `pre` onto each member of `post`.
fn member_inputs(c: &engram_connectivity::Connectivity, pre: &[u32], post: &[u32]) -> Vec<u32> {
    let mut count = std::collections::HashMap::<u32, u32>::new();
    for &p in pre {
        let (targets, multiplicities) = c.row(p as usize);
        for (t, &m) in targets.iter().zip(multiplicities) {
            if post.contains(t) {
                *count.entry(*t).or_default() += u32::from(m);
            }
        }
    }
    post.iter().map(|t| count.get(t).copied().unwrap_or(0)).collect()
}

#[test]
fn fixed_counts_give_every_member_at_least_that_many_assembly_inputs() {
    use engram_models::dp::Rewiring;
    let counts = Rewiring::Counts { p_e: 12, p_i: 4, p_ei: 12 };
    let config = DpConfig { rewiring: counts, ..DpConfig::default() }.scaled_down(2);
    let odors = odor_sets(&config, 3).unwrap();
    let base = DpConnectivity::generate(&config, &odors.learned, 5).unwrap();
    let (net, _) = base.with_variant(&config, Variant::TUNED_EI, 5).unwrap();
    // the last assembly: no later assembly's rewiring edits its inputs again
    let e = net.assemblies.iter().last().unwrap().members();
    let i = net.i_assemblies.last().unwrap().members();
    let min = |v: Vec<u32>| v.into_iter().min().unwrap();
    assert!(min(member_inputs(&net.e_e, e, e)) >= 12);
    assert!(min(member_inputs(&net.i_e, i, e)) >= 4);
    assert!(min(member_inputs(&net.e_i, e, i)) >= 12);
    // (a member short of the count draws the missing inputs from all members, so some become
    // double connections: the count is reached in inputs, not always in distinct members)
    // before rewiring most members had far fewer (p = 0.1 of 50 members: 5 on average)
    assert!(min(member_inputs(&base.e_e, e, e)) < 12);
    assert_eq!(net.e_e.in_degrees(), base.e_e.in_degrees(), "rewiring keeps every in-degree");
    // a count larger than the presynaptic group is refused, naming the field
    let too_many = DpConfig { rewiring: Rewiring::Counts { p_e: 51, p_i: 4, p_ei: 12 }, ..config };
    let err = base.with_variant(&too_many, Variant::TUNED_EI, 5).unwrap_err().to_string();
    assert!(err.contains("rewiring.p_e"), "{err}");
}
