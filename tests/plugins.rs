//! Real plugins loaded by the built binary: a C plugin compiled here, the `pass` plugin with a
//! throw-away GnuPG key and password store, and plugins that are broken on purpose.

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use awsuse::shell::Shell;
use common::home::{TestHome, text};
use common::plugins::{
    Moto, PassStore, c_plugin, install, plugin_dir, require_program, rust_plugins,
};
use common::shells::{Case, Session, entries};

const KEYS: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWSUSE_PROFILE",
    "AWSUSE_VARS",
    "CMIN_TAG",
    "CMIN_OLD",
];

/// The hostile value the C plugin's after_switch sets, byte for byte as minimal.c has it.
const CMIN_TAG: &str = "it's \"$(touch pwned)\" `id`; $HOME \\ * ?\n\tnext line %s {a,b} ~ #!";

fn run_with(
    home: &TestHome,
    dir: &Path,
    extra: &[(String, String)],
    args: &[&str],
) -> std::process::Output {
    home.command()
        .env("AWSUSE_PLUGIN_PATH", dir)
        .envs(extra.iter().map(|(k, v)| (k, v)))
        .args(args)
        .output()
        .expect("run awsuse")
}

fn json_rows(stdout: &str) -> Vec<serde_json::Value> {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("list --json: {e}: {stdout}"))
}

fn row<'a>(rows: &'a [serde_json::Value], name: &str) -> Option<&'a serde_json::Value> {
    rows.iter().find(|r| r["name"] == name)
}

fn pass_ready() -> bool {
    require_program("cc", "gcc")
        && require_program("gpg", "gnupg")
        && require_program("pass", "pass")
        && require_program("oathtool", "pass-extension-otp")
}

fn pass_store() -> PassStore {
    let store = PassStore::new();
    store.insert(
        "aws/dev",
        "aws_access_key_id: AKIAPASSDEV000000001\naws_secret_access_key: pass/Secret+Key'$x\n",
    );
    store.insert("aws/team/prod", "wholeSecret\naws_access_key_id: AKIAPASSPROD00000002\n");
    store.insert(
        "aws-mfa/alice",
        "mfa_serial: arn:aws:iam::123456789012:mfa/alice\notpauth://totp/AWS:alice?secret=JBSWY3DPEHPK3PXP&issuer=AWS\n",
    );
    store
}

#[test]
fn c_and_pass_plugins_contribute_profiles_with_their_source() {
    if !pass_ready() {
        return;
    }
    let home = TestHome::new();
    home.config("[profile file-one]\nregion = eu-central-1\n");
    let dir = plugin_dir();
    c_plugin(dir.path(), "cmin.so", &[]);
    install(&rust_plugins().pass, dir.path(), "pass.so");
    let store = pass_store();

    let output = run_with(&home, dir.path(), &store.env(), &["list", "--json"]);
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.is_empty(), "no warnings expected: {stderr}");
    let rows = json_rows(&stdout);
    let source = |name| row(&rows, name).map(|r| r["source"].as_str().unwrap().to_owned());
    assert_eq!(source("file-one").as_deref(), Some("config"));
    assert_eq!(source("c-dev").as_deref(), Some("plugin:cmin"));
    assert_eq!(source("dev").as_deref(), Some("plugin:pass"));
    assert_eq!(source("team/prod").as_deref(), Some("plugin:pass"));
    assert_eq!(row(&rows, "c-dev").unwrap()["region"], "eu-west-2");

    // Completion sees them too, and `--no-plugins` hides them.
    let names = text(&run_with(&home, dir.path(), &store.env(), &["list", "--names"])).0;
    assert_eq!(names.lines().collect::<Vec<_>>(), ["file-one", "c-dev", "dev", "team/prod"]);
    let off =
        text(&run_with(&home, dir.path(), &store.env(), &["--no-plugins", "list", "--names"])).0;
    assert_eq!(off, "file-one\n");
    let no_plugins = [("AWSUSE_NO_PLUGINS".to_owned(), "1".to_owned())];
    let off = text(&run_with(&home, dir.path(), &no_plugins, &["list", "--names"])).0;
    assert_eq!(off, "file-one\n");

    let listing = text(&run_with(&home, dir.path(), &store.env(), &["plugins"])).0;
    assert!(listing.contains("cmin 0.1.0  hooks: profiles, credentials  profiles: 1"), "{listing}");
    assert!(
        listing.contains("pass 0.1.0  hooks: profiles, credentials, mfa_code  profiles: 2"),
        "{listing}"
    );
}

