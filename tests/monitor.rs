//! Monitor wrappers as a user calls them: closures, Results, panics, futures.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use observa::metrics::Format;
use observa::monitor::Outcome;
use observa::Observability;

mod common;
use common::block_on;

fn obs() -> Observability {
    Observability::builder().service("shop", "1").build().unwrap()
}

/// The value of the sample line starting with `prefix` (labels included).
fn sample(obs: &Observability, prefix: &str) -> f64 {
    let text = obs.render(Format::Prometheus).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no {prefix} in\n{text}"));
    line.rsplit(' ').next().unwrap().parse().unwrap()
}

fn calls(obs: &Observability, function: &str, result: &str) -> f64 {
    sample(
        obs,
        &format!(r#"function_calls_total{{function="{function}",module="",result="{result}"}}"#),
    )
}

/// Pending `n` times, sleeping `pause` before each poll returns.
struct Slow {
    n: u32,
    pause: Duration,
}

impl Future for Slow {
    type Output = Result<u32, String>;
    fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Self::Output> {
        std::thread::sleep(self.pause);
        if self.n == 0 {
            return Poll::Ready(Err("late".into()));
        }
        self.n -= 1;
        Poll::Pending
    }
}

#[test]
fn run_and_run_result_classify_outcomes() {
    let obs = obs();
    let m = obs.monitor("work");
    assert_eq!(m.run(|| "value"), "value");
    assert_eq!(m.run_result(|| Ok::<_, ()>(1)), Ok(1));
    assert_eq!(m.run_result(|| Err::<(), _>("no")), Err("no"));
    assert_eq!(calls(&obs, "work", "ok"), 2.0);
    assert_eq!(calls(&obs, "work", "error"), 1.0);
    assert_eq!(
        sample(
            &obs,
            r#"function_calls_duration_seconds_count{function="work",module=""}"#
        ),
        3.0
    );
    assert_eq!(
        sample(&obs, r#"function_calls_concurrent{function="work",module=""}"#),
        0.0
    );
}

#[test]
fn a_panic_is_counted_and_resumed() {
    let obs = obs();
    let m = obs.monitor("explode");
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| m.run(|| panic!("boom"))));
    let payload = caught.unwrap_err();
    assert_eq!(
        payload.downcast_ref::<&str>(),
        Some(&"boom"),
        "the original panic reaches the caller"
    );
    assert_eq!(calls(&obs, "explode", "panic"), 1.0);
    assert_eq!(calls(&obs, "explode", "ok"), 0.0);
    assert_eq!(
        sample(&obs, r#"function_calls_concurrent{function="explode",module=""}"#),
        0.0
    );
}

#[test]
fn futures_are_timed_across_polls_and_classified() {
    let obs = obs();
    let m = obs.monitor("slow");
    let pause = Duration::from_millis(15);
    let out = block_on(m.run_future_result(Slow { n: 2, pause }));
    assert_eq!(out, Err("late".into()));
    assert_eq!(calls(&obs, "slow", "error"), 1.0);
    let seconds = sample(
        &obs,
        r#"function_calls_duration_seconds_sum{function="slow",module=""}"#,
    );
    assert!(seconds >= 0.045, "three polls of 15 ms each, measured {seconds}");
    assert_eq!(block_on(m.run_future(async { 5 })), 5);
    assert_eq!(calls(&obs, "slow", "ok"), 1.0);
}

#[test]
fn a_future_dropped_before_completion_is_cancelled_not_ok() {
    let obs = obs();
    let m = obs.monitor("abandoned");
    let mut future = Box::pin(m.run_future(Slow {
        n: 5,
        pause: Duration::ZERO,
    }));
    let mut cx = Context::from_waker(Waker::noop());
    assert!(future.as_mut().poll(&mut cx).is_pending());
    assert_eq!(
        sample(
            &obs,
            r#"function_calls_concurrent{function="abandoned",module=""}"#
        ),
        1.0
    );
    drop(future);
    assert_eq!(calls(&obs, "abandoned", "cancelled"), 1.0);
    assert_eq!(calls(&obs, "abandoned", "ok"), 0.0);
    assert_eq!(
        sample(
            &obs,
            r#"function_calls_concurrent{function="abandoned",module=""}"#
        ),
        0.0
    );
    // never polled: nothing started, nothing recorded
    drop(m.run_future(async {}));
    assert_eq!(calls(&obs, "abandoned", "cancelled"), 1.0);
}

#[test]
fn guards_by_hand() {
    let obs = obs();
    let m = obs.monitor("manual");
    m.start().finish(Outcome::Error);
    drop(m.start());
    assert_eq!(calls(&obs, "manual", "error"), 1.0);
    assert_eq!(calls(&obs, "manual", "cancelled"), 1.0);
}

#[test]
fn failures_can_also_log_and_alert() {
    let obs = Observability::builder()
        .service("shop", "1")
        .report_monitor_failures(true)
        .build()
        .unwrap();
    let m = obs.monitor("charge");
    for _ in 0..3 {
        let _ = m.run_result(|| Err::<(), _>("declined"));
    }
    m.run(|| ());
    let errors = obs.logs().by_level(observa::LogLevel::Error).unwrap();
    assert_eq!(errors.len(), 3);
    assert_eq!(errors[0].fields()["function"], "charge");
    let active = obs.alerts().active().unwrap();
    assert_eq!(active.len(), 1, "one alert per failing function, de-duplicated");
    assert_eq!(active[0].title(), "charge is failing");
    // off by default
    let quiet = obs_quiet_failure();
    assert!(quiet.logs().recent(10).unwrap().is_empty());
}

fn obs_quiet_failure() -> Observability {
    let obs = obs();
    let _ = obs.monitor("charge").run_result(|| Err::<(), _>("declined"));
    obs
}
