use std::sync::mpsc;

use super::*;
use crate::alerts::notify::NotifyError;
use crate::{Alert, AlertSeverity};

/// Delivers only when the test lets it: each delivery waits for one message.
struct Gated {
    gate: Arc<Mutex<mpsc::Receiver<()>>>,
    delivered: mpsc::Sender<String>,
}

impl Notifier for Gated {
    fn name(&self) -> &str {
        "gated"
    }
    fn deliver(&mut self, notification: &Notification) -> std::result::Result<(), NotifyError> {
        self.gate.lock().recv().ok();
        self.delivered.send(notification.alert().title().to_owned()).ok();
        Ok(())
    }
}

fn gated(capacity: usize) -> (NotificationDispatcher, mpsc::Sender<()>, mpsc::Receiver<String>) {
    let (open, gate) = mpsc::channel();
    let (delivered, seen) = mpsc::channel();
    let notifier = Gated {
        gate: Arc::new(Mutex::new(gate)),
        delivered,
    };
    let dispatcher = NotificationDispatcher::spawn(vec![Box::new(notifier)], capacity).unwrap();
    (dispatcher, open, seen)
}

fn notification(title: &str) -> Notification {
    Notification::new(Alert::new(title, "m", AlertSeverity::High).unwrap())
}

#[test]
fn a_full_queue_drops_and_counts_without_waiting() {
    let (dispatcher, open, seen) = gated(3);
    let accepted: usize = (0..10)
        .map(|i| dispatcher.dispatch(notification(&format!("a{i}"))))
        .sum();
    // three held (one may already be in the notifier), the rest dropped at once
    assert_eq!(accepted, 3);
    assert_eq!(dispatcher.count("gated", Outcome::Dropped), 7);
    for _ in 0..3 {
        open.send(()).unwrap();
    }
    assert!(dispatcher.flush(Duration::from_secs(5)));
    let titles: Vec<String> = seen.try_iter().collect();
    assert_eq!(titles, ["a0", "a1", "a2"]);
    assert_eq!(dispatcher.count("gated", Outcome::Sent), 3);
}

#[test]
fn shutdown_abandons_and_counts_what_a_stuck_notifier_never_took() {
    let (mut dispatcher, _open, _seen) = gated(5);
    for i in 0..5 {
        dispatcher.dispatch(notification(&format!("a{i}")));
    }
    while dispatcher.lanes[0].worker.in_flight() == 0 {
        std::thread::sleep(Duration::from_millis(1));
    }
    assert!(!dispatcher.close(Duration::from_millis(100)));
    // one is stuck in the notifier; the four behind it are abandoned
    assert_eq!(dispatcher.count("gated", Outcome::Abandoned), 4);
    assert_eq!(dispatcher.count("gated", Outcome::Dropped), 0);
}

struct Failing;

impl Notifier for Failing {
    fn name(&self) -> &str {
        "failing"
    }
    fn deliver(&mut self, notification: &Notification) -> std::result::Result<(), NotifyError> {
        if notification.alert().title() == "panic" {
            panic!("notifier bug");
        }
        Err(NotifyError::Io(std::io::Error::other("disk gone")))
    }
}

#[test]
fn errors_and_panics_count_as_failed_and_the_thread_goes_on() {
    let dispatcher = NotificationDispatcher::spawn(vec![Box::new(Failing)], 10).unwrap();
    dispatcher.dispatch(notification("error"));
    assert!(dispatcher.flush(Duration::from_secs(5)));
    let reason = dispatcher.last_error("failing").unwrap();
    assert_eq!(reason, "cannot write the notification: disk gone");
    dispatcher.dispatch(notification("panic"));
    assert!(dispatcher.flush(Duration::from_secs(5)));
    assert_eq!(dispatcher.count("failing", Outcome::Failed), 2);
    assert_eq!(dispatcher.last_error("failing").unwrap(), "the notifier panicked");
}

/// Counts re-sends; re-sends `open` alerts each time.
struct Resending {
    open: usize,
    every: Duration,
    calls: mpsc::Sender<()>,
}

