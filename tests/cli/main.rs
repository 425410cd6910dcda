//! gpuctl's integration tests: one binary, a module per command group, each test running the
//! real `gpuctl` against a temp store with a fixed clock.

mod alert;
mod collect;
mod conventions;
mod db;
mod doctor;
mod generated;
mod gpu_sources;
mod harness;
mod kube;
mod node;
mod prometheus;
mod report;
mod store;
