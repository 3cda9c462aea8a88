//! The cheap half of the benchmark (bench/run.sh), run with every test: the
//! app's wasm, JS and CSS as browsers download them (the brotli twins that
//! `trunk build --release` writes) must stay under the ceiling, and every
//! one of them must have its precompressed twins.
#![cfg(not(target_arch = "wasm32"))]

mod support;

/// The budget the app is held to (issue 8): 120 KB of brotli for wasm, JS
/// and CSS together. The benchmark prints FAIL while the app is above it.
const BUDGET: u64 = 120 * 1024;

/// What the app may not grow past on the way to [`BUDGET`]: the size
/// measured when this check was written (251.0 KB) plus 2 %. Lower it
/// whenever the app shrinks, never raise it.
const CEILING: u64 = 256 * 1024;

#[test]
fn the_app_downloads_no_larger_than_its_ceiling() {
    let dist = support::site::dist();
    let mut brotli = 0;
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&dist).expect("dist/") {
        let path = entry.expect("dist entry").path();
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if ![".wasm", ".js", ".css"]
            .iter()
            .any(|ext| name.ends_with(ext))
        {
            continue;
        }
        let twin = |suffix: &str| {
            let twin = dist.join(format!("{name}{suffix}"));
            std::fs::metadata(&twin)
                .unwrap_or_else(|_| {
                    panic!(
                        "{} is missing: trunk build --release writes it (scripts/precompress.sh)",
                        twin.display()
                    )
                })
                .len()
        };
        let (raw, gzip, br) = (
            std::fs::metadata(&path).expect("size").len(),
            twin(".gz"),
            twin(".br"),
        );
        assert!(
            br < raw && gzip < raw,
            "{name}: compressed twins larger than the file"
        );
        brotli += br;
        files.push(format!("{name}: {br} B brotli"));
    }
    assert!(
        files.iter().any(|f| f.contains(".wasm")),
        "no wasm in {}",
        dist.display()
    );
    println!(
        "{}\ntotal {brotli} B brotli; ceiling {CEILING} B, budget {BUDGET} B",
        files.join("\n")
    );
    assert!(
        brotli <= CEILING,
        "the app grew to {brotli} B of brotli, over its ceiling of {CEILING} B (budget {BUDGET} B):\n{}",
        files.join("\n")
    );
}
