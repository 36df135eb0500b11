#!/bin/sh
# The binary's size, for each build and architecture: the stripped release binary against
# its goal, and against a ceiling that CI enforces.
#
# Two builds: the full one (every job, `cargo build --release`) and the supervisor build
# (`--no-default-features`: every personality and supervisor option, no launcher, limits or
# boot mode). The full build must come under 72 KiB, and its goal is to be smaller than
# every musl build of the programs it replaces (catatonit's 59,064 B). Until it is under 72 KiB
# its ceiling is today's size with a little room, lowered as the binary shrinks, so that CI
# fails when a change makes the binary grow. The supervisor build's ceiling is what it must
# stay under (24 KiB); its goal is 16 KiB. Never raise a ceiling to pass.
# Usage: bench/size-check.sh [FULL_CEILING_BYTES]      (default below)
set -eu
cd "$(dirname "$0")/.."
full_goal=59063
full_ceiling=${1:-82944}   # 81 KiB: the full build at the time (81,936 B x86_64, 81,088 aarch64), and a little room
supervisor_goal=16384
supervisor_ceiling=24576
status=0
copy=$(mktemp)
trap 'rm -f "$copy"' EXIT

# check NAME BINARY GOAL CEILING [report]: with `report`, a ceiling that is not met yet is
# said (NOT MET) without failing the check; that is the supervisor build's 24 KiB today
# (it was first measured at 40.9 KB), until it is met, from when on it is enforced like the
# full build's. No ceiling is ever raised to pass.
check() {
    # The release profile already strips; strip a copy anyway so the check measures what it
    # says (where the host's binutils do not know the architecture, the profile's strip stands).
    cp "$2" "$copy"
    if command -v strip >/dev/null 2>&1; then
        strip --strip-all "$copy" 2>/dev/null || true
    fi
    size=$(wc -c <"$copy" | tr -d ' ')
    if [ "$size" -le "$3" ]; then
        verdict="goal met, $(($3 - size)) under it"
    else
        verdict="goal ($3) missed by $((size - $3))"
    fi
    if [ "$size" -gt "$4" ] && [ "${5:-}" = report ]; then
        echo "size-check: NOT MET: $1: stripped is $size bytes, $((size - $4)) over the $4-byte ceiling it must reach; $verdict" >&2
    elif [ "$size" -gt "$4" ]; then
        echo "size-check: FAIL: $1: stripped is $size bytes, $((size - $4)) over the $4-byte ceiling; $verdict" >&2
        status=1
    else
        echo "size-check: ok: $1: stripped is $size bytes (ceiling $4); $verdict"
    fi
}

for target in x86_64-unknown-linux-musl aarch64-unknown-linux-musl; do
    rustup target add "$target" >/dev/null 2>&1 || true
    cargo build --release --quiet --target "$target"
    check "$target boxinit" "target/$target/release/boxinit" $full_goal "$full_ceiling"
    cargo build --release --quiet --target "$target" --no-default-features --target-dir target/supervisor
    check "$target boxinit-supervisor" "target/supervisor/$target/release/boxinit" \
        $supervisor_goal $supervisor_ceiling report
done
exit $status
