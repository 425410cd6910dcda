//! Replay: a recorded `nvidia-smi --query-gpu=… --format=csv` file, one batch per timestamp.

use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};

use super::smi::{csv_reader, Column, ColumnSpec, Layout, RowError};
use super::source::{DeviceSample, GpuSource, SourceError};

/// One moment of a recording: unix seconds and the GPUs read then.
pub type Batch = (i64, Vec<DeviceSample>);

/// A recorded nvidia-smi CSV (with its header; units in header and values or not; any subset
/// and order of the query fields, `uuid` required), read and checked whole when opened.
#[derive(Debug, Clone)]
pub struct ReplaySource {
    path: PathBuf,
    /// Oldest first; `sample` hands them out in turn.
    batches: VecDeque<Batch>,
}

impl ReplaySource {
    /// Reads `path`. Rows are grouped by their timestamp (to the second); a file without a
    /// `timestamp` column is one batch at `default_timestamp` (the command's "now").
    pub fn open(path: impl AsRef<Path>, default_timestamp: i64) -> Result<Self, SourceError> {
        let path = path.as_ref().to_path_buf();
        let file = std::fs::File::open(&path).map_err(|error| SourceError::Unreadable {
            path: path.clone(),
            error,
        })?;
        let batches = read_batches(&path, file, default_timestamp)?;
        Ok(ReplaySource {
            path,
            batches: batches.into(),
        })
    }

