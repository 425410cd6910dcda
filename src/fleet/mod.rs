//! Sources of many nodes at once: the Prometheus HTTP API and dcgm-exporter's `/metrics`.

pub(crate) mod error;
pub(crate) mod exposition;
pub(crate) mod http;
#[cfg(test)]
mod test_server;
