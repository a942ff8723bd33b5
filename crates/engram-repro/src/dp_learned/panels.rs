//! The three figures of `dp-learned`, drawn from its [`LearnedSummary`]: the standard measures
//! per condition, the Figs 4–5 geometry (with the panel builders of Figs 4–5), and the
//! training trajectories of the first network.

use engram_models::dp::subspace::Subspace;
use engram_plot::{BarPanel, Figure, LinePanel};

use super::summary::LearnedSummary;
use super::{LearnedParams, TrainingStep};
use crate::dp::fig45::analyse::ObReference;
use crate::dp::fig45::measures::{DistancesSummary, GeometrySummary, QdaSummary};
use crate::dp::fig45::panels::{Row, angle_panel, corner_scatter, dm_panel, pr_panel, qda_panel};

/// Short labels of the condition keys for figures.
fn short_label(key: &str, settings: &[LearnedParams]) -> String {
    match key {
        "rand" => "rand".into(),
        "scaled_i" => "Scaled I".into(),
        "tuned_i" => "Tuned I".into(),
        "tuned_ei" => "Tuned E+I".into(),
        "start_chi1" => "start χ1".into(),
        "new_wired" => "new wired".into(),
        "after_continual" => "after cont.".into(),
        k => settings.iter().find(|p| super::condition_keys(p).iter().any(|c| c == k)).map_or(k.to_string(), |p| {
            let mut l = format!("ρ0 {} η {}", p.istdp.target_rate_hz, p.istdp.eta);
            if p.e_i_stdp.is_some() {
                l.push_str(" +STDP");
            }
            if let Some(h) = &p.e_i_hebbian {
                l.push_str(&format!(" +H {} {}", h.target_rate_hz, h.eta));
                if h.weight_dependence != engram_plasticity::WeightDependence::Additive {
                    l.push_str(" soft");
                }
            }
            if p.start == super::Start::Rand {
                l.push_str(" rand");
            }
            let base = p.key();
            if let Some(suffix) = k.strip_prefix(base.as_str()).filter(|s| !s.is_empty()) {
                l.push_str(&suffix.replace('_', " "));
            }
            l
        }),
    }
}

/// The standard measures per condition: mean ± SD over networks (learned odors, and novel
/// ones where `with_novel`); a measure with no value draws as 0.
pub(super) fn measures(summary: &LearnedSummary) -> Figure {
    let labels: Vec<String> = summary.conditions.iter().map(|k| short_label(k, &summary.setting_params)).collect();
    let cats: Vec<&str> = labels.iter().map(String::as_str).collect();
    let clean = |x: f64| if x.is_finite() { x } else { 0.0 };
    let panel = |title: &str, ylabel: &str, measure: &str, with_novel: bool| {
        let mut p = BarPanel::new(title, ylabel, &cats);
        let sets: &[(&str, bool)] =
            if with_novel { &[("learned", true), ("novel", false)] } else { &[("learned", true)] };
        for &(set_name, learned) in sets {
            let stats: Vec<(f64, f64)> = summary
                .conditions
                .iter()
                .map(|c| {
                    let t = &summary.table[c];
                    let s = if learned { &t.learned[measure] } else { &t.novel[measure] };
                    (s.mean.unwrap_or(f64::NAN), s.sd)
                })
                .collect();
            p = p.group(
                set_name,
                &stats.iter().map(|x| clean(x.0)).collect::<Vec<_>>(),
                &stats.iter().map(|x| clean(x.1)).collect::<Vec<_>>(),
            );
        }
        p
    };
    Figure::new(2, 4)
        .title(&format!(
            "Learned E/I assemblies: iSTDP on I→E (and pair STDP on E→I) vs hard-wired variants (mean ± SD over {} networks)",
            summary.networks.len()
        ))
        .size(3000, 1200)
        .panel(panel("E rate during odor", "Hz", "e_rate_odor_hz", true))
        .panel(panel("assembly rate", "Hz", "assembly_rate_hz", true))
        .panel(panel("amplification in assemblies", "× rand", "amplification_in", false))
        .panel(panel("assembly rate after offset", "Hz", "assembly_rate_after_offset_hz", false))
        .panel(panel("E/I co-tuning r", "r", "cotuning_r", false))
        .panel(panel("balanced / counter-balanced SD", "ratio", "balanced_sd_ratio", false))
        .panel(panel("ISI CV, assembly neurons", "CV", "isi_cv_assembly", false))
        .panel(panel("non-assembly rate", "Hz", "non_assembly_rate_hz", true))
}

