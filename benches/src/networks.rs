//! Benchmark networks that are not models of their own: COBA-4000 with pair STDP on E→E, the
//! plasticity speed benchmark beside the static COBA network (docs/performance.md#plasticity).
//!
//! `cargo xtask bench` measures it (CPU seconds per simulated second, single thread); the
//! criterion bench `coba_4000_pair_stdp_loop_100ms` runs it. Auryn's plastic background
//! network, the other plasticity benchmark, is a model: `engram_models::auryn_background`.
//!
//! ```
//! use engram_benches::networks::{coba_pair_stdp_params, coba_with_pair_stdp};
//! use engram_models::coba::CobaConfig;
//! let config = CobaConfig { n: 400, ..CobaConfig::default() };
//! let mut net = coba_with_pair_stdp(&config, true, 0.1, 1).unwrap();
//! net.run_ms(5.0).unwrap();
//! assert_eq!(coba_pair_stdp_params(6.0).w_max, 12.0);   // w_max = 2 Δg_e
//! ```

use engram_core::error::EngramError;
use engram_core::params::Params;
use engram_models::coba::CobaConfig;
use engram_plasticity::{PairStdp, PairStdpParams};
use engram_sim::Network;

/// Pair STDP for the COBA benchmark's E→E synapses (weights in nS): Song, Miller & Abbott
/// (2000) amplitudes relative to `w_max = 2 Δg_e` (A₊ = 1 % of w_max, A₋ = 1.05 A₊, τ± 20 ms,
/// additive, all-to-all).
pub fn coba_pair_stdp_params(w_exc_ns: f64) -> PairStdpParams {
    let w_max = 2.0 * w_exc_ns;
    PairStdpParams { a_plus: 0.01 * w_max, a_minus: 0.0105 * w_max, w_max, ..PairStdpParams::default() }
}

/// The COBA benchmark network (any [`CobaConfig`]), with pair STDP
/// ([`coba_pair_stdp_params`]) on E→E if `plastic`, otherwise exactly the static benchmark.
pub fn coba_with_pair_stdp(config: &CobaConfig, plastic: bool, dt_ms: f64, seed: u64) -> Result<Network, EngramError> {
    let (model, [ee, ..]) = config.build_with_projections(dt_ms, seed)?;
    let mut b = model.builder;
    if plastic {
        let (ne, _) = config.sizes();
        let params = coba_pair_stdp_params(config.weights_ns().0).check()?;
        b.add_plasticity(ee, PairStdp::new(params, ne, ne));
    }
    b.build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pair_stdp_changes_only_the_plastic_coba() {
        let config = CobaConfig { n: 400, ..CobaConfig::default() };
        for plastic in [false, true] {
            let mut net = coba_with_pair_stdp(&config, plastic, 0.1, 3).unwrap();
            net.run_ms(200.0).unwrap();
            let ee = net.projection("E->E").unwrap();
            let changed = net.weights(ee).data().iter().filter(|&&w| w != 6.0).count();
            assert_eq!(changed > 0, plastic, "plastic {plastic}: {changed} weights changed");
        }
    }
}
