//! The HTTP transport of the fleet sources: ureq 3 (blocking, rustls, no async runtime).
//!
//! - Every request has one deadline for the whole exchange, body included ([`HttpOptions::timeout`]).
//! - HTTPS trusts the system's root certificates (`/etc/ssl/certs`, or `SSL_CERT_FILE` /
//!   `SSL_CERT_DIR`, read by rustls-native-certs) plus a CA file when one is named. Where the
//!   system has no certificates at all, the Mozilla roots built into the binary are used.
//! - Credentials, as Prometheus's own scrape configuration names them: a bearer token from a
//!   file or a named environment variable, or basic auth whose password comes from a file or
//!   from the environment ([`BASIC_AUTH_PASSWORD_ENV`] unless another variable is named), so it
//!   never sits on a command line.
//! - 4xx and 5xx answers are read, so a Prometheus error body can be shown; bodies are capped.
//! - Proxies come from `HTTPS_PROXY` / `HTTP_PROXY` / `ALL_PROXY` (with `NO_PROXY`) unless
//!   [`HttpOptions::proxy_from_env`] is off.

use std::fmt;
use std::io::ErrorKind as IoErrorKind;
use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine as _;
use ureq::tls::{Certificate, ClientCert, PemItem, RootCerts, TlsConfig};
use ureq::Agent;

use super::error::{one_line, redact_url, FleetError};

/// The whole-request deadline when none is given.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest body read when none is given: a Prometheus answer for a large fleet.
pub(crate) const DEFAULT_MAX_BODY_BYTES: u64 = 256 * 1024 * 1024;
/// Where the basic-auth password comes from when no password file is named.
pub(crate) const BASIC_AUTH_PASSWORD_ENV: &str = "GPUCTL_BASIC_AUTH_PASSWORD";
/// How much of an error body a message quotes.
const EXCERPT_CHARS: usize = 200;
/// The largest credentials or CA file read.
const MAX_SECRET_FILE_BYTES: u64 = 1024 * 1024;

/// How to talk to Prometheus or the exporters.
#[derive(Debug, Clone)]
pub(crate) struct HttpOptions {
    /// The deadline for a whole request: connect, TLS, send, and the complete body.
    pub(crate) timeout: Duration,
    /// A PEM file of CA certificates trusted besides the system's.
    pub(crate) ca_file: Option<PathBuf>,
    /// A PEM client certificate (chain) and its key, for servers that want mutual TLS.
    pub(crate) client_cert_file: Option<PathBuf>,
    pub(crate) client_key_file: Option<PathBuf>,
    /// A file holding a bearer token (surrounding whitespace is ignored).
    pub(crate) bearer_token_file: Option<PathBuf>,
    /// The environment variable holding a bearer token, instead of a file.
    pub(crate) bearer_token_env: Option<String>,
    pub(crate) basic_auth: Option<BasicAuth>,
    /// The largest body read; a larger one is an error, never a truncated read.
    pub(crate) max_body_bytes: u64,
    /// Whether the proxy environment variables apply (tests on loopback turn this off).
    pub(crate) proxy_from_env: bool,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            timeout: DEFAULT_TIMEOUT,
            ca_file: None,
            client_cert_file: None,
            client_key_file: None,
            bearer_token_file: None,
            bearer_token_env: None,
            basic_auth: None,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            proxy_from_env: true,
        }
    }
}

/// Basic auth: the password is read from `password_file` when given (surrounding whitespace
/// ignored), else from the environment variable `password_env`, by default
/// `GPUCTL_BASIC_AUTH_PASSWORD`.
#[derive(Debug, Clone)]
pub(crate) struct BasicAuth {
    pub(crate) username: String,
    pub(crate) password_file: Option<PathBuf>,
    pub(crate) password_env: Option<String>,
}

