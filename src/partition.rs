//! AWS partitions: which isolated AWS (commercial, China, GovCloud, the ISO clouds, the
//! European Sovereign Cloud) a region belongs to, and the host names that follow from it.
//!
//! The data is botocore's `partitions.json`, embedded at build time and parsed on first use.
//! Resolution follows the `aws.partition` function of the endpoint rules: an exact region key
//! of any partition, then the first partition whose `regionRegex` matches, then `aws`.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use regex_lite::Regex;
use serde::Deserialize;
use serde::de::IgnoredAny;

const PARTITIONS_JSON: &str = include_str!("../data/partitions.json");

/// One AWS partition, as `partitions.json` describes it. Cheap to copy: every string
/// borrows from the table parsed once for the whole process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Partition {
    /// The partition id, which is also the partition field of ARNs (`aws`, `aws-cn`, ...).
    pub id: &'static str,
    /// The suffix of regional service hosts (`amazonaws.com`, `amazonaws.com.cn`, ...).
    pub dns_suffix: &'static str,
    /// The suffix of dual-stack (IPv4 and IPv6) service hosts (`api.aws`, ...).
    pub dual_stack_dns_suffix: &'static str,
    /// Whether the partition offers FIPS endpoints.
    pub supports_fips: bool,
    /// Whether the partition offers dual-stack endpoints.
    pub supports_dual_stack: bool,
    /// The region that global services of the partition are signed for.
    pub implicit_global_region: &'static str,
}

/// The partition `region` belongs to; `aws` when nothing claims it.
pub fn resolve(region: &str) -> Partition {
    let table = table();
    match table.lookup(region) {
        Some((index, _)) => table.entries[index].partition,
        None => table.fallback(),
    }
}

impl Partition {
    /// Whether this is the commercial partition, the one a prompt need not mention.
    pub fn is_default(&self) -> bool {
        self.id == "aws"
    }

    /// A short tag for prompts (`cn`, `gov`, `iso`, `isob`, `isoe`, `isof`, `eusc`); `None`
    /// for the commercial partition.
    pub fn mark(&self) -> Option<&'static str> {
        match self.id {
            "aws" => None,
            "aws-cn" => Some("cn"),
            "aws-us-gov" => Some("gov"),
            "aws-iso" => Some("iso"),
            "aws-iso-b" => Some("isob"),
            "aws-iso-e" => Some("isoe"),
            "aws-iso-f" => Some("isof"),
            "aws-eusc" => Some("eusc"),
            // A partition added to the data later still gets a readable tag.
            other => Some(other.strip_prefix("aws-").unwrap_or(other)),
        }
    }

    /// The STS endpoint URL for `region`, as the STS endpoint rule set gives it when the
    /// legacy global endpoint is not asked for (`UseGlobalEndpoint` false).
    ///
    /// Every partition in the embedded data supports FIPS and dual-stack. Should one not, the
    /// variant host is still returned rather than silently falling back to a plain endpoint:
    /// a request that asked for FIPS must fail, not go elsewhere.
    pub fn sts_endpoint(&self, region: &str, fips: bool, dual_stack: bool) -> String {
        match (fips, dual_stack) {
            (true, true) => format!("https://sts-fips.{region}.{}", self.dual_stack_dns_suffix),
            // GovCloud's regional STS endpoints are FIPS endpoints already.
            (true, false) if self.id == "aws-us-gov" => {
                format!("https://sts.{region}.amazonaws.com")
            }
            (true, false) => format!("https://sts-fips.{region}.{}", self.dns_suffix),
            (false, true) => format!("https://sts.{region}.{}", self.dual_stack_dns_suffix),
            // The pseudo-region `aws-global` names the global endpoint itself.
            (false, false) if region == "aws-global" => "https://sts.amazonaws.com".to_owned(),
            (false, false) => format!("https://sts.{region}.{}", self.dns_suffix),
        }
    }

    /// The host of the AWS Management Console for this partition, regional where the console
    /// has regional hosts (commercial AWS). `None` for partitions whose console host is not
    /// publicly documented (the ISO partitions).
    pub fn console_host(&self, region: &str) -> Option<String> {
        match self.id {
            "aws" if self.owns_concrete_region(region) => {
                Some(format!("{region}.console.aws.amazon.com"))
            }
            "aws" => Some("console.aws.amazon.com".to_owned()),
            "aws-cn" => Some("console.amazonaws.cn".to_owned()),
            "aws-us-gov" => Some("console.amazonaws-us-gov.com".to_owned()),
            "aws-eusc" => Some("console.amazonaws-eusc.eu".to_owned()),
            _ => None,
        }
    }

    /// Whether `region` is a real region of this partition: listed or matching its pattern,
    /// and not one of the `*-global` pseudo-regions, which have no console of their own.
    fn owns_concrete_region(&self, region: &str) -> bool {
        let matched = table().lookup(region);
        matched.is_some_and(|(index, how)| {
            table().entries[index].partition.id == self.id
                && !(how == Match::Listed && region.ends_with("-global"))
        })
    }
}

