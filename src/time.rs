//! UTC timestamps as the AWS tools write them, without a date library.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Parses `YYYY-MM-DDTHH:MM:SS` (or with `t` or a space for the `T`) into seconds since the
/// epoch. The zone is required, since a time without one cannot be placed: `Z`, `UTC` or `GMT`,
/// or an offset `±HH:MM` or `±HHMM`. These are the forms the AWS CLI (v1 and v2), boto3, STS
/// and the SSO caches write. A fraction of a second is accepted and dropped; surrounding
/// whitespace is ignored.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let text = text.trim();
    let bytes = text.as_bytes();
    if bytes.len() < 19 || !matches!(bytes[10], b'T' | b't' | b' ') {
        return None;
    }
    let fixed = [(4, b'-'), (7, b'-'), (13, b':'), (16, b':')];
    if fixed.iter().any(|&(at, byte)| bytes[at] != byte) {
        return None;
    }

    let number = |from: usize, to: usize| -> Option<i64> {
        let part = text.get(from..to)?;
        part.bytes().all(|d| d.is_ascii_digit()).then(|| part.parse().ok())?
    };
    let (year, month, day) = (number(0, 4)?, number(5, 7)?, number(8, 10)?);
    let (hour, minute, second) = (number(11, 13)?, number(14, 16)?, number(17, 19)?);
    let valid_day = (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month);
    // A leap second (60) is allowed, as RFC 3339 allows it; it counts into the next minute.
    if !valid_day || hour > 23 || minute > 59 || second > 60 {
        return None;
    }

    // Skip a fraction, then read the zone.
    let rest = &text[19..];
    let zone = match rest.strip_prefix('.') {
        Some(fraction) => {
            let zone = fraction.trim_start_matches(|c: char| c.is_ascii_digit());
            if zone.len() == fraction.len() {
                return None;
            }
            zone
        }
        None => rest,
    };
    let offset = zone_offset_seconds(zone)?;

    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + hour * 3600 + minute * 60 + second - offset)
}

/// Formats seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn format_utc(seconds: i64) -> String {
    format_with_zone(seconds, "Z")
}

/// Formats seconds since the epoch with the given zone suffix (`Z` or `+00:00`).
pub fn format_with_zone(seconds: i64, zone: &str) -> String {
    let (days, rest) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    let (hour, minute, second) = (rest / 3600, rest % 3600 / 60, rest % 60);
    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}{zone}")
}

/// Whole seconds since the epoch, rounded toward the past so that a time before the epoch
/// with a fraction (1969-12-31T23:59:59.5) stays in its own second.
pub fn unix_seconds(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => after.as_secs() as i64,
        Err(before) => -(before.duration().as_secs_f64().ceil() as i64),
    }
}

/// The instant `seconds` after the epoch, or `None` when the platform cannot hold it.
pub fn from_unix_seconds(seconds: i64) -> Option<SystemTime> {
    let magnitude = Duration::from_secs(seconds.unsigned_abs());
    if seconds >= 0 { UNIX_EPOCH.checked_add(magnitude) } else { UNIX_EPOCH.checked_sub(magnitude) }
}

