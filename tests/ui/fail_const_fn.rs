struct Answer;

observa::monitored! {
    const fn answer() -> u32 {
        42
    }
}

observa::monitored! {
    impl Answer {
        pub const unsafe fn unchecked() -> u32 {
            42
        }
    }
}

fn main() {}
