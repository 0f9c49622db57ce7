//! Faults awsuse must survive, each checked through the binary as a user meets it: a state
//! directory that cannot be written, processes killed while others write the state file, AWS
//! files that are huge or broken, and an STS endpoint that never answers.
//!
//! The full file system needs a small tmpfs, which only root can mount; elsewhere that test
//! says so and passes, except on CI (CI=true), where a skip would hide a missing check.

mod common;

use std::fmt::Write as _;
use std::fs::File;
use std::io::Write as _;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use awsuse::state::StateStore;
use common::home::{TestHome, assert_fails, text};

const STATIC: &str = "[default]\nregion = eu-west-1\n[profile dev]\nregion = us-west-2\n";
const KEYS: &str = "[default]\naws_access_key_id = AKIDEFAULT\naws_secret_access_key = s\n\
                    [dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = s\n";

fn home_with_profiles() -> TestHome {
    let home = TestHome::new();
    home.config(STATIC).credentials(KEYS);
    home
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

fn on_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// A tmpfs mounted for one test and unmounted when dropped, so a failed assertion leaves no
/// mount behind.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    /// Mounts a tmpfs of `options` (e.g. `size=64k`), or says why it cannot: the test is then
    /// skipped, except on CI where that is a failure.
    fn mount(options: &str) -> Option<Self> {
        if !is_root() {
            let why = "mounting a tmpfs needs root";
            assert!(!on_ci(), "{why}, and CI must run this test");
            eprintln!("skipped: {why}");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "tmpfs"])
            .arg(dir.path())
            .status()
            .expect("could not run mount");
        if !status.success() {
            let why = "mount -t tmpfs failed (no CAP_SYS_ADMIN in this container?)";
            assert!(!on_ci(), "{why}, and CI must run this test");
            eprintln!("skipped: {why}");
            return None;
        }
        Some(Self { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

/// `awsuse use dev` with the state directory at `state`.
fn use_dev(home: &TestHome, state: &Path) -> std::process::Output {
    home.command()
        .env("AWSUSE_STATE_DIR", state)
        .args(["use", "dev", "--shell", "bash"])
        .output()
        .unwrap()
}

/// The switch happened: the shell code sets the profile and the command succeeded.
fn assert_switched(output: &std::process::Output) -> String {
    let (stdout, stderr) = text(output);
    assert!(output.status.success(), "the switch failed: {stderr}");
    assert!(stdout.contains("export AWS_PROFILE='dev'"), "no switch in: {stdout}");
    stderr
}

#[test]
fn read_only_state_directory_warns_and_still_switches() {
    let home = home_with_profiles();
    // Root ignores permission bits, so a read-only mount stands in for chmod there.
    let (mount, state) = if is_root() {
        match Tmpfs::mount("ro,size=64k") {
            Some(mount) => {
                let state = mount.path().to_path_buf();
                (Some(mount), state)
            }
            None => return,
        }
    } else {
        let state = home.path().join("ro-state");
        std::fs::create_dir(&state).unwrap();
        std::fs::set_permissions(&state, std::os::unix::fs::PermissionsExt::from_mode(0o500))
            .unwrap();
        (None, state)
    };

    let output = use_dev(&home, &state);

    let stderr = assert_switched(&output);
    assert!(stderr.contains("awsuse: warning:"), "no warning: {stderr}");
    assert!(stderr.contains(&state.display().to_string()), "directory not named: {stderr}");
    assert!(stderr.contains("AWSUSE_STATE_DIR"), "no way out offered: {stderr}");
    drop(mount);
}

#[test]
fn missing_state_directory_is_created() {
    let home = home_with_profiles();
    let state = home.path().join("not/yet/there");

    let output = use_dev(&home, &state);

    let stderr = assert_switched(&output);
    assert!(!stderr.contains("warning"), "unexpected warning: {stderr}");
    let (recents, warning) = StateStore::new(state).load();
    assert!(warning.is_none());
    assert_eq!(recents.get("dev").map(|e| e.uses), Some(1));
}

#[test]
fn state_directory_under_a_file_warns_and_still_switches() {
    let home = home_with_profiles();
    let file = home.path().join("plain-file");
    std::fs::write(&file, "not a directory").unwrap();

    let output = use_dev(&home, &file.join("state"));

    let stderr = assert_switched(&output);
    assert!(stderr.contains("awsuse: warning:"), "no warning: {stderr}");
    assert!(stderr.contains("AWSUSE_STATE_DIR"), "no way out offered: {stderr}");
}

#[test]
fn full_file_system_keeps_the_old_state_file_and_still_switches() {
    let Some(mount) = Tmpfs::mount("size=64k") else { return };
    let home = home_with_profiles();
    let state = mount.path().join("state");
    assert_switched(&use_dev(&home, &state));
    let before = std::fs::read(state.join(awsuse::state::FILE_NAME)).unwrap();

    // Fill every block that is left.
    let mut filler = File::create(mount.path().join("filler")).unwrap();
    let block = [0u8; 4096];
    while filler.write_all(&block).and_then(|()| filler.sync_all()).is_ok() {}
    drop(filler);

    let output = use_dev(&home, &state);

    let stderr = assert_switched(&output);
    assert!(stderr.contains("awsuse: warning:"), "no warning: {stderr}");
    assert!(stderr.contains("free some space"), "no advice for a full disk: {stderr}");
    let after = std::fs::read(state.join(awsuse::state::FILE_NAME)).unwrap();
    assert_eq!(before, after, "the state file changed on a full file system");
    let (recents, warning) = StateStore::new(state.clone()).load();
    assert!(warning.is_none(), "{}", warning.unwrap());
    assert_eq!(recents.get("dev").map(|e| e.uses), Some(1));
    let mut left: Vec<String> = std::fs::read_dir(&state)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["recent.json", "recent.lock"], "a half-written file was left behind");
}

/// A small xorshift generator: kill times need only vary, and a printed seed replays them.
struct Rng(u64);

impl Rng {
    fn new() -> Self {
        let seed = std::env::var("AWSUSE_TEST_SEED").ok().and_then(|s| s.parse().ok());
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos() as u64;
        let seed = seed.unwrap_or(nanos ^ u64::from(std::process::id())) | 1;
        eprintln!("kill timing seed: {seed} (AWSUSE_TEST_SEED={seed} replays it)");
        Self(seed)
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % bound
    }
}

const WRITERS: usize = 8;
const USES_PER_WRITER: usize = 25;
const KILLS: usize = 40;

#[test]
fn binaries_killed_while_eight_others_switch_lose_no_completed_update() {
    // Each writer switches to a profile of its own; the killed processes to others.
    let home = TestHome::new();
    let mut config = String::new();
    for name in (0..WRITERS).map(|i| format!("w{i}")).chain((0..4).map(|i| format!("k{i}"))) {
        writeln!(config, "[profile {name}]\nregion = eu-west-1").unwrap();
    }
    home.config(&config);
    let home = Arc::new(home);

    let writers: Vec<thread::JoinHandle<u64>> = (0..WRITERS)
        .map(|i| {
            let home = Arc::clone(&home);
            thread::spawn(move || {
                let name = format!("w{i}");
                let mut completed = 0;
                for _ in 0..USES_PER_WRITER {
                    let output = home.run(&["use", &name, "--shell", "bash"]);
                    let (_, stderr) = text(&output);
                    assert!(output.status.success(), "writer {name} failed: {stderr}");
                    assert!(!stderr.contains("warning"), "writer {name}: {stderr}");
                    completed += 1;
                }
                completed
            })
        })
        .collect();

    // Meanwhile, start switches and kill each at a random moment of its short life. How long
    // that life is depends on the machine and its load, so it is measured first, beside the
    // writers, and the kill falls anywhere in it or a little after.
    let spawn_switch = |k: usize| {
        home.command()
            .args(["use", &format!("k{}", k % 4), "--shell", "bash"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut lifetimes: Vec<u64> = (0..5)
        .map(|k| {
            let started = Instant::now();
            let status = spawn_switch(k).wait().unwrap();
            assert!(status.success(), "an unkilled switch failed: {status}");
            started.elapsed().as_micros() as u64
        })
        .collect();
    lifetimes.sort_unstable();
    let lifetime = lifetimes[lifetimes.len() / 2].max(1);
    eprintln!("a switch lives about {lifetime} µs here");
    let mut rng = Rng::new();
    let mut killed = 0;
    let mut finished = lifetimes.len() as u64;
    for k in 0..KILLS {
        let mut child = spawn_switch(k);
        thread::sleep(Duration::from_micros(rng.below(lifetime + lifetime / 4)));
        let _ = child.kill();
        let status = child.wait().unwrap();
        if status.success() { finished += 1 } else { killed += 1 }
    }
    let completed: Vec<u64> = writers.into_iter().map(|w| w.join().unwrap()).collect();
    eprintln!("{killed} switches killed, {finished} finished before their kill");
    assert!(killed > 0, "no switch was killed; the test proved nothing");

    // The file reads cleanly and holds every switch that completed.
    let (recents, warning) = StateStore::new(home.state_dir()).load();
    assert!(warning.is_none(), "{}", warning.unwrap());
    for (i, &done) in completed.iter().enumerate() {
        let uses = recents.get(&format!("w{i}")).map_or(0, |e| e.uses);
        assert_eq!(uses, done, "writer w{i}: {uses} recorded, {done} completed");
    }
    let killed_uses: u64 =
        (0..4).filter_map(|i| recents.get(&format!("k{i}"))).map(|e| e.uses).sum();
    assert!(killed_uses >= finished, "{killed_uses} recorded, {finished} switches finished");
}

/// GNU time, which reports the peak resident memory of the program it runs.
const GNU_TIME: &str = "/usr/bin/time";

/// Runs `awsuse ARGS` under GNU time with standard output to a file, and returns its status,
/// standard output, standard error and peak resident memory in KiB.
///
/// The peak cannot come from this process's own wait4: Linux carries the peak of the process
/// that forks into the child's figure across exec, and this test binary holds the large
/// inputs of every test running beside it. GNU time forks from a small process of its own.
/// Without GNU time the memory check is skipped with a message, except on CI.
fn run_measured(home: &TestHome, args: &[&str]) -> (ExitStatus, String, String, Option<u64>) {
    let out_path = home.path().join("stdout");
    let err_path = home.path().join("stderr");
    let peak_path = home.path().join("peak");
    let timed = Path::new(GNU_TIME).exists();
    if !timed {
        assert!(!on_ci(), "{GNU_TIME} is missing, and CI must check memory");
        eprintln!("skipped the memory check: {GNU_TIME} is missing (apt-get install time)");
    }
    let mut command = if timed {
        let mut command = Command::new(GNU_TIME);
        command.args(["-f", "%M", "-o"]).arg(&peak_path).arg(env!("CARGO_BIN_EXE_awsuse"));
        command
    } else {
        Command::new(env!("CARGO_BIN_EXE_awsuse"))
    };
    let status = command
        .env_clear()
        .env("HOME", home.path())
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("AWSUSE_STATE_DIR", home.state_dir())
        .args(args)
        .stdin(Stdio::null())
        .stdout(File::create(&out_path).unwrap())
        .stderr(File::create(&err_path).unwrap())
        .status()
        .unwrap();
    let stdout = std::fs::read_to_string(&out_path).unwrap();
    let stderr = String::from_utf8_lossy(&std::fs::read(&err_path).unwrap()).into_owned();
    // GNU time writes "Command exited with non-zero status N" before the figure.
    let peak = timed.then(|| {
        let report = std::fs::read_to_string(&peak_path).unwrap();
        report.split_whitespace().last().and_then(|n| n.parse().ok()).expect("a peak figure")
    });
    (status, stdout, stderr, peak)
}

/// No panic, and a message on standard error that names the file.
fn assert_clear_failure(status: ExitStatus, stdout: &str, stderr: &str, needles: &[&str]) {
    assert!(!status.success(), "expected a failure");
    assert_eq!(status.code(), Some(1), "a crash or signal, not an error exit: {stderr}");
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    assert!(stdout.is_empty(), "output on failure: {stdout:?}");
    for needle in needles {
        assert!(stderr.contains(needle), "expected {needle:?} in: {stderr}");
    }
}

#[test]
fn hundred_thousand_profiles_list_in_bounded_memory() {
    let home = TestHome::new();
    let mut config = String::with_capacity(6 << 20);
    for i in 0..100_000 {
        writeln!(config, "[profile p{i:06}]\nregion = eu-west-1\noutput = json").unwrap();
    }
    home.config(&config);
    let size_kib = config.len() as u64 / 1024;
    drop(config);

    let (status, stdout, stderr, peak) = run_measured(&home, &["list", "--names"]);

    assert!(status.success(), "list failed: {stderr}");
    assert_eq!(stdout.lines().count(), 100_000);
    assert_eq!(stdout.lines().last(), Some("p099999"));
    if let Some(peak_kib) = peak {
        eprintln!("config of {size_kib} KiB: peak {peak_kib} KiB");
        assert!(peak_kib < 16 * size_kib + 32 * 1024, "peak {peak_kib} KiB for {size_kib} KiB");
    }
}

#[test]
fn ten_megabyte_line_is_read_in_bounded_memory() {
    let home = home_with_profiles();
    let long = "x".repeat(10 << 20);
    home.config(&format!("{STATIC}[profile long]\nregion = {long}\n# {long}\n"));
    drop(long);

    let (status, stdout, stderr, peak) = run_measured(&home, &["list", "--names"]);

    assert!(status.success(), "list failed: {stderr}");
    assert_eq!(stdout, "default\ndev\nlong\n");
    // The file is read whole into memory once: about 20 MiB, plus the program itself.
    if let Some(peak_kib) = peak {
        eprintln!("config of 20 MiB in two lines: peak {peak_kib} KiB");
        assert!(peak_kib < 80 * 1024, "peak {peak_kib} KiB");
    }
}

#[test]
fn nul_byte_in_a_profile_name_names_the_file_and_line() {
    let home = home_with_profiles();
    home.config(&format!("{STATIC}[profile bad\0name]\nregion = eu-west-1\n"));

    let (status, stdout, stderr, _) = run_measured(&home, &["list", "--names"]);

    // A NUL byte means a damaged file, as invalid UTF-8 does: the place is named, no guess made.
    let place = format!("{}:5:", home.config_path().display());
    assert_clear_failure(status, &stdout, &stderr, &[&place, "NUL byte"]);
}

#[test]
fn invalid_utf8_names_the_file_and_line() {
    let home = home_with_profiles();
    let mut bytes = STATIC.as_bytes().to_vec();
    bytes.extend_from_slice(b"[profile caf\xe9]\nregion = eu-west-1\n");
    std::fs::write(home.config_path(), bytes).unwrap();

    let (status, stdout, stderr, _) = run_measured(&home, &["list", "--names"]);

    let place = format!("{}:5:", home.config_path().display());
    assert_clear_failure(status, &stdout, &stderr, &[&place, "not valid UTF-8"]);
}

#[test]
fn a_directory_where_a_file_should_be_is_named() {
    for (which, path) in [
        ("config", PathBuf::from(".aws/config")),
        ("credentials", PathBuf::from(".aws/credentials")),
    ] {
        let home = TestHome::new();
        std::fs::create_dir_all(home.path().join(&path)).unwrap();

        let (status, stdout, stderr, _) = run_measured(&home, &["list", "--names"]);

        let shown = home.path().join(&path).display().to_string();
        assert_clear_failure(status, &stdout, &stderr, &[&shown, "is a directory"]);
        eprintln!("{which}: {stderr}");
    }
}

#[test]
fn a_directory_where_the_state_file_should_be_warns_and_still_switches() {
    let home = home_with_profiles();
    std::fs::create_dir_all(home.state_dir().join(awsuse::state::FILE_NAME)).unwrap();

    let output = use_dev(&home, &home.state_dir());

    let stderr = assert_switched(&output);
    assert!(stderr.contains("awsuse: warning:"), "no warning: {stderr}");
    assert!(stderr.contains(awsuse::state::FILE_NAME), "file not named: {stderr}");
}

#[test]
fn sts_that_accepts_and_never_answers_times_out_and_says_so() {
    // Connections are accepted and held open without a byte of answer.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let held = Arc::new(Mutex::new(Vec::new()));
    let accepted = Arc::clone(&held);
    thread::spawn(move || {
        for stream in listener.incoming().map_while(Result::ok) {
            accepted.lock().unwrap().push(stream);
        }
    });
    let home = home_with_profiles();

    let start = Instant::now();
    let output = home
        .command()
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ENDPOINT_URL_STS", format!("http://127.0.0.1:{port}"))
        .args(["use", "dev", "--validate", "--timeout", "2", "--shell", "bash"])
        .output()
        .unwrap();
    let elapsed = start.elapsed();

    assert_fails(&output, &["gave up after 2 s", "with STS", "raise --timeout"]);
    assert!(!held.lock().unwrap().is_empty(), "awsuse never connected");
    assert!(elapsed < Duration::from_secs(10), "the timeout took {elapsed:?}");
    assert!(elapsed >= Duration::from_secs(2), "gave up before the timeout: {elapsed:?}");
}
