//! One network split across ranks (`NetworkBuilder::distribute`), the ranks as threads of one
//! process (`ThreadGroup`), on the checkpoint tests' network (Poisson group with per-synapse
//! delays, inhibitory STDP on I→E, Tsodyks–Markram efficacies on E→I): every rank sees the
//! spikes of the single process in every step, and its own neurons' potentials and its own
//! synapses' weights are those of the single process, bit for bit, for 2 and 3 ranks and
//! with chunked parallel steps inside a rank; the synapses are divided between the ranks.
//! With every delay at least 5 steps, `run_steps` exchanges once per 5 steps and the ranks
//! still see the single process's spikes, potentials and weights.

use crate::checkpoint::{Built, Setup, build_with};
use engram_core::neuron::StepContext;
use engram_core::plasticity::{PlasticityRule, SynapsesMut};
use engram_sim::network::{AllGather, Partition, SpikeExchange, ThreadGroup};
use engram_sim::prelude::*;

const STEPS: u64 = 1500;
const N_E: usize = 300;

/// What one rank (or the single process) ends with.
struct RankRecord {
    /// Spikes of E, I and P in every step.
    spikes: Vec<[Vec<u32>; 3]>,
    /// Final membrane potentials of E and I, as bits (on a rank: of the neurons it stores).
    v: [Vec<u64>; 2],
    /// Final weights of I→E and E→I as (pre, post, bits), in CSR order.
    weights: [Vec<(usize, usize, u64)>; 2],
    n_synapses: usize,
}

fn triplets(m: &sprs::CsMatI<f64, u32, usize>) -> Vec<(usize, usize, u64)> {
    m.iter().map(|(w, (i, j))| (i as usize, j as usize, w.to_bits())).collect()
}

fn potentials(net: &Network) -> [Vec<u64>; 2] {
    ["E", "I"].map(|p| net.model(p).unwrap().unwrap().state("v_mv").unwrap().iter().map(|v| v.to_bits()).collect())
}

fn record(built: &mut Built) -> RankRecord {
    let net = &mut built.net;
    let mut spikes = Vec::new();
    for _ in 0..STEPS {
        net.run_steps(1).unwrap();
        spikes.push(["E", "I", "P"].map(|p| net.last_spikes(p).unwrap().to_vec()));
    }
    let v = potentials(net);
    let weights = [built.i_to_e, built.e_to_i].map(|p| triplets(net.weights(p)));
    RankRecord { spikes, v, weights, n_synapses: net.n_synapses() }
}

