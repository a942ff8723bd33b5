//! Fig. 3 (and Fig. 3—S1A): pattern completion along odor morphs, the inputs behind it, and
//! partial assembly stimulation.
//!
//! - 3A/B: per network, two morphs of 11 steps (`engram_stimuli::odor::morph`, ±1 Hz rate
//!   jitter at mixed steps) ending in the same learned target odor L: from a novel odor N
//!   (N→L) and from another learned odor L' (L'→L, the paper's "between learned odors").
//!   Network `i` uses L = learned `i mod 10` (assembly `i mod 10`), L' = learned `i+1 mod 10`,
//!   N = novel `i mod 10`. The 21 distinct odors are shown twice, each block of 21 trials in
//!   its own random order (the paper gives no order). Trials: 1 s baseline, then 1.5 s of odor
//!   (the analysis window; the paper's odors last 2 s, shortened to fit the CPU budget).
//!   x: input correlation = Pearson r of the MC rate vectors of the step and of L, averaged
//!   over the first 1.5 s of odor (`input_correlation_over`, exact rates). y: output
//!   correlation = Pearson r of E rate vectors (first 1.5 s of odor) of the step and of L,
//!   always between *different* trials (step trial × L trial, 4 pairs; for L itself its two
//!   trials), so trial noise does not inflate r at the target. Variants: rand, Scaled I,
//!   Tuned E+I (Tuned I left out to stay within the CPU budget). Mean over networks.
//! - Reset between trials (our addition): Scaled I networks keep a learned odor's assembly
//!   firing after the odor (persistent attractor, claim 3) and, in one simulation of many
//!   trials, one attractor could then dominate all later trials (seen in a first version
//!   without reset: output r ≈ 0.5 already for the pure novel odor, in random order). So
//!   500–700 ms after each odor offset every E neuron gets −100 pA, which silences that
//!   activity, and each trial starts from the spontaneous state, as in a fresh simulation.
//!   Persistence is still measured, in the 500 ms after offset, before the reset. rand and
//!   Tuned networks have no persistent activity, so the reset does not change them.
//! - 3C–F: along N→L, for assembly L (pseudo-assembly in rand) and for neurons in no
//!   assembly: rate, and the hypothetical voltage-clamp currents of the recorded mean
//!   conductances in the first 1.5 s of odor, with a fixed 70 mV driving force for both E and
//!   I (as in Fig. 1E; docs/models/dp.md#balance-measures): OB input = g_OB·70 mV, recurrent E =
//!   g_EE·70 mV, I = g_I·70 mV (magnitudes), net recurrent = E − I. Absolute values, not
//!   baseline-subtracted.
//! - 3—S1A: baseline OB input only (6 Hz, no odor); 28 pA for 500 ms into a random half of
//!   assembly k, k = 0..9 in sequence, onsets 2 s apart, with the same reset 500–700 ms after
//!   each step. Windows: the 500 ms before (pre), during and after (post) each step. Rates of
//!   the injected neurons, of the other members of assembly k, of neurons in no assembly and
//!   of all E neurons; rand, Scaled I, Tuned I, Tuned E+I.
//!
//! `--quick`: 6 morph steps (0, 20, …, 100 % target) and 5 stimulated assemblies.
//!
//! [`run`] simulates every morph and stimulation run, analysing each recording as it ends
//! (`analysis`: per run, then over networks), and draws the panels from the summary
//! (`panels`).

use std::collections::BTreeMap;

use engram_core::error::EngramError;
use engram_core::rng::component_id;
use engram_models::dp::completion::{
    ANALYSIS_MS, BASELINE_MS, INJECTION_MS, INJECTION_PA, MorphSet, ODOR_MS, RESET_DELAY_MS, RESET_MS, RESET_PA,
    morph_protocol, stimulation_protocol,
};
use engram_models::dp::params::Variant;
use engram_models::dp::simulate::simulate;
use serde::{Deserialize, Serialize};

use super::basic::VARIANTS;
use super::{Context, CpuClock, MeanSd, null_as_nan, plot_err, write_summary};

mod analysis;
mod panels;

pub use analysis::{GroupRates, StepStats, analyse_morphs, analyse_stimulation, morph_curve, stimulation_variant};

/// Variants of the morph experiment (Tuned I is optional in the paper's Fig. 3A).
pub const MORPH_VARIANTS: [Variant; 3] = [Variant::Rand, Variant::SCALED_I, Variant::TUNED_EI];
/// Driving force of the hypothetical voltage-clamp currents, mV.
pub const DRIVING_FORCE_MV: f64 = 70.0;

