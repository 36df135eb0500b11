#!/bin/sh
# Make a busybox root filesystem in DIR (default target/rootfs): busybox-static and its
# applet links, the usual top-level directories, and nothing else.
# Usage: image/busybox-rootfs.sh [DIR]
set -eu
dir=${1:-target/rootfs}
busybox=/bin/busybox
# Debian's busybox-static puts a static busybox at /bin/busybox (the plain busybox package
# would put a dynamic one there, useless in a rootfs without libc).
sh "$(dirname "$0")/../tests/install-deps.sh" busybox-static
rm -rf "$dir"
mkdir -p "$dir"
for d in bin sbin usr/bin usr/sbin proc sys dev tmp etc root; do
    mkdir -p "$dir/$d"
done
cp "$busybox" "$dir/bin/busybox"
chroot "$dir" /bin/busybox --install -s
echo "root:x:0:0:root:/root:/bin/sh" >"$dir/etc/passwd"
echo "root:x:0:" >"$dir/etc/group"
