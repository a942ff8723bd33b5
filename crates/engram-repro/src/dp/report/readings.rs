//! The regions that put two readings of an unstated procedure side by side (the paper's
//! partly reproduced claims): Fig. 1's shuffling schemes, the simple model's parameter
//! search (Fig. 4—S2), Fig. 5's covariance readings and Fig. 6's Y/Z separation. A summary
//! written before these existed gives a line saying so.

use super::tables::{VARIANTS, mean, pmean, table};
use super::{Distances, Fig1, Fig4, Fig5, Fig6, Qda, Wilcoxon, fmt};
use crate::dp::fig1::IShuffle;

/// What a region says when the summary predates it.
fn not_in_summary(what: &str) -> String {
    format!("Not in this summary ({what}: added after this run; the next `cargo xtask reproduce dp` fills it).")
}

pub(super) fn fig1_shuffling(f: &Fig1) -> String {
    let Some(schemes) = &f.inhibition_stabilisation.shuffle_schemes else {
        return not_in_summary("the shuffling schemes");
    };
    let rows: Vec<Vec<String>> = schemes
        .iter()
        .map(|s| {
            let keeps = IShuffle::ALL.iter().find(|x| x.name() == s.scheme).map_or("–", |x| x.keeps());
            let per: Vec<String> = s.p_runaway.per_network.iter().map(|p| format!("{p:.1}")).collect();
            vec![
                format!("`{}`", s.scheme),
                keeps.to_string(),
                format!("{:.2} ± {:.2}", s.p_runaway.mean, s.p_runaway.sd),
                per.join(", "),
                fmt(s.e_rate_odor_hz, 1),
            ]
        })
        .collect();
    table(&["scheme", "keeps", "P(runaway) (paper 0.79 ± 0.20)", "per network", "mean E rate, Hz"], &rows)
}

pub(super) fn fig4_s2_search(f: &Fig4) -> String {
    let Some(s) = &f.s2_parameter_search else {
        return not_in_summary("the simple model's parameter search");
    };
    let rows: Vec<Vec<String>> = s
        .points
        .iter()
        .map(|p| {
            let table5 = p.alpha == 5.0 && p.beta == 4.0 && p.gamma == 3.0;
            vec![
                format!("{}, {}, {}{}", p.alpha, p.beta, p.gamma, if table5 { " (Table 5)" } else { "" }),
                format!("{:.2}", p.rates.e_rate_odor_hz),
                format!("{:+.0} %", 100.0 * p.e_rate_change),
                format!("{:.1}", p.rates.assembly_rate_hz),
                format!("{:.2}", p.amplification),
                format!("{:.1}", p.rates.assembly_rate_after_offset_hz),
                if p.tuned_like { "**yes**".into() } else { "no".into() },
            ]
        })
        .collect();
    format!(
        "{}\nrand: E rate {:.2} Hz, assembly (pseudo-assembly) rate {:.1} Hz; {} learned odors, one trial each. Tuned-like: {}.",
        table(
            &[
                "α, β, γ",
                "E rate, Hz",
                "vs rand",
                "assembly rate, Hz",
                "amplification",
                "after offset, Hz",
                "Tuned-like"
            ],
            &rows
        ),
        s.rand.e_rate_odor_hz,
        s.rand.assembly_rate_hz,
        s.grid.odors,
        s.criteria
    )
}

/// One row of the Fig. 5 readings: d_M, its test, singular fits, QDA.
fn readout_row(name: &str, reading: &str, d: &Distances, q: &Qda) -> Vec<String> {
    vec![
        name.to_string(),
        reading.to_string(),
        format!(
            "{} / {} / {}",
            mean(d.learned_to_novel.d_m, 1),
            mean(d.novel_to_learned.d_m, 1),
            mean(d.novel_to_novel.d_m, 1)
        ),
        fmt(Wilcoxon::p_of(d.wilcoxon_d_m_learned_to_novel_vs_novel_to_learned), 3),
        format!("{} of {}", d.singular_reference_fits.singular, d.singular_reference_fits.of),
        if q.applicable {
            format!(
                "{} vs {} (p = {})",
                mean(q.p_target_learned, 2),
                mean(q.p_target_novel, 2),
                fmt(Wilcoxon::p_of(q.wilcoxon_learned_vs_novel), 2)
            )
        } else {
            "not applicable".into()
        },
    ]
}

pub(super) fn fig5_readings(f: &Fig5) -> String {
    let mut rows = Vec::new();
    for (key, name) in VARIANTS {
        let Some(r) = f.variants.get(key) else { continue };
        rows.push(readout_row(name, "as estimated (paper)", &r.distances_assembly_neurons, &r.qda_assembly_neurons));
        if let Some(s) = &r.shrinkage_reading {
            rows.push(readout_row(name, &format!("shrunk, λ = {}", s.lambda), &s.distances, &s.qda));
        }
    }
    if !f.variants.values().any(|r| r.shrinkage_reading.is_some()) {
        return not_in_summary("the shrunk-covariance readings");
    }
    table(
        &[
            "variant (80 assembly neurons)",
            "class covariances",
            "d_M learned→novel / novel→learned / novel→novel",
            "p (first two)",
            "singular covariance fits",
            "QDA P_target, learned vs novel (paper 0.94 vs 0.87)",
        ],
        &rows,
    )
}

pub(super) fn fig6_separation(f: &Fig6) -> String {
    let mut rows = Vec::new();
    for (key, name) in [("scaled_i", "Scaled I"), ("tuned_ei", "Tuned E+I")] {
        let Some(c) = f.variants.get(key) else { continue };
        let (Some(before), Some(after)) = (c.before.pc_dprime_yz, c.after.pc_dprime_yz) else {
            return not_in_summary("the within-class Y/Z separation");
        };
        rows.push(vec![
            name.to_string(),
            format!("{} → {}", pmean(c.before.pc_sep_yz, 2), pmean(c.after.pc_sep_yz, 2)),
            format!("{} → {}", pmean(before, 2), pmean(after, 2)),
            format!("{} → {}", pmean(c.before.dist_yz_hz, 0), pmean(c.after.dist_yz_hz, 0)),
        ]);
    }
    table(
        &[
            "variant",
            "Y–Z centroid distance in PC1–2 / spread of all patterns",
            "Y–Z centroid distance in PC1–2 / Y and Z's own spread (d′)",
            "Y–Z distance in the full space, Hz",
        ],
        &rows,
    )
}
