//! The clock (GPUCTL_NOW for tests), and parsing of durations and times given on the command line.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc};

use crate::error::{Error, Result};
use crate::terminal::quote;

/// The environment variable that fixes the clock, as RFC 3339.
pub const NOW_ENV: &str = "GPUCTL_NOW";

/// Now: `GPUCTL_NOW` when set (tests), else the system clock.
pub fn now() -> Result<DateTime<Utc>> {
    Ok(fixed_now()?.unwrap_or_else(Utc::now))
}

/// The time `GPUCTL_NOW` fixes, or None when it is unset (or empty).
pub fn fixed_now() -> Result<Option<DateTime<Utc>>> {
    match std::env::var(NOW_ENV) {
        Ok(text) if !text.is_empty() => DateTime::parse_from_rfc3339(&text)
            .map(|t| Some(t.with_timezone(&Utc)))
            .map_err(|_| {
                Error::usage(format!(
                    "invalid {NOW_ENV} {}: expected an RFC 3339 time",
                    quote(&text)
                ))
            }),
        _ => Ok(None),
    }
}

/// The longest span accepted: 100 years (36500d). A window or lease longer than that is a
/// typo, and bounding it keeps every `now ± span` far from overflow.
pub const MAX_DURATION_SECONDS: i64 = 100 * DAYS_PER_YEAR * 86_400;

/// The days of a year in a duration (`1y`), and of the 100 years of the cap.
pub const DAYS_PER_YEAR: i64 = 365;

/// A span of whole seconds, parsed from `90s`, `30m`, `4h`, `7d`, `2w`, `1y` (365 days) or sums
/// such as `1h30m`, longer than zero and at most [`MAX_DURATION_SECONDS`].
pub fn parse_duration(text: &str) -> Result<i64> {
    let bad = || {
        Error::usage(format!(
            "invalid duration {}: expected a number and a unit, e.g. 30m, 4h, 7d, 1h30m",
            quote(text)
        ))
    };
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(bad());
    }
    let mut total: i64 = 0;
    let mut digits = String::new();
    let mut chars = trimmed.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let mut unit = c.to_string();
        while let Some(&next) = chars.peek() {
            if next.is_ascii_alphabetic() {
                unit.push(next);
                chars.next();
            } else {
                break;
            }
        }
        let seconds_per_unit: i64 = match unit.as_str() {
            "s" | "sec" => 1,
            "m" | "min" => 60,
            "h" => 3_600,
            "d" => 86_400,
            "w" => 7 * 86_400,
            // A year of retention or a window is 365 days: calendar years vary, a span does not.
            "y" => DAYS_PER_YEAR * 86_400,
            _ => return Err(bad()),
        };
        let amount: i64 = digits.parse().map_err(|_| bad())?;
        digits.clear();
        total = amount
            .checked_mul(seconds_per_unit)
            .and_then(|s| total.checked_add(s))
            .ok_or_else(bad)?;
    }
    if !digits.is_empty() {
        return Err(bad());
    }
    if total <= 0 {
        return Err(Error::usage(format!(
            "invalid duration {}: must be longer than zero",
            quote(text)
        )));
    }
    if total > MAX_DURATION_SECONDS {
        return Err(Error::usage(format!(
            "invalid duration {}: longer than 100 years (36500d)",
            quote(text)
        )));
    }
    Ok(total)
}

/// A span of time typed on the command line: whole seconds, and the text as the user wrote it
/// (messages and footers echo `60s`, not `1m`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    seconds: i64,
    text: String,
}

impl Span {
    /// A span longer than zero, as [`parse_duration`] reads it.
    pub fn parse(text: &str) -> Result<Span> {
        Ok(Span {
            seconds: parse_duration(text)?,
            text: text.to_string(),
        })
    }

    /// Like [`Span::parse`], and `0` or `0s` for no time at all.
    pub fn parse_or_zero(text: &str) -> Result<Span> {
        if matches!(text.trim(), "0" | "0s") {
            return Ok(Span {
                seconds: 0,
                text: text.to_string(),
            });
        }
        Span::parse(text)
    }

    pub fn seconds(&self) -> i64 {
        self.seconds
    }

    /// The same span for sleeping.
    pub fn to_std(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.seconds.unsigned_abs())
    }
}

impl std::fmt::Display for Span {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// A point in time typed on the command line: unix seconds, and the text as the user wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timestamp {
    unix: i64,
    text: String,
}

