//! Alert delivery: `gpuctl alert receivers`, `alert notify`, and the delivery collect does after
//! its run, against a loopback webhook receiver and the real Alertmanager.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::harness::{error_line, Env};
use crate::services::{require_binary, Alertmanager, Mood, WebhookReceiver, ALERTMANAGER};

const GPU: &str = "GPU-8a1c5c3e-0d6a-4f0e-9d1e-2b6f3c4d5e60";
const HEADER: &str = "timestamp, index, uuid, name, pci.bus_id, driver_version, utilization.gpu [%], utilization.memory [%], memory.used [MiB], memory.total [MiB], temperature.gpu, power.draw [W], enforced.power.limit [W], clocks.current.sm [MHz], clocks.current.memory [MHz], fan.speed [%], mig.mode.current";

/// A recorded nvidia-smi file with one reading of the H100 at `time` (`2026/11/29 10:04:00`)
/// and `temp` °C.
fn reading(env: &Env, name: &str, time: &str, temp: u32) -> PathBuf {
    let path = env.dir().join(name);
    let row = format!(
        "{time}.104, 0, {GPU}, NVIDIA H100 80GB HBM3, 00000000:18:00.0, 550.54.15, 87 %, 45 %, 60123 MiB, 81559 MiB, {temp}, 512.34 W, 700.00 W, 1980 MHz, 2619 MHz, [N/A], Disabled"
    );
    std::fs::write(&path, format!("{HEADER}\n{row}\n")).expect("write the reading");
    path
}

/// `collect --input FILE` of node n1 at the env's clock, with extra arguments; its output.
fn collect(env: &Env, file: &std::path::Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "collect",
        "--input",
        file.to_str().expect("UTF-8 path"),
        "--node",
        "n1",
        "--cluster",
        "prod",
    ];
    args.extend_from_slice(extra);
    env.cmd(&args).output().expect("run gpuctl collect")
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Every alert transition the store's history holds, oldest first: (alert id, transition).
fn history(env: &Env) -> Vec<(i64, String)> {
    let conn = rusqlite::Connection::open(env.db()).expect("open the store");
    let mut stmt = conn
        .prepare(
            "SELECT substr(subject, 7), substr(kind, 7) FROM events
             WHERE kind IN ('alert.firing', 'alert.acknowledged', 'alert.resolved') ORDER BY id",
        )
        .expect("prepare");
    let rows = stmt
        .query_map([], |r| {
            let id: String = r.get(0)?;
            Ok((id.parse().expect("alert/ID"), r.get(1)?))
        })
        .expect("query");
    rows.collect::<rusqlite::Result<_>>().expect("rows")
}

/// What a webhook receiver was told, in order: (alert id, transition).
fn told(alerts: &[Value]) -> Vec<(i64, String)> {
    alerts
        .iter()
        .map(|a| {
            (
                a["alertId"].as_i64().expect("alertId"),
                a["transition"].as_str().expect("transition").to_string(),
            )
        })
        .collect()
}

/// Each transition once: no idempotency key twice, sequences rising.
fn assert_once_each_in_order(alerts: &[Value]) {
    let mut keys: Vec<&str> = alerts
        .iter()
        .map(|a| a["idempotencyKey"].as_str().expect("a key"))
        .collect();
    let sequences: Vec<i64> = alerts
        .iter()
        .map(|a| a["sequence"].as_i64().expect("a sequence"))
        .collect();
    assert!(
        sequences.windows(2).all(|w| w[0] < w[1]),
        "in order: {sequences:?}"
    );
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys.len(), alerts.len(), "each transition once: {alerts:?}");
}

