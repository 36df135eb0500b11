#!/bin/sh
# Build an initramfs (cpio newc, gzip) with boxinit as /init, the busybox applets, dev/console,
# and the kernel modules a virtio disk with an ext4 root needs (flat in /lib/modules, their
# load order in OUT.modules, which image/boot.sh passes as BOXINIT_MODULES).
# Usage: image/initramfs.sh [OUT]      (default target/initramfs.gz; aarch64: target/initramfs-aarch64.gz)
# Environment: ARCH, the architecture (x86_64 or aarch64; default x86_64); BOXINIT_BIN, a
# static boxinit to use instead of building the release binary; KERNEL_VERSION, whose modules
# to take (default: the newest in /boot); CONSOLE=no, no dev/console; INIT=busybox, the
# benchmark's comparison (bench/measure.py): /init is image/busybox-init.sh, a busybox shell
# script doing what boxinit's boot mode does, instead of boxinit (which is then not built).
# aarch64: boxinit is built for aarch64-unknown-linux-musl, busybox is Debian's arm64
# busybox-static (image/arm64-debs.sh fetches it), and no modules go in (only the plain
# initramfs boot, no disk).
set -eu
cd "$(dirname "$0")/.."
arch=${ARCH:-x86_64}
[ "$arch" != arm64 ] || arch=aarch64 # the kernel's and Debian's name for it
case $arch in
x86_64) out=${1:-target/initramfs.gz} ;;
aarch64) out=${1:-target/initramfs-aarch64.gz} ;;
*) echo "initramfs: unknown ARCH $arch (x86_64 or aarch64)" >&2; exit 2 ;;
esac
target=${CARGO_TARGET_DIR:-target}
bin=${BOXINIT_BIN:-}
init=${INIT:-boxinit}
case $init in boxinit | busybox) ;; *) echo "initramfs: unknown INIT $init (boxinit or busybox)" >&2; exit 2 ;; esac
if [ "$init" = busybox ]; then
    bin=image/busybox-init.sh
elif [ -z "$bin" ]; then
    # The target's standard library may be missing on a fresh machine.
    rustup target add "$arch-unknown-linux-musl" >/dev/null 2>&1 || true
    cargo build --release -q --target "$arch-unknown-linux-musl" --bin boxinit
    bin=$target/$arch-unknown-linux-musl/release/boxinit
fi
for tool in cpio gzip; do
    command -v "$tool" >/dev/null || { echo "initramfs: $tool is missing (apt-get install $tool)" >&2; exit 1; }
done

mkdir -p "$(dirname "$out")"
root=$(mktemp -d "$(dirname "$out")/initramfs-root.XXXXXX")
trap 'rm -rf "$root"' EXIT
if [ "$arch" = aarch64 ]; then
    command -v qemu-aarch64-static >/dev/null ||
        { echo "initramfs: qemu-aarch64-static is missing (apt-get install qemu-user-static)" >&2; exit 1; }
    debs=$(dirname "$(dirname "$(sh image/arm64-debs.sh)")")
    BUSYBOX=$debs/bin/busybox sh image/busybox-rootfs.sh "$root"
else
    sh image/busybox-rootfs.sh "$root"
fi
cp "$bin" "$root/init"
chmod 755 "$root/init"
mkdir -p "$root/run" "$root/lib/modules"
# Without dev/console the kernel starts /init with no stdin, stdout or stderr (boxinit then
# opens the console itself; CONSOLE=no leaves it out, to test that).
[ "${CONSOLE:-yes}" = no ] || mknod -m 600 "$root/dev/console" c 5 1

# Modules (Debian's kernel has virtio and ext4 as modules), dependencies first.
kver=${KERNEL_VERSION:-$(ls /boot/vmlinuz-* 2>/dev/null | sed 's|.*/vmlinuz-||' | sort -V | tail -n 1)}
if [ "$arch" = x86_64 ] && [ -n "$kver" ] && [ -d "/lib/modules/$kver" ]; then
    order=""
    for module in virtio_pci virtio_blk crc32c_generic ext4; do
        for file in $(modprobe -S "$kver" --show-depends "$module" | awk '$1 == "insmod" { print $2 }'); do
            name=$(basename "$file" .ko)
            # Needs SSE4.2, which QEMU's TCG CPU lacks; crc32c_generic does the same job.
            [ "$name" = crc32c-intel ] && continue
            case ",$order," in *",$name,"*) continue ;; esac
            cp "$file" "$root/lib/modules/$name.ko"
            order="${order:+$order,}$name"
        done
    done
    echo "$order" >"$out.modules"
fi

(cd "$root" && find . | cpio --quiet -o -H newc -R 0:0) | gzip -6 >"$out.tmp"
mv "$out.tmp" "$out"
echo "initramfs: $out ($(wc -c <"$out" | tr -d ' ') bytes)"
