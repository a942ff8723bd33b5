//! The simulations of Figs 4 and 5: one subspace run per network and variant (and the Fig.
//! 4—S2/S3 runs in the full version), the Excitability calibration, and the arrays written
//! beside the figures (`.npy`). Each job analyses its own run right away, so that only the
//! [`RunAnalysis`] is kept, not the rates.

use std::path::Path;

use engram_analysis::classify::select_rows;
use engram_analysis::finite::finite_mean;
use engram_core::error::EngramError;
use engram_core::rng::component_id;
use engram_models::dp::network::DpConnectivity;
use engram_models::dp::params::{DpConfig, Structure, Variant};
use engram_models::dp::simulate::{Injection, Protocol, Window, WindowKind, simulate};
use engram_models::dp::subspace::{PIXEL_MS, Subspace, corner_assemblies, half_rates};
use engram_sim::npy::{OutputFormat, write_array};
use engram_stimuli::Odor;
use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use super::analyse::{ReadoutSizes, RunAnalysis, WholeAnalysis, analyse};
use super::summary::ExcitabilityCalibration;
use super::{EXCITABILITY_TRIAL_PA, with_tuned_i};
use crate::dp::Context;

/// Which group of runs a job belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Group {
    /// Figs 4 and 5: every network.
    Main,
    /// Fig. 4—S2: the simple model.
    Simple,
    /// Fig. 4—S3: controls on the first network.
    Controls,
}

/// One subspace run.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Job {
    /// Its group.
    pub(crate) group: Group,
    /// Index of the network instance (Main; 0 otherwise).
    pub(crate) instance: usize,
    /// Key in the outputs (`rand`, `scaled_i`, …, `excitability`).
    pub(crate) key: &'static str,
    /// The variant simulated (rand for Excitability).
    pub(crate) variant: Variant,
    /// Whether this is the Excitability control.
    pub(crate) excitability: bool,
}

/// What a job measured.
pub(crate) struct JobOut {
    /// The job.
    pub(crate) job: Job,
    /// Label of its network (`A1`, `simple1`).
    pub(crate) label: String,
    /// The analysis of the run.
    pub(crate) analysis: RunAnalysis,
    /// CPU time of this job's simulations (calibration included), s.
    pub(crate) sim_s: f64,
    /// CPU time of its analyses, s.
    pub(crate) analysis_cpu_s: f64,
    /// Main runs of the first network: the same run analysed on the Fig. 4—S2/S3 trajectories.
    pub(crate) subset: Option<RunAnalysis>,
    /// The Excitability calibration (Excitability job only).
    pub(crate) calibration: Option<ExcitabilityCalibration>,
}

/// What a job sends back (across ranks when the jobs are spread): its [`JobOut`] without the
/// job, the analyses whole, and the E patterns to write (first network's main runs).
#[derive(Serialize, Deserialize)]
struct Measured {
    label: String,
    analysis: WholeAnalysis,
    sim_s: f64,
    analysis_cpu_s: f64,
    subset: Option<WholeAnalysis>,
    calibration: Option<ExcitabilityCalibration>,
    patterns: Option<Array2<f64>>,
}

/// The variants of every network: rand, Scaled I, (Tuned I,) Tuned E+I.
pub(crate) fn main_variants(quick: bool) -> Vec<(&'static str, Variant)> {
    let mut variants = vec![("rand", Variant::Rand), ("scaled_i", Variant::SCALED_I), ("tuned_ei", Variant::TUNED_EI)];
    if with_tuned_i(quick) {
        variants.insert(2, ("tuned_i", Variant::TUNED_I));
    }
    variants
}