#[test]
fn a_pass_profile_exports_exactly_the_stored_keys_and_sts_accepts_them() {
    if !pass_ready() {
        return;
    }
    let home = TestHome::new();
    let dir = plugin_dir();
    install(&rust_plugins().pass, dir.path(), "pass.so");
    let store = pass_store();
    let stale = [("AWS_PROFILE", "old"), ("AWS_SESSION_TOKEN", "stale-token")];
    let mut applied = None;

    for shell in Shell::ALL {
        let Some(session) = Session::new(shell).map(|s| s.with_env(&stale)) else { continue };
        let args = ["use", "--shell", shell.name(), "dev"];
        let output = run_with(&home, dir.path(), &store.env(), &args);
        let (code, stderr) = text(&output);
        assert!(output.status.success(), "{shell}: {stderr}");
        assert!(!stderr.contains("Secret"), "{shell}: a secret reached standard error: {stderr}");

        let got = session.run(&[Case::new(code, KEYS)]).remove(0);
        assert_eq!(got.get("AWS_ACCESS_KEY_ID"), Some("AKIAPASSDEV000000001"), "{shell}");
        assert_eq!(got.get("AWS_SECRET_ACCESS_KEY"), Some("pass/Secret+Key'$x"), "{shell}");
        assert_eq!(got.get("AWS_SESSION_TOKEN"), None, "{shell}: stale token removed");
        assert_eq!(got.get("AWS_PROFILE"), None, "{shell}: no profile beside the keys");
        assert_eq!(got.get("AWSUSE_PROFILE"), Some("dev"), "{shell}");
        assert_eq!(got.get("AWS_REGION"), Some("us-east-1"), "{shell}");
        assert!(entries(&session.work_dir()).is_empty(), "{shell}: something ran");
        applied = Some(got);
    }

    // The first line is the secret when the entry names none.
    let code =
        text(&run_with(&home, dir.path(), &store.env(), &["use", "--shell", "bash", "team/prod"]))
            .0;
    assert!(code.contains("export AWS_SECRET_ACCESS_KEY='wholeSecret';"), "{code}");

    // The AWS CLI gets exactly what the last shell was left with.
    let (Some(applied), Some(moto)) = (applied, Moto::start()) else { return };
    let env: Vec<(&str, &str)> =
        applied.vars.iter().filter_map(|(k, v)| Some((k.as_str(), v.as_deref()?))).collect();
    let account = moto.caller_account(&env);
    let account = account.expect("moto's STS accepts the keys from the store");
    assert!(account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()), "{account}");
}

#[test]
fn after_switch_values_round_trip_and_unset_removes_them() {
    if !require_program("cc", "gcc") {
        return;
    }
    let home = TestHome::new();
    home.credentials("[plain]\naws_access_key_id = AKIAPLAIN\naws_secret_access_key = s\n");
    let dir = plugin_dir();
    c_plugin(dir.path(), "cmin.so", &["-DWITH_AFTER_SWITCH"]);

    for shell in Shell::ALL {
        let Some(session) = Session::new(shell).map(|s| s.with_env(&[("CMIN_OLD", "x")])) else {
            continue;
        };
        let switch =
            text(&run_with(&home, dir.path(), &[], &["use", "--shell", shell.name(), "plain"])).0;
        let got = session.run_one(&switch, KEYS);
        assert_eq!(got.get("CMIN_TAG"), Some(CMIN_TAG), "{shell}: value changed on the way");
        assert_eq!(got.get("CMIN_OLD"), None, "{shell}: the plugin's unset");
        assert_eq!(got.get("AWS_PROFILE"), Some("plain"), "{shell}");
        let listed = got.get("AWSUSE_VARS").unwrap_or_default().to_owned();
        assert!(listed.split(':').any(|n| n == "CMIN_TAG"), "{shell}: {listed}");

        // `unset` runs in the shell the switch left, with its AWSUSE_VARS.
        let after = [("AWSUSE_VARS".to_owned(), listed)];
        let unset =
            text(&run_with(&home, dir.path(), &after, &["unset", "--shell", shell.name()])).0;
        let cleared = session.run_one(&format!("{switch}{unset}"), KEYS);
        assert_eq!(cleared.get("CMIN_TAG"), None, "{shell}: unset removes plugin variables");
        assert!(entries(&session.work_dir()).is_empty(), "{shell}: something ran");
    }
}

