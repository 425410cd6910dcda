//! A fake `libnvidia-ml.so.1` for tests on machines without a GPU.
//!
//! It exports the NVML symbols gpuctl's NVML source calls and answers from the JSON fixture
//! named by `FAKE_NVML_FIXTURE`, read again at every `nvmlInit_v2`. nvml-wrapper resolves
//! symbols lazily (each is kept as a `Result` and checked when called), so symbols gpuctl
//! never calls need not exist here; a call to one would show up as `FailedToLoadSymbol`.
//!
//! Fixture: `{"init_error": 9?, "driver_version": "…", "devices": [{…}]}`. A metric that is
//! missing or `null` answers NVML_ERROR_NOT_SUPPORTED; `"errors": {"nvmlDeviceGetX": code}`
//! forces any return code for one function of one GPU.

// The exported functions keep NVML's C names, and each is `unsafe` only because C callers
// hand it raw pointers; the contract is NVML's own (documented in nvml.h), not repeated here.
#![allow(non_snake_case, clippy::missing_safety_doc)]

use std::collections::HashMap;
use std::ffi::{c_char, c_uint, c_ulonglong, c_void};
use std::sync::Mutex;

use serde::Deserialize;

type Return = c_uint;
type Handle = *mut c_void;

const SUCCESS: Return = 0;
const ERROR_UNINITIALIZED: Return = 1;
const ERROR_INVALID_ARGUMENT: Return = 2;
const ERROR_NOT_SUPPORTED: Return = 3;
const ERROR_NOT_FOUND: Return = 6;
const ERROR_INSUFFICIENT_SIZE: Return = 7;
const ERROR_UNKNOWN: Return = 999;

/// NVML enum values gpuctl passes (nvml.h).
const TEMPERATURE_GPU: c_uint = 0;
const CLOCK_SM: c_uint = 1;
const CLOCK_MEM: c_uint = 2;
const MEMORY_ERROR_CORRECTED: c_uint = 0;
const MEMORY_ERROR_UNCORRECTED: c_uint = 1;
const ECC_VOLATILE: c_uint = 0;

