//! The `monitored!` macro: `fn` items (and `impl` blocks) monitored through
//! the installed global container, written with `macro_rules!` only.
//!
//! How it works: the signature is split by token munchers (`__monitored_sig`,
//! `__monitored_ret`, `__monitored_where`), then `__monitored_emit` writes the
//! function back unchanged with a new body. A synchronous body runs in a
//! `move` closure forced to `FnOnce` (so `return` and `?` classify the value,
//! and a borrow of `self` can be returned); an `async fn` body runs in an
//! `async move` block; a fn returning `impl Future` has its future wrapped in
//! [`Monitored`](crate::monitor::Monitored). Every path in the expansion is
//! absolute, so it compiles under `#![no_implicit_prelude]`.

/// Wraps `fn` items so every call is monitored, like an attribute but
/// without a proc macro.
///
/// Calls record into the global container ([`install_global`](crate::install_global))
/// as `function_calls_total{function, module, result}`, the duration
/// histogram and the in-flight gauge (see the [`monitor`](mod@crate::monitor) module). Each
/// function resolves its handles once and caches them in a `static`; before
/// a container is installed, calls run unmeasured.
///
/// # Accepted shapes
///
/// - `fn`, `async fn`, `unsafe fn`, `async unsafe fn`, with attributes, doc
///   comments and any visibility;
/// - generics, lifetimes, `where` clauses, `impl Trait` arguments;
/// - methods with any receiver (`self`, `&self`, `&mut self`, `self: Box<Self>`)
///   and any return type, borrows included (`&mut self -> &mut T`);
/// - results: a `Result` counts `Err` as `error`, anything else is `ok`; a
///   panic counts as `panic` and is resumed;
/// - `-> impl Future<Output = ..>` (also spelled `impl core::future::Future`
///   or `impl std::future::Future`): the returned future is wrapped and the
///   call is counted when it completes (`Output = Result` by `is_err`),
///   `cancelled` if it is dropped first; an `async fn` is counted the same way;
/// - `impl Type { .. }` and `impl Trait for Type { .. }` blocks: every `fn`
///   inside is monitored and labelled `function="Type::name"`, so `new` of two
///   types are two series; associated `type` and `const` items pass through.
///   The label is `Type`'s name without module path or generic arguments
///   (`impl<T> Wrapper<T>` gives `Wrapper::new` for every `T`);
/// - the expansion names everything by absolute path, so it works in a module
///   with `#![no_implicit_prelude]`.
///
/// # What it refuses or cannot see
///
/// - `const fn` is refused with a compile error: a const fn may run at
///   compile time, where nothing can be recorded, and the recording itself
///   (clock, atomics, the global container) is not const. Write a non-const
///   wrapper that calls the const fn and monitor that.
/// - `extern` fns and other items are refused with a compile error.
/// - A plain `fn` wrapped inside an `impl` block (`impl Cart { monitored! {
///   fn total(&self) .. } }`) cannot see its type and is labelled with its name
///   alone (`function="total"`); wrap the whole block (`monitored! { impl Cart
///   { .. } }`) to get `Cart::total`. The same holds in a trait's default
///   methods, whose `Self` differs by implementor.
/// - In a blanket impl (`impl<T: Bound> Trait for T`) a `static` is shared by
///   every `T`, so the label takes the name of the first type that calls; wrap
///   the methods with the plain `fn` form there.
/// - `impl Trait` returns other than `Future` are counted when the value is
///   returned (an iterator is counted when created, not when drained), and so
///   is a boxed future (`Pin<Box<dyn Future ..>>`): return `impl Future` or
///   write an `async fn` to count it on completion.
/// - A synchronous body runs in a closure, so `#[track_caller]` on the fn does
///   not reach code in its body (`Location::caller()` there names the body).
/// - An `impl` head with a brace-delimited const argument (`Foo<{ N }>`) is not
///   recognised; use a `const` item or the plain `fn` form.
/// - The items of one block are read by recursion: a fn costs about three
///   levels plus one per token of its generics and `where` clause, so one
///   block holds about 40 plain methods before rustc's `recursion_limit` (128
///   by default; rustc names it in the error). Split the block, or raise the
///   limit with `#![recursion_limit = "256"]` in the crate root.
///
/// # Example
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
///
///     /// Reads through a raw pointer: the caller's contract is unchanged.
///     unsafe fn read(pointer: *const u32) -> u32 {
///         *pointer
///     }
/// }
///
/// pub struct Cart(Vec<u64>);
///
/// observa::monitored! {
///     impl Cart {
///         pub fn new() -> Self {
///             Cart(Vec::new())
///         }
///
///         pub fn last_mut(&mut self) -> Option<&mut u64> {
///             self.0.last_mut()
///         }
///     }
/// }
///
/// let obs = observa::Observability::builder().service("shop", "1").build()?;
/// observa::install_global(obs.clone())?;
/// assert_eq!(price(3, 250), Ok(750));
/// assert!(price(0, 250).is_err());
/// assert_eq!(double(1), (1, 1));
/// assert_eq!(unsafe { read(&7) }, 7);
/// let mut cart = Cart::new();
/// assert!(cart.last_mut().is_none());
/// let text = obs.render(Format::Prometheus)?;
/// assert!(text.contains(r#"function_calls_total{function="price",module="rust_out",result="error"} 1"#));
/// assert!(text.contains(r#"function_calls_total{function="Cart::new",module="rust_out",result="ok"} 1"#));
/// # Ok::<(), observa::ObsError>(())
/// ```
///
/// A `const fn` is refused:
///
/// ```compile_fail
/// observa::monitored! {
///     const fn answer() -> u32 { 42 }
/// }
/// ```
#[macro_export]
macro_rules! monitored {
    ($($items:tt)*) => {
        $crate::__monitored_items! { [] $($items)* }
    };
}

