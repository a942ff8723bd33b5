//! The peak memory of building one rank's part of a network: a counting global allocator
//! (which is why this is a test binary of its own; its tests measure one at a time) measures
//! the most bytes held at once while a network is built whole, and while rank 0 of 4 builds
//! its part. A rank that generated the whole connectivity and then dropped the other ranks'
//! synapses would peak at least as high as the whole build; a rank that draws only its own
//! synapses peaks near a quarter of it (COBA-16000). The full-size Dp network, whose
//! balanced pathways are each made whole for a moment, peaks while making its largest
//! pathway; once built, a rank holds its part and nothing else is left cached
//! (docs/guide/distributed.md, "What each rank holds"). Ranks that build it together, reachable
//! while they build, make every pathway across the ranks and peak far lower.

// A global allocator is unsafe to implement; this one only forwards to the system's.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

use engram_models::coba::CobaConfig;
use engram_models::dp::described::DpModel;
use engram_models::experiment::ModelConfig;
use engram_models::run::build_model_on_rank;
use engram_sim::network::{Partition, ThreadGroup};

/// The system allocator, counting the bytes held now and the most held since the last reset,
/// in all and by the calling thread (what a thread frees that another allocated counts
/// against it, so a thread's count can fall below zero).
struct Counting;

static HELD: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// The calling thread's bytes held now and its most since its last reset.
    static THREAD: Cell<(isize, isize)> = const { Cell::new((0, 0)) };
}

/// Count `bytes` (negative: freed) against the calling thread.
fn count_on_thread(bytes: isize) {
    // no destructor is registered for a `const` `Cell`, so this works until the thread ends
    let _ = THREAD.try_with(|t| {
        let (held, peak) = t.get();
        t.set((held + bytes, peak.max(held + bytes)));
    });
}

// SAFETY: every call is passed to the system allocator unchanged; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is the system allocator's.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = HELD.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
            count_on_thread(layout.size() as isize);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) };
        HELD.fetch_sub(layout.size(), Ordering::Relaxed);
        count_on_thread(-(layout.size() as isize));
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Held by the test that measures (the tests of this binary run in parallel threads).
static MEASURING: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The most bytes held at once, above what was held before, while `f` runs.
fn peak_bytes_of<T>(f: impl FnOnce() -> T) -> (usize, T) {
    let before = HELD.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let out = f();
    (PEAK.load(Ordering::Relaxed) - before, out)
}

#[test]
fn a_rank_builds_its_part_without_holding_the_whole_network() {
    let _one_at_a_time = MEASURING.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let model = ModelConfig::Coba(CobaConfig { n: 16_000, ..CobaConfig::default() });
    let build = |partition: Option<Partition>| {
        let mut b = build_model_on_rank(&model, 0.1, 7, partition).unwrap().builder;
        if let Some(p) = partition {
            // the other ranks are not built here: a group of one answers the one exchange
            // of `build` (agreeing on the exchange interval)
            b.distribute(p, Box::new(ThreadGroup::new(1)));
        }
        b.build().unwrap().n_synapses()
    };
    let (whole_bytes, whole) = peak_bytes_of(|| build(None));
    let (rank_bytes, part) = peak_bytes_of(|| build(Some(Partition::new(0, 4).unwrap())));
    eprintln!(
        "COBA-16000: whole build peaks at {:.1} MB ({whole} synapses), rank 0 of 4 at {:.1} MB ({part} synapses)",
        whole_bytes as f64 / 1e6,
        rank_bytes as f64 / 1e6
    );
    assert!(whole > 1_200_000, "{whole} synapses");
    assert!((part as f64 - whole as f64 / 4.0).abs() < 0.02 * whole as f64 / 4.0, "{part} of {whole}");
    // the synapses alone (column index and weight, 12 bytes each) of the whole network
    assert!(whole_bytes > 12 * whole, "the whole build holds its synapses ({whole_bytes} bytes)");
    assert!(
        (rank_bytes as f64) < 0.4 * whole_bytes as f64,
        "rank 0 of 4 peaks at {rank_bytes} bytes, the whole build at {whole_bytes}"
    );
}

/// What building a network took: the most bytes held at once while building, the bytes the
/// built network holds, what is still held once it is dropped (caches), and its synapses.
struct BuildBytes {
    peak: usize,
    network: usize,
    left: usize,
    synapses: usize,
}

