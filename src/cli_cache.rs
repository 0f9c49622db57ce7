//! The AWS CLI's credential cache, `~/.aws/cli/cache/<key>.json`.
//!
//! The CLI names each file after a SHA-1 of the request that produced it, serialized the way
//! Python's `json.dumps(..., sort_keys=True)` does. awsuse reproduces those names byte for byte
//! so that it reads what the CLI cached and the CLI reads what awsuse caches.

use std::fmt::{self, Write as _};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::{fsutil, time};

/// Entries with less time left than this are treated as expired, as the CLI does.
pub const MIN_REMAINING: Duration = Duration::from_secs(15 * 60);

/// The AssumeRole arguments a profile produces, the input of the CLI's cache key.
/// Only what the profile configures belongs here: a generated session name, the MFA code and
/// a web identity token are never part of the key.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AssumeRoleArgs {
    /// `role_arn`.
    pub role_arn: String,
    /// `role_session_name`, when configured.
    pub role_session_name: Option<String>,
    /// `external_id`, when configured.
    pub external_id: Option<String>,
    /// `mfa_serial`, when configured.
    pub serial_number: Option<String>,
    /// `duration_seconds`, when configured.
    pub duration_seconds: Option<i64>,
}

/// How an SSO profile logs in, which decides the third field of its cache key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SsoLogin<'a> {
    /// A profile with `sso_session = NAME`.
    Session(&'a str),
    /// A legacy profile with `sso_start_url` and no session.
    StartUrl(&'a str),
}

/// Credentials as the cache holds them. `Debug` never shows the secret or the token.
#[derive(Clone, PartialEq, Eq)]
pub struct CachedCredentials {
    /// `Credentials.AccessKeyId`.
    pub access_key_id: String,
    /// `Credentials.SecretAccessKey`.
    pub secret_access_key: String,
    /// `Credentials.SessionToken`.
    pub session_token: String,
    /// `Credentials.Expiration`, written with whole seconds.
    pub expiration: SystemTime,
    /// `Credentials.AccountId`, absent from files older CLIs wrote.
    pub account_id: Option<String>,
    /// `AssumedRoleUser`, absent from SSO entries.
    pub assumed_role_user: Option<AssumedRoleUser>,
}

/// The `AssumedRoleUser` part of an STS AssumeRole response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AssumedRoleUser {
    /// `AssumedRoleId`, e.g. `AROA...:session`.
    pub assumed_role_id: String,
    /// `Arn` of the assumed-role session.
    pub arn: String,
}

/// The cache directory under a home directory. The CLI offers no setting to move it.
pub fn cache_dir(home: &Path) -> PathBuf {
    home.join(".aws").join("cli").join("cache")
}

/// The file name stem the CLI uses for an assume-role (or web-identity) cache entry.
pub fn assume_role_cache_key(args: &AssumeRoleArgs) -> String {
    let mut fields = vec![("RoleArn", Scalar::Str(&args.role_arn))];
    let optional = [
        ("RoleSessionName", &args.role_session_name),
        ("ExternalId", &args.external_id),
        ("SerialNumber", &args.serial_number),
    ];
    for (name, value) in optional {
        if let Some(value) = value {
            fields.push((name, Scalar::Str(value)));
        }
    }
    if let Some(seconds) = args.duration_seconds {
        fields.push(("DurationSeconds", Scalar::Int(seconds)));
    }

    // The CLI then swaps `:` and `/` for `_`, which never occur in hex.
    sha1_hex(&python_dumps(fields, ", ", ": "))
}

/// The file name stem the CLI uses for SSO role credentials. Unlike the assume-role key,
/// this one is serialized without spaces.
pub fn sso_cache_key(account_id: &str, role_name: &str, login: SsoLogin<'_>) -> String {
    let third = match login {
        SsoLogin::Session(name) => ("sessionName", Scalar::Str(name)),
        SsoLogin::StartUrl(url) => ("startUrl", Scalar::Str(url)),
    };
    let fields =
        vec![("accountId", Scalar::Str(account_id)), ("roleName", Scalar::Str(role_name)), third];
    sha1_hex(&python_dumps(fields, ",", ":"))
}

