//! A client of the Prometheus HTTP API v1: instant queries (`/api/v1/query`) and range
//! queries (`/api/v1/query_range`), chunked so no answer exceeds Prometheus's 11,000 points
//! per series or a bounded stretch of time.

use std::collections::BTreeMap;

use serde::de::{
    DeserializeSeed, Deserializer, Error as _, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::error::{one_line, redact_url, FleetError};
use super::exposition::{self, LabelOperators};
use super::http::{body_excerpt, HttpClient, HttpOptions, HttpResponse, Streamed};

/// Prometheus refuses a range query with more points than this per series.
pub(crate) const MAX_POINTS_PER_SERIES: i64 = 11_000;
/// The longest stretch one range request covers by default. A fleet of 1,000 nodes × 8 GPUs
/// × 15 families at one point a minute is about 7 M points (≈150 MB of JSON) per hour, so an
/// hour keeps one answer, and the memory it takes, well under the 256 MiB body cap.
pub(crate) const DEFAULT_MAX_CHUNK_SECS: i64 = 3600;

/// One sample of a series: milliseconds since the epoch (Prometheus's resolution) and value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Point {
    pub(crate) timestamp_ms: i64,
    pub(crate) value: f64,
}

/// One series of an answer: its name (`__name__`, absent after most functions), its other
/// labels sorted by name, and its points in time order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Series {
    pub(crate) name: Option<String>,
    pub(crate) labels: Vec<(String, String)>,
    pub(crate) points: Vec<Point>,
}

/// The `data` of an answer, by `resultType`. A vector's series have one point each.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ResultData {
    Vector(Vec<Series>),
    Matrix(Vec<Series>),
    Scalar(Point),
    String { timestamp_ms: i64, value: String },
}

impl ResultData {
    /// The series of a vector or matrix; none for a scalar or string.
    pub(crate) fn into_series(self) -> Vec<Series> {
        match self {
            ResultData::Vector(series) | ResultData::Matrix(series) => series,
            ResultData::Scalar(_) | ResultData::String { .. } => Vec::new(),
        }
    }
}

/// A successful answer. Warnings mean the data may be partial (a remote store timed out).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct QueryResult {
    pub(crate) data: ResultData,
    pub(crate) warnings: Vec<String>,
}

/// A Prometheus server (or anything that serves its API: Thanos, Mimir, VictoriaMetrics).
#[derive(Debug)]
pub(crate) struct PrometheusClient {
    base_url: String,
    http: HttpClient,
}

impl PrometheusClient {
    /// `base_url` such as `http://prometheus:9090` or `https://host/prometheus/`.
    pub(crate) fn new(base_url: &str, options: &HttpOptions) -> Result<Self, FleetError> {
        Self::with_http(base_url, HttpClient::new(options)?)
    }

    pub(crate) fn with_http(base_url: &str, http: HttpClient) -> Result<Self, FleetError> {
        let trimmed = base_url.trim().trim_end_matches('/');
        let rest = trimmed
            .strip_prefix("http://")
            .or_else(|| trimmed.strip_prefix("https://"));
        if rest.is_none_or(|rest| rest.is_empty() || rest.starts_with('/')) {
            return Err(FleetError::Invalid(format!(
                "Prometheus URL '{}' must be http:// or https:// and a host",
                redact_url(base_url)
            )));
        }
        Ok(PrometheusClient {
            base_url: trimmed.to_string(),
            http,
        })
    }

    /// The URL as given (trailing `/` removed), credentials redacted, for messages.
    pub(crate) fn display_url(&self) -> String {
        redact_url(&self.base_url)
    }

    /// `query` evaluated at `at_unix` (seconds).
    pub(crate) fn instant(&self, query: &str, at_unix: i64) -> Result<QueryResult, FleetError> {
        let time = at_unix.to_string();
        let timeout = self.server_timeout();
        self.post(
            "/api/v1/query",
            &[("query", query), ("time", &time), ("timeout", &timeout)],
        )
    }

    /// `query` evaluated every `step` seconds from `start` through `end` in one request; more
    /// than 11,000 points per series is refused here, before Prometheus refuses it.
    #[cfg(test)]
    pub(crate) fn range(
        &self,
        query: &str,
        start: i64,
        end: i64,
        step: i64,
    ) -> Result<QueryResult, FleetError> {
        check_range_points(start, end, step)?;
        let (start, end, step) = (start.to_string(), end.to_string(), step.to_string());
        let timeout = self.server_timeout();
        self.post(
            "/api/v1/query_range",
            &[
                ("query", query),
                ("start", &start),
                ("end", &end),
                ("step", &step),
                ("timeout", &timeout),
            ],
        )
    }

