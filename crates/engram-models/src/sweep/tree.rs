//! A RON text read as a tree that remembers where each value is written, so that a sweep can
//! replace one value in the text and leave everything else (comments, layout, the dialect)
//! as it was.
//!
//! ```text
//! (model: Coba(n: 4000, w_exc_ns: 6.0), run: (seed: 1))
//!         ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^  a Struct named Coba, fields n and w_exc_ns
//!                              ^^^       a Leaf: bytes 32..35 of the text
//! ```
//!
//! `ron::Value` cannot serve here: it drops the names of enum variants (`Coba(...)` reads as
//! a map), so a value tree written back would no longer be an experiment.

/// One value and where it is written: `text[start..end]`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Node {
    /// Byte offset of the value's first character.
    pub start: usize,
    /// Byte offset just after its last character.
    pub end: usize,
    /// What it is.
    pub kind: Kind,
}

/// The shapes of a RON value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Kind {
    /// A number, string, character, `true`/`false`, or a bare name (`None`, `FixedK`).
    Leaf,
    /// `[a, b, c]`.
    List(Vec<Node>),
    /// `{key: value, ...}`.
    Map(Vec<(Node, Node)>),
    /// `(field: value, ...)` or `Name(field: value, ...)`; `()` is a struct with no fields.
    Struct {
        /// The name before the parenthesis (an enum variant), if written.
        name: Option<String>,
        /// The fields in the order written.
        fields: Vec<(String, Node)>,
        /// Byte offset of the opening parenthesis.
        open: usize,
    },
    /// `(a, b)` or `Name(a, b)` (`Some(x)`, a newtype variant).
    Tuple {
        /// The name before the parenthesis, if written.
        name: Option<String>,
        /// The elements.
        items: Vec<Node>,
        /// Byte offset of the opening parenthesis.
        open: usize,
    },
}

impl Node {
    /// The node's text in `text`.
    pub fn text<'a>(&self, text: &'a str) -> &'a str {
        &text[self.start..self.end]
    }
}

