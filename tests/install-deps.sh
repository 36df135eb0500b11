#!/bin/sh
# Install everything the tests and benchmarks use on a fresh Debian 12 machine (as root).
set -eu
packages="busybox-static runc crun podman tini dumb-init catatonit bubblewrap hyperfine strace
cpio file bsdutils util-linux containerd uidmap e2fsprogs musl-tools qemu-system-x86
linux-image-amd64 qemu-user-static qemu-system-arm iproute2 python3-matplotlib"
missing=""
for p in $packages; do
    dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
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
rustup target add x86_64-unknown-linux-musl >/dev/null 2>&1 || true
command -v just >/dev/null 2>&1 || pip install -q rust-just 2>/dev/null
