//! [`Outcome`]: what became of a notification, the `result` label.

/// What became of a notification, per notifier: the `result` label of
/// `observa_notifications_total{notifier,result}`.
///
/// ```
/// use observa::alerts::notify::Outcome;
///
/// assert_eq!(Outcome::Dropped.as_str(), "dropped");
/// assert_eq!(Outcome::ALL.len(), 5);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Delivered.
    Sent,
    /// The notifier returned an error (after its own retries) or panicked.
    Failed,
    /// Not queued: the notifier's queue was full.
    Dropped,
    /// Still queued when the shutdown deadline passed.
    Abandoned,
    /// An open alert was re-sent on the notifier's schedule (Alertmanager).
    Resent,
}

impl Outcome {
    /// Every outcome, in label order.
    ///
    /// ```
    /// assert_eq!(observa::alerts::notify::Outcome::ALL[0].as_str(), "sent");
    /// ```
    pub const ALL: [Outcome; 5] = [
        Outcome::Sent,
        Outcome::Failed,
        Outcome::Dropped,
        Outcome::Abandoned,
        Outcome::Resent,
    ];

    /// The label value.
    ///
    /// ```
    /// assert_eq!(observa::alerts::notify::Outcome::Resent.as_str(), "resent");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Sent => "sent",
            Outcome::Failed => "failed",
            Outcome::Dropped => "dropped",
            Outcome::Abandoned => "abandoned",
            Outcome::Resent => "resent",
        }
    }

    pub(super) fn index(self) -> usize {
        self as usize
    }
}
