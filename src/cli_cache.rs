//! The AWS CLI's credential cache, `~/.aws/cli/cache/<key>.json`.
//!
//! The CLI names each file after a SHA-1 of the request that produced it, serialized the way
//! Python's `json.dumps(..., sort_keys=True)` does. awsuse reproduces those names byte for byte
//! so that it reads what the CLI cached and the CLI reads what awsuse caches.

use std::fmt::{self, Write as _};
use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

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
    create_private_dir(dir)?;
    let json = serde_json::to_vec(&OutEntry::from(entry)).map_err(io::Error::other)?;

    // tempfile creates the file 0600 on unix; the rename keeps that mode.
    let mut file =
        tempfile::Builder::new().prefix(&format!(".{key}.")).suffix(".tmp").tempfile_in(dir)?;
    file.write_all(&json)?;
    file.as_file().sync_all()?;
    file.persist(entry_path(dir, key)).map_err(|e| e.error)?;

    // Durability of the rename itself; some file systems refuse to sync a directory,
    // and the entry is already complete either way.
    if let Ok(handle) = fs::File::open(dir) {
        let _ = handle.sync_all();
    }
    Ok(())
}

fn entry_path(dir: &Path, key: &str) -> PathBuf {
    dir.join(format!("{key}.json"))
}

/// Keys are hex digests; anything that could leave the directory is refused.
fn is_valid_key(key: &str) -> bool {
    !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn create_private_dir(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
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
    let secs = match time.duration_since(UNIX_EPOCH) {
        Ok(after) => after.as_secs() as i64,
        // Round toward the past so that 1969-12-31T23:59:59.5 stays in its second.
        Err(before) => -(before.duration().as_secs_f64().ceil() as i64),
    };
    let (days, of_day) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    let (hour, minute, second) = (of_day / 3600, of_day % 3600 / 60, of_day % 60);
    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}+00:00")
}

/// Parses the expiration forms found in cache files: `...+00:00` (CLI v2), `...Z` (STS, CLI v1,
/// the SSO caches), `...UTC` (boto3 with its own cache), and other numeric offsets. Fractions
/// of a second are accepted and dropped. A time without a zone is refused, since it cannot
/// be placed.
pub fn parse_timestamp(text: &str) -> Option<SystemTime> {
    let b = text.as_bytes();
    if b.len() < 19 || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let fixed = [(4, b'-'), (7, b'-'), (13, b':'), (16, b':')];
    if fixed.iter().any(|&(at, byte)| b[at] != byte) {
        return None;
    }

    let num = |from: usize, to: usize| -> Option<i64> {
        let part = text.get(from..to)?;
        part.bytes().all(|d| d.is_ascii_digit()).then(|| part.parse().ok())?
    };
    let (year, month, day) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (hour, minute, second) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    let valid_day = (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month);
    if !valid_day || hour > 23 || minute > 59 || second > 59 {
        return None;
    }

    let rest = &text[19..];
    let zone = match rest.strip_prefix('.') {
        Some(fraction) => {
            let zone = fraction.trim_start_matches(|c: char| c.is_ascii_digit());
            if zone.len() == fraction.len() {
                return None;
            }
            zone
        }
        None => rest,
    };
    let offset = zone_offset_seconds(zone)?;

    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset;
    from_unix_seconds(secs)
}

fn zone_offset_seconds(zone: &str) -> Option<i64> {
    if matches!(zone, "Z" | "z" | "UTC" | "GMT") {
        return Some(0);
    }
    let (sign, body) = match zone.as_bytes().split_first()? {
        (b'+', body) => (1, body),
        (b'-', body) => (-1, body),
        _ => return None,
    };
    let [h1, h2, m1, m2] = match *body {
        [h1, h2, b':', m1, m2] | [h1, h2, m1, m2] => [h1, h2, m1, m2],
        _ => return None,
    };
    if ![h1, h2, m1, m2].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let pair = |tens: u8, ones: u8| i64::from(tens - b'0') * 10 + i64::from(ones - b'0');
    let (hours, minutes) = (pair(h1, h2), pair(m1, m2));
    (hours < 24 && minutes < 60).then_some(sign * (hours * 3600 + minutes * 60))
}

fn from_unix_seconds(secs: i64) -> Option<SystemTime> {
    let magnitude = Duration::from_secs(secs.unsigned_abs());
    if secs >= 0 { UNIX_EPOCH.checked_add(magnitude) } else { UNIX_EPOCH.checked_sub(magnitude) }
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date. Counting years from March puts the
/// leap day last, so every 400-year era has the same shape (146 097 days).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    // 719 468 days lie between 0000-03-01 and 1970-01-01.
    era * 146_097 + day_of_era - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 { month_from_march + 3 } else { month_from_march - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn civil_days_known_dates() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
        assert_eq!(days_from_civil(2026, 1, 2), 20_455);
        assert_eq!(civil_from_days(20_455), (2026, 1, 2));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }

    #[test]
    fn civil_days_round_trip_over_centuries() {
        for days in (-800_000..800_000).step_by(97) {
            let (y, m, d) = civil_from_days(days);
            assert!((1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m), "{days}");
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn leap_days() {
        assert_eq!(civil_from_days(days_from_civil(2024, 2, 29)), (2024, 2, 29));
        assert_eq!(days_from_civil(2024, 3, 1) - days_from_civil(2024, 2, 28), 2);
        assert_eq!(days_from_civil(2100, 3, 1) - days_from_civil(2100, 2, 28), 1);
        assert_eq!(days_from_civil(2000, 3, 1) - days_from_civil(2000, 2, 28), 2);
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
    fn parses_every_writer_form() {
        let want = Some(at(1_767_323_045));

        assert_eq!(parse_timestamp("2026-01-02T03:04:05+00:00"), want);
        assert_eq!(parse_timestamp("2026-01-02T03:04:05Z"), want);
        assert_eq!(parse_timestamp("2026-01-02T03:04:05UTC"), want);
        assert_eq!(parse_timestamp("2026-01-02T03:04:05.123456Z"), want);
        assert_eq!(parse_timestamp("2026-01-02T04:04:05+01:00"), want);
        assert_eq!(parse_timestamp("2026-01-01T22:04:05-0500"), want);
    }

    #[test]
    fn refuses_malformed_times() {
        for bad in [
            "",
            "2026-01-02T03:04:05",
            "2026-01-02T03:04:05+00",
            "2026-13-02T03:04:05Z",
            "2026-02-29T03:04:05Z",
            "2026-01-02T24:04:05Z",
            "2026-01-02X03:04:05Z",
            "2026-01-02T03:04:05 PST",
            "+026-01-02T03:04:05Z",
            "2026-01-02T03:04:05Zjunk",
            "2026-01-02T03:04:05.Z",
            "2026-01-02T03:04:05+0:000",
            "2026-01-02T03:04:05+25:00",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad:?}");
        }
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
