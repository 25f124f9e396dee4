//! The closed sets of the domain: log levels, alert severities and statuses,
//! health statuses and span statuses and kinds. Each parses its spellings
//! case-insensitively and prints its canonical lowercase name.

use super::closed_set::closed_set;

closed_set!(
    /// How important a log entry is. Ordered from least to most severe.
    ///
    /// ```
    /// use observa::LogLevel;
    ///
    /// assert_eq!("WARN".parse::<LogLevel>()?, LogLevel::Warning);
    /// assert_eq!(LogLevel::Success.to_string(), "success");
    /// assert!(LogLevel::Error > LogLevel::Info);
    /// assert_eq!(LogLevel::Critical.severity_number(), 21);
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    LogLevel, "log level" {
        /// Very detailed diagnostics.
        Trace = "trace",
        /// Diagnostics for developers.
        Debug = "debug",
        /// Normal operation.
        Info = "info" | "information",
        /// A notable success (the seed's extra level, between info and warning).
        Success = "success",
        /// Something unexpected that the program handled.
        Warning = "warning" | "warn",
        /// A failed operation.
        Error = "error" | "err",
        /// The program cannot go on as intended.
        Critical = "critical" | "fatal",
    }
);

impl LogLevel {
    /// The OpenTelemetry log severity number (TRACE=1, DEBUG=5, INFO=9,
    /// INFO2=10 for `success`, WARN=13, ERROR=17, FATAL=21).
    ///
    /// ```
    /// assert_eq!(observa::LogLevel::Info.severity_number(), 9);
    /// ```
    pub fn severity_number(self) -> u8 {
        match self {
            LogLevel::Trace => 1,
            LogLevel::Debug => 5,
            LogLevel::Info => 9,
            LogLevel::Success => 10,
            LogLevel::Warning => 13,
            LogLevel::Error => 17,
            LogLevel::Critical => 21,
        }
    }
}

closed_set!(
    /// How urgent an alert is. Ordered from least to most urgent.
    ///
    /// ```
    /// use observa::AlertSeverity;
    ///
    /// assert_eq!("High".parse::<AlertSeverity>()?, AlertSeverity::High);
    /// assert!(AlertSeverity::Emergency > AlertSeverity::Critical);
    /// assert!("urgent".parse::<AlertSeverity>().is_err());
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    AlertSeverity, "alert severity" {
        /// Informational; no action expected.
        Low = "low",
        /// Needs attention soon.
        Medium = "medium",
        /// Needs attention now.
        High = "high",
        /// Service is failing.
        Critical = "critical",
        /// Wake everyone up.
        Emergency = "emergency",
    }
);

closed_set!(
    /// Where an alert is in its life.
    ///
    /// ```
    /// use observa::AlertStatus;
    ///
    /// assert_eq!("acknowledged".parse::<AlertStatus>()?, AlertStatus::Acknowledged);
    /// assert!(AlertStatus::Resolved.is_closed());
    /// assert!(!AlertStatus::Escalated.is_closed());
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    AlertStatus, "alert status" {
        /// Firing, nobody has reacted yet.
        Active = "active" | "firing",
        /// Someone is on it.
        Acknowledged = "acknowledged" | "ack",
        /// The condition cleared.
        Resolved = "resolved",
        /// Muted on purpose.
        Suppressed = "suppressed",
        /// Handed to a higher tier.
        Escalated = "escalated",
    }
);

impl AlertStatus {
    /// Whether the alert is over (resolved); every other status is still open.
    ///
    /// ```
    /// assert!(!observa::AlertStatus::Active.is_closed());
    /// ```
    pub fn is_closed(self) -> bool {
        self == AlertStatus::Resolved
    }
}

closed_set!(
    /// The state of a component as a health check saw it.
    /// Ordered from best to worst, with `unknown` first (it carries no evidence).
    ///
    /// ```
    /// use observa::HealthStatus;
    ///
    /// assert_eq!("UP".parse::<HealthStatus>()?, HealthStatus::Healthy);
    /// assert_eq!("fail".parse::<HealthStatus>()?, HealthStatus::Unhealthy);
    /// assert_eq!(HealthStatus::Degraded.to_string(), "degraded");
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    HealthStatus, "health status" {
        /// No evidence either way.
        Unknown = "unknown",
        /// Working as intended.
        Healthy = "healthy" | "pass" | "up" | "ok",
        /// Working, with concerns.
        Degraded = "degraded" | "warn",
        /// Not working.
        Unhealthy = "unhealthy" | "fail" | "down",
    }
);

closed_set!(
    /// How a span ended, as in OpenTelemetry.
    ///
    /// ```
    /// use observa::SpanStatus;
    ///
    /// assert_eq!("ok".parse::<SpanStatus>()?, SpanStatus::Ok);
    /// assert_eq!(SpanStatus::Unset.to_string(), "unset");
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    SpanStatus, "span status" {
        /// Not set by the instrumentation.
        Unset = "unset",
        /// Completed successfully.
        Ok = "ok",
        /// Completed with an error.
        Error = "error",
    }
);

closed_set!(
    /// The role of a span, as in OpenTelemetry.
    ///
    /// ```
    /// use observa::SpanKind;
    ///
    /// assert_eq!("server".parse::<SpanKind>()?, SpanKind::Server);
    /// # Ok::<(), observa::ObsError>(())
    /// ```
    SpanKind, "span kind" {
        /// Internal work (the default).
        Internal = "internal",
        /// Handles an incoming request.
        Server = "server",
        /// Makes an outgoing request.
        Client = "client",
        /// Sends a message.
        Producer = "producer",
        /// Receives a message.
        Consumer = "consumer",
    }
);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_member_round_trips_through_text_and_json() {
        fn check<T>(all: &[T])
        where
            T: Copy + PartialEq + std::fmt::Debug + std::fmt::Display + std::str::FromStr,
            T: serde::Serialize + serde::de::DeserializeOwned,
        {
            for &member in all {
                let text = member.to_string();
                assert_eq!(text.parse::<T>().ok(), Some(member));
                assert_eq!(text.to_uppercase().parse::<T>().ok(), Some(member));
                let json = serde_json::to_string(&member).unwrap();
                assert_eq!(serde_json::from_str::<T>(&json).unwrap(), member);
            }
        }
        check(LogLevel::ALL);
        check(AlertSeverity::ALL);
        check(AlertStatus::ALL);
        check(HealthStatus::ALL);
        check(SpanStatus::ALL);
        check(SpanKind::ALL);
    }

    #[test]
    fn bad_spelling_names_the_choices() {
        let err = "loud".parse::<LogLevel>().unwrap_err();
        assert!(
            err.to_string()
                .contains("trace debug info success warning error critical"),
            "{err}"
        );
        assert!(serde_json::from_str::<AlertSeverity>("\"urgent\"").is_err());
    }

    #[test]
    fn severity_numbers_follow_level_order() {
        let numbers: Vec<u8> = LogLevel::ALL.iter().map(|l| l.severity_number()).collect();
        assert!(numbers.windows(2).all(|w| w[0] < w[1]));
    }

    proptest! {
        #[test]
        fn parsing_arbitrary_text_never_panics(s in "\\PC{0,20}") {
            if let Ok(level) = s.parse::<LogLevel>() {
                prop_assert_eq!(level.to_string().parse::<LogLevel>().unwrap(), level);
            }
            let _ = s.parse::<HealthStatus>();
            let _ = s.parse::<AlertStatus>();
        }
    }
}
