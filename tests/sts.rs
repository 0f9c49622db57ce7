//! STS validation and MFA roles against moto's STS server on 127.0.0.1, with the real AWS CLI
//! and real shells applying what awsuse prints. No test reaches a non-loopback address: the
//! cn and us-gov endpoints are checked in the debug log of a run whose credentials fail
//! before any request is made.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use awsuse::cli_cache::{self, AssumeRoleArgs};
use awsuse::shell::Shell;
use common::home::{TestHome, assert_fails, text};
use common::moto::{self, Moto};
use common::shells::Session;

const SECRET: &str = "wJalrXUtnFEMIK7MDENGbPxRfiCYSTATICSECRET";
const PROCESS_SECRET: &str = "processSECRETprocessSECRETprocessSECRET";
const MFA_ROLE: &str = "arn:aws:iam::111122223333:role/needs-mfa";
const MFA_SERIAL: &str = "arn:aws:iam::123456789012:mfa/alice";

/// A home with one profile of each kind the tests switch to.
fn home() -> TestHome {
    let home = TestHome::new();
    let process = home.path().join("process.sh");
    std::fs::write(
        &process,
        format!(
            "#!/bin/sh\necho '{{\"Version\": 1, \"AccessKeyId\": \"AKIAPROCESSKEY000001\", \"SecretAccessKey\": \"{PROCESS_SECRET}\"}}'\n"
        ),
    )
    .unwrap();
    std::fs::set_permissions(&process, std::fs::Permissions::from_mode(0o755)).unwrap();
    home.config(&format!(
        "[profile static]\nregion = eu-west-1\n\
         [profile chain]\nrole_arn = arn:aws:iam::210987654321:role/deploy\nsource_profile = static\n\
         [profile process]\nregion = us-west-2\ncredential_process = {}\n\
         [profile mfa]\nrole_arn = {MFA_ROLE}\nsource_profile = static\nmfa_serial = {MFA_SERIAL}\n\
         duration_seconds = 3600\n",
        process.display()
    ))
    .credentials(&format!(
        "[static]\naws_access_key_id = AKIASTATICKEY0000001\naws_secret_access_key = {SECRET}\n"
    ));
    home
}

/// awsuse pointed at `moto`, with instance metadata off so that nothing waits on it.
fn awsuse(home: &TestHome, moto: &Moto, args: &[&str]) -> Output {
    home.command()
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ENDPOINT_URL_STS", moto.url())
        .args(args)
        .output()
        .expect("run awsuse")
}

fn account_in(stderr: &str) -> String {
    let after =
        stderr.split("is account ").nth(1).unwrap_or_else(|| panic!("no identity: {stderr}"));
    after.split(',').next().unwrap().to_owned()
}

fn aws_cli() -> Option<PathBuf> {
    moto::require("aws")
}

/// Applies `code` in a real shell, then runs the real AWS CLI there and returns the account
/// it reports.
fn account_seen_by_cli(
    shell: Shell,
    home: &TestHome,
    moto: &Moto,
    code: &str,
    aws: &Path,
) -> Option<String> {
    let session = Session::new(shell)?.with_env(&[
        ("AWS_CONFIG_FILE", home.config_path().to_str().unwrap()),
        ("AWS_SHARED_CREDENTIALS_FILE", home.credentials_path().to_str().unwrap()),
        ("AWS_ENDPOINT_URL_STS", &moto.url()),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ]);
    let script = session.work_dir().join("switch.out");
    std::fs::write(&script, code).unwrap();
    let apply = match shell {
        Shell::Fish => format!("cat '{}' | source", script.display()),
        _ => format!("eval \"$(cat '{}')\"", script.display()),
    };
    let output = session.run_code(&format!(
        "{apply}\n'{}' sts get-caller-identity --query Account --output text\n",
        aws.display()
    ));
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{shell}: the AWS CLI failed: {stderr}\n{code}");
    Some(stdout.trim().to_owned())
}