/// Build a network with `build` and measure it (see [`BuildBytes`]).
fn build_bytes(build: impl FnOnce() -> engram_sim::network::Network) -> BuildBytes {
    let before = HELD.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let net = build();
    let peak = PEAK.load(Ordering::Relaxed) - before;
    let network = HELD.load(Ordering::Relaxed).saturating_sub(before);
    let synapses = net.n_synapses();
    drop(net);
    let left = HELD.load(Ordering::Relaxed).saturating_sub(before);
    BuildBytes { peak, network, left, synapses }
}

#[test]
fn a_rank_builds_its_part_of_the_full_size_dp_network_and_keeps_no_other_synapses() {
    let _one_at_a_time = MEASURING.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    // full size (4000 E, 1000 I, 1500 mitral cells), Tuned E+I: every step of the
    // construction (assemblies, I assemblies, rewiring of E→E, E→I and I→E) runs
    let model = ModelConfig::Dp(DpModel::default());
    let build = |partition: Option<Partition>| {
        let mut b = build_model_on_rank(&model, 0.1, 7, partition).unwrap().builder;
        if let Some(p) = partition {
            b.distribute(p, Box::new(ThreadGroup::new(1)));
        }
        b.build().unwrap()
    };
    let whole = build_bytes(|| build(None));
    let rank = build_bytes(|| build(Some(Partition::new(0, 4).unwrap())));
    let mb = |b: usize| b as f64 / 1e6;
    eprintln!(
        "Dp (full size, Tuned E+I): whole build peaks at {:.1} MB, holds {:.1} MB ({} synapses), leaves {:.2} MB; \
         rank 0 of 4 peaks at {:.1} MB, holds {:.1} MB ({} synapses), leaves {:.2} MB",
        mb(whole.peak),
        mb(whole.network),
        whole.synapses,
        mb(whole.left),
        mb(rank.peak),
        mb(rank.network),
        rank.synapses,
        mb(rank.left)
    );
    assert!(whole.synapses > 1_300_000, "{} synapses", whole.synapses);
    let quarter = whole.synapses as f64 / 4.0;
    assert!((rank.synapses as f64 - quarter).abs() < 0.05 * quarter, "{} of {}", rank.synapses, whole.synapses);
    assert!(whole.network > 12 * whole.synapses, "the whole network holds its synapses ({} bytes)", whole.network);
    assert!(
        (rank.network as f64) < 0.45 * whole.network as f64,
        "rank 0 of 4 holds {} bytes, the whole network {}",
        rank.network,
        whole.network
    );
    // the pathways' synapses are not cached (only the assemblies are: a few kB)
    assert!(
        whole.left < 200_000 && rank.left < 200_000,
        "left after the build: {} and {} bytes",
        whole.left,
        rank.left
    );
    // a balanced pathway is made whole for a moment: the largest (E→E, 800 000 synapses)
    // sets the peak, which is no higher than the whole build's
    assert!(rank.peak <= whole.peak, "rank 0 of 4 peaks at {} bytes, the whole build at {}", rank.peak, whole.peak);
}

/// The most bytes held at once, above what was held before, while `f` runs on a thread of its
/// own, with a rayon pool of that one thread (so that every allocation of `f` is counted
/// against it, whatever other threads do meanwhile).
fn thread_peak_bytes_of<T: Send>(f: impl FnOnce() -> T + Send) -> (usize, T) {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    pool.install(|| {
        let before = THREAD.with(|t| {
            let (held, _) = t.get();
            t.set((held, held));
            held
        });
        let out = f();
        (THREAD.with(|t| t.get().1 - before).max(0) as usize, out)
    })
}