#[test]
fn receivers_are_added_listed_and_removed_with_bad_input_refused() {
    let env = Env::new();
    let token = env.dir().join("token");
    std::fs::write(&token, "s3cret-token\n").unwrap();
    env.ok(&[
        "alert",
        "receivers",
        "add",
        "am",
        "--alertmanager",
        "http://127.0.0.1:9093/",
        "--resend-every",
        "30s",
        "--bearer-token-file",
        token.to_str().unwrap(),
    ]);
    env.ok(&[
        "alert",
        "receivers",
        "add",
        "ops",
        "--webhook",
        "https://hooks.example.com/gpu",
        "--basic-auth-user",
        "gpuctl",
        "--basic-auth-password-env",
        "OPS_PASSWORD",
    ]);
    let listed = env.json(&["alert", "receivers"]);
    assert_eq!(listed.as_array().unwrap().len(), 2, "{listed}");
    let am = &listed[0];
    assert_eq!(am["name"], "am");
    assert_eq!(am["kind"], "alertmanager");
    assert_eq!(am["resend_every_secs"], 30);
    assert_eq!(
        am["bearer_token_file"],
        std::fs::canonicalize(&token).unwrap().to_str().unwrap()
    );
    assert_eq!(am["pending"], 0);
    assert_eq!(listed[1]["kind"], "webhook");
    assert_eq!(listed[1]["resend_every_secs"], Value::Null);
    assert_eq!(listed[1]["basic_auth_password_env"], "OPS_PASSWORD");
    let table = env.ok(&["alert", "receivers", "list"]);
    assert!(!table.contains("s3cret"), "never the secret: {table}");
    assert!(
        table.contains("bearer") && table.contains("basic"),
        "{table}"
    );

    let before = env.store_snapshot();
    for (args, code, line) in [
        (
            vec!["add", "am", "--webhook", "http://h/"],
            4,
            "alert receiver 'am' already exists".to_string(),
        ),
        (
            vec!["add", "Bad_Name", "--webhook", "http://h/"],
            2,
            "invalid receiver name 'Bad_Name': must be at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit".into(),
        ),
        (
            vec!["add", "x", "--webhook", "http://u:pw@h/"],
            2,
            "--webhook: invalid URL 'http://u:pw@h/': it carries credentials".into(),
        ),
        (
            vec!["add", "x", "--alertmanager", "am:9093"],
            2,
            "--alertmanager: invalid URL 'am:9093': expected an http:// or https:// URL".into(),
        ),
        (
            vec!["add", "x", "--webhook", "http://h/", "--bearer-token-env", "2BAD"],
            2,
            "--bearer-token-env: invalid environment variable name '2BAD': expected letters, digits and '_', not starting with a digit".into(),
        ),
        (
            vec!["add", "x", "--webhook", "http://h/", "--resend-every", "1m"],
            2,
            String::new(),
        ),
        (vec!["add", "x"], 2, String::new()),
        (
            vec!["add", "x", "--webhook", "http://h/", "--alertmanager", "http://h/"],
            2,
            String::new(),
        ),
        (
            vec!["add", "x", "--webhook", "http://h/", "--ca-file", "/nonexistent/ca.pem"],
            2,
            "cannot use the CA file '/nonexistent/ca.pem': No such file or directory (os error 2)"
                .into(),
        ),
        (
            vec!["remove", "nobody"],
            3,
            "alert receiver 'nobody' not found".into(),
        ),
        (
            vec!["test", "nobody"],
            3,
            "alert receiver 'nobody' not found".into(),
        ),
    ] {
        let mut all = vec!["alert", "receivers"];
        all.extend(args.iter().copied());
        let stderr = env.fails(&all, code);
        if !line.is_empty() {
            assert_eq!(error_line(&stderr), line, "{args:?}");
        }
    }
    // A CA file that is not PEM is refused when added, not at every delivery.
    let not_pem = env.dir().join("ca.pem");
    std::fs::write(&not_pem, "hello\n").unwrap();
    let stderr = env.fails(
        &[
            "alert",
            "receivers",
            "add",
            "x",
            "--webhook",
            "http://h/",
            "--ca-file",
            not_pem.to_str().unwrap(),
        ],
        2,
    );
    assert!(
        error_line(&stderr).ends_with("it holds no PEM certificate"),
        "{stderr}"
    );
    assert_eq!(
        env.store_snapshot(),
        before,
        "a refused command changes nothing"
    );

    let removed = env.json(&["alert", "receivers", "remove", "ops"]);
    assert_eq!(removed["name"], "ops");
    assert_eq!(
        env.json(&["alert", "receivers"]).as_array().unwrap().len(),
        1
    );
}

