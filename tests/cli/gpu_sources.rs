//! The GPU sources against fakes: a fake libnvidia-ml.so.1 (the `fake-nvml` crate), fake
//! nvidia-smi scripts, and recorded CSV files. No GPU, driver or network is needed.

use std::path::Path;
use std::sync::Mutex;

use gpuctl::error::{Error, ErrorKind};
use gpuctl::gpu::nvml::{NvmlSource, NVML_LIB_ENV};
use gpuctl::gpu::replay::ReplaySource;
use gpuctl::gpu::smi::{SmiSource, DEFAULT_SMI_TIMEOUT};
use gpuctl::gpu::source::{open_auto, DeviceSample, GpuSource, SourceError};

use crate::harness::{fake_nvml_library, fixture};

const H100: &str = "GPU-8a1c5c3e-0d6a-4f0e-9d1e-2b6f3c4d5e60";
const L4: &str = "GPU-1f2e3d4c-5b6a-7980-a1b2-c3d4e5f60718";
const A100_MIG: &str = "GPU-0a9b8c7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d";

fn by_uuid<'a>(samples: &'a [DeviceSample], uuid: &str) -> &'a DeviceSample {
    samples
        .iter()
        .find(|s| s.uuid == uuid)
        .unwrap_or_else(|| panic!("no sample for {uuid} in {samples:#?}"))
}

// ---- NVML through the fake library ----

/// The fake library keeps one fixture per process and reads it from the environment, so
/// NVML tests take turns.
static NVML_TURN: Mutex<()> = Mutex::new(());

fn with_fake_nvml<T>(
    fixture_name: &str,
    test: impl FnOnce(Result<NvmlSource, SourceError>) -> T,
) -> T {
    let library = fake_nvml_library();
    let _turn = NVML_TURN.lock().unwrap_or_else(|p| p.into_inner());
    std::env::set_var("FAKE_NVML_FIXTURE", fixture(fixture_name));
    test(NvmlSource::open_library(Some(library.as_os_str())))
}

fn sample_fleet() -> (Vec<DeviceSample>, Vec<String>) {
    with_fake_nvml("nvml/fleet.json", |source| {
        let mut source = source.expect("the fake NVML initialises");
        assert_eq!(source.name(), "nvml");
        let samples = source.sample().expect("sample");
        (samples, source.take_warnings())
    })
}

#[test]
fn nvml_reads_every_metric_of_a_full_gpu_in_store_units() {
    let (samples, _) = sample_fleet();
    let h100 = by_uuid(&samples, H100);
    assert_eq!(h100.name.as_deref(), Some("NVIDIA H100 80GB HBM3"));
    assert_eq!(h100.index, Some(0));
    assert_eq!(h100.pci_bus_id.as_deref(), Some("00000000:18:00.0"));
    assert_eq!(h100.serial.as_deref(), Some("1652923001234"));
    assert_eq!(h100.driver_version.as_deref(), Some("550.54.15"));
    assert_eq!(h100.gpu_util_pct, Some(87));
    assert_eq!(h100.mem_util_pct, Some(45));
    assert_eq!(h100.mem_total_mib, Some(81559));
    assert_eq!(h100.mem_used_mib, Some(60123));
    assert_eq!(h100.temp_c, Some(64));
    assert_eq!(h100.power_mw, Some(512_340));
    assert_eq!(h100.power_limit_mw, Some(700_000));
    assert_eq!(h100.sm_clock_mhz, Some(1980));
    assert_eq!(h100.mem_clock_mhz, Some(2619));
    assert_eq!(h100.fan_pct, None, "a fanless board has no fan speed");
    assert_eq!(h100.ecc_corrected, Some(2));
    assert_eq!(h100.ecc_uncorrected, Some(0));
    assert_eq!(h100.energy_mj, Some(987_654_321));
    assert_eq!(h100.mig_mode, Some(false));
    assert!(h100.mig_devices.is_empty());
    let now = chrono::Utc::now().timestamp();
    assert!(
        (now - h100.timestamp).abs() < 300,
        "timestamp {}",
        h100.timestamp
    );
}

#[test]
fn nvml_unsupported_or_refused_metrics_are_none_not_zero() {
    let (samples, _) = sample_fleet();
    let l4 = by_uuid(&samples, L4);
    assert_eq!(l4.name.as_deref(), Some("NVIDIA L4"));
    assert_eq!(l4.power_mw, None, "NotSupported");
    assert_eq!(l4.power_limit_mw, None, "NotSupported");
    assert_eq!(l4.fan_pct, None, "NotSupported");
    assert_eq!(l4.temp_c, None, "NoPermission");
    assert_eq!(l4.ecc_corrected, None);
    assert_eq!(l4.energy_mj, None);
    assert_eq!(l4.mig_mode, None);
    assert_eq!(l4.serial, None);
    assert_eq!(l4.gpu_util_pct, Some(3));
    assert_eq!(l4.mem_used_mib, Some(0), "a real zero stays zero");
    assert_eq!(l4.sm_clock_mhz, Some(210));
}