/// A header value that must never be printed.
#[derive(Clone)]
struct Secret(String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// An answer of any status.
#[derive(Debug)]
pub(crate) struct HttpResponse {
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
}

impl HttpResponse {
    pub(crate) fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The start of the body on one line, for messages.
    pub(crate) fn excerpt(&self) -> String {
        body_excerpt(&self.body)
    }
}

/// The start of `body` on one line, or `(empty body)`.
pub(crate) fn body_excerpt(body: &[u8]) -> String {
    let head = &body[..body.len().min(4 * EXCERPT_CHARS)];
    let text = one_line(&String::from_utf8_lossy(head), EXCERPT_CHARS);
    if text.is_empty() {
        "(empty body)".into()
    } else {
        text
    }
}

/// A streamed request's outcome: the reader's result for a 2xx answer, else the answer.
#[derive(Debug)]
pub(crate) enum Streamed<T> {
    Read(T),
    Refused(HttpResponse),
}

/// One configured client, reused for every request of a run (connections are pooled).
#[derive(Debug)]
pub(crate) struct HttpClient {
    agent: Agent,
    authorization: Option<Secret>,
    timeout: Duration,
    max_body_bytes: u64,
}

impl HttpClient {
    /// Reads the credential and certificate files now, so a bad one fails before any request.
    pub(crate) fn new(options: &HttpOptions) -> Result<HttpClient, FleetError> {
        let authorization = authorization(options, &|name| std::env::var(name).ok())?;
        let mut config = Agent::config_builder()
            .timeout_global(Some(options.timeout))
            .http_status_as_error(false)
            .user_agent(format!("gpuctl/{}", env!("CARGO_PKG_VERSION")))
            .tls_config(tls_config(options)?);
        if !options.proxy_from_env {
            config = config.proxy(None);
        }
        Ok(HttpClient {
            agent: config.build().new_agent(),
            authorization,
            timeout: options.timeout,
            max_body_bytes: options.max_body_bytes,
        })
    }

    /// The whole-request deadline.
    pub(crate) fn timeout(&self) -> Duration {
        self.timeout
    }

    /// GET `url`; any status other than 2xx is an error quoting the start of the body.
    pub(crate) fn get(&self, url: &str, accept: &str) -> Result<Vec<u8>, FleetError> {
        let response = self.get_any(url, accept)?;
        if response.is_success() {
            return Ok(response.body);
        }
        Err(FleetError::Status {
            url: redact_url(url),
            status: response.status,
            excerpt: response.excerpt(),
        })
    }

    /// GET `url`, returning the answer whatever its status.
    pub(crate) fn get_any(&self, url: &str, accept: &str) -> Result<HttpResponse, FleetError> {
        let mut request = self.agent.get(url).header("Accept", accept);
        if let Some(Secret(value)) = &self.authorization {
            request = request.header("Authorization", value);
        }
        let response = request.call().map_err(|e| self.failure(url, e))?;
        self.read(url, response)
    }

    /// POST `form` urlencoded to `url`, returning the answer whatever its status.
    pub(crate) fn post_form(
        &self,
        url: &str,
        form: &[(&str, &str)],
        accept: &str,
    ) -> Result<HttpResponse, FleetError> {
        let mut request = self.agent.post(url).header("Accept", accept);
        if let Some(Secret(value)) = &self.authorization {
            request = request.header("Authorization", value);
        }
        let response = request
            .send_form(form.iter().copied())
            .map_err(|e| self.failure(url, e))?;
        self.read(url, response)
    }

    /// POST `body` (JSON) to `url` with `headers`, within `timeout` instead of the client's own
    /// deadline, returning the answer whatever its status.
    pub(crate) fn post_json(
        &self,
        url: &str,
        body: &[u8],
        headers: &[(&str, &str)],
        timeout: Duration,
    ) -> Result<HttpResponse, FleetError> {
        let mut request = self
            .agent
            .post(url)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json, */*;q=0.5");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(Secret(value)) = &self.authorization {
            request = request.header("Authorization", value);
        }
        // A redirected POST may become a GET that answers 200 without the body: a redirect
        // is an answer to show, never one to follow.
        let response = request
            .config()
            .timeout_global(Some(timeout))
            .max_redirects(0)
            .build()
            .send(body)
            .map_err(|e| failure(url, e, timeout))?;
        let status = response.status().as_u16();
        let mut response = response;
        let body = response
            .body_mut()
            .with_config()
            .limit(self.max_body_bytes)
            .read_to_vec()
            .map_err(|e| failure(url, e, timeout))?;
        Ok(HttpResponse { status, body })
    }

    /// POST `form` to `url` and hand a 2xx answer's body to `read` as it arrives, so a large
    /// answer is never held whole; any other status comes back read (bounded) for its message.
    /// Transport failures met while `read` runs are reported as such, naming the URL.
    pub(crate) fn post_form_streamed<T>(
        &self,
        url: &str,
        form: &[(&str, &str)],
        accept: &str,
        read: impl FnOnce(&mut dyn std::io::Read) -> Result<T, FleetError>,
    ) -> Result<Streamed<T>, FleetError> {
        let mut request = self.agent.post(url).header("Accept", accept);
        if let Some(Secret(value)) = &self.authorization {
            request = request.header("Authorization", value);
        }
        let mut response = request
            .send_form(form.iter().copied())
            .map_err(|e| self.failure(url, e))?;
        if !(200..300).contains(&response.status().as_u16()) {
            return Ok(Streamed::Refused(self.read(url, response)?));
        }
        let mut reader = response
            .body_mut()
            .with_config()
            .limit(self.max_body_bytes)
            .reader();
        read(&mut reader).map(Streamed::Read)
    }

    /// The FleetError for an I/O error met while reading a streamed body: ureq's own error
    /// when it is one (timeout, size limit), else the I/O error itself.
    pub(crate) fn read_failure(&self, url: &str, error: std::io::Error) -> FleetError {
        if error
            .get_ref()
            .is_some_and(|inner| inner.is::<ureq::Error>())
        {
            if let Some(inner) = error.into_inner() {
                if let Ok(ureq_error) = inner.downcast::<ureq::Error>() {
                    return self.failure(url, *ureq_error);
                }
            }
            return FleetError::Http {
                url: redact_url(url),
                reason: "the connection failed while reading".into(),
            };
        }
        io_failure(
            redact_url(url),
            url.starts_with("https:"),
            error,
            self.timeout,
        )
    }

    fn read(
        &self,
        url: &str,
        mut response: ureq::http::Response<ureq::Body>,
    ) -> Result<HttpResponse, FleetError> {
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(self.max_body_bytes)
            .read_to_vec()
            .map_err(|e| self.failure(url, e))?;
        Ok(HttpResponse { status, body })
    }

    /// One FleetError naming the (redacted) URL for a ureq failure.
    fn failure(&self, url: &str, error: ureq::Error) -> FleetError {
        failure(url, error, self.timeout)
    }
}

/// One FleetError naming the (redacted) URL for a ureq failure of a request given `timeout`.
fn failure(url: &str, error: ureq::Error, timeout: Duration) -> FleetError {
    let url = redact_url(url);
    let https = url.starts_with("https:");
    match error {
        ureq::Error::Timeout(_) => FleetError::Timeout {
            url,
            seconds: timeout.as_secs_f64(),
        },
        ureq::Error::HostNotFound => FleetError::Unreachable {
            url,
            reason: "host not found".into(),
        },
        ureq::Error::ConnectionFailed => FleetError::Unreachable {
            url,
            reason: "connection failed".into(),
        },
        ureq::Error::Io(io) => io_failure(url, https, io, timeout),
        ureq::Error::Tls(reason) => FleetError::Tls {
            url,
            reason: reason.into(),
        },
        ureq::Error::Rustls(e) => FleetError::Tls {
            url,
            reason: one_line(&e.to_string(), EXCERPT_CHARS),
        },
        ureq::Error::BodyExceedsLimit(limit) => FleetError::BodyTooLarge { url, limit },
        ureq::Error::BadUri(reason) => {
            FleetError::Invalid(format!("invalid URL '{url}': {}", one_line(&reason, 100)))
        }
        ureq::Error::Http(e) => FleetError::Invalid(format!(
            "invalid URL '{url}': {}",
            one_line(&e.to_string(), 100)
        )),
        ureq::Error::Decompress(_, e) => FleetError::Malformed {
            url,
            reason: format!("cannot decompress the body: {e}"),
        },
        other => FleetError::Http {
            url,
            reason: one_line(&other.to_string(), EXCERPT_CHARS),
        },
    }
}

fn io_failure(url: String, https: bool, io: std::io::Error, timeout: Duration) -> FleetError {
    let reason = one_line(&io.to_string(), EXCERPT_CHARS);
    match io.kind() {
        IoErrorKind::TimedOut | IoErrorKind::WouldBlock => FleetError::Timeout {
            url,
            seconds: timeout.as_secs_f64(),
        },
        IoErrorKind::ConnectionRefused => FleetError::Unreachable {
            url,
            reason: "connection refused".into(),
        },
        IoErrorKind::HostUnreachable
        | IoErrorKind::NetworkUnreachable
        | IoErrorKind::AddrNotAvailable
        | IoErrorKind::NotConnected => FleetError::Unreachable { url, reason },
        // rustls reports a failed handshake as invalid data on the socket.
        IoErrorKind::InvalidData if https => FleetError::Tls { url, reason },
        _ => FleetError::Http { url, reason },
    }
}

/// The `Authorization` header the options ask for, if any; `env` reads an environment variable.
fn authorization(
    options: &HttpOptions,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<Secret>, FleetError> {
    let bearer = options.bearer_token_file.is_some() || options.bearer_token_env.is_some();
    match (bearer, &options.basic_auth) {
        (true, Some(_)) => Err(FleetError::Invalid(
            "give either a bearer token or basic auth, not both".into(),
        )),
        (true, None) => {
            let token =
                match (&options.bearer_token_file, &options.bearer_token_env) {
                    (Some(path), None) => read_secret_file("bearer token file", path)?,
                    (None, Some(name)) => secret_from_env("bearer token", name, env)?,
                    _ => return Err(FleetError::Invalid(
                        "give the bearer token in a file or in an environment variable, not both"
                            .into(),
                    )),
                };
            Ok(Some(Secret(format!("Bearer {token}"))))
        }
        (false, Some(basic)) => {
            if basic.username.contains(':') {
                return Err(FleetError::Invalid(format!(
                    "basic auth user name '{}' contains ':', which basic auth cannot carry",
                    basic.username
                )));
            }
            let password = match (&basic.password_file, &basic.password_env) {
                (Some(path), _) => read_secret_file("password file", path)?,
                (None, Some(name)) => secret_from_env("basic auth password", name, env)?,
                (None, None) => env(BASIC_AUTH_PASSWORD_ENV).ok_or_else(|| {
                    FleetError::Invalid(format!(
                        "basic auth for user '{}' needs a password: name a password file \
                         or set {BASIC_AUTH_PASSWORD_ENV}",
                        basic.username
                    ))
                })?,
            };
            let credentials = base64::engine::general_purpose::STANDARD
                .encode(format!("{}:{password}", basic.username));
            Ok(Some(Secret(format!("Basic {credentials}"))))
        }
        (false, None) => Ok(None),
    }
}

/// A secret from the environment variable `name`, trimmed; its value is never echoed.
fn secret_from_env(
    what: &str,
    name: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<String, FleetError> {
    let value = env(name).unwrap_or_default();
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(FleetError::Invalid(format!(
            "the {what} is to come from the environment variable {name}, which is not set or empty"
        )));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(FleetError::Invalid(format!(
            "the {what} in the environment variable {name} holds more than one line"
        )));
    }
    Ok(trimmed.to_string())
}

/// The trimmed content of a credentials file; never echoed in an error.
fn read_secret_file(what: &'static str, path: &Path) -> Result<String, FleetError> {
    let bytes = read_small_file(what, path)?;
    let text = String::from_utf8(bytes).map_err(|_| FleetError::File {
        what,
        path: path.to_path_buf(),
        reason: "not UTF-8 text".into(),
    })?;
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(FleetError::File {
            what,
            path: path.to_path_buf(),
            reason: "the file is empty".into(),
        });
    }
    if trimmed.chars().any(char::is_control) {
        return Err(FleetError::File {
            what,
            path: path.to_path_buf(),
            reason: "it holds more than one line".into(),
        });
    }
    Ok(trimmed.to_string())
}

fn read_small_file(what: &'static str, path: &Path) -> Result<Vec<u8>, FleetError> {
    let file_error = |reason: String| FleetError::File {
        what,
        path: path.to_path_buf(),
        reason,
    };
    let metadata = std::fs::metadata(path).map_err(|e| file_error(e.to_string()))?;
    if metadata.len() > MAX_SECRET_FILE_BYTES {
        return Err(file_error(format!(
            "it is {} bytes, more than such a file holds",
            metadata.len()
        )));
    }
    std::fs::read(path).map_err(|e| file_error(e.to_string()))
}

/// The system's roots plus the CA file; a client certificate when one is named.
fn tls_config(options: &HttpOptions) -> Result<TlsConfig, FleetError> {
    let mut roots: Vec<Certificate<'static>> = rustls_native_certs::load_native_certs()
        .certs
        .iter()
        .map(|der| Certificate::from_der(der.as_ref()).to_owned())
        .collect();
    if let Some(path) = &options.ca_file {
        let (certs, _) = read_pem("CA file", path)?;
        if certs.is_empty() {
            return Err(FleetError::File {
                what: "CA file",
                path: path.clone(),
                reason: "it holds no PEM certificate".into(),
            });
        }
        roots.extend(certs);
    }
    let root_certs = if roots.is_empty() {
        RootCerts::WebPki
    } else {
        RootCerts::new_with_certs(&roots)
    };
    let mut builder = TlsConfig::builder().root_certs(root_certs);
    match (&options.client_cert_file, &options.client_key_file) {
        (None, None) => {}
        (Some(cert_path), Some(key_path)) => {
            let (chain, _) = read_pem("client certificate file", cert_path)?;
            if chain.is_empty() {
                return Err(FleetError::File {
                    what: "client certificate file",
                    path: cert_path.clone(),
                    reason: "it holds no PEM certificate".into(),
                });
            }
            let (_, keys) = read_pem("client key file", key_path)?;
            let Some(key) = keys.into_iter().next() else {
                return Err(FleetError::File {
                    what: "client key file",
                    path: key_path.clone(),
                    reason: "it holds no PEM private key".into(),
                });
            };
            builder = builder.client_cert(Some(ClientCert::new_with_certs(&chain, key)));
        }
        _ => {
            return Err(FleetError::Invalid(
                "a client certificate needs both its certificate file and its key file".into(),
            ))
        }
    }
    Ok(builder.build())
}

type PemContents = (
    Vec<Certificate<'static>>,
    Vec<ureq::tls::PrivateKey<'static>>,
);

fn read_pem(what: &'static str, path: &Path) -> Result<PemContents, FleetError> {
    let bytes = read_small_file(what, path)?;
    let mut certs = Vec::new();
    let mut keys = Vec::new();
    for item in ureq::tls::parse_pem(&bytes) {
        match item {
            Ok(PemItem::Certificate(cert)) => certs.push(cert),
            Ok(PemItem::PrivateKey(key)) => keys.push(key),
            Ok(_) => {}
            Err(e) => {
                return Err(FleetError::File {
                    what,
                    path: path.to_path_buf(),
                    reason: format!("not valid PEM: {}", one_line(&e.to_string(), 100)),
                })
            }
        }
    }
    Ok((certs, keys))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::test_server::{closed_port_url, Answer, TestServer};

    fn loopback_options() -> HttpOptions {
        HttpOptions {
            proxy_from_env: false,
            ..HttpOptions::default()
        }
    }

    fn client(options: &HttpOptions) -> HttpClient {
        HttpClient::new(options).unwrap()
    }

    fn write_file(dir: &tempfile::TempDir, name: &str, content: &str) -> PathBuf {
        let path = dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        path
    }

    #[test]
    fn get_returns_the_body_and_sends_accept_and_user_agent() {
        let server = TestServer::answering(Answer::text(200, "m 1\n"));
        let body = client(&loopback_options())
            .get(&server.url("/metrics"), "text/plain")
            .unwrap();
        assert_eq!(body, b"m 1\n");
        let seen = &server.requests()[0];
        assert_eq!(
            (seen.method.as_str(), seen.path.as_str()),
            ("GET", "/metrics")
        );
        assert_eq!(seen.header("accept"), Some("text/plain"));
        assert!(seen.header("user-agent").unwrap().starts_with("gpuctl/"));
        assert_eq!(seen.header("authorization"), None);
    }

    #[test]
    fn bearer_token_comes_from_its_file_trimmed() {
        let dir = tempfile::tempdir().unwrap();
        let server = TestServer::answering(Answer::text(200, ""));
        let options = HttpOptions {
            bearer_token_file: Some(write_file(&dir, "token", "  abc.def \n")),
            ..loopback_options()
        };
        client(&options).get(&server.url("/"), "*/*").unwrap();
        assert_eq!(
            server.requests()[0].header("authorization"),
            Some("Bearer abc.def")
        );
    }

    #[test]
    fn basic_auth_password_from_a_file_or_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        let from_file = HttpOptions {
            basic_auth: Some(BasicAuth {
                username: "admin".into(),
                password_file: Some(write_file(&dir, "pw", "s3cret\n")),
                password_env: None,
            }),
            ..loopback_options()
        };
        let header = authorization(&from_file, &|_| Some("ignored".into())).unwrap();
        // base64("admin:s3cret")
        assert_eq!(header.unwrap().0, "Basic YWRtaW46czNjcmV0");

        let from_env = HttpOptions {
            basic_auth: Some(BasicAuth {
                username: "admin".into(),
                password_file: None,
                password_env: None,
            }),
            ..loopback_options()
        };
        let default_env = |name: &str| (name == BASIC_AUTH_PASSWORD_ENV).then(|| "s3cret".into());
        let header = authorization(&from_env, &default_env).unwrap();
        assert_eq!(header.unwrap().0, "Basic YWRtaW46czNjcmV0");
        let missing = authorization(&from_env, &|_| None).unwrap_err().to_string();
        assert!(missing.contains(BASIC_AUTH_PASSWORD_ENV), "{missing}");

        // A variable of the caller's naming.
        let named = HttpOptions {
            basic_auth: Some(BasicAuth {
                username: "admin".into(),
                password_file: None,
                password_env: Some("AM_PASSWORD".into()),
            }),
            ..loopback_options()
        };
        let env = |name: &str| (name == "AM_PASSWORD").then(|| " s3cret\n".into());
        assert_eq!(
            authorization(&named, &env).unwrap().unwrap().0,
            "Basic YWRtaW46czNjcmV0"
        );
        let unset = authorization(&named, &default_env).unwrap_err().to_string();
        assert!(
            unset.contains("AM_PASSWORD") && !unset.contains("s3cret"),
            "{unset}"
        );

        let server = TestServer::answering(Answer::text(200, ""));
        client(&from_file).get(&server.url("/"), "*/*").unwrap();
        assert_eq!(
            server.requests()[0].header("authorization"),
            Some("Basic YWRtaW46czNjcmV0")
        );
    }

    #[test]
    fn bearer_token_from_a_named_environment_variable_never_echoed() {
        let options = HttpOptions {
            bearer_token_env: Some("HOOK_TOKEN".into()),
            ..loopback_options()
        };
        let env = |name: &str| (name == "HOOK_TOKEN").then(|| "t0ken\n".into());
        assert_eq!(
            authorization(&options, &env).unwrap().unwrap().0,
            "Bearer t0ken"
        );
        let unset = authorization(&options, &|_| None).unwrap_err();
        assert_eq!(
            unset.to_string(),
            "the bearer token is to come from the environment variable HOOK_TOKEN, which is not set or empty"
        );
        let two_lines = |_: &str| Some("t0ken\nsecond".into());
        let message = authorization(&options, &two_lines).unwrap_err().to_string();
        assert!(!message.contains("t0ken"), "{message}");
        let both = HttpOptions {
            bearer_token_file: Some(PathBuf::from("/nonexistent")),
            ..options
        };
        assert_eq!(
            authorization(&both, &env)
                .unwrap_err()
                .to_error()
                .exit_code(),
            2
        );
    }

    #[test]
    fn post_json_sends_the_body_and_headers_within_its_own_deadline() {
        let server = TestServer::answering(Answer::text(400, "bad alert"));
        let response = client(&loopback_options())
            .post_json(
                &server.url("/api/v2/alerts"),
                br#"[{"labels":{"a":"b"}}]"#,
                &[("Idempotency-Key", "k1")],
                Duration::from_secs(2),
            )
            .unwrap();
        assert_eq!(
            (response.status, response.excerpt().as_str()),
            (400, "bad alert")
        );
        let seen = &server.requests()[0];
        assert_eq!(
            (seen.method.as_str(), seen.path.as_str()),
            ("POST", "/api/v2/alerts")
        );
        assert_eq!(seen.header("content-type"), Some("application/json"));
        assert_eq!(seen.header("idempotency-key"), Some("k1"));
        assert_eq!(seen.body, r#"[{"labels":{"a":"b"}}]"#);

        let moved = TestServer::answering(Answer::Reply(
            303,
            "text/plain\r\nLocation: /elsewhere",
            String::new(),
        ));
        let response = client(&loopback_options())
            .post_json(&moved.url("/hook"), b"[]", &[], Duration::from_secs(2))
            .unwrap();
        assert_eq!(response.status, 303, "not followed");
        assert_eq!(moved.requests().len(), 1);

        let silent = TestServer::answering(Answer::Silence);
        let url = silent.url("/");
        let error = client(&loopback_options())
            .post_json(&url, b"[]", &[], Duration::from_millis(300))
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            format!("no answer from {url} within 0.3 s")
        );
    }

    #[test]
    fn credentials_problems_are_usage_errors_that_never_show_the_secret() {
        let dir = tempfile::tempdir().unwrap();
        let both = HttpOptions {
            bearer_token_file: Some(write_file(&dir, "token", "t0ken")),
            basic_auth: Some(BasicAuth {
                username: "u".into(),
                password_file: None,
                password_env: None,
            }),
            ..loopback_options()
        };
        assert_eq!(
            HttpClient::new(&both).unwrap_err().to_error().exit_code(),
            2
        );

        let missing = HttpOptions {
            bearer_token_file: Some(dir.path().join("nope")),
            ..loopback_options()
        };
        let error = HttpClient::new(&missing).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("cannot use the bearer token file "),
            "{error}"
        );
        assert_eq!(error.to_error().exit_code(), 2);

        let two_lines = HttpOptions {
            bearer_token_file: Some(write_file(&dir, "two", "t0ken\nsecond-secret\n")),
            ..loopback_options()
        };
        let message = HttpClient::new(&two_lines).unwrap_err().to_string();
        assert!(!message.contains("t0ken") && !message.contains("second-secret"));

        let debug = format!(
            "{:?}",
            client(&HttpOptions {
                bearer_token_file: Some(write_file(&dir, "t", "t0ken")),
                ..loopback_options()
            })
        );
        assert!(!debug.contains("t0ken"), "{debug}");
    }

    #[test]
    fn error_statuses_quote_the_start_of_the_body_on_one_line() {
        let server = TestServer::answering(Answer::text(503, "overloaded,\n try   later"));
        let url = server.url("/metrics");
        let error = client(&loopback_options()).get(&url, "*/*").unwrap_err();
        assert_eq!(
            error.to_string(),
            format!("{url} answered HTTP 503: overloaded, try later")
        );
        assert_eq!(error.to_error().exit_code(), 6);

        let long = TestServer::answering(Answer::text(500, &"x".repeat(5000)));
        let message = client(&loopback_options())
            .get(&long.url("/"), "*/*")
            .unwrap_err()
            .to_string();
        assert!(message.ends_with('…') && message.len() < 300, "{message}");

        let empty = TestServer::answering(Answer::text(404, ""));
        let message = client(&loopback_options())
            .get(&empty.url("/"), "*/*")
            .unwrap_err()
            .to_string();
        assert!(
            message.ends_with("answered HTTP 404: (empty body)"),
            "{message}"
        );
    }

    #[test]
    fn a_closed_port_is_unreachable_naming_the_url() {
        let url = closed_port_url("/metrics");
        let error = client(&loopback_options()).get(&url, "*/*").unwrap_err();
        assert_eq!(
            error.to_string(),
            format!("cannot reach {url}: connection refused")
        );
    }

    #[test]
    fn a_silent_server_times_out() {
        let server = TestServer::answering(Answer::Silence);
        let options = HttpOptions {
            timeout: Duration::from_millis(300),
            ..loopback_options()
        };
        let url = server.url("/metrics");
        let error = client(&options).get(&url, "*/*").unwrap_err();
        assert_eq!(
            error.to_string(),
            format!("no answer from {url} within 0.3 s")
        );
    }

    #[test]
    fn bodies_over_the_limit_are_refused_not_cut() {
        let server = TestServer::answering(Answer::text(200, &"y".repeat(2048)));
        let options = HttpOptions {
            max_body_bytes: 1024,
            ..loopback_options()
        };
        let error = client(&options).get(&server.url("/"), "*/*").unwrap_err();
        assert!(
            matches!(error, FleetError::BodyTooLarge { limit: 1024, .. }),
            "{error:?}"
        );
    }

    #[test]
    fn https_to_a_plain_http_server_is_a_tls_error() {
        let server = TestServer::answering(Answer::text(200, "m 1\n"));
        let url = server.url("/metrics").replace("http://", "https://");
        let error = client(&loopback_options()).get(&url, "*/*").unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with(&format!("TLS with {url} failed: ")),
            "{error}"
        );
    }

    #[test]
    fn credentials_in_urls_are_not_repeated_in_errors() {
        let url = closed_port_url("/metrics").replace("http://", "http://user:hunter2@");
        let message = client(&loopback_options())
            .get(&url, "*/*")
            .unwrap_err()
            .to_string();
        assert!(!message.contains("hunter2"), "{message}");
        assert!(message.contains("***@127.0.0.1"), "{message}");
    }

    #[test]
    fn a_bad_url_is_a_usage_error() {
        let error = client(&loopback_options())
            .get("not a url", "*/*")
            .unwrap_err();
        let message = error.to_string();
        assert_eq!(error.to_error().exit_code(), 2, "{message}");
    }

    #[test]
    fn ca_files_must_hold_certificates() {
        let dir = tempfile::tempdir().unwrap();
        let options = HttpOptions {
            ca_file: Some(write_file(&dir, "ca.pem", "not pem at all\n")),
            ..loopback_options()
        };
        let error = HttpClient::new(&options).unwrap_err();
        assert!(
            error
                .to_string()
                .ends_with("ca.pem: it holds no PEM certificate"),
            "{error}"
        );
        let half = HttpOptions {
            client_cert_file: Some(dir.path().join("c.pem")),
            ..loopback_options()
        };
        assert_eq!(
            HttpClient::new(&half).unwrap_err().to_error().exit_code(),
            2
        );
    }

    #[test]
    fn post_form_sends_urlencoded_fields_and_returns_any_status() {
        let server = TestServer::answering(Answer::json(400, r#"{"status":"error"}"#));
        let response = client(&loopback_options())
            .post_form(
                &server.url("/api/v1/query"),
                &[("query", "up{job=\"a b\"}"), ("time", "12")],
                "application/json",
            )
            .unwrap();
        assert_eq!(response.status, 400);
        assert_eq!(response.body, br#"{"status":"error"}"#);
        let seen = &server.requests()[0];
        assert_eq!(seen.method, "POST");
        assert_eq!(
            seen.header("content-type"),
            Some("application/x-www-form-urlencoded")
        );
        assert_eq!(seen.form("query").as_deref(), Some("up{job=\"a b\"}"));
        assert_eq!(seen.form("time").as_deref(), Some("12"));
    }
}
