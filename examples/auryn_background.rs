//! Auryn's plastic background network (Zenke, Hennequin & Gerstner 2013; the plasticity
//! benchmark of Zenke & Gerstner 2014): 20 000 E + 5 000 I NMDA neurons, 2 500 Poisson inputs,
//! 33.75 M synapses, triplet STDP with a sliding threshold on E→E. Prints, per simulated
//! second, the rates, the E population's Fano factor in 1 ms bins (synchrony), the mean E→E
//! weight and the wall time.
//!
//! ```sh
//! cargo run --release --example auryn_background -- [static_s] [plastic_s] [tau_hom_ms]
//! ```
//!
//! Defaults: 2 s static, 3 s plastic, τ_hom = 10 s; Auryn's benchmark (`sim_background
//! --tau 10`) primes for 3 τ_hom = 30 s before 10 s of plasticity: `-- 30 10`. During the
//! static phase the rule's traces and rate estimates run (only weight changes are off), as in
//! Auryn's priming. Measured here: E ≈ 2.9 Hz while priming, 2.0–2.9 Hz over the 10 plastic
//! seconds after 30 s of priming, 3.0–3.35 Hz over 6 plastic seconds after 2 s.
//! Set `RAYON_NUM_THREADS=1` for single-thread timings. The network is `engram::models::auryn_background`.

use engram::models::auryn_background::AurynBackgroundConfig;

fn main() -> anyhow::Result<()> {
    let arg = |k: usize, default: f64| -> anyhow::Result<f64> {
        std::env::args()
            .nth(k)
            .map_or(Ok(default), |s| s.parse().map_err(|_| anyhow::anyhow!("argument {k} = {s:?} is not a number")))
    };
    let (static_s, plastic_s) = (arg(1, 2.0)? as usize, arg(2, 3.0)? as usize);
    let mut config = AurynBackgroundConfig::default();
    if let Some(h) = config.triplet.sliding_threshold.as_mut() {
        h.tau_ms = arg(3, h.tau_ms)?;
    }
    let t0 = std::time::Instant::now();
    let mut bg = config.build(0.1, 1)?;
    println!("built {} synapses in {:.2} s", bg.network.n_synapses(), t0.elapsed().as_secs_f64());
    for second in 0..static_s + plastic_s {
        let plastic = second >= static_s;
        bg.network.set_modulator(if plastic { 1.0 } else { 0.0 });
        bg.network.reset_counts();
        let t = std::time::Instant::now();
        let (mut counts, mut last) = (Vec::with_capacity(1000), 0u64);
        for _ in 0..1000 {
            bg.network.run_ms(1.0)?;
            let total = bg.network.stats().iter().find(|s| s.name == "E").map_or(0, |s| s.n_spikes);
            counts.push((total - last) as f64);
            last = total;
        }
        let wall = t.elapsed().as_secs_f64();
        let st = bg.network.stats();
        let rate = |n: &str| st.iter().find(|s| s.name == n).map_or(f64::NAN, |s| s.rate_hz);
        let mean = counts.iter().sum::<f64>() / counts.len() as f64;
        let var = counts.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / counts.len() as f64;
        let w = bg.network.weights(bg.ee).data();
        let w_mean = w.iter().sum::<f64>() / w.len() as f64;
        println!(
            "t = {second} s {}: E {:.2} Hz, I {:.2} Hz, Fano(1 ms) {:.1}, mean E->E weight {w_mean:.4} nS, wall {wall:.2} s",
            if plastic { "plastic" } else { "static " },
            rate("E"),
            rate("I"),
            var / mean.max(1e-12),
        );
    }
    Ok(())
}
