//! Real services on loopback for the fleet and delivery tests: a text server standing in for
//! dcgm-exporter, the real `prometheus` binary scraping it or loaded with history, the real
//! Alertmanager (`prometheus-alertmanager`), and a webhook receiver that can be down.
//!
//! Everything listens on 127.0.0.1 only and stops when dropped. A missing binary skips the
//! test on a developer's machine and fails it in CI (`CI` set), where .ci/run installs it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::Value;
use tempfile::TempDir;

use crate::harness::fixture;

/// How long Prometheus may take to start and see its targets up.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(20);

/// Whether `name` is on PATH. When it is not: a skip note on stderr and false, or a panic
/// when `CI` is set, so a CI machine without it fails instead of passing vacuously.
pub fn require_binary(name: &str) -> bool {
    if find_on_path(name).is_some() {
        return true;
    }
    if std::env::var_os("CI").is_some() {
        panic!("{name} is not installed, and CI must run this test (.ci/run installs it)");
    }
    // Straight to stderr, past the test harness's capture, so the skip is seen.
    let _ = writeln!(std::io::stderr(), "skipped: {name} is not installed");
    false
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|path| path.is_file())
}

/// A loopback port that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("bind a loopback port")
        .port()
}

/// A blocking HTTP client for loopback: no proxies, short timeouts.
fn loopback_agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .proxy(None)
        .timeout_global(Some(Duration::from_secs(5)))
        .http_status_as_error(false)
        .build()
        .new_agent()
}

/// GET `url` on loopback: (status, body); None when nothing answers.
fn get(url: &str) -> Option<(u16, String)> {
    let mut response = loopback_agent().get(url).call().ok()?;
    let status = response.status().as_u16();
    let body = response.body_mut().read_to_string().ok()?;
    Some((status, body))
}

/// An HTTP/1.1 server on 127.0.0.1 answering every GET with the current text, like an
/// exporter's `/metrics`. Change the text with [`ServedText::set`] between scrapes.
pub struct ServedText {
    addr: SocketAddr,
    body: Arc<Mutex<String>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl ServedText {
    pub fn start(body: &str) -> ServedText {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let addr = listener.local_addr().expect("the bound address");
        let body = Arc::new(Mutex::new(body.to_string()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let body = Arc::clone(&body);
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    if let Ok(stream) = stream {
                        let text = body.lock().expect("served text lock").clone();
                        answer(stream, &text);
                    }
                }
            })
        };
        ServedText {
            addr,
            body,
            stop,
            thread: Some(thread),
        }
    }

    /// Serves a file under tests/fixtures.
    pub fn fixture(relative: &str) -> ServedText {
        let path = fixture(relative);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        ServedText::start(&text)
    }

    /// What the next request gets.
    pub fn set(&self, body: &str) {
        *self.body.lock().expect("served text lock") = body.to_string();
    }

    /// `127.0.0.1:PORT`, as a Prometheus scrape target.
    pub fn target(&self) -> String {
        self.addr.to_string()
    }

    /// `http://127.0.0.1:PORT/metrics`.
    pub fn url(&self) -> String {
        format!("http://{}/metrics", self.addr)
    }
}

impl Drop for ServedText {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Reads one request head and answers with `text`, closing the connection.
fn answer(stream: TcpStream, text: &str) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let mut reader = BufReader::new(&stream);
    let mut line = String::new();
    while reader.read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
        if line == "\r\n" || line == "\n" {
            break;
        }
        line.clear();
    }
    let mut writer = &stream;
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        text.len()
    );
    let _ = writer.write_all(head.as_bytes());
    let _ = writer.write_all(text.as_bytes());
}

/// The real Prometheus on 127.0.0.1 with its own config and storage in a temp dir; killed
/// when dropped.
pub struct Prometheus {
    child: Child,
    port: u16,
    dir: TempDir,
}