pub const FIXTURE_ENV: &str = "FAKE_NVML_FIXTURE";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Fixture {
    /// The code `nvmlInit_v2` fails with, e.g. 9 (NVML_ERROR_DRIVER_NOT_LOADED).
    #[serde(default)]
    init_error: Option<Return>,
    #[serde(default)]
    driver_version: Option<String>,
    #[serde(default)]
    devices: Vec<Gpu>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Gpu {
    uuid: String,
    name: String,
    #[serde(default)]
    serial: Option<String>,
    pci_bus_id: String,
    gpu_util: Option<u32>,
    mem_util: Option<u32>,
    memory_total_bytes: Option<u64>,
    memory_used_bytes: Option<u64>,
    temperature_c: Option<u32>,
    power_mw: Option<u32>,
    power_limit_mw: Option<u32>,
    sm_clock_mhz: Option<u32>,
    mem_clock_mhz: Option<u32>,
    /// One speed per fan; `[]` is a fanless board, missing is NotSupported.
    fan_speeds: Option<Vec<u32>>,
    ecc_corrected: Option<u64>,
    ecc_uncorrected: Option<u64>,
    energy_mj: Option<u64>,
    /// NVML's MIG mode: 1 enabled, 0 disabled; missing is NotSupported (no MIG).
    mig_mode: Option<u32>,
    #[serde(default)]
    mig_devices: Vec<Mig>,
    #[serde(default)]
    errors: HashMap<String, Return>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Mig {
    uuid: String,
    name: String,
    gpu_instance_id: u32,
    compute_instance_id: u32,
    memory_total_bytes: u64,
    memory_used_bytes: u64,
    /// The slot NVML reports it at; slots without a device answer NotFound.
    slot: u32,
}

static FIXTURE: Mutex<Option<Fixture>> = Mutex::new(None);

/// What a handle points at: handles encode (GPU index + 1) << 16, plus MIG slot + 1.
enum Target<'a> {
    Gpu(&'a Gpu),
    Mig(&'a Mig),
}

fn gpu_handle(index: usize) -> Handle {
    ((index + 1) << 16) as Handle
}

fn mig_handle(index: usize, slot: u32) -> Handle {
    (((index + 1) << 16) | (slot as usize + 1)) as Handle
}

/// Runs `answer` on the target of `handle`, or returns the error NVML would.
fn with_target(handle: Handle, function: &str, answer: impl FnOnce(Target) -> Return) -> Return {
    let guard = FIXTURE.lock().unwrap_or_else(|p| p.into_inner());
    let Some(fixture) = guard.as_ref() else {
        return ERROR_UNINITIALIZED;
    };
    let raw = handle as usize;
    let Some(gpu) = (raw >> 16)
        .checked_sub(1)
        .and_then(|i| fixture.devices.get(i))
    else {
        return ERROR_INVALID_ARGUMENT;
    };
    if let Some(&code) = gpu.errors.get(function) {
        return code;
    }
    match raw & 0xffff {
        0 => answer(Target::Gpu(gpu)),
        slot => match gpu.mig_devices.iter().find(|m| m.slot + 1 == slot as u32) {
            Some(mig) => answer(Target::Mig(mig)),
            None => ERROR_INVALID_ARGUMENT,
        },
    }
}

/// Like `with_target` for a value only physical GPUs have.
fn gpu_value<T: Copy>(
    handle: Handle,
    function: &str,
    out: *mut T,
    value: impl FnOnce(&Gpu) -> Option<T>,
) -> Return {
    with_target(handle, function, |target| match target {
        Target::Gpu(gpu) => write(out, value(gpu)),
        Target::Mig(..) => ERROR_NOT_SUPPORTED,
    })
}

fn write<T>(out: *mut T, value: Option<T>) -> Return {
    match value {
        None => ERROR_NOT_SUPPORTED,
        Some(_) if out.is_null() => ERROR_INVALID_ARGUMENT,
        Some(v) => {
            // SAFETY: NVML's callers pass a valid, aligned pointer for the result.
            unsafe { out.write(v) };
            SUCCESS
        }
    }
}

/// Copies `text` and its NUL into the caller's buffer of `length` bytes.
fn write_string(text: &str, buffer: *mut c_char, length: c_uint) -> Return {
    if buffer.is_null() {
        return ERROR_INVALID_ARGUMENT;
    }
    let bytes = text.as_bytes();
    if bytes.len() + 1 > length as usize {
        return ERROR_INSUFFICIENT_SIZE;
    }
    // SAFETY: the caller's buffer holds `length` bytes, more than the text and its NUL.
    unsafe {
        std::ptr::copy_nonoverlapping(bytes.as_ptr().cast::<c_char>(), buffer, bytes.len());
        buffer.add(bytes.len()).write(0);
    }
    SUCCESS
}

fn load_fixture() -> Result<Fixture, String> {
    let path = std::env::var(FIXTURE_ENV).map_err(|_| format!("{FIXTURE_ENV} is not set"))?;
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))
}

#[no_mangle]
pub extern "C" fn nvmlInit_v2() -> Return {
    let fixture = match load_fixture() {
        Ok(fixture) => fixture,
        Err(e) => {
            eprintln!("fake-nvml: {e}");
            return ERROR_UNKNOWN;
        }
    };
    if let Some(code) = fixture.init_error {
        return code;
    }
    *FIXTURE.lock().unwrap_or_else(|p| p.into_inner()) = Some(fixture);
    SUCCESS
}

#[no_mangle]
pub extern "C" fn nvmlInitWithFlags(_flags: c_uint) -> Return {
    nvmlInit_v2()
}

#[no_mangle]
pub extern "C" fn nvmlShutdown() -> Return {
    FIXTURE.lock().unwrap_or_else(|p| p.into_inner()).take();
    SUCCESS
}

#[no_mangle]
pub extern "C" fn nvmlErrorString(result: Return) -> *const c_char {
    let text: &'static [u8] = match result {
        SUCCESS => b"Success\0",
        ERROR_NOT_SUPPORTED => b"Not Supported\0",
        9 => b"Driver Not Loaded\0",
        _ => b"Unknown Error\0",
    };
    text.as_ptr().cast()
}

#[no_mangle]
pub unsafe extern "C" fn nvmlSystemGetDriverVersion(
    version: *mut c_char,
    length: c_uint,
) -> Return {
    let guard = FIXTURE.lock().unwrap_or_else(|p| p.into_inner());
    match guard.as_ref() {
        None => ERROR_UNINITIALIZED,
        Some(Fixture {
            driver_version: Some(v),
            ..
        }) => write_string(v, version, length),
        Some(_) => ERROR_NOT_SUPPORTED,
    }
}

#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetCount_v2(count: *mut c_uint) -> Return {
    let guard = FIXTURE.lock().unwrap_or_else(|p| p.into_inner());
    match guard.as_ref() {
        None => ERROR_UNINITIALIZED,
        Some(f) => write(count, Some(f.devices.len() as c_uint)),
    }
}

