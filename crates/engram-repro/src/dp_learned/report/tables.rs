//! The tables of the dp-learned report, one function per generated region, each from
//! [`LearnedNumbers`].

use std::fmt::Write;

use super::{GeometryNumbers, LearnedNumbers, StepNumbers, TrainingNumbers, arrow};
use crate::dp::fig45::measures::MeanSd;
use crate::dp::report::{Ms, fmt, fmt_ms};
use crate::dp_learned::summary::MeasureStat;
use crate::dp_learned::{LearnedParams, condition_keys, continual_keys};

/// The heading of region `name` in a run's `report.md`.
pub fn title(name: &str) -> &'static str {
    match name {
        "run" => "The run",
        "answer" => "Does precise balance learn itself? (headline measures)",
        "measures" => "Measures (standard protocol)",
        "geometry" => "Geometry (Figs 4–5 measures, subspace protocol)",
        "training" => "Training: I→E weights and rates per repeat",
        "selectivity" => "E→I selectivity",
        "continual" => "Continual learning",
        _ => "Table",
    }
}

pub(super) fn regions(n: &LearnedNumbers) -> Vec<(String, String)> {
    vec![
        ("run".to_string(), run(n)),
        ("answer".into(), answer(n)),
        ("measures".into(), measures(n)),
        ("geometry".into(), geometry(n)),
        ("training".into(), training(n)),
        ("selectivity".into(), selectivity(n)),
        ("continual".into(), continual(n)),
    ]
}

// ---------------------------------------------------------------- helpers

fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut s = format!("| {} |\n|{}|\n", header.join(" | "), vec!["---"; header.len()].join("|"));
    for r in rows {
        let _ = writeln!(s, "| {} |", r.join(" | "));
    }
    s
}

fn minutes(s: f64) -> String {
    let total = s.round() as u64;
    format!("{} min {:02} s", total / 60, total % 60)
}

/// The setting that condition `key` belongs to (its own key, `{key}_plastic`, or one of its
/// continual-learning keys).
fn setting<'a>(n: &'a LearnedNumbers, key: &str) -> Option<&'a LearnedParams> {
    n.setting_params.iter().find(|p| condition_keys(p).iter().any(|k| k == key))
}

/// The row label of a condition, as the page names it (trained settings in bold; the first
/// setting is the default, and continual learning starts from it).
fn label(n: &LearnedNumbers, key: &str) -> String {
    match key {
        "rand" => "rand".into(),
        "scaled_i" => "Scaled I (χ 1.4)".into(),
        "tuned_i" => "Tuned I".into(),
        "tuned_ei" => "Tuned E+I".into(),
        "start_chi1" => "start (Scaled, χ 1)".into(),
        "new_wired" => "new assemblies wired (default)".into(),
        "after_continual" => "after continual learning (default)".into(),
        k => setting(n, k).map_or(k.to_string(), |p| {
            let default = if n.setting_params.first().is_some_and(|d| d == p) { " (default)" } else { "" };
            let [wired, after] = continual_keys(p);
            let what = if k == format!("{}_plastic", p.key()) {
                ", rules on while measured"
            } else if k == wired {
                ": new assemblies wired"
            } else if k == after {
                ": after continual learning"
            } else {
                ""
            };
            format!("**{}**{default}{what}", p.label())
        }),
    }
}

fn ms(s: Option<&MeasureStat>) -> Ms {
    s.map_or(Ms::default(), |s| Ms { mean: s.mean, sd: Some(s.sd) })
}

/// A measure of condition `key`, learned (or novel) odors.
fn measure(n: &LearnedNumbers, key: &str, learned: bool, name: &str) -> Ms {
    n.table.get(key).map_or(Ms::default(), |t| ms(if learned { &t.learned } else { &t.novel }.get(name)))
}

