//! What a profile is: its kind, the chain of profiles its credentials come from, its region,
//! and what is wrong with it.
//!
//! The chain follows the SDK standard (the Rust SDK and the cross-SDK assume-role suite): a
//! profile with `role_arn` and `web_identity_token_file` is a web-identity base; otherwise
//! `role_arn` is an assume-role hop whose credentials come from `source_profile` or
//! `credential_source`; a source profile past the first hop that has static keys is used as
//! the base even when it has a `role_arn` too.

use std::fmt;

use crate::config::{AwsConfig, Section};

/// The `credential_source` values the SDKs accept.
pub const CREDENTIAL_SOURCES: [&str; 3] = ["Environment", "Ec2InstanceMetadata", "EcsContainer"];

/// The region used when nothing names one, as the AWS Toolkit does.
pub const DEFAULT_REGION: &str = "us-east-1";

/// How a profile gets its credentials.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    StaticKeys,
    AssumeRole,
    AssumeRoleMfa,
    Sso,
    CredentialProcess,
    WebIdentity,
    LoginSession,
    RegionOnly,
}

impl Kind {
    /// The short name shown in lists and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::StaticKeys => "static",
            Kind::AssumeRole => "role",
            Kind::AssumeRoleMfa => "role+mfa",
            Kind::Sso => "sso",
            Kind::CredentialProcess => "process",
            Kind::WebIdentity => "web-identity",
            Kind::LoginSession => "login",
            Kind::RegionOnly => "region-only",
        }
    }

    /// Whether a switch to this kind works through `AWS_PROFILE` alone.
    pub fn uses_profile_variable(self) -> bool {
        self != Kind::AssumeRoleMfa
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where the base credentials of a chain come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Base {
    /// `aws_access_key_id` and `aws_secret_access_key` of the named profile.
    StaticKeys { profile: String },
    /// `credential_source` of the named profile.
    NamedSource { profile: String, source: String },
    /// `role_arn` with `web_identity_token_file` in the named profile.
    WebIdentity { profile: String },
    /// `sso_session` or `sso_start_url` in the named profile.
    Sso { profile: String },
    /// `login_session` in the named profile.
    LoginSession { profile: String },
    /// `credential_process` in the named profile.
    Process { profile: String },
}

impl Base {
    pub fn profile(&self) -> &str {
        match self {
            Base::StaticKeys { profile }
            | Base::NamedSource { profile, .. }
            | Base::WebIdentity { profile }
            | Base::Sso { profile }
            | Base::LoginSession { profile }
            | Base::Process { profile } => profile,
        }
    }
}

/// The credentials of a profile: a base, then assume-role hops in the order they are made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceChain {
    pub base: Base,
    /// Profiles whose `role_arn` is assumed, the base's first and the selected one last.
    pub roles: Vec<String>,
}

