//! `monitored!` compiles for every shape of `fn` item and records through the
//! global container (its own test binary, so the global is not shared).

mod common;

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
}
