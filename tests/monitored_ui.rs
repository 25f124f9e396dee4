//! `monitored!` at compile time: each documented shape compiles (`tests/ui/pass_*`),
//! and what it refuses fails with a readable message (`tests/ui/fail_*`, with
//! the expected compiler output beside each case; regenerate with
//! `TRYBUILD=overwrite` and read the result).

#[test]
fn monitored_shapes_compile_or_fail_readably() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/pass_*.rs");
    cases.compile_fail("tests/ui/fail_*.rs");
}
