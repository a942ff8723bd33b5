//! [`RawParams`]: a component's parameters kept as the RON text they were written in, until
//! the registered kind that owns them parses them into its own parameter struct.

use engram_core::config::{from_ron_str, ron_options};
use engram_core::error::ConfigError;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The parameters of a [`Component`](super::Component), as RON text.
///
/// A description is read before anyone knows which parameter struct a kind takes (a user's
/// crate may register kinds the library has never seen), so the text is kept as written and
/// parsed by the kind at check time. It is always valid RON; it compares equal when the text
/// is equal.
///
/// ```
/// use engram_models::description::RawParams;
/// use engram_neurons::LifCurrentParams;
/// let p = RawParams::from_value(&LifCurrentParams::cuba());
/// let back: LifCurrentParams = p.parse("<inline>").unwrap();
/// assert_eq!(back, LifCurrentParams::cuba());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct RawParams(String);

impl Default for RawParams {
    /// `()`: every parameter at its default.
    fn default() -> Self {
        Self("()".into())
    }
}

impl RawParams {
    /// The parameters of `value`, written as compact RON.
    pub fn from_value<P: Serialize>(value: &P) -> Self {
        Self(ron_options().to_string(value).expect("parameter structs serialise to RON"))
    }

    /// Parameters from RON text; fails if it is not one valid RON value.
    pub fn from_text(text: &str) -> Result<Self, ConfigError> {
        ron::value::RawValue::from_ron(text.trim()).map_err(|e| ConfigError::Syntax {
            path: "<params>".into(),
            line: e.span.start.line,
            column: e.span.start.col,
            field: None,
            message: e.code.to_string(),
        })?;
        Ok(Self(text.trim().to_string()))
    }

    /// The RON text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Parse into the kind's parameter struct; errors are placed in the text itself (line 1 is
    /// the line the parameters start on) and named by `origin`.
    pub fn parse<P: DeserializeOwned>(&self, origin: &str) -> Result<P, ConfigError> {
        from_ron_str(&self.0, origin)
    }
}

impl Serialize for RawParams {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let raw = ron::value::RawValue::from_ron(&self.0).map_err(serde::ser::Error::custom)?;
        raw.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for RawParams {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Box::<ron::value::RawValue>::deserialize(deserializer)?;
        Ok(Self(raw.trim_boxed().get_ron().to_string()))
    }
}
