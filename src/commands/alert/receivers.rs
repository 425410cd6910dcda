//! `gpuctl alert receivers …`: where alert transitions are delivered.

use std::path::{Path, PathBuf};

use crate::cli::{AlertReceiversCommand, ReceiverAddArgs, ReceiverNameArgs, ReceiverTestArgs};
use crate::clock;
use crate::domain::{AlertReceiver, ReceiverKind};
use crate::error::{Error, Result};
use crate::fleet::http::{BasicAuth, HttpClient, HttpOptions};
use crate::inventory::receiver_not_found;
use crate::notify::{self, TestResult, DEFAULT_RESEND_SECS};
use crate::output::{Cell, Output, TableRow};
use crate::store::notify::{self as outbox, NewReceiver};
use crate::Ctx;

pub(super) fn run(ctx: &Ctx, command: Option<&AlertReceiversCommand>) -> Result<()> {
    match command {
        None | Some(AlertReceiversCommand::List) => list(ctx),
        Some(AlertReceiversCommand::Add(args)) => add(ctx, args),
        Some(AlertReceiversCommand::Remove(args)) => remove(ctx, args),
        Some(AlertReceiversCommand::Test(args)) => test(ctx, args),
    }
}

/// How a receiver authenticates, in a word.
fn auth(receiver: &AlertReceiver) -> &'static str {
    if receiver.bearer_token_file.is_some() || receiver.bearer_token_env.is_some() {
        "bearer"
    } else if receiver.basic_auth_user.is_some() {
        "basic"
    } else {
        "none"
    }
}

/// How a receiver's delivery stands, in a few words.
fn state(receiver: &AlertReceiver, now: i64) -> (String, &'static str) {
    if receiver.failures > 0 {
        let retry = receiver
            .next_attempt_at
            .filter(|at| *at > now)
            .map(|at| format!(", retry {}", clock::ago(now, at)))
            .unwrap_or_default();
        let text = format!(
            "failing ×{}{retry}: {}",
            receiver.failures,
            receiver.last_error.as_deref().unwrap_or("-")
        );
        return (text, "fail");
    }
    match receiver.last_success_at {
        Some(at) => (format!("ok {}", clock::ago(now, at)), "active"),
        None => ("not used yet".to_string(), ""),
    }
}

/// A table row of `receivers list`, judged at `now`.
struct ListedReceiver<'a> {
    receiver: &'a AlertReceiver,
    now: i64,
}

impl serde::Serialize for ListedReceiver<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.receiver.serialize(s)
    }
}

impl TableRow for ListedReceiver<'_> {
    fn headers() -> Vec<&'static str> {
        vec![
            "name",
            "kind",
            "url",
            "auth",
            "pending",
            "delivered",
            "state",
        ]
    }
    fn cells(&self, out: &Output) -> Vec<Cell> {
        let r = self.receiver;
        let (state, tone) = state(r, self.now);
        vec![
            Cell::new(&r.name),
            Cell::new(r.kind.as_str()),
            Cell::new(&r.url),
            Cell::new(auth(r)),
            out.number_cell(r.pending),
            out.number_cell(r.delivered),
            out.tone_cell(&state, tone),
        ]
    }
}

fn list(ctx: &Ctx) -> Result<()> {
    let receivers = outbox::receivers(ctx.store()?.conn())?;
    let rows: Vec<ListedReceiver> = receivers
        .iter()
        .map(|receiver| ListedReceiver {
            receiver,
            now: ctx.now,
        })
        .collect();
    let noun = if rows.len() == 1 {
        "receiver"
    } else {
        "receivers"
    };
    let blank = AlertReceiver::default();
    ctx.out
        .list_shaped(&rows, Some(format!("{} {noun}", rows.len())), || {
            ListedReceiver {
                receiver: &blank,
                now: ctx.now,
            }
        })
}

/// A file named on the command line as the store keeps it: absolute, so a delivery run from
/// another directory (cron, a timer) finds it. It must exist now.
fn stored_path(what: &str, path: &Path) -> Result<String> {
    let absolute: PathBuf = std::fs::canonicalize(path).map_err(|e| {
        Error::usage(format!(
            "cannot use the {what} {}: {e}",
            crate::terminal::quote(&path.display().to_string())
        ))
    })?;
    absolute.to_str().map(str::to_string).ok_or_else(|| {
        Error::usage(format!(
            "the {what} path {} is not UTF-8",
            absolute.display()
        ))
    })
}

