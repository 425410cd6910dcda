//! What every GPU source returns: one `DeviceSample` per GPU, `None` where a metric is not reported.

use std::path::PathBuf;
use std::time::Duration;

use crate::error::Error;

use super::nvml::NvmlSource;
use super::smi::SmiSource;

/// Where GPU readings come from: NVML, live nvidia-smi, or a recorded nvidia-smi CSV file.
pub trait GpuSource {
    /// A short name for messages and the audit log: `nvml`, `nvidia-smi`, `replay`.
    fn name(&self) -> &'static str;

    /// One reading of every GPU the source sees. A metric the GPU does not report is `None`,
    /// never 0; only a failure of the whole source is an error.
    fn sample(&mut self) -> Result<Vec<DeviceSample>, SourceError>;

    /// Problems since the last call that did not fail the sample (a GPU that could not be
    /// read at all and was left out), for the command to print as warnings.
    fn take_warnings(&mut self) -> Vec<String> {
        Vec::new()
    }
}

/// One GPU at one moment. Units follow the store: MiB, milliwatts, °C, whole percent, MHz.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceSample {
    /// `GPU-…`; the key, since indexes change across boots.
    pub uuid: String,
    /// The model as NVML reports it, e.g. `NVIDIA H100 80GB HBM3`.
    pub name: Option<String>,
    pub index: Option<u32>,
    pub pci_bus_id: Option<String>,
    pub serial: Option<String>,
    pub driver_version: Option<String>,
    /// Unix seconds: when the sample was taken (for replay, the recorded time).
    pub timestamp: i64,
    pub gpu_util_pct: Option<u32>,
    pub mem_util_pct: Option<u32>,
    pub mem_used_mib: Option<u64>,
    pub mem_total_mib: Option<u64>,
    pub temp_c: Option<u32>,
    pub power_mw: Option<u32>,
    pub power_limit_mw: Option<u32>,
    pub sm_clock_mhz: Option<u32>,
    pub mem_clock_mhz: Option<u32>,
    pub fan_pct: Option<u32>,
    /// Volatile (since the driver loaded) ECC error counts.
    pub ecc_corrected: Option<u64>,
    pub ecc_uncorrected: Option<u64>,
    /// Total energy counter in millijoules (Volta and newer).
    pub energy_mj: Option<u64>,
    /// Whether MIG is currently enabled; `None` where the GPU has no MIG.
    pub mig_mode: Option<bool>,
    /// The MIG devices, when MIG is enabled and the source can see them.
    pub mig_devices: Vec<MigDevice>,
}

/// A MIG device (a compute instance inside a GPU instance) of a MIG-enabled GPU.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MigDevice {
    /// `MIG-…`
    pub uuid: String,
    pub gpu_instance_id: Option<u32>,
    pub compute_instance_id: Option<u32>,
    /// The profile such as `1g.10gb`, when the source can tell.
    pub profile: Option<String>,
    pub mem_total_mib: Option<u64>,
    pub mem_used_mib: Option<u64>,
}

/// Why a source could not produce a sample.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// No NVIDIA driver here: the library or binary is missing, or the driver is not loaded.
    #[error("no NVIDIA driver found: {0}")]
    NoDriver(String),
    /// A recorded file that is not a usable nvidia-smi CSV.
    #[error("{}:{line}: {message}", path.display())]
    Malformed {
        path: PathBuf,
        line: u64,
        message: String,
    },
    /// The input file cannot be read.
    #[error("cannot read {}: {error}", path.display())]
    Unreadable {
        path: PathBuf,
        error: std::io::Error,
    },
    /// The source did not answer in time and was given up on (nvidia-smi killed): a wedged
    /// driver, as far as the run can tell.
    #[error("nvidia-smi timed out: {0}")]
    TimedOut(String),
    /// Anything else: the driver answered, but with an error.
    #[error("{source_name}: {message}")]
    Failed {
        source_name: &'static str,
        message: String,
    },
}

impl SourceError {
    pub fn failed(source_name: &'static str, message: impl Into<String>) -> Self {
        SourceError::Failed {
            source_name,
            message: message.into(),
        }
    }