/// Something wrong with a profile that keeps it from being used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// `source_profile` links that come back to a profile already visited.
    Cycle(Vec<String>),
    MissingSource {
        profile: String,
        source: String,
    },
    /// Only one of the two key fields.
    PartialKeys {
        profile: String,
        missing: &'static str,
    },
    BothSources {
        profile: String,
    },
    UnknownCredentialSource {
        profile: String,
        value: String,
    },
    RoleWithoutSource {
        profile: String,
    },
    WebIdentityWithoutRole {
        profile: String,
    },
    /// A profile used as a source that gives no credentials.
    NoCredentials {
        profile: String,
    },
    PartialSso {
        profile: String,
        missing: &'static str,
    },
    MissingSsoSession {
        profile: String,
        session: String,
    },
    SsoRegionOutsideSession {
        profile: String,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Cycle(chain) => {
                write!(f, "source_profile links form a loop: {}", chain.join(" -> "))
            }
            Problem::MissingSource { profile, source } => write!(
                f,
                "profile '{profile}' names source_profile '{source}', which does not exist"
            ),
            Problem::PartialKeys { profile, missing } => write!(
                f,
                "profile '{profile}' has only one of the two key fields: add {missing} or remove the other"
            ),
            Problem::BothSources { profile } => write!(
                f,
                "profile '{profile}' has both source_profile and credential_source: keep one"
            ),
            Problem::UnknownCredentialSource { profile, value } => write!(
                f,
                "profile '{profile}' has credential_source = {value}, which is none of {}",
                CREDENTIAL_SOURCES.join(", ")
            ),
            Problem::RoleWithoutSource { profile } => write!(
                f,
                "profile '{profile}' has role_arn but neither source_profile nor credential_source"
            ),
            Problem::WebIdentityWithoutRole { profile } => {
                write!(f, "profile '{profile}' has web_identity_token_file but no role_arn")
            }
            Problem::NoCredentials { profile } => write!(
                f,
                "source profile '{profile}' has no credentials (keys, role, SSO or credential_process)"
            ),
            Problem::PartialSso { profile, missing } => write!(
                f,
                "profile '{profile}' sets one of sso_account_id and sso_role_name: add {missing}"
            ),
            Problem::MissingSsoSession { profile, session } => write!(
                f,
                "profile '{profile}' names sso_session '{session}', but there is no [sso-session {session}] section"
            ),
            Problem::SsoRegionOutsideSession { profile } => write!(
                f,
                "profile '{profile}' sets sso_region beside sso_session: move it into the [sso-session] section"
            ),
        }
    }
}

/// The region of a profile and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Region {
    pub name: String,
    pub source: RegionSource,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegionSource {
    Flag,
    Profile,
    SourceProfile(String),
    SsoSession(String),
    Default,
}

impl fmt::Display for RegionSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegionSource::Flag => f.write_str("flag"),
            RegionSource::Profile => f.write_str("profile"),
            RegionSource::SourceProfile(name) => write!(f, "source_profile {name}"),
            RegionSource::SsoSession(name) => write!(f, "sso-session {name}"),
            RegionSource::Default => f.write_str("default"),
        }
    }
}

fn has_static_keys(section: &Section) -> bool {
    section.get("aws_access_key_id").is_some() && section.get("aws_secret_access_key").is_some()
}

fn key_problem(section: &Section) -> Option<Problem> {
    let id = section.get("aws_access_key_id").is_some();
    let secret = section.get("aws_secret_access_key").is_some();
    let missing = match (id, secret) {
        (true, false) => "aws_secret_access_key",
        (false, true) => "aws_access_key_id",
        _ => return None,
    };
    Some(Problem::PartialKeys { profile: section.name.clone(), missing })
}

fn is_sso(section: &Section) -> bool {
    section.get("sso_session").is_some()
        || section.get("sso_start_url").is_some()
        || section.get("sso_account_id").is_some()
        || section.get("sso_role_name").is_some()
}

fn sso_problem(config: &AwsConfig, section: &Section) -> Option<Problem> {
    let profile = || section.name.clone();
    match (section.get("sso_account_id").is_some(), section.get("sso_role_name").is_some()) {
        (true, false) => {
            return Some(Problem::PartialSso { profile: profile(), missing: "sso_role_name" });
        }
        (false, true) => {
            return Some(Problem::PartialSso { profile: profile(), missing: "sso_account_id" });
        }
        _ => {}
    }
    let session = section.get("sso_session")?;
    if !config.sso_sessions.contains_key(session) {
        return Some(Problem::MissingSsoSession {
            profile: profile(),
            session: session.to_owned(),
        });
    }
    if section.get("sso_region").is_some() {
        return Some(Problem::SsoRegionOutsideSession { profile: profile() });
    }
    None
}

