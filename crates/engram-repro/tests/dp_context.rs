//! The network instances of the Dp reproduction: every structure is built with its own Table 2
//! pathways, at full size and scaled down.

use engram_models::dp::{DpConfig, Structure};
use engram_repro::dp::{Context, ReproduceOptions, instance_config};

#[test]
fn every_structure_keeps_its_own_pathways_at_full_size_and_scaled_down() {
    for structure in Structure::FITTED {
        let full = instance_config(structure, 1);
        assert_eq!(full.structure, structure);
        assert_eq!(full.pathways(), structure.pathways(), "{structure:?} at full size");
        assert_eq!((full.n_exc, full.n_inh), (DpConfig::default().n_exc, DpConfig::default().n_inh));
        let small = instance_config(structure, 4);
        let (want, got) = (structure.pathways(), small.pathways());
        for (name, w, g) in [
            ("ob_e", want.ob_e, got.ob_e),
            ("ob_i", want.ob_i, got.ob_i),
            ("e_e", want.e_e, got.e_e),
            ("e_i", want.e_i, got.e_i),
            ("i_e", want.i_e, got.i_e),
            ("i_i", want.i_i, got.i_i),
        ] {
            assert_eq!(g.w_ns, w.w_ns, "{structure:?} {name}: weight");
            assert!((g.p - (4.0 * w.p).min(1.0)).abs() < 1e-12, "{structure:?} {name}: p {} for {}", g.p, w.p);
        }
    }
}

#[test]
fn the_context_builds_each_network_with_its_structures_pathways() {
    let options = ReproduceOptions {
        networks_per_structure: 1,
        scale_down: 8,
        progress: false,
        out: std::env::temp_dir().join("engram_dp_context_unused"),
        ..ReproduceOptions::default()
    };
    let ctx = Context::new(options).unwrap();
    let structures: Vec<Structure> = ctx.instances.iter().map(|i| i.config.structure).collect();
    assert_eq!(structures, Structure::FITTED.to_vec());
    for inst in &ctx.instances {
        assert_eq!(inst.config.pathways(), instance_config(inst.config.structure, 8).pathways(), "{}", inst.label());
    }
    // Structures B and D differ from A in their I→E weight (Table 2), so a network built with
    // A's pathways would fail here.
    let i_e: Vec<f64> = ctx.instances.iter().map(|i| i.config.pathways().i_e.w_ns).collect();
    assert_eq!(i_e, vec![0.48, 0.45, 0.52, 0.59]);
}
