//! The odor-subspace protocol of the Dp paper's Figs 4–6 (docs/models/dp.md#odor-subspace,
//! `engram_stimuli::odor_space`): four pure odors at the corners of an 11 × 11 grid of mixtures,
//! presented along trajectories through it, the OB patterns and correlations of every
//! presentation, the classes of the Fig. 5 classification, and the (pseudo-)assemblies of the
//! corners in a network.
//!
//! The corners are `[L, M, N, O]` in the corner order of [`Corner::ALL`](engram_stimuli::Corner::ALL) (top-left, top-right,
//! bottom-left, bottom-right); the reproduction uses two learned odors for L and M (aligned with
//! assemblies 0 and 1 of every network) and two novel ones for N and O. Each trajectory
//! presents its 121 pixels for 1 s each ([`PIXEL_MS`]) after [`BASELINE_MS`] of baseline; every
//! presentation is measured in two 0.5 s windows. The analyses of Figs 4 and 5 are in
//! `engram_repro::dp::fig45`; Fig. 6 uses the same protocol on a correlated subspace
//! ([`Subspace::on`], `engram_repro::dp::fig6`).

use engram_connectivity::Assembly;
use engram_core::error::EngramError;
use engram_core::rng::component_id;
use engram_stimuli::odor::pearson;
use engram_stimuli::odor_space::{concentrations_percent, trajectories};
use engram_stimuli::{Odor, OdorSubspace, Presentation, SubspacePresentation};
use ndarray::Array2;

use super::network::DpConnectivity;
use super::params::DpConfig;
use super::simulate::{DpRecording, Protocol, Window, WindowKind};

/// Duration of one pixel presentation, ms.
pub const PIXEL_MS: f64 = 1000.0;
/// Baseline before each trajectory, ms.
pub const BASELINE_MS: f64 = 2000.0;
/// OB correlation above which a mixture joins a pure odor's training class (the paper's 0.6).
pub const TRAIN_CORR: f64 = 0.6;

/// The odor subspace experiment shared by every network: presentations, mixtures and their
/// OB patterns and correlations.
#[derive(Clone, Debug)]
pub struct Subspace {
    /// The four pure odors, indexed as [`Corner::ALL`](engram_stimuli::Corner::ALL) (L, M, N, O).
    pub corners: [Odor; 4],
    /// The presentations in time order.
    pub presentations: Vec<SubspacePresentation>,
    /// The odor of each presentation (mixtures drawn per trajectory; corners are pure).
    pub mixtures: Vec<Odor>,
    /// Mean OB rate of each mitral cell over each presentation (exact), Hz: presentations × MCs.
    pub ob: Array2<f64>,
    /// Pearson correlation of each presentation's OB pattern with each pure odor's (mean MC
    /// rates over [`PIXEL_MS`], or over the window given to [`Subspace::on`]).
    pub corr: Vec<[f64; 4]>,
    /// Total duration, ms.
    pub duration_ms: f64,
}

impl Subspace {
    /// The subspace on `corners` ([L, M, N, O]), presented along the trajectories `ids`, with
    /// mixture draws from `seed` (rate jitter 1 Hz); OB correlations over one presentation
    /// ([`PIXEL_MS`]).
    pub fn new(corners: [Odor; 4], ids: &[usize], seed: u64) -> Result<Self, EngramError> {
        let space = OdorSubspace::new(corners, 1, seed)?;
        Ok(Self::on(&space, ids, PIXEL_MS))
    }

    /// The experiment on an existing odor subspace (e.g. [`OdorSubspace::correlated`], Fig. 6),
    /// presented along the trajectories `ids`; `corr` is the Pearson correlation of each
    /// mixture's and each pure odor's mean MC rates over the first `correlation_window_ms` after
    /// onset (`engram_stimuli::odor::input_correlation_over`; [`PIXEL_MS`] in [`Subspace::new`]).
    pub fn on(space: &OdorSubspace, ids: &[usize], correlation_window_ms: f64) -> Self {
        let corners = space.corners().clone();
        let paths = trajectories();
        let (mut presentations, mut mixtures) = (Vec::new(), Vec::new());
        let mut t = 0.0;
        for &tr in ids {
            t += BASELINE_MS;
            for &(row, col) in &paths[tr] {
                mixtures.push(space.mixture(row, col, tr));
                presentations.push(SubspacePresentation {
                    trajectory: tr,
                    row,
                    col,
                    onset_ms: t,
                    duration_ms: PIXEL_MS,
                    concentration_percent: concentrations_percent(row, col),
                });
                t += PIXEL_MS;
            }
        }
        let n_mc = corners[0].n_mitral_cells();
        let mut ob = Array2::<f64>::zeros((mixtures.len(), n_mc));
        for (k, m) in mixtures.iter().enumerate() {
            ob.row_mut(k).assign(&ndarray::Array1::from(m.mean_rates_hz(PIXEL_MS)));
        }
        let pure: Vec<Vec<f64>> = corners.iter().map(|c| c.mean_rates_hz(correlation_window_ms)).collect();
        let corr = mixtures
            .iter()
            .map(|m| {
                let rates = m.mean_rates_hz(correlation_window_ms);
                [0, 1, 2, 3].map(|c| pearson(&rates, &pure[c]))
            })
            .collect();
        Self { corners, presentations, mixtures, ob, corr, duration_ms: t }
    }

