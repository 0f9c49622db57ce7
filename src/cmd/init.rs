//! `awsuse init SHELL`: the integration a user puts in the rc file.
//!
//! The templates in `shell/` are the integration; this only fills in the function name and
//! adds the completion and, when asked, the prompt hook.

use std::io::Write;

use anyhow::Result;

use super::completions;
use crate::cli::InitArgs;
use crate::shell::Shell;

/// The integration for `shell`, with the function called `cmd`.
pub fn script(shell: Shell, cmd: &str, prompt: bool) -> Result<String> {
    completions::check_cmd(cmd)?;
    let (base, hook) = match shell {
        Shell::Bash => {
            (include_str!("../../shell/awsuse.bash"), include_str!("../../shell/prompt.bash"))
        }
        Shell::Zsh => {
            (include_str!("../../shell/awsuse.zsh"), include_str!("../../shell/prompt.zsh"))
        }
        Shell::Fish => {
            (include_str!("../../shell/awsuse.fish"), include_str!("../../shell/prompt.fish"))
        }
    };

    let mut text = base.replace("{{cmd}}", cmd);
    text.push('\n');
    text.push_str(&completions::script(shell, cmd)?);
    if prompt {
        text.push_str(hook);
    }
    Ok(text)
}

pub fn run(args: &InitArgs, out: &mut dyn Write) -> Result<()> {
    out.write_all(script(args.shell, &args.cmd, args.prompt)?.as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompt_hook_only_when_asked() {
        // What each shell's prompt is made of: only the hook may assign it.
        let prompt =
            [(Shell::Bash, "PS1="), (Shell::Zsh, "PROMPT="), (Shell::Fish, "function fish_prompt")];
        for (shell, assignment) in prompt {
            let plain = script(shell, "awsuse", false).unwrap();
            let hooked = script(shell, "awsuse", true).unwrap();
            assert!(!plain.contains(assignment), "{shell}");
            assert!(hooked.contains(assignment), "{shell}");
        }
    }

    #[test]
    fn function_takes_the_given_name() {
        for shell in Shell::ALL {
            let text = script(shell, "aws-profile", false).unwrap();
            assert!(text.contains("aws-profile"), "{shell}");
            assert!(script(shell, "x;rm", false).is_err(), "{shell}");
        }
    }
}
