//! The cost model of a network split across ranks, fitted to measured runs
//! ([`crate::bench::BenchRun`]s, committed as `docs/data/mpi-scaling.json`), its predictions for
//! large networks, and the Markdown tables of docs/performance.md generated from them.
//!
//! Per step of `dt` and per rank `r` of `P`:
//!
//! - compute `t_comp = c_0 + c_n · N_r + c_ev · E_r`, with `N_r` the rank's neurons and `E_r`
//!   the synaptic events delivered into its synapses per step (spikes per step × the rank's
//!   synapses / N: each spike reaches its out-degree, of which the rank holds its share);
//! - exchange `t_comm = a_0 + α · log2 P + β · B`, with `B` the bytes each rank receives per
//!   step (4 bytes per spike of the whole network plus a count per rank and population); the
//!   network runs on several ranks also wait for the slowest rank, `w` seconds per second of
//!   compute (imbalance and scheduling noise: measured, not predicted);
//! - memory `M = m_0 + m_s · S_r + m_n · N_r + m_N · N` (resident at the end of the loop: the
//!   rank's synapses, its own neurons' state and input buffers, which a rank stores by blocks,
//!   and what every rank holds for every neuron of the network; the fixed-p network, whose
//!   synapses per neuron differ, and the rank counts separate the three).
//!
//! The compute constants are fitted to the 1-rank runs (loop CPU time, which a loaded host does
//! not inflate); `a_0`, `α` and `β` to the exchange alone ([`crate::bench::collective_rank`],
//! fastest of the repeats); `w` to what the network runs on 2..=cores ranks spent in the
//! exchange beyond that; the memory constants to every rank's record. All by least squares,
//! with standard errors.

use serde::{Deserialize, Serialize};

use crate::bench::{BenchRun, CollectiveRun};

/// The committed measurements: where and how they were made, and the runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScalingSummary {
    /// The machine (CPU model).
    pub host: String,
    /// Its cores (available parallelism).
    pub cores: usize,
    /// How engram-mpi was built and launched (`release, Open MPI 4.1, mpirun --oversubscribe`).
    pub build: String,
    /// The 1-minute load average before and after the measurements.
    pub load_average: [f64; 2],
    /// Every run (network, rank count).
    pub runs: Vec<BenchRun>,
    /// The exchange alone, on each rank count.
    pub collectives: Vec<CollectiveRun>,
}

/// A fitted constant and its standard error.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fitted {
    /// The value.
    pub value: f64,
    /// Its standard error (NaN without enough data).
    pub std_err: f64,
}

/// The cost model's constants (units in the names).
#[derive(Clone, Debug, PartialEq)]
pub struct CostModel {
    /// Step time: the step size, ms.
    pub dt_ms: f64,
    /// Compute per step, s.
    pub c0_s: Fitted,
    /// Compute per own neuron and step, s.
    pub c_neuron_s: Fitted,
    /// Compute per synaptic event delivered, s.
    pub c_event_s: Fitted,
    /// Exchange per step, s.
    pub a0_s: Fitted,
    /// Exchange per step and per doubling of the ranks, s.
    pub alpha_s: Fitted,
    /// Exchange per byte received, s.
    pub beta_s_per_byte: Fitted,
    /// Waiting in the exchange per second of the rank's own compute (imbalance and
    /// scheduling noise; 0 on one rank).
    pub wait_per_compute: Fitted,
    /// Memory per rank, bytes.
    pub m0_bytes: Fitted,
    /// Memory per own synapse, bytes.
    pub m_synapse_bytes: Fitted,
    /// Memory per own neuron (state and input buffers of the rank's block), bytes.
    pub m_neuron_bytes: Fitted,
    /// Memory per neuron of the whole network, on every rank, bytes.
    pub m_network_neuron_bytes: Fitted,
    /// Rank records the compute fit used.
    pub n_compute: usize,
    /// Collective-benchmark points the exchange fit used.
    pub n_comm: usize,
    /// Rank records the waiting fit used.
    pub n_wait: usize,
    /// Rank records the memory fit used.
    pub n_memory: usize,
}

