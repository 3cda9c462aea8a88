//! The benchmark (`bench/run.sh`, which builds first): what a user feels
//! and what a host pays, beside the floor, in one run. The release app and
//! a hand-written floor page (`bench/floor/`) are served by the reference
//! server on a loopback port and driven in headless Chromium; every time is
//! the median of many runs, and also a ratio to the floor's. Prints a table
//! with PASS/FAIL for each budget, writes `bench/results.json`, and exits
//! non-zero when a budget fails.

#[cfg(not(target_arch = "wasm32"))]
mod benchmark;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    benchmark::main()
}

/// The benchmark drives a browser from the host; there is nothing to run
/// inside one.
#[cfg(target_arch = "wasm32")]
fn main() {}
