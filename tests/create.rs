//! `awsuse create` against real files, read back by the project's parser, by botocore (whose
//! strict configparser fails on a duplicate section or key) and by the AWS CLI; and the
//! interactive flow driven through tmux.

mod common;

use std::fs;
use std::io::Write as _;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use awsuse::config::{self, Location};
use common::home::{TestHome, assert_fails, text};
use common::moto::Moto;
use common::shells::find_program;
use serde_json::Value;

const KEY_ID: &str = "AKIAJ7Q2NEWKEYEXAMPL";
const SECRET: &str = "Zq9/NewSecretKeyValue+OnlyForTests1234567";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/create")
}

fn on_ci() -> bool {
    std::env::var("CI").is_ok_and(|ci| ci == "true")
}

/// The virtual environment with the AWS CLI and botocore: `AWSUSE_TEST_VENV`, else `.venv`.
/// Missing, it fails the test on CI and skips it elsewhere.
fn venv() -> Option<PathBuf> {
    let dir = std::env::var_os("AWSUSE_TEST_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv"));
    if dir.join("bin/aws").is_file() && dir.join("bin/python").is_file() {
        return Some(dir);
    }
    assert!(!on_ci(), "CI must provide the AWS CLI in {} (run scripts/test)", dir.display());
    eprintln!(
        "skipping the AWS CLI and botocore checks: no {}/bin/aws (run scripts/test)",
        dir.display()
    );
    None
}

/// `awsuse create` without a terminal, ready for [`with_secret`].
fn create_command(home: &TestHome, name: &str, key_id: &str, region: Option<&str>) -> Command {
    let mut command = home.command();
    command.args(["create", "--no-validate", "--name", name, "--access-key-id", key_id]);
    command.arg("--secret-access-key-stdin");
    if let Some(region) = region {
        command.args(["--region", region]);
    }
    command
}

/// Runs `command` with the secret on its standard input.
fn with_secret(mut command: Command) -> Output {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run awsuse");
    // awsuse may refuse its flags and exit before it reads the secret.
    let _ = child.stdin.take().unwrap().write_all(format!("{SECRET}\n").as_bytes());
    child.wait_with_output().unwrap()
}

fn create(home: &TestHome, name: &str, key_id: &str, region: Option<&str>) -> Output {
    with_secret(create_command(home, name, key_id, region))
}

fn location(home: &TestHome) -> Location {
    Location { config: home.config_path(), credentials: home.credentials_path() }
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

/// Profiles as botocore merges the two files (`Session.full_config`), as JSON.
fn botocore_profiles(venv: &Path, home: &TestHome) -> Value {
    let script = "import json, botocore.session as s; \
                  print(json.dumps(s.Session().full_config['profiles']))";
    let output = Command::new(venv.join("bin/python"))
        .args(["-c", script])
        .env_clear()
        .env("HOME", home.path())
        .env("AWS_CONFIG_FILE", home.config_path())
        .env("AWS_SHARED_CREDENTIALS_FILE", home.credentials_path())
        .output()
        .expect("run python");
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "botocore could not read the files: {stderr}");
    serde_json::from_str(&stdout).unwrap()
}

/// `aws configure list --profile NAME`: the profile, its key's last four characters and its
/// region as the AWS CLI sees them.
fn aws_cli_sees(venv: &Path, home: &TestHome, name: &str, key_id: &str, region: &str) {
    let output = Command::new(venv.join("bin/aws"))
        .args(["configure", "list", "--profile", name])
        .env_clear()
        .env("HOME", home.path())
        .env("PATH", venv.join("bin"))
        .output()
        .expect("run aws");
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "aws configure list failed: {stderr}");
    let row =
        |field: &str| stdout.lines().find(|l| l.trim_start().starts_with(field)).unwrap_or("");
    assert!(row("profile").contains(name), "{stdout}");
    assert!(row("access_key").contains(&key_id[16..]), "{stdout}");
    assert!(row("access_key").contains("shared-credentials-file"), "{stdout}");
    assert!(row("region").contains(region) && row("region").contains("config-file"), "{stdout}");
}

