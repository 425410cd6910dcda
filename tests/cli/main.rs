//! gpuctl's integration tests: one binary, a module per command group, each test running the
//! real `gpuctl` against a temp store with a fixed clock.

mod gpu_sources;
mod harness;
mod node;
mod store;
