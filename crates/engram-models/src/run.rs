//! Running an experiment: build, run with monitors, write the run directory.
//!
//! A run directory holds `config.ron` (the full resolved experiment; for a description, with
//! its `base_dir` written out), `summary.json` and the monitors' arrays (`spikes_<pop>.npy`,
//! `rates.npy`, `state_<pop>_<var>.npy`). With
//! `record.figure` the run also returns every spike in memory ([`RunOutput::spikes`]), from
//! which `cargo xtask run` draws the raster figure `raster.png` / `raster.svg` into the run
//! directory (this crate draws no figures).
//!
//! A network description ([`ModelConfig::Network`]), and a named model through the description
//! it expands to ([`ModelConfig::description`]), runs its protocol: phase after phase from
//! the start, each with its modulator and its weight changes made before its first step (its
//! stimuli, sources and rules switch by themselves), for `run.duration_s` in all; after the
//! last phase its settings hold. Every neuron
//! population is recorded and counted in `n_spikes`; `rate_exc_hz` and `rate_inh_hz` average
//! over the populations whose `role` is `Excitatory` or `Inhibitory`. The description's own
//! monitors are written into the run directory too: `Spikes` of source groups as
//! `spikes_<group>.npy`, `State` as `state_<pop>_<var>.npy`, `Weights` as
//! `weights_<projection>.npy`; `Rates` are covered by `rates.npy` (every population, in
//! `record.rate_bin_ms` bins); a `Custom` monitor is made by its registered kind with the run
//! directory as its [`MonitorContext::out_dir`](crate::description::MonitorContext::out_dir).
//! A phase with `checkpoint: true` saves the network's checkpoint at its end into
//! `checkpoints/<phase>/` (if the run gets there); [`resume_experiment`] (`cargo xtask run
//! --resume DIR`) goes on from such a checkpoint, through the rest of the protocol, to the
//! spikes of the run that saved it.

use std::path::{Path, PathBuf};
use std::time::Instant;

use engram_core::config::to_ron_string;
use engram_core::error::EngramError;
use engram_sim::network::{AllGather, Partition, SpikeExchange};
use engram_sim::progress::{Every, Progress};
use engram_sim::{
    MonitorId, Network, NetworkBuilder, RateMonitor, RunOptions, SpikeMonitor, StateMonitor, WeightMonitor,
};
use serde::Serialize;

use crate::description::build::apply_weight_changes;
use crate::description::types::Role;
use crate::description::{MonitorDescription, NetworkDescription, Registry, WeightChange};
use crate::experiment::{Experiment, ModelConfig};
use crate::rundir::RunStatus;
use engram_sim::checkpoint::Checkpoint;
use engram_sim::cputime::{process_cpu_s, thread_cpu_s};

mod gather;
use gather::{WeightGather, write_gathered_state};

/// A network ready to run, with the names of its excitatory and inhibitory populations.
pub struct ModelNetwork {
    /// The assembled network (monitors are added by the runner).
    pub builder: NetworkBuilder,
    /// Excitatory populations (for `rate_exc_hz`).
    pub exc: Vec<String>,
    /// Inhibitory populations (for `rate_inh_hz`).
    pub inh: Vec<String>,
    /// Total neurons (without input sources).
    pub n_neurons: usize,
}

/// What `summary.json` holds.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct Summary {
    /// `complete`, or `interrupted` (the numbers then cover the simulated time reached).
    pub status: RunStatus,
    /// Model name (`coba`, `cuba`).
    pub model: String,
    /// Number of neurons.
    pub n: usize,
    /// Simulated time, s (a whole number of steps; less than asked if interrupted).
    pub duration_s: f64,
    /// Step, ms.
    pub dt_ms: f64,
    /// Experiment seed.
    pub seed: u64,
    /// Worker threads.
    pub threads: usize,
    /// Spikes of all neuron populations.
    pub n_spikes: u64,
    /// Mean rate of the excitatory populations, Hz.
    #[serde(deserialize_with = "crate::nan_if_null")]
    pub rate_exc_hz: f64,
    /// Mean rate of the inhibitory populations, Hz.
    #[serde(deserialize_with = "crate::nan_if_null")]
    pub rate_inh_hz: f64,
    /// Stored synapses.
    pub n_synapses: usize,
    /// Network construction wall time, s.
    pub build_s: f64,
    /// Simulation loop wall time, s.
    pub loop_wall_s: f64,
    /// Simulation loop CPU time (all threads of the run; with `run.threads = 1`, the run's own
    /// thread, so that runs side by side in one process do not count each other's), s.
    #[serde(deserialize_with = "crate::nan_if_null")]
    pub loop_cpu_s: f64,
    /// Synaptic events delivered per simulated second (spikes × out-degree).
    #[serde(deserialize_with = "crate::nan_if_null")]
    pub syn_events_per_s: f64,
    /// Per-population spike counts and rates.
    pub populations: Vec<engram_sim::PopulationStats>,
    /// A run across ranks only: the spike exchanges each rank made, one per
    /// [exchange interval](engram_sim::Network::exchange_interval_steps) (the network's
    /// shortest delay, in steps), and that interval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchanges: Option<Exchanges>,
    /// A run resumed from a checkpoint ([`Resume`], `--resume`): the checkpoint and the step it
    /// went on from. The counts and rates then cover the whole run from step 0 (the checkpoint
    /// holds the counts so far); the spike, rate, state and weight files only what this run
    /// simulated, from that step on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resumed_from: Option<ResumedFrom>,
}