impl Prometheus {
    /// Scrapes `scrape_targets` (`host:port`, job `dcgm`) every `scrape_interval`; returns
    /// once Prometheus is ready and every target has been scraped successfully.
    pub fn start(scrape_targets: &[&str], scrape_interval: Duration) -> Prometheus {
        let targets: Vec<(&str, &[(&str, &str)])> =
            scrape_targets.iter().map(|t| (*t, &[][..])).collect();
        Prometheus::start_job("dcgm", &targets, scrape_interval)
    }

    /// [`Prometheus::start`] with a job name and labels of each target's own, as a
    /// Kubernetes service discovery would add them (`kubernetes_node`, …).
    pub fn start_job(
        job: &str,
        scrape_targets: &[(&str, &[(&str, &str)])],
        scrape_interval: Duration,
    ) -> Prometheus {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = config_text(job, scrape_targets, scrape_interval);
        let prometheus = Prometheus::launch(dir, &config);
        prometheus.wait_for_targets_up(scrape_targets.len());
        prometheus
    }

    /// Loads `openmetrics_text` (OpenMetrics: timestamps in seconds, ending `# EOF`, nothing
    /// from the last 3 hours) into the storage with promtool, then starts with no targets.
    pub fn start_with_history(openmetrics_text: &str) -> Prometheus {
        let dir = tempfile::tempdir().expect("temp dir");
        let input = dir.path().join("history.om");
        std::fs::write(&input, openmetrics_text).expect("write the history");
        Prometheus::start_with_history_file(dir, &input)
    }