/// The Figs 4–5 geometry of every condition measured on the subspace `sub` (OB reference
/// `ob`): PC scatter of the first network, PR, angles, d_M and QDA over networks.
pub(super) fn geometry(summary: &LearnedSummary, sub: &Subspace, ob: &ObReference) -> Figure {
    let settings = &summary.setting_params;
    let measured: Vec<(String, &super::summary::LearnedGeometry)> = summary
        .conditions
        .iter()
        .filter_map(|k| summary.geometry.get(k).map(|g| (short_label(k, settings), g)))
        .collect();
    let geometry: Vec<Row<'_, GeometrySummary>> = measured.iter().map(|(l, g)| (l.as_str(), &g.geometry)).collect();
    let distances: Vec<Row<'_, DistancesSummary>> =
        measured.iter().map(|(l, g)| (l.as_str(), &g.distances.distances_assembly_neurons)).collect();
    let qda: Vec<Row<'_, QdaSummary>> =
        measured.iter().map(|(l, g)| (l.as_str(), &g.qda.qda_assembly_neurons)).collect();
    let r0 = &summary.instances[0];
    let first_key = settings[0].key();
    let mut fig = Figure::new(2, 4)
        .title(&format!(
            "Geometry (Figs 4–5 measures, {} subspace presentations; scatter: network {}; bars: mean ± SD over {} networks)",
            sub.len(),
            r0.network_seed,
            summary.networks.len()
        ))
        .size(2800, 1300);
    for key in ["rand", "scaled_i", "tuned_ei", first_key.as_str()] {
        if let Some(g) = r0.conditions.iter().find(|c| c.key == key).and_then(|c| c.geometry.as_ref()) {
            fig = fig.panel(corner_scatter(&short_label(key, settings), &g.pc12, sub));
        }
    }
    let n = summary.geometry_protocol.sizes.neurons;
    fig.panel(pr_panel("participation ratio", ob, &geometry))
        .panel(angle_panel("angles around pure odors (in PCs)", &geometry, |g| &g.angles_rad_in_pcs))
        .panel(dm_panel(&format!("d_M, {n} (pseudo-)assembly neurons"), "d_M", &distances, |d| &d.d_m))
        .panel(qda_panel("QDA P(target), test mixtures (assembly neurons)", &qda))
}

/// The training of the first network: I→E weight onto the trained assemblies, their rate, and
/// the E→I selectivity, per repeat (then the continual phase).
pub(super) fn weights(summary: &LearnedSummary) -> Figure {
    let settings = &summary.setting_params;
    let r0 = &summary.instances[0];
    let n1 = settings[0].repeats;
    let pts = |steps: &[TrainingStep], off: usize, f: fn(&TrainingStep) -> f64| -> Vec<(f64, f64)> {
        steps.iter().filter(|s| f(s).is_finite()).map(|s| ((s.repeat + off) as f64, f(s))).collect()
    };
    let mut wp = LinePanel::new("total I→E weight onto a trained-assembly neuron", "repeat", "nS");
    let mut rp = LinePanel::new("own-assembly rate during odor (plastic)", "repeat", "Hz");
    let mut sp = LinePanel::new("E→I selectivity (top-25 I / all I drive from an assembly)", "repeat", "ratio");
    for t in &r0.training {
        let l = short_label(&t.key, settings);
        wp = wp.series(&l, &pts(&t.steps, 0, |s| s.w_assembly_ns));
        rp = rp.series(&l, &pts(&t.steps, 0, |s| s.assembly_rate_hz));
        if settings.iter().any(|p| p.key() == t.key && p.e_i_stdp.is_some()) {
            sp = sp.series(&l, &pts(&t.steps, 0, |s| s.e_i_selectivity));
        }
    }
    let n_rep = n1 as f64;
    let first = |v: &[Option<f64>]| v[0].unwrap_or(f64::NAN);
    let (tuned, start) = (first(&summary.e_i_selectivity.tuned_ei), first(&summary.e_i_selectivity.start_chi1));
    sp = sp.series("Tuned E+I (hard-wired)", &[(0.0, tuned), (n_rep, tuned)]);
    sp = sp.series("start (random E→I)", &[(0.0, start), (n_rep, start)]);
    if let Some(t) = r0.training.first() {
        wp = wp.series("no assembly (first setting)", &pts(&t.steps, 0, |s| s.w_non_assembly_ns));
    }
    if let Some(c) = &r0.continual {
        wp = wp.series("new assemblies (continual)", &pts(&c.steps, n1, |s| s.w_assembly_ns));
        rp = rp.series("new odors (continual)", &pts(&c.steps, n1, |s| s.assembly_rate_hz));
    }
    Figure::new(1, 3)
        .title(&format!(
            "Training, network {} (repeats 1–{n1}: learned odors; then 2 new odors, first setting)",
            r0.network_seed
        ))
        .size(2400, 600)
        .panel(wp)
        .panel(rp)
        .panel(sp)
}
