//! AWS CLI cache names against tests/conformance/cli-cache/cache-key-vectors.json, and the
//! cache files themselves in temporary directories.

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use awsuse::cli_cache::{self, AssumeRoleArgs, AssumedRoleUser, CachedCredentials, SsoLogin};
use serde_json::Value;

fn vectors() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/conformance/cli-cache/cache-key-vectors.json");
    let text = std::fs::read_to_string(&path).expect("vectors file is readable");
    serde_json::from_str(&text).expect("vectors file is JSON")
}

fn text(args: &Value, name: &str) -> Option<String> {
    args.get(name).and_then(Value::as_str).map(str::to_owned)
}

/// A vector's name for failure reports: its serialized form is unique and readable.
fn label(vector: &Value) -> String {
    vector["serialized"].as_str().or(vector["input"].as_str()).unwrap_or("?").to_owned()
}

#[test]
fn assume_role_keys_match_the_cli() {
    let vectors = vectors();
    let cases = vectors["assumeRoleCacheKeys"].as_array().expect("assumeRoleCacheKeys");

    let mut ran = 0;
    let mut skipped = Vec::new();
    let mut failures = Vec::new();
    for vector in cases {
        let args = &vector["args"];
        // A Policy cannot come from a profile, so AssumeRoleArgs has no place for it.
        if args.get("Policy").is_some() {
            skipped.push(label(vector));
            continue;
        }
        let parsed = AssumeRoleArgs {
            role_arn: text(args, "RoleArn").expect("every vector has a RoleArn"),
            role_session_name: text(args, "RoleSessionName"),
            external_id: text(args, "ExternalId"),
            serial_number: text(args, "SerialNumber"),
            duration_seconds: args.get("DurationSeconds").and_then(Value::as_i64),
        };

        let key = cli_cache::assume_role_cache_key(&parsed);

        ran += 1;
        if key != vector["key"] {
            failures.push(format!("{}: got {key}, want {}", label(vector), vector["key"]));
        }
    }

    println!("assume-role keys: {ran} run, {} skipped (Policy): {skipped:?}", skipped.len());
    assert_eq!(ran + skipped.len(), cases.len());
    assert!(ran >= 10, "only {ran} assume-role vectors ran");
    assert!(failures.is_empty(), "assume-role key failures:\n{}", failures.join("\n"));
}

#[test]
fn sso_role_keys_match_the_cli() {
    let vectors = vectors();
    let cases =
        vectors["ssoRoleCredentialCacheKeys"].as_array().expect("ssoRoleCredentialCacheKeys");

    let mut failures = Vec::new();
    for vector in cases {
        let args = &vector["args"];
        let (session, url) = (text(args, "sessionName"), text(args, "startUrl"));
        let login = match (&session, &url) {
            (Some(name), None) => SsoLogin::Session(name),
            (None, Some(url)) => SsoLogin::StartUrl(url),
            _ => panic!("{}: needs exactly one of sessionName and startUrl", label(vector)),
        };

        let key = cli_cache::sso_cache_key(
            args["accountId"].as_str().expect("accountId"),
            args["roleName"].as_str().expect("roleName"),
            login,
        );

        if key != vector["key"] {
            failures.push(format!("{}: got {key}, want {}", label(vector), vector["key"]));
        }
    }

    println!("sso role keys: {} run", cases.len());
    assert!(!cases.is_empty());
    assert!(failures.is_empty(), "sso role key failures:\n{}", failures.join("\n"));
}

#[test]
fn sso_token_keys_match_the_cli() {
    let vectors = vectors();
    let cases = vectors["ssoTokenCacheKeys"].as_array().expect("ssoTokenCacheKeys");

    let mut failures = Vec::new();
    for vector in cases {
        let key = cli_cache::sso_token_cache_key(vector["input"].as_str().expect("input"));
        if key != vector["key"] {
            failures.push(format!("{}: got {key}, want {}", label(vector), vector["key"]));
        }
    }

    println!("sso token keys: {} run", cases.len());
    assert!(!cases.is_empty());
    assert!(failures.is_empty(), "sso token key failures:\n{}", failures.join("\n"));
}

fn entry(expiration: SystemTime) -> CachedCredentials {
    CachedCredentials {
        access_key_id: "ASIAEXAMPLEEXAMPLE".into(),
        secret_access_key: "secret/with+chars".into(),
        session_token: "token-é-😀".into(),
        expiration,
        account_id: Some("123456789012".into()),
        assumed_role_user: Some(AssumedRoleUser {
            assumed_role_id: "AROAEXAMPLE:awsuse".into(),
            arn: "arn:aws:sts::123456789012:assumed-role/Admin/awsuse".into(),
        }),
    }
}

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_767_322_800)
}

#[test]
fn written_entry_reads_back() {
    let home = tempfile::tempdir().unwrap();
    let dir = cli_cache::cache_dir(home.path());
    let written = entry(now() + Duration::from_secs(3600));

    cli_cache::write_entry(&dir, "abc123", &written).unwrap();
    let read = cli_cache::read_entry(&dir, "abc123", now());

    assert_eq!(read, Some(written));
}