/// Where a resumed run went on from.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct ResumedFrom {
    /// The checkpoint's folder, as given.
    pub checkpoint: PathBuf,
    /// The step the checkpoint was taken after (the first step this run computed).
    pub step: u64,
    /// The same, ms.
    pub time_ms: f64,
}

/// A checkpoint to go on from: a run resumed from it ([`resume_experiment`]) restores it into
/// the network built from the same experiment and runs the rest of the protocol, to the
/// spikes and weights of the run that saved it, bit for bit.
///
/// ```no_run
/// use engram_models::experiment::Experiment;
/// use engram_models::run::{Resume, resume_experiment};
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let (exp, _) = Experiment::read("runs/learn/config.ron".as_ref())?;
/// let from = Resume::load("runs/learn/checkpoints/learn".as_ref())?;
/// let run = resume_experiment(&exp, Some("runs/learn-recall".as_ref()), false, &from)?;
/// assert_eq!(run.summary.resumed_from.unwrap().step, from.checkpoint.step);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Resume {
    /// The checkpoint.
    pub checkpoint: Checkpoint,
    /// Its folder (for the summary and errors).
    pub path: PathBuf,
}

impl Resume {
    /// Read the checkpoint in folder `dir` (a run's `checkpoints/<phase>/`).
    pub fn load(dir: &Path) -> Result<Self, EngramError> {
        Ok(Self { checkpoint: Checkpoint::load(dir)?, path: dir.to_path_buf() })
    }

    /// Refuse an output folder `out` that holds the checkpoint (the run that saved it): a
    /// resumed run writing there with `--force` would replace the run it goes on from.
    ///
    /// ```
    /// use engram_models::run::Resume;
    /// let (run, ck) = (std::env::temp_dir().join("engram_doc_resume"), std::path::Path::new("checkpoints/learn"));
    /// std::fs::create_dir_all(run.join(ck)).unwrap();
    /// let err = Resume::check_out(&run, &run.join(ck)).unwrap_err().to_string();
    /// assert!(err.contains("holds the checkpoint"), "{err}");
    /// assert!(Resume::check_out(&run.with_extension("resumed"), &run.join(ck)).is_ok());
    /// # std::fs::remove_dir_all(&run).ok();
    /// ```
    pub fn check_out(out: &Path, checkpoint: &Path) -> Result<(), EngramError> {
        let (Ok(out_abs), Ok(ck_abs)) = (std::fs::canonicalize(out), std::fs::canonicalize(checkpoint)) else {
            return Ok(()); // `out` does not exist yet (or the checkpoint does not, which loading reports)
        };
        if ck_abs.starts_with(&out_abs) {
            return Err(EngramError::Other(format!(
                "--out {}: it holds the checkpoint {} that this run resumes from; write the resumed run \
                 elsewhere (the default is runs/<name>-resumed)",
                out.display(),
                checkpoint.display()
            )));
        }
        Ok(())
    }
}

/// How often the ranks of a run across ranks swapped their spikes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Exchanges {
    /// Spike exchanges made.
    pub count: u64,
    /// Steps between two exchanges (the shortest transmission delay of the network).
    pub interval_steps: u32,
}

/// The spikes of one neuron population that a run kept in memory.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PopulationSpikes {
    /// Population name (`E`, `I`).
    pub name: String,
    /// Number of neurons in the population.
    pub n: usize,
    /// Spike times, ms, one per spike, in time order.
    pub times_ms: Vec<f64>,
    /// Index (0..n) of the neuron that fired each spike.
    pub neurons: Vec<u32>,
}