/// Checks one profile in both parsers: its key ID and, when given, its region.
fn both_parsers_read(
    home: &TestHome,
    venv: Option<&Path>,
    name: &str,
    key_id: &str,
    region: Option<&str>,
) {
    let ours = config::load(&location(home)).expect("the project's parser reads the files");
    let profile = &ours.profiles[name];
    assert_eq!(profile.get("aws_access_key_id"), Some(key_id), "{name}");
    assert_eq!(profile.get("region"), region, "{name}");

    let Some(venv) = venv else { return };
    let theirs = botocore_profiles(venv, home);
    assert_eq!(theirs[name]["aws_access_key_id"], key_id, "botocore, {name}: {theirs}");
    match region {
        Some(region) => assert_eq!(theirs[name]["region"], region, "botocore, {name}"),
        None => assert!(theirs[name].get("region").is_none(), "botocore, {name}"),
    }
}

#[test]
fn a_first_profile_creates_private_files_the_aws_cli_reads() {
    let home = TestHome::new();
    fs::remove_dir(home.path().join(".aws")).unwrap();

    let output = create(&home, "fresh", KEY_ID, Some("eu-north-1"));
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.is_empty(), "no shell code without --switch: {stdout}");
    assert!(!stderr.contains(SECRET), "the secret is never shown: {stderr}");

    assert_eq!(mode(&home.path().join(".aws")), 0o700);
    assert_eq!(mode(&home.credentials_path()), 0o600);
    assert_eq!(
        fs::read_to_string(home.credentials_path()).unwrap(),
        format!("[fresh]\naws_access_key_id = {KEY_ID}\naws_secret_access_key = {SECRET}\n")
    );
    assert_eq!(
        fs::read_to_string(home.config_path()).unwrap(),
        "[profile fresh]\nregion = eu-north-1\n"
    );

    let venv = venv();
    both_parsers_read(&home, venv.as_deref(), "fresh", KEY_ID, Some("eu-north-1"));
    if let Some(venv) = &venv {
        aws_cli_sees(venv, &home, "fresh", KEY_ID, "eu-north-1");
    }
}

#[test]
fn the_default_profile_gets_a_bare_default_section_and_can_be_switched_to() {
    let home = TestHome::new();
    let mut command = create_command(&home, "default", KEY_ID, Some("ap-south-1"));
    command.args(["--switch", "--shell", "bash"]);
    let output = with_secret(command);
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.contains("export AWS_PROFILE='default';"), "{stdout}");
    assert!(stdout.contains("export AWS_REGION='ap-south-1';"), "{stdout}");
    assert!(!stdout.contains(SECRET), "a profile switch never exports the secret: {stdout}");
    assert_eq!(fs::read_to_string(home.config_path()).unwrap(), "[default]\nregion = ap-south-1\n");

    let venv = venv();
    both_parsers_read(&home, venv.as_deref(), "default", KEY_ID, Some("ap-south-1"));
    if let Some(venv) = &venv {
        aws_cli_sees(venv, &home, "default", KEY_ID, "ap-south-1");
    }
}

/// How a fixture is laid out in the home before `create` runs.
#[derive(Clone, Copy, Debug)]
enum Layout {
    Plain,
    /// Both files are relative symbolic links into a dotfiles directory.
    Linked,
    /// Credentials 0640, config 0644.
    Modes,
}

