//! gpuctl's integration tests: one binary, a module per command group, each test running the
//! real `gpuctl` against a temp store with a fixed clock.

mod alert;
mod alloc;
mod bad_input;
mod collect;
mod completion;
mod contrib;
mod conventions;
mod dashboard;
mod db;
mod demo;
mod device;
mod doctor;
mod fleet;
mod generated;
mod gpu_sources;
mod hangs;
mod harness;
mod help;
mod kube;
mod lists;
mod mig;
mod model;
mod monitoring;
mod node;
mod notify;
mod optimize;
mod output_contract;
mod prometheus;
mod readme;
mod report;
mod services;
mod store;
mod terminal;
