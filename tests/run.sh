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
cargo clippy --no-default-features --all-targets -- -D warnings
cargo test --release --no-fail-fast
# The supervisor build is not a second-class one: the supervisor and drop-in fidelity tests run
# against it too (support::boxinit() takes the binary from TEST_BOXINIT_BIN).
cargo build --release --no-default-features --target-dir target/supervisor
cargo test --release --no-default-features --lib --target-dir target/supervisor
TEST_BOXINIT_BIN="$PWD/target/supervisor/x86_64-unknown-linux-musl/release/boxinit" \
    cargo test --release --no-fail-fast \
    --test supervisor_forwards_signals_reaps_and_passes_status \
    --test behaves_as_the_program_it_replaces \
    --test pause_holds_a_pod_and_reaps_its_orphans
# It has no stop delay: of that file, only the test that it refuses the option applies.
TEST_BOXINIT_BIN="$PWD/target/supervisor/x86_64-unknown-linux-musl/release/boxinit" \
    cargo test --release --test stop_delay_holds_term_while_the_command_serves \
    a_build_without_the_stop_delay_refuses_it_in_one_line
# A short run of each fuzz target from the committed corpus (`just fuzz` runs longer).
sh fuzz/run.sh 5
sh tests/emulated.sh
sh bench/size-check.sh
just bench --quick
