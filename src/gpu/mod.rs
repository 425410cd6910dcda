pub mod catalog;
pub mod mig;
pub mod nvml;
pub mod replay;
pub mod smi;
pub mod source;