#[test]
fn every_kind_validates_and_works_for_the_cli_in_every_shell() {
    let Some(moto) = Moto::start() else { return };
    let Some(aws) = aws_cli() else { return };
    let home = home();

    for profile in ["static", "chain", "process", "mfa"] {
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
            let output = awsuse(
                &home,
                &moto,
                &["use", profile, "--validate", "--mfa-token", "123456", "--shell", shell.name()],
            );
            let (stdout, stderr) = text(&output);
            assert!(output.status.success(), "{profile}: {stderr}");
            let account = account_in(&stderr);

            let Some(seen) = account_seen_by_cli(shell, &home, &moto, &stdout, &aws) else {
                continue;
            };

            assert_eq!(seen, account, "{profile} in {shell}");
        }
    }
    let state = std::fs::read_to_string(home.state_dir().join("recent.json")).unwrap();
    assert!(state.contains("210987654321") && state.contains("111122223333"), "{state}");
}

#[test]
fn mfa_role_exports_keys_and_shares_them_with_the_cli() {
    let Some(moto) = Moto::start() else { return };
    let Some(aws) = aws_cli() else { return };
    let home = home();

    let first = awsuse(&home, &moto, &["use", "mfa", "--mfa-token", "123456", "--shell", "bash"]);
    let (stdout, stderr) = text(&first);
    assert!(first.status.success(), "{stderr}");
    assert!(
        stdout.contains("export AWS_ACCESS_KEY_ID=")
            && stdout.contains("AWS_CREDENTIAL_EXPIRATION")
    );
    assert!(!stdout.contains("export AWS_PROFILE"), "{stdout}");

    // The file the CLI itself would look for, private to the user.
    let key = cli_cache::assume_role_cache_key(&AssumeRoleArgs {
        role_arn: MFA_ROLE.into(),
        serial_number: Some(MFA_SERIAL.into()),
        duration_seconds: Some(3600),
        ..Default::default()
    });
    let file = cli_cache::cache_dir(home.path()).join(format!("{key}.json"));
    let mode = std::fs::metadata(&file).expect("cache file written").permissions().mode();
    assert_eq!(mode & 0o777, 0o600);

    // The real CLI with that profile and no terminal: it would fail if it had to prompt.
    let cli = Command::new(&aws)
        .args([
            "--profile",
            "mfa",
            "sts",
            "get-caller-identity",
            "--query",
            "Arn",
            "--output",
            "text",
        ])
        .env_clear()
        .env("HOME", home.path())
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL_STS", moto.url())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let (cli_out, cli_err) = text(&cli);
    assert!(cli.status.success(), "the AWS CLI did not use the cache: {cli_err}");
    assert!(cli_out.contains("assumed-role/needs-mfa"), "{cli_out}");

    // A second switch within the validity asks for no code: there is no terminal to ask on.
    let second = awsuse(&home, &moto, &["use", "mfa", "--shell", "bash"]);
    let (again, stderr) = text(&second);
    assert!(second.status.success(), "{stderr}");
    assert!(stderr.contains("reusing"), "{stderr}");
    let key_line =
        |s: &str| s.lines().find(|l| l.contains("AWS_ACCESS_KEY_ID=")).unwrap().to_owned();
    assert_eq!(key_line(&again), key_line(&stdout));
}

#[test]
fn mfa_role_without_code_or_terminal_fails_clearly() {
    let Some(moto) = Moto::start() else { return };
    let home = home();

    let output = awsuse(&home, &moto, &["use", "mfa", "--shell", "bash"]);

    assert_fails(&output, &["needs an MFA code", "--mfa-token"]);
}

