//! The protocols of the Dp paper's Fig. 3 (pattern completion): odor morphs from a novel and
//! from another learned odor to a learned target, and partial stimulation of assemblies by
//! current steps, each with a reset pulse between trials.
//!
//! Trials are 1 s of baseline and 1.5 s of odor (the analysis window; the paper's odors last
//! 2 s). The reset (our addition) is [`RESET_PA`] into every E neuron 500–700 ms after each
//! odor or pulse offset: Scaled I networks keep a learned odor's assembly firing after the
//! odor (a persistent attractor), and in one simulation of many trials one attractor could
//! then dominate all later trials; the reset silences it, so that each trial starts from the
//! spontaneous state, as in a fresh simulation. The figure, its measures and the reasons for
//! every choice are in `engram_repro::dp::fig3`.

use engram_core::error::EngramError;
use engram_core::rng::{component_id, stream};
use engram_stimuli::Presentation;
use engram_stimuli::odor::{Odor, input_correlation_over, morph};
use rand::seq::SliceRandom;

use super::network::DpConnectivity;
use super::simulate::{Injection, Protocol, Window, WindowKind};

/// Analysis window: the first 1.5 s of odor, ms.
pub const ANALYSIS_MS: f64 = 1500.0;
/// Current step of the partial stimulation, pA.
pub const INJECTION_PA: f64 = 28.0;
/// Duration of one current step, ms.
pub const INJECTION_MS: f64 = 500.0;
/// Baseline before each odor, ms.
pub const BASELINE_MS: f64 = 1000.0;
/// Odor duration, ms (the analysis window; the paper's odors last 2 s).
pub const ODOR_MS: f64 = 1500.0;
/// Reset between trials: current into every E neuron, pA.
pub const RESET_PA: f64 = -100.0;
/// Reset: onset after the end of the post-offset window (500 ms after odor or pulse offset), ms.
pub const RESET_DELAY_MS: f64 = 500.0;
/// Reset duration, ms (it ends 300 ms before the next odor onset or pre-pulse window).
pub const RESET_MS: f64 = 200.0;

/// The reset pulse after an offset at `t1_ms`: [`RESET_PA`] into all `n_exc` E neurons from
/// `t1 + 500 ms` for 200 ms. It silences persistent (attractor) activity, so that every trial
/// starts from the spontaneous state.
fn reset_after(t1_ms: f64, n_exc: usize) -> Injection {
    Injection {
        neurons: (0..n_exc as u32).collect(),
        start_ms: t1_ms + RESET_DELAY_MS,
        stop_ms: t1_ms + RESET_DELAY_MS + RESET_MS,
        amplitude_pa: RESET_PA,
    }
}

/// The morph experiment of one network: odors, their order, and which odor is which step.
#[derive(Clone, Debug)]
pub struct MorphSet {
    /// The protocol (21 odors for 11 steps, each shown `trials` times).
    pub protocol: Protocol,
    /// Odor index (into `protocol.odors`) of each step, per morph (0: N→L, 1: L'→L). The last
    /// step of both morphs is the target L.
    pub steps: [Vec<usize>; 2],
    /// Input correlation of each step with L, per morph.
    pub input_r: [Vec<f64>; 2],
    /// Fraction of L's cells at each step, 0…1.
    pub fraction: Vec<f64>,
}