/// The credentials a profile without `role_arn` (or past the first hop) gives by itself, in the
/// SDK's order: `credential_source`, web identity, SSO, `login_session`, `credential_process`,
/// static keys.
fn base_of(config: &AwsConfig, section: &Section) -> Result<Option<Base>, Problem> {
    let profile = section.name.clone();
    if section.get("web_identity_token_file").is_some() {
        if section.get("role_arn").is_none() {
            return Err(Problem::WebIdentityWithoutRole { profile });
        }
        return Ok(Some(Base::WebIdentity { profile }));
    }
    if is_sso(section) {
        return match sso_problem(config, section) {
            Some(problem) => Err(problem),
            None => Ok(Some(Base::Sso { profile })),
        };
    }
    if section.get("login_session").is_some() {
        return Ok(Some(Base::LoginSession { profile }));
    }
    if section.get("credential_process").is_some() {
        return Ok(Some(Base::Process { profile }));
    }
    if let Some(problem) = key_problem(section) {
        return Err(problem);
    }
    Ok(has_static_keys(section).then_some(Base::StaticKeys { profile }))
}

/// Resolves where the credentials of `name` come from. `Ok(None)` means the profile holds
/// settings only (a region-only profile).
pub fn source_chain(config: &AwsConfig, name: &str) -> Result<Option<SourceChain>, Problem> {
    let mut visited: Vec<String> = Vec::new();
    let mut roles: Vec<String> = Vec::new();
    let mut current = name;

    loop {
        let Some(section) = config.profiles.get(current) else {
            // Only a source can be missing: the caller checked the selected profile exists.
            let from = visited.last().cloned().unwrap_or_default();
            return Err(Problem::MissingSource { profile: from, source: current.to_owned() });
        };
        visited.push(current.to_owned());
        let first = visited.len() == 1;

        // A source past the first hop with static keys is a base even with a role_arn.
        let role =
            section.get("role_arn").filter(|_| section.get("web_identity_token_file").is_none());
        let role = if !first && has_static_keys(section) { None } else { role };
        let Some(_) = role else {
            let base = base_of(config, section)?;
            return match base {
                Some(base) => {
                    roles.reverse();
                    Ok(Some(SourceChain { base, roles }))
                }
                None if first => Ok(None),
                None => Err(Problem::NoCredentials { profile: section.name.clone() }),
            };
        };
        roles.push(current.to_owned());

        // The hop's credentials come from credential_source or source_profile, never both.
        let source = section.get("source_profile");
        let named = section.get("credential_source");
        match (source, named) {
            (Some(_), Some(_)) => return Err(Problem::BothSources { profile: current.to_owned() }),
            (None, Some(value)) => {
                if !CREDENTIAL_SOURCES.contains(&value) {
                    return Err(Problem::UnknownCredentialSource {
                        profile: current.to_owned(),
                        value: value.to_owned(),
                    });
                }
                let base =
                    Base::NamedSource { profile: current.to_owned(), source: value.to_owned() };
                roles.reverse();
                return Ok(Some(SourceChain { base, roles }));
            }
            (None, None) => return Err(Problem::RoleWithoutSource { profile: current.to_owned() }),
            (Some(source), None) => {
                if source == current && has_static_keys(section) {
                    let base = Base::StaticKeys { profile: current.to_owned() };
                    roles.reverse();
                    return Ok(Some(SourceChain { base, roles }));
                }
                if visited.iter().any(|seen| seen == source) {
                    let mut chain = visited.clone();
                    chain.push(source.to_owned());
                    return Err(Problem::Cycle(chain));
                }
                current = source;
            }
        }
    }
}

/// Everything awsuse knows about one profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    pub name: String,
    pub kind: Kind,
    pub region: Region,
    pub chain: Option<SourceChain>,
    pub problems: Vec<Problem>,
}