    /// `query` evaluated at `at_unix`, each series handed to `on_series` as the answer is read,
    /// so memory never holds the whole answer. Returns Prometheus's warnings.
    pub(crate) fn instant_each(
        &self,
        query: &str,
        at_unix: i64,
        on_series: &mut dyn FnMut(SeriesView<'_>) -> Result<(), FleetError>,
    ) -> Result<Vec<String>, FleetError> {
        let time = at_unix.to_string();
        let timeout = self.server_timeout();
        self.post_streamed(
            "/api/v1/query",
            &[("query", query), ("time", &time), ("timeout", &timeout)],
            on_series,
        )
    }

    /// [`PrometheusClient::range`], each series handed to `on_series` as the answer is read.
    pub(crate) fn range_each(
        &self,
        query: &str,
        start: i64,
        end: i64,
        step: i64,
        on_series: &mut dyn FnMut(SeriesView<'_>) -> Result<(), FleetError>,
    ) -> Result<Vec<String>, FleetError> {
        check_range_points(start, end, step)?;
        let (start, end, step) = (start.to_string(), end.to_string(), step.to_string());
        let timeout = self.server_timeout();
        self.post_streamed(
            "/api/v1/query_range",
            &[
                ("query", query),
                ("start", &start),
                ("end", &end),
                ("step", &step),
                ("timeout", &timeout),
            ],
            on_series,
        )
    }

    /// Prometheus stops evaluating when we would stop waiting anyway.
    fn server_timeout(&self) -> String {
        format!("{}ms", self.http.timeout().as_millis().max(1))
    }

    /// POSTs a query and reads its answer as it streams in, handing each series of a vector or
    /// matrix to `on_series`; the first error (`on_series`'s, a transport failure or malformed
    /// JSON) ends the read. Refusals are read whole and reported as [`PrometheusClient::post`]
    /// reports them.
    fn post_streamed(
        &self,
        path: &str,
        form: &[(&str, &str)],
        on_series: &mut dyn FnMut(SeriesView<'_>) -> Result<(), FleetError>,
    ) -> Result<Vec<String>, FleetError> {
        let full_url = format!("{}{path}", self.base_url);
        let outcome =
            self.http
                .post_form_streamed(&full_url, form, "application/json", |reader| {
                    let mut sink = SeriesSink {
                        on_series,
                        failure: None,
                        buffer: SeriesBuffer::default(),
                    };
                    // The body whole, then parsed in place: serde_json reads a stream a byte
                    // at a time (three times slower). Callers keep each answer to a few
                    // families, so a body stays a few MiB.
                    let mut body = Vec::new();
                    if let Err(e) = reader.read_to_end(&mut body) {
                        return Err(self.http.read_failure(&full_url, e));
                    }
                    let mut de = serde_json::Deserializer::from_slice(&body);
                    let parsed = EnvelopeSeed { sink: &mut sink }
                        .deserialize(&mut de)
                        .and_then(|envelope| de.end().map(|()| envelope));
                    match parsed {
                        Ok(envelope) => Ok(Ok(envelope)),
                        Err(_) if sink.failure.is_some() => {
                            Err(sink.failure.take().unwrap_or_else(|| {
                                // Checked just above: the sink holds the failure.
                                FleetError::Invalid("stopped".into())
                            }))
                        }
                        Err(e) if e.is_io() => Err(self.http.read_failure(&full_url, e.into())),
                        Err(e) => Ok(Err(e)),
                    }
                })?;
        let url = redact_url(&full_url);
        let envelope = match outcome {
            Streamed::Refused(response) => return Err(refusal(url, &response)),
            Streamed::Read(Ok(envelope)) => envelope,
            Streamed::Read(Err(e)) => {
                return Err(FleetError::Malformed {
                    url,
                    reason: format!(
                        "not a Prometheus API answer ({})",
                        one_line(&e.to_string(), 120)
                    ),
                })
            }
        };
        match envelope.status.as_deref() {
            Some("success") => match envelope.result_type.as_deref() {
                Some("vector" | "matrix") => Ok(envelope.warnings),
                Some(other) => Err(FleetError::Malformed {
                    url,
                    reason: format!(
                        "expected a vector or matrix, got resultType '{}'",
                        one_line(other, 40)
                    ),
                }),
                None => Err(FleetError::Malformed {
                    url,
                    reason: "a successful answer without data".into(),
                }),
            },
            Some("error") => Err(FleetError::Api {
                url,
                error_type: envelope.error_type.unwrap_or_else(|| "unknown".into()),
                error: one_line(envelope.error.as_deref().unwrap_or("no message"), 300),
            }),
            Some(other) => Err(FleetError::Malformed {
                url,
                reason: format!("unknown status '{}'", one_line(other, 40)),
            }),
            None => Err(FleetError::Malformed {
                url,
                reason: "not a Prometheus API answer (no status)".into(),
            }),
        }
    }

    fn post(&self, path: &str, form: &[(&str, &str)]) -> Result<QueryResult, FleetError> {
        let url = format!("{}{path}", self.base_url);
        let response = self.http.post_form(&url, form, "application/json")?;
        let url = redact_url(&url);
        if !response.is_success() {
            return Err(refusal(url, &response));
        }
        let envelope = match serde_json::from_slice::<Envelope>(&response.body) {
            Ok(envelope) => envelope,
            Err(e) => {
                return Err(FleetError::Malformed {
                    url,
                    reason: format!(
                        "not a Prometheus API answer ({}): {}",
                        one_line(&e.to_string(), 100),
                        body_excerpt(&response.body)
                    ),
                })
            }
        };
        match envelope.status.as_str() {
            "error" => Err(FleetError::Api {
                url,
                error_type: envelope.error_type.unwrap_or_else(|| "unknown".into()),
                error: one_line(envelope.error.as_deref().unwrap_or("no message"), 300),
            }),
            "success" => {
                let Some(data) = envelope.data else {
                    return Err(FleetError::Malformed {
                        url,
                        reason: "a successful answer without data".into(),
                    });
                };
                let data = parse_data(data).map_err(|reason| FleetError::Malformed {
                    url: url.clone(),
                    reason,
                })?;
                Ok(QueryResult {
                    data,
                    warnings: envelope.warnings,
                })
            }
            other => Err(FleetError::Malformed {
                url,
                reason: format!("unknown status '{}'", one_line(other, 40)),
            }),
        }
    }
}

/// The evaluation ranges of a chunked range query, inclusive, each on the `start + k·step`
/// grid, at most 11,000 points and `max_chunk_secs` seconds long, with no time in two.
pub(crate) fn range_chunks(
    start: i64,
    end: i64,
    step: i64,
    max_chunk_secs: i64,
) -> Result<Vec<(i64, i64)>, FleetError> {
    check_range(start, end, step)?;
    if max_chunk_secs < 1 {
        return Err(FleetError::Invalid(format!(
            "the chunk length must be at least 1 s, not {max_chunk_secs}"
        )));
    }
    let points = (max_chunk_secs / step + 1).min(MAX_POINTS_PER_SERIES);
    let span = (points - 1).saturating_mul(step);
    let mut chunks = Vec::new();
    let mut chunk_start = start;
    while chunk_start <= end {
        let chunk_end = chunk_start.saturating_add(span).min(end);
        chunks.push((chunk_start, chunk_end));
        // The next grid point after this chunk's last one.
        let last = chunk_start + (chunk_end - chunk_start) / step * step;
        match last.checked_add(step) {
            Some(next) => chunk_start = next,
            None => break,
        }
    }
    Ok(chunks)
}

/// [`check_range`], and at most 11,000 points per series.
fn check_range_points(start: i64, end: i64, step: i64) -> Result<(), FleetError> {
    check_range(start, end, step)?;
    let points = (i128::from(end) - i128::from(start)) / i128::from(step) + 1;
    if points > i128::from(MAX_POINTS_PER_SERIES) {
        return Err(FleetError::Invalid(format!(
            "a range of {points} steps is more than Prometheus's {MAX_POINTS_PER_SERIES} \
             points per series; query it in chunks"
        )));
    }
    Ok(())
}

fn check_range(start: i64, end: i64, step: i64) -> Result<(), FleetError> {
    if step < 1 {
        return Err(FleetError::Invalid(format!(
            "the step must be at least 1 s, not {step}"
        )));
    }
    if start > end {
        return Err(FleetError::Invalid(format!(
            "the range starts ({start}) after it ends ({end})"
        )));
    }
    Ok(())
}

/// The PromQL that reads every series gpuctl maps, from the exporters `selector` picks (such
/// as `{job="dcgm-exporter"}`, with or without braces; `=`, `!=`, `=~`, `!~` allowed).
/// With `window_secs` it is a range vector (`…[300s]`): its samples keep their own times,
/// so the newest one tells how fresh a series is; without, a plain selector for range queries.
#[cfg(test)]
pub(crate) fn fleet_query(
    selector: Option<&str>,
    window_secs: Option<i64>,
) -> Result<String, FleetError> {
    families_query(super::dcgm::MAPPED_FAMILIES, selector, window_secs)
}

/// [`fleet_query`] for the series of `families` only.
pub(crate) fn families_query(
    families: &[&str],
    selector: Option<&str>,
    window_secs: Option<i64>,
) -> Result<String, FleetError> {
    let mut query = String::from("{__name__=~");
    exposition::write_quoted(&mut query, &families.join("|"));
    for matcher in selector_matchers(selector)? {
        query.push(',');
        query.push_str(&matcher);
    }
    query.push('}');
    if let Some(window) = window_secs {
        if window < 1 {
            return Err(FleetError::Invalid(format!(
                "the window must be at least 1 s, not {window}"
            )));
        }
        query.push_str(&format!("[{window}s]"));
    }
    Ok(query)
}

/// The label that names a GPU in [`stamps_query`]'s answer (either spelling).
pub(crate) const STAMP_LABELS: &[&str] = &["UUID", "uuid"];

/// The families whose sample times tell when a GPU was scraped: dcgm-exporter's defaults
/// export them for whole GPUs and MIG instances alike. A few, not all: each costs Prometheus
/// a pass over the fleet's series (all sixteen took 0.6 s of 8,000 GPUs).
const STAMP_FAMILIES: &[&str] = &[
    "DCGM_FI_DEV_GPU_TEMP",
    "DCGM_FI_DEV_POWER_USAGE",
    "DCGM_FI_DEV_FB_USED",
    "DCGM_FI_PROF_GR_ENGINE_ACTIVE",
];

/// The PromQL for when each GPU was last scraped: per family of [`STAMP_FAMILIES`], the newest
/// sample time of its series per GPU UUID, the families joined with `or`. An instant vector's
/// samples carry the evaluation time, not their own; `timestamp()` of a plain selector gives
/// their own, but cannot take several families at once (the names it drops would collide).
/// The answer has one small series per GPU, beside the values query's one per GPU and family.
pub(crate) fn stamps_query(selector: Option<&str>) -> Result<String, FleetError> {
    let matchers = selector_matchers(selector)?.join(",");
    let by = STAMP_LABELS.join(", ");
    Ok(STAMP_FAMILIES
        .iter()
        .map(|family| format!("max by ({by}) (timestamp({family}{{{matchers}}}))"))
        .collect::<Vec<_>>()
        .join(" or "))
}

/// A selector's matchers as PromQL (`job="dcgm"`), checked; none for no selector.
fn selector_matchers(selector: Option<&str>) -> Result<Vec<String>, FleetError> {
    let Some(selector) = selector.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(Vec::new());
    };
    let braced = if selector.starts_with('{') {
        selector.to_string()
    } else {
        format!("{{{selector}}}")
    };
    let matchers =
        exposition::parse_label_set(&braced, LabelOperators::Matchers).map_err(|reason| {
            FleetError::Invalid(format!(
                "invalid selector '{}': {reason} (expected labels such as {{job=\"dcgm-exporter\"}})",
                one_line(selector, 200)
            ))
        })?;
    Ok(matchers
        .into_iter()
        .map(|matcher| {
            let mut text = format!("{}{}", matcher.name, matcher.op);
            exposition::write_quoted(&mut text, &matcher.value);
            text
        })
        .collect())
}

/// The error for a non-2xx answer: Prometheus's own `"status":"error"` message when the body
/// is one, else the status and the start of the body.
fn refusal(url: String, response: &HttpResponse) -> FleetError {
    match serde_json::from_slice::<Envelope>(&response.body) {
        Ok(envelope) if envelope.status == "error" => FleetError::Api {
            url,
            error_type: envelope.error_type.unwrap_or_else(|| "unknown".into()),
            error: one_line(envelope.error.as_deref().unwrap_or("no message"), 300),
        },
        _ => FleetError::Status {
            url,
            status: response.status,
            excerpt: response.excerpt(),
        },
    }
}

/// Where a streamed answer's series go, and the first error the receiver gave.
struct SeriesSink<'s> {
    on_series: &'s mut dyn FnMut(SeriesView<'_>) -> Result<(), FleetError>,
    failure: Option<FleetError>,
    /// The series being read, its strings reused from one series to the next: an answer of
    /// 100,000 series costs no allocation per label.
    buffer: SeriesBuffer,
}

