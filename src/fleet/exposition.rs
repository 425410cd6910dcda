//! The Prometheus text exposition format 0.0.4, as dcgm-exporter serves it on `/metrics`.
//!
//! Hand-written: the crates on offer split label values on `,` and `=`, or refuse the whole
//! body when series of one family carry different label sets, which is ordinary dcgm-exporter
//! output on Kubernetes (`../shared/research/FLEET_AND_ALERTING.md` §3). The grammar:
//!
//! ```text
//! # HELP name docstring           (escapes \\ and \n)
//! # TYPE name counter|gauge|histogram|summary|untyped   (once per name, before its samples)
//! name{label="value",...} value [timestamp_ms]
//! ```
//!
//! Tokens are separated by spaces or tabs; blank lines and other `#` lines are ignored. Like
//! Prometheus's own scraper, an unknown escape in a label value (`\.`) is kept as written.
//! OpenMetrics `# UNIT` lines are ignored and `# EOF` ends the body.

use std::collections::{HashMap, HashSet};
use std::fmt;

use super::error::clip;

/// The largest body the parser accepts. dcgm-exporter serves a few hundred KiB per node.
pub(crate) const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;
/// The longest line the parser accepts.
pub(crate) const MAX_LINE_BYTES: usize = 1024 * 1024;
/// The longest error message, quoted input included.
const MAX_MESSAGE_CHARS: usize = 300;

/// The type a `# TYPE` line gives a metric family; `Untyped` when there is none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MetricType {
    Counter,
    Gauge,
    Histogram,
    Summary,
    Untyped,
}

impl MetricType {
    fn from_word(word: &str) -> Option<MetricType> {
        Some(match word {
            "counter" => MetricType::Counter,
            "gauge" => MetricType::Gauge,
            "histogram" => MetricType::Histogram,
            "summary" => MetricType::Summary,
            "untyped" => MetricType::Untyped,
            // OpenMetrics' names for the same things, and its types 0.0.4 does not know.
            "unknown" | "info" | "stateset" => MetricType::Untyped,
            "gaugehistogram" => MetricType::Histogram,
            _ => return None,
        })
    }

    /// Whether a sample named `base` + `suffix` belongs to a family `base` of this type.
    fn owns_suffix(self, suffix: &str) -> bool {
        match self {
            MetricType::Histogram => {
                matches!(
                    suffix,
                    "_bucket" | "_count" | "_sum" | "_created" | "_gcount" | "_gsum"
                )
            }
            MetricType::Summary => matches!(suffix, "_count" | "_sum" | "_created"),
            MetricType::Counter => matches!(suffix, "_total" | "_created"),
            MetricType::Gauge | MetricType::Untyped => false,
        }
    }
}

/// The suffixes a histogram, summary or OpenMetrics counter adds to its family's name.
const FAMILY_SUFFIXES: &[&str] = &[
    "_bucket", "_count", "_sum", "_total", "_created", "_gcount", "_gsum",
];

/// One sample line.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Sample {
    pub(crate) name: String,
    /// In the order written.
    pub(crate) labels: Vec<(String, String)>,
    pub(crate) value: f64,
    /// Milliseconds since the Unix epoch, when the line carries one.
    pub(crate) timestamp_ms: Option<i64>,
    pub(crate) metric_type: MetricType,
}

impl Sample {
    /// The value of label `name`, if the sample has it.
    #[cfg(test)]
    pub(crate) fn label(&self, name: &str) -> Option<&str> {
        label_value(&self.labels, name)
    }
}

/// The value of label `name` in `labels`.
pub(crate) fn label_value<'a>(labels: &'a [(String, String)], name: &str) -> Option<&'a str> {
    labels
        .iter()
        .find(|(label, _)| label == name)
        .map(|(_, value)| value.as_str())
}

/// A parsed body: its samples in order, and the HELP text of each family that has one.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Exposition {
    pub(crate) samples: Vec<Sample>,
    pub(crate) help: HashMap<String, String>,
}

/// Why a body could not be read; the line is 1-based.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ParseError {
    #[error("the body is {bytes} bytes, over the limit of {} MiB", MAX_BODY_BYTES / (1024 * 1024))]
    BodyTooLarge { bytes: usize },
    #[error("line {line}: {message}")]
    Line { line: usize, message: String },
}

