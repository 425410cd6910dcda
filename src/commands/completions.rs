//! `gpuctl completions SHELL`: prints a completion script; needs no store.

use crate::cli::CompletionsArgs;
use crate::error::Result;
use crate::generate;
use crate::output::Format;
use crate::Ctx;

pub(crate) fn run(ctx: &Ctx, args: &CompletionsArgs) -> Result<()> {
    ctx.out
        .require_format("completions", &[Format::Table])
        .map_err(|e| e.with_hint("a completion script is shell code, printed as it is"))?;
    ctx.out.raw(generate::completion(args.shell).as_bytes())
}