impl Notifier for Resending {
    fn name(&self) -> &str {
        "resending"
    }
    fn deliver(&mut self, _: &Notification) -> std::result::Result<(), NotifyError> {
        Ok(())
    }
    fn resend_interval(&self) -> Option<Duration> {
        Some(self.every)
    }
    fn resend(&mut self) -> std::result::Result<usize, NotifyError> {
        self.calls.send(()).ok();
        Ok(self.open)
    }
}

#[test]
fn a_resend_interval_too_long_to_add_never_comes_due() {
    let (calls, called) = mpsc::channel();
    let resending = Resending {
        open: 1,
        every: Duration::MAX,
        calls,
    };
    let dispatcher = NotificationDispatcher::spawn(vec![Box::new(resending)], 10).unwrap();
    assert!(called.recv_timeout(Duration::from_millis(100)).is_err());
    assert!(dispatcher.shutdown(Duration::from_secs(5)));
}

#[test]
fn resends_run_on_the_notifiers_schedule_and_count_each_alert() {
    let (calls, called) = mpsc::channel();
    let dispatcher = NotificationDispatcher::spawn(
        vec![Box::new(Resending {
            open: 2,
            every: Duration::from_millis(20),
            calls,
        })],
        10,
    )
    .unwrap();
    for _ in 0..3 {
        called
            .recv_timeout(Duration::from_secs(5))
            .expect("a re-send within the interval");
    }
    // the first two re-sends are counted before the third starts: two alerts each
    assert!(dispatcher.count("resending", Outcome::Resent) >= 4);
    drop(dispatcher);
    let (calls, _called) = mpsc::channel();
    let quiet = NotificationDispatcher::spawn(
        vec![Box::new(Resending {
            open: 0,
            every: Duration::from_millis(20),
            calls,
        })],
        10,
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(quiet.count("resending", Outcome::Resent), 0);
}

#[test]
fn the_delivery_thread_is_named_after_its_notifier() {
    struct ThreadName(mpsc::Sender<Option<String>>);
    impl Notifier for ThreadName {
        fn name(&self) -> &str {
            "named"
        }
        fn deliver(&mut self, _: &Notification) -> std::result::Result<(), NotifyError> {
            self.0.send(std::thread::current().name().map(str::to_owned)).ok();
            Ok(())
        }
    }
    let (tx, rx) = mpsc::channel();
    let dispatcher = NotificationDispatcher::spawn(vec![Box::new(ThreadName(tx))], 1).unwrap();
    dispatcher.dispatch(notification("x"));
    let name = rx.recv_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!(name.as_deref(), Some("observa-notify-named"));
}

#[test]
fn a_stuck_notifier_never_blocks_raise_or_resolve() {
    use crate::adapters::InMemoryRepository;
    use crate::alerts::AlertService;

    let (dispatcher, open, seen) = gated(2);
    let alerts =
        AlertService::new(Arc::new(InMemoryRepository::new(1_000))).with_notifications(Arc::new(dispatcher));
    let caller = alerts.clone();
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        for i in 0..200 {
            let raised = caller
                .raise(notification(&format!("a{i}")).alert().clone())
                .unwrap();
            caller.resolve(raised.alert.id()).unwrap();
        }
        done.send(()).unwrap();
    });
    // the notifier has not been let through once, yet every call returns
    finished
        .recv_timeout(Duration::from_secs(10))
        .expect("raise and resolve return while the notifier is stuck");
    let notifications = alerts.notifications().unwrap();
    assert_eq!(notifications.count("gated", Outcome::Dropped), 400 - 2);
    open.send(()).unwrap();
    open.send(()).unwrap();
    assert!(notifications.flush(Duration::from_secs(5)));
    assert_eq!(seen.try_iter().count(), 2);
}

#[test]
fn an_unbounded_timeout_waits_without_overflowing() {
    let (dispatcher, open, seen) = gated(2);
    dispatcher.dispatch(notification("a"));
    open.send(()).unwrap();
    assert!(dispatcher.flush(Duration::MAX));
    dispatcher.dispatch(notification("b"));
    open.send(()).unwrap();
    assert!(dispatcher.shutdown(Duration::MAX));
    assert_eq!(seen.try_iter().collect::<Vec<_>>(), ["a", "b"]);
}
