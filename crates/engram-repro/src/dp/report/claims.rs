//! The claims table of the Dp report: for each of the paper's 10 claims, the numbers of ours
//! that bear on it (the verdicts are the page's prose).

use std::fmt::Write;

use super::tables::{geometry, learned, mean, novel, pmean, range, table};
use super::{DpNumbers, Geometry, Ms, Pair, Wilcoxon, fmt, fmt_ms};

/// The claims table.
pub(super) fn claims(n: &DpNumbers) -> String {
    let rows: Vec<Vec<String>> = (1..=10).map(|k| vec![k.to_string(), claim(n, k)]).collect();
    table(&["#", "Our numbers (mean ± SD over networks unless stated)"], &rows)
}

/// The numbers behind claim `k` (1–10) of the paper.
fn claim(n: &DpNumbers, k: usize) -> String {
    const CLAIMS: [fn(&DpNumbers) -> String; 10] = [
        claim_1_fitted_and_stabilised,
        claim_2_e_assemblies_destabilise,
        claim_3_scaled_i,
        claim_4_tuned,
        claim_5_no_attractors,
        claim_6_geometry,
        claim_7_distances_and_classification,
        claim_8_concentration,
        claim_9_continual_learning,
        claim_10_connectivity_not_biophysics,
    ];
    CLAIMS.get(k.wrapping_sub(1)).map_or_else(String::new, |f| f(n))
}

fn not_run() -> String {
    "not run".to_string()
}

/// Claim 1: our numbers.
fn claim_1_fitted_and_stabilised(n: &DpNumbers) -> String {
    n.fig1.as_ref().map_or_else(not_run, |f| {
        let s = &f.inhibition_stabilisation;
        format!(
            "fitted observables: table below; shuffled I spikes → runaway in **{:.2} ± {:.2}** of trials (paper 0.79 ± 0.20); replayed unshuffled: {:.2}",
            s.p_runaway_shuffled.mean, s.p_runaway_shuffled.sd, s.p_runaway_replayed_control.mean
        )
    })
}

/// Claim 2: our numbers.
fn claim_2_e_assemblies_destabilise(n: &DpNumbers) -> String {
    n.fig2.as_ref().map_or_else(not_run, |f| {
        let rates: Vec<String> =
            f.alpha_sweep.iter().map(|p| format!("{} (α {})", pmean(p.e_rate_hz, 2), p.alpha)).collect();
        let assemblies = range(f.alpha_sweep.iter().filter(|p| p.alpha >= 5.0).map(|p| p.assembly_rate_hz.0), 0);
        format!("E rate {} Hz; assemblies {assemblies} Hz from α 5", rates.join(" → "))
    })
}

/// Claim 3: our numbers.
fn claim_3_scaled_i(n: &DpNumbers) -> String {
    format!(
        "amplification {} inside, {} outside; ISI CV {} (rand {}); {} Hz after odor offset (odor: {}); novel {} vs learned {} Hz; co-tuning {} (rand {})",
        fmt_ms(learned(n, "scaled_i", "amplification_in"), 1),
        fmt_ms(learned(n, "scaled_i", "amplification_out"), 2),
        mean(learned(n, "scaled_i", "isi_cv_assembly"), 2),
        mean(learned(n, "rand", "isi_cv_assembly"), 2),
        mean(learned(n, "scaled_i", "assembly_rate_after_offset_hz"), 1),
        mean(learned(n, "scaled_i", "assembly_rate_hz"), 1),
        mean(novel(n, "scaled_i", "e_rate_odor_hz"), 2),
        mean(learned(n, "scaled_i", "e_rate_odor_hz"), 2),
        fmt_ms(learned(n, "scaled_i", "cotuning_r"), 2),
        fmt_ms(learned(n, "rand", "cotuning_r"), 2),
    )
}

/// Claim 4: our numbers.
fn claim_4_tuned(n: &DpNumbers) -> String {
    {
        let both = |m: &str, d: usize| {
            format!("{}, {}", mean(learned(n, "tuned_i", m), d), mean(learned(n, "tuned_ei", m), d))
        };
        format!(
            "E rate learned/novel {}/{} (Tuned I), {}/{} Hz (Tuned E+I); amplification {} and {}; ISI CV {}; co-tuning {} and {}; balanced-axis SD ratio {} (rand {}, Scaled I {})",
            mean(learned(n, "tuned_i", "e_rate_odor_hz"), 2),
            mean(novel(n, "tuned_i", "e_rate_odor_hz"), 2),
            mean(learned(n, "tuned_ei", "e_rate_odor_hz"), 2),
            mean(novel(n, "tuned_ei", "e_rate_odor_hz"), 2),
            fmt_ms(learned(n, "tuned_i", "amplification_in"), 1),
            fmt_ms(learned(n, "tuned_ei", "amplification_in"), 1),
            both("isi_cv_assembly", 2),
            fmt_ms(learned(n, "tuned_i", "cotuning_r"), 2),
            fmt_ms(learned(n, "tuned_ei", "cotuning_r"), 2),
            both("balanced_sd_ratio", 2),
            mean(learned(n, "rand", "balanced_sd_ratio"), 2),
            mean(learned(n, "scaled_i", "balanced_sd_ratio"), 2),
        )
    }
}

