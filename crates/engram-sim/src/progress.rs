//! Progress of long jobs: a bar on a terminal, plain lines in a log file or a batch job.
//!
//! indicatif hides its bars when stderr is not a terminal, so a run written to a log would say
//! nothing for minutes. [`Progress`] draws the bar on a terminal and otherwise prints one plain
//! line per finished job (or per tenth of a long stretch of steps) with what is done, the time
//! elapsed and an estimate of the time left.
//!
//! ```
//! use engram_sim::progress::{Every, Progress};
//! let (progress, log) = Progress::to_buffer("fig2 rates", 4, "simulations", Every::Item);
//! for _ in 0..4 {
//!     progress.inc(1);
//! }
//! progress.finish();
//! let text = log.lock().unwrap().clone();
//! let lines: Vec<&str> = std::str::from_utf8(&text).unwrap().lines().collect();
//! assert_eq!(lines.len(), 4);
//! assert!(lines[3].starts_with("fig2 rates: 4/4 simulations (100 %), "), "{}", lines[3]);
//! assert!(lines[0].contains("elapsed") && lines[0].contains("left"), "{}", lines[0]);
//! assert!(lines[3].ends_with("elapsed, done"), "{}", lines[3]);
//! ```

use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// When a plain (non-terminal) progress report prints a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Every {
    /// After every finished item (jobs that take seconds or more: simulations, figures).
    Item,
    /// When another tenth is done, or a minute has passed (many small items: steps).
    Tenth,
}

/// A progress report: an indicatif bar on a terminal, plain lines otherwise, or nothing.
/// Shared between threads by reference (`inc` takes `&self`).
pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
    plain: Option<Mutex<Plain>>,
}

struct Plain {
    label: String,
    unit: String,
    total: u64,
    done: u64,
    message: String,
    every: Every,
    start: Instant,
    last_line: Instant,
    last_tenth: u64,
    out: Box<dyn Write + Send>,
}

/// What [`Progress::to_buffer`] writes into.
pub type SharedBuffer = Arc<Mutex<Vec<u8>>>;

struct BufferWriter(SharedBuffer);

impl Write for BufferWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().map_err(|_| std::io::Error::other("poisoned"))?.extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Progress {
    /// A report of `total` items of `unit` (`"simulations"`, `"steps"`) labelled `label`: a bar
    /// if stderr is a terminal, plain lines on stderr otherwise; nothing unless `enabled`.
    pub fn new(label: &str, total: u64, unit: &str, every: Every, enabled: bool) -> Self {
        if !enabled {
            return Self::hidden();
        }
        if std::io::stderr().is_terminal() {
            let bar = indicatif::ProgressBar::new(total);
            bar.set_style(
                indicatif::ProgressStyle::with_template(&format!(
                    "{{prefix:>28}} [{{bar:30}}] {{pos}}/{{len}} {unit}{{msg}}, {{elapsed}} elapsed, eta {{eta}}"
                ))
                .expect("a valid template")
                .progress_chars("=> "),
            );
            bar.set_prefix(label.to_string());
            return Self { bar: Some(bar), plain: None };
        }
        Self::plain(label, total, unit, every, Box::new(std::io::stderr()))
    }

    /// Plain lines into a buffer (for tests and for callers that collect the log).
    pub fn to_buffer(label: &str, total: u64, unit: &str, every: Every) -> (Self, SharedBuffer) {
        let buffer: SharedBuffer = Arc::default();
        (Self::plain(label, total, unit, every, Box::new(BufferWriter(Arc::clone(&buffer)))), buffer)
    }

    /// No report at all.
    pub fn hidden() -> Self {
        Self { bar: None, plain: None }
    }

    /// Whether anything is shown (callers can skip building messages for a hidden report).
    pub fn is_visible(&self) -> bool {
        self.bar.is_some() || self.plain.is_some()
    }

    fn plain(label: &str, total: u64, unit: &str, every: Every, out: Box<dyn Write + Send>) -> Self {
        let now = Instant::now();
        let plain = Plain {
            label: label.into(),
            unit: unit.into(),
            total,
            done: 0,
            message: String::new(),
            every,
            start: now,
            last_line: now,
            last_tenth: 0,
            out,
        };
        Self { bar: None, plain: Some(Mutex::new(plain)) }
    }

    /// `n` more items are done.
    pub fn inc(&self, n: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(n);
        }
        self.update(|p| p.done = (p.done + n).min(p.total));
    }

    /// `done` items are done in all.
    pub fn set_position(&self, done: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(done);
        }
        self.update(|p| p.done = done.min(p.total));
    }

    /// A note shown after the count (`"1.20 s simulated"`); shown with the next line or redraw.
    pub fn set_message(&self, message: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(format!(" ({message})"));
        }
        if let Some(plain) = &self.plain
            && let Ok(mut p) = plain.lock()
        {
            p.message = message.to_string();
        }
    }

    /// The job is over: the bar stays drawn in full; a plain report prints its last line if the
    /// count did not reach the total (a job that ended early).
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish();
        }
        if let Some(plain) = &self.plain
            && let Ok(mut p) = plain.lock()
            && p.done < p.total
        {
            p.print();
        }
    }

    /// The job stopped (an error, an interruption): remove the bar; a plain report says where
    /// it stopped.
    pub fn abandon(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        if let Some(plain) = &self.plain
            && let Ok(mut p) = plain.lock()
        {
            p.message = if p.message.is_empty() { "stopped".into() } else { format!("{}; stopped", p.message) };
            p.print();
        }
    }

    fn update(&self, change: impl FnOnce(&mut Plain)) {
        let Some(plain) = &self.plain else { return };
        let Ok(mut p) = plain.lock() else { return };
        let before = p.done;
        change(&mut p);
        if p.done == before {
            return;
        }
        let tenth = (p.done * 10).checked_div(p.total).unwrap_or(10);
        let due = match p.every {
            Every::Item => true,
            Every::Tenth => {
                p.done == p.total || tenth > p.last_tenth || p.last_line.elapsed() >= Duration::from_secs(60)
            }
        };
        if due {
            p.last_tenth = tenth;
            p.print();
        }
    }
}

impl Plain {
    fn print(&mut self) {
        let elapsed = self.start.elapsed().as_secs_f64();
        let percent = (self.done * 100).checked_div(self.total).unwrap_or(100);
        let left = if self.done == 0 {
            "time left unknown".to_string()
        } else if self.done == self.total {
            "done".to_string()
        } else {
            let rest = elapsed * (self.total - self.done) as f64 / self.done as f64;
            format!("about {} left", duration_words(rest))
        };
        let message = if self.message.is_empty() { String::new() } else { format!(", {}", self.message) };
        let line = format!(
            "{}: {}/{} {} ({percent} %){message}, {} elapsed, {left}\n",
            self.label,
            self.done,
            self.total,
            self.unit,
            duration_words(elapsed)
        );
        let _ = self.out.write_all(line.as_bytes());
        let _ = self.out.flush();
        self.last_line = Instant::now();
    }
}

/// `0.4 s`, `42 s`, `3 min 05 s`, `1 h 02 min`.
fn duration_words(seconds: f64) -> String {
    if seconds < 9.95 {
        return format!("{:.1} s", seconds.max(0.0));
    }
    let s = seconds.round() as u64;
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min {:02} s", s / 60, s % 60),
        _ => format!("{} h {:02} min", s / 3600, (s % 3600) / 60),
    }
}
