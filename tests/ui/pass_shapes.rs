//! The documented shapes of `monitored!`, as a user writes them.
use std::fmt::Debug;
use std::future::Future;

observa::monitored! {
    /// Documented, attributed, generic, with a `where` clause.
    #[inline]
    pub(crate) fn pair<T: Clone>(value: T) -> (T, T) where T: Debug {
        (value.clone(), value)
    }

    fn takes_impl(items: impl IntoIterator<Item = u32>) -> u32 {
        items.into_iter().sum()
    }

    unsafe fn read(pointer: *const u32) -> u32 {
        *pointer
    }

    async unsafe fn read_later(pointer: *const u32) -> u32 {
        *pointer
    }

    fn future() -> impl Future<Output = Result<u8, String>> + Send {
        async { Ok(1) }
    }

    fn future_std() -> impl std::future::Future<Output = u8> {
        async { 2 }
    }

    fn evens(limit: u32) -> impl Iterator<Item = u32> {
        (0..limit).filter(|n| n % 2 == 0)
    }
}

struct Parser<'a> {
    input: &'a str,
    position: usize,
}

observa::monitored! {
    impl<'a> Parser<'a> {
        const START: usize = 0;

        fn new(input: &'a str) -> Self {
            Parser { input, position: Self::START }
        }

        fn rest(&self) -> &'a str {
            &self.input[self.position..]
        }

        fn position_mut(&mut self) -> &mut usize {
            &mut self.position
        }

        fn boxed(self: Box<Self>) -> usize {
            self.position
        }

        fn into_input(self) -> &'a str {
            self.input
        }

        async fn advance(&mut self, n: usize) -> &mut Self {
            self.position += n;
            self
        }
    }

    impl Iterator for Parser<'_> {
        type Item = char;

        fn next(&mut self) -> Option<char> {
            let c = self.rest().chars().next()?;
            self.position += c.len_utf8();
            Some(c)
        }
    }

    impl Debug for Parser<'_> {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.input)
        }
    }
}

fn main() {
    let mut parser = Parser::new("abc");
    *parser.position_mut() += 1;
    assert_eq!(parser.rest(), "bc");
    assert_eq!(format!("{parser:?}"), "abc");
    assert_eq!(Box::new(parser).boxed(), 1);
    assert_eq!(pair(1), (1, 1));
    assert_eq!(takes_impl([1, 2]), 3);
    assert_eq!(unsafe { read(&5) }, 5);
    let _ = unsafe { read_later(&5) };
    let _ = future();
    let _ = future_std();
    let mut parser = Parser::new("xyz");
    assert_eq!(parser.next(), Some('x'));
    let _ = parser.advance(1);
    assert_eq!(parser.into_input(), "xyz");
    assert_eq!(evens(4).count(), 2);
}
