//! Completion of names from the store (`gpuctl node show <TAB>`), through clap_complete's
//! dynamic engine: the shell runs `GPUCTL_COMPLETE=bash gpuctl -- WORDS…` at each <TAB>, and
//! the arguments that name a node, a cluster or a GPU offer what the store holds.

use std::ffi::{OsStr, OsString};
use std::path::PathBuf;
use std::sync::OnceLock;

use clap_complete::engine::{ArgValueCompleter, CompletionCandidate};

use crate::store::completion::{names_with_prefix, NameKind};

/// The variable that turns a run into a completion request: `GPUCTL_COMPLETE=bash gpuctl`
/// prints the script that registers the completion, and the shell then sets it on each call.
/// gpuctl's own name, not clap's plain `COMPLETE`, which another program may have set.
pub(crate) const COMPLETE_VAR: &str = "GPUCTL_COMPLETE";

/// The store the command line being completed names (its `--db`), set before completing.
static TYPED_STORE: OnceLock<PathBuf> = OnceLock::new();

/// Remembers the `--db` of the command line being completed (`WORDS…` after `--`), so that
/// names come from the store that command would read.
pub(crate) fn remember_typed_store(args: &[OsString]) {
    let mut words = args
        .iter()
        .skip_while(|arg| *arg != "--")
        .map(|arg| arg.to_string_lossy());
    while let Some(word) = words.next() {
        let value = match word.strip_prefix("--db") {
            Some("") => words.next().map(|v| v.into_owned()),
            Some(rest) => rest.strip_prefix('=').map(str::to_string),
            None => None,
        };
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            // The shell has not expanded a `~` in a word still being typed.
            let path = match (value.strip_prefix("~/"), std::env::var_os("HOME")) {
                (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
                _ => PathBuf::from(value),
            };
            let _ = TYPED_STORE.set(path);
            return;
        }
    }
}

/// The store names are read from: the typed `--db`, else GPUCTL_DB, else the default store.
fn store_path() -> Option<PathBuf> {
    if let Some(path) = TYPED_STORE.get() {
        return Some(path.clone());
    }
    match std::env::var_os("GPUCTL_DB") {
        Some(path) if !path.is_empty() => Some(PathBuf::from(path)),
        _ => crate::default_data_dir()
            .ok()
            .map(|dir| dir.join("gpuctl.db")),
    }
}

fn candidates(kind: NameKind, current: &OsStr) -> Vec<CompletionCandidate> {
    let (Some(prefix), Some(path)) = (current.to_str(), store_path()) else {
        return Vec::new();
    };
    names_with_prefix(&path, kind, prefix)
        .into_iter()
        .map(CompletionCandidate::new)
        .collect()
}

fn nodes(current: &OsStr) -> Vec<CompletionCandidate> {
    candidates(NameKind::Node, current)
}

fn clusters(current: &OsStr) -> Vec<CompletionCandidate> {
    candidates(NameKind::Cluster, current)
}

fn gpu_uuids(current: &OsStr) -> Vec<CompletionCandidate> {
    candidates(NameKind::GpuUuid, current)
}

fn models(current: &OsStr) -> Vec<CompletionCandidate> {
    candidates(NameKind::Model, current)
}

fn alert_rules(current: &OsStr) -> Vec<CompletionCandidate> {
    candidates(NameKind::AlertRule, current)
}

fn alert_receivers(current: &OsStr) -> Vec<CompletionCandidate> {
    candidates(NameKind::AlertReceiver, current)
}

/// Which names an argument of the command at `path` (`"node show"`) takes from the store:
/// `--node`, `--cluster`, `--device` and `--model` everywhere, and the positional name of a
/// command on one that exists (not of an `add`, which names a new one).
fn name_kind(path: &str, arg: &clap::Arg) -> Option<NameKind> {
    let group = path.split(' ').next().unwrap_or_default();
    let adds = path.ends_with(" add");
    match (arg.get_long(), arg.get_id().as_str()) {
        (Some("node"), _) => Some(NameKind::Node),
        (Some("cluster"), _) => Some(NameKind::Cluster),
        (Some("device"), _) => Some(NameKind::GpuUuid),
        (Some("model"), _) => Some(NameKind::Model),
        _ if adds => None,
        (None, "name") if group == "node" => Some(NameKind::Node),
        (None, "name") if group == "model" => Some(NameKind::Model),
        (None, "name") if path.starts_with("alert receivers ") => Some(NameKind::AlertReceiver),
        (None, "rule") => Some(NameKind::AlertRule),
        (None, "uuid" | "device") => Some(NameKind::GpuUuid),
        _ => None,
    }
}

/// Gives the arguments of the tree under `path` that name a node, cluster, GPU, model, alert
/// rule or receiver their completer.
pub(super) fn with_name_completers(command: clap::Command, path: &str) -> clap::Command {
    command
        .mut_args(|arg| match name_kind(path, &arg) {
            Some(NameKind::Node) => arg.add(ArgValueCompleter::new(nodes)),
            Some(NameKind::Cluster) => arg.add(ArgValueCompleter::new(clusters)),
            Some(NameKind::GpuUuid) => arg.add(ArgValueCompleter::new(gpu_uuids)),
            Some(NameKind::Model) => arg.add(ArgValueCompleter::new(models)),
            Some(NameKind::AlertRule) => arg.add(ArgValueCompleter::new(alert_rules)),
            Some(NameKind::AlertReceiver) => arg.add(ArgValueCompleter::new(alert_receivers)),
            None => arg,
        })
        .mut_subcommands(|sub| {
            let path = if path.is_empty() {
                sub.get_name().to_string()
            } else {
                format!("{path} {}", sub.get_name())
            };
            with_name_completers(sub, &path)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (command path, argument id, kind) for every argument that completes names.
    fn completed(command: &clap::Command, path: &str, found: &mut Vec<(String, String)>) {
        for arg in command.get_arguments() {
            if arg.get::<ArgValueCompleter>().is_some() {
                found.push((path.to_string(), arg.get_id().to_string()));
            }
        }
        for sub in command.get_subcommands() {
            let sub_path = format!("{path} {}", sub.get_name()).trim().to_string();
            completed(sub, &sub_path, found);
        }
    }

    #[test]
    fn names_of_existing_things_complete_and_new_names_do_not() {
        let mut found = Vec::new();
        completed(&crate::cli::command(), "", &mut found);
        let has = |path: &str, id: &str| found.iter().any(|(p, i)| p == path && i == id);
        for (path, id) in [
            ("node show", "name"),
            ("node history", "name"),
            ("node set-status", "name"),
            ("node list", "cluster"),
            ("device show", "uuid"),
            ("device list", "node"),
            ("mig create", "device"),
            ("alloc create", "device"),
            ("dashboard trends", "cluster"),
            ("model show", "name"),
            ("device list", "model"),
            ("alert rules set", "rule"),
            ("alert receivers test", "name"),
        ] {
            assert!(has(path, id), "{path} {id}: {found:?}");
        }
        assert!(
            !has("node add", "name"),
            "a new node's name is not completed"
        );
        assert!(
            !has("device add", "uuid"),
            "a new GPU's UUID is not completed"
        );
    }
}
