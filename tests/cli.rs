//! The built binary against throw-away homes: listing, switching, and every error case.

mod common;

use common::home::{TestHome, assert_fails, text};

const CONFIG: &str = "\
[default]
region = eu-west-1

[profile prod]
role_arn = arn:aws:iam::111122223333:role/Admin
source_profile = default

[profile sso-dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Dev

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = ap-southeast-2

[profile loop-a]
role_arn = arn:aws:iam::111122223333:role/A
source_profile = loop-b

[profile loop-b]
role_arn = arn:aws:iam::111122223333:role/B
source_profile = loop-a

[profile half]
aws_access_key_id = AKIAEXAMPLE

[profile my box]
region = us-east-2
";

const CREDENTIALS: &str = "\
[default]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
";

fn home() -> TestHome {
    let home = TestHome::new();
    home.config(CONFIG).credentials(CREDENTIALS);
    home
}

#[test]
fn use_prints_the_profile_and_its_inherited_region() {
    let home = home();
    let output = home.run(&["use", "prod", "--shell", "bash"]);
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.contains("export AWS_PROFILE='prod'"), "{stdout}");
    assert!(stdout.contains("export AWS_REGION='eu-west-1'"), "{stdout}");
    assert!(stdout.contains("unset -v AWS_ACCESS_KEY_ID"), "{stdout}");
    assert!(!stdout.contains("wJalr"), "no secret in shell code: {stdout}");
}

#[test]
fn sso_region_comes_from_the_session() {
    let home = home();
    let (stdout, _) = text(&home.run(&["use", "sso-dev", "--shell", "fish"]));
    assert!(stdout.contains("set -gx AWS_REGION 'ap-southeast-2'"), "{stdout}");
}

#[test]
fn unknown_profile_suggests_close_names() {
    let home = home();
    let message = assert_fails(&home.run(&["use", "prd", "--shell", "bash"]), &["'prd'", "'prod'"]);
    assert!(message.contains(".aws/config"), "names the files: {message}");
}

#[test]
fn a_cycle_is_refused_with_its_chain() {
    let home = home();
    assert_fails(
        &home.run(&["use", "loop-a", "--shell", "bash"]),
        &["loop-a -> loop-b -> loop-a", ".aws/config line"],
    );
}

#[test]
fn half_a_key_pair_is_refused() {
    let home = home();
    assert_fails(&home.run(&["use", "half", "--shell", "zsh"]), &["aws_secret_access_key"]);
}

#[test]
fn a_section_the_sdks_skip_is_explained() {
    let home = home();
    assert_fails(&home.run(&["use", "my box", "--shell", "bash"]), &["line 28", "letters, digits"]);
}

#[test]
fn a_parse_error_names_file_and_line() {
    let home = TestHome::new();
    home.config("[profile a]\nregion = x\n[profile b\n");
    let message = assert_fails(&home.run(&["use", "a", "--shell", "bash"]), &["config:3"]);
    assert!(message.contains(&home.config_path().display().to_string()), "{message}");
    assert_fails(&home.run(&["list"]), &["config:3"]);
}

#[test]
fn no_profiles_at_all_says_what_to_do() {
    let home = TestHome::new();
    assert_fails(&home.run(&["use", "x", "--shell", "bash"]), &["no profiles", "awsuse create"]);
}

#[test]
fn list_names_puts_recent_profiles_first() {
    let home = home();
    let before = text(&home.run(&["list", "--names"])).0;
    assert_eq!(
        before.lines().collect::<Vec<_>>(),
        ["default", "half", "loop-a", "loop-b", "prod", "sso-dev"]
    );

    for name in ["sso-dev", "prod"] {
        assert!(home.run(&["use", name, "--shell", "bash"]).status.success());
    }
    let after = text(&home.run(&["list", "--names"])).0;
    assert_eq!(
        after.lines().collect::<Vec<_>>(),
        ["prod", "sso-dev", "default", "half", "loop-a", "loop-b"]
    );

    let prefixed = text(&home.run(&["list", "--names", "--prefix", "lo"])).0;
    assert_eq!(prefixed.lines().collect::<Vec<_>>(), ["loop-a", "loop-b"]);
    assert_eq!(text(&home.run(&["list", "--names", "--prefix", "-x"])).0, "");
    let everything = text(&home.run(&["list", "--names", "--prefix", ""])).0;
    assert_eq!(everything, after, "completion reads the same names in the same order");
    let recent_prefixed = text(&home.run(&["list", "--names", "--prefix", "s"])).0;
    assert_eq!(recent_prefixed, "sso-dev\n");

    let one =
        text(&home.command().args(["list", "--names"]).env("AWSUSE_RECENT", "1").output().unwrap())
            .0;
    assert_eq!(one.lines().take(2).collect::<Vec<_>>(), ["prod", "default"]);
}