#[test]
fn nvml_lists_the_mig_devices_of_a_mig_gpu() {
    let (samples, _) = sample_fleet();
    let a100 = by_uuid(&samples, A100_MIG);
    assert_eq!(a100.mig_mode, Some(true));
    assert_eq!(
        a100.gpu_util_pct, None,
        "utilisation is not reported under MIG"
    );
    assert_eq!(a100.mem_total_mib, Some(81920));
    let migs = &a100.mig_devices;
    assert_eq!(migs.len(), 2, "{migs:#?}");
    assert_eq!(migs[0].uuid, "MIG-5f4e3d2c-1b0a-5968-8776-655443322110");
    assert_eq!(migs[0].profile.as_deref(), Some("3g.40gb"));
    assert_eq!(migs[0].gpu_instance_id, Some(2));
    assert_eq!(migs[0].compute_instance_id, Some(0));
    assert_eq!(migs[0].mem_total_mib, Some(40192));
    assert_eq!(migs[0].mem_used_mib, Some(1024));
    assert_eq!(migs[1].profile.as_deref(), Some("1g.10gb"));
    assert_eq!(migs[1].gpu_instance_id, Some(9));
    assert_eq!(migs[1].mem_total_mib, Some(9984));
}

#[test]
fn nvml_leaves_out_a_gpu_without_uuid_and_says_so() {
    let (samples, warnings) = sample_fleet();
    assert_eq!(samples.len(), 3);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("GPU 3"), "{warnings:?}");
}

#[test]
fn nvml_driver_not_loaded_is_the_no_driver_error_exit_6() {
    let err = with_fake_nvml("nvml/driver_not_loaded.json", |source| {
        source.expect_err("init must fail")
    });
    assert!(err.is_no_driver(), "{err}");
    assert!(err.to_string().contains("driver is not loaded"), "{err}");
    let err = Error::from(err);
    assert_eq!(err.kind, ErrorKind::NoGpu);
    assert_eq!(err.exit_code(), 6);
}

#[test]
fn nvml_library_comes_from_gpuctl_nvml_lib() {
    let library = fake_nvml_library();
    let _turn = NVML_TURN.lock().unwrap_or_else(|p| p.into_inner());
    std::env::set_var("FAKE_NVML_FIXTURE", fixture("nvml/fleet.json"));
    std::env::set_var(NVML_LIB_ENV, library);
    let opened = NvmlSource::open().map(|mut s| s.sample().map(|v| v.len()));
    std::env::set_var(NVML_LIB_ENV, "/nonexistent/gpuctl/libnvidia-ml.so.1");
    let missing = NvmlSource::open().expect_err("no library there");
    std::env::remove_var(NVML_LIB_ENV);
    assert_eq!(opened.expect("open").expect("sample"), 3);
    assert!(missing.is_no_driver(), "{missing}");
    assert!(missing
        .to_string()
        .contains("/nonexistent/gpuctl/libnvidia-ml.so.1"));
}

/// Runs `test` with GPUCTL_NVML_LIB set to `library`, in turn with the other NVML tests.
fn with_nvml_lib<T>(library: &Path, test: impl FnOnce() -> T) -> T {
    let _turn = NVML_TURN.lock().unwrap_or_else(|p| p.into_inner());
    std::env::set_var("FAKE_NVML_FIXTURE", fixture("nvml/fleet.json"));
    std::env::set_var(NVML_LIB_ENV, library);
    let result = test();
    std::env::remove_var(NVML_LIB_ENV);
    result
}

#[test]
fn auto_prefers_nvml_when_it_initialises() {
    let library = fake_nvml_library();
    let (name, count) = with_nvml_lib(library, || {
        let mut source =
            open_auto("/nonexistent/gpuctl/nvidia-smi", DEFAULT_SMI_TIMEOUT).expect("auto");
        (source.name(), source.sample().expect("sample").len())
    });
    assert_eq!((name, count), ("nvml", 3));
}

#[test]
fn auto_falls_back_to_nvidia_smi_without_nvml() {
    let missing = Path::new("/nonexistent/gpuctl/libnvidia-ml.so.1");
    let (name, count) = with_nvml_lib(missing, || {
        let mut source = open_auto(fixture("smi/nvidia-smi"), DEFAULT_SMI_TIMEOUT).expect("auto");
        (source.name(), source.sample().expect("sample").len())
    });
    assert_eq!((name, count), ("nvidia-smi", 2));
}

#[test]
fn auto_without_nvml_or_nvidia_smi_is_no_driver_naming_both() {
    let missing = Path::new("/nonexistent/gpuctl/libnvidia-ml.so.1");
    let err = with_nvml_lib(missing, || {
        open_auto("/nonexistent/gpuctl/nvidia-smi", DEFAULT_SMI_TIMEOUT)
            .expect("auto opens lazily")
            .sample()
            .unwrap_err()
    });
    assert!(err.is_no_driver(), "{err}");
    let message = err.to_string();
    assert!(message.contains("NVML: cannot load"), "{message}");
    assert!(
        message.contains("nvidia-smi: /nonexistent/gpuctl/nvidia-smi not found"),
        "{message}"
    );
    assert_eq!(Error::from(err).exit_code(), 6);
}