/// What `fig3.json` (and `"fig3"` of `summary.json`) holds.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Fig3Summary {
    /// 3A–F per morph variant (by name).
    pub morphs: BTreeMap<String, MorphVariant>,
    /// 3—S1A per variant (by name).
    pub partial_stimulation: BTreeMap<String, StimulationVariant>,
    /// The protocols' settings.
    pub settings: Fig3Settings,
    /// Number of simulations.
    pub simulations: usize,
    /// CPU time of the process over this figure (it runs alone; includes building the
    /// variants), s.
    #[serde(deserialize_with = "null_as_nan::f64")]
    pub cpu_s: f64,
    /// Wall-clock time of this figure, s.
    pub wall_s: f64,
}

/// Both morphs of one variant.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MorphVariant {
    /// From a novel odor N to the learned L.
    pub novel_to_learned: MorphCurve,
    /// From another learned odor L' to L.
    pub learned_to_learned: MorphCurve,
    /// Label with the variant's parameters.
    pub label: String,
}

/// One morph of one variant over networks: per step, mean ± SD over networks; shape measures
/// of each network's curve, mean ± SD.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MorphCurve {
    /// Fraction of the target L at each step, 0…1.
    pub fraction_target: Vec<f64>,
    /// Input correlation with L at each step.
    pub input_r: Vec<MeanSd>,
    /// Output correlation with L at each step (different trials only).
    pub output_r: Vec<MeanSd>,
    /// Slope of output on input correlation far from L (fraction ≤ 0.4).
    pub slope_far: MeanSd,
    /// Slope of output on input correlation near L (0.6 ≤ fraction < 1).
    pub slope_near_target: MeanSd,
    /// Steepest Δ output / Δ input correlation between consecutive steps.
    pub steepest_step_slope: MeanSd,
    /// Mean excess of output over input correlation at fractions 0.5 … < 1.
    pub mean_output_minus_input_near_target: MeanSd,
    /// 3C–F: rates and currents along the morph (N→L only).
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub along_morph: Option<AlongMorph>,
}

/// 3C–F at each step of the N→L morph, mean ± SD over networks, for assembly L (pseudo-assembly
/// in rand) and neurons in no assembly; currents = mean conductance × [`DRIVING_FORCE_MV`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AlongMorph {
    /// Rate of assembly L, Hz.
    pub assembly_hz: Vec<MeanSd>,
    /// Rate of assembly L in the 500 ms after odor offset, Hz.
    pub post_assembly_hz: Vec<MeanSd>,
    /// Rate of neurons in no assembly, Hz.
    pub non_assembly_hz: Vec<MeanSd>,
    /// Mean E rate, Hz.
    pub e_hz: Vec<MeanSd>,
    /// OB input current, assembly L, pA.
    pub ob_assembly_pa: Vec<MeanSd>,
    /// OB input current, no assembly, pA.
    pub ob_non_pa: Vec<MeanSd>,
    /// Recurrent E current, assembly L, pA.
    pub exc_assembly_pa: Vec<MeanSd>,
    /// Recurrent E current, no assembly, pA.
    pub exc_non_pa: Vec<MeanSd>,
    /// I current (magnitude), assembly L, pA.
    pub inh_assembly_pa: Vec<MeanSd>,
    /// I current (magnitude), no assembly, pA.
    pub inh_non_pa: Vec<MeanSd>,
    /// Net recurrent current E − I, assembly L, pA.
    pub net_recurrent_assembly_pa: Vec<MeanSd>,
    /// Net recurrent current E − I, no assembly, pA.
    pub net_recurrent_non_pa: Vec<MeanSd>,
}

/// Partial stimulation of one variant, mean ± SD over networks.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StimulationVariant {
    /// Group rates in the 500 ms before the step.
    pub before: GroupRateStats,
    /// Group rates during the step.
    pub during: GroupRateStats,
    /// Group rates in the 500 ms after the step.
    pub after: GroupRateStats,
    /// Rate of the other members of the stimulated assembly ÷ rate of neurons in no assembly,
    /// during the step.
    pub other_members_over_no_assembly_during: MeanSd,
    /// Rate of the other members ÷ the same network's rand other members, during the step.
    pub other_members_vs_rand_during: MeanSd,
    /// Change of the all-E rate, during − before, Hz.
    pub all_e_rate_change_hz: MeanSd,
    /// Label with the variant's parameters.
    pub label: String,
}

/// Rates of the neuron groups of a stimulated assembly in one window, Hz.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GroupRateStats {
    /// Injected neurons.
    pub injected: MeanSd,
    /// The other members of the stimulated assembly.
    pub other_members: MeanSd,
    /// Neurons in no assembly.
    pub no_assembly: MeanSd,
    /// All E neurons.
    #[serde(rename = "all_E")]
    pub all_e: MeanSd,
}

