//! Resolving a sweep key (`projections.E->I.weight`) to the place in an experiment's RON text
//! that its values replace, with errors that name the segment that failed and what there is.

use engram_core::error::ConfigError;

use super::tree::{self, Kind, Node};
use super::{Key, Segment, Stage, Target};

/// A plain value (`0.5`) given where the text has an enum value with one plain field
/// (`Constant(value: 0.4)`) goes into that field, so `weight=[0.4, 0.5]` sweeps a constant
/// weight; any other target is kept.
pub(super) fn sole_field(root: &Node, target: Target, value: &str) -> Target {
    let Target::Replace { start, end } = target else { return target };
    let plain = tree::parse(value).is_ok_and(|v| matches!(v.kind, Kind::Leaf));
    match find_node(root, start, end).map(|n| &n.kind) {
        Some(Kind::Struct { name: Some(_), fields, .. })
            if plain && fields.len() == 1 && matches!(fields[0].1.kind, Kind::Leaf) =>
        {
            Target::Replace { start: fields[0].1.start, end: fields[0].1.end }
        }
        _ => target,
    }
}

/// The node of `root` written exactly at `start..end`.
pub(super) fn find_node(root: &Node, start: usize, end: usize) -> Option<&Node> {
    if root.start == start && root.end == end {
        return Some(root);
    }
    let children: Vec<&Node> = match &root.kind {
        Kind::Leaf => Vec::new(),
        Kind::List(items) | Kind::Tuple { items, .. } => items.iter().collect(),
        Kind::Map(entries) => entries.iter().map(|(_, v)| v).collect(),
        Kind::Struct { fields, .. } => fields.iter().map(|(_, v)| v).collect(),
    };
    children.into_iter().find(|c| c.start <= start && end <= c.end).and_then(|c| find_node(c, start, end))
}

/// A config error as the field and the message, without the place in the generated text.
pub(super) fn plain(e: ConfigError) -> String {
    match e {
        ConfigError::Syntax { field: Some(f), message, .. } => format!("{f}: {message}"),
        ConfigError::Syntax { field: None, message, .. } => message,
        ConfigError::Invalid { source, .. } => source.to_string(),
        other => other.to_string(),
    }
}

/// The word for one element of a list field (`projections` → `projection`).
fn element_word(list_field: Option<&str>) -> &'static str {
    match list_field {
        Some("projections") => "projection",
        Some("populations") => "population",
        Some("sources") => "source group",
        Some("stimuli") => "stimulus",
        Some("phases") => "phase",
        Some("monitors") => "monitor",
        Some("state") => "state record",
        _ => "element",
    }
}

/// A RON string leaf's text, unquoted.
pub(super) fn string_of(text: &str) -> Option<String> {
    ron::from_str::<String>(text).ok().filter(|_| text.trim_start().starts_with(['"', 'r']))
}

/// Follow `key` through the tree of `text`; the error says which segment failed and what
/// there is at that point.
pub(super) fn resolve(
    text: &str,
    root: &Node,
    key: &Key,
    stage: Stage,
    default_names: &dyn Fn(&[String]) -> Option<Vec<String>>,
) -> Result<Target, String> {
    let mut node = root;
    let mut shown = String::new();
    let mut fields: Vec<String> = Vec::new();
    let mut variant_entered = false;
    let mut in_field: Option<&str> = None;
    let n = key.segments.len();
    for (i, segment) in key.segments.iter().enumerate() {
        let last = i + 1 == n;
        let here = if shown.is_empty() {
            match stage {
                Stage::Experiment => "the experiment".to_string(),
                Stage::Description => "the description".to_string(),
            }
        } else {
            format!("`{shown}`")
        };
        let next_shown = match segment {
            Segment::Name(name) if shown.is_empty() => name.clone(),
            Segment::Name(name) if name.contains(['.', '[']) => format!("{shown}[{name:?}]"),
            Segment::Name(name) => format!("{shown}.{name}"),
            Segment::Index(k) => format!("{shown}[{k}]"),
        };
        match (segment, &node.kind) {
            (Segment::Name(name), Kind::Struct { name: Some(variant), fields: f, open }) if !variant_entered => {
                if name != variant {
                    let is_field = f.iter().any(|(field, _)| field == name);
                    return Err(if is_field {
                        format!("{here} is {variant}(...): write {shown}.{variant}.{name}")
                    } else {
                        format!(
                            "{here} is {variant}(...), not {name}: the segment after `{shown}` is its variant name, {variant} (to change the variant, set the whole value: --set '{shown}=[{name}(...)]')"
                        )
                    });
                }
                variant_entered = true;
                fields.push(name.clone());
                if last {
                    return Ok(Target::Replace { start: *open, end: node.end });
                }
            }
            (Segment::Name(name), Kind::Tuple { name: Some(variant), items, open }) if !variant_entered => {
                if name != variant {
                    return Err(format!("{here} is {variant}(...), not {name}"));
                }
                variant_entered = true;
                fields.push(name.clone());
                if last {
                    return Ok(Target::Replace { start: *open, end: node.end });
                }
                if let [only] = items.as_slice() {
                    node = only;
                    variant_entered = false;
                }
            }
            (Segment::Name(name), Kind::Struct { fields: f, open, .. }) => {
                match f.iter().find(|(field, _)| field == name) {
                    Some((_, child)) => {
                        node = child;
                        variant_entered = false;
                        in_field = Some(name);
                        fields.push(name.clone());
                    }
                    None if last && in_field == Some("params") => {
                        // a parameter the file leaves at its default: written in, and checked by its kind
                        return Ok(match f.last() {
                            Some((_, v)) => Target::Insert { at: v.end, prefix: format!(", {name}: ") },
                            None => Target::Insert { at: open + 1, prefix: format!("{name}: ") },
                        });
                    }
                    None => return Err(missing_field(f, name, &here, &shown, stage)),
                }
            }
            (Segment::Name(name), Kind::List(items)) => {
                let k = element_named(text, items, name, default_names(&fields), &here, &shown, in_field)?;
                node = &items[k];
                variant_entered = false;
                in_field = None;
            }
            (Segment::Name(name), Kind::Map(entries)) => {
                let keys: Vec<String> = entries
                    .iter()
                    .map(|(k, _)| string_of(k.text(text)).unwrap_or_else(|| k.text(text).into()))
                    .collect();
                match keys.iter().position(|k| k == name) {
                    Some(k) => {
                        node = &entries[k].1;
                        variant_entered = false;
                        in_field = None;
                    }
                    None => return Err(format!("{here} has no key {name:?}; its keys: {}", keys.join(", "))),
                }
            }
            (Segment::Name(name), Kind::Leaf) => {
                return Err(format!("{here} is a single value ({}), with no field `{name}`", node.text(text)));
            }
            (Segment::Name(name), Kind::Tuple { items, .. }) => {
                return Err(format!(
                    "{here} is a tuple of {} values, with no field `{name}`; address its values by index: {shown}[0]",
                    items.len()
                ));
            }
            (Segment::Index(k), Kind::List(items) | Kind::Tuple { name: None, items, .. }) => match items.get(*k) {
                Some(item) => {
                    node = item;
                    variant_entered = false;
                    in_field = None;
                }
                None if items.is_empty() => return Err(format!("{here} is empty: it has no element [{k}]")),
                None => {
                    return Err(format!(
                        "{here} has {} element{}: [0] to [{}], not [{k}]",
                        items.len(),
                        if items.len() == 1 { "" } else { "s" },
                        items.len() - 1
                    ));
                }
            },
            (Segment::Index(k), _) => {
                return Err(format!("{here} is {}, not a list: it has no element [{k}]", what_is(node, text)));
            }
        }
        shown = next_shown;
    }
    Ok(Target::Replace { start: node.start, end: node.end })
}

