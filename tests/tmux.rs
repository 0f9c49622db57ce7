//! `awsuse choose`, the prompt segment and completion in real interactive shells, driven
//! through tmux: keys are sent to a pane and the screen is read back, polling with a deadline.
//! Each test runs its own tmux server on its own socket and kills it when done.

mod common;

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use awsuse::shell::Shell;
use common::home::TestHome;
use common::moto::Moto;
use common::shells::{find_program, require};

const DEADLINE: Duration = Duration::from_secs(15);

/// One tmux server with one pane running `shell`.
struct Pane {
    socket: String,
}

impl Pane {
    fn start(shell: Shell, home: &TestHome) -> Pane {
        let socket = format!(
            "awsuse-test-{}-{}-{}",
            std::process::id(),
            shell,
            home.path().file_name().unwrap().to_string_lossy()
        );
        let bin_dir = Path::new(env!("CARGO_BIN_EXE_awsuse")).parent().unwrap().to_owned();
        let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
        let program = match shell {
            Shell::Bash => "bash --norc --noprofile",
            Shell::Zsh => "zsh -f",
            Shell::Fish => "fish --no-config",
        };
        let pane = Pane { socket };
        let env = [
            format!("HOME={}", home.path().display()),
            format!("PATH={path}"),
            format!("AWSUSE_STATE_DIR={}", home.state_dir().display()),
            "TERM=xterm-256color".to_owned(),
            "LANG=C.UTF-8".to_owned(),
            "XDG_CONFIG_HOME=".to_owned() + &home.path().join(".config").display().to_string(),
        ];
        let command = format!("env -i {} {program}", env.join(" "));
        let status = pane
            .tmux(&["-f", "/dev/null", "new-session", "-d", "-x", "160", "-y", "40"])
            .arg(command)
            .status()
            .expect("start tmux");
        assert!(status.success(), "tmux did not start");
        pane
    }

    fn tmux(&self, args: &[&str]) -> Command {
        let mut command = Command::new("tmux");
        command.args(["-L", &self.socket]).args(args);
        command
    }

    fn run(&self, args: &[&str]) -> Output {
        self.tmux(args).output().expect("run tmux")
    }

    /// Types `text` literally.
    fn type_text(&self, text: &str) {
        assert!(self.run(&["send-keys", "-l", text]).status.success());
    }

    /// Presses a named key: Enter, Escape, Tab.
    fn key(&self, key: &str) {
        assert!(self.run(&["send-keys", key]).status.success());
    }

    fn line(&self, text: &str) {
        self.type_text(text);
        self.key("Enter");
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p"]).stdout).into_owned()
    }

