//! Where a field of a description is written: the line (and column) of a dotted field path
//! with list indices (`projections[2].plasticity.rule.params.w_min`), so that errors found
//! after parsing point at the right element of a list.

use engram_core::config::ron_options;
use ron::value::RawValue;
use serde::Deserialize;

/// The description's lists, each element kept as the text it was written in (borrowed, so
/// that its offset in the file is known).
#[derive(Deserialize, Default)]
struct Shadow<'a> {
    #[serde(borrow, default)]
    populations: Vec<&'a RawValue>,
    #[serde(borrow, default)]
    sources: Vec<&'a RawValue>,
    #[serde(borrow, default)]
    stimuli: Vec<&'a RawValue>,
    #[serde(borrow, default)]
    projections: Vec<&'a RawValue>,
    #[serde(borrow, default)]
    monitors: Vec<&'a RawValue>,
    #[serde(borrow, default)]
    phases: Vec<&'a RawValue>,
}

/// Byte offset of `inner` (a slice of `text`) in `text`.
fn offset_in(text: &str, inner: &str) -> usize {
    (inner.as_ptr() as usize).saturating_sub(text.as_ptr() as usize).min(text.len())
}

/// Offset of `name:` or `name(` (a whole word) in `text` at or after `from`.
fn find_field(text: &str, from: usize, name: &str) -> Option<usize> {
    let mut search = from;
    loop {
        let i = search + text.get(search..)?.find(name)?;
        let before_ok = text[..i].chars().next_back().is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        let after = text[i + name.len()..].trim_start();
        if before_ok && (after.starts_with(':') || after.starts_with('(')) {
            return Some(i);
        }
        search = i + name.len();
    }
}

/// Split `name[3]` into `("name", Some(3))`.
fn segment(s: &str) -> (&str, Option<usize>) {
    match s.split_once('[') {
        Some((name, rest)) => (name, rest.trim_end_matches(']').parse().ok()),
        None => (s, None),
    }
}

/// The offset where the deepest written part of `field` starts: the list element for
/// `projections[2]`, then each further segment searched for inside it, in order. `None` if
/// not even the first segment is written.
pub(crate) fn field_offset(text: &str, field: &str) -> Option<usize> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let shadow: Shadow<'_> = ron_options().from_str(body).unwrap_or_default();
    let mut segments = field.split('.');
    let (list, index) = segment(segments.next()?);
    let elements = match list {
        "populations" => &shadow.populations,
        "sources" => &shadow.sources,
        "stimuli" => &shadow.stimuli,
        "projections" => &shadow.projections,
        "monitors" => &shadow.monitors,
        "phases" => &shadow.phases,
        _ => return find_field(text, 0, list),
    };
    let mut at = match index.and_then(|k| elements.get(k)) {
        Some(raw) => offset_in(text, raw.get_ron()),
        None => return find_field(text, 0, list),
    };
    let end = index.and_then(|k| elements.get(k)).map_or(text.len(), |raw| at + raw.get_ron().len());
    for s in segments {
        let (name, _) = segment(s);
        match find_field(&text[..end], at, name) {
            Some(i) => at = i,
            None => break,
        }
    }
    Some(at)
}

/// 1-based line and column of a byte offset.
pub(crate) fn position_of(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..at.min(text.len())];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (before.matches('\n').count() + 1, before[line_start..].chars().count() + 1)
}

/// Offset of a component's parameter text: after `field` (`populations[0].neuron.params`),
/// the first place where `params` is written verbatim.
pub(crate) fn params_offset(text: &str, field: &str, params: &str) -> Option<usize> {
    let from = field_offset(text, field)?;
    text[from..].find(params).map(|i| from + i)
}
