//! The picker ends when its terminal goes away, even in a process that does not get (or
//! ignores) the hangup signal: it must not spin reading end-of-file forever.

mod common;

use common::home::TestHome;

/// Starts `awsuse choose` on a fresh pseudo-terminal with SIGHUP ignored, waits for the picker
/// to draw, closes the terminal, and prints how the process ended and how long that took.
const DRIVER: &str = r#"
import os, pty, select, signal, sys, time
pid, master = pty.fork()
if pid == 0:
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    os.execv(sys.argv[1], [sys.argv[1], "choose", "--no-validate"])
seen, deadline = b"", time.time() + 20
while b"AWS profile" not in seen and time.time() < deadline:
    if select.select([master], [], [], 0.5)[0]:
        try:
            seen += os.read(master, 4096)
        except OSError:
            break
if b"AWS profile" not in seen:
    print("never drew:", seen[-300:])
    sys.exit(2)
os.close(master)
closed = time.time()
while time.time() - closed < 10:
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        print("exited", os.waitstatus_to_exitcode(status), "after", round(time.time() - closed, 2))
        sys.exit(0)
    time.sleep(0.05)
os.kill(pid, signal.SIGKILL)
print("still running 10 s after the terminal closed")
sys.exit(1)
"#;

#[test]
fn the_picker_ends_when_its_terminal_closes() {
    let home = TestHome::new();
    home.config("[profile a]\nregion = eu-west-1\n[profile b]\n");
    // The terminal library may notice the closed terminal first, or the watch may: a few runs
    // take both paths.
    for _ in 0..5 {
        let output = std::process::Command::new("python3")
            .args(["-c", DRIVER, env!("CARGO_BIN_EXE_awsuse")])
            .env_clear()
            .env("HOME", home.path())
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("AWSUSE_STATE_DIR", home.state_dir())
            .env("TERM", "xterm")
            .output()
            .expect("python3 runs the pseudo-terminal driver");
        let report = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{report}{}", String::from_utf8_lossy(&output.stderr));
        assert!(report.starts_with("exited 129"), "{report}");
    }
}
