//! Reading RON configuration files with errors that point at the file, line and field.

use crate::error::{ConfigError, ParamError};
use serde::de::DeserializeOwned;
use std::path::Path;

/// Parse a RON string; `origin` names it in errors (a path, or `<inline>`).
///
/// A UTF-8 byte-order mark at the start is skipped (lines and columns count from after it).
/// An error names the place (`origin:line:column`), the field path where it happened
/// (`model.Coba.n`, `record.state[0].every_ms`) and, for a wrong value, what was found and
/// what was expected: `coba.ron:5:12: model.Coba.n: expected a whole number, found 400.5`.
///
/// ```
/// #[derive(serde::Deserialize, Debug)]
/// #[serde(deny_unknown_fields)]
/// struct Run { duration_ms: f64 }
/// let ok: Run = engram_core::config::from_ron_str("(duration_ms: 100)", "<inline>").unwrap();
/// assert_eq!(ok.duration_ms, 100.0);
/// let err = engram_core::config::from_ron_str::<Run>("(\n  duraton_ms: 100)", "run.ron").unwrap_err();
/// let msg = err.to_string();
/// assert!(msg.starts_with("run.ron:2:"), "{msg}");
/// assert!(msg.contains("duraton_ms"), "{msg}");
///
/// #[derive(serde::Deserialize, Debug)]
/// struct Steps { n: usize }
/// let err = engram_core::config::from_ron_str::<Steps>("(n: 2.5)", "s.ron").unwrap_err();
/// assert_eq!(err.to_string(), "s.ron:1:5: n: expected a whole number, found 2.5");
/// ```
pub fn from_ron_str<T: DeserializeOwned>(text: &str, origin: &str) -> Result<T, ConfigError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let syntax = |e, path| describe(text, origin, e, path);
    let mut de = ron::Deserializer::from_str_with_options(text, &ron_options()).map_err(|e| syntax(e, None))?;
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        syntax(de.span_error(e.into_inner()), Some(path))
    })?;
    de.end().map_err(|e| syntax(de.span_error(e), None))?;
    Ok(value)
}

/// Turn ron's error into a [`ConfigError::Syntax`]: the field path from `serde_path_to_error`
/// (`path`, as it prints it: `.` for the top level, `?` for a key not read yet), the token
/// found where the error is, and a plainer word for the number errors ron words vaguely.
fn describe(text: &str, origin: &str, e: ron::error::SpannedError, path: Option<String>) -> ConfigError {
    use ron::error::Error as E;
    let mut at = offset_of(text, e.span.start);
    // `?` stands for a map key that was not read yet: the error came between two fields.
    let mut field = path.filter(|p| p != ".");
    let key_pending = field.as_deref().is_some_and(|p| p == "?" || p.ends_with(".?"));
    if key_pending {
        field = field
            .and_then(|p| p.strip_suffix('?').map(|p| p.trim_end_matches('.').to_string()))
            .filter(|p| !p.is_empty());
    }
    let message = match &e.code {
        // An integer followed by `.5`: ron read `400` as the whole number and stumbled on the rest.
        E::ExpectedComma
        | E::ExpectedStructLikeEnd
        | E::ExpectedArrayEnd
        | E::ExpectedMapEnd
        | E::ExpectedOptionEnd
        | E::TrailingCharacters
            if text[at..].starts_with('.') && whole_number_before(text, at).is_some() =>
        {
            at = whole_number_before(text, at).unwrap_or(at);
            let segment = match slot_of(text, at) {
                Some(Slot::Field(name)) if key_pending => Some(name.to_string()),
                Some(Slot::Element(i)) if !key_pending => Some(format!("[{i}]")),
                _ => None,
            };
            if let Some(segment) = segment {
                field = Some(match field {
                    None => segment,
                    Some(p) if segment.starts_with('[') => format!("{p}{segment}"),
                    Some(p) => format!("{p}.{segment}"),
                });
            }
            format!("expected a whole number, found {}", number_token(text, at))
        }
        E::IntegerOutOfBounds => {
            // ron points after the sign; point at the whole number.
            at = number_start(text, at);
            let token = number_token(text, at);
            let small = |digits: &str| digits.replace('_', "").parse::<f64>().is_ok_and(|x| x < 1e18);
            let expected = match token.strip_prefix('-') {
                Some(digits) if small(digits) => "a non-negative whole number",
                Some(_) => "a whole number in the field's range",
                None => "a smaller whole number (too large for the field)",
            };
            format!("expected {expected}, found {token}")
        }
        E::InvalidIntegerDigit { base: 10, .. } => {
            at = number_start(text, at);
            let token = number_token(text, at);
            if token.contains(['.', 'e', 'E']) {
                format!("expected a whole number, found {token}")
            } else {
                format!("{}, found {token}", e.code)
            }
        }
        E::ExpectedArray
        | E::ExpectedArrayEnd
        | E::ExpectedBoolean
        | E::ExpectedComma
        | E::ExpectedChar
        | E::ExpectedByteLiteral
        | E::ExpectedFloat
        | E::ExpectedInteger
        | E::ExpectedOption
        | E::ExpectedOptionEnd
        | E::ExpectedMap
        | E::ExpectedMapColon
        | E::ExpectedMapEnd
        | E::ExpectedStructLike
        | E::ExpectedNamedStructLike(_)
        | E::ExpectedStructLikeEnd
        | E::ExpectedUnit
        | E::ExpectedString
        | E::ExpectedByteString
        | E::ExpectedIdentifier
        | E::ExpectedRangeSyntax
        | E::TrailingCharacters => {
            // ron's span starts where it began looking (before the blanks) and ends where it
            // stopped: the token it found is there.
            format!("{}, found {}", e.code, token_at(text, skip_blanks(text, offset_of(text, e.span.end))))
        }
        _ => e.code.to_string(),
    };
    let (line, column) = position_of(text, at);
    let message = message.replace(['\r', '\n'], " ");
    ConfigError::Syntax { path: origin.into(), line, column, field, message }
}