#[test]
fn a_webhook_down_for_the_first_transitions_gets_them_all_once_in_order_when_back() {
    let mut env = Env::new();
    let receiver = WebhookReceiver::start(Mood::Unavailable);
    env.ok(&[
        "alert",
        "receivers",
        "add",
        "ops",
        "--webhook",
        &receiver.url(),
        "-q",
    ]);

    // 95 °C fires gpu-temperature-high and -critical; the receiver answers 503.
    env.set_now("2026-11-29T10:05:00Z");
    let hot = reading(&env, "hot.csv", "2026/11/29 10:04:00", 95);
    let run = collect(&env, &hot, &[]);
    assert!(
        run.status.success(),
        "a delivery failure is no failed collect: {}",
        stderr(&run)
    );
    let warning = stderr(&run);
    assert!(
        warning.contains("gpuctl: warning: alert delivery to receiver 'ops' failed:")
            && warning.contains("answered HTTP 503")
            && warning.contains("2 transitions pending, next try after 2026-11-29T10:05:30Z"),
        "{warning}"
    );
    assert_eq!((receiver.requests(), receiver.taken().len()), (1, 0));
    let listed = env.json(&["alert", "receivers"]);
    assert_eq!(
        (
            listed[0]["pending"].as_i64(),
            listed[0]["failures"].as_i64()
        ),
        (Some(2), Some(1))
    );

    // Back up; the next run clears the condition: all four transitions, once each, in order.
    receiver.set(Mood::Up);
    env.set_now("2026-11-29T10:10:00Z");
    let cool = reading(&env, "cool.csv", "2026/11/29 10:09:00", 50);
    let run = collect(&env, &cool, &["-v"]);
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(!stderr(&run).contains("warning"), "{}", stderr(&run));
    assert!(
        stderr(&run).contains("alert delivery: 4 transitions to 'ops'"),
        "{}",
        stderr(&run)
    );
    let alerts = receiver.alerts();
    assert_once_each_in_order(&alerts);
    assert_eq!(told(&alerts), history(&env));
    let transitions: Vec<&str> = alerts
        .iter()
        .map(|a| a["transition"].as_str().unwrap())
        .collect();
    assert_eq!(transitions, ["firing", "firing", "resolved", "resolved"]);
    let critical = alerts
        .iter()
        .find(|a| a["labels"]["alertname"] == "gpu-temperature-critical")
        .expect("the critical alert");
    assert_eq!(critical["labels"]["UUID"], GPU);
    assert_eq!(critical["labels"]["node"], "n1");
    assert_eq!(critical["labels"]["cluster"], "prod");
    assert_eq!(critical["labels"]["severity"], "critical");
    assert_eq!(critical["annotations"]["value"], "95");
    assert_eq!(critical["startsAt"], "2026-11-29T10:04:00Z");
    assert_eq!(critical["endsAt"], "0001-01-01T00:00:00Z");
    let body = &receiver.taken()[0];
    assert_eq!(body.body["version"], "4");
    assert_eq!(body.body["receiver"], "ops");
    assert_eq!(body.header("content-type"), Some("application/json"));

    // Nothing is sent twice: a later notify finds nothing to do.
    let requests = receiver.requests();
    let notified = env.json(&["alert", "notify"]);
    assert_eq!(notified[0]["outcome"], "idle", "{notified}");
    assert_eq!(receiver.requests(), requests);
    let listed = env.json(&["alert", "receivers"]);
    assert_eq!(listed[0]["pending"], 0);
    assert_eq!(listed[0]["delivered"], 4);
    assert_eq!(listed[0]["failures"], 0);
    assert_eq!(listed[0]["last_error"], Value::Null);
}

