//! `awsuse create`: the "create credentials profile" flow.
//!
//! With a terminal it asks its questions (or opens the credentials file in the user's editor);
//! without one it takes flags and the secret on standard input. Either way the new profile is
//! checked against both files first, then appended with [`crate::config::write`], so existing
//! bytes never change, and the switch that may follow is the one `awsuse use` makes.

use std::io::{self, IsTerminal, Read};
use std::os::fd::AsFd;
use std::process::{Command, Stdio};

use anyhow::{Context as _, Result, anyhow, bail};
use inquire::validator::Validation;
use inquire::{Confirm, InquireError, Password, PasswordDisplayMode, Select, Text};

use super::{Context, SilentExit, use_profile};
use crate::cli::{CreateArgs, StsArgs, UseArgs};
use crate::config::write::{self, NewSection};
use crate::config::{self, AwsConfig, FileKind, Location};
use crate::sts;
use crate::switch::ExportedKeys;

/// The longest secret read from standard input; a real one is 40 characters.
const MAX_SECRET: u64 = 4096;

/// A secret access key, never shown by `Debug`.
pub struct Secret(String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// Everything the new profile is made of.
#[derive(Debug)]
pub struct NewProfile {
    pub name: String,
    pub access_key_id: String,
    pub secret: Secret,
    pub region: Option<String>,
}

/// What to do once the profile is written.
struct Plan {
    profile: NewProfile,
    validate: bool,
    switch: bool,
}

pub fn run(ctx: &Context, args: &CreateArgs, out: &mut dyn io::Write) -> Result<()> {
    let (location, config) = ctx.load()?;

    // Any flag means a script is talking; questions need a person at a terminal.
    let scripted =
        args.name.is_some() || args.access_key_id.is_some() || args.secret_access_key_stdin;
    let terminal = io::stdin().is_terminal() && io::stderr().is_terminal();
    let plan = if scripted || !terminal {
        let stdin = io::stdin();
        let secret = || read_secret(args, stdin.is_terminal(), &mut stdin.lock());
        Plan {
            profile: from_flags(args, config, secret)?,
            validate: !args.no_validate,
            switch: args.switch,
        }
    } else {
        match interview(ctx, args, &location, config)? {
            Some(plan) => plan,
            None => return Ok(()),
        }
    };

    if plan.validate {
        validate_with_sts(ctx, &plan.profile)?;
    }
    write_profile(&location, &plan.profile)?;
    let name = &plan.profile.name;
    crate::say!("awsuse: profile '{name}' added to {}", location.credentials.display());

    // The same path as `awsuse use`, reading the files just written.
    if !plan.switch {
        crate::say!("awsuse: switch to it with: awsuse use {name}");
        return Ok(());
    }
    let args = UseArgs {
        name: name.clone(),
        region: None,
        shell: args.shell.clone(),
        sts: StsArgs::default(),
    };
    use_profile::run(ctx, &args, out)
}

/// Whether the interview offers the STS check.
const STS_CHECK_AVAILABLE: bool = true;

/// Asks STS whose keys these are before they are written, so that a typo is caught while the
/// user is still there. The call goes to the STS endpoint of the profile's region.
fn validate_with_sts(ctx: &Context, profile: &NewProfile) -> Result<()> {
    let (location, config) = ctx.load()?;
    let region = profile.region.as_deref().unwrap_or(crate::profile::DEFAULT_REGION);
    let keys = ExportedKeys {
        access_key_id: profile.access_key_id.clone(),
        secret_access_key: profile.secret.0.clone(),
        session_token: None,
        expiration: None,
    };
    let options = StsArgs::default().options();
    let identity = sts::validate_keys(&ctx.env, config, &location, None, region, &keys, &options)
        .map_err(|error| {
        error.context(format!(
            "the keys for '{}' were not written; check them, or add --no-validate",
            profile.name
        ))
    })?;
    crate::say!("awsuse: the keys belong to account {}, {}", identity.account_id, identity.arn);
    Ok(())
}

/// The profile from `--name`, `--access-key-id`, `--region` and the secret read from stdin
/// (only once the flags are right, so that a mistake there is not hidden by a consumed pipe).
fn from_flags(
    args: &CreateArgs,
    config: &AwsConfig,
    secret: impl FnOnce() -> Result<Secret>,
) -> Result<NewProfile> {
    let missing = |flag: &str| {
        anyhow!(
            "{flag} is needed when awsuse create cannot ask (no terminal, or other flags given); \
             see awsuse create --help"
        )
    };
    let name = args.name.clone().ok_or_else(|| missing("--name"))?;
    check_name(&name, config).map_err(|e| anyhow!("--name: {e}"))?;
    let access_key_id =
        args.access_key_id.as_deref().ok_or_else(|| missing("--access-key-id"))?.trim();
    check_access_key_id(access_key_id).map_err(|e| anyhow!("--access-key-id: {e}"))?;
    if let Some(region) = &args.region {
        check_region(region).map_err(|e| anyhow!("--region: {e}"))?;
    }
    Ok(NewProfile {
        name,
        access_key_id: access_key_id.to_owned(),
        secret: secret()?,
        region: args.region.clone(),
    })
}

/// The secret from standard input: one line, its line ending removed.
fn read_secret(args: &CreateArgs, stdin_is_terminal: bool, stdin: &mut dyn Read) -> Result<Secret> {
    if !args.secret_access_key_stdin {
        bail!(
            "give the secret access key on standard input with --secret-access-key-stdin \
             (it is never read from the command line or the environment)"
        );
    }
    if stdin_is_terminal {
        bail!(
            "--secret-access-key-stdin reads a pipe, and standard input is a terminal: pipe the \
             secret in, or run awsuse create without flags to be asked for it"
        );
    }
    let mut text = String::new();
    stdin
        .take(MAX_SECRET)
        .read_to_string(&mut text)
        .context("could not read the secret access key from standard input as UTF-8 text")?;
    let line = text.strip_suffix('\n').unwrap_or(&text);
    let line = line.strip_suffix('\r').unwrap_or(line);
    check_secret(line).map_err(|e| anyhow!("{e} (read from standard input)"))?;
    Ok(Secret(line.to_owned()))
}

/// The questions, with a terminal. `None` when the user chose the editor instead.
fn interview(
    ctx: &Context,
    args: &CreateArgs,
    location: &Location,
    config: &AwsConfig,
) -> Result<Option<Plan>> {
    let credentials = &location.credentials;
    if credentials.exists() {
        let add = "Add a profile to it";
        let prompt = format!("{} exists. What would you like to do?", credentials.display());
        let choice = answer(Select::new(&prompt, vec![add, "Open it in my editor"]).prompt())?;
        if choice != add {
            edit(ctx, location)?;
            return Ok(None);
        }
    }

    let name = answer(
        Text::new("Profile name:")
            .with_default("default")
            .with_validator(|text: &str| Ok(validation(check_name(text, config))))
            .prompt(),
    )?;
    let access_key_id = answer(
        Text::new("Access key ID:")
            .with_help_message("20 characters, starting with AKIA")
            .with_validator(|text: &str| Ok(validation(check_access_key_id(text.trim()))))
            .prompt(),
    )?;
    let secret = answer(
        Password::new("Secret access key:")
            .without_confirmation()
            .with_display_mode(PasswordDisplayMode::Hidden)
            .with_help_message("hidden while you type or paste it")
            .with_validator(|text: &str| Ok(validation(check_secret(text))))
            .prompt(),
    )?;
    let region = answer(
        Text::new("Region (optional):")
            .with_help_message("for example eu-west-1; empty means us-east-1")
            .with_validator(|text: &str| {
                Ok(validation(if text.trim().is_empty() {
                    Ok(())
                } else {
                    check_region(text.trim())
                }))
            })
            .prompt(),
    )?;

    let validate = !args.no_validate
        && STS_CHECK_AVAILABLE
        && answer(Confirm::new("Check the keys with AWS STS now?").with_default(true).prompt())?;
    // Shell code on a terminal would only be shown, not applied: no point in asking.
    let switch = args.switch
        || (!ctx.stdout_is_terminal
            && answer(
                Confirm::new(&format!("Switch this shell to profile '{name}'?"))
                    .with_default(true)
                    .prompt(),
            )?);
    let region = Some(region.trim().to_owned()).filter(|r| !r.is_empty());
    let profile = NewProfile {
        name,
        access_key_id: access_key_id.trim().to_owned(),
        secret: Secret(secret),
        region,
    };
    Ok(Some(Plan { profile, validate, switch }))
}

/// An answer, or a quiet exit when the user cancelled with Escape or Ctrl-C.
fn answer<T>(result: Result<T, InquireError>) -> Result<T> {
    match result {
        Ok(value) => Ok(value),
        Err(InquireError::OperationCanceled | InquireError::OperationInterrupted) => {
            crate::say!("awsuse: cancelled; nothing was written");
            Err(SilentExit(130).into())
        }
        Err(error) => Err(error).context("could not ask on the terminal"),
    }
}

fn validation(check: Result<(), String>) -> Validation {
    match check {
        Ok(()) => Validation::Valid,
        Err(message) => Validation::Invalid(message.into()),
    }
}

/// Opens the credentials file in `$VISUAL` or `$EDITOR`, after a word on its format, and says
/// whether the file still reads correctly afterwards.
fn edit(ctx: &Context, location: &Location) -> Result<()> {
    let editor = ctx.env.get("VISUAL").or_else(|| ctx.env.get("EDITOR")).ok_or_else(|| {
        anyhow!("set VISUAL or EDITOR to your editor (for example EDITOR=nano), or choose to add a profile")
    })?;
    crate::say!("{}", format_guide(location));

    // The editor needs the terminal; standard output may be captured by `eval "$(...)"`.
    let terminal =
        io::stderr().as_fd().try_clone_to_owned().context("could not reach the terminal")?;
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(&location.credentials)
        .stdout(Stdio::from(terminal))
        .status()
        .with_context(|| {
            format!("could not start the editor '{editor}' (check VISUAL or EDITOR)")
        })?;
    if !status.success() {
        bail!("the editor '{editor}' failed ({status}); check VISUAL or EDITOR");
    }

    // A broken file breaks every AWS tool, so say so while the user is still here.
    config::load(location).map_err(|error| {
        anyhow!(
            "{error}\nthe AWS tools cannot read the file now: run awsuse create again to fix it"
        )
    })?;
    crate::say!("awsuse: {} reads correctly", location.credentials.display());
    Ok(())
}

fn format_guide(location: &Location) -> String {
    format!(
        "The credentials file holds one section a profile, a name in brackets and two keys:\n\
         \n  [NAME]\n  aws_access_key_id = AKIA...\n  aws_secret_access_key = ...\n\n\
         A line that starts with # or ; is a comment; never put a comment after a value on the \
         same line.\nThe region goes in the config file ({}), under [profile NAME] (or \
         [default] for the default profile):\n\n  [profile NAME]\n  region = eu-west-1\n\n\
         Save and close the editor to come back.",
        location.config.display()
    )
}

/// Adds the profile: keys to the credentials file, then the region to the config file. When
/// the second write fails, the first is undone, so the user can simply try again.
fn write_profile(location: &Location, profile: &NewProfile) -> Result<()> {
    // The files may have changed while the questions were asked.
    let config = config::load(location)?;
    check_name(&profile.name, &config).map_err(|e| anyhow!("{e}; nothing was written"))?;

    let keys = NewSection::profile(
        FileKind::Credentials,
        &profile.name,
        vec![
            ("aws_access_key_id".to_owned(), profile.access_key_id.clone()),
            ("aws_secret_access_key".to_owned(), profile.secret.0.clone()),
        ],
    );
    let previous = write::append_to_file(&location.credentials, &keys)?;
    let Some(region) = &profile.region else { return Ok(()) };

    let settings = NewSection::profile(
        FileKind::Config,
        &profile.name,
        vec![("region".to_owned(), region.clone())],
    );
    if let Err(error) = write::append_to_file(&location.config, &settings) {
        return Err(match write::restore(&location.credentials, &previous, &keys) {
            Ok(()) => error.context("nothing was written"),
            Err(undo) => error.context(format!(
                "the new profile is in {} but its region is not: {undo:#}",
                location.credentials.display()
            )),
        });
    }
    Ok(())
}

/// Characters the AWS SDKs accept in a profile name.
fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_-/.%@:+".contains(c)
}

