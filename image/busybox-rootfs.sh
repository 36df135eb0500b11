#!/bin/sh
# Make a busybox root filesystem in DIR (default target/rootfs): busybox-static and its
# applet links, the usual top-level directories, and nothing else.
# Usage: image/busybox-rootfs.sh [DIR]
# Environment: BUSYBOX, a static busybox of another architecture (aarch64) to use instead of
# the machine's; qemu-user (qemu-aarch64-static) lists its applets.
set -eu
dir=${1:-target/rootfs}
busybox=${BUSYBOX:-/bin/busybox}
# Debian's busybox-static puts a static busybox at /bin/busybox (the plain busybox package
# would put a dynamic one there, useless in a rootfs without libc).
sh "$(dirname "$0")/../tests/install-deps.sh" busybox-static
rm -rf "$dir"
mkdir -p "$dir"
for d in bin sbin usr/bin usr/sbin proc sys dev tmp etc root; do
    mkdir -p "$dir/$d"
done
cp "$busybox" "$dir/bin/busybox"
if [ -z "${BUSYBOX:-}" ]; then
    chroot "$dir" /bin/busybox --install -s
else
    # A foreign busybox runs under qemu-user, outside the root (no binfmt handler needed):
    # it names its applets (bin/sh, usr/bin/awk, ...), the links are made here.
    qemu-aarch64-static "$busybox" --list-full | while read -r applet; do
        [ -e "$dir/$applet" ] || ln -s /bin/busybox "$dir/$applet"
    done
fi
echo "root:x:0:0:root:/root:/bin/sh" >"$dir/etc/passwd"
echo "root:x:0:" >"$dir/etc/group"