#[test]
fn a_receiver_down_for_three_runs_gets_every_transition_once_in_order() {
    let mut env = Env::new();
    let receiver = WebhookReceiver::start(Mood::Unavailable);
    env.ok(&[
        "alert",
        "receivers",
        "add",
        "ops",
        "--webhook",
        &receiver.url(),
        "-q",
    ]);

    // Run 1: two alerts fire; 503.
    env.set_now("2026-11-29T10:05:00Z");
    let run = collect(
        &env,
        &reading(&env, "1.csv", "2026/11/29 10:04:00", 95),
        &[],
    );
    assert!(run.status.success(), "{}", stderr(&run));
    // A person acknowledges the critical one in between: a transition too.
    let open = env.json(&["alert", "list", "--severity", "critical"]);
    let critical = open[0]["id"].as_i64().unwrap().to_string();
    env.set_now("2026-11-29T10:06:00Z");
    env.ok(&["alert", "ack", &critical, "--note", "on it", "-q"]);

    // Run 2: both resolve; the receiver hangs, and the run still ends within its budget.
    receiver.set(Mood::Hung);
    env.set_now("2026-11-29T10:10:00Z");
    let started = Instant::now();
    let run = collect(
        &env,
        &reading(&env, "2.csv", "2026/11/29 10:09:00", 50),
        &["--notify-timeout", "1s"],
    );
    let took = started.elapsed();
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(
        took < Duration::from_millis(4_500),
        "a hung receiver held collect for {took:?}"
    );
    assert!(
        stderr(&run).contains("no answer from") && stderr(&run).contains("5 transitions pending"),
        "{}",
        stderr(&run)
    );

    // Run 3: they fire again; 503 again.
    receiver.set(Mood::Unavailable);
    env.set_now("2026-11-29T10:15:00Z");
    let run = collect(
        &env,
        &reading(&env, "3.csv", "2026/11/29 10:14:00", 96),
        &[],
    );
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(
        stderr(&run).contains("7 transitions pending"),
        "{}",
        stderr(&run)
    );
    assert_eq!(receiver.taken().len(), 0);
    let listed = env.json(&["alert", "receivers"]);
    assert_eq!(listed[0]["failures"], 3);

    // Back: every transition once, in the order they happened.
    receiver.set(Mood::Up);
    env.set_now("2026-11-29T10:20:00Z");
    let notified = env.json(&["alert", "notify"]);
    assert_eq!(notified[0]["outcome"], "delivered", "{notified}");
    assert_eq!(notified[0]["delivered"], 7);
    assert_eq!(notified[0]["pending"], 0);
    let alerts = receiver.alerts();
    assert_once_each_in_order(&alerts);
    assert_eq!(told(&alerts), history(&env));
    let transitions: Vec<&str> = alerts
        .iter()
        .map(|a| a["transition"].as_str().unwrap())
        .collect();
    assert_eq!(
        transitions,
        [
            "firing",
            "firing",
            "acknowledged",
            "resolved",
            "resolved",
            "firing",
            "firing"
        ]
    );
    let acked = &alerts[2];
    assert_eq!(acked["status"], "firing");
    assert_eq!(acked["annotations"]["ack_note"], "on it");
    assert_eq!(acked["transitionAt"], "2026-11-29T10:06:00Z");

    let requests = receiver.requests();
    env.set_now("2026-11-29T10:21:00Z");
    collect(
        &env,
        &reading(&env, "4.csv", "2026/11/29 10:20:00", 96),
        &[],
    );
    env.ok(&["alert", "notify", "-q"]);
    assert_eq!(receiver.requests(), requests, "nothing twice, nothing new");
}