/// A name the SDKs read, that configparser does not treat specially, and that is new in both
/// files (a second section of the same name makes the AWS CLI fail on every command).
pub fn check_name(name: &str, config: &AwsConfig) -> Result<(), String> {
    if name.is_empty() {
        return Err("a profile needs a name".into());
    }
    if let Some(bad) = name.chars().find(|&c| !is_name_char(c)) {
        return Err(format!(
            "{bad:?} cannot be in a profile name: use letters, digits and _ - / . % @ : +"
        ));
    }
    if name == "DEFAULT" {
        return Err("the AWS CLI reads a section named DEFAULT as defaults for every profile: \
                    choose another name"
            .into());
    }
    let existing = config.profiles.get(name).map(|s| (s.file, s.line)).or_else(|| {
        config.ignored.iter().find(|i| i.name.as_deref() == Some(name)).map(|i| (i.file, i.line))
    });
    if let Some((file, line)) = existing {
        return Err(format!(
            "a profile named '{name}' already exists (the {} file, line {line}): choose another \
             name, or edit that profile in the file",
            file.as_str()
        ));
    }
    Ok(())
}

/// The shape of an access key ID: a four-letter prefix (AKIA for long-term keys, ASIA for
/// temporary ones) and 16 capital letters or digits.
pub fn check_access_key_id(id: &str) -> Result<(), String> {
    let shaped = id.len() == 20
        && (id.starts_with("AKIA") || id.starts_with("ASIA"))
        && id.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if shaped {
        return Ok(());
    }
    Err("an access key ID is AKIA (or ASIA) followed by 16 capital letters or digits, 20 \
         characters in all: copy it again from the IAM console"
        .into())
}