/// Least squares `y ≈ X b` (rows of `x`), with standard errors; `None` if `X` has fewer rows
/// than columns or is singular.
pub fn least_squares(x: &[Vec<f64>], y: &[f64]) -> Option<Vec<Fitted>> {
    let k = x.first()?.len();
    let m = x.len();
    if m < k || y.len() != m {
        return None;
    }
    // scale columns so that the normal equations are well conditioned
    let scale: Vec<f64> = (0..k)
        .map(|j| x.iter().map(|r| r[j].abs()).fold(0.0, f64::max))
        .map(|s| if s > 0.0 { s } else { 1.0 })
        .collect();
    let mut a = vec![vec![0.0; k]; k];
    let mut b = vec![0.0; k];
    for (row, &yi) in x.iter().zip(y) {
        for i in 0..k {
            b[i] += row[i] / scale[i] * yi;
            for j in 0..k {
                a[i][j] += row[i] / scale[i] * row[j] / scale[j];
            }
        }
    }
    let inv = invert(&a)?;
    let coef: Vec<f64> = (0..k).map(|i| (0..k).map(|j| inv[i][j] * b[j]).sum()).collect();
    let rss: f64 = x
        .iter()
        .zip(y)
        .map(|(row, &yi)| yi - (0..k).map(|j| row[j] / scale[j] * coef[j]).sum::<f64>())
        .map(|r| r * r)
        .sum();
    let sigma2 = if m > k { rss / (m - k) as f64 } else { f64::NAN };
    Some(
        (0..k).map(|i| Fitted { value: coef[i] / scale[i], std_err: (sigma2 * inv[i][i]).sqrt() / scale[i] }).collect(),
    )
}

/// The inverse of a small square matrix (Gauss–Jordan with partial pivoting); `None` if singular.
fn invert(a: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let k = a.len();
    let mut m: Vec<Vec<f64>> = a
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut row = r.clone();
            row.extend((0..k).map(|j| if i == j { 1.0 } else { 0.0 }));
            row
        })
        .collect();
    let norm = a.iter().flatten().map(|v| v.abs()).fold(0.0, f64::max);
    for c in 0..k {
        let p = (c..k).max_by(|&i, &j| m[i][c].abs().total_cmp(&m[j][c].abs()))?;
        if m[p][c].abs() <= 1e-12 * norm.max(f64::MIN_POSITIVE) {
            return None;
        }
        m.swap(c, p);
        let d = m[c][c];
        for v in &mut m[c] {
            *v /= d;
        }
        for i in 0..k {
            if i != c {
                let f = m[i][c];
                if f != 0.0 {
                    for j in 0..2 * k {
                        m[i][j] -= f * m[c][j];
                    }
                }
            }
        }
    }
    Some(m.into_iter().map(|r| r[k..].to_vec()).collect())
}

/// Steps of a run.
fn steps(run: &BenchRun, dt_ms: f64) -> f64 {
    (run.duration_s * 1000.0 / dt_ms).round()
}

/// Bytes each rank receives per step: 4 per spike of the network and per count (a count per
/// population and rank; COBA has 2 populations).
fn bytes_per_step(n: f64, rate_hz: f64, dt_ms: f64, n_ranks: f64) -> f64 {
    4.0 * (n * rate_hz * dt_ms * 1e-3 + 2.0 * n_ranks)
}

/// Compute seconds of one rank per step: the loop's CPU time outside the exchange (the
/// exchange taken as polling, CPU = wall; on one rank the exchange is a copy). Meaningful
/// only where the rank never waits for another (one rank).
fn compute_per_step(r: &crate::bench::RankRecord, steps: f64) -> f64 {
    ((r.loop_cpu_s - r.exchange_s) / steps).max(0.0)
}

/// Fit the cost model to `summary` (dt = 0.1 ms, the bench's step).
pub fn fit(summary: &ScalingSummary) -> Result<CostModel, String> {
    let dt_ms = 0.1;
    let (mut xc, mut yc, mut xm, mut ym, mut xe, mut ye) = (vec![], vec![], vec![], vec![], vec![], vec![]);
    let mut waits = Vec::new();
    for c in summary.collectives.iter().filter(|c| c.n_ranks <= summary.cores) {
        for point in &c.points {
            xe.push(vec![1.0, (c.n_ranks as f64).log2(), point.bytes_received as f64]);
            ye.push(point.min_s);
        }
    }
    for run in &summary.runs {
        let steps = steps(run, dt_ms);
        let n = run.network.n as f64;
        let spikes_per_step = run.spikes as f64 / steps;
        for r in &run.ranks {
            let events = spikes_per_step * r.synapses as f64 / n;
            if run.n_ranks == 1 {
                xc.push(vec![1.0, r.neurons as f64, events]);
                yc.push(compute_per_step(r, steps));
            } else if run.n_ranks <= summary.cores {
                waits.push((
                    r.neurons as f64,
                    events,
                    r.exchange_s / steps,
                    run.n_ranks as f64,
                    r.bytes_received as f64 / steps,
                ));
            }
            xm.push(vec![1.0, r.synapses as f64, r.neurons as f64, n]);
            ym.push(r.rss_bytes as f64);
        }
    }
    let c = least_squares(&xc, &yc)
        .ok_or("the compute fit needs 1-rank runs of 3 networks with different neurons and events")?;
    let e = least_squares(&xe, &ye).ok_or("the exchange fit needs the collective benchmark on 1 and 2 ranks")?;
    let m = least_squares(&xm, &ym)
        .ok_or("the memory fit needs runs on 1 and more ranks of networks of different sizes")?;
    // what the network runs' exchanges took beyond the bare exchange, per second of (modelled) compute
    let wx: Vec<Vec<f64>> = waits.iter().map(|w| vec![c[0].value + c[1].value * w.0 + c[2].value * w.1]).collect();
    let wy: Vec<f64> =
        waits.iter().map(|&(_, _, t, p, b)| t - (e[0].value + e[1].value * p.log2() + e[2].value * b)).collect();
    let w = least_squares(&wx, &wy).ok_or("the waiting fit needs network runs on 2 ranks")?;
    Ok(CostModel {
        dt_ms,
        c0_s: c[0],
        c_neuron_s: c[1],
        c_event_s: c[2],
        a0_s: e[0],
        alpha_s: e[1],
        beta_s_per_byte: e[2],
        wait_per_compute: w[0],
        m0_bytes: m[0],
        m_synapse_bytes: m[1],
        m_neuron_bytes: m[2],
        m_network_neuron_bytes: m[3],
        n_compute: yc.len(),
        n_comm: ye.len(),
        n_wait: wy.len(),
        n_memory: ym.len(),
    })
}

