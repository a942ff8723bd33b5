//! Panels and figures of Figs 4 and 5 (with 4—S2 and 4—S3), drawn from the typed summaries;
//! the panel builders are shared with `dp-learned`'s geometry figure.

use engram_analysis::finite::finite_mean;
use engram_models::dp::params::Variant;
use engram_models::dp::subspace::Subspace;
use engram_plot::{BarPanel, Figure, HistogramPanel, LinePanel, ScatterPanel};

use super::analyse::{Direction, LEARNED, NOVEL, ObReference, ReadoutSizes};
use super::measures::{
    AnglesSummary, DirectionSummary, DistancePools, DistancesSummary, GeometryAndDistances, GeometrySummary, MeanSd,
    QdaSummary, ReadoutSummary, ReadoutsAndDistances,
};
use super::simulate::{Group, JobOut};
use super::summary::{CONTROLS, ControlsSummary, Fig4Summary, Fig5Summary, SimpleModelSummary, select};
use crate::dp::Context;

/// A row of a bar panel: its category label and the summary it shows.
pub(crate) type Row<'a, T> = (&'a str, &'a T);

/// Scatter of the presentations on PC1 and PC2, grouped by the corner with ≥ 50 %
/// concentration (or mixed).
pub(crate) fn corner_scatter(title: &str, pc12: &[(f64, f64)], sub: &Subspace) -> ScatterPanel {
    let names = ["L (learned)", "M (learned)", "N (novel)", "O (novel)", "mixed (< 50 % of each)"];
    let mut groups: Vec<Vec<(f64, f64)>> = vec![Vec::new(); 5];
    for (p, &xy) in sub.presentations.iter().zip(pc12) {
        let c = p.concentration_percent;
        let g = (0..4).find(|&i| c[i] >= 50).unwrap_or(4);
        groups[g].push(xy);
    }
    let mut panel = ScatterPanel::new(title, "PC1", "PC2");
    for (name, pts) in names.iter().zip(&groups) {
        panel = panel.group(name, pts);
    }
    panel
}

/// Grouped bars with error bars: per group, one `(mean, sd)` per category.
pub(crate) fn bars(title: &str, ylabel: &str, cats: &[&str], groups: &[(&str, Vec<(f64, f64)>)]) -> BarPanel {
    let mut p = BarPanel::new(title, ylabel, cats);
    for (name, v) in groups {
        p = p.group(name, &v.iter().map(|x| x.0).collect::<Vec<_>>(), &v.iter().map(|x| x.1).collect::<Vec<_>>());
    }
    p
}

