//! Literal values validated where they are read: dates, semantic versions,
//! durations, percentages, and the string formats of `format(...)`.

use serde::{Serialize, Serializer};
use std::fmt;

/// A calendar date (`YYYY-MM-DD`), validated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

fn is_leap(y: u16) -> bool {
    (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400)
}

pub(crate) fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    /// Parses `YYYY-MM-DD`; the error says what is wrong with it.
    pub(crate) fn parse(s: &str) -> Result<Date, String> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(format!("`{s}` is not a date in the form YYYY-MM-DD"));
        }
        let num = |r: std::ops::Range<usize>| -> Result<u16, String> {
            s.get(r)
                .filter(|p| p.bytes().all(|c| c.is_ascii_digit()))
                .and_then(|p| p.parse().ok())
                .ok_or_else(|| format!("`{s}` is not a date in the form YYYY-MM-DD"))
        };
        let (year, month, day) = (num(0..4)?, num(5..7)? as u8, num(8..10)? as u8);
        if !(1..=12).contains(&month) {
            return Err(format!("month {month} does not exist"));
        }
        let max = days_in_month(year, month);
        if day == 0 || day > max {
            return Err(format!(
                "{} {year} has {max} days, so day {day} does not exist",
                MONTHS[month as usize - 1]
            ));
        }
        Ok(Date { year, month, day })
    }

    /// Days since 1970-01-01 (for comparisons and date arithmetic).
    pub(crate) fn days_since_epoch(self) -> i64 {
        let (y, m, d) = (self.year as i64, self.month as i64, self.day as i64);
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }
}

/// The civil date (year, month 1–12, day 1–31) `days` days after 1970-01-01,
/// for any year: the inverse of [`Date::days_since_epoch`] (H. Hinnant's
/// algorithm).
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A semantic version (semver 2.0.0).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Semver {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
    pub pre: String,
    pub build: String,
}

impl Semver {
    /// The version of a plan that writes none.
    pub(crate) const DEFAULT: Semver = Semver {
        major: 0,
        minor: 1,
        patch: 0,
        pre: String::new(),
        build: String::new(),
    };

    pub(crate) fn parse(s: &str) -> Result<Semver, String> {
        let bad = || format!("`{s}` is not a semantic version (MAJOR.MINOR.PATCH, e.g. `1.3.0`)");
        let (rest, build) = match s.split_once('+') {
            Some((r, b)) => (r, b.to_string()),
            None => (s, String::new()),
        };
        let (core, pre) = match rest.split_once('-') {
            Some((c, p)) => (c, p.to_string()),
            None => (rest, String::new()),
        };
        let ident_ok = |part: &str, numeric_no_zero: bool| {
            !part.is_empty()
                && part.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
                && !(numeric_no_zero
                    && part.len() > 1
                    && part.starts_with('0')
                    && part.bytes().all(|c| c.is_ascii_digit()))
        };
        if (!pre.is_empty() || rest.ends_with('-')) && !pre.split('.').all(|p| ident_ok(p, true)) {
            return Err(bad());
        }
        if (!build.is_empty() || s.ends_with('+')) && !build.split('.').all(|p| ident_ok(p, false))
        {
            return Err(bad());
        }
        let nums: Vec<&str> = core.split('.').collect();
        if nums.len() != 3 {
            return Err(bad());
        }
        let mut out = [0u64; 3];
        for (i, n) in nums.iter().enumerate() {
            if n.is_empty()
                || !n.bytes().all(|c| c.is_ascii_digit())
                || (n.len() > 1 && n.starts_with('0'))
            {
                return Err(bad());
            }
            out[i] = n.parse().map_err(|_| bad())?;
        }
        Ok(Semver {
            major: out[0],
            minor: out[1],
            patch: out[2],
            pre,
            build,
        })
    }

    /// Precedence order (build metadata ignored), per semver 2.0.0 §11.
    pub(crate) fn precedence(&self, other: &Semver) -> std::cmp::Ordering {
        use std::cmp::Ordering;
        let core =
            (self.major, self.minor, self.patch).cmp(&(other.major, other.minor, other.patch));
        if core != Ordering::Equal {
            return core;
        }
        match (self.pre.is_empty(), other.pre.is_empty()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => {
                let a: Vec<&str> = self.pre.split('.').collect();
                let b: Vec<&str> = other.pre.split('.').collect();
                for (x, y) in a.iter().zip(&b) {
                    let o = match (x.parse::<u64>(), y.parse::<u64>()) {
                        (Ok(p), Ok(q)) => p.cmp(&q),
                        (Ok(_), Err(_)) => Ordering::Less,
                        (Err(_), Ok(_)) => Ordering::Greater,
                        (Err(_), Err(_)) => x.cmp(y),
                    };
                    if o != Ordering::Equal {
                        return o;
                    }
                }
                a.len().cmp(&b.len())
            }
        }
    }
}

