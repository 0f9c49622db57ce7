//! The answers hooks give, and their fields on the wire (see `plugins/ABI.md`).

use std::fmt;

/// A profile a plugin contributes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Profile {
    /// The name users type after `awsuse use`.
    pub name: String,
    /// The region a switch sets, when the plugin knows one.
    pub region: Option<String>,
    /// One line shown beside the profile.
    pub description: Option<String>,
}

/// Keys for one profile.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Credentials {
    /// `AWS_ACCESS_KEY_ID`.
    pub access_key_id: String,
    /// `AWS_SECRET_ACCESS_KEY`.
    pub secret_access_key: String,
    /// `AWS_SESSION_TOKEN`, for temporary keys.
    pub session_token: Option<String>,
    /// When temporary keys stop working, in seconds since the Unix epoch.
    pub expiration: Option<i64>,
}

/// Secrets stay out of debug output, so that a stray `{:?}` cannot log them.
impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("expiration", &self.expiration)
            .finish_non_exhaustive()
    }
}

/// One change to the environment after a switch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EnvChange {
    /// Set and export a variable.
    Set(String, String),
    /// Remove a variable.
    Unset(String),
}

/// Why an answer's fields do not make a valid answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError(pub String);

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FieldError {}

fn error<T>(message: impl Into<String>) -> Result<T, FieldError> {
    Err(FieldError(message.into()))
}

/// Profiles as fields: each profile starts with `name`, then its `region` and `description`.
pub fn profiles_to_fields(profiles: &[Profile]) -> Vec<(&str, &str)> {
    let mut fields = Vec::new();
    for profile in profiles {
        fields.push(("name", profile.name.as_str()));
        if let Some(region) = &profile.region {
            fields.push(("region", region.as_str()));
        }
        if let Some(description) = &profile.description {
            fields.push(("description", description.as_str()));
        }
    }
    fields
}

/// Reads profiles back. Keys this version does not know are skipped, so newer plugins keep
/// working with older hosts.
pub fn profiles_from_fields(fields: &[(&str, &str)]) -> Result<Vec<Profile>, FieldError> {
    let mut profiles: Vec<Profile> = Vec::new();
    for &(key, value) in fields {
        match (key, profiles.last_mut()) {
            ("name", _) => profiles.push(Profile { name: value.to_owned(), ..Profile::default() }),
            ("region" | "description", None) => {
                return error(format!("'{key}' comes before any 'name'"));
            }
            ("region", Some(last)) => last.region = Some(value.to_owned()),
            ("description", Some(last)) => last.description = Some(value.to_owned()),
            _ => {}
        }
    }
    Ok(profiles)
}

/// Credentials as fields.
pub fn credentials_to_fields(credentials: &Credentials) -> Vec<(&str, String)> {
    let mut fields = vec![
        ("access_key_id", credentials.access_key_id.clone()),
        ("secret_access_key", credentials.secret_access_key.clone()),
    ];
    if let Some(token) = &credentials.session_token {
        fields.push(("session_token", token.clone()));
    }
    if let Some(expiration) = credentials.expiration {
        fields.push(("expiration", expiration.to_string()));
    }
    fields
}

/// Reads credentials back; both keys are required.
pub fn credentials_from_fields(fields: &[(&str, &str)]) -> Result<Credentials, FieldError> {
    let mut id = None;
    let mut secret = None;
    let mut credentials = Credentials::default();
    for &(key, value) in fields {
        match key {
            "access_key_id" => id = Some(value.to_owned()),
            "secret_access_key" => secret = Some(value.to_owned()),
            "session_token" => credentials.session_token = Some(value.to_owned()),
            "expiration" => match value.parse() {
                Ok(seconds) => credentials.expiration = Some(seconds),
                Err(_) => return error("'expiration' is not a number of seconds"),
            },
            _ => {}
        }
    }
    match (id, secret) {
        (Some(id), Some(secret)) if !id.is_empty() && !secret.is_empty() => {
            credentials.access_key_id = id;
            credentials.secret_access_key = secret;
            Ok(credentials)
        }
        _ => error("'access_key_id' or 'secret_access_key' is missing or empty"),
    }
}

/// Environment changes as fields: `set` is `NAME=VALUE`, `unset` is `NAME`.
pub fn changes_to_fields(changes: &[EnvChange]) -> Vec<(&'static str, String)> {
    changes
        .iter()
        .map(|change| match change {
            EnvChange::Set(name, value) => ("set", format!("{name}={value}")),
            EnvChange::Unset(name) => ("unset", name.clone()),
        })
        .collect()
}

/// Reads environment changes back. Names are not checked here; the host checks them.
pub fn changes_from_fields(fields: &[(&str, &str)]) -> Result<Vec<EnvChange>, FieldError> {
    let mut changes = Vec::new();
    for &(key, value) in fields {
        match key {
            "set" => match value.split_once('=') {
                Some((name, value)) => changes.push(EnvChange::Set(name.into(), value.into())),
                None => return error("a 'set' field has no '=' between name and value"),
            },
            "unset" => changes.push(EnvChange::Unset(value.to_owned())),
            _ => {}
        }
    }
    Ok(changes)
}

/// Reads an MFA code back from its `code` field.
pub fn code_from_fields(fields: &[(&str, &str)]) -> Result<String, FieldError> {
    match fields.iter().find(|(key, _)| *key == "code") {
        Some((_, code)) if !code.is_empty() => Ok((*code).to_owned()),
        _ => error("the 'code' field is missing or empty"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire;

    #[test]
    fn profiles_round_trip() {
        let profiles = vec![
            Profile { name: "a".into(), region: Some("eu-west-1".into()), description: None },
            Profile { name: "b c".into(), region: None, description: Some("x\ny".into()) },
        ];
        let bytes = wire::encode(profiles_to_fields(&profiles));
        let fields = wire::decode(&bytes).unwrap();
        assert_eq!(profiles_from_fields(&fields).unwrap(), profiles);
    }

    #[test]
    fn credentials_need_both_keys() {
        assert!(credentials_from_fields(&[("access_key_id", "AKIA")]).is_err());
        let read = credentials_from_fields(&[
            ("access_key_id", "AKIA"),
            ("secret_access_key", "s"),
            ("expiration", "12"),
        ])
        .unwrap();
        assert_eq!(read.expiration, Some(12));
        assert!(!format!("{read:?}").contains("\"s\""), "debug output shows no secret");
    }

    #[test]
    fn changes_split_at_the_first_equals() {
        let read = changes_from_fields(&[("set", "A=b=c"), ("unset", "D")]).unwrap();
        assert_eq!(
            read,
            vec![EnvChange::Set("A".into(), "b=c".into()), EnvChange::Unset("D".into())]
        );
        assert!(changes_from_fields(&[("set", "A")]).is_err());
    }

    #[test]
    fn region_before_name_is_refused() {
        assert!(profiles_from_fields(&[("region", "x")]).is_err());
    }
}
