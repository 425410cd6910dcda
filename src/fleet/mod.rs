//! Sources of many nodes at once: the Prometheus HTTP API and dcgm-exporter's `/metrics`.
//!
//! - [`read_prometheus`]: the current GPUs of a fleet from two instant queries.
//! - [`backfill_prometheus`]: each GPU's samples at every step of a past stretch, chunk by chunk.
//! - [`scrape`]: the current GPUs from dcgm-exporter endpoints directly.
//!
//! Each returns neutral [`dcgm::FleetGpu`] records (cluster, node, a
//! [`crate::gpu::source::DeviceSample`], MIG instances, workloads); storing them is the
//! caller's business.

pub(crate) mod dcgm;
pub(crate) mod error;
pub(crate) mod exposition;
pub(crate) mod http;
pub(crate) mod prometheus;
#[cfg(test)]
pub(crate) mod test_server;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use dcgm::MAPPED_FAMILIES;
use dcgm::{FleetSnapshot, GpuHistory, HistoryMapper, MappingOptions, Observation, Warnings};
use error::{redact_url, FleetError};
use http::{HttpClient, HttpOptions};
use prometheus::{
    families_query, range_chunks, stamps_query, PrometheusClient, DEFAULT_MAX_CHUNK_SECS,
    STAMP_LABELS,
};
/// What `/metrics` is asked for: the text format, never protobuf or OpenMetrics.
const EXPOSITION_ACCEPT: &str = "text/plain;version=0.0.4;q=1,*/*;q=0.1";
/// How many exporters are scraped at once.
const SCRAPE_PARALLELISM: usize = 8;

