//! `awsuse __man`: the man page, from the same clap definitions as `--help`.

use std::io::Write;

use anyhow::Result;
use clap::CommandFactory;
use clap_mangen::roff::{Roff, bold, roman};

use crate::cli::Cli;

/// Exit statuses, as the man page states them.
const EXIT_STATUSES: [(&str, &str); 4] = [
    ("0", "Success. Shell code, if any, is on standard output."),
    ("1", "An error, explained on standard error; nothing is printed on standard output."),
    ("2", "The command line could not be understood."),
    ("130", "The picker was left with Esc or Ctrl-C; nothing changed."),
];

/// Environment variables awsuse reads or sets.
const ENVIRONMENT: [(&str, &str); 12] = [
    ("AWS_PROFILE", "The active profile; set by a switch to a profile the AWS tools can use."),
    ("AWS_REGION, AWS_DEFAULT_REGION", "Set together by every switch."),
    ("AWS_CONFIG_FILE", "Where the AWS config file is; ~/.aws/config by default."),
    (
        "AWS_SHARED_CREDENTIALS_FILE",
        "Where the credentials file is; ~/.aws/credentials by default.",
    ),
    (
        "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_CREDENTIAL_EXPIRATION",
        "Temporary keys, set in place of AWS_PROFILE for roles that need MFA.",
    ),
    ("AWSUSE_PROFILE", "The profile of the last switch, also when keys were exported."),
    ("AWSUSE_PARTITION, AWSUSE_DNS_SUFFIX", "The partition of the region and its DNS suffix."),
    ("AWSUSE_EXPIRES", "When exported keys expire, in seconds since the epoch."),
    ("AWSUSE_VARS", "Further variables the last switch set, so that unset removes them."),
    ("AWSUSE_SHELL", "The shell that evaluates the output; the shell integration sets it."),
    ("AWSUSE_STATE_DIR", "Where the state file of recent profiles is kept."),
    ("AWSUSE_RECENT, AWSUSE_LOG", "How many recent profiles come first; debug output on stderr."),
];

const FILES: [(&str, &str); 3] = [
    ("~/.aws/config", "The AWS config file."),
    ("~/.aws/credentials", "The AWS credentials file."),
    (
        "$XDG_STATE_HOME/awsuse/recent.json",
        "Recently used profiles and the account last seen for each; never a secret.",
    ),
];

/// The whole page, in roff.
pub fn render() -> Result<Vec<u8>> {
    let command = Cli::command();
    let man = clap_mangen::Man::new(command.clone());
    let mut page = Vec::new();
    man.render_title(&mut page)?;
    man.render_name_section(&mut page)?;
    man.render_synopsis_section(&mut page)?;
    man.render_description_section(&mut page)?;
    man.render_options_section(&mut page)?;
    subcommands(&command, &mut page)?;
    section(&mut page, "EXIT STATUS", &EXIT_STATUSES)?;
    section(&mut page, "ENVIRONMENT", &ENVIRONMENT)?;
    section(&mut page, "FILES", &FILES)?;
    man.render_version_section(&mut page)?;
    Ok(page)
}

/// Every visible subcommand with its long help, which carries the examples.
fn subcommands(command: &clap::Command, page: &mut Vec<u8>) -> Result<()> {
    let mut roff = Roff::new();
    roff.control("SH", ["COMMANDS"]);
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        roff.control("TP", []);
        roff.text([bold(format!("awsuse {}", sub.get_name()))]);
        let about = sub.get_long_about().or(sub.get_about()).map(ToString::to_string);
        for paragraph in about.unwrap_or_default().split("\n\n") {
            roff.text([roman(paragraph.replace('\n', " "))]);
            roff.control("PP", []);
        }
        arguments(sub, &mut roff);
    }
    roff.to_writer(page)?;
    Ok(())
}

/// The arguments and options of one subcommand, indented under it, with their defaults and
/// the environment variables they read.
fn arguments(sub: &clap::Command, roff: &mut Roff) {
    let args: Vec<&clap::Arg> =
        sub.get_arguments().filter(|a| !a.is_hide_set() && !a.is_global_set()).collect();
    if args.is_empty() {
        return;
    }
    roff.control("RS", []);
    for arg in args {
        let values = arg.get_value_names().unwrap_or_default().join(" ");
        let values =
            if values.is_empty() { arg.get_id().to_string().to_uppercase() } else { values };
        let mut term = Vec::new();
        if let Some(short) = arg.get_short() {
            term.push(bold(format!("-{short}")));
            term.push(roman(", "));
        }
        match arg.get_long() {
            Some(long) => {
                term.push(bold(format!("--{long}")));
                if arg.get_action().takes_values() {
                    term.push(roman(format!(" {values}")));
                }
            }
            None if arg.is_positional() => term.push(roman(values)),
            None => {}
        }
        roff.control("TP", []);
        roff.text(term);
        let help = arg.get_long_help().or(arg.get_help()).map(ToString::to_string);
        let mut text = help.unwrap_or_default().replace('\n', " ");
        // clap drops the final period of a one-sentence help; the page reads as sentences.
        if !text.is_empty() && !text.ends_with(['.', ':', ')']) {
            text.push('.');
        }
        let choices: Vec<String> = arg
            .get_possible_values()
            .iter()
            .filter(|v| !v.is_hide_set())
            .map(|v| v.get_name().to_owned())
            .collect();
        if !choices.is_empty() && arg.get_action().takes_values() {
            text.push_str(&format!(" One of: {}.", choices.join(", ")));
        }
        let defaults: Vec<String> =
            arg.get_default_values().iter().map(|v| v.to_string_lossy().into_owned()).collect();
        if !defaults.is_empty() && arg.get_action().takes_values() {
            text.push_str(&format!(" Default: {}.", defaults.join(", ")));
        }
        if let Some(var) = arg.get_env() {
            text.push_str(&format!(" Read from {} when not given.", var.to_string_lossy()));
        }
        roff.text([roman(text)]);
    }
    roff.control("RE", []);
}

fn section(page: &mut Vec<u8>, title: &str, items: &[(&str, &str)]) -> Result<()> {
    let mut roff = Roff::new();
    roff.control("SH", [title]);
    for (term, text) in items {
        roff.control("TP", []);
        roff.text([bold(*term)]);
        roff.text([roman(*text)]);
    }
    roff.to_writer(page)?;
    Ok(())
}

pub fn run(out: &mut dyn Write) -> Result<()> {
    out.write_all(&render()?)?;
    Ok(())
}
