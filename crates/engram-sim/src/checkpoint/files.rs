//! Saving a [`Checkpoint`] to a directory of `.npy` arrays plus a JSON manifest and loading it
//! back ([`Checkpoint::save`], [`Checkpoint::load`]; format in the [module docs](crate::checkpoint)).

use std::collections::BTreeMap;
use std::path::Path;

use engram_core::checkpoint::ComponentState;
use engram_core::error::EngramError;
use serde::{Deserialize, Serialize};

use super::{Checkpoint, FORMAT_VERSION, PlasticityDelayState, PopulationState, ProjectionState, StimulusState};
use crate::npy::{read_npy_1d, write_npy_1d};

/// One array of a checkpoint, borrowed.
pub(super) enum ArrayRef<'a> {
    F64(&'a [f64]),
    U64(&'a [u64]),
    U32(&'a [u32]),
}

/// One array of a checkpoint, to be filled.
pub(super) enum ArrayMut<'a> {
    F64(&'a mut Vec<f64>),
    U64(&'a mut Vec<u64>),
    U32(&'a mut Vec<u32>),
}

/// Where an array of a saved checkpoint lives.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct ArrayEntry {
    file: String,
    dtype: String,
    len: usize,
}

#[derive(Serialize, Deserialize)]
struct Manifest {
    format: String,
    version: u32,
    arrays: BTreeMap<String, ArrayEntry>,
    checkpoint: Checkpoint,
}

const MANIFEST: &str = "manifest.json";
const FORMAT: &str = "engram-checkpoint";

fn component_arrays<'a>(key: &str, s: &'a ComponentState, f: &mut dyn FnMut(String, ArrayRef<'a>)) {
    for (name, v) in &s.f64s {
        f(format!("{key}.f64s.{name}"), ArrayRef::F64(v));
    }
    for (name, v) in &s.u64s {
        f(format!("{key}.u64s.{name}"), ArrayRef::U64(v));
    }
}

fn component_arrays_mut<'a>(key: &str, s: &'a mut ComponentState, f: &mut dyn FnMut(String, ArrayMut<'a>)) {
    for (name, v) in &mut s.f64s {
        f(format!("{key}.f64s.{name}"), ArrayMut::F64(v));
    }
    for (name, v) in &mut s.u64s {
        f(format!("{key}.u64s.{name}"), ArrayMut::U64(v));
    }
}

fn empty_component(s: &ComponentState) -> ComponentState {
    ComponentState {
        kind: s.kind.clone(),
        f64s: s.f64s.keys().map(|k| (k.clone(), Vec::new())).collect(),
        u64s: s.u64s.keys().map(|k| (k.clone(), Vec::new())).collect(),
        blobs: s.blobs.clone(),
    }
}

impl Checkpoint {
    /// Visit every array with a unique key, in a fixed order.
    pub(super) fn arrays<'a>(&'a self, f: &mut dyn FnMut(String, ArrayRef<'a>)) {
        for (i, p) in self.populations.iter().enumerate() {
            let key = format!("populations[{i}]");
            component_arrays(&format!("{key}.state"), &p.state, f);
            f(format!("{key}.ring"), ArrayRef::F64(&p.ring));
            f(format!("{key}.current_pa"), ArrayRef::F64(&p.current_pa));
            f(format!("{key}.last_spikes"), ArrayRef::U32(&p.last_spikes));
            f(format!("{key}.neuron_counts"), ArrayRef::U32(&p.neuron_counts));
        }
        for (i, p) in self.projections.iter().enumerate() {
            let key = format!("projections[{i}]");
            f(format!("{key}.weights"), ArrayRef::F64(&p.weights));
            if let Some(e) = &p.efficacy {
                f(format!("{key}.efficacy"), ArrayRef::F64(e));
            }
            if let Some(r) = &p.rule {
                component_arrays(&format!("{key}.rule"), r, f);
            }
            if let Some(d) = &p.plasticity_delays {
                f(format!("{key}.plasticity_delays.pre_spikes"), ArrayRef::U32(&d.pre_spikes));
                f(format!("{key}.plasticity_delays.pre_counts"), ArrayRef::U32(&d.pre_counts));
                f(format!("{key}.plasticity_delays.post_spikes"), ArrayRef::U32(&d.post_spikes));
                f(format!("{key}.plasticity_delays.post_counts"), ArrayRef::U32(&d.post_counts));
            }
        }
        for (i, s) in self.stimuli.iter().enumerate() {
            component_arrays(&format!("stimuli[{i}].state"), &s.state, f);
        }
    }

    /// [`arrays`](Self::arrays), mutable (same keys, same order).
    pub(super) fn arrays_mut<'a>(&'a mut self, f: &mut dyn FnMut(String, ArrayMut<'a>)) {
        for (i, p) in self.populations.iter_mut().enumerate() {
            let key = format!("populations[{i}]");
            component_arrays_mut(&format!("{key}.state"), &mut p.state, f);
            f(format!("{key}.ring"), ArrayMut::F64(&mut p.ring));
            f(format!("{key}.current_pa"), ArrayMut::F64(&mut p.current_pa));
            f(format!("{key}.last_spikes"), ArrayMut::U32(&mut p.last_spikes));
            f(format!("{key}.neuron_counts"), ArrayMut::U32(&mut p.neuron_counts));
        }
        for (i, p) in self.projections.iter_mut().enumerate() {
            let key = format!("projections[{i}]");
            f(format!("{key}.weights"), ArrayMut::F64(&mut p.weights));
            if let Some(e) = &mut p.efficacy {
                f(format!("{key}.efficacy"), ArrayMut::F64(e));
            }
            if let Some(r) = &mut p.rule {
                component_arrays_mut(&format!("{key}.rule"), r, f);
            }
            if let Some(d) = &mut p.plasticity_delays {
                f(format!("{key}.plasticity_delays.pre_spikes"), ArrayMut::U32(&mut d.pre_spikes));
                f(format!("{key}.plasticity_delays.pre_counts"), ArrayMut::U32(&mut d.pre_counts));
                f(format!("{key}.plasticity_delays.post_spikes"), ArrayMut::U32(&mut d.post_spikes));
                f(format!("{key}.plasticity_delays.post_counts"), ArrayMut::U32(&mut d.post_counts));
            }
        }
        for (i, s) in self.stimuli.iter_mut().enumerate() {
            component_arrays_mut(&format!("stimuli[{i}].state"), &mut s.state, f);
        }
    }

    /// This checkpoint with every array empty (the manifest's copy).
    pub(super) fn skeleton(&self) -> Checkpoint {
        Checkpoint {
            version: self.version,
            dt_ms: self.dt_ms,
            seed: self.seed,
            step: self.step,
            steps_run: self.steps_run,
            modulator: self.modulator,
            ring_len: self.ring_len,
            populations: self
                .populations
                .iter()
                .map(|p| PopulationState {
                    name: p.name.clone(),
                    len: p.len,
                    is_source: p.is_source,
                    state: empty_component(&p.state),
                    n_receptors: p.n_receptors,
                    ring: Vec::new(),
                    current_pa: Vec::new(),
                    last_spikes: Vec::new(),
                    spike_count: p.spike_count,
                    window_count: p.window_count,
                    neuron_counts: Vec::new(),
                })
                .collect(),
            projections: self
                .projections
                .iter()
                .map(|p| ProjectionState {
                    name: p.name.clone(),
                    pre: p.pre.clone(),
                    post: p.post.clone(),
                    receptor: p.receptor.clone(),
                    shape: p.shape,
                    nnz: p.nnz,
                    structure_hash: p.structure_hash,
                    weights: Vec::new(),
                    efficacy: p.efficacy.as_ref().map(|_| Vec::new()),
                    rule: p.rule.as_ref().map(empty_component),
                    plasticity_delays: p.plasticity_delays.as_ref().map(|_| PlasticityDelayState {
                        pre_spikes: Vec::new(),
                        pre_counts: Vec::new(),
                        post_spikes: Vec::new(),
                        post_counts: Vec::new(),
                    }),
                })
                .collect(),
            stimuli: self
                .stimuli
                .iter()
                .map(|s| StimulusState { target: s.target.clone(), state: empty_component(&s.state) })
                .collect(),
        }
    }

    /// Write the checkpoint to directory `dir` (created if needed; files of an earlier
    /// checkpoint there are overwritten): `manifest.json` and one `.npy` per array. See the
    /// [module docs](crate::checkpoint) for the format.
    pub fn save(&self, dir: &Path) -> Result<(), EngramError> {
        let io = |path: &Path, source| EngramError::Output { path: path.to_path_buf(), source };
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        let mut arrays = BTreeMap::new();
        let mut result = Ok(());
        let mut n = 0usize;
        self.arrays(&mut |key, array| {
            if result.is_err() {
                return;
            }
            let stem: String =
                key.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c } else { '_' }).collect();
            let file = format!("{n:04}_{stem}.npy");
            n += 1;
            let path = dir.join(&file);
            let (dtype, len, r) = match array {
                ArrayRef::F64(v) => ("<f8", v.len(), write_npy_1d(&path, v)),
                ArrayRef::U64(v) => ("<u8", v.len(), write_npy_1d(&path, v)),
                ArrayRef::U32(v) => ("<u4", v.len(), write_npy_1d(&path, v)),
            };
            result = r;
            arrays.insert(key, ArrayEntry { file, dtype: dtype.into(), len });
        });
        result?;
        let manifest = Manifest { format: FORMAT.into(), version: FORMAT_VERSION, arrays, checkpoint: self.skeleton() };
        let text = serde_json::to_string_pretty(&manifest)
            .map_err(|e| EngramError::Checkpoint(format!("cannot serialise the manifest: {e}")))?;
        let path = dir.join(MANIFEST);
        std::fs::write(&path, text).map_err(|e| io(&path, e))
    }

    /// Read a checkpoint written by [`save`](Self::save).
    pub fn load(dir: &Path) -> Result<Checkpoint, EngramError> {
        let path = dir.join(MANIFEST);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| EngramError::Checkpoint(format!("cannot read {}: {e}", path.display())))?;
        let manifest: Manifest = serde_json::from_str(&text).map_err(|e| {
            EngramError::Checkpoint(format!("{}: not an engram checkpoint manifest: {e}", path.display()))
        })?;
        if manifest.format != FORMAT || manifest.version != FORMAT_VERSION {
            return Err(EngramError::Checkpoint(format!(
                "{}: format `{}` version {}, expected `{FORMAT}` version {FORMAT_VERSION}",
                path.display(),
                manifest.format,
                manifest.version
            )));
        }
        let mut checkpoint = manifest.checkpoint;
        let mut result = Ok(());
        checkpoint.arrays_mut(&mut |key, array| {
            if result.is_err() {
                return;
            }
            let Some(entry) = manifest.arrays.get(&key) else {
                result = Err(EngramError::Checkpoint(format!("{}: no file for array `{key}`", path.display())));
                return;
            };
            let file = dir.join(&entry.file);
            let len = match array {
                ArrayMut::F64(v) => read_npy_1d(&file).map(|x| {
                    *v = x;
                    v.len()
                }),
                ArrayMut::U64(v) => read_npy_1d(&file).map(|x| {
                    *v = x;
                    v.len()
                }),
                ArrayMut::U32(v) => read_npy_1d(&file).map(|x| {
                    *v = x;
                    v.len()
                }),
            };
            result = match len {
                Ok(len) if len == entry.len => Ok(()),
                Ok(len) => Err(EngramError::Checkpoint(format!(
                    "{}: {len} values, the manifest says {}",
                    file.display(),
                    entry.len
                ))),
                Err(e) => Err(EngramError::Checkpoint(e.to_string())),
            };
        });
        result?;
        Ok(checkpoint)
    }
}