#[test]
fn list_json_describes_each_profile() {
    let home = home();
    let (stdout, stderr) = text(&home.run(&["list", "--json"]));
    let rows: serde_json::Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout} {stderr}"));
    let find =
        |name: &str| rows.as_array().unwrap().iter().find(|r| r["name"] == name).unwrap().clone();

    let default = find("default");
    assert_eq!(default["kind"], "static");
    assert_eq!(default["source"], "config+credentials");
    assert_eq!(find("prod")["kind"], "role");
    assert_eq!(find("prod")["region"], "eu-west-1");
    assert_eq!(find("sso-dev")["kind"], "sso");
    let problems = find("loop-b")["problems"].as_array().unwrap().clone();
    assert!(problems[0].as_str().unwrap().contains("loop"), "{problems:?}");
    assert_eq!(find("half")["line"], 25);
    assert!(!stdout.contains("wJalr"), "no secret in list output");
}

#[test]
fn explicit_files_are_exported_for_other_tools() {
    let home = TestHome::new();
    let other = home.path().join("other-config");
    std::fs::write(&other, "[profile elsewhere]\nregion = us-west-1\n").unwrap();
    let output = home.run(&[
        "use",
        "elsewhere",
        "--shell",
        "bash",
        "--config-file",
        other.to_str().unwrap(),
    ]);
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.contains(&format!("export AWS_CONFIG_FILE='{}'", other.display())), "{stdout}");
    assert!(stdout.contains("export AWSUSE_VARS='AWS_CONFIG_FILE'"), "{stdout}");

    let unset = text(
        &home
            .command()
            .args(["unset", "--shell", "bash"])
            .env("AWSUSE_VARS", "AWS_CONFIG_FILE")
            .output()
            .unwrap(),
    )
    .0;
    assert!(unset.contains("unset -v AWS_CONFIG_FILE"), "{unset}");
}

#[test]
fn current_reads_the_environment_only() {
    let home = TestHome::new();
    let output = home
        .command()
        .args(["current", "--json"])
        .env("AWS_PROFILE", "prod")
        .env("AWSUSE_PROFILE", "prod")
        .env("AWS_REGION", "eu-central-1")
        .env("AWS_CREDENTIAL_EXPIRATION", "2999-01-01T00:00:00Z")
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["profile"], "prod");
    assert_eq!(json["region"], "eu-central-1");
    assert_eq!(json["switched_by_awsuse"], true);
    assert!(json["minutes_left"].as_i64().unwrap() > 0);

    let nothing = home.run(&["current"]);
    assert_fails(&nothing, &["no AWS profile"]);
}

#[test]
fn a_terminal_gets_a_hint_instead_of_shell_code() {
    // `script` gives awsuse a pseudo-terminal as standard output, as an interactive shell would.
    let Some(script) = common::shells::find_program("script") else {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "script (util-linux) is missing");
        eprintln!("skipping: script is not installed");
        return;
    };
    let home = home();
    let binary = env!("CARGO_BIN_EXE_awsuse");
    let output = std::process::Command::new(script)
        .args(["-qec", &format!("'{binary}' use prod --shell bash"), "/dev/null"])
        .env_clear()
        .env("HOME", home.path())
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("AWSUSE_STATE_DIR", home.state_dir())
        .output()
        .unwrap();
    let (stdout, _) = text(&output);
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.contains("nothing was changed"), "{stdout}");
    assert!(stdout.contains("eval \"$(awsuse use NAME)\""), "{stdout}");
    assert!(!stdout.contains("export"), "no shell code on a terminal: {stdout}");
    assert!(!home.state_dir().join("recent.json").exists(), "a hint is not a use");
}

#[test]
fn credential_source_mistakes_name_the_profile_file_and_line() {
    let home = TestHome::new();
    home.config(
        "[profile unknown-source]\nrole_arn = arn:aws:iam::111122223333:role/A\n\
         credential_source = Ec2Metadata\n\
         [profile both]\nrole_arn = arn:aws:iam::111122223333:role/B\n\
         credential_source = Environment\nsource_profile = unknown-source\n\
         [profile orphan]\nrole_arn = arn:aws:iam::111122223333:role/C\nsource_profile = ghost\n",
    );
    let config = home.config_path().display().to_string();

    let cases = [
        (
            "unknown-source",
            "line 1",
            &["'unknown-source'", "Ec2Metadata", "Ec2InstanceMetadata"][..],
        ),
        ("both", "line 4", &["'both'", "both source_profile and credential_source", "keep one"]),
        ("orphan", "line 8", &["'orphan'", "source_profile 'ghost'", "does not exist"]),
    ];
    for (name, line, needles) in cases {
        let output = home.run(&["use", name, "--shell", "bash"]);
        let message = assert_fails(&output, needles);
        assert!(message.contains(&format!("{config} {line}")), "{name}: {message}");
    }
}

/// Completion reads section headers only: a line the SDKs refuse elsewhere in a file does not
/// keep Tab from offering names, while `list` itself reports it.
#[test]
fn completion_names_survive_a_broken_line_that_list_reports() {
    let home = TestHome::new();
    home.config("[profile b]\nregion = eu-west-1\nthis line has no equals sign\n[profile a]\n");
    home.credentials("[c]\naws_access_key_id = AKIA\n[profile not-here]\n");
    assert_fails(&home.run(&["list", "--names"]), &["config:3:", "expected '='"]);
    let names = home.run(&["list", "--names", "--prefix", ""]);
    assert!(names.status.success(), "{}", text(&names).1);
    assert_eq!(text(&names).0, "a\nb\nc\n");
}