/// Parses a whole exposition body.
pub(crate) fn parse(body: &[u8]) -> Result<Exposition, ParseError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(ParseError::BodyTooLarge { bytes: body.len() });
    }
    let mut parser = Parser::default();
    let mut lines = body.split(|&b| b == b'\n').enumerate();
    for (index, raw) in lines.by_ref() {
        let line = index + 1;
        // Messages quote the input; a runaway token must not make a megabyte of message.
        let fail = |message: String| ParseError::Line {
            line,
            message: clip(&message, MAX_MESSAGE_CHARS),
        };
        if raw.len() > MAX_LINE_BYTES {
            return Err(fail(format!(
                "longer than {} MiB",
                MAX_LINE_BYTES / (1024 * 1024)
            )));
        }
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let text = std::str::from_utf8(raw).map_err(|_| fail("not valid UTF-8".into()))?;
        match parser.line(text).map_err(fail)? {
            Flow::Continue => {}
            Flow::Eof => break,
        }
    }
    // Nothing but blank lines may follow OpenMetrics' `# EOF`.
    for (index, raw) in lines {
        if !raw.iter().all(|b| b.is_ascii_whitespace()) {
            return Err(ParseError::Line {
                line: index + 1,
                message: "text after '# EOF'".into(),
            });
        }
    }
    Ok(parser.finish())
}

enum Flow {
    Continue,
    Eof,
}

#[derive(Default)]
struct Parser {
    samples: Vec<Sample>,
    help: HashMap<String, String>,
    types: HashMap<String, MetricType>,
    /// Names that have had samples, so a late TYPE line is caught.
    sampled: HashSet<String>,
}

impl Parser {
    fn line(&mut self, text: &str) -> Result<Flow, String> {
        let trimmed = text.trim_start_matches(is_blank);
        if trimmed.is_empty() {
            return Ok(Flow::Continue);
        }
        if let Some(comment) = trimmed.strip_prefix('#') {
            return self.comment(comment);
        }
        let mut sample = parse_sample(trimmed)?;
        sample.metric_type = self.type_of(&sample.name);
        if !self.sampled.contains(&sample.name) {
            self.sampled.insert(sample.name.clone());
        }
        self.samples.push(sample);
        Ok(Flow::Continue)
    }

    /// A `#` line: HELP, TYPE, UNIT, EOF, or a plain comment.
    fn comment(&mut self, rest: &str) -> Result<Flow, String> {
        let mut cursor = Cursor::new(rest);
        if cursor.skip_blanks() == 0 && !cursor.at_end() {
            return Ok(Flow::Continue); // `#comment`: a comment, not a keyword
        }
        let keyword = cursor.take_while(|c| !is_blank(c));
        match keyword {
            "EOF" => {
                cursor.skip_blanks();
                if !cursor.at_end() {
                    return Err(format!(
                        "unexpected text after '# EOF': '{}'",
                        cursor.rest()
                    ));
                }
                Ok(Flow::Eof)
            }
            "HELP" => {
                let name = keyword_metric_name(&mut cursor, "HELP")?;
                // One run of blanks separates the name from the text, which may be empty.
                cursor.skip_blanks();
                if self.help.contains_key(name) {
                    return Err(format!("second HELP line for metric '{name}'"));
                }
                self.help
                    .insert(name.to_string(), unescape_help(cursor.rest()));
                Ok(Flow::Continue)
            }
            "TYPE" => {
                let name = keyword_metric_name(&mut cursor, "TYPE")?;
                cursor.skip_blanks();
                let word = cursor.take_while(|c| !is_blank(c));
                let metric_type = MetricType::from_word(word).ok_or_else(|| {
                    if word.is_empty() {
                        format!("TYPE line for '{name}' names no type")
                    } else {
                        format!(
                            "unknown metric type '{word}' for '{name}' \
                             (expected counter, gauge, histogram, summary or untyped)"
                        )
                    }
                })?;
                cursor.skip_blanks();
                if !cursor.at_end() {
                    return Err(format!(
                        "unexpected text after the TYPE of '{name}': '{}'",
                        cursor.rest()
                    ));
                }
                if self.types.contains_key(name) {
                    return Err(format!("second TYPE line for metric '{name}'"));
                }
                if self.sampled.contains(name) {
                    return Err(format!(
                        "TYPE line for '{name}' after its samples (it must come first)"
                    ));
                }
                self.types.insert(name.to_string(), metric_type);
                Ok(Flow::Continue)
            }
            // OpenMetrics' unit line, and any other comment.
            _ => Ok(Flow::Continue),
        }
    }

