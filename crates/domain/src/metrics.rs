//! Revenue history: one MRR figure per day.
//!
//! Tollgate records a snapshot of the app's MRR for the current UTC day while
//! it runs. A day without a snapshot (the server was down, or nothing ran)
//! keeps the previous day's figure: MRR only changes when a subscription does,
//! and Tollgate's event recovery catches up on those later.

use time::{Date, Duration};

use crate::error::ValidationErrors;

/// Longest range one history request may ask for.
pub const MAX_RANGE_DAYS: i64 = 366;
/// Range used when the request names none.
pub const DEFAULT_RANGE_DAYS: i64 = 30;

/// MRR at the end of one UTC day, in minor units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyMrr {
    pub day: Date,
    pub mrr: i64,
    pub paying_subscriptions: i64,
}

/// An inclusive range of UTC days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayRange {
    pub from: Date,
    pub to: Date,
}

impl DayRange {
    /// Parses `from` / `to` (`YYYY-MM-DD`). Defaults: `to` is today, `from`
    /// is 30 days back. `to` may not lie after today, `from` not after `to`,
    /// and the range spans at most [`MAX_RANGE_DAYS`].
    pub fn parse(from: Option<&str>, to: Option<&str>, today: Date) -> Result<Self, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let to = match to {
            None => Some(today),
            Some(s) => match parse_day(s) {
                Some(d) if d > today => {
                    e.add("to", "in_future", "must not be after today (UTC)");
                    None
                }
                Some(d) => Some(d),
                None => {
                    e.add("to", "invalid_date", "must be a date like 2026-01-31");
                    None
                }
            },
        };
        let from = match from {
            None => to.map(|t| t - Duration::days(DEFAULT_RANGE_DAYS - 1)),
            Some(s) => match parse_day(s) {
                Some(d) => Some(d),
                None => {
                    e.add("from", "invalid_date", "must be a date like 2026-01-31");
                    None
                }
            },
        };
        if let (Some(f), Some(t)) = (from, to) {
            if f > t {
                e.add("from", "after_to", "must not be after `to`");
            } else if (t - f).whole_days() + 1 > MAX_RANGE_DAYS {
                e.add("from", "range_too_long", format!("the range may span at most {MAX_RANGE_DAYS} days"));
            }
        }
        match (from, to) {
            (Some(from), Some(to)) if e.is_empty() => Ok(Self { from, to }),
            _ => Err(e),
        }
    }
}

/// Reads a `YYYY-MM-DD` day.
pub fn parse_day(s: &str) -> Option<Date> {
    Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).ok()
}

