//! The weights of one projection over time.

use std::any::Any;
use std::path::{Path, PathBuf};

use engram_core::error::EngramError;
use engram_core::monitor::{Monitor, NetworkView};
use engram_core::neuron::StepContext;

use crate::npy::{ArrayWriter, OutputFormat};

/// Which projection a [`WeightMonitor`] records: by name (`"E->I"`) or by index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProjectionRef {
    /// The projection's name (see [`NetworkBuilder::name_projection`](crate::NetworkBuilder::name_projection)).
    Name(String),
    /// The projection's index (its [`ProjectionId`](crate::ProjectionId)).
    Index(usize),
}

impl From<&str> for ProjectionRef {
    fn from(name: &str) -> Self {
        ProjectionRef::Name(name.into())
    }
}

impl From<crate::ProjectionId> for ProjectionRef {
    fn from(id: crate::ProjectionId) -> Self {
        ProjectionRef::Index(id.0)
    }
}

/// The weights of one projection (all, or a subset of synapses), every `every_steps` steps,
/// after the step's plasticity.
///
/// Keeps the samples in memory and can stream them to `DIR/weights_<projection>.<npy|csv>`:
/// one row per sample, first the time in ms (the start of the sampled step, as for
/// [`StateMonitor`](crate::StateMonitor)), then one column per recorded synapse (CSR order of the weights, or the
/// order of `subset`). Streaming all weights of a large projection writes
/// `8 × (1 + n_synapses)` bytes per sample; use a subset or a long interval.
///
/// ```
/// use engram_sim::prelude::*;
/// # use engram_core::prelude::*;
/// # use engram_core::neuron::StepInput;
/// # struct Silent(Vec<f64>, Vec<Receptor>);
/// # impl NeuronModel for Silent {
/// #   fn kind(&self) -> &str { "silent" }
/// #   fn len(&self) -> usize { self.0.len() }
/// #   fn receptors(&self) -> &[Receptor] { &self.1 }
/// #   fn state_names(&self) -> &[&'static str] { &["v_mv"] }
/// #   fn state(&self, _: &str) -> Option<&[f64]> { Some(&self.0) }
/// #   fn state_mut(&mut self, _: &str) -> Option<&mut [f64]> { Some(&mut self.0) }
/// #   fn step(&mut self, _: &StepContext, _: StepInput<'_>, _: &mut Vec<u32>) {}
/// # }
/// # let silent = |n| Silent(vec![0.0; n], vec![Receptor::current("exc", 1.0)]);
/// let mut b = NetworkBuilder::new(0.1, 1).unwrap();
/// b.add_population("A", silent(2)).unwrap();
/// b.add_population("B", silent(2)).unwrap();
/// let w = sprs::CsMatI::<f64, u32, usize>::new((2, 2), vec![0, 2, 3], vec![0, 1, 1], vec![0.5, 1.0, 2.0]);
/// b.connect("A", "B", "exc", w, Delay::Steps(1)).unwrap();
/// let id = b.add_monitor(WeightMonitor::new("A->B", 10, Some(vec![2, 0])));
/// let mut net = b.build().unwrap();
/// net.run_ms(5.0).unwrap();                   // 50 steps: samples at steps 0, 10, ..., 40
/// let m = net.monitor::<WeightMonitor>(id).unwrap();
/// assert_eq!(m.times_ms().len(), 5);
/// assert_eq!(m.sample(0), &[2.0, 0.5]);       // synapses 2 and 0
/// ```
pub struct WeightMonitor {
    projection: ProjectionRef,
    every_steps: u64,
    subset: Option<Vec<usize>>,
    index: usize,
    width: usize,
    keep: bool,
    times_ms: Vec<f64>,
    values: Vec<f64>,
    stream: Option<(PathBuf, OutputFormat)>,
    writer: Option<ArrayWriter>,
    row: Vec<f64>,
}

impl WeightMonitor {
    /// Record `projection`'s weights every `every_steps` steps (at least 1): all of them, or the
    /// synapses in `subset` (indices into the CSR data of the weights, in the order given).
    pub fn new(projection: impl Into<ProjectionRef>, every_steps: u64, subset: Option<Vec<usize>>) -> Self {
        Self {
            projection: projection.into(),
            every_steps: every_steps.max(1),
            subset,
            index: 0,
            width: 0,
            keep: true,
            times_ms: Vec::new(),
            values: Vec::new(),
            stream: None,
            writer: None,
            row: Vec::new(),
        }
    }

    /// Also stream to `dir/weights_<projection>.<ext>` (the name with `->` written `_to_` and
    /// other characters outside `[A-Za-z0-9_-]` as `_`).
    pub fn streaming_to(mut self, dir: &Path, format: OutputFormat) -> Self {
        self.stream = Some((dir.to_path_buf(), format));
        self
    }

    /// Do not keep the samples in memory (stream only).
    pub fn without_memory(mut self) -> Self {
        self.keep = false;
        self
    }

