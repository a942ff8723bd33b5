//! The thread-scaling summary of `cargo xtask bench --scaling` (loop wall time, speedup,
//! efficiency and each thread's busy time per network and thread count) and the table of
//! docs/performance.md generated from it (`cargo xtask report thread-scaling`).
//!
//! ```
//! use engram_benches::scaling::{ScalingRow, ThreadScaling};
//! let row = |threads, wall: f64| ScalingRow {
//!     network: "COBA-64000".into(), threads, oversubscribed: false, loop_wall_s: wall,
//!     speedup: 2.0 / wall, efficiency: 2.0 / wall / threads as f64, busy_s: vec![wall; threads], spikes: 7,
//! };
//! let s = ThreadScaling { host: "test".into(), cores: 2, load_average: [0.1, 0.2], repeats: 1, rows: vec![row(1, 2.0), row(2, 1.0)] };
//! let table = &s.regions()[0].1;
//! assert!(table.contains("| COBA-64000 | 2 | 1.000 | 2.00 | 1.00 | 1.000 / 1.000 | 0% |"));
//! ```

use serde::{Deserialize, Serialize};

/// One measured (network, thread count).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScalingRow {
    /// The network.
    pub network: String,
    /// Threads in the pool.
    pub threads: usize,
    /// More threads than the machine's available parallelism.
    pub oversubscribed: bool,
    /// Best loop wall time of the repeats, s.
    pub loop_wall_s: f64,
    /// Wall time on 1 thread ÷ on this many.
    pub speedup: f64,
    /// Speedup ÷ threads.
    pub efficiency: f64,
    /// Busy seconds of each pool thread in the best repeat (index = rayon thread index).
    pub busy_s: Vec<f64>,
    /// Spikes in the measured segment (the same for every thread count, or the bench fails).
    pub spikes: u64,
}

/// A whole scaling measurement.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThreadScaling {
    /// The CPU model.
    pub host: String,
    /// Hardware threads available.
    pub cores: usize,
    /// 1-minute load average before and after.
    pub load_average: [f64; 2],
    /// Repeats per row (the best is kept).
    pub repeats: usize,
    /// The rows, per network and thread count.
    pub rows: Vec<ScalingRow>,
}

impl ThreadScaling {
    /// The Markdown table (as in `scaling.md`).
    pub fn table(&self) -> String {
        let mut t = format!(
            "Measured on {} ({} hardware threads; rows marked * are oversubscribed), best of {} repeat(s), 1-minute \
             load average {:.2} before and {:.2} after. Loop wall time of the same segment (restored from a \
             checkpoint) per thread count. Busy: seconds each pool thread spent in parallel tasks and sequential \
             sections; idle = 1 − Σ busy / (threads × wall).\n\n\
             | network | threads | loop wall s | speedup | efficiency | busy per thread s | idle |\n\
             |---|---:|---:|---:|---:|---|---:|\n",
            self.host, self.cores, self.repeats, self.load_average[0], self.load_average[1]
        );
        for r in &self.rows {
            let busy: Vec<String> = r.busy_s.iter().map(|b| format!("{b:.3}")).collect();
            let idle = 1.0 - r.busy_s.iter().sum::<f64>() / (r.threads as f64 * r.loop_wall_s);
            let mark = if r.oversubscribed { "*" } else { "" };
            t += &format!(
                "| {} | {}{mark} | {:.3} | {:.2} | {:.2} | {} | {:.0}% |\n",
                r.network,
                r.threads,
                r.loop_wall_s,
                r.speedup,
                r.efficiency,
                busy.join(" / "),
                100.0 * idle.max(0.0)
            );
        }
        t
    }

    /// The generated region of docs/performance.md: `("thread-scaling", table)`.
    pub fn regions(&self) -> Vec<(String, String)> {
        vec![("thread-scaling".into(), self.table())]
    }
}