/// Claim 5: our numbers.
fn claim_5_no_attractors(n: &DpNumbers) -> String {
    {
        let after = format!(
            "after offset {} / {} Hz (Tuned I / E+I) vs {} (Scaled I)",
            mean(learned(n, "tuned_i", "assembly_rate_after_offset_hz"), 2),
            mean(learned(n, "tuned_ei", "assembly_rate_after_offset_hz"), 2),
            mean(learned(n, "scaled_i", "assembly_rate_after_offset_hz"), 1),
        );
        let Some(f) = n.fig3.as_ref() else { return after };
        let slope =
            |v: &str| f.morphs.get(v).map_or("–".into(), |m| pmean(m.novel_to_learned.steepest_step_slope, 2));
        let ratio = |v: &str| {
            f.partial_stimulation.get(v).map_or("–".into(), |p| pmean(p.other_members_over_no_assembly_during, 1))
        };
        format!(
            "{after}; steepest morph slope {} (Tuned E+I) vs {} (Scaled I), rand {}; stimulating half an assembly raises its other half to {}× (Tuned E+I), {}× (Tuned I) and {}× (Scaled I) the non-assembly rate, rand {}×",
            slope("tuned_ei"),
            slope("scaled_i"),
            slope("rand"),
            ratio("tuned_ei"),
            ratio("tuned_i"),
            ratio("scaled_i"),
            ratio("rand"),
        )
    }
}

/// Claim 6: our numbers.
fn claim_6_geometry(n: &DpNumbers) -> String {
    n.fig4.as_ref().map_or_else(not_run, |f| {
        let g = |v: &str| geometry(f, v);
        let pr = |v: &str, d| g(v).map_or("–".into(), |x| fmt_ms(x.participation_ratio.all, d));
        let novel_half = |v: &str| g(v).map_or("–".into(), |x| mean(x.participation_ratio.novel_half, 1));
        let angles = |v: &str| {
            g(v).map_or("–".into(), |x| {
                format!(
                    "{} vs {} rad (Wilcoxon p = {})",
                    mean(x.angles_rad_full_space.learned_network_means, 3),
                    mean(x.angles_rad_full_space.novel_network_means, 3),
                    fmt(Wilcoxon::p_of(x.angles_rad_full_space.wilcoxon_learned_vs_novel), 4)
                )
            })
        };
        let lv = |v: &str| {
            g(v).map_or("–".into(), |x| {
                format!("{} vs {}", mean(x.local_variance.learned_pcs_1_5, 0), mean(x.local_variance.novel_pcs_1_5, 0))
            })
        };
        format!(
            "PR {} > {} > {} (rand, Tuned E+I, Scaled I); novel half: Tuned E+I {} vs rand {}; angles near learned vs novel odors in Tuned E+I {}, rand {}; local variance on PCs 1–5 near learned vs novel odors {} (Tuned E+I)",
            pr("rand", 0),
            pr("tuned_ei", 0),
            pr("scaled_i", 1),
            novel_half("tuned_ei"),
            novel_half("rand"),
            angles("tuned_ei"),
            angles("rand"),
            lv("tuned_ei"),
        )
    })
}

/// Claim 7: our numbers.
fn claim_7_distances_and_classification(n: &DpNumbers) -> String {
    n.fig5.as_ref().map_or_else(not_run, |f| {
        let Some(t) = f.variants.get("tuned_ei") else { return not_run() };
        let d = &t.distances_assembly_neurons;
        let q = &t.qda_assembly_neurons;
        let mut s = format!(
            "d_M (assembly neurons) learned→novel {}, novel→learned {}, novel→novel {} (p = {}); QDA P_target learned {} vs novel {} (p = {})",
            mean(d.learned_to_novel.d_m, 1),
            mean(d.novel_to_learned.d_m, 1),
            mean(d.novel_to_novel.d_m, 1),
            fmt(Wilcoxon::p_of(d.wilcoxon_d_m_learned_to_novel_vs_novel_to_learned), 3),
            mean(q.p_target_learned, 2),
            mean(q.p_target_novel, 2),
            fmt(Wilcoxon::p_of(q.wilcoxon_learned_vs_novel), 2),
        );
        if let Some(sc) = f.variants.get("scaled_i") {
            let sing = sc.distances_assembly_neurons.singular_reference_fits;
            let h = sc.template_matching.hysteresis;
            let _ = write!(
                s,
                "; Scaled I: {} of {} covariance fits singular, QDA {}; template matching approaching the target {}, leaving it {} (learned targets {} vs {})",
                sing.singular,
                sing.of,
                if sc.qda_assembly_neurons.applicable { "applicable" } else { "not applicable" },
                mean(h.approaching_target, 2),
                mean(h.leaving_target, 2),
                mean(h.learned_approaching, 2),
                mean(h.learned_leaving, 2),
            );
        }
        if let Some(r) = f.variants.get("rand") {
            let h = r.template_matching.hysteresis;
            let _ = write!(
                s,
                "; rand {} vs {}",
                mean(h.approaching_target, 2),
                mean(h.leaving_target, 2)
            );
        }
        s
    })
}