/// The full-size Dp network (Tuned E+I) built by 4 ranks as threads, the ranks reachable
/// while they build (`builder_across`, as a run across ranks builds): every pathway is
/// balanced, rewired and its assemblies chosen across the ranks, so no rank holds a pathway
/// whole. Each rank's peak is measured on its own thread, beside rank 0 building its part
/// alone (`builder_on_rank`, which makes each balanced pathway whole for a moment) and the
/// whole build.
#[test]
fn ranks_building_the_dp_network_together_never_hold_a_pathway_whole() {
    use engram_models::description::Registry;
    let _one_at_a_time = MEASURING.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let d = DpModel::default().description().unwrap();
    let registry = Registry::default();
    let build = |partition: Option<Partition>| {
        let (mut b, _) = d.builder_on_rank(&registry, 0.1, 7, partition).unwrap();
        if let Some(p) = partition {
            b.distribute(p, Box::new(ThreadGroup::new(1)));
        }
        b.build().unwrap().n_synapses()
    };
    let (whole_peak, whole) = thread_peak_bytes_of(|| build(None));
    let (alone_peak, _) = thread_peak_bytes_of(|| build(Some(Partition::new(0, 4).unwrap())));
    let (building, running) = (ThreadGroup::new(4), ThreadGroup::new(4));
    let ranks: Vec<(usize, usize)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|rank| {
                let (mut member, exchange) = (building.member(rank), running.member(rank));
                let (d, registry) = (&d, &registry);
                s.spawn(move || {
                    let partition = Partition::new(rank, 4).unwrap();
                    thread_peak_bytes_of(|| {
                        let (mut b, _) = d.builder_across(registry, 0.1, 7, partition, &mut member).unwrap();
                        b.distribute(partition, Box::new(exchange));
                        b.build().unwrap().n_synapses()
                    })
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mb = |b: usize| b as f64 / 1e6;
    let peaks: Vec<String> = ranks.iter().map(|&(p, n)| format!("{:.1} MB ({n} synapses)", mb(p))).collect();
    eprintln!(
        "Dp (full size, Tuned E+I): whole build peaks at {:.1} MB ({whole} synapses); rank 0 of 4 alone at {:.1} MB; \
         4 ranks together at {}",
        mb(whole_peak),
        mb(alone_peak),
        peaks.join(", ")
    );
    assert_eq!(ranks.iter().map(|r| r.1).sum::<usize>(), whole, "the ranks' parts make the whole network");
    for (rank, &(peak, _)) in ranks.iter().enumerate() {
        assert!(
            (peak as f64) < 0.6 * alone_peak as f64 && (peak as f64) < 0.4 * whole_peak as f64,
            "rank {rank} of 4 peaks at {peak} bytes; alone (pathways made whole) at {alone_peak}, the whole build at \
             {whole_peak}"
        );
    }
}

/// The bytes a built network holds per neuron of the network: 100 000 `LifCond` neurons with
/// one synapse each (`OneToOne`), whole and as rank 0 of 4. A rank stores the state and input
/// buffers of its own block only (`NeuronModel::keep_block`), so it holds well under half of
/// what the whole network holds per neuron; what stays per network neuron on every rank is
/// small (spike counts and spike-list capacity, CSR row pointers).
#[test]
fn a_rank_stores_the_state_of_its_own_neurons_only() {
    use engram_models::description::{NetworkDescription, Registry};
    let _one_at_a_time = MEASURING.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    const N: usize = 100_000;
    let text = format!(
        r#"(populations: [(name: "E", size: {N}, neuron: (kind: "LifCond"))],
            projections: [(pre: "E", post: "E", receptor: "exc", connectivity: (kind: "OneToOne"),
                           weight: Constant(value: 1.0), delay: Constant(ms: 1.0))])"#
    );
    let d = NetworkDescription::from_ron_str(&text, "one_to_one.ron").unwrap();
    let held_per_neuron = |partition: Option<Partition>| {
        let before = HELD.load(Ordering::Relaxed);
        let (mut b, _) = d.builder_on_rank(&Registry::default(), 0.1, 7, partition).unwrap();
        if let Some(p) = partition {
            b.distribute(p, Box::new(ThreadGroup::new(1)));
        }
        let net = b.build().unwrap();
        let held = HELD.load(Ordering::Relaxed) - before;
        drop(net);
        held as f64 / N as f64
    };
    let whole = held_per_neuron(None);
    let rank = held_per_neuron(Some(Partition::new(0, 4).unwrap()));
    eprintln!("built network: {whole:.1} B per neuron whole, {rank:.1} B per network neuron on rank 0 of 4");
    assert!(whole > 80.0, "the whole network holds its neurons' state: {whole:.1} B per neuron");
    assert!(rank < 0.5 * whole, "rank 0 of 4 holds {rank:.1} B per network neuron, the whole network {whole:.1}");
}