    /// Waits until the screen satisfies `ready`, and returns it; fails with the screen.
    fn wait(&self, what: &str, ready: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if ready(&screen) {
                return screen;
            }
            assert!(start.elapsed() < DEADLINE, "waited for {what}; the screen:\n{screen}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn wait_for(&self, needle: &str) -> String {
        self.wait(needle, |s| s.contains(needle))
    }

    /// Clears the screen so that later waits see only new output.
    fn clear(&self) {
        self.key("C-l");
        let _ = self.run(&["clear-history"]);
    }
}

impl Drop for Pane {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

fn home() -> TestHome {
    let home = TestHome::new();
    home.config(
        "[profile beta]\nregion = cn-north-1\n[profile gamma]\nregion = eu-west-1\n\
         [profile broken]\nsource_profile = nowhere\nrole_arn = arn:aws:iam::1:role/x\n",
    );
    home.credentials("[alpha]\naws_access_key_id = A\naws_secret_access_key = S\n");
    home
}

fn ready(shell: Shell) -> bool {
    if !require(shell) {
        return false;
    }
    if find_program("tmux").is_some() {
        return true;
    }
    assert!(std::env::var("CI").map_or(true, |ci| ci != "true"), "tmux must be installed in CI");
    eprintln!("skipping: tmux is not installed");
    false
}

/// Starts `shell` in a pane with the integration sourced, prompt segment included.
fn integrated(shell: Shell, home: &TestHome) -> Pane {
    let init = home.path().join(format!("init.{shell}"));
    let output = home.run(&["init", shell.name(), "--prompt"]);
    assert!(output.status.success());
    std::fs::write(&init, output.stdout).unwrap();

    let pane = Pane::start(shell, home);
    if shell == Shell::Zsh {
        pane.line("autoload -Uz compinit && compinit -u");
    }
    pane.line(
        &format!("source {}; echo sourced-$((1+1))", init.display())
            .replace("$((1+1))", if shell == Shell::Fish { "(math 1+1)" } else { "$((1+1))" }),
    );
    pane.wait_for("sourced-2");
    pane
}

/// Points the bash in `pane` at `moto` for STS, with instance metadata off.
fn send_sts_to(pane: &Pane, moto: &Moto) {
    pane.line(&format!(
        "export AWS_ENDPOINT_URL_STS={} AWS_EC2_METADATA_DISABLED=true; echo env-$((2+3))",
        moto.url()
    ));
    pane.wait_for("env-5");
}

fn status_var(shell: Shell) -> &'static str {
    if shell == Shell::Fish { "$status" } else { "$?" }
}

fn choose_filter_enter_escape_prompt_and_tab(shell: Shell) {
    if !ready(shell) {
        return;
    }
    let home = home();
    let pane = integrated(shell, &home);

    // Typing narrows the list; Enter switches this shell.
    pane.clear();
    pane.line("awsuse choose --no-validate");
    pane.wait_for("AWS profile");
    pane.type_text("bet cn");
    pane.wait("the filtered list", |s| s.contains("beta") && !s.contains("gamma"));
    pane.key("Enter");
    pane.line("echo \"P=[$AWS_PROFILE]\"");
    pane.wait_for("P=[beta]");

    // The prompt drawn after the switch carries the segment.
    pane.wait_for("beta@cn-north-1 [cn]");

    // Esc leaves the shell as it was, with status 130.
    pane.clear();
    pane.line("awsuse choose --no-validate");
    pane.wait_for("AWS profile");
    pane.type_text("gam");
    pane.wait_for("gamma");
    pane.key("Escape");
    // Keys sent right after Esc could be read as one Alt sequence: wait for the picker to go.
    pane.wait("the picker to close", |s| !s.contains("Esc to leave"));
    pane.line(&format!("echo \"S={} Q=[$AWS_PROFILE]\"", status_var(shell)));
    pane.wait_for("S=130 Q=[beta]");

    // Tab after `awsuse use ` completes a profile name from the files.
    pane.clear();
    pane.type_text("awsuse use gam");
    pane.key("Tab");
    pane.wait_for("awsuse use gamma");
    pane.key("Enter");
    pane.line("echo \"R=[$AWS_PROFILE]\"");
    pane.wait_for("R=[gamma]");
}

#[test]
fn bash_choose_prompt_and_completion() {
    choose_filter_enter_escape_prompt_and_tab(Shell::Bash);
}

#[test]
fn zsh_choose_prompt_and_completion() {
    choose_filter_enter_escape_prompt_and_tab(Shell::Zsh);
}

#[test]
fn fish_choose_prompt_and_completion() {
    choose_filter_enter_escape_prompt_and_tab(Shell::Fish);
}

/// Switches made elsewhere (another shell, the same state file) order the picker: the most
/// recent first, marked.
#[test]
fn recent_switches_from_another_shell_lead_the_picker() {
    if !ready(Shell::Bash) {
        return;
    }
    let home = home();
    for name in ["gamma", "alpha"] {
        let output = home.command().args(["use", name, "--shell", "bash"]).output().unwrap();
        assert!(output.status.success());
        std::thread::sleep(Duration::from_millis(1100));
    }
    let pane = integrated(Shell::Bash, &home);
    pane.clear();
    pane.line("awsuse choose --no-validate");
    let screen = pane.wait("the whole list", |s| s.contains("broken"));

    let row = |name: &str| {
        screen.lines().position(|l| l.contains(&format!(" {name} "))).unwrap_or_else(|| {
            panic!("{name} is not in the picker:\n{screen}");
        })
    };
    assert!(row("alpha") < row("gamma"), "most recent first:\n{screen}");
    assert!(row("gamma") < row("beta"), "recent before the rest:\n{screen}");
    let gamma = screen.lines().nth(row("gamma")).unwrap();
    assert!(gamma.contains("* gamma"), "recent rows are marked:\n{screen}");
    assert!(screen.contains("cannot be used") || screen.contains("! "), "problem shown:\n{screen}");
    pane.key("Escape");
}

/// `choose` validates by default: a profile whose keys STS rejects shows why and offers the
/// list again; yes leads to another choice, no leaves with status 1 and the shell as it was.
#[test]
fn choose_validates_and_offers_another_choice_after_a_rejection() {
    if !ready(Shell::Bash) {
        return;
    }
    // Two unchecked requests make the IAM key; from then on moto checks every signature.
    let Some(moto) = Moto::start_checking_keys_after(2) else { return };
    let (id, secret) = moto.create_access_key("picker");
    let home = TestHome::new();
    home.credentials(&format!(
        "[good]\naws_access_key_id = {id}\naws_secret_access_key = {secret}\n\
         [bad]\naws_access_key_id = AKIANOTKNOWNBYMOTO01\naws_secret_access_key = nope\n"
    ));
    let pane = integrated(Shell::Bash, &home);
    send_sts_to(&pane, &moto);

    // The rejected profile: the cause, then the question; yes shows the list again.
    pane.clear();
    pane.line("awsuse choose");
    pane.wait_for("AWS profile");
    pane.type_text("bad");
    pane.wait("only bad", |s| s.contains(" bad ") && !s.contains(" good "));
    pane.key("Enter");
    let screen = pane.wait_for("Choose another profile?");
    assert!(screen.contains("rejected the credentials"), "the cause is shown:\n{screen}");
    pane.type_text("y");
    pane.key("Enter");
    pane.wait("the list again", |s| s.matches("AWS profile").count() >= 2 && s.contains(" good "));
    pane.type_text("good");
    pane.wait("only good", |s| s.contains("filter): good") && s.contains(">   good"));
    pane.key("Enter");
    pane.line("echo \"S=$? P=[$AWS_PROFILE]\"");
    let screen = pane.wait_for("S=0 P=[good]");
    assert!(screen.contains("123456789012"), "the identity STS gave is shown:\n{screen}");

    // No: status 1, and the shell keeps the profile it had.
    pane.clear();
    pane.line("awsuse choose");
    pane.wait_for("AWS profile");
    pane.type_text("bad");
    pane.wait("only bad", |s| s.contains(" bad ") && !s.contains(" good "));
    pane.key("Enter");
    pane.wait_for("Choose another profile?");
    pane.type_text("n");
    pane.key("Enter");
    pane.wait_for("Choose another profile? No");
    pane.line("echo \"S=$? Q=[$AWS_PROFILE]\"");
    pane.wait_for("S=1 Q=[good]");
}

/// A chain of two roles behind the same MFA device asks for a code on each hop, names the
/// role each code is for, and refuses the first code again on the second hop, since AWS
/// takes each code once. The codes are typed on the terminal, never passed as flags.
#[test]
fn a_chain_of_two_mfa_roles_asks_for_two_different_codes() {
    if !ready(Shell::Bash) {
        return;
    }
    let Some(moto) = Moto::start() else { return };
    let serial = "arn:aws:iam::123456789012:mfa/alice";
    let home = TestHome::new();
    home.credentials(
        "[base]\naws_access_key_id = AKIABASEKEY000000001\naws_secret_access_key = s\n",
    );
    home.config(&format!(
        "[profile middle]\nrole_arn = arn:aws:iam::111122223333:role/middle\nsource_profile = base\n\
         mfa_serial = {serial}\n\
         [profile top]\nrole_arn = arn:aws:iam::444455556666:role/top\nsource_profile = middle\n\
         mfa_serial = {serial}\n"
    ));
    let pane = integrated(Shell::Bash, &home);
    send_sts_to(&pane, &moto);

    pane.clear();
    pane.line("awsuse use top");
    pane.wait_for(&format!("MFA code for {serial} (role of profile middle):"));
    pane.type_text("123456");
    pane.key("Enter");
    pane.wait_for("A new MFA code for");
    pane.type_text("123456");
    pane.key("Enter");
    pane.wait_for("this code was just used");
    for _ in 0..6 {
        pane.key("BSpace");
    }
    pane.type_text("654321");
    pane.key("Enter");
    pane.line("echo \"S=$? K=[${AWS_ACCESS_KEY_ID:0:4}] P=[${AWS_PROFILE-unset}]\"");
    pane.wait_for("S=0 K=[ASIA] P=[unset]");
}