impl Profile {
    pub fn is_usable(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Analyses profile `name`, which must exist in `config`.
pub fn analyse(config: &AwsConfig, name: &str, region_flag: Option<&str>) -> Profile {
    let chain = source_chain(config, name);
    let (chain, mut problems) = match chain {
        Ok(chain) => (chain, Vec::new()),
        Err(problem) => (None, vec![problem]),
    };

    // Problems of the selected profile itself that the chain does not reach.
    let own = config.profiles.get(name).and_then(key_problem);
    if let Some(problem) = own.filter(|p| !problems.contains(p)) {
        problems.push(problem);
    }

    let kind = kind_of(config, name, chain.as_ref());
    let region = region(config, name, region_flag);
    Profile { name: name.to_owned(), kind, region, chain, problems }
}

fn kind_of(config: &AwsConfig, name: &str, chain: Option<&SourceChain>) -> Kind {
    let Some(chain) = chain else {
        // Broken or settings-only: name the kind its own keys suggest.
        let section = &config.profiles[name];
        return if section.get("role_arn").is_some() {
            Kind::AssumeRole
        } else if is_sso(section) {
            Kind::Sso
        } else if section.get("credential_process").is_some() {
            Kind::CredentialProcess
        } else if section.get("aws_access_key_id").is_some()
            || section.get("aws_secret_access_key").is_some()
        {
            Kind::StaticKeys
        } else {
            Kind::RegionOnly
        };
    };
    if !chain.roles.is_empty() {
        return if mfa_serial(config, chain).is_some() {
            Kind::AssumeRoleMfa
        } else {
            Kind::AssumeRole
        };
    }
    match chain.base {
        Base::StaticKeys { .. } => Kind::StaticKeys,
        Base::NamedSource { .. } => Kind::AssumeRole,
        Base::WebIdentity { .. } => Kind::WebIdentity,
        Base::Sso { .. } => Kind::Sso,
        Base::LoginSession { .. } => Kind::LoginSession,
        Base::Process { .. } => Kind::CredentialProcess,
    }
}

/// The MFA device a chain needs: the first role hop's `mfa_serial`, else that of the base
/// profile that signs the first `AssumeRole` call, else any later hop's.
pub fn mfa_serial<'a>(config: &'a AwsConfig, chain: &SourceChain) -> Option<&'a str> {
    let serial = |name: &str| config.profiles.get(name).and_then(|s| s.get("mfa_serial"));
    let first = chain.roles.first()?;
    serial(first)
        .or_else(|| serial(chain.base.profile()))
        .or_else(|| chain.roles.iter().find_map(|r| serial(r)))
}

/// The region of a profile: the flag, the profile, its source profiles, the `sso_region` of
/// its SSO session (or its own legacy `sso_region`), else `us-east-1`.
pub fn region(config: &AwsConfig, name: &str, flag: Option<&str>) -> Region {
    if let Some(flag) = flag {
        return Region { name: flag.to_owned(), source: RegionSource::Flag };
    }

    // Follow source_profile links, stopping at a loop or a missing profile.
    let mut visited: Vec<&str> = Vec::new();
    let mut current = name;
    while let Some(section) = config.profiles.get(current) {
        if visited.contains(&current) {
            break;
        }
        if let Some(region) = section.get("region").filter(|r| !r.is_empty()) {
            let source = if visited.is_empty() {
                RegionSource::Profile
            } else {
                RegionSource::SourceProfile(current.to_owned())
            };
            return Region { name: region.to_owned(), source };
        }
        visited.push(current);
        match section.get("source_profile") {
            Some(next) => current = next,
            None => break,
        }
    }

    // SSO: the session's region, or the legacy key in the profile.
    if let Some(section) = config.profiles.get(name) {
        let session = section.get("sso_session");
        let from_session = session
            .and_then(|s| config.sso_sessions.get(s))
            .and_then(|s| s.get("sso_region"))
            .filter(|r| !r.is_empty());
        if let (Some(region), Some(session)) = (from_session, session) {
            return Region {
                name: region.to_owned(),
                source: RegionSource::SsoSession(session.to_owned()),
            };
        }
        if let Some(region) = section.get("sso_region").filter(|r| !r.is_empty()) {
            return Region { name: region.to_owned(), source: RegionSource::Profile };
        }
    }
    Region { name: DEFAULT_REGION.to_owned(), source: RegionSource::Default }
}