/// What a finished run returns: what `summary.json` holds and, with `record.figure`, every
/// spike of the neuron populations (excitatory first), for a raster figure drawn by the caller.
///
/// ```
/// use engram_models::experiment::Experiment;
/// use engram_models::run::run_experiment;
/// let mut exp = Experiment::builtin("coba").unwrap();
/// exp.run.duration_s = 0.05;
/// exp.record.figure = true;
/// let run = run_experiment(&exp, None, false).unwrap();
/// let e = &run.spikes[0];
/// assert_eq!((e.name.as_str(), e.n), ("E", 3200));
/// assert_eq!(e.times_ms.len() as u64, run.summary.populations[0].n_spikes);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct RunOutput {
    /// The run's summary, as written to `summary.json`.
    pub summary: Summary,
    /// The spikes of every neuron population, kept when `record.figure` is set; empty otherwise.
    pub spikes: Vec<PopulationSpikes>,
}

/// Build the network of a model. A description is built with the library's kinds
/// ([`Registry::default`]), with its monitors; its populations of role `Excitatory` and
/// `Inhibitory` are `exc` and `inh`.
pub fn build_model(model: &ModelConfig, dt_ms: f64, seed: u64) -> Result<ModelNetwork, EngramError> {
    build_model_on_rank(model, dt_ms, seed, None)
}

/// [`build_model`] as rank `partition.rank()`'s part of a network split across ranks
/// (`None`: the whole network): the builder is [split](NetworkBuilder::split) before its
/// projections are connected, and the models whose connectivity is drawn by a rule (COBA,
/// CUBA, descriptions with `FixedProbability`, `FixedInDegree`, ... patterns) draw only the
/// synapses onto the rank's own neurons, with the single process's draws; so does the Dp
/// model's `DpPathway`, except that a pathway whose construction needs the whole pattern
/// (out-degree balancing) is made whole for a moment, cut and dropped, one at a time
/// ([`crate::dp::onto`]). Other connectivity that a model makes whole (registered matrix
/// kinds; here also a description's out-degree balanced patterns) is made whole on every
/// rank, and its other ranks' synapses are dropped at `build`. A run across ranks
/// ([`run_experiment_on_rank`]) builds with the ranks instead
/// ([`NetworkDescription::builder_across`]): balanced patterns, and every step of the Dp
/// pathways (balancing, rewiring, the choice of assemblies), are then made across them, no
/// rank holding a pattern whole. Call [`NetworkBuilder::distribute`] with the same partition
/// before `build`.
pub fn build_model_on_rank(
    model: &ModelConfig,
    dt_ms: f64,
    seed: u64,
    partition: Option<Partition>,
) -> Result<ModelNetwork, EngramError> {
    if let Some(d) = model.description()? {
        return Ok(build_description(&d, dt_ms, seed, partition, None)?.0);
    }
    match model {
        ModelConfig::Coba(c) => c.build_on_rank(dt_ms, seed, partition),
        ModelConfig::Cuba(c) => c.build_on_rank(dt_ms, seed, partition),
        ModelConfig::Network(_)
        | ModelConfig::Dp(_)
        | ModelConfig::Vogels2011(_)
        | ModelConfig::AurynBackground(_)
        | ModelConfig::Selection(_) => unreachable!("described above"),
    }
}

/// A phase of the protocol as the runner sees it: steps, modulator, and the weight changes
/// made before its first step.
type PhasePlan = (u64, f64, Vec<WeightChange>);

/// A description built without its monitors (the runner adds them, streaming), with the
/// phases' steps, modulators and weight changes.
fn build_description(
    d: &NetworkDescription,
    dt_ms: f64,
    seed: u64,
    partition: Option<Partition>,
    ranks: Option<&mut dyn AllGather>,
) -> Result<(ModelNetwork, Vec<PhasePlan>), EngramError> {
    let registry = Registry::default();
    let (builder, handles) = match (partition, ranks) {
        (Some(partition), Some(ranks)) => d.builder_across(&registry, dt_ms, seed, partition, ranks)?,
        (partition, _) => d.builder_on_rank(&registry, dt_ms, seed, partition)?,
    };
    let with_role = |role: Role| -> Vec<String> {
        d.populations.iter().filter(|p| p.role == Some(role)).map(|p| p.name.clone()).collect()
    };
    let network = ModelNetwork {
        builder,
        exc: with_role(Role::Excitatory),
        inh: with_role(Role::Inhibitory),
        n_neurons: d.populations.iter().map(|p| p.size).sum(),
    };
    let mut start = 0u64;
    let mut phases = Vec::with_capacity(handles.phases.len());
    for (_, steps, modulator) in handles.phases {
        let changes = handles.weight_changes.iter().filter(|(at, _)| *at == start).flat_map(|(_, c)| c.clone());
        phases.push((steps, modulator, changes.collect()));
        start += steps;
    }
    Ok((network, phases))
}

/// What the runner needs of a model besides its builder: the neuron populations to record
/// (in order), the protocol's phases, and the extra monitors a description asks for.
struct Plan {
    populations: Vec<String>,
    phases: Vec<PhasePlan>,
    monitors: Vec<MonitorDescription>,
}

