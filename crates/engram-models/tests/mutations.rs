//! Random edits of every shipped experiment file never panic: each mutant either runs or is
//! refused with an error that says where (file:line) and, for a bad value, which field.

use std::path::PathBuf;

use engram_core::error::ConfigError;
use engram_models::experiment::Experiment;
use engram_models::resources::{Limits, estimate};
use engram_models::run::run_experiment;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// The shipped experiment files, `experiments/*.ron`.
fn shipped() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../experiments");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ron"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
        .collect();
    files.sort();
    assert!(files.len() >= 2, "experiments/ holds the shipped files");
    files
}

/// Values and fragments that break parsers and models.
const FRAGMENTS: &[&str] = &[
    ",",
    ")",
    "(",
    ":",
    "[",
    "]",
    "\"",
    "-",
    ".5",
    "e9",
    "0",
    "-1",
    "1e300",
    "-1e300",
    "NaN",
    "inf",
    "-inf",
    "4294967296",
    "18446744073709551616",
    "400.5",
    "1e-300",
    "0.0",
    "-0.0",
    "\u{feff}",
    "x",
    "// c\n",
    "/*",
    "Some(",
    "None",
    "true",
    "E",
    "I",
    "Cuba",
    "Coba",
    "Csv",
    "FixedP",
    "Driven",
    "Auryn",
    "\"exc\"",
    "\"X\"",
];

/// One edit of a text, at a relative position.
#[derive(Clone, Debug)]
enum Edit {
    /// Delete `len` characters.
    Delete { at: f64, len: usize },
    /// Insert a fragment.
    Insert { at: f64, fragment: usize },
    /// Replace the number token nearest the position with a fragment.
    ReplaceNumber { at: f64, fragment: usize },
    /// Replace the identifier or string nearest the position with a fragment.
    ReplaceWord { at: f64, fragment: usize },
    /// Repeat or drop the line at the position.
    Line { at: f64, repeat: bool },
}

fn edit() -> impl Strategy<Value = Edit> {
    let at = 0.0..1.0f64;
    let fragment = 0..FRAGMENTS.len();
    prop_oneof![
        (at.clone(), 1..12usize).prop_map(|(at, len)| Edit::Delete { at, len }),
        (at.clone(), fragment.clone()).prop_map(|(at, fragment)| Edit::Insert { at, fragment }),
        (at.clone(), fragment.clone()).prop_map(|(at, fragment)| Edit::ReplaceNumber { at, fragment }),
        (at.clone(), fragment).prop_map(|(at, fragment)| Edit::ReplaceWord { at, fragment }),
        (at, any::<bool>()).prop_map(|(at, repeat)| Edit::Line { at, repeat }),
    ]
}

/// Byte offsets of the starts and ends of the tokens that satisfy `is_part`.
fn tokens(text: &str, is_part: impl Fn(char) -> bool, is_start: impl Fn(char) -> bool) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
        match start {
            None if is_start(c) => start = Some(i),
            Some(s) if !is_part(c) => {
                out.push((s, i));
                start = if is_start(c) { Some(i) } else { None };
            }
            _ => {}
        }
    }
    out
}