/// The bars of one measure `stat` of every row.
fn column<T>(rows: &[Row<'_, T>], stat: impl Fn(&T) -> &Option<MeanSd>) -> Vec<(f64, f64)> {
    rows.iter().map(|r| MeanSd::bar(stat(r.1))).collect()
}

/// Participation ratio of the OB patterns and of every row's E patterns.
pub(crate) fn pr_panel(title: &str, ob: &ObReference, rows: &[Row<'_, GeometrySummary>]) -> BarPanel {
    let mut cats = vec!["OB"];
    cats.extend(rows.iter().map(|r| r.0));
    let col = |obv: f64, stat: fn(&GeometrySummary) -> &Option<MeanSd>| -> Vec<(f64, f64)> {
        std::iter::once((obv, 0.0)).chain(column(rows, stat)).collect()
    };
    bars(
        title,
        "participation ratio",
        &cats,
        &[
            ("all stimuli", col(ob.pr_all, |g| &g.participation_ratio.all)),
            ("learned half (rows 1-5)", col(ob.pr_learned_half, |g| &g.participation_ratio.learned_half)),
            ("novel half (rows 7-11)", col(ob.pr_novel_half, |g| &g.participation_ratio.novel_half)),
        ],
    )
}

/// Mean angles around the learned and the novel corners, in the space `space` picks.
pub(crate) fn angle_panel(
    title: &str,
    rows: &[Row<'_, GeometrySummary>],
    space: fn(&GeometrySummary) -> &AnglesSummary,
) -> BarPanel {
    let cats: Vec<&str> = rows.iter().map(|r| r.0).collect();
    bars(
        title,
        "angle (rad), mean ± SD",
        &cats,
        &[
            ("near learned (L, M)", column(rows, |g| &space(g).learned_pooled)),
            ("near novel (N, O)", column(rows, |g| &space(g).novel_pooled)),
        ],
    )
}

/// Mean local variance on PCs 200–400 around the learned and the novel corners.
fn lv_hi_panel(rows: &[Row<'_, GeometrySummary>]) -> BarPanel {
    let cats: Vec<&str> = rows.iter().map(|r| r.0).collect();
    bars(
        "local variance, mean over PCs 200–400",
        "variance (Hz²)",
        &cats,
        &[
            ("near learned (L, M)", column(rows, |g| &g.local_variance.learned_pcs_200_400)),
            ("near novel (N, O)", column(rows, |g| &g.local_variance.novel_pcs_200_400)),
        ],
    )
}

/// One distance `metric` (d_M, d_E or d_Ê) of every row, in the four directions.
pub(crate) fn dm_panel(
    title: &str,
    ylabel: &str,
    rows: &[Row<'_, DistancesSummary>],
    metric: fn(&DirectionSummary) -> &Option<MeanSd>,
) -> BarPanel {
    let cats: Vec<&str> = rows.iter().map(|r| r.0).collect();
    let col = |dir: Direction| column(rows, |d| metric(d.direction(dir)));
    bars(
        title,
        ylabel,
        &cats,
        &[
            ("learned → novel Q", col(Direction::LearnedToNovel)),
            ("novel → learned Q", col(Direction::NovelToLearned)),
            ("novel → novel Q", col(Direction::NovelToNovel)),
            ("learned → learned Q", col(Direction::LearnedToLearned)),
        ],
    )
}

/// QDA P(target) of the test mixtures with learned and with novel targets.
pub(crate) fn qda_panel(title: &str, rows: &[Row<'_, QdaSummary>]) -> BarPanel {
    let cats: Vec<&str> = rows.iter().map(|r| r.0).collect();
    bars(
        title,
        "P(target)",
        &cats,
        &[
            ("learned targets", column(rows, |q| &q.p_target_learned)),
            ("novel targets", column(rows, |q| &q.p_target_novel)),
        ],
    )
}

/// The first network's PC1/PC2 projections of the run of `group` and `key`.
fn pc12_of<'a>(outs: &'a [JobOut], group: Group, key: &str) -> Option<&'a Vec<(f64, f64)>> {
    outs.iter().find(|o| o.job.group == group && o.job.key == key && o.job.instance == 0).map(|o| &o.analysis.pc12)
}

/// Fig. 4: scatter of OB and of every variant, PR, local variance, angles.
pub(crate) fn fig4(
    ctx: &Context,
    sub: &Subspace,
    ob: &ObReference,
    variants: &[(&'static str, Variant)],
    summary: &Fig4Summary,
    outs: &[JobOut],
) -> Figure {
    let rows: Vec<Row<'_, GeometrySummary>> = variants.iter().map(|(k, _)| (*k, &summary.variants[*k])).collect();
    let nv = variants.len();
    let mut fig = Figure::new(3, nv + 1)
        .title(&format!(
            "Fig. 4 — odor subspace: PCA of E patterns ({} presentations; scatter: network {}), PR, local variance, angles",
            sub.len(),
            ctx.instances[0].label()
        ))
        .size(560 * (nv as u32 + 1), 1500);
    fig = fig.panel(corner_scatter("OB (input)", &ob.pc12, sub));
    for &(key, v) in variants {
        if let Some(p) = pc12_of(outs, Group::Main, key) {
            fig = fig.panel(corner_scatter(&v.label(), p, sub));
        }
    }
    fig = fig.panel(pr_panel("participation ratio (mean ± SD over networks)", ob, &rows));
    let mut lvp = LinePanel::new("local variance around pure odors (PCs 1–40)", "PC", "variance (Hz²)").log_y(true);
    for &(key, _) in variants {
        let runs = select(outs, Group::Main, key);
        for (set, cs) in [("learned", LEARNED), ("novel", NOVEL)] {
            let m = runs.first().map_or(0, |r| r.local_variance_1_40[0].len());
            let pts: Vec<(f64, f64)> = (0..m)
                .map(|j| {
                    let v: Vec<f64> =
                        runs.iter().flat_map(|r| cs.iter().map(move |&c| r.local_variance_1_40[c][j])).collect();
                    ((j + 1) as f64, finite_mean(&v))
                })
                .collect();
            lvp = lvp.series(&format!("{key}, {set}"), &pts);
        }
    }
    fig = fig.panel(lvp);
    let n_pcs = rows.first().map_or(0, |r| r.1.angle_pcs);
    fig = fig
        .panel(angle_panel(&format!("angles around pure odors (first {n_pcs} PCs)"), &rows, |g| &g.angles_rad_in_pcs));
    fig = fig.panel(angle_panel("angles around pure odors (all 4000 E neurons)", &rows, |g| &g.angles_rad_full_space));
    for (j, &(key, v)) in variants.iter().enumerate() {
        let runs = select(outs, Group::Main, key);
        let pooled = |cs: [usize; 2]| -> Vec<f64> {
            runs.iter().flat_map(|r| cs.iter().flat_map(|&c| r.angles_pcs[c].clone())).collect()
        };
        fig = fig.panel_at(
            2,
            j,
            HistogramPanel::new(&format!("angles, {}", v.label()), "angle (rad)")
                .data("near learned (L, M)", &pooled(LEARNED))
                .data("near novel (N, O)", &pooled(NOVEL))
                .bins(30)
                .range(0.0, std::f64::consts::PI),
        );
    }
    fig.panel_at(2, nv, lv_hi_panel(&rows))
}

/// Fig. 4—S2: the simple model's scatter, PR and angles.
pub(crate) fn fig4_s2(sub_s: &Subspace, ob_s: &ObReference, s2: &SimpleModelSummary, outs: &[JobOut]) -> Figure {
    let rows: Vec<Row<'_, GeometrySummary>> =
        vec![("simple rand", &s2.variants["rand"]), ("simple tuned_ei", &s2.variants["tuned_ei"])];
    let mut fig =
        Figure::new(2, 2).title("Fig. 4—S2 — simple model (equal E/I parameters), one network").size(1400, 1100);
    for key in ["rand", "tuned_ei"] {
        if let Some(p) = pc12_of(outs, Group::Simple, key) {
            fig = fig.panel(corner_scatter(&format!("simple model, {key}"), p, sub_s));
        }
    }
    fig.panel(pr_panel("participation ratio", ob_s, &rows))
        .panel(angle_panel("angles around pure odors", &rows, |g| &g.angles_rad_in_pcs))
}

/// Short bar labels of the Fig. 4—S3 conditions.
fn short_control_label(key: &'static str) -> &'static str {
    match key {
        "scaled_i" => "Scaled I",
        "tuned_ei" => "Tuned E+I",
        "tuned_adjust" => "Tuned[adj]",
        "scaled_adjust" => "Scaled[adj]",
        "excitability" => "Excitab.",
        other => other,
    }
}

/// Fig. 4—S3: the controls' scatter, PR, angles and d_M.
pub(crate) fn fig4_s3(sub_s: &Subspace, ob_s: &ObReference, s3: &ControlsSummary, outs: &[JobOut]) -> Figure {
    let labelled: Vec<(&str, &GeometryAndDistances)> =
        CONTROLS.iter().map(|(k, _)| (short_control_label(k), &s3.variants[*k])).collect();
    let geometry: Vec<Row<'_, GeometrySummary>> = labelled.iter().map(|(l, g)| (*l, &g.geometry)).collect();
    let distances: Vec<Row<'_, DistancesSummary>> =
        labelled.iter().map(|(l, g)| (*l, &g.distances.distances_assembly_neurons)).collect();
    let mut fig = Figure::new(2, 3).title(&format!("Fig. 4—S3 — controls on network {}", s3.network)).size(2100, 1100);
    for key in ["tuned_adjust", "scaled_adjust", "excitability"] {
        if let Some(p) = pc12_of(outs, Group::Controls, key) {
            fig = fig.panel(corner_scatter(key, p, sub_s));
        }
    }
    fig.panel(pr_panel("participation ratio", ob_s, &geometry))
        .panel(angle_panel("angles around pure odors", &geometry, |g| &g.angles_rad_in_pcs))
        .panel(dm_panel("d_M, 80 (pseudo-)assembly neurons", "d_M", &distances, |d| &d.d_m))
}

/// Fig. 5: distances, the QDA curves and bars, template matching, regression and SVM.
pub(crate) fn fig5(ctx: &Context, keys: &[&str], sizes: &ReadoutSizes, summary: &Fig5Summary) -> Figure {
    let variants: Vec<(&str, &ReadoutsAndDistances)> = keys.iter().map(|&k| (k, &summary.variants[k])).collect();
    let cats: Vec<&str> = keys.to_vec();
    let readout = |stat: fn(&ReadoutSummary) -> &Option<MeanSd>| -> Vec<(f64, f64)> {
        variants.iter().map(|(_, v)| MeanSd::bar(stat(&v.readouts))).collect()
    };
    let pool = |distances: fn(&DistancePools) -> &DistancesSummary| -> Vec<Row<'_, DistancesSummary>> {
        variants.iter().map(|&(k, v)| (k, distances(&v.distances))).collect()
    };
    let assembly = pool(|d| &d.distances_assembly_neurons);
    let all = pool(|d| &d.distances_all_neurons);
    let qda: Vec<Row<'_, QdaSummary>> =
        variants.iter().map(|&(k, v)| (k, &v.readouts.qda.qda_assembly_neurons)).collect();
    let mut qp =
        LinePanel::new("QDA: P(target) vs OB correlation (assembly neurons)", "OB correlation to target", "P(target)");
    for (key, q) in &qda {
        for (curve, name) in [(&q.curve_learned, "learned"), (&q.curve_novel, "novel")] {
            let pts: Vec<(f64, f64)> = curve.iter().map(|&(x, y)| (x, y.unwrap_or(f64::NAN))).collect();
            if pts.iter().any(|p| p.1.is_finite()) {
                qp = qp.series(&format!("{key}, {name}"), &pts);
            }
        }
    }
    let n = sizes.neurons;
    Figure::new(2, 5)
        .title(&format!(
            "Fig. 5 — distances and readouts ({} networks; {n} neurons per draw; missing bars: not applicable, singular covariance)",
            ctx.instances.len()
        ))
        .size(2800, 1150)
        .panel(dm_panel(&format!("d_M, {n} (pseudo-)assembly neurons"), "d_M", &assembly, |d| &d.d_m))
        .panel(dm_panel(&format!("d_M, {n} neurons of all E"), "d_M", &all, |d| &d.d_m))
        .panel(dm_panel("d_E = ‖μ_V − μ_Q‖ (assembly neurons)", "d_E (Hz)", &assembly, |d| &d.d_e))
        .panel(dm_panel("d_Ê = mean ‖v − μ_Q‖ (assembly neurons)", "d_Ê (Hz)", &assembly, |d| &d.d_ehat))
        .panel(qp)
        .panel(qda_panel("QDA P(target), test mixtures (assembly neurons)", &qda))
        .panel(bars(
            "template matching accuracy",
            "accuracy",
            &cats,
            &[
                ("learned targets", readout(|r| &r.template_matching.accuracy_learned_targets)),
                ("novel targets", readout(|r| &r.template_matching.accuracy_novel_targets)),
                ("approaching target", readout(|r| &r.template_matching.hysteresis.approaching_target)),
                ("leaving target", readout(|r| &r.template_matching.hysteresis.leaving_target)),
            ],
        ))
        .panel(bars(
            "concentration regression, in-sample MSE",
            "MSE (%²)",
            &cats,
            &[
                ("learned", readout(|r| &r.regression_mse_fit_pct2.learned)),
                ("novel", readout(|r| &r.regression_mse_fit_pct2.novel)),
            ],
        ))
        .panel(bars(
            "concentration regression, 2-fold CV MSE (median over draws)",
            "MSE (%²)",
            &cats,
            &[
                ("learned", readout(|r| &r.regression_mse_cv_pct2.learned)),
                ("novel", readout(|r| &r.regression_mse_cv_pct2.novel)),
            ],
        ))
        .panel(bars(
            "concentration SVM (6 classes), 2-fold CV",
            "accuracy",
            &cats,
            &[("learned", readout(|r| &r.svm_accuracy.learned)), ("novel", readout(|r| &r.svm_accuracy.novel))],
        ))
}
