//! `gpuctl node …`.

use crate::harness::{error_line, fixture, Env};

#[test]
fn node_add_then_show_returns_every_field() {
    let env = Env::new();
    env.ok(&[
        "node",
        "add",
        "gpu-a-1",
        "--cluster",
        "prod",
        "--ip",
        "10.0.0.7",
        "--role",
        "worker",
        "--label",
        "zone=a",
        "--label",
        "nvidia.com/gpu.present=true",
        "--gpus",
        "8",
        "--os",
        "Ubuntu 22.04",
        "--kernel",
        "5.15.0",
        "--driver",
        "550.54.15",
        "--cuda",
        "12.4",
    ]);
    let node = env.json(&["node", "show", "gpu-a-1"]);
    assert_eq!(node["name"], "gpu-a-1");
    assert_eq!(node["cluster"], "prod");
    assert_eq!(node["status"], "ready");
    assert_eq!(node["ip"], "10.0.0.7");
    assert_eq!(node["role"], "worker");
    assert_eq!(node["labels"]["zone"], "a");
    assert_eq!(node["labels"]["nvidia.com/gpu.present"], "true");
    assert_eq!(node["gpus"], 8);
    assert_eq!(node["gpus_allocatable"], 8);
    assert_eq!(node["os"], "Ubuntu 22.04");
    assert_eq!(node["kernel"], "5.15.0");
    assert_eq!(node["driver"], "550.54.15");
    assert_eq!(node["cuda"], "12.4");
    assert_eq!(node["created_at"], "2026-11-29T10:00:00Z");
    assert_eq!(node["updated_at"], "2026-11-29T10:00:00Z");
    let history = node["history"].as_array().unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0]["kind"], "node.created");
    assert_eq!(history[0]["actor"], "tester");
}