/// The error for a struct with no field `name`: its fields (and, at the top of a description,
/// the experiment's `run` and `record`).
fn missing_field(fields: &[(String, Node)], name: &str, here: &str, shown: &str, stage: Stage) -> String {
    let mut names: Vec<&str> = fields.iter().map(|(field, _)| field.as_str()).collect();
    let extra = if shown.is_empty() && stage == Stage::Description {
        names.extend(["run", "record"]);
        " (run and record: the experiment it runs as)"
    } else {
        ""
    };
    if names.is_empty() {
        format!("{here} has no fields (it is `()`)")
    } else {
        format!("{here} has no field `{name}`; its fields: {}{extra}", names.join(", "))
    }
}

/// The index of the element of a list named `name`: its `name` field as written, or else its
/// default name (`defaults`, e.g. `E->I` for a projection); the error lists the names there are.
fn element_named(
    text: &str,
    items: &[Node],
    name: &str,
    defaults: Option<Vec<String>>,
    here: &str,
    shown: &str,
    in_field: Option<&str>,
) -> Result<usize, String> {
    let names: Vec<Option<String>> = items
        .iter()
        .enumerate()
        .map(|(k, item)| {
            let written = match &item.kind {
                Kind::Struct { fields, .. } => {
                    fields.iter().find(|(f, _)| f == "name").and_then(|(_, v)| string_of(v.text(text)))
                }
                _ => None,
            };
            written.or_else(|| defaults.as_ref().and_then(|d| d.get(k).cloned()))
        })
        .collect();
    let word = element_word(in_field);
    match names.iter().position(|n| n.as_deref() == Some(name)) {
        Some(k) => Ok(k),
        None if items.is_empty() => Err(format!("{here} is an empty list: no {word} named {name:?}")),
        None if names.iter().all(Option::is_none) => Err(format!(
            "the {word}s of {here} have no names; address them by index: {shown}[0] to {shown}[{}]",
            items.len() - 1
        )),
        None => {
            let known: Vec<&str> = names.iter().flatten().map(String::as_str).collect();
            Err(format!("no {word} named {name:?}; there are: {}", known.join(", ")))
        }
    }
}

/// What a node is, in words: `a struct with fields a, b`, `a single value (0.1)`.
fn what_is(node: &Node, text: &str) -> String {
    match &node.kind {
        Kind::Struct { fields, .. } if fields.is_empty() => "`()`".into(),
        Kind::Struct { fields, .. } => {
            let names: Vec<&str> = fields.iter().map(|(f, _)| f.as_str()).collect();
            format!("a struct with fields {}", names.join(", "))
        }
        Kind::Leaf => format!("a single value ({})", node.text(text)),
        Kind::Map(_) => "a map".into(),
        Kind::Tuple { .. } => "a tuple".into(),
        Kind::List(_) => "a list".into(),
    }
}
