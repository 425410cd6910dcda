// The catalogue as gpuctl ships it, in readable form with its sources. Stores get it through
// migrations (frozen data); tests hold the two together, and nothing reads this at run time.
#[cfg(test)]
pub mod catalog;
pub mod mig;
pub mod nvml;
pub mod replay;
pub mod smi;
pub mod source;
