//! The state file's bytes: a versioned, compact JSON document.
//!
//! ```json
//! {"version":1,"profiles":[{"name":"dev","last_used":1700000000,"uses":3,
//!   "account_id":"111122223333","arn":"arn:aws:iam::111122223333:user/me",
//!   "partition":"aws","checked_at":1700000000}]}
//! ```
//!
//! The identity fields are flat and absent when nothing was checked, which keeps the file
//! small and the parse a single pass.

use serde::{Deserialize, Serialize};
use serde_json::error::Category;

use super::recents::{Entry, Identity, IdentityCheck, Recents};

/// The format version this awsuse reads and writes.
pub(super) const VERSION: u64 = 1;

/// What a file that could be parsed turned out to hold.
#[derive(Debug)]
pub(super) enum Decoded {
    Current(Recents),
    /// Written by a newer awsuse, in a format this one does not know.
    Newer(u64),
}

#[derive(Serialize, Deserialize)]
struct Document {
    version: u64,
    profiles: Vec<Record>,
}

/// Only the version, to tell a newer format from a damaged file.
#[derive(Deserialize)]
struct Head {
    version: u64,
}

#[derive(Serialize, Deserialize)]
struct Record {
    name: String,
    last_used: u64,
    uses: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    account_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    partition: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    checked_at: Option<u64>,
}

impl From<Record> for Entry {
    fn from(record: Record) -> Self {
        // A partial identity (only a hand edit makes one) is dropped: it would show an
        // account that cannot be trusted.
        let identity = match (record.account_id, record.arn, record.partition, record.checked_at) {
            (Some(account_id), Some(arn), Some(partition), Some(checked_at)) => {
                Some(IdentityCheck {
                    identity: Identity { account_id, arn, partition },
                    checked_at,
                })
            }
            _ => None,
        };
        Entry { name: record.name, last_used: record.last_used, uses: record.uses, identity }
    }
}

impl From<&Entry> for Record {
    fn from(entry: &Entry) -> Self {
        let check = entry.identity.as_ref();
        Record {
            name: entry.name.clone(),
            last_used: entry.last_used,
            uses: entry.uses,
            account_id: check.map(|c| c.identity.account_id.clone()),
            arn: check.map(|c| c.identity.arn.clone()),
            partition: check.map(|c| c.identity.partition.clone()),
            checked_at: check.map(|c| c.checked_at),
        }
    }
}

/// Reads the file's bytes; the error says what is wrong with them, in words for a warning.
pub(super) fn decode(bytes: &[u8]) -> Result<Decoded, String> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err("it is empty".to_owned());
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|e| format!("it is not UTF-8 text (bad byte at offset {})", e.valid_up_to()))?;

    let error = match serde_json::from_str::<Document>(text) {
        Ok(document) if document.version == VERSION => {
            let entries = document.profiles.into_iter().map(Entry::from);
            return Ok(Decoded::Current(Recents::from_entries(entries)));
        }
        Ok(document) => return version_verdict(document.version),
        Err(error) => error,
    };

    // A newer format may well not fit this one's shape; its version alone says so.
    if let Ok(head) = serde_json::from_str::<Head>(text)
        && head.version > VERSION
    {
        return Ok(Decoded::Newer(head.version));
    }
    Err(match error.classify() {
        Category::Data => format!("it does not have the expected shape: {error}"),
        _ => format!("it is not valid JSON: {error}"),
    })
}

fn version_verdict(version: u64) -> Result<Decoded, String> {
    if version > VERSION {
        Ok(Decoded::Newer(version))
    } else {
        Err(format!("it claims format version {version}, which no awsuse writes"))
    }
}

/// The bytes of the file for `recents`, compact since every `list` and `use` reads it.
pub(super) fn encode(recents: &Recents) -> Vec<u8> {
    let document = Document {
        version: VERSION,
        profiles: recents.entries().iter().map(Record::from).collect(),
    };
    let mut bytes = serde_json::to_vec(&document).expect("plain structs always serialize");
    bytes.push(b'\n');
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn current(bytes: &[u8]) -> Recents {
        match decode(bytes) {
            Ok(Decoded::Current(recents)) => recents,
            other => panic!("expected a current file, got {other:?}"),
        }
    }

    fn problem(bytes: &[u8]) -> String {
        decode(bytes).expect_err("expected a damaged file")
    }

    #[test]
    fn round_trips_entries_with_and_without_identity() {
        let mut recents = Recents::default();
        recents.record_use("plain", 7);
        recents.record_use("checked", 8);
        let identity = Identity {
            account_id: "111122223333".into(),
            arn: "arn:aws-cn:iam::111122223333:role/x".into(),
            partition: "aws-cn".into(),
        };
        recents.record_identity("checked", identity, 9);

        let bytes = encode(&recents);

        assert_eq!(current(&bytes), recents);
        assert!(!bytes.contains(&b' '), "not compact: {}", String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn reads_a_hand_written_file() {
        let text = br#"{ "version": 1, "profiles": [
            {"name": "a", "last_used": 5, "uses": 2, "note": "unknown fields are ignored"},
            {"name": "b", "last_used": 6, "uses": 1, "account_id": "1"} ] }"#;

        let recents = current(text);

        assert_eq!(recents.recent(5).iter().map(|e| &e.name[..]).collect::<Vec<_>>(), ["b", "a"]);
        assert_eq!(recents.get("b").unwrap().identity, None, "partial identity kept");
    }

    #[test]
    fn says_what_is_wrong() {
        assert_eq!(problem(b""), "it is empty");
        assert!(problem(b"{\"version\":1,").starts_with("it is not valid JSON"));
        assert!(problem(b"[1,2]").starts_with("it does not have the expected shape"));
        assert!(problem(b"{\"version\":1}").contains("missing field `profiles`"));
        assert!(problem(b"{\"version\":\"1\",\"profiles\":[]}").contains("expected shape"));
        assert!(problem(b"{\"version\":0,\"profiles\":[]}").contains("version 0"));
        assert!(problem(b"{\"version\":1,\"profiles\":[]}\xff").starts_with("it is not UTF-8"));
    }

    #[test]
    fn a_newer_version_is_recognised_whatever_its_shape() {
        for text in [&br#"{"version":2,"profiles":[]}"#[..], br#"{"version":7,"profiles":{"x":1}}"#]
        {
            assert!(matches!(decode(text), Ok(Decoded::Newer(v)) if v > VERSION));
        }
    }
}