    /// Parses recorded CSV text; `path` only names the input in errors.
    pub fn from_reader(
        path: impl AsRef<Path>,
        input: impl std::io::Read,
        default_timestamp: i64,
    ) -> Result<Self, SourceError> {
        let path = path.as_ref().to_path_buf();
        let batches = read_batches(&path, input, default_timestamp)?;
        Ok(ReplaySource {
            path,
            batches: batches.into(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The batches not yet handed out by `sample`, oldest first.
    pub fn batches(self) -> Vec<Batch> {
        self.batches.into()
    }

    /// How many batches `sample` has still to hand out.
    pub fn remaining(&self) -> usize {
        self.batches.len()
    }
}

impl GpuSource for ReplaySource {
    fn name(&self) -> &'static str {
        "replay"
    }

    /// The next recorded batch; an empty list once the recording is used up.
    fn sample(&mut self) -> Result<Vec<DeviceSample>, SourceError> {
        Ok(self
            .batches
            .pop_front()
            .map(|(_, samples)| samples)
            .unwrap_or_default())
    }
}

fn read_batches(
    path: &Path,
    input: impl std::io::Read,
    default_timestamp: i64,
) -> Result<Vec<Batch>, SourceError> {
    let malformed = |line: u64, message: String| SourceError::Malformed {
        path: path.to_path_buf(),
        line,
        message,
    };
    let mut reader = csv_reader(input, true);
    let header = reader.headers().map_err(|e| csv_error(path, e))?.clone();
    let layout = Layout::new(header.iter().map(ColumnSpec::new).collect());
    if header.is_empty() || (header.len() == 1 && header[0].is_empty()) {
        return Err(malformed(
            1,
            "empty file: expected an nvidia-smi CSV header".into(),
        ));
    }
    if header.iter().any(|cell| cell.starts_with("GPU-")) {
        return Err(malformed(
            1,
            "no header row: record with --format=csv (not noheader) so columns have names".into(),
        ));
    }
    if !layout.has(Column::Uuid) {
        return Err(malformed(
            1,
            "no 'uuid' column: record with nvidia-smi --query-gpu=uuid,… --format=csv".into(),
        ));
    }
    let mut by_time: BTreeMap<i64, Vec<DeviceSample>> = BTreeMap::new();
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(csv_error(path, e)),
        }
        let line = record.position().map_or(0, |p| p.line());
        if record.len() == 1 && record[0].is_empty() {
            continue;
        }
        let sample = layout
            .parse_row(&record, default_timestamp)
            .map_err(|e| match e {
                RowError::NoUuid => malformed(line, "GPU UUID is missing".into()),
                RowError::Bad(message) => malformed(line, message),
            })?;
        let batch = by_time.entry(sample.timestamp).or_default();
        // Two rows for one GPU in one second: the later reading stands.
        match batch.iter_mut().find(|s| s.uuid == sample.uuid) {
            Some(earlier) => *earlier = sample,
            None => batch.push(sample),
        }
    }
    Ok(by_time.into_iter().collect())
}

fn csv_error(path: &Path, e: csv::Error) -> SourceError {
    let line = e.position().map_or(1, |p| p.line());
    match e.into_kind() {
        csv::ErrorKind::Io(error) => SourceError::Unreadable {
            path: path.to_path_buf(),
            error,
        },
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => SourceError::Malformed {
            path: path.to_path_buf(),
            line,
            message: format!("expected {expected_len} values like the header, found {len}"),
        },
        csv::ErrorKind::Utf8 { .. } => SourceError::Malformed {
            path: path.to_path_buf(),
            line,
            message: "not UTF-8 text".into(),
        },
        other => SourceError::Malformed {
            path: path.to_path_buf(),
            line,
            message: format!("not CSV: {other:?}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replay(text: &str) -> Result<Vec<Batch>, SourceError> {
        ReplaySource::from_reader("rec.csv", text.as_bytes(), 1000).map(ReplaySource::batches)
    }

    fn malformed_line(text: &str) -> (u64, String) {
        match replay(text) {
            Err(SourceError::Malformed {
                path,
                line,
                message,
            }) => {
                assert_eq!(path, PathBuf::from("rec.csv"));
                (line, message)
            }
            other => panic!("expected a malformed-file error, got {other:?}"),
        }
    }

    const WITH_UNITS: &str = "\
timestamp, index, uuid, name, utilization.gpu [%], memory.used [MiB], memory.total [MiB], power.draw [W], clocks.sm [MHz], fan.speed [%], mig.mode.current
2026/11/29 10:00:00.123, 0, GPU-aaa, NVIDIA H100 80GB HBM3, 45 %, 1024 MiB, 81559 MiB, 77.71 W, 1980 MHz, [N/A], Disabled
2026/11/29 10:00:00.140, 1, GPU-bbb, NVIDIA H100 80GB HBM3, 0 %, 0 MiB, 81559 MiB, [Not Supported], 345 MHz, 30 %, Enabled
2026/11/29 10:00:05.101, 0, GPU-aaa, NVIDIA H100 80GB HBM3, 50 %, 2048 MiB, 81559 MiB, 80.00 W, 1980 MHz, [N/A], Disabled
2026/11/29 10:00:05.120, 1, GPU-bbb, NVIDIA H100 80GB HBM3, 1 %, 10 MiB, 81559 MiB, 70.5 W, 345 MHz, 31 %, Enabled
";

    #[test]
    fn rows_with_units_group_by_timestamp_in_order() {
        let batches = replay(WITH_UNITS).unwrap();
        assert_eq!(batches.len(), 2);
        let (t0, first) = &batches[0];
        let (t1, second) = &batches[1];
        assert_eq!(*t0, 1_795_946_400);
        assert_eq!(*t1, 1_795_946_405);
        assert_eq!(first.len(), 2);
        assert_eq!(first[0].uuid, "GPU-aaa");
        assert_eq!(first[0].gpu_util_pct, Some(45));
        assert_eq!(first[0].mem_used_mib, Some(1024));
        assert_eq!(first[0].power_mw, Some(77_710));
        assert_eq!(first[0].fan_pct, None);
        assert_eq!(first[1].power_mw, None);
        assert_eq!(first[1].mig_mode, Some(true));
        assert_eq!(second[1].power_mw, Some(70_500));
        assert!(second.iter().all(|s| s.timestamp == *t1));
    }

    #[test]
    fn nounits_subset_in_any_order_without_timestamp_is_one_batch() {
        let text = "memory.used, uuid, temperature.gpu\n12, GPU-aaa, 40\n[N/A], GPU-bbb, 41\n";
        let batches = replay(text).unwrap();
        assert_eq!(batches.len(), 1);
        let (t, samples) = &batches[0];
        assert_eq!(*t, 1000);
        assert_eq!(samples[0].mem_used_mib, Some(12));
        assert_eq!(samples[0].temp_c, Some(40));
        assert_eq!(samples[0].name, None);
        assert_eq!(samples[1].mem_used_mib, None);
    }

    #[test]
    fn sample_hands_out_batches_then_nothing() {
        let mut source = ReplaySource::from_reader("rec.csv", WITH_UNITS.as_bytes(), 0).unwrap();
        assert_eq!(source.name(), "replay");
        assert_eq!(source.remaining(), 2);
        assert_eq!(source.sample().unwrap()[0].gpu_util_pct, Some(45));
        assert_eq!(source.sample().unwrap()[0].gpu_util_pct, Some(50));
        assert!(source.sample().unwrap().is_empty());
    }

    #[test]
    fn unknown_columns_are_ignored() {
        let text = "uuid, pstate, clocks_event_reasons.active\nGPU-aaa, P0, 0x0000000000000000\n";
        assert_eq!(replay(text).unwrap()[0].1[0].uuid, "GPU-aaa");
    }

    #[test]
    fn a_file_without_uuid_column_is_refused_at_line_1() {
        let (line, message) = malformed_line("index, name\n0, NVIDIA H100\n");
        assert_eq!(line, 1);
        assert!(message.contains("uuid"), "{message}");
    }

    #[test]
    fn a_recording_without_header_is_refused_with_the_reason() {
        let (line, message) = malformed_line("0, GPU-aaa, NVIDIA H100\n1, GPU-bbb, NVIDIA H100\n");
        assert_eq!(line, 1);
        assert!(message.contains("no header row"), "{message}");
    }

    #[test]
    fn a_bad_value_names_its_line_and_column() {
        let text = "uuid, power.draw [W]\nGPU-aaa, 70 W\nGPU-bbb, lots W\n";
        let (line, message) = malformed_line(text);
        assert_eq!(line, 3);
        assert!(message.contains("power.draw"), "{message}");
    }

    #[test]
    fn a_short_row_names_its_line() {
        let (line, message) = malformed_line("uuid, index\nGPU-aaa, 0\nGPU-bbb\n");
        assert_eq!(line, 3);
        assert!(message.contains("expected 2"), "{message}");
    }

    #[test]
    fn a_missing_uuid_value_names_its_line() {
        let (line, _) = malformed_line("uuid, index\n[N/A], 0\n");
        assert_eq!(line, 2);
    }

    #[test]
    fn a_bad_timestamp_names_its_line() {
        let (line, message) = malformed_line("timestamp, uuid\nnot a time, GPU-aaa\n");
        assert_eq!(line, 2);
        assert!(message.contains("timestamp"), "{message}");
    }

    #[test]
    fn an_empty_file_is_refused() {
        assert_eq!(malformed_line("").0, 1);
    }

    #[test]
    fn a_repeated_gpu_within_one_second_keeps_the_later_row() {
        let text = "timestamp, uuid, temperature.gpu\n\
            2026/11/29 10:00:00.100, GPU-aaa, 40\n\
            2026/11/29 10:00:00.900, GPU-aaa, 41\n";
        let batches = replay(text).unwrap();
        assert_eq!(batches[0].1.len(), 1);
        assert_eq!(batches[0].1[0].temp_c, Some(41));
    }

    #[test]
    fn a_missing_file_is_unreadable() {
        let err = ReplaySource::open("/nonexistent/gpuctl/rec.csv", 0).unwrap_err();
        assert!(matches!(err, SourceError::Unreadable { .. }), "{err}");
        assert!(err.to_string().contains("/nonexistent/gpuctl/rec.csv"));
    }
}
