observa::monitored! {
    extern "C" fn callback() {}
}

fn main() {}