/// Copies a fixture in, runs `create`, and checks that the old bytes are a prefix of the new
/// ones, that only the new section was added, that modes and links are kept, and that both
/// parsers read the old profiles and the new one. Returns the home for further checks.
fn append_to_fixture(
    fixture: &str,
    layout: Layout,
    old: &[(&str, &str, Option<&str>)],
) -> TestHome {
    let home = TestHome::new();
    let source = fixtures().join(fixture);
    let aws = home.path().join(".aws");
    let (config, credentials) = match layout {
        Layout::Linked => {
            let dotfiles = home.path().join("dotfiles/aws");
            fs::create_dir_all(&dotfiles).unwrap();
            symlink("../dotfiles/aws/config", aws.join("config")).unwrap();
            symlink("../dotfiles/aws/credentials", aws.join("credentials")).unwrap();
            (dotfiles.join("config"), dotfiles.join("credentials"))
        }
        _ => (home.config_path(), home.credentials_path()),
    };
    fs::copy(source.join("config"), &config).unwrap();
    fs::copy(source.join("credentials"), &credentials).unwrap();
    let (config_mode, credentials_mode) = match layout {
        Layout::Modes => (0o644, 0o640),
        _ => (0o600, 0o600),
    };
    fs::set_permissions(&config, fs::Permissions::from_mode(config_mode)).unwrap();
    fs::set_permissions(&credentials, fs::Permissions::from_mode(credentials_mode)).unwrap();
    let config_before = fs::read(&config).unwrap();
    let credentials_before = fs::read(&credentials).unwrap();

    let output = create(&home, "added", KEY_ID, Some("eu-north-1"));
    assert!(output.status.success(), "{fixture} {layout:?}: {}", text(&output).1);

    // Old bytes first, then only the new section, in the file's own line endings.
    let added = |before: &[u8], path: &Path, lines: &[String]| {
        let after = fs::read(path).unwrap();
        assert!(after.starts_with(before), "{fixture} {layout:?}: {} lost bytes", path.display());
        let tail = String::from_utf8(after[before.len()..].to_vec()).unwrap();
        let crlf = before.windows(2).any(|w| w == b"\r\n");
        let crlf_lines = tail.matches("\r\n").count();
        let expected = if crlf { tail.matches('\n').count() } else { 0 };
        assert_eq!(crlf_lines, expected, "{fixture}: line endings of {tail:?}");
        assert_eq!(tail.matches('\r').count(), crlf_lines, "{fixture}: stray CR in {tail:?}");
        let got: Vec<&str> = tail.lines().map(str::trim_end).filter(|l| !l.is_empty()).collect();
        assert_eq!(got, lines, "{fixture} {layout:?}: {}", path.display());
    };
    added(
        &credentials_before,
        &credentials,
        &[
            "[added]".into(),
            format!("aws_access_key_id = {KEY_ID}"),
            format!("aws_secret_access_key = {SECRET}"),
        ],
    );
    added(&config_before, &config, &["[profile added]".into(), "region = eu-north-1".into()]);

    assert_eq!(mode(&config), config_mode, "{fixture} {layout:?}");
    assert_eq!(mode(&credentials), credentials_mode, "{fixture} {layout:?}");
    if let Layout::Linked = layout {
        for name in ["config", "credentials"] {
            let link = aws.join(name);
            assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "{name}");
            assert_eq!(fs::read_link(&link).unwrap(), Path::new("../dotfiles/aws").join(name));
        }
    }
    let leftovers: Vec<_> =
        fs::read_dir(config.parent().unwrap()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers.len(), 2, "no temporary file is left: {leftovers:?}");

    let venv = venv();
    for &(name, key_id, region) in old {
        both_parsers_read(&home, venv.as_deref(), name, key_id, region);
    }
    both_parsers_read(&home, venv.as_deref(), "added", KEY_ID, Some("eu-north-1"));
    home
}

const DEFAULT: (&str, &str, Option<&str>) = ("default", "AKIAIOSFODNN7EXAMPLE", Some("eu-west-1"));

#[test]
fn comments_and_odd_spacing_are_kept() {
    let archive = ("archive", "AKIAI44QH8DHBEXAMPLE", Some("eu-central-1"));
    append_to_fixture("comments", Layout::Plain, &[DEFAULT, archive]);
}

#[test]
fn a_missing_final_newline_is_added_before_the_new_section() {
    let home = append_to_fixture("no-final-newline", Layout::Plain, &[DEFAULT]);
    let config = fs::read_to_string(home.config_path()).unwrap();
    assert_eq!(config, "[default]\nregion = eu-west-1\n\n[profile added]\nregion = eu-north-1\n");
}

#[test]
fn crlf_files_get_crlf_lines() {
    let home = append_to_fixture("crlf", Layout::Plain, &[DEFAULT]);
    let config = fs::read(home.config_path()).unwrap();
    assert_eq!(
        config,
        b"[default]\r\nregion = eu-west-1\r\n\r\n[profile added]\r\nregion = eu-north-1\r\n"
    );
}

#[test]
fn linked_files_are_written_through_and_stay_links() {
    append_to_fixture("plain", Layout::Linked, &[DEFAULT]);
}

#[test]
fn modes_of_existing_files_are_kept() {
    append_to_fixture("plain", Layout::Modes, &[DEFAULT]);
}

