#!/bin/sh
# /init of the busybox variant of the initramfs (INIT=busybox image/initramfs.sh): what
# boxinit's boot mode does, the way a busybox system does it, for the boot benchmark
# (bench/measure.py) to compare against. The kernel runs it with busybox's shell (rdinit) and
# the words after `--` on its command line as arguments: the command.
# The same mounts with the same flags as boxinit's, lo up, the command in a session of its
# own with the console as its controlling terminal, its status on the console, power-off.
mount -t devtmpfs -o nosuid devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts -o nosuid,nodev,noexec,newinstance,ptmxmode=0666,mode=0620 devpts /dev/pts
mount -t tmpfs -o nosuid,nodev,mode=1777 tmpfs /dev/shm
mount -t proc -o nosuid,nodev,noexec proc /proc
mount -t sysfs -o nosuid,nodev,noexec sysfs /sys
mount -t cgroup2 -o nosuid,nodev,noexec cgroup2 /sys/fs/cgroup
mount -t tmpfs -o nosuid,nodev,mode=0755 tmpfs /run
mount -t tmpfs -o nosuid,nodev,mode=1777 tmpfs /tmp
ip link set lo up
setsid -c "$@"
echo "init: exit status $?"
# -f: reboot(2) at once (there is no init to signal); it syncs first.
exec poweroff -f
