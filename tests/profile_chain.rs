//! The smithy-rs assume-role suite and the amplify credential-type cases, run against the
//! profile model: every case resolves to the same chain shape, or to a problem.

use std::path::Path;

use serde_json::Value as Json;

use awsuse::config::{AwsConfig, FileKind, Property, Section, Sections, Value};
use awsuse::profile::{self, Base, Kind};

fn read(path: &str) -> Json {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance").join(path);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn section(name: &str, props: &Json) -> Section {
    let mut section = Section::new(name, FileKind::Config, 1);
    for (key, value) in props.as_object().unwrap() {
        let value = Value::Text(value.as_str().unwrap().to_owned().into());
        section.properties.insert(key.clone(), Property { value, file: FileKind::Config, line: 1 });
    }
    section
}

fn sections(json: Option<&Json>) -> Sections {
    let Some(json) = json else { return Sections::default() };
    json.as_object().unwrap().iter().map(|(name, props)| section(name, props)).collect()
}

/// The suite's names for the chain, from ours.
fn describe(config: &AwsConfig, chain: &profile::SourceChain) -> Vec<String> {
    let get = |profile: &str, key: &str| config.profiles[profile].get(key).map(str::to_owned);
    let mut out = vec![match &chain.base {
        Base::StaticKeys { profile } => {
            format!("AccessKey {:?}", get(profile, "aws_access_key_id"))
        }
        Base::NamedSource { source, .. } => format!("NamedSource {source}"),
        Base::WebIdentity { profile } => format!("WebIdentityToken {:?}", get(profile, "role_arn")),
        Base::Sso { .. } => "Sso".to_owned(),
        Base::LoginSession { .. } => "LoginSession".to_owned(),
        Base::Process { .. } => "CredentialProcess".to_owned(),
    }];
    for role in &chain.roles {
        out.push(format!("AssumeRole {:?}", get(role, "role_arn")));
    }
    out
}

fn expected(chain: &[Json]) -> Vec<String> {
    chain
        .iter()
        .map(|step| {
            let (kind, body) = step.as_object().unwrap().iter().next().unwrap();
            let field = |key: &str| body.get(key).and_then(Json::as_str).map(str::to_owned);
            match kind.as_str() {
                "AccessKey" => format!("AccessKey {:?}", field("access_key_id")),
                "NamedSource" => format!("NamedSource {}", body.as_str().unwrap()),
                "WebIdentityToken" => format!("WebIdentityToken {:?}", field("role_arn")),
                "AssumeRole" => format!("AssumeRole {:?}", field("role_arn")),
                other => other.to_owned(),
            }
        })
        .collect()
}

#[test]
fn assume_role_suite() {
    let cases = read("credential-chain/assume-role-tests.json");
    let mut failures = Vec::new();
    let mut ran = 0;
    for case in cases.as_array().unwrap() {
        let name = case["docs"].as_str().unwrap();
        let input = &case["input"];
        let config = AwsConfig {
            profiles: sections(input.get("profiles")),
            sso_sessions: sections(input.get("sso_sessions")),
            ..AwsConfig::default()
        };
        let selected = input["selected_profile"].as_str().unwrap();
        ran += 1;

        // "No profiles were defined" has no profile to analyse: the tool reports it earlier.
        if !config.profiles.contains_key(selected) {
            if case["output"].get("Error").is_none() {
                failures.push(format!("{name}: selected profile missing but no error expected"));
            }
            continue;
        }
        let got = profile::source_chain(&config, selected);
        match (&case["output"].get("ProfileChain"), got) {
            (Some(chain), Ok(Some(got))) => {
                let (want, got) = (expected(chain.as_array().unwrap()), describe(&config, &got));
                if want != got {
                    failures.push(format!("{name}: expected {want:?}, got {got:?}"));
                }
            }
            (Some(_), other) => failures.push(format!("{name}: expected a chain, got {other:?}")),
            // A profile with settings only is an error for a credentials provider and a
            // region-only profile for awsuse.
            (None, Ok(None)) if name == "profile only contains configuration" => {}
            (None, Ok(got)) => failures.push(format!("{name}: expected an error, got {got:?}")),
            (None, Err(_)) => {}
        }
    }
    assert_eq!(ran, 28, "the suite has 28 cases");
    assert!(failures.is_empty(), "{} failing cases:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn amplify_credential_types() {
    let suite = read("credential-chain/amplify-profile-tests.json");
    let suite = &suite["testSuites"][0];
    let config = AwsConfig { profiles: sections(Some(&suite["profiles"])), ..AwsConfig::default() };

    let region = &suite["regionTests"];
    let analysed = profile::analyse(&config, region["profile"].as_str().unwrap(), None);
    assert_eq!(analysed.region.name, region["output"]["region"].as_str().unwrap());

    for case in suite["credentialsTests"].as_array().unwrap() {
        let name = case["profile"].as_str().unwrap();
        let analysed = profile::analyse(&config, name, None);
        let session = config.profiles[name].get("aws_session_token").is_some();
        let got = match analysed.kind {
            Kind::AssumeRole => "assumeRole",
            Kind::StaticKeys if session => "session",
            Kind::StaticKeys => "basic",
            other => other.as_str(),
        };
        assert_eq!(got, case["output"]["credentialType"].as_str().unwrap(), "{}", case["name"]);
    }
}
