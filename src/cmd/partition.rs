//! `awsuse partition REGION`: what the partitions data says about a region.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use super::Context;
use crate::cli::PartitionArgs;
use crate::env::Env;
use crate::partition;

/// Everything about one region that follows from its partition.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct RegionInfo {
    pub region: String,
    pub partition: &'static str,
    /// The short tag prompts show outside `aws`.
    pub mark: Option<&'static str>,
    pub dns_suffix: &'static str,
    pub dual_stack_dns_suffix: &'static str,
    /// The STS endpoint with the variants `AWS_USE_FIPS_ENDPOINT` and
    /// `AWS_USE_DUALSTACK_ENDPOINT` ask for.
    pub sts_endpoint: String,
    pub sts_fips_endpoint: String,
    pub sts_dual_stack_endpoint: String,
    pub console_host: Option<String>,
}

impl RegionInfo {
    pub fn new(env: &Env, region: &str) -> Self {
        let p = partition::resolve(region);
        let on = |name: &str| env.get(name).is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
        let (fips, dual_stack) = (on("AWS_USE_FIPS_ENDPOINT"), on("AWS_USE_DUALSTACK_ENDPOINT"));
        Self {
            region: region.to_owned(),
            partition: p.id,
            mark: p.mark(),
            dns_suffix: p.dns_suffix,
            dual_stack_dns_suffix: p.dual_stack_dns_suffix,
            sts_endpoint: p.sts_endpoint(region, fips, dual_stack),
            sts_fips_endpoint: p.sts_endpoint(region, true, false),
            sts_dual_stack_endpoint: p.sts_endpoint(region, false, true),
            console_host: p.console_host(region),
        }
    }
}

pub fn run(ctx: &Context, args: &PartitionArgs, out: &mut dyn Write) -> Result<()> {
    let info = RegionInfo::new(&ctx.env, &args.region);
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &info)?;
        writeln!(out)?;
        return Ok(());
    }
    let rows = [
        ("region", info.region.escape_debug().to_string()),
        ("partition", info.partition.to_owned()),
        ("dns suffix", info.dns_suffix.to_owned()),
        ("dual-stack suffix", info.dual_stack_dns_suffix.to_owned()),
        ("sts endpoint", info.sts_endpoint.escape_debug().to_string()),
        ("sts fips", info.sts_fips_endpoint.escape_debug().to_string()),
        ("sts dual-stack", info.sts_dual_stack_endpoint.escape_debug().to_string()),
        (
            "console",
            info.console_host.as_deref().unwrap_or("(not public)").escape_debug().to_string(),
        ),
    ];
    for (label, value) in rows {
        writeln!(out, "{label:18} {value}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fips_variable_changes_the_main_endpoint_only() {
        let plain = RegionInfo::new(&Env::default(), "eu-west-1");
        let fips =
            RegionInfo::new(&Env::from_pairs([("AWS_USE_FIPS_ENDPOINT", "true")]), "eu-west-1");

        assert_eq!(plain.sts_endpoint, "https://sts.eu-west-1.amazonaws.com");
        assert_eq!(fips.sts_endpoint, "https://sts-fips.eu-west-1.amazonaws.com");
        assert_eq!(plain.sts_fips_endpoint, fips.sts_endpoint);
        assert_eq!(plain.partition, "aws");
    }
}
