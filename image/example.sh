#!/bin/sh
# The Quick start example: build boxinit, make a busybox rootfs, and run a shell in a fresh
# container there: its own hostname, PID 1 and /proc.
set -eu
cd "$(dirname "$0")/.."
# On a fresh machine: the musl target and busybox-static.
sh tests/install-deps.sh busybox-static
cargo build --release -q
sh image/busybox-rootfs.sh target/rootfs
bin=${CARGO_TARGET_DIR:-target}/x86_64-unknown-linux-musl/release/boxinit
exec "$bin" --rootfs target/rootfs --hostname boxed \
    -- sh -c 'echo "hostname: $(hostname)"; echo "my pid: $$"; ps'
