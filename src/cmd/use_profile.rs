//! `awsuse use NAME`: switch without a picker.

use std::io::Write;

use anyhow::{Result, bail};

use super::{Context, emit, warn};
use crate::cli::{ShellArgs, StsArgs, UseArgs};
use crate::config::{AwsConfig, Location, Section};
use crate::plugins;
use crate::profile::{self, Kind, Profile, Region, RegionSource};
use crate::state::Identity;
use crate::sts;
use crate::switch::{self, ExplicitFiles, ExportedKeys};

pub fn run(ctx: &Context, args: &UseArgs, out: &mut dyn Write) -> Result<()> {
    switch(ctx, &args.name, args.region.as_deref(), &args.shell, &args.sts, out)
}

/// Switches to profile `name` as `awsuse use` does; `awsuse choose` ends here too, so that
/// both commands print the same code and record the same use.
pub fn switch(
    ctx: &Context,
    name: &str,
    region: Option<&str>,
    shell_args: &ShellArgs,
    sts_args: &StsArgs,
    out: &mut dyn Write,
) -> Result<()> {
    let (location, config) = ctx.load()?;
    if !config.profiles.contains_key(name)
        && use_plugin_profile(ctx, config, name, region, shell_args, out)?
    {
        return Ok(());
    }
    let section = find(config, &location, name)?;

    // A profile that cannot work is refused before anything is printed.
    let profile = profile::analyse(config, &section.name, region);
    if let Some(problem) = profile.problems.first() {
        bail!(
            "profile '{}' ({}) cannot be used: {problem}\nfix the profile in the file, or run `awsuse list` to see all problems",
            section.name.escape_debug(),
            place(&location, section)
        );
    }
    log::debug!(
        "profile {} is {}, region {} from {}",
        profile.name,
        profile.kind,
        profile.region.name,
        profile.region.source
    );

    let shell = ctx.shell(shell_args);
    let options = sts_args.options();
    let target =
        sts::Target { env: &ctx.env, config, location: &location, profile: &profile, now: ctx.now };

    // Roles that need MFA cannot work through AWS_PROFILE for every tool: export their keys.
    let mut changes = if sts::mfa::needs_mfa(&profile) {
        // Keys are never printed on a terminal, so a code would be spent for nothing.
        if ctx.stdout_is_terminal {
            emit(ctx, out, "", shell)?;
            return Ok(());
        }
        let assumed = sts::mfa::assume(&target, &options)?;
        if assumed.from_cache {
            crate::say!("awsuse: reusing the AWS CLI's cached credentials for '{}'", profile.name);
        }
        if sts_args.validate {
            let identity = sts::validate_keys(
                &ctx.env,
                config,
                &location,
                Some(&profile.name),
                &profile.region.name,
                &assumed.keys,
                &options,
            )?;
            report_identity(ctx, &profile.name, identity);
        }
        switch::to_keys(&ctx.env, &profile, &assumed.keys)
    } else {
        if !sts_args.mfa_token.is_empty() {
            warn(&format!("profile '{}' needs no MFA code; --mfa-token is ignored", profile.name));
        }
        if sts_args.validate {
            let identity = sts::validate_profile(&target, &options)?;
            report_identity(ctx, &profile.name, identity);
        }
        let explicit = ExplicitFiles {
            config: ctx.files.config_file.is_some(),
            credentials: ctx.files.credentials_file.is_some(),
        };
        switch::to_profile(&ctx.env, &profile, &location, &explicit)
    };
    add_plugin_variables(ctx, &profile.name, &mut changes);
    let code = changes.script(shell)?;

    // Only a switch that reached a shell counts as a use.
    if emit(ctx, out, &code, shell)? {
        ctx.record(|store, now| store.record_use(&profile.name, now));
    }
    Ok(())
}

