//! The authors' own Dp networks and odor inputs, read from the MATLAB files of their
//! repository (`clairemb90/pDp-model`, MIT licence): connection multiplicities, assemblies and
//! mitral-cell spikes, so that engram runs exactly the networks and input spikes the authors
//! simulated (`cargo xtask reproduce dp-authors`).
//!
//! ```no_run
//! use engram_models::dp::authors::{AuthorsNetwork, odor_spikes, trials};
//! use engram_models::dp::{OdorSet, Variant, simulate};
//! let dir = std::path::Path::new("../shared/pdp-model");
//! let a1 = AuthorsNetwork::REPRODUCED[0];
//! let net = a1.load(dir, Variant::TUNED_I).unwrap(); // connec_A_1_tI.mat
//! let spikes = odor_spikes(dir, OdorSet::Learned, 1500).unwrap(); // odorset_10learned.mat
//! let protocol = trials(&spikes, 10).unwrap();
//! let rec = simulate(&a1.config(Variant::TUNED_I), &net, &protocol, 0, 0.1, None).unwrap();
//! ```
//!
//! How the files map to engram (docs/models/dp.md#the-authors-networks):
//! - `connec_X_n.mat` (rand), `connec_X_n_tI.mat` (Tuned I) and `connec_X_n_tEI.mat`
//!   (Tuned E+I) hold the multiplicity matrices `w_oe`, `w_oi`, `w_ee`, `w_ei`, `w_ie`,
//!   `w_ii` (rows = presynaptic neurons); each becomes a pathway's [`Connectivity`], and the
//!   weights are the structure's (Table 2, [`DpConfig::pathways`]) times the multiplicity.
//! - `Ee` (15×100) and `Ii` (15×25) of the structured files are the E and I assemblies,
//!   1-based in the files and 0-based here; the rand network's pseudo-assemblies are `Ee` of
//!   its `_tI` file.
//! - Scaled I is built as the authors' script builds it: E→E of `_tI`, every other pathway of
//!   the rand file, and the I→E weight × χ (the variant's, 1.4 in Table 5).
//! - `odorset_10learned.mat` / `odorset_10novel.mat` hold `r_olfbs`, 300 000 steps × 1500
//!   mitral cells of 0/1 at dt = 0.1 ms: 10 trials of 3 s (1 s baseline, 2 s odor). Trial k of
//!   the learned set presents learned odor k, the odor of assembly k.

use std::path::{Path, PathBuf};

use engram_connectivity::{Assembly, AssemblySet, Connectivity, within_assembly_factor};
use engram_core::error::EngramError;
use engram_core::time::Step;

use super::metrics::OdorSet;
use super::network::{Achieved, DpConnectivity};
use super::params::{DpConfig, Structure, Variant};
use super::simulate::Protocol;
use crate::mat::{MatError, MatFile, StepSpikes};

/// Integration step of the authors' spike files, ms.
pub const DT_MS: f64 = 0.1;

/// Steps per trial in the authors' spike files (3 s at 0.1 ms).
pub const TRIAL_STEPS: Step = 30_000;

/// Trials in each of the authors' odor files.
pub const N_TRIALS: usize = 10;

/// One of the authors' networks: structure A–D and its number (`A1` is `connec_A_1*.mat`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AuthorsNetwork {
    /// Structure A–D.
    pub structure: Structure,
    /// The network's number within its structure (the authors' A1, A2, A3, A6, A7, B4, …).
    pub number: u32,
}

impl AuthorsNetwork {
    /// The four networks `cargo xtask reproduce dp-authors` runs, one per structure: A1, B4,
    /// C1, D1.
    pub const REPRODUCED: [AuthorsNetwork; 4] = [
        AuthorsNetwork { structure: Structure::A, number: 1 },
        AuthorsNetwork { structure: Structure::B, number: 4 },
        AuthorsNetwork { structure: Structure::C, number: 1 },
        AuthorsNetwork { structure: Structure::D, number: 1 },
    ];

    /// `A1`.
    pub fn label(&self) -> String {
        format!("{}{}", self.structure.name(), self.number)
    }

    /// The file of the rand network (`suffix` `""`), of Tuned I (`"_tI"`) or of Tuned E+I
    /// (`"_tEI"`): `connec_A_1_tI.mat`.
    pub fn file_name(&self, suffix: &str) -> String {
        format!("connec_{}_{}{suffix}.mat", self.structure.name(), self.number)
    }

