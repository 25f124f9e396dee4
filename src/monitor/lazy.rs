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
        $crate::__monitored_sig! { [async] [$(#[$attr])* $vis] $name [] [] $($rest)* }
    };
    (
        $(#[$attr:meta])*
        $vis:vis fn $name:ident $($rest:tt)*
    ) => {
        $crate::__monitored_sig! { [] [$(#[$attr])* $vis] $name [] [] $($rest)* }
    };
}

/// Collects generics and arguments until the return type, the `where`
/// clause or the body. `[$($seen)?]` marks that the argument list was passed,
/// so an `->` inside a generic `Fn() -> T` bound is not taken for the return type.
#[doc(hidden)]
#[macro_export]
macro_rules! __monitored_sig {
    ([$($a:ident)?] [$($head:tt)*] $name:ident [$($sig:tt)*] [$($seen:tt)?] { $($body:tt)* } $($more:tt)*) => {
        $crate::__monitored_emit! { [$($a)?] [$($head)*] $name [$($sig)*] [()] [] { $($body)* } }
        $crate::monitored! { $($more)* }
    };
    ([$($a:ident)?] [$($head:tt)*] $name:ident [$($sig:tt)*] [yes] -> $($rest:tt)*) => {
        $crate::__monitored_ret! { [$($a)?] [$($head)*] $name [$($sig)*] [] $($rest)* }
    };
    ([$($a:ident)?] [$($head:tt)*] $name:ident [$($sig:tt)*] [$($seen:tt)?] where $($rest:tt)*) => {
        $crate::__monitored_where! { [$($a)?] [$($head)*] $name [$($sig)*] [()] [] $($rest)* }
    };
    ([$($a:ident)?] [$($head:tt)*] $name:ident [$($sig:tt)*] [$($seen:tt)?] $f:ident ( $($x:tt)* ) $($rest:tt)*) => {
        $crate::__monitored_sig! { [$($a)?] [$($head)*] $name [$($sig)* $f ( $($x)* )] [$($seen)?] $($rest)* }
    };
    ([$($a:ident)?] [$($head:tt)*] $name:ident [$($sig:tt)*] [$($seen:tt)?] ( $($args:tt)* ) $($rest:tt)*) => {
        $crate::__monitored_sig! { [$($a)?] [$($head)*] $name [$($sig)* ( $($args)* )] [yes] $($rest)* }
    };
    ([$($a:ident)?] [$($head:tt)*] $name:ident [$($sig:tt)*] [$($seen:tt)?] $next:tt $($rest:tt)*) => {
        $crate::__monitored_sig! { [$($a)?] [$($head)*] $name [$($sig)* $next] [$($seen)?] $($rest)* }
    };
}

/// Collects the return type until the `where` clause or the body.
#[doc(hidden)]
#[macro_export]
macro_rules! __monitored_ret {
    ([$($a:ident)?] [$($head:tt)*] $name:ident [$($sig:tt)*] [$($ret:tt)*] { $($body:tt)* } $($more:tt)*) => {
        $crate::__monitored_emit! { [$($a)?] [$($head)*] $name [$($sig)*] [$($ret)*] [] { $($body)* } }
        $crate::monitored! { $($more)* }
    };
    ([$($a:ident)?] [$($head:tt)*] $name:ident [$($sig:tt)*] [$($ret:tt)*] where $($rest:tt)*) => {
        $crate::__monitored_where! { [$($a)?] [$($head)*] $name [$($sig)*] [$($ret)*] [] $($rest)* }
    };
    ([$($a:ident)?] [$($head:tt)*] $name:ident [$($sig:tt)*] [$($ret:tt)*] $next:tt $($rest:tt)*) => {
        $crate::__monitored_ret! { [$($a)?] [$($head)*] $name [$($sig)*] [$($ret)* $next] $($rest)* }
    };
}

/// Collects the `where` clause until the body.
#[doc(hidden)]
#[macro_export]
macro_rules! __monitored_where {
    ([$($a:ident)?] [$($head:tt)*] $name:ident [$($sig:tt)*] [$($ret:tt)*] [$($w:tt)*] { $($body:tt)* } $($more:tt)*) => {
        $crate::__monitored_emit! { [$($a)?] [$($head)*] $name [$($sig)*] [$($ret)*] [$($w)*] { $($body)* } }
        $crate::monitored! { $($more)* }
    };
    ([$($a:ident)?] [$($head:tt)*] $name:ident [$($sig:tt)*] [$($ret:tt)*] [$($w:tt)*] $next:tt $($rest:tt)*) => {
        $crate::__monitored_where! { [$($a)?] [$($head)*] $name [$($sig)*] [$($ret)*] [$($w)* $next] $($rest)* }
    };
}

/// Emits the function. The output is bound with the declared return type
/// before it is classified, so a generic tail (`collect()`, `sum()`) infers
/// as it would without the macro; `impl Trait` returns are never `Result`s
/// and are bound without a type.
#[doc(hidden)]
#[macro_export]
macro_rules! __monitored_emit {
    ([$($a:ident)?] [$($head:tt)*] $name:ident [$($sig:tt)*] [impl $($ret:tt)*] [$($w:tt)*] { $($body:tt)* }) => {
        $($head)* $($a)? fn $name $($sig)* -> impl $($ret)* where $($w)* {
            $crate::__monitored_body! { [$($a)?] $name [_] { $($body)* } }
        }
    };
    ([$($a:ident)?] [$($head:tt)*] $name:ident [$($sig:tt)*] [$($ret:tt)*] [$($w:tt)*] { $($body:tt)* }) => {
        $($head)* $($a)? fn $name $($sig)* -> $($ret)* where $($w)* {
            $crate::__monitored_body! { [$($a)?] $name [$($ret)*] { $($body)* } }
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __monitored_body {
    ([] $name:ident [$($ret:tt)*] { $($body:tt)* }) => {{
        static __OBSERVA_MONITOR: $crate::monitor::LazyMonitor =
            $crate::monitor::LazyMonitor::new(module_path!(), stringify!($name));
        let __observa_call = __OBSERVA_MONITOR.get().map($crate::monitor::Monitor::start);
        #[allow(clippy::redundant_closure_call)]
        let __observa_out: $($ret)* = (move || { $($body)* })();
        $crate::__monitored_finish!(__observa_call, __observa_out)
    }};
    ([async] $name:ident [$($ret:tt)*] { $($body:tt)* }) => {{
        static __OBSERVA_MONITOR: $crate::monitor::LazyMonitor =
            $crate::monitor::LazyMonitor::new(module_path!(), stringify!($name));
        let __observa_call = __OBSERVA_MONITOR.get().map($crate::monitor::Monitor::start);
        let __observa_out: $($ret)* = async move { $($body)* }.await;
        $crate::__monitored_finish!(__observa_call, __observa_out)
    }};
}

#[doc(hidden)]
#[macro_export]
macro_rules! __monitored_finish {
    ($call:ident, $out:ident) => {{
        if let Some(call) = $call {
            #[allow(unused_imports)]
            use $crate::monitor::{OtherOutcome as _, ResultOutcome as _};
            call.finish((&$crate::monitor::Probe(&$out)).outcome());
        }
        $out
    }};
}