fn add(ctx: &Ctx, args: &ReceiverAddArgs) -> Result<()> {
    let (kind, url) = match (&args.alertmanager, &args.webhook) {
        (Some(url), None) => (ReceiverKind::Alertmanager, url.to_string()),
        (None, Some(url)) => (ReceiverKind::Webhook, url.to_string()),
        // clap's group takes exactly one of the two.
        _ => return Err(Error::usage("give --alertmanager URL or --webhook URL")),
    };
    if let Some(user) = &args.basic_auth_user {
        crate::validate::one_line("basic auth user", user)?;
        if user.contains(':') {
            return Err(Error::usage(format!(
                "basic auth user name {} contains ':', which basic auth cannot carry",
                crate::terminal::quote(user)
            )));
        }
    }
    let path = |what: &str, file: &Option<PathBuf>| -> Result<Option<String>> {
        file.as_deref().map(|f| stored_path(what, f)).transpose()
    };
    let new = NewReceiver {
        name: args.name.to_string(),
        kind,
        url,
        ca_file: path("CA file", &args.ca_file)?,
        bearer_token_file: path("bearer token file", &args.bearer_token_file)?,
        bearer_token_env: args.bearer_token_env.as_ref().map(ToString::to_string),
        basic_auth_user: args.basic_auth_user.clone(),
        basic_auth_password_file: path("password file", &args.basic_auth_password_file)?,
        basic_auth_password_env: args
            .basic_auth_password_env
            .as_ref()
            .map(ToString::to_string),
        resend_every_secs: (kind == ReceiverKind::Alertmanager).then(|| {
            args.resend_every
                .as_ref()
                .map_or(DEFAULT_RESEND_SECS, clock::Span::seconds)
        }),
    };
    check_files(&new)?;
    let receiver = ctx.change(|inv| inv.add_receiver(&new))?;
    ctx.out.show(&receiver, |out, w| {
        if !out.quiet {
            writeln!(
                w,
                "receiver '{}' added ({} {}): it gets the alert transitions made from now on",
                receiver.name, receiver.kind, receiver.url
            )?;
        }
        Ok(())
    })
}

/// Reads the files a receiver names (CA, token, password) as a delivery will, so a bad one is
/// refused now (exit 2) rather than at every run. Variables are read only by the delivering
/// process, whose environment may differ from this one.
fn check_files(receiver: &NewReceiver) -> Result<()> {
    let options = HttpOptions {
        ca_file: receiver.ca_file.as_ref().map(Into::into),
        bearer_token_file: receiver.bearer_token_file.as_ref().map(Into::into),
        basic_auth: receiver
            .basic_auth_password_file
            .as_ref()
            .and(receiver.basic_auth_user.as_ref())
            .map(|user| BasicAuth {
                username: user.clone(),
                password_file: receiver.basic_auth_password_file.as_ref().map(Into::into),
                password_env: None,
            }),
        ..HttpOptions::default()
    };
    HttpClient::new(&options)
        .map(drop)
        .map_err(|e| Error::usage(e.to_string()))
}

fn remove(ctx: &Ctx, args: &ReceiverNameArgs) -> Result<()> {
    let receiver = ctx.change(|inv| inv.remove_receiver(&args.name))?;
    ctx.out.show(&receiver, |out, w| {
        if !out.quiet {
            let dropped = match receiver.pending {
                0 => String::new(),
                n => format!("; {n} transition(s) it had not taken are dropped"),
            };
            writeln!(w, "receiver '{}' removed{dropped}", receiver.name)?;
        }
        Ok(())
    })
}

fn test(ctx: &Ctx, args: &ReceiverTestArgs) -> Result<()> {
    let receiver = outbox::receiver(ctx.store()?.conn(), &args.name)?
        .ok_or_else(|| receiver_not_found(&args.name))?;
    let result: TestResult = notify::test_receiver(&receiver, ctx.now, args.timeout.to_std())?;
    ctx.out.show(&result, |out, w| {
        if !out.quiet {
            writeln!(
                w,
                "receiver '{}' took the test alert: {} answered HTTP {} in {} ms",
                result.receiver, result.url, result.status, result.milliseconds
            )?;
        }
        Ok(())
    })
}
