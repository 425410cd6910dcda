//! One module per command group; each exposes `run(ctx, command)`.

pub mod alert;
pub mod db;
pub mod node;
