//! Roles that need an MFA code: awsuse assumes them itself, because `aws-config` reads
//! `mfa_serial` but never sends it, and shares the result with the AWS CLI through the CLI's
//! own cache so that neither asks for a code again while the credentials last.

use std::io::IsTerminal;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::env::Env;
use anyhow::{Context as _, Result, anyhow, bail};
use aws_credential_types::Credentials;
use aws_credential_types::provider::ProvideCredentials;

use super::{Options, Setup, StsEndpoint, Target, endpoint, error, run};
use crate::cli_cache::{self, AssumeRoleArgs, AssumedRoleUser, CachedCredentials};
use crate::config::AwsConfig;
use crate::profile::{self, Base, SourceChain};
use crate::switch::ExportedKeys;

/// Temporary keys for an MFA role, and where they came from.
#[derive(Debug)]
pub struct Assumed {
    pub keys: ExportedKeys,
    /// Whether they were read from the CLI cache rather than asked of STS.
    pub from_cache: bool,
    /// The assumed-role ARN, when known.
    pub arn: Option<String>,
    /// The CLI cache file they are (or were) stored in.
    pub cache_file: Option<std::path::PathBuf>,
}

/// The AssumeRole arguments of one role profile, the CLI's cache key input.
pub fn role_args(config: &AwsConfig, name: &str) -> Option<AssumeRoleArgs> {
    let section = config.profiles.get(name)?;
    let text = |key: &str| section.get(key).filter(|v| !v.is_empty()).map(str::to_owned);
    Some(AssumeRoleArgs {
        role_arn: text("role_arn")?,
        role_session_name: text("role_session_name"),
        external_id: text("external_id"),
        serial_number: text("mfa_serial"),
        duration_seconds: text("duration_seconds").and_then(|d| d.trim().parse().ok()),
    })
}

/// Temporary keys for `target.profile`, an assume-role chain that needs MFA: from an unexpired
/// CLI cache entry, else by assuming each role, with the code on the hop that needs it.
pub fn assume(target: &Target<'_>, options: &Options) -> Result<Assumed> {
    let profile = target.profile;
    let chain = profile.chain.as_ref().filter(|c| !c.roles.is_empty()).ok_or_else(|| {
        anyhow!("profile '{}' assumes no role, so it needs no MFA code", profile.name)
    })?;
    let final_args = role_args(target.config, &profile.name)
        .ok_or_else(|| anyhow!("profile '{}' has no role_arn", profile.name))?;

    // The CLI's cache first: a code is single-use, and asking again annoys.
    let key = cli_cache::assume_role_cache_key(&final_args);
    let dir = target.env.home().map(|home| cli_cache::cache_dir(&home));
    let now = UNIX_EPOCH + Duration::from_secs(target.now);
    if let Some(dir) = &dir
        && let Some(entry) = cli_cache::read_entry(dir, &key, now)
    {
        log::debug!("using the AWS CLI cache entry {key} for profile {}", profile.name);
        let arn = entry.assumed_role_user.as_ref().map(|u| u.arn.clone());
        return Ok(Assumed {
            keys: keys_of(&entry),
            from_cache: true,
            arn,
            cache_file: Some(dir.join(format!("{key}.json"))),
        });
    }

    // The codes are asked for before any call, so that the prompts are not mixed with progress.
    let hops = hops(target.config, chain);
    if hops.iter().all(|h| h.serial.is_none()) {
        bail!("profile '{}' needs no MFA code: no mfa_serial in its chain", profile.name);
    }
    let codes = codes(target.env, &profile.name, &hops, options)?;

    let region = &profile.region.name;
    let endpoint = endpoint::resolve(target.env, target.config, Some(&profile.name), region);
    log::debug!("sts endpoint {} ({})", endpoint.url, endpoint.source);
    let setup = Setup::new(target.location, region, options.timeout);
    let doing = format!("assuming the role of profile {}", profile.name);
    let entry = run(&doing, options.timeout, async {
        let base = base_credentials(&setup, target, &chain.base).await?;
        assume_hops(&setup, &endpoint, base, &hops, &codes, target.now, options.timeout).await
    })?;

    // A failure to cache costs only a second code later; the switch itself goes on.
    let mut cache_file = None;
    if let Some(dir) = &dir {
        match cli_cache::write_entry(dir, &key, &entry) {
            Ok(()) => {
                log::debug!("wrote the AWS CLI cache entry {key}");
                cache_file = Some(dir.join(format!("{key}.json")));
            }
            Err(e) => crate::cmd::warn(&format!(
                "could not write the AWS CLI cache in {}: {e}; the AWS CLI will ask for a code itself",
                dir.display()
            )),
        }
    }
    let arn = entry.assumed_role_user.as_ref().map(|u| u.arn.clone());
    Ok(Assumed { keys: keys_of(&entry), from_cache: false, arn, cache_file })
}

