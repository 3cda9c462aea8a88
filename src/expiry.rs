//! When app passwords stop working: the choices a new one offers under the
//! backend's policy, the timestamp a choice sends, and how an expiry reads
//! in the list. Times are milliseconds since the Unix epoch, as the
//! browser's clock gives them; callers pass "now" so that tests can too.

use contract::{AppPassword, ExpiryPolicy};

use crate::i18n::{keys, I18n};

/// Milliseconds in a day.
const DAY_MS: f64 = 24.0 * 3600.0 * 1000.0;

/// The lifetimes offered beside "never" and "on a date", within the
/// backend's maximum.
const PRESET_DAYS: [u32; 3] = [30, 90, 365];

/// When a new app password stops working, as the user chooses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpiryChoice {
    /// It never does.
    Never,
    /// This many days from now.
    Days(u32),
    /// At the end of a date the user picks.
    OnDate,
}

impl ExpiryChoice {
    /// The choices `policy` offers, in order: never (when allowed), the
    /// presets within the maximum (and the default when it is not one of
    /// them), a date.
    pub fn offered(policy: &ExpiryPolicy) -> Vec<Self> {
        let mut days = PRESET_DAYS.to_vec();
        if let Some(default) = policy.default_days.filter(|d| !days.contains(d)) {
            // In order, without pulling a sort into the download.
            let at = days.iter().take_while(|&&preset| preset < default).count();
            days.insert(at, default);
        }
        days.retain(|&days| policy.allows_days(days));
        policy
            .allows_never()
            .then_some(Self::Never)
            .into_iter()
            .chain(days.into_iter().map(Self::Days))
            .chain([Self::OnDate])
            .collect()
    }

    /// The choice made for the user: the policy's default.
    pub fn default_for(policy: &ExpiryPolicy) -> Self {
        policy.default_days.map_or(Self::Never, Self::Days)
    }

    /// The choice's value in a `<select>`.
    pub fn value(self) -> String {
        match self {
            Self::Never => "never".to_owned(),
            Self::Days(days) => days.to_string(),
            Self::OnDate => "date".to_owned(),
        }
    }

    /// The choice a `<select>` value names.
    pub fn from_value(value: &str) -> Option<Self> {
        match value {
            "never" => Some(Self::Never),
            "date" => Some(Self::OnDate),
            days => days.parse().ok().map(Self::Days),
        }
    }

    /// What the choice says to the user.
    pub fn label(self, i18n: I18n) -> String {
        match self {
            Self::Never => i18n.t(keys::EXPIRY_NEVER),
            Self::Days(days) => i18n.t_count(keys::EXPIRY_DAYS, days as usize, &[]),
            Self::OnDate => i18n.t(keys::EXPIRY_ON_DATE),
        }
    }
}

/// The last day `policy` allows, as `yyyy-mm-dd` for a date input's `max`.
pub fn last_day(policy: &ExpiryPolicy, now: f64) -> Option<String> {
    policy
        .max_days
        .map(|days| day_of(now + f64::from(days) * DAY_MS))
}

/// The first day that can be picked: tomorrow.
pub fn first_day(now: f64) -> String {
    day_of(now + DAY_MS)
}

/// A day the user typed that is not one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotADay;

/// The `expires_at` a choice sends (RFC 3339, UTC), with `date`
/// (`yyyy-mm-dd`) for [`ExpiryChoice::OnDate`]: the end of that day in the
/// user's time zone, from tomorrow on. `None` for never.
pub fn expires_at(choice: ExpiryChoice, date: &str, now: f64) -> Result<Option<String>, NotADay> {
    match choice {
        ExpiryChoice::Never => Ok(None),
        ExpiryChoice::Days(days) => Ok(Some(iso(now + f64::from(days) * DAY_MS))),
        // Before tomorrow is refused here: a typed date gets past the
        // input's `min`.
        ExpiryChoice::OnDate => end_of_day(date)
            .and_then(|at| Some(at).filter(|&at| at >= now + DAY_MS).ok_or(NotADay))
            .map(|at| Some(iso(at))),
    }
}

