//! What the bytes in an output buffer mean: a list of `key=value` fields, each ended by a NUL
//! byte. NUL is the one byte no environment variable, profile name or key can hold, so values
//! may carry newlines, quotes and any other character unchanged.
//!
//! The host and this crate both use these functions, so the two sides cannot drift apart.

use std::fmt;

/// Why a buffer could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WireError {
    /// The bytes are not UTF-8; `at` is the offset of the first bad byte.
    NotUtf8 {
        /// Offset of the first byte that is not UTF-8.
        at: usize,
    },
    /// The last field has no NUL after it.
    Unterminated,
    /// A field has no `=`.
    NoEquals {
        /// The field's number, from 0.
        field: usize,
    },
    /// A field has an empty key.
    EmptyKey {
        /// The field's number, from 0.
        field: usize,
    },
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WireError::NotUtf8 { at } => write!(f, "output is not UTF-8 (byte {at})"),
            WireError::Unterminated => f.write_str("output does not end with a NUL byte"),
            WireError::NoEquals { field } => write!(f, "field {field} of the output has no '='"),
            WireError::EmptyKey { field } => write!(f, "field {field} of the output has no key"),
        }
    }
}

impl std::error::Error for WireError {}

/// Encodes fields. A NUL inside a key or value cannot be encoded and is dropped, which keeps
/// the record boundaries intact.
pub fn encode<'a>(fields: impl IntoIterator<Item = (&'a str, &'a str)>) -> Vec<u8> {
    let mut out = Vec::new();
    for (key, value) in fields {
        out.extend(key.bytes().filter(|&b| b != 0));
        out.push(b'=');
        out.extend(value.bytes().filter(|&b| b != 0));
        out.push(0);
    }
    out
}

/// Decodes fields, in order. An empty buffer is an empty list.
pub fn decode(bytes: &[u8]) -> Result<Vec<(&str, &str)>, WireError> {
    let text =
        std::str::from_utf8(bytes).map_err(|e| WireError::NotUtf8 { at: e.valid_up_to() })?;
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let Some(body) = text.strip_suffix('\0') else { return Err(WireError::Unterminated) };

    let mut fields = Vec::new();
    for (i, field) in body.split('\0').enumerate() {
        let (key, value) = field.split_once('=').ok_or(WireError::NoEquals { field: i })?;
        if key.is_empty() {
            return Err(WireError::EmptyKey { field: i });
        }
        fields.push((key, value));
    }
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_round_trip_with_awkward_values() {
        let fields = [("set", "X=a'b\"c\n$(d)`e`;f"), ("name", ""), ("k", "=")];
        let bytes = encode(fields);
        assert_eq!(decode(&bytes).unwrap(), fields.to_vec());
    }

    #[test]
    fn empty_buffer_is_no_fields() {
        assert!(decode(b"").unwrap().is_empty());
    }

    #[test]
    fn malformed_buffers_are_named() {
        assert_eq!(decode(b"a=b"), Err(WireError::Unterminated));
        assert_eq!(decode(b"a=b\0junk\0"), Err(WireError::NoEquals { field: 1 }));
        assert_eq!(decode(b"=b\0"), Err(WireError::EmptyKey { field: 0 }));
        assert_eq!(decode(b"a=\xff\0"), Err(WireError::NotUtf8 { at: 2 }));
    }

    #[test]
    fn nul_in_a_value_is_dropped() {
        assert_eq!(encode([("k", "a\0b")]), b"k=ab\0");
    }
}
