//! Weekly opening hours: when a helper may be rung, when the switchboard rings at all,
//! when the desk is open.
//!
//! Syntax, as written in CSV files and dialplans: segments separated by `;`, each an
//! optional set of days followed by one or more time ranges, for example
//! `mon-fri 09:00-17:00; sat 10:00-12:00` or `08:00-21:00` (every day).
//! Days are `mon tue wed thu fri sat sun` (Dutch `ma di wo do vr za zo` too), ranges
//! like `mon-fri`, lists like `mon,wed`, or `daily`.

use jiff::civil::{DateTime, Time, Weekday};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WeeklyHours {
    windows: Vec<Window>,
    source: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Window {
    /// Monday = bit 0 … Sunday = bit 6.
    days: u8,
    /// Minutes since midnight, `start < end <= 24 * 60`.
    start: u16,
    end: u16,
}

/// What is wrong with written hours; the desk says it in its own words (`web::desk::text`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HoursError {
    #[error("'{0}' has days but no hours, like 09:00-17:00")]
    NoHours(String),
    #[error("'{0}' is not a day (use mon, tue, wed, thu, fri, sat, sun)")]
    NotADay(String),
    #[error("'{part}' runs backwards; write it as {fix}")]
    Backwards { part: String, fix: String },
    #[error("'{0}' names no day")]
    NoDay(String),
    #[error("'{0}' is not a time like 09:00")]
    NotATime(String),
    #[error("'{0}' is not a time range like 09:00-17:00")]
    NotARange(String),
    #[error("'{0}' ends before it starts")]
    EndsBeforeStart(String),
}

const DAYS: [(&str, &str); 7] =
    [("mon", "ma"), ("tue", "di"), ("wed", "wo"), ("thu", "do"), ("fri", "vr"), ("sat", "za"), ("sun", "zo")];

impl WeeklyHours {
    /// Hours that never open (an empty string parses to this).
    pub fn never() -> WeeklyHours {
        WeeklyHours { windows: Vec::new(), source: String::new() }
    }

    pub fn parse(input: &str) -> Result<WeeklyHours, HoursError> {
        let source = input.trim().to_string();
        let mut windows = Vec::new();
        for segment in source.split(';').map(str::trim).filter(|s| !s.is_empty()) {
            let mut words = segment.split_whitespace().peekable();
            let days = match words.peek() {
                Some(first) if first.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) => {
                    let days = parse_days(first)?;
                    words.next();
                    days
                }
                _ => 0b111_1111,
            };
            let mut any = false;
            for range in words {
                let (start, end) = parse_range(range)?;
                windows.push(Window { days, start, end });
                any = true;
            }
            if !any {
                return Err(HoursError::NoHours(segment.to_string()));
            }
        }
        Ok(WeeklyHours { windows, source })
    }

    pub fn is_empty(&self) -> bool {
        self.windows.is_empty()
    }

    pub fn as_str(&self) -> &str {
        &self.source
    }

    pub fn contains(&self, at: DateTime) -> bool {
        let day = day_bit(at.weekday());
        let minute = minute_of_day(at.time());
        self.windows.iter().any(|w| w.days & day != 0 && w.start <= minute && minute < w.end)
    }

    /// The earliest minute of the day at which any window opens, and the latest at which
    /// one closes: used to keep ringing hours out of the night.
    pub fn span(&self) -> Option<(u16, u16)> {
        let start = self.windows.iter().map(|w| w.start).min()?;
        let end = self.windows.iter().map(|w| w.end).max()?;
        Some((start, end))
    }

    /// The first moment at or after `at` that lies inside these hours, looking a week ahead.
    pub fn next_open(&self, at: DateTime) -> Option<DateTime> {
        if self.contains(at) {
            return Some(at);
        }
        let midnight = at.date().to_datetime(Time::midnight());
        for day_offset in 0..8i64 {
            let date = midnight.date().checked_add(jiff::Span::new().days(day_offset)).ok()?;
            let bit = day_bit(date.weekday());
            let mut starts: Vec<u16> = self.windows.iter().filter(|w| w.days & bit != 0).map(|w| w.start).collect();
            starts.sort_unstable();
            for start in starts {
                let candidate = date.to_datetime(Time::new((start / 60) as i8, (start % 60) as i8, 0, 0).ok()?);
                if candidate > at {
                    return Some(candidate);
                }
            }
        }
        None
    }
}

/// One window as the desk's day boxes show it: the days (Monday = bit 0), and its start
/// and end in minutes since midnight.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DaysAndTimes {
    pub days: u8,
    pub start: u16,
    pub end: u16,
}

impl WeeklyHours {
    /// The windows, in the order written.
    pub fn windows(&self) -> Vec<DaysAndTimes> {
        self.windows.iter().map(|w| DaysAndTimes { days: w.days, start: w.start, end: w.end }).collect()
    }