impl Timestamp {
    /// RFC 3339, or `YYYY-MM-DD[ HH:MM[:SS]]` in UTC, as [`parse_time`] reads it.
    pub fn parse(text: &str) -> Result<Timestamp> {
        Ok(Timestamp {
            unix: parse_time(text)?.timestamp(),
            text: text.to_string(),
        })
    }

    /// Unix seconds.
    pub fn unix(&self) -> i64 {
        self.unix
    }
}

impl std::fmt::Display for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// Formats seconds back into the shortest form `parse_duration` reads (`1h30m`).
pub fn format_duration(mut seconds: i64) -> String {
    if seconds <= 0 {
        return "0s".to_string();
    }
    let mut out = String::new();
    for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] {
        if seconds >= size {
            out.push_str(&format!("{}{unit}", seconds / size));
            seconds %= size;
        }
    }
    out
}

/// A point in time: RFC 3339, or `YYYY-MM-DD[ HH:MM[:SS]]` in UTC.
pub fn parse_time(text: &str) -> Result<DateTime<Utc>> {
    let time = parse_any_time(text)?;
    if !within_years(&time) {
        return Err(Error::usage(format!(
            "invalid time {}: outside the years {FIRST_YEAR}–{LAST_YEAR}",
            quote(text)
        )));
    }
    Ok(time)
}

/// The years a time given to gpuctl may fall in: GPUs did not report before the first, and
/// the last is past any lease or retention.
pub const FIRST_YEAR: i32 = 1970;
pub const LAST_YEAR: i32 = 2199;

/// Whether `time` falls in [`FIRST_YEAR`]–[`LAST_YEAR`].
pub fn within_years(time: &DateTime<Utc>) -> bool {
    (FIRST_YEAR..=LAST_YEAR).contains(&time.year())
}

fn parse_any_time(text: &str) -> Result<DateTime<Utc>> {
    let trimmed = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(trimmed) {
        return Ok(t.with_timezone(&Utc));
    }
    // UTC either way: a table's `2026-11-29 14:03Z` reads back as it was shown.
    let naive = trimmed.strip_suffix('Z').unwrap_or(trimmed);
    for format in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(naive, format) {
            return Ok(Utc.from_utc_datetime(&t));
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(trimmed, "%Y-%m-%d") {
        if let Some(t) = d.and_hms_opt(0, 0, 0) {
            return Ok(Utc.from_utc_datetime(&t));
        }
    }
    Err(Error::usage(format!(
        "invalid time {}: expected RFC 3339 or YYYY-MM-DD[ HH:MM]",
        quote(text)
    )))
}

/// Unix seconds to an RFC 3339 UTC string, as every JSON time field is written.
pub fn rfc3339(unix_seconds: i64) -> String {
    match Utc.timestamp_opt(unix_seconds, 0).single() {
        Some(t) => t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        None => unix_seconds.to_string(),
    }
}

/// Unix seconds to the short form tables show, marked UTC as RFC 3339 marks it:
/// `2026-11-29 14:03Z`. Every time in a table is this form (JSON keeps RFC 3339), and
/// [`parse_time`] reads it back.
pub fn short_time(unix_seconds: i64) -> String {
    match Utc.timestamp_opt(unix_seconds, 0).single() {
        Some(t) => t.format("%Y-%m-%d %H:%MZ").to_string(),
        None => unix_seconds.to_string(),
    }
}

/// [`rfc3339`] written into `out`, without the String: a list of thousands of rows writes one
/// time per row.
pub fn write_rfc3339(out: &mut impl std::fmt::Write, unix_seconds: i64) -> std::fmt::Result {
    match Utc.timestamp_opt(unix_seconds, 0).single() {
        // Four-digit years; chrono writes others with a sign, which `rfc3339` gives exactly.
        Some(t) if (0..=9999).contains(&t.year()) => {
            let mut text = *b"0000-00-00T00:00:00Z";
            put_digits(&mut text[0..4], t.year().unsigned_abs());
            put_digits(&mut text[5..7], t.month());
            put_digits(&mut text[8..10], t.day());
            put_digits(&mut text[11..13], t.hour());
            put_digits(&mut text[14..16], t.minute());
            put_digits(&mut text[17..19], t.second());
            out.write_str(std::str::from_utf8(&text).map_err(|_| std::fmt::Error)?)
        }
        _ => out.write_str(&rfc3339(unix_seconds)),
    }
}

/// `n`'s last decimal digits, zero-padded to fill `slot`.
fn put_digits(slot: &mut [u8], mut n: u32) {
    for digit in slot.iter_mut().rev() {
        *digit = b'0' + (n % 10) as u8;
        n /= 10;
    }
}

/// Unix seconds that serialise as their [`rfc3339`] text, made on the stack: a list writes one
/// per row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rfc3339(pub i64);

impl serde::Serialize for Rfc3339 {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::Error as _;
        let mut text = StackText::default();
        write_rfc3339(&mut text, self.0).map_err(S::Error::custom)?;
        serializer.serialize_str(std::str::from_utf8(text.bytes()).map_err(S::Error::custom)?)
    }
}

