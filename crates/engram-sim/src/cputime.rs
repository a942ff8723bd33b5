//! CPU time of this process (all threads) and of the calling thread, for run summaries and benchmarks.

/// CPU seconds (user + system) used by all threads of this process so far, exited threads
/// included, in steps of 10 ms.
///
/// On Linux this reads the process-wide tick counters of `/proc/self/stat` (units of
/// `USER_HZ` = 100 per second); elsewhere it returns `None`. A sum over the live threads'
/// nanosecond counters would be finer but misses threads that have exited, and fails when a
/// thread exits while it is being read (threads come and go in a test process), so it is not
/// used.
///
/// ```
/// let t0 = engram_sim::cputime::process_cpu_s().unwrap_or(0.0);
/// let mut x = 0u64; for i in 0..2_000_000u64 { x = x.wrapping_add(i * i) }
/// std::hint::black_box(x);
/// assert!(engram_sim::cputime::process_cpu_s().unwrap_or(1.0) >= t0);
/// ```
pub fn process_cpu_s() -> Option<f64> {
    stat_ticks_s(11)
}

/// CPU seconds (user + system) of this process's children that have exited and been waited
/// for (Linux: `/proc/self/stat`, 10 ms steps; `None` elsewhere): the CPU time of a program
/// run with [`std::process::Command::status`] is the difference across the call.
///
/// ```
/// let t = engram_sim::cputime::waited_children_cpu_s();
/// assert!(t.is_none() || t.unwrap() >= 0.0);
/// ```
pub fn waited_children_cpu_s() -> Option<f64> {
    stat_ticks_s(13)
}

/// The user + system tick pair of `/proc/self/stat` whose user field is `first` (counted after
/// the process name, which may hold spaces and is closed by the last `)`), in seconds.
fn stat_ticks_s(first: usize) -> Option<f64> {
    const USER_HZ: f64 = 100.0;
    let text = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = text.rsplit(')').next()?.split_whitespace().collect();
    let tick = |i: usize| fields.get(i)?.parse::<u64>().ok();
    Some((tick(first)? + tick(first + 1)?) as f64 / USER_HZ)
}

/// CPU seconds used by the calling thread so far (Linux: `/proc/thread-self/schedstat`,
/// nanoseconds; `None` elsewhere). Use it to time work done on one thread while other threads
/// run.
///
/// ```
/// let t = engram_sim::cputime::thread_cpu_s();
/// assert!(t.is_none() || t.unwrap() >= 0.0);
/// ```
pub fn thread_cpu_s() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(text.split_whitespace().next()?.parse::<u64>().ok()? as f64 * 1e-9)
}