/// The settings of the Fig. 3 protocols.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Fig3Settings {
    /// Steps per morph.
    pub n_steps: usize,
    /// Trials per step.
    pub trials_per_step: usize,
    /// Odor duration, ms.
    pub odor_ms: f64,
    /// Baseline before each odor, ms.
    pub baseline_ms: f64,
    /// The reset pulse between trials.
    pub reset_between_trials: ResetSettings,
    /// Analysis window from odor onset, ms.
    pub analysis_ms: f64,
    /// Driving force of the voltage-clamp currents, mV.
    pub driving_force_mv: f64,
    /// Current into half of an assembly, pA.
    pub injection_pa: f64,
    /// Duration of the current step, ms.
    pub injection_ms: f64,
    /// Assemblies stimulated per network.
    pub stimulated_assemblies: usize,
    /// Networks.
    pub networks: usize,
}

/// The reset pulse into every E neuron between trials.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ResetSettings {
    /// Current, pA.
    pub pa: f64,
    /// Start and end after odor offset, ms.
    pub after_offset_ms: [f64; 2],
}

/// The per-network results of the simulations, grouped by variant.
struct Runs {
    /// Per variant of [`MORPH_VARIANTS`], per network: the step measures of both morphs.
    morphs: Vec<Vec<[Vec<StepStats>; 2]>>,
    /// Per variant of [`VARIANTS`], per network: group rates before, during and after the step.
    stimulation: Vec<Vec<[GroupRates; 3]>>,
    /// Number of simulations.
    simulations: usize,
}

/// One simulation: network index and index of the variant in [`MORPH_VARIANTS`] (morphs) or
/// [`VARIANTS`] (partial stimulation).
#[derive(Clone, Copy)]
enum Job {
    Morph(usize, usize),
    Stim(usize, usize),
}

#[derive(Serialize, Deserialize)]
enum Outcome {
    Morph([Vec<StepStats>; 2]),
    Stim([GroupRates; 3]),
}

/// Run Fig. 3 and Fig. 3—S1A.
pub fn run(ctx: &Context) -> Result<Fig3Summary, EngramError> {
    let t0 = std::time::Instant::now();
    let cpu = CpuClock::start();
    let dir = ctx.figure_dir("fig3")?;
    let settings = settings(ctx);
    let sets = morph_sets(ctx, &settings)?;
    let runs = simulate_all(ctx, &sets, settings.stimulated_assemblies)?;
    let fraction = &sets[0].0.fraction;
    let morphs = MORPH_VARIANTS
        .iter()
        .zip(&runs.morphs)
        .map(|(v, runs)| {
            let curves = MorphVariant {
                novel_to_learned: morph_curve(runs, 0, fraction),
                learned_to_learned: morph_curve(runs, 1, fraction),
                label: v.label(),
            };
            (v.name().to_string(), curves)
        })
        .collect();
    let rand_runs = &runs.stimulation[0];
    let partial_stimulation = VARIANTS
        .iter()
        .zip(&runs.stimulation)
        .map(|(v, runs)| (v.name().to_string(), stimulation_variant(runs, rand_runs, v.label())))
        .collect();
    let mut summary = Fig3Summary {
        morphs,
        partial_stimulation,
        settings,
        simulations: runs.simulations,
        cpu_s: f64::NAN,
        wall_s: f64::NAN,
    };
    panels::morphs(&summary).save(dir.join("fig3ab_morphs")).map_err(plot_err)?;
    panels::currents(&summary).save(dir.join("fig3cf_currents")).map_err(plot_err)?;
    panels::partial_stimulation(&summary).save(dir.join("fig3s1a_partial_stimulation")).map_err(plot_err)?;
    summary.cpu_s = cpu.elapsed_s();
    summary.wall_s = t0.elapsed().as_secs_f64();
    write_summary(&dir.join("fig3.json"), &summary)?;
    Ok(summary)
}

/// The settings of this run (`--quick`: 6 morph steps and 5 stimulated assemblies).
fn settings(ctx: &Context) -> Fig3Settings {
    let quick = ctx.options.quick;
    Fig3Settings {
        n_steps: if quick { 6 } else { 11 },
        trials_per_step: 2,
        odor_ms: ODOR_MS,
        baseline_ms: BASELINE_MS,
        reset_between_trials: ResetSettings {
            pa: RESET_PA,
            after_offset_ms: [RESET_DELAY_MS, RESET_DELAY_MS + RESET_MS],
        },
        analysis_ms: ANALYSIS_MS,
        driving_force_mv: DRIVING_FORCE_MV,
        injection_pa: INJECTION_PA,
        injection_ms: INJECTION_MS,
        stimulated_assemblies: if quick { 5 } else { 10 },
        networks: ctx.instances.len(),
    }
}