    /// Time of each sample, ms.
    pub fn times_ms(&self) -> &[f64] {
        &self.times_ms
    }

    /// Number of recorded synapses per sample.
    pub fn width(&self) -> usize {
        self.width
    }

    /// All samples, row-major (`times_ms().len() × width()`).
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// The recorded weights of sample `k`.
    pub fn sample(&self, k: usize) -> &[f64] {
        &self.values[k * self.width..(k + 1) * self.width]
    }

    /// Take the samples recorded so far, `(times_ms, values)` (row-major, `width()` values per
    /// sample), leaving the monitor recording with none kept. A run across ranks drains each
    /// rank's part this way and merges the parts into one file (see
    /// `engram_models::run::run_experiment_on_rank`).
    pub fn take_samples(&mut self) -> (Vec<f64>, Vec<f64>) {
        (std::mem::take(&mut self.times_ms), std::mem::take(&mut self.values))
    }

    /// The name of the file that [`streaming_to`](Self::streaming_to) writes for the projection
    /// named `projection`: `weights_<projection>.<npy|csv>`, with `->` written `_to_` and other
    /// characters outside `[A-Za-z0-9_-]` as `_`.
    ///
    /// ```
    /// use engram_sim::WeightMonitor;
    /// use engram_sim::npy::OutputFormat;
    /// assert_eq!(WeightMonitor::file_name("E->I", OutputFormat::Npy), "weights_E_to_I.npy");
    /// ```
    pub fn file_name(projection: &str, format: OutputFormat) -> String {
        let stem: String = projection
            .replace("->", "_to_")
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c } else { '_' })
            .collect();
        format!("weights_{stem}.{}", format.extension())
    }

    /// The column names of a file of `width` synapses (all of a projection's, in CSR order):
    /// `time_ms`, then `s0`, `s1`, ...
    pub fn column_names(width: usize) -> Vec<String> {
        std::iter::once("time_ms".to_string()).chain((0..width).map(|j| format!("s{j}"))).collect()
    }

    /// The weight of recorded synapse `j` (column) in every sample.
    pub fn trace(&self, j: usize) -> Vec<f64> {
        self.values.iter().skip(j).step_by(self.width.max(1)).copied().collect()
    }
}

impl Monitor for WeightMonitor {
    fn bind(&mut self, net: &dyn NetworkView) -> Result<(), EngramError> {
        let names = net.projection_names();
        self.index = match &self.projection {
            ProjectionRef::Name(name) => {
                net.projection(name).ok_or_else(|| EngramError::unknown("projection", name, names.iter().copied()))?
            }
            ProjectionRef::Index(i) if *i < names.len() => *i,
            ProjectionRef::Index(i) => {
                return Err(EngramError::Other(format!(
                    "WeightMonitor: projection {i} does not exist ({} projections)",
                    names.len()
                )));
            }
        };
        let name = names[self.index].to_string();
        let n = net.weights(self.index).map_or(0, <[f64]>::len);
        if let Some(bad) = self.subset.as_ref().and_then(|s| s.iter().find(|&&k| k >= n)) {
            return Err(EngramError::Other(format!(
                "WeightMonitor: synapse {bad} does not exist in projection `{name}` ({n} synapses)"
            )));
        }
        self.width = self.subset.as_ref().map_or(n, Vec::len);
        self.row = vec![0.0; self.width + 1];
        if let Some((dir, format)) = &self.stream {
            let columns: Vec<String> = std::iter::once("time_ms".to_string())
                .chain((0..self.width).map(|j| format!("s{}", self.subset.as_ref().map_or(j, |s| s[j]))))
                .collect();
            let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
            let path = dir.join(Self::file_name(&name, *format));
            self.writer = Some(ArrayWriter::create(&path, *format, &columns)?);
        }
        Ok(())
    }

    fn observe(&mut self, ctx: &StepContext, net: &dyn NetworkView) -> Result<(), EngramError> {
        if ctx.step % self.every_steps != 0 {
            return Ok(());
        }
        let w = net.weights(self.index).unwrap_or(&[]);
        self.row[0] = ctx.time_ms();
        match &self.subset {
            None => self.row[1..].copy_from_slice(w),
            Some(s) => {
                for (r, &k) in self.row[1..].iter_mut().zip(s) {
                    *r = w[k];
                }
            }
        }
        if self.keep {
            self.times_ms.push(self.row[0]);
            self.values.extend_from_slice(&self.row[1..]);
        }
        if let Some(writer) = &mut self.writer {
            writer.write_row(&self.row)?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), EngramError> {
        self.writer.as_mut().map_or(Ok(()), ArrayWriter::flush)
    }

    fn finish(&mut self) -> Result<(), EngramError> {
        self.writer.as_mut().map_or(Ok(()), ArrayWriter::finish)
    }

    fn as_any(&self) -> Option<&dyn Any> {
        Some(self)
    }

    fn as_any_mut(&mut self) -> Option<&mut dyn Any> {
        Some(self)
    }
}
