//! The layout tables (ARCHITECTURE.md's and docs/HACKING.md's) match the source tree: each
//! names every file and folder of src/, and every path they name is there. A module added,
//! moved or removed without its line fails here.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

const TABLES: [&str; 2] = ["ARCHITECTURE.md", "docs/HACKING.md"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// src/'s entries as the tables write them: `src/NAME.rs` for a file, `src/NAME/` for a folder.
fn source_entries() -> BTreeSet<String> {
    let mut entries = BTreeSet::new();
    for entry in fs::read_dir(root().join("src")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if path.is_dir() {
            entries.insert(format!("src/{name}/"));
        } else if name.ends_with(".rs") {
            entries.insert(format!("src/{name}"));
        }
    }
    entries
}

/// The paths under src/ that `text` names in code spans (`src/...`).
fn named_paths(text: &str) -> BTreeSet<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|span| span.starts_with("src/"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn each_table_names_every_file_and_folder_of_src() {
    for table in TABLES {
        let named = named_paths(&fs::read_to_string(root().join(table)).unwrap());
        let missing: Vec<_> = source_entries().difference(&named).cloned().collect();
        assert!(missing.is_empty(), "{table} does not name {missing:?}");
    }
}

#[test]
fn every_source_path_a_table_names_is_there() {
    for table in TABLES {
        let named = named_paths(&fs::read_to_string(root().join(table)).unwrap());
        let gone: Vec<_> = named
            .iter()
            .filter(|path| !Path::new(&root().join(path)).exists())
            .collect();
        assert!(gone.is_empty(), "{table} names {gone:?}, not in the tree");
    }
}
