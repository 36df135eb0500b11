#!/bin/sh
# Run every test: first install what they use, then formatting and lint checks, the unit and
# integration tests (as root: they make real namespaces, mounts and containers), the size
# budget, and one short benchmark run so the harness cannot rot.
set -eu
cd "$(dirname "$0")/.."
sh tests/install-deps.sh
# pip may put just where this shell does not look yet.
PATH="$PATH:$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')"

cargo fmt --check
cargo clippy --all-targets -- -D warnings
cargo test --release --no-fail-fast
# A short run of each fuzz target from the committed corpus (`just fuzz` runs longer).
sh fuzz/run.sh 5
sh tests/emulated.sh
sh bench/size-check.sh
just bench --quick