/// A role that needs a code, assumed with the keys of another role that needs one too: each
/// AssumeRole call carries a code of its own, given in chain order.
#[test]
fn chain_with_two_mfa_roles_takes_one_code_for_each() {
    let Some(moto) = Moto::start() else { return };
    let home = home();
    let mut config = std::fs::read_to_string(home.path().join(".aws/config")).unwrap();
    config.push_str(&format!(
        "[profile top]\nrole_arn = arn:aws:iam::444455556666:role/top\nsource_profile = mfa\n\
         mfa_serial = {MFA_SERIAL}\n"
    ));
    home.config(&config);

    let one = awsuse(&home, &moto, &["use", "top", "--mfa-token", "123456", "--shell", "bash"]);
    assert_fails(&one, &["needs 2 MFA code(s)", "(mfa, top)", "1 were given", "--mfa-token"]);
    let (_, stderr) = text(&one);
    assert!(!stderr.contains("AssumeRole"), "no call is made with too few codes: {stderr}");

    let codes = ["--mfa-token", "123456", "--mfa-token", "654321"];
    let two = awsuse(
        &home,
        &moto,
        &[&["use", "top", "--validate"], &codes[..], &["--shell", "bash"]].concat(),
    );
    let (stdout, stderr) = text(&two);
    assert!(two.status.success(), "{stderr}");
    assert!(stdout.contains("export AWS_SESSION_TOKEN="), "{stdout}");
    assert!(stderr.contains("444455556666"), "the final role's account is reported: {stderr}");
}

#[test]
fn cache_file_names_follow_the_cli_vectors() {
    let Some(moto) = Moto::start() else { return };
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/conformance/cli-cache/cache-key-vectors.json");
    let vectors: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();

    let mut ran = 0;
    for vector in vectors["assumeRoleCacheKeys"].as_array().unwrap() {
        let args = &vector["args"];
        let field = |name: &str| args.get(name).and_then(|v| v.as_str());
        // Only MFA roles are cached by awsuse; a Policy cannot come from a profile; moto
        // needs a role ARN it can read an account from.
        let role = field("RoleArn").unwrap();
        let usable = field("SerialNumber").is_some()
            && args.get("Policy").is_none()
            && role.contains(":role/");
        if !usable {
            continue;
        }
        let home = home();
        let mut profile = format!(
            "[profile v]\nrole_arn = {role}\nsource_profile = static\nmfa_serial = {}\n",
            field("SerialNumber").unwrap()
        );
        for (name, key) in [("RoleSessionName", "role_session_name"), ("ExternalId", "external_id")]
        {
            if let Some(value) = field(name) {
                profile.push_str(&format!("{key} = {value}\n"));
            }
        }
        if let Some(seconds) = args.get("DurationSeconds").and_then(|v| v.as_i64()) {
            profile.push_str(&format!("duration_seconds = {seconds}\n"));
        }
        home.config(&profile);

        let output =
            awsuse(&home, &moto, &["use", "v", "--mfa-token", "123456", "--shell", "bash"]);

        assert!(output.status.success(), "{}", text(&output).1);
        let written = common::shells::entries(&cli_cache::cache_dir(home.path()));
        assert_eq!(written, vec![format!("{}.json", vector["key"].as_str().unwrap())], "{args}");
        ran += 1;
    }
    assert!(ran >= 2, "only {ran} vectors ran");
}

#[test]
fn cn_and_gov_profiles_use_their_partitions_sts_endpoint() {
    let home = TestHome::new();
    home.config(
        "[profile cn]\nregion = cn-north-1\ncredential_process = false\n\
         [profile gov]\nregion = us-gov-west-1\ncredential_process = false\n",
    );

    for (profile, endpoint) in [
        ("cn", "sts endpoint https://sts.cn-north-1.amazonaws.com.cn "),
        ("gov", "sts endpoint https://sts.us-gov-west-1.amazonaws.com "),
    ] {
        // The process fails before any request, so these hosts are never called. There is no
        // credentials file here, which must not keep the process from running.
        let output = home
            .command()
            .env("AWSUSE_LOG", "debug")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .args(["use", profile, "--validate", "--shell", "bash"])
            .output()
            .unwrap();

        assert_fails(&output, &[endpoint, "credential_process", "exited with code"]);
    }
}

#[test]
fn unreachable_sts_is_explained() {
    let home = home();
    let port = moto::free_port();

    let output = home
        .command()
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ENDPOINT_URL_STS", format!("http://127.0.0.1:{port}"))
        .args(["use", "static", "--validate", "--timeout", "5", "--shell", "bash"])
        .output()
        .unwrap();

    assert_fails(&output, &["could not reach STS", &format!("127.0.0.1:{port}")]);
}