/// One series of a streamed answer, borrowed for the call that receives it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SeriesView<'a> {
    pub(crate) name: Option<&'a str>,
    /// Its other labels, in the answer's order (Prometheus sorts them by name).
    pub(crate) labels: &'a [(String, String)],
    pub(crate) points: &'a [Point],
}

impl SeriesView<'_> {
    /// An owned copy, labels sorted by name.
    #[cfg(test)]
    pub(crate) fn to_series(self) -> Series {
        let mut labels = self.labels.to_vec();
        labels.sort();
        Series {
            name: self.name.map(str::to_string),
            labels,
            points: self.points.to_vec(),
        }
    }
}

#[derive(Debug, Default)]
struct SeriesBuffer {
    name: String,
    has_name: bool,
    labels: Vec<(String, String)>,
    used: usize,
    key: String,
    value: String,
    points: Vec<Point>,
    /// A value field was present (`value`/`values`); a native histogram has neither.
    has_value: bool,
}

impl SeriesBuffer {
    fn clear(&mut self) {
        self.has_name = false;
        self.used = 0;
        self.points.clear();
        self.has_value = false;
    }

    fn view(&self) -> SeriesView<'_> {
        SeriesView {
            name: self.has_name.then_some(self.name.as_str()),
            labels: &self.labels[..self.used],
            points: &self.points,
        }
    }
}

