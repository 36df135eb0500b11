#!/bin/sh
# The size budget: build the release binary for each architecture, strip a copy of it and fail
# (exit 1, one line) when one is larger than the budget; print the sizes otherwise. Size is
# deterministic, so CI checks it.
# Usage: bench/size-check.sh [BUDGET_BYTES]      (default 49152 = 48 KiB)
set -eu
cd "$(dirname "$0")/.."
budget=${1:-49152}
status=0
copy=$(mktemp)
trap 'rm -f "$copy"' EXIT
for target in x86_64-unknown-linux-musl aarch64-unknown-linux-musl; do
    rustup target add "$target" >/dev/null 2>&1 || true
    cargo build --release --quiet --target "$target"
    # The release profile already strips; strip a copy anyway so the check measures what it
    # says (where the host's binutils do not know the architecture, the profile's strip stands).
    cp "target/$target/release/boxinit" "$copy"
    if command -v strip >/dev/null 2>&1; then
        strip --strip-all "$copy" 2>/dev/null || true
    fi
    size=$(wc -c <"$copy" | tr -d ' ')
    if [ "$size" -gt "$budget" ]; then
        echo "size-check: FAIL: $target: stripped boxinit is $size bytes, $((size - budget)) over the $budget-byte budget" >&2
        status=1
    else
        echo "size-check: ok: $target: stripped boxinit is $size bytes ($((budget - size)) under the $budget-byte budget)"
    fi
done
exit $status