    /// The files [`load`](Self::load) reads for `variant`, the first one first.
    pub fn files(&self, variant: Variant) -> Vec<String> {
        match variant {
            Variant::Rand | Variant::ScaledI { .. } => vec![self.file_name(""), self.file_name("_tI")],
            Variant::TunedI { .. } => vec![self.file_name("_tI")],
            Variant::TunedEI { .. } => vec![self.file_name("_tEI")],
        }
    }

    /// The configuration the network runs with: its structure's pathways (Table 2), the
    /// variant, full size (4000 E, 1000 I, 1500 mitral cells, 15 assemblies of 100 E and 25 I).
    pub fn config(&self, variant: Variant) -> DpConfig {
        DpConfig { structure: self.structure, variant, ..DpConfig::default() }
    }

    /// The network as the variant's file(s) in `dir` give it (see the module's mapping).
    /// α, β and γ are those of the files; χ (Scaled I) is the variant's.
    pub fn load(&self, dir: &Path, variant: Variant) -> Result<DpConnectivity, MatError> {
        let config = self.config(variant);
        let files: Vec<MatFile> =
            self.files(variant).iter().map(|f| MatFile::open(&dir.join(f))).collect::<Result<_, _>>()?;
        let structured = files.last().expect("one file at least");
        let mut net = read_network(&files[0], &config)?;
        let e_members = structured.index_groups("Ee", config.n_assemblies, config.assembly_size, config.n_exc)?;
        net.assemblies = assembly_set(structured, "Ee", e_members, config.n_exc)?;
        match variant {
            Variant::Rand => {}
            Variant::ScaledI { chi, .. } => {
                net.e_e = structured.multiplicities("w_ee", config.n_exc, config.n_exc)?;
                net.chi = chi;
            }
            Variant::TunedI { .. } | Variant::TunedEI { .. } => {
                let i_members =
                    structured.index_groups("Ii", config.n_assemblies, config.i_assembly_size, config.n_inh)?;
                net.i_assemblies = assembly_set(structured, "Ii", i_members, config.n_inh)?.assemblies().to_vec();
            }
        }
        Ok(net)
    }
}

/// The six pathways of one file, with no assemblies yet.
fn read_network(f: &MatFile, c: &DpConfig) -> Result<DpConnectivity, MatError> {
    let (ne, ni, nm) = (c.n_exc, c.n_inh, c.n_mitral_cells);
    let read = |name: &str, n_pre: usize, n_post: usize| -> Result<Connectivity, MatError> {
        f.multiplicities(name, n_pre, n_post)
    };
    Ok(DpConnectivity {
        ob_e: read("w_oe", nm, ne)?,
        ob_i: read("w_oi", nm, ni)?,
        e_e: read("w_ee", ne, ne)?,
        e_i: read("w_ei", ne, ni)?,
        i_e: read("w_ie", ni, ne)?,
        i_i: read("w_ii", ni, ni)?,
        assemblies: AssemblySet::new(ne, Vec::new()).expect("an empty set is valid"),
        i_assemblies: Vec::new(),
        chi: 1.0,
    })
}

/// Groups of 0-based members as an [`AssemblySet`]; a group with a repeated member is an
/// error naming the file and variable.
fn assembly_set(f: &MatFile, name: &str, groups: Vec<Vec<u32>>, n: usize) -> Result<AssemblySet, MatError> {
    let mut assemblies = Vec::with_capacity(groups.len());
    for (g, members) in groups.into_iter().enumerate() {
        assemblies.push(Assembly::new(members, n).map_err(|e| MatError::Type {
            path: f.path().to_path_buf(),
            variable: name.into(),
            expected: "rows of distinct neuron indices".into(),
            found: format!("row {} not so, 0-based: {e}", g + 1),
        })?);
    }
    Ok(AssemblySet::new(n, assemblies).expect("members checked against n"))
}

/// What a structured network's files achieve against its rand network `rand` (same
/// assemblies): α from E→E, β from I→E and γ from E→I within the E/I assemblies, measured as
/// [`DpConnectivity::with_variant`] measures its own.
pub fn achieved(rand: &DpConnectivity, net: &DpConnectivity, variant: Variant) -> Result<Achieved, EngramError> {
    let asm = &net.assemblies;
    let memberships = asm.memberships();
    let n = memberships.len() as f64;
    let mut a = Achieved {
        alpha: within_assembly_factor(&rand.e_e, &net.e_e, asm, asm)?,
        beta: 1.0,
        gamma: 1.0,
        frac_in_assembly: memberships.iter().filter(|m| **m >= 1).count() as f64 / n,
        frac_in_several: memberships.iter().filter(|m| **m >= 2).count() as f64 / n,
    };
    if matches!(variant, Variant::TunedI { .. } | Variant::TunedEI { .. }) {
        let i_set = AssemblySet::new(net.i_e.n_pre(), net.i_assemblies.clone())?;
        a.beta = within_assembly_factor(&rand.i_e, &net.i_e, &i_set, asm)?;
        a.gamma = within_assembly_factor(&rand.e_i, &net.e_i, asm, &i_set)?;
    }
    Ok(a)
}

