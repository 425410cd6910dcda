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

/// The committed man pages, as (file name, text).
fn committed_man_pages() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("man");
    let mut pages: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&path).unwrap())
        })
        .collect();
    pages.sort();
    assert!(pages.len() > 60, "found the pages: {}", pages.len());
    pages
}

/// A page's text as a reader sees it: roff's escaped hyphens and font changes undone.
fn plain(roff: &str) -> String {
    roff.replace("\\fB", "")
        .replace("\\fR", "")
        .replace("\\fI", "")
        .replace("\\-", "-")
        .replace("\\*(Aq", "'")
        .replace("\\\\", "\\")
}

/// The sections of a page: (heading, the lines under it that are not roff definitions).
fn sections(page: &str) -> Vec<(String, Vec<String>)> {
    let mut sections: Vec<(String, Vec<String>)> = Vec::new();
    for line in page.lines() {
        if let Some(heading) = line.strip_prefix(".SH ") {
            sections.push((heading.trim_matches('"').to_string(), Vec::new()));
        } else if line.starts_with(".ie ") || line.starts_with(".el ") {
            // clap_mangen defines a string before each section; it renders nothing.
        } else if let Some((_, lines)) = sections.last_mut() {
            lines.push(line.to_string());
        }
    }
    sections
}

/// Every `gpuctl…(1)` a text refers to.
fn man_references(text: &str) -> Vec<String> {
    let mut references = Vec::new();
    for (at, _) in text.match_indices("(1)") {
        let start = text[..at]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .map_or(0, |i| i + 1);
        let name = &text[start..at];
        if name.starts_with("gpuctl") {
            references.push(name.to_string());
        }
    }
    references
}

#[test]
fn man_pages_have_no_empty_sections_and_refer_only_to_pages_that_exist() {
    let pages = committed_man_pages();
    let names: Vec<&str> = pages.iter().map(|(n, _)| n.as_str()).collect();
    let mut checked_references = 0;
    for (name, page) in &pages {
        let sections = sections(page);
        for (heading, lines) in &sections {
            assert!(
                lines.iter().any(|l| !l.trim().is_empty()),
                "{name}: section {heading} is empty"
            );
        }
        let headings: Vec<&str> = sections.iter().map(|(h, _)| h.as_str()).collect();
        if name != "gpuctl.1" {
            assert!(headings.contains(&"SEE ALSO"), "{name}: {headings:?}");
        }
        // DESCRIPTION, when there is one, says more than NAME.
        let section = |wanted: &str| {
            sections
                .iter()
                .find(|(h, _)| h == wanted)
                .map(|(_, lines)| plain(&lines.join(" ")))
        };
        if let (Some(name_line), Some(description)) = (section("NAME"), section("DESCRIPTION")) {
            let summary = name_line.split(" - ").nth(1).unwrap_or_default().trim();
            assert!(
                !description.contains(summary),
                "{name}: DESCRIPTION repeats NAME: {summary}"
            );
        }
        for reference in man_references(&plain(page)) {
            assert!(
                names.contains(&format!("{reference}.1").as_str()),
                "{name} refers to {reference}(1), which is not in man/"
            );
            checked_references += 1;
        }
    }
    assert!(
        checked_references > 100,
        "found references: {checked_references}"
    );
    let leaf = &pages
        .iter()
        .find(|(n, _)| n == "gpuctl-node-list.1")
        .unwrap()
        .1;
    assert!(
        !leaf.contains("SUBCOMMANDS"),
        "a leaf page lists no subcommands"
    );
    assert!(plain(leaf).contains("gpuctl(1), gpuctl-node(1)"), "{leaf}");
}

#[test]
fn man_pages_pass_mandoc_lint() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("man");
    let files: Vec<std::path::PathBuf> = committed_man_pages()
        .iter()
        .map(|(name, _)| dir.join(name))
        .collect();
    let output = match std::process::Command::new("mandoc")
        .args(["-T", "lint", "-W", "warning"])
        .args(&files)
        .output()
    {
        Ok(output) => output,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            assert!(
                std::env::var_os("CI").is_none(),
                "mandoc is missing, and CI installs it"
            );
            eprintln!("skipped: mandoc is not installed (CI runs this check)");
            return;
        }
        Err(e) => panic!("run mandoc: {e}"),
    };
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success() && report.trim().is_empty(),
        "mandoc -T lint -W warning:\n{report}"
    );
}

/// The command lines of an examples text, each continued line (` \\`) joined to the next.
fn command_lines(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut continued: Option<String> = None;
    for line in text.lines().map(str::trim) {
        let line = match continued.take() {
            Some(start) => format!("{start} {line}"),
            None if line.starts_with("gpuctl ") => line.to_string(),
            None => continue,
        };
        match line.strip_suffix(" \\") {
            Some(start) => continued = Some(start.to_string()),
            None => lines.push(line),
        }
    }
    lines
}

#[test]
fn every_leaf_page_has_the_examples_its_help_shows() {
    let env = Env::new();
    let mut leaves = 0;
    for (name, page) in committed_man_pages() {
        let sections = sections(&page);
        if sections.iter().any(|(h, _)| h == "SUBCOMMANDS") {
            continue;
        }
        leaves += 1;
        // The command, as SYNOPSIS names it in bold: `gpuctl node set-status`.
        let synopsis = &sections.iter().find(|(h, _)| h == "SYNOPSIS").unwrap().1[0];
        let command = synopsis
            .strip_prefix("\\fB")
            .and_then(|s| s.split("\\fR").next())
            .map(|s| s.replace("\\-", "-"))
            .unwrap_or_else(|| panic!("{name}: synopsis {synopsis}"));
        let mut args: Vec<&str> = command.split(' ').skip(1).collect();
        args.push("--help");
        let help = env.ok(&args);
        let (_, help_examples) = help
            .split_once("\nExamples:\n")
            .unwrap_or_else(|| panic!("{command} --help has no Examples:\n{help}"));
        let help_lines = command_lines(help_examples);
        assert!(!help_lines.is_empty(), "{command}: {help_examples}");
        let examples = sections
            .iter()
            .find(|(h, _)| h == "EXAMPLES")
            .map(|(_, lines)| plain(&lines.join("\n")))
            .unwrap_or_else(|| panic!("{name} has no EXAMPLES"));
        let page_lines = command_lines(&examples);
        assert_eq!(page_lines, help_lines, "{name}: EXAMPLES and --help differ");
        for line in &help_lines {
            assert!(
                line.starts_with(&format!("{command} ")) || *line == command,
                "{name}: {line}"
            );
        }
    }
    assert!(leaves > 60, "leaf pages: {leaves}");
}
