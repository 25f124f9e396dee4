observa::monitored! {
    unsafe fn read(pointer: *const u32) -> u32 {
        *pointer
    }
}

fn main() {
    // a monitored unsafe fn still needs an unsafe block to call
    let _ = read(&1);
}
