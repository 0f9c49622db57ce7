//! `awsuse prompt`: the prompt segment, from the environment alone.
//!
//! The shell integration's `__awsuse_prompt` renders the same text without a process; both
//! follow [`segment`], and a test holds them to it.

use std::io::Write;

use anyhow::Result;

use super::Context;
use crate::env::Env;

/// The segment for `env` at `now` (Unix seconds): `PROFILE@REGION [MARK] Nm`, where the region,
/// the partition mark (outside `aws`) and the minutes left each appear only when known. Empty
/// when no profile is active.
pub fn segment(env: &Env, now: u64) -> String {
    // The variable the AWS tools read wins; awsuse's own marker names exported keys.
    let Some(profile) = env.get("AWS_PROFILE").or_else(|| env.get("AWSUSE_PROFILE")) else {
        return String::new();
    };
    let mut text = profile.to_owned();

    if let Some(region) = env.get("AWS_REGION").or_else(|| env.get("AWS_DEFAULT_REGION")) {
        text.push('@');
        text.push_str(region);
    }
    if let Some(mark) = env.get("AWSUSE_PARTITION").and_then(mark_of) {
        text.push_str(&format!(" [{mark}]"));
    }

    // The epoch awsuse exports beside the ISO time spares the shells a date parser.
    let expires = env
        .get("AWSUSE_EXPIRES")
        .and_then(|s| s.parse::<i64>().ok())
        .or_else(|| env.get("AWS_CREDENTIAL_EXPIRATION").and_then(crate::time::parse_rfc3339));
    if let Some(at) = expires {
        let left = at - now as i64;
        if left > 0 {
            text.push_str(&format!(" {}m", left / 60));
        } else {
            text.push_str(" expired");
        }
    }
    text
}

/// The prompt mark of a partition id, spelled the way the shell functions spell it so that
/// they need no table: `aws` has none, `aws-us-gov` is `gov`, others lose `aws-` and dashes.
pub fn mark_of(id: &str) -> Option<String> {
    match id {
        "aws" => None,
        "aws-us-gov" => Some("gov".to_owned()),
        other => Some(other.strip_prefix("aws-").unwrap_or(other).replace('-', "")),
    }
}

pub fn run(ctx: &Context, out: &mut dyn Write) -> Result<()> {
    let text = segment(&ctx.env, ctx.now);
    out.write_all(text.as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::partition;

    #[test]
    fn empty_when_nothing_is_active() {
        let env = Env::from_pairs([("AWS_REGION", "eu-west-1")]);
        assert_eq!(segment(&env, 0), "");
    }

    #[test]
    fn profile_region_mark_and_minutes() {
        let env = Env::from_pairs([
            ("AWSUSE_PROFILE", "china"),
            ("AWS_REGION", "cn-north-1"),
            ("AWSUSE_PARTITION", "aws-cn"),
            ("AWSUSE_EXPIRES", "10000"),
        ]);
        assert_eq!(segment(&env, 10000 - 42 * 60 - 5), "china@cn-north-1 [cn] 42m");
        assert_eq!(segment(&env, 10001), "china@cn-north-1 [cn] expired");
    }

    #[test]
    fn commercial_partition_has_no_mark_and_aws_profile_wins() {
        let env = Env::from_pairs([
            ("AWS_PROFILE", "dev"),
            ("AWSUSE_PROFILE", "old"),
            ("AWS_DEFAULT_REGION", "us-east-2"),
            ("AWSUSE_PARTITION", "aws"),
        ]);
        assert_eq!(segment(&env, 0), "dev@us-east-2");
    }

    #[test]
    fn iso_expiry_is_read_when_no_epoch_is_exported() {
        let env = Env::from_pairs([
            ("AWS_PROFILE", "p"),
            ("AWS_CREDENTIAL_EXPIRATION", "1970-01-01T01:00:00Z"),
        ]);
        assert_eq!(segment(&env, 0), "p 60m");
    }

    #[test]
    fn shell_spelling_of_marks_agrees_with_the_partition_data() {
        let regions = [
            "us-east-1",
            "cn-north-1",
            "us-gov-west-1",
            "us-iso-east-1",
            "us-isob-east-1",
            "eu-isoe-west-1",
            "us-isof-south-1",
            "eusc-de-east-1",
        ];
        for region in regions {
            let partition = partition::resolve(region);
            assert_eq!(mark_of(partition.id).as_deref(), partition.mark(), "{region}");
        }
    }
}
