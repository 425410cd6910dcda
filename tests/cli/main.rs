//! gpuctl's integration tests: one binary, a module per command group, each test running the
//! real `gpuctl` against a temp store with a fixed clock.

mod alloc;
mod device;
mod harness;
mod mig;
mod model;
mod node;
mod optimize;
mod store;