/// Switches to a profile a plugin gives, exporting its keys. Returns `false` when no plugin
/// has a profile of that name.
fn use_plugin_profile(
    ctx: &Context,
    config: &AwsConfig,
    name: &str,
    region: Option<&str>,
    shell_args: &ShellArgs,
    out: &mut dyn Write,
) -> Result<bool> {
    let host = plugins::Host::load(&ctx.env);
    let found = host.profiles(&|name| config.profiles.contains_key(name));
    let Some(wanted) = found.into_iter().find(|p| p.name == name) else {
        host.report();
        return Ok(false);
    };
    let keys = host.credentials(&wanted.plugin, &wanted.name);
    let extra = host.after_switch(&wanted.name);
    host.report();
    let keys = keys?;

    let region = match (region, &wanted.region) {
        (Some(flag), _) => Region { name: flag.to_owned(), source: RegionSource::Flag },
        (None, Some(own)) => Region { name: own.clone(), source: RegionSource::Profile },
        (None, None) => {
            Region { name: profile::DEFAULT_REGION.to_owned(), source: RegionSource::Default }
        }
    };
    // The kind only matters for profiles of the AWS files; a plugin profile is its keys.
    let profile = Profile {
        name: wanted.name.clone(),
        kind: Kind::StaticKeys,
        region,
        chain: None,
        problems: Vec::new(),
    };
    log::debug!(
        "profile {} from {}, region {}",
        profile.name,
        wanted.source(),
        profile.region.name
    );

    let exported = ExportedKeys {
        access_key_id: keys.access_key_id,
        secret_access_key: keys.secret_access_key,
        session_token: keys.session_token,
        expiration: keys.expiration,
    };
    let mut changes = switch::to_keys(&ctx.env, &profile, &exported);
    plugins::apply(&mut changes, &extra);
    let shell = ctx.shell(shell_args);
    let code = changes.script(shell)?;

    if emit(ctx, out, &code, shell)? {
        ctx.record(|store, now| store.record_use(&profile.name, now));
    }
    Ok(true)
}

/// Adds the variables plugins set after a switch to a profile of the AWS files.
fn add_plugin_variables(ctx: &Context, name: &str, changes: &mut switch::Changes) {
    if !plugins::enabled(&ctx.env) {
        return;
    }
    let host = plugins::Host::load(&ctx.env);
    let extra = host.after_switch(name);
    host.report();
    plugins::apply(changes, &extra);
}

/// Says who STS found on standard error and remembers it for the picker. Secrets never
/// reach this point: an identity is an account and an ARN.
pub fn report_identity(ctx: &Context, profile: &str, identity: Identity) {
    crate::say!(
        "awsuse: '{}' is account {}, {} (partition {})",
        profile.escape_debug(),
        identity.account_id,
        identity.arn,
        identity.partition
    );
    ctx.record(|store, now| store.record_identity(profile, identity, now));
}

/// `PATH line N` of a section.
pub fn place(location: &Location, section: &Section) -> String {
    format!("{} line {}", location.path(section.file).display(), section.line)
}

/// The profile called `name`, or an error that says why there is none and what is close.
pub fn find<'a>(config: &'a AwsConfig, location: &Location, name: &str) -> Result<&'a Section> {
    if let Some(section) = config.profiles.get(name) {
        return Ok(section);
    }
    let shown = name.escape_debug();

    // A section the SDKs skip deserves its reason rather than "unknown".
    if let Some(ignored) = config.ignored.iter().find(|i| i.name.as_deref() == Some(name)) {
        bail!(
            "profile '{shown}' at {} line {} is not a profile for the AWS SDKs: {}",
            location.path(ignored.file).display(),
            ignored.line,
            ignored.reason
        );
    }
    if config.profiles.is_empty() {
        bail!(
            "there are no profiles in {} or {}\ncreate one with `awsuse create`, or set AWS_CONFIG_FILE",
            location.config.display(),
            location.credentials.display()
        );
    }

    let close = suggestions(config.profiles.keys(), name);
    let hint = if close.is_empty() {
        "run `awsuse list` to see every profile".to_owned()
    } else {
        format!(
            "did you mean {}?",
            close.iter().map(|n| format!("'{n}'")).collect::<Vec<_>>().join(", ")
        )
    };
    bail!(
        "no profile named '{shown}' in {} or {}\n{hint}",
        location.config.display(),
        location.credentials.display()
    )
}

/// Up to three names close to `wanted`, best first.
fn suggestions<'a>(names: impl Iterator<Item = &'a str>, wanted: &str) -> Vec<&'a str> {
    let wanted_lower = wanted.to_lowercase();
    let mut scored: Vec<(f64, &str)> = names
        .filter_map(|name| {
            let lower = name.to_lowercase();
            let mut score = strsim::jaro_winkler(&lower, &wanted_lower);
            if !wanted_lower.is_empty() && lower.contains(&wanted_lower) {
                score = score.max(0.9);
            }
            (score >= 0.8).then_some((score, name))
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored.into_iter().take(3).map(|(_, name)| name).collect()
}

#[cfg(test)]
mod tests {
    use super::suggestions;

    #[test]
    fn suggests_close_names_best_first() {
        let names = ["production", "prod-admin", "staging", "dev"];
        let found = suggestions(names.into_iter(), "prod");
        assert_eq!(found.first(), Some(&"prod-admin"));
        assert!(found.contains(&"production"));
        assert!(!found.contains(&"dev"));
        assert!(suggestions(names.into_iter(), "zzzzzz").is_empty());
    }
}