/// The file name stem of the SSO token cache (`~/.aws/sso/cache`): the session name, or the
/// start URL exactly as written for legacy profiles.
pub fn sso_token_cache_key(session_or_start_url: &str) -> String {
    sha1_hex(session_or_start_url)
}

/// The cached credentials under `key`, if the file exists, parses, and has at least
/// [`MIN_REMAINING`] left at `now`. Every other case is `None`: the caller decides whether to
/// fetch new credentials.
pub fn read_entry(dir: &Path, key: &str, now: SystemTime) -> Option<CachedCredentials> {
    if !is_valid_key(key) {
        return None;
    }
    let text = fs::read_to_string(entry_path(dir, key)).ok()?;
    let raw: RawEntry = serde_json::from_str(&text).ok()?;
    let entry = raw.into_credentials()?;

    let left = entry.expiration.duration_since(now).unwrap_or(Duration::ZERO);
    (left >= MIN_REMAINING).then_some(entry)
}

/// Writes `entry` under `key` in the CLI's layout. The file is written beside its final name
/// with mode 0600, synced and renamed into place, so a reader never sees half a file; the
/// directory is created with mode 0700 when missing.
pub fn write_entry(dir: &Path, key: &str, entry: &CachedCredentials) -> io::Result<()> {
    if !is_valid_key(key) {
        let message = format!("cache key {key:?} is not a plain file name");
        return Err(io::Error::new(io::ErrorKind::InvalidInput, message));
    }
    fsutil::create_private_dir(dir)?;
    let json = serde_json::to_vec(&OutEntry::from(entry)).map_err(io::Error::other)?;
    fsutil::write_atomically(
        dir,
        &entry_path(dir, key),
        &format!(".{key}."),
        0o600,
        &json,
        fsutil::Sync::Durable,
    )
}

fn entry_path(dir: &Path, key: &str) -> PathBuf {
    dir.join(format!("{key}.json"))
}

/// Keys are hex digests; anything that could leave the directory is refused.
fn is_valid_key(key: &str) -> bool {
    !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

impl fmt::Debug for CachedCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field("session_token", &"<redacted>")
            .field("expiration", &format_timestamp(self.expiration))
            .field("account_id", &self.account_id)
            .field("assumed_role_user", &self.assumed_role_user)
            .finish()
    }
}

// ---- the file layout ---------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawEntry {
    credentials: RawCredentials,
    assumed_role_user: Option<AssumedRoleUser>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawCredentials {
    access_key_id: String,
    secret_access_key: String,
    session_token: String,
    expiration: String,
    account_id: Option<String>,
}

impl RawEntry {
    fn into_credentials(self) -> Option<CachedCredentials> {
        let c = self.credentials;
        Some(CachedCredentials {
            expiration: parse_timestamp(&c.expiration)?,
            access_key_id: c.access_key_id,
            secret_access_key: c.secret_access_key,
            session_token: c.session_token,
            account_id: c.account_id,
            assumed_role_user: self.assumed_role_user,
        })
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct OutEntry<'a> {
    credentials: OutCredentials<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    assumed_role_user: Option<&'a AssumedRoleUser>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct OutCredentials<'a> {
    access_key_id: &'a str,
    secret_access_key: &'a str,
    session_token: &'a str,
    expiration: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    account_id: Option<&'a str>,
}

impl<'a> From<&'a CachedCredentials> for OutEntry<'a> {
    fn from(entry: &'a CachedCredentials) -> Self {
        OutEntry {
            credentials: OutCredentials {
                access_key_id: &entry.access_key_id,
                secret_access_key: &entry.secret_access_key,
                session_token: &entry.session_token,
                expiration: format_timestamp(entry.expiration),
                account_id: entry.account_id.as_deref(),
            },
            assumed_role_user: entry.assumed_role_user.as_ref(),
        }
    }
}

// ---- Python-compatible JSON for cache keys -------------------------------------------------

enum Scalar<'a> {
    Str(&'a str),
    Int(i64),
}

/// A flat object as Python's `json.dumps(obj, sort_keys=True, separators=...)` writes it.
/// serde_json cannot be used: it leaves non-ASCII unescaped and puts no spaces after
/// separators, and either difference changes the digest.
fn python_dumps(mut fields: Vec<(&str, Scalar<'_>)>, item_sep: &str, key_sep: &str) -> String {
    // Python sorts str keys by code point, which is the byte order of their UTF-8.
    fields.sort_by(|a, b| a.0.cmp(b.0));

    let mut out = String::from("{");
    for (i, (key, value)) in fields.iter().enumerate() {
        if i > 0 {
            out.push_str(item_sep);
        }
        push_python_string(&mut out, key);
        out.push_str(key_sep);
        match value {
            Scalar::Str(s) => push_python_string(&mut out, s),
            Scalar::Int(n) => write!(out, "{n}").expect("writing to a String cannot fail"),
        }
    }
    out.push('}');
    out
}

/// A string literal as Python's `ensure_ascii=True` encoder writes it: printable ASCII as is,
/// the usual short escapes, everything else as lowercase `\uXXXX` UTF-16 units.
fn push_python_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    write!(out, "\\u{unit:04x}").expect("writing to a String cannot fail");
                }
            }
        }
    }
    out.push('"');
}

