//! What a switch does to the environment, independent of the shell that applies it.

use crate::config::Location;
use crate::env::Env;
use crate::partition;
use crate::profile::Profile;
use crate::shell::{Script, Shell};

/// Keys in the environment win over any profile, so a switch by profile removes them.
pub const CREDENTIAL_VARS: [&str; 6] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_ACCOUNT_ID",
];

/// Variables other switchers set and prompt tools read before `AWS_PROFILE`, plus the legacy
/// profile variable that boto3 reads before `AWS_PROFILE`.
pub const FOREIGN_MARKERS: [&str; 5] =
    ["AWS_DEFAULT_PROFILE", "AWS_VAULT", "AWSUME_PROFILE", "AWSU_PROFILE", "AWS_SSO_PROFILE"];

/// What awsuse itself sets on every switch.
pub const OWN_VARS: [&str; 6] = [
    "AWS_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWSUSE_PROFILE",
    "AWSUSE_PARTITION",
    "AWSUSE_DNS_SUFFIX",
];

/// The colon-separated list of further variables a switch set (file locations, plugin
/// variables), so that `unset` can remove exactly those.
pub const EXTRA_LIST_VAR: &str = "AWSUSE_VARS";

/// An ordered list of environment changes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Changes {
    pub unset: Vec<String>,
    pub set: Vec<(String, String)>,
}

impl Changes {
    fn set(&mut self, name: &str, value: &str) {
        self.unset.retain(|n| n != name);
        self.set.retain(|(n, _)| n != name);
        self.set.push((name.to_owned(), value.to_owned()));
    }

    fn unset(&mut self, name: &str) {
        self.set.retain(|(n, _)| n != name);
        if !self.unset.iter().any(|n| n == name) {
            self.unset.push(name.to_owned());
        }
    }

    /// Shell code applying the changes: unsets first, then sets.
    pub fn script(&self, shell: Shell) -> anyhow::Result<String> {
        let mut script = Script::new(shell);
        for name in &self.unset {
            script.unset(name)?;
        }
        for (name, value) in &self.set {
            script.set(name, value)?;
        }
        Ok(script.render())
    }
}

/// Removes what earlier switches set, and nothing else: awsuse's own variables and those
/// listed in `AWSUSE_VARS`.
pub fn clear(env: &Env) -> Changes {
    let mut changes = Changes::default();
    for name in OWN_VARS {
        changes.unset(name);
    }
    if let Some(list) = env.get(EXTRA_LIST_VAR) {
        for name in list.split(':').filter(|n| !n.is_empty()) {
            changes.unset(name);
        }
    }
    changes.unset(EXTRA_LIST_VAR);
    changes
}

/// What any switch starts from: earlier switches undone, and the keys and other switchers'
/// markers removed, since some tool would prefer them to what the switch sets.
fn clear_for_switch(env: &Env) -> Changes {
    let mut changes = clear(env);
    for name in CREDENTIAL_VARS.iter().chain(&FOREIGN_MARKERS) {
        changes.unset(name);
    }
    changes
}

/// Which AWS files the switch must name in the environment, because the user gave them on
/// the command line and other tools would not find them otherwise.
#[derive(Clone, Debug, Default)]
pub struct ExplicitFiles {
    pub config: bool,
    pub credentials: bool,
}

/// The changes that switch to a profile that works through `AWS_PROFILE`.
pub fn to_profile(
    env: &Env,
    profile: &Profile,
    location: &Location,
    explicit: &ExplicitFiles,
) -> Changes {
    let mut changes = clear_for_switch(env);
    let mut extra: Vec<&str> = Vec::new();

    changes.set("AWS_PROFILE", &profile.name);
    common(&mut changes, profile);
    if explicit.config {
        changes.set("AWS_CONFIG_FILE", &location.config.to_string_lossy());
        extra.push("AWS_CONFIG_FILE");
    }
    if explicit.credentials {
        changes.set("AWS_SHARED_CREDENTIALS_FILE", &location.credentials.to_string_lossy());
        extra.push("AWS_SHARED_CREDENTIALS_FILE");
    }
    if !extra.is_empty() {
        changes.set(EXTRA_LIST_VAR, &extra.join(":"));
    }
    changes
}

/// What every switch sets: the region pair and awsuse's own markers.
fn common(changes: &mut Changes, profile: &Profile) {
    changes.set("AWS_REGION", &profile.region.name);
    changes.set("AWS_DEFAULT_REGION", &profile.region.name);
    changes.set("AWSUSE_PROFILE", &profile.name);
    let partition = partition::resolve(&profile.region.name);
    changes.set("AWSUSE_PARTITION", partition.id);
    changes.set("AWSUSE_DNS_SUFFIX", partition.dns_suffix);
}

/// Temporary or plugin-given keys to export in place of a profile.
#[derive(Clone, PartialEq, Eq)]
pub struct ExportedKeys {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
    /// Seconds since the epoch when the keys stop working.
    pub expiration: Option<i64>,
}

impl std::fmt::Debug for ExportedKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportedKeys")
            .field("access_key_id", &self.access_key_id)
            .field("expiration", &self.expiration)
            .finish_non_exhaustive()
    }
}

/// The changes that switch to exported keys (roles that need MFA, plugin profiles): the
/// keys, their expiry, and no `AWS_PROFILE`, which would compete with them.
pub fn to_keys(env: &Env, profile: &Profile, keys: &ExportedKeys) -> Changes {
    let mut changes = clear_for_switch(env);
    changes.unset("AWS_PROFILE");

    let mut extra = vec!["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"];
    changes.set("AWS_ACCESS_KEY_ID", &keys.access_key_id);
    changes.set("AWS_SECRET_ACCESS_KEY", &keys.secret_access_key);
    if let Some(token) = &keys.session_token {
        changes.set("AWS_SESSION_TOKEN", token);
        extra.push("AWS_SESSION_TOKEN");
    }
    if let Some(expiration) = keys.expiration {
        changes.set("AWS_CREDENTIAL_EXPIRATION", &crate::time::format_utc(expiration));
        extra.push("AWS_CREDENTIAL_EXPIRATION");
        // The same instant as seconds, so that prompt functions need not parse a date.
        changes.set("AWSUSE_EXPIRES", &expiration.to_string());
        extra.push("AWSUSE_EXPIRES");
    }
    common(&mut changes, profile);
    changes.set(EXTRA_LIST_VAR, &extra.join(":"));
    changes
}