/// Where the phases that save a checkpoint end: (step, folder below the run directory).
fn checkpoint_steps(model: &ModelConfig, phases: &[PhasePlan]) -> Vec<(u64, PathBuf)> {
    let Ok(Some(d)) = model.description() else { return Vec::new() };
    let mut end = 0;
    let mut out = Vec::new();
    for (ph, &(steps, _, _)) in d.phases.iter().zip(phases) {
        end += steps;
        if ph.checkpoint {
            out.push((end, Path::new("checkpoints").join(&ph.name)));
        }
    }
    out
}

fn build_for_run(
    model: &ModelConfig,
    dt_ms: f64,
    seed: u64,
    partition: Option<Partition>,
    ranks: Option<&mut dyn AllGather>,
) -> Result<(ModelNetwork, Plan), EngramError> {
    match model.description()? {
        Some(d) => {
            // the description's monitors are added by the runner, streaming into the run directory
            let without = NetworkDescription { monitors: Vec::new(), ..NetworkDescription::clone(&d) };
            let (network, phases) = build_description(&without, dt_ms, seed, partition, ranks)?;
            let populations = d.populations.iter().map(|p| p.name.clone()).collect();
            Ok((network, Plan { populations, phases, monitors: d.monitors.clone() }))
        }
        None => {
            let network = build_model_on_rank(model, dt_ms, seed, partition)?;
            let populations = network.exc.iter().chain(&network.inh).cloned().collect();
            Ok((network, Plan { populations, phases: Vec::new(), monitors: Vec::new() }))
        }
    }
}

/// Run `duration_ms` through the protocol's `phases` (steps, modulator, weight changes): each
/// phase's modulator from its first step, its weight changes before it, the last one's
/// modulator after the protocol ends; at each of `checkpoints` (step, folder) that the run
/// reaches, save the network's checkpoint into that folder (on a rank of a run across ranks,
/// the whole network's, [`Network::gather_checkpoint`]: every rank takes part, and the rank
/// with a folder saves it); after every chunk of steps, drain the `weights` gathered across
/// ranks. With progress and the monitors finished as [`Network::run_ms_with`] does.
fn run_phases(
    net: &mut Network,
    duration_ms: f64,
    phases: &[PhasePlan],
    checkpoints: &[(u64, Option<PathBuf>)],
    weights: &mut [WeightGather],
    options: &RunOptions,
) -> Result<(), EngramError> {
    if phases.is_empty() && checkpoints.is_empty() && weights.is_empty() && net.current_step() == 0 {
        return net.run_ms_with(duration_ms, options);
    }
    let mut starts = Vec::with_capacity(phases.len());
    let mut at = 0u64;
    for (steps, modulator, changes) in phases {
        starts.push((at, *modulator, changes));
        at += steps;
    }
    let modulator_at = |step: u64| starts.iter().rev().find(|(start, _, _)| *start <= step).map_or(0.0, |&(_, m, _)| m);
    let n = net.clock().steps(duration_ms)?;
    let progress = Progress::new(&options.label, n, "steps", Every::Tenth, options.progress);
    // whole exchange intervals per chunk (one step unless split across ranks), so that a run
    // across ranks exchanges spikes once per interval (`Network::run_steps`)
    let chunk = (n / 200).max(1).next_multiple_of(u64::from(net.exchange_interval_steps()));
    // from the step a resumed run restored
    let mut done = net.current_step();
    let mut saves = checkpoints.iter().peekable();
    while done < n {
        let next_save = saves.peek().map_or(u64::MAX, |(step, _)| *step);
        // chunks end where a phase starts: its modulator and weight changes apply from its first step
        let next_start = starts.iter().map(|(start, _, _)| *start).find(|&s| s > done).unwrap_or(u64::MAX);
        let k = chunk.min(n - done).min(next_save.saturating_sub(done).max(1)).min(next_start - done);
        net.set_modulator(modulator_at(done));
        let mut stepped = match starts.iter().find(|(start, _, changes)| *start == done && !changes.is_empty()) {
            Some((_, _, changes)) => apply_weight_changes(net, changes),
            None => Ok(()),
        }
        .and_then(|()| net.run_steps(k));
        while stepped.is_ok() && saves.peek().is_some_and(|(step, _)| *step <= net.current_step()) {
            let (_, dir) = saves.next().expect("peeked");
            stepped = net.gather_checkpoint().and_then(|c| match (c, dir) {
                (Some(c), Some(dir)) => c.save(dir),
                _ => Ok(()),
            });
        }
        for w in weights.iter_mut() {
            stepped = stepped.and_then(|()| w.drain(net));
        }
        if let Err(e) = stepped {
            progress.abandon();
            let written = match e {
                EngramError::Interrupted { .. } => net.finish_monitors(),
                _ => net.flush_monitors(),
            };
            if let Err(w) = written {
                eprintln!("error: writing the monitors' outputs after the run stopped: {w}");
            }
            return Err(e);
        }
        done += k;
        if progress.is_visible() {
            progress.set_message(&format!("{:.2} s simulated", net.time_ms() / 1000.0));
            progress.set_position(done);
        }
    }
    progress.finish();
    net.finish_monitors()
}