/// A secret that survives the file format: not empty, no spaces or control characters.
pub fn check_secret(secret: &str) -> Result<(), String> {
    if secret.is_empty() {
        return Err("the secret access key is empty".into());
    }
    if secret.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(
            "the secret access key contains spaces or control characters: copy it again".into()
        );
    }
    Ok(())
}

/// The shape of a region name: lowercase words and digits joined by hyphens, like eu-west-1.
pub fn check_region(region: &str) -> Result<(), String> {
    let shaped = region.split('-').count() >= 2
        && region.split('-').all(|part| {
            !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
    if shaped {
        return Ok(());
    }
    Err(format!("'{}' is not a region name; a region looks like eu-west-1", region.escape_debug()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(config: &str, credentials: &str) -> AwsConfig {
        config::from_strings(config, credentials).unwrap()
    }

    #[test]
    fn names_must_be_new_in_either_file_and_readable_by_the_sdks() {
        let config = files("[profile a]\nregion = x\n[profile b c]\n", "[k]\nx = 1\n");
        assert!(check_name("fresh-1/x.y@z:w+%", &config).is_ok());
        assert!(check_name("a", &config).unwrap_err().contains("config file, line 1"));
        assert!(check_name("k", &config).unwrap_err().contains("credentials file, line 1"));
        assert!(check_name("b c", &config).unwrap_err().contains("' '"));
        assert!(check_name("", &config).is_err());
        assert!(check_name("DEFAULT", &config).unwrap_err().contains("DEFAULT"));
        assert!(check_name("x]y", &config).is_err());
    }

    #[test]
    fn a_shadowed_default_still_counts_as_taken() {
        let config = files("[default]\nregion = a\n[profile default]\n", "");
        assert!(check_name("default", &config).is_err());
    }

    #[test]
    fn access_key_ids_have_the_aws_shape() {
        assert!(check_access_key_id("AKIAIOSFODNN7EXAMPLE").is_ok());
        assert!(check_access_key_id("ASIAIOSFODNN7EXAMPLE").is_ok());
        for bad in ["AKIAIOSFODNN7EXAMPL", "AKIAIOSFODNN7EXAMPLEX", "akiaiosfodnn7example"] {
            assert!(check_access_key_id(bad).is_err(), "{bad}");
        }
        assert!(check_access_key_id("AROAIOSFODNN7EXAMPLE").is_err());
        assert!(check_access_key_id("AKIAIOSFODNN7EXAMP-E").is_err());
    }

    #[test]
    fn secrets_and_regions_are_checked() {
        assert!(check_secret("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY").is_ok());
        assert!(check_secret("").is_err());
        assert!(check_secret("with space").is_err());
        assert!(check_secret("tab\there").is_err());
        assert!(check_region("eu-west-1").is_ok());
        assert!(check_region("us-gov-west-1").is_ok());
        for bad in ["", "eu", "EU-west-1", "eu--west-1", "eu-west-1 # c", "-eu-1"] {
            assert!(check_region(bad).is_err(), "{bad}");
        }
    }

    fn args(stdin_flag: bool) -> CreateArgs {
        CreateArgs {
            name: Some("dev".into()),
            access_key_id: Some("AKIAIOSFODNN7EXAMPLE".into()),
            secret_access_key_stdin: stdin_flag,
            region: None,
            no_validate: true,
            switch: false,
            shell: Default::default(),
        }
    }

    #[test]
    fn the_secret_comes_from_a_pipe_without_its_line_ending() {
        let secret = read_secret(&args(true), false, &mut &b"abc/DEF+1\r\n"[..]).unwrap();
        assert_eq!(secret.0, "abc/DEF+1");
        assert_eq!(format!("{secret:?}"), "Secret(..)");
        assert!(read_secret(&args(false), false, &mut &b"abc"[..]).is_err());
        assert!(read_secret(&args(true), true, &mut &b"abc"[..]).is_err());
        assert!(read_secret(&args(true), false, &mut &b"a b\n"[..]).is_err());
    }
}
