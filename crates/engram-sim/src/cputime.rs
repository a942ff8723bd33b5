//! CPU time of this process (all threads) and of the calling thread, for run summaries and benchmarks.

/// CPU seconds (user + system) used by all threads of this process so far.
///
/// On Linux this sums the nanosecond counters in `/proc/self/task/*/schedstat`; elsewhere, or
/// if that fails, it returns `None`.
///
/// ```
/// let t0 = engram_sim::cputime::process_cpu_s().unwrap_or(0.0);
/// let mut x = 0u64; for i in 0..2_000_000u64 { x = x.wrapping_add(i * i) }
/// std::hint::black_box(x);
/// assert!(engram_sim::cputime::process_cpu_s().unwrap_or(1.0) >= t0);
/// ```
pub fn process_cpu_s() -> Option<f64> {
    let mut total_ns: u64 = 0;
    for entry in std::fs::read_dir("/proc/self/task").ok()? {
        let path = entry.ok()?.path().join("schedstat");
        let text = std::fs::read_to_string(path).ok()?;
        total_ns += text.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(total_ns as f64 * 1e-9)
}

/// CPU seconds used by the calling thread so far (Linux: `/proc/thread-self/schedstat`;
/// `None` elsewhere). Use it to time work done on one thread while other threads run.
///
/// ```
/// let t = engram_sim::cputime::thread_cpu_s();
/// assert!(t.is_none() || t.unwrap() >= 0.0);
/// ```
pub fn thread_cpu_s() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(text.split_whitespace().next()?.parse::<u64>().ok()? as f64 * 1e-9)
}
