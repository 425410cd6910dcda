//! `completions/` and `man/` must match what the clap tree generates now.
//! `GPUCTL_BLESS=1 cargo test generated` rewrites them.

use std::path::Path;

use gpuctl::generate;

use crate::harness::Env;

fn check_or_bless(dir: &Path, expected: &[(String, String)]) {
    let bless = std::env::var_os("GPUCTL_BLESS").is_some();
    if bless {
        if dir.exists() {
            std::fs::remove_dir_all(dir).unwrap();
        }
        std::fs::create_dir_all(dir).unwrap();
    }
    let mut stale = Vec::new();
    for (name, content) in expected {
        let path = dir.join(name);
        if bless {
            std::fs::write(&path, content).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(content.as_str()) {
            stale.push(name.clone());
        }
    }
    let mut on_disk: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    on_disk.retain(|name| !expected.iter().any(|(n, _)| n == name));
    assert!(
        stale.is_empty() && on_disk.is_empty(),
        "{} is out of date (changed or missing: {stale:?}; no longer generated: {on_disk:?}); run GPUCTL_BLESS=1 cargo test generated",
        dir.display()
    );
}

#[test]
fn committed_completions_are_current() {
    let expected: Vec<(String, String)> = generate::COMMITTED_SHELLS
        .iter()
        .map(|(shell, file)| (file.to_string(), generate::completion(*shell)))
        .collect();
    check_or_bless(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("completions"),
        &expected,
    );
}

#[test]
fn committed_man_pages_are_current() {
    check_or_bless(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("man"),
        &generate::man_pages(),
    );
}

#[test]
fn man_pages_cover_every_command_with_exit_status_and_environment() {
    let pages = generate::man_pages();
    let names: Vec<&str> = pages.iter().map(|(n, _)| n.as_str()).collect();
    for expected in [
        "gpuctl.1",
        "gpuctl-node.1",
        "gpuctl-node-list.1",
        "gpuctl-alert-rules-set.1",
        "gpuctl-db-backup.1",
    ] {
        assert!(names.contains(&expected), "{names:?}");
    }
    for (name, page) in &pages {
        assert!(
            page.contains(".SH \"EXIT STATUS\"") || page.contains(".SH EXIT STATUS"),
            "{name}"
        );
        assert!(page.contains("GPUCTL_DB"), "{name}");
    }
}

#[test]
fn completions_command_prints_a_script_for_each_shell() {
    let env = Env::new();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = env.ok(&["completions", shell]);
        assert!(script.contains("gpuctl"), "{shell}");
        assert!(
            script.contains("set-status"),
            "{shell}: subcommands are completed"
        );
    }
    env.fails(&["completions", "tcsh"], 2);
    assert!(!env.db().exists(), "completions need no store");
}
