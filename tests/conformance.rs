//! The cross-SDK conformance suites for the AWS shared config and credentials files, run
//! against awsuse's parser and file locator. The JSON files beside this test are copies of the
//! upstream suites (see tests/conformance/SOURCES.md).
//!
//! Every case of a suite runs; failures are collected and reported together by case name, so
//! one broken rule does not hide the others. Error cases only check that an error happens: the
//! message texts are each SDK's own.

use std::path::PathBuf;

use awsuse::config::{self, AwsConfig, Sections, Value};
use awsuse::env::Env;
use serde_json::{Map, Value as Json};

fn suite(path: &str) -> Json {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/conformance").join(path);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|error| panic!("{} is not JSON: {error}", path.display()))
}

/// Failures of one suite, reported together when the suite ends.
struct Report {
    suite: &'static str,
    ran: usize,
    failures: Vec<String>,
}

impl Report {
    fn new(suite: &'static str) -> Self {
        Self { suite, ran: 0, failures: Vec::new() }
    }

    fn record(&mut self, name: &str, outcome: Result<(), String>) {
        self.ran += 1;
        if let Err(why) = outcome {
            self.failures.push(format!("- {name}\n    {why}"));
        }
    }

    fn finish(self, expected_cases: usize) {
        assert!(
            self.failures.is_empty(),
            "{}: {} of {} cases fail:\n{}",
            self.suite,
            self.failures.len(),
            self.ran,
            self.failures.join("\n")
        );
        assert_eq!(self.ran, expected_cases, "{}: not every case ran", self.suite);
    }
}

/// The two shapes of expected output in the parser suites.
#[derive(Clone, Copy, PartialEq)]
enum Form {
    /// smithy-rs: `{"config": {"profiles": .., "sso_sessions": ..}}`.
    SmithyRs,
    /// amplify-flutter (the original cross-SDK form): `{"profiles": ..}`.
    Amplify,
}

fn run_parser_case(case: &Json, form: Form) -> Result<(), String> {
    let input = &case["input"];
    let config_file = input["configFile"].as_str().unwrap_or("");
    let credentials_file = input["credentialsFile"].as_str().unwrap_or("");
    let result = config::from_strings(config_file, credentials_file);

    let output = &case["output"];
    if output.get("errorContaining").is_some() {
        return match result {
            Err(_) => Ok(()),
            Ok(parsed) => Err(format!("expected an error, parsed {:?}", profiles_json(&parsed))),
        };
    }
    let parsed = result.map_err(|error| format!("expected no error, got: {error}"))?;

    let (profiles, sso_sessions) = match form {
        Form::SmithyRs => (&output["config"]["profiles"], output["config"].get("sso_sessions")),
        Form::Amplify => (&output["profiles"], None),
    };
    compare("profiles", profiles, &parsed.profiles, form)?;
    if let Some(sso_sessions) = sso_sessions {
        compare("sso_sessions", sso_sessions, &parsed.sso_sessions, form)?;
    }
    Ok(())
}

fn compare(what: &str, expected: &Json, actual: &Sections, form: Form) -> Result<(), String> {
    let expected = normalize_expected(expected, form);
    let actual = render(actual, &expected);
    if expected == actual {
        Ok(())
    } else {
        Err(format!("{what}: expected {expected}, got {actual}"))
    }
}

/// The amplify copy predates case-insensitive keys: its "All valid property name characters"
/// case expects an upper-case key back, where the smithy-rs copy of the same case (and the SDKs
/// now) lowercase it. Its expected keys are lowercased before comparing.
fn normalize_expected(expected: &Json, form: Form) -> Json {
    if form == Form::SmithyRs {
        return expected.clone();
    }
    let sections = expected.as_object().expect("sections are an object");
    let sections = sections.iter().map(|(name, properties)| {
        let properties = properties.as_object().expect("properties are an object");
        let properties = properties.iter().map(|(k, v)| (k.to_ascii_lowercase(), v.clone()));
        (name.clone(), Json::Object(properties.collect()))
    });
    Json::Object(sections.collect())
}

/// Renders parsed sections as the suites write them. A sub-property group is the SDK's raw
/// string, unless the expectation has a nested object there, in which case it is the parsed
/// entries (later keys win).
fn render(sections: &Sections, expected: &Json) -> Json {
    let rendered = sections.iter().map(|(name, section)| {
        let properties = section.properties.iter().map(|(key, property)| {
            let nested = expected[name][key].is_object();
            let value = match (&property.value, nested) {
                (Value::Map { entries, .. }, true) => Json::Object(
                    entries.iter().map(|(k, v)| (k.clone(), Json::String(v.clone()))).collect(),
                ),
                (value, _) => Json::String(value.as_str().to_string()),
            };
            (key.to_owned(), value)
        });
        (name.to_owned(), Json::Object(properties.collect::<Map<_, _>>()))
    });
    Json::Object(rendered.collect())
}

fn profiles_json(parsed: &AwsConfig) -> Json {
    render(&parsed.profiles, &Json::Null)
}

