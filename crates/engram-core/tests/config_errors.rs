//! RON parse errors name the place (`file:line:column`), the field path, the token found and,
//! where it can be told, what was expected; a UTF-8 byte-order mark is accepted.
//!
//! The types mimic an engram experiment: an enum variant wrapping a struct (`Coba(n: ...)`),
//! nested structs with `deny_unknown_fields`, a list of structs.

use engram_core::config::from_ron_str;
use engram_core::error::ConfigError;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Experiment {
    model: Model,
    #[serde(default)]
    run: Run,
    #[serde(default)]
    record: Record,
}

#[derive(Debug, PartialEq, Deserialize)]
enum Model {
    Coba(Coba),
    Cuba(Coba),
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Coba {
    n: usize,
    exc_fraction: f64,
    #[serde(default)]
    delay_ms: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct Run {
    seed: u64,
    duration_s: f64,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct Record {
    spikes: bool,
    state: Vec<StateRecord>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StateRecord {
    #[serde(default)]
    neurons: Vec<u32>,
    every_ms: f64,
}

/// A valid file laid out like `experiments/coba.ron` (line numbers matter to the tests).
const FILE: &str = "\
(
    model: Coba(
        n: 4000,
        exc_fraction: 0.8,
    ),
    run: (
        seed: 1,
        duration_s: 1.0,
    ),
    record: (
        spikes: true,
        state: [
            (neurons: [0, 1, 2], every_ms: 1.0),
            (every_ms: 0.5),
        ],
    ),
)
";

/// `FILE` with the first `from` replaced by `to`.
fn edit(from: &str, to: &str) -> String {
    assert!(FILE.contains(from), "{from} is not in the file");
    FILE.replacen(from, to, 1)
}

fn parse(text: &str) -> Result<Experiment, ConfigError> {
    from_ron_str(text, "coba.ron")
}

fn message(text: &str) -> String {
    parse(text).expect_err("must be rejected").to_string()
}

/// (line, column, field) of a syntax error.
fn place(text: &str) -> (usize, usize, Option<String>) {
    match parse(text).expect_err("must be rejected") {
        ConfigError::Syntax { line, column, field, .. } => (line, column, field),
        other => panic!("not a syntax error: {other}"),
    }
}

#[test]
fn the_valid_file_parses() {
    let e = parse(FILE).unwrap();
    assert_eq!(e.model, Model::Coba(Coba { n: 4000, exc_fraction: 0.8, delay_ms: None }));
    assert_eq!((e.run.seed, e.run.duration_s), (1, 1.0));
    assert!(e.record.spikes);
    let every: Vec<f64> = e.record.state.iter().map(|s| s.every_ms).collect();
    assert_eq!(every, [1.0, 0.5]);
    assert_eq!(e.record.state[0].neurons, [0, 1, 2]);
    let cuba = parse(&edit("Coba(", "Cuba(delay_ms: 1.5, ")).unwrap();
    assert_eq!(cuba.model, Model::Cuba(Coba { n: 4000, exc_fraction: 0.8, delay_ms: Some(1.5) }));
}

#[test]
fn float_for_a_whole_number_names_the_field_and_the_number() {
    // ron alone said only `3:15: Expected comma` (at the `.5`).
    let text = edit("n: 4000", "n: 400.5");
    assert_eq!(message(&text), "coba.ron:3:12: model.Coba.n: expected a whole number, found 400.5");
    assert_eq!(place(&text), (3, 12, Some("model.Coba.n".to_string())));
    // the last field (no comma after it), an exponent, a seed
    assert_eq!(
        message("(model: Coba(exc_fraction: 1, n: 2.5))"),
        "coba.ron:1:34: model.Coba.n: expected a whole number, found 2.5"
    );
    assert_eq!(message(&edit("n: 4000", "n: 4e3")), "coba.ron:3:12: model.Coba.n: expected a whole number, found 4e3");
    assert_eq!(message(&edit("seed: 1", "seed: 1.5")), "coba.ron:7:15: run.seed: expected a whole number, found 1.5");
}

#[test]
fn negative_unsigned_integer_names_the_field_and_the_number() {
    // ron alone said `7:16: Integer is out of bounds` (after the minus sign).
    let text = edit("seed: 1", "seed: -1");
    assert_eq!(message(&text), "coba.ron:7:15: run.seed: expected a non-negative whole number, found -1");
    assert_eq!(place(&text), (7, 15, Some("run.seed".to_string())));
    let e = message(&edit("seed: 1", "seed: 99999999999999999999999"));
    assert!(e.starts_with("coba.ron:7:15: run.seed: expected a smaller whole number"), "{e}");
    assert!(e.ends_with("found 99999999999999999999999"), "{e}");
}

#[test]
fn byte_order_mark_is_accepted_and_does_not_shift_columns() {
    let with_bom = format!("\u{feff}{FILE}");
    assert_eq!(parse(&with_bom).unwrap().model, parse(FILE).unwrap().model);
    // ron alone said `1:1: Expected opening `(``
    let bad = edit("n: 4000", "n: 400.5");
    assert_eq!(message(&format!("\u{feff}{bad}")), message(&bad));
    assert_eq!(
        message("\u{feff}(model: Coba(n: 1.5, exc_fraction: 1))"),
        "coba.ron:1:17: model.Coba.n: expected a whole number, found 1.5"
    );
}

#[test]
fn errors_in_list_elements_name_the_element() {
    let e = message(&edit("every_ms: 0.5", "every_ms: \"fast\""));
    assert_eq!(e, "coba.ron:14:23: record.state[1].every_ms: Expected float, found \"fast\"");
    let e = message(&edit("every_ms: 1.0", "every_ms: true"));
    assert!(e.starts_with("coba.ron:13:43: record.state[0].every_ms: Expected float, found true"), "{e}");
    // an element of a list of numbers, by its index
    let text = edit("[0, 1, 2]", "[0, 1.5, 2]");
    assert_eq!(message(&text), "coba.ron:13:27: record.state[0].neurons[1]: expected a whole number, found 1.5");
    let text = edit("[0, 1, 2]", "[0, 1, -2]");
    assert_eq!(
        message(&text),
        "coba.ron:13:30: record.state[0].neurons[2]: expected a non-negative whole number, found -2"
    );
}

#[test]
fn unknown_fields_still_list_the_expected_names() {
    let text = edit("every_ms: 0.5", "every: 0.5");
    let e = message(&text);
    assert!(e.starts_with("coba.ron:14:14: record.state[1].every: Unexpected field named `every`"), "{e}");
    assert!(e.contains("`neurons`") && e.contains("`every_ms`"), "{e}");
    let e = message(&edit("exc_fraction", "exc_frac"));
    assert!(e.starts_with("coba.ron:4:9: model.Coba.exc_frac: Unexpected field named `exc_frac`"), "{e}");
    assert!(e.contains("`n`, `exc_fraction`, or `delay_ms`"), "{e}");
    let e = message(&edit("Coba(", "Cobra("));
    assert!(e.starts_with("coba.ron:2:12: model: Unexpected variant named `Cobra`"), "{e}");
    assert!(e.contains("`Coba` or `Cuba`"), "{e}");
}

#[test]
fn ron_wording_is_kept_with_the_token_found() {
    // ron's column (where it started looking) and its words are kept; the token is added.
    let e = message("(model: Coba(n: \"many\"))");
    assert_eq!(e, "coba.ron:1:16: model.Coba.n: Expected integer, found \"many\"");
    assert_eq!(message(&edit("spikes: true", "spikes: 3")), "coba.ron:11:16: record.spikes: Expected boolean, found 3");
    let e = message(&edit("n: 4000,", "n: 4000"));
    assert_eq!(e, "coba.ron:4:9: model.Coba: Expected comma, found exc_fraction");
}

#[test]
fn errors_outside_any_field_have_no_path() {
    let e = message(&format!("{FILE} extra"));
    assert_eq!(e, "coba.ron:17:2: Non-whitespace trailing characters, found extra");
    assert_eq!(place(&format!("{FILE} extra")).2, None);
    let e = message("(model: Coba(n: 1, exc_fraction: 1)");
    assert!(e.starts_with("coba.ron:1:") && e.ends_with("found end of file"), "{e}");
}

#[test]
fn messages_stay_on_one_line() {
    let long = format!("\"{}\"", "x".repeat(200));
    let e = message(&edit("0.8", &format!("\n{long}\n")));
    assert!(!e.contains('\n'), "{e}");
    assert!(e.starts_with("coba.ron:4:22: model.Coba.exc_fraction: Expected float, found \"xxx"), "{e}");
    assert!(e.len() < 150, "long tokens are cut: {e}");
}