/// `mean ± sd` of a Figs 4–5 measure, `(k/N)` when only k of the N networks had a value.
fn msd(m: Option<MeanSd>, digits: usize, networks: usize) -> String {
    match m {
        None => "n/a".into(),
        Some(m) => {
            let s = fmt_ms(Ms { mean: Some(m.mean), sd: Some(m.sd) }, digits);
            if m.n < networks { format!("{s} ({}/{networks})", m.n) } else { s }
        }
    }
}

/// Mean over networks of `f` at step `repeat` of the trajectories `t` (`None` without values).
fn step_mean_sd(steps: &[&[StepNumbers]], repeat: usize, f: fn(&StepNumbers) -> Option<f64>) -> Option<MeanSd> {
    let v: Vec<f64> = steps.iter().filter_map(|s| s.iter().find(|x| x.repeat == repeat).and_then(f)).collect();
    MeanSd::of(&v)
}

fn step_ms(steps: &[&[StepNumbers]], repeat: usize, f: fn(&StepNumbers) -> Option<f64>, digits: usize) -> String {
    step_mean_sd(steps, repeat, f).map_or("–".into(), |m| fmt_ms(Ms { mean: Some(m.mean), sd: Some(m.sd) }, digits))
}

/// `lo–hi` of `f` over the steps `repeats` of every trajectory.
fn step_range(
    steps: &[&[StepNumbers]],
    repeats: std::ops::RangeInclusive<usize>,
    f: fn(&StepNumbers) -> Option<f64>,
    digits: usize,
) -> String {
    let v: Vec<f64> = steps
        .iter()
        .flat_map(|s| s.iter().filter(|x| repeats.contains(&x.repeat)).filter_map(f))
        .filter(|x| x.is_finite())
        .collect();
    if v.is_empty() {
        return "–".into();
    }
    let (lo, hi) = v.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| (a.min(x), b.max(x)));
    let (lo_s, hi_s) = (format!("{lo:.digits$}"), format!("{hi:.digits$}"));
    if lo_s == hi_s { lo_s } else { format!("{lo_s}–{hi_s}") }
}

/// The trajectories of setting `key` over networks.
fn trajectories<'a>(n: &'a LearnedNumbers, key: &str) -> Vec<&'a [StepNumbers]> {
    n.instances
        .iter()
        .filter_map(|i| i.training.iter().find(|t: &&TrainingNumbers| t.key == key))
        .map(|t| t.steps.as_slice())
        .collect()
}

// ---------------------------------------------------------------- regions

fn run(n: &LearnedNumbers) -> String {
    let settings: Vec<String> = n.setting_params.iter().map(LearnedParams::label).collect();
    let repeats: Vec<usize> = n.setting_params.iter().map(|p| p.repeats).collect();
    let same_repeats = repeats.windows(2).all(|w| w[0] == w[1]);
    let g = &n.geometry_protocol;
    let plural = if n.networks.len() == 1 { "" } else { "s" };
    format!(
        "- **Seed:** {}{}.\n- **Networks:** {} structure-A network{} (seed{} {}).\n- **Settings:** {} ({}), each trained {}; the first is the default and the start of continual learning.\n- **Geometry:** trajectories {:?}, {} presentations of 1 s per condition; d_M and QDA on {} (pseudo-)assembly neurons × {} draws.\n- **Wall time of this run:** {} ({} jobs, {} summed over jobs, on the cores the run had).",
        n.seed,
        if n.quick { " (quick version)" } else { "" },
        n.networks.len(),
        plural,
        plural,
        n.networks.iter().map(u64::to_string).collect::<Vec<_>>().join(", "),
        n.setting_params.len(),
        settings.join("; "),
        if same_repeats {
            format!("{} repeats", repeats.first().copied().unwrap_or(0))
        } else {
            format!("{repeats:?} repeats")
        },
        g.trajectories,
        g.presentations,
        g.sizes.neurons,
        g.sizes.draws,
        minutes(n.wall_s),
        n.job_wall_s.len(),
        minutes(n.job_wall_s.iter().sum()),
    )
}

