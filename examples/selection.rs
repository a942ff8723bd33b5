//! Selection by neuromodulator-gated inhibitory plasticity: two excitatory assemblies share
//! one inhibitory pool; iSTDP on I→E is plastic only while a reward/attention signal marks
//! assembly A as relevant. Afterwards A is released from inhibition, its competitor B is more
//! inhibited, and A wins a test in which both are stimulated equally.
//!
//! ```sh
//! cargo run --release --example selection
//! ```
//!
//! Writes `target/examples/selection/selection.png` (and `.svg`) and prints the key numbers;
//! a control run with the signal never on shows that the change comes from the gated
//! learning. The network and protocol are `engram::models::selection`; the guide is
//! `docs/guide/selection.md`.

use engram::models::selection::{SelectionConfig, run_selection, write_figure};

fn main() -> anyhow::Result<()> {
    let cfg = SelectionConfig::default();
    let gated = run_selection(&cfg, 1)?;
    let control = run_selection(&SelectionConfig { gated: false, ..cfg.clone() }, 1)?;
    let dir = std::path::Path::new("target/examples/selection");
    write_figure(dir, &gated, Some(&control))?;

    let w = |r: &engram::models::selection::SelectionResult| {
        format!(
            "I->A {:.2} -> {:.2} nS, I->B {:.2} -> {:.2} nS",
            r.w_ia_before_after_ns.0, r.w_ia_before_after_ns.1, r.w_ib_before_after_ns.0, r.w_ib_before_after_ns.1
        )
    };
    println!("mean inhibitory weight (gated):   {}", w(&gated));
    println!("mean inhibitory weight (control): {}", w(&control));
    println!(
        "learning trials (A {} Hz + B {} Hz stimulus, signal on): first A {:.1} / B {:.1} Hz, last A {:.1} / B {:.1} Hz",
        cfg.relevant_rate_hz,
        cfg.competitor_rate_hz,
        gated.first_trial.rate_a_hz,
        gated.first_trial.rate_b_hz,
        gated.last_trial.rate_a_hz,
        gated.last_trial.rate_b_hz
    );
    for (name, r) in [("gated", &gated), ("control", &control)] {
        println!(
            "test, both at {} Hz ({name}): before A {:.1} / B {:.1} Hz (I {:.1}), after A {:.1} / B {:.1} Hz (I {:.1}); A's share {:+.2}",
            cfg.test_rate_hz,
            r.before.rate_a_hz,
            r.before.rate_b_hz,
            r.before.rate_i_hz,
            r.after.rate_a_hz,
            r.after.rate_b_hz,
            r.after.rate_i_hz,
            r.selection_gain()
        );
    }
    println!("figure: {}", dir.join("selection.png").display());
    Ok(())
}