/// The jobs, longest first: the Fig. 4—S2/S3 runs (full version), then every network's
/// variants.
fn jobs(ctx: &Context, variants: &[(&'static str, Variant)], supplements: bool) -> Vec<Job> {
    let mut jobs: Vec<Job> = Vec::new();
    if supplements {
        let j = |group, key, variant, excitability| Job { group, instance: 0, key, variant, excitability };
        jobs.push(j(Group::Controls, "excitability", Variant::Rand, true));
        jobs.push(j(Group::Controls, "tuned_adjust", Variant::TUNED_ADJUST, false));
        jobs.push(j(Group::Controls, "scaled_adjust", Variant::SCALED_ADJUST, false));
        jobs.push(j(Group::Simple, "rand", Variant::Rand, false));
        jobs.push(j(Group::Simple, "tuned_ei", Variant::TUNED_EI, false));
    }
    for i in 0..ctx.instances.len() {
        for &(key, variant) in variants {
            jobs.push(Job { group: Group::Main, instance: i, key, variant, excitability: false });
        }
    }
    jobs
}

/// A network used by the jobs.
struct Net<'a> {
    config: &'a DpConfig,
    base: &'a DpConnectivity,
    seed: u64,
    label: String,
}

/// The seed of the simple-model network of Fig. 4—S2.
pub(crate) fn simple_seed(ctx: &Context) -> u64 {
    ctx.options.seed.wrapping_mul(1000).wrapping_add(901)
}

/// Run every job in parallel: the main subspace `sub` on every network, and in the full
/// version the Fig. 4—S2/S3 subspace `sub_s` (the main runs of the first network are analysed
/// on it too). The E patterns of the first network go to `npy_dir`.
pub(crate) fn simulate_all(
    ctx: &Context,
    sub: &Subspace,
    sub_s: Option<&Subspace>,
    variants: &[(&'static str, Variant)],
    sizes: &ReadoutSizes,
    npy_dir: &Path,
) -> Result<Vec<JobOut>, EngramError> {
    let simple_config = DpConfig { structure: Structure::Simple, ..DpConfig::default() };
    let simple_seed = simple_seed(ctx);
    let simple_base = match sub_s {
        Some(_) => Some(DpConnectivity::generate(&simple_config, &ctx.odors.learned, simple_seed)?),
        None => None,
    };
    let jobs = jobs(ctx, variants, sub_s.is_some());
    let measured = ctx.run_jobs("Figs 4-5: odor subspace", &jobs, |&job| {
        let net = match job.group {
            Group::Simple => Net {
                config: &simple_config,
                base: simple_base.as_ref().expect("simple network in the full version"),
                seed: simple_seed,
                label: "simple1".into(),
            },
            _ => {
                let inst = &ctx.instances[job.instance];
                Net { config: &inst.config, base: &inst.base, seed: inst.network_seed, label: inst.label() }
            }
        };
        let first = job.group == Group::Main && job.instance == 0;
        match job.group {
            Group::Main => run_job(ctx, sub, &net, job, sizes, first, sub_s.filter(|_| first)),
            _ => run_job(ctx, sub_s.expect("full version"), &net, job, sizes, false, None),
        }
    })?;
    // the patterns are written here (on rank 0 alone when the jobs are spread)
    let mut outs = Vec::with_capacity(jobs.len());
    for (job, m) in jobs.into_iter().zip(measured) {
        if let Some(full) = &m.patterns {
            write_patterns(&npy_dir.join(format!("e_patterns_{}_{}.npy", m.label, job.key)), full.view(), "e")?;
        }
        outs.push(JobOut {
            job,
            label: m.label,
            analysis: m.analysis.into(),
            sim_s: m.sim_s,
            analysis_cpu_s: m.analysis_cpu_s,
            subset: m.subset.map(Into::into),
            calibration: m.calibration,
        });
    }
    Ok(outs)
}

/// One window per presentation: its first 1 s.
fn windows_first_second(p: &Protocol) -> Vec<Window> {
    p.presentations
        .iter()
        .enumerate()
        .map(|(k, pr)| Window {
            presentation: k,
            odor: pr.odor,
            kind: WindowKind::Odor,
            start_ms: pr.onset_ms,
            end_ms: pr.onset_ms + PIXEL_MS,
        })
        .collect()
}

/// CPU seconds used by the calling thread (Linux; NaN elsewhere).
fn thread_cpu_s() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|t| t.split_whitespace().next().and_then(|x| x.parse::<u64>().ok()))
        .map_or(f64::NAN, |ns| ns as f64 * 1e-9)
}

/// Mean rate of the neurons `set`, Hz.
fn set_rate(rates: &[f64], set: &[u32]) -> f64 {
    finite_mean(&set.iter().map(|&i| rates[i as usize]).collect::<Vec<_>>())
}

/// The Excitability current I* (pA at 100 % concentration), calibrated so that the
/// pseudo-assemblies of L and M in the rand network reach the rate of their assemblies in
/// Tuned E+I during the first 1 s of the pure odors (see the module docs of `fig45`).
fn calibrate_excitability(
    net: &Net<'_>,
    corners: &[Odor; 4],
    asm: &[Vec<u32>; 4],
    dt_ms: f64,
) -> Result<(f64, ExcitabilityCalibration), EngramError> {
    let lm = vec![corners[0].clone(), corners[1].clone()];
    let (tuned, _) = net.base.with_variant(net.config, Variant::TUNED_EI, net.seed)?;
    let mut pt = Protocol::trials(lm.clone());
    pt.custom_windows = Some(windows_first_second(&pt));
    let rt = simulate(net.config, &tuned, &pt, net.seed ^ 0xCA11, dt_ms, None)?;
    let target = finite_mean(&[set_rate(&rt.e_rates_hz(0), &asm[0]), set_rate(&rt.e_rates_hz(1), &asm[1])]);
    let reps = EXCITABILITY_TRIAL_PA.len();
    let mut pr = Protocol::repeated_trials(lm, reps);
    pr.injections = pr
        .presentations
        .iter()
        .enumerate()
        .filter(|(k, _)| EXCITABILITY_TRIAL_PA[k / 2] > 0.0)
        .map(|(k, p)| Injection {
            neurons: asm[p.odor].clone(),
            start_ms: p.onset_ms,
            stop_ms: p.onset_ms + p.duration_ms,
            amplitude_pa: EXCITABILITY_TRIAL_PA[k / 2],
        })
        .collect();
    pr.custom_windows = Some(windows_first_second(&pr));
    let rr = simulate(net.config, net.base, &pr, net.seed ^ 0xCA12, dt_ms, None)?;
    let rates: Vec<f64> = (0..reps)
        .map(|j| finite_mean(&[set_rate(&rr.e_rates_hz(2 * j), &asm[0]), set_rate(&rr.e_rates_hz(2 * j + 1), &asm[1])]))
        .collect();
    let a = &EXCITABILITY_TRIAL_PA;
    let (current, how) = match rates.iter().position(|&r| r >= target) {
        Some(0) => (0.0, "target at or below the rand rate"),
        Some(j) => (a[j - 1] + (a[j] - a[j - 1]) * (target - rates[j - 1]) / (rates[j] - rates[j - 1]), "interpolated"),
        None => {
            let (j0, j1) = (reps - 2, reps - 1);
            let slope = (rates[j1] - rates[j0]) / (a[j1] - a[j0]);
            let x = if slope > 0.0 { a[j1] + (target - rates[j1]) / slope } else { a[j1] };
            (x.min(3.0 * a[j1]), "extrapolated (capped at 3× the largest trial current)")
        }
    };
    let finite = |x: f64| x.is_finite().then_some(x);
    let calibration = ExcitabilityCalibration {
        target_tuned_ei_assembly_rate_hz: finite(target),
        trial_currents_pa: a.to_vec(),
        rand_pseudo_assembly_rates_hz: rates.iter().map(|&r| finite(r)).collect(),
        current_at_100_percent_pa: finite(current),
        how: how.into(),
        injections: 0,
    };
    Ok((current, calibration))
}

/// One injection per corner L, M and run of presentations with the same current:
/// `current · c / 100` into that corner's pseudo-assembly.
fn excitability_injections(sub: &Subspace, asm: &[Vec<u32>; 4], current: f64) -> Vec<Injection> {
    let mut out: Vec<Injection> = Vec::new();
    let mut last: [Option<usize>; 2] = [None, None];
    for p in &sub.presentations {
        for c in 0..2 {
            let amp = (current * p.concentration_percent[c] as f64 / 100.0 * 100.0).round() / 100.0;
            if amp <= 0.0 {
                last[c] = None;
                continue;
            }
            if let Some(j) = last[c] {
                if out[j].stop_ms == p.onset_ms && out[j].amplitude_pa == amp {
                    out[j].stop_ms = p.onset_ms + p.duration_ms;
                    continue;
                }
            }
            out.push(Injection {
                neurons: asm[c].clone(),
                start_ms: p.onset_ms,
                stop_ms: p.onset_ms + p.duration_ms,
                amplitude_pa: amp,
            });
            last[c] = Some(out.len() - 1);
        }
    }
    out
}

/// Write a pattern matrix (rows = presentations) as `.npy` with columns `{prefix}{i}`.
pub(crate) fn write_patterns(path: &Path, m: ArrayView2<f64>, prefix: &str) -> Result<(), EngramError> {
    let names: Vec<String> = (0..m.ncols()).map(|i| format!("{prefix}{i}")).collect();
    let cols: Vec<&str> = names.iter().map(String::as_str).collect();
    let data: Vec<f64> = m.iter().copied().collect();
    write_array(path, OutputFormat::Npy, &cols, &data)
}

/// Write the OB patterns of `sub` and the table of its presentations (trajectory, row, col,
/// onset, the four concentrations and the four OB correlations) to `dir`.
pub(crate) fn write_inputs(dir: &Path, sub: &Subspace) -> Result<(), EngramError> {
    write_patterns(&dir.join("ob_patterns.npy"), sub.ob.view(), "mc")?;
    let table: Vec<f64> = sub
        .presentations
        .iter()
        .zip(&sub.corr)
        .flat_map(|(p, c)| {
            let mut row = vec![p.trajectory as f64, p.row as f64, p.col as f64, p.onset_ms];
            row.extend(p.concentration_percent.iter().map(|&x| x as f64));
            row.extend_from_slice(c);
            row
        })
        .collect();
    let cols = [
        "trajectory",
        "row",
        "col",
        "onset_ms",
        "conc_L",
        "conc_M",
        "conc_N",
        "conc_O",
        "ob_corr_L",
        "ob_corr_M",
        "ob_corr_N",
        "ob_corr_O",
    ];
    write_array(&dir.join("presentations.npy"), OutputFormat::Npy, &cols, &table)
}

/// Simulate `job` on `net` and analyse it on `sub` (and, for `subset`, on the presentations
/// of its trajectories); the E patterns are kept if `keep_patterns`.
fn run_job(
    ctx: &Context,
    sub: &Subspace,
    net: &Net<'_>,
    job: Job,
    sizes: &ReadoutSizes,
    keep_patterns: bool,
    subset: Option<&Subspace>,
) -> Result<Measured, EngramError> {
    let t_sim = thread_cpu_s();
    let variant = if job.excitability { Variant::Rand } else { job.variant };
    let (conn, _) = net.base.with_variant(net.config, variant, net.seed)?;
    let asm = corner_assemblies(&conn, net.config, &sub.corners, net.seed)?;
    let mut protocol = sub.protocol();
    let mut calibration = None;
    if job.excitability {
        let (current, mut cal) = calibrate_excitability(net, &sub.corners, &asm, ctx.dt_ms)?;
        protocol.injections = excitability_injections(sub, &asm, current);
        cal.injections = protocol.injections.len();
        calibration = Some(cal);
    }
    let rec = simulate(net.config, &conn, &protocol, net.seed ^ 0x4545, ctx.dt_ms, None)?;
    let (first, second) = half_rates(&rec);
    drop(rec);
    let t0 = thread_cpu_s();
    let sim_s = t0 - t_sim;
    let patterns = keep_patterns.then(|| (&first + &second) / 2.0);
    let seed = net.seed ^ component_id(job.key);
    let analysis = analyse(sub, &first, &second, &asm, sizes, seed)?;
    let subset = match subset {
        Some(ss) => {
            let rows: Vec<usize> = (0..sub.len())
                .filter(|&k| ss.presentations.iter().any(|p| p.trajectory == sub.presentations[k].trajectory))
                .collect();
            let (a, b) = (select_rows(first.view(), &rows), select_rows(second.view(), &rows));
            Some(analyse(ss, &a, &b, &asm, sizes, seed)?)
        }
        None => None,
    };
    let analysis_cpu_s = thread_cpu_s() - t0;
    Ok(Measured {
        label: net.label.clone(),
        analysis: analysis.into(),
        sim_s,
        analysis_cpu_s,
        subset: subset.map(Into::into),
        calibration,
        patterns,
    })
}