/// Text written into a fixed buffer; a write that does not fit fails.
#[derive(Default)]
struct StackText {
    buffer: [u8; 32],
    length: usize,
}

impl StackText {
    fn bytes(&self) -> &[u8] {
        &self.buffer[..self.length]
    }
}

impl std::fmt::Write for StackText {
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        let end = self.length + text.len();
        let room = self
            .buffer
            .get_mut(self.length..end)
            .ok_or(std::fmt::Error)?;
        room.copy_from_slice(text.as_bytes());
        self.length = end;
        Ok(())
    }
}

/// How long ago, for tables: `5m ago`, `3d ago`.
pub fn ago(now: i64, then: i64) -> String {
    Ago { now, then }.to_string()
}

/// [`ago`] as a value to format in place, for a table of many rows.
#[derive(Debug, Clone, Copy)]
pub struct Ago {
    pub now: i64,
    pub then: i64,
}

impl std::fmt::Display for Ago {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let delta = self.now - self.then;
        if delta < 0 {
            return write!(f, "in {}", Coarse(-delta));
        }
        if delta < 5 {
            return f.write_str("just now");
        }
        write!(f, "{} ago", Coarse(delta))
    }
}

/// A span in its largest whole unit: `45s`, `5m`, `3h`, `2d`.
struct Coarse(i64);

impl std::fmt::Display for Coarse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            s if s < 60 => write!(f, "{s}s"),
            s if s < 3_600 => write!(f, "{}m", s / 60),
            s if s < 86_400 => write!(f, "{}h", s / 3_600),
            s => write!(f, "{}d", s / 86_400),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ago_says_how_long_in_its_largest_unit() {
        let now = 1_000_000;
        for (then, text) in [
            (now, "just now"),
            (now - 4, "just now"),
            (now - 5, "5s ago"),
            (now - 59, "59s ago"),
            (now - 60, "1m ago"),
            (now - 3_599, "59m ago"),
            (now - 7_200, "2h ago"),
            (now - 86_400 * 3, "3d ago"),
            (now + 1, "in 1s"),
            (now + 300, "in 5m"),
        ] {
            assert_eq!(ago(now, then), text, "{then}");
        }
    }

    #[test]
    fn times_at_the_edges_of_four_digit_years_are_written_as_rfc3339_writes_them() {
        // 0000-01-01T00:00:00Z and 10000-01-01T00:00:00Z, each with the second before it.
        for unix in [
            -62_167_219_201,
            -62_167_219_200,
            0,
            253_402_300_799,
            253_402_300_800,
            i64::MIN,
        ] {
            let mut written = String::new();
            write_rfc3339(&mut written, unix).unwrap();
            assert_eq!(written, rfc3339(unix), "{unix}");
            assert_eq!(serde_json::to_value(Rfc3339(unix)).unwrap(), written);
        }
    }

    #[test]
    fn durations_parse_in_every_unit_and_sum() {
        assert_eq!(parse_duration("90s").unwrap(), 90);
        assert_eq!(parse_duration("30m").unwrap(), 1_800);
        assert_eq!(parse_duration("4h").unwrap(), 14_400);
        assert_eq!(parse_duration("7d").unwrap(), 604_800);
        assert_eq!(parse_duration("1h30m").unwrap(), 5_400);
        assert_eq!(parse_duration("2w").unwrap(), 1_209_600);
        assert_eq!(parse_duration("2y").unwrap(), 730 * 86_400);
        assert_eq!(parse_duration("1y2d").unwrap(), 367 * 86_400);
    }

    #[test]
    fn a_hundred_years_is_the_longest_duration_in_years_as_in_days() {
        assert_eq!(parse_duration("100y").unwrap(), MAX_DURATION_SECONDS);
        assert_eq!(
            parse_duration("100y").unwrap(),
            parse_duration("36500d").unwrap()
        );
        for text in ["101y", "100y1s", "0y"] {
            let e = parse_duration(text).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{text}");
            assert!(e.message.contains(&format!("'{text}'")), "{}", e.message);
        }
    }

    #[test]
    fn bad_durations_name_the_value() {
        for text in [
            "",
            "5",
            "h",
            "5x",
            "-5m",
            "0m",
            "99999999999999999999d",
            "36501d",
            "30000w",
            "2yr",
            "y",
        ] {
            let e = parse_duration(text).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{text}");
            assert!(e.message.contains(&format!("'{text}'")), "{}", e.message);
        }
    }

    #[test]
    fn spans_keep_their_text_and_zero_only_where_asked() {
        let span = Span::parse("60s").unwrap();
        assert_eq!((span.seconds(), span.to_string()), (60, "60s".to_string()));
        assert_eq!(span.to_std(), std::time::Duration::from_secs(60));
        assert!(Span::parse("0s").is_err());
        assert_eq!(Span::parse_or_zero("0s").unwrap().seconds(), 0);
        assert_eq!(Span::parse_or_zero("0").unwrap().seconds(), 0);
        assert_eq!(Span::parse_or_zero("5m").unwrap().seconds(), 300);
        assert!(Span::parse_or_zero("-1s").is_err());
        let t = Timestamp::parse("2026-11-29 10:00").unwrap();
        assert_eq!(
            (t.unix(), t.to_string()),
            (1_795_946_400, "2026-11-29 10:00".to_string())
        );
    }

    #[test]
    fn format_duration_round_trips() {
        for s in [59, 60, 3_600, 5_400, 90_061] {
            assert_eq!(parse_duration(&format_duration(s)).unwrap(), s);
        }
    }

    #[test]
    fn times_parse_in_the_documented_forms() {
        let t = parse_time("2026-11-29T10:00:00Z").unwrap();
        assert_eq!(parse_time("2026-11-29 10:00").unwrap(), t);
        assert_eq!(parse_time("2026-11-29T12:00:00+02:00").unwrap(), t);
        assert_eq!(
            parse_time("2026-11-29").unwrap().timestamp(),
            t.timestamp() - 36_000
        );
        assert!(parse_time("yesterday").is_err());
    }

    #[test]
    fn a_table_time_is_marked_utc_and_reads_back() {
        let t = parse_time("2026-11-29T10:00:00Z").unwrap().timestamp();
        assert_eq!(short_time(t), "2026-11-29 10:00Z");
        assert_eq!(parse_time(&short_time(t)).unwrap().timestamp(), t);
    }
}