/// Per network `i`: the morphs N→L and L'→L with L = learned `i mod 10`, L' = learned
/// `i+1 mod 10`, N = novel `i mod 10`, and the index of L's assembly.
fn morph_sets(ctx: &Context, settings: &Fig3Settings) -> Result<Vec<(MorphSet, usize)>, EngramError> {
    (0..ctx.instances.len())
        .map(|i| {
            let (l, l2, nv) = (i % 10, (i + 1) % 10, i % 10);
            let seed = ctx.instances[i].network_seed ^ component_id("fig3:morph");
            let set = morph_protocol(
                &ctx.odors.novel[nv],
                &ctx.odors.learned[l2],
                &ctx.odors.learned[l],
                settings.n_steps,
                settings.trials_per_step,
                Some(ctx.instances[i].config.n_exc),
                seed,
            )?;
            Ok((set, l))
        })
        .collect()
}

/// Every simulation of the figure (morphs in [`MORPH_VARIANTS`], partial stimulation of
/// `n_stim` assemblies in [`VARIANTS`], every network), each analysed as it ends.
fn simulate_all(ctx: &Context, sets: &[(MorphSet, usize)], n_stim: usize) -> Result<Runs, EngramError> {
    let n_inst = ctx.instances.len();
    let mut jobs: Vec<Job> =
        (0..n_inst).flat_map(|i| (0..MORPH_VARIANTS.len()).map(move |k| Job::Morph(i, k))).collect();
    jobs.extend((0..n_inst).flat_map(|i| (0..VARIANTS.len()).map(move |k| Job::Stim(i, k))));
    let results = ctx.run_jobs("Fig 3: morphs, stimulation", &jobs, |&job| {
        let (i, variant) = match job {
            Job::Morph(i, k) => (i, MORPH_VARIANTS[k]),
            Job::Stim(i, k) => (i, VARIANTS[k]),
        };
        let inst = &ctx.instances[i];
        let (net, _) = inst.base.with_variant(&inst.config, variant, inst.network_seed)?;
        match job {
            Job::Morph(..) => {
                let (set, asm) = &sets[i];
                let rec = simulate(&inst.config, &net, &set.protocol, inst.network_seed ^ 0xF163, ctx.dt_ms, None)?;
                Ok(Outcome::Morph(analyse_morphs(&rec, set, &net, *asm)))
            }
            Job::Stim(..) => {
                let seed = inst.network_seed ^ component_id("fig3:stim");
                let (protocol, injected) = stimulation_protocol(&net, &ctx.odors.learned[0], n_stim, true, seed);
                let rec = simulate(&inst.config, &net, &protocol, seed, ctx.dt_ms, None)?;
                Ok(Outcome::Stim(analyse_stimulation(&rec, &net, &injected)))
            }
        }
    })?;
    let mut runs = Runs {
        morphs: vec![Vec::new(); MORPH_VARIANTS.len()],
        stimulation: vec![Vec::new(); VARIANTS.len()],
        simulations: jobs.len(),
    };
    // jobs are in network order, so each variant's runs are too
    for (job, outcome) in jobs.iter().zip(results) {
        match (*job, outcome) {
            (Job::Morph(_, k), Outcome::Morph(m)) => runs.morphs[k].push(m),
            (Job::Stim(_, k), Outcome::Stim(s)) => runs.stimulation[k].push(s),
            _ => unreachable!("every job has the outcome of its kind"),
        }
    }
    Ok(runs)
}

impl Fig3Summary {
    /// The Fig. 3 section of `summary.md`: the steepest morph slope and the recruitment of the
    /// rest of a stimulated assembly, per variant (`–` where a variant was not run).
    pub fn key_numbers(&self) -> String {
        let mut out = String::from(
            "## Fig. 3: attractors and pattern completion (paper: a steep rise of output correlation along morphs in Scaled I only; partial stimulation recruits the assembly in structured networks)\n\n",
        );
        out += "| variant | steepest slope, novel → learned morph | rest of assembly / non-assembly, during stimulation |\n|---|---|---|\n";
        for v in VARIANTS {
            let missing = || "–".to_string();
            let slope =
                self.morphs.get(v.name()).map_or_else(missing, |m| m.novel_to_learned.steepest_step_slope.to_string());
            let recruitment = self
                .partial_stimulation
                .get(v.name())
                .map_or_else(missing, |s| s.other_members_over_no_assembly_during.to_string());
            out += &format!("| {} | {slope} | {recruitment} |\n", v.name());
        }
        out + "\n"
    }
}
