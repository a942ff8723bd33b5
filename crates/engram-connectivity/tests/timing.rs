//! Build-time measurements (ignored by default; speed is measured, never asserted):
//! `cargo test --release -p engram-connectivity --test lib -- --ignored --nocapture timing`.

use engram_connectivity::{ConnectSpec, Rule};
use std::time::Instant;

fn single_threaded<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap().install(f)
}

/// Auryn-like network: 20 000 E + 5 000 I, all four pathways at p = 0.05, plus 2 500 Poisson
/// inputs onto the E cells at p = 0.05: 33.75 M synapses.
#[test]
#[ignore]
fn timing_auryn_like_build() {
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        let t0 = Instant::now();
        let total = pool.install(|| {
            let spec = ConnectSpec::new(Rule::FixedProbability { p: 0.05 }).autapses(true);
            let (ne, ni, np) = (20_000, 5_000, 2_500);
            let parts = [
                spec.connect_recurrent(ne, 1, 1).unwrap(),
                spec.connect(ne, ni, 1, 2).unwrap(),
                spec.connect(ni, ne, 1, 3).unwrap(),
                spec.connect_recurrent(ni, 1, 4).unwrap(),
                spec.connect(np, ne, 1, 5).unwrap(),
            ];
            parts.iter().map(|c| c.n_entries()).sum::<usize>()
        });
        println!("auryn-like build, {threads} thread(s): {total} synapses in {:.3} s", t0.elapsed().as_secs_f64());
    }
    // fixed in-degree at the same size (E->E only, 1000 inputs each: 20 M synapses)
    let t0 = Instant::now();
    let c =
        single_threaded(|| ConnectSpec::new(Rule::FixedInDegree { k: 1000 }).connect_recurrent(20_000, 1, 1).unwrap());
    println!(
        "fixed in-degree 20000x20000, k = 1000, 1 thread: {} synapses in {:.3} s",
        c.n_entries(),
        t0.elapsed().as_secs_f64()
    );
    let t0 = Instant::now();
    let t = c.transpose_index();
    println!("transpose index of it: {:.3} s ({} entries)", t0.elapsed().as_secs_f64(), t.syn_of_post.len());
}

/// COBA benchmark network (Brette et al. 2007): 4 000 neurons, p = 0.02, built as one
/// 4000 × 4000 pattern.
#[test]
#[ignore]
fn timing_coba_4000_build() {
    let t0 = Instant::now();
    let c = single_threaded(|| {
        ConnectSpec::new(Rule::FixedProbability { p: 0.02 }).autapses(false).connect_recurrent(4000, 1, 1).unwrap()
    });
    println!("COBA 4000 build, 1 thread: {} synapses in {:.4} s", c.n_entries(), t0.elapsed().as_secs_f64());
    let t0 = Instant::now();
    let mut c = single_threaded(|| {
        ConnectSpec::new(Rule::FixedInDegree { k: 200 }).autapses(false).connect_recurrent(4000, 1, 1).unwrap()
    });
    let r = c.balance_out_degrees(0.03, 0.03, 1, 1).unwrap();
    println!(
        "Dp-like E->E 4000, k = 200 + balancing ({} moved), 1 thread: {:.4} s",
        r.moved,
        t0.elapsed().as_secs_f64()
    );
}