/// Run an experiment; with `out`, write the run directory there (a fresh folder, usually a
/// [`RunDir`](crate::rundir::RunDir)'s `path()`). Runs inside a rayon pool of
/// `exp.run.threads` threads. Returns the summary and, with `record.figure`, the spikes for
/// the raster figure (see [`RunOutput`]); drawing it is the caller's.
///
/// An interrupted run (SIGINT/SIGTERM, see [`engram_sim::interrupt`]) still writes
/// `config.ron` and a `summary.json` whose `status` is `interrupted` and whose `duration_s` is
/// the simulated time reached, then returns [`EngramError::Interrupted`].
pub fn run_experiment(exp: &Experiment, out: Option<&Path>, progress: bool) -> Result<RunOutput, EngramError> {
    run_experiment_on_rank(exp, out, progress, None)
}

/// [`run_experiment`] from a checkpoint: the network built from `exp` restores
/// `from.checkpoint` and runs from its step to `exp.run.duration_s`, through what is left of
/// the protocol. The spikes, rates and weights from that step on are those of the run that
/// saved the checkpoint (with the same experiment), bit for bit; the summary's counts and
/// rates cover the whole run (see [`Summary::resumed_from`]).
///
/// # Errors
/// A checkpoint of another network (other sizes, seed, connectivity, rules; named as by
/// [`Network::restore`]) or one taken after the run's end.
pub fn resume_experiment(
    exp: &Experiment,
    out: Option<&Path>,
    progress: bool,
    from: &Resume,
) -> Result<RunOutput, EngramError> {
    resume_experiment_on_rank(exp, out, progress, None, from)
}

/// [`resume_experiment`] as one rank of a network split across ranks (see
/// [`run_experiment_on_rank`]): every rank loads the same checkpoint (of the whole network:
/// a single process's, or one saved across any number of ranks) and restores its part with
/// [`Network::restore_whole`].
pub fn resume_experiment_on_rank(
    exp: &Experiment,
    out: Option<&Path>,
    progress: bool,
    share: Option<RankShare>,
    from: &Resume,
) -> Result<RunOutput, EngramError> {
    in_pool(exp, |pool| pool.install(|| run_in_pool(exp, out, progress, share, Some(from))))?
}

/// This process's share of a run split across ranks (see [`run_experiment_on_rank`]).
pub struct RankShare {
    /// Which rank this is, of how many.
    pub partition: Partition,
    /// How the ranks swap spikes and totals (MPI in `engram-mpi`).
    pub exchange: Box<dyn SpikeExchange>,
}

/// [`run_experiment`] as one rank of a network split across ranks (`share`; `None`: the
/// whole network in this process). Every rank calls it with the same experiment; each builds
/// the same network from the same seeds and keeps the synapses onto its own neurons
/// ([`NetworkBuilder::distribute`]), and the ranks swap their spikes in every step, so that
/// every rank sees the spikes of a single process: the spikes, the rates and the summary are
/// those of `run_experiment`, bit for bit (`n_synapses` and `syn_events_per_s` summed over
/// the ranks). Give `out` to one rank only (rank 0): it writes the run directory.
///
/// Neuron state (`record.state`, a description's `State` monitors) is recorded by each rank
/// for the requested neurons it owns, in memory; after a complete run the ranks gather their
/// samples (one collective exchange per state monitor, in order) and rank 0 writes
/// `state_<pop>_<var>.<npy|csv>`, byte for byte the file of `run_experiment`. An interrupted
/// or failed run across ranks writes no state files (a single process streams them during
/// the run).
///
/// A description's `Weights` monitors are recorded by each rank for its own synapses (those
/// onto its own neurons), in memory, and gathered after every chunk of the run (about 1/200
/// of it; one collective exchange per monitor with samples): rank 0 puts the synapses back in
/// the single process's CSR order and appends the rows to `weights_<projection>.<npy|csv>`,
/// byte for byte the file of `run_experiment`; an interrupted run's file holds the samples
/// gathered before the stop. A phase with `checkpoint: true` saves the whole network's
/// checkpoint ([`Network::gather_checkpoint`]: every rank takes part, rank 0 saves it into
/// `checkpoints/<phase>/`), the folder of `run_experiment` byte for byte, which restores into
/// the network built in one process.
///
/// Fails before running if the experiment has a description's `Custom` monitor (a user's
/// monitor would see one rank's part only, and cannot be merged without knowing what it
/// records), or if a plasticity rule is not
/// [local to its targets](engram_core::plasticity::PlasticityRule::local_to_target).
pub fn run_experiment_on_rank(
    exp: &Experiment,
    out: Option<&Path>,
    progress: bool,
    share: Option<RankShare>,
) -> Result<RunOutput, EngramError> {
    in_pool(exp, |pool| pool.install(|| run_in_pool(exp, out, progress, share, None)))?
}