/// Both files as they are now.
fn snapshot(home: &TestHome) -> (Vec<u8>, Vec<u8>) {
    (fs::read(home.config_path()).unwrap(), fs::read(home.credentials_path()).unwrap())
}

fn plain_home() -> TestHome {
    let home = TestHome::new();
    home.config("# no keys here\n\n[profile only-config]\nregion = us-west-2\n");
    home.credentials(&fs::read_to_string(fixtures().join("plain/credentials")).unwrap());
    home
}

#[test]
fn a_name_taken_in_either_file_is_refused_and_nothing_changes() {
    let home = plain_home();
    let before = snapshot(&home);
    let output = create(&home, "default", KEY_ID, None);
    assert_fails(&output, &["already exists", "credentials file, line 1", "choose another name"]);
    let output = create(&home, "only-config", KEY_ID, Some("eu-north-1"));
    assert_fails(&output, &["'only-config' already exists", "config file, line 3"]);
    assert_eq!(snapshot(&home), before);
}

#[test]
fn malformed_input_is_refused_and_nothing_changes() {
    let home = plain_home();
    let before = snapshot(&home);
    for bad in ["AKIA123", "akiaj7q2newkeyexampl", "AROAJ7Q2NEWKEYEXAMPL", "AKIAJ7Q2NEWKEYEXAMPL1"]
    {
        assert_fails(&create(&home, "new", bad, None), &["--access-key-id", "AKIA"]);
    }
    assert_fails(&create(&home, "new one", KEY_ID, None), &["--name", "' '"]);
    assert_fails(&create(&home, "new", KEY_ID, Some("eu-west-1 # x")), &["--region"]);
    assert_eq!(snapshot(&home), before);
    assert!(!String::from_utf8_lossy(&before.1).contains(KEY_ID));
}

#[test]
fn the_secret_is_never_taken_from_arguments() {
    let home = plain_home();
    let output = home.run(&["create", "--name", "new", "--access-key-id", KEY_ID]);
    assert_fails(&output, &["--secret-access-key-stdin"]);
    let output = home.run(&["create", "--name", "new", "--secret-access-key", SECRET]);
    assert!(!output.status.success());
}

/// Makes a directory unwritable for the duration of a test. Root ignores modes, so as root the
/// directory is made immutable (`chattr +i`), which binds root too.
struct Unwritable(PathBuf);

impl Unwritable {
    fn new(dir: &Path) -> Option<Self> {
        let is_root =
            Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0\n"));
        if !is_root {
            fs::set_permissions(dir, fs::Permissions::from_mode(0o500)).unwrap();
            return Some(Self(dir.to_path_buf()));
        }
        let status = Command::new("chattr").arg("+i").arg(dir).stderr(Stdio::null()).status();
        status.is_ok_and(|s| s.success()).then(|| Self(dir.to_path_buf()))
    }
}

impl Drop for Unwritable {
    fn drop(&mut self) {
        let _ = Command::new("chattr").arg("-i").arg(&self.0).stderr(Stdio::null()).status();
        let _ = fs::set_permissions(&self.0, fs::Permissions::from_mode(0o700));
    }
}

#[test]
fn an_unwritable_directory_is_reported_and_nothing_changes() {
    let home = plain_home();
    let before = snapshot(&home);
    let Some(_guard) = Unwritable::new(&home.path().join(".aws")) else {
        // Without chattr as root, a path below a regular file is the unwritable place left.
        eprintln!("chattr +i is not available: testing a directory that is a regular file instead");
        let mut command = create_command(&home, "new", KEY_ID, None);
        command.env("AWS_SHARED_CREDENTIALS_FILE", home.config_path().join("credentials"));
        assert_fails(&with_secret(command), &["could not", "config"]);
        assert_eq!(snapshot(&home), before);
        return;
    };
    let output = create(&home, "new", KEY_ID, Some("eu-north-1"));
    assert_fails(
        &output,
        &["could not write a temporary file in", ".aws", "make the directory writable"],
    );
    assert_eq!(snapshot(&home), before);
}