/// Reads a JSON string into an existing `String`, keeping its capacity.
struct StrInto<'b>(&'b mut String);

impl<'de> DeserializeSeed<'de> for StrInto<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for StrInto<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<(), E> {
        self.0.clear();
        self.0.push_str(v);
        Ok(())
    }
}

/// One series object: `metric`, and `value` or `values`, into the buffer.
struct ItemSeed<'b>(&'b mut SeriesBuffer);

impl<'de> DeserializeSeed<'de> for ItemSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ItemSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a series object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let buffer = self.0;
        buffer.clear();
        while let Some(key) = map.next_key::<ItemKey>()? {
            match key {
                ItemKey::Metric => map.next_value_seed(LabelsSeed(&mut *buffer))?,
                ItemKey::Value => {
                    buffer.has_value = true;
                    let point = map.next_value_seed(PointSeed(&mut buffer.value))?;
                    buffer.points.push(point);
                }
                ItemKey::Values => {
                    buffer.has_value = true;
                    map.next_value_seed(PointsSeed(&mut *buffer))?;
                }
                ItemKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// The keys of a series object gpuctl reads.
enum ItemKey {
    Metric,
    Value,
    Values,
    Other,
}

impl<'de> Deserialize<'de> for ItemKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = ItemKey;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<ItemKey, E> {
                Ok(match v {
                    "metric" => ItemKey::Metric,
                    "value" => ItemKey::Value,
                    "values" => ItemKey::Values,
                    _ => ItemKey::Other,
                })
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// `metric`: `__name__` apart, the other labels into the reused pairs.
struct LabelsSeed<'b>(&'b mut SeriesBuffer);

impl<'de> DeserializeSeed<'de> for LabelsSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for LabelsSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a label set")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let buffer = self.0;
        while map.next_key_seed(StrInto(&mut buffer.key))?.is_some() {
            if buffer.key == "__name__" {
                map.next_value_seed(StrInto(&mut buffer.name))?;
                buffer.has_name = true;
                continue;
            }
            if buffer.used == buffer.labels.len() {
                buffer.labels.push((String::new(), String::new()));
            }
            let (name, value) = &mut buffer.labels[buffer.used];
            name.clear();
            name.push_str(&buffer.key);
            map.next_value_seed(StrInto(value))?;
            buffer.used += 1;
        }
        Ok(())
    }
}

/// `[time, "value"]`.
struct PointSeed<'b>(&'b mut String);

impl<'de> DeserializeSeed<'de> for PointSeed<'_> {
    type Value = Point;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Point, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for PointSeed<'_> {
    type Value = Point;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a [time, \"value\"] pair")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Point, A::Error> {
        let time: f64 = seq
            .next_element()?
            .ok_or_else(|| A::Error::custom("a point without a time"))?;
        seq.next_element_seed(StrInto(&mut *self.0))?
            .ok_or_else(|| A::Error::custom("a point without a value"))?;
        if seq.next_element::<IgnoredAny>()?.is_some() {
            return Err(A::Error::custom(
                "a point with more than a time and a value",
            ));
        }
        point_of(time, self.0).map_err(A::Error::custom)
    }
}