#[test]
fn node_add_rejects_uppercase_name_and_writes_nothing() {
    let env = Env::new();
    env.ok(&["node", "add", "ok-node", "--cluster", "c"]);
    let before = env.store_snapshot();
    let stderr = env.fails(&["node", "add", "GPU-Node", "--cluster", "c"], 2);
    assert!(
        error_line(&stderr).contains("invalid node name 'GPU-Node'"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert_eq!(env.store_snapshot(), before);
}

fn add_fleet(env: &Env) {
    env.ok(&[
        "node",
        "add",
        "gpu-a-1",
        "--cluster",
        "prod",
        "--ip",
        "10.0.0.1",
        "--label",
        "zone=east",
        "--gpus",
        "8",
    ]);
    env.ok(&[
        "node",
        "add",
        "gpu-a-2",
        "--cluster",
        "prod",
        "--ip",
        "10.0.0.2",
        "--label",
        "zone=west",
        "--gpus",
        "4",
        "--status",
        "maintenance",
    ]);
    env.ok(&[
        "node",
        "add",
        "gpu-b-1",
        "--cluster",
        "staging",
        "--ip",
        "fd00::1",
        "--label",
        "zone=east",
        "--label",
        "pool=spot",
        "--gpus",
        "2",
    ]);
    env.ok(&[
        "node",
        "add",
        "cpu-c-1",
        "--cluster",
        "Dev-Lab",
        "--status",
        "cordoned",
    ]);
}

fn names(value: &serde_json::Value) -> Vec<String> {
    value
        .as_array()
        .expect("a JSON array")
        .iter()
        .map(|n| n["name"].as_str().expect("name").to_string())
        .collect()
}

#[test]
fn node_add_rejects_duplicates_with_exit_4() {
    let env = Env::new();
    env.ok(&["node", "add", "n1", "--cluster", "c"]);
    let before = env.store_snapshot();
    let stderr = env.fails(&["node", "add", "n1", "--cluster", "c"], 4);
    assert_eq!(
        error_line(&stderr),
        "node 'n1' already exists in cluster 'c'"
    );
    assert_eq!(env.store_snapshot(), before);
}

#[test]
fn node_add_rejects_every_bad_value_by_name() {
    let env = Env::new();
    env.init_store();
    let before = env.store_snapshot();
    let cases: &[(&[&str], &str)] = &[
        (
            &["node", "add", "n1", "--cluster", "c", "--ip", "10.0.0.300"],
            "invalid IP address '10.0.0.300'",
        ),
        (
            &[
                "node",
                "add",
                "n1",
                "--cluster",
                "c",
                "--label",
                "Bad Key=x",
            ],
            "invalid label key 'Bad Key'",
        ),
        (
            &["node", "add", "n1", "--cluster", "c", "--label", "novalue"],
            "invalid label 'novalue'",
        ),
        (
            &["node", "add", "n1", "--cluster", "c", "--label", "k=-x"],
            "invalid value '-x' for label 'k'",
        ),
        (
            &[
                "node",
                "add",
                "n1",
                "--cluster",
                "c",
                "--status",
                "sleeping",
            ],
            "invalid value 'sleeping'",
        ),
        (
            &["node", "add", "n1", "--cluster", "bad cluster"],
            "invalid cluster name 'bad cluster'",
        ),
        (
            &["node", "add", "node_1", "--cluster", "c"],
            "invalid node name 'node_1'",
        ),
        (
            &["node", "add", "n1", "--cluster", "c", "--gpus", "-1"],
            "'-1'",
        ),
    ];
    for (args, expected) in cases {
        let stderr = env.fails(args, 2);
        assert!(error_line(&stderr).contains(expected), "{args:?}: {stderr}");
    }
    let long_name = "a".repeat(254);
    let stderr = env.fails(&["node", "add", &long_name, "--cluster", "c"], 2);
    assert!(error_line(&stderr).contains("at most 253"), "{stderr}");
    assert_eq!(env.store_snapshot(), before);
}

#[test]
fn node_list_filters_by_status_cluster_label_and_search() {
    let env = Env::new();
    add_fleet(&env);
    assert_eq!(
        names(&env.json(&["node", "list"])),
        ["cpu-c-1", "gpu-a-1", "gpu-a-2", "gpu-b-1"]
    );
    assert_eq!(
        names(&env.json(&["node", "list", "--status", "maintenance"])),
        ["gpu-a-2"]
    );
    assert_eq!(
        names(&env.json(&["node", "list", "--cluster", "prod"])),
        ["gpu-a-1", "gpu-a-2"]
    );
    assert_eq!(
        names(&env.json(&["node", "list", "--label", "zone=east"])),
        ["gpu-a-1", "gpu-b-1"]
    );
    assert_eq!(
        names(&env.json(&[
            "node",
            "list",
            "--label",
            "zone=east",
            "--label",
            "pool=spot"
        ])),
        ["gpu-b-1"]
    );
    // Search is case-insensitive across name, cluster, IP and label values.
    assert_eq!(
        names(&env.json(&["node", "list", "--search", "GPU-A"])),
        ["gpu-a-1", "gpu-a-2"]
    );
    assert_eq!(
        names(&env.json(&["node", "list", "--search", "dev-lab"])),
        ["cpu-c-1"]
    );
    assert_eq!(
        names(&env.json(&["node", "list", "--search", "10.0.0.2"])),
        ["gpu-a-2"]
    );
    assert_eq!(
        names(&env.json(&["node", "list", "--search", "SPOT"])),
        ["gpu-b-1"]
    );
    assert_eq!(
        names(&env.json(&["node", "list", "--search", "fd00"])),
        ["gpu-b-1"]
    );
    // LIKE wildcards in the search text match literally.
    assert!(names(&env.json(&["node", "list", "--search", "%"])).is_empty());
    assert!(names(&env.json(&["node", "list", "--search", "gpu_a"])).is_empty());
}

#[test]
fn node_list_sorts_by_each_field() {
    let mut env = Env::new();
    add_fleet(&env);
    env.set_now("2026-11-29T11:00:00Z");
    env.ok(&["node", "update", "gpu-a-2", "--role", "worker"]);
    assert_eq!(
        names(&env.json(&["node", "list", "--sort", "gpus", "--desc"])),
        ["gpu-a-1", "gpu-a-2", "gpu-b-1", "cpu-c-1"]
    );
    assert_eq!(
        names(&env.json(&["node", "list", "--sort", "cluster"])),
        ["cpu-c-1", "gpu-a-1", "gpu-a-2", "gpu-b-1"]
    );
    assert_eq!(
        names(&env.json(&["node", "list", "--sort", "status"])),
        ["cpu-c-1", "gpu-a-2", "gpu-a-1", "gpu-b-1"]
    );
    assert_eq!(
        names(&env.json(&["node", "list", "--sort", "updated", "--desc"]))[0],
        "gpu-a-2"
    );
    assert_eq!(
        names(&env.json(&["node", "list", "--sort", "created", "--desc"])),
        ["gpu-b-1", "gpu-a-2", "gpu-a-1", "cpu-c-1"]
    );
    let stderr = env.fails(&["node", "list", "--sort", "colour"], 2);
    assert!(
        error_line(&stderr).contains("invalid sort field 'colour'"),
        "{stderr}"
    );
}

#[test]
fn node_list_pages_with_a_footer() {
    let env = Env::new();
    for i in 1..=45 {
        env.ok(&["node", "add", &format!("node-{i:02}"), "--cluster", "c"]);
    }
    let page = env.json(&["node", "list", "--limit", "20", "--page", "2"]);
    let page_names = names(&page);
    assert_eq!(page_names.len(), 20);
    assert_eq!(page_names[0], "node-21");
    assert_eq!(page_names[19], "node-40");
    let table = env.ok(&["node", "list", "--limit", "20", "--page", "3"]);
    assert!(table.trim_end().ends_with("41–45 of 45 nodes"), "{table}");
    assert_eq!(table.lines().count(), 1 + 5 + 1, "{table}");
    let beyond = env.ok(&["node", "list", "--limit", "20", "--page", "9"]);
    assert!(
        beyond.contains("no nodes on this page (45 nodes in all)"),
        "{beyond}"
    );
    // --no-headers drops the header and footer, for scripts.
    let bare = env.ok(&["node", "list", "--limit", "2", "--no-headers"]);
    assert_eq!(bare.lines().count(), 2, "{bare}");
    assert!(bare.starts_with("node-01"), "{bare}");
    env.fails(&["node", "list", "--limit", "0"], 2);
    env.fails(&["node", "list", "--page", "0"], 2);
}

#[test]
fn node_list_changed_since_uses_the_clock() {
    let mut env = Env::new();
    env.set_now("2026-11-20T10:00:00Z");
    add_fleet(&env);
    env.set_now("2026-11-29T09:00:00Z");
    env.ok(&["node", "set-status", "gpu-a-1", "cordoned"]);
    env.set_now("2026-11-29T10:00:00Z");
    assert_eq!(
        names(&env.json(&["node", "list", "--changed-since", "2h"])),
        ["gpu-a-1"]
    );
    assert_eq!(
        names(&env.json(&["node", "list", "--changed-since", "30d"])).len(),
        4
    );
    let stderr = env.fails(&["node", "list", "--changed-since", "yesterday"], 2);
    assert!(
        error_line(&stderr).contains("invalid duration 'yesterday'"),
        "{stderr}"
    );
}

#[test]
fn node_list_csv_has_a_header_and_the_json_columns() {
    let env = Env::new();
    add_fleet(&env);
    let csv = env.ok(&["node", "list", "-o", "csv", "--cluster", "prod"]);
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(&headers[..4], ["name", "cluster", "status", "ip"]);
    assert!(headers.contains(&"labels".to_string()) && headers.contains(&"updated_at".to_string()));
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[0][0], "gpu-a-1");
    assert_eq!(&rows[1][2], "maintenance");
    let labels: serde_json::Value = serde_json::from_str(&rows[0][5]).unwrap();
    assert_eq!(labels["zone"], "east");
    let bare = env.ok(&[
        "node",
        "list",
        "-o",
        "csv",
        "--no-headers",
        "--cluster",
        "prod",
    ]);
    assert!(bare.starts_with("gpu-a-1,prod,ready"), "{bare}");
}

#[test]
fn node_list_table_shows_columns() {
    let env = Env::new();
    add_fleet(&env);
    let table = env.ok(&["node", "list", "--cluster", "staging"]);
    let mut lines = table.lines();
    let header = lines.next().unwrap();
    for column in ["NAME", "CLUSTER", "STATUS", "ROLE", "IP", "GPUS", "LABELS"] {
        assert!(header.contains(column), "{header}");
    }
    let row = lines.next().unwrap();
    assert!(row.starts_with("gpu-b-1  staging  ready"), "{row}");
    assert!(row.contains("pool=spot,zone=east"), "{row}");
    assert!(
        !table.lines().any(|l| l.ends_with(' ')),
        "no trailing blanks"
    );
}

#[test]
fn node_update_changes_only_the_given_fields_and_records_each() {
    let mut env = Env::new();
    add_fleet(&env);
    env.set_now("2026-11-29T12:30:00Z");
    let updated = env.json(&[
        "node",
        "update",
        "gpu-a-1",
        "--ip",
        "10.0.9.9",
        "--label",
        "zone=north",
        "--label",
        "rack=r7",
        "--role",
        "worker",
        "--reason",
        "re-racked",
    ]);
    assert_eq!(updated["ip"], "10.0.9.9");
    assert_eq!(updated["labels"]["zone"], "north");
    assert_eq!(updated["labels"]["rack"], "r7");
    assert_eq!(updated["cluster"], "prod", "untouched");
    assert_eq!(updated["gpus"], 8, "untouched");
    assert_eq!(updated["updated_at"], "2026-11-29T12:30:00Z");
    let unlabeled = env.json(&[
        "node",
        "update",
        "gpu-a-1",
        "--unlabel",
        "rack",
        "--cluster",
        "prod-2",
    ]);
    assert!(unlabeled["labels"].get("rack").is_none());
    assert_eq!(unlabeled["cluster"], "prod-2");
    let history = env.json(&["node", "history", "gpu-a-1"]);
    let fields: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "node.updated")
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "label:rack",
            "cluster",
            "label:zone",
            "label:rack",
            "role",
            "ip"
        ]
    );
    let ip_change = history
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["field"] == "ip")
        .unwrap();
    assert_eq!(ip_change["old_value"], "10.0.0.1");
    assert_eq!(ip_change["new_value"], "10.0.9.9");
    assert_eq!(ip_change["reason"], "re-racked");
    assert_eq!(ip_change["at"], "2026-11-29T12:30:00Z");
}

