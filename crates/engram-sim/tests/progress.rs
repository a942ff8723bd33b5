//! Progress in logs: plain lines when stderr is not a terminal, a bounded number of them.

use engram_sim::progress::{Every, Progress};

fn lines(buffer: &engram_sim::progress::SharedBuffer) -> Vec<String> {
    String::from_utf8(buffer.lock().unwrap().clone()).unwrap().lines().map(str::to_string).collect()
}

#[test]
fn steps_print_a_line_per_tenth_and_the_last_one_at_100_percent() {
    let (progress, log) = Progress::to_buffer("coba", 10_000, "steps", Every::Tenth);
    for done in (50..=10_000).step_by(50) {
        progress.set_message(&format!("{:.2} s simulated", done as f64 / 10_000.0));
        progress.set_position(done);
    }
    progress.finish();
    let lines = lines(&log);
    assert_eq!(lines.len(), 10, "{lines:#?}");
    assert!(lines[0].starts_with("coba: 1000/10000 steps (10 %), 0.10 s simulated, "), "{}", lines[0]);
    assert!(lines[9].starts_with("coba: 10000/10000 steps (100 %), 1.00 s simulated, "), "{}", lines[9]);
    assert!(lines[..9].iter().all(|l| l.contains(" elapsed, about ") && l.ends_with(" left")), "{lines:#?}");
    assert!(lines[9].ends_with(" elapsed, done"), "{}", lines[9]);
}

#[test]
fn a_stopped_job_says_where_it_stopped() {
    let (progress, log) = Progress::to_buffer("fig3", 8, "simulations", Every::Item);
    progress.inc(3);
    progress.abandon();
    let lines = lines(&log);
    assert_eq!(lines.len(), 2, "{lines:#?}");
    assert!(lines[1].starts_with("fig3: 3/8 simulations (37 %), stopped, "), "{}", lines[1]);
}

#[test]
fn a_hidden_report_prints_nothing_and_a_disabled_one_is_hidden() {
    let hidden = Progress::new("x", 5, "steps", Every::Item, false);
    assert!(!hidden.is_visible());
    hidden.inc(5);
    hidden.finish();
    let (quiet, log) = Progress::to_buffer("y", 0, "steps", Every::Item);
    assert!(quiet.is_visible());
    quiet.finish();
    assert!(lines(&log).is_empty());
}
