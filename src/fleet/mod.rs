//! Sources of many nodes at once: the Prometheus HTTP API and dcgm-exporter's `/metrics`.

pub(crate) mod dcgm;
pub(crate) mod error;
pub(crate) mod exposition;
pub(crate) mod http;
pub(crate) mod prometheus;
#[cfg(test)]
mod test_server;