/// How a region was matched to a partition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Match {
    Listed,
    Pattern,
}

/// The parsed data, built once per process.
struct Table {
    entries: Vec<Entry>,
    /// Every listed region with the index of its partition, sorted for binary search.
    regions: Vec<(&'static str, usize)>,
    /// The index of the `aws` partition, the answer when nothing matches.
    fallback: usize,
}

struct Entry {
    partition: Partition,
    pattern: String,
    /// Compiled on the first region the exact lookup cannot place; `None` if the
    /// pattern does not compile, so the partition is simply never matched by pattern.
    regex: OnceLock<Option<Regex>>,
}

impl Table {
    fn lookup(&self, region: &str) -> Option<(usize, Match)> {
        // Known regions, the common case on every switch, never touch a regex.
        if let Ok(pos) = self.regions.binary_search_by(|(name, _)| (*name).cmp(region)) {
            return Some((self.regions[pos].1, Match::Listed));
        }

        let by_pattern = self.entries.iter().position(|entry| {
            let regex = entry.regex.get_or_init(|| Regex::new(&entry.pattern).ok());
            regex.as_ref().is_some_and(|regex| regex.is_match(region))
        });
        by_pattern.map(|index| (index, Match::Pattern))
    }

    fn fallback(&self) -> Partition {
        self.entries[self.fallback].partition
    }
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| Table::parse(PARTITIONS_JSON))
}

// The raw file, borrowed from the embedded text wherever a string needs no unescaping.
#[derive(Deserialize)]
struct RawFile {
    #[serde(borrow)]
    partitions: Vec<RawPartition<'static>>,
}

#[derive(Deserialize)]
struct RawPartition<'a> {
    id: &'a str,
    // Patterns are written with JSON escapes (`\\-`), so they cannot be borrowed.
    #[serde(rename = "regionRegex")]
    region_regex: String,
    #[serde(borrow)]
    regions: BTreeMap<&'a str, IgnoredAny>,
    #[serde(borrow)]
    outputs: RawOutputs<'a>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawOutputs<'a> {
    dns_suffix: &'a str,
    dual_stack_dns_suffix: &'a str,
    #[serde(rename = "supportsFIPS")]
    supports_fips: bool,
    supports_dual_stack: bool,
    implicit_global_region: &'a str,
}

