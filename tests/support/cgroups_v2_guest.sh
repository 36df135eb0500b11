#!/bin/sh
# cgroup v2 checks, run in a qemu guest as the command of boxinit (PID 1 of the VM, in the root
# cgroup) by tests/cgroup_v2_limits_hold_in_a_guest.rs. /init is boxinit, /probe the test probe.
# Each result is one `cg:KEY=VALUE` line on the console, for the host to assert; nothing here
# decides.
B=/init
P=/probe
CG=/sys/fs/cgroup
say() { echo "cg:$1=$2"; }
# Rootless runs as nobody (busybox su; busybox's setpriv cannot change ids).
echo "nobody:x:65534:65534:nobody:/:/bin/sh" >>/etc/passwd
# The subgroups left under directory $1, as one word (empty for none).
groups() { (cd "$1" && find . -mindepth 1 -type d | sed 's|^\./||' | sort | tr '\n' ,); }

# `boot`: boxinit, the VM's PID 1, was given limits on the kernel command line: this script is
# their command. Say where it is and what its group holds, then use too much memory.
if [ "${1:-}" = boot ]; then
    own=$(cut -d: -f3 /proc/self/cgroup)
    say boot_cgroup "$own"
    say boot_files "$(cat $CG$own/memory.max $CG$own/pids.max | tr '\n' ' ')"
    exec $P alloc 64
fi

say own "$(cat /proc/self/cgroup)"
say available "$(cat $CG/cgroup.controllers)"
say root_subtree_first "$(cat $CG/cgroup.subtree_control)"

# -- Bad input first, while the root passes no controller down. -------------------------
# Rootless, in a group delegated to nobody whose parent (the root) does not pass memory down.
mkdir $CG/deleg
chown 65534:65534 $CG/deleg $CG/deleg/cgroup.procs $CG/deleg/cgroup.subtree_control
sh -c "echo \$\$ >$CG/deleg/cgroup.procs; exec su -s /bin/sh -c 'exec $B --memory 32m -- true' nobody" 2>/tmp/err
say undelegated_status $?
say undelegated_lines "$(wc -l </tmp/err)"
say undelegated_err "$(cat /tmp/err)"
say undelegated_left "$(groups $CG/deleg)"
# A tree boxinit may not write to (read-only in a mount namespace of its own).
unshare -m sh -c "mount -o remount,bind,ro $CG && exec $B --pids 8 --cgroup ro -- true" 2>/tmp/err
say readonly_status $?
say readonly_lines "$(wc -l </tmp/err)"
say readonly_err "$(cat /tmp/err)"

# -- The limits, from the root cgroup (exempt from the no-internal-process rule). --------
$B --memory 32m --cgroup mem -- $P alloc 64 >/tmp/out 2>/tmp/err
say memory_status $?
say memory_out "$(cat /tmp/out)"
say memory_lines "$(wc -l </tmp/err)"
say memory_err "$(cat /tmp/err)"
say root_subtree "$(cat $CG/cgroup.subtree_control)"

# --pids 16 and 64 forks; then boxinit must still pass signals on.
mkfifo /tmp/fifo
$B --pids 16 --cgroup pids -- $P forks 64 --then signals >/tmp/fifo 2>/tmp/err &
bx=$!
exec 3</tmp/fifo
read -r line <&3 && say pids_forks "$line"
read -r line <&3 && say pids_ready "$line"
say pids_current "$(cat $CG/pids/pids.current)"
kill -USR1 $bx
read -r line <&3 && say pids_usr1 "$line"
kill -TERM $bx
read -r line <&3 && say pids_term "$line"
wait $bx
say pids_status $?
exec 3<&-
say pids_err "$(cat /tmp/err)"

# --cpus 0.2 and a 2 s busy loop; the group's cpu.stat read from inside before it goes.
$B --cpus 0.2 --cgroup cpu -- sh -c "$P spin 2 && grep nr_throttled $CG/cpu/cpu.stat" >/tmp/out 2>/tmp/err
say cpu_status $?
say cpu_spin "$(head -n 1 /tmp/out)"
say cpu_throttled "$(sed -n 's/nr_throttled //p' /tmp/out)"
say cpu_err "$(cat /tmp/err)"

# Every limit in its v2 file.
$B --memory 48m --memory-swap 64m --cpus 0.5 --cpu-weight 50 --pids 30 --cgroup files -- \
    sh -c "cd $CG/files && echo \$(cat memory.max memory.swap.max cpu.max cpu.weight pids.max)" >/tmp/out 2>/tmp/err
say files_status $?
say files "$(cat /tmp/out)"
say files_err "$(cat /tmp/err)"

# Where the command is, without and with a cgroup namespace.
say plain_cgroup "$($B --pids 64 --cgroup plain -- $P cgroup 2>&1)"
say ns_cgroup "$($B --pids 64 --cgroup nsview --unshare cgroup -- $P cgroup 2>&1)"

# -- One level down: boxinit alone in a group that must pass controllers down. -----------
mkdir $CG/outer
# The command says where it is, what its parent passes down and which groups it holds.
cat >/tmp/nested.sh <<'EOF'
/probe cgroup
cat /sys/fs/cgroup/outer/cgroup.subtree_control
cd /sys/fs/cgroup/outer && echo $(find . -mindepth 1 -type d | sort)
EOF
sh -c "echo \$\$ >$CG/outer/cgroup.procs; exec $B --memory 32m --pids 16 --cgroup inner -- sh /tmp/nested.sh" >/tmp/out 2>/tmp/err
say nested_status $?
say nested_cgroup "$(sed -n 1p /tmp/out)"
say nested_subtree "$(sed -n 2p /tmp/out)"
say nested_groups "$(sed -n 3p /tmp/out)"
say nested_err "$(cat /tmp/err)"
say nested_subtree_after "$(cat $CG/outer/cgroup.subtree_control)"
say nested_left "$(groups $CG/outer)"
# The same rootless, in a group delegated to nobody, once the root passes memory down.
sh -c "echo \$\$ >$CG/deleg/cgroup.procs; exec su -s /bin/sh -c 'exec $B --memory 32m --cgroup hog -- $P alloc 64' nobody" >/tmp/out 2>/tmp/err
say rootless_status $?
say rootless_out "$(cat /tmp/out)"
say rootless_err "$(cat /tmp/err)"
say rootless_left "$(groups $CG/deleg)"

# Nothing left behind at the top either (deleg and outer are ours).
say left "$(groups $CG | tr , '\n' | grep -v -e '^deleg' -e '^outer' | tr '\n' ,)"
say done yes