    fn type_of(&self, name: &str) -> MetricType {
        if let Some(metric_type) = self.types.get(name) {
            return *metric_type;
        }
        FAMILY_SUFFIXES
            .iter()
            .filter_map(|suffix| {
                let base = name.strip_suffix(suffix)?;
                let metric_type = self.types.get(base)?;
                metric_type.owns_suffix(suffix).then_some(*metric_type)
            })
            .next()
            .unwrap_or(MetricType::Untyped)
    }

    fn finish(self) -> Exposition {
        Exposition {
            samples: self.samples,
            help: self.help,
        }
    }
}

/// The metric name after `# HELP` or `# TYPE`.
fn keyword_metric_name<'a>(cursor: &mut Cursor<'a>, keyword: &str) -> Result<&'a str, String> {
    cursor.skip_blanks();
    let word = cursor.take_while(|c| !is_blank(c));
    if word.is_empty() {
        return Err(format!("{keyword} line names no metric"));
    }
    if !is_metric_name(word) {
        return Err(format!("invalid metric name '{word}' in {keyword} line"));
    }
    Ok(word)
}

/// `\\` → `\` and `\n` → newline; any other backslash stays as written.
fn unescape_help(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('\\') => out.push('\\'),
            Some('n') => out.push('\n'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

fn parse_sample(text: &str) -> Result<Sample, String> {
    let mut cursor = Cursor::new(text);
    let name = cursor.take_while(is_metric_name_char);
    if name.is_empty() || !is_metric_name(name) {
        let found = cursor.take_while(|c| !is_blank(c));
        return Err(format!("expected a metric name, found '{name}{found}'"));
    }
    cursor.skip_blanks();
    let labels = if cursor.peek() == Some('{') {
        parse_labels(&mut cursor, LabelOperators::Equals, name)?
            .into_iter()
            .map(|matcher| (matcher.name, matcher.value))
            .collect()
    } else {
        Vec::new()
    };
    cursor.skip_blanks();
    let value_text = cursor.take_while(|c| !is_blank(c));
    if value_text.is_empty() {
        return Err(format!("sample '{name}' has no value"));
    }
    let value = parse_value(value_text)
        .ok_or_else(|| format!("invalid value '{value_text}' for '{name}'"))?;
    cursor.skip_blanks();
    let timestamp_ms = if cursor.at_end() {
        None
    } else {
        let text = cursor.take_while(|c| !is_blank(c));
        let timestamp = text.parse::<i64>().map_err(|_| {
            format!("invalid timestamp '{text}' for '{name}' (expected integer milliseconds)")
        })?;
        cursor.skip_blanks();
        if !cursor.at_end() {
            return Err(format!(
                "unexpected text after the timestamp of '{name}': '{}'",
                cursor.rest()
            ));
        }
        Some(timestamp)
    };
    Ok(Sample {
        name: name.to_string(),
        labels,
        value,
        timestamp_ms,
        metric_type: MetricType::Untyped,
    })
}

/// A sample value: a float in Go's syntax, including `NaN`, `+Inf`, `-Inf` and `Inf`.
pub(crate) fn parse_value(text: &str) -> Option<f64> {
    match text {
        "NaN" => Some(f64::NAN),
        "+Inf" | "Inf" => Some(f64::INFINITY),
        "-Inf" => Some(f64::NEG_INFINITY),
        // Rust also reads `inf`, `infinity` and `nan` in any case, as Go's ParseFloat does.
        _ => text.parse::<f64>().ok(),
    }
}

/// Which operators may join a label name to its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LabelOperators {
    /// Exposition labels: `=` only.
    Equals,
    /// PromQL selectors: `=`, `!=`, `=~`, `!~`.
    Matchers,
}

/// One `name op "value"` inside braces; `op` is `=` for exposition labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LabelMatcher {
    pub(crate) name: String,
    pub(crate) op: &'static str,
    /// Unescaped.
    pub(crate) value: String,
}

