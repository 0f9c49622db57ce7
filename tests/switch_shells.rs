//! `awsuse use` and `awsuse unset`, their output evaluated by the real bash, zsh and fish in
//! strict mode: the shell ends up with exactly what was asked, stale variables are gone, and
//! hostile names and values run nothing.

mod common;

use awsuse::shell::Shell;
use common::home::{TestHome, text};
use common::shells::{Case, Session, entries};
use proptest::prelude::*;

const READ: &[&str] = &[
    "AWS_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWSUSE_PROFILE",
    "AWSUSE_PARTITION",
    "AWSUSE_DNS_SUFFIX",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_DEFAULT_PROFILE",
    "AWSUME_PROFILE",
    "AWS_VAULT",
];

/// Stale state a switch must clear: keys, the legacy profile variable, another switcher.
const STALE: &[(&str, &str)] = &[
    ("AWS_ACCESS_KEY_ID", "AKIASTALE"),
    ("AWS_SECRET_ACCESS_KEY", "stale-secret"),
    ("AWS_SESSION_TOKEN", "stale-token"),
    ("AWS_DEFAULT_PROFILE", "old"),
    ("AWSUME_PROFILE", "old"),
    ("AWS_VAULT", "old"),
];

fn shell_output(home: &TestHome, shell: Shell, args: &[&str]) -> String {
    let mut all = args.to_vec();
    all.splice(1..1, ["--shell", shell.name()]);
    let output = home.run(&all);
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "awsuse {all:?} failed: {stderr}");
    stdout
}

#[test]
fn use_then_unset_in_every_shell() {
    let home = TestHome::new();
    home.config("[profile gov]\nregion = us-gov-west-1\n[profile plain]\nsource_profile = gov\nrole_arn = arn:aws-us-gov:iam::1:role/x\n");
    home.credentials("[gov]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = secret\n");

    for shell in Shell::ALL {
        let Some(session) = Session::new(shell).map(|s| s.with_env(STALE)) else { continue };
        let switch = shell_output(&home, shell, &["use", "plain"]);
        let unset = shell_output(&home, shell, &["unset"]);
        let after = session
            .run(&[Case::new(switch.clone(), READ), Case::new(format!("{switch}{unset}"), READ)]);

        let switched = &after[0];
        assert_eq!(switched.get("AWS_PROFILE"), Some("plain"), "{shell}");
        assert_eq!(switched.get("AWS_REGION"), Some("us-gov-west-1"), "{shell}: inherited region");
        assert_eq!(switched.get("AWS_DEFAULT_REGION"), Some("us-gov-west-1"), "{shell}");
        assert_eq!(switched.get("AWSUSE_PROFILE"), Some("plain"), "{shell}");
        assert_eq!(switched.get("AWSUSE_PARTITION"), Some("aws-us-gov"), "{shell}");
        assert_eq!(switched.get("AWSUSE_DNS_SUFFIX"), Some("amazonaws.com"), "{shell}");
        for (stale, _) in STALE {
            assert_eq!(switched.get(stale), None, "{shell}: {stale} must be removed");
        }

        let cleared = &after[1];
        for name in [
            "AWS_PROFILE",
            "AWS_REGION",
            "AWS_DEFAULT_REGION",
            "AWSUSE_PROFILE",
            "AWSUSE_PARTITION",
        ] {
            assert_eq!(cleared.get(name), None, "{shell}: unset leaves {name}");
        }
    }
}

/// Profile names the SDKs accept, with every punctuation they allow and a leading `-`.
fn profile_name() -> impl Strategy<Value = String> {
    "-?[A-Za-z0-9_./%@:+-]{1,16}".prop_map(|s| s)
}

/// Regions given on the command line: anything without NUL.
fn hostile_value() -> impl Strategy<Value = String> {
    let payloads = prop_oneof![
        Just("$(touch MARKER)".to_owned()),
        Just("`touch MARKER`".to_owned()),
        Just("'; touch MARKER; '".to_owned()),
        Just("\\'; touch MARKER #".to_owned()),
        Just("\"; touch MARKER; \"".to_owned()),
        Just("%s%n%x".to_owned()),
        Just("-e\n-n".to_owned()),
        "[\\PC\\n\\t'\"`$(){};&|<>!*?~#%\\\\-]{0,24}",
        "[^\u{0}]{0,12}",
    ];
    payloads
}

/// Values that the config file can hold on one line and that reach the profile unchanged:
/// no blanks at all, so no `#` or `;` follows a blank (that starts a comment), and no `#` or
/// `;` first, right after the blank of `key = `.
fn config_value() -> impl Strategy<Value = String> {
    "[A-Za-z0-9'\"`$(){}&|<>!*?~%\\\\=é漢🙂-][A-Za-z0-9'\"`$(){};&|<>!*?~#%\\\\=é漢🙂-]{0,19}"
        .prop_map(|s| s)
}

fn run_cases(home: &TestHome, cases: &[(String, Vec<String>, String, String)]) {
    for shell in Shell::ALL {
        let Some(session) = Session::new(shell) else { continue };
        let scripts: Vec<Case> = cases
            .iter()
            .map(|(_, args, _, _)| {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                Case::new(shell_output(home, shell, &args), READ)
            })
            .collect();
        let results = session.run(&scripts);
        for ((label, _, name, region), got) in cases.iter().zip(&results) {
            assert_eq!(got.get("AWS_PROFILE"), Some(name.as_str()), "{shell} {label}");
            assert_eq!(got.get("AWSUSE_PROFILE"), Some(name.as_str()), "{shell} {label}");
            assert_eq!(got.get("AWS_REGION"), Some(region.as_str()), "{shell} {label}");
            assert_eq!(got.get("AWS_DEFAULT_REGION"), Some(region.as_str()), "{shell} {label}");
        }
        assert!(entries(&session.work_dir()).is_empty(), "{shell}: something ran in the shell");
    }
    assert!(!home.path().join("MARKER").exists());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn hostile_names_and_values_round_trip(
        profiles in prop::collection::btree_map(profile_name(), config_value(), 1..12),
        flags in prop::collection::vec(hostile_value(), 12),
    ) {
        let home = TestHome::new();
        let mut config = String::new();
        for (name, region) in &profiles {
            config.push_str(&format!("[profile {name}]\nregion = {region}\n"));
        }
        home.config(&config);

        // Each profile with its own region, then with a hostile --region.
        let mut cases = Vec::new();
        for (i, (name, region)) in profiles.iter().enumerate() {
            let args = |extra: &[String]| {
                let mut args = vec!["use".to_owned()];
                args.extend_from_slice(extra);
                args.extend(["--".to_owned(), name.clone()]);
                args
            };
            cases.push((format!("{name} own region"), args(&[]), name.clone(), region.clone()));
            let flag = &flags[i % flags.len()];
            cases.push((format!("{name} --region {flag:?}"), args(&[format!("--region={flag}")]), name.clone(), flag.clone()));
        }
        run_cases(&home, &cases);
    }
}