#[test]
fn written_entry_has_the_cli_layout() {
    let dir = tempfile::tempdir().unwrap();
    let written = entry(UNIX_EPOCH + Duration::from_secs(1_767_323_045));

    cli_cache::write_entry(dir.path(), "k", &written).unwrap();
    let json: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("k.json")).unwrap()).unwrap();

    let creds = &json["Credentials"];
    assert_eq!(creds["AccessKeyId"], "ASIAEXAMPLEEXAMPLE");
    assert_eq!(creds["SecretAccessKey"], "secret/with+chars");
    assert_eq!(creds["SessionToken"], "token-é-😀");
    assert_eq!(creds["Expiration"], "2026-01-02T03:04:05+00:00");
    assert_eq!(creds["AccountId"], "123456789012");
    assert_eq!(json["AssumedRoleUser"]["AssumedRoleId"], "AROAEXAMPLE:awsuse");
    assert_eq!(
        json["AssumedRoleUser"]["Arn"],
        "arn:aws:sts::123456789012:assumed-role/Admin/awsuse"
    );
}

#[cfg(unix)]
#[test]
fn entry_is_private_and_directory_is_created_private() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    let dir = cli_cache::cache_dir(home.path());

    cli_cache::write_entry(&dir, "abc", &entry(now())).unwrap();

    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir.join("abc.json")), 0o600);
    assert_eq!(mode(&dir), 0o700);
    let names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, ["abc.json"], "no temporary file is left behind");
}

#[test]
fn rewriting_replaces_the_entry() {
    let dir = tempfile::tempdir().unwrap();
    let mut second = entry(now() + Duration::from_secs(7200));
    second.access_key_id = "ASIASECOND".into();

    cli_cache::write_entry(dir.path(), "k", &entry(now() + Duration::from_secs(3600))).unwrap();
    cli_cache::write_entry(dir.path(), "k", &second).unwrap();

    assert_eq!(cli_cache::read_entry(dir.path(), "k", now()), Some(second));
}

#[test]
fn expired_or_nearly_expired_entries_are_not_returned() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, i64); 5] =
        [("past", -60), ("now", 0), ("in14m", 14 * 60), ("in15m", 15 * 60), ("in1h", 3600)];

    for (key, offset) in cases {
        let expiration = if offset < 0 {
            now() - Duration::from_secs(offset.unsigned_abs())
        } else {
            now() + Duration::from_secs(offset as u64)
        };
        cli_cache::write_entry(dir.path(), key, &entry(expiration)).unwrap();
    }
    let fresh = |key| cli_cache::read_entry(dir.path(), key, now()).is_some();

    assert!(!fresh("past"));
    assert!(!fresh("now"));
    assert!(!fresh("in14m"));
    assert!(fresh("in15m"));
    assert!(fresh("in1h"));
}

#[test]
fn reads_files_other_writers_left() {
    let dir = tempfile::tempdir().unwrap();
    let v1 = r#"{"Credentials": {"AccessKeyId": "A", "SecretAccessKey": "S", "SessionToken": "T",
        "Expiration": "2026-01-02T05:04:05Z"}, "AssumedRoleUser": {"AssumedRoleId": "R", "Arn": "X"},
        "ResponseMetadata": {"RequestId": "1", "HTTPStatusCode": 200}}"#;
    let boto = r#"{"Credentials": {"AccessKeyId": "A", "SecretAccessKey": "S", "SessionToken": "T",
        "Expiration": "2026-01-02T05:04:05UTC"}}"#;
    std::fs::write(dir.path().join("v1.json"), v1).unwrap();
    std::fs::write(dir.path().join("boto.json"), boto).unwrap();

    let v1 = cli_cache::read_entry(dir.path(), "v1", now()).expect("v1 entry");
    let boto = cli_cache::read_entry(dir.path(), "boto", now()).expect("boto3 entry");

    let want = UNIX_EPOCH + Duration::from_secs(1_767_330_245);
    assert_eq!((v1.expiration, boto.expiration), (want, want));
    assert_eq!(v1.account_id, None);
    assert_eq!(v1.assumed_role_user.map(|u| u.arn).as_deref(), Some("X"));
    assert_eq!(boto.assumed_role_user, None);
}

#[test]
fn missing_and_corrupt_entries_are_none() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("empty.json"), "").unwrap();
    std::fs::write(dir.path().join("half.json"), r#"{"Credentials": {"AccessKeyId": "A""#).unwrap();
    std::fs::write(
        dir.path().join("badtime.json"),
        r#"{"Credentials": {"AccessKeyId": "A", "SecretAccessKey": "S", "SessionToken": "T",
            "Expiration": "tomorrow"}}"#,
    )
    .unwrap();

    for key in ["absent", "empty", "half", "badtime", "../escape"] {
        assert_eq!(cli_cache::read_entry(dir.path(), key, now()), None, "{key}");
    }
}

#[test]
fn unsafe_keys_are_not_written() {
    let dir = tempfile::tempdir().unwrap();

    let result = cli_cache::write_entry(dir.path(), "../x", &entry(now()));

    assert_eq!(result.unwrap_err().kind(), std::io::ErrorKind::InvalidInput);
}
