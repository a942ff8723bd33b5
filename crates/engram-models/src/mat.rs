//! MATLAB 5 `.mat` files (read with the `matfile` crate) turned into engram's types: integer
//! multiplicity matrices into [`Connectivity`] (CSR, row = presynaptic neuron), 1-based index
//! tables into 0-based groups, and 0/1 spike matrices (rows = time steps, columns = sources)
//! into [`StepSpikes`] and [`SpikeTrains`]. Every error names the file, the variable, what was
//! expected and what was found ([`MatError`]).
//!
//! ```no_run
//! use engram_models::mat::MatFile;
//! let f = MatFile::open("connec_A_1_tI.mat".as_ref()).unwrap();
//! let e_e = f.multiplicities("w_ee", 4000, 4000).unwrap(); // rows = presynaptic
//! let assemblies = f.index_groups("Ee", 15, 100, 4000).unwrap(); // 1-based in the file
//! println!("{} E→E synapses, first member {}", e_e.n_connections(), assemblies[0][0]);
//! let odors = MatFile::open("odorset_10learned.mat".as_ref()).unwrap();
//! let spikes = odors.spike_matrix("r_olfbs", 300_000, 1500).unwrap();
//! println!("{} mitral-cell spikes in the first trial", spikes.count_in(0..30_000));
//! ```
//!
//! MATLAB stores matrices column by column; the readers here walk them in that order, so a
//! value's place is `(row, column)` with `row = k % n_rows` for the `k`-th stored value.
//! Integer-valued double matrices are often stored compressed as 8-bit integers; `matfile`
//! returns them as `f64` of class `double`, and any real numeric class is accepted where the
//! values are whole numbers.

use std::ops::Range;
use std::path::{Path, PathBuf};

use engram_connectivity::{Connectivity, Constraints, MultiplicityMatrix};
use engram_core::error::{EngramError, ParamError};
use engram_core::time::Step;
use engram_stimuli::SpikeTrains;
use matfile::NumericData;

/// What went wrong reading a `.mat` file; each variant names the file (and the variable).
#[derive(Debug, thiserror::Error)]
pub enum MatError {
    /// The file does not exist or cannot be read.
    #[error("cannot read MAT file {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a MATLAB 5 MAT-file (or uses a part of the format `matfile` does not read).
    #[error("{}: not a MATLAB 5 MAT-file engram can read ({message})", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// The file has no numeric variable of that name.
    #[error("{}: no numeric variable `{variable}`; the file has {}", path.display(), found.join(", "))]
    Missing {
        /// The file.
        path: PathBuf,
        /// The variable asked for.
        variable: String,
        /// The numeric variables the file has, each with its shape and class.
        found: Vec<String>,
    },
    /// The variable has another shape.
    #[error("{}: variable `{variable}` has shape {found}, expected {expected}", path.display())]
    Shape {
        /// The file.
        path: PathBuf,
        /// The variable.
        variable: String,
        /// The shape wanted (`4000×4000`) and what it is.
        expected: String,
        /// The shape found.
        found: String,
    },
    /// The variable has a type that cannot hold what is asked for (complex numbers).
    #[error("{}: variable `{variable}` is {found}, expected {expected}", path.display())]
    Type {
        /// The file.
        path: PathBuf,
        /// The variable.
        variable: String,
        /// The type wanted.
        expected: String,
        /// The type found (`complex double`).
        found: String,
    },
    /// A value out of range (`row` and `column` 1-based, as MATLAB indexes).
    #[error("{}: {variable}({row}, {column}) = {value} (1-based, as MATLAB indexes), expected {expected}", path.display())]
    Value {
        /// The file.
        path: PathBuf,
        /// The variable.
        variable: String,
        /// 1-based row.
        row: usize,
        /// 1-based column.
        column: usize,
        /// The value.
        value: f64,
        /// What is allowed.
        expected: String,
    },
}

impl From<MatError> for EngramError {
    fn from(e: MatError) -> Self {
        EngramError::Other(e.to_string())
    }
}

/// A parsed MAT-file and the path it came from (for messages).
pub struct MatFile {
    path: PathBuf,
    inner: matfile::MatFile,
}

/// `4000×4000`.
fn shape_text(size: &[usize]) -> String {
    size.iter().map(usize::to_string).collect::<Vec<_>>().join("×")
}