    /// Number of presentations.
    pub fn len(&self) -> usize {
        self.presentations.len()
    }

    /// Whether there are no presentations.
    pub fn is_empty(&self) -> bool {
        self.presentations.is_empty()
    }

    /// The protocol: one odor per presentation, back to back after each trajectory's
    /// baseline, measured in two 0.5 s windows per presentation (window 2k: first half of
    /// presentation k, 2k + 1: second half).
    pub fn protocol(&self) -> Protocol {
        let presentations: Vec<Presentation> = self
            .presentations
            .iter()
            .enumerate()
            .map(|(k, p)| Presentation { odor: k, onset_ms: p.onset_ms, duration_ms: p.duration_ms })
            .collect();
        let windows: Vec<Window> = self
            .presentations
            .iter()
            .enumerate()
            .flat_map(|(k, p)| {
                let mid = p.onset_ms + p.duration_ms / 2.0;
                let w =
                    |start_ms, end_ms| Window { presentation: k, odor: k, kind: WindowKind::Odor, start_ms, end_ms };
                [w(p.onset_ms, mid), w(mid, p.onset_ms + p.duration_ms)]
            })
            .collect();
        Protocol {
            odors: self.mixtures.clone(),
            presentations,
            duration_ms: self.duration_ms,
            injections: Vec::new(),
            inhibition_playback: None,
            ob_playback: None,
            custom_windows: Some(windows),
        }
    }

    /// Indices of the presentations of each trajectory (contiguous blocks of 121).
    pub fn trajectory_blocks(&self) -> Vec<Vec<usize>> {
        let mut out: Vec<Vec<usize>> = Vec::new();
        for (k, p) in self.presentations.iter().enumerate() {
            match out.last_mut() {
                Some(b) if self.presentations[b[0]].trajectory == p.trajectory => b.push(k),
                _ => out.push(vec![k]),
            }
        }
        out
    }

    /// The QDA / d_M classes of the presentations.
    pub fn classes(&self) -> Classes {
        let train = self.corr.iter().map(|c| (0..4).find(|&x| c[x] > TRAIN_CORR)).collect::<Vec<_>>();
        let target =
            self.corr.iter().map(|c| (0..4).max_by(|&a, &b| c[a].total_cmp(&c[b])).expect("four corners")).collect();
        Classes { test: train.iter().map(Option::is_none).collect(), train, target }
    }
}

/// Training classes and test set of the subspace classification (Fig. 5).
#[derive(Clone, Debug)]
pub struct Classes {
    /// Per presentation: the pure odor whose class it trains (OB correlation > 0.6), if any.
    pub train: Vec<Option<usize>>,
    /// Per presentation: whether it is a test presentation (correlation ≤ 0.6 to every corner).
    pub test: Vec<bool>,
    /// Per presentation: the corner with the highest OB correlation (the target).
    pub target: Vec<usize>,
}

/// Rates (Hz) of the E neurons in the two 0.5 s halves of every presentation of a subspace
/// recording: (first halves, second halves), each presentations × neurons.
pub fn half_rates(rec: &DpRecording) -> (Array2<f64>, Array2<f64>) {
    let n = rec.windows.len() / 2;
    let ne = rec.e_counts.first().map_or(0, Vec::len);
    let mut a = Array2::<f64>::zeros((n, ne));
    let mut b = Array2::<f64>::zeros((n, ne));
    for k in 0..n {
        let (wa, wb) = (2 * k, 2 * k + 1);
        let (sa, sb) = (rec.windows[wa].seconds(), rec.windows[wb].seconds());
        for i in 0..ne {
            a[[k, i]] = rec.e_counts[wa][i] as f64 / sa;
            b[[k, i]] = rec.e_counts[wb][i] as f64 / sb;
        }
    }
    (a, b)
}

/// The (pseudo-)assemblies of the four pure odors: assemblies 0 and 1 of `net` for L and M
/// (their assemblies in structured variants), and for the novel N and O the `assembly_size` E
/// neurons with the most inputs from their activated mitral cells (no rewiring: pseudo-
/// assemblies, chosen like the learned ones).
pub fn corner_assemblies(
    net: &DpConnectivity,
    config: &DpConfig,
    corners: &[Odor; 4],
    seed: u64,
) -> Result<[Vec<u32>; 4], EngramError> {
    let novel = |c: usize| -> Result<Vec<u32>, EngramError> {
        let sources: Vec<u32> = corners[c].activated().iter().map(|a| a.mitral_cell).collect();
        let a = Assembly::from_input(
            &net.ob_e,
            &sources,
            config.assembly_size,
            config.assembly_selection,
            seed,
            component_id("dp:fig45:novel_pseudo_assembly"),
            c as u64,
        )?;
        Ok(a.members().to_vec())
    };
    Ok([net.assemblies[0].members().to_vec(), net.assemblies[1].members().to_vec(), novel(2)?, novel(3)?])
}
