//! Partition resolution and STS endpoints against the botocore endpoint test suites
//! (copies and attribution in tests/conformance/partitions/).

use std::collections::BTreeMap;
use std::path::Path;

use awsuse::partition::{self, Partition};
use serde_json::Value;

fn load(relative: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("could not read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// The URL the partition-fn rule set builds from a partition: `aws` gets its own prefix,
/// every other partition is named by id.
fn partition_fn_url(p: &Partition, region: &str) -> String {
    match p.id {
        "aws" => format!("https://aws-partition.{region}.{}", p.dns_suffix),
        id => format!("https://{id}.{region}.{}", p.dns_suffix),
    }
}

#[test]
fn partition_fn_cases() {
    let suite = load("tests/conformance/partitions/partition-fn/test-cases.json");
    let cases = suite["testCases"].as_array().expect("testCases");

    let mut failures = Vec::new();
    for (index, case) in cases.iter().enumerate() {
        let name = case["documentation"].as_str().unwrap_or("?");
        let region = case["params"]["Region"].as_str().expect("every case has a region");
        let endpoint = &case["expect"]["endpoint"];
        let meta = &endpoint["properties"]["meta"];

        let p = partition::resolve(region);

        let got = (partition_fn_url(&p, region), p.dns_suffix, p.dual_stack_dns_suffix);
        let want = (
            endpoint["url"].as_str().unwrap_or("").to_owned(),
            meta["baseSuffix"].as_str().unwrap_or(""),
            meta["dualStackSuffix"].as_str().unwrap_or(""),
        );
        if got != want {
            failures.push(format!("#{index} {name} ({region}): got {got:?}, want {want:?}"));
        }
    }

    println!("partition-fn: {} cases run", cases.len());
    assert!(!cases.is_empty(), "the partition-fn suite is empty");
    assert!(failures.is_empty(), "partition-fn failures:\n{}", failures.join("\n"));
}

/// Why an STS case cannot be expressed by `Partition::sts_endpoint`, or `None` to run it.
fn sts_skip_reason(params: &Value, legacy_global: &[String]) -> Option<&'static str> {
    let flag = |name: &str| params[name].as_bool().unwrap_or(false);
    let region = params["Region"].as_str();

    if params.get("Endpoint").is_some() {
        return Some("custom endpoint");
    }
    let Some(region) = region else {
        return Some("no region");
    };
    let global_asked = flag("UseGlobalEndpoint") && !flag("UseFIPS") && !flag("UseDualStack");
    if global_asked && legacy_global.iter().any(|r| r == region) {
        return Some("global endpoint for legacy regions");
    }
    None
}

/// The regions the STS rule set sends to `sts.amazonaws.com` when UseGlobalEndpoint is on,
/// read from the rule set itself: the `stringEquals(Region, ...)` guards of its first tree.
fn legacy_global_regions(rules: &Value) -> Vec<String> {
    let first = &rules["rules"][0];
    let guards = first["rules"].as_array().expect("first rule is a tree");
    let region_of = |rule: &Value| -> Option<String> {
        let cond = rule["conditions"].get(0)?;
        let argv = cond["argv"].as_array()?;
        if cond["fn"] != "stringEquals" || argv.first()?["ref"] != "Region" {
            return None;
        }
        argv.get(1)?.as_str().map(str::to_owned)
    };
    guards.iter().filter_map(region_of).collect()
}

#[test]
fn sts_regional_endpoint_cases() {
    let suite = load("tests/conformance/partitions/sts/endpoint-tests-1.json");
    let rules = load("tests/conformance/partitions/sts/endpoint-rule-set-1.json");
    let legacy = legacy_global_regions(&rules);
    assert!(legacy.iter().any(|r| r == "us-east-1"), "rule set layout changed: {legacy:?}");
    let cases = suite["testCases"].as_array().expect("testCases");

    let mut skipped: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    let mut ran = Vec::new();
    let mut failures = Vec::new();
    for (index, case) in cases.iter().enumerate() {
        let params = case.get("params").cloned().unwrap_or(Value::Null);
        if let Some(reason) = sts_skip_reason(&params, &legacy) {
            skipped.entry(reason).or_default().push(index);
            continue;
        }
        let Some(want) = case["expect"]["endpoint"]["url"].as_str() else {
            skipped.entry("expects an error").or_default().push(index);
            continue;
        };
        let region = params["Region"].as_str().expect("skip_reason checked the region");
        let fips = params["UseFIPS"].as_bool().unwrap_or(false);
        let dual_stack = params["UseDualStack"].as_bool().unwrap_or(false);

        let got = partition::resolve(region).sts_endpoint(region, fips, dual_stack);

        ran.push(index);
        if got != want {
            let name = case["documentation"].as_str().unwrap_or("?");
            failures.push(format!("#{index} {name}: got {got}, want {want}"));
        }
    }

    println!("sts: {} of {} cases run: {ran:?}", ran.len(), cases.len());
    for (reason, indices) in &skipped {
        println!("sts: {} skipped ({reason}): {indices:?}", indices.len());
    }
    assert!(ran.len() >= 45, "too few STS cases ran ({}); did the filter break?", ran.len());
    assert!(failures.is_empty(), "sts endpoint failures:\n{}", failures.join("\n"));
}

#[test]
fn every_listed_region_resolves_to_its_partition() {
    let data = load("data/partitions.json");
    let parts = data["partitions"].as_array().expect("partitions");

    let mut checked = 0;
    let mut failures = Vec::new();
    for part in parts {
        let id = part["id"].as_str().expect("id");
        for region in part["regions"].as_object().expect("regions").keys() {
            let got = partition::resolve(region);
            checked += 1;
            if got.id != id {
                failures.push(format!("{region}: got {}, want {id}", got.id));
            }
            if got.dns_suffix != part["outputs"]["dnsSuffix"] {
                failures.push(format!("{region}: dns suffix {}", got.dns_suffix));
            }
        }
    }

    println!("{checked} listed regions checked across {} partitions", parts.len());
    assert_eq!(parts.len(), 8);
    assert!(failures.is_empty(), "regions resolving elsewhere:\n{}", failures.join("\n"));
}

#[test]
fn implicit_global_regions_belong_to_their_partition() {
    let data = load("data/partitions.json");

    for part in data["partitions"].as_array().expect("partitions") {
        let id = part["id"].as_str().expect("id");
        let p = partition::resolve(part["outputs"]["implicitGlobalRegion"].as_str().unwrap());

        assert_eq!(p.id, id);
        assert_eq!(p.implicit_global_region, part["outputs"]["implicitGlobalRegion"]);
        assert_eq!(p.supports_fips, part["outputs"]["supportsFIPS"]);
        assert_eq!(p.supports_dual_stack, part["outputs"]["supportsDualStack"]);
        assert_eq!(p.dual_stack_dns_suffix, part["outputs"]["dualStackDnsSuffix"]);
    }
}
