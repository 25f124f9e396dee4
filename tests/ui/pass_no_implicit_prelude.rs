//! Every shape of `monitored!` expands without the prelude in scope.
#![no_implicit_prelude]

mod shapes {
    ::observa::monitored! {
        pub fn plain(a: u32) -> ::core::result::Result<u32, ()> {
            ::core::result::Result::Ok(a)
        }

        pub fn nothing() {}

        pub unsafe fn read(pointer: *const u32) -> u32 {
            *pointer
        }

        pub async fn later(a: u32) -> u32 {
            a
        }

        pub fn future(a: u32) -> impl ::core::future::Future<Output = u32> {
            async move { a }
        }
    }

    pub struct Cart(pub ::std::vec::Vec<u32>);

    ::observa::monitored! {
        impl Cart {
            pub fn new() -> Self {
                Cart(::std::vec::Vec::new())
            }

            pub fn first_mut(&mut self) -> ::core::option::Option<&mut u32> {
                self.0.first_mut()
            }
        }
    }
}

fn main() {
    let mut cart = shapes::Cart::new();
    ::core::assert!(cart.first_mut().is_none());
    ::core::assert_eq!(shapes::plain(1), ::core::result::Result::Ok(1));
    shapes::nothing();
    ::core::assert_eq!(unsafe { shapes::read(&3) }, 3);
    let _ = shapes::later(1);
    let _ = shapes::future(1);
}
