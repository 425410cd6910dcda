//! Every list alike: `--limit`/`--page` with a footer that counts every match, filters that
//! name what they filter, GPU and MIG UUIDs by a unique prefix, the actor of each change and
//! table times marked UTC.

use serde_json::Value;

use crate::harness::{error_line, Env};

/// Two clusters: prod (node a with two A100s, node b with one H100) and lab (node c with two
/// H100s, nodes d and e without GPUs); MIG on the first A100 with four instances; four leases
/// (alice and carol in prod, one of them a MIG instance; bob and erin in lab); 27 open alerts
/// on prod's GPUs.
fn fleet(env: &Env) {
    env.ok(&["node", "add", "a", "--cluster", "prod", "-q"]);
    env.ok(&["node", "add", "b", "--cluster", "prod", "-q"]);
    for node in ["c", "d", "e"] {
        env.ok(&["node", "add", node, "--cluster", "lab", "-q"]);
    }
    for (uuid, node, index, model) in [
        ("GPU-aaaa1111-0000", "a", "0", "A100-80GB"),
        ("GPU-aaaa2222-0000", "a", "1", "A100-80GB"),
        ("GPU-bbbb3333-0000", "b", "0", "H100-80GB"),
        ("GPU-cccc4444-0000", "c", "0", "H100-80GB"),
        ("GPU-cccc5555-0000", "c", "1", "H100-80GB"),
    ] {
        env.ok(&[
            "device", "add", uuid, "--node", node, "--index", index, "--model", model, "-q",
        ]);
    }
    env.ok(&["mig", "enable", "GPU-aaaa1111-0000", "-q"]);
    env.ok(&[
        "mig",
        "create",
        "GPU-aaaa1111-0000",
        "1g.10gb",
        "--count",
        "4",
        "-q",
    ]);
    for args in [
        &["--device", "GPU-bbbb3333-0000", "--owner", "alice"][..],
        &["--device", "GPU-cccc4444-0000", "--owner", "bob"][..],
        &[
            "--node",
            "a",
            "--mig-profile",
            "1g.10gb",
            "--owner",
            "carol",
        ][..],
        &["--device", "GPU-cccc5555-0000", "--owner", "erin"][..],
    ] {
        let mut command = vec!["alloc", "create", "--for", "4h", "-q"];
        command.extend_from_slice(args);
        env.ok(&command);
    }
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    for i in 0..27 {
        let (uuid, node) = if i % 3 == 0 {
            ("GPU-bbbb3333-0000", "b")
        } else {
            ("GPU-aaaa2222-0000", "a")
        };
        let severity = if i < 4 { "critical" } else { "warning" };
        conn.execute(
            "INSERT INTO alerts (rule, device_uuid, node, cluster, severity, state, first_seen_at,
                                 last_seen_at, message)
             VALUES (?1, ?2, ?3, 'prod', ?4, 'firing', 1795942800, 1795946400 - ?5, 'test')",
            rusqlite::params![format!("rule-{i:02}"), uuid, node, severity, i],
        )
        .unwrap();
    }
}

fn array(value: &Value) -> &Vec<Value> {
    value.as_array().expect("a JSON array")
}

/// The last line of a table: its footer.
fn footer(table: &str) -> &str {
    table.lines().last().unwrap_or_default()
}

/// Every list: its arguments, whether it has a page size of its own (so that every row needs
/// a --limit), and the footer's noun.
const LISTS: &[(&[&str], bool, &str)] = &[
    (&["node", "list"], false, "nodes"),
    (&["node", "history", "a"], true, "changes"),
    (&["node", "recent"], false, "nodes"),
    (&["device", "list"], false, "GPUs"),
    (&["model", "list"], false, "models"),
    (&["mig", "list"], false, "MIG instances"),
    (&["alloc", "list", "--all"], false, "leases"),
    (&["alert", "list"], false, "alerts"),
    (&["dashboard", "alerts"], true, "open alerts"),
    (&["dashboard", "activity"], true, "events"),
];

