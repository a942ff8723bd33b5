//! The process CPU clock counts threads that have exited and never fails while threads come and go.

use engram_sim::cputime::{process_cpu_s, thread_cpu_s};

/// Burns about `seconds` of the calling thread's CPU time; returns what it measured.
fn burn(seconds: f64) -> f64 {
    let t0 = thread_cpu_s().expect("Linux: per-thread CPU time");
    let mut x = 0u64;
    while thread_cpu_s().unwrap() - t0 < seconds {
        for i in 0..100_000u64 {
            x = x.wrapping_add(i.wrapping_mul(i));
        }
        std::hint::black_box(x);
    }
    thread_cpu_s().unwrap() - t0
}

#[test]
fn the_process_clock_keeps_the_time_of_threads_that_have_exited() {
    let (burnt_tx, burnt_rx) = std::sync::mpsc::channel();
    let (exit_tx, exit_rx) = std::sync::mpsc::channel::<()>();
    let burner = std::thread::spawn(move || {
        burnt_tx.send(burn(0.3)).unwrap();
        exit_rx.recv().unwrap();
    });
    let burnt = burnt_rx.recv().unwrap();
    let alive = process_cpu_s().expect("Linux: process CPU time");
    exit_tx.send(()).unwrap();
    burner.join().unwrap();
    let exited = process_cpu_s().unwrap();
    // a clock that forgot the thread would drop by its 0.3 s
    assert!(
        exited >= alive,
        "the process clock fell from {alive:.2} to {exited:.2} s when a thread that used {burnt:.2} s exited"
    );
}

#[test]
fn the_process_clock_reads_while_threads_start_and_exit() {
    let stop = std::sync::atomic::AtomicBool::new(false);
    let readings: Vec<Option<f64>> = std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    std::thread::spawn(|| std::hint::black_box(1 + 1)).join().unwrap();
                }
            });
        }
        let readings = (0..2000).map(|_| process_cpu_s()).collect();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        readings
    });
    let failed = readings.iter().filter(|r| r.is_none()).count();
    assert_eq!(failed, 0, "{failed} of 2000 readings failed");
    let readings: Vec<f64> = readings.into_iter().flatten().collect();
    assert!(readings.windows(2).all(|w| w[1] >= w[0]), "the process clock went back");
}