/// `run` given a rayon pool of `exp.run.threads` threads.
fn in_pool<T>(exp: &Experiment, run: impl FnOnce(&rayon::ThreadPool) -> T) -> Result<T, EngramError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(exp.run.threads)
        .build()
        .map_err(|e| EngramError::Other(format!("cannot start {} threads: {e}", exp.run.threads)))?;
    Ok(run(&pool))
}

/// Refuse, naming it, a part of an experiment that a run across ranks cannot write whole: a
/// `Custom` monitor (a user's monitor observes one rank's part of the network, and how to
/// merge what it records is the monitor's own business).
fn check_distributable(plan: &Plan) -> Result<(), EngramError> {
    for m in &plan.monitors {
        if let MonitorDescription::Custom { kind, .. } = m {
            return Err(EngramError::Other(format!(
                "monitor Custom(kind: \"{kind}\"): a run across ranks records spikes, rates, neuron state \
                 (record.state, State monitors), weights (Weights monitors) and checkpoints, not Custom \
                 monitors: each rank sees only its own part of the network (the synapses onto its own \
                 neurons, their state), and a user's monitor cannot be merged without knowing what it \
                 records; run it in one process (cargo xtask run)"
            )));
        }
    }
    Ok(())
}

/// The monitors of a run across ranks whose records the ranks gather to rank 0: state
/// monitors (after the run, [`write_gathered_state`]) and weight monitors with their
/// projections (during it, [`WeightGather`]), in the experiment's order.
#[derive(Default)]
struct Gathered {
    state: Vec<MonitorId>,
    weights: Vec<(MonitorId, String)>,
}

/// The monitors of `record.state` and of a description's `State`, `Weights` and `Custom`
/// monitors, streaming into `out` (weights and custom monitors only with a run directory).
/// On a rank of a run across ranks (`partition`), the state monitors record the requested
/// neurons this rank owns and the weight monitors this rank's synapses, in memory, whatever
/// `out`; their ids are returned, in order, for gathering.
fn add_state_and_described_monitors(
    builder: &mut NetworkBuilder,
    exp: &Experiment,
    plan: &Plan,
    out: Option<&Path>,
    partition: Option<Partition>,
) -> Result<Gathered, EngramError> {
    let format = exp.record.format;
    let dt = exp.run.dt_ms;
    let mut gathered = Vec::new();
    let mut weights = Vec::new();
    let mut add_state = |builder: &mut NetworkBuilder, m: StateMonitor| match (partition, out) {
        (Some(p), _) => gathered.push(builder.add_monitor(m.owned_by(p))),
        (None, Some(dir)) => {
            builder.add_monitor(m.streaming_to(dir, format));
        }
        (None, None) => {
            builder.add_monitor(m);
        }
    };
    for s in &exp.record.state {
        let every = ((s.every_ms / dt).round() as u64).max(1);
        add_state(builder, StateMonitor::new(&s.population, &s.variable, &s.neurons, every));
    }
    for m in &plan.monitors {
        let every = |ms: f64| ((ms / dt).round() as u64).max(1);
        match m {
            MonitorDescription::State { population, variable, neurons, every_ms } => {
                add_state(builder, StateMonitor::new(population, variable, neurons, every(*every_ms)));
            }
            MonitorDescription::Weights { projection, every_ms } => {
                let m = WeightMonitor::new(projection.as_str(), every(*every_ms), None);
                match (partition, out) {
                    (Some(_), _) => weights.push((builder.add_monitor(m), projection.clone())),
                    (None, Some(dir)) => {
                        builder.add_monitor(m.streaming_to(dir, format).without_memory());
                    }
                    (None, None) => {}
                }
            }
            MonitorDescription::Spikes { .. } | MonitorDescription::Rates { .. } => {}
            // made below, by their kinds, when there is a run directory to write into
            MonitorDescription::Custom { .. } => {}
        }
    }
    if let (ModelConfig::Network(d), Some(dir)) = (&exp.model, out) {
        for (k, m) in d.monitors.iter().enumerate() {
            if let MonitorDescription::Custom { .. } = m {
                let clock = builder.clock();
                builder.add_monitor(d.custom_monitor(&Registry::default(), k, clock, Some(dir.to_path_buf()))?);
            }
        }
    }
    Ok(Gathered { state: gathered, weights })
}