// ---- live nvidia-smi through fake scripts ----

#[test]
fn smi_parses_a_live_query_and_skips_a_gpu_without_uuid() {
    let mut source = SmiSource::new(fixture("smi/nvidia-smi"));
    assert_eq!(source.name(), "nvidia-smi");
    let samples = source.sample().expect("the fake accepts gpuctl's argv");
    assert_eq!(samples.len(), 2);
    let h100 = by_uuid(&samples, H100);
    assert_eq!(h100.power_mw, Some(512_340));
    assert_eq!(h100.power_limit_mw, Some(700_000));
    assert_eq!(h100.mem_used_mib, Some(60123));
    assert_eq!(h100.ecc_corrected, Some(2));
    assert_eq!(h100.fan_pct, None);
    assert_eq!(h100.mig_mode, Some(false));
    let l4 = by_uuid(&samples, L4);
    assert_eq!(l4.serial, None);
    assert_eq!(l4.temp_c, None);
    assert_eq!(l4.power_mw, None);
    assert_eq!(l4.fan_pct, None);
    assert_eq!(l4.mig_mode, None);
    assert_eq!(l4.gpu_util_pct, Some(3));
    let warnings = source.take_warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(source.take_warnings().is_empty());
}

#[test]
fn smi_that_cannot_reach_the_driver_is_the_no_driver_error() {
    let err = SmiSource::new(fixture("smi/nvidia-smi-no-driver"))
        .sample()
        .unwrap_err();
    assert!(err.is_no_driver(), "{err}");
    assert!(err.to_string().contains("couldn't communicate"), "{err}");
    assert_eq!(Error::from(err).exit_code(), 6);
}

#[test]
fn smi_missing_binary_is_the_no_driver_error() {
    let err = SmiSource::new("/nonexistent/gpuctl/nvidia-smi")
        .sample()
        .unwrap_err();
    assert!(err.is_no_driver(), "{err}");
}

#[test]
fn smi_other_failures_are_runtime_errors_with_its_message() {
    let err = SmiSource::new(fixture("smi/nvidia-smi-broken"))
        .sample()
        .unwrap_err();
    assert!(!err.is_no_driver(), "{err}");
    assert!(err.to_string().contains("Unknown Error"), "{err}");
    assert_eq!(Error::from(err).exit_code(), 1);
}

// ---- replay of recorded files ----

#[test]
fn replay_returns_one_batch_per_recorded_time_in_order() {
    let source = ReplaySource::open(fixture("replay/h100_with_units.csv"), 0).expect("open");
    let batches = source.batches();
    let times: Vec<i64> = batches.iter().map(|(t, _)| *t).collect();
    assert_eq!(times, [1_795_946_400, 1_795_946_460, 1_795_946_520]);
    assert!(batches.iter().all(|(_, gpus)| gpus.len() == 2));
    let last = by_uuid(&batches[2].1, L4);
    assert_eq!(last.gpu_util_pct, None);
    assert_eq!(last.power_mw, None);
    assert_eq!(last.power_limit_mw, Some(700_000));
    assert_eq!(last.timestamp, 1_795_946_520);
    let first = by_uuid(&batches[0].1, H100);
    assert_eq!(first.power_mw, Some(512_340));
    assert_eq!(first.driver_version.as_deref(), Some("550.54.15"));
}

#[test]
fn replay_of_a_file_without_units_or_timestamps_uses_the_given_time() {
    let mut source = ReplaySource::open(fixture("replay/nounits.csv"), 1_795_946_400).unwrap();
    let samples = source.sample().unwrap();
    let a100 = by_uuid(&samples, A100_MIG);
    assert_eq!(a100.timestamp, 1_795_946_400);
    assert_eq!(a100.mem_total_mib, Some(81920));
    assert_eq!(a100.gpu_util_pct, None);
    assert_eq!(a100.power_limit_mw, Some(400_000));
    assert_eq!(by_uuid(&samples, H100).ecc_uncorrected, None);
    assert!(source.sample().unwrap().is_empty());
}

#[test]
fn replay_of_a_malformed_file_is_a_usage_error_naming_file_and_line() {
    let path = fixture("replay/malformed.csv");
    let err = Error::from(ReplaySource::open(&path, 0).unwrap_err());
    assert_eq!(err.exit_code(), 2);
    let expected = format!("{}:4: temperature.gpu:", path.display());
    assert!(err.message.starts_with(&expected), "{}", err.message);
}

#[test]
fn replay_of_a_missing_file_is_a_usage_error() {
    let err = Error::from(ReplaySource::open(fixture("replay/absent.csv"), 0).unwrap_err());
    assert_eq!(err.exit_code(), 2);
    assert!(err.message.contains("absent.csv"), "{}", err.message);
}
