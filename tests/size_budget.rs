//! The cheap half of the benchmark (bench/run.sh), run with every test: the
//! app's wasm, JS and CSS as browsers download them (the brotli twins that
//! `trunk build --release` writes) must stay under the line, and every
//! one of them must have its precompressed twins. Also what the build's
//! hooks change after Trunk: each file index.html names with an
//! `integrity` hash must still have that hash.
#![cfg(not(target_arch = "wasm32"))]

mod support;

/// The line the download is held at: 256 KiB of brotli for wasm, JS and
/// CSS together (each distinct file once), built as `trunk build
/// --release` builds it (Debian's Rust 1.96 with the standard library
/// rebuilt; see docs/performance.md). A feature pays for its bytes: what
/// it adds must be won back elsewhere before it lands, and its cost goes in
/// the performance guide's table. A build by rustup's stable Rust (no Debian toolchain) is about
/// 15 % larger and fails here, as it should: it is not what ships.
const LINE: u64 = 256 * 1024;

#[test]
fn the_app_downloads_no_more_than_256_kib() {
    let dist = support::site::dist();
    let mut brotli = 0;
    let mut files = Vec::new();
    for asset in support::site::asset_sizes(&dist) {
        let name = &asset.name;
        assert!(
            asset.brotli < asset.raw && asset.gzip < asset.raw,
            "{name}: compressed twins larger than the file"
        );
        brotli += asset.brotli;
        files.push(format!("{name}: {} B brotli", asset.brotli));
    }
    // embed.js counts once (support::site::asset_sizes), as its hashed copy.
    let embed = std::fs::read(dist.join("embed.js")).expect("dist/embed.js");
    assert!(
        std::fs::read_dir(&dist)
            .expect("dist/")
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .filter(|path| {
                let name = path.file_name().unwrap_or_default().to_string_lossy();
                name.starts_with("embed-") && name.ends_with(".js")
            })
            .any(|path| std::fs::read(path).ok() == Some(embed.clone())),
        "no embed-<hash>.js equal to embed.js in {}",
        dist.display()
    );
    assert!(
        files.iter().any(|f| f.contains(".wasm")),
        "no wasm in {}",
        dist.display()
    );
    println!(
        "{}\ntotal {brotli} B brotli; line {LINE} B",
        files.join("\n")
    );
    assert!(
        brotli <= LINE,
        "the app grew to {brotli} B of brotli, over its line of {LINE} B:\n{}",
        files.join("\n")
    );
}

/// scripts/minify.sh rewrites wasm-bindgen's JavaScript and the stylesheet
/// after Trunk hashed them into index.html. A stale hash would make the
/// browser throw the preload away and fetch the file again, and a host that
/// checks integrity would refuse the app.
#[test]
fn every_integrity_hash_in_index_html_matches_its_file() {
    use sha2::{Digest, Sha384};
    let dist = support::site::dist();
    let index = std::fs::read_to_string(dist.join("index.html")).expect("dist/index.html");
    let mut checked = Vec::new();
    for tag in index.split('<').filter(|tag| tag.contains("integrity=\"")) {
        let attribute = |name: &str| {
            let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
            let end = start + tag[start..].find('"')?;
            Some(&tag[start..end])
        };
        let file = attribute("href")
            .or_else(|| attribute("src"))
            .unwrap_or_else(|| panic!("no href or src beside integrity: <{tag}"));
        let bytes = std::fs::read(dist.join(file.trim_start_matches("./")))
            .unwrap_or_else(|error| panic!("{file}, named in index.html: {error}"));
        let actual = format!(
            "sha384-{}",
            data_encoding::BASE64.encode(&Sha384::digest(&bytes))
        );
        assert_eq!(
            attribute("integrity"),
            Some(actual.as_str()),
            "index.html's integrity for {file}"
        );
        checked.push((file.to_owned(), bytes));
    }
    let names: Vec<&str> = checked.iter().map(|(file, _)| file.as_str()).collect();
    let (glue, glue_bytes) = checked
        .iter()
        .find(|(file, _)| file.ends_with(".js") && !file.contains("embed"))
        .unwrap_or_else(|| {
            panic!("index.html names wasm-bindgen's JavaScript with no integrity: {names:?}")
        });
    // wasm-bindgen writes some 2,000 lines; terser, a handful.
    let glue_lines = glue_bytes.split(|&byte| byte == b'\n').count();
    assert!(
        glue_lines < 50,
        "{glue} has {glue_lines} lines: scripts/minify.sh did not minify it"
    );
    assert!(
        names.iter().any(|file| file.ends_with(".css")),
        "index.html names the stylesheet with no integrity: {names:?}"
    );
}
