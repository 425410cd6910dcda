//! `gpuctl mig …`: layouts checked as `nvidia-smi mig -cgi` would.

use crate::harness::{error_line, Env};

const GPU: &str = "GPU-a100-0001";

fn a100() -> Env {
    let env = Env::new();
    env.add_gpu("n1", GPU, 0, "A100-40GB");
    env.ok(&["mig", "enable", GPU]);
    env
}

#[test]
fn four_plus_three_fits_on_a100_40gb_but_a_second_four_does_not() {
    let env = a100();
    let created = env.json(&["mig", "create", GPU, "4g.20gb"]);
    assert_eq!(created[0]["profile"], "4g.20gb");
    assert_eq!(created[0]["placement_start"], 0);
    assert_eq!(created[0]["placement_size"], 4);
    let before = env.store_snapshot();
    let stderr = env.fails(&["mig", "create", GPU, "4g.20gb"], 4);
    let line = error_line(&stderr);
    assert!(line.contains("'4g.20gb' does not fit"), "{stderr}");
    assert!(
        line.contains("free: 3 of 7 compute slices, memory slices 4,5,6,7"),
        "{stderr}"
    );
    assert!(
        line.contains("still fits:") && line.contains("3g.20gb"),
        "{stderr}"
    );
    assert_eq!(env.store_snapshot(), before);
    env.ok(&["mig", "create", GPU, "3g.20gb"]);
    let list = env.json(&["mig", "list", "--device", GPU]);
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[1]["profile"], "3g.20gb");
    assert_eq!(list[1]["placement_start"], 4);
}

#[test]
fn seven_1g_fit_and_an_eighth_does_not() {
    let env = a100();
    let created = env.json(&["mig", "create", GPU, "1g.5gb", "--count", "7"]);
    assert_eq!(created.as_array().unwrap().len(), 7);
    let stderr = env.fails(&["mig", "create", GPU, "1g.5gb"], 4);
    assert!(
        error_line(&stderr).contains("still fits: nothing"),
        "{stderr}"
    );
}

#[test]
fn count_is_all_or_none() {
    let env = a100();
    let before = env.store_snapshot();
    let stderr = env.fails(&["mig", "create", GPU, "2g.10gb", "--count", "4"], 4);
    assert!(error_line(&stderr).contains("only 3 would"), "{stderr}");
    assert_eq!(env.store_snapshot(), before);
}

#[test]
fn profiles_of_other_models_and_bad_names_are_refused() {
    let env = a100();
    let stderr = env.fails(&["mig", "create", GPU, "3g.40gb"], 4);
    assert!(
        error_line(&stderr).contains("'3g.40gb' does not exist for this GPU model"),
        "{stderr}"
    );
    let stderr = env.fails(&["mig", "create", GPU, "three"], 2);
    assert!(error_line(&stderr).contains("'three'"), "{stderr}");
    env.fails(&["mig", "create", "GPU-none", "1g.5gb"], 3);
}

#[test]
fn mig_needs_a_capable_model_and_mig_mode() {
    let env = Env::new();
    env.add_gpu("n1", "GPU-0004", 0, "L4");
    env.add_gpu("n1", "GPU-0100", 1, "H100");
    let stderr = env.fails(&["mig", "enable", "GPU-0004"], 4);
    assert!(
        error_line(&stderr).contains("does not support MIG"),
        "{stderr}"
    );
    let stderr = env.fails(&["mig", "create", "GPU-0100", "1g.10gb"], 4);
    assert!(
        error_line(&stderr).contains("MIG is not enabled"),
        "{stderr}"
    );
    env.ok(&[
        "alloc", "create", "--device", "GPU-0100", "--owner", "a", "--for", "1h",
    ]);
    let stderr = env.fails(&["mig", "enable", "GPU-0100"], 4);
    assert!(error_line(&stderr).contains("leased whole"), "{stderr}");
}

#[test]
fn disable_and_destroy_are_refused_while_in_use() {
    let env = a100();
    env.ok(&["mig", "create", GPU, "3g.20gb", "--count", "2"]);
    let stderr = env.fails(&["mig", "disable", GPU], 4);
    assert!(
        error_line(&stderr).contains("still has 2 MIG instances"),
        "{stderr}"
    );
    let lease = env.json(&[
        "alloc",
        "create",
        "--mig-profile",
        "3g.20gb",
        "--owner",
        "bob",
        "--for",
        "2h",
    ]);
    let leased_instance = lease[0]["mig_instance_id"].as_i64().unwrap().to_string();
    let before = env.store_snapshot();
    let stderr = env.fails(&["mig", "destroy", &leased_instance], 4);
    assert!(error_line(&stderr).contains("is leased"), "{stderr}");
    env.fails(&["mig", "destroy", "--device", GPU, "--all"], 4);
    assert_eq!(env.store_snapshot(), before);
    env.fails(&["mig", "destroy", "999"], 3);
    let id = lease[0]["id"].as_i64().unwrap().to_string();
    env.ok(&["alloc", "release", &id]);
    let destroyed = env.json(&["mig", "destroy", "--device", GPU, "--all"]);
    assert_eq!(destroyed["destroyed"].as_array().unwrap().len(), 2);
    env.ok(&["mig", "disable", GPU]);
    assert_eq!(env.json(&["device", "show", GPU])["mig_enabled"], false);
    let history = env.json(&["node", "history", "n1"]);
    let kinds: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    for kind in [
        "mig.enabled",
        "mig.created",
        "mig.destroyed",
        "mig.disabled",
    ] {
        assert!(kinds.contains(&kind), "{kind} missing: {kinds:?}");
    }
}

#[test]
fn mig_list_filters_by_node() {
    let env = a100();
    env.add_gpu("n2", "GPU-0200", 0, "H200");
    env.ok(&["mig", "enable", "GPU-0200"]);
    env.ok(&["mig", "create", "GPU-0200", "7g.141gb"]);
    env.ok(&["mig", "create", GPU, "7g.40gb"]);
    let n2 = env.json(&["mig", "list", "--node", "n2"]);
    assert_eq!(n2.as_array().unwrap().len(), 1);
    assert_eq!(n2[0]["device"], "GPU-0200");
    assert_eq!(env.json(&["mig", "list"]).as_array().unwrap().len(), 2);
    env.fails(&["mig", "list", "--node", "nope"], 3);
}
