//! `gpuctl db …`: store maintenance.

use super::*;

#[derive(Debug, Subcommand)]
pub(crate) enum DbCommand {
    /// Show, or set, how long raw samples and hourly rollups are kept
    Retention(DbRetentionArgs),
    /// Roll up complete hours and delete data past retention, now
    Prune,
    /// Rebuild the store file to give free space back to the filesystem
    Vacuum,
    /// Copy the store to PATH, consistently, even while others write to it
    Backup(DbBackupArgs),
}
#[derive(Debug, Args)]
pub(crate) struct DbRetentionArgs {
    /// Keep raw (per-collect) samples this long [default: 14d]
    #[arg(long, value_name = "DURATION", value_parser = checked(Span::parse))]
    pub raw: Option<Span>,
    /// Keep hourly rollups this long [default: 400d]
    #[arg(long, value_name = "DURATION", value_parser = checked(Span::parse))]
    pub hourly: Option<Span>,
}
#[derive(Debug, Args)]
pub(crate) struct DbBackupArgs {
    /// Where to write the copy (must not exist)
    ///
    /// The copy is written beside PATH as PATH.partial-XXXXXX (mode 0600), synced, and renamed
    /// to PATH once whole: PATH never holds a partial copy.
    pub path: PathBuf,
}