fn measures(n: &LearnedNumbers) -> String {
    let rows: Vec<Vec<String>> = n
        .conditions
        .iter()
        .map(|k| {
            let m = |learned: bool, name: &str| fmt_ms(measure(n, k, learned, name), 2);
            vec![
                label(n, k),
                m(true, "e_rate_odor_hz"),
                m(false, "e_rate_odor_hz"),
                m(true, "assembly_rate_hz"),
                m(true, "non_assembly_rate_hz"),
                m(true, "amplification_in"),
                m(true, "amplification_out"),
                m(true, "assembly_rate_after_offset_hz"),
                m(true, "cotuning_r"),
                m(true, "balanced_sd_ratio"),
                m(true, "isi_cv_assembly"),
            ]
        })
        .collect();
    format!(
        "{}\nMean ± SD over {} network(s); learned odors unless marked.",
        table(
            &[
                "condition",
                "E rate learned (Hz)",
                "E rate novel (Hz)",
                "assembly rate (Hz)",
                "non-assembly (Hz)",
                "ampl. in",
                "ampl. out",
                "assembly rate after offset (Hz)",
                "co-tuning r",
                "balanced SD ratio",
                "ISI CV",
            ],
            &rows,
        ),
        n.networks.len()
    )
}

fn geometry_row(n: &LearnedNumbers, key: &str, g: &GeometryNumbers) -> Vec<String> {
    let nets = n.networks.len();
    let d = &g.distances_assembly_neurons;
    let q = &g.qda_assembly_neurons;
    let qda = |m| if q.applicable { msd(m, 2, nets) } else { "n/a".into() };
    let lv = |m: Option<MeanSd>| msd(m, 0, nets);
    vec![
        label(n, key),
        msd(g.e_rate_hz, 2, nets),
        msd(g.participation_ratio.all, 1, nets),
        msd(g.participation_ratio.learned_half, 1, nets),
        msd(g.participation_ratio.novel_half, 1, nets),
        msd(g.angles_rad_in_pcs.learned_network_means, 3, nets),
        msd(g.angles_rad_in_pcs.novel_network_means, 3, nets),
        format!("{} / {}", lv(g.local_variance.learned_pcs_1_5), lv(g.local_variance.novel_pcs_1_5)),
        msd(d.learned_to_novel.d_m, 1, nets),
        msd(d.novel_to_learned.d_m, 1, nets),
        msd(d.novel_to_novel.d_m, 1, nets),
        format!("{}/{}", d.singular_reference_fits.singular, d.singular_reference_fits.of),
        qda(q.p_target_learned),
        qda(q.p_target_novel),
    ]
}

fn geometry(n: &LearnedNumbers) -> String {
    let rows: Vec<Vec<String>> =
        n.conditions.iter().filter_map(|k| n.geometry.get(k).map(|g| geometry_row(n, k, g))).collect();
    format!(
        "{}\nMean ± SD over {} network(s) ((k/N): only k networks had a value; n/a: none had, e.g. every covariance fit singular); {} presentations per condition.",
        table(
            &[
                "condition",
                "E rate (Hz)",
                "PR all",
                "PR learned half",
                "PR novel half",
                "angle near learned (rad)",
                "angle near novel (rad)",
                "local var. PCs 1–5 learned / novel (Hz²)",
                "d_M learned→novel",
                "d_M novel→learned",
                "d_M novel→novel",
                "singular fits",
                "QDA P learned",
                "QDA P novel",
            ],
            &rows,
        ),
        n.networks.len(),
        n.geometry_protocol.presentations
    )
}

