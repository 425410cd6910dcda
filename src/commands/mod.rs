//! One module per command group; each exposes `run(ctx, command)`.

pub(crate) mod alert;
pub(crate) mod alloc;
pub(crate) mod collect;
pub(crate) mod completions;
pub(crate) mod dashboard;
pub(crate) mod db;
pub(crate) mod demo;
pub(crate) mod device;
pub(crate) mod doctor;
pub(crate) mod export;
pub(crate) mod mig;
pub(crate) mod model;
pub(crate) mod node;
pub(crate) mod optimize;
pub(crate) mod report;