/// The network run by `n_ranks` threads as ranks, each with `threads` rayon threads and
/// chunks of `chunk` neurons; the records in rank order.
fn run_ranks(n_ranks: usize, threads: usize, chunk: usize) -> Vec<RankRecord> {
    let group = ThreadGroup::new(n_ranks);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..n_ranks)
            .map(|rank| {
                let member = group.member(rank);
                s.spawn(move || {
                    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
                    pool.install(|| {
                        let setup = Setup { n_e: N_E, ..Setup::default() };
                        let mut built = build_with(&setup, |b| {
                            b.parallel_min_neurons(0).chunk_neurons(chunk);
                            b.distribute(Partition::new(rank, n_ranks).unwrap(), Box::new(member));
                        });
                        record(&mut built)
                    })
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

fn single() -> RankRecord {
    record(&mut build_with(&Setup { n_e: N_E, ..Setup::default() }, |_| {}))
}

#[test]
fn ranks_see_the_spikes_potentials_and_weights_of_one_process() {
    let one = single();
    for pop in 0..3 {
        let n: usize = one.spikes.iter().map(|s| s[pop].len()).sum();
        assert!(n > 100, "population {pop} must be active: {n} spikes");
    }
    for (n_ranks, threads, chunk) in [(2, 1, 4096), (3, 1, 4096), (3, 2, 16), (2, 4, 16)] {
        let ranks = run_ranks(n_ranks, threads, chunk);
        let what = format!("{n_ranks} ranks, {threads} threads, chunks of {chunk}");
        let total: usize = ranks.iter().map(|r| r.n_synapses).sum();
        assert_eq!(total, one.n_synapses, "{what}: the ranks' synapses must add up to the network's");
        let partition = Partition::new(0, n_ranks).unwrap();
        for (rank, r) in ranks.iter().enumerate() {
            assert!(r.spikes == one.spikes, "{what}: rank {rank} sees other spikes than the single process");
            assert!(r.n_synapses < one.n_synapses, "{what}: rank {rank} holds every synapse");
            for (pop, n) in [(0, N_E), (1, one.v[1].len())] {
                let own = partition.block(n, rank);
                // E and I (LifCond; I driven by a PoissonInput, which writes blocks) store only
                // the rank's own neurons (`keep_block`)
                assert_eq!(r.v[pop].len(), own.len(), "{what}: rank {rank}, population {pop}: neurons stored");
                assert!(r.v[pop] == one.v[pop][own], "{what}: rank {rank}, population {pop}: potentials differ");
            }
            for (k, n_post) in [(0, N_E), (1, one.v[1].len())] {
                let own = partition.block(n_post, rank);
                let mine: Vec<_> = one.weights[k].iter().filter(|t| own.contains(&t.1)).copied().collect();
                assert!(!mine.is_empty(), "{what}: rank {rank} must own synapses of projection {k}");
                assert!(r.weights[k] == mine, "{what}: rank {rank}, projection {k}: weights differ");
            }
        }
    }
}

#[test]
fn blocks_cover_every_neuron_once_in_rank_order() {
    for n_ranks in 1..6 {
        let p = Partition::new(0, n_ranks).unwrap();
        for n in [1, 2, 7, 20, 301] {
            let blocks: Vec<_> = (0..n_ranks).map(|r| p.block(n, r)).collect();
            assert_eq!(blocks[0].start, 0);
            assert_eq!(blocks[n_ranks - 1].end, n);
            for w in blocks.windows(2) {
                assert_eq!(w[0].end, w[1].start, "blocks of {n} on {n_ranks} ranks: {blocks:?}");
            }
            let (lo, hi) =
                (blocks.iter().map(|b| b.len()).min().unwrap(), blocks.iter().map(|b| b.len()).max().unwrap());
            assert!(hi - lo <= 1, "unbalanced blocks of {n} on {n_ranks} ranks: {blocks:?}");
        }
    }
    assert!(Partition::new(3, 3).unwrap_err().to_string().contains("rank = 3"));
    assert!(Partition::new(0, 0).unwrap_err().to_string().contains("n_ranks = 0"));
}

/// A rule that does not declare itself local to its targets (the trait's default).
struct Global;

impl PlasticityRule for Global {
    fn name(&self) -> &str {
        "global_test_rule"
    }
    fn step(&mut self, _: &StepContext, _: &[u32], _: &[u32], _: f64, _: SynapsesMut<'_>) {}
}

#[test]
fn rules_not_local_to_their_targets_are_refused() {
    let mut b = NetworkBuilder::new(0.1, 1).unwrap();
    let lif = engram_neurons::LifCondParams::coba();
    use engram_core::params::Params;
    b.add_population("E", engram_neurons::LifCond::new(4, lif.check().unwrap())).unwrap();
    let p = b.connect("E", "E", "exc", sprs::CsMatI::eye(4), Delay::Steps(1)).unwrap();
    b.add_plasticity(p, Global);
    b.distribute(Partition::new(0, 2).unwrap(), Box::new(ThreadGroup::new(2)));
    let err = b.build().err().expect("a rule that is not local must be refused").to_string();
    assert!(err.contains("global_test_rule") && err.contains("not local to its targets"), "{err}");
}

const MIN_DELAY_STEPS: u32 = 5;

/// What a run of the long-delay network ends with: every spike (population, time bits,
/// neuron), the final potentials and weights, the exchange interval and the exchanges made.
#[derive(PartialEq)]
struct IntervalRecord {
    spikes: Vec<(usize, u64, u32)>,
    v: [Vec<u64>; 2],
    weights: [Vec<(usize, usize, u64)>; 2],
    interval: u32,
    exchanges: u64,
}

/// The network with every delay at least [`MIN_DELAY_STEPS`], as rank `rank` of `n_ranks`
/// (`None`: one process), run for `STEPS - 3` steps in one `run_steps` and then 3 more.
fn run_long_delays(rank: Option<(usize, ThreadGroup, usize)>, threads: usize, chunk: usize) -> IntervalRecord {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    pool.install(|| {
        let setup = Setup { n_e: N_E, min_delay_steps: MIN_DELAY_STEPS, ..Setup::default() };
        let mut monitor = None;
        let mut built = build_with(&setup, |b| {
            b.parallel_min_neurons(0).chunk_neurons(chunk);
            monitor = Some(b.add_monitor(SpikeMonitor::new(&["E", "I", "P"])));
            if let Some((rank, group, n_ranks)) = rank {
                b.distribute(Partition::new(rank, n_ranks).unwrap(), Box::new(group.member(rank)));
            }
        });
        let net = &mut built.net;
        net.run_steps(STEPS - 3).unwrap();
        net.run_steps(3).unwrap();
        let m = net.monitor::<SpikeMonitor>(monitor.unwrap()).unwrap();
        let spikes = ["E", "I", "P"]
            .iter()
            .enumerate()
            .flat_map(|(k, p)| m.times_ms(p).iter().zip(m.neurons(p)).map(move |(t, &i)| (k, t.to_bits(), i)))
            .collect();
        IntervalRecord {
            spikes,
            v: potentials(net),
            weights: [built.i_to_e, built.e_to_i].map(|p| triplets(net.weights(p))),
            interval: net.exchange_interval_steps(),
            exchanges: net.spike_exchanges(),
        }
    })
}

#[test]
fn ranks_exchange_once_per_minimum_delay_with_the_spikes_of_one_process() {
    let one = run_long_delays(None, 1, 4096);
    assert_eq!((one.interval, one.exchanges), (1, 0), "one process exchanges nothing");
    for pop in 0..3 {
        let n = one.spikes.iter().filter(|s| s.0 == pop).count();
        assert!(n > 100, "population {pop} must be active: {n} spikes");
    }
    for (n_ranks, threads, chunk) in [(2, 1, 4096), (3, 1, 4096), (2, 2, 16), (3, 2, 16)] {
        let group = ThreadGroup::new(n_ranks);
        let ranks: Vec<IntervalRecord> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..n_ranks)
                .map(|rank| {
                    let group = group.clone();
                    s.spawn(move || run_long_delays(Some((rank, group, n_ranks)), threads, chunk))
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let what = format!("{n_ranks} ranks, {threads} threads, chunks of {chunk}");
        let partition = Partition::new(0, n_ranks).unwrap();
        for (rank, r) in ranks.iter().enumerate() {
            assert_eq!(r.interval, MIN_DELAY_STEPS, "{what}: the interval is the shortest delay");
            // ceil(1497 / 5) intervals in the first run, one for the 3 steps of the second
            let expected = (STEPS - 3).div_ceil(u64::from(MIN_DELAY_STEPS)) + 1;
            assert_eq!(r.exchanges, expected, "{what}: rank {rank}'s exchanges");
            assert!(r.spikes == one.spikes, "{what}: rank {rank} sees other spikes than the single process");
            for (pop, n) in [(0, N_E), (1, one.v[1].len())] {
                let own = partition.block(n, rank);
                let mine = if r.v[pop].len() == n { &r.v[pop][own.clone()] } else { &r.v[pop][..] };
                assert!(mine == &one.v[pop][own], "{what}: rank {rank}, population {pop}: potentials");
            }
            for (k, n_post) in [(0, N_E), (1, one.v[1].len())] {
                let own = partition.block(n_post, rank);
                let mine: Vec<_> = one.weights[k].iter().filter(|t| own.contains(&t.1)).copied().collect();
                assert!(r.weights[k] == mine, "{what}: rank {rank}, projection {k}: weights differ");
            }
        }
    }
}

#[test]
fn a_between_steps_hook_exchanges_every_step() {
    let group = ThreadGroup::new(2);
    let exchanges: Vec<(u32, u64)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..2)
            .map(|rank| {
                let member = group.member(rank);
                s.spawn(move || {
                    let setup = Setup { n_e: N_E, min_delay_steps: MIN_DELAY_STEPS, ..Setup::default() };
                    let mut built = build_with(&setup, |b| {
                        b.distribute(Partition::new(rank, 2).unwrap(), Box::new(member));
                    });
                    built.net.run_steps_with(12, |_, _| Ok(())).unwrap();
                    (built.net.exchange_interval_steps(), built.net.spike_exchanges())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(exchanges, vec![(MIN_DELAY_STEPS, 12); 2], "the hook must see every step complete");
}

#[test]
fn a_split_builder_must_be_distributed_the_same_way() {
    let builder = || {
        let mut b = NetworkBuilder::new(0.1, 1).unwrap();
        use engram_core::params::Params;
        let lif = engram_neurons::LifCondParams::coba().check().unwrap();
        b.add_population("E", engram_neurons::LifCond::new(4, lif)).unwrap();
        b.split(Partition::new(1, 2).unwrap());
        assert_eq!(b.owned_targets(4), Some(2..4));
        b
    };
    // built as one process, it would run with half of its synapses
    let err = builder().build().err().expect("a split builder alone is refused").to_string();
    assert!(err.contains("split for rank 1 of 2") && err.contains("call distribute"), "{err}");
    let mut b = builder();
    b.distribute(Partition::new(0, 3).unwrap(), Box::new(ThreadGroup::new(3)));
    let err = b.build().err().expect("another partition is refused").to_string();
    assert!(err.contains("distribute(rank 0 of 3) after split(rank 1 of 2)"), "{err}");
}

/// `gather_to_rank_0` gives rank 0 every rank's words in rank order, and the other ranks
/// nothing; `all_gather` gives every rank everything.
#[test]
fn a_gather_to_rank_0_reaches_rank_0_only() {
    let group = ThreadGroup::new(3);
    let got: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..3)
            .map(|rank| {
                let mut member = group.member(rank);
                s.spawn(move || {
                    let send = vec![rank as u32; rank + 1];
                    let (mut recv, mut counts) = (vec![99], vec![99]);
                    member.gather_to_rank_0(&send, &mut recv, &mut counts).unwrap();
                    let gathered = (recv.clone(), counts.clone());
                    member.all_gather(&send, &mut recv, &mut counts).unwrap();
                    (gathered, (recv, counts))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let everything = (vec![0, 1, 1, 2, 2, 2], vec![1, 2, 3]);
    assert_eq!(got[0].0, everything, "rank 0 receives every part");
    for (rank, (gathered, all)) in got.iter().enumerate() {
        if rank > 0 {
            assert_eq!(gathered, &(vec![], vec![]), "rank {rank} receives nothing");
        }
        assert_eq!(all, &everything, "rank {rank}: all_gather");
    }
}

/// A user's stimulus that keeps the default `writes_blocks` (false): `100 + 2 i` pA into
/// neuron `i`, indexing the whole population.
struct RampCurrent;

impl engram_core::stimulus::Stimulus for RampCurrent {
    fn receptor(&self) -> Option<&str> {
        None
    }
    fn apply(&mut self, _: &StepContext, target: engram_core::stimulus::StimulusTarget<'_>) {
        assert_eq!(target.first_neuron, 0, "a stimulus that does not write blocks gets the whole population");
        target.current_pa.iter_mut().enumerate().for_each(|(i, x)| *x += 100.0 + 2.0 * i as f64);
    }
}

/// Every step's spikes of E and F; for E and F, the number of neurons stored and their final
/// potentials (bits).
type StimulatedRecord = (Vec<[Vec<u32>; 2]>, [(usize, Vec<u64>); 2]);

/// E (60 LifCond neurons) driven by a constant current, a current injection into some of
/// its neurons and a Poisson input on 30 targets; F (30) driven by [`RampCurrent`]; E→E and
/// F→E; as rank `rank.0` of `rank.1` (exchanging through the group `rank.2`) or, with `None`,
/// in one process.
fn run_stimulated(rank: Option<(usize, usize, ThreadGroup)>) -> StimulatedRecord {
    use engram_core::params::Params;
    use engram_stimuli::{CurrentInjection, CurrentInjectionParams, CurrentPulse, PoissonInput, PoissonInputParams};
    let mut b = NetworkBuilder::new(0.1, 7).unwrap();
    let lif = engram_neurons::LifCondParams::coba().check().unwrap();
    b.add_population("E", engram_neurons::LifCond::new(60, lif.clone())).unwrap();
    b.add_population("F", engram_neurons::LifCond::new(30, lif)).unwrap();
    b.add_stimulus("E", engram_sim::stimulus::ConstantCurrent::new(60.0)).unwrap();
    let pulses = CurrentInjectionParams {
        pulses: vec![CurrentPulse { start_ms: 20.0, stop_ms: 120.0, amplitude_pa: 90.0 }],
        bias_pa: 5.0,
        targets: engram_stimuli::Targets::Indices(vec![59, 3, 17, 25, 40, 29, 30]),
    };
    b.add_stimulus("E", CurrentInjection::new(pulses.check().unwrap(), 60, b.clock()).unwrap()).unwrap();
    let poisson = PoissonInputParams {
        n_inputs: 50,
        weight: 0.8,
        targets: engram_stimuli::Targets::Indices((0..60).step_by(2).rev().collect()),
        ..Default::default()
    };
    b.add_stimulus("E", PoissonInput::new(poisson.check().unwrap(), 60, 7, 1, b.clock()).unwrap()).unwrap();
    b.add_stimulus("F", RampCurrent).unwrap();
    let e_e = sprs::CsMatI::<f64, u32, usize>::new(
        (60, 60),
        (0..=60).map(|i| i * 3).collect(),
        (0..60u32)
            .flat_map(|i| {
                let mut c = [(i + 1) % 60, (i + 7) % 60, (i + 31) % 60];
                c.sort();
                c
            })
            .collect(),
        vec![0.6; 180],
    );
    b.connect("E", "E", "exc", e_e, Delay::Steps(2)).unwrap();
    let f_e = sprs::CsMatI::<f64, u32, usize>::new(
        (30, 60),
        (0..=30).map(|i| i * 2).collect(),
        (0..30u32).flat_map(|i| [i, i + 30]).collect(),
        vec![3.0; 60],
    );
    b.connect("F", "E", "inh", f_e, Delay::Steps(1)).unwrap();
    if let Some((rank, n_ranks, group)) = rank {
        b.distribute(Partition::new(rank, n_ranks).unwrap(), Box::new(group.member(rank)));
    }
    let mut net = b.build().unwrap();
    let mut spikes = Vec::new();
    for _ in 0..2000 {
        net.run_steps(1).unwrap();
        spikes.push(["E", "F"].map(|p| net.last_spikes(p).unwrap().to_vec()));
    }
    let stored = ["E", "F"].map(|p| {
        let model = net.model(p).unwrap().unwrap();
        (model.len(), model.state("v_mv").unwrap().iter().map(|v| v.to_bits()).collect())
    });
    (spikes, stored)
}

/// Stimuli that write blocks (constant current, current injection into listed neurons,
/// Poisson input on listed targets) let a rank store only its own neurons of their target,
/// with the single process's spikes and potentials; a stimulus that writes whole populations
/// only keeps its target whole on every rank, also with the single process's spikes.
#[test]
fn stimulated_populations_are_stored_by_blocks_when_their_stimuli_write_blocks() {
    let (one, [(n_e, v_e), (n_f, v_f)]) = run_stimulated(None);
    assert_eq!((n_e, n_f), (60, 30));
    for (pop, name) in ["E", "F"].iter().enumerate() {
        let n: usize = one.iter().map(|s| s[pop].len()).sum();
        assert!(n > 50, "{name} must spike: {n} spikes");
    }
    for n_ranks in [2, 3] {
        let group = ThreadGroup::new(n_ranks);
        let ranks: Vec<_> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..n_ranks)
                .map(|rank| {
                    let group = group.clone();
                    s.spawn(move || run_stimulated(Some((rank, n_ranks, group))))
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let partition = Partition::new(0, n_ranks).unwrap();
        for (rank, (spikes, [(stored_e, mine_e), (stored_f, all_f)])) in ranks.into_iter().enumerate() {
            let what = format!("rank {rank} of {n_ranks}");
            assert!(spikes == one, "{what}: spikes differ from the single process's");
            let own_e = partition.block(60, rank);
            assert_eq!(stored_e, own_e.len(), "{what}: E stores its own block");
            assert!(mine_e == v_e[own_e], "{what}: potentials of E differ");
            assert_eq!(stored_f, 30, "{what}: F (a stimulus that writes whole populations) is stored whole");
            let own_f = partition.block(30, rank);
            assert!(all_f[own_f.clone()] == v_f[own_f], "{what}: potentials of F differ");
        }
    }
}