/// One AssumeRole call of a chain.
#[derive(Debug)]
struct Hop {
    profile: String,
    args: AssumeRoleArgs,
    /// The MFA device whose code this call carries.
    serial: Option<String>,
}

/// The calls of a chain in order. The first hop also takes the base profile's `mfa_serial`,
/// as the SDKs do when the keys that sign it carry one.
fn hops(config: &AwsConfig, chain: &SourceChain) -> Vec<Hop> {
    let mut hops: Vec<Hop> = chain
        .roles
        .iter()
        .filter_map(|name| {
            let args = role_args(config, name)?;
            Some(Hop { profile: name.clone(), serial: args.serial_number.clone(), args })
        })
        .collect();
    if let Some(first) = hops.first_mut()
        && first.serial.is_none()
    {
        let base = config.profiles.get(chain.base.profile());
        first.serial = base.and_then(|s| s.get("mfa_serial")).map(str::to_owned);
    }
    hops
}

/// The MFA code of each hop that needs one, in the order of `hops` (`None` where a hop needs
/// none): from the `--mfa-token` flags, one for each such hop; else from a plugin or a prompt
/// on the terminal, hop by hop. AWS takes a code only once, so where two hops share a device
/// the second needs a fresh code: a plugin's repeat is not used and a prompt refuses it.
fn codes(env: &Env, profile: &str, hops: &[Hop], options: &Options) -> Result<Vec<Option<String>>> {
    let needing: Vec<&str> =
        hops.iter().filter(|h| h.serial.is_some()).map(|h| h.profile.as_str()).collect();
    if !options.mfa_tokens.is_empty() {
        if options.mfa_tokens.len() != needing.len() {
            bail!(
                "profile '{profile}' needs {} MFA code(s), one for each role that asks for one ({}), and {} were given: pass --mfa-token once for each, in that order",
                needing.len(),
                needing.join(", "),
                options.mfa_tokens.len()
            );
        }
        let mut given = options.mfa_tokens.iter().map(|code| code.trim().to_owned());
        return Ok(hops.iter().map(|h| h.serial.as_ref().and_then(|_| given.next())).collect());
    }

    let several = needing.len() > 1;
    let mut used: Vec<(&str, String)> = Vec::new();
    let mut codes = Vec::with_capacity(hops.len());
    for hop in hops {
        let Some(serial) = hop.serial.as_deref() else {
            codes.push(None);
            continue;
        };
        let spent: Vec<String> =
            used.iter().filter(|(s, _)| *s == serial).map(|(_, c)| c.clone()).collect();
        let from_plugin = crate::plugins::mfa_code(env, serial).filter(|c| !spent.contains(c));
        let code = match from_plugin {
            Some(code) => {
                log::debug!("the MFA code for {serial} came from a plugin");
                code
            }
            None => {
                let role = several.then_some(hop.profile.as_str());
                ask(profile, serial, role, spent)?
            }
        };
        used.push((serial, code.clone()));
        codes.push(Some(code));
    }
    Ok(codes)
}

/// Asks for one code on the terminal, or refuses clearly when there is none. `role` names the
/// hop when the chain has several; `spent` holds the codes of this device already taken.
fn ask(profile: &str, serial: &str, role: Option<&str>, spent: Vec<String>) -> Result<String> {
    if !std::io::stderr().is_terminal() || std::fs::File::open("/dev/tty").is_err() {
        let how = if role.is_some() {
            "pass --mfa-token CODE once for each role that needs one, in the order they are assumed"
        } else {
            "pass --mfa-token CODE"
        };
        bail!(
            "profile '{profile}' needs an MFA code from {serial}, and there is no terminal to ask on: {how}"
        );
    }
    let label = match role {
        Some(role) if !spent.is_empty() => {
            format!(
                "A new MFA code for {serial} (role of profile {role}; AWS takes each code once):"
            )
        }
        Some(role) => format!("MFA code for {serial} (role of profile {role}):"),
        None => format!("MFA code for {serial}:"),
    };
    let answer = inquire::Text::new(&label)
        .with_validator(move |code: &str| {
            use inquire::validator::Validation;
            Ok(if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
                Validation::Invalid("six digits, please".into())
            } else if spent.iter().any(|c| c == code) {
                Validation::Invalid("this code was just used; wait for the next one".into())
            } else {
                Validation::Valid
            })
        })
        .prompt();
    match answer {
        Ok(code) => Ok(code),
        Err(
            inquire::InquireError::OperationCanceled | inquire::InquireError::OperationInterrupted,
        ) => {
            bail!("no MFA code was given; nothing was changed")
        }
        Err(e) => {
            bail!("could not ask for the MFA code on the terminal: {e}; pass --mfa-token CODE")
        }
    }
}

