//! NVML through nvml-wrapper: initialised once per source, degraded per metric.

use std::ffi::{OsStr, OsString};

use nvml_wrapper::enum_wrappers::device::{Clock, EccCounter, MemoryError, TemperatureSensor};
use nvml_wrapper::error::NvmlError;
use nvml_wrapper::{Device, Nvml};

use super::source::{DeviceSample, GpuSource, MigDevice, SourceError};

/// Loads this library instead of the system's `libnvidia-ml.so.1` (tests load a fake).
pub const NVML_LIB_ENV: &str = "GPUCTL_NVML_LIB";

pub(crate) const NVML_NAME: &str = "nvml";
const BYTES_PER_MIB: u64 = 1024 * 1024;

/// Readings from NVML, the library the driver ships; the first choice for `--source auto`.
pub struct NvmlSource {
    nvml: Nvml,
    warnings: Vec<String>,
}

impl std::fmt::Debug for NvmlSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NvmlSource").finish_non_exhaustive()
    }
}

impl NvmlSource {
    /// Initialises NVML from `GPUCTL_NVML_LIB` when set, else the system library.
    pub fn open() -> Result<Self, SourceError> {
        let library: Option<OsString> = std::env::var_os(NVML_LIB_ENV).filter(|p| !p.is_empty());
        Self::open_library(library.as_deref())
    }

    /// Initialises NVML from `library` (`None`: the system's `libnvidia-ml.so.1`).
    pub fn open_library(library: Option<&OsStr>) -> Result<Self, SourceError> {
        let mut builder = Nvml::builder();
        if let Some(path) = library {
            builder.lib_path(path);
        }
        let nvml = builder.init().map_err(|e| init_error(e, library))?;
        Ok(NvmlSource {
            nvml,
            warnings: Vec::new(),
        })
    }

    fn read_device(&self, device: &Device, driver_version: &Option<String>) -> DeviceSample {
        let memory = metric(device.memory_info());
        let utilization = metric(device.utilization_rates());
        let mig_mode = metric(device.mig_mode()).map(|mode| mode.current == 1);
        DeviceSample {
            uuid: String::new(),
            name: metric(device.name()),
            index: metric(device.index()),
            pci_bus_id: metric(device.pci_info()).map(|pci| pci.bus_id),
            serial: metric(device.serial()),
            driver_version: driver_version.clone(),
            timestamp: 0,
            gpu_util_pct: utilization.as_ref().map(|u| u.gpu),
            mem_util_pct: utilization.as_ref().map(|u| u.memory),
            mem_used_mib: memory.as_ref().map(|m| m.used / BYTES_PER_MIB),
            mem_total_mib: memory.as_ref().map(|m| m.total / BYTES_PER_MIB),
            temp_c: metric(device.temperature(TemperatureSensor::Gpu)),
            power_mw: metric(device.power_usage()),
            power_limit_mw: metric(device.enforced_power_limit()),
            sm_clock_mhz: metric(device.clock_info(Clock::SM)),
            mem_clock_mhz: metric(device.clock_info(Clock::Memory)),
            fan_pct: fan_speed(device),
            ecc_corrected: metric(
                device.total_ecc_errors(MemoryError::Corrected, EccCounter::Volatile),
            ),
            ecc_uncorrected: metric(
                device.total_ecc_errors(MemoryError::Uncorrected, EccCounter::Volatile),
            ),
            energy_mj: metric(device.total_energy_consumption()),
            mig_mode,
            mig_devices: if mig_mode == Some(true) {
                self.mig_devices(device)
            } else {
                Vec::new()
            },
        }
    }

    /// The MIG devices in use: NVML reports a maximum of slots, and empty slots answer
    /// NotFound, so those are skipped.
    fn mig_devices(&self, device: &Device) -> Vec<MigDevice> {
        let slots = metric(device.mig_device_count()).unwrap_or(0);
        (0..slots)
            .filter_map(|slot| device.mig_device_by_index(slot).ok())
            .filter_map(|mig| {
                let uuid = mig.uuid().ok()?;
                let memory = metric(mig.memory_info());
                Some(MigDevice {
                    uuid,
                    gpu_instance_id: self.instance_id(&mig, InstanceKind::Gpu),
                    compute_instance_id: self.instance_id(&mig, InstanceKind::Compute),
                    profile: metric(mig.name()).and_then(|name| mig_profile(&name)),
                    mem_total_mib: memory.as_ref().map(|m| m.total / BYTES_PER_MIB),
                    mem_used_mib: memory.as_ref().map(|m| m.used / BYTES_PER_MIB),
                })
            })
            .collect()
    }

    /// nvml-wrapper has no method for these ids, so the raw symbol is called; a driver
    /// without it gives None like any unsupported metric.
    fn instance_id(&self, mig: &Device, kind: InstanceKind) -> Option<u32> {
        let lib = self.nvml.lib();
        let symbol = match kind {
            InstanceKind::Gpu => lib.nvmlDeviceGetGpuInstanceId.as_ref(),
            InstanceKind::Compute => lib.nvmlDeviceGetComputeInstanceId.as_ref(),
        };
        let function = symbol.ok()?;
        let mut id: u32 = 0;
        // SAFETY: the handle comes from this initialised NVML and lives as long as `mig`;
        // the function writes one unsigned int through the pointer it is given.
        let status = unsafe { (*function)(mig.handle(), &mut id) };
        (status == 0).then_some(id)
    }
}

