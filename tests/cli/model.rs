//! `gpuctl model …`.

use crate::harness::{error_line, Env};

#[test]
fn model_list_ships_the_builtin_catalogue() {
    let env = Env::new();
    env.init_store();
    let models = env.json(&["model", "list"]);
    let names: Vec<&str> = models
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    for expected in [
        "NVIDIA A100-SXM4-40GB",
        "NVIDIA A100-SXM4-80GB",
        "NVIDIA A100 80GB PCIe",
        "NVIDIA H100 80GB HBM3",
        "NVIDIA H100 PCIe",
        "NVIDIA H100 NVL",
        "NVIDIA H200",
        "NVIDIA A30",
        "NVIDIA L40S",
        "NVIDIA L4",
        "NVIDIA A10",
        "Tesla T4",
        "Tesla V100-SXM2-32GB",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }
}

#[test]
fn model_show_resolves_aliases_ignoring_case_with_mig_profiles() {
    let env = Env::new();
    env.init_store();
    let model = env.json(&["model", "show", "h100-80gb"]);
    assert_eq!(model["name"], "NVIDIA H100 80GB HBM3");
    assert_eq!(model["memory_mib"], 81920);
    assert_eq!(model["tdp_w"], 700);
    assert_eq!(model["architecture"], "Hopper");
    assert_eq!(model["mig_capable"], true);
    assert_eq!(model["builtin"], true);
    assert!(model["hourly_cost"].is_null());
    let profiles = model["mig_profiles"].as_array().unwrap();
    let seven = profiles.iter().find(|p| p["name"] == "7g.80gb").unwrap();
    assert_eq!(seven["compute_slices"], 7);
    assert_eq!(seven["memory_slices"], 8);
    let one = profiles.iter().find(|p| p["name"] == "1g.10gb").unwrap();
    assert_eq!(one["placements"], serde_json::json!([0, 1, 2, 3, 4, 5, 6]));
    let l4 = env.json(&["model", "show", "L4"]);
    assert_eq!(l4["mig_capable"], false);
    assert_eq!(l4["mig_profiles"], serde_json::json!([]));
}

#[test]
fn model_show_unknown_exits_3() {
    let env = Env::new();
    env.init_store();
    let stderr = env.fails(&["model", "show", "B9000"], 3);
    assert!(error_line(&stderr).contains("'B9000'"), "{stderr}");
}

#[test]
fn model_add_update_remove_round_trip_with_events() {
    let env = Env::new();
    env.ok(&[
        "model",
        "add",
        "NVIDIA B200",
        "--memory-mib",
        "184320",
        "--tdp-w",
        "1000",
        "--architecture",
        "Blackwell",
        "--alias",
        "B200",
        "--hourly-cost",
        "6.5",
    ]);
    let model = env.json(&["model", "show", "b200"]);
    assert_eq!(model["name"], "NVIDIA B200");
    assert_eq!(model["hourly_cost"], 6.5);
    assert_eq!(model["builtin"], false);
    env.ok(&[
        "model",
        "update",
        "B200",
        "--hourly-cost",
        "7.25",
        "--alias",
        "B200-180GB",
    ]);
    let model = env.json(&["model", "show", "B200-180GB"]);
    assert_eq!(model["hourly_cost"], 7.25);
    assert_eq!(model["aliases"], serde_json::json!(["B200", "B200-180GB"]));
    env.ok(&["model", "update", "H100", "--hourly-cost", "2.5"]);
    assert_eq!(env.json(&["model", "show", "H100-SXM"])["hourly_cost"], 2.5);
    let stderr = env.fails(&["model", "update", "B200", "--unalias", "B300"], 3);
    assert!(error_line(&stderr).contains("'B300'"), "{stderr}");
    env.fails(&["model", "update", "B200", "--alias", "L4"], 4);
    env.ok(&["model", "remove", "NVIDIA B200"]);
    env.fails(&["model", "show", "B200"], 3);
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    let kinds: Vec<String> = conn
        .prepare("SELECT kind FROM events WHERE subject = 'NVIDIA B200' ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        kinds,
        [
            "model.created",
            "model.updated",
            "model.updated",
            "model.removed"
        ]
    );
}

#[test]
fn model_add_refuses_taken_names_and_bad_costs_writing_nothing() {
    let env = Env::new();
    env.init_store();
    let before = env.store_snapshot();
    let stderr = env.fails(&["model", "add", "h100", "--memory-mib", "1"], 4);
    assert!(
        error_line(&stderr).contains("'h100' already names GPU model 'NVIDIA H100 80GB HBM3'"),
        "{stderr}"
    );
    let stderr = env.fails(
        &[
            "model",
            "add",
            "X1",
            "--memory-mib",
            "1",
            "--hourly-cost",
            "-3",
        ],
        2,
    );
    assert!(error_line(&stderr).contains("'-3'"), "{stderr}");
    env.fails(&["model", "add", "X1", "--memory-mib", "0"], 2);
    assert_eq!(env.store_snapshot(), before);
}

#[test]
fn model_remove_refuses_a_model_in_use_with_exit_4() {
    let env = Env::new();
    env.add_gpu("n1", "GPU-0001", 0, "L4");
    let before = env.store_snapshot();
    let stderr = env.fails(&["model", "remove", "L4"], 4);
    assert!(
        error_line(&stderr).contains("'NVIDIA L4' is used by 1 GPU"),
        "{stderr}"
    );
    assert_eq!(env.store_snapshot(), before);
}

#[test]
fn resolve_is_case_insensitive_for_collect() {
    let env = Env::new();
    env.init_store();
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    let model = gpuctl::store::models::resolve(&conn, "nvidia a100-sxm4-80gb")
        .unwrap()
        .unwrap();
    assert_eq!(model.name, "NVIDIA A100-SXM4-80GB");
    assert!(gpuctl::store::models::resolve(&conn, "nope")
        .unwrap()
        .is_none());
}
