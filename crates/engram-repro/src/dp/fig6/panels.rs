//! The panels of Fig. 6, drawn from its summary: PC1–2 of the E patterns per condition (first
//! network) and the measures before and after adding the Y/Z assemblies.

use engram_plot::{BarPanel, Figure, ScatterPanel};

use super::{Fig6Summary, Measures, ODOR_NAMES, PhaseStats, Presentations, VARIANTS, phase};
use crate::dp::MeanSd;

/// The phases of the variants of [`VARIANTS`], in that order, each before and after.
fn phases(summary: &Fig6Summary) -> impl Iterator<Item = (&str, bool, &PhaseStats)> {
    VARIANTS
        .iter()
        .filter_map(|v| summary.variants.get(v.name()))
        .flat_map(|v| [(v.label.as_str(), false, &v.before), (v.label.as_str(), true, &v.after)])
}

/// PC1–2 of every presentation's E pattern in the first network, per variant and phase,
/// coloured by class.
pub fn pca(summary: &Fig6Summary, pres: &Presentations) -> Figure {
    let mut fig = Figure::new(2, 2).title("Fig. 6 — PC1–2 of E patterns (network 1; per condition)").size(1400, 1200);
    for (label, after, stats) in phases(summary) {
        let Some(m) = stats.per_network.first() else { continue };
        // 8 groups (the palette's 8 colours): the four classes, other mixtures, then the
        // pure odors drawn again on top.
        let mut groups: Vec<(String, Vec<(f64, f64)>)> =
            ODOR_NAMES.iter().map(|n| (format!("{n} + mixtures r > 0.6"), Vec::new())).collect();
        for name in ["other mixtures", "pure Y", "pure Z", "pure W, X"] {
            groups.push((name.into(), Vec::new()));
        }
        for k in 0..pres.len() {
            groups[pres.class[k].unwrap_or(4)].1.push(m.pc[k]);
            if let Some(c) = pres.pure[k] {
                groups[5 + c.min(2)].1.push(m.pc[k]);
            }
        }
        let title = format!(
            "{label} {} (PC1 {:.0} %, PC2 {:.0} %)",
            phase(after),
            100.0 * m.pc_var_ratio[0],
            100.0 * m.pc_var_ratio[1]
        );
        let mut panel = ScatterPanel::new(&title, "PC1", "PC2");
        for (name, pts) in &groups {
            panel = panel.group(name, pts);
        }
        fig = fig.panel(panel);
    }
    fig
}

/// The measures before and after adding the assemblies, mean ± SD over networks.
pub fn measures(summary: &Fig6Summary) -> Figure {
    let bars = |title: &str, ylabel: &str, f: &dyn Fn(&Measures) -> f64| {
        let cats = ["Tuned E+I", "Scaled I"]; // VARIANTS
        let mut p = BarPanel::new(title, ylabel, &cats);
        for after in [false, true] {
            let s: Vec<MeanSd> = phases(summary)
                .filter(|(_, a, _)| *a == after)
                .map(|(_, _, stats)| MeanSd::of_finite(&stats.per_network.iter().map(f).collect::<Vec<_>>()))
                .collect();
            p = p.group(
                phase(after),
                &s.iter().map(|x| x.mean).collect::<Vec<_>>(),
                &s.iter().map(|x| x.sd).collect::<Vec<_>>(),
            );
        }
        p
    };
    let protocol = &summary.protocol;
    Figure::new(2, 4)
        .title(&format!(
            "Fig. 6 — before/after adding assemblies for Y and Z (mean ± SD over {} network(s), {} trajectories)",
            protocol.networks.len(),
            protocol.trajectories.len()
        ))
        .size(2200, 1000)
        .panel(bars("E rate, all subspace odors", "Hz", &|m| m.e_rate_hz))
        .panel(bars("Y/Z assembly rate during Y/Z", "Hz", &|m| m.yz_assembly_rate_own_hz))
        .panel(bars("Y∪Z assembly rate during W, X", "Hz", &|m| m.yz_assembly_rate_wx_hz))
        .panel(bars("output corr of Y and Z class means", "r", &|m| m.corr_yz))
        .panel(bars("‖μ_Y − μ_Z‖ (class means)", "Hz", &|m| m.dist_yz_hz))
        .panel(bars("Y–Z class distance in PC1–2 / RMS spread", "ratio", &|m| m.pc_sep_yz))
        .panel(bars("d_M(V_Y, Q_Z), d_M(V_Z, Q_Y) (n/a: singular)", "d_M", &|m| 0.5 * (m.d_m[0][1] + m.d_m[1][0])))
        .panel(bars("QDA P_target, Y and Z (n/a: singular)", "P", &|m| 0.5 * (m.p_target[0] + m.p_target[1])))
}
