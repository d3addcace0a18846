//! Rule options as the host keeps them: typed values, independent of the
//! script engine. Defaults come from a rule's metadata, overrides from
//! rulebooks and rule tests; the script engine converts them once per
//! rulebook ([`crate::plugin::script::ScriptOptions`]).

use std::collections::BTreeMap;
use std::fmt;

/// A rule's options by name, sorted.
pub type Options = BTreeMap<String, OptionValue>;

/// One option value.
#[derive(Debug, Clone, PartialEq)]
pub enum OptionValue {
    /// `true` or `false`.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// A number with a fraction.
    Float(f64),
    /// Text.
    Str(String),
    /// A list (phrase lists are lists of strings).
    List(Vec<OptionValue>),
    /// A table of named values.
    Table(BTreeMap<String, OptionValue>),
}

impl OptionValue {
    /// The type's name as rulebook authors know it.
    pub fn type_name(&self) -> &'static str {
        match self {
            OptionValue::Bool(_) => "boolean",
            OptionValue::Int(_) => "integer",
            OptionValue::Float(_) => "float",
            OptionValue::Str(_) => "string",
            OptionValue::List(_) => "array",
            OptionValue::Table(_) => "table",
        }
    }

    /// The value when it is a boolean.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            OptionValue::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The value as a number, when it is an integer or a float.
    pub fn as_number(&self) -> Option<f64> {
        match self {
            OptionValue::Int(i) => Some(*i as f64),
            OptionValue::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// The value when it is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            OptionValue::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The strings of a list that holds only strings (an empty list too).
    pub fn as_strings(&self) -> Option<Vec<&str>> {
        match self {
            OptionValue::List(items) => items.iter().map(OptionValue::as_str).collect(),
            _ => None,
        }
    }

    /// Reads a rulebook (or rule test) value as an option whose default is
    /// `default`: the same type, except that an integer is taken for a float;
    /// the items of a list are checked against the default's first item.
    pub fn from_toml(value: &toml::Value, default: &OptionValue) -> Result<OptionValue, String> {
        use toml::Value as T;
        let ok = match (value, default) {
            (T::Integer(i), OptionValue::Int(_)) => return Ok(OptionValue::Int(*i)),
            (T::Integer(i), OptionValue::Float(_)) => return Ok(OptionValue::Float(*i as f64)),
            (T::Float(_), OptionValue::Float(_))
            | (T::String(_), OptionValue::Str(_))
            | (T::Boolean(_), OptionValue::Bool(_))
            | (T::Array(_), OptionValue::List(_))
            | (T::Table(_), OptionValue::Table(_)) => true,
            _ => false,
        };
        if !ok {
            return Err(format!(
                "expected {}, found {}",
                default.type_name(),
                toml_type(value)
            ));
        }
        if let (T::Array(items), OptionValue::List(d)) = (value, default)
            && let Some(first) = d.first()
        {
            for item in items {
                if let Err(e) = OptionValue::from_toml(item, first) {
                    return Err(format!("array items: {e}"));
                }
            }
        }
        Ok(OptionValue::plain(value))
    }

    /// A TOML value as it is, without a default to follow.
    fn plain(value: &toml::Value) -> OptionValue {
        use toml::Value as T;
        match value {
            T::String(s) => OptionValue::Str(s.clone()),
            T::Integer(i) => OptionValue::Int(*i),
            T::Float(f) => OptionValue::Float(*f),
            T::Boolean(b) => OptionValue::Bool(*b),
            T::Datetime(d) => OptionValue::Str(d.to_string()),
            T::Array(a) => OptionValue::List(a.iter().map(OptionValue::plain).collect()),
            T::Table(t) => OptionValue::Table(
                t.iter()
                    .map(|(k, v)| (k.clone(), OptionValue::plain(v)))
                    .collect(),
            ),
        }
    }
}

fn toml_type(v: &toml::Value) -> &'static str {
    match v {
        toml::Value::String(_) => "string",
        toml::Value::Integer(_) => "integer",
        toml::Value::Float(_) => "float",
        toml::Value::Boolean(_) => "boolean",
        toml::Value::Array(_) => "array",
        toml::Value::Table(_) => "table",
        toml::Value::Datetime(_) => "date",
    }
}

/// As `tact explain` and `tact rulebooks` show it: strings quoted, floats
/// always with a fraction (`3.0`), as rule scripts print them.
impl fmt::Display for OptionValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OptionValue::Bool(b) => write!(f, "{b}"),
            OptionValue::Int(i) => write!(f, "{i}"),
            OptionValue::Float(x) => {
                let abs = x.abs();
                if abs == 0.0 {
                    f.write_str("0.0")
                } else if abs > f64::from(1e13_f32) || abs < f64::from(1e-13_f32) {
                    write!(f, "{x:e}")
                } else if abs.fract() == 0.0 {
                    write!(f, "{x}.0")
                } else {
                    write!(f, "{x}")
                }
            }
            OptionValue::Str(s) => write!(f, "{s:?}"),
            OptionValue::List(items) => {
                f.write_str("[")?;
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
            OptionValue::Table(t) => {
                f.write_str("#{")?;
                for (i, (k, v)) in t.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k:?}: {v}")?;
                }
                f.write_str("}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rulebook_values_follow_the_default_type() {
        let int = OptionValue::Int(1);
        let float = OptionValue::Float(1.5);
        let v = |s: &str| -> toml::Value {
            toml::from_str::<toml::Table>(&format!("v = {s}")).unwrap()["v"].clone()
        };
        assert_eq!(
            OptionValue::from_toml(&v("3"), &float),
            Ok(OptionValue::Float(3.0))
        );
        assert_eq!(
            OptionValue::from_toml(&v("3"), &int),
            Ok(OptionValue::Int(3))
        );
        assert_eq!(
            OptionValue::from_toml(&v("\"x\""), &int),
            Err("expected integer, found string".into())
        );
        let list = OptionValue::List(vec![OptionValue::Str("a".into())]);
        assert_eq!(
            OptionValue::from_toml(&v("[\"b\", 2]"), &list),
            Err("array items: expected string, found integer".into())
        );
    }

    #[test]
    fn floats_show_with_a_fraction() {
        assert_eq!(OptionValue::Float(3.0).to_string(), "3.0");
        assert_eq!(OptionValue::Float(0.25).to_string(), "0.25");
        assert_eq!(
            OptionValue::List(vec![OptionValue::Str("a".into()), OptionValue::Int(2)]).to_string(),
            "[\"a\", 2]"
        );
    }
}
