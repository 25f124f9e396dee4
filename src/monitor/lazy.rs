//! [`LazyMonitor`] and the `monitored!` macro: `fn` items monitored through
//! the installed global container, with handles cached in a `static`.

use std::sync::OnceLock;

use super::{Monitor, Outcome};

/// A [`Monitor`] resolved on first use from the global container (see
/// [`install_global`](crate::install_global)) and cached; `monitored!` puts
/// one in a `static` per function. Until a global container is installed,
/// [`get`](LazyMonitor::get) returns `None` and calls run unmeasured.
///
/// ```
/// use observa::monitor::LazyMonitor;
///
/// static PARSE: LazyMonitor = LazyMonitor::new(module_path!(), "parse");
/// assert!(PARSE.get().is_none()); // nothing installed in this example
/// ```
#[derive(Debug)]
pub struct LazyMonitor {
    module: &'static str,
    function: &'static str,
    resolved: OnceLock<Monitor>,
}

impl LazyMonitor {
    /// A monitor for `function` in `module`, resolved later.
    pub const fn new(module: &'static str, function: &'static str) -> Self {
        LazyMonitor {
            module,
            function,
            resolved: OnceLock::new(),
        }
    }

    /// The monitor, once a global container is installed.
    #[inline]
    pub fn get(&self) -> Option<&Monitor> {
        if let Some(monitor) = self.resolved.get() {
            return Some(monitor);
        }
        let obs = crate::global()?;
        Some(
            self.resolved
                .get_or_init(|| obs.monitor_in(self.module, self.function)),
        )
    }
}

/// Classifies a return value for `monitored!` without knowing its type in
/// advance: `Result`s by `is_err`, anything else as `ok` (autoref
/// specialisation: the `Result` impl is on `Probe`, the fallback on `&Probe`).
#[doc(hidden)]
pub struct Probe<'a, T>(pub &'a T);

#[doc(hidden)]
pub trait ResultOutcome {
    fn outcome(&self) -> Outcome;
}

impl<T, E> ResultOutcome for Probe<'_, Result<T, E>> {
    #[inline]
    fn outcome(&self) -> Outcome {
        Outcome::of_result(self.0)
    }
}

#[doc(hidden)]
pub trait OtherOutcome {
    fn outcome(&self) -> Outcome;
}

impl<T> OtherOutcome for &Probe<'_, T> {
    #[inline]
    fn outcome(&self) -> Outcome {
        Outcome::Ok
    }
}

/// Wraps `fn` items so every call is monitored, like an attribute but
/// without a proc macro. Works with `pub`, `async`, generics, `where`
/// clauses, methods, and any return type: a `Result` counts `Err` as
/// `error`, anything else is `ok`; a panic counts as `panic` and is resumed.
///
/// Calls record into the global container ([`install_global`](crate::install_global));
/// each function resolves its handles once and caches them in a `static`.
/// Before a container is installed, calls run unmeasured.
///
/// ```
/// use observa::metrics::Format;
///
/// observa::monitored! {
///     /// Prices an order.
///     pub fn price(quantity: u32, unit_cents: u64) -> Result<u64, String> {
///         if quantity == 0 {
///             return Err("empty order".into());
///         }
///         Ok(u64::from(quantity) * unit_cents)
///     }
///
///     fn double<T: Clone>(value: T) -> (T, T) where T: std::fmt::Debug {
///         (value.clone(), value)
///     }
/// }
///
/// let obs = observa::Observability::builder().service("shop", "1").build()?;
/// observa::install_global(obs.clone())?;
/// assert_eq!(price(3, 250), Ok(750));
/// assert!(price(0, 250).is_err());
/// assert_eq!(double(1), (1, 1));
/// let text = obs.render(Format::Prometheus)?;
/// assert!(text.contains(r#"function_calls_total{function="price",module="rust_out",result="error"} 1"#));
/// # Ok::<(), observa::ObsError>(())
/// ```
#[macro_export]
macro_rules! monitored {
    () => {};
    (
        $(#[$attr:meta])*
        $vis:vis async fn $name:ident $($rest:tt)*
    ) => {
        $crate::__monitored_split! { [async] [$(#[$attr])* $vis] $name [] $($rest)* }
    };
    (
        $(#[$attr:meta])*
        $vis:vis fn $name:ident $($rest:tt)*
    ) => {
        $crate::__monitored_split! { [] [$(#[$attr])* $vis] $name [] $($rest)* }
    };
}

/// Moves signature tokens into the accumulator until only the body is left,
/// then emits the function and carries on with the items after it.
#[doc(hidden)]
#[macro_export]
macro_rules! __monitored_split {
    ([$($async:ident)?] [$($head:tt)*] $name:ident [$($sig:tt)*] { $($body:tt)* } $($more:tt)*) => {
        $crate::__monitored_emit! { [$($async)?] [$($head)*] $name [$($sig)*] { $($body)* } }
        $crate::monitored! { $($more)* }
    };
    ([$($async:ident)?] [$($head:tt)*] $name:ident [$($sig:tt)*] $next:tt $($rest:tt)*) => {
        $crate::__monitored_split! { [$($async)?] [$($head)*] $name [$($sig)* $next] $($rest)* }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __monitored_emit {
    ([] [$($head:tt)*] $name:ident [$($sig:tt)*] { $($body:tt)* }) => {
        $($head)* fn $name $($sig)* {
            static __OBSERVA_MONITOR: $crate::monitor::LazyMonitor =
                $crate::monitor::LazyMonitor::new(module_path!(), stringify!($name));
            let __observa_call = __OBSERVA_MONITOR.get().map(|m| m.start());
            #[allow(clippy::redundant_closure_call)]
            let __observa_out = (move || { $($body)* })();
            if let Some(call) = __observa_call {
                #[allow(unused_imports)]
                use $crate::monitor::{OtherOutcome as _, ResultOutcome as _};
                call.finish((&$crate::monitor::Probe(&__observa_out)).outcome());
            }
            __observa_out
        }
    };
    ([async] [$($head:tt)*] $name:ident [$($sig:tt)*] { $($body:tt)* }) => {
        $($head)* async fn $name $($sig)* {
            static __OBSERVA_MONITOR: $crate::monitor::LazyMonitor =
                $crate::monitor::LazyMonitor::new(module_path!(), stringify!($name));
            let __observa_call = __OBSERVA_MONITOR.get().map(|m| m.start());
            let __observa_out = async move { $($body)* }.await;
            if let Some(call) = __observa_call {
                #[allow(unused_imports)]
                use $crate::monitor::{OtherOutcome as _, ResultOutcome as _};
                call.finish((&$crate::monitor::Probe(&__observa_out)).outcome());
            }
            __observa_out
        }
    };
}