fn sha1_hex(text: &str) -> String {
    sha1_smol::Sha1::from(text.as_bytes()).digest().to_string()
}

// ---- UTC timestamps ------------------------------------------------------------------------

/// `YYYY-MM-DDTHH:MM:SS+00:00`, the form the CLI v2 writes, with sub-seconds dropped.
pub fn format_timestamp(time: SystemTime) -> String {
    time::format_with_zone(time::unix_seconds(time), "+00:00")
}

/// Parses the expiration forms found in cache files: `...+00:00` (CLI v2), `...Z` (STS, CLI v1,
/// the SSO caches), `...UTC` (boto3 with its own cache), and other numeric offsets; see
/// [`time::parse_rfc3339`].
pub fn parse_timestamp(text: &str) -> Option<SystemTime> {
    time::parse_rfc3339(text).and_then(time::from_unix_seconds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn formats_utc() {
        assert_eq!(format_timestamp(at(0)), "1970-01-01T00:00:00+00:00");
        assert_eq!(format_timestamp(at(1_767_323_045)), "2026-01-02T03:04:05+00:00");
        assert_eq!(format_timestamp(at(951_782_400)), "2000-02-29T00:00:00+00:00");
        assert_eq!(
            format_timestamp(UNIX_EPOCH - Duration::from_secs(1)),
            "1969-12-31T23:59:59+00:00"
        );
        assert_eq!(
            format_timestamp(at(5) + Duration::from_millis(999)),
            "1970-01-01T00:00:05+00:00"
        );
    }

    #[test]
    fn format_then_parse_is_identity() {
        for secs in [0, 1, 86_399, 1_767_323_045, 4_102_444_800] {
            assert_eq!(parse_timestamp(&format_timestamp(at(secs))), Some(at(secs)));
        }
    }

    #[test]
    fn python_strings_escape_like_ensure_ascii() {
        let mut out = String::new();

        push_python_string(&mut out, "a/b \"q\" \\ \n\t\u{1}\u{7f} é € 😀");

        assert_eq!(out, r#""a/b \"q\" \\ \n\t\u0001\u007f \u00e9 \u20ac \ud83d\ude00""#);
    }

    #[test]
    fn python_dumps_sorts_and_spaces() {
        let fields = vec![("b", Scalar::Int(-3)), ("a", Scalar::Str("x")), ("B", Scalar::Str("y"))];

        assert_eq!(python_dumps(fields, ", ", ": "), r#"{"B": "y", "a": "x", "b": -3}"#);
    }

    #[test]
    fn debug_hides_secrets() {
        let entry = CachedCredentials {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: "very-secret-key".into(),
            session_token: "very-secret-token".into(),
            expiration: at(1_767_323_045),
            account_id: Some("123456789012".into()),
            assumed_role_user: None,
        };

        let shown = format!("{entry:?} {entry:#?}");

        assert!(!shown.contains("very-secret"), "{shown}");
        assert!(shown.contains("ASIAEXAMPLE") && shown.contains("2026-01-02T03:04:05+00:00"));
    }

    #[test]
    fn keys_that_escape_the_directory_are_refused() {
        assert!(is_valid_key("793d6e2f27667ab2da104824407e486bfec24a47"));
        for bad in ["", "..", "../x", "a/b", "a\\b", "a.json"] {
            assert!(!is_valid_key(bad), "{bad:?}");
        }
    }
}
