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
//! learning. The network and protocol are `engram::models::selection` (the figure is drawn
//! here); the guide is `docs/guide/selection.md`.

use std::path::Path;

use anyhow::Context;
use engram::models::selection::{SelectionConfig, SelectionResult, run_selection};
use engram::plot::{BarPanel, Figure, LinePanel};

fn main() -> anyhow::Result<()> {
    let cfg = SelectionConfig::default();
    let gated = run_selection(&cfg, 1)?;
    let control = run_selection(&SelectionConfig { gated: false, ..cfg.clone() }, 1)?;
    let dir = Path::new("target/examples/selection");
    write_figure(dir, &gated, Some(&control))?;

    let w = |r: &SelectionResult| {
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

/// Write the figure `selection.png` / `.svg` into `dir`: inhibitory weights onto A and B over
/// time, the rates of A and B over time, and the test rates before and after learning (with
/// the control's, if given).
fn write_figure(dir: &Path, r: &SelectionResult, control: Option<&SelectionResult>) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let pts = |y: &[f64]| -> Vec<(f64, f64)> { r.t_s.iter().copied().zip(y.iter().copied()).collect() };
    let signal: Vec<(f64, f64)> = r
        .t_s
        .iter()
        .zip(&r.signal)
        .map(|(&t, &s)| (t, if s { r.w_ia_ns.iter().chain(&r.w_ib_ns).fold(0.0f64, |a, &b| a.max(b)) } else { 0.0 }))
        .collect();
    let weights = LinePanel::new("Mean I→E weight (iSTDP gated by the signal)", "time (s)", "weight (nS)")
        .series("onto A (relevant)", &pts(&r.w_ia_ns))
        .series("onto B (competitor)", &pts(&r.w_ib_ns))
        .series("signal on", &signal);
    let rates = LinePanel::new("Assembly rates (50 ms bins)", "time (s)", "rate (Hz)")
        .series("A", &pts(&r.rate_a_hz))
        .series("B", &pts(&r.rate_b_hz));
    let mut bars =
        BarPanel::new("Test: A and B stimulated equally", "rate (Hz)", &["A before", "B before", "A after", "B after"])
            .group("gated iSTDP", &[r.before.rate_a_hz, r.before.rate_b_hz, r.after.rate_a_hz, r.after.rate_b_hz], &[]);
    if let Some(c) = control {
        bars = bars.group(
            "control (signal never on)",
            &[c.before.rate_a_hz, c.before.rate_b_hz, c.after.rate_a_hz, c.after.rate_b_hz],
            &[],
        );
    }
    Figure::new(3, 1)
        .size(1000, 1200)
        .title("Selection by neuromodulator-gated inhibitory plasticity")
        .panel(weights)
        .panel(rates)
        .panel(bars)
        .save(dir.join("selection"))
        .context("figure")?;
    Ok(())
}
