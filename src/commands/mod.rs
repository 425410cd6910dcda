//! One module per command group; each exposes `run(ctx, command)`.

pub mod alert;
pub mod collect;
pub mod completions;
pub mod db;
pub mod doctor;
pub mod export;
pub mod kube;
pub mod node;
pub mod report;