/// Parses `{…}` at the cursor (which sits on `{`); `subject` names what they belong to in
/// messages. Leaves the cursor after `}`.
fn parse_labels(
    cursor: &mut Cursor<'_>,
    operators: LabelOperators,
    subject: &str,
) -> Result<Vec<LabelMatcher>, String> {
    cursor.bump(); // the '{' the caller saw
    let mut matchers: Vec<LabelMatcher> = Vec::new();
    loop {
        cursor.skip_blanks();
        match cursor.peek() {
            Some('}') => {
                cursor.bump();
                return Ok(matchers);
            }
            None => return Err(format!("missing '}}' after the labels of '{subject}'")),
            Some(_) => {}
        }
        let name = cursor.take_while(is_label_name_char);
        if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
            let found = cursor.take_while(|c| !is_blank(c) && !matches!(c, '=' | ',' | '}'));
            return Err(format!(
                "invalid label name '{name}{found}' in the labels of '{subject}'"
            ));
        }
        cursor.skip_blanks();
        let op = match operators {
            LabelOperators::Equals => cursor.eat("=").then_some("="),
            LabelOperators::Matchers => ["=~", "!=", "!~", "="]
                .into_iter()
                .find(|op| cursor.eat(op)),
        };
        let Some(op) = op else {
            return Err(format!("expected '=' after label '{name}' of '{subject}'"));
        };
        cursor.skip_blanks();
        if !cursor.eat("\"") {
            return Err(format!(
                "expected '\"' to open the value of label '{name}' of '{subject}'"
            ));
        }
        let value = read_label_value(cursor)
            .ok_or_else(|| format!("unterminated value of label '{name}' of '{subject}'"))?;
        if operators == LabelOperators::Equals && matchers.iter().any(|m| m.name == name) {
            return Err(format!("label '{name}' given twice for '{subject}'"));
        }
        matchers.push(LabelMatcher {
            name: name.to_string(),
            op,
            value,
        });
        cursor.skip_blanks();
        match cursor.peek() {
            Some(',') => cursor.bump(),
            Some('}') => {}
            _ => {
                return Err(format!(
                    "expected ',' or '}}' after the value of label '{name}' of '{subject}'"
                ))
            }
        }
    }
}

/// Reads a label value after its opening quote, through the closing quote; None when the
/// line ends first.
fn read_label_value(cursor: &mut Cursor<'_>) -> Option<String> {
    let mut value = String::new();
    loop {
        let c = cursor.next_char()?;
        match c {
            '"' => return Some(value),
            '\\' => match cursor.next_char()? {
                '\\' => value.push('\\'),
                '"' => value.push('"'),
                'n' => value.push('\n'),
                other => {
                    value.push('\\');
                    value.push(other);
                }
            },
            _ => value.push(c),
        }
    }
}

/// Parses a whole label set or PromQL selector such as `{job="dcgm",namespace=~"gpu-.*"}`
/// (braces required), with nothing after it.
pub(crate) fn parse_label_set(
    text: &str,
    operators: LabelOperators,
) -> Result<Vec<LabelMatcher>, String> {
    let mut cursor = Cursor::new(text);
    cursor.skip_blanks();
    if cursor.peek() != Some('{') {
        return Err("expected '{' to open the labels".into());
    }
    let matchers = parse_labels(&mut cursor, operators, "the selector")?;
    cursor.skip_blanks();
    if !cursor.at_end() {
        return Err(format!("unexpected text after '}}': '{}'", cursor.rest()));
    }
    Ok(matchers)
}

/// Writes a label value between double quotes with the exposition's (and PromQL's) escapes.
pub(crate) fn write_quoted(out: &mut String, value: &str) {
    out.push('"');
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            _ => out.push(c),
        }
    }
    out.push('"');
}

