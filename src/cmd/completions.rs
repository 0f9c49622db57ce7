//! `awsuse completions SHELL`: tab completion.
//!
//! clap_complete writes the static part from the clap definitions (subcommands, options,
//! shells); a small hand-written layer per shell adds what only the files know: profile names
//! after `use`, asked of `awsuse list --names` on each Tab, and regions after `--region`, taken
//! from the partitions data when the script is generated.

use std::io::Write;

use anyhow::{Result, bail};
use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};
use crate::shell::Shell;

const PARTITIONS_JSON: &str = include_str!("../../data/partitions.json");

/// The completion script for `shell`, completing the command called `cmd`.
pub fn script(shell: Shell, cmd: &str) -> Result<String> {
    check_cmd(cmd)?;
    let mut command = Cli::command();
    let generator = match shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    let mut generated = Vec::new();
    clap_complete::generate(generator, &mut command, cmd, &mut generated);
    let generated = String::from_utf8(generated)?;
    let regions = regions().join(" ");

    let script = match shell {
        Shell::Bash => {
            // clap_complete splits compgen output into words on purpose: its candidates
            // hold no spaces.
            let dynamic = include_str!("../../shell/complete.bash");
            format!("# shellcheck disable=SC2207\n{generated}\n{dynamic}")
        }
        // The generated file ends by registering itself with compdef, which fails where
        // compinit has not run; the layer below registers only when it can.
        Shell::Zsh => {
            let body = match generated.find("if [ \"$funcstack[1]\" = ") {
                Some(end) => &generated[..end],
                None => &generated[..],
            };
            let body = body.trim_start_matches(&format!("#compdef {cmd}\n"));
            let dynamic = include_str!("../../shell/complete.zsh");
            format!("{body}\n{dynamic}")
        }
        Shell::Fish => {
            let dynamic = include_str!("../../shell/complete.fish");
            format!("{generated}\n{dynamic}")
        }
    };
    Ok(script.replace("{{cmd}}", cmd).replace("{{regions}}", &regions))
}

/// A function name every shell accepts and no quoting can break.
pub fn check_cmd(cmd: &str) -> Result<()> {
    let valid = cmd.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && cmd.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'));
    if !valid {
        bail!(
            "'{}' cannot name a shell function: use letters, digits, '_' and '-', starting with a letter",
            cmd.escape_debug()
        );
    }
    Ok(())
}

/// Every region the partitions data lists, sorted.
pub fn regions() -> Vec<String> {
    let data: serde_json::Value = serde_json::from_str(PARTITIONS_JSON).unwrap_or_default();
    let mut regions: Vec<String> = data["partitions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["regions"].as_object())
        .flat_map(|r| r.keys().cloned())
        .filter(|r| !r.ends_with("-global"))
        .collect();
    regions.sort();
    regions
}

pub fn run(args: &CompletionsArgs, out: &mut dyn Write) -> Result<()> {
    out.write_all(script(args.shell, &args.cmd)?.as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_cover_every_partition() {
        let regions = regions();
        for region in ["us-east-1", "cn-north-1", "us-gov-west-1", "us-isob-east-1"] {
            assert!(regions.iter().any(|r| r == region), "{region} missing");
        }
        assert!(!regions.iter().any(|r| r == "aws-global"));
    }

    #[test]
    fn function_names_are_checked() {
        assert!(check_cmd("aws-use_2").is_ok());
        for bad in ["", "1x", "a b", "a;b", "$(x)", "-x"] {
            assert!(check_cmd(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn scripts_name_the_command() {
        for shell in Shell::ALL {
            let text = script(shell, "prof").unwrap();
            assert!(text.contains("prof"), "{shell}");
            assert!(!text.contains("{{"), "{shell}: unfilled placeholder");
        }
    }
}
