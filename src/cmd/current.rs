//! `awsuse current`: what the shell uses now, from its environment alone.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use std::time::Duration;

use super::use_profile::{find, report_identity};
use super::{Context, SilentExit};
use crate::cli::CurrentArgs;
use crate::env::Env;
use crate::profile;
use crate::sts;
use crate::switch::ExportedKeys;

/// The AWS identity settings of an environment, as the AWS CLI would pick them.
#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct Current {
    pub profile: Option<String>,
    /// Which variable named the profile.
    pub profile_variable: Option<&'static str>,
    pub region: Option<String>,
    pub partition: Option<String>,
    /// Whether keys in the environment are used rather than a profile.
    pub environment_keys: bool,
    pub expiration: Option<String>,
    /// Minutes until `expiration`, negative once it has passed.
    pub minutes_left: Option<i64>,
    /// Whether awsuse made the last switch (`AWSUSE_PROFILE` agrees with what is active).
    pub switched_by_awsuse: bool,
}

impl Current {
    pub fn from_env(env: &Env, now: u64) -> Self {
        let (profile, profile_variable) = ["AWS_PROFILE", "AWS_DEFAULT_PROFILE"]
            .into_iter()
            .find_map(|var| env.get(var).map(|v| (Some(v.to_owned()), Some(var))))
            .unwrap_or_default();
        let environment_keys = env.get("AWS_ACCESS_KEY_ID").is_some();
        let awsuse = env.get("AWSUSE_PROFILE");
        let switched_by_awsuse =
            awsuse.is_some() && (environment_keys || awsuse == profile.as_deref());
        let expiration = env.get("AWS_CREDENTIAL_EXPIRATION").map(str::to_owned);
        let minutes_left = expiration
            .as_deref()
            .and_then(crate::time::parse_rfc3339)
            .map(|at| (at - now as i64).div_euclid(60));
        Self {
            profile,
            profile_variable,
            region: env
                .get("AWS_REGION")
                .or_else(|| env.get("AWS_DEFAULT_REGION"))
                .map(str::to_owned),
            partition: env.get("AWSUSE_PARTITION").map(str::to_owned),
            environment_keys,
            expiration,
            minutes_left,
            switched_by_awsuse,
        }
    }

    pub fn is_active(&self) -> bool {
        self.profile.is_some() || self.environment_keys
    }
}

pub fn run(ctx: &Context, args: &CurrentArgs, out: &mut dyn Write) -> Result<()> {
    let current = Current::from_env(&ctx.env, ctx.now);
    if args.validate && current.is_active() {
        validate(ctx, args, &current)?;
    }
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &current)?;
        writeln!(out)?;
        return Ok(());
    }
    if !current.is_active() {
        crate::say!(
            "awsuse: no AWS profile or keys are active in this shell; switch with `awsuse use NAME`"
        );
        return Err(SilentExit(1).into());
    }

    let profile = match (&current.profile, current.environment_keys) {
        (_, true) => format!(
            "keys from the environment ({})",
            ctx.env.get("AWSUSE_PROFILE").unwrap_or("not set by awsuse")
        ),
        (Some(name), false) => name.clone(),
        (None, false) => unreachable!("is_active checked"),
    };
    writeln!(out, "profile:    {profile}")?;
    writeln!(
        out,
        "region:     {}",
        current.region.as_deref().unwrap_or("(none: the profile's own, else us-east-1)")
    )?;
    if let Some(partition) = &current.partition {
        writeln!(out, "partition:  {partition}")?;
    }
    if let (Some(at), Some(minutes)) = (&current.expiration, current.minutes_left) {
        let left = if minutes < 0 { "expired".to_owned() } else { format!("{minutes} min left") };
        writeln!(out, "expires:    {at} ({left})")?;
    }
    if let Some(var) = current.profile_variable.filter(|v| *v != "AWS_PROFILE") {
        writeln!(out, "note:       the profile comes from {var}, which only some tools read")?;
    }
    Ok(())
}

/// Asks STS who this shell's credentials belong to: its exported keys, else its profile.
fn validate(ctx: &Context, args: &CurrentArgs, current: &Current) -> Result<()> {
    let seconds = if args.timeout.is_finite() && args.timeout > 0.0 { args.timeout } else { 15.0 };
    let options =
        sts::Options { timeout: Duration::from_secs_f64(seconds), mfa_tokens: Vec::new() };
    let (location, config) = ctx.load()?;
    let label = ctx.env.get("AWSUSE_PROFILE").map(str::to_owned).or(current.profile.clone());

    let identity = if current.environment_keys {
        let keys = ExportedKeys {
            access_key_id: ctx.env.get("AWS_ACCESS_KEY_ID").unwrap_or_default().to_owned(),
            secret_access_key: ctx.env.get("AWS_SECRET_ACCESS_KEY").unwrap_or_default().to_owned(),
            session_token: ctx.env.get("AWS_SESSION_TOKEN").map(str::to_owned),
            expiration: None,
        };
        let region = current.region.as_deref().unwrap_or(profile::DEFAULT_REGION);
        sts::validate_keys(&ctx.env, config, &location, None, region, &keys, &options)?
    } else {
        let name = current.profile.as_deref().unwrap_or_default();
        find(config, &location, name)?;
        let profile = profile::analyse(config, name, current.region.as_deref());
        let target = sts::Target {
            env: &ctx.env,
            config,
            location: &location,
            profile: &profile,
            now: ctx.now,
        };
        sts::validate_profile(&target, &options)?
    };
    match label {
        Some(label) => report_identity(ctx, &label, identity),
        None => crate::say!("awsuse: account {}, {}", identity.account_id, identity.arn),
    }
    Ok(())
}