/// Dispatches one item at a time; `[Self]` marks items of an `impl` block.
#[doc(hidden)]
#[macro_export]
macro_rules! __monitored_items {
    ([$($ctx:ident)?]) => {};
    ([] $(#[$attr:meta])* impl $($rest:tt)*) => {
        $crate::__monitored_impl! { [$(#[$attr])* impl] $($rest)* }
    };
    ([$($ctx:ident)?] $(#[$attr:meta])* $vis:vis const $(unsafe)? fn $name:ident $($rest:tt)*) => {
        ::core::compile_error!(::core::concat!(
            "monitored! cannot wrap `const fn ", ::core::stringify!($name),
            "`: a const fn may run at compile time, where no call can be recorded. ",
            "Drop `const`, or monitor a non-const fn that calls it."
        ));
    };
    ([Self] $(#[$attr:meta])* $vis:vis const $name:ident : $($rest:tt)*) => {
        $crate::__monitored_pass! { [Self] [$(#[$attr])* $vis const $name :] $($rest)* }
    };
    ([Self] $(#[$attr:meta])* $vis:vis type $($rest:tt)*) => {
        $crate::__monitored_pass! { [Self] [$(#[$attr])* $vis type] $($rest)* }
    };
    ([$($ctx:ident)?] $(#[$attr:meta])* $vis:vis async unsafe fn $name:ident $($rest:tt)*) => {
        $crate::__monitored_sig! { [async $($ctx)?] [$(#[$attr])* $vis async unsafe] $name [] [] $($rest)* }
    };
    ([$($ctx:ident)?] $(#[$attr:meta])* $vis:vis async fn $name:ident $($rest:tt)*) => {
        $crate::__monitored_sig! { [async $($ctx)?] [$(#[$attr])* $vis async] $name [] [] $($rest)* }
    };
    ([$($ctx:ident)?] $(#[$attr:meta])* $vis:vis unsafe fn $name:ident $($rest:tt)*) => {
        $crate::__monitored_sig! { [sync $($ctx)?] [$(#[$attr])* $vis unsafe] $name [] [] $($rest)* }
    };
    ([$($ctx:ident)?] $(#[$attr:meta])* $vis:vis fn $name:ident $($rest:tt)*) => {
        $crate::__monitored_sig! { [sync $($ctx)?] [$(#[$attr])* $vis] $name [] [] $($rest)* }
    };
    ([$($ctx:ident)?] $(#[$attr:meta])* $vis:vis $first:ident $($other:tt)*) => {
        ::core::compile_error!(::core::concat!(
            "monitored! cannot wrap the item starting with `", ::core::stringify!($first),
            "`: it takes `fn`, `async fn`, `unsafe fn` and `async unsafe fn` items, and `impl` ",
            "blocks of them (with their associated `type` and `const` items)."
        ));
    };
    ([$($ctx:ident)?] $($other:tt)*) => {
        ::core::compile_error!(
            "monitored! takes `fn`, `async fn`, `unsafe fn` and `async unsafe fn` items, and `impl` blocks of them."
        );
    };
}

/// Collects an `impl` head until its body, then monitors the body's items.
#[doc(hidden)]
#[macro_export]
macro_rules! __monitored_impl {
    ([$($head:tt)*] { $($items:tt)* } $($more:tt)*) => {
        $($head)* { $crate::__monitored_items! { [Self] $($items)* } }
        $crate::__monitored_items! { [] $($more)* }
    };
    ([$($head:tt)*] $next:tt $($rest:tt)*) => {
        $crate::__monitored_impl! { [$($head)* $next] $($rest)* }
    };
}

/// Passes an associated `type` or `const` item through, up to its `;`.
#[doc(hidden)]
#[macro_export]
macro_rules! __monitored_pass {
    ([$($ctx:ident)?] [$($item:tt)*] ; $($more:tt)*) => {
        $($item)* ;
        $crate::__monitored_items! { [$($ctx)?] $($more)* }
    };
    ([$($ctx:ident)?] [$($item:tt)*] $next:tt $($rest:tt)*) => {
        $crate::__monitored_pass! { [$($ctx)?] [$($item)* $next] $($rest)* }
    };
}

/// Collects generics and arguments until the return type, the `where`
/// clause or the body. `[$($seen)?]` marks that the argument list was passed,
/// so an `->` inside a generic `Fn() -> T` bound is not taken for the return type.
#[doc(hidden)]
#[macro_export]
macro_rules! __monitored_sig {
    ([$k:ident $($ctx:ident)?] [$($head:tt)*] $name:ident [$($sig:tt)*] [$($seen:tt)?] { $($body:tt)* } $($more:tt)*) => {
        $crate::__monitored_emit! { [$k $($ctx)?] [$($head)*] $name [$($sig)*] [()] [] { $($body)* } }
        $crate::__monitored_items! { [$($ctx)?] $($more)* }
    };
    ([$k:ident $($ctx:ident)?] [$($head:tt)*] $name:ident [$($sig:tt)*] [yes] -> impl $($rest:tt)*) => {
        $crate::__monitored_ret! { [$k $($ctx)?] [$($head)*] $name [$($sig)*] [impl] $($rest)* }
    };
    // A named return type is taken whole (one level of recursion, not one per token).
    ([$k:ident $($ctx:ident)?] [$($head:tt)*] $name:ident [$($sig:tt)*] [yes] -> $ret:ty { $($body:tt)* } $($more:tt)*) => {
        $crate::__monitored_emit! { [$k $($ctx)?] [$($head)*] $name [$($sig)*] [$ret] [] { $($body)* } }
        $crate::__monitored_items! { [$($ctx)?] $($more)* }
    };
    ([$k:ident $($ctx:ident)?] [$($head:tt)*] $name:ident [$($sig:tt)*] [yes] -> $ret:ty where $($rest:tt)*) => {
        $crate::__monitored_where! { [$k $($ctx)?] [$($head)*] $name [$($sig)*] [$ret] [] $($rest)* }
    };
    ([$k:ident $($ctx:ident)?] [$($head:tt)*] $name:ident [$($sig:tt)*] [yes] -> $($rest:tt)*) => {
        $crate::__monitored_ret! { [$k $($ctx)?] [$($head)*] $name [$($sig)*] [] $($rest)* }
    };
    ([$k:ident $($ctx:ident)?] [$($head:tt)*] $name:ident [$($sig:tt)*] [$($seen:tt)?] where $($rest:tt)*) => {
        $crate::__monitored_where! { [$k $($ctx)?] [$($head)*] $name [$($sig)*] [()] [] $($rest)* }
    };
    ([$k:ident $($ctx:ident)?] [$($head:tt)*] $name:ident [$($sig:tt)*] [$($seen:tt)?] $f:ident ( $($x:tt)* ) $($rest:tt)*) => {
        $crate::__monitored_sig! { [$k $($ctx)?] [$($head)*] $name [$($sig)* $f ( $($x)* )] [$($seen)?] $($rest)* }
    };
    ([$k:ident $($ctx:ident)?] [$($head:tt)*] $name:ident [$($sig:tt)*] [$($seen:tt)?] ( $($args:tt)* ) $($rest:tt)*) => {
        $crate::__monitored_sig! { [$k $($ctx)?] [$($head)*] $name [$($sig)* ( $($args)* )] [yes] $($rest)* }
    };
    ([$k:ident $($ctx:ident)?] [$($head:tt)*] $name:ident [$($sig:tt)*] [$($seen:tt)?] $next:tt $($rest:tt)*) => {
        $crate::__monitored_sig! { [$k $($ctx)?] [$($head)*] $name [$($sig)* $next] [$($seen)?] $($rest)* }
    };
}

/// Collects the return type until the `where` clause or the body.
#[doc(hidden)]
#[macro_export]
macro_rules! __monitored_ret {
    ([$k:ident $($ctx:ident)?] [$($head:tt)*] $name:ident [$($sig:tt)*] [$($ret:tt)*] { $($body:tt)* } $($more:tt)*) => {
        $crate::__monitored_emit! { [$k $($ctx)?] [$($head)*] $name [$($sig)*] [$($ret)*] [] { $($body)* } }
        $crate::__monitored_items! { [$($ctx)?] $($more)* }
    };
    ([$k:ident $($ctx:ident)?] [$($head:tt)*] $name:ident [$($sig:tt)*] [$($ret:tt)*] where $($rest:tt)*) => {
        $crate::__monitored_where! { [$k $($ctx)?] [$($head)*] $name [$($sig)*] [$($ret)*] [] $($rest)* }
    };
    ([$k:ident $($ctx:ident)?] [$($head:tt)*] $name:ident [$($sig:tt)*] [$($ret:tt)*] $next:tt $($rest:tt)*) => {
        $crate::__monitored_ret! { [$k $($ctx)?] [$($head)*] $name [$($sig)*] [$($ret)* $next] $($rest)* }
    };
}

/// Collects the `where` clause until the body.
#[doc(hidden)]
#[macro_export]
macro_rules! __monitored_where {
    ([$k:ident $($ctx:ident)?] [$($head:tt)*] $name:ident [$($sig:tt)*] [$($ret:tt)*] [$($w:tt)*] { $($body:tt)* } $($more:tt)*) => {
        $crate::__monitored_emit! { [$k $($ctx)?] [$($head)*] $name [$($sig)*] [$($ret)*] [$($w)*] { $($body)* } }
        $crate::__monitored_items! { [$($ctx)?] $($more)* }
    };
    ([$k:ident $($ctx:ident)?] [$($head:tt)*] $name:ident [$($sig:tt)*] [$($ret:tt)*] [$($w:tt)*] $next:tt $($rest:tt)*) => {
        $crate::__monitored_where! { [$k $($ctx)?] [$($head)*] $name [$($sig)*] [$($ret)*] [$($w)* $next] $($rest)* }
    };
}

/// Emits the function with its signature unchanged and a monitored body.
#[doc(hidden)]
#[macro_export]
macro_rules! __monitored_emit {
    ([$k:ident $($ctx:ident)?] [$($head:tt)*] $name:ident [$($sig:tt)*] [$($ret:tt)*] [$($w:tt)*] { $($body:tt)* }) => {
        $($head)* fn $name $($sig)* -> $($ret)* where $($w)* {
            $crate::__monitored_body! { [$k $($ctx)?] $name [$($ret)*] { $($body)* } }
        }
    };
}

/// The body by kind and return type. The output is bound with the declared
/// return type before it is classified, so a generic tail (`collect()`,
/// `sum()`) infers as it would without the macro; `impl Trait` returns are
/// bound without a type; `impl Future` returns are wrapped.
#[doc(hidden)]
#[macro_export]
macro_rules! __monitored_body {
    ([sync $($ctx:ident)?] $name:ident [impl $(::)? $(core::future::)? $(std::future::)? $(future::)? Future $($ret:tt)*] { $($body:tt)* }) => {
        $crate::monitor::__monitored_future(
            $crate::__monitored_monitor!($name $($ctx)?),
            $crate::monitor::__call_once(move || { $($body)* }),
            |out| {
                #[allow(unused_imports)]
                use $crate::monitor::{OtherOutcome as _, ResultOutcome as _};
                (&$crate::monitor::Probe(out)).outcome()
            },
        )
    };
    ([sync $($ctx:ident)?] $name:ident [impl $($ret:tt)*] { $($body:tt)* }) => {
        $crate::__monitored_body! { [sync $($ctx)?] $name [_] { $($body)* } }
    };
    ([sync $($ctx:ident)?] $name:ident [$($ret:tt)*] { $($body:tt)* }) => {
        $crate::monitor::__run_call::<$($ret)*>(
            $crate::__monitored_monitor!($name $($ctx)?),
            move || { $($body)* },
            |out| {
                #[allow(unused_imports)]
                use $crate::monitor::{OtherOutcome as _, ResultOutcome as _};
                (&$crate::monitor::Probe(out)).outcome()
            },
        )
    };
    ([async $($ctx:ident)?] $name:ident [impl $($ret:tt)*] { $($body:tt)* }) => {
        $crate::__monitored_body! { [async $($ctx)?] $name [_] { $($body)* } }
    };
    ([async $($ctx:ident)?] $name:ident [$($ret:tt)*] { $($body:tt)* }) => {{
        let __observa_call = ::core::option::Option::map(
            $crate::__monitored_monitor!($name $($ctx)?),
            $crate::monitor::Monitor::start,
        );
        let __observa_out: $($ret)* =
            $crate::monitor::__poll_in(&__observa_call, async move { $($body)* }).await;
        $crate::__monitored_finish!(__observa_call, __observa_out)
    }};
}

/// The function's monitor: a `static` [`LazyMonitor`](crate::LazyMonitor),
/// labelled with `Self`'s name inside an `impl` block.
#[doc(hidden)]
#[macro_export]
macro_rules! __monitored_monitor {
    ($name:ident) => {{
        static __OBSERVA_MONITOR: $crate::LazyMonitor =
            $crate::LazyMonitor::new(::core::module_path!(), ::core::stringify!($name));
        __OBSERVA_MONITOR.get()
    }};
    ($name:ident Self) => {{
        static __OBSERVA_MONITOR: $crate::LazyMonitor =
            $crate::LazyMonitor::new(::core::module_path!(), ::core::stringify!($name));
        __OBSERVA_MONITOR.get_for::<Self>()
    }};
}

#[doc(hidden)]
#[macro_export]
macro_rules! __monitored_finish {
    ($call:ident, $out:ident) => {{
        if let ::core::option::Option::Some(call) = $call {
            #[allow(unused_imports)]
            use $crate::monitor::{OtherOutcome as _, ResultOutcome as _};
            call.finish((&$crate::monitor::Probe(&$out)).outcome());
        }
        $out
    }};
}