fn boundary(text: &str, at: f64) -> usize {
    let mut i = ((text.len() as f64 * at) as usize).min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply(text: &str, edit: &Edit) -> String {
    let replace_token = |spans: Vec<(usize, usize)>, at: f64, fragment: usize| {
        if spans.is_empty() {
            return text.to_string();
        }
        let (s, e) = spans[((spans.len() as f64 * at) as usize).min(spans.len() - 1)];
        format!("{}{}{}", &text[..s], FRAGMENTS[fragment], &text[e..])
    };
    match *edit {
        Edit::Delete { at, len } => {
            let s = boundary(text, at);
            let e = text[s..].char_indices().nth(len).map_or(text.len(), |(i, _)| s + i);
            format!("{}{}", &text[..s], &text[e..])
        }
        Edit::Insert { at, fragment } => {
            let s = boundary(text, at);
            format!("{}{}{}", &text[..s], FRAGMENTS[fragment], &text[s..])
        }
        Edit::ReplaceNumber { at, fragment } => {
            let spans = tokens(text, |c| c.is_ascii_digit() || ".eE-+".contains(c), |c| c.is_ascii_digit());
            replace_token(spans, at, fragment)
        }
        Edit::ReplaceWord { at, fragment } => {
            let spans = tokens(text, |c| c.is_alphanumeric() || c == '_', |c| c.is_alphabetic() || c == '_');
            replace_token(spans, at, fragment)
        }
        Edit::Line { at, repeat } => {
            let lines: Vec<&str> = text.lines().collect();
            let k = ((lines.len() as f64 * at) as usize).min(lines.len().saturating_sub(1));
            let mut out: Vec<&str> = lines[..k].to_vec();
            if repeat {
                out.push(lines[k]);
            }
            out.extend(&lines[k..]);
            if !repeat {
                out.remove(k);
            }
            out.join("\n")
        }
    }
}

/// What became of one mutant.
#[derive(Debug, Default)]
struct Tally {
    syntax: usize,
    syntax_with_field: usize,
    invalid: usize,
    refused: usize,
    ran: usize,
    /// Valid, but too large to build for every mutant (the named models at their paper sizes).
    large: usize,
}

/// Mutants whose synapses would take more than this at the build's peak are validated and
/// costed, not run: building `vogels2011` (2 M synapses) or `auryn-background` (34 M) for
/// thousands of mutants would take hours. COBA at its default 4000 neurons takes 8 MB.
const LARGEST_RUN_SYNAPSE_BYTES: f64 = 16e6;

/// Parse, validate, check the cost and (for a few steps) run one mutant; panics only if the
/// outcome breaks the rules.
fn check(origin: &str, text: &str, tally: &mut Tally) {
    let limits = Limits { available_bytes: Some(8 << 30), allow_long: false, max_threads: 2 };
    match Experiment::from_ron_str(text, origin) {
        Err(e) => {
            let msg = e.to_string();
            assert!(msg.starts_with(&format!("{origin}:")), "no location in `{msg}`\n--- mutant ---\n{text}");
            assert!(!msg.contains('\n'), "a one-line message: `{msg}`");
            match e {
                ConfigError::Syntax { field, .. } => {
                    tally.syntax += 1;
                    tally.syntax_with_field += usize::from(field.is_some());
                }
                ConfigError::Invalid { source, .. } => {
                    tally.invalid += 1;
                    assert!(!source.field.is_empty(), "a bad value names its field: `{msg}`");
                    assert!(msg.contains(&source.field), "`{msg}`");
                }
                other => panic!("unexpected error kind: {other}"),
            }
        }
        Ok(mut exp) => {
            let cost = estimate(&exp);
            if let Err(e) = cost.check(&limits) {
                tally.refused += 1;
                let msg = e.to_string();
                assert!(msg.contains("memory") || msg.contains("--allow-long") || msg.contains("run.threads"), "{msg}");
                return;
            }
            if cost.synapse_bytes > LARGEST_RUN_SYNAPSE_BYTES {
                tally.large += 1;
                return;
            }
            // a few steps are enough to build every part and pass spikes through it
            exp.run.duration_s = exp.run.duration_s.min(20.0 * exp.run.dt_ms / 1000.0);
            // and a Dp network a tenth the size has every part of the full one
            if let engram_models::experiment::ModelConfig::Dp(m) = &mut exp.model {
                m.scale_down = m.scale_down.max(10);
            }
            exp.record.figure = false;
            match run_experiment(&exp, None, false) {
                Ok(run) => {
                    tally.ran += 1;
                    assert!(run.summary.duration_s > 0.0);
                }
                Err(e) => {
                    // the divergence guard may stop an edited network; anything else is a bug
                    let msg = e.to_string();
                    assert!(msg.contains("diverged"), "a valid experiment failed: {msg}\n--- mutant ---\n{text}");
                    tally.refused += 1;
                }
            }
        }
    }
}

#[test]
fn mutated_experiment_files_never_panic_and_every_error_says_where() {
    let files = shipped();
    // 10,000 mutants in CI (PROPTEST_CASES overrides); the seed follows PROPTEST_RNG_SEED
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(10_000);
    let config = Config { cases, failure_persistence: None, ..Config::default() };
    let mut runner = TestRunner::new(config);
    let tally = std::cell::RefCell::new(Tally::default());
    let strategy = (0..files.len(), proptest::collection::vec(edit(), 1..4));
    runner
        .run(&strategy, |(k, edits)| {
            let (name, text) = &files[k];
            let mutant = edits.iter().fold(text.clone(), |t, e| apply(&t, e));
            check(name, &mutant, &mut tally.borrow_mut());
            Ok(())
        })
        .unwrap();
    let t = tally.into_inner();
    println!("{t:?}");
    // the mutations reach every stage: syntax, validation, the cost check and real runs
    assert!(t.syntax > 0 && t.invalid > 0 && t.ran > 0, "{t:?}");
    assert!(t.syntax + t.invalid + t.refused + t.ran + t.large >= cases as usize, "{t:?}");
}