/// Property tests: duration and time parsing never panic, and what is formatted parses back.
#[cfg(test)]
mod props {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn any_text_is_a_duration_or_a_usage_error(text in "\\PC{0,16}|[0-9smhdwiny]{0,24}") {
            match parse_duration(&text) {
                Ok(seconds) => prop_assert!((1..=MAX_DURATION_SECONDS).contains(&seconds)),
                Err(e) => prop_assert_eq!(e.exit_code(), 2),
            }
        }

        #[test]
        fn a_formatted_duration_parses_back(seconds in 1i64..=MAX_DURATION_SECONDS) {
            let text = format_duration(seconds);
            prop_assert_eq!(parse_duration(&text).ok(), Some(seconds), "{}", text);
        }

        #[test]
        fn any_text_is_a_time_or_a_usage_error(text in "\\PC{0,24}|[0-9T:Z+ -]{0,25}") {
            if let Err(e) = parse_time(&text) {
                prop_assert_eq!(e.exit_code(), 2);
            }
        }

        #[test]
        fn a_time_written_in_place_is_the_rfc3339_string(unix in i64::MIN..=i64::MAX) {
            let mut written = String::new();
            prop_assert!(write_rfc3339(&mut written, unix).is_ok());
            prop_assert_eq!(&written, &rfc3339(unix));
            let serialized = serde_json::to_value(Rfc3339(unix)).ok();
            prop_assert_eq!(serialized, Some(serde_json::Value::String(written)));
        }

        #[test]
        fn an_rfc3339_time_parses_back_within_the_years(unix in 0i64..=253_402_300_799) {
            let parsed = parse_time(&rfc3339(unix)).map(|t| t.timestamp());
            // 7258118400 is 2200-01-01T00:00:00Z, the first second past LAST_YEAR.
            if unix < 7_258_118_400 {
                prop_assert_eq!(parsed.ok(), Some(unix));
            } else {
                prop_assert_eq!(parsed.map_err(|e| e.exit_code()), Err(2));
            }
        }
    }
}