fn run_in_pool(
    exp: &Experiment,
    out: Option<&Path>,
    progress: bool,
    share: Option<RankShare>,
    resume: Option<&Resume>,
) -> Result<RunOutput, EngramError> {
    let t0 = Instant::now();
    // a rank draws only the synapses onto its own neurons (where the connectivity allows)
    let mut share = share;
    let partition = share.as_ref().map(|s| s.partition);
    let across_ranks = partition.is_some();
    // ... and balances out-degrees across the ranks (descriptions)
    let ranks = share.as_mut().map(|s| &mut *s.exchange as &mut dyn AllGather);
    let (ModelNetwork { mut builder, exc, inh, n_neurons }, plan) =
        build_for_run(&exp.model, exp.run.dt_ms, exp.run.seed, partition, ranks)?;
    if let Some(RankShare { partition, exchange }) = share {
        check_distributable(&plan)?;
        builder.distribute(partition, exchange);
    }
    builder.divergence_guard(exp.run.divergence.clone()).parallel_min_neurons(exp.run.parallel_min_neurons);
    let rec = &exp.record;
    let all: Vec<&str> = plan.populations.iter().map(String::as_str).collect();
    let format = rec.format;
    // source groups whose spikes a description's `Spikes` monitor asks for
    let mut recorded = all.clone();
    for m in &plan.monitors {
        if let MonitorDescription::Spikes { populations } = m {
            for p in populations {
                if !recorded.contains(&p.as_str()) {
                    recorded.push(p);
                }
            }
        }
    }
    let mut spike_monitor = None;
    if rec.spikes || rec.figure {
        let mut m = SpikeMonitor::new(&recorded);
        if let (Some(dir), true) = (out, rec.spikes) {
            m = m.streaming_to(dir, format);
        }
        spike_monitor = Some(builder.add_monitor(m));
    }
    let mut rates = RateMonitor::new(&all, rec.rate_bin_ms);
    if let Some(dir) = out {
        rates = rates.streaming_to(dir, format);
    }
    builder.add_monitor(rates);
    let gathered = add_state_and_described_monitors(&mut builder, exp, &plan, out, partition)?;
    if !gathered.state.is_empty() {
        // monitors see each step's state only if every step is exchanged (see `distribute`)
        builder.exchange_every_step();
    }
    let mut net = builder.build()?;
    let resumed_from = match resume {
        Some(from) => Some(restore_for_run(&mut net, exp, from)?),
        None => None,
    };
    // weights sampled rank by rank, merged into rank 0's files as the run goes
    let mut weights = Vec::with_capacity(gathered.weights.len());
    for (id, projection) in &gathered.weights {
        weights.push(WeightGather::new(&mut net, *id, projection, out, format)?);
    }
    let build_s = t0.elapsed().as_secs_f64();

    // On one thread, that thread's CPU time: runs side by side in one process (a sweep) then
    // do not count each other's.
    let cpu_s: fn() -> Option<f64> = if exp.run.threads == 1 { thread_cpu_s } else { process_cpu_s };
    let cpu0 = cpu_s();
    let t1 = Instant::now();
    let options = RunOptions { progress, label: exp.model.name().to_string() };
    // saved by the process with a run directory; across ranks, every rank takes part
    let checkpoints: Vec<(u64, Option<PathBuf>)> = match (out, across_ranks) {
        (None, false) => Vec::new(),
        _ => checkpoint_steps(&exp.model, &plan.phases)
            .into_iter()
            .filter(|&(s, _)| s > net.current_step())
            .map(|(s, p)| (s, out.map(|d| d.join(p))))
            .collect(),
    };
    let duration_ms = exp.run.duration_s * 1000.0;
    let ran = run_phases(&mut net, duration_ms, &plan.phases, &checkpoints, &mut weights, &options);
    // the weight files hold the rows gathered so far, also if the run stopped
    let closed = weights.iter_mut().try_for_each(WeightGather::finish);
    let (status, interruption) = match ran.and(closed) {
        Ok(()) => (RunStatus::Complete, None),
        Err(e @ EngramError::Interrupted { .. }) if out.is_some() => (RunStatus::Interrupted, Some(e)),
        Err(e) => return Err(e),
    };
    let loop_wall_s = t1.elapsed().as_secs_f64();
    let loop_cpu_s = match (cpu0, cpu_s()) {
        (Some(a), Some(b)) => b - a,
        _ => f64::NAN,
    };

    // rates over the simulated time (whole steps; less than asked if interrupted)
    let simulated_s = net.time_ms() / 1000.0;
    let stats = net.stats();
    let rate_of = |names: &[String]| {
        let (spikes, n) = stats
            .iter()
            .filter(|s| names.contains(&s.name))
            .fold((0u64, 0usize), |(k, n), s| (k + s.n_spikes, n + s.n));
        if n == 0 || simulated_s <= 0.0 { 0.0 } else { spikes as f64 / n as f64 / simulated_s }
    };
    let n_spikes = stats.iter().filter(|s| all.contains(&s.name.as_str())).map(|s| s.n_spikes).sum();
    // over all ranks of a distributed run (every rank makes these two calls)
    let n_synapses = net.sum_over_ranks(net.n_synapses() as u64)?;
    let syn_events = net.sum_over_ranks(net.syn_events())?;
    // state recorded rank by rank, gathered to rank 0 (only after a complete run)
    if status == RunStatus::Complete {
        for &id in &gathered.state {
            write_gathered_state(&mut net, id, out, format)?;
        }
    }
    let summary = Summary {
        status,
        model: exp.model.name().to_string(),
        n: n_neurons,
        duration_s: simulated_s,
        dt_ms: exp.run.dt_ms,
        seed: exp.run.seed,
        threads: exp.run.threads,
        n_spikes,
        rate_exc_hz: rate_of(&exc),
        rate_inh_hz: rate_of(&inh),
        n_synapses: n_synapses as usize,
        build_s,
        loop_wall_s,
        loop_cpu_s,
        syn_events_per_s: if simulated_s > 0.0 { syn_events as f64 / simulated_s } else { 0.0 },
        populations: stats,
        exchanges: across_ranks
            .then(|| Exchanges { count: net.spike_exchanges(), interval_steps: net.exchange_interval_steps() }),
        resumed_from,
    };

    if let Some(dir) = out {
        write_text(&dir.join("config.ron"), &to_ron_string(&with_base_dir(exp)))?;
        let json = serde_json::to_string_pretty(&summary).expect("summary serialises");
        write_text(&dir.join("summary.json"), &json)?;
        if let Some(e) = interruption {
            return Err(e);
        }
    }
    let spikes = match spike_monitor.and_then(|id| net.monitor::<SpikeMonitor>(id)) {
        Some(m) if rec.figure => all
            .iter()
            .map(|&name| PopulationSpikes {
                name: name.to_string(),
                n: summary.populations.iter().find(|p| p.name == name).map_or(0, |p| p.n),
                times_ms: m.times_ms(name).to_vec(),
                neurons: m.neurons(name).to_vec(),
            })
            .collect(),
        _ => Vec::new(),
    };
    Ok(RunOutput { summary, spikes })
}

