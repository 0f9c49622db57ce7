//! An awsuse plugin that takes AWS keys and MFA codes from `pass`, the standard Unix password
//! manager.
//!
//! - Profiles: every entry under `AWSUSE_PASS_PREFIX` (default `aws`) of the password store
//!   (`PASSWORD_STORE_DIR`, else `~/.password-store`) is a profile named by its path below the
//!   prefix: `aws/dev` gives `dev`, `aws/team/prod` gives `team/prod`. Listing reads file names
//!   only; nothing is decrypted until a switch.
//! - Keys: the entry's lines `aws_access_key_id: ...`, `aws_secret_access_key: ...` and
//!   optionally `aws_session_token: ...` (`=` works in place of `:`). Without an
//!   `aws_secret_access_key` line, the first line is the secret, as pass stores passwords.
//! - MFA codes: entries under `AWSUSE_PASS_MFA_PREFIX` (default `aws-mfa`) hold a line
//!   `mfa_serial: ARN` and an `otpauth://` URI; the code comes from `pass otp` (the
//!   pass-extension-otp package).
#![deny(missing_docs)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use awsuse_plugin::{Credentials, Error, Hooks, Plugin, Profile, export_plugin};

/// The plugin; see the crate documentation.
pub struct Pass;

impl Plugin for Pass {
    const NAME: &'static str = "pass";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const HOOKS: Hooks = Hooks::PROFILES.with(Hooks::CREDENTIALS).with(Hooks::MFA_CODE);

    fn profiles() -> Result<Vec<Profile>, Error> {
        let root = store_dir()?.join(prefix());
        let mut names = Vec::new();
        entries(&root, &root, &mut names);
        names.sort();
        let description = format!("pass {}/", prefix());
        Ok(names
            .into_iter()
            .map(|name| Profile { name, region: None, description: Some(description.clone()) })
            .collect())
    }

    fn credentials(profile: &str) -> Result<Option<Credentials>, Error> {
        if !is_entry(&store_dir()?.join(prefix()), profile) {
            return Ok(None);
        }
        let text = pass(&["show", &format!("{}/{profile}", prefix())])?;
        parse_keys(&text).map(Some).ok_or_else(|| {
            Error::new(format!(
                "pass entry {}/{profile} has no aws_access_key_id line; add `aws_access_key_id: AKIA...`",
                prefix()
            ))
        })
    }

    fn mfa_code(serial: &str) -> Result<Option<String>, Error> {
        let mfa_prefix =
            std::env::var("AWSUSE_PASS_MFA_PREFIX").unwrap_or_else(|_| "aws-mfa".into());
        let root = store_dir()?.join(&mfa_prefix);
        let mut names = Vec::new();
        entries(&root, &root, &mut names);
        names.sort();

        // Only the entries of the MFA prefix are decrypted, to find the one for this device.
        for name in names {
            let entry = format!("{mfa_prefix}/{name}");
            let text = pass(&["show", &entry])?;
            let holds_serial = text.lines().any(|line| field(line, "mfa_serial") == Some(serial));
            if holds_serial && text.contains("otpauth://") {
                let code = pass(&["otp", &entry])?;
                let code = code.trim();
                if code.is_empty() {
                    return Err(Error::new(format!("`pass otp {entry}` printed no code")));
                }
                return Ok(Some(code.to_owned()));
            }
        }
        Ok(None)
    }
}

export_plugin!(Pass);

fn prefix() -> String {
    std::env::var("AWSUSE_PASS_PREFIX").unwrap_or_else(|_| "aws".into())
}

fn store_dir() -> Result<PathBuf, Error> {
    if let Some(dir) = std::env::var_os("PASSWORD_STORE_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    match std::env::var_os("HOME") {
        Some(home) => Ok(PathBuf::from(home).join(".password-store")),
        None => Err(Error::new("neither PASSWORD_STORE_DIR nor HOME is set")),
    }
}

/// Entry names below `root`, found from file names (`x.gpg`) without decrypting anything.
fn entries(root: &Path, dir: &Path, names: &mut Vec<String>) {
    let Ok(read) = std::fs::read_dir(dir) else { return };
    for entry in read.flatten() {
        let path = entry.path();
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        if hidden {
            continue;
        }
        if path.is_dir() {
            entries(root, &path, names);
        } else if path.extension().is_some_and(|e| e == "gpg")
            && let Ok(relative) = path.with_extension("").strip_prefix(root)
            && let Some(name) = relative.to_str()
        {
            names.push(name.to_owned());
        }
    }
}

/// Whether `name` is an entry below `root`, refusing names that climb out of it.
fn is_entry(root: &Path, name: &str) -> bool {
    let climbs = name.split('/').any(|part| part.is_empty() || part == "." || part == "..");
    !climbs && root.join(format!("{name}.gpg")).is_file()
}

/// Runs `pass` and returns its standard output. Its standard error is kept out of awsuse's,
/// and only its first line is quoted in an error.
fn pass(args: &[&str]) -> Result<String, Error> {
    let output =
        Command::new("pass").args(args).stdin(Stdio::null()).output().map_err(|e| {
            Error::new(format!("could not run `pass` ({e}); install the package pass"))
        })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let first = stderr.lines().next().unwrap_or("no message");
        return Err(Error::new(format!("`pass {}` failed: {first}", args.join(" "))));
    }
    String::from_utf8(output.stdout).map_err(|_| {
        Error::new(format!("`pass {}` printed something that is not UTF-8", args.join(" ")))
    })
}

/// The value of a `key: value` or `key = value` line.
fn field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let rest = line.trim().strip_prefix(key)?.trim_start();
    let value = rest.strip_prefix(':').or_else(|| rest.strip_prefix('='))?;
    Some(value.trim())
}

/// Keys from an entry's text.
fn parse_keys(text: &str) -> Option<Credentials> {
    let find = |key: &str| text.lines().find_map(|line| field(line, key)).map(str::to_owned);
    let access_key_id = find("aws_access_key_id").filter(|v| !v.is_empty())?;
    let secret_access_key = find("aws_secret_access_key")
        .or_else(|| text.lines().next().map(|first| first.trim().to_owned()))
        .filter(|v| !v.is_empty())?;
    Some(Credentials {
        access_key_id,
        secret_access_key,
        session_token: find("aws_session_token").filter(|v| !v.is_empty()),
        expiration: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_come_from_named_lines() {
        let keys =
            parse_keys("aws_access_key_id: AKIA1\naws_secret_access_key = s/ecret+\n").unwrap();
        assert_eq!(keys.access_key_id, "AKIA1");
        assert_eq!(keys.secret_access_key, "s/ecret+");
        assert_eq!(keys.session_token, None);
    }

    #[test]
    fn the_first_line_is_the_secret_otherwise() {
        let keys = parse_keys("top-secret\naws_access_key_id: AKIA2\n").unwrap();
        assert_eq!(keys.secret_access_key, "top-secret");
        assert!(parse_keys("only a password\n").is_none());
    }

    #[test]
    fn entry_names_cannot_climb_out() {
        let dir = std::env::temp_dir();
        assert!(!is_entry(&dir, "../etc/passwd"));
        assert!(!is_entry(&dir, "a//b"));
    }

    #[test]
    fn fields_need_a_separator() {
        assert_eq!(field("mfa_serial: arn:x", "mfa_serial"), Some("arn:x"));
        assert_eq!(field("mfa_serial_other: x", "mfa_serial"), None);
    }
}