#[test]
fn every_list_pages_with_a_footer_that_counts_every_match() {
    let env = Env::new();
    fleet(&env);
    for (args, own_page_size, noun) in LISTS {
        let mut every: Vec<&str> = args.to_vec();
        if *own_page_size {
            every.extend(["--limit", "1000"]);
        }
        let all = env.json(&every);
        let all = array(&all);
        assert!(all.len() >= 4, "{args:?}: the fleet fills every list");
        let mut paged: Vec<&str> = args.to_vec();
        paged.extend(["--limit", "2", "--page", "2"]);
        // JSON stays an array of rows: the same rows, the second pair of them.
        let page = env.json(&paged);
        assert_eq!(array(&page), &all[2..4], "{paged:?}");
        let table = env.ok(&paged);
        assert_eq!(
            footer(&table).replace(" changed in the last 24h", ""),
            format!("3–4 of {} {noun}", all.len()),
            "{paged:?}"
        );
        // A page past the end is empty, and says how many there are.
        paged.splice(paged.len() - 1.., ["1000"]);
        assert_eq!(array(&env.json(&paged)).len(), 0, "{paged:?}");
        let empty = env.ok(&paged);
        assert!(
            footer(&empty).starts_with(&format!("no {noun} on this page ({} ", all.len())),
            "{paged:?}: {empty}"
        );
        // CSV: the page's rows under one header.
        paged.splice(paged.len() - 1.., ["1"]);
        paged.extend(["-o", "csv"]);
        assert_eq!(env.ok(&paged).lines().count(), 3, "{paged:?}");
    }
}

#[test]
fn alert_list_limit_names_the_total_not_the_rows_shown() {
    let env = Env::new();
    fleet(&env);
    let table = env.ok(&["alert", "list", "--limit", "3"]);
    assert_eq!(footer(&table), "1–3 of 27 alerts");
    assert_eq!(table.lines().count(), 5, "header, 3 rows, footer: {table}");
    let critical = env.ok(&["alert", "list", "--severity", "critical", "--limit", "3"]);
    assert_eq!(
        footer(&critical),
        "1–3 of 4 alerts",
        "the total follows the filters"
    );
    let last = env.ok(&["alert", "list", "--limit", "10", "--page", "3"]);
    assert_eq!(footer(&last), "21–27 of 27 alerts");
    // --no-headers: the rows alone, no footer.
    let bare = env.ok(&["alert", "list", "--limit", "3", "--no-headers"]);
    assert_eq!(bare.lines().count(), 3, "{bare}");
    // Node history and activity keep their page sizes without --limit.
    let history = env.ok(&["node", "history", "a"]);
    let changes = array(&env.json(&["node", "history", "a", "--limit", "1000"])).len();
    assert_eq!(
        footer(&history),
        format!("1–{changes} of {changes} changes")
    );
    let activity = env.ok(&["dashboard", "activity"]);
    assert!(footer(&activity).starts_with("1–20 of "), "{activity}");
}