/// `[[time, "value"], …]` appended to the buffer's points.
struct PointsSeed<'b>(&'b mut SeriesBuffer);

impl<'de> DeserializeSeed<'de> for PointsSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for PointsSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an array of points")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let buffer = self.0;
        while let Some(point) = seq.next_element_seed(PointSeed(&mut buffer.value))? {
            buffer.points.push(point);
        }
        Ok(())
    }
}

/// What a streamed answer says besides its series.
#[derive(Default)]
struct StreamedEnvelope {
    status: Option<String>,
    result_type: Option<String>,
    error_type: Option<String>,
    error: Option<String>,
    warnings: Vec<String>,
}

/// Reads `{"status":…,"data":{"resultType":…,"result":[…]},"warnings":[…]}` in any key order,
/// the result's series one at a time.
struct EnvelopeSeed<'a, 's> {
    sink: &'a mut SeriesSink<'s>,
}

impl<'de> DeserializeSeed<'de> for EnvelopeSeed<'_, '_> {
    type Value = StreamedEnvelope;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for EnvelopeSeed<'_, '_> {
    type Value = StreamedEnvelope;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a Prometheus API answer")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut envelope = StreamedEnvelope::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "status" => envelope.status = Some(map.next_value()?),
                "data" => {
                    envelope.result_type = map.next_value_seed(DataSeed {
                        sink: &mut *self.sink,
                    })?
                }
                "errorType" => envelope.error_type = map.next_value()?,
                "error" => envelope.error = map.next_value()?,
                "warnings" => {
                    envelope.warnings = map.next_value::<Option<Vec<String>>>()?.unwrap_or_default()
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(envelope)
    }
}

/// `data`: its `resultType`, and each series of its `result` handed to the sink.
struct DataSeed<'a, 's> {
    sink: &'a mut SeriesSink<'s>,
}

impl<'de> DeserializeSeed<'de> for DataSeed<'_, '_> {
    type Value = Option<String>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for DataSeed<'_, '_> {
    type Value = Option<String>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("the answer's data")
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut result_type = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "resultType" => result_type = Some(map.next_value::<String>()?),
                "result" => map.next_value_seed(ResultSeed {
                    sink: &mut *self.sink,
                })?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        // An answer without a resultType is not one gpuctl can read.
        Ok(Some(result_type.unwrap_or_default()))
    }
}

/// `result`: an array of series objects (a vector's or a matrix's).
struct ResultSeed<'a, 's> {
    sink: &'a mut SeriesSink<'s>,
}

impl<'de> DeserializeSeed<'de> for ResultSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ResultSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an array of series")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let sink = self.sink;
        while seq.next_element_seed(ItemSeed(&mut sink.buffer))?.is_some() {
            // A native-histogram sample (no `value`) or an empty series: nothing gpuctl maps.
            if !sink.buffer.has_value || sink.buffer.points.is_empty() {
                continue;
            }
            if let Err(failure) = (sink.on_series)(sink.buffer.view()) {
                sink.failure = Some(failure);
                return Err(A::Error::custom("stopped by the receiver"));
            }
        }
        Ok(())
    }
}

#[derive(Deserialize)]
struct Envelope<'a> {
    status: String,
    #[serde(borrow)]
    data: Option<&'a RawValue>,
    #[serde(rename = "errorType")]
    error_type: Option<String>,
    error: Option<String>,
    #[serde(default)]
    warnings: Vec<String>,
}

#[derive(Deserialize)]
struct Data<'a> {
    #[serde(rename = "resultType")]
    result_type: String,
    #[serde(borrow)]
    result: &'a RawValue,
}

/// A vector element; `value` is absent for a native-histogram sample, which gpuctl skips.
#[derive(Deserialize)]
struct VectorItem {
    #[serde(default)]
    metric: BTreeMap<String, String>,
    value: Option<(f64, String)>,
}

#[derive(Deserialize)]
struct MatrixItem {
    #[serde(default)]
    metric: BTreeMap<String, String>,
    #[serde(default)]
    values: Vec<(f64, String)>,
}

fn parse_data(raw: &RawValue) -> Result<ResultData, String> {
    let data: Data = serde_json::from_str(raw.get()).map_err(|e| json_reason("data", &e))?;
    let result = data.result.get();
    match data.result_type.as_str() {
        "vector" => {
            let items: Vec<VectorItem> =
                serde_json::from_str(result).map_err(|e| json_reason("vector", &e))?;
            let mut series = Vec::with_capacity(items.len());
            for item in items {
                let Some(value) = item.value else { continue };
                let point = point(value)?;
                series.push(new_series(item.metric, vec![point]));
            }
            Ok(ResultData::Vector(series))
        }
        "matrix" => {
            let items: Vec<MatrixItem> =
                serde_json::from_str(result).map_err(|e| json_reason("matrix", &e))?;
            let mut series = Vec::with_capacity(items.len());
            for item in items {
                if item.values.is_empty() {
                    continue;
                }
                let points = item
                    .values
                    .into_iter()
                    .map(point)
                    .collect::<Result<Vec<_>, _>>()?;
                series.push(new_series(item.metric, points));
            }
            Ok(ResultData::Matrix(series))
        }
        "scalar" => {
            let value: (f64, String) =
                serde_json::from_str(result).map_err(|e| json_reason("scalar", &e))?;
            Ok(ResultData::Scalar(point(value)?))
        }
        "string" => {
            let (time, value): (f64, String) =
                serde_json::from_str(result).map_err(|e| json_reason("string", &e))?;
            Ok(ResultData::String {
                timestamp_ms: seconds_to_ms(time)?,
                value,
            })
        }
        other => Err(format!("unknown resultType '{}'", one_line(other, 40))),
    }
}