fn training(n: &LearnedNumbers) -> String {
    let rows: Vec<Vec<String>> = n
        .setting_params
        .iter()
        .map(|p| {
            let key = p.key();
            let t = trajectories(n, &key);
            let last = p.repeats;
            let w = |f: fn(&StepNumbers) -> Option<f64>| {
                [0, 1, last].iter().map(|&r| step_ms(&t, r, f, 1)).collect::<Vec<_>>().join(" → ")
            };
            vec![
                label(n, &key),
                w(|s| s.w_assembly_ns),
                w(|s| s.w_non_assembly_ns),
                step_ms(&t, 1, |s| s.assembly_rate_hz, 1),
                step_ms(&t, last, |s| s.assembly_rate_hz, 1),
                step_range(&t, 2..=last, |s| s.assembly_rate_hz, 1),
                step_range(&t, 1..=last, |s| s.e_rate_odor_hz, 2),
            ]
        })
        .collect();
    let last = n.setting_params.first().map_or(0, |p| p.repeats);
    format!(
        "{}\nI→E weight: mean total I→E conductance onto a neuron, at the start → after repeat 1 → after repeat {last}; rates measured during training (rules on). Mean ± SD over {} network(s); ranges over networks and repeats.",
        table(
            &[
                "setting",
                "I→E onto trained-assembly neurons (nS)",
                "I→E onto neurons in no assembly (nS)",
                "own-assembly rate, repeat 1 (Hz)",
                &format!("own-assembly rate, repeat {last} (Hz)"),
                &format!("own-assembly rate, repeats 2–{last} (Hz)"),
                &format!("E rate during odors, repeats 1–{last} (Hz)"),
            ],
            &rows,
        ),
        n.networks.len()
    )
}

fn selectivity(n: &LearnedNumbers) -> String {
    let learners: Vec<&LearnedParams> = n.setting_params.iter().filter(|p| p.learns_e_to_i()).collect();
    let mut header: Vec<String> = vec!["network".into(), "start (random E→I)".into(), "Tuned E+I (hard-wired)".into()];
    for p in &learners {
        header.push(format!("{}: repeat 1 → peak (repeat) → repeat {}", p.label(), p.repeats));
    }
    let rows: Vec<Vec<String>> = n
        .instances
        .iter()
        .enumerate()
        .map(|(i, inst)| {
            let at = |v: &[Option<f64>]| fmt(v.get(i).copied().flatten(), 2);
            let mut row =
                vec![inst.network_seed.to_string(), at(&n.e_i_selectivity.start_chi1), at(&n.e_i_selectivity.tuned_ei)];
            for p in &learners {
                let steps = inst.training.iter().find(|t| t.key == p.key()).map_or(&[][..], |t| &t.steps[..]);
                let value = |r: usize| steps.iter().find(|s| s.repeat == r).and_then(|s| s.e_i_selectivity);
                let peak = steps
                    .iter()
                    .filter(|s| s.repeat >= 1)
                    .filter_map(|s| s.e_i_selectivity.map(|v| (s.repeat, v)))
                    .max_by(|a, b| a.1.total_cmp(&b.1));
                row.push(format!(
                    "{} → {} → {}",
                    fmt(value(1), 2),
                    peak.map_or("–".into(), |(r, v)| format!("{v:.2} ({r})")),
                    fmt(value(p.repeats), 2)
                ));
            }
            row
        })
        .collect();
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let note = if learners.is_empty() { "\nNo setting learned E→I." } else { "" };
    format!(
        "{}\nPer assembly, the E→I drive from its members onto the 25 I cells it drives most over the mean onto all I cells, averaged over the assemblies (1 = no preference).{note}",
        table(&header, &rows)
    )
}