#[test]
fn invalid_keys_are_explained() {
    let Some(moto) = Moto::start_checking_keys() else { return };
    let home = home();

    let output = awsuse(&home, &moto, &["use", "static", "--validate", "--shell", "bash"]);

    let message = assert_fails(&output, &["rejected the credentials", "renew the keys"]);
    assert!(!message.contains(SECRET));
}

#[test]
fn missing_or_expired_sso_token_names_the_login_command() {
    let Some(moto) = Moto::start() else { return };
    let home = home();
    home.config(
        "[profile sso]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Admin\n\
         [sso-session corp]\nsso_region = eu-west-1\nsso_start_url = https://corp.awsapps.com/start\n",
    );

    let missing = awsuse(&home, &moto, &["use", "sso", "--validate", "--shell", "bash"]);
    assert_fails(&missing, &["aws sso login --sso-session corp", "SSO token"]);

    // An expired token without a refresh token cannot be renewed without the user.
    let cache = home.path().join(".aws/sso/cache");
    std::fs::create_dir_all(&cache).unwrap();
    let token = format!("{}.json", cli_cache::sso_token_cache_key("corp"));
    std::fs::write(
        cache.join(token),
        r#"{"accessToken": "expired-token-value", "expiresAt": "2020-01-01T00:00:00Z", "region": "eu-west-1", "startUrl": "https://corp.awsapps.com/start"}"#,
    )
    .unwrap();
    let expired = awsuse(&home, &moto, &["use", "sso", "--validate", "--shell", "bash"]);
    let message = assert_fails(&expired, &["aws sso login --sso-session corp", "SSO token"]);
    assert!(!message.contains("expired-token-value"));
}

#[test]
fn failing_credential_process_is_explained() {
    let Some(moto) = Moto::start() else { return };
    let home = home();
    home.config("[profile broken]\ncredential_process = sh -c 'echo sign-in needed >&2; exit 3'\n");

    let output = awsuse(&home, &moto, &["use", "broken", "--validate", "--shell", "bash"]);

    assert_fails(&output, &["credential_process of profile 'broken' failed", "exited with code"]);
}

#[test]
fn no_secret_reaches_stderr_or_the_state_file_at_trace_level() {
    let Some(moto) = Moto::start() else { return };
    let home = home();

    let mut secrets = vec![SECRET.to_owned(), PROCESS_SECRET.to_owned()];
    let mut stderr_all = String::new();
    for profile in ["static", "chain", "process", "mfa"] {
        let output = home
            .command()
            .env("AWSUSE_LOG", "trace")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_ENDPOINT_URL_STS", moto.url())
            .args(["use", profile, "--validate", "--mfa-token", "123456", "--shell", "bash"])
            .output()
            .unwrap();
        let (stdout, stderr) = text(&output);
        assert!(output.status.success(), "{stderr}");
        assert!(stderr.contains("debug: sts endpoint"), "trace logging is on: {stderr}");
        stderr_all.push_str(&stderr);

        // The temporary secret and token of the MFA switch are on standard output only.
        for name in ["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"] {
            let prefix = format!("export {name}='");
            if let Some(line) = stdout.lines().find(|l| l.starts_with(&prefix)) {
                secrets.push(line[prefix.len()..line.len() - 2].to_owned());
            }
        }
    }
    let state = std::fs::read_to_string(home.state_dir().join("recent.json")).unwrap();

    assert!(secrets.len() >= 4, "the MFA switch exported a secret and a token");
    for secret in &secrets {
        assert!(!stderr_all.contains(secret.as_str()), "a secret reached standard error");
        assert!(!state.contains(secret.as_str()), "a secret reached the state file");
    }
}

#[test]
fn current_validate_asks_sts_about_the_shell() {
    let Some(moto) = Moto::start() else { return };
    let home = home();

    let output = home
        .command()
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ENDPOINT_URL_STS", moto.url())
        .env("AWS_PROFILE", "chain")
        .args(["current", "--validate"])
        .output()
        .unwrap();

    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(account_in(&stderr), "210987654321");
    assert!(stdout.contains("profile:    chain"), "{stdout}");
}
