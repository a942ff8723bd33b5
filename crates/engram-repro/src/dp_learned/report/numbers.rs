//! The numbers of the dp-learned report: the parts of a run's `summary.json` that the tables of
//! `docs/reproduction/dp-learned.md` show, as typed structs laid out like the run's
//! [`LearnedSummary`](crate::dp_learned::LearnedSummary) (so that reading a run is one `serde`
//! call and a field the report needs cannot silently vanish). The summary's own types are reused
//! where they hold no more than the report needs ([`LearnedParams`], [`ConditionMeasures`],
//! [`EiSelectivity`], and the Figs 4–5 records of [`crate::dp::fig45::measures`]).
//!
//! The same structs, serialised, are the committed compact summary
//! `docs/reproduction/dp-learned/summary.json`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::dp::fig45::measures::{MeanSd, ParticipationRatioSummary, SingularFits};
use crate::dp_learned::LearnedParams;
use crate::dp_learned::summary::{ConditionMeasures, EiSelectivity, SettingRecord};

/// What the report needs of a dp-learned run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LearnedNumbers {
    /// Experiment seed.
    pub seed: u64,
    /// Whether it was the quick (or the test-only tiny) version.
    pub quick: bool,
    /// Network seeds (structure A), in the order of [`instances`](Self::instances).
    pub networks: Vec<u64>,
    /// The parameters of the settings trained, the default first.
    pub setting_params: Vec<LearnedParams>,
    /// The headline measures of every learned condition.
    pub settings: Vec<SettingRecord>,
    /// The same measures of the hard-wired references.
    pub references: Vec<SettingRecord>,
    /// Condition keys in table order (`rand`, `scaled_i`, `tuned_ei`, `start_chi1`, the
    /// settings' keys, `new_wired`, `after_continual`).
    pub conditions: Vec<String>,
    /// The standard measures per condition key, mean ± SD over networks.
    pub table: BTreeMap<String, ConditionMeasures>,
    /// Figs 4–5 geometry per condition key whose geometry was measured.
    pub geometry: BTreeMap<String, GeometryNumbers>,
    /// The subspace protocol of the geometry.
    pub geometry_protocol: ProtocolNumbers,
    /// E→I selectivity of the hard-wired references, per network.
    pub e_i_selectivity: EiSelectivity,
    /// Every network's training and continual learning.
    pub instances: Vec<InstanceNumbers>,
    /// Wall time of every job, s.
    pub job_wall_s: Vec<f64>,
    /// Wall time of the whole run, s.
    pub wall_s: f64,
}

/// The Figs 4–5 measures of one condition over networks that the geometry table shows (the run
/// holds more: the full-space angles, pooled angles, the other local-variance bands, d_E, the
/// all-neuron pools and the QDA curves).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GeometryNumbers {
    /// Networks summarised.
    pub networks: usize,
    /// Mean E rate over all presentations, Hz.
    pub e_rate_hz: Option<MeanSd>,
    /// Participation ratios of the 1 s E patterns.
    pub participation_ratio: ParticipationRatioSummary,
    /// Angles between neighbouring mixtures around the pure odors, in the leading PCs, rad.
    pub angles_rad_in_pcs: AngleNumbers,
    /// Local variance around the pure odors, Hz².
    pub local_variance: LocalVarianceNumbers,
    /// Mahalanobis distances on (pseudo-)assembly neurons.
    pub distances_assembly_neurons: DistanceNumbers,
    /// QDA on (pseudo-)assembly neurons.
    pub qda_assembly_neurons: QdaNumbers,
}

/// The networks' mean angles around the learned (L, M) and the novel (N, O) odors, rad.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct AngleNumbers {
    /// Around L and M.
    pub learned_network_means: Option<MeanSd>,
    /// Around N and O.
    pub novel_network_means: Option<MeanSd>,
}

/// Local variance on PCs 1–5 around the pure odors, per network the mean over the PCs and the
/// corners of a set, Hz².
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LocalVarianceNumbers {
    /// Around L and M.
    pub learned_pcs_1_5: Option<MeanSd>,
    /// Around N and O.
    pub novel_pcs_1_5: Option<MeanSd>,
}

/// d_M between the test mixtures near one odor pair and the reference classes of another.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct DistanceNumbers {
    /// Near a learned odor to a novel class.
    pub learned_to_novel: DirectionNumbers,
    /// Near a novel odor to a learned class.
    pub novel_to_learned: DirectionNumbers,
    /// Between novel classes.
    pub novel_to_novel: DirectionNumbers,
    /// Reference-class fits whose covariance was singular.
    pub singular_reference_fits: SingularFits,
}

/// One direction of the distances.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct DirectionNumbers {
    /// Mahalanobis distance (`None`: every fit singular).
    pub d_m: Option<MeanSd>,
}

/// QDA probability that a test mixture is assigned to its target.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct QdaNumbers {
    /// Targets L and M.
    pub p_target_learned: Option<MeanSd>,
    /// Targets N and O.
    pub p_target_novel: Option<MeanSd>,
    /// Whether any draw could be classified.
    pub applicable: bool,
}

/// The subspace protocol of the geometry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProtocolNumbers {
    /// Trajectories presented.
    pub trajectories: Vec<usize>,
    /// Presentations (1 s each).
    pub presentations: usize,
    /// Sizes of the readouts.
    pub sizes: SizeNumbers,
}

/// Neuron draws of d_M and QDA.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SizeNumbers {
    /// (Pseudo-)assembly neurons per draw.
    pub neurons: usize,
    /// Draws.
    pub draws: usize,
}

/// One network's training trajectories and continual learning.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InstanceNumbers {
    /// Network seed.
    pub network_seed: u64,
    /// Training with every setting, in the order of [`LearnedNumbers::settings`].
    pub training: Vec<TrainingNumbers>,
    /// Continual learning (the first setting).
    pub continual: Option<ContinualNumbers>,
    /// Continual learning with E→I learning on.
    pub continual_e_to_i: Option<ContinualNumbers>,
}

/// The training trajectory of one setting.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainingNumbers {
    /// Condition key of the setting.
    pub key: String,
    /// Step 0 = start, then one step per repeat.
    pub steps: Vec<StepNumbers>,
}

/// The state after one repeat (see [`TrainingStep`](crate::dp_learned::TrainingStep); a value
/// that was NaN in the run, such as the rates of step 0, is `None`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepNumbers {
    /// Repeats done (0 = initial weights).
    pub repeat: usize,
    /// Mean total I→E weight onto a neuron of the trained assemblies, nS.
    pub w_assembly_ns: Option<f64>,
    /// Mean total I→E weight onto a neuron in no assembly, nS.
    pub w_non_assembly_ns: Option<f64>,
    /// E→I selectivity of the trained assemblies (1 = no preference).
    pub e_i_selectivity: Option<f64>,
    /// Mean E rate during odors in this repeat (rules on), Hz.
    pub e_rate_odor_hz: Option<f64>,
    /// Rate of assembly k during odor k in this repeat (rules on), Hz.
    pub assembly_rate_hz: Option<f64>,
}

/// Continual learning: two novel odors get assemblies and are trained with the first setting.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContinualNumbers {
    /// Trajectory of the training on the 2 new odors (the assembly weights are of the new
    /// assemblies).
    pub steps: Vec<StepNumbers>,
    /// Total I→E weight onto the old (trained) assembly neurons, start / end of the continual
    /// training, nS.
    pub w_old_assembly_ns: Vec<Option<f64>>,
    /// Own-assembly rate of the new odors, weights frozen, before / after their training, Hz.
    pub new_assembly_rate_hz: (Option<f64>, Option<f64>),
}
