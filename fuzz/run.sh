#!/bin/sh
# Run each fuzz target for SECONDS (default 30) from the committed seed corpus (fuzz/corpus);
# new inputs go to fuzz/target/corpus, a crashing input to fuzz/artifacts.
#
# With cargo-fuzz installed (`cargo install cargo-fuzz`) it runs the targets; without it, the
# targets are built here with the same flags (libfuzzer-sys brings libFuzzer itself), so a
# fresh machine needs no ten-minute install. Only a nightly toolchain is needed (for the
# sanitizer); where none can be installed, this says so and skips.
set -eu
cd "$(dirname "$0")"
seconds="${1:-30}"
targets="values options accounts"
host=x86_64-unknown-linux-gnu
if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    rustup toolchain install nightly --profile minimal >/dev/null 2>&1 || {
        echo "fuzz: SKIPPED: no nightly toolchain, and it cannot be installed here" >&2
        exit 0
    }
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz: no cargo-fuzz: building the targets with libfuzzer-sys directly" >&2
    RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares -Cllvm-args=-sanitizer-coverage-stack-depth \
--cfg fuzzing -Zsanitizer=address -Cdebug-assertions -Ccodegen-units=1" \
        cargo +nightly build --release --target "$host" --bins -q
fi
# The option target leaks its argv on purpose (boxinit's argv lives as long as the process):
# no leak detection.
export ASAN_OPTIONS=detect_leaks=0
for target in $targets; do
    mkdir -p "target/corpus/$target" "artifacts/$target"
    echo "fuzz: $target for ${seconds}s" >&2
    log="target/fuzz-$target.log"
    set -- -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="artifacts/$target/" \
        "target/corpus/$target" "corpus/$target"
    if cargo fuzz --version >/dev/null 2>&1; then
        set -- cargo +nightly fuzz run "$target" -- "$@"
    else
        set -- "target/$host/release/$target" "$@"
    fi
    if ! "$@" >"$log" 2>&1; then
        tail -30 "$log" >&2
        echo "fuzz: $target FAILED: see fuzz/$log and fuzz/artifacts/$target" >&2
        exit 1
    fi
    grep -E '^stat::number_of_executed_units' "$log" >&2 || true
done