fn run_parser_suite(suite_name: &'static str, path: &str, form: Form) {
    let suite = suite(path);
    let cases = suite["tests"].as_array().expect("a list of tests");
    let mut report = Report::new(suite_name);
    for case in cases {
        let name = case["name"].as_str().unwrap_or("(unnamed)");
        report.record(name, run_parser_case(case, form));
    }
    report.finish(cases.len());
}

#[test]
fn smithy_rs_profile_parser_suite() {
    run_parser_suite(
        "smithy-rs profile parser",
        "smithy-rs/profile-parser-tests.json",
        Form::SmithyRs,
    );
}

#[test]
fn amplify_profile_parser_suite() {
    run_parser_suite("amplify profile parser", "amplify-flutter/parser-tests.json", Form::Amplify);
}

/// Runs the `linux` cases only. The `windows` cases are skipped: they need `USERPROFILE` and
/// `HOMEDRIVE`/`HOMEPATH` lookups and `\` separators, which awsuse (a tool for Unix shells)
/// does not implement. The `profile` field is not checked: choosing the profile from
/// `AWS_PROFILE` is not part of locating the files.
fn run_location_suite(suite_name: &'static str, path: &str) {
    let suite = suite(path);
    let cases = suite["tests"].as_array().expect("a list of tests");
    let linux: Vec<&Json> = cases.iter().filter(|case| case["platform"] == "linux").collect();
    let mut report = Report::new(suite_name);
    for case in &linux {
        let name = case["name"].as_str().unwrap_or("(unnamed)");
        report.record(name, run_location_case(case));
    }
    assert!(!linux.is_empty(), "{suite_name}: no linux cases found");
    report.finish(linux.len());
}

fn run_location_case(case: &Json) -> Result<(), String> {
    let environment = case["environment"].as_object().expect("an environment object");
    let env = Env::from_pairs(
        environment.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string())),
    );

    // The amplify cases give the language's own home lookup; it is what awsuse falls back to
    // when HOME is unset. smithy-rs cases have none, so that lookup finds nothing.
    let language_home = case["languageSpecificHome"].as_str().map(PathBuf::from);
    let location = config::locate_with_fallback_home(&env, None, None, || language_home)
        .map_err(|error| format!("expected a location, got: {error}"))?;

    let expected = (
        PathBuf::from(case["configLocation"].as_str().expect("configLocation")),
        PathBuf::from(case["credentialsLocation"].as_str().expect("credentialsLocation")),
    );
    let actual = (location.config, location.credentials);
    if actual == expected { Ok(()) } else { Err(format!("expected {expected:?}, got {actual:?}")) }
}

#[test]
fn smithy_rs_file_location_suite() {
    run_location_suite("smithy-rs file location", "smithy-rs/file-location-tests.json");
}

#[test]
fn amplify_file_location_suite() {
    run_location_suite("amplify file location", "amplify-flutter/file-location-tests.json");
}

/// The region cases of amplify's profile-tests.json: the suite's profiles are written out as a
/// config file, parsed, and the profile's `region` read back. Its `credentialsTests` (which kind
/// of credentials a profile yields: assume-role, session or basic) are not run here: they test
/// the choice of a credential source, not the parser.
#[test]
fn amplify_profile_region_suite() {
    let suite = suite("amplify-flutter/profile-tests.json");
    let suites = suite["testSuites"].as_array().expect("a list of test suites");
    let mut report = Report::new("amplify profile region");
    let mut expected_cases = 0;
    for profile_suite in suites {
        let text = config_file_text(&profile_suite["profiles"]);
        let region_tests = match &profile_suite["regionTests"] {
            Json::Array(tests) => tests.iter().collect(),
            single => vec![single],
        };
        expected_cases += region_tests.len();
        for case in region_tests {
            let name = case["name"].as_str().unwrap_or("(unnamed)");
            report.record(name, run_region_case(&text, case));
        }
    }
    assert!(expected_cases > 0, "no region cases found");
    report.finish(expected_cases);
}

fn config_file_text(profiles: &Json) -> String {
    let mut text = String::new();
    for (name, properties) in profiles.as_object().expect("profiles are an object") {
        let header =
            if name == "default" { "[default]".to_string() } else { format!("[profile {name}]") };
        text.push_str(&header);
        text.push('\n');
        for (key, value) in properties.as_object().expect("properties are an object") {
            text.push_str(&format!("{key} = {}\n", value.as_str().expect("a string value")));
        }
    }
    text
}

fn run_region_case(text: &str, case: &Json) -> Result<(), String> {
    let parsed = config::from_strings(text, "").map_err(|error| error.to_string())?;
    let profile = case["profile"].as_str().expect("a profile name");
    let region = parsed.profiles.get(profile).and_then(|section| section.get("region"));
    let expected = case["output"]["region"].as_str();
    if region == expected {
        Ok(())
    } else {
        Err(format!("expected region {expected:?}, got {region:?}"))
    }
}