/// The credentials that sign the first AssumeRole call.
async fn base_credentials(setup: &Setup, target: &Target<'_>, base: &Base) -> Result<Credentials> {
    let config = target.config;
    let section = |name: &str| config.profiles.get(name);
    match base {
        Base::StaticKeys { profile } => {
            let s = section(profile).ok_or_else(|| anyhow!("profile '{profile}' vanished"))?;
            let (id, secret) = (s.get("aws_access_key_id"), s.get("aws_secret_access_key"));
            let (Some(id), Some(secret)) = (id, secret) else {
                bail!("profile '{profile}' lacks aws_access_key_id or aws_secret_access_key");
            };
            let token = s.get("aws_session_token").map(str::to_owned);
            Ok(Credentials::new(id, secret, token, None, "awsuse-profile"))
        }
        Base::NamedSource { profile, source } => {
            let result = match source.as_str() {
                "Environment" => return environment_keys(target, profile),
                "EcsContainer" => {
                    let provider = aws_config::ecs::EcsCredentialsProvider::builder()
                        .configure(&setup.provider_config)
                        .build();
                    provider.provide_credentials().await
                }
                _ => {
                    let provider =
                        aws_config::imds::credentials::ImdsCredentialsProvider::builder()
                            .configure(&setup.provider_config)
                            .build();
                    provider.provide_credentials().await
                }
            };
            result.map_err(|e| anyhow!(error::credentials(&e, config, profile, Some(base))))
        }
        other => {
            let name = other.profile();
            let result = setup.profile_credentials(name).await;
            result.map_err(|e| anyhow!(error::credentials(&e, config, name, Some(base))))
        }
    }
}

/// `credential_source = Environment`: the keys in the environment awsuse was started in.
fn environment_keys(target: &Target<'_>, profile: &str) -> Result<Credentials> {
    let env = target.env;
    let (Some(id), Some(secret)) = (env.get("AWS_ACCESS_KEY_ID"), env.get("AWS_SECRET_ACCESS_KEY"))
    else {
        bail!(
            "profile '{profile}' takes its keys from the environment (credential_source = Environment), but AWS_ACCESS_KEY_ID or AWS_SECRET_ACCESS_KEY is not set"
        );
    };
    let token = env.get("AWS_SESSION_TOKEN").map(str::to_owned);
    Ok(Credentials::new(id, secret, token, None, "awsuse-environment"))
}

async fn assume_hops(
    setup: &Setup,
    endpoint: &StsEndpoint,
    base: Credentials,
    hops: &[Hop],
    codes: &[Option<String>],
    now: u64,
    timeout: Duration,
) -> Result<CachedCredentials> {
    let mut credentials = base;
    let mut last = None;
    for (hop, code) in hops.iter().zip(codes) {
        let client = setup.sts_client(endpoint, credentials);
        let args = &hop.args;
        let session = args.role_session_name.clone().unwrap_or_else(|| format!("awsuse-{now}"));
        let mut request = client
            .assume_role()
            .role_arn(&args.role_arn)
            .role_session_name(session)
            .set_external_id(args.external_id.clone())
            .set_duration_seconds(args.duration_seconds.and_then(|d| i32::try_from(d).ok()));
        if let (Some(serial), Some(code)) = (&hop.serial, code) {
            request = request.serial_number(serial).token_code(code);
        }
        log::debug!("AssumeRole {} for profile {}", args.role_arn, hop.profile);
        let output = request.send().await.map_err(|e| {
            let why = error::call(&e, "AssumeRole", &endpoint.url, timeout);
            anyhow!("could not assume the role of profile '{}': {why}", hop.profile)
        })?;

        let got = output.credentials().context("STS answered AssumeRole without credentials")?;
        let expiration = SystemTime::try_from(*got.expiration()).unwrap_or(UNIX_EPOCH);
        let user = output.assumed_role_user().map(|u| AssumedRoleUser {
            assumed_role_id: u.assumed_role_id().to_owned(),
            arn: u.arn().to_owned(),
        });
        let account_id = user.as_ref().and_then(|u| u.arn.split(':').nth(4)).map(str::to_owned);
        credentials = Credentials::new(
            got.access_key_id(),
            got.secret_access_key(),
            Some(got.session_token().to_owned()),
            Some(expiration),
            "awsuse-assume-role",
        );
        last = Some(CachedCredentials {
            access_key_id: got.access_key_id().to_owned(),
            secret_access_key: got.secret_access_key().to_owned(),
            session_token: got.session_token().to_owned(),
            expiration,
            account_id: account_id.filter(|a| !a.is_empty()),
            assumed_role_user: user,
        });
    }
    last.ok_or_else(|| anyhow!("the chain has no role to assume"))
}