/// How an app password's expiry reads in the list: "Never", "Expires in
/// 12 days", "Expired on 1 Dec 2026".
pub fn describe(item: &AppPassword, i18n: I18n, now: f64) -> String {
    match item.expires_at.as_deref() {
        None => i18n.t(keys::LIST_NEVER),
        Some(at) => match parse(at) {
            Some(when) if when <= now => {
                i18n.t_with(keys::LIST_EXPIRED_ON, &[("date", &i18n.date(at))])
            }
            Some(when) => i18n.t_with(
                keys::LIST_EXPIRES_IN,
                &[("when", &i18n.relative(when - now))],
            ),
            None => i18n.date(at),
        },
    }
}

/// Whether an app password has stopped working.
pub fn is_expired(item: &AppPassword, now: f64) -> bool {
    item.expires_at
        .as_deref()
        .and_then(parse)
        .is_some_and(|when| when <= now)
}

/// Now, by the browser's clock.
pub fn now() -> f64 {
    js_sys::Date::now()
}

/// An RFC 3339 timestamp in milliseconds since the epoch.
pub fn parse(timestamp: &str) -> Option<f64> {
    Some(js_sys::Date::parse(timestamp)).filter(|ms| !ms.is_nan())
}

/// How long before `now` the timestamp `at` was, as the language says it
/// ("3 days ago"); "now" when the backend sent no time this reads.
pub fn ago(i18n: I18n, at: &str, now: f64) -> String {
    i18n.relative(parse(at).unwrap_or(now) - now)
}

/// The expiry field's choice and day that would give another app password
/// the lifetime `item` was given: the same number of days when that is
/// offered, else its day; `None` when it never expires (the default then
/// stands, as "Never" may not be offered).
pub fn choice_like(item: &AppPassword, policy: &ExpiryPolicy) -> Option<(String, String)> {
    let until = parse(item.expires_at.as_deref()?)?;
    let lifetime = until - parse(&item.created_at)?;
    let days = (lifetime / DAY_MS).round() as u32;
    let choice = if ExpiryChoice::offered(policy).contains(&ExpiryChoice::Days(days)) {
        ExpiryChoice::Days(days)
    } else {
        ExpiryChoice::OnDate
    };
    Some((choice.value(), day_of(until)))
}

fn iso(ms: f64) -> String {
    js_sys::Date::new(&ms.into()).to_iso_string().into()
}

/// `yyyy-mm-dd` of the local day that contains `ms`.
fn day_of(ms: f64) -> String {
    let date = js_sys::Date::new(&ms.into());
    format!(
        "{:04}-{:02}-{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date()
    )
}

/// The last second of the local day `yyyy-mm-dd`.
fn end_of_day(day: &str) -> Result<f64, NotADay> {
    let mut parts = day.splitn(3, '-').map(|part| part.parse::<u32>().ok());
    let (Some(Some(year)), Some(Some(month)), Some(Some(date))) =
        (parts.next(), parts.next(), parts.next())
    else {
        return Err(NotADay);
    };
    if !(1..=12).contains(&month) || !(1..=31).contains(&date) {
        return Err(NotADay);
    }
    let end = js_sys::Date::new_with_year_month_day_hr_min_sec(
        year,
        month as i32 - 1,
        date as i32,
        23,
        59,
        59,
    );
    Some(end.get_time())
        .filter(|ms| !ms.is_nan())
        .ok_or(NotADay)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_follow_the_policy() {
        let free = ExpiryPolicy {
            default_days: None,
            max_days: None,
        };
        assert_eq!(
            ExpiryChoice::offered(&free),
            [
                ExpiryChoice::Never,
                ExpiryChoice::Days(30),
                ExpiryChoice::Days(90),
                ExpiryChoice::Days(365),
                ExpiryChoice::OnDate
            ]
        );
        assert_eq!(ExpiryChoice::default_for(&free), ExpiryChoice::Never);
        let bounded = ExpiryPolicy {
            default_days: Some(14),
            max_days: Some(90),
        };
        assert_eq!(
            ExpiryChoice::offered(&bounded),
            [
                ExpiryChoice::Days(14),
                ExpiryChoice::Days(30),
                ExpiryChoice::Days(90),
                ExpiryChoice::OnDate
            ]
        );
        assert_eq!(ExpiryChoice::default_for(&bounded), ExpiryChoice::Days(14));
        for choice in ExpiryChoice::offered(&bounded) {
            assert_eq!(ExpiryChoice::from_value(&choice.value()), Some(choice));
        }
    }
}
