#!/bin/sh
# Install what boxinit's scripts need on a fresh Debian 12 machine (as root): the musl target
# every build needs, then the Debian packages given as arguments, or with none, everything the
# tests and benchmarks use (and `just`). Every entry point that builds or needs a package
# calls this, so each works first on a fresh machine, in any order.
# Usage: tests/install-deps.sh [PACKAGE...]
set -eu
all="busybox-static runc crun podman tini dumb-init catatonit bubblewrap hyperfine strace
cpio file util-linux containerd uidmap e2fsprogs musl-tools qemu-system-x86
linux-image-amd64 qemu-user-static qemu-system-arm iproute2 python3-matplotlib
python3-jinja2 python3-psutil mandoc groff man-db"
packages=${*:-$all}
# rustup does not add rust-toolchain.toml's targets to a toolchain that is already installed,
# and without the target cargo fails with "can't find crate for core".
if ! rustup target list --installed 2>/dev/null | grep -qx x86_64-unknown-linux-musl; then
    echo "install-deps: rustup target add x86_64-unknown-linux-musl" >&2
    rustup target add x86_64-unknown-linux-musl >/dev/null
fi
missing=""
for p in $packages; do
    dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "install-deps: apt-get install$missing" >&2
    apt-get update -q >/dev/null
    # Machines of this kind ship qemu-utils from backports, which breaks Debian 12's
    # qemu-system-common; nothing here uses qemu-img, so it goes (the trailing - removes it).
    remove=""
    if dpkg -s qemu-utils 2>/dev/null | grep -q '^Version: .*bpo'; then remove="qemu-utils-"; fi
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing $remove >/dev/null
fi
if [ $# -eq 0 ]; then
    command -v just >/dev/null 2>&1 || pip install -q rust-just 2>/dev/null
fi
