use std::sync::Arc;
use std::time::Duration;

use chrono::TimeZone;
use parking_lot::Mutex;

use super::*;

/// A clock the test moves by hand.
#[derive(Clone)]
struct ManualClock(Arc<Mutex<DateTime<Utc>>>);

impl ManualClock {
    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> ManualClock {
        ManualClock(Arc::new(Mutex::new(
            Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap(),
        )))
    }
    fn advance(&self, by: Duration) {
        *self.0.lock() += chrono::Duration::from_std(by).unwrap();
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock()
    }
}

/// A fresh directory, removed when the test ends.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("observa-rotation-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Every line of the rotated files (oldest first) and then the active file.
fn read_all(file: &RotatingFile) -> Vec<String> {
    let mut paths = file.rotated_files().unwrap();
    paths.push(file.path().to_path_buf());
    paths
        .iter()
        .flat_map(|p| {
            fs::read_to_string(p)
                .unwrap()
                .lines()
                .map(String::from)
                .collect::<Vec<_>>()
        })
        .collect()
}

fn names(file: &RotatingFile) -> Vec<String> {
    file.rotated_files()
        .unwrap()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn no_line_is_lost_or_reordered_across_size_and_time_rotations() {
    let dir = TempDir::new("no-loss");
    let clock = ManualClock::at(2026, 3, 1, 23, 0, 0);
    let policy = RotationPolicy::new()
        .max_bytes(1_000)
        .every(Duration::from_secs(3600));
    let mut file = RotatingFile::open_with_clock(dir.0.join("app.log"), policy, clock.clone()).unwrap();
    const K: usize = 5_000;
    for i in 0..K {
        file.write_line(format!("line {i:05}\n").as_bytes()).unwrap();
        if i % 700 == 0 {
            clock.advance(Duration::from_secs(1_800));
        }
    }
    file.flush().unwrap();
    let rotated = file.rotated_files().unwrap();
    assert!(rotated.len() > 40, "only {} rotations", rotated.len());
    for path in &rotated {
        assert!(fs::metadata(path).unwrap().len() <= 1_000);
    }
    let expected: Vec<String> = (0..K).map(|i| format!("line {i:05}")).collect();
    assert_eq!(read_all(&file), expected);
}

#[test]
fn time_rotation_happens_at_period_boundaries_and_names_say_when() {
    let dir = TempDir::new("time");
    let clock = ManualClock::at(2026, 3, 1, 23, 59, 58);
    let policy = RotationPolicy::new().every(Duration::from_secs(24 * 3600));
    let mut file = RotatingFile::open_with_clock(dir.0.join("app.log"), policy, clock.clone()).unwrap();
    file.write_line(b"before midnight\n").unwrap();
    clock.advance(Duration::from_secs(1));
    file.write_line(b"still before\n").unwrap();
    assert!(names(&file).is_empty());
    clock.advance(Duration::from_secs(2));
    file.write_line(b"after midnight\n").unwrap();
    file.flush().unwrap();
    assert_eq!(names(&file), ["app.000001.20260302T000001Z.log"]);
    assert_eq!(fs::read_to_string(file.path()).unwrap(), "after midnight\n");
}

#[test]
fn an_idle_period_does_not_leave_an_empty_file() {
    let dir = TempDir::new("idle");
    let clock = ManualClock::at(2026, 3, 1, 10, 0, 0);
    let policy = RotationPolicy::new().every(Duration::from_secs(60));
    let mut file = RotatingFile::open_with_clock(dir.0.join("app"), policy, clock.clone()).unwrap();
    clock.advance(Duration::from_secs(600));
    file.write_line(b"first\n").unwrap();
    assert!(names(&file).is_empty());
    clock.advance(Duration::from_secs(60));
    file.write_line(b"second\n").unwrap();
    assert_eq!(names(&file), ["app.000001.20260301T101100Z"]);
}

#[test]
fn a_line_longer_than_the_limit_gets_a_file_of_its_own() {
    let dir = TempDir::new("long");
    let clock = ManualClock::at(2026, 3, 1, 10, 0, 0);
    let mut file =
        RotatingFile::open_with_clock(dir.0.join("a.log"), RotationPolicy::new().max_bytes(10), clock)
            .unwrap();
    for line in ["short\n", "a line far longer than ten bytes\n", "x\n"] {
        file.write_line(line.as_bytes()).unwrap();
    }
    file.flush().unwrap();
    let contents: Vec<String> = file
        .rotated_files()
        .unwrap()
        .iter()
        .map(|p| fs::read_to_string(p).unwrap())
        .collect();
    assert_eq!(contents, ["short\n", "a line far longer than ten bytes\n"]);
    assert_eq!(read_all(&file).last().unwrap(), "x");
}

#[test]
fn keeps_at_most_n_rotated_files_the_newest() {
    let dir = TempDir::new("keep");
    let clock = ManualClock::at(2026, 3, 1, 10, 0, 0);
    let policy = RotationPolicy::new().max_bytes(8).keep_files(3);
    let mut file = RotatingFile::open_with_clock(dir.0.join("app.log"), policy, clock).unwrap();
    for i in 0..20 {
        file.write_line(format!("line {i:02}\n").as_bytes()).unwrap();
    }
    file.flush().unwrap();
    let kept = file.rotated_files().unwrap();
    assert_eq!(kept.len(), 3);
    let contents: Vec<String> = kept.iter().map(|p| fs::read_to_string(p).unwrap()).collect();
    assert_eq!(contents, ["line 16\n", "line 17\n", "line 18\n"]);
}

#[test]
fn deletes_rotated_files_older_than_the_retention_age() {
    let dir = TempDir::new("age");
    let clock = ManualClock::at(2026, 3, 1, 10, 0, 0);
    let policy = RotationPolicy::new()
        .max_bytes(4)
        .max_age(Duration::from_secs(3 * 3600));
    let mut file = RotatingFile::open_with_clock(dir.0.join("app.log"), policy, clock.clone()).unwrap();
    for hour in 0..6 {
        file.write_line(format!("h{hour}\n").as_bytes()).unwrap();
        clock.advance(Duration::from_secs(3600));
    }
    file.write_line(b"now\n").unwrap();
    // Rotations closed at 11:00 .. 16:00; at 16:00 the limit is 13:00.
    let closed: Vec<String> = names(&file).iter().map(|n| n[11..26].to_string()).collect();
    assert_eq!(
        closed,
        [
            "20260301T130000",
            "20260301T140000",
            "20260301T150000",
            "20260301T160000"
        ]
    );
}

#[test]
fn reopening_continues_the_sequence_and_appends() {
    let dir = TempDir::new("reopen");
    let path = dir.0.join("app.log");
    let clock = ManualClock::at(2026, 3, 1, 10, 0, 0);
    let policy = RotationPolicy::new().max_bytes(8);
    {
        let mut file = RotatingFile::open_with_clock(&path, policy.clone(), clock.clone()).unwrap();
        for i in 0..3 {
            file.write_line(format!("one {i}\n").as_bytes()).unwrap();
        }
        file.flush().unwrap();
    }
    let mut file = RotatingFile::open_with_clock(&path, policy, clock).unwrap();
    file.write_line(b"two 0\n").unwrap();
    file.flush().unwrap();
    assert_eq!(read_all(&file), ["one 0", "one 1", "one 2", "two 0"]);
    assert!(names(&file).last().unwrap().starts_with("app.000003."));
}

#[test]
fn files_of_other_names_are_left_alone() {
    let dir = TempDir::new("others");
    for other in [
        "app.old.log",
        "app.000001.notadate.log",
        "other.000001.20260101T000000Z.log",
        "app.1.20260101T000000Z.log",
    ] {
        fs::write(dir.0.join(other), "keep me\n").unwrap();
    }
    let clock = ManualClock::at(2026, 3, 1, 10, 0, 0);
    let policy = RotationPolicy::new()
        .max_bytes(4)
        .keep_files(0)
        .max_age(Duration::from_secs(1));
    let mut file = RotatingFile::open_with_clock(dir.0.join("app.log"), policy, clock).unwrap();
    file.write_line(b"abc\n").unwrap();
    file.write_line(b"def\n").unwrap();
    assert!(names(&file).is_empty());
    assert_eq!(fs::read_dir(&dir.0).unwrap().count(), 5);
}

#[test]
fn a_failed_rotation_keeps_the_line_and_is_counted() {
    let dir = TempDir::new("fail");
    let clock = ManualClock::at(2026, 3, 1, 10, 0, 0);
    let mut file =
        RotatingFile::open_with_clock(dir.0.join("app.log"), RotationPolicy::new().max_bytes(4), clock)
            .unwrap();
    file.write_line(b"one\n").unwrap();
    // Occupy the name the next rotation would take.
    fs::create_dir(dir.0.join("app.000001.20260301T100000Z.log")).unwrap();
    file.write_line(b"two\n").unwrap();
    file.flush().unwrap();
    assert_eq!(file.rotation_errors(), 1);
    assert_eq!(fs::read_to_string(file.path()).unwrap(), "one\ntwo\n");
}

#[test]
fn a_path_without_a_file_name_is_refused() {
    let err = RotatingFile::open("/", RotationPolicy::new()).unwrap_err();
    assert!(
        matches!(
            err.kind(),
            io::ErrorKind::InvalidInput | io::ErrorKind::IsADirectory
        ),
        "{err}"
    );
}
