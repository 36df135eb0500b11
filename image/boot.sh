#!/bin/sh
# Boot the initramfs (image/initramfs.sh) under QEMU, without KVM, print the serial console,
# and exit with the status of the command boxinit ran. What `just boot` runs.
# Usage: image/boot.sh [-- COMMAND [ARG...]]      (no COMMAND: a shell on the serial console)
# Environment:
#   ARCH       the guest architecture: x86_64 (default) or aarch64 (qemu-system-aarch64,
#              -M virt -cpu max, console ttyAMA0)
#   INITRAMFS  the initramfs (default target/initramfs.gz, aarch64 target/initramfs-aarch64.gz;
#              its order of modules in INITRAMFS.modules)
#   KERNEL     the kernel (default the newest Debian kernel in /boot, from linux-image-amd64;
#              aarch64: Debian's arm64 kernel, which image/arm64-debs.sh fetches)
#   APPEND     more kernel command line words, e.g. BOXINIT_HOSTNAME=box BOXINIT_ON_EXIT=reboot
#   DISK       a disk image (ext4, say) attached as a virtio disk: /dev/vda in the guest
#              (a snapshot: what the guest writes is thrown away)
#   MEMORY     guest memory (default 256M)
#   STATUS_FROM=qemu  have boxinit end QEMU through the exit device and exit with QEMU's own
#              status: 2*N+1 (mod 256) for a command's status N (x86_64 only: aarch64's virt
#              machine has no such device)
# The command's words go to the kernel command line after `--`, each in double quotes if it
# has spaces (the kernel knows no other quoting): a word may not hold a double quote.
# Exit status: the command's, from boxinit's `boxinit: exit status N` line on the console;
# without that line, QEMU's own (1 if the guest did not power off).
set -eu
cd "$(dirname "$0")/.."

# Everything that depends on the architecture.
arch=${ARCH:-x86_64}
[ "$arch" != arm64 ] || arch=aarch64 # the kernel's and Debian's name for it
case $arch in
x86_64)
    qemu=qemu-system-x86_64
    machine="-M pc"
    console=ttyS0
    kernel_glob="/boot/vmlinuz-*"
    # isa-debug-exit: boxinit --exit-device writes the status there and QEMU exits 2*N+1.
    exit_device="-device isa-debug-exit,iobase=0xf4,iosize=0x04"
    exit_device_word=BOXINIT_EXIT_DEVICE=1
    default_initramfs=target/initramfs.gz
    modules_for_disk=yes
    ;;
aarch64)
    qemu=qemu-system-aarch64
    # pauth-impdef: TCG's cheap pointer authentication, much faster than the architected one.
    machine="-M virt -cpu max,pauth-impdef=on"
    console=ttyAMA0
    kernel_glob="target/arm64/root/boot/vmlinuz-*"
    [ -n "${KERNEL:-}" ] || sh image/arm64-debs.sh >/dev/null
    default_initramfs=target/initramfs-aarch64.gz
    # No exit device on the virt machine (boxinit's --exit-device does nothing there), and no
    # modules for a virtio disk in its initramfs.
    exit_device=""
    exit_device_word=""
    modules_for_disk=no
    ;;
*)
    echo "boot: unknown ARCH $arch (x86_64 or aarch64)" >&2
    exit 2
    ;;
esac

initramfs=${INITRAMFS:-$default_initramfs}
# shellcheck disable=SC2086
kernel=${KERNEL:-$(ls $kernel_glob 2>/dev/null | sort -V | tail -n 1)}
for file in "$initramfs" "$kernel"; do
    [ -r "$file" ] || { echo "boot: cannot read ${file:-a kernel ($kernel_glob)}" >&2; exit 2; }
done
command -v "$qemu" >/dev/null || { echo "boot: $qemu is missing" >&2; exit 2; }

cmdline="console=$console panic=-1 quiet"
# QEMU's own status is the command's only through the exit device, which ends QEMU at once.
if [ "${STATUS_FROM:-}" = qemu ]; then
    [ -n "$exit_device_word" ] ||
        { echo "boot: STATUS_FROM=qemu needs an exit device, which $arch does not have" >&2; exit 2; }
    cmdline="$cmdline $exit_device_word"
fi
disk=""
if [ -n "${DISK:-}" ] && [ "$modules_for_disk" = no ]; then
    echo "boot: DISK needs the virtio and ext4 modules, which the $arch initramfs does not have" >&2
    exit 2
fi
if [ -n "${DISK:-}" ]; then
    # snapshot: the guest's writes are thrown away, and boots can share one image.
    disk="-drive file=$DISK,if=virtio,format=raw,snapshot=on"
    [ -s "$initramfs.modules" ] && cmdline="$cmdline BOXINIT_MODULES=$(cat "$initramfs.modules")"
fi
cmdline="$cmdline ${APPEND:-}"
if [ "${1:-}" = "--" ]; then shift; fi
if [ $# -gt 0 ]; then
    cmdline="$cmdline --"
    for word in "$@"; do
        case $word in
        *'"'*) echo "boot: the kernel command line cannot carry a double quote: $word" >&2; exit 2 ;;
        *[[:space:]]* | '') cmdline="$cmdline \"$word\"" ;;
        *) cmdline="$cmdline $word" ;;
        esac
    done
fi

log=$(mktemp)
qemu_status=$(mktemp)
trap 'rm -f "$log" "$qemu_status"' EXIT
# The serial console on our stdin and stdout; Ctrl-C goes to the guest (signal=off).
# shellcheck disable=SC2086
{
    status=0
    $qemu $machine -m "${MEMORY:-256M}" -nodefaults -no-user-config -display none -no-reboot \
        -chardev stdio,id=console,signal=off -serial chardev:console $exit_device $disk \
        -kernel "$kernel" -initrd "$initramfs" -append "$cmdline" || status=$?
    echo "$status" >"$qemu_status"
} | tee "$log"

# STATUS_FROM=qemu: QEMU's own status, as a script that reads only the exit device sees it.
[ "${STATUS_FROM:-}" = qemu ] && exit "$(cat "$qemu_status")"
status=$(tr -d '\r' <"$log" | sed -n 's/.*boxinit: exit status \([0-9]*\)$/\1/p' | tail -n 1)
[ -n "$status" ] && exit "$status"
status=$(cat "$qemu_status")
if grep -q 'reboot: Power down' "$log" && [ "$status" = 0 ]; then exit 0; fi
echo "boot: no exit status on the console (qemu exited $status)" >&2
exit 1