/// MATLAB's name of the class of `data`, with `complex` in front for complex values.
fn class_text(data: &NumericData) -> String {
    macro_rules! name {
        ($($variant:ident => $name:literal),*) => {
            match data {
                $(NumericData::$variant { imag, .. } => {
                    if imag.is_some() { concat!("complex ", $name) } else { $name }
                })*
            }
        };
    }
    name!(Int8 => "int8", UInt8 => "uint8", Int16 => "int16", UInt16 => "uint16", Int32 => "int32",
          UInt32 => "uint32", Int64 => "int64", UInt64 => "uint64", Single => "single", Double => "double")
    .to_string()
}

/// Call `f(k, value)` for every stored value of a real array, in MATLAB's (column-major)
/// order; `None` for complex data.
fn each_real<E>(data: &NumericData, mut f: impl FnMut(usize, f64) -> Result<(), E>) -> Option<Result<(), E>> {
    macro_rules! walk {
        ($($variant:ident),*) => {
            match data {
                $(NumericData::$variant { real, imag: None } => {
                    Some(real.iter().enumerate().try_for_each(|(k, &x)| f(k, x as f64)))
                })*
                _ => None,
            }
        };
    }
    walk!(Int8, UInt8, Int16, UInt16, Int32, UInt32, Int64, UInt64, Single, Double)
}