#[test]
fn node_update_with_nothing_new_writes_no_event() {
    let env = Env::new();
    add_fleet(&env);
    let before = env.store_snapshot();
    env.ok(&["node", "update", "gpu-a-1", "--ip", "10.0.0.1"]);
    assert_eq!(env.store_snapshot(), before);
}

#[test]
fn node_update_and_set_status_on_unknown_node_exit_3() {
    let env = Env::new();
    add_fleet(&env);
    let before = env.store_snapshot();
    let stderr = env.fails(&["node", "update", "ghost", "--ip", "10.1.1.1"], 3);
    assert_eq!(error_line(&stderr), "node 'ghost' not found");
    env.fails(&["node", "set-status", "ghost", "ready"], 3);
    env.fails(&["node", "show", "ghost"], 3);
    env.fails(&["node", "remove", "ghost"], 3);
    env.fails(&["node", "history", "ghost"], 3);
    // Bad values are refused before the node is looked up, and change nothing either.
    env.fails(&["node", "update", "gpu-a-1", "--ip", "nope"], 2);
    env.fails(&["node", "update", "gpu-a-1", "--unlabel", "Bad Key"], 2);
    assert_eq!(env.store_snapshot(), before);
}

#[test]
fn node_set_status_records_the_change_and_allocatable_follows() {
    let mut env = Env::new();
    add_fleet(&env);
    env.set_now("2026-11-29T10:05:00Z");
    let node = env.json(&[
        "node",
        "set-status",
        "gpu-a-1",
        "cordoned",
        "--reason",
        "drain for reboot",
    ]);
    assert_eq!(node["status"], "cordoned");
    assert_eq!(node["gpus_allocatable"], 0);
    let back = env.json(&["node", "set-status", "gpu-a-1", "ready"]);
    assert_eq!(back["gpus_allocatable"], 8);
    let history = env.json(&["node", "history", "gpu-a-1", "--limit", "2"]);
    assert_eq!(history[0]["kind"], "node.status");
    assert_eq!(history[0]["old_value"], "cordoned");
    assert_eq!(history[0]["new_value"], "ready");
    assert_eq!(history[1]["reason"], "drain for reboot");
    // Same status again: nothing written, exit 0.
    let before = env.store_snapshot();
    env.ok(&["node", "set-status", "gpu-a-1", "ready"]);
    assert_eq!(env.store_snapshot(), before);
    let stderr = env.fails(&["node", "set-status", "gpu-a-1", "asleep"], 2);
    assert!(
        stderr.contains("possible values: ready, not-ready, maintenance, cordoned, decommissioned"),
        "{stderr}"
    );
}