#[test]
fn a_failed_region_write_takes_the_keys_back_out() {
    let home = plain_home();
    let elsewhere = home.path().join("locked");
    fs::create_dir(&elsewhere).unwrap();
    fs::write(elsewhere.join("config"), "[default]\nregion = eu-west-1\n").unwrap();
    let before =
        (fs::read(elsewhere.join("config")).unwrap(), fs::read(home.credentials_path()).unwrap());
    let Some(_guard) = Unwritable::new(&elsewhere) else {
        eprintln!("skipping: no way to make a directory unwritable here");
        return;
    };

    let mut command = create_command(&home, "new", KEY_ID, Some("eu-north-1"));
    command.env("AWS_CONFIG_FILE", elsewhere.join("config"));
    let output = with_secret(command);
    assert_fails(&output, &["nothing was written", "locked"]);
    let after =
        (fs::read(elsewhere.join("config")).unwrap(), fs::read(home.credentials_path()).unwrap());
    assert_eq!(after, before);
}

/// A tmux server of its own, killed when dropped.
struct Tmux {
    socket: String,
    log: PathBuf,
}

impl Tmux {
    fn start(home: &TestHome, width: u16) -> Option<Self> {
        if find_program("tmux").is_none() {
            assert!(!on_ci(), "CI must install tmux (run scripts/test)");
            eprintln!("skipping: tmux is not installed");
            return None;
        }
        let socket = format!(
            "awsuse-create-{}-{}",
            std::process::id(),
            home.path().file_name().unwrap().to_string_lossy()
        );
        let bin = Path::new(env!("CARGO_BIN_EXE_awsuse")).parent().unwrap();
        let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
        let status = Command::new("tmux")
            .args([
                "-L",
                &socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-x",
                &width.to_string(),
                "-y",
                "50",
            ])
            .args(["env", "-i"])
            .arg(format!("HOME={}", home.path().display()))
            .arg(format!("PATH={path}"))
            .arg(format!("AWSUSE_STATE_DIR={}", home.state_dir().display()))
            .args(["TERM=xterm-256color", "PS1=$ ", "bash", "--norc", "--noprofile"])
            .stdin(Stdio::null())
            .status()
            .expect("start tmux");
        assert!(status.success());
        let tmux = Self { socket, log: home.path().join("pane.log") };

        // Everything the pane is sent, even what a later redraw covers up.
        tmux.tmux(&["pipe-pane", "-t", "0", "-o", &format!("cat >> '{}'", tmux.log.display())]);
        Some(tmux)
    }

    /// Every byte written to the pane so far.
    fn log(&self) -> String {
        String::from_utf8_lossy(&fs::read(&self.log).unwrap_or_default()).into_owned()
    }

    fn tmux(&self, args: &[&str]) -> String {
        let output = Command::new("tmux").arg("-L").arg(&self.socket).args(args).output().unwrap();
        assert!(output.status.success(), "tmux {args:?}: {}", text(&output).1);
        text(&output).0
    }

    fn send(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "0"];
        args.extend_from_slice(keys);
        self.tmux(&args);
    }

    /// Types text literally, so that no word is read as a key name.
    fn type_text(&self, text: &str) {
        self.tmux(&["send-keys", "-t", "0", "-l", text]);
    }

    /// The whole pane, scroll-back included.
    fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-J", "-S", "-", "-t", "0"])
    }

    /// Waits until the pane shows `needle`, and returns the pane.
    fn wait_for(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.screen();
            if screen.contains(needle) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {needle:?}; the pane:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux").args(["-L", &self.socket, "kill-server"]).output();
    }
}

#[test]
fn the_questions_hide_the_secret_and_the_shell_switches() {
    let home = TestHome::new();
    fs::remove_dir(home.path().join(".aws")).unwrap();
    let Some(tmux) = Tmux::start(&home, 120) else { return };

    tmux.wait_for("$ ");
    tmux.type_text(
        "eval \"$(awsuse create --no-validate)\"; echo \"now=[$AWS_PROFILE/$AWS_REGION]\"",
    );
    tmux.send(&["Enter"]);
    tmux.wait_for("Profile name:");
    tmux.type_text("typed");
    tmux.send(&["Enter"]);
    tmux.wait_for("Access key ID:");
    tmux.type_text("AKIA-not-a-key");
    tmux.send(&["Enter"]);
    tmux.wait_for("16 capital letters or digits");
    tmux.send(&["BSpace"; 14]);
    tmux.type_text(KEY_ID);
    tmux.send(&["Enter"]);
    tmux.wait_for("Secret access key:");
    tmux.type_text(SECRET);
    tmux.send(&["Enter"]);
    tmux.wait_for("Region (optional):");
    tmux.type_text("ca-central-1");
    tmux.send(&["Enter"]);
    tmux.wait_for("Switch this shell to profile 'typed'?");
    tmux.send(&["Enter"]);
    let screen = tmux.wait_for("now=[typed/ca-central-1]");

    let log = tmux.log();
    assert!(log.contains(KEY_ID), "the log records what the pane showed: {log:?}");
    for shown in [&screen, &log] {
        assert!(!shown.contains(&SECRET[..8]), "the secret was shown:\n{shown}");
    }
    assert!(screen.contains("profile 'typed' added"), "{screen}");
    assert_eq!(mode(&home.credentials_path()), 0o600);
    both_parsers_read(&home, venv().as_deref(), "typed", KEY_ID, Some("ca-central-1"));
    let credentials = fs::read_to_string(home.credentials_path()).unwrap();
    assert!(credentials.contains(&format!("aws_secret_access_key = {SECRET}\n")));
}

