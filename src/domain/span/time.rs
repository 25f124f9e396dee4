//! [`UnixTime`]: how a span keeps its start and end, as seconds and
//! nanoseconds since the Unix epoch; cheap to make from a clock reading,
//! turned into a `DateTime<Utc>` only when read.

use std::fmt;

use chrono::{DateTime, Utc};

/// A UTC time as `secs` since the Unix epoch plus `nanos` (below 2·10⁹; at
/// or above 10⁹ only for a leap second, as `chrono` has it). Every value is
/// one `DateTime<Utc>` can hold, so reading it back never fails; the order
/// is the order of time.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct UnixTime {
    secs: i64,
    nanos: u32,
}

/// Seconds far inside what `DateTime<Utc>` holds (about ±262,000 years):
/// times made by arithmetic are refused beyond this many seconds from 1970.
const MAX_ARITHMETIC_SECS: i64 = 8_000_000_000_000;

impl UnixTime {
    /// The same time as `at`.
    pub(crate) fn from_utc(at: DateTime<Utc>) -> UnixTime {
        UnixTime {
            secs: at.timestamp(),
            nanos: at.timestamp_subsec_nanos(),
        }
    }

    /// `ago` before `self` (a leap second in `self` counts as the last
    /// nanosecond of its second; the clock anchors it is used with never
    /// read one); `None` if that leaves the range of [`MAX_ARITHMETIC_SECS`].
    #[inline]
    pub(crate) fn before(self, ago: std::time::Duration) -> Option<UnixTime> {
        let ago_secs = i64::try_from(ago.as_secs()).ok()?;
        let (mut secs, mut nanos) = (self.secs.checked_sub(ago_secs)?, self.nanos.min(999_999_999));
        if nanos < ago.subsec_nanos() {
            secs = secs.checked_sub(1)?;
            nanos += 1_000_000_000;
        }
        nanos -= ago.subsec_nanos();
        (secs.abs() <= MAX_ARITHMETIC_SECS).then_some(UnixTime { secs, nanos })
    }

    /// This time as a `DateTime<Utc>`.
    #[inline]
    pub(crate) fn to_utc(self) -> DateTime<Utc> {
        DateTime::from_timestamp(self.secs, self.nanos).expect("a UnixTime is a valid DateTime")
    }
}

impl fmt::Debug for UnixTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.to_utc(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone};
    use proptest::prelude::*;
    use std::time::Duration;

    #[test]
    fn a_leap_second_reads_back_and_sorts_between_its_neighbours() {
        let day = NaiveDate::from_ymd_opt(2016, 12, 31).unwrap();
        let leap = Utc.from_utc_datetime(&day.and_hms_nano_opt(23, 59, 59, 1_500_000_000).unwrap());
        let before = Utc.from_utc_datetime(&day.and_hms_nano_opt(23, 59, 59, 500_000_000).unwrap());
        let after = leap + chrono::Duration::milliseconds(600);
        let t = UnixTime::from_utc(leap);
        assert_eq!(t.to_utc(), leap);
        assert!(UnixTime::from_utc(before) < t && t < UnixTime::from_utc(after));
        let earlier = t.before(Duration::from_millis(1)).unwrap();
        assert!(UnixTime::from_utc(before) < earlier && earlier < t);
    }

    #[test]
    fn the_extremes_of_datetime_read_back() {
        for at in [DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC] {
            assert_eq!(UnixTime::from_utc(at).to_utc(), at);
        }
        let max = UnixTime::from_utc(DateTime::<Utc>::MAX_UTC);
        assert_eq!(max.before(Duration::from_secs(u64::MAX)), None);
    }

    proptest! {
        #[test]
        fn before_matches_chrono_and_order_matches_time(
            secs in -10_000_000_000i64..10_000_000_000,
            nanos in 0u32..1_000_000_000,
            ago_ns in 0u64..10_000_000_000_000_000,
            other in -10_000_000_000i64..10_000_000_000,
        ) {
            let at = DateTime::from_timestamp(secs, nanos).unwrap();
            let ago = Duration::from_nanos(ago_ns);
            let t = UnixTime::from_utc(at);
            prop_assert_eq!(t.to_utc(), at);
            let expected = at - chrono::Duration::from_std(ago).unwrap();
            prop_assert_eq!(t.before(ago).unwrap().to_utc(), expected);
            let other = DateTime::from_timestamp(other, nanos / 3).unwrap();
            prop_assert_eq!(t.cmp(&UnixTime::from_utc(other)), at.cmp(&other));
        }
    }
}