/// The fleet's current GPUs from instant queries made at once: when each GPU was last
/// scraped ([`stamps_query`], one small series per GPU) and the newest value of every mapped
/// dcgm-exporter series that `selector` picks (four queries, two at a time), read as
/// they stream in so memory holds the GPUs, not the answers. GPUs whose newest sample is older than `max_age` are listed as stale;
/// those silent for longer than Prometheus's 5-minute lookback are not seen at all.
/// Prometheus's warnings (partial data) are passed on among the snapshot's warnings.
pub(crate) fn read_prometheus(
    client: &PrometheusClient,
    selector: Option<&str>,
    options: &MappingOptions,
) -> Result<FleetSnapshot, FleetError> {
    let source = client.display_url();
    let stamps_query = stamps_query(selector)?;
    let value_queries = (0..VALUE_QUERIES)
        .map(|group| {
            let families: Vec<&str> = MAPPED_FAMILIES
                .iter()
                .skip(group)
                .step_by(VALUE_QUERIES)
                .copied()
                .collect();
            families_query(&families, selector, None)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mapper = Mutex::new(dcgm::FleetMapper::new(options));
    let read = |query: &str| -> Result<Vec<String>, FleetError> {
        client.instant_each(query, options.now, &mut |series| {
            let Some(name) = series.name else {
                return Ok(());
            };
            // A poisoned lock means the other reader panicked; the scope re-raises that.
            let mut mapper = mapper.lock().map_err(|_| reader_failed())?;
            for point in series.points {
                mapper.add(&Observation {
                    name,
                    labels: series.labels,
                    value: point.value,
                    timestamp_ms: point.timestamp_ms,
                    source: &source,
                })?;
            }
            Ok(())
        })
    };
    // The stamps and two readers at once: Prometheus answers on its cores while gpuctl reads.
    let next = AtomicUsize::new(0);
    let (stamps_answer, value_answers) = std::thread::scope(|scope| {
        let stamps = scope.spawn(|| client.instant(&stamps_query, options.now));
        let worker = || {
            let mut answers = Vec::new();
            while let Some(query) = value_queries.get(next.fetch_add(1, Ordering::Relaxed)) {
                let answer = read(query);
                let failed = answer.is_err();
                answers.push(answer);
                if failed {
                    break;
                }
            }
            answers
        };
        let other = scope.spawn(worker);
        let mut answers = worker();
        answers.extend(other.join().unwrap_or_else(|_| vec![Err(reader_failed())]));
        (
            stamps.join().unwrap_or_else(|_| Err(reader_failed())),
            answers,
        )
    });
    let mut warnings = Warnings::default();
    for answer in value_answers {
        for warning in answer? {
            warnings.push(prometheus_warning(&warning));
        }
    }
    let stamps_answer = stamps_answer?;
    for warning in &stamps_answer.warnings {
        warnings.push(prometheus_warning(warning));
    }
    let mut stamps: HashMap<String, i64> = HashMap::new();
    for series in stamps_answer.data.into_series() {
        let uuid = STAMP_LABELS
            .iter()
            .find_map(|name| exposition::label_value(&series.labels, name));
        if let (Some(uuid), Some(point)) = (uuid, series.points.first()) {
            if let Ok(ms) = prometheus::seconds_to_ms(point.value) {
                let newest = stamps.entry(uuid.to_string()).or_insert(ms);
                *newest = (*newest).max(ms);
            }
        }
    }
    let mapper = mapper.into_inner().map_err(|_| reader_failed())?;
    let mut snapshot = mapper.finish_with_stamps(&stamps);
    for warning in snapshot.warnings {
        warnings.push(warning);
    }
    snapshot.warnings = warnings.into_vec();
    Ok(snapshot)
}

/// A reader thread that panicked (the scope re-raises the panic itself).
fn reader_failed() -> FleetError {
    FleetError::Invalid("a reader thread failed".into())
}

/// The values are read in this many queries (the families dealt out in turn), two at a time:
/// each answer of 1,000 nodes × 8 GPUs is then about 8 MB, held while it is parsed.
const VALUE_QUERIES: usize = 4;

/// One chunk of a backfill: each GPU's rows at the step times in it, and its warnings.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct BackfillChunk {
    /// The chunk's first and last evaluation times, unix seconds.
    pub(crate) start: i64,
    pub(crate) end: i64,
    /// Every GPU that reported in the chunk, with a row per step time it reported at.
    pub(crate) gpus: Vec<GpuHistory>,
    /// Prometheus's warnings (the data may be partial) and the mapping's.
    pub(crate) warnings: Vec<String>,
}

/// The fleet's samples every `step` seconds from `start` through `end`: range queries of the
/// families a sample stores ([`dcgm::HISTORY_FAMILIES`]) in chunks of at most an hour (and
/// 11,000 points), each read as it streams in, mapped and handed to `on_chunk` before the next
/// is fetched, so memory holds one chunk's numbers. Times are multiples of `step` (the first
/// at or after `start`), so two backfills of overlapping ranges write the same times.
/// `options.now` and `options.max_age` do not apply: each time stands alone.
pub(crate) fn backfill_prometheus<E: From<FleetError>>(
    client: &PrometheusClient,
    selector: Option<&str>,
    start: i64,
    end: i64,
    step: i64,
    options: &MappingOptions,
    mut on_chunk: impl FnMut(BackfillChunk) -> Result<(), E>,
) -> Result<(), E> {
    let query = families_query(dcgm::HISTORY_FAMILIES, selector, None)?;
    if step < 1 {
        return Err(
            FleetError::Invalid(format!("the step must be at least 1 s, not {step}")).into(),
        );
    }
    let aligned_start = match start.rem_euclid(step) {
        0 => start,
        offset => start.saturating_add(step - offset),
    };
    if aligned_start > end {
        return Ok(());
    }
    let chunks = range_chunks(aligned_start, end, step, DEFAULT_MAX_CHUNK_SECS)?;
    // One thread reads and maps the next chunk while the caller stores this one: Prometheus
    // and the store work at once. At most one chunk waits, so memory holds two.
    let (sender, receiver) = std::sync::mpsc::sync_channel::<Result<BackfillChunk, FleetError>>(0);
    std::thread::scope(|scope| {
        scope.spawn(move || {
            for (chunk_start, chunk_end) in chunks {
                let read =
                    read_history_chunk(client, &query, chunk_start, chunk_end, step, options);
                let failed = read.is_err();
                // A closed channel means the caller stopped: so does the reader.
                if sender.send(read).is_err() || failed {
                    break;
                }
            }
        });
        for read in receiver {
            on_chunk(read?)?;
        }
        Ok(())
    })
}

/// One chunk of a backfill, read as it streams in and mapped.
fn read_history_chunk(
    client: &PrometheusClient,
    query: &str,
    start: i64,
    end: i64,
    step: i64,
    options: &MappingOptions,
) -> Result<BackfillChunk, FleetError> {
    let source = client.display_url();
    let at = MappingOptions {
        now: end,
        max_age: i64::MAX / 1000,
        ..options.clone()
    };
    let mut history = HistoryMapper::new(&at, start, end, step);
    let answer_warnings = client.range_each(query, start, end, step, &mut |series| {
        let Some(name) = series.name else {
            return Ok(());
        };
        history.add_series(name, series.labels, series.points, &source)
    })?;
    let (gpus, mapping_warnings) = history.finish();
    let mut warnings = Warnings::default();
    for warning in answer_warnings {
        warnings.push(prometheus_warning(&warning));
    }
    for warning in mapping_warnings {
        warnings.push(warning);
    }
    Ok(BackfillChunk {
        start,
        end,
        gpus,
        warnings: warnings.into_vec(),
    })
}

/// The current GPUs straight from dcgm-exporter endpoints (`http://node:9400/metrics`; a
/// bare `host:port` gets `http://` and `/metrics`). Up to eight are fetched at once; every
/// one must answer, and the first failure (in the order given) is the error, naming its URL.
/// A body over the exposition parser's 64 MiB is refused while it is read.
/// Samples without a timestamp (dcgm-exporter writes none) count as read at `options.now`.
pub(crate) fn scrape(
    urls: &[String],
    http_options: &HttpOptions,
    options: &MappingOptions,
) -> Result<FleetSnapshot, FleetError> {
    let urls = urls
        .iter()
        .map(|url| scrape_url(url))
        .collect::<Result<Vec<_>, _>>()?;
    // No point reading more than the parser accepts.
    let capped = HttpOptions {
        max_body_bytes: http_options
            .max_body_bytes
            .min(exposition::MAX_BODY_BYTES as u64),
        ..http_options.clone()
    };
    let client = HttpClient::new(&capped)?;
    let bodies = fetch_all(&client, &urls);
    let mut expositions = Vec::with_capacity(urls.len());
    for (url, body) in urls.iter().zip(bodies) {
        let body = body?;
        let parsed = exposition::parse(&body).map_err(|e| FleetError::Malformed {
            url: redact_url(url),
            reason: e.to_string(),
        })?;
        expositions.push((redact_url(url), parsed.samples));
    }
    let default_ms = options.now.saturating_mul(1000);
    let observations = expositions.iter().flat_map(|(source, samples)| {
        samples.iter().map(move |sample| Observation {
            name: &sample.name,
            labels: &sample.labels,
            value: sample.value,
            timestamp_ms: sample.timestamp_ms.unwrap_or(default_ms),
            source,
        })
    });
    dcgm::map_observations(observations, options)
}

/// `host:9400` → `http://host:9400/metrics`; a URL with a scheme is kept as given.
fn scrape_url(text: &str) -> Result<String, FleetError> {
    let text = text.trim();
    let with_scheme = if text.contains("://") {
        text.to_string()
    } else {
        format!("http://{text}")
    };
    let Some(rest) = with_scheme
        .strip_prefix("http://")
        .or_else(|| with_scheme.strip_prefix("https://"))
    else {
        return Err(FleetError::Invalid(format!(
            "exporter URL '{}' must be http:// or https://",
            redact_url(text)
        )));
    };
    if rest.is_empty() || rest.starts_with('/') {
        return Err(FleetError::Invalid(format!(
            "exporter URL '{}' names no host",
            redact_url(text)
        )));
    }
    Ok(if rest.contains('/') {
        with_scheme
    } else {
        format!("{with_scheme}/metrics")
    })
}

type Fetched = Result<Vec<u8>, FleetError>;

/// Every URL's body, in order, fetched by a few threads.
fn fetch_all(client: &HttpClient, urls: &[String]) -> Vec<Fetched> {
    let next = AtomicUsize::new(0);
    let results: Vec<Mutex<Option<Fetched>>> = urls.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..SCRAPE_PARALLELISM.min(urls.len()) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(url) = urls.get(i) else { break };
                let result = client.get(url, EXPOSITION_ACCEPT);
                // A poisoned slot only means another worker panicked; the panic is
                // re-raised when the scope ends, so the value stored here is never read.
                if let Ok(mut slot) = results[i].lock() {
                    *slot = Some(result);
                }
            });
        }
    });
    results
        .into_iter()
        .zip(urls)
        .map(|(slot, url)| {
            slot.into_inner().ok().flatten().unwrap_or_else(|| {
                Err(FleetError::Http {
                    url: redact_url(url),
                    reason: "the request was never made".into(),
                })
            })
        })
        .collect()
}