/// Claim 8: our numbers.
fn claim_8_concentration(n: &DpNumbers) -> String {
    n.fig5.as_ref().map_or_else(not_run, |f| {
        let get = |v: &str, which: fn(&super::Readouts) -> Ms, d: usize| {
            f.variants.get(v).map_or("–".into(), |r| mean(which(r), d))
        };
        format!(
            "regression MSE (in-sample, %²) learned: Tuned E+I {}, rand {}, Scaled I {}; SVM accuracy learned: Tuned E+I {}, rand {}, Scaled I {}",
            get("tuned_ei", |r| r.regression_mse_fit_pct2.learned, 1),
            get("rand", |r| r.regression_mse_fit_pct2.learned, 1),
            get("scaled_i", |r| r.regression_mse_fit_pct2.learned, 1),
            get("tuned_ei", |r| r.svm_accuracy.learned, 2),
            get("rand", |r| r.svm_accuracy.learned, 2),
            get("scaled_i", |r| r.svm_accuracy.learned, 2),
        )
    })
}

/// Claim 9: our numbers.
fn claim_9_continual_learning(n: &DpNumbers) -> String {
    n.fig6.as_ref().map_or_else(not_run, |f| {
        let c = |v: &str| f.variants.get(v);
        let arrow = |v: &str, g: fn(&super::ContinualState) -> Pair, d: usize| {
            c(v).map_or("–".into(), |x| format!("{} → {}", pmean(g(&x.before), d), pmean(g(&x.after), d)))
        };
        format!(
            "overlap {} % (paper 16 %); Tuned E+I rate {} Hz, Y–Z distance {} Hz, Y–Z correlation {}; Scaled I rate {} Hz, Y–Z correlation {}",
            c("tuned_ei").map_or("–".into(), |x| fmt(x.added.overlap.0.map(|o| 100.0 * o), 1)),
            arrow("tuned_ei", |s| s.e_rate_hz, 2),
            arrow("tuned_ei", |s| s.dist_yz_hz, 0),
            arrow("tuned_ei", |s| s.corr_yz, 2),
            arrow("scaled_i", |s| s.e_rate_hz, 2),
            arrow("scaled_i", |s| s.corr_yz, 2),
        )
    })
}

/// Claim 10: our numbers.
fn claim_10_connectivity_not_biophysics(n: &DpNumbers) -> String {
    n.fig4.as_ref().and_then(|f| f.s3_controls.as_ref().zip(f.s2_simple_model.as_ref())).map_or_else(
        || "not run (full version only)".into(),
        |(s3, s2)| {
            let rate = |g: Option<&Geometry>| g.and_then(|g| g.assembly_rate_pure_learned_hz).map_or("–".into(), |m| mean(m, 1));
            let dm = |k: &str| {
                s3.variants.get(k).and_then(|g| g.distances_assembly_neurons).map_or("–".into(), |d| {
                    format!("{} vs {}", mean(d.learned_to_novel.d_m, 1), mean(d.novel_to_learned.d_m, 1))
                })
            };
            format!(
                "controls (network {}): assembly rate for the pure learned odor Tuned[adjust] {} Hz vs rand {}, Scaled[adjust] {}, Excitability {}; d_M learned→novel vs novel→learned: Tuned[adjust] {}, Scaled[adjust] {}, Excitability {}. Simple model: Tuned E+I assembly rate {} vs rand {} Hz",
                s3.network,
                rate(s3.variants.get("tuned_adjust")),
                rate(s3.variants.get("rand")),
                rate(s3.variants.get("scaled_adjust")),
                rate(s3.variants.get("excitability")),
                dm("tuned_adjust"),
                dm("scaled_adjust"),
                dm("excitability"),
                s2.variants.get("tuned_ei").and_then(|g| g.assembly_rate_pure_learned_hz).map_or("–".into(), |m| mean(m, 2)),
                s2.variants.get("rand").and_then(|g| g.assembly_rate_pure_learned_hz).map_or("–".into(), |m| mean(m, 2)),
            )
        },
    )
}
