//! Which STS endpoint a profile's calls go to, decided the way the AWS SDKs decide it, so that
//! awsuse can name the endpoint in its log and hand the SDK that exact URL.
//!
//! Configured endpoints come first (`AWS_ENDPOINT_URL_STS`, the profile's `services` section,
//! `AWS_ENDPOINT_URL`, the profile's `endpoint_url`) unless
//! `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` or `ignore_configured_endpoint_urls` says otherwise.
//! Then the regional endpoint of the region's own partition, with the FIPS and dual-stack
//! variants when `AWS_USE_FIPS_ENDPOINT` / `use_fips_endpoint` and
//! `AWS_USE_DUALSTACK_ENDPOINT` / `use_dualstack_endpoint` ask for them.

use std::fmt;

use crate::config::{AwsConfig, Section, Value};
use crate::env::Env;
use crate::partition;

/// The endpoint chosen and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StsEndpoint {
    pub url: String,
    pub source: EndpointSource,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EndpointSource {
    /// A variable such as `AWS_ENDPOINT_URL_STS`.
    Variable(&'static str),
    /// The `sts` block of a `[services NAME]` section.
    ServicesSection(String),
    /// The profile's own `endpoint_url`.
    Profile(String),
    /// The regional endpoint of the partition, with the variants asked for.
    Partition { partition: &'static str, fips: bool, dual_stack: bool },
}

impl fmt::Display for EndpointSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EndpointSource::Variable(name) => write!(f, "from {name}"),
            EndpointSource::ServicesSection(name) => write!(f, "from [services {name}]"),
            EndpointSource::Profile(name) => write!(f, "from endpoint_url of profile {name}"),
            EndpointSource::Partition { partition, fips, dual_stack } => {
                write!(f, "regional endpoint of partition {partition}")?;
                match (fips, dual_stack) {
                    (true, true) => f.write_str(", FIPS and dual-stack"),
                    (true, false) => f.write_str(", FIPS"),
                    (false, true) => f.write_str(", dual-stack"),
                    (false, false) => Ok(()),
                }
            }
        }
    }
}

/// The STS endpoint for calls made as `profile` (which may be absent, for keys from the
/// environment) in `region`.
pub fn resolve(env: &Env, config: &AwsConfig, profile: Option<&str>, region: &str) -> StsEndpoint {
    let section = profile.and_then(|name| config.profiles.get(name));

    // Configured endpoints, in the order of the SDKs' "configured endpoints" rules.
    let ignore = flag(
        env,
        section,
        "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
        "ignore_configured_endpoint_urls",
    );
    if !ignore && let Some(found) = configured(env, config, section) {
        return found;
    }

    let fips = flag(env, section, "AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint");
    let dual_stack = flag(env, section, "AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint");
    let partition = partition::resolve(region);
    StsEndpoint {
        url: partition.sts_endpoint(region, fips, dual_stack),
        source: EndpointSource::Partition { partition: partition.id, fips, dual_stack },
    }
}

fn configured(env: &Env, config: &AwsConfig, section: Option<&Section>) -> Option<StsEndpoint> {
    if let Some(url) = env.get("AWS_ENDPOINT_URL_STS") {
        return Some(StsEndpoint {
            url: url.to_owned(),
            source: EndpointSource::Variable("AWS_ENDPOINT_URL_STS"),
        });
    }
    if let Some((name, url)) = section.and_then(|s| services_url(config, s)) {
        return Some(StsEndpoint { url, source: EndpointSource::ServicesSection(name) });
    }
    if let Some(url) = env.get("AWS_ENDPOINT_URL") {
        return Some(StsEndpoint {
            url: url.to_owned(),
            source: EndpointSource::Variable("AWS_ENDPOINT_URL"),
        });
    }
    let section = section?;
    let url = section.get("endpoint_url").filter(|u| !u.is_empty())?;
    Some(StsEndpoint { url: url.to_owned(), source: EndpointSource::Profile(section.name.clone()) })
}

/// `endpoint_url` under `sts =` in the `[services NAME]` section the profile names.
fn services_url(config: &AwsConfig, section: &Section) -> Option<(String, String)> {
    let name = section.get("services")?;
    let services = config.services.get(name)?;
    let block = services.property("sts")?;
    let Value::Map { entries, .. } = &block.value else { return None };
    let url = entries.iter().find(|(key, _)| key == "endpoint_url")?;
    Some((name.to_owned(), url.1.clone()))
}

/// A boolean setting: the variable first, then the profile; `true` in any letter case.
fn flag(env: &Env, section: Option<&Section>, variable: &str, key: &str) -> bool {
    let value = env.get(variable).or_else(|| section.and_then(|s| s.get(key)));
    value.is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config;

    fn resolve_in(config_text: &str, vars: &[(&str, &str)], profile: &str) -> StsEndpoint {
        let config = config::from_strings(config_text, "").unwrap();
        let env = Env::from_pairs(vars.iter().copied());
        let region = crate::profile::region(&config, profile, None).name;
        resolve(&env, &config, Some(profile), &region)
    }

    #[test]
    fn regional_endpoint_of_the_profiles_partition() {
        let cn = resolve_in("[profile cn]\nregion = cn-north-1\n", &[], "cn");
        let gov = resolve_in("[profile gov]\nregion = us-gov-west-1\n", &[], "gov");
        let none = resolve_in("[profile plain]\n", &[], "plain");

        assert_eq!(cn.url, "https://sts.cn-north-1.amazonaws.com.cn");
        assert_eq!(gov.url, "https://sts.us-gov-west-1.amazonaws.com");
        assert_eq!(none.url, "https://sts.us-east-1.amazonaws.com");
        assert!(matches!(cn.source, EndpointSource::Partition { partition: "aws-cn", .. }));
    }

    #[test]
    fn fips_and_dual_stack_from_variables_or_profile() {
        let text = "[profile p]\nregion = eu-west-1\nuse_dualstack_endpoint = true\n";

        let dual = resolve_in(text, &[], "p");
        let both = resolve_in(text, &[("AWS_USE_FIPS_ENDPOINT", "TRUE")], "p");
        let off = resolve_in(text, &[("AWS_USE_DUALSTACK_ENDPOINT", "false")], "p");

        assert_eq!(dual.url, "https://sts.eu-west-1.api.aws");
        assert_eq!(both.url, "https://sts-fips.eu-west-1.api.aws");
        assert_eq!(off.url, "https://sts.eu-west-1.amazonaws.com");
    }

    #[test]
    fn configured_endpoints_in_sdk_order() {
        let text = "[profile p]\nendpoint_url = http://profile\nservices = local\n\
                    [services local]\nsts =\n  endpoint_url = http://services\n";
        let service_var =
            [("AWS_ENDPOINT_URL_STS", "http://sts-var"), ("AWS_ENDPOINT_URL", "http://var")];

        assert_eq!(resolve_in(text, &service_var, "p").url, "http://sts-var");
        assert_eq!(resolve_in(text, &service_var[1..], "p").url, "http://services");
        let without_services = "[profile p]\nendpoint_url = http://profile\n";
        assert_eq!(resolve_in(without_services, &service_var[1..], "p").url, "http://var");
        assert_eq!(resolve_in(without_services, &[], "p").url, "http://profile");
    }

    #[test]
    fn configured_endpoints_can_be_ignored() {
        let text = "[profile p]\nendpoint_url = http://profile\nregion = us-west-2\n";
        let vars =
            [("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"), ("AWS_ENDPOINT_URL_STS", "http://x")];

        let found = resolve_in(text, &vars, "p");

        assert_eq!(found.url, "https://sts.us-west-2.amazonaws.com");
    }
}