#[test]
fn broken_plugins_are_refused_with_their_reason_and_the_rest_works() {
    if !require_program("cc", "gcc") {
        return;
    }
    let home = TestHome::new();
    home.config("[profile file-one]\nregion = eu-central-1\n");
    let dir = plugin_dir();
    c_plugin(dir.path(), "cmin.so", &[]);
    let writable = c_plugin(dir.path(), "shared.so", &["-DPLUGIN_NAME=\"shared\""]);
    fs::set_permissions(&writable, fs::Permissions::from_mode(0o775)).unwrap();
    c_plugin(dir.path(), "future.so", &["-DAS_VERSION_2", "-DPLUGIN_NAME=\"future\""]);
    c_plugin(dir.path(), "noentry.so", &["-DNO_ENTRY", "-DPLUGIN_NAME=\"noentry\""]);
    c_plugin(dir.path(), "garbage.so", &["-DGARBAGE", "-DPLUGIN_NAME=\"garbage\""]);
    install(&rust_plugins().panicky, dir.path(), "panicky.so");

    let output = run_with(&home, dir.path(), &[], &["list", "--json"]);
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    let rows = json_rows(&stdout);
    assert!(row(&rows, "file-one").is_some() && row(&rows, "c-dev").is_some(), "{stdout}");
    assert_eq!(rows.len(), 2, "only the working plugin adds a profile: {stdout}");

    let expected = [
        "shared.so is skipped: it is writable by group or others",
        "chmod go-w",
        "future.so is skipped: it is built for plugin interface version 2",
        "noentry.so is skipped: it does not export the entry symbol awsuse_plugin_v1",
        "plugin 'garbage' profiles: malformed answer: output is not UTF-8",
        "plugin 'panicky' profiles: the plugin panicked: the vault is on fire",
    ];
    for needle in expected {
        assert_eq!(stderr.matches(needle).count(), 1, "{needle:?} once in: {stderr}");
    }
    assert!(!stderr.contains("panicked at"), "the panic stays inside the plugin: {stderr}");

    // The working plugin still switches, and `awsuse plugins` names every refusal.
    let code = text(&run_with(&home, dir.path(), &[], &["use", "--shell", "bash", "c-dev"])).0;
    assert!(code.contains("export AWS_ACCESS_KEY_ID='AKIACMINIMAL0000001';"), "{code}");
    let listing = text(&run_with(&home, dir.path(), &[], &["plugins"])).0;
    for needle in expected {
        assert!(listing.contains(needle), "{needle:?} in: {listing}");
    }
}

#[test]
fn a_plugin_profile_never_shadows_a_profile_of_the_aws_files() {
    if !require_program("cc", "gcc") {
        return;
    }
    let home = TestHome::new();
    home.config("[profile c-dev]\nregion = ap-south-1\n");
    let dir = plugin_dir();
    c_plugin(dir.path(), "cmin.so", &[]);

    let output = run_with(&home, dir.path(), &[], &["list", "--json"]);
    let (stdout, stderr) = text(&output);
    let rows = json_rows(&stdout);
    assert_eq!(rows.len(), 1, "{stdout}");
    assert_eq!(rows[0]["source"], "config");
    assert!(
        stderr.contains(
            "plugin 'cmin' profile 'c-dev' is skipped: the AWS files have a profile of that name"
        ),
        "{stderr}"
    );

    let code = text(&run_with(&home, dir.path(), &[], &["use", "--shell", "bash", "c-dev"])).0;
    assert!(code.contains("export AWS_PROFILE='c-dev';"), "{code}");
    assert!(!code.contains("AKIACMINIMAL"), "{code}");
}

#[test]
fn mfa_codes_come_from_pass_otp() {
    // The plugin reads the password store from its process's environment, which a test may
    // not change; a child run of this same test gets the environment instead.
    if let Ok(serial) = std::env::var("AWSUSE_TEST_MFA_SERIAL") {
        let env = awsuse::env::Env::from_process();
        let code = awsuse::plugins::mfa_code(&env, &serial);
        println!("CODE={}", code.unwrap_or_default());
        return;
    }
    if !pass_ready() {
        return;
    }
    let dir = plugin_dir();
    install(&rust_plugins().pass, dir.path(), "pass.so");
    let store = pass_store();

    let ask = |serial: &str| {
        let output = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "mfa_codes_come_from_pass_otp", "--nocapture", "--test-threads=1"])
            .env("AWSUSE_TEST_MFA_SERIAL", serial)
            .env("AWSUSE_PLUGIN_PATH", dir.path())
            .envs(store.env())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        // The harness prints its own words around the child's line.
        let line = stdout
            .split_once("CODE=")
            .map(|(_, rest)| rest.lines().next().unwrap_or("").to_owned());
        line.unwrap_or_else(|| panic!("no code line: {stdout}"))
    };

    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let code = ask("arn:aws:iam::123456789012:mfa/alice");
    let secret = b"Hello!\xde\xad\xbe\xef"; // JBSWY3DPEHPK3PXP
    let window = [now / 30 - 1, now / 30, now / 30 + 1].map(|step| totp(secret, step));
    assert!(window.contains(&code), "code {code:?} is none of {window:?}");
    assert_eq!(ask("arn:aws:iam::123456789012:mfa/nobody"), "", "unknown serials get no code");
}