#[derive(Clone, Copy)]
enum InstanceKind {
    Gpu,
    Compute,
}

impl GpuSource for NvmlSource {
    fn name(&self) -> &'static str {
        NVML_NAME
    }

    fn sample(&mut self) -> Result<Vec<DeviceSample>, SourceError> {
        let now = crate::clock::now()
            .map_err(|e| SourceError::failed(NVML_NAME, e.message))?
            .timestamp();
        let driver_version = metric(self.nvml.sys_driver_version());
        let count = self
            .nvml
            .device_count()
            .map_err(|e| SourceError::failed(NVML_NAME, format!("cannot count GPUs: {e}")))?;
        let mut samples = Vec::with_capacity(count as usize);
        for index in 0..count {
            let device = match self.nvml.device_by_index(index) {
                Ok(device) => device,
                Err(e) => {
                    self.warnings
                        .push(format!("nvml: GPU {index} cannot be opened: {e}; skipped"));
                    continue;
                }
            };
            // Without its UUID a GPU cannot be keyed, so it is left out rather than guessed.
            let uuid = match device.uuid() {
                Ok(uuid) => uuid,
                Err(e) => {
                    self.warnings.push(format!(
                        "nvml: GPU {index} has no readable UUID: {e}; skipped"
                    ));
                    continue;
                }
            };
            let mut sample = self.read_device(&device, &driver_version);
            sample.uuid = uuid;
            sample.timestamp = now;
            samples.push(sample);
        }
        Ok(samples)
    }

    fn take_warnings(&mut self) -> Vec<String> {
        std::mem::take(&mut self.warnings)
    }
}

/// Why NVML would not start: a missing library or an unloaded driver means "no driver here";
/// anything else (no permission, version mismatch) is a real failure.
fn init_error(error: NvmlError, library: Option<&OsStr>) -> SourceError {
    let shown = library
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_else(|| "libnvidia-ml.so.1".to_string());
    match error {
        NvmlError::LibloadingError(e) => SourceError::NoDriver(format!("cannot load {shown}: {e}")),
        NvmlError::FailedToLoadSymbol(e) => {
            SourceError::NoDriver(format!("{shown} is not a usable NVML library: {e}"))
        }
        NvmlError::DriverNotLoaded => {
            SourceError::NoDriver("the NVIDIA kernel driver is not loaded".to_string())
        }
        NvmlError::LibraryNotFound => {
            SourceError::NoDriver(format!("NVML could not find its library ({shown})"))
        }
        other => SourceError::failed(NVML_NAME, format!("cannot initialise NVML: {other}")),
    }
}

/// One metric: any error (NotSupported, a symbol an old driver lacks, NoPermission,
/// Unknown …) makes only this value None; it never fails the sample or becomes 0.
fn metric<T>(result: Result<T, NvmlError>) -> Option<T> {
    result.ok()
}

/// The first fan's speed: NVML reports per fan, the store keeps one value per GPU.
fn fan_speed(device: &Device) -> Option<u32> {
    match metric(device.num_fans()) {
        Some(0) => None,
        _ => metric(device.fan_speed(0)),
    }
}

/// `NVIDIA H100 80GB HBM3 MIG 1g.10gb` → `1g.10gb`: NVML names a MIG device after its profile.
fn mig_profile(name: &str) -> Option<String> {
    let (_, profile) = name.rsplit_once("MIG ")?;
    let profile = profile.trim();
    let looks_like_profile =
        profile.starts_with(|c: char| c.is_ascii_digit()) && profile.contains("g.");
    looks_like_profile.then(|| profile.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_metric_errors_become_none() {
        for error in [
            NvmlError::NotSupported,
            NvmlError::FailedToLoadSymbol("undefined symbol: nvmlDeviceGetFanSpeed_v2".into()),
            NvmlError::NoPermission,
            NvmlError::Unknown,
            NvmlError::GpuLost,
        ] {
            assert_eq!(metric::<u32>(Err(error)), None);
        }
        assert_eq!(metric::<u32>(Ok(0)), Some(0));
    }

    #[test]
    fn a_missing_library_or_driver_is_no_driver() {
        let missing = NvmlSource::open_library(Some(OsStr::new("/nonexistent/libnvidia-ml.so.1")))
            .unwrap_err();
        assert!(missing.is_no_driver(), "{missing}");
        assert!(missing
            .to_string()
            .contains("/nonexistent/libnvidia-ml.so.1"));
        assert!(init_error(NvmlError::DriverNotLoaded, None).is_no_driver());
        assert!(init_error(NvmlError::FailedToLoadSymbol("x".into()), None).is_no_driver());
        assert!(!init_error(NvmlError::NoPermission, None).is_no_driver());
        assert!(!init_error(NvmlError::LibRmVersionMismatch, None).is_no_driver());
    }

    #[test]
    fn mig_profiles_come_from_mig_device_names() {
        assert_eq!(
            mig_profile("NVIDIA H100 80GB HBM3 MIG 1g.10gb").as_deref(),
            Some("1g.10gb")
        );
        assert_eq!(
            mig_profile("NVIDIA A100-SXM4-40GB MIG 3g.20gb").as_deref(),
            Some("3g.20gb")
        );
        assert_eq!(
            mig_profile("NVIDIA H100 80GB HBM3 MIG 1g.10gb+me").as_deref(),
            Some("1g.10gb+me")
        );
        assert_eq!(mig_profile("NVIDIA H100 80GB HBM3"), None);
    }
}
