//! The `MatSpikeMatrix` source kind: a source group that replays the spikes of a 0/1 matrix in
//! a MATLAB 5 `.mat` file (rows = time steps, columns = sources), as the Dp authors' odor files
//! hold their mitral-cell spikes (`r_olfbs`), read by [`crate::mat`].

use std::path::PathBuf;

use engram_core::error::ParamError;
use engram_core::params::{Checked, Params, positive};
use engram_stimuli::SpikeTrains;
use serde::{Deserialize, Serialize};

use super::registry::SourceContext;
use crate::mat::MatFile;

/// Parameters of the `MatSpikeMatrix` source:
/// `(path: "odorset_10learned.mat", variable: "r_olfbs", n_sources: 1500, dt_ms: 0.1)`.
///
/// The variable is a real matrix of 0 and 1 with one row per time step of `dt_ms` and one
/// column per source: a 1 in row t, column s is a spike of source s in step t (t, s from 0).
/// `dt_ms` must be the network's step. The matrix is read when the description is checked
/// and again when the network is built (an odor file of the Dp authors takes about 2 s).
///
/// ```no_run
/// use engram_models::description::NetworkDescription;
/// let text = r#"(
///     populations: [(name: "E", size: 1500, neuron: (kind: "LifCond"))],
///     sources: [(name: "ob", source: (kind: "MatSpikeMatrix",
///         params: (path: "odorset_10learned.mat", variable: "r_olfbs", n_sources: 1500, dt_ms: 0.1)))],
///     projections: [(pre: "ob", post: "E", receptor: "exc",
///                    connectivity: (kind: "OneToOne"), weight: Constant(value: 1.0))],
/// )"#;
/// let d = NetworkDescription::from_ron_str(text, "replay.ron").unwrap();
/// let mut built = d.build_with(&Default::default(), 0.1, 1).unwrap();
/// built.network.run_ms(3000.0).unwrap(); // the first trial
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatSpikeMatrixParams {
    /// The `.mat` file; a relative path is relative to the description's folder.
    pub path: PathBuf,
    /// The matrix's variable name (`r_olfbs`).
    pub variable: String,
    /// Sources: the matrix's columns (≥ 1).
    pub n_sources: usize,
    /// Time step of the rows, ms (the network's `dt_ms`).
    pub dt_ms: f64,
}

impl Params for MatSpikeMatrixParams {
    fn validate(&self) -> Result<(), ParamError> {
        if self.path.as_os_str().is_empty() {
            return Err(ParamError::new("path", "\"\"", "the path of a MATLAB 5 .mat file"));
        }
        if self.variable.is_empty() {
            return Err(ParamError::new("variable", "\"\"", "the name of a 0/1 matrix in the file"));
        }
        if self.n_sources == 0 || self.n_sources > u32::MAX as usize {
            return Err(ParamError::new("n_sources", self.n_sources, "between 1 and 2^32 - 1 sources"));
        }
        positive("dt_ms", self.dt_ms)
    }
}

/// The `MatSpikeMatrix` source: the matrix's spikes, checked (shape, 0/1 values) while the
/// description is checked, replayed by [`SpikeTrains`] when it is built.
pub(crate) fn spike_trains_from_mat(
    p: Checked<MatSpikeMatrixParams>,
    ctx: &SourceContext,
) -> Result<SpikeTrains, ParamError> {
    let shown = |s: &str| format!("{s:?}");
    let file = MatFile::open(&ctx.resolve(&p.path))
        .map_err(|e| ParamError::new("path", shown(&p.path.display().to_string()), e.to_string()))?;
    let bad_variable = |e: crate::mat::MatError| ParamError::new("variable", shown(&p.variable), e.to_string());
    let n_steps = file.rows(&p.variable).map_err(bad_variable)?;
    let spikes = file.spike_matrix(&p.variable, n_steps, p.n_sources).map_err(bad_variable)?;
    if ctx.checking {
        return SpikeTrains::from_steps(p.n_sources, Vec::new());
    }
    let dt_ms = ctx.clock.dt_ms();
    if (dt_ms - p.dt_ms).abs() > 1e-9 * p.dt_ms {
        return Err(ParamError::new(
            "dt_ms",
            p.dt_ms,
            format!("the network's step, {dt_ms} ms (the matrix has one row per step)"),
        ));
    }
    spikes.trains()
}