#[test]
fn a_failing_receiver_waits_out_its_backoff_unless_told_to_retry_now() {
    let mut env = Env::new();
    let receiver = WebhookReceiver::start(Mood::Unavailable);
    env.ok(&[
        "alert",
        "receivers",
        "add",
        "ops",
        "--webhook",
        &receiver.url(),
        "-q",
    ]);
    env.set_now("2026-11-29T10:05:00Z");
    collect(
        &env,
        &reading(&env, "hot.csv", "2026/11/29 10:04:00", 95),
        &[],
    );
    assert_eq!(receiver.requests(), 1);
    // 30 s after the first failure: not yet.
    env.set_now("2026-11-29T10:05:20Z");
    let waiting = env.json(&["alert", "notify"]);
    assert_eq!(waiting[0]["outcome"], "waiting");
    assert_eq!(waiting[0]["next_attempt_at"], "2026-11-29T10:05:30Z");
    assert_eq!(receiver.requests(), 1);
    // Told to: tried, failed again (exit 1), and the next wait doubles.
    let failed = env.json_with_exit(&["alert", "notify", "--retry-now"], 1);
    assert_eq!(failed[0]["outcome"], "failed");
    assert_eq!(failed[0]["next_attempt_at"], "2026-11-29T10:06:20Z");
    assert_eq!(receiver.requests(), 2);
    let stderr = env.fails(&["alert", "notify", "--retry-now", "-q"], 1);
    assert!(
        error_line(&stderr).starts_with("delivery to receiver 'ops' failed: ")
            && error_line(&stderr)
                .ends_with("answered HTTP 503: (empty body); 2 transition(s) pending"),
        "{stderr}"
    );
    // A receiver added later gets only what happens after it.
    let late = WebhookReceiver::start(Mood::Up);
    env.ok(&[
        "alert",
        "receivers",
        "add",
        "late",
        "--webhook",
        &late.url(),
        "-q",
    ]);
    receiver.set(Mood::Up);
    env.set_now("2026-11-29T10:30:00Z");
    let notified = env.json(&["alert", "notify"]);
    assert_eq!(notified[0]["receiver"], "late");
    assert_eq!(notified[0]["outcome"], "idle");
    assert_eq!(notified[1]["delivered"], 2);
    assert_eq!(late.requests(), 0, "no history flood");
    // The outbox keeps nothing every receiver has had.
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    let left: i64 = conn
        .query_row("SELECT count(*) FROM alert_outbox", [], |r| r.get(0))
        .unwrap();
    assert_eq!(left, 0);
}

#[test]
fn receivers_test_sends_one_test_alert_and_reports_a_refusal() {
    let env = Env::new();
    let receiver = WebhookReceiver::start(Mood::Up);
    env.ok(&[
        "alert",
        "receivers",
        "add",
        "ops",
        "--webhook",
        &receiver.url(),
        "-q",
    ]);
    let result = env.json(&["alert", "receivers", "test", "ops"]);
    assert_eq!(result["status"], 200);
    let alerts = receiver.alerts();
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0]["labels"]["alertname"], "gpuctl-test");
    assert_eq!(alerts[0]["labels"]["severity"], "info");
    // Nothing recorded: the test is not a transition.
    assert_eq!(env.json(&["alert", "receivers"])[0]["delivered"], 0);
    receiver.set(Mood::Unavailable);
    let stderr = env.fails(&["alert", "receivers", "test", "ops"], 1);
    assert_eq!(
        error_line(&stderr),
        format!(
            "receiver 'ops': {} answered HTTP 503: (empty body)",
            receiver.url()
        )
    );
    drop(receiver);
    let stderr = env.fails(&["alert", "receivers", "test", "ops", "--timeout", "1s"], 1);
    assert!(
        error_line(&stderr).starts_with("receiver 'ops': cannot reach http://127.0.0.1:"),
        "{stderr}"
    );
}