#[test]
fn an_existing_file_can_be_opened_in_the_editor_after_a_word_on_its_format() {
    let home = plain_home();
    let editor = home.path().join("editor.sh");
    fs::write(&editor, "#!/bin/sh\nprintf '# seen by the editor\\n' >> \"$1\"\n").unwrap();
    fs::set_permissions(&editor, fs::Permissions::from_mode(0o755)).unwrap();
    let before = fs::read(home.credentials_path()).unwrap();
    let Some(tmux) = Tmux::start(&home, 200) else { return };

    tmux.wait_for("$ ");
    tmux.type_text(&format!("EDITOR={} awsuse create; echo \"status=$?\"", editor.display()));
    tmux.send(&["Enter"]);
    tmux.wait_for("What would you like to do?");
    tmux.send(&["Down"]);
    tmux.send(&["Enter"]);
    let screen = tmux.wait_for("status=0");

    assert!(screen.contains("aws_secret_access_key = ..."), "the format was explained:\n{screen}");
    assert!(screen.contains("reads correctly"), "{screen}");
    let after = fs::read(home.credentials_path()).unwrap();
    assert_eq!(after, [before, b"# seen by the editor\n".to_vec()].concat());
}

/// `create` without `--no-validate`, its STS calls going to `moto`.
fn create_checked(home: &TestHome, moto: &Moto, name: &str, key_id: &str, secret: &str) -> Output {
    let mut command = home.command();
    command
        .args(["create", "--name", name, "--access-key-id", key_id, "--secret-access-key-stdin"])
        .env("AWS_ENDPOINT_URL_STS", moto.url())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("run awsuse");
    let _ = child.stdin.take().unwrap().write_all(format!("{secret}\n").as_bytes());
    child.wait_with_output().unwrap()
}

#[test]
fn keys_sts_accepts_are_written_and_keys_it_rejects_are_not() {
    // Two unchecked requests make the IAM user and its key; every later call is checked.
    let Some(moto) = Moto::start_checking_keys_after(2) else { return };
    let (good_id, good_secret) = moto.create_access_key("creator");
    let home = plain_home();

    // A key ID of the right shape with a secret STS does not know: refused, nothing written.
    let before = snapshot(&home);
    let output = create_checked(&home, &moto, "typo", &good_id, "not-the-secret");
    let message = assert_fails(&output, &["the keys for 'typo' were not written", "--no-validate"]);
    assert!(message.contains("rejected"), "the cause is given: {message}");
    assert!(!message.contains("not-the-secret"), "the secret stays out of messages");
    assert_eq!(snapshot(&home), before, "a refused key changes neither file");

    // The key IAM made: accepted, its account named, and written.
    let output = create_checked(&home, &moto, "checked", &good_id, &good_secret);
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.is_empty(), "no switch was asked for: {stdout}");
    assert!(stderr.contains("the keys belong to account 123456789012"), "{stderr}");
    let credentials = fs::read_to_string(home.credentials_path()).unwrap();
    assert!(credentials.starts_with(std::str::from_utf8(&before.1).unwrap()));
    assert!(
        credentials.ends_with(&format!(
            "[checked]\naws_access_key_id = {good_id}\naws_secret_access_key = {good_secret}\n"
        )),
        "{credentials}"
    );
}
