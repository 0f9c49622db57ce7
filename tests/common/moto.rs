//! moto's STS server on 127.0.0.1, started for a test and stopped when the test drops it, and
//! the Python AWS CLI from the same virtual environment.
//!
//! Both come from `$AWSUSE_TEST_VENV/bin` (set by `scripts/test`), else the worktree's `.venv`,
//! else `PATH`. When they are missing a test is skipped with a note, except in CI
//! (`CI=true`), where that is a failure.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `moto_server`, killed on drop.
pub struct Moto {
    child: Child,
    pub port: u16,
}

impl Moto {
    /// A server that accepts any keys, or `None` when moto is not installed (outside CI).
    pub fn start() -> Option<Self> {
        Self::start_with(&[])
    }

    /// A server that checks signatures: moto then refuses keys IAM does not know.
    pub fn start_checking_keys() -> Option<Self> {
        Self::start_with(&[("INITIAL_NO_AUTH_ACTION_COUNT", "0")])
    }

    /// A server that lets the first `free` requests through unchecked, then checks every
    /// signature: room for [`Moto::create_access_key`] before the checking starts.
    pub fn start_checking_keys_after(free: u32) -> Option<Self> {
        Self::start_with(&[("INITIAL_NO_AUTH_ACTION_COUNT", &free.to_string())])
    }

    /// A new IAM user and its access key: keys a checking server accepts. Costs two requests
    /// of the unchecked allowance.
    pub fn create_access_key(&self, user: &str) -> (String, String) {
        let aws = require("aws").expect("the AWS CLI beside moto_server");
        let iam = |args: &[&str]| {
            let output = Command::new(&aws)
                .arg("iam")
                .args(args)
                .args(["--endpoint-url", &self.url(), "--output", "text"])
                .env_clear()
                .env("PATH", std::env::var_os("PATH").unwrap_or_default())
                .env("HOME", "/nonexistent")
                .env("AWS_ACCESS_KEY_ID", "AKIAUNCHECKED0000001")
                .env("AWS_SECRET_ACCESS_KEY", "unchecked")
                .env("AWS_DEFAULT_REGION", "us-east-1")
                .output()
                .expect("run aws iam");
            let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
            assert!(
                output.status.success(),
                "aws iam {args:?}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            stdout
        };
        iam(&["create-user", "--user-name", user]);
        let keys = iam(&[
            "create-access-key",
            "--user-name",
            user,
            "--query",
            "AccessKey.[AccessKeyId,SecretAccessKey]",
        ]);
        let mut fields = keys.split_whitespace().map(str::to_owned);
        let (Some(id), Some(secret)) = (fields.next(), fields.next()) else {
            panic!("no access key in {keys:?}");
        };
        (id, secret)
    }

    fn start_with(env: &[(&str, &str)]) -> Option<Self> {
        let program = require("moto_server")?;
        let port = free_port();
        let child = Command::new(program)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start moto_server");
        let moto = Moto { child, port };
        moto.wait_until_ready();
        Some(moto)
    }

    /// The endpoint URL to give awsuse and the AWS CLI.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The account moto says the keys in `env` belong to, asked with the real AWS CLI.
    pub fn caller_account(&self, env: &[(&str, &str)]) -> Result<String, String> {
        let aws =
            find("aws").expect("the AWS CLI is installed beside moto_server (run scripts/test)");
        let output = Command::new(aws)
            .args(["sts", "get-caller-identity", "--query", "Account", "--output", "text"])
            .args(["--endpoint-url", &self.url()])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", "/nonexistent")
            .envs(env.iter().copied())
            .output()
            .expect("run aws");
        if output.status.success() {
            Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
        } else {
            Err(String::from_utf8_lossy(&output.stderr).into_owned())
        }
    }

    fn wait_until_ready(&self) {
        let address = SocketAddr::from(([127, 0, 0, 1], self.port));
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(30) {
            if TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("moto_server did not listen on port {} within 30 s", self.port);
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nothing listens on right now. Another process could take it before moto does; the
/// readiness wait would then fail loudly rather than talk to a stranger for long.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().unwrap().port()
}

/// A program of the test virtual environment, or `None` (after a note) outside CI.
pub fn require(name: &str) -> Option<PathBuf> {
    if let Some(found) = find(name) {
        return Some(found);
    }
    if std::env::var("CI").is_ok_and(|ci| ci == "true") {
        panic!("{name} is not installed, and CI must run the STS tests: run scripts/test");
    }
    eprintln!("skipping: {name} is not installed (run scripts/test to install it)");
    None
}

fn find(name: &str) -> Option<PathBuf> {
    let venvs = [
        std::env::var_os("AWSUSE_TEST_VENV").map(PathBuf::from),
        Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv")),
    ];
    let in_venv =
        venvs.into_iter().flatten().map(|v| v.join("bin").join(name)).find(|p| p.is_file());
    in_venv.or_else(|| super::shells::find_program(name))
}