/// Read `text` as one RON value (blanks and comments around it allowed). The error says what
/// was expected and the 1-based column (or line and column) where it went wrong.
pub(crate) fn parse(text: &str) -> Result<Node, String> {
    let mut p = Parser { text, pos: 0 };
    p.blanks()?;
    // `#![enable(implicit_some)]` and other attributes before the value
    while p.rest().starts_with("#![") {
        let close = p.rest().find(']').ok_or_else(|| p.error("`]` closing the attribute"))?;
        p.pos += close + 1;
        p.blanks()?;
    }
    let node = p.value()?;
    p.blanks()?;
    if p.pos < text.len() {
        return Err(p.error("the end of the value"));
    }
    Ok(node)
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

impl<'a> Parser<'a> {
    fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn error(&self, expected: &str) -> String {
        let before = &self.text[..self.pos];
        let line = before.matches('\n').count() + 1;
        let column = before[before.rfind('\n').map_or(0, |i| i + 1)..].chars().count() + 1;
        let found = match self.peek() {
            None => "the end".to_string(),
            Some(c) => format!("`{c}`"),
        };
        let at = if line == 1 { format!("column {column}") } else { format!("line {line}, column {column}") };
        format!("expected {expected} at {at}, found {found}")
    }

    /// Skip whitespace and comments (`// ...`, nested `/* ... */`).
    fn blanks(&mut self) -> Result<(), String> {
        loop {
            let rest = self.rest();
            let trimmed = rest.trim_start();
            self.pos += rest.len() - trimmed.len();
            if trimmed.starts_with("//") {
                self.pos += trimmed.find('\n').unwrap_or(trimmed.len());
            } else if trimmed.starts_with("/*") {
                let mut depth = 0usize;
                let mut i = 0;
                let bytes = trimmed.as_bytes();
                loop {
                    if i + 1 >= bytes.len() {
                        self.pos += trimmed.len();
                        return Err(self.error("`*/` closing the comment"));
                    }
                    match (bytes[i], bytes[i + 1]) {
                        (b'/', b'*') => {
                            depth += 1;
                            i += 2;
                        }
                        (b'*', b'/') => {
                            depth -= 1;
                            i += 2;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => i += 1,
                    }
                }
                self.pos += i;
            } else {
                return Ok(());
            }
        }
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    fn ident(&mut self) -> Option<String> {
        let rest = self.rest();
        let raw = rest.starts_with("r#") && rest[2..].starts_with(is_ident_start);
        let body = if raw { &rest[2..] } else { rest };
        if !body.starts_with(is_ident_start) {
            return None;
        }
        let len = body.find(|c: char| !is_ident_char(c)).unwrap_or(body.len());
        let name = body[..len].to_string();
        self.pos += len + if raw { 2 } else { 0 };
        Some(name)
    }

    fn value(&mut self) -> Result<Node, String> {
        let start = self.pos;
        let Some(c) = self.peek() else { return Err(self.error("a value")) };
        let rest = self.rest();
        match c {
            '[' => {
                self.pos += 1;
                let items = self.sequence(']')?;
                Ok(Node { start, end: self.pos, kind: Kind::List(items) })
            }
            '{' => {
                self.pos += 1;
                let mut entries = Vec::new();
                loop {
                    self.blanks()?;
                    if self.eat('}') {
                        break;
                    }
                    let key = self.value()?;
                    self.blanks()?;
                    if !self.eat(':') {
                        return Err(self.error("`:` after a map key"));
                    }
                    self.blanks()?;
                    let value = self.value()?;
                    entries.push((key, value));
                    self.blanks()?;
                    if !self.eat(',') {
                        self.blanks()?;
                        if !self.eat('}') {
                            return Err(self.error("`,` or `}`"));
                        }
                        break;
                    }
                }
                Ok(Node { start, end: self.pos, kind: Kind::Map(entries) })
            }
            '(' => self.parenthesised(None, start),
            '"' => self.string(start),
            '\'' => self.character(start),
            'r' if rest.starts_with("r\"") || rest.starts_with("r#\"") || rest.starts_with("r##") => {
                self.raw_string(start, 1)
            }
            'b' if rest.starts_with("b\"") => {
                self.pos += 1;
                self.string(start)
            }
            'b' if rest.starts_with("b'") => {
                self.pos += 1;
                self.character(start)
            }
            'b' if rest.starts_with("br\"") || rest.starts_with("br#") => self.raw_string(start, 2),
            c if c.is_ascii_digit() || matches!(c, '-' | '+' | '.') => {
                let mut end = 0;
                let mut prev = ' ';
                for (i, ch) in rest.char_indices() {
                    let sign = matches!(ch, '-' | '+') && (i == 0 || matches!(prev, 'e' | 'E'));
                    if !(ch.is_ascii_alphanumeric() || ch == '_' || ch == '.' || sign) {
                        break;
                    }
                    end = i + ch.len_utf8();
                    prev = ch;
                }
                if end == 0 || !rest[..end].contains(|c: char| c.is_ascii_alphanumeric()) {
                    return Err(self.error("a value"));
                }
                self.pos += end;
                Ok(Node { start, end: self.pos, kind: Kind::Leaf })
            }
            c if is_ident_start(c) => {
                let name = self.ident().expect("starts like a name");
                let after_name = self.pos;
                self.blanks()?;
                if self.peek() == Some('(') {
                    return self.parenthesised(Some(name), start);
                }
                self.pos = after_name;
                Ok(Node { start, end: self.pos, kind: Kind::Leaf })
            }
            _ => Err(self.error("a value")),
        }
    }

    /// Values separated by commas up to `close` (already past the opening bracket).
    fn sequence(&mut self, close: char) -> Result<Vec<Node>, String> {
        let mut items = Vec::new();
        loop {
            self.blanks()?;
            if self.eat(close) {
                return Ok(items);
            }
            items.push(self.value()?);
            self.blanks()?;
            if !self.eat(',') {
                self.blanks()?;
                if !self.eat(close) {
                    return Err(self.error(&format!("`,` or `{close}`")));
                }
                return Ok(items);
            }
        }
    }

    /// `(...)` at `self.pos`: a struct if it starts with `name:`, else a tuple.
    fn parenthesised(&mut self, name: Option<String>, start: usize) -> Result<Node, String> {
        let open = self.pos;
        self.pos += 1;
        self.blanks()?;
        let is_struct = {
            let save = self.pos;
            let named = self.ident().is_some();
            let _ = self.blanks();
            let colon = self.rest().starts_with(':') && !self.rest().starts_with("::");
            self.pos = save;
            named && colon
        };
        if self.eat(')') {
            return Ok(Node { start, end: self.pos, kind: Kind::Struct { name, fields: Vec::new(), open } });
        }
        if !is_struct {
            let items = self.sequence(')')?;
            return Ok(Node { start, end: self.pos, kind: Kind::Tuple { name, items, open } });
        }
        let mut fields = Vec::new();
        loop {
            self.blanks()?;
            if self.eat(')') {
                break;
            }
            let Some(field) = self.ident() else { return Err(self.error("a field name")) };
            self.blanks()?;
            if !self.eat(':') {
                return Err(self.error(&format!("`:` after the field name `{field}`")));
            }
            self.blanks()?;
            let value = self.value()?;
            fields.push((field, value));
            self.blanks()?;
            if !self.eat(',') {
                self.blanks()?;
                if !self.eat(')') {
                    return Err(self.error("`,` or `)`"));
                }
                break;
            }
        }
        Ok(Node { start, end: self.pos, kind: Kind::Struct { name, fields, open } })
    }

    /// `"..."` at `self.pos` (escapes skipped, not decoded).
    fn string(&mut self, start: usize) -> Result<Node, String> {
        self.pos += 1;
        let mut escaped = false;
        for (i, c) in self.rest().char_indices() {
            if c == '"' && !escaped {
                self.pos += i + 1;
                return Ok(Node { start, end: self.pos, kind: Kind::Leaf });
            }
            escaped = c == '\\' && !escaped;
        }
        self.pos = self.text.len();
        Err(self.error("`\"` closing the string"))
    }

    /// `'c'` at `self.pos`.
    fn character(&mut self, start: usize) -> Result<Node, String> {
        self.pos += 1;
        let mut escaped = false;
        for (i, c) in self.rest().char_indices() {
            if c == '\'' && !escaped && i > 0 {
                self.pos += i + 1;
                return Ok(Node { start, end: self.pos, kind: Kind::Leaf });
            }
            escaped = c == '\\' && !escaped;
        }
        self.pos = self.text.len();
        Err(self.error("`'` closing the character"))
    }

    /// `r#"..."#` at `self.pos`, its prefix (`r` or `br`) `prefix` bytes long.
    fn raw_string(&mut self, start: usize, prefix: usize) -> Result<Node, String> {
        self.pos += prefix;
        let hashes = self.rest().len() - self.rest().trim_start_matches('#').len();
        self.pos += hashes;
        if !self.eat('"') {
            return Err(self.error("`\"` opening the raw string"));
        }
        let close = format!("\"{}", "#".repeat(hashes));
        match self.rest().find(&close) {
            Some(i) => {
                self.pos += i + close.len();
                Ok(Node { start, end: self.pos, kind: Kind::Leaf })
            }
            None => {
                self.pos = self.text.len();
                Err(self.error(&format!("`{close}` closing the raw string")))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_shape_and_keeps_each_place() {
        let text = "// a comment\n(model: Coba(n: 4000, w: -1.5e-3), list: [1, \"a,b\", 'x', r#\"q\"#], \
                    map: {\"k\": Some(2)}, t: (1, 2), unit: (), e: FixedK, /* c /* nested */ */ s: Uniform(low: 1, high: 2,),)";
        let node = parse(text).unwrap();
        let Kind::Struct { name: None, fields, .. } = &node.kind else { panic!("{node:?}") };
        let names: Vec<&str> = fields.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["model", "list", "map", "t", "unit", "e", "s"]);
        let Kind::Struct { name: Some(variant), fields: inner, .. } = &fields[0].1.kind else { panic!() };
        assert_eq!(variant, "Coba");
        assert_eq!(inner[1].1.text(text), "-1.5e-3");
        let Kind::List(items) = &fields[1].1.kind else { panic!() };
        let texts: Vec<&str> = items.iter().map(|n| n.text(text)).collect();
        assert_eq!(texts, ["1", "\"a,b\"", "'x'", "r#\"q\"#"]);
        assert!(matches!(&fields[2].1.kind, Kind::Map(m) if m.len() == 1));
        assert!(matches!(&fields[3].1.kind, Kind::Tuple { items, .. } if items.len() == 2));
        assert!(matches!(&fields[4].1.kind, Kind::Struct { fields, .. } if fields.is_empty()));
        assert_eq!(fields[5].1.text(text), "FixedK");
        assert_eq!(fields[6].1.text(text), "Uniform(low: 1, high: 2,)");
    }

    #[test]
    fn bad_text_says_where() {
        assert_eq!(parse("[1, 2").unwrap_err(), "expected `,` or `]` at column 6, found the end");
        assert_eq!(parse("[1 2]").unwrap_err(), "expected `,` or `]` at column 4, found `2`");
        assert!(parse("(a: 1) x").unwrap_err().contains("the end of the value"));
        assert!(parse("\"open").unwrap_err().contains("closing the string"));
    }
}