#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetHandleByIndex_v2(
    index: c_uint,
    device: *mut Handle,
) -> Return {
    let guard = FIXTURE.lock().unwrap_or_else(|p| p.into_inner());
    match guard.as_ref() {
        None => ERROR_UNINITIALIZED,
        Some(f) if (index as usize) < f.devices.len() => {
            write(device, Some(gpu_handle(index as usize)))
        }
        Some(_) => ERROR_INVALID_ARGUMENT,
    }
}

#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetUUID(
    device: Handle,
    uuid: *mut c_char,
    length: c_uint,
) -> Return {
    with_target(device, "nvmlDeviceGetUUID", |t| match t {
        Target::Gpu(gpu) => write_string(&gpu.uuid, uuid, length),
        Target::Mig(mig) => write_string(&mig.uuid, uuid, length),
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetName(
    device: Handle,
    name: *mut c_char,
    length: c_uint,
) -> Return {
    with_target(device, "nvmlDeviceGetName", |t| match t {
        Target::Gpu(gpu) => write_string(&gpu.name, name, length),
        Target::Mig(mig) => write_string(&mig.name, name, length),
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetIndex(device: Handle, index: *mut c_uint) -> Return {
    let raw = device as usize;
    gpu_value(device, "nvmlDeviceGetIndex", index, |_| {
        Some(((raw >> 16) - 1) as c_uint)
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetSerial(
    device: Handle,
    serial: *mut c_char,
    length: c_uint,
) -> Return {
    with_target(device, "nvmlDeviceGetSerial", |t| match t {
        Target::Gpu(Gpu {
            serial: Some(s), ..
        }) => write_string(s, serial, length),
        _ => ERROR_NOT_SUPPORTED,
    })
}

/// nvml.h's nvmlPciInfo_t (v3).
#[repr(C)]
pub struct PciInfo {
    bus_id_legacy: [c_char; 16],
    domain: c_uint,
    bus: c_uint,
    device: c_uint,
    pci_device_id: c_uint,
    pci_sub_system_id: c_uint,
    bus_id: [c_char; 32],
}

#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetPciInfo_v3(device: Handle, pci: *mut PciInfo) -> Return {
    with_target(device, "nvmlDeviceGetPciInfo_v3", |t| {
        let Target::Gpu(gpu) = t else {
            return ERROR_NOT_SUPPORTED;
        };
        if pci.is_null() {
            return ERROR_INVALID_ARGUMENT;
        }
        let mut info = PciInfo {
            bus_id_legacy: [0; 16],
            domain: 0,
            bus: 0,
            device: 0,
            pci_device_id: 0x2330_10de,
            pci_sub_system_id: 0,
            bus_id: [0; 32],
        };
        let code = write_string(&gpu.pci_bus_id, info.bus_id.as_mut_ptr(), 32);
        if code != SUCCESS {
            return code;
        }
        // SAFETY: checked non-null; the caller passes room for one nvmlPciInfo_t.
        unsafe { pci.write(info) };
        SUCCESS
    })
}

/// nvml.h's nvmlUtilization_t.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Utilization {
    gpu: c_uint,
    memory: c_uint,
}

#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetUtilizationRates(
    device: Handle,
    utilization: *mut Utilization,
) -> Return {
    gpu_value(device, "nvmlDeviceGetUtilizationRates", utilization, |g| {
        Some(Utilization {
            gpu: g.gpu_util?,
            memory: g.mem_util?,
        })
    })
}

/// nvml.h's nvmlMemory_v2_t.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct MemoryV2 {
    version: c_uint,
    total: c_ulonglong,
    reserved: c_ulonglong,
    free: c_ulonglong,
    used: c_ulonglong,
}

#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetMemoryInfo_v2(
    device: Handle,
    memory: *mut MemoryV2,
) -> Return {
    with_target(device, "nvmlDeviceGetMemoryInfo_v2", |t| {
        let (total, used) = match t {
            Target::Gpu(g) => match (g.memory_total_bytes, g.memory_used_bytes) {
                (Some(total), Some(used)) => (total, used),
                _ => return ERROR_NOT_SUPPORTED,
            },
            Target::Mig(m) => (m.memory_total_bytes, m.memory_used_bytes),
        };
        // The caller sets the struct version; keep it as NVML does.
        let version = if memory.is_null() {
            0
        } else {
            // SAFETY: checked non-null; the caller initialised the struct it passes.
            unsafe { (*memory).version }
        };
        write(
            memory,
            Some(MemoryV2 {
                version,
                total,
                reserved: 0,
                free: total.saturating_sub(used),
                used,
            }),
        )
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetTemperature(
    device: Handle,
    sensor: c_uint,
    temp: *mut c_uint,
) -> Return {
    gpu_value(device, "nvmlDeviceGetTemperature", temp, |g| {
        (sensor == TEMPERATURE_GPU)
            .then_some(g.temperature_c)
            .flatten()
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetPowerUsage(device: Handle, power: *mut c_uint) -> Return {
    gpu_value(device, "nvmlDeviceGetPowerUsage", power, |g| g.power_mw)
}

#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetEnforcedPowerLimit(
    device: Handle,
    limit: *mut c_uint,
) -> Return {
    gpu_value(device, "nvmlDeviceGetEnforcedPowerLimit", limit, |g| {
        g.power_limit_mw
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetClockInfo(
    device: Handle,
    clock_type: c_uint,
    clock: *mut c_uint,
) -> Return {
    gpu_value(
        device,
        "nvmlDeviceGetClockInfo",
        clock,
        |g| match clock_type {
            CLOCK_SM => g.sm_clock_mhz,
            CLOCK_MEM => g.mem_clock_mhz,
            _ => None,
        },
    )
}

#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetNumFans(device: Handle, count: *mut c_uint) -> Return {
    gpu_value(device, "nvmlDeviceGetNumFans", count, |g| {
        g.fan_speeds.as_ref().map(|f| f.len() as c_uint)
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetFanSpeed_v2(
    device: Handle,
    fan: c_uint,
    speed: *mut c_uint,
) -> Return {
    gpu_value(device, "nvmlDeviceGetFanSpeed_v2", speed, |g| {
        g.fan_speeds.as_ref()?.get(fan as usize).copied()
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetTotalEccErrors(
    device: Handle,
    error_type: c_uint,
    counter_type: c_uint,
    count: *mut c_ulonglong,
) -> Return {
    gpu_value(device, "nvmlDeviceGetTotalEccErrors", count, |g| {
        match (error_type, counter_type) {
            (MEMORY_ERROR_CORRECTED, ECC_VOLATILE) => g.ecc_corrected,
            (MEMORY_ERROR_UNCORRECTED, ECC_VOLATILE) => g.ecc_uncorrected,
            _ => None,
        }
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetTotalEnergyConsumption(
    device: Handle,
    energy: *mut c_ulonglong,
) -> Return {
    gpu_value(device, "nvmlDeviceGetTotalEnergyConsumption", energy, |g| {
        g.energy_mj
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetMigMode(
    device: Handle,
    current: *mut c_uint,
    pending: *mut c_uint,
) -> Return {
    let code = gpu_value(device, "nvmlDeviceGetMigMode", current, |g| g.mig_mode);
    if code == SUCCESS {
        // SAFETY: `current` was written above, so `current` is valid; `pending` likewise.
        return write(pending, Some(unsafe { current.read() }));
    }
    code
}

#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetMaxMigDeviceCount(
    device: Handle,
    count: *mut c_uint,
) -> Return {
    gpu_value(device, "nvmlDeviceGetMaxMigDeviceCount", count, |g| {
        g.mig_mode.map(|_| 7)
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetMigDeviceHandleByIndex(
    device: Handle,
    index: c_uint,
    mig_device: *mut Handle,
) -> Return {
    let gpu_index = (device as usize >> 16).wrapping_sub(1);
    with_target(device, "nvmlDeviceGetMigDeviceHandleByIndex", |t| match t {
        Target::Gpu(g) if g.mig_mode != Some(1) => ERROR_NOT_SUPPORTED,
        Target::Gpu(g) => match g.mig_devices.iter().find(|m| m.slot == index) {
            Some(m) => write(mig_device, Some(mig_handle(gpu_index, m.slot))),
            None => ERROR_NOT_FOUND,
        },
        Target::Mig(..) => ERROR_INVALID_ARGUMENT,
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceIsMigDeviceHandle(
    device: Handle,
    is_mig: *mut c_uint,
) -> Return {
    with_target(device, "nvmlDeviceIsMigDeviceHandle", |t| {
        write(is_mig, Some(matches!(t, Target::Mig(..)) as c_uint))
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetGpuInstanceId(device: Handle, id: *mut c_uint) -> Return {
    with_target(device, "nvmlDeviceGetGpuInstanceId", |t| match t {
        Target::Mig(m) => write(id, Some(m.gpu_instance_id)),
        Target::Gpu(_) => ERROR_NOT_SUPPORTED,
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvmlDeviceGetComputeInstanceId(device: Handle, id: *mut c_uint) -> Return {
    with_target(device, "nvmlDeviceGetComputeInstanceId", |t| match t {
        Target::Mig(m) => write(id, Some(m.compute_instance_id)),
        Target::Gpu(_) => ERROR_NOT_SUPPORTED,
    })
}
