//! Clap value parsers for gpuctl's own types: each value is checked and converted once, while
//! the command line is parsed, and a bad one is a usage error (exit 2) worded as gpuctl words it.

use std::ffi::OsStr;

use clap::builder::TypedValueParser;
use clap::error::{ContextKind, ContextValue, ErrorKind};

use crate::error::Result;

/// A value parser from a checking constructor such as `Span::parse`.
#[derive(Clone, Copy)]
pub(super) struct Checked<T>(fn(&str) -> Result<T>);

/// `value_parser = checked(Span::parse)`.
pub(super) fn checked<T>(parse: fn(&str) -> Result<T>) -> Checked<T> {
    Checked(parse)
}

impl<T: Clone + Send + Sync + 'static> TypedValueParser for Checked<T> {
    type Value = T;

    fn parse_ref(
        &self,
        command: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> std::result::Result<T, clap::Error> {
        let Some(text) = value.to_str() else {
            return Err(clap::Error::new(ErrorKind::InvalidUtf8).with_cmd(command));
        };
        (self.0)(text).map_err(|e| {
            // An option is named (a positional's value speaks for itself): `--since: invalid
            // duration 'x': …`.
            let message = match arg.and_then(clap::Arg::get_long) {
                Some(long) => format!("--{long}: {}", e.message),
                None => e.message,
            };
            let mut error = clap::Error::raw(ErrorKind::ValueValidation, format!("{message}\n"))
                .with_cmd(command);
            error.insert(
                ContextKind::Custom,
                ContextValue::String(e.hint.unwrap_or_default()),
            );
            error
        })
    }
}

/// For an error from a [`Checked`] parser: the hint gpuctl's check gave, empty when none.
/// The error is then reported as gpuctl reports its own, one line and that hint only.
pub(crate) fn checked_hint(error: &clap::Error) -> Option<&str> {
    match error.get(ContextKind::Custom) {
        Some(ContextValue::String(hint)) => Some(hint),
        _ => None,
    }
}