    /// [`Prometheus::start_with_history`] from an OpenMetrics file, storing in `dir`.
    pub fn start_with_history_file(dir: TempDir, input: &Path) -> Prometheus {
        let output = Command::new("promtool")
            .args(["tsdb", "create-blocks-from", "openmetrics"])
            // One pass over the input for up to two days, not one per 2-hour block.
            .arg("--max-block-duration=48h")
            .arg(input)
            .arg(storage_dir(dir.path()))
            .output()
            .expect("run promtool");
        assert!(
            output.status.success(),
            "promtool tsdb create-blocks-from openmetrics failed:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        Prometheus::launch(dir, &config_text("dcgm", &[], Duration::from_secs(60)))
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `GET /api/v1/query?query=…[&time=…]`, asserting success; the `data.result` array.
    pub fn query(&self, promql: &str, time: Option<i64>) -> Vec<Value> {
        let mut request = loopback_agent()
            .get(format!("{}/api/v1/query", self.url()))
            .query("query", promql);
        if let Some(time) = time {
            request = request.query("time", time.to_string());
        }
        let mut response = request.call().expect("query Prometheus");
        let body = response
            .body_mut()
            .read_to_string()
            .expect("read Prometheus's answer");
        let answer: Value = serde_json::from_str(&body).expect("Prometheus answers JSON");
        assert_eq!(answer["status"], "success", "query {promql}: {body}");
        answer["data"]["result"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// Starts the binary on a free port, retrying when another process took the port first.
    fn launch(dir: TempDir, config_text: &str) -> Prometheus {
        let config = dir.path().join("prometheus.yml");
        std::fs::write(&config, config_text).expect("write the Prometheus config");
        let mut last_log = String::new();
        for _ in 0..3 {
            let port = free_port();
            let log = std::fs::File::create(dir.path().join("prometheus.log")).expect("log file");
            let mut child = Command::new("prometheus")
                .arg(format!("--config.file={}", config.display()))
                .arg(format!(
                    "--storage.tsdb.path={}",
                    storage_dir(dir.path()).display()
                ))
                // History written for fixed dates must not be deleted as too old.
                .arg("--storage.tsdb.retention.time=100y")
                .arg(format!("--web.listen-address=127.0.0.1:{port}"))
                .arg("--log.level=warn")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(log)
                .spawn()
                .expect("start prometheus");
            if wait_ready(&mut child, port) {
                return Prometheus { child, port, dir };
            }
            let _ = child.kill();
            let _ = child.wait();
            last_log = read_log(dir.path());
        }
        panic!("prometheus did not become ready:\n{last_log}");
    }

    fn wait_for_targets_up(&self, expected: usize) {
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        let mut last = String::new();
        while Instant::now() < deadline {
            if let Some((200, body)) = get(&format!("{}/api/v1/targets", self.url())) {
                let targets: Value = serde_json::from_str(&body).unwrap_or_default();
                let up = targets["data"]["activeTargets"]
                    .as_array()
                    .map_or(0, |all| all.iter().filter(|t| t["health"] == "up").count());
                if up == expected {
                    return;
                }
                last = body;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "Prometheus's targets were not all up within {STARTUP_TIMEOUT:?}:\n{last}\n{}",
            self.log()
        );
    }

    fn log(&self) -> String {
        read_log(self.dir.path())
    }
}

/// Polls `/-/ready`; false when the process exits or the time runs out.
fn wait_ready(child: &mut Child, port: u16) -> bool {
    let deadline = Instant::now() + STARTUP_TIMEOUT;
    while Instant::now() < deadline {
        if matches!(child.try_wait(), Ok(Some(_))) {
            return false;
        }
        if matches!(
            get(&format!("http://127.0.0.1:{port}/-/ready")),
            Some((200, _))
        ) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

fn read_log(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("prometheus.log")).unwrap_or_default()
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn storage_dir(dir: &Path) -> PathBuf {
    dir.join("data")
}

fn config_text(
    job: &str,
    scrape_targets: &[(&str, &[(&str, &str)])],
    scrape_interval: Duration,
) -> String {
    let interval = format!("{}ms", scrape_interval.as_millis().max(1));
    let mut text = format!(
        "global:\n  scrape_interval: {interval}\n  scrape_timeout: {interval}\n  evaluation_interval: 1m\n"
    );
    if !scrape_targets.is_empty() {
        text.push_str(&format!(
            "scrape_configs:\n  - job_name: '{job}'\n    static_configs:\n"
        ));
        for (target, labels) in scrape_targets {
            text.push_str(&format!("      - targets: ['{target}']\n"));
            if !labels.is_empty() {
                text.push_str("        labels:\n");
                for (name, value) in labels.iter() {
                    text.push_str(&format!("          {name}: '{value}'\n"));
                }
            }
        }
    }
    text
}

/// The served text's GPU temperature for GPU 0 of the H100 fixture, replaced.
fn with_gpu0_temp(text: &str, temp: u32) -> String {
    text.lines()
        .map(|line| {
            if line.starts_with("DCGM_FI_DEV_GPU_TEMP{gpu=\"0\",") {
                let (series, _) = line.rsplit_once(' ').expect("a sample line");
                format!("{series} {temp}")
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

fn gpu0_temp(prometheus: &Prometheus) -> Option<String> {
    prometheus
        .query("DCGM_FI_DEV_GPU_TEMP{gpu=\"0\"}", None)
        .first()
        .and_then(|series| series["value"][1].as_str().map(str::to_string))
}

#[test]
fn prometheus_harness_scrapes_served_text() {
    if !require_binary("prometheus") {
        return;
    }
    let served = ServedText::fixture("dcgm/h100-8gpu.prom");
    let text = std::fs::read_to_string(fixture("dcgm/h100-8gpu.prom")).expect("fixture");
    assert_eq!(get(&served.url()), Some((200, text.clone())));
    let prometheus = Prometheus::start(&[&served.target()], Duration::from_millis(500));
    assert_eq!(gpu0_temp(&prometheus).as_deref(), Some("64"));
    let all = prometheus.query("DCGM_FI_DEV_GPU_TEMP", None);
    assert_eq!(all.len(), 8);
    assert_eq!(all[0]["metric"]["modelName"], "NVIDIA H100 80GB HBM3");
    assert_eq!(all[0]["metric"]["job"], "dcgm");

    // A changed body arrives with a later scrape.
    served.set(&with_gpu0_temp(&text, 71));
    let deadline = Instant::now() + Duration::from_secs(5);
    while gpu0_temp(&prometheus).as_deref() != Some("71") {
        assert!(
            Instant::now() < deadline,
            "the new temperature never arrived"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn prometheus_harness_loads_history() {
    if !require_binary("prometheus") || !require_binary("promtool") {
        return;
    }
    // A day ago, on a minute boundary: well clear of the head block's last 3 hours.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs() as i64;
    let start = (now - 86_400) / 60 * 60;
    let mut history = String::from("# TYPE DCGM_FI_DEV_GPU_TEMP gauge\n");
    for minute in 0..10 {
        history.push_str(&format!(
            "DCGM_FI_DEV_GPU_TEMP{{gpu=\"0\",UUID=\"GPU-1\",Hostname=\"n1\"}} {} {}\n",
            40 + minute,
            start + minute * 60
        ));
    }
    history.push_str("# EOF\n");
    let prometheus = Prometheus::start_with_history(&history);
    let at_five = prometheus.query("DCGM_FI_DEV_GPU_TEMP", Some(start + 5 * 60));
    assert_eq!(at_five.len(), 1, "{at_five:?}");
    assert_eq!(at_five[0]["value"][1], "45");
    assert_eq!(at_five[0]["metric"]["UUID"], "GPU-1");
}

/// The real Alertmanager (Debian's `prometheus-alertmanager`) on 127.0.0.1 with a temp config
/// and storage, clustering off; killed when dropped. Its route ends in a receiver that
/// notifies nobody: the tests read alerts back through the API.
pub struct Alertmanager {
    child: Child,
    port: u16,
    dir: TempDir,
}

/// The binary Debian installs.
pub const ALERTMANAGER: &str = "prometheus-alertmanager";

impl Alertmanager {
    pub fn start() -> Alertmanager {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = dir.path().join("alertmanager.yml");
        std::fs::write(
            &config,
            "route:\n  receiver: nobody\n  group_wait: 1s\nreceivers:\n  - name: nobody\n",
        )
        .expect("write the Alertmanager config");
        let mut last_log = String::new();
        for _ in 0..3 {
            let port = free_port();
            let log = std::fs::File::create(dir.path().join("alertmanager.log")).expect("log");
            let mut child = Command::new(ALERTMANAGER)
                .arg(format!("--config.file={}", config.display()))
                .arg(format!(
                    "--storage.path={}",
                    dir.path().join("data").display()
                ))
                .arg(format!("--web.listen-address=127.0.0.1:{port}"))
                // No gossip port: a single Alertmanager, nothing listening but the API.
                .arg("--cluster.listen-address=")
                .arg("--log.level=warn")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(log)
                .spawn()
                .expect("start prometheus-alertmanager");
            if wait_ready(&mut child, port) {
                return Alertmanager { child, port, dir };
            }
            let _ = child.kill();
            let _ = child.wait();
            last_log =
                std::fs::read_to_string(dir.path().join("alertmanager.log")).unwrap_or_default();
        }
        panic!("Alertmanager did not become ready:\n{last_log}");
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `GET /api/v2/alerts` (active, silenced, inhibited and unprocessed; resolved alerts are
    /// not listed), with a `filter` matcher such as `alertname="x"`.
    pub fn alerts(&self, filter: &str) -> Vec<Value> {
        let mut response = loopback_agent()
            .get(format!("{}/api/v2/alerts", self.url()))
            .query("filter", filter)
            .call()
            .expect("ask Alertmanager for its alerts");
        let body = response
            .body_mut()
            .read_to_string()
            .expect("read the answer");
        serde_json::from_str::<Value>(&body)
            .expect("Alertmanager answers JSON")
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// Polls [`Alertmanager::alerts`] until `done` holds of them, for up to 10 s.
    pub fn wait_for(&self, filter: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let alerts = self.alerts(filter);
            if done(&alerts) {
                return alerts;
            }
            assert!(
                Instant::now() < deadline,
                "Alertmanager's alerts for {filter} never got there: {alerts:?}\n{}",
                std::fs::read_to_string(self.dir.path().join("alertmanager.log"))
                    .unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Alertmanager {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// How a [`WebhookReceiver`] treats the next requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mood {
    /// Takes them: 200.
    Up,
    /// Answers 503, as a receiver behind a proxy whose backend is gone.
    Unavailable,
    /// Reads the request and never answers, as a hung receiver.
    Hung,
}

/// A request a [`WebhookReceiver`] took (answered 200).
#[derive(Debug, Clone)]
pub struct Taken {
    /// Header names lowercased.
    pub headers: Vec<(String, String)>,
    pub body: Value,
}

impl Taken {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A webhook receiver on 127.0.0.1 (one thread per connection), in the mood it is set to;
/// remembers what it took and counts every request.
pub struct WebhookReceiver {
    addr: SocketAddr,
    mood: Arc<Mutex<Mood>>,
    taken: Arc<Mutex<Vec<Taken>>>,
    requests: Arc<Mutex<usize>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl WebhookReceiver {
    pub fn start(mood: Mood) -> WebhookReceiver {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let addr = listener.local_addr().expect("the bound address");
        let mood = Arc::new(Mutex::new(mood));
        let taken = Arc::new(Mutex::new(Vec::new()));
        let requests = Arc::new(Mutex::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (mood, taken, requests, stop) = (
                Arc::clone(&mood),
                Arc::clone(&taken),
                Arc::clone(&requests),
                Arc::clone(&stop),
            );
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let (mood, taken, requests, stop) = (
                        Arc::clone(&mood),
                        Arc::clone(&taken),
                        Arc::clone(&requests),
                        Arc::clone(&stop),
                    );
                    std::thread::spawn(move || {
                        receive(stream, &mood, &taken, &requests, &stop);
                    });
                }
            })
        };
        WebhookReceiver {
            addr,
            mood,
            taken,
            requests,
            stop,
            thread: Some(thread),
        }
    }

    pub fn set(&self, mood: Mood) {
        *self.mood.lock().expect("mood lock") = mood;
    }

    pub fn url(&self) -> String {
        format!("http://{}/hooks/gpuctl", self.addr)
    }

    /// The requests taken so far, oldest first.
    pub fn taken(&self) -> Vec<Taken> {
        self.taken.lock().expect("taken lock").clone()
    }

    /// Every request seen, taken or not.
    pub fn requests(&self) -> usize {
        *self.requests.lock().expect("requests lock")
    }

    /// Every alert of every body taken, in the order they came.
    pub fn alerts(&self) -> Vec<Value> {
        self.taken()
            .iter()
            .flat_map(|t| t.body["alerts"].as_array().cloned().unwrap_or_default())
            .collect()
    }
}

impl Drop for WebhookReceiver {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Reads one request (head and Content-Length body) and answers it as the mood says.
fn receive(
    stream: TcpStream,
    mood: &Mutex<Mood>,
    taken: &Mutex<Vec<Taken>>,
    requests: &Mutex<usize>,
    stop: &AtomicBool,
) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut reader = BufReader::new(&stream);
    let mut headers = Vec::new();
    let mut line = String::new();
    if reader.read_line(&mut line).map(|n| n == 0).unwrap_or(true) {
        return;
    }
    loop {
        line.clear();
        if reader.read_line(&mut line).map(|n| n == 0).unwrap_or(true) {
            return;
        }
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            break;
        }
        if let Some((name, value)) = trimmed.split_once(':') {
            headers.push((name.trim().to_lowercase(), value.trim().to_string()));
        }
    }
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    *requests.lock().expect("requests lock") += 1;
    let mood = *mood.lock().expect("mood lock");
    let status = match mood {
        Mood::Up => "200 OK",
        Mood::Unavailable => "503 Service Unavailable",
        Mood::Hung => {
            // Until the client gives up (it closes) or the receiver stops.
            let deadline = Instant::now() + Duration::from_secs(30);
            while !stop.load(Ordering::SeqCst) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(50));
            }
            return;
        }
    };
    if mood == Mood::Up {
        let body = serde_json::from_slice(&body).expect("a webhook body is JSON");
        taken
            .lock()
            .expect("taken lock")
            .push(Taken { headers, body });
    }
    let mut writer = &stream;
    let _ = writer.write_all(
        format!("HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").as_bytes(),
    );
}