fn keys_of(entry: &CachedCredentials) -> ExportedKeys {
    let expiration = entry.expiration.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    ExportedKeys {
        access_key_id: entry.access_key_id.clone(),
        secret_access_key: entry.secret_access_key.clone(),
        session_token: Some(entry.session_token.clone()),
        expiration: Some(expiration),
    }
}

/// Whether `profile` is a kind awsuse must assume itself.
pub fn needs_mfa(profile: &profile::Profile) -> bool {
    profile.kind == profile::Kind::AssumeRoleMfa
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_args_take_what_the_profile_configures() {
        let config = crate::config::from_strings(
            "[profile r]\nrole_arn = arn:aws:iam::1:role/x\nmfa_serial = arn:aws:iam::1:mfa/u\n\
             duration_seconds = 900\nexternal_id = ext\nsource_profile = base\n",
            "[base]\naws_access_key_id = a\naws_secret_access_key = b\n",
        )
        .unwrap();

        let args = role_args(&config, "r").unwrap();

        assert_eq!(args.duration_seconds, Some(900));
        assert_eq!(args.external_id.as_deref(), Some("ext"));
        assert_eq!(args.serial_number.as_deref(), Some("arn:aws:iam::1:mfa/u"));
        assert_eq!(args.role_session_name, None);
        assert!(role_args(&config, "base").is_none());
    }

    #[test]
    fn the_code_goes_on_the_hop_that_needs_it() {
        let config = crate::config::from_strings(
            "[profile first]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = base\n\
             [profile second]\nrole_arn = arn:aws:iam::2:role/b\nsource_profile = first\n\
             mfa_serial = arn:aws:iam::1:mfa/u\n",
            "[base]\naws_access_key_id = a\naws_secret_access_key = b\n",
        )
        .unwrap();
        let chain = profile::source_chain(&config, "second").unwrap().unwrap();

        let hops = hops(&config, &chain);

        assert_eq!(hops.len(), 2);
        assert_eq!(hops[0].serial, None);
        assert_eq!(hops[1].serial.as_deref(), Some("arn:aws:iam::1:mfa/u"));
    }

    #[test]
    fn given_codes_go_to_the_hops_that_need_one_in_chain_order() {
        let config = crate::config::from_strings(
            "[profile plain]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = base\n\
             [profile guarded]\nrole_arn = arn:aws:iam::2:role/b\nsource_profile = plain\n\
             mfa_serial = arn:aws:iam::1:mfa/u\n\
             [profile top]\nrole_arn = arn:aws:iam::3:role/c\nsource_profile = guarded\n\
             mfa_serial = arn:aws:iam::1:mfa/u\n",
            "[base]\naws_access_key_id = a\naws_secret_access_key = b\n",
        )
        .unwrap();
        let chain = profile::source_chain(&config, "top").unwrap().unwrap();
        let hops = hops(&config, &chain);
        let env = Env::from_pairs(std::iter::empty::<(String, String)>());
        let with = |codes: &[&str]| Options {
            mfa_tokens: codes.iter().map(|c| c.to_string()).collect(),
            ..Options::default()
        };

        let codes = codes(&env, "top", &hops, &with(&["111111", " 222222 "])).unwrap();

        assert_eq!(codes, [None, Some("111111".into()), Some("222222".into())]);
        let error = super::codes(&env, "top", &hops, &with(&["111111"])).unwrap_err();
        let message = error.to_string();
        assert!(message.contains("needs 2 MFA code(s)"), "{message}");
        assert!(
            message.contains("(guarded, top)") && message.contains("1 were given"),
            "{message}"
        );
    }

    #[test]
    fn a_base_serial_applies_to_the_first_hop() {
        let config = crate::config::from_strings(
            "[profile r]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = base\n",
            "[base]\naws_access_key_id = a\naws_secret_access_key = b\nmfa_serial = arn:aws:iam::1:mfa/u\n",
        )
        .unwrap();
        let chain = profile::source_chain(&config, "r").unwrap().unwrap();

        assert_eq!(hops(&config, &chain)[0].serial.as_deref(), Some("arn:aws:iam::1:mfa/u"));
    }
}