/// Build the morphs N→L and L'→L (`n_steps` each, sharing the endpoint L), shown `trials`
/// times as trials of 1 s baseline and 1.5 s odor, each block of trials in its own random
/// order. Windows: the odor ([`WindowKind::Odor`]) and the 500 ms after it
/// ([`WindowKind::Post`]). With `reset_n_exc = Some(n_exc)`, a reset pulse ([`RESET_PA`] into
/// all E neurons, 500–700 ms after each odor offset) precedes every next trial.
pub fn morph_protocol(
    novel: &Odor,
    other_learned: &Odor,
    target: &Odor,
    n_steps: usize,
    trials: usize,
    reset_n_exc: Option<usize>,
    seed: u64,
) -> Result<MorphSet, EngramError> {
    let from_novel = morph(novel, target, n_steps, 1, seed)?;
    let from_learned = morph(other_learned, target, n_steps, 1, seed ^ component_id("fig3:morph2"))?;
    let mut odors = from_novel.clone();
    odors.extend(from_learned[..n_steps - 1].iter().cloned());
    let steps0: Vec<usize> = (0..n_steps).collect();
    let steps1: Vec<usize> = (0..n_steps - 1).map(|s| n_steps + s).chain([n_steps - 1]).collect();
    let input = |steps: &[usize]| -> Vec<f64> {
        steps.iter().map(|&o| input_correlation_over(&odors[o], target, ANALYSIS_MS)).collect()
    };
    let input_r = [input(&steps0), input(&steps1)];
    let period = BASELINE_MS + ODOR_MS;
    let mut presentations = Vec::with_capacity(trials * odors.len());
    let (mut windows, mut injections) = (Vec::new(), Vec::new());
    for block in 0..trials {
        let mut order: Vec<usize> = (0..odors.len()).collect();
        order.shuffle(&mut stream(seed, component_id("fig3:order"), block as u64));
        for o in order {
            let k = presentations.len();
            let t0 = k as f64 * period + BASELINE_MS;
            presentations.push(Presentation { odor: o, onset_ms: t0, duration_ms: ODOR_MS });
            let w = |kind, start_ms, end_ms| Window { presentation: k, odor: o, kind, start_ms, end_ms };
            windows.push(w(WindowKind::Odor, t0, t0 + ANALYSIS_MS.min(ODOR_MS)));
            windows.push(w(WindowKind::Post, t0 + ODOR_MS, t0 + ODOR_MS + 500.0));
            if let Some(n_exc) = reset_n_exc {
                injections.push(reset_after(t0 + ODOR_MS, n_exc));
            }
        }
    }
    let duration_ms = presentations.len() as f64 * period + BASELINE_MS;
    let protocol = Protocol {
        odors,
        presentations,
        duration_ms,
        injections,
        inhibition_playback: None,
        ob_playback: None,
        custom_windows: Some(windows),
    };
    let fraction = (0..n_steps).map(|s| s as f64 / (n_steps - 1) as f64).collect();
    Ok(MorphSet { protocol, steps: [steps0, steps1], input_r, fraction })
}

/// Partial stimulation of `n_assemblies` assemblies of `net` under baseline OB input: the
/// protocol and the injected neurons of each assembly (a random half, sorted). Pulse k starts
/// at 1 s + 2 s·k; windows: 500 ms before ([`WindowKind::Pre`]), during
/// ([`WindowKind::Odor`]) and after ([`WindowKind::Post`]) each pulse; with `reset`, a reset
/// pulse 500–700 ms after each current step.
pub fn stimulation_protocol(
    net: &DpConnectivity,
    baseline_odor: &Odor,
    n_assemblies: usize,
    reset: bool,
    seed: u64,
) -> (Protocol, Vec<Vec<u32>>) {
    let n = n_assemblies.min(net.assemblies.len());
    let period = 2000.0;
    let mut injections = Vec::with_capacity(n);
    let mut windows = Vec::with_capacity(3 * n);
    let mut injected = Vec::with_capacity(n);
    for k in 0..n {
        let mut members = net.assemblies[k].members().to_vec();
        members.shuffle(&mut stream(seed, component_id("fig3:injected"), k as u64));
        members.truncate(members.len() / 2);
        members.sort_unstable();
        let start = BASELINE_MS + k as f64 * period;
        injections.push(Injection {
            neurons: members.clone(),
            start_ms: start,
            stop_ms: start + INJECTION_MS,
            amplitude_pa: INJECTION_PA,
        });
        let w = |kind, a: f64| Window { presentation: k, odor: k, kind, start_ms: a, end_ms: a + INJECTION_MS };
        windows.push(w(WindowKind::Pre, start - INJECTION_MS));
        windows.push(w(WindowKind::Odor, start));
        windows.push(w(WindowKind::Post, start + INJECTION_MS));
        if reset {
            injections.push(reset_after(start + INJECTION_MS, net.e_e.n_post()));
        }
        injected.push(members);
    }
    let protocol = Protocol {
        odors: vec![baseline_odor.clone()],
        presentations: Vec::new(),
        duration_ms: BASELINE_MS + n as f64 * period,
        injections,
        inhibition_playback: None,
        ob_playback: None,
        custom_windows: Some(windows),
    };
    (protocol, injected)
}