    /// True when the machine has no usable NVIDIA driver (so `--source auto` may fall back).
    pub fn is_no_driver(&self) -> bool {
        matches!(self, SourceError::NoDriver(_))
    }
}

impl From<SourceError> for Error {
    fn from(e: SourceError) -> Self {
        let message = e.to_string();
        match e {
            SourceError::NoDriver(_) => Error::no_gpu(message).with_hint(
                "is the NVIDIA driver installed and loaded? 'nvidia-smi' should list the GPUs",
            ),
            SourceError::TimedOut(_) => Error::no_gpu(message).with_hint(
                "the driver may be hung: see 'dmesg' for Xid errors; --smi-timeout sets the limit",
            ),
            SourceError::Malformed { .. } => Error::usage(message),
            SourceError::Unreadable { ref error, .. }
                if matches!(
                    error.kind(),
                    std::io::ErrorKind::NotFound | std::io::ErrorKind::IsADirectory
                ) =>
            {
                Error::usage(message)
            }
            SourceError::Unreadable { .. } | SourceError::Failed { .. } => Error::runtime(message),
        }
    }
}

/// `--source auto`: NVML when it initialises, else nvidia-smi (`smi_command`). When both
/// fail, the error names both reasons; it is the no-driver error when both found no driver.
pub fn open_auto(
    smi_command: impl Into<PathBuf>,
    smi_timeout: Duration,
) -> Result<Box<dyn GpuSource>, SourceError> {
    match NvmlSource::open() {
        Ok(nvml) => Ok(Box::new(nvml)),
        Err(nvml_error) => Ok(Box::new(SmiFallback {
            smi: SmiSource::new(smi_command).with_timeout(smi_timeout),
            nvml_error,
        })),
    }
}

/// nvidia-smi standing in for NVML, remembering why NVML could not be used.
struct SmiFallback {
    smi: SmiSource,
    nvml_error: SourceError,
}

impl GpuSource for SmiFallback {
    fn name(&self) -> &'static str {
        self.smi.name()
    }

    fn sample(&mut self) -> Result<Vec<DeviceSample>, SourceError> {
        let nvml_reason = match &self.nvml_error {
            SourceError::NoDriver(reason) => reason.clone(),
            other => other.to_string(),
        };
        self.smi.sample().map_err(|smi_error| match smi_error {
            SourceError::NoDriver(reason) if self.nvml_error.is_no_driver() => {
                SourceError::NoDriver(format!("NVML: {nvml_reason}; nvidia-smi: {reason}"))
            }
            SourceError::TimedOut(reason) => SourceError::TimedOut(format!(
                "{reason} (NVML could not be used either: {nvml_reason})"
            )),
            other => SourceError::failed(
                "nvidia-smi",
                format!("{other} (NVML could not be used either: {nvml_reason})"),
            ),
        })
    }

    fn take_warnings(&mut self) -> Vec<String> {
        self.smi.take_warnings()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn no_driver_is_exit_6_with_a_hint() {
        let e = Error::from(SourceError::NoDriver("libnvidia-ml.so.1 not found".into()));
        assert_eq!(e.kind, ErrorKind::NoGpu);
        assert_eq!(e.exit_code(), 6);
        assert!(e.message.starts_with("no NVIDIA driver found"));
        assert!(e.hint.is_some());
    }

    #[test]
    fn malformed_file_is_usage_naming_file_and_line() {
        let e = Error::from(SourceError::Malformed {
            path: PathBuf::from("gpus.csv"),
            line: 7,
            message: "bad value".into(),
        });
        assert_eq!(e.exit_code(), 2);
        assert_eq!(e.message, "gpus.csv:7: bad value");
    }

    #[test]
    fn missing_input_is_usage_other_failures_are_runtime() {
        let missing = SourceError::Unreadable {
            path: PathBuf::from("nope.csv"),
            error: std::io::Error::from(std::io::ErrorKind::NotFound),
        };
        assert_eq!(Error::from(missing).exit_code(), 2);
        let failed = SourceError::failed("nvml", "GPU is lost");
        assert_eq!(Error::from(failed).exit_code(), 1);
    }
}