/// `name{a="b",…}`, for messages that must name a series.
pub(crate) fn describe_series(name: &str, labels: &[(String, String)]) -> String {
    let mut out = String::from(name);
    out.push('{');
    for (i, (label, value)) in labels.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(label);
        out.push('=');
        write_quoted(&mut out, value);
    }
    out.push('}');
    out
}

pub(crate) fn is_metric_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(is_metric_name_char)
}

fn is_metric_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == ':'
}

fn is_label_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// A position in one line.
struct Cursor<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Self {
        Cursor { text, pos: 0 }
    }

    fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    fn at_end(&self) -> bool {
        self.pos >= self.text.len()
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn next_char(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn bump(&mut self) {
        self.next_char();
    }

    /// Consumes `token` when the text continues with it.
    fn eat(&mut self, token: &str) -> bool {
        if self.rest().starts_with(token) {
            self.pos += token.len();
            true
        } else {
            false
        }
    }

    fn take_while(&mut self, keep: impl Fn(char) -> bool) -> &'a str {
        let rest = self.rest();
        let len = rest.find(|c: char| !keep(c)).unwrap_or(rest.len());
        self.pos += len;
        &rest[..len]
    }

    /// Skips spaces and tabs; returns how many.
    fn skip_blanks(&mut self) -> usize {
        self.take_while(is_blank).len()
    }
}

impl fmt::Display for MetricType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MetricType::Counter => "counter",
            MetricType::Gauge => "gauge",
            MetricType::Histogram => "histogram",
            MetricType::Summary => "summary",
            MetricType::Untyped => "untyped",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn parse_str(body: &str) -> Result<Exposition, ParseError> {
        parse(body.as_bytes())
    }

    fn error_of(body: &str) -> String {
        parse_str(body)
            .expect_err("the body should be refused")
            .to_string()
    }

    /// The example block of the exposition format's specification, as written there.
    const SPEC_EXAMPLE: &str = r#"# HELP http_requests_total The total number of HTTP requests.
# TYPE http_requests_total counter
http_requests_total{method="post",code="200"} 1027 1395066363000
http_requests_total{method="post",code="400"}    3 1395066363000

# Escaping in label values:
msdos_file_access_time_seconds{path="C:\\DIR\\FILE.TXT",error="Cannot find file:\n\"FILE.TXT\""} 1.458255915e9

# Minimalistic line:
metric_without_timestamp_and_labels 12.47

# A weird metric from before the epoch:
something_weird{problem="division by zero"} +Inf -3982045

# A histogram, which has a pretty complex representation in the text format:
# HELP http_request_duration_seconds A histogram of the request duration.
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{le="0.05"} 24054
http_request_duration_seconds_bucket{le="0.1"} 33444
http_request_duration_seconds_bucket{le="0.2"} 100392
http_request_duration_seconds_bucket{le="0.5"} 129389
http_request_duration_seconds_bucket{le="1"} 133988
http_request_duration_seconds_bucket{le="+Inf"} 144320
http_request_duration_seconds_sum 53423
http_request_duration_seconds_count 144320