impl fmt::Display for Semver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre)?;
        }
        if !self.build.is_empty() {
            write!(f, "+{}", self.build)?;
        }
        Ok(())
    }
}

impl Serialize for Semver {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TimeUnit {
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Year,
}

impl TimeUnit {
    pub const NAMES: &'static [&'static str] = &[
        "minute", "minutes", "hour", "hours", "day", "days", "week", "weeks", "month", "months",
        "year", "years",
    ];

    pub(crate) fn parse(s: &str) -> Option<TimeUnit> {
        Some(match s {
            "minute" | "minutes" => TimeUnit::Minute,
            "hour" | "hours" => TimeUnit::Hour,
            "day" | "days" => TimeUnit::Day,
            "week" | "weeks" => TimeUnit::Week,
            "month" | "months" => TimeUnit::Month,
            "year" | "years" => TimeUnit::Year,
            _ => return None,
        })
    }

    pub(crate) fn name(self, amount: u32) -> &'static str {
        let (one, many) = match self {
            TimeUnit::Minute => ("minute", "minutes"),
            TimeUnit::Hour => ("hour", "hours"),
            TimeUnit::Day => ("day", "days"),
            TimeUnit::Week => ("week", "weeks"),
            TimeUnit::Month => ("month", "months"),
            TimeUnit::Year => ("year", "years"),
        };
        if amount == 1 { one } else { many }
    }

    /// Approximate length in hours (months are 30 days, years 365).
    pub(crate) fn hours(self) -> u64 {
        match self {
            TimeUnit::Minute => 0,
            TimeUnit::Hour => 1,
            TimeUnit::Day => 24,
            TimeUnit::Week => 24 * 7,
            TimeUnit::Month => 24 * 30,
            TimeUnit::Year => 24 * 365,
        }
    }
}

/// `13 months`, `48 hours`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Duration {
    pub amount: u32,
    pub unit: TimeUnit,
}

impl Duration {
    pub(crate) fn minutes(self) -> u64 {
        match self.unit {
            TimeUnit::Minute => self.amount as u64,
            u => self.amount as u64 * u.hours() * 60,
        }
    }

    /// ISO 8601 duration, e.g. `P13M`, `PT48H`.
    pub(crate) fn iso8601(self) -> String {
        let a = self.amount;
        match self.unit {
            TimeUnit::Minute => format!("PT{a}M"),
            TimeUnit::Hour => format!("PT{a}H"),
            TimeUnit::Day => format!("P{a}D"),
            TimeUnit::Week => format!("P{a}W"),
            TimeUnit::Month => format!("P{a}M"),
            TimeUnit::Year => format!("P{a}Y"),
        }
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.unit.name(self.amount))
    }
}

impl Serialize for Duration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Formats a number literal the way it was meant: `90`, `12.5`.
pub(crate) fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// RFC 3339 date-time (`2026-11-25T10:00:00Z`, `…+01:00`, fractional seconds allowed).
pub(crate) fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 20 || !matches!(b[10], b'T' | b't' | b' ') {
        return false;
    }
    if Date::parse(&s[..10]).is_err() {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        s.get(r.clone())
            .filter(|p| p.len() == r.len() && p.bytes().all(|c| c.is_ascii_digit()))
            .and_then(|p| p.parse().ok())
    };
    let (Some(h), Some(m), Some(sec)) = (digits(11..13), digits(14..16), digits(17..19)) else {
        return false;
    };
    if b[13] != b':' || b[16] != b':' || h > 23 || m > 59 || sec > 60 {
        return false;
    }
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    match &s[i..] {
        "Z" | "z" => true,
        off => {
            let ob = off.as_bytes();
            ob.len() == 6
                && matches!(ob[0], b'+' | b'-')
                && ob[3] == b':'
                && digits(i + 1..i + 3).is_some_and(|h| h <= 23)
                && digits(i + 4..i + 6).is_some_and(|m| m <= 59)
        }
    }
}

/// The string formats of `format(...)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    Email,
    Uri,
    Uuid,
    Date,
    DateTime,
    Ipv4,
    Ipv6,
    Hostname,
}

