//! `monitored!` compiles for every shape of `fn` item and records through the
//! global container (its own test binary, so the global is not shared).

mod common;

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use common::block_on;
use observa::metrics::Format;
use observa::Observability;

#[derive(Debug, PartialEq)]
pub struct PriceError;

observa::monitored! {
    /// Public, returns a Result, early `return` and `?` inside.
    pub fn price(quantity: u32) -> Result<u32, PriceError> {
        if quantity == 0 {
            return Err(PriceError);
        }
        let unit: u32 = "250".parse().map_err(|_| PriceError)?;
        Ok(quantity * unit)
    }

    fn plain(a: u64, b: u64) -> u64 {
        a + b
    }

    fn no_return_type() {
        std::hint::black_box(1);
    }

    pub(crate) fn generic<T: Clone>(value: T) -> (T, T) {
        (value.clone(), value)
    }

    fn with_where<T, U>(t: T, u: U) -> String
    where
        T: std::fmt::Display,
        U: std::fmt::Debug,
    {
        format!("{t}{u:?}")
    }

    fn borrowing<'a>(items: &'a [u32]) -> Option<&'a u32> {
        items.first()
    }

    pub async fn fetch(id: u32) -> Result<String, PriceError> {
        if id == 0 {
            return Err(PriceError);
        }
        Ok(format!("user-{id}"))
    }

    async fn generic_async<T: Send>(value: T) -> T {
        value
    }

    async fn collected(n: u32) -> Vec<u32> {
        (0..n).collect()
    }

    fn apply<F: Fn(u32) -> u32>(f: F) -> u32 {
        f(20)
    }

    fn evens(limit: u32) -> impl Iterator<Item = u32> {
        (0..limit).filter(|n| n % 2 == 0)
    }
}

struct Cart(Vec<u32>);

impl Cart {
    observa::monitored! {
        fn total(&self) -> u32 {
            self.0.iter().sum()
        }

        fn checkout(self) -> Result<u32, PriceError> {
            price(self.0.len() as u32)
        }
    }
}

/// Pending on its first poll, ready on the second.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if std::mem::replace(&mut self.0, true) {
            Poll::Ready(())
        } else {
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

observa::monitored! {
    /// Counted when the future completes, not when it is created.
    fn later(fail: bool) -> impl Future<Output = Result<u32, PriceError>> {
        async move {
            YieldOnce(false).await;
            if fail { Err(PriceError) } else { Ok(1) }
        }
    }

    fn later_spelled(n: u32) -> impl ::core::future::Future<Output = u32> + Send + 'static {
        async move { n }
    }

    /// The caller still needs `unsafe`; the body stays an unsafe context.
    unsafe fn read(pointer: *const u32) -> u32 {
        *pointer
    }

    async unsafe fn read_later(pointer: *const u32) -> u32 {
        *pointer
    }
}

pub struct Stock<'a, T> {
    items: Vec<T>,
    name: &'a str,
}

pub struct Basket;

observa::monitored! {
    impl<'a, T: Clone> Stock<'a, T>
    where
        T: PartialEq,
    {
        pub fn new(name: &'a str) -> Self {
            Stock { items: Vec::new(), name }
        }

        fn first_mut(&mut self) -> Option<&mut T> {
            self.items.first_mut()
        }

        fn push(&mut self, item: T) -> &mut Self {
            self.items.push(item);
            self
        }

        fn name(&self) -> &'a str {
            self.name
        }

        fn find<'b>(&'b self, wanted: &T) -> Option<&'b T> where T: 'b {
            self.items.iter().find(|item| *item == wanted)
        }

        async fn last_mut(&mut self) -> Option<&mut T> {
            self.items.last_mut()
        }
    }

    impl Basket {
        const CAPACITY: usize = 3;

        pub fn new() -> Self {
            Basket
        }
    }

    impl Iterator for Basket {
        type Item = usize;

        fn next(&mut self) -> Option<usize> {
            Some(Self::CAPACITY)
        }
    }
}

fn value(text: &str, function: &str, result: &str) -> f64 {
    let prefix = format!(
        r#"function_calls_total{{function="{function}",module="monitored_macro",result="{result}"}} "#
    );
    let line = text
        .lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no {prefix} in\n{text}"));
    line[prefix.len()..].parse().unwrap()
}

