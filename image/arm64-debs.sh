#!/bin/sh
# Fetch what an aarch64 boot under qemu-system-aarch64 needs from Debian's arm64 packages,
# without touching the machine's apt state: a private apt configuration (arm64 only, lists and
# cache under DIR) downloads the kernel and busybox-static, and dpkg-deb unpacks them into
# DIR/root (DIR/root/boot/vmlinuz-*, DIR/root/bin/busybox). Prints the kernel's path.
# Usage: image/arm64-debs.sh [DIR]        (default target/arm64)
set -eu
dir=${1:-target/arm64}
mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" "$dir/root"
dir=$(cd "$dir" && pwd)
existing=$(ls "$dir"/root/boot/vmlinuz-* 2>/dev/null | head -n 1 || true)
if [ -n "$existing" ] && [ -x "$dir/root/bin/busybox" ]; then
    echo "$existing"
    exit 0
fi
apt_cache_private() {
    apt-cache -o APT::Architecture=arm64 -o APT::Architectures=arm64 \
        -o Dir::State::Lists="$dir/lists" -o Dir::Cache="$dir/cache" \
        -o Dir::State::status=/dev/null "$@"
}
apt_private() {
    apt-get -q -o APT::Architecture=arm64 -o APT::Architectures=arm64 \
        -o Dir::State::Lists="$dir/lists" -o Dir::Cache="$dir/cache" \
        -o Dir::State::status=/dev/null "$@"
}
apt_private update >/dev/null
# The metapackage names the versioned image package it depends on.
image=$(apt_cache_private show linux-image-arm64 2>/dev/null |
    sed -n 's/^Depends: \(linux-image-[^ ,]*-arm64\).*/\1/p' | head -n 1)
[ -n "$image" ] || { echo "arm64-kernel: no linux-image-arm64 found" >&2; exit 1; }
# apt downloads as root here (its _apt user cannot write DIR): say nothing about it.
(cd "$dir" && apt_private download "$image:arm64" busybox-static:arm64 >/dev/null 2>&1)
for deb in "$dir"/"$image"_*.deb "$dir"/busybox-static_*.deb; do
    dpkg-deb -x "$deb" "$dir/root"
done
ls "$dir"/root/boot/vmlinuz-* | head -n 1
