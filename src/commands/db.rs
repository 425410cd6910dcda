//! `gpuctl db …`: retention, pruning, vacuum and backup of the store.

use serde::Serialize;

use crate::cli::{DbBackupArgs, DbCommand, DbRetentionArgs};
use crate::clock;
use crate::domain::EventKind;
use crate::error::{Error, ErrorKind, Result};
use crate::inventory::Detail;
use crate::retention::{self, Maintenance, Retention};
use crate::store::metrics;
use crate::Ctx;

pub(crate) fn run(ctx: &Ctx, command: &DbCommand) -> Result<()> {
    match command {
        DbCommand::Retention(args) => set_retention(ctx, args),
        DbCommand::Prune => prune(ctx),
        DbCommand::Vacuum => vacuum(ctx),
        DbCommand::Backup(args) => backup(ctx, args),
    }
}

#[derive(Serialize)]
struct RetentionView {
    raw: String,
    raw_secs: i64,
    hourly: String,
    hourly_secs: i64,
}

impl From<Retention> for RetentionView {
    fn from(r: Retention) -> Self {
        RetentionView {
            raw: clock::format_duration(r.raw_secs),
            raw_secs: r.raw_secs,
            hourly: clock::format_duration(r.hourly_secs),
            hourly_secs: r.hourly_secs,
        }
    }
}

fn set_retention(ctx: &Ctx, args: &DbRetentionArgs) -> Result<()> {
    let raw = args.raw.as_ref().map(clock::Span::seconds);
    let hourly = args.hourly.as_ref().map(clock::Span::seconds);
    let now = ctx.change(|inv| {
        let tx = inv.conn();
        let old = retention::retention(tx)?;
        let new = Retention {
            raw_secs: raw.unwrap_or(old.raw_secs),
            hourly_secs: hourly.unwrap_or(old.hourly_secs),
        };
        if new.hourly_secs < new.raw_secs {
            return Err(Error::usage(format!(
                "hourly retention {} is shorter than raw retention {}: rollups must outlive samples",
                clock::format_duration(new.hourly_secs),
                clock::format_duration(new.raw_secs)
            )));
        }
        for (field, before, after) in [
            ("retention.raw", old.raw_secs, new.raw_secs),
            ("retention.hourly", old.hourly_secs, new.hourly_secs),
        ] {
            if before != after {
                inv.record(
                    EventKind::DbRetention,
                    "store",
                    Detail::default().field(field).change(
                        Some(clock::format_duration(before)),
                        Some(clock::format_duration(after)),
                    ),
                )?;
            }
        }
        retention::set_retention(tx, new)?;
        Ok(new)
    })?;
    let view = RetentionView::from(now);
    ctx.out.show(&view, |out, w| {
        writeln!(
            w,
            "{}",
            out.fields(vec![
                ("raw samples", view.raw.clone()),
                ("hourly rollups", view.hourly.clone())
            ])
        )?;
        Ok(())
    })
}

#[derive(Serialize)]
struct PruneReport {
    #[serde(flatten)]
    done: Maintenance,
    samples_left: i64,
    rollups_left: i64,
}

fn prune(ctx: &Ctx) -> Result<()> {
    let store = ctx.store()?;
    let spinner = ctx.out.spinner("rolling up and pruning");
    let done = store.write(|tx| retention::apply(tx, ctx.now))?;
    store.checkpoint()?;
    spinner.finish_and_clear();
    let (samples_left, rollups_left) = metrics::counts(store.conn())?;
    let report = PruneReport {
        done,
        samples_left,
        rollups_left,
    };
    ctx.out.show(&report, |out, _| {
        out.note(format!(
            "rolled up {} hour(s) into {} rollup row(s); pruned {} sample(s) and {} rollup(s); {} sample(s) and {} rollup(s) kept",
            done.hours_rolled_up, done.rollup_rows, done.samples_pruned, done.rollups_pruned, samples_left, rollups_left
        ));
        Ok(())
    })
}

#[derive(Serialize)]
struct SizeReport {
    path: String,
    bytes_before: u64,
    bytes_after: u64,
}

fn file_size(path: &std::path::Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

fn vacuum(ctx: &Ctx) -> Result<()> {
    let store = ctx.store()?;
    let path = store.path().to_path_buf();
    let wal = path.with_extension("db-wal");
    let before = file_size(&path) + file_size(&wal);
    let spinner = ctx.out.spinner("vacuuming");
    store.vacuum()?;
    spinner.finish_and_clear();
    let report = SizeReport {
        path: path.display().to_string(),
        bytes_before: before,
        bytes_after: file_size(&path) + file_size(&wal),
    };
    ctx.out.show(&report, |out, _| {
        out.note(format!(
            "vacuumed {}: {} → {} bytes",
            report.path, report.bytes_before, report.bytes_after
        ));
        Ok(())
    })
}

#[derive(Serialize)]
struct BackupReport {
    source: String,
    path: String,
    bytes: u64,
}

fn backup(ctx: &Ctx, args: &DbBackupArgs) -> Result<()> {
    // symlink_metadata: a dangling link counts as existing too; never write through it.
    if std::fs::symlink_metadata(&args.path).is_ok() {
        return Err(Error::conflict(format!(
            "backup target '{}' already exists",
            args.path.display()
        ))
        .with_hint("choose a new file name; gpuctl never overwrites a backup"));
    }
    let store = ctx.store()?;
    store.backup_to(&args.path).map_err(|e| {
        if e.kind == ErrorKind::Conflict {
            // Created by someone else while the copy was made: the same refusal as above.
            return e.with_hint("choose a new file name; gpuctl never overwrites a backup");
        }
        e.prefixed(&format!("backup to '{}' failed", args.path.display()))
    })?;
    let report = BackupReport {
        source: store.path().display().to_string(),
        path: args.path.display().to_string(),
        bytes: file_size(&args.path),
    };
    ctx.out.show(&report, |out, _| {
        out.note(format!(
            "backed up {} to {} ({} bytes)",
            report.source, report.path, report.bytes
        ));
        Ok(())
    })
}
