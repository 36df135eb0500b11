#!/bin/sh
# Build an initramfs (cpio newc, gzip) with boxinit as /init, the busybox applets, dev/console,
# and the kernel modules a virtio disk with an ext4 root needs (flat in /lib/modules, their
# load order in OUT.modules, which image/boot.sh passes as BOXINIT_MODULES).
# Usage: image/initramfs.sh [OUT]                (default target/initramfs.gz)
# Environment: BOXINIT_BIN, a static boxinit to use instead of building the release binary;
# KERNEL_VERSION, whose modules to take (default: the newest in /boot); CONSOLE=no, no
# dev/console.
set -eu
cd "$(dirname "$0")/.."
out=${1:-target/initramfs.gz}
target=${CARGO_TARGET_DIR:-target}
bin=${BOXINIT_BIN:-}
if [ -z "$bin" ]; then
    cargo build --release -q
    bin=$target/x86_64-unknown-linux-musl/release/boxinit
fi
for tool in cpio gzip; do
    command -v "$tool" >/dev/null || { echo "initramfs: $tool is missing (apt-get install $tool)" >&2; exit 1; }
done

mkdir -p "$(dirname "$out")"
root=$(mktemp -d "$(dirname "$out")/initramfs-root.XXXXXX")
trap 'rm -rf "$root"' EXIT
sh image/busybox-rootfs.sh "$root"
cp "$bin" "$root/init"
mkdir -p "$root/run" "$root/lib/modules"
# Without dev/console the kernel starts /init with no stdin, stdout or stderr (boxinit then
# opens the console itself; CONSOLE=no leaves it out, to test that).
[ "${CONSOLE:-yes}" = no ] || mknod -m 600 "$root/dev/console" c 5 1

# Modules (Debian's kernel has virtio and ext4 as modules), dependencies first.
kver=${KERNEL_VERSION:-$(ls /boot/vmlinuz-* 2>/dev/null | sed 's|.*/vmlinuz-||' | sort -V | tail -n 1)}
if [ -n "$kver" ] && [ -d "/lib/modules/$kver" ]; then
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
