//! `gpuctl completions SHELL`: prints a completion script; needs no store.

use crate::cli::CompletionsArgs;
use crate::error::Result;
use crate::generate;
use crate::Ctx;

pub(crate) fn run(ctx: &Ctx, args: &CompletionsArgs) -> Result<()> {
    ctx.out.raw(generate::completion(args.shell).as_bytes())
}
