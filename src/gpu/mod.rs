pub mod catalog;
pub mod mig;