/// A network to predict: neurons, synapses per neuron, mean rate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scenario {
    /// Neurons.
    pub n: f64,
    /// Synapses per neuron.
    pub synapses_per_neuron: f64,
    /// Mean rate, Hz.
    pub rate_hz: f64,
}

/// What the model predicts for one scenario on `n_ranks` ranks.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Prediction {
    /// Compute wall time per simulated second, s.
    pub compute_s: f64,
    /// Exchange wall time per simulated second, s (the bare exchange: no waiting for slower
    /// ranks, see [`CostModel::wait_per_compute`]).
    pub exchange_s: f64,
    /// Resident memory per rank, bytes.
    pub memory_bytes: f64,
}

impl CostModel {
    /// Wall time per simulated second and memory per rank of `s` on `n_ranks` ranks.
    pub fn predict(&self, s: Scenario, n_ranks: usize) -> Prediction {
        let p = n_ranks as f64;
        let steps_per_s = 1000.0 / self.dt_ms;
        let events = s.n * s.rate_hz * self.dt_ms * 1e-3 * s.synapses_per_neuron / p;
        let compute = self.c0_s.value + self.c_neuron_s.value * s.n / p + self.c_event_s.value * events;
        let bytes = bytes_per_step(s.n, s.rate_hz, self.dt_ms, p);
        let exchange = self.a0_s.value + self.alpha_s.value * p.log2() + self.beta_s_per_byte.value * bytes;
        let memory = self.m0_bytes.value
            + self.m_synapse_bytes.value * s.n * s.synapses_per_neuron / p
            + self.m_neuron_bytes.value * s.n / p
            + self.m_network_neuron_bytes.value * s.n;
        Prediction {
            compute_s: compute * steps_per_s,
            exchange_s: exchange.max(0.0) * steps_per_s,
            memory_bytes: memory,
        }
    }
}

/// The scenarios of the prediction table: 10⁶ and 10⁸ neurons, 11 250 synapses per neuron
/// (NEST's HPC benchmark), 10 Hz.
pub const SCENARIOS: [Scenario; 2] = [
    Scenario { n: 1e6, synapses_per_neuron: 11_250.0, rate_hz: 10.0 },
    Scenario { n: 1e8, synapses_per_neuron: 11_250.0, rate_hz: 10.0 },
];

/// The rank counts of the prediction table.
pub const RANKS: [usize; 4] = [16, 64, 256, 1024];

fn fitted(f: Fitted, unit: f64, digits: usize) -> String {
    if f.std_err.is_finite() {
        format!("{:.digits$} ± {:.digits$}", f.value / unit, f.std_err / unit)
    } else {
        format!("{:.digits$}", f.value / unit)
    }
}