    /// Hours written from windows, in the Dutch form the desk stores
    /// (`ma-vr 09:00-12:00; za 10:00-12:00`); windows on the same days share a segment.
    pub fn from_windows(windows: &[DaysAndTimes]) -> Result<WeeklyHours, HoursError> {
        WeeklyHours::parse(&written(windows, &DAYS.map(|(_, nl)| nl)))
    }

    /// These hours written with these day names (Monday first): `Mon-Fri 09:00-12:00`.
    pub fn written_with(&self, names: &[&str; 7]) -> String {
        written(&self.windows(), names)
    }
}

fn written(windows: &[DaysAndTimes], names: &[&str; 7]) -> String {
    let mut segments: Vec<(u8, Vec<String>)> = Vec::new();
    for w in windows {
        let range = format!("{}-{}", hh_mm(w.start), hh_mm(w.end));
        match segments.iter_mut().find(|(d, _)| *d == w.days) {
            Some((_, ranges)) => ranges.push(range),
            None => segments.push((w.days, vec![range])),
        }
    }
    let text: Vec<String> =
        segments.iter().map(|(days, ranges)| format!("{} {}", days_text(*days, names), ranges.join(" "))).collect();
    text.join("; ")
}

/// `09:00`.
pub fn hh_mm(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// Days in as few words as possible: `ma-vr`, `ma,wo,vr`, `ma-wo,za`, every day `ma-zo`.
/// `names` are Monday first.
pub fn days_text(days: u8, names: &[&str; 7]) -> String {
    let parts: Vec<String> = day_runs(days)
        .into_iter()
        .map(|(first, last)| match last - first {
            0 => names[first].to_string(),
            1 => format!("{},{}", names[first], names[last]),
            _ => format!("{}-{}", names[first], names[last]),
        })
        .collect();
    parts.join(",")
}

/// The runs of days one after another (Monday = 0), first and last of each, in week order:
/// `ma-wo,vr` is `[(0, 2), (4, 4)]`.
pub fn day_runs(days: u8) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut i = 0;
    while i < 7 {
        if days & (1 << i) == 0 {
            i += 1;
            continue;
        }
        let start = i;
        while i + 1 < 7 && days & (1 << (i + 1)) != 0 {
            i += 1;
        }
        runs.push((start, i));
        i += 1;
    }
    runs
}

fn day_bit(day: Weekday) -> u8 {
    1 << (day.to_monday_zero_offset() as u8)
}

fn minute_of_day(t: Time) -> u16 {
    t.hour() as u16 * 60 + t.minute() as u16
}

fn day_index(word: &str) -> Result<u8, HoursError> {
    let lower = word.to_ascii_lowercase();
    DAYS.iter()
        .position(|(en, nl)| *en == lower || *nl == lower)
        .map(|i| i as u8)
        .ok_or_else(|| HoursError::NotADay(word.to_string()))
}

/// Day names without hours, as the good-morning round takes them: `ma-vr`, `ma,wo,vr`,
/// `mon-fri`, `daily` (Monday = bit 0). Spaces after commas are allowed.
pub fn parse_day_names(input: &str) -> Result<u8, HoursError> {
    let joined: String = input.split_whitespace().collect::<Vec<_>>().join("");
    if joined.is_empty() {
        return Err(HoursError::NoDay(input.to_string()));
    }
    parse_days(&joined)
}

/// A time of day like `09:30`, as minutes since midnight (before 24:00).
pub fn parse_clock(text: &str) -> Result<u16, HoursError> {
    match parse_time(text.trim())? {
        m if m < 24 * 60 => Ok(m),
        _ => Err(HoursError::NotATime(text.to_string())),
    }
}

fn parse_days(word: &str) -> Result<u8, HoursError> {
    let lower = word.to_ascii_lowercase();
    if lower == "daily" || lower == "dagelijks" {
        return Ok(0b111_1111);
    }
    let mut bits = 0u8;
    for part in lower.split(',').filter(|p| !p.is_empty()) {
        match part.split_once('-') {
            Some((from, to)) => {
                let (from, to) = (day_index(from)?, day_index(to)?);
                if from > to {
                    return Err(HoursError::Backwards {
                        part: part.to_string(),
                        fix: format!("{}-{}", DAYS[to as usize].0, DAYS[from as usize].0),
                    });
                }
                for i in from..=to {
                    bits |= 1 << i;
                }
            }
            None => bits |= 1 << day_index(part)?,
        }
    }
    if bits == 0 {
        return Err(HoursError::NoDay(word.to_string()));
    }
    Ok(bits)
}