#[test]
fn node_remove_keeps_history_readable() {
    let mut env = Env::new();
    add_fleet(&env);
    env.set_now("2026-11-29T10:10:00Z");
    let removal = env.json(&["node", "remove", "gpu-a-2", "--reason", "hardware returned"]);
    assert_eq!(removal["name"], "gpu-a-2");
    env.fails(&["node", "show", "gpu-a-2"], 3);
    let history = env.json(&["node", "history", "gpu-a-2"]);
    let kinds: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["node.removed", "node.created"]);
    assert_eq!(history[0]["reason"], "hardware returned");
    // The name is free again, and the new node's history continues the old one.
    env.ok(&["node", "add", "gpu-a-2", "--cluster", "prod"]);
    assert_eq!(
        env.json(&["node", "history", "gpu-a-2"])
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

#[test]
fn node_remove_refuses_while_gpus_or_leases_exist_unless_forced() {
    let env = Env::new();
    add_fleet(&env);
    // A GPU and an active lease, written directly: the device commands come with their own tests.
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute_batch(
        "INSERT INTO devices (uuid, node_id, idx, status, created_at, updated_at)
           SELECT 'GPU-1111', id, 0, 'active', 0, 0 FROM nodes WHERE name = 'gpu-a-1';
         INSERT INTO allocations (device_id, device_uuid, node, cluster, owner, state, started_at, expires_at)
           SELECT id, uuid, 'gpu-a-1', 'prod', 'alice', 'active', 1, 4102444800 FROM devices;",
    )
    .unwrap();
    drop(conn);
    let before = env.store_snapshot();
    let stderr = env.fails(&["node", "remove", "gpu-a-1"], 4);
    assert_eq!(
        error_line(&stderr),
        "node 'gpu-a-1' still has 1 GPU(s) and 1 active lease(s)"
    );
    assert!(stderr.contains("hint: "), "{stderr}");
    assert_eq!(env.store_snapshot(), before);
    let removal = env.json(&["node", "remove", "gpu-a-1", "--force"]);
    assert_eq!(removal["devices_removed"][0], "GPU-1111");
    assert_eq!(removal["allocations_released"][0], 1);
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    let (state, device): (String, Option<i64>) = conn
        .query_row("SELECT state, device_id FROM allocations", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(state, "released", "the lease is kept, ended");
    assert_eq!(device, None);
    let kinds: Vec<String> = env
        .json(&["node", "history", "gpu-a-1"])
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect();
    assert!(
        kinds.contains(&"device.removed".to_string())
            && kinds.contains(&"alloc.released".to_string()),
        "{kinds:?}"
    );
}

#[test]
fn node_recent_lists_changed_nodes_newest_first() {
    let mut env = Env::new();
    env.set_now("2026-11-27T10:00:00Z");
    add_fleet(&env);
    env.set_now("2026-11-29T08:00:00Z");
    env.ok(&["node", "set-status", "gpu-b-1", "not-ready"]);
    env.set_now("2026-11-29T09:00:00Z");
    env.ok(&["node", "remove", "cpu-c-1"]);
    env.set_now("2026-11-29T10:00:00Z");
    let recent = env.json(&["node", "recent"]);
    assert_eq!(names(&recent), ["cpu-c-1", "gpu-b-1"]);
    assert_eq!(recent[0]["status"], "removed");
    assert_eq!(recent[0]["last_kind"], "node.removed");
    assert_eq!(recent[1]["status"], "not-ready");
    assert_eq!(recent[1]["changed_at"], "2026-11-29T08:00:00Z");
    assert_eq!(
        names(&env.json(&["node", "recent", "--since", "1h30m"])),
        ["cpu-c-1"]
    );
    assert_eq!(
        names(&env.json(&["node", "recent", "--since", "7d"])).len(),
        4
    );
    env.fails(&["node", "recent", "--since", "0h"], 2);
}

#[test]
fn node_history_since_and_limit() {
    let mut env = Env::new();
    env.set_now("2026-11-01T00:00:00Z");
    env.ok(&["node", "add", "n1", "--cluster", "c"]);
    for (i, status) in ["cordoned", "ready", "maintenance", "ready"]
        .iter()
        .enumerate()
    {
        env.set_now(&format!("2026-11-29T0{i}:00:00Z"));
        env.ok(&["node", "set-status", "n1", status]);
    }
    env.set_now("2026-11-29T10:00:00Z");
    assert_eq!(
        env.json(&["node", "history", "n1"])
            .as_array()
            .unwrap()
            .len(),
        5
    );
    assert_eq!(
        env.json(&["node", "history", "n1", "--since", "8h"])
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let limited = env.json(&["node", "history", "n1", "--limit", "1"]);
    assert_eq!(limited.as_array().unwrap().len(), 1);
    assert_eq!(limited[0]["at"], "2026-11-29T03:00:00Z");
    let table = env.ok(&["node", "history", "n1", "--limit", "1"]);
    assert!(table.contains("maintenance → ready"), "{table}");
}

#[test]
fn node_show_text_has_fields_and_history() {
    let env = Env::new();
    add_fleet(&env);
    let text = env.ok(&["node", "show", "gpu-b-1"]);
    assert!(text.contains("name:"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("ip:") && l.contains("fd00::1")),
        "{text}"
    );
    assert!(text.contains("History (latest 1):"), "{text}");
    assert!(text.contains("node.created"), "{text}");
}

#[test]
fn eight_processes_adding_nodes_at_once_lose_nothing() {
    let env = Env::new();
    env.init_store();
    let children: Vec<std::process::Child> = (0..8)
        .map(|p| {
            let script = (0..10)
                .map(|i| format!("\"$GPUCTL\" node add race-{p}-{i} --cluster c -q || exit $?"))
                .collect::<Vec<_>>()
                .join("\n");
            env.shell(&script)
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            output.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let nodes = env.json(&["node", "list"]);
    assert_eq!(nodes.as_array().unwrap().len(), 80);
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    let created: i64 = conn
        .query_row(
            "SELECT count(*) FROM events WHERE kind = 'node.created'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(created, 80);
}

#[test]
fn eight_processes_creating_a_fresh_store_at_once_all_succeed() {
    let env = Env::new();
    let children: Vec<std::process::Child> = (0..8)
        .map(|p| {
            env.process(&["node", "add", &format!("fresh-{p}"), "--cluster", "c"])
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    assert_eq!(env.json(&["node", "list"]).as_array().unwrap().len(), 8);
}

#[test]
fn a_node_is_known_by_cluster_and_name_and_a_bare_ambiguous_name_exits_2() {
    let env = Env::new();
    env.ok(&[
        "node",
        "add",
        "gpu-01",
        "--cluster",
        "east",
        "--role",
        "a",
        "-q",
    ]);
    env.ok(&[
        "node",
        "add",
        "gpu-01",
        "--cluster",
        "west",
        "--role",
        "b",
        "-q",
    ]);
    assert_eq!(env.json(&["node", "list"]).as_array().unwrap().len(), 2);
    let before = env.store_snapshot();
    let stderr = env.fails(&["node", "show", "gpu-01"], 2);
    assert_eq!(
        error_line(&stderr),
        "node name 'gpu-01' is ambiguous: east/gpu-01, west/gpu-01"
    );
    assert!(stderr.contains("CLUSTER/NAME"), "{stderr}");
    env.fails(&["node", "set-status", "gpu-01", "cordoned"], 2);
    assert_eq!(env.store_snapshot(), before);
    assert_eq!(env.json(&["node", "show", "west/gpu-01"])["role"], "b");
    env.ok(&["node", "set-status", "west/gpu-01", "cordoned", "-q"]);
    assert_eq!(
        env.json(&["node", "show", "west/gpu-01"])["status"],
        "cordoned"
    );
    assert_eq!(
        env.json(&["node", "show", "east/gpu-01"])["status"],
        "ready"
    );
    // Each node's history is its own.
    let west = env.json(&["node", "history", "west/gpu-01"]);
    assert!(west
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["kind"] == "node.status"));
    let east = env.json(&["node", "history", "east/gpu-01"]);
    assert!(!east
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["kind"] == "node.status"));
    // A unique name is enough.
    env.ok(&["node", "add", "solo", "--cluster", "east", "-q"]);
    assert_eq!(env.json(&["node", "show", "solo"])["cluster"], "east");
    env.fails(&["node", "show", "north/solo"], 3);
}

#[test]
fn import_into_another_cluster_creates_nodes_there_instead_of_moving_them() {
    let env = Env::new();
    let nodes = fixture("kube/nodes.json");
    let nodes = nodes.to_str().unwrap();
    env.ok(&["node", "import", nodes, "--cluster", "lab", "-q"]);
    let count = env.json(&["node", "list"]).as_array().unwrap().len();
    let plan = env.json(&["node", "import", nodes, "--cluster", "prod-b", "--dry-run"]);
    let actions: Vec<&str> = plan
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    assert!(actions.iter().all(|a| *a == "create"), "{actions:?}");
    env.ok(&["node", "import", nodes, "--cluster", "prod-b", "-q"]);
    let all = env.json(&["node", "list"]);
    assert_eq!(all.as_array().unwrap().len(), 2 * count);
    assert_eq!(
        env.json(&["node", "list", "--cluster", "lab"])
            .as_array()
            .unwrap()
            .len(),
        count,
        "lab keeps its nodes"
    );
}

#[test]
fn an_unknown_node_cluster_or_model_in_a_filter_exits_3_in_every_command() {
    let env = Env::new();
    env.add_gpu("n1", "GPU-0001", 0, "H100");
    let cases: &[&[&str]] = &[
        &["node", "list", "--cluster", "ghost"],
        &["node", "show", "ghost"],
        &["node", "history", "ghost"],
        &["device", "list", "--node", "ghost"],
        &["device", "list", "--cluster", "ghost"],
        &["device", "list", "--model", "ghost"],
        &["mig", "list", "--node", "ghost"],
        &["alloc", "list", "--node", "ghost"],
        &["alert", "list", "--node", "ghost"],
        &["dashboard", "trends", "--node", "ghost"],
        &["dashboard", "trends", "--cluster", "ghost"],
        &["dashboard", "trends", "--model", "ghost"],
        &["dashboard", "trends", "--device", "GPU-ghost"],
        &[
            "alloc",
            "create",
            "--cluster",
            "ghost",
            "--owner",
            "a",
            "--for",
            "1h",
        ],
        &[
            "alloc", "create", "--node", "ghost", "--owner", "a", "--for", "1h",
        ],
    ];
    let before = env.store_snapshot();
    for args in cases {
        let stderr = env.fails(args, 3);
        assert!(error_line(&stderr).contains("ghost"), "{args:?}: {stderr}");
    }
    assert_eq!(env.store_snapshot(), before);
}
