#!/bin/sh
# The size budget: build the release binary, strip a copy of it and fail (exit 1, one line) when
# it is larger than the budget; print its size otherwise. Size is deterministic, so CI checks it.
# Usage: bench/size-check.sh [BUDGET_BYTES]      (default 49152 = 48 KiB)
set -eu
cd "$(dirname "$0")/.."
budget=${1:-49152}
bin=target/x86_64-unknown-linux-musl/release/boxinit

cargo build --release --quiet
# The release profile already strips; strip a copy anyway so the check measures what it says.
copy=$(mktemp)
trap 'rm -f "$copy"' EXIT
cp "$bin" "$copy"
if command -v strip >/dev/null 2>&1; then
    strip --strip-all "$copy"
fi
size=$(wc -c <"$copy" | tr -d ' ')

if [ "$size" -gt "$budget" ]; then
    echo "size-check: FAIL: stripped boxinit is $size bytes, $((size - budget)) over the $budget-byte budget" >&2
    exit 1
fi
echo "size-check: ok: stripped boxinit is $size bytes ($((budget - size)) under the $budget-byte budget)"