/// The file of an odor set: `odorset_10learned.mat` or `odorset_10novel.mat`.
pub fn odor_file_name(set: OdorSet) -> &'static str {
    match set {
        OdorSet::Learned => "odorset_10learned.mat",
        OdorSet::Novel => "odorset_10novel.mat",
    }
}

/// Slots of an odor in the authors' `OBinp` table that hold its activated mitral cells (the
/// first 150 of 300; slots 226–300 are the inhibited cells).
pub const ACTIVATED_SLOTS: std::ops::Range<usize> = 0..150;

/// The activated mitral cells (0-based) of the 15 odors of `OBinp` in the learned odor file
/// of `dir` (`odorset_10learned.mat`): odor k defines assembly k.
pub fn learned_activated_cells(dir: &Path, n_odors: usize, n_mitral_cells: usize) -> Result<Vec<Vec<u32>>, MatError> {
    let f = MatFile::open(&dir.join(odor_file_name(OdorSet::Learned)))?;
    f.index_layer("OBinp", [n_odors, 300, 4], 0, ACTIVATED_SLOTS, n_mitral_cells)
}

/// The mitral-cell spikes of an odor set's file in `dir`: `r_olfbs`, 10 trials of 3 s at
/// 0.1 ms (300 000 steps) × `n_mitral_cells`.
pub fn odor_spikes(dir: &Path, set: OdorSet, n_mitral_cells: usize) -> Result<StepSpikes, MatError> {
    let f = MatFile::open(&dir.join(odor_file_name(set)))?;
    f.spike_matrix("r_olfbs", N_TRIALS * TRIAL_STEPS as usize, n_mitral_cells)
}

/// The standard protocol on recorded spikes: the first `n_trials` trials of `spikes` (3 s
/// each: 1 s baseline, 2 s odor), then 1 s of baseline. Where the recording ends with its
/// last trial (10 trials in 30 s, as the authors' files), that final second replays its
/// first second (the baseline of trial 1, 6 Hz Poisson spikes like every baseline).
pub fn trials(spikes: &StepSpikes, n_trials: usize) -> Result<Protocol, EngramError> {
    let needed = TRIAL_STEPS * n_trials as Step + TRIAL_STEPS / 3;
    if n_trials == 0 || TRIAL_STEPS * n_trials as Step > spikes.n_steps {
        return Err(EngramError::Other(format!(
            "n_trials = {n_trials}: the recording holds {} trials of {TRIAL_STEPS} steps",
            spikes.n_steps / TRIAL_STEPS
        )));
    }
    let trains = if spikes.n_steps < needed {
        spikes.then_replay(0..needed - spikes.n_steps).trains()?
    } else {
        spikes.trains()?
    };
    Ok(Protocol::played_back_trials(n_trials, trains))
}

/// Trial `k` of `spikes` alone (3 s: 1 s baseline, 2 s odor), then 1 s replaying its own
/// baseline second: the single-trial protocol of the Fig. 1 inhibition-stabilisation test
/// on the authors' inputs.
pub fn trial(spikes: &StepSpikes, k: usize) -> Result<Protocol, EngramError> {
    let start = TRIAL_STEPS * k as Step;
    if start + TRIAL_STEPS > spikes.n_steps {
        return Err(EngramError::Other(format!(
            "trial {k}: the recording holds {} trials of {TRIAL_STEPS} steps",
            spikes.n_steps / TRIAL_STEPS
        )));
    }
    let one = spikes.slice(start..start + TRIAL_STEPS).then_replay(0..TRIAL_STEPS / 3);
    Ok(Protocol::played_back_trials(1, one.trains()?))
}

/// Which of the files the networks of `networks` and both odor sets need are missing from
/// `dir` (empty when all are there).
pub fn missing_files(dir: &Path, networks: &[AuthorsNetwork]) -> Vec<PathBuf> {
    let mut names: Vec<String> = networks
        .iter()
        .flat_map(|n| [n.file_name(""), n.file_name("_tI"), n.file_name("_tEI")])
        .chain([OdorSet::Learned, OdorSet::Novel].map(|s| odor_file_name(s).to_string()))
        .collect();
    names.dedup();
    names.into_iter().map(|n| dir.join(n)).filter(|p| !p.is_file()).collect()
}