impl MatFile {
    /// Read and parse `path`.
    pub fn open(path: &Path) -> Result<Self, MatError> {
        let file = std::fs::File::open(path).map_err(|source| MatError::Read { path: path.to_path_buf(), source })?;
        let inner = matfile::MatFile::parse(std::io::BufReader::new(file))
            .map_err(|e| MatError::Parse { path: path.to_path_buf(), message: e.to_string() })?;
        Ok(Self { path: path.to_path_buf(), inner })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The numeric variables, each as `name (rows×columns class)`.
    pub fn variables(&self) -> Vec<String> {
        self.inner
            .arrays()
            .iter()
            .map(|a| format!("{} ({} {})", a.name(), shape_text(a.size()), class_text(a.data())))
            .collect()
    }

    /// The variable `name`, checked to be a real matrix of shape `rows × columns`; `what`
    /// says what it should be, for the type error.
    fn matrix(&self, name: &str, rows: usize, columns: usize, what: &str) -> Result<&NumericData, MatError> {
        let array = self.inner.find_by_name(name).ok_or_else(|| MatError::Missing {
            path: self.path.clone(),
            variable: name.into(),
            found: self.variables(),
        })?;
        if array.size() != &[rows, columns] {
            return Err(MatError::Shape {
                path: self.path.clone(),
                variable: name.into(),
                expected: format!("{rows}×{columns} ({what})"),
                found: shape_text(array.size()),
            });
        }
        let data = array.data();
        if class_text(data).starts_with("complex") {
            return Err(MatError::Type {
                path: self.path.clone(),
                variable: name.into(),
                expected: format!("a real numeric matrix ({what})"),
                found: class_text(data),
            });
        }
        Ok(data)
    }

    /// The error for the `k`-th stored value `value` of `name` (a matrix of `rows` rows).
    fn bad_value(&self, name: &str, rows: usize, k: usize, value: f64, expected: &str) -> MatError {
        MatError::Value {
            path: self.path.clone(),
            variable: name.into(),
            row: k % rows + 1,
            column: k / rows + 1,
            value,
            expected: expected.into(),
        }
    }

    /// The number of rows of the variable `name`.
    pub fn rows(&self, name: &str) -> Result<usize, MatError> {
        let array = self.inner.find_by_name(name).ok_or_else(|| MatError::Missing {
            path: self.path.clone(),
            variable: name.into(),
            found: self.variables(),
        })?;
        Ok(array.size()[0])
    }

    /// A scalar (a 1×1 variable), such as `dt` or `Nexc`.
    pub fn scalar(&self, name: &str) -> Result<f64, MatError> {
        let data = self.matrix(name, 1, 1, "a scalar")?;
        let mut value = f64::NAN;
        each_real(data, |_, x| {
            value = x;
            Ok::<(), MatError>(())
        })
        .expect("checked real")?;
        Ok(value)
    }

    /// The connection multiplicities of the `n_pre × n_post` matrix `name` (rows =
    /// presynaptic neurons, columns = postsynaptic, values whole numbers 0–65535) as a
    /// [`Connectivity`]; later edits may make autapses and multapses.
    pub fn multiplicities(&self, name: &str, n_pre: usize, n_post: usize) -> Result<Connectivity, MatError> {
        const WHAT: &str = "connection multiplicities, rows = presynaptic neurons";
        let data = self.matrix(name, n_pre, n_post, WHAT)?;
        // (row, column, multiplicity) in column-major order: columns ascend within each row
        let mut entries: Vec<(u32, u32, u16)> = Vec::new();
        each_real(data, |k, x| {
            if x == 0.0 {
                return Ok(());
            }
            if !(x.fract() == 0.0 && x > 0.0 && x <= f64::from(u16::MAX)) {
                return Err(self.bad_value(name, n_pre, k, x, "a whole number of connections from 0 to 65535"));
            }
            entries.push(((k % n_pre) as u32, (k / n_pre) as u32, x as u16));
            Ok(())
        })
        .expect("checked real")?;
        entries.sort_by_key(|&(row, _, _)| row); // stable: columns stay sorted within a row
        let mut indptr = vec![0usize; n_pre + 1];
        for &(row, _, _) in &entries {
            indptr[row as usize + 1] += 1;
        }
        for i in 0..n_pre {
            indptr[i + 1] += indptr[i];
        }
        let indices = entries.iter().map(|e| e.1).collect();
        let values = entries.iter().map(|e| e.2).collect();
        let matrix = MultiplicityMatrix::new((n_pre, n_post), indptr, indices, values);
        Ok(Connectivity::from_matrix(matrix, Constraints { allow_autapses: true, allow_multapses: true }))
    }

    /// The `n_groups × size` table `name` of 1-based indices below or equal to `n_neurons`
    /// (row g = the members of group g), as 0-based indices, one `Vec` per row in the
    /// table's order.
    pub fn index_groups(
        &self,
        name: &str,
        n_groups: usize,
        size: usize,
        n_neurons: usize,
    ) -> Result<Vec<Vec<u32>>, MatError> {
        let data = self.matrix(name, n_groups, size, "1-based neuron indices, one row per group")?;
        let mut groups = vec![vec![0u32; size]; n_groups];
        each_real(data, |k, x| {
            if !(x.fract() == 0.0 && x >= 1.0 && x <= n_neurons as f64) {
                return Err(self.bad_value(name, n_groups, k, x, &format!("a 1-based index from 1 to {n_neurons}")));
            }
            groups[k % n_groups][k / n_groups] = x as u32 - 1;
            Ok(())
        })
        .expect("checked real")?;
        Ok(groups)
    }

    /// Layer `layer` (0-based) of the three-dimensional table `name` of shape
    /// `rows × columns × layers`, columns `columns_taken` of each row, read as 1-based indices
    /// below or equal to `n_neurons` and returned 0-based, one `Vec` per row (the authors'
    /// `OBinp`: 15 odors × 300 slots × 4 layers, layer 0 holding mitral-cell indices).
    pub fn index_layer(
        &self,
        name: &str,
        shape: [usize; 3],
        layer: usize,
        columns_taken: Range<usize>,
        n_neurons: usize,
    ) -> Result<Vec<Vec<u32>>, MatError> {
        let [rows, columns, layers] = shape;
        let array = self.inner.find_by_name(name).ok_or_else(|| MatError::Missing {
            path: self.path.clone(),
            variable: name.into(),
            found: self.variables(),
        })?;
        if array.size() != &shape[..] || layer >= layers || columns_taken.end > columns {
            return Err(MatError::Shape {
                path: self.path.clone(),
                variable: name.into(),
                expected: format!(
                    "{rows}×{columns}×{layers} with layer {layer} and columns {columns_taken:?} in range"
                ),
                found: shape_text(array.size()),
            });
        }
        let mut groups = vec![Vec::with_capacity(columns_taken.len()); rows];
        let per_layer = rows * columns;
        each_real(array.data(), |k, x| {
            let (row, column) = (k % rows, (k / rows) % columns);
            if k / per_layer != layer || !columns_taken.contains(&column) {
                return Ok(());
            }
            if !(x.fract() == 0.0 && x >= 1.0 && x <= n_neurons as f64) {
                return Err(self.bad_value(
                    name,
                    rows,
                    k % per_layer,
                    x,
                    &format!("a 1-based index from 1 to {n_neurons}"),
                ));
            }
            groups[row].push(x as u32 - 1);
            Ok(())
        })
        .ok_or_else(|| MatError::Type {
            path: self.path.clone(),
            variable: name.into(),
            expected: "a real numeric table".into(),
            found: class_text(array.data()),
        })??;
        Ok(groups)
    }

    /// The 0/1 spike matrix `name`, `n_steps × n_sources` (row = time step, column = source),
    /// as the spikes it holds.
    pub fn spike_matrix(&self, name: &str, n_steps: usize, n_sources: usize) -> Result<StepSpikes, MatError> {
        let data = self.matrix(name, n_steps, n_sources, "0/1 spikes, rows = time steps, columns = sources")?;
        let mut spikes: Vec<(u32, Step)> = Vec::new();
        each_real(data, |k, x| {
            if x == 0.0 {
                Ok(())
            } else if x == 1.0 {
                spikes.push(((k / n_steps) as u32, (k % n_steps) as Step));
                Ok(())
            } else {
                Err(self.bad_value(name, n_steps, k, x, "0 or 1 (one spike per source and step at most)"))
            }
        })
        .expect("checked real")?;
        spikes.sort_unstable_by_key(|&(source, step)| (step, source));
        Ok(StepSpikes { n_sources, n_steps: n_steps as Step, spikes })
    }
}

/// Spikes on a grid of time steps, as a 0/1 matrix holds them: `(source, step)` pairs.
///
/// ```
/// use engram_models::mat::StepSpikes;
/// let s = StepSpikes::new(2, 10, vec![(1, 4), (0, 2), (1, 2)]).unwrap();
/// assert_eq!(s.spikes, vec![(0, 2), (1, 2), (1, 4)]); // by step, then source
/// assert_eq!(s.count_in(0..3), 2);
/// // steps 10..13 replay steps 2..5
/// let longer = s.then_replay(2..5);
/// assert_eq!((longer.n_steps, longer.count_in(10..13)), (13, 3));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct StepSpikes {
    /// Sources (columns of the matrix).
    pub n_sources: usize,
    /// Time steps covered (rows of the matrix).
    pub n_steps: Step,
    /// `(source, step)`, sorted by step, then source; at most one per source and step.
    pub spikes: Vec<(u32, Step)>,
}

