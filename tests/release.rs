//! Release claims that must stay true: the declared MSRV covers every normal
//! dependency, and the docs.rs build (nightly, `--cfg docsrs`) works.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
}

/// `major.minor` of a `rust-version` string such as `1.85` or `1.85.0`.
fn minor_version(version: &str) -> (u64, u64) {
    let mut parts = version.split('.').map(|p| p.parse::<u64>().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}

/// Every package reachable from `root` through normal or build dependencies
/// (dev-dependencies excluded), with all features on, on every target platform.
fn runtime_dependencies(metadata: &Value, root: &str) -> Vec<String> {
    let nodes = metadata["resolve"]["nodes"].as_array().expect("resolve nodes");
    let by_id = |id: &str| nodes.iter().find(|n| n["id"] == id).expect("node listed");
    let mut seen = vec![root.to_owned()];
    let mut todo = vec![root.to_owned()];
    while let Some(id) = todo.pop() {
        for dep in by_id(&id)["deps"].as_array().into_iter().flatten() {
            let runtime = dep["dep_kinds"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|k| k["kind"].is_null() || k["kind"] == "build");
            let dep_id = dep["pkg"].as_str().expect("dep id").to_owned();
            if runtime && !seen.contains(&dep_id) {
                seen.push(dep_id.clone());
                todo.push(dep_id);
            }
        }
    }
    seen
}

#[test]
fn declared_msrv_covers_every_normal_dependency() {
    let out = cargo()
        .args(["metadata", "--format-version", "1", "--all-features", "--locked"])
        .current_dir(MANIFEST_DIR)
        .output()
        .expect("cargo metadata runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let metadata: Value = serde_json::from_slice(&out.stdout).expect("metadata is JSON");
    let packages = metadata["packages"].as_array().expect("packages");
    let observa = packages
        .iter()
        .find(|p| p["name"] == "observa")
        .expect("observa listed");
    let msrv = minor_version(
        observa["rust_version"]
            .as_str()
            .expect("observa declares rust-version"),
    );

    let ids = runtime_dependencies(&metadata, observa["id"].as_str().unwrap());
    assert!(
        ids.len() > 10,
        "the walk found the dependency graph ({} packages)",
        ids.len()
    );
    let too_new: Vec<String> = packages
        .iter()
        .filter(|p| ids.iter().any(|id| p["id"] == id.as_str()))
        .filter_map(|p| {
            let declared = p["rust_version"].as_str()?;
            (minor_version(declared) > msrv).then(|| {
                format!(
                    "{} {} needs Rust {declared}",
                    p["name"].as_str().unwrap_or("?"),
                    p["version"].as_str().unwrap_or("?")
                )
            })
        })
        .collect();
    assert!(
        too_new.is_empty(),
        "observa declares rust-version {}.{} but: {too_new:?}",
        msrv.0,
        msrv.1
    );
}

#[test]
fn minor_version_reads_both_spellings() {
    assert_eq!(minor_version("1.85"), (1, 85));
    assert_eq!(minor_version("1.89.0"), (1, 89));
    assert!(minor_version("1.9") < minor_version("1.85"));
}

fn nightly_available() -> bool {
    let found = Command::new("rustup")
        .args(["run", "nightly", "rustc", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "a nightly toolchain is required in CI for the docs.rs build check"
        );
        eprintln!("skipped: no nightly toolchain (rustup toolchain install nightly)");
    }
    found
}

#[test]
fn docs_rs_build_succeeds() {
    if !nightly_available() {
        return;
    }
    // A target directory of its own: the test's own cargo holds the main one.
    let target = Path::new(MANIFEST_DIR).join("target").join("docsrs");
    let out = Command::new("rustup")
        .args([
            "run",
            "nightly",
            "cargo",
            "doc",
            "--no-deps",
            "--all-features",
            "--locked",
        ])
        .arg("--target-dir")
        .arg(&target)
        .env("RUSTDOCFLAGS", "--cfg docsrs -D warnings")
        .env_remove("RUSTC")
        .env_remove("RUSTDOC")
        .env_remove("RUSTFLAGS")
        .current_dir(MANIFEST_DIR)
        .output()
        .expect("nightly cargo doc runs");
    assert!(
        out.status.success(),
        "the docs.rs build fails:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