fn json_reason(what: &str, e: &serde_json::Error) -> String {
    format!("bad {what} JSON: {}", one_line(&e.to_string(), 120))
}

fn new_series(mut metric: BTreeMap<String, String>, points: Vec<Point>) -> Series {
    let name = metric.remove("__name__");
    Series {
        name,
        labels: metric.into_iter().collect(),
        points,
    }
}

fn point((time, value): (f64, String)) -> Result<Point, String> {
    point_of(time, &value)
}

fn point_of(time: f64, value: &str) -> Result<Point, String> {
    let parsed = exposition::parse_value(value)
        .ok_or_else(|| format!("sample value '{}' is not a number", one_line(value, 40)))?;
    Ok(Point {
        timestamp_ms: seconds_to_ms(time)?,
        value: parsed,
    })
}

/// Prometheus's float seconds (millisecond resolution) as integer milliseconds.
pub(crate) fn seconds_to_ms(seconds: f64) -> Result<i64, String> {
    let ms = (seconds * 1000.0).round();
    // i64 holds ±292 million years of milliseconds; anything past ±2^53 is not a real time.
    if !ms.is_finite() || ms.abs() > 9_007_199_254_740_992.0 {
        return Err(format!("sample time {seconds} is not a time"));
    }
    Ok(ms as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::test_server::{closed_port_url, Answer, TestServer};

    fn client_for(server: &TestServer) -> PrometheusClient {
        let options = HttpOptions {
            proxy_from_env: false,
            ..HttpOptions::default()
        };
        PrometheusClient::new(&server.url("/"), &options).unwrap()
    }

    const VECTOR: &str = r#"{"status":"success","data":{"resultType":"vector","result":[
        {"metric":{"__name__":"DCGM_FI_DEV_GPU_TEMP","UUID":"GPU-1","gpu":"0"},"value":[1764500000.5,"41"]},
        {"metric":{"__name__":"DCGM_FI_DEV_GPU_TEMP","UUID":"GPU-2","gpu":"1"},"value":[1764500000.5,"NaN"]},
        {"metric":{"job":"x"},"value":[1764500000,"+Inf"]}]}}"#;

    #[test]
    fn instant_posts_the_query_and_reads_a_vector() {
        let server = TestServer::answering(Answer::json(200, VECTOR));
        let result = client_for(&server)
            .instant("DCGM_FI_DEV_GPU_TEMP", 1_764_500_000)
            .unwrap();
        let ResultData::Vector(series) = result.data else {
            panic!("a vector: {result:?}");
        };
        assert_eq!(series.len(), 3);
        assert_eq!(series[0].name.as_deref(), Some("DCGM_FI_DEV_GPU_TEMP"));
        assert_eq!(
            series[0].labels,
            vec![
                ("UUID".to_string(), "GPU-1".to_string()),
                ("gpu".to_string(), "0".to_string())
            ]
        );
        assert_eq!(
            series[0].points,
            vec![Point {
                timestamp_ms: 1_764_500_000_500,
                value: 41.0
            }]
        );
        assert!(series[1].points[0].value.is_nan());
        assert_eq!(series[2].name, None);
        assert_eq!(series[2].points[0].value, f64::INFINITY);
        assert!(result.warnings.is_empty());

        let seen = &server.requests()[0];
        assert_eq!(
            (seen.method.as_str(), seen.path.as_str()),
            ("POST", "/api/v1/query")
        );
        assert_eq!(seen.form("query").as_deref(), Some("DCGM_FI_DEV_GPU_TEMP"));
        assert_eq!(seen.form("time").as_deref(), Some("1764500000"));
        assert_eq!(seen.form("timeout").as_deref(), Some("10000ms"));
    }

    #[test]
    fn matrix_scalar_and_string_results() {
        let matrix = r#"{"status":"success","data":{"resultType":"matrix","result":[
            {"metric":{"__name__":"m","a":"b"},"values":[[100,"1"],[115.25,"-Inf"]]},
            {"metric":{"__name__":"h"},"histograms":[[100,{"count":"1"}]]}]}}"#;
        let server = TestServer::answering(Answer::json(200, matrix));
        let result = client_for(&server).range("m", 100, 130, 15).unwrap();
        let ResultData::Matrix(series) = result.data else {
            panic!("a matrix");
        };
        assert_eq!(series.len(), 1, "histogram-only series are skipped");
        assert_eq!(series[0].points[1].timestamp_ms, 115_250);
        assert_eq!(series[0].points[1].value, f64::NEG_INFINITY);
        let seen = &server.requests()[0];
        assert_eq!(seen.path, "/api/v1/query_range");
        assert_eq!(
            (seen.form("start"), seen.form("end"), seen.form("step")),
            (Some("100".into()), Some("130".into()), Some("15".into()))
        );

        let scalar = TestServer::answering(Answer::json(
            200,
            r#"{"status":"success","data":{"resultType":"scalar","result":[12.5,"3"]}}"#,
        ));
        assert_eq!(
            client_for(&scalar).instant("3", 12).unwrap().data,
            ResultData::Scalar(Point {
                timestamp_ms: 12_500,
                value: 3.0
            })
        );
        let string = TestServer::answering(Answer::json(
            200,
            r#"{"status":"success","data":{"resultType":"string","result":[1,"hi"]}}"#,
        ));
        assert_eq!(
            client_for(&string).instant("\"hi\"", 1).unwrap().data,
            ResultData::String {
                timestamp_ms: 1000,
                value: "hi".into()
            }
        );
    }

    #[test]
    fn warnings_come_back_with_the_partial_data() {
        let body = r#"{"status":"success","warnings":["remote store timed out"],
            "data":{"resultType":"vector","result":[]}}"#;
        let server = TestServer::answering(Answer::json(200, body));
        let result = client_for(&server).instant("up", 1).unwrap();
        assert_eq!(result.warnings, vec!["remote store timed out".to_string()]);
        assert_eq!(result.data, ResultData::Vector(Vec::new()));
    }

    #[test]
    fn an_error_status_names_its_type_and_message() {
        let body = r#"{"status":"error","errorType":"bad_data","error":"1:5: parse error: unexpected \"}\""}"#;
        let server = TestServer::answering(Answer::json(400, body));
        let error = client_for(&server).instant("up{", 1).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "Prometheus at {} refused the query: bad_data: 1:5: parse error: unexpected \"}}\"",
                server.url("/api/v1/query")
            )
        );
        assert_eq!(error.to_error().exit_code(), 2);

        let timeout = r#"{"status":"error","errorType":"timeout","error":"query timed out"}"#;
        let server = TestServer::answering(Answer::json(503, timeout));
        let error = client_for(&server).instant("up", 1).unwrap_err();
        assert_eq!(error.to_error().exit_code(), 6);
    }

    #[test]
    fn a_503_with_a_plain_body_quotes_it() {
        let server = TestServer::answering(Answer::text(503, "Service Unavailable\n"));
        let error = client_for(&server).instant("up", 1).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "{} answered HTTP 503: Service Unavailable",
                server.url("/api/v1/query")
            )
        );
    }

    #[test]
    fn malformed_answers_are_errors_naming_what_is_wrong() {
        let cases = [
            ("<html>oops</html>", "not a Prometheus API answer"),
            (
                r#"{"status":"success"}"#,
                "a successful answer without data",
            ),
            (
                r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"x"]}]}}"#,
                "sample value 'x' is not a number",
            ),
            (
                r#"{"status":"success","data":{"resultType":"tensor","result":[]}}"#,
                "unknown resultType 'tensor'",
            ),
            (
                r#"{"status":"success","data":{"resultType":"matrix","result":{}}}"#,
                "bad matrix JSON",
            ),
            (
                r#"{"status":"maybe","data":null}"#,
                "unknown status 'maybe'",
            ),
        ];
        for (body, expected) in cases {
            let server = TestServer::answering(Answer::json(200, body));
            let error = client_for(&server).instant("up", 1).unwrap_err();
            let message = error.to_string();
            assert!(
                message.starts_with(&format!(
                    "malformed answer from {}: ",
                    server.url("/api/v1/query")
                )) && message.contains(expected),
                "{body} → {message}"
            );
            assert_eq!(error.to_error().exit_code(), 6);
        }
    }

    #[test]
    fn a_streamed_answer_hands_over_each_series_and_its_warnings() {
        let body = r#"{"status":"success","data":{"result":[
            {"metric":{"__name__":"a","UUID":"GPU-1"},"value":[10.5,"1"]},
            {"metric":{"__name__":"h"},"histogram":[10,{"count":"1"}]},
            {"metric":{"__name__":"b","UUID":"GPU-2"},"values":[[10,"2"],[70,"NaN"]]}
        ],"resultType":"matrix"},"warnings":["slow"],"infos":["ignored"]}"#;
        let server = TestServer::answering(Answer::json(200, body));
        let mut seen = Vec::new();
        let warnings = client_for(&server)
            .instant_each("up", 1, &mut |series| {
                seen.push(series.to_series());
                Ok(())
            })
            .unwrap();
        assert_eq!(warnings, vec!["slow".to_string()]);
        assert_eq!(seen.len(), 2, "the histogram is skipped");
        assert_eq!(seen[0].name.as_deref(), Some("a"));
        assert_eq!(
            seen[0].labels,
            vec![("UUID".to_string(), "GPU-1".to_string())]
        );
        assert_eq!(seen[0].points[0].timestamp_ms, 10_500);
        assert_eq!(seen[1].points.len(), 2);
        assert!(seen[1].points[1].value.is_nan());
    }

    #[test]
    fn a_streamed_answer_stops_at_the_first_error_naming_the_url() {
        let url = |server: &TestServer| server.url("/api/v1/query");
        let cases = [
            (
                Answer::json(
                    200,
                    r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"1"]},"#,
                ),
                "not a Prometheus API answer (EOF while parsing",
            ),
            (
                Answer::json(
                    200,
                    r#"{"status":"success","data":{"resultType":"scalar","result":[1,"2"]}}"#,
                ),
                "not a Prometheus API answer (invalid type",
            ),
            (
                Answer::json(
                    200,
                    r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"x"]}]}}"#,
                ),
                "sample value 'x' is not a number",
            ),
            (
                Answer::json(
                    200,
                    r#"{"status":"success","data":{"resultType":"string","result":[]}}"#,
                ),
                "expected a vector or matrix, got resultType 'string'",
            ),
            (
                Answer::json(200, r#"{"status":"success"}"#),
                "a successful answer without data",
            ),
        ];
        for (answer, expected) in cases {
            let server = TestServer::answering(answer);
            let error = client_for(&server)
                .instant_each("up", 1, &mut |_| Ok(()))
                .unwrap_err();
            let message = error.to_string();
            assert!(
                message.starts_with(&format!("malformed answer from {}: ", url(&server)))
                    && message.contains(expected),
                "{expected} → {message}"
            );
            assert_eq!(error.to_error().exit_code(), 6);
        }

        let refused = r#"{"status":"error","errorType":"bad_data","error":"parse error"}"#;
        let server = TestServer::answering(Answer::json(400, refused));
        let error = client_for(&server)
            .instant_each("up", 1, &mut |_| Ok(()))
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "Prometheus at {} refused the query: bad_data: parse error",
                url(&server)
            )
        );

        let two = r#"{"status":"success","data":{"resultType":"vector","result":[
            {"metric":{},"value":[1,"1"]},{"metric":{},"value":[1,"2"]}]}}"#;
        let server = TestServer::answering(Answer::json(200, two));
        let mut calls = 0;
        let error = client_for(&server)
            .instant_each("up", 1, &mut |_| {
                calls += 1;
                Err(FleetError::Invalid("no thanks".into()))
            })
            .unwrap_err();
        assert_eq!(error.to_string(), "no thanks");
        assert_eq!(calls, 1, "the receiver's error ends the read");
    }

    #[test]
    fn an_unreachable_prometheus_names_its_url() {
        let url = closed_port_url("");
        let options = HttpOptions {
            proxy_from_env: false,
            ..HttpOptions::default()
        };
        let error = PrometheusClient::new(&url, &options)
            .unwrap()
            .instant("up", 1)
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            format!("cannot reach {url}/api/v1/query: connection refused")
        );
    }

    #[test]
    fn base_urls_must_be_http_with_a_host() {
        let options = HttpOptions::default();
        for bad in ["prometheus:9090", "ftp://x", "http://", "http:///x"] {
            let error = PrometheusClient::new(bad, &options).unwrap_err();
            assert_eq!(error.to_error().exit_code(), 2, "{bad}");
        }
        let client = PrometheusClient::new("https://u:p@prom.example/prom/", &options).unwrap();
        assert_eq!(client.display_url(), "https://***@prom.example/prom");
    }

    #[test]
    fn range_chunks_respect_both_bounds_and_keep_the_step_grid() {
        // Plenty of room: one chunk.
        assert_eq!(range_chunks(0, 600, 60, 3600).unwrap(), vec![(0, 600)]);
        // One hour of 60 s steps is 61 points; the next chunk starts one step later.
        assert_eq!(
            range_chunks(0, 3 * 3600, 60, 3600).unwrap(),
            vec![(0, 3600), (3660, 7260), (7320, 10800)]
        );
        // 11,000 points at 1 s beats a long chunk limit.
        let chunks = range_chunks(0, 30_000, 1, 86_400).unwrap();
        assert_eq!(
            chunks,
            vec![(0, 10_999), (11_000, 21_999), (22_000, 30_000)]
        );
        // An end off the grid: the last chunk ends there, and nothing follows.
        assert_eq!(
            range_chunks(10, 100, 30, 60).unwrap(),
            vec![(10, 70), (100, 100)]
        );
        assert_eq!(range_chunks(5, 5, 10, 60).unwrap(), vec![(5, 5)]);
        // A chunk shorter than a step still makes progress, one point at a time.
        assert_eq!(
            range_chunks(0, 20, 10, 5).unwrap(),
            vec![(0, 0), (10, 10), (20, 20)]
        );
        for chunks in [range_chunks(0, 100_000, 7, 3600).unwrap()] {
            for (start, end) in &chunks {
                assert!((end - start) / 7 < MAX_POINTS_PER_SERIES);
                assert!(end - start <= 3600);
                assert_eq!(start % 7, 0);
            }
            for pair in chunks.windows(2) {
                assert_eq!(pair[1].0, pair[0].1 - pair[0].1 % 7 + 7);
            }
        }
        assert!(range_chunks(10, 0, 1, 60).is_err());
        assert!(range_chunks(0, 10, 0, 60).is_err());
        assert!(range_chunks(0, 10, 1, 0).is_err());
    }

    #[test]
    fn range_refuses_more_than_11000_points() {
        let server = TestServer::answering(Answer::json(200, VECTOR));
        let error = client_for(&server).range("up", 0, 11_000, 1).unwrap_err();
        assert!(error.to_string().contains("11000 points"), "{error}");
        assert!(server.requests().is_empty());
    }

    #[test]
    fn fleet_query_merges_a_selector_and_rejects_garbage() {
        let families = super::super::dcgm::MAPPED_FAMILIES.join("|");
        assert_eq!(
            fleet_query(None, Some(120)).unwrap(),
            format!("{{__name__=~\"{families}\"}}[120s]")
        );
        assert_eq!(
            fleet_query(Some(r#"{job="dcgm", namespace=~"gpu-.*"}"#), None).unwrap(),
            format!("{{__name__=~\"{families}\",job=\"dcgm\",namespace=~\"gpu-.*\"}}")
        );
        assert_eq!(
            fleet_query(Some(r#"cluster!="lab""#), Some(300)).unwrap(),
            format!("{{__name__=~\"{families}\",cluster!=\"lab\"}}[300s]")
        );
        assert_eq!(
            fleet_query(Some(" {} "), None).unwrap(),
            format!("{{__name__=~\"{families}\"}}")
        );
        for garbage in [
            "{job=dcgm}",
            "{job=\"x\"} or vector(1)",
            "up",
            "{job=\"unterminated}",
            "{1=\"x\"}",
        ] {
            let error = fleet_query(Some(garbage), None).unwrap_err();
            let message = error.to_string();
            assert!(
                message.starts_with(&format!("invalid selector '{garbage}': ")),
                "{message}"
            );
            assert_eq!(error.to_error().exit_code(), 2);
        }
        assert!(fleet_query(None, Some(0)).is_err());
    }
}