impl Format {
    pub(crate) const ALL: &'static [(&'static str, Format)] = &[
        ("email", Format::Email),
        ("uri", Format::Uri),
        ("uuid", Format::Uuid),
        ("date", Format::Date),
        ("date-time", Format::DateTime),
        ("ipv4", Format::Ipv4),
        ("ipv6", Format::Ipv6),
        ("hostname", Format::Hostname),
    ];

    pub(crate) fn parse(s: &str) -> Option<Format> {
        Self::ALL.iter().find(|(n, _)| *n == s).map(|&(_, f)| f)
    }

    pub fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, f)| *f == self)
            .map_or("", |(n, _)| n)
    }

    /// Whether `s` is in this format. The checks follow JSON Schema's format
    /// definitions (and ajv-formats' "fast" mode, which the differential test uses).
    pub(crate) fn matches(self, s: &str) -> bool {
        match self {
            Format::Email => is_email(s),
            Format::Uri => is_uri(s),
            Format::Uuid => is_uuid(s),
            Format::Date => Date::parse(s).is_ok(),
            Format::DateTime => is_rfc3339(s),
            Format::Ipv4 => is_ipv4(s),
            Format::Ipv6 => s.parse::<std::net::Ipv6Addr>().is_ok(),
            Format::Hostname => is_hostname(s),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Format {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    const LOCAL_SPECIAL: &str = "!#$%&'*+/=?^_`{|}~-";
    !local.is_empty()
        && local.len() <= 64
        && local.split('.').all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || LOCAL_SPECIAL.contains(c))
        })
        && is_hostname(domain)
        && domain.contains('.')
}

fn is_hostname(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || c == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

fn is_ipv4(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 4
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.len() <= 3
                && p.bytes().all(|c| c.is_ascii_digit())
                && !(p.len() > 1 && p.starts_with('0'))
                && p.parse::<u16>().is_ok_and(|n| n <= 255)
        })
}

fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    let s = s.strip_prefix("urn:uuid:").unwrap_or(s);
    let _ = b;
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

fn is_uri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let mut sc = scheme.bytes();
    sc.next().is_some_and(|c| c.is_ascii_alphabetic())
        && sc.all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'))
        && !rest.chars().any(|c| c.is_whitespace() || c.is_control())
        && !rest.contains(['<', '>', '"', '{', '}', '|', '\\', '^', '`'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert!(Date::parse("2026-02-28").is_ok());
        assert!(Date::parse("2028-02-29").is_ok());
        assert!(Date::parse("2026-02-29").is_err());
        assert!(Date::parse("2026-02-30").is_err());
        assert!(Date::parse("2026-13-01").is_err());
        assert!(Date::parse("2026-04-31").is_err());
        assert_eq!(Date::parse("1970-01-02").map(Date::days_since_epoch), Ok(1));
    }

    #[test]
    fn semvers() {
        assert!(Semver::parse("1.3.0").is_ok());
        assert!(Semver::parse("1.0.0-rc.1+build.5").is_ok());
        for bad in [
            "1.3", "01.0.0", "1.0.0-", "1.0.0-01", "v1.0.0", "1.0.0.0", "",
        ] {
            assert!(Semver::parse(bad).is_err(), "{bad}");
        }
        let v = |s| Semver::parse(s).unwrap_or_else(|e| panic!("{e}"));
        assert!(v("1.0.0-alpha").precedence(&v("1.0.0")).is_lt());
        assert!(
            v("1.0.0-alpha.1")
                .precedence(&v("1.0.0-alpha.beta"))
                .is_lt()
        );
        assert!(v("2.0.0").precedence(&v("1.9.9")).is_gt());
    }

    #[test]
    fn formats() {
        assert!(is_rfc3339("2026-11-25T10:00:00Z"));
        assert!(is_rfc3339("2026-11-25T10:00:00.123+01:00"));
        assert!(!is_rfc3339("2026-11-25 10:00"));
        assert!(!is_rfc3339("2026-02-30T10:00:00Z"));
        assert!(Format::Email.matches("a.b@example.com"));
        assert!(!Format::Email.matches("not-an-email"));
        assert!(Format::Uuid.matches("123e4567-e89b-12d3-a456-426614174000"));
        assert!(Format::Ipv4.matches("10.0.0.1"));
        assert!(!Format::Ipv4.matches("10.0.0.256"));
        assert!(Format::Uri.matches("https://example.com/a?b=c"));
        assert!(!Format::Uri.matches("example.com"));
    }
}
