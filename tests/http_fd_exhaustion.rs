//! Running out of file descriptors must not kill the listener: the server
//! refuses while none are free and serves again once they are. Runs in a
//! child process (this test binary re-executed) with a lowered
//! `RLIMIT_NOFILE`, so the exhaustion touches nothing else.
#![cfg(target_os = "linux")]

use std::fs::File;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::Duration;

const CHILD: &str = "OBSERVA_HTTP_FD_EXHAUSTION_CHILD";

#[test]
fn the_listener_survives_descriptor_exhaustion() {
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "exhaust_descriptors_in_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "child failed ({:?}):\n{stdout}\n{stderr}",
        output.status
    );
}

/// The child's side; does nothing unless run by the test above.
#[test]
fn exhaust_descriptors_in_child() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    let obs = observa::Observability::builder()
        .service("exhausted", "1")
        .build()
        .unwrap();
    let server = observa::http::serve(&obs, "127.0.0.1:0").unwrap();
    let addr = server.local_addr();
    assert_eq!(get(addr), Some(200));

    let open = std::fs::read_dir("/proc/self/fd").unwrap().count() as u64;
    let limit = libc::rlimit {
        rlim_cur: open + 32,
        rlim_max: open + 32,
    };
    // SAFETY: setrlimit reads the struct we pass and changes only this process's limit.
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) }, 0);

    let mut hoard = Vec::new();
    while let Ok(file) = File::open("/dev/null") {
        hoard.push(file);
    }
    hoard.pop(); // one free descriptor: for the client socket, none for the server
    let mut pending = TcpStream::connect(addr).expect("the kernel queues the connection");
    pending.write_all(b"GET /livez HTTP/1.0\r\n\r\n").unwrap();
    std::thread::sleep(Duration::from_millis(300)); // the server fails to accept meanwhile

    drop(hoard);
    pending.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut response = String::new();
    let _ = pending.read_to_string(&mut response);
    assert!(
        response.starts_with("HTTP/1.0 200"),
        "the queued request: {response:?}"
    );
    assert_eq!(get(addr), Some(200), "a new connection");
    server.shutdown();
}

fn get(addr: std::net::SocketAddr) -> Option<u16> {
    let mut stream = TcpStream::connect(addr).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    stream.write_all(b"GET /livez HTTP/1.0\r\n\r\n").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    response.split(' ').nth(1)?.parse().ok()
}