fn continual(n: &LearnedNumbers) -> String {
    let repeats = n.setting_params.first().map_or(0, |p| p.repeats);
    let rows: Vec<Vec<String>> = n
        .instances
        .iter()
        .flat_map(|inst| {
            [("iSTDP only", &inst.continual), ("with E→I learning", &inst.continual_e_to_i)]
                .into_iter()
                .filter_map(move |(what, c)| c.as_ref().map(|c| (format!("{} ({what})", inst.network_seed), c)))
        })
        .map(|(seed, c)| {
            let w_new = |r: usize| c.steps.iter().find(|s| s.repeat == r).and_then(|s| s.w_assembly_ns);
            vec![
                seed,
                arrow(&[c.new_assembly_rate_hz.0, c.new_assembly_rate_hz.1], 1),
                arrow(&[w_new(0), w_new(repeats)], 1),
                arrow(&c.w_old_assembly_ns, 1),
            ]
        })
        .collect();
    let per_network = table(
        &[
            "network",
            "own-assembly rate of the new odors, frozen, before → after their training (Hz)",
            &format!("I→E onto the new assembly neurons, start → repeat {repeats} (nS)"),
            "I→E onto the old assembly neurons, before → after (nS)",
        ],
        &rows,
    );
    let default_key = n.setting_params.first().map(LearnedParams::key).unwrap_or_default();
    let mut keys = vec!["start_chi1".to_string(), default_key, "new_wired".into(), "after_continual".into()];
    let mut header = vec![
        "measure".to_string(),
        "start (Scaled, χ 1)".into(),
        "trained (default)".into(),
        "new assemblies wired".into(),
        "after continual learning".into(),
    ];
    if let Some(p) = n.setting_params.iter().find(|p| p.continual && p.learns_e_to_i()) {
        let [wired, after] = continual_keys(p);
        keys.extend([p.key(), wired, after]);
        header.extend([
            format!("trained ({})", p.label()),
            "new assemblies wired (E→I learning)".into(),
            "after continual learning (E→I learning)".into(),
        ]);
    }
    let old: Vec<Vec<String>> = [
        ("E rate, learned odors (Hz)", true, "e_rate_odor_hz", 2),
        ("E rate, novel odors incl. the 2 new (Hz)", false, "e_rate_odor_hz", 2),
        ("assembly rate, learned odors (Hz)", true, "assembly_rate_hz", 2),
        ("assembly rate after offset (Hz)", true, "assembly_rate_after_offset_hz", 2),
        ("ampl. in", true, "amplification_in", 2),
        ("co-tuning r", true, "cotuning_r", 2),
    ]
    .iter()
    .map(|&(name, learned, m, d)| {
        std::iter::once(name.to_string()).chain(keys.iter().map(|k| fmt_ms(measure(n, k, learned, m), d))).collect()
    })
    .collect();
    format!(
        "{per_network}\n{}\nThe old (learned) odors, weights frozen: mean ± SD over {} network(s).",
        table(&header.iter().map(String::as_str).collect::<Vec<_>>(), &old),
        n.networks.len()
    )
}

/// The headline table: every hard-wired reference and every learned condition with the
/// measures of `summary.json`'s `references` and `settings`.
fn answer(n: &LearnedNumbers) -> String {
    let f = |m: &MeasureStat, d: usize| fmt_ms(ms(Some(m)), d);
    let rows: Vec<Vec<String>> = n
        .references
        .iter()
        .chain(&n.settings)
        .map(|r| {
            vec![
                label(n, &r.name),
                if r.learns_e_to_i { "yes".into() } else { "no".into() },
                f(&r.e_rate_learned_hz, 2),
                f(&r.e_rate_novel_hz, 2),
                f(&r.amplification_in, 2),
                f(&r.assembly_rate_after_offset_hz, 2),
                f(&r.cotuning_r, 2),
                f(&r.balanced_sd_ratio, 2),
                f(&r.isi_cv_assembly, 2),
                f(&r.e_to_i_selectivity, 2),
                match r.stable_vs_rand {
                    None => "–".into(),
                    Some(true) => "yes".into(),
                    Some(false) => "**no**".into(),
                },
            ]
        })
        .collect();
    format!(
        "{}
Mean ± SD over {} network(s), learned odors unless marked. E→I selectivity: per assembly, its members' E→I drive onto the 25 I cells it drives most over the mean onto all I cells (1 = no preference); learned: after training (after continual learning: the 2 new assemblies). Stable: E rates for learned and novel odors within 50 % of rand's on every network.",
        table(
            &[
                "condition",
                "E→I learns",
                "E rate learned (Hz)",
                "E rate novel (Hz)",
                "ampl. in",
                "assembly rate after offset (Hz)",
                "co-tuning r",
                "balanced SD ratio",
                "ISI CV",
                "E→I selectivity",
                "stable",
            ],
            &rows,
        ),
        n.networks.len()
    )
}
