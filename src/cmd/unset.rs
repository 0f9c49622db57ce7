//! `awsuse unset`: remove everything a switch set.

use std::io::Write;

use anyhow::Result;

use super::{Context, emit};
use crate::cli::ShellArgs;
use crate::switch;

pub fn run(ctx: &Context, args: &ShellArgs, out: &mut dyn Write) -> Result<()> {
    let shell = ctx.shell(args);
    let code = switch::clear(&ctx.env).script(shell)?;
    emit(ctx, out, &code, shell)?;
    Ok(())
}
