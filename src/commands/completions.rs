//! `gpuctl completions SHELL`: prints a completion script; needs no store.

use std::io::Write;

use crate::cli::CompletionsArgs;
use crate::error::Result;
use crate::generate;
use crate::Ctx;

pub(crate) fn run(_ctx: &Ctx, args: &CompletionsArgs) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(generate::completion(args.shell).as_bytes())?;
    stdout.flush()?;
    Ok(())
}