fn zone_offset_seconds(zone: &str) -> Option<i64> {
    if matches!(zone, "Z" | "z" | "UTC" | "GMT") {
        return Some(0);
    }
    let (sign, body) = match zone.as_bytes().split_first()? {
        (b'+', body) => (1, body),
        (b'-', body) => (-1, body),
        _ => return None,
    };
    let [h1, h2, m1, m2] = match *body {
        [h1, h2, b':', m1, m2] | [h1, h2, m1, m2] => [h1, h2, m1, m2],
        _ => return None,
    };
    if ![h1, h2, m1, m2].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let pair = |tens: u8, ones: u8| i64::from(tens - b'0') * 10 + i64::from(ones - b'0');
    let (hours, minutes) = (pair(h1, h2), pair(m1, m2));
    (hours < 24 && minutes < 60).then_some(sign * (hours * 3600 + minutes * 60))
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date. Counting years from March puts the
/// leap day last, so every 400-year era has the same shape (146 097 days).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    // 719 468 days lie between 0000-03-01 and 1970-01-01.
    era * 146_097 + day_of_era - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 { month_from_march + 3 } else { month_from_march - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_aws_tools_write() {
        let expected = 1_767_323_045; // 2026-01-02T03:04:05Z
        for text in [
            "2026-01-02T03:04:05Z",
            "2026-01-02T03:04:05+00:00",
            "2026-01-02T03:04:05UTC",
            "2026-01-02T03:04:05.123Z",
            "2026-01-02T05:04:05+02:00",
        ] {
            assert_eq!(parse_rfc3339(text), Some(expected), "{text}");
        }
        for bad in [
            "",
            "2026-01-02",
            "2026-13-02T03:04:05Z",
            "2026-01-02T03:04:05",
            "x026-01-02T03:04:05Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn formats_and_parses_back() {
        for seconds in [0, 951_782_400, 1_767_323_045, 4_102_444_799] {
            assert_eq!(parse_rfc3339(&format_utc(seconds)), Some(seconds));
            assert_eq!(parse_rfc3339(&format_with_zone(seconds, "+00:00")), Some(seconds));
        }
        assert_eq!(format_utc(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn civil_days_known_dates() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
        assert_eq!(days_from_civil(2026, 1, 2), 20_455);
        assert_eq!(civil_from_days(20_455), (2026, 1, 2));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }

    #[test]
    fn civil_days_round_trip_over_centuries() {
        for days in (-800_000..800_000).step_by(97) {
            let (y, m, d) = civil_from_days(days);
            assert!((1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m), "{days}");
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn leap_days() {
        assert_eq!(civil_from_days(days_from_civil(2024, 2, 29)), (2024, 2, 29));
        assert_eq!(days_from_civil(2024, 3, 1) - days_from_civil(2024, 2, 28), 2);
        assert_eq!(days_from_civil(2100, 3, 1) - days_from_civil(2100, 2, 28), 1);
        assert_eq!(days_from_civil(2000, 3, 1) - days_from_civil(2000, 2, 28), 2);
    }

    #[test]
    fn system_times_round_to_the_past() {
        let at = |secs: u64| UNIX_EPOCH + Duration::from_secs(secs);
        assert_eq!(unix_seconds(at(1_767_323_045)), 1_767_323_045);
        assert_eq!(unix_seconds(at(5) + Duration::from_millis(999)), 5);
        assert_eq!(unix_seconds(UNIX_EPOCH - Duration::from_secs(1)), -1);
        assert_eq!(unix_seconds(UNIX_EPOCH - Duration::from_millis(500)), -1);
        for secs in [-86_400, -1, 0, 1, 1_767_323_045] {
            assert_eq!(from_unix_seconds(secs).map(unix_seconds), Some(secs));
        }
    }

    #[test]
    fn parses_every_writer_form() {
        let want = Some(1_767_323_045);

        assert_eq!(parse_rfc3339("2026-01-02T03:04:05+00:00"), want);
        assert_eq!(parse_rfc3339("2026-01-02T03:04:05Z"), want);
        assert_eq!(parse_rfc3339("2026-01-02T03:04:05UTC"), want);
        assert_eq!(parse_rfc3339("2026-01-02T03:04:05GMT"), want);
        assert_eq!(parse_rfc3339("2026-01-02T03:04:05.123456Z"), want);
        assert_eq!(parse_rfc3339("2026-01-02T04:04:05+01:00"), want);
        assert_eq!(parse_rfc3339("2026-01-01T22:04:05-0500"), want);
    }

    #[test]
    fn refuses_malformed_times() {
        for bad in [
            "",
            "2026-01-02T03:04:05",
            "2026-01-02T03:04:05+00",
            "2026-13-02T03:04:05Z",
            "2026-02-29T03:04:05Z",
            "2026-01-02T24:04:05Z",
            "2026-01-02X03:04:05Z",
            "2026-01-02T03:04:05 PST",
            "+026-01-02T03:04:05Z",
            "2026-01-02T03:04:05Zjunk",
            "2026-01-02T03:04:05.Z",
            "2026-01-02T03:04:05+0:000",
            "2026-01-02T03:04:05+25:00",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad:?}");
        }
    }
}
