//! One module per command group; each exposes `run(ctx, command)`.

pub mod alert;
pub mod alloc;
pub mod collect;
pub mod completions;
pub mod dashboard;
pub mod db;
pub mod demo;
pub mod device;
pub mod doctor;
pub mod export;
pub mod kube;
pub mod mig;
pub mod model;
pub mod node;
pub mod optimize;
pub mod report;

/// "1 GPU", "2 GPUs".
pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