/// Prints a day as `YYYY-MM-DD`.
pub fn format_day(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// One point per day of `range`, from the first day anything is known.
///
/// `before` is the last snapshot taken before the range starts (if any);
/// `snapshots` are the ones inside it, in any order. Days without a snapshot
/// carry the previous figure forward; days before the first known figure
/// are left out, so a chart starts where the history does.
pub fn daily_series(range: DayRange, before: Option<&DailyMrr>, snapshots: &[DailyMrr]) -> Vec<DailyMrr> {
    let mut inside: Vec<&DailyMrr> = snapshots.iter().filter(|s| s.day >= range.from && s.day <= range.to).collect();
    inside.sort_by_key(|s| s.day);
    let mut next = inside.into_iter().peekable();
    let mut current: Option<(i64, i64)> = before.filter(|b| b.day < range.from).map(|b| (b.mrr, b.paying_subscriptions));
    let mut out = Vec::new();
    let mut day = range.from;
    loop {
        while let Some(s) = next.next_if(|s| s.day == day) {
            current = Some((s.mrr, s.paying_subscriptions));
        }
        if let Some((mrr, paying_subscriptions)) = current {
            out.push(DailyMrr { day, mrr, paying_subscriptions });
        }
        if day >= range.to {
            break;
        }
        day = day.next_day().expect("a date before the end of time");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 23);

    fn p(day: Date, mrr: i64, n: i64) -> DailyMrr {
        DailyMrr { day, mrr, paying_subscriptions: n }
    }

    #[test]
    fn range_defaults_to_the_last_thirty_days() {
        let r = DayRange::parse(None, None, TODAY).unwrap();
        assert_eq!((r.from, r.to), (date!(2026 - 10 - 25), TODAY));
        assert_eq!((r.to - r.from).whole_days() + 1, 30);
    }

    #[test]
    fn range_rejects_bad_input_with_field_codes() {
        let codes = |from: Option<&str>, to: Option<&str>| -> Vec<(String, String)> {
            DayRange::parse(from, to, TODAY).unwrap_err().0.into_iter().map(|e| (e.field, e.code)).collect()
        };
        assert_eq!(codes(Some("2026-13-01"), None), vec![("from".into(), "invalid_date".into())]);
        assert_eq!(codes(None, Some("yesterday")), vec![("to".into(), "invalid_date".into())]);
        assert_eq!(codes(None, Some("2026-11-24")), vec![("to".into(), "in_future".into())]);
        assert_eq!(codes(Some("2026-11-20"), Some("2026-11-19")), vec![("from".into(), "after_to".into())]);
        assert_eq!(codes(Some("2025-11-22"), None), vec![("from".into(), "range_too_long".into())]);
        assert!(DayRange::parse(Some("2025-11-23"), None, TODAY).is_ok(), "366 days is allowed");
        assert!(DayRange::parse(Some("2026-11-23"), Some("2026-11-23"), TODAY).is_ok(), "one day is allowed");
    }

    #[test]
    fn days_print_as_iso_dates() {
        assert_eq!(format_day(date!(2026 - 01 - 05)), "2026-01-05");
    }

    #[test]
    fn series_starts_at_the_first_known_day_and_carries_figures_forward() {
        let range = DayRange { from: date!(2026 - 11 - 01), to: date!(2026 - 11 - 06) };
        let snaps = [p(date!(2026 - 11 - 05), 3000, 3), p(date!(2026 - 11 - 03), 1000, 1)];
        let s = daily_series(range, None, &snaps);
        assert_eq!(
            s,
            vec![
                p(date!(2026 - 11 - 03), 1000, 1),
                p(date!(2026 - 11 - 04), 1000, 1),
                p(date!(2026 - 11 - 05), 3000, 3),
                p(date!(2026 - 11 - 06), 3000, 3),
            ]
        );
    }

    #[test]
    fn a_snapshot_before_the_range_fills_its_first_days() {
        let range = DayRange { from: date!(2026 - 11 - 01), to: date!(2026 - 11 - 03) };
        let before = p(date!(2026 - 10 - 20), 500, 1);
        let s = daily_series(range, Some(&before), &[p(date!(2026 - 11 - 02), 0, 0)]);
        assert_eq!(s, vec![p(date!(2026 - 11 - 01), 500, 1), p(date!(2026 - 11 - 02), 0, 0), p(date!(2026 - 11 - 03), 0, 0)]);
    }

    #[test]
    fn nothing_known_means_an_empty_series() {
        let range = DayRange { from: date!(2026 - 11 - 01), to: date!(2026 - 11 - 03) };
        assert!(daily_series(range, None, &[]).is_empty());
        // Snapshots outside the range are not drawn.
        assert!(daily_series(range, None, &[p(date!(2026 - 11 - 04), 9, 9)]).is_empty());
    }
}

/// How a subscription's contribution to MRR moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MovementKind {
    /// It contributes for the first time.
    New,
    /// It contributes more than before.
    Expansion,
    /// It contributes less than before, but still something.
    Contraction,
    /// It stopped contributing (canceled, unpaid, paused…).
    Churn,
    /// It contributes again after having stopped.
    Reactivation,
}

impl MovementKind {
    pub const ALL: [MovementKind; 5] = [MovementKind::New, MovementKind::Expansion, MovementKind::Contraction, MovementKind::Churn, MovementKind::Reactivation];

    pub fn as_str(self) -> &'static str {
        match self {
            MovementKind::New => "new",
            MovementKind::Expansion => "expansion",
            MovementKind::Contraction => "contraction",
            MovementKind::Churn => "churn",
            MovementKind::Reactivation => "reactivation",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The movement from contributing `before` to `after` (minor units a month;
/// 0 = not contributing), with its signed amount; `None` when nothing moved.
/// `contributed_before`: the subscription contributed at some earlier time
/// (a return is a reactivation, not new revenue).
pub fn mrr_movement(before: i64, after: i64, contributed_before: bool) -> Option<(MovementKind, i64)> {
    let (before, after) = (before.max(0), after.max(0));
    let kind = match (before, after) {
        (b, a) if b == a => return None,
        (0, _) if contributed_before => MovementKind::Reactivation,
        (0, _) => MovementKind::New,
        (_, 0) => MovementKind::Churn,
        (b, a) if a > b => MovementKind::Expansion,
        _ => MovementKind::Contraction,
    };
    Some((kind, after - before))
}

#[cfg(test)]
mod movement_tests {
    use super::*;

    #[test]
    fn movements_are_classified() {
        assert_eq!(mrr_movement(0, 2500, false), Some((MovementKind::New, 2500)));
        assert_eq!(mrr_movement(0, 2500, true), Some((MovementKind::Reactivation, 2500)));
        assert_eq!(mrr_movement(2500, 0, true), Some((MovementKind::Churn, -2500)));
        assert_eq!(mrr_movement(2500, 4000, true), Some((MovementKind::Expansion, 1500)));
        assert_eq!(mrr_movement(4000, 2500, true), Some((MovementKind::Contraction, -1500)));
        assert_eq!(mrr_movement(2500, 2500, true), None);
        assert_eq!(mrr_movement(0, 0, false), None);
        for k in MovementKind::ALL {
            assert_eq!(MovementKind::parse(k.as_str()), Some(k));
        }
    }
}