/// The real Alertmanager: a firing gpu-temperature-critical is there with the GPU's UUID and
/// node after one collect, acknowledged after `alert ack`, gone (resolved) after the run that
/// clears it. Alertmanager judges `endsAt` by the real clock, so this test runs at it.
#[test]
fn alertmanager_shows_the_alert_after_one_collect_and_its_resolution_after_the_next() {
    if !require_binary(ALERTMANAGER) {
        return;
    }
    let alertmanager = Alertmanager::start();
    let webhook = WebhookReceiver::start(Mood::Up);
    let mut env = Env::new();
    env.ok(&[
        "alert",
        "receivers",
        "add",
        "am",
        "--alertmanager",
        &alertmanager.url(),
        "-q",
    ]);
    env.ok(&[
        "alert",
        "receivers",
        "add",
        "hook",
        "--webhook",
        &webhook.url(),
        "-q",
    ]);
    let now = chrono::Utc::now().timestamp();
    let at = |seconds: i64| chrono::DateTime::from_timestamp(seconds, 0).expect("a time");
    let csv_time = |seconds: i64| at(seconds).format("%Y/%m/%d %H:%M:%S").to_string();
    let clock = |seconds: i64| gpuctl::clock::rfc3339(seconds);

    env.set_now(&clock(now - 110));
    let run = collect(
        &env,
        &reading(&env, "hot.csv", &csv_time(now - 120), 95),
        &[],
    );
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(!stderr(&run).contains("warning"), "{}", stderr(&run));
    let filter = "alertname=\"gpu-temperature-critical\"";
    let firing = alertmanager.wait_for(filter, |alerts| {
        alerts.len() == 1 && alerts[0]["status"]["state"] == "active"
    });
    let alert = &firing[0];
    assert_eq!(alert["labels"]["UUID"], GPU);
    assert_eq!(alert["labels"]["node"], "n1");
    assert_eq!(alert["labels"]["cluster"], "prod");
    assert_eq!(alert["labels"]["severity"], "critical");
    assert_eq!(alert["labels"]["modelName"], "NVIDIA H100 80GB HBM3");
    assert_eq!(alert["annotations"]["value"], "95");
    assert_eq!(
        alert["annotations"]["summary"],
        "GPU temperature is critical"
    );
    assert_eq!(
        alert["startsAt"]
            .as_str()
            .map(|s| s.starts_with(&clock(now - 120)[..19])),
        Some(true),
        "{alert}"
    );
    // The webhook's fingerprint is Alertmanager's own for the same labels.
    let hooked = webhook
        .alerts()
        .into_iter()
        .find(|a| a["labels"]["alertname"] == "gpu-temperature-critical")
        .expect("the webhook got it too");
    assert_eq!(hooked["fingerprint"], alert["fingerprint"]);

    // Acknowledged, and sent again a minute later: still firing, marked.
    let id = alert["annotations"]["alert_id"]
        .as_str()
        .unwrap()
        .to_string();
    env.set_now(&clock(now - 60));
    env.ok(&["alert", "ack", &id, "--note", "on it", "-q"]);
    let notified = env.json(&["alert", "notify"]);
    assert_eq!(notified[0]["receiver"], "am");
    assert_eq!(notified[0]["delivered"], 1, "{notified}");
    assert_eq!(notified[0]["resent"], 1, "the other open alert: {notified}");
    let acked = alertmanager.wait_for(filter, |alerts| {
        alerts.len() == 1 && alerts[0]["annotations"]["acknowledged"] == "true"
    });
    assert_eq!(acked[0]["annotations"]["ack_note"], "on it");
    assert_eq!(acked[0]["status"]["state"], "active");

    // The next run clears it: resolved, so Alertmanager no longer lists it.
    env.set_now(&clock(now - 50));
    let run = collect(
        &env,
        &reading(&env, "cool.csv", &csv_time(now - 55), 50),
        &[],
    );
    assert!(run.status.success(), "{}", stderr(&run));
    alertmanager.wait_for(filter, <[Value]>::is_empty);
    alertmanager.wait_for("alertname=\"gpu-temperature-high\"", <[Value]>::is_empty);
    let listed = env.json(&["alert", "receivers"]);
    assert_eq!(listed[0]["pending"], 0);
    assert_eq!(listed[0]["failures"], 0);
}

#[test]
fn collect_can_leave_delivery_to_optimize_or_a_timer() {
    let mut env = Env::new();
    let receiver = WebhookReceiver::start(Mood::Up);
    env.ok(&[
        "alert",
        "receivers",
        "add",
        "ops",
        "--webhook",
        &receiver.url(),
        "-q",
    ]);
    env.set_now("2026-11-29T10:05:00Z");
    let hot = reading(&env, "hot.csv", "2026/11/29 10:04:00", 95);
    let run = collect(&env, &hot, &["--notify-timeout", "0s"]);
    assert!(run.status.success(), "{}", stderr(&run));
    assert_eq!(receiver.requests(), 0, "not asked to deliver");
    assert_eq!(env.json(&["alert", "receivers"])[0]["pending"], 2);
    // A dry run delivers nothing either; the real one does.
    env.ok(&["optimize", "--dry-run", "-q"]);
    assert_eq!(receiver.requests(), 0);
    env.ok(&["optimize", "-q"]);
    assert_eq!(receiver.alerts().len(), 2);
    assert_eq!(env.json(&["alert", "receivers"])[0]["pending"], 0);
    env.fails(
        &["collect", "--input", "x.csv", "--notify-timeout", "soon"],
        2,
    );
}
