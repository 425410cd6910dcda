//! What can go wrong reading many nodes at once, each message one line naming the URL.

use std::path::PathBuf;

use crate::error::{Error, ErrorKind};

/// A failure of a fleet source. URLs in messages have any `user:password@` removed, and no
/// message carries a token, a password or a request header.
#[derive(Debug, thiserror::Error)]
pub(crate) enum FleetError {
    /// Connection refused, host not found, network unreachable.
    #[error("cannot reach {url}: {reason}")]
    Unreachable { url: String, reason: String },
    /// No complete answer within the request timeout.
    #[error("no answer from {url} within {seconds} s")]
    Timeout { url: String, seconds: f64 },
    #[error("TLS with {url} failed: {reason}")]
    Tls { url: String, reason: String },
    /// A status other than 2xx, with the start of the body.
    #[error("{url} answered HTTP {status}: {excerpt}")]
    Status {
        url: String,
        status: u16,
        excerpt: String,
    },
    #[error("the answer from {url} is larger than {} MiB", limit / (1024 * 1024))]
    BodyTooLarge { url: String, limit: u64 },
    /// An answer that is not what the endpoint should send: bad JSON, a bad exposition line,
    /// a dcgm-exporter series without its UUID.
    #[error("malformed answer from {url}: {reason}")]
    Malformed { url: String, reason: String },
    /// Prometheus answered `"status":"error"`.
    #[error("Prometheus at {url} refused the query: {error_type}: {error}")]
    Api {
        url: String,
        error_type: String,
        error: String,
    },
    /// Any other HTTP failure (a broken connection, too many redirects).
    #[error("request to {url} failed: {reason}")]
    Http { url: String, reason: String },
    /// A file named in the options (CA, token, password) that cannot be used.
    #[error("cannot use the {what} {}: {reason}", path.display())]
    File {
        what: &'static str,
        path: PathBuf,
        reason: String,
    },
    /// Options or input that make no sense: a bad URL, a bad selector, a bad time range.
    #[error("{0}")]
    Invalid(String),
}

impl FleetError {
    /// The gpuctl error: the user's own input (files, selector, URL, a query Prometheus calls
    /// bad data) is a usage error, exit 2; a source that fails is exit 6, like a GPU source
    /// that cannot be read.
    pub(crate) fn to_error(&self) -> Error {
        let kind = match self {
            FleetError::Invalid(_) | FleetError::File { .. } => ErrorKind::Usage,
            FleetError::Api { error_type, .. } if error_type == "bad_data" => ErrorKind::Usage,
            _ => ErrorKind::NoGpu,
        };
        let hint = match self {
            FleetError::Tls { .. } => Some("a private CA can be trusted by naming its PEM file"),
            FleetError::Status { status: 401, .. } | FleetError::Status { status: 403, .. } => {
                Some("the server wants credentials: a bearer token file or basic auth")
            }
            _ => None,
        };
        let error = Error::new(kind, self.to_string());
        match hint {
            Some(hint) => error.with_hint(hint),
            None => error,
        }
    }
}

impl From<FleetError> for Error {
    fn from(e: FleetError) -> Self {
        e.to_error()
    }
}

/// The URL without `user:password@`, for messages.
pub(crate) fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let authority_start = scheme_end + 3;
    let authority_end = url[authority_start..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| authority_start + i);
    match url[authority_start..authority_end].rfind('@') {
        Some(at) => format!(
            "{}***@{}",
            &url[..authority_start],
            &url[authority_start + at + 1..]
        ),
        None => url.to_string(),
    }
}

/// One line of at most `max_chars` characters: whitespace runs become one space, control
/// characters are dropped, and a cut ends in `…`.
pub(crate) fn one_line(text: &str, max_chars: usize) -> String {
    let mut out = String::new();
    let mut count = 0;
    let mut pending_space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if c.is_control() {
            continue;
        }
        let needed = 1 + usize::from(pending_space);
        if count + needed > max_chars {
            out.push('…');
            return out;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(c);
        count += needed;
    }
    out
}

/// `text` cut to `max_chars` characters (ending in `…` when cut), for messages that quote
/// input of any length.
pub(crate) fn clip(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_removed_from_urls() {
        assert_eq!(
            redact_url("https://admin:s3cret@prom.example:9090/api/v1/query"),
            "https://***@prom.example:9090/api/v1/query"
        );
        assert_eq!(
            redact_url("http://prom:9090/x?a=b@c"),
            "http://prom:9090/x?a=b@c"
        );
        assert_eq!(redact_url("no scheme"), "no scheme");
    }

    #[test]
    fn clip_cuts_on_character_boundaries() {
        assert_eq!(clip("héllo", 2), "hé…");
        assert_eq!(clip("héllo", 5), "héllo");
        assert_eq!(clip("", 0), "");
    }

    #[test]
    fn one_line_collapses_whitespace_and_cuts() {
        assert_eq!(one_line("  a\n\n b\tc \r\n", 100), "a b c");
        assert_eq!(one_line("abcdef", 3), "abc…");
        assert_eq!(one_line("a\u{7}b", 10), "ab");
        assert_eq!(one_line("", 10), "");
    }

    #[test]
    fn user_input_is_a_usage_error_and_source_failures_are_exit_6() {
        let usage = FleetError::Invalid("bad selector".into()).to_error();
        assert_eq!(usage.exit_code(), 2);
        let bad_query = FleetError::Api {
            url: "http://p".into(),
            error_type: "bad_data".into(),
            error: "parse error".into(),
        };
        assert_eq!(bad_query.to_error().exit_code(), 2);
        let down = FleetError::Unreachable {
            url: "http://p".into(),
            reason: "connection refused".into(),
        }
        .to_error();
        assert_eq!(down.exit_code(), 6);
        assert_eq!(down.message, "cannot reach http://p: connection refused");
        let unauthorized = FleetError::Status {
            url: "http://p".into(),
            status: 401,
            excerpt: "Unauthorized".into(),
        }
        .to_error();
        assert_eq!(unauthorized.exit_code(), 6);
        assert!(unauthorized.hint.is_some());
    }
}