/// Byte offset of ron's 1-based line and column (columns count characters).
fn offset_of(text: &str, pos: ron::error::Position) -> usize {
    let line_start =
        if pos.line <= 1 { 0 } else { text.match_indices('\n').nth(pos.line - 2).map_or(text.len(), |(i, _)| i + 1) };
    text[line_start..].char_indices().nth(pos.col.saturating_sub(1)).map_or(text.len(), |(i, _)| line_start + i)
}

/// 1-based line and column (in characters) of a byte offset.
fn position_of(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..at];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (before.matches('\n').count() + 1, before[line_start..].chars().count() + 1)
}

/// Offset of the first character at or after `at` that is not whitespace or a comment.
fn skip_blanks(text: &str, mut at: usize) -> usize {
    loop {
        let rest = &text[at..];
        let trimmed = rest.trim_start();
        at += rest.len() - trimmed.len();
        if trimmed.starts_with("//") {
            at += trimmed.find('\n').unwrap_or(trimmed.len());
        } else if trimmed.starts_with("/*") {
            at += trimmed.find("*/").map_or(trimmed.len(), |i| i + 2);
        } else {
            return at;
        }
    }
}

fn is_number_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '.'
}

/// Start of the number that `at` is inside of (or at the start of), sign included.
fn number_start(text: &str, at: usize) -> usize {
    let start = text[..at].trim_end_matches(is_number_char).len();
    if text[..start].ends_with(['-', '+']) { start - 1 } else { start }
}

/// Start of the whole number (digits, `_`, a sign) that ends right at `at`, if there is one.
fn whole_number_before(text: &str, at: usize) -> Option<usize> {
    let start = number_start(text, at);
    let digits = text[start..at].trim_start_matches(['-', '+']);
    (digits.starts_with(|c: char| c.is_ascii_digit()) && digits.chars().all(|c| c.is_ascii_digit() || c == '_'))
        .then_some(start)
}

/// The number written at `at`: `400.5`, `-1`, `1.5e-3`.
fn number_token(text: &str, at: usize) -> &str {
    let rest = &text[at..];
    let mut end = 0;
    let mut prev = ' ';
    for (i, c) in rest.char_indices() {
        let sign_ok = (i == 0 || matches!(prev, 'e' | 'E')) && matches!(c, '-' | '+');
        if !(is_number_char(c) || sign_ok) {
            break;
        }
        end = i + c.len_utf8();
        prev = c;
    }
    &rest[..end]
}

/// The token at `at`, for `found ...`: a number, a name, a string (cut short when long), a
/// punctuation character in backticks, or `end of file`.
fn token_at(text: &str, at: usize) -> String {
    let rest = &text[at..];
    let Some(first) = rest.chars().next() else { return "end of file".to_string() };
    let second = rest[first.len_utf8()..].chars().next();
    let token =
        if first.is_ascii_digit() || (matches!(first, '-' | '+' | '.') && second.is_some_and(|c| c.is_ascii_digit())) {
            number_token(text, at)
        } else if first.is_alphanumeric() || first == '_' {
            let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
            &rest[..end]
        } else if first == '"' {
            let mut escaped = false;
            let end = rest
                .char_indices()
                .skip(1)
                .find(|&(_, c)| {
                    let close = c == '"' && !escaped;
                    escaped = c == '\\' && !escaped;
                    close || c == '\n'
                })
                .map_or(rest.len(), |(i, c)| i + c.len_utf8());
            &rest[..end]
        } else {
            return format!("`{first}`");
        };
    const MAX: usize = 40;
    match token.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}...", &token[..cut]),
        None => token.to_string(),
    }
}

/// Where a value sits: after `name:` (a field) or in a list, as its element number.
enum Slot<'a> {
    Field(&'a str),
    Element(usize),
}