impl StepSpikes {
    /// Spikes of `n_sources` sources over `n_steps` steps, in any order; a source out of
    /// range, a step beyond `n_steps` or a source twice in one step is an error.
    pub fn new(n_sources: usize, n_steps: Step, mut spikes: Vec<(u32, Step)>) -> Result<Self, ParamError> {
        spikes.sort_unstable_by_key(|&(source, step)| (step, source));
        if let Some(&(source, step)) = spikes.iter().find(|&&(s, t)| s as usize >= n_sources || t >= n_steps) {
            return Err(ParamError::new(
                "spikes",
                format!("(source {source}, step {step})"),
                format!("sources below {n_sources} and steps below {n_steps}"),
            ));
        }
        if let Some(w) = spikes.windows(2).find(|w| w[0] == w[1]) {
            return Err(ParamError::new(
                "spikes",
                format!("source {} twice in step {}", w[0].0, w[0].1),
                "at most one spike per source per step",
            ));
        }
        Ok(Self { n_sources, n_steps, spikes })
    }

    /// Spikes in the steps `steps`.
    pub fn count_in(&self, steps: Range<Step>) -> usize {
        let at = |s: Step| self.spikes.partition_point(|&(_, t)| t < s);
        at(steps.end).saturating_sub(at(steps.start))
    }

    /// The spikes in `steps`, moved to start at step 0 (one trial of a recording).
    ///
    /// ```
    /// use engram_models::mat::StepSpikes;
    /// let s = StepSpikes::new(2, 10, vec![(0, 1), (1, 4), (0, 6)]).unwrap();
    /// let trial = s.slice(4..8);
    /// assert_eq!((trial.n_steps, trial.spikes), (4, vec![(1, 0), (0, 2)]));
    /// ```
    pub fn slice(&self, steps: Range<Step>) -> Self {
        let spikes =
            self.spikes.iter().filter(|&&(_, t)| steps.contains(&t)).map(|&(s, t)| (s, t - steps.start)).collect();
        Self { n_sources: self.n_sources, n_steps: steps.end.saturating_sub(steps.start), spikes }
    }

    /// These spikes followed by a copy of those in `steps`, placed from step `n_steps` on
    /// (to extend a recording by a stretch of itself).
    pub fn then_replay(&self, steps: Range<Step>) -> Self {
        let mut spikes = self.spikes.clone();
        spikes.extend(
            self.spikes.iter().filter(|&&(_, t)| steps.contains(&t)).map(|&(s, t)| (s, t - steps.start + self.n_steps)),
        );
        Self { n_sources: self.n_sources, n_steps: self.n_steps + (steps.end - steps.start), spikes }
    }

    /// A source group that emits these spikes, spike `(s, t)` at step `t`.
    pub fn trains(&self) -> Result<SpikeTrains, ParamError> {
        SpikeTrains::from_steps(self.n_sources, self.spikes.clone())
    }
}