#[test]
fn every_shape_compiles_runs_and_records() {
    // before a container is installed, calls run unmeasured
    assert_eq!(plain(1, 1), 2);

    let obs = Observability::builder().service("shop", "1").build().unwrap();
    observa::install_global(obs.clone()).unwrap();

    assert_eq!(price(2), Ok(500));
    assert_eq!(price(0), Err(PriceError));
    assert_eq!(plain(2, 3), 5);
    no_return_type();
    assert_eq!(generic("x"), ("x", "x"));
    assert_eq!(with_where(1, "a"), "1\"a\"");
    assert_eq!(borrowing(&[7, 8]), Some(&7));
    assert_eq!(block_on(fetch(3)), Ok("user-3".into()));
    assert_eq!(block_on(fetch(0)), Err(PriceError));
    assert_eq!(block_on(generic_async(9u8)), 9);
    assert_eq!(block_on(collected(3)), vec![0, 1, 2]);
    assert_eq!(apply(|x| x + 1), 21);
    assert_eq!(evens(5).count(), 3);
    let cart = Cart(vec![1, 2]);
    assert_eq!(cart.total(), 3);
    assert_eq!(cart.checkout(), Ok(500));

    let text = obs.render(Format::Prometheus).unwrap();
    assert_eq!(
        value(&text, "price", "ok"),
        2.0,
        "one direct call, one through checkout"
    );
    assert_eq!(value(&text, "price", "error"), 1.0);
    assert_eq!(
        value(&text, "plain", "ok"),
        1.0,
        "the call before install is not counted"
    );
    let others = [
        "no_return_type",
        "generic",
        "with_where",
        "borrowing",
        "generic_async",
        "collected",
        "apply",
        "evens",
        "total",
        "checkout",
    ];
    for function in others {
        assert_eq!(value(&text, function, "ok"), 1.0, "{function}");
    }
    assert_eq!(value(&text, "fetch", "ok"), 1.0);
    assert_eq!(value(&text, "fetch", "error"), 1.0);

    future_returning_fns_count_on_completion(&obs);
    unsafe_fns_keep_their_contract(&obs);
    methods_are_labelled_with_their_type(&obs);
}

fn calls(obs: &Observability, function: &str, result: &str) -> f64 {
    let text = obs.render(Format::Prometheus).unwrap();
    let prefix = format!(
        r#"function_calls_total{{function="{function}",module="monitored_macro",result="{result}"}} "#
    );
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .map_or(0.0, |v| v.parse().unwrap())
}

fn future_returning_fns_count_on_completion(obs: &Observability) {
    let ok = later(false);
    let error = later(true);
    assert_eq!(calls(obs, "later", "ok"), 0.0, "not counted when created");
    assert_eq!(block_on(ok), Ok(1));
    assert_eq!(calls(obs, "later", "ok"), 1.0, "counted when completed");
    assert_eq!(block_on(error), Err(PriceError));
    assert_eq!(calls(obs, "later", "error"), 1.0, "an Err output counts as error");

    let mut dropped = Box::pin(later(false));
    let mut cx = Context::from_waker(std::task::Waker::noop());
    assert!(dropped.as_mut().poll(&mut cx).is_pending());
    let in_flight = r#"function_calls_concurrent{function="later",module="monitored_macro"} "#;
    let text = obs.render(Format::Prometheus).unwrap();
    assert!(
        text.contains(&format!("{in_flight}1")),
        "in flight while pending:\n{text}"
    );
    drop(dropped);
    assert_eq!(calls(obs, "later", "cancelled"), 1.0, "dropped while pending");
    let text = obs.render(Format::Prometheus).unwrap();
    assert!(
        text.contains(&format!("{in_flight}0")),
        "none in flight after the drop"
    );

    assert_eq!(block_on(later_spelled(4)), 4);
    assert_eq!(calls(obs, "later_spelled", "ok"), 1.0);
}

fn unsafe_fns_keep_their_contract(obs: &Observability) {
    let n = 11;
    // SAFETY: `n` is alive for both calls.
    assert_eq!(unsafe { read(&n) }, 11);
    assert_eq!(block_on(unsafe { read_later(&n) }), 11);
    assert_eq!(calls(obs, "read", "ok"), 1.0);
    assert_eq!(calls(obs, "read_later", "ok"), 1.0);
}

fn methods_are_labelled_with_their_type(obs: &Observability) {
    let name = String::from("fruit");
    let mut stock = Stock::new(&name);
    stock.push(1).push(2);
    *stock.first_mut().unwrap() = 5;
    assert_eq!(stock.find(&5), Some(&5));
    assert_eq!(block_on(stock.last_mut()), Some(&mut 2));
    assert_eq!(stock.name(), "fruit");
    let _other: Stock<'_, String> = Stock::new(&name);
    let mut basket = Basket::new();
    assert_eq!(basket.next(), Some(3));

    assert_eq!(calls(obs, "Stock::new", "ok"), 2.0, "one series for every T");
    assert_eq!(
        calls(obs, "Basket::new", "ok"),
        1.0,
        "a second type's new is its own series"
    );
    assert_eq!(calls(obs, "new", "ok"), 0.0, "no unlabelled new");
    assert_eq!(calls(obs, "Stock::push", "ok"), 2.0);
    for method in ["first_mut", "find", "last_mut", "name"] {
        assert_eq!(calls(obs, &format!("Stock::{method}"), "ok"), 1.0, "{method}");
    }
    assert_eq!(calls(obs, "Basket::next", "ok"), 1.0, "trait impls too");
}