/// Restore `from` into `net` (the whole checkpoint into this rank's part on a rank of a run
/// across ranks), checking that it lies within the run.
fn restore_for_run(net: &mut Network, exp: &Experiment, from: &Resume) -> Result<ResumedFrom, EngramError> {
    let n = net.clock().steps(exp.run.duration_s * 1000.0)?;
    let step = from.checkpoint.step;
    let time_ms = net.clock().time_ms(step);
    if step > n {
        return Err(EngramError::Checkpoint(format!(
            "{}: taken at {time_ms} ms (step {step}), after the end of the run ({} s); resume a longer run \
             (--duration)",
            from.path.display(),
            exp.run.duration_s
        )));
    }
    let what = |e: EngramError| EngramError::Checkpoint(format!("{}: {e}", from.path.display()));
    match net.partition() {
        Some(_) => net.restore_whole(&from.checkpoint).map_err(what)?,
        None => net.restore(&from.checkpoint).map_err(what)?,
    }
    Ok(ResumedFrom { checkpoint: from.path.clone(), step, time_ms })
}

/// The experiment as `config.ron` holds it: a description's `base_dir` written out (the
/// current directory, absolute, if it had none), so that the file read back from the run
/// directory resolves relative paths as the run did.
fn with_base_dir(exp: &Experiment) -> std::borrow::Cow<'_, Experiment> {
    match &exp.model {
        ModelConfig::Network(d) if d.base_dir.is_none() => {
            let Ok(here) = std::env::current_dir() else { return std::borrow::Cow::Borrowed(exp) };
            let d = NetworkDescription { base_dir: Some(here), ..d.clone() };
            std::borrow::Cow::Owned(Experiment { model: ModelConfig::Network(d), ..exp.clone() })
        }
        _ => std::borrow::Cow::Borrowed(exp),
    }
}

fn write_text(path: &Path, text: &str) -> Result<(), EngramError> {
    std::fs::write(path, text).map_err(|source| EngramError::Output { path: path.to_path_buf(), source })
}