# Finally a summary, which has a complex representation, too:
# HELP rpc_duration_seconds A summary of the RPC duration in seconds.
# TYPE rpc_duration_seconds summary
rpc_duration_seconds{quantile="0.01"} 3102
rpc_duration_seconds{quantile="0.05"} 3272
rpc_duration_seconds{quantile="0.5"} 4773
rpc_duration_seconds{quantile="0.9"} 9001
rpc_duration_seconds{quantile="0.99"} 76656
rpc_duration_seconds_sum 1.7560473e+07
rpc_duration_seconds_count 2693
"#;

    #[test]
    fn the_specification_example_parses_in_full() {
        let parsed = parse_str(SPEC_EXAMPLE).unwrap();
        assert_eq!(parsed.samples.len(), 2 + 1 + 1 + 1 + 8 + 7);

        let first = &parsed.samples[0];
        assert_eq!(first.name, "http_requests_total");
        assert_eq!(first.labels, labels(&[("method", "post"), ("code", "200")]));
        assert_eq!(first.value, 1027.0);
        assert_eq!(first.timestamp_ms, Some(1_395_066_363_000));
        assert_eq!(first.metric_type, MetricType::Counter);
        assert_eq!(parsed.samples[1].value, 3.0);
        assert_eq!(
            parsed.help["http_requests_total"],
            "The total number of HTTP requests."
        );

        let msdos = &parsed.samples[2];
        assert_eq!(msdos.label("path"), Some(r"C:\DIR\FILE.TXT"));
        assert_eq!(
            msdos.label("error"),
            Some("Cannot find file:\n\"FILE.TXT\"")
        );
        assert_eq!(msdos.value, 1.458255915e9);
        assert_eq!(msdos.metric_type, MetricType::Untyped);

        let minimal = &parsed.samples[3];
        assert_eq!(minimal.name, "metric_without_timestamp_and_labels");
        assert!(minimal.labels.is_empty());
        assert_eq!(minimal.value, 12.47);
        assert_eq!(minimal.timestamp_ms, None);

        let weird = &parsed.samples[4];
        assert_eq!(weird.label("problem"), Some("division by zero"));
        assert_eq!(weird.value, f64::INFINITY);
        assert_eq!(weird.timestamp_ms, Some(-3_982_045));

        let buckets: Vec<&Sample> = parsed.samples[5..13].iter().collect();
        assert!(buckets
            .iter()
            .all(|s| s.metric_type == MetricType::Histogram));
        assert_eq!(buckets[5].label("le"), Some("+Inf"));
        assert_eq!(buckets[7].name, "http_request_duration_seconds_count");

        let summary: Vec<&Sample> = parsed.samples[13..].iter().collect();
        assert!(summary.iter().all(|s| s.metric_type == MetricType::Summary));
        assert_eq!(summary[5].value, 1.7560473e7);
    }

    #[test]
    fn dcgm_exporter_lines_with_spaces_in_model_names_and_driver_labels() {
        let body = "# HELP DCGM_FI_DEV_GPU_TEMP GPU temperature (in C).\n\
# TYPE DCGM_FI_DEV_GPU_TEMP gauge\n\
DCGM_FI_DEV_GPU_TEMP{gpu=\"0\",UUID=\"GPU-5d5c2a8e-1f0b-4c6e-9d3a-7e1f2b3c4d5e\",pci_bus_id=\"00000000:18:00.0\",device=\"nvidia0\",modelName=\"NVIDIA H100 80GB HBM3\",Hostname=\"gpu-node-07\",DCGM_FI_DRIVER_VERSION=\"550.54.15\",container=\"trainer\",namespace=\"ml\",pod=\"llm-train-0\"} 41\n";
        let parsed = parse_str(body).unwrap();
        let sample = &parsed.samples[0];
        assert_eq!(sample.label("modelName"), Some("NVIDIA H100 80GB HBM3"));
        assert_eq!(sample.label("Hostname"), Some("gpu-node-07"));
        assert_eq!(sample.label("DCGM_FI_DRIVER_VERSION"), Some("550.54.15"));
        assert_eq!(sample.label("pod"), Some("llm-train-0"));
        assert_eq!(sample.labels.len(), 10);
        assert_eq!(sample.metric_type, MetricType::Gauge);
        assert_eq!(sample.value, 41.0);
    }

    #[test]
    fn label_values_may_hold_commas_equals_braces_and_spaces() {
        let parsed = parse_str("m{a=\"x,y=z\",b=\"} {\",c=\"  spaced  \",d=\"\"} 1\n").unwrap();
        assert_eq!(
            parsed.samples[0].labels,
            labels(&[("a", "x,y=z"), ("b", "} {"), ("c", "  spaced  "), ("d", "")])
        );
    }

    #[test]
    fn tabs_blanks_trailing_commas_empty_braces_and_crlf() {
        let body =
            "\t# TYPE a gauge\r\n\r\n  a{x=\"1\",}\t2\t\t17\r\nb{} 3\n\tc { y = \"v\" , } 4 \n";
        let parsed = parse_str(body).unwrap();
        assert_eq!(parsed.samples.len(), 3);
        assert_eq!(parsed.samples[0].labels, labels(&[("x", "1")]));
        assert_eq!(parsed.samples[0].timestamp_ms, Some(17));
        assert_eq!(parsed.samples[0].metric_type, MetricType::Gauge);
        assert!(parsed.samples[1].labels.is_empty());
        assert_eq!(parsed.samples[2].labels, labels(&[("y", "v")]));
        assert_eq!(parsed.samples[2].value, 4.0);
    }

    #[test]
    fn values_in_every_float_form() {
        let body = "a 1\nb -2.5\nc 1e3\nd 1.5E-3\ne NaN\nf +Inf\ng -Inf\nh Inf\ni +7\nj .5\n";
        let values: Vec<f64> = parse_str(body)
            .unwrap()
            .samples
            .iter()
            .map(|s| s.value)
            .collect();
        assert_eq!(values[..4], [1.0, -2.5, 1000.0, 0.0015]);
        assert!(values[4].is_nan());
        assert_eq!(
            values[5..8],
            [f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY]
        );
        assert_eq!(values[8..], [7.0, 0.5]);
    }

    #[test]
    fn metric_names_with_colons_and_underscores() {
        let parsed = parse_str("job:request_rate:5m 3\n_private 1\n").unwrap();
        assert_eq!(parsed.samples[0].name, "job:request_rate:5m");
        assert_eq!(parsed.samples[1].name, "_private");
    }

    #[test]
    fn help_unescapes_backslash_and_newline_and_keeps_other_backslashes() {
        let parsed = parse_str("# HELP m one\\ntwo \\\\ three \\d\nm 1\n").unwrap();
        assert_eq!(parsed.help["m"], "one\ntwo \\ three \\d");
    }

    #[test]
    fn unknown_label_escapes_are_kept_as_prometheus_keeps_them() {
        let parsed = parse_str("m{re=\"a\\.b\"} 1\n").unwrap();
        assert_eq!(parsed.samples[0].label("re"), Some("a\\.b"));
    }

    #[test]
    fn comments_unit_and_eof_lines() {
        let body = "# just a comment\n#HELP is a comment too\n# UNIT m seconds\nm 1\n# EOF\n\n";
        let parsed = parse_str(body).unwrap();
        assert_eq!(parsed.samples.len(), 1);
        assert!(parsed.help.is_empty());
        assert_eq!(error_of("m 1\n# EOF\nm 2\n"), "line 3: text after '# EOF'");
    }

    #[test]
    fn openmetrics_type_names_are_understood() {
        let parsed = parse_str("# TYPE c counter\nc_total 5\n# TYPE u unknown\nu 1\n").unwrap();
        assert_eq!(parsed.samples[0].metric_type, MetricType::Counter);
        assert_eq!(parsed.samples[1].metric_type, MetricType::Untyped);
    }

    #[test]
    fn malformed_lines_name_the_line_and_the_problem() {
        let cases: &[(&str, &str)] = &[
            ("a 1\nm{a=\"open} 1\n", "line 2: unterminated value of label 'a' of 'm'"),
            ("m{a=\"1\" 2\n", "line 1: expected ',' or '}' after the value of label 'a' of 'm'"),
            ("m{a=\"1\",\n", "line 1: missing '}' after the labels of 'm'"),
            ("m{a=1} 2\n", "line 1: expected '\"' to open the value of label 'a' of 'm'"),
            ("m{a} 2\n", "line 1: expected '=' after label 'a' of 'm'"),
            ("m{1a=\"x\"} 2\n", "line 1: invalid label name '1a' in the labels of 'm'"),
            ("m{a-b=\"x\"} 2\n", "line 1: expected '=' after label 'a' of 'm'"),
            ("m{a=\"1\",a=\"2\"} 2\n", "line 1: label 'a' given twice for 'm'"),
            ("m\n", "line 1: sample 'm' has no value"),
            ("m{} \n", "line 1: sample 'm' has no value"),
            ("m one\n", "line 1: invalid value 'one' for 'm'"),
            ("m 1 1.5\n", "line 1: invalid timestamp '1.5' for 'm' (expected integer milliseconds)"),
            ("m 1 2 3\n", "line 1: unexpected text after the timestamp of 'm': '3'"),
            ("9m 1\n", "line 1: expected a metric name, found '9m'"),
            ("m-x 1\n", "line 1: invalid value '-x' for 'm'"),
            ("{a=\"b\"} 1\n", "line 1: expected a metric name, found '{a=\"b\"}'"),
            ("# TYPE m gauge\n# TYPE m counter\n", "line 2: second TYPE line for metric 'm'"),
            ("m 1\n# TYPE m gauge\n", "line 2: TYPE line for 'm' after its samples (it must come first)"),
            ("# TYPE m\n", "line 1: TYPE line for 'm' names no type"),
            ("# TYPE m gaug\n", "line 1: unknown metric type 'gaug' for 'm' (expected counter, gauge, histogram, summary or untyped)"),
            ("# TYPE m gauge extra\n", "line 1: unexpected text after the TYPE of 'm': 'extra'"),
            ("# HELP\n", "line 1: HELP line names no metric"),
            ("# HELP 1m x\n", "line 1: invalid metric name '1m' in HELP line"),
            ("# HELP m a\n# HELP m b\n", "line 2: second HELP line for metric 'm'"),
            ("# EOF trailing\n", "line 1: unexpected text after '# EOF': 'trailing'"),
        ];
        for (body, expected) in cases {
            assert_eq!(&error_of(body), expected, "body {body:?}");
        }
    }

    #[test]
    fn messages_quoting_long_input_are_cut() {
        let message = error_of(&format!("m {}\n", "9".repeat(10_000) + "x"));
        assert!(
            message.starts_with("line 1: invalid value '999"),
            "{message}"
        );
        assert!(
            message.ends_with('…') && message.chars().count() < 320,
            "{message}"
        );
    }

    #[test]
    fn invalid_utf8_is_refused_with_its_line() {
        let err = parse(b"a 1\nm{a=\"\xff\"} 1\n").unwrap_err();
        assert_eq!(err.to_string(), "line 2: not valid UTF-8");
    }

    #[test]
    fn oversized_bodies_and_lines_are_refused() {
        let long_line = format!("m{{a=\"{}\"}} 1\n", "x".repeat(MAX_LINE_BYTES));
        assert_eq!(error_of(&long_line), "line 1: longer than 1 MiB");
        let huge = vec![b'\n'; MAX_BODY_BYTES + 1];
        assert_eq!(
            parse(&huge).unwrap_err(),
            ParseError::BodyTooLarge {
                bytes: MAX_BODY_BYTES + 1
            }
        );
    }

    #[test]
    fn an_empty_body_has_no_samples() {
        assert!(parse_str("").unwrap().samples.is_empty());
        assert!(parse_str("\n\n  \n").unwrap().samples.is_empty());
    }

    #[test]
    fn selectors_parse_with_matchers_and_round_trip_through_write_quoted() {
        let matchers = parse_label_set(
            r#"{job="dcgm", namespace=~"gpu-.*",pod!="", x!~"a\"b"}"#,
            LabelOperators::Matchers,
        )
        .unwrap();
        let ops: Vec<&str> = matchers.iter().map(|m| m.op).collect();
        assert_eq!(ops, ["=", "=~", "!=", "!~"]);
        assert_eq!(matchers[3].value, "a\"b");
        let mut quoted = String::new();
        write_quoted(&mut quoted, "a\"b\\c\nd");
        assert_eq!(quoted, r#""a\"b\\c\nd""#);

        assert!(parse_label_set(r#"{job=~"x"}"#, LabelOperators::Equals).is_err());
        assert_eq!(
            parse_label_set("{job=\"x\"} or up", LabelOperators::Matchers).unwrap_err(),
            "unexpected text after '}': 'or up'"
        );
        assert_eq!(
            parse_label_set("job", LabelOperators::Matchers).unwrap_err(),
            "expected '{' to open the labels"
        );
    }

    #[test]
    fn describe_series_escapes_like_the_exposition() {
        assert_eq!(
            describe_series("m", &labels(&[("a", "x\"y"), ("b", "")])),
            r#"m{a="x\"y",b=""}"#
        );
    }
}