fn prometheus_warning(warning: &str) -> String {
    format!(
        "Prometheus: {} (the data may be incomplete)",
        error::one_line(warning, 300)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::test_server::{closed_port_url, Answer, TestServer};

    const NOW: i64 = 1_764_500_000;

    fn loopback() -> HttpOptions {
        HttpOptions {
            proxy_from_env: false,
            ..HttpOptions::default()
        }
    }

    fn fixture(name: &str) -> String {
        let path = format!("{}/tests/fixtures/dcgm/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn scrape_reads_every_exporter_and_merges_them() {
        let h100 = TestServer::answering(Answer::text(200, &fixture("h100-8gpu.prom")));
        let mig = TestServer::answering(Answer::text(200, &fixture("a100-mig.prom")));
        let bare = h100.url("").trim_start_matches("http://").to_string();
        let snapshot = scrape(
            &[bare, mig.url("/metrics")],
            &loopback(),
            &MappingOptions::at(NOW),
        )
        .unwrap();
        assert_eq!(snapshot.gpus.len(), 10);
        let nodes: Vec<&str> = snapshot.gpus.iter().map(|g| g.node.as_str()).collect();
        assert_eq!(nodes[0], "gpu-node-07");
        assert_eq!(nodes[9], "gpu-node-12");
        assert!(snapshot.gpus.iter().all(|g| g.sample.timestamp == NOW));
        let seen = &h100.requests()[0];
        assert_eq!(seen.path, "/metrics", "a bare host:port gets /metrics");
        assert_eq!(seen.header("accept"), Some(EXPOSITION_ACCEPT));
    }

    #[test]
    fn the_same_exporter_twice_is_deduplicated() {
        let h100 = TestServer::answering(Answer::text(200, &fixture("h100-8gpu.prom")));
        let url = h100.url("/metrics");
        let snapshot = scrape(&[url.clone(), url], &loopback(), &MappingOptions::at(NOW)).unwrap();
        assert_eq!(snapshot.gpus.len(), 8);
        assert_eq!(snapshot.gpus[0].workloads.len(), 1);
    }

    #[test]
    fn an_unreachable_or_broken_exporter_fails_the_scrape_naming_it() {
        let good = TestServer::answering(Answer::text(200, &fixture("h100-8gpu.prom")));
        let closed = closed_port_url("/metrics");
        let error = scrape(
            &[good.url("/metrics"), closed.clone()],
            &loopback(),
            &MappingOptions::at(NOW),
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            format!("cannot reach {closed}: connection refused")
        );
        assert_eq!(error.to_error().exit_code(), 6);

        let broken = TestServer::answering(Answer::text(200, "DCGM_FI_DEV_GPU_TEMP{UUID=\"x} 1\n"));
        let url = broken.url("/metrics");
        let error = scrape(
            std::slice::from_ref(&url),
            &loopback(),
            &MappingOptions::at(NOW),
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "malformed answer from {url}: line 1: unterminated value of label 'UUID' of 'DCGM_FI_DEV_GPU_TEMP'"
            )
        );
        assert!(scrape(&["ftp://x".into()], &loopback(), &MappingOptions::at(NOW)).is_err());
    }

    #[test]
    fn scrape_urls_get_a_scheme_and_path_when_bare() {
        assert_eq!(scrape_url("n1:9400").unwrap(), "http://n1:9400/metrics");
        assert_eq!(
            scrape_url("https://n1:9400").unwrap(),
            "https://n1:9400/metrics"
        );
        assert_eq!(scrape_url("http://n1:9400/m").unwrap(), "http://n1:9400/m");
        assert!(scrape_url("http://").is_err());
        assert!(scrape_url("gopher://n1").is_err());
    }

    /// (family, UUID, [(time, value)]).
    type SeriesSpec<'a> = (&'a str, &'a str, &'a [(f64, &'a str)]);

    fn matrix_answer(series: &[SeriesSpec<'_>]) -> String {
        let items: Vec<String> = series
            .iter()
            .map(|(name, uuid, points)| {
                let values: Vec<String> =
                    points.iter().map(|(t, v)| format!("[{t},\"{v}\"]")).collect();
                format!(
                    r#"{{"metric":{{"__name__":"{name}","UUID":"{uuid}","gpu":"0","Hostname":"n1","job":"dcgm"}},"values":[{}]}}"#,
                    values.join(",")
                )
            })
            .collect();
        format!(
            r#"{{"status":"success","warnings":["partial answer"],"data":{{"resultType":"matrix","result":[{}]}}}}"#,
            items.join(",")
        )
    }

    /// An instant vector: (name, UUID, value), every sample at the evaluation time, as
    /// Prometheus answers a plain selector.
    fn vector_answer(at: i64, series: &[(&str, &str, &str)]) -> String {
        let items: Vec<String> = series
            .iter()
            .map(|(name, uuid, value)| {
                let name = match *name {
                    "" => String::new(),
                    name => format!(r#""__name__":"{name}","#),
                };
                format!(
                    r#"{{"metric":{{{name}"UUID":"{uuid}","gpu":"0","Hostname":"n1","job":"dcgm"}},"value":[{at},"{value}"]}}"#
                )
            })
            .collect();
        format!(
            r#"{{"status":"success","warnings":["partial answer"],"data":{{"resultType":"vector","result":[{}]}}}}"#,
            items.join(",")
        )
    }

    /// A Prometheus answering the scrape-time query with `stamps`, any other with `values`.
    fn stamps_and_values(stamps: String, values: String) -> TestServer {
        TestServer::start(move |request| {
            let query = request.form("query").unwrap_or_default();
            let body = if query.contains("timestamp(") {
                &stamps
            } else {
                &values
            };
            Answer::json(200, body)
        })
    }

    #[test]
    fn read_prometheus_asks_at_once_and_judges_freshness_by_scrape_time() {
        let stamps = vector_answer(
            NOW,
            &[
                ("", "GPU-f2e5", &(NOW - 15).to_string()),
                ("", "GPU-0a1e7", &(NOW - 200).to_string()),
            ],
        );
        let values = vector_answer(
            NOW,
            &[
                ("DCGM_FI_DEV_GPU_TEMP", "GPU-f2e5", "41"),
                ("DCGM_FI_DEV_GPU_UTIL", "GPU-f2e5", "77"),
                ("DCGM_FI_DEV_GPU_TEMP", "GPU-0a1e7", "31"),
            ],
        );
        let server = stamps_and_values(stamps, values);
        let client = PrometheusClient::new(&server.url(""), &loopback()).unwrap();
        let snapshot =
            read_prometheus(&client, Some(r#"{job="dcgm"}"#), &MappingOptions::at(NOW)).unwrap();
        assert_eq!(snapshot.gpus.len(), 1);
        let gpu = &snapshot.gpus[0];
        assert_eq!(gpu.sample.uuid, "GPU-f2e5");
        assert_eq!(gpu.sample.temp_c, Some(41));
        assert_eq!(gpu.sample.gpu_util_pct, Some(77));
        assert_eq!(
            gpu.sample.timestamp,
            NOW - 15,
            "the scrape's time, not the query's"
        );
        assert_eq!(snapshot.stale.len(), 1);
        assert_eq!(snapshot.stale[0].uuid, "GPU-0a1e7");
        assert_eq!(snapshot.stale[0].last_seen, NOW - 200);
        assert_eq!(
            snapshot.warnings,
            vec!["Prometheus: partial answer (the data may be incomplete)".to_string()]
        );

        let requests = server.requests();
        assert_eq!(requests.len(), 5, "five queries for the whole fleet");
        let queries: Vec<String> = requests.iter().map(|r| r.form("query").unwrap()).collect();
        let stamps_query = queries.iter().find(|q| q.contains("timestamp(")).unwrap();
        assert!(
            stamps_query.starts_with(
                "max by (UUID, uuid) (timestamp(DCGM_FI_DEV_GPU_TEMP{job=\"dcgm\"})) or "
            ),
            "{stamps_query}"
        );
        let values: Vec<&String> = queries
            .iter()
            .filter(|q| !q.contains("timestamp("))
            .collect();
        assert_eq!(values.len(), 4);
        assert!(
            values.iter().all(|q| q.ends_with(",job=\"dcgm\"}")),
            "{values:?}"
        );
        let asked: usize = values.iter().map(|q| q.matches("DCGM_").count()).sum();
        assert_eq!(
            asked,
            MAPPED_FAMILIES.len(),
            "every family once: {values:?}"
        );
        assert!(requests
            .iter()
            .all(|r| r.form("time") == Some(NOW.to_string())));
    }

    #[test]
    fn a_series_without_a_stamp_counts_at_the_evaluation_time() {
        let values = vector_answer(NOW, &[("DCGM_FI_DEV_GPU_TEMP", "GPU-ae3", "50")]);
        let stamps = vector_answer(NOW, &[]);
        let server = stamps_and_values(stamps, values);
        let client = PrometheusClient::new(&server.url(""), &loopback()).unwrap();
        let snapshot = read_prometheus(&client, None, &MappingOptions::at(NOW)).unwrap();
        assert_eq!(snapshot.gpus[0].sample.timestamp, NOW);
    }

    #[test]
    fn read_prometheus_refuses_a_bad_selector_before_asking() {
        let server = TestServer::answering(Answer::json(200, "{}"));
        let client = PrometheusClient::new(&server.url(""), &loopback()).unwrap();
        let error = read_prometheus(&client, Some("up or vector(1)"), &MappingOptions::at(NOW))
            .unwrap_err();
        assert_eq!(error.to_error().exit_code(), 2);
        assert!(server.requests().is_empty());
    }

    #[test]
    fn backfill_walks_step_aligned_chunks() {
        let body = matrix_answer(&[(
            "DCGM_FI_DEV_GPU_TEMP",
            "GPU-1",
            &[(3600.0, "40"), (3660.0, "41")],
        )]);
        let server = TestServer::answering(Answer::json(200, &body));
        let client = PrometheusClient::new(&server.url(""), &loopback()).unwrap();
        let mut chunks = Vec::new();
        backfill_prometheus(
            &client,
            None,
            3590,
            3600 + 2 * 3600,
            60,
            &MappingOptions::at(NOW),
            |chunk| {
                chunks.push(chunk);
                Ok::<(), FleetError>(())
            },
        )
        .unwrap();
        let ranges: Vec<(i64, i64)> = chunks.iter().map(|c| (c.start, c.end)).collect();
        assert_eq!(ranges, vec![(3600, 7200), (7260, 10800)]);
        let rows = &chunks[0].gpus[0].rows;
        let times: Vec<i64> = rows.iter().map(|r| r.ts).collect();
        assert_eq!(times, vec![3600, 3660]);
        assert_eq!(rows[1].temp_c, Some(41));
        assert_eq!(chunks[0].warnings.len(), 1);
        let query = server.requests()[0].form("query").unwrap();
        assert!(
            !query.contains('['),
            "a plain selector for range queries: {query}"
        );
    }

    /// The H100 fixture as OpenMetrics history: ten minutes from `start`, GPU 0's
    /// temperature rising a degree a minute from 60.
    fn h100_history(start: i64) -> String {
        let fixture = fixture("h100-8gpu.prom");
        let mut history = String::new();
        for minute in 0..10 {
            for line in fixture.lines().filter(|l| !l.starts_with('#')) {
                let (series, value) = line.rsplit_once(' ').unwrap();
                let value = if series.starts_with("DCGM_FI_DEV_GPU_TEMP{gpu=\"0\",") {
                    (60 + minute).to_string()
                } else {
                    value.to_string()
                };
                history.push_str(&format!("{series} {value} {}\n", start + minute * 60));
            }
        }
        history.push_str("# EOF\n");
        history
    }

    #[test]
    fn the_real_prometheus_answers_read_and_backfill() {
        // A day ago on a minute boundary, clear of the head block's last 3 hours.
        let wall = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        let start = (wall - 86_400) / 60 * 60;
        let Some(real) =
            crate::fleet::test_server::real_prometheus_with_history(&h100_history(start))
        else {
            return;
        };
        let client = PrometheusClient::new(&real.url, &loopback()).unwrap();
        let last = start + 9 * 60;

        let snapshot = read_prometheus(
            &client,
            Some(r#"{Hostname="gpu-node-07"}"#),
            &MappingOptions::at(last + 30),
        )
        .unwrap();
        assert_eq!(snapshot.gpus.len(), 8, "{snapshot:?}");
        assert!(snapshot.stale.is_empty() && snapshot.warnings.is_empty());
        let gpu0 = &snapshot.gpus[0];
        assert_eq!(
            gpu0.sample.timestamp, last,
            "the sample's own time, not the query's"
        );
        assert_eq!(gpu0.sample.temp_c, Some(69));
        assert_eq!(gpu0.sample.mem_total_mib, Some(81_559));
        assert_eq!(gpu0.sample.power_mw, Some(612_408));
        assert_eq!(gpu0.workloads[0].pod, "llm-train-7b9f4-0");

        // Three minutes later: every GPU is stale, none current.
        let later = read_prometheus(&client, None, &MappingOptions::at(last + 180)).unwrap();
        assert!(later.gpus.is_empty());
        assert_eq!(later.stale.len(), 8);
        assert_eq!(later.stale[0].last_seen, last);

        let mut chunks = Vec::new();
        backfill_prometheus(
            &client,
            None,
            start,
            last,
            60,
            &MappingOptions::at(0),
            |chunk| {
                chunks.push(chunk);
                Ok::<(), FleetError>(())
            },
        )
        .unwrap();
        assert_eq!(chunks.len(), 1);
        let gpus = &chunks[0].gpus;
        assert_eq!(gpus.len(), 8);
        assert_eq!(gpus[0].rows.len(), 10);
        for (minute, row) in gpus[0].rows.iter().enumerate() {
            assert_eq!(row.ts, start + minute as i64 * 60);
            assert_eq!(row.temp_c, Some(60 + minute as u32));
            assert_eq!(row.power_mw, Some(612_408));
        }
    }
}