/// The field name or list index of the value that starts at `at`, read backwards from the
/// text; `None` when it cannot be told (comments or strings in the way).
fn slot_of(text: &str, at: usize) -> Option<Slot<'_>> {
    let before = text[..at].trim_end();
    if let Some(before) = before.strip_suffix(':') {
        let before = before.trim_end();
        let name_start = before.trim_end_matches(|c: char| c.is_alphanumeric() || c == '_').len();
        let name = &before[name_start..];
        return (!name.is_empty()).then_some(Slot::Field(name));
    }
    if !before.ends_with([',', '[']) {
        return None;
    }
    let (mut depth, mut commas) = (0usize, 0usize);
    for c in before.chars().rev() {
        match c {
            ')' | ']' | '}' => depth += 1,
            '(' | '{' if depth == 0 => return None,
            '[' if depth == 0 => return Some(Slot::Element(commas)),
            '(' | '[' | '{' => depth -= 1,
            ',' if depth == 0 => commas += 1,
            '"' | '\'' | '/' => return None,
            _ => {}
        }
    }
    None
}

/// The RON dialect of engram files: `Some` may be left out (`delay_ms: 1.5` for an
/// `Option<f64>`), and an enum variant that wraps a struct takes its fields directly
/// (`Coba(n: 4000)` rather than `Coba((n: 4000))`).
pub fn ron_options() -> ron::Options {
    use ron::extensions::Extensions;
    ron::Options::default().with_default_extension(Extensions::IMPLICIT_SOME | Extensions::UNWRAP_VARIANT_NEWTYPES)
}

/// Read and parse a RON file.
pub fn from_ron_file<T: DeserializeOwned>(path: &Path) -> Result<T, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io { path: path.into(), source })?;
    from_ron_str(&text, &path.display().to_string())
}

/// Attach the file name to a validation error (no line: use [`invalid_in_text`] when the
/// file's text is at hand).
pub fn invalid(path: &Path, source: ParamError) -> ConfigError {
    ConfigError::Invalid { path: path.into(), line: None, source }
}

/// Attach the file name and the line where the failing field is written.
///
/// ```
/// use engram_core::{config::invalid_in_text, error::ParamError};
/// let text = "(\n  model: Coba(\n    neuron: (tau_m_ms: -20),\n  ),\n)";
/// let e = invalid_in_text("x.ron".as_ref(), text, ParamError::new("model.Coba.neuron.tau_m_ms", -20, "> 0"));
/// assert!(e.to_string().starts_with("x.ron:3: model.Coba.neuron.tau_m_ms = -20"), "{e}");
/// ```
pub fn invalid_in_text(path: &Path, text: &str, source: ParamError) -> ConfigError {
    let line = field_line(text, &source.field);
    ConfigError::Invalid { path: path.into(), line, source }
}

/// The 1-based line where the dotted field path (`model.Coba.neuron.tau_m_ms`,
/// `record.state[0].every_ms`) is written: each segment is looked for, in order, as a name
/// followed by `:` (a field) or `(` (an enum variant). `None` if the last segment is not
/// written (the failing value is a default).
fn field_line(text: &str, field: &str) -> Option<usize> {
    let mut from = 0;
    let mut found = None;
    for segment in field.split('.') {
        let name = segment.split('[').next().unwrap_or(segment);
        if name.is_empty() {
            continue;
        }
        let mut search = from;
        let at = loop {
            let i = search + text[search..].find(name)?;
            let before_ok = text[..i].chars().next_back().is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
            let after = text[i + name.len()..].trim_start();
            if before_ok && (after.starts_with(':') || after.starts_with('(')) {
                break i;
            }
            search = i + name.len();
        };
        from = at + name.len();
        found = Some(at);
    }
    found.map(|at| text[..at].matches('\n').count() + 1)
}

/// Write a value as pretty RON (for `config.ron` in run directories).
pub fn to_ron_string<T: serde::Serialize>(value: &T) -> String {
    let pretty = ron::ser::PrettyConfig::default().struct_names(false);
    ron_options().to_string_pretty(value, pretty).expect("config types serialise to RON")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        n: usize,
        delay_ms: Option<f64>,
    }
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    enum Model {
        Net(Inner),
    }

    #[test]
    fn dialect_round_trips_and_reads_short_forms() {
        let m: Model = from_ron_str("Net(n: 3, delay_ms: 1.5)", "<t>").unwrap();
        assert_eq!(m, Model::Net(Inner { n: 3, delay_ms: Some(1.5) }));
        let back: Model = from_ron_str(&to_ron_string(&m), "<t>").unwrap();
        assert_eq!(back, m);
        let err = from_ron_str::<Model>("Net(n: 3, delay: 1.5)", "x.ron").unwrap_err().to_string();
        assert!(err.starts_with("x.ron:1:") && err.contains("delay"), "{err}");
    }
}