fn parse_time(text: &str) -> Result<u16, HoursError> {
    let bad = || HoursError::NotATime(text.to_string());
    let (h, m) = text.split_once(':').ok_or_else(bad)?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return Err(bad());
    }
    let h: u16 = h.parse().map_err(|_| bad())?;
    let m: u16 = m.parse().map_err(|_| bad())?;
    if m >= 60 || h > 24 || (h == 24 && m != 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

fn parse_range(text: &str) -> Result<(u16, u16), HoursError> {
    let (a, b) = text.split_once('-').ok_or_else(|| HoursError::NotARange(text.to_string()))?;
    let (start, end) = (parse_time(a)?, parse_time(b)?);
    if start >= end {
        return Err(HoursError::EndsBeforeStart(text.to_string()));
    }
    Ok((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    // 2026-11-23 is a Monday.
    fn at(day: i8, h: i8, m: i8) -> DateTime {
        date(2026, 11, day).at(h, m, 0, 0)
    }

    #[test]
    fn the_day_boxes_write_hours_in_dutch_and_read_them_back() {
        let names = ["ma", "di", "wo", "do", "vr", "za", "zo"];
        assert_eq!(days_text(0b001_1111, &names), "ma-vr");
        assert_eq!(days_text(0b001_0101, &names), "ma,wo,vr");
        assert_eq!(days_text(0b110_0011, &names), "ma,di,za,zo");
        assert_eq!(days_text(0b100_0111, &names), "ma-wo,zo");
        let w = |days, start, end| DaysAndTimes { days, start, end };
        let hours =
            WeeklyHours::from_windows(&[w(0b001_1111, 540, 720), w(0b010_0000, 600, 720), w(0b001_1111, 780, 1020)])
                .unwrap();
        assert_eq!(hours.as_str(), "ma-vr 09:00-12:00 13:00-17:00; za 10:00-12:00");
        assert_eq!(WeeklyHours::parse(hours.as_str()).unwrap().windows(), hours.windows(), "read back the same");
        assert!(hours.contains(at(28, 11, 0)) && !hours.contains(at(29, 11, 0)));
        assert_eq!(WeeklyHours::from_windows(&[]).unwrap(), WeeklyHours::never());
    }

    #[test]
    fn weekday_windows() {
        let hours = WeeklyHours::parse("mon-fri 09:00-17:00; sat 10:00-12:00").unwrap();
        assert!(hours.contains(at(23, 9, 0)));
        assert!(hours.contains(at(27, 16, 59)));
        assert!(!hours.contains(at(27, 17, 0)));
        assert!(hours.contains(at(28, 11, 0)));
        assert!(!hours.contains(at(29, 11, 0)));
        assert!(!hours.contains(at(23, 8, 59)));
    }

    #[test]
    fn day_names_alone_are_read_for_the_round() {
        assert_eq!(parse_day_names("ma-vr"), Ok(0b001_1111));
        assert_eq!(parse_day_names("ma, wo, vr"), Ok(0b001_0101));
        assert_eq!(parse_day_names("mon-fri"), Ok(0b001_1111));
        assert_eq!(parse_day_names("daily"), Ok(0b111_1111));
        assert_eq!(parse_day_names("  "), Err(HoursError::NoDay("  ".into())));
        assert_eq!(parse_day_names("ma-xx"), Err(HoursError::NotADay("xx".into())));
        assert_eq!(parse_clock("09:30"), Ok(570));
        assert_eq!(parse_clock("24:00"), Err(HoursError::NotATime("24:00".into())));
    }

    #[test]
    fn days_may_be_omitted_listed_or_dutch() {
        let every_day = WeeklyHours::parse("08:00-21:00").unwrap();
        assert!(every_day.contains(at(29, 20, 59)));
        assert!(!every_day.contains(at(29, 21, 0)));
        let listed = WeeklyHours::parse("ma,wo 13:00-15:00 19:00-20:00").unwrap();
        assert!(listed.contains(at(25, 19, 30)));
        assert!(!listed.contains(at(24, 13, 30)));
        assert!(WeeklyHours::parse("").unwrap().is_empty());
    }

    #[test]
    fn errors_name_the_part() {
        let err = |s: &str| WeeklyHours::parse(s).unwrap_err().to_string();
        assert_eq!(err("mon-fry 09:00-17:00"), "'fry' is not a day (use mon, tue, wed, thu, fri, sat, sun)");
        assert_eq!(err("mon 9-17"), "'9' is not a time like 09:00");
        assert_eq!(err("mon 17:00-09:00"), "'17:00-09:00' ends before it starts");
        assert_eq!(err("mon"), "'mon' has days but no hours, like 09:00-17:00");
        assert_eq!(err("fri-mon 09:00-10:00"), "'fri-mon' runs backwards; write it as mon-fri");
        assert_eq!(err("25:00-26:00"), "'25:00' is not a time like 09:00");
    }

    #[test]
    fn next_open_finds_the_next_window() {
        let office = WeeklyHours::parse("mon-fri 09:00-12:30").unwrap();
        assert_eq!(office.next_open(at(23, 10, 0)), Some(at(23, 10, 0)));
        assert_eq!(office.next_open(at(23, 8, 0)), Some(at(23, 9, 0)));
        assert_eq!(office.next_open(at(23, 13, 0)), Some(at(24, 9, 0)));
        // Friday afternoon -> Monday morning.
        assert_eq!(office.next_open(at(27, 13, 0)), Some(at(30, 9, 0)));
        assert_eq!(WeeklyHours::never().next_open(at(23, 8, 0)), None);
    }
}