/// RFC 6238 with SHA-1 and 6 digits, written out so the check does not trust `pass otp`.
fn totp(key: &[u8], step: u64) -> String {
    let mut block = [0u8; 64];
    block[..key.len()].copy_from_slice(key);
    let pad = |byte: u8| block.iter().map(|b| b ^ byte).collect::<Vec<u8>>();
    let mut inner = sha1_smol::Sha1::new();
    inner.update(&pad(0x36));
    inner.update(&step.to_be_bytes());
    let mut outer = sha1_smol::Sha1::new();
    outer.update(&pad(0x5c));
    outer.update(&inner.digest().bytes());
    let mac = outer.digest().bytes();

    let offset = usize::from(mac[19] & 0x0f);
    let value = u32::from_be_bytes(mac[offset..offset + 4].try_into().unwrap()) & 0x7fff_ffff;
    format!("{:06}", value % 1_000_000)
}

#[test]
fn an_mfa_role_takes_its_code_from_pass_without_prompting() {
    if !pass_ready() {
        return;
    }
    let Some(moto) = Moto::start() else { return };
    let role = "arn:aws:iam::111122223333:role/needs-mfa";
    let serial = "arn:aws:iam::123456789012:mfa/alice";
    let home = TestHome::new();
    home.config(&format!(
        "[profile mfa]\nregion = eu-west-1\nrole_arn = {role}\nsource_profile = keys\nmfa_serial = {serial}\n"
    ))
    .credentials("[keys]\naws_access_key_id = AKIAMFASOURCE0000001\naws_secret_access_key = src\n");
    let dir = plugin_dir();
    install(&rust_plugins().pass, dir.path(), "pass.so");
    let store = pass_store();
    let mut env = store.env();
    env.extend([
        ("AWS_ENDPOINT_URL_STS".to_owned(), moto.url()),
        ("AWS_EC2_METADATA_DISABLED".to_owned(), "true".to_owned()),
        ("AWSUSE_LOG".to_owned(), "debug".to_owned()),
    ]);

    // Standard input is /dev/null and the output pipes: there is no terminal to ask on, and
    // no --mfa-token, so only the plugin can have given the code.
    let output = run_with(&home, dir.path(), &env, &["use", "mfa", "--shell", "bash"]);
    let (code, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains(&format!("MFA code for {serial} from plugin pass")), "{stderr}");
    assert!(code.contains("export AWS_ACCESS_KEY_ID='"), "{code}");
    assert!(code.contains("export AWS_SESSION_TOKEN='"), "{code}");
    assert!(!code.contains("export AWS_PROFILE"), "{code}");

    // The AWS CLI's own cache holds the same credentials, private to the user.
    let key = awsuse::cli_cache::assume_role_cache_key(&awsuse::cli_cache::AssumeRoleArgs {
        role_arn: role.into(),
        serial_number: Some(serial.into()),
        ..Default::default()
    });
    let file = awsuse::cli_cache::cache_dir(home.path()).join(format!("{key}.json"));
    let cached = fs::read_to_string(&file).expect("the CLI cache file is written");
    assert_eq!(fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    let exported = code.lines().find_map(|l| l.strip_prefix("export AWS_ACCESS_KEY_ID='"));
    let key_id = exported.and_then(|rest| rest.strip_suffix("';")).unwrap();
    assert!(cached.contains(key_id), "the cache holds the exported keys: {cached}");

    // The real AWS CLI in the shell that evaluated the switch is the assumed role.
    let Some(session) = Session::new(Shell::Bash) else { return };
    let script = session.work_dir().join("switch.out");
    fs::write(&script, &code).unwrap();
    let Some(aws) = common::moto::require("aws") else { return };
    let cli = session.run_code(&format!(
        "eval \"$(cat '{}')\"\nrm '{}'\n'{}' sts get-caller-identity --endpoint-url '{}' --query Arn --output text\n",
        script.display(),
        script.display(),
        aws.display(),
        moto.url()
    ));
    let (arn, cli_err) = text(&cli);
    assert!(cli.status.success(), "the AWS CLI failed: {cli_err}");
    assert!(arn.contains("111122223333:assumed-role/needs-mfa/"), "{arn}");
}