#[test]
fn limit_and_page_refuse_what_is_not_a_positive_count() {
    let env = Env::new();
    fleet(&env);
    for args in [
        &["device", "list", "--limit", "0"][..],
        &["alert", "list", "--page", "0"][..],
        &["dashboard", "activity", "--limit", "many"][..],
    ] {
        let stderr = env.fails(args, 2);
        assert!(
            stderr.contains("--limit") || stderr.contains("--page"),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn alloc_list_filters_by_cluster() {
    let env = Env::new();
    fleet(&env);
    let owners = |args: &[&str]| -> Vec<String> {
        let mut command = vec!["alloc", "list"];
        command.extend_from_slice(args);
        array(&env.json(&command))
            .iter()
            .map(|l| l["owner"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(owners(&["--cluster", "prod"]), ["alice", "carol"]);
    assert_eq!(owners(&["--cluster", "lab"]), ["bob", "erin"]);
    assert_eq!(
        owners(&["--cluster", "prod", "--owner", "carol"]),
        ["carol"]
    );
    let table = env.ok(&["alloc", "list", "--cluster", "prod"]);
    assert_eq!(footer(&table), "1–2 of 2 leases");
    let stderr = env.fails(&["alloc", "list", "--cluster", "ghost"], 3);
    assert!(error_line(&stderr).contains("'ghost'"), "{stderr}");
}

/// Samples for realtime: util 10, 80, 40, 60 and 20 on the five GPUs, the lab's second 10
/// minutes old.
fn with_samples(env: &Env) {
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    for (uuid, util, temp, age) in [
        ("GPU-aaaa1111-0000", 10, 40, 60),
        ("GPU-aaaa2222-0000", 80, 70, 60),
        ("GPU-bbbb3333-0000", 40, 50, 60),
        ("GPU-cccc4444-0000", 60, 65, 60),
        ("GPU-cccc5555-0000", 20, 45, 600),
    ] {
        conn.execute(
            "UPDATE devices SET latest_ts = 1795946400 - ?2, latest_gpu_util = ?3,
                                latest_temp_c = ?4, latest_mem_used_mib = ?3 * 100
             WHERE uuid = ?1",
            rusqlite::params![uuid, age, util, temp],
        )
        .unwrap();
    }
}

#[test]
fn realtime_filters_and_sorts() {
    let env = Env::new();
    fleet(&env);
    with_samples(&env);
    let uuids = |args: &[&str]| -> Vec<String> {
        let mut command = vec!["dashboard", "realtime"];
        command.extend_from_slice(args);
        array(&env.json(&command))
            .iter()
            .map(|r| r["uuid"].as_str().unwrap()[4..8].to_string())
            .collect()
    };
    assert_eq!(uuids(&[]), ["aaaa", "aaaa", "bbbb", "cccc", "cccc"]);
    assert_eq!(uuids(&["--cluster", "lab"]), ["cccc", "cccc"]);
    assert_eq!(uuids(&["--node", "b"]), ["bbbb"]);
    assert_eq!(
        uuids(&["--model", "H100-80GB", "--cluster", "prod"]),
        ["bbbb"]
    );
    let utils = |args: &[&str]| -> Vec<i64> {
        let mut command = vec!["dashboard", "realtime"];
        command.extend_from_slice(args);
        array(&env.json(&command))
            .iter()
            .map(|r| r["gpu_util"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(utils(&["--sort", "util"]), [80, 60, 40, 20, 10]);
    assert_eq!(utils(&["--sort", "temp"]), [80, 60, 40, 20, 10]);
    assert_eq!(
        utils(&["--sort", "memory", "--cluster", "prod"]),
        [80, 40, 10]
    );
    assert_eq!(utils(&["--sort", "age"])[0], 20, "the stalest first");
    let table = env.ok(&["dashboard", "realtime", "--cluster", "lab"]);
    assert!(footer(&table).starts_with("2 GPU(s), 1 stale"), "{table}");
    let stderr = env.fails(&["dashboard", "realtime", "--sort", "hot"], 2);
    assert!(error_line(&stderr).contains("'hot'"), "{stderr}");
    for (flag, value) in [
        ("--node", "ghost"),
        ("--cluster", "ghost"),
        ("--model", "ghost"),
    ] {
        let stderr = env.fails(&["dashboard", "realtime", flag, value], 3);
        assert!(error_line(&stderr).contains("'ghost'"), "{flag}: {stderr}");
    }
}

#[test]
fn a_unique_uuid_prefix_names_its_gpu_everywhere() {
    let env = Env::new();
    fleet(&env);
    let gpu = env.json(&["device", "show", "GPU-bbbb"]);
    assert_eq!(gpu["uuid"], "GPU-bbbb3333-0000");
    let changed = env.json(&["device", "set-status", "GPU-cccc5", "maintenance"]);
    assert_eq!(changed["uuid"], "GPU-cccc5555-0000");
    assert_eq!(changed["status"], "maintenance");
    // The history names the GPU by its UUID, not the prefix typed.
    let history = env.json(&["node", "history", "c"]);
    let status_change = array(&history)
        .iter()
        .find(|e| e["kind"] == "device.status")
        .expect("the change is in the history");
    assert_eq!(status_change["subject"], "GPU-cccc5555-0000");
    let lease = env.json(&[
        "alloc",
        "create",
        "--device",
        "GPU-aaaa2",
        "--owner",
        "dan",
        "--for",
        "1h",
        // Its alerts are critical: health is not what this test is about.
        "--allow-unhealthy",
    ]);
    assert_eq!(lease[0]["device_uuid"], "GPU-aaaa2222-0000");
    let instances = env.json(&["mig", "list", "--device", "GPU-aaaa1"]);
    assert_eq!(array(&instances).len(), 4);
    let alerts = env.json(&["alert", "list", "--device", "GPU-bbbb"]);
    assert_eq!(array(&alerts).len(), 9);
    assert!(array(&alerts)
        .iter()
        .all(|a| a["device"] == "GPU-bbbb3333-0000"));
}

#[test]
fn an_ambiguous_uuid_prefix_is_refused_naming_it_and_its_matches() {
    let env = Env::new();
    fleet(&env);
    let before = env.store_snapshot();
    let stderr = env.fails(&["device", "set-status", "GPU-cccc", "faulty"], 2);
    let line = error_line(&stderr);
    assert!(line.contains("'GPU-cccc'"), "{line}");
    assert!(line.contains("2 GPUs match"), "{line}");
    assert!(
        line.contains("GPU-cccc4444-0000") && line.contains("GPU-cccc5555-0000"),
        "{line}"
    );
    assert!(stderr.contains("hint: give more of the UUID"), "{stderr}");
    assert_eq!(env.store_snapshot(), before, "nothing written");
    for args in [
        &["device", "show", "GPU-"][..],
        &[
            "alloc", "create", "--device", "GPU-aaaa", "--owner", "x", "--for", "1h",
        ][..],
        &["mig", "list", "--device", "GPU-aaaa"][..],
        &["dashboard", "trends", "--device", "GPU-c"][..],
    ] {
        let stderr = env.fails(args, 2);
        assert!(
            error_line(&stderr).contains("is ambiguous"),
            "{args:?}: {stderr}"
        );
    }
    assert_eq!(env.store_snapshot(), before, "nothing written");
}

#[test]
fn a_uuid_no_gpu_starts_with_is_not_found_and_the_exact_uuid_wins() {
    let env = Env::new();
    fleet(&env);
    let stderr = env.fails(&["device", "show", "GPU-dddd"], 3);
    assert!(
        error_line(&stderr).contains("'GPU-dddd' not found"),
        "{stderr}"
    );
    env.fails(&["mig", "destroy", "MIG-ffff"], 3);
    // A GPU whose UUID is a prefix of another's is named by it exactly.
    env.ok(&[
        "device",
        "add",
        "GPU-bbbb3333-00001",
        "--node",
        "b",
        "--index",
        "1",
        "--model",
        "H100-80GB",
        "-q",
    ]);
    let exact = env.json(&["device", "show", "GPU-bbbb3333-0000"]);
    assert_eq!(exact["uuid"], "GPU-bbbb3333-0000");
    env.fails(&["device", "show", "GPU-bbbb3333-000"], 2);
}

#[test]
fn a_mig_uuid_prefix_names_its_instance() {
    let env = Env::new();
    fleet(&env);
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute_batch("UPDATE mig_instances SET uuid = printf('MIG-%d-beef-%d', id, id * 1111);")
        .unwrap();
    let free: Vec<i64> = array(&env.json(&["mig", "list"]))
        .iter()
        .filter(|i| i["lease_id"].is_null())
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    assert_eq!(free.len(), 3, "three instances are free");
    let before = env.store_snapshot();
    let stderr = env.fails(&["mig", "destroy", "MIG-"], 2);
    assert!(
        error_line(&stderr).contains("4 MIG instances match"),
        "{stderr}"
    );
    assert_eq!(env.store_snapshot(), before, "nothing written");
    let prefix = format!("MIG-{}-be", free[0]);
    let destroyed = env.json(&["mig", "destroy", &prefix]);
    assert_eq!(destroyed["destroyed"][0]["id"], free[0]);
    assert_eq!(array(&env.json(&["mig", "list"])).len(), 3);
}

#[test]
fn history_and_activity_show_who_made_each_change() {
    let env = Env::new();
    env.ok(&["node", "add", "a", "--cluster", "prod", "-q"]);
    let history = env.ok(&["node", "history", "a"]);
    let header = history.lines().next().unwrap();
    assert!(header.ends_with("ACTOR"), "{header}");
    assert!(
        history.lines().nth(1).unwrap().ends_with("tester"),
        "{history}"
    );
    let activity = env.ok(&["dashboard", "activity"]);
    assert!(
        activity.lines().next().unwrap().contains("ACTOR"),
        "{activity}"
    );
    assert!(
        activity.lines().nth(1).unwrap().ends_with("tester"),
        "{activity}"
    );
    // JSON keeps its shape: the actor is a field, as it always was.
    assert_eq!(env.json(&["node", "history", "a"])[0]["actor"], "tester");
}

/// Every `YYYY-MM-DD HH:MM` in `text`, with the character after it.
fn table_times(text: &str) -> Vec<(String, Option<char>)> {
    let chars: Vec<char> = text.chars().collect();
    let shape = "0000-00-00 00:00";
    let mut found = Vec::new();
    for start in 0..chars.len().saturating_sub(shape.len() - 1) {
        let candidate = &chars[start..start + shape.len()];
        let matches = candidate.iter().zip(shape.chars()).all(|(c, s)| {
            if s == '0' {
                c.is_ascii_digit()
            } else {
                *c == s
            }
        });
        if matches {
            found.push((
                candidate.iter().collect(),
                chars.get(start + shape.len()).copied(),
            ));
        }
    }
    found
}

#[test]
fn every_table_time_is_marked_utc_and_json_keeps_rfc3339() {
    let env = Env::new();
    fleet(&env);
    with_samples(&env);
    for args in [
        &["node", "list"][..],
        &["node", "history", "a"][..],
        &["node", "recent"][..],
        &["alloc", "list"][..],
        &["alert", "list"][..],
        &["dashboard", "activity"][..],
        &["dashboard", "alerts"][..],
        &["dashboard"][..],
    ] {
        let table = env.ok(args);
        let times = table_times(&table);
        assert!(!times.is_empty(), "{args:?} shows times: {table}");
        for (time, after) in times {
            assert_eq!(after, Some('Z'), "{args:?}: {time} is marked UTC");
        }
    }
    let node = &env.json(&["node", "list"])[0];
    let updated = node["updated_at"].as_str().unwrap();
    assert!(
        updated.len() == 20 && updated.ends_with('Z') && updated.contains('T'),
        "{updated}"
    );
    // What a table shows reads back as a time.
    let lease = &env.json(&["alloc", "list"])[0];
    let shown = env.ok(&["alloc", "list"]);
    let (expires, _) = table_times(&shown).into_iter().next().unwrap();
    let id = lease["id"].to_string();
    env.ok(&[
        "alloc",
        "extend",
        &id,
        "--until",
        &format!("{expires}Z"),
        "-q",
    ]);
}
