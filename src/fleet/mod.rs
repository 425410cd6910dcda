//! Sources of many nodes at once: the Prometheus HTTP API and dcgm-exporter's `/metrics`.

pub(crate) mod exposition;
