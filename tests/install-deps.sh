#!/bin/sh
# Install everything the tests and benchmarks use on a fresh Debian 12 machine (as root).
set -eu
packages="busybox-static runc crun podman tini dumb-init catatonit bubblewrap hyperfine strace
cpio file bsdutils util-linux"
missing=""
for p in $packages; do
    dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "install-deps: apt-get install$missing" >&2
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing >/dev/null
fi
rustup target add x86_64-unknown-linux-musl >/dev/null 2>&1 || true
command -v just >/dev/null 2>&1 || pip install -q rust-just 2>/dev/null