/// The generated regions of docs/performance.md: `mpi-measured` (every run), `mpi-model` (the
/// fitted constants) and `mpi-prediction`.
pub fn regions(summary: &ScalingSummary) -> Result<Vec<(String, String)>, String> {
    let model = fit(summary)?;
    let mut measured = format!(
        "Measured on {} ({} cores), {}; 1-minute load average {:.2} before, {:.2} after. Per rank (mean over the ranks; max in brackets where it differs by more than 10 %), per simulated second; *compute* is loop CPU minus exchange:\n\n",
        summary.host, summary.cores, summary.build, summary.load_average[0], summary.load_average[1]
    );
    measured.push_str("| network | neurons | synapses | ranks | spikes/s | loop wall s | of it exchange s | exchange µs/step | bytes received/step | loop CPU s | compute s | RSS MB (end) | RSS MB (peak) |\n");
    measured.push_str("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for run in &summary.runs {
        let per_s = 1.0 / run.duration_s;
        let steps = steps(run, model.dt_ms);
        let synapses: usize = run.ranks.iter().map(|r| r.synapses).sum();
        let col = |f: &dyn Fn(&crate::bench::RankRecord) -> f64, digits: usize| {
            let v: Vec<f64> = run.ranks.iter().map(f).collect();
            let mean = v.iter().sum::<f64>() / v.len().max(1) as f64;
            let max = v.iter().copied().fold(f64::MIN, f64::max);
            if max > 1.1 * mean { format!("{mean:.digits$} ({max:.digits$})") } else { format!("{mean:.digits$}") }
        };
        measured.push_str(&format!(
            "| {} | {} | {} | {} | {:.0} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            run.network.label(),
            run.network.n,
            synapses,
            run.n_ranks,
            run.spikes as f64 * per_s,
            col(&|r| r.loop_wall_s * per_s, 3),
            col(&|r| r.exchange_s * per_s, 3),
            col(&|r| r.exchange_s / steps * 1e6, 1),
            col(&|r| r.bytes_received as f64 / steps, 0),
            col(&|r| r.loop_cpu_s * per_s, 3),
            col(&|r| compute_per_step(r, steps) * steps * per_s, 3),
            col(&|r| r.rss_bytes as f64 / 1e6, 0),
            col(&|r| r.peak_rss_bytes as f64 / 1e6, 0),
        ));
    }
    let constants = format!(
        "| constant | fitted | from |\n|---|---|---|\n\
         | c₀, per step | {} µs | compute fit: loop CPU time of the {} runs on 1 rank |\n\
         | c_n, per neuron and step | {} ns | compute fit |\n\
         | c_ev, per synaptic event | {} ns | compute fit |\n\
         | a₀, per exchange | {} µs | exchange alone (fastest of 200), {} points: ranks ≤ cores × 6 sizes |\n\
         | α, per doubling of the ranks | {} µs | exchange alone: 1 and 2 ranks, one difference, shared memory |\n\
         | β, per byte received | {} ns | exchange alone: 0 to 2 MB received |\n\
         | w, waiting per second of compute (P > 1; not in the prediction) | {} | network runs on 2 ranks, {} rank records: exchange time beyond a₀ + α + β·B, per modelled compute |\n\
         | m₀, per rank | {} MB | memory fit, {} rank records (all runs) |\n\
         | m_s, per own synapse | {} B | memory fit |\n\
         | m_n, per own neuron | {} B | memory fit |\n\
         | m_N, per neuron of the network, on every rank | {} B | memory fit |\n",
        fitted(model.c0_s, 1e-6, 2),
        model.n_compute,
        fitted(model.c_neuron_s, 1e-9, 2),
        fitted(model.c_event_s, 1e-9, 2),
        fitted(model.a0_s, 1e-6, 2),
        model.n_comm,
        fitted(model.alpha_s, 1e-6, 2),
        fitted(model.beta_s_per_byte, 1e-9, 3),
        fitted(model.wait_per_compute, 1.0, 2),
        model.n_wait,
        fitted(model.m0_bytes, 1e6, 1),
        model.n_memory,
        fitted(model.m_synapse_bytes, 1.0, 1),
        fitted(model.m_neuron_bytes, 1.0, 0),
        fitted(model.m_network_neuron_bytes, 1.0, 0),
    );
    let mut prediction = String::from(
        "| neurons | synapses | ranks | compute s | exchange s | wall s per simulated s (no waiting) | memory per rank GB |\n|---|---|---|---|---|---|---|\n",
    );
    for s in SCENARIOS {
        for p in RANKS {
            let x = model.predict(s, p);
            prediction.push_str(&format!(
                "| {:.0e} | {:.2e} | {p} | {:.3} | {:.3} | {:.3} | {:.2} |\n",
                s.n,
                s.n * s.synapses_per_neuron,
                x.compute_s,
                x.exchange_s,
                x.compute_s + x.exchange_s,
                x.memory_bytes / 1e9
            ));
        }
    }
    Ok(vec![
        ("mpi-measured".to_string(), measured),
        ("mpi-model".to_string(), constants),
        ("mpi-prediction".to_string(), prediction),
    ])
}
