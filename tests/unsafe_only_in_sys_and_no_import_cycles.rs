//! The shape of the source itself: no module imports one that imports it back (directly or
//! around a circle), no test or fuzz target includes source files by path (they use the
//! library), and `unsafe` appears only in the kernel interface, src/sys/.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() && !path.ends_with("target") {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

fn files_under(dir: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    rust_files(&root().join(dir), &mut found);
    found
}

#[test]
fn no_module_imports_one_that_imports_it() {
    let script = root().join("tests/support/import_cycles.py");
    let out = Command::new("python3").arg(&script).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn tests_and_fuzz_targets_use_the_library_not_source_paths() {
    for file in files_under("tests").into_iter().chain(files_under("fuzz")) {
        let text = fs::read_to_string(&file).unwrap();
        let included = text.lines().any(|l| l.trim_start().starts_with("#[path"));
        assert!(
            !included,
            "{} includes a source file by path",
            file.display()
        );
    }
}

#[test]
fn unsafe_code_lives_only_in_the_kernel_interface() {
    let sys = root().join("src/sys");
    for file in files_under("src") {
        let text = fs::read_to_string(&file).unwrap();
        let code: Vec<&str> = text
            .lines()
            .map(|l| l.split("//").next().unwrap())
            .collect();
        let unsafe_used = code.iter().any(|l| {
            l.contains("unsafe ") || l.contains("unsafe{") || l.contains("allow(unsafe_code)")
        });
        if file.starts_with(&sys) {
            continue;
        }
        assert!(!unsafe_used, "{} has unsafe code", file.display());
    }
    // The crate and the binary deny it, so the compiler keeps this true between runs.
    for file in ["src/lib.rs", "src/main.rs"] {
        let text = fs::read_to_string(root().join(file)).unwrap();
        assert!(text.contains("#![deny(unsafe_code)]"), "{file}");
    }
}