impl Table {
    /// Builds the table from the embedded file. Names borrow from the file itself, which is
    /// what lets `Partition` be a small `Copy` value with no allocation of its own.
    fn parse(json: &'static str) -> Table {
        // The file is part of the binary and checked by tests, so a parse failure is a
        // build defect, not a condition a user can do anything about.
        let raw: RawFile = serde_json::from_str(json).expect("embedded partitions.json is valid");

        let mut entries = Vec::with_capacity(raw.partitions.len());
        let mut regions = Vec::new();
        for (index, part) in raw.partitions.into_iter().enumerate() {
            regions.extend(part.regions.keys().map(|name| (*name, index)));
            let out = part.outputs;
            entries.push(Entry {
                partition: Partition {
                    id: part.id,
                    dns_suffix: out.dns_suffix,
                    dual_stack_dns_suffix: out.dual_stack_dns_suffix,
                    supports_fips: out.supports_fips,
                    supports_dual_stack: out.supports_dual_stack,
                    implicit_global_region: out.implicit_global_region,
                },
                pattern: part.region_regex,
                regex: OnceLock::new(),
            });
        }

        // A region listed twice keeps its first partition, the file order the spec uses.
        regions.sort_by(|a, b| a.0.cmp(b.0).then(a.1.cmp(&b.1)));
        regions.dedup_by(|later, earlier| later.0 == earlier.0);
        let fallback = entries.iter().position(|e| e.partition.id == "aws").unwrap_or(0);
        Table { entries, regions, fallback }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listed_region_resolves_without_compiling_patterns() {
        let table = Table::parse(PARTITIONS_JSON);

        let found = table.lookup("cn-north-1");

        assert_eq!(
            found.map(|(i, how)| (table.entries[i].partition.id, how)),
            Some(("aws-cn", Match::Listed))
        );
        assert!(table.entries.iter().all(|e| e.regex.get().is_none()));
    }

    #[test]
    fn unlisted_region_resolves_by_pattern() {
        assert_eq!(resolve("us-gov-south-7").id, "aws-us-gov");
        assert_eq!(resolve("us-isob-north-2").id, "aws-iso-b");
        assert_eq!(resolve("eusc-de-west-3").id, "aws-eusc");
        assert_eq!(resolve("eu-isoe-north-9").id, "aws-iso-e");
    }

    #[test]
    fn unknown_strings_fall_back_to_aws() {
        assert_eq!(resolve("").id, "aws");
        assert_eq!(resolve("mars-global").id, "aws");
        assert_eq!(resolve("EU-WEST-1").id, "aws");
    }

    #[test]
    fn all_eight_partitions_are_present() {
        let table = table();

        let ids: Vec<_> = table.entries.iter().map(|e| e.partition.id).collect();

        for id in [
            "aws",
            "aws-cn",
            "aws-us-gov",
            "aws-iso",
            "aws-iso-b",
            "aws-iso-e",
            "aws-iso-f",
            "aws-eusc",
        ] {
            assert!(ids.contains(&id), "missing partition {id}");
        }
    }

    #[test]
    fn every_pattern_compiles() {
        for entry in &table().entries {
            assert!(Regex::new(&entry.pattern).is_ok(), "bad pattern for {}", entry.partition.id);
        }
    }

    #[test]
    fn embedded_partitions_support_fips_and_dual_stack() {
        // sts_endpoint relies on this to need no error case.
        for entry in &table().entries {
            let p = entry.partition;
            assert!(p.supports_fips && p.supports_dual_stack, "{} lacks a variant", p.id);
        }
    }

    #[test]
    fn region_entries_carry_no_output_overrides() {
        // The spec lets a region override partition outputs; resolve ignores that because
        // the data has none. This fails if a later copy of the file adds some.
        let raw: serde_json::Value = serde_json::from_str(PARTITIONS_JSON).unwrap();
        for part in raw["partitions"].as_array().unwrap() {
            for (name, region) in part["regions"].as_object().unwrap() {
                let keys: Vec<_> = region.as_object().unwrap().keys().collect();
                assert!(keys.iter().all(|k| *k == "description"), "{name} has {keys:?}");
            }
        }
    }

    #[test]
    fn marks() {
        assert_eq!(resolve("us-east-1").mark(), None);
        assert!(resolve("us-east-1").is_default());
        assert_eq!(resolve("cn-north-1").mark(), Some("cn"));
        assert_eq!(resolve("us-gov-west-1").mark(), Some("gov"));
        assert_eq!(resolve("us-iso-east-1").mark(), Some("iso"));
        assert_eq!(resolve("us-isob-east-1").mark(), Some("isob"));
        assert_eq!(resolve("eu-isoe-west-1").mark(), Some("isoe"));
        assert_eq!(resolve("us-isof-south-1").mark(), Some("isof"));
        assert_eq!(resolve("eusc-de-east-1").mark(), Some("eusc"));
        assert!(!resolve("eusc-de-east-1").is_default());
    }

    #[test]
    fn sts_endpoints() {
        let gov = resolve("us-gov-west-1");
        let cn = resolve("cn-north-1");
        let aws = resolve("eu-west-1");

        assert_eq!(
            aws.sts_endpoint("eu-west-1", false, false),
            "https://sts.eu-west-1.amazonaws.com"
        );
        assert_eq!(aws.sts_endpoint("aws-global", false, false), "https://sts.amazonaws.com");
        assert_eq!(aws.sts_endpoint("eu-west-1", true, true), "https://sts-fips.eu-west-1.api.aws");
        assert_eq!(
            gov.sts_endpoint("us-gov-west-1", true, false),
            "https://sts.us-gov-west-1.amazonaws.com"
        );
        assert_eq!(
            cn.sts_endpoint("cn-north-1", false, true),
            "https://sts.cn-north-1.api.amazonwebservices.com.cn"
        );
    }

    #[test]
    fn console_hosts() {
        let aws = resolve("us-west-2");

        assert_eq!(
            aws.console_host("us-west-2").as_deref(),
            Some("us-west-2.console.aws.amazon.com")
        );
        assert_eq!(
            aws.console_host("us-west-9").as_deref(),
            Some("us-west-9.console.aws.amazon.com")
        );
        assert_eq!(aws.console_host("aws-global").as_deref(), Some("console.aws.amazon.com"));
        assert_eq!(aws.console_host("mars-global").as_deref(), Some("console.aws.amazon.com"));
        assert_eq!(aws.console_host("cn-north-1").as_deref(), Some("console.aws.amazon.com"));
        assert_eq!(
            resolve("cn-north-1").console_host("cn-north-1").as_deref(),
            Some("console.amazonaws.cn")
        );
        assert_eq!(
            resolve("us-gov-east-1").console_host("us-gov-east-1").as_deref(),
            Some("console.amazonaws-us-gov.com")
        );
        assert_eq!(resolve("us-iso-east-1").console_host("us-iso-east-1"), None);
        assert_eq!(resolve("us-isof-east-1").console_host("us-isof-east-1"), None);
    }
}
