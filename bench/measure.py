#!/usr/bin/env python3
"""Measure boxinit against the inits and launchers it replaces; write the raw results as JSON.

bench/run.sh builds boxinit, the probe and the rootfs first, then runs this, then
bench/report.py, which turns the JSON into BENCHMARKS.md and bench/chart.svg.
Standard library only. Needs root. Every process it starts is ended, every container deleted,
and the only mount it makes lives in a private mount namespace that ends with its process.

The inits: boxinit, the musl builds of tini, dumb-init and catatonit (bench/anchors.sh builds
them from Debian's sources) and Debian's own builds of the three.

Sections (what each measures exactly is also written into BENCHMARKS.md by report.py):
  start          hyperfine -N: INIT -- true (static, bench/c/true.c) and INIT -- /bin/true,
                 vs the command alone and under the floor (bench/c/floor.c: vfork, exec,
                 wait); then strace and perf stat of one start ("anatomy")
  container      hyperfine -N: a container running /bin/true with boxinit's default
                 namespaces, by boxinit, unshare(1), bwrap, crun and runc
  container_all  the same with every namespace boxinit knows, vs unshare(1) and bwrap
  reap           each init as PID 1 of a fresh PID namespace under `probe orphans N`
  rss            VmHWM of each init as PID 1 while its child waits
  size           stripped sizes of the binaries
  signals        SIGUSR1 to the init, until the child says it got it, N times
  rootless       container start as nobody: boxinit --unshare user,... vs unshare -r, bwrap
                 (skipped with a note while boxinit does not know user namespaces)
  boot           qemu boots (TCG) of the initramfs with boxinit as /init and with a busybox
                 script as /init: kernel -> init -> command -> power-off, by printk times
"""

import argparse
import ctypes
import datetime
import json
import os
import select
import shlex
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RELEASE = os.path.join(REPO, "target", "x86_64-unknown-linux-musl", "release")
BOXINIT = os.path.join(RELEASE, "boxinit")
PROBE = os.path.join(RELEASE, "examples", "probe")
UNIFIED = "/sys/fs/cgroup/unified"
TRUE = "/bin/true"
FALSE = "/bin/false"
# Built by bench/anchors.sh: the anchors' musl builds, a static true and false, the floor.
ANCHOR_BIN = os.path.join(REPO, "target", "bench", "anchors", "bin")
STATIC_TRUE = os.path.join(ANCHOR_BIN, "true")
STATIC_FALSE = os.path.join(ANCHOR_BIN, "false")
FLOOR = os.path.join(ANCHOR_BIN, "floor")

MODES = {
    # Per row: hyperfine runs = runs x rounds (the rounds rotate the order of the commands, so
    # a slow spell of the machine is spread over all of them instead of hitting one). Medians
    # pool all rounds; ratios that decide a target are also taken round by round (paired).
    "full": dict(
        start_runs=50, start_warmup=5, start_rounds=30,
        container_runs=50, container_warmup=5, container_rounds=6,
        orphans=20000, reap_rounds=7,
        rss_rounds=9,
        signals=1000, signal_rounds=21,
        anatomy_runs=500, boot_runs=5,
    ),
    "quick": dict(
        start_runs=30, start_warmup=3, start_rounds=1,
        container_runs=8, container_warmup=2, container_rounds=1,
        orphans=2000, reap_rounds=1,
        rss_rounds=1,
        signals=100, signal_rounds=1,
        anatomy_runs=50, boot_runs=1,
    ),
}

# The anchors: command -> Debian package (for its version).
PACKAGES = {
    "tini": "tini", "tini-static": "tini", "dumb-init": "dumb-init", "catatonit": "catatonit",
    "unshare": "util-linux", "bwrap": "bubblewrap", "runc": "runc", "crun": "crun",
    "hyperfine": "hyperfine", "busybox": "busybox-static",
}


def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


class BenchError(Exception):
    pass


def tool(name):
    path = shutil.which(name)
    if not path:
        raise BenchError(f"{name} not found (bench/run.sh installs it)")
    return path


# ---------------------------------------------------------------- processes

class Lines:
    """Lines from a pipe, with a timeout for each."""

    def __init__(self, fd):
        self.fd = fd
        self.buf = b""

    def readline(self, timeout):
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                raise BenchError(f"no output within {timeout} s")
            chunk = os.read(self.fd, 4096)
            if not chunk:
                raise BenchError("output ended")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode()


class Run:
    """One process tree under test: argv with stdout on a pipe, stderr kept for errors."""

    def __init__(self, argv, what):
        self.what = what
        self.argv = argv
        self.err = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=self.err, cwd="/")
        self.lines = Lines(self.proc.stdout.fileno())

    def readline(self, timeout=10):
        try:
            return self.lines.readline(timeout)
        except BenchError as e:
            raise self.fail(str(e))

    def expect(self, want, timeout=10):
        line = self.readline(timeout)
        if line != want:
            raise self.fail(f"expected {want!r}, read {line!r}")

    def stderr(self):
        if self.err.closed:
            return ""
        self.err.seek(0)
        return self.err.read().decode(errors="replace").strip()

    def fail(self, why):
        err = self.stderr()
        self.kill()
        return BenchError(f"{self.what}: {why}\n  command: {shlex.join(self.argv)}\n"
                          f"  exit status: {self.proc.returncode}\n  stderr: {err!r}")

    def stop(self, pid, sig=signal.SIGTERM, timeout=10):
        """Send sig to pid (the init) and wait for the whole tree; returns the exit status."""
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise self.fail(f"did not end within {timeout} s of signal {int(sig)}")

    def kill(self):
        """End everything: SIGKILL to the PID 1 of the namespace kills the namespace."""
        if self.proc.poll() is None:
            for pid in children(self.proc.pid) + [self.proc.pid]:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                pass
        self.proc.stdout.close()
        self.err.close()


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def only_child(pid, run):
    kids = children(pid)
    if len(kids) != 1:
        raise run.fail(f"expected one child of pid {pid}, found {kids}")
    return kids[0]


def status_kib(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])  # the kernel's "kB" are KiB
    raise BenchError(f"no {key} in /proc/{pid}/status")


def cpu_ns(pid):
    """CPU time the process has used itself (not its children), in ns."""
    try:
        with open(f"/proc/{pid}/schedstat") as f:
            ns = int(f.read().split()[0])
        if ns > 0:
            return ns
    except (OSError, ValueError, IndexError):
        pass
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime + stime
    return ticks * 1_000_000_000 // os.sysconf("SC_CLK_TCK")


def pid1(init_argv):
    """Run INIT as PID 1 of a fresh PID namespace (with its own /proc) - what a container gives."""
    return [tool("unshare"), "--fork", "--pid", "--mount-proc"] + init_argv


def rotate(items, n):
    n %= len(items)
    return items[n:] + items[:n]


# ---------------------------------------------------------------- hyperfine

def check_runs(rows, wrap):
    """Run each command once, so a failure says which one and why instead of a bare status;
    and where /bin/true is on the command line, once more with /bin/false instead, which
    must give status 1: the command did run, and its status came back."""
    for row in rows:
        runs = [(wrap + row["argv"], 0)]
        false = {TRUE: FALSE, STATIC_TRUE: STATIC_FALSE}
        if any(a in false for a in row["argv"]):
            runs.append((wrap + [false.get(a, a) for a in row["argv"]], 1))
        for argv, want in runs:
            r = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, cwd=REPO)
            if r.returncode != want:
                raise BenchError(f"{row['name']}: exit status {r.returncode}, not {want}\n"
                                 f"  command: {shlex.join(argv)}\n"
                                 f"  stderr: {r.stderr.decode().strip()!r}")


def hyperfine(rows, runs, warmup, rounds, work, wrap=()):
    """Time each row's argv with hyperfine -N; returns rows with the pooled 'times' (s)."""
    wrap = list(wrap)
    check_runs(rows, wrap)
    for row in rows:
        row["times"], row["round_medians"] = [], []
    for rnd in range(rounds):
        out = os.path.join(work, "hyperfine.json")
        argv = [tool("hyperfine"), "-N", "--style", "none", "--warmup", str(warmup),
                "--runs", str(runs), "--export-json", out]
        for row in rotate(rows, rnd):
            argv += ["-n", row["name"], shlex.join(row["argv"])]
        log(f"  round {rnd + 1}/{rounds}: {len(rows)} commands x {runs} runs")
        # Its output is only its warnings about outliers (the rounds and medians deal with
        # those): show it only when it fails.
        r = subprocess.run(wrap + argv, stdin=subprocess.DEVNULL, cwd=REPO,
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise BenchError(f"hyperfine failed (status {r.returncode}):\n"
                             f"{r.stdout.strip()}\n{r.stderr.strip()}")
        with open(out) as f:
            results = {res["command"]: res for res in json.load(f)["results"]}
        os.unlink(out)
        for row in rows:
            times = results[row["name"]]["times"]
            row["times"] += times
            row["round_medians"].append(statistics.median(times))
    return rows


def row(name, argv, display, **extra):
    return dict(name=name, argv=argv, display=display, **extra)


# ---------------------------------------------------------------- 1. supervisor start

def bench_start(p, work):
    """Every init wrapping two commands: the static `true` (bench/c/true.c), which costs least
    to start so that what the init adds shows, and the host's dynamic /bin/true. Next to them,
    each command alone and under the floor (bench/c/floor.c: vfork, exec, wait)."""
    log("1/8 supervisor start")
    rows = []
    for cmd, cmd_name in ((STATIC_TRUE, "static true"), (TRUE, "/bin/true")):
        short = "true" if cmd == STATIC_TRUE else cmd
        rows.append(row(f"{cmd_name}: alone", [cmd], short, init="alone", command=cmd_name,
                        baseline=True))
        rows.append(row(f"{cmd_name}: floor", [FLOOR, cmd], f"floor {short}", init="floor",
                        command=cmd_name, floor=True))
        for i in inits():
            # Not PID 1 here, so each init that can becomes a child subreaper, as it would
            # outside a container: tini needs -s for that.
            argv = i["argv"][:1] + i.get("not_pid1", []) + i["argv"][1:] + [cmd]
            rows.append(row(f"{cmd_name}: {i['name']}", argv, display(argv), init=i["name"],
                            command=cmd_name, build=i["build"], boxinit=i.get("boxinit", False)))
    hyperfine(rows, p["start_runs"], p["start_warmup"], p["start_rounds"], work)
    # The floor and boxinit with everything on one CPU: what is left of boxinit's cost when
    # waking a parent and a child on different CPUs costs nothing.
    pinned = [row("alone", [STATIC_TRUE], "true", baseline=True),
              row("floor", [FLOOR, STATIC_TRUE], "floor true", floor=True),
              row("boxinit", [BOXINIT, "--", STATIC_TRUE], "boxinit -- true", boxinit=True)]
    log("  the same on one CPU (taskset -c 0)")
    hyperfine(pinned, p["start_runs"], p["start_warmup"], max(1, p["start_rounds"] // 2), work,
              wrap=(tool("taskset"), "-c", "0"))
    # The floor with one step of a real init each (bench/c/floor.c), next to boxinit: what
    # each step costs, measured.
    steps = [row("floor", [FLOOR, STATIC_TRUE], "floor true", floor=True)]
    for step, what in (("subreaper", "+ becomes a child subreaper"),
                       ("pgrp", "+ a process group for the command"),
                       ("sigwait", "+ all signals blocked, waits for SIGCHLD by sigwaitinfo"),
                       ("all", "+ all three")):
        steps.append(row(f"floor+{step}", [f"{FLOOR}+{step}", STATIC_TRUE], what))
    steps.append(row("boxinit", [BOXINIT, "--", STATIC_TRUE], "boxinit -- true", boxinit=True))
    log("  the floor step by step")
    hyperfine(steps, p["start_runs"], p["start_warmup"], p["start_rounds"], work)
    return dict(rows=rows, pinned=pinned, steps=steps, anatomy=start_anatomy(p))


def start_anatomy(p):
    """Where the time of one start goes, for the floor, boxinit and the musl anchors wrapping
    the static true: the system calls each makes (strace -f, the init and its child until the
    exec) and, over many runs, CPU time, page faults and context switches (perf stat, the init
    and the static true together: the true's share is the same in every row)."""
    log("  anatomy: strace -f and perf stat of one start")
    subjects = [dict(name="floor", argv=[FLOOR])] + [
        i for i in inits() if i.get("boxinit") or i["build"] == "musl"]
    out = []
    for s in subjects:
        argv = s["argv"][:1] + s.get("not_pid1", []) + s["argv"][1:] + [STATIC_TRUE]
        out.append(dict(name=s["name"], display=display(argv), boxinit=s.get("boxinit", False),
                        floor=s["name"] == "floor", syscalls=syscalls_of(argv),
                        perf=perf_stat(argv, p["anatomy_runs"])))
    return out


def syscalls_of(argv):
    """The system calls of argv's process and of its child up to the child's execve, in order,
    as [(pid role, name)]."""
    with tempfile.NamedTemporaryFile(mode="r") as trace:
        subprocess.run([tool("strace"), "-f", "-qq", "-o", trace.name] + argv, check=True,
                       stdin=subprocess.DEVNULL, capture_output=True)
        lines = trace.read().splitlines()
    first = int(lines[0].split()[0])
    calls, exec_seen = [], set()
    for line in lines:
        pid, rest = line.split(None, 1)
        if rest.startswith("<...") or rest.startswith("+++") or rest.startswith("---"):
            continue
        name = rest.split("(", 1)[0]
        pid = int(pid)
        if pid == first:
            if name == "execve" and not calls:
                continue  # the exec of the init itself, which every row has
            calls.append(("init", name))
        elif pid not in exec_seen:
            calls.append(("child", name))
            if name == "execve":
                exec_seen.add(pid)
    return calls


def perf_stat(argv, runs):
    """perf stat -r RUNS of argv: means of task-clock (ms), page faults, context switches and
    CPU migrations; None without perf."""
    perf = shutil.which("perf")
    if not perf:
        return None
    events = "task-clock,page-faults,context-switches,cpu-migrations"
    r = subprocess.run([perf, "stat", "-x", ",", "-r", str(runs), "-e", events] + argv,
                       stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if r.returncode != 0:
        return None
    out = {}
    for line in r.stderr.splitlines():
        f = line.split(",")
        if len(f) > 3 and f[2] in events.split(","):
            try:
                out[f[2]] = float(f[0])
            except ValueError:
                return None
    return out or None


# ---------------------------------------------------------------- 2. container start

def hybrid_cgroups():
    """True when a cgroup2 mount sits at /sys/fs/cgroup/unified next to v1 hierarchies, which
    crun 1.8 refuses ("cgroups in hybrid mode not supported")."""
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            sep = fields.index("-")
            if fields[4] == UNIFIED and fields[sep + 1] == "cgroup2":
                return True
    return False


def make_bundles(rootfs, work):
    """Two OCI bundles for the same rootfs: `runc spec` as generated (network namespace left
    out, so the namespaces are boxinit's), and a minimal one that asks for what boxinit does
    and no more (those namespaces, a writable root, /proc, no masked or read-only paths)."""
    bundles = {}
    for kind in ("spec", "minimal"):
        b = os.path.join(work, f"bundle-{kind}")
        shutil.rmtree(b, ignore_errors=True)
        os.makedirs(b)
        subprocess.run([tool("runc"), "spec", "--bundle", b], check=True)
        with open(os.path.join(b, "config.json")) as f:
            c = json.load(f)
        c["process"]["terminal"] = False
        c["process"]["args"] = [TRUE]
        c["root"]["path"] = rootfs
        c["linux"]["namespaces"] = [{"type": t} for t in ("pid", "ipc", "uts", "mount")]
        if kind == "minimal":
            c["root"]["readonly"] = False
            c["mounts"] = [m for m in c["mounts"] if m["destination"] == "/proc"]
            c["linux"].pop("maskedPaths", None)
            c["linux"].pop("readonlyPaths", None)
        with open(os.path.join(b, "config.json"), "w") as f:
            json.dump(c, f, indent=1)
        bundles[kind] = b
    return bundles


def bench_container(p, work, rootfs, state):
    log("2/8 container start")
    unshare, bwrap = tool("unshare"), tool("bwrap")
    bundles = make_bundles(rootfs, work)
    tag = f"boxinit-bench-{os.getpid()}"
    ids = []

    def engine_run(name, kind, suffix=""):
        exe = tool(name)
        cid = f"{tag}-{name}-{kind}{suffix}"
        ids.append((exe, state[name], cid))
        return [exe, "--root", state[name], "run", "--bundle", bundles[kind], cid]

    hybrid = hybrid_cgroups()
    # With hybrid cgroups crun needs the cgroup2 mount out of its sight. The fair way: run
    # hyperfine itself (so every command alike) in a private mount namespace where that mount
    # is replaced by a tmpfs; crun then runs directly. The workaround row runs crun the way
    # ENVIRONMENT.md does from the host - in its own `unshare -m`, after a real umount - so its
    # extra cost (unshare, sh, umount) shows next to crun alone. It unmounts a second tmpfs
    # stacked on the first: crun (legacy mode) makes a directory for each container under
    # unified/ and, that being no cgroupfs, cannot remove it; here those land in the throwaway
    # tmpfs, not in the host's /sys/fs/cgroup below the cgroup2 mount, as the plain
    # workaround leaves them.
    if hybrid:
        tmpfs = f"mount -t tmpfs -o mode=755,size=16m boxinit-bench {UNIFIED}"
        setup = f"umount {UNIFIED} && {tmpfs} && {tmpfs} && exec \"$@\""
        wrap = [unshare, "--mount", "--propagation", "private", "sh", "-c", setup, "sh"]
    else:
        wrap = []

    R = rootfs
    rows = [
        row("boxinit --rootfs", [BOXINIT, "--rootfs", R, "--", TRUE],
            "boxinit --rootfs R -- /bin/true", boxinit=True),
        row("unshare(1)", [unshare, "--fork", "--pid", "--mount", "--uts", "--ipc", f"--root={R}",
                           "--mount-proc", TRUE],
            "unshare --fork --pid --mount --uts --ipc --root=R --mount-proc /bin/true",
            baseline=True),
        row("bwrap", [bwrap, "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--bind", R, "/",
                      "--proc", "/proc", TRUE],
            "bwrap --unshare-pid --unshare-ipc --unshare-uts --bind R / --proc /proc /bin/true"),
    ]
    for name in ("crun", "runc"):
        for kind, label in (("minimal", "minimal config"), ("spec", "runc spec config")):
            rows.append(row(f"{name} run ({label})", engine_run(name, kind),
                            f"{name} run, bundle: {label}"))
        if name == "crun" and hybrid:
            script = f"umount {UNIFIED} && exec {shlex.join(engine_run(name, 'spec', '-wa'))}"
            rows.append(row("crun run (spec) + workaround", [unshare, "-m", "sh", "-c", script],
                            f"unshare -m sh -c 'umount {UNIFIED} && exec crun run ...', "
                            "bundle: runc spec config"))
    try:
        hyperfine(rows, p["container_runs"], p["container_warmup"], p["container_rounds"],
                  work, wrap)
    finally:
        delete_containers(ids, tag)
    steps = container_steps(p, work, R, rows[1], wrap)
    notes = []
    if hybrid:
        notes.append("hybrid cgroups: every command of this table ran in a private mount "
                     f"namespace where {UNIFIED} (cgroup2) was replaced by an empty tmpfs, so "
                     "crun runs directly; the workaround row adds `unshare -m sh -c 'umount "
                     "... && exec crun ...'` as one would run it from the host")
    return dict(baseline="unshare(1)", rows=rows, notes=notes, hybrid=hybrid, steps=steps)


# System calls by what they are for, to say where a container's start goes.
CALL_KINDS = {
    "mounts": "mount umount2 pivot_root chroot open_tree move_mount mount_setattr fsopen "
              "fsconfig fsmount",
    "files and directories": "openat openat2 open close close_range mkdirat mknodat symlinkat "
                             "fchdir chdir newfstatat statx fstat read write readlink "
                             "readlinkat getdents64 unlinkat lseek pread64 ioctl",
    "processes and signals": "clone clone3 fork vfork execve wait4 waitid exit_group kill "
                             "setsid setpgid getpid getppid pidfd_open rt_sigprocmask "
                             "rt_sigaction rt_sigtimedwait",
    "capabilities and ids": "prctl capset capget setgroups setresuid setresgid setuid setgid",
    "memory and loading": "mmap munmap mprotect brk arch_prctl set_tid_address "
                          "set_robust_list rseq prlimit64 getrandom",
    "namespaces and hostname": "unshare setns sethostname",
}


def container_steps(p, work, R, unshare_row, wrap):
    """boxinit's container start without its /dev (--no-dev) and with chroot instead of
    pivot_root, next to the default and unshare(1), timed together; and the system calls of
    each, by kind, from one run under strace -f (launcher and init, and the command until its
    exec)."""
    log("  container start, step by step")
    steps = [
        row("unshare(1)", unshare_row["argv"], unshare_row["display"], baseline=True),
        row("boxinit --chroot --no-dev", [BOXINIT, "--chroot", "--no-dev", "--rootfs", R, "--",
                                          TRUE],
            "boxinit --chroot --no-dev --rootfs R -- /bin/true"),
        row("boxinit --no-dev", [BOXINIT, "--no-dev", "--rootfs", R, "--", TRUE],
            "boxinit --no-dev --rootfs R -- /bin/true"),
        row("boxinit", [BOXINIT, "--rootfs", R, "--", TRUE], "boxinit --rootfs R -- /bin/true",
            boxinit=True),
    ]
    hyperfine(steps, p["container_runs"], p["container_warmup"], p["container_rounds"], work,
              wrap)
    kind_of = {name: kind for kind, names in CALL_KINDS.items() for name in names.split()}
    for s in steps:
        counts = {}
        for _, name in syscalls_of(s["argv"]):
            kind = kind_of.get(name, "other")
            counts[kind] = counts.get(kind, 0) + 1
        s["calls"] = counts
    return steps


def bench_container_all(p, work, rootfs):
    log("2b/8 container start, all namespaces")
    unshare, bwrap = tool("unshare"), tool("bwrap")
    R = rootfs
    rows = [
        row("boxinit --unshare all", [BOXINIT, "--unshare", "all", "--rootfs", R, "--", TRUE],
            "boxinit --unshare all --rootfs R -- /bin/true "
            "(mnt uts ipc pid net cgroup time)", boxinit=True),
        row("unshare(1) all", [unshare, "--fork", "--pid", "--mount", "--uts", "--ipc", "--net",
                               "--cgroup", "--time", f"--root={R}", "--mount-proc", TRUE],
            "unshare --fork --pid --mount --uts --ipc --net --cgroup --time --root=R "
            "--mount-proc /bin/true", baseline=True),
        row("bwrap --unshare-all", [bwrap, "--unshare-all", "--bind", R, "/", "--proc", "/proc",
                                    "--dev", "/dev", TRUE],
            "bwrap --unshare-all --bind R / --proc /proc --dev /dev /bin/true "
            "(user ipc pid net uts cgroup; a new /dev)"),
        row("bwrap --unshare-all, no /dev", [bwrap, "--unshare-all", "--bind", R, "/", "--proc",
                                             "/proc", TRUE],
            "bwrap --unshare-all --bind R / --proc /proc /bin/true"),
    ]
    hyperfine(rows, p["container_runs"], p["container_warmup"], p["container_rounds"], work)
    return dict(baseline="unshare(1) all", rows=rows)


def delete_containers(ids, tag):
    """Delete any container left by an interrupted run, and any v1 cgroup left with it."""
    for exe, root, cid in ids:
        subprocess.run([exe, "--root", root, "delete", "--force", cid],
                       stdin=subprocess.DEVNULL, capture_output=True)
    base = os.path.dirname(UNIFIED)
    for hierarchy in sorted(os.listdir(base)):
        path = os.path.join(base, hierarchy)
        if not os.path.isdir(path) or os.path.join(base, hierarchy) == UNIFIED:
            continue
        for name in os.listdir(path):
            if name.startswith(tag):
                try:
                    os.rmdir(os.path.join(path, name))
                    log(f"  removed a cgroup left behind: {path}/{name}")
                except OSError as e:
                    log(f"  WARNING: cannot remove {path}/{name}: {e}")


# ---------------------------------------------------------------- inits under test

def inits():
    """Each init as one would run it as PID 1, with the argv that precedes the command: boxinit,
    the musl builds of the anchors (bench/anchors.sh) and Debian's builds. `not_pid1` is what
    it needs to be a child subreaper when it is not PID 1."""
    musl = lambda name: os.path.join(ANCHOR_BIN, name)
    return [
        dict(name="boxinit", argv=[BOXINIT, "--"], build="boxinit", boxinit=True),
        dict(name="tini (musl, -Os)", argv=[musl("tini"), "--"], build="musl", not_pid1=["-s"]),
        dict(name="dumb-init (musl, -Os)", argv=[musl("dumb-init"), "--"], build="musl"),
        dict(name="catatonit (musl, -Os)", argv=[musl("catatonit"), "--"], build="musl"),
        dict(name="tini (Debian, static glibc)", argv=[tool("tini-static"), "--"],
             build="debian", not_pid1=["-s"]),
        dict(name="tini (Debian, dynamic glibc)", argv=[tool("tini"), "--"], build="debian",
             not_pid1=["-s"]),
        dict(name="dumb-init (Debian, dynamic glibc)", argv=[tool("dumb-init"), "--"],
             build="debian"),
        dict(name="catatonit (Debian, static glibc)", argv=[tool("catatonit"), "--"],
             build="debian"),
    ]


def display(argv):
    return shlex.join([os.path.basename(a) if os.path.isabs(a) and i == 0 else a
                       for i, a in enumerate(argv)])


# ---------------------------------------------------------------- 3. reaping

def bench_reap(p):
    n = p["orphans"]
    log(f"3/8 reaping {n} orphans")
    rows = [dict(r, wall=[], cpu_ns=[], zombies=[],
                 display=f"unshare --fork --pid --mount-proc {display(r['argv'])} "
                         f"probe orphans {n}") for r in inits()]
    for rnd in range(p["reap_rounds"]):
        for r in rotate(rows, rnd):
            t0 = time.perf_counter()
            run = Run(pid1(r["argv"]) + [PROBE, "orphans", str(n), "--then", "sleep"],
                      f"reaping under {r['name']}")
            try:
                line = run.readline(timeout=300)
                t1 = time.perf_counter()
                if not line.startswith("zombies="):
                    raise run.fail(f"expected zombies=K, read {line!r}")
                init = only_child(run.proc.pid, run)
                r["cpu_ns"].append(cpu_ns(init))
                r["zombies"].append(int(line.split("=")[1]))
                r["wall"].append(t1 - t0)
                run.stop(init)
            finally:
                run.kill()
            log(f"  {r['name']}: {t1 - t0:.3f} s, {line}")
    if shutil.which("perf"):
        log("  once more each, counting the init's own system calls (perf stat -p)")
        for r in rows:
            r["counts"] = reap_counts(r, n)
        # dumb-init puts its command in a session of its own, unlike the others; -c does not.
        single = dict(name="dumb-init (musl, -Os) -c",
                      argv=[os.path.join(ANCHOR_BIN, "dumb-init"), "-c", "--"], build="musl")
        single["counts"] = reap_counts(single, n)
        extra = [single]
    else:
        extra = []
    return dict(orphans=n, rows=rows, counted=extra, subreaper=subreaper_check())


REAP_EVENTS = ("raw_syscalls:sys_enter", "syscalls:sys_enter_wait4", "context-switches")


def reap_counts(r, n):
    """The init's system calls (all, and wait4) and context switches while it reaps n orphans:
    perf stat attached to the init's pid as soon as unshare has forked it (a few of unshare's
    own calls before its exec count too, the same for every init)."""
    run = Run(pid1(r["argv"]) + [PROBE, "orphans", str(n), "--then", "sleep"],
              f"counting under {r['name']}")
    perf = None
    try:
        deadline = time.monotonic() + 5
        while not (kids := children(run.proc.pid)):
            if time.monotonic() > deadline:
                raise run.fail("unshare started no init")
            time.sleep(0.0005)
        init = kids[0]
        perf = subprocess.Popen([tool("perf"), "stat", "-x", ",", "-e", ",".join(REAP_EVENTS),
                                 "-p", str(init)], stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        line = run.readline(timeout=300)
        if not line.startswith("zombies="):
            raise run.fail(f"expected zombies=K, read {line!r}")
        perf.send_signal(signal.SIGINT)
        err = perf.communicate(timeout=10)[1]
        run.stop(init)
    finally:
        if perf and perf.poll() is None:
            perf.kill()
            perf.wait()
        run.kill()
    counts = {}
    for f in (line.split(",") for line in err.splitlines()):
        if len(f) > 2 and f[2] in REAP_EVENTS and f[0].strip().isdigit():
            counts[f[2]] = int(f[0])
    log(f"    {r['name']}: {counts}")
    return counts


PR_SET_CHILD_SUBREAPER = 36


def set_subreaper(on):
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, int(on), 0, 0, 0) != 0:
        raise BenchError(f"prctl(PR_SET_CHILD_SUBREAPER): errno {ctypes.get_errno()}")


def parent_of(pid):
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[1])


def subreaper_check():
    """Not PID 1 (run as a plain child, as `docker run` without --init would not, but a shell
    would): does an orphan of the command come to the init, or past it? The harness is a
    subreaper meanwhile, so an orphan that passes the init comes to the harness, which reaps it
    (nothing is left to the host's init)."""
    log("  as a plain child (not PID 1): who gets the orphans?")
    cases = []
    for i in inits():
        cases.append((i["name"], i["argv"]))
        if i.get("not_pid1"):
            cases.append((f"{i['name']} {' '.join(i['not_pid1'])}",
                          i["argv"][:1] + i["not_pid1"] + i["argv"][1:]))
    script = f'({shlex.quote(PROBE)} sleep & echo $!); exec {shlex.quote(PROBE)} sleep'
    out = []
    set_subreaper(True)
    try:
        for name, argv in cases:
            run = Run(argv + ["/bin/sh", "-c", script], f"orphan check under {name}")
            try:
                orphan = int(run.readline())
                # When the subshell has exited, the orphan's parent is the init (a subreaper)
                # or, past it, the harness.
                deadline = time.monotonic() + 5
                while (parent := parent_of(orphan)) not in (run.proc.pid, os.getpid()):
                    if time.monotonic() > deadline:
                        raise run.fail(f"orphan {orphan} still has parent {parent}")
                    time.sleep(0.005)
                os.kill(orphan, signal.SIGKILL)
                if parent == os.getpid():
                    os.waitpid(orphan, 0)
                run.stop(run.proc.pid)
            finally:
                run.kill()
            to_init = parent == run.proc.pid
            out.append(dict(name=name, display=display(argv + ["CMD"]), reaps=to_init))
            log(f"    {name}: orphans go {'to the init' if to_init else 'past it'}")
    finally:
        set_subreaper(False)
    return out


# ---------------------------------------------------------------- 4. peak RSS, 6. signals

def start_under(r, rootfs_probe, child):
    """Start row r with the probe as the command; returns (run, pids) where pids are the host
    pids of the processes to read or signal, PID 1 first (for boxinit in container mode:
    the PID 1 inside and boxinit outside)."""
    container = r.get("container")
    if container:
        run = Run([BOXINIT, "--rootfs", r["rootfs"], "--", rootfs_probe] + child, r["name"])
    else:
        run = Run(pid1(r["argv"]) + [PROBE] + child, r["name"])
    try:
        run.expect("ready")
        first = only_child(run.proc.pid, run)
    except BaseException:
        run.kill()
        raise
    if container:
        return run, dict(pid1=first, outer=run.proc.pid, signal=run.proc.pid)
    return run, dict(pid1=first, signal=first)


def bench_rss(p, rootfs):
    log("4/8 peak RSS (VmHWM) of each init as PID 1 while its child waits")
    rows = inits() + [dict(name="boxinit --rootfs", container=True, rootfs=rootfs,
                           build="boxinit", boxinit=True)]
    for r in rows:
        r["vmhwm_kib"], r["outer_vmhwm_kib"] = [], []
        r["display"] = ("boxinit --rootfs R -- /bin/probe signals" if r.get("container") else
                        f"unshare --fork --pid --mount-proc {display(r['argv'])} probe signals")
    for rnd in range(p["rss_rounds"]):
        for r in rotate(rows, rnd):
            run, pids = start_under(r, "/bin/probe", ["signals"])
            try:
                time.sleep(0.05)  # let the init settle into its wait
                r["vmhwm_kib"].append(status_kib(pids["pid1"], "VmHWM"))
                if rnd == 0:
                    r["smaps"] = smaps_kib(pids["pid1"])
                if "outer" in pids:
                    r["outer_vmhwm_kib"].append(status_kib(pids["outer"], "VmHWM"))
                status = run.stop(pids["signal"])
                if status != 0:
                    raise run.fail(f"exit status {status} after SIGTERM (probe exits 0)")
            finally:
                run.kill()
        log(f"  round {rnd + 1}: " + ", ".join(f"{r['name']} {r['vmhwm_kib'][-1]} KiB"
                                               for r in rows))
    return dict(rows=rows)


def smaps_kib(pid):
    """Resident KiB of each kind of mapping of pid: the program file (its text, data and
    read-only data), anonymous memory (its .bss and heap), [stack], [vdso] and the like."""
    out = {}
    name = None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            head = line.split()
            if "-" in head[0] and not head[0].endswith(":"):
                path = head[5] if len(head) > 5 else ""
                name = ("program file" if path.startswith("/") else path or "anonymous")
            elif head[0] == "Rss:":
                out[name] = out.get(name, 0) + int(head[1])
    return out


def bench_signals(p, rootfs):
    n = p["signals"]
    log(f"6/8 signal round trip, {n} x SIGUSR1")
    rows = ([dict(name="no init", argv=[], baseline=True)] + inits() +
            [dict(name="boxinit --rootfs", container=True, rootfs=rootfs, build="boxinit",
                 boxinit=True)])
    for r in rows:
        r["totals"] = []
        if r.get("container"):
            r["display"] = "boxinit --rootfs R -- /bin/probe signals (signal to boxinit outside)"
        elif not r["argv"]:
            r["display"] = "unshare --fork --pid --mount-proc probe signals (signal to probe)"
        else:
            r["display"] = f"unshare --fork --pid --mount-proc {display(r['argv'])} probe signals"
    usr1 = f"signal {int(signal.SIGUSR1)}"
    for rnd in range(p["signal_rounds"]):
        for r in rotate(rows, rnd):
            run, pids = start_under(r, "/bin/probe", ["signals"])
            try:
                target = pids["signal"]
                t0 = time.perf_counter()
                for _ in range(n):
                    os.kill(target, signal.SIGUSR1)
                    line = run.readline(timeout=5)
                    if line != usr1:
                        raise run.fail(f"expected {usr1!r}, read {line!r}")
                r["totals"].append(time.perf_counter() - t0)
                status = run.stop(target)
                if status != 0:
                    raise run.fail(f"exit status {status} after SIGTERM (probe exits 0)")
            finally:
                run.kill()
        log(f"  round {rnd + 1}: " + ", ".join(f"{r['name']} {r['totals'][-1] * 1e3:.0f} ms"
                                               for r in rows))
    return dict(count=n, baseline="no init", rows=rows)


# ---------------------------------------------------------------- 5. sizes

def linkage(path):
    """'static' or 'dynamic': whether the ELF file asks for an interpreter (PT_INTERP)."""
    with open(path, "rb") as f:
        head = f.read(64)
        if head[:4] != b"\x7fELF" or head[4] != 2:
            return "?"
        phoff, = struct.unpack_from("<Q", head, 32)
        phentsize, phnum = struct.unpack_from("<HH", head, 54)
        f.seek(phoff)
        table = f.read(phentsize * phnum)
    for i in range(phnum):
        if struct.unpack_from("<I", table, i * phentsize)[0] == 3:
            return "dynamic"
    return "static"


def bench_size():
    log("5/8 stripped sizes")
    strip = tool("strip")
    rows = []
    for i in inits():
        name, path = i["name"], i["argv"][0]
        with tempfile.TemporaryDirectory() as tmp:
            copy = os.path.join(tmp, "bin")
            shutil.copyfile(path, copy)
            subprocess.run([strip, "--strip-all", copy], check=True)
            stripped = os.path.getsize(copy)
        rows.append(dict(name=name, path=path, installed=os.path.getsize(path),
                         stripped=stripped, linkage=linkage(path), build=i["build"],
                         boxinit=i.get("boxinit", False)))
        log(f"  {name}: {stripped} bytes stripped ({rows[-1]['linkage']})")
    return dict(rows=rows, budget=49152)


# ---------------------------------------------------------------- 7. rootless, 8. boot
# Hooks for what other branches are adding: each section measures when boxinit (or the
# Justfile) can do it, and otherwise returns a note that says why it was skipped.

NOBODY = 65534


def as_nobody():
    return [tool("setpriv"), f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--"]


def bench_rootless(p, rootfs):
    """Container start as an unprivileged user: boxinit with a user namespace against
    `unshare -r` and `bwrap --unshare-all`, all with the same rootfs and a fresh /proc."""
    log("7/8 rootless container start (as nobody)")
    reach = subprocess.run(as_nobody() + ["test", "-x", os.path.join(rootfs, "bin", "true")],
                           stdin=subprocess.DEVNULL, capture_output=True)
    if reach.returncode == 0:
        return rootless_in(p, rootfs)
    # The repository is out of nobody's reach (under /root, say): a copy of the rootfs in a
    # directory nobody can walk into.
    with tempfile.TemporaryDirectory(prefix="boxinit-bench-") as tmp:
        os.chmod(tmp, 0o755)
        copy = os.path.join(tmp, "rootfs")
        subprocess.run(["cp", "-a", rootfs, copy], check=True)
        return rootless_in(p, copy)


def rootless_in(p, rootfs):
    unshare, bwrap = tool("unshare"), tool("bwrap")
    R = rootfs
    box = [BOXINIT, "--unshare", "user,mnt,uts,ipc,pid", "--rootfs", R, "--", TRUE]
    r = subprocess.run(as_nobody() + box, stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, cwd="/")
    if r.returncode != 0:
        why = (f"`{display(box).replace(R, 'R')}` as nobody fails (status {r.returncode}: "
               f"{r.stderr.strip() or 'no message'})")
        log(f"  skipped: {why}")
        return dict(skipped=why)
    rows = [
        row("boxinit --unshare user,...", box,
            "boxinit --unshare user,mnt,uts,ipc,pid --rootfs R -- /bin/true", boxinit=True),
        row("unshare -r", [unshare, "-r", "--fork", "--pid", "--mount", "--uts", "--ipc",
                           f"--root={R}", "--mount-proc", TRUE],
            "unshare -r --fork --pid --mount --uts --ipc --root=R --mount-proc /bin/true",
            baseline=True),
        row("bwrap --unshare-all", [bwrap, "--unshare-all", "--bind", R, "/", "--proc", "/proc",
                                    TRUE],
            "bwrap --unshare-all --bind R / --proc /proc /bin/true"),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        os.chown(tmp, NOBODY, NOBODY)
        hyperfine(rows, p["container_runs"], p["container_warmup"], p["container_rounds"], tmp,
                  wrap=as_nobody())
    return dict(baseline="unshare -r", rows=rows)


MARK = os.path.join(ANCHOR_BIN, "mark")
# The kernel's console at info level, each line with its printk time (the `quiet` that
# image/boot.sh passes would hide "Run /init as init process").
BOOT_APPEND = "printk.time=1 loglevel=7"
# The serial log's lines the boot benchmark times, in the order they come.
BOOT_EVENTS = (("init", "Run /init as init process"), ("start", "bench: command starts"),
               ("end", "bench: command ends"), ("off", "reboot: Power down"))


def bench_boot(p, work):
    """Boot to the command and to power-off under qemu (TCG), from the kernel's own printk
    times on the serial log: boxinit as /init against a busybox shell script as /init doing
    the same (image/busybox-init.sh), in the same initramfs (image/initramfs.sh, INIT=busybox
    for the second) and the same qemu (image/boot.sh). The command, bench/c/mark.c, writes a
    line to /dev/kmsg as it starts and as it ends; the kernel stamps both."""
    log("8/8 boot")
    missing = [what for what, ok in (
        ("qemu-system-x86_64", shutil.which("qemu-system-x86_64")),
        ("a kernel in /boot (linux-image-amd64)", any(
            n.startswith("vmlinuz-") for n in os.listdir("/boot"))),
        ("cpio", shutil.which("cpio")), ("the static mark (bench/anchors.sh)",
                                         os.path.exists(MARK))) if not ok]
    if missing:
        why = "missing " + ", ".join(missing)
        log(f"  skipped: {why}")
        return dict(skipped=why)
    d = os.path.join(work, "boot")
    os.makedirs(d, exist_ok=True)
    # The command goes in as a second archive after the initramfs's own: the kernel unpacks
    # concatenated archives in turn.
    mark_root = os.path.join(d, "mark-root")
    shutil.rmtree(mark_root, ignore_errors=True)
    os.makedirs(os.path.join(mark_root, "bin"))
    shutil.copy(MARK, os.path.join(mark_root, "bin", "mark"))
    mark_cpio = subprocess.run(
        "find bin | cpio --quiet -o -H newc -R 0:0 | gzip -6", shell=True, cwd=mark_root,
        check=True, capture_output=True).stdout
    images = {}
    for init in ("boxinit", "busybox"):
        image = os.path.join(d, f"initramfs-{init}.gz")
        env = dict(os.environ, INIT=init, BOXINIT_BIN=BOXINIT, ARCH="x86_64")
        r = subprocess.run(["sh", "image/initramfs.sh", image], cwd=REPO, env=env,
                           stdin=subprocess.DEVNULL, capture_output=True, text=True)
        if r.returncode != 0:
            raise BenchError(f"image/initramfs.sh (INIT={init}) failed: {r.stderr.strip()}")
        with open(image, "ab") as f:
            f.write(mark_cpio)
        images[init] = image
    rows = [dict(name="boxinit", boxinit=True, display="boxinit as /init"),
            dict(name="busybox", display="busybox sh as /init (image/busybox-init.sh)")]
    for r in rows:
        r.update(kernel=[], to_command=[], command=[], to_poweroff=[], wall=[])
    for i in range(p["boot_runs"]):
        # The order alternates, so a slow spell of the machine is shared.
        for r in (rows if i % 2 == 0 else rows[::-1]):
            t = boot_once(images[r["name"]])
            r["kernel"].append(t["init"])
            r["to_command"].append(t["start"] - t["init"])
            r["command"].append(t["end"] - t["start"])
            r["to_poweroff"].append(t["off"] - t["end"])
            r["wall"].append(t["wall"])
            log(f"  {r['name']}: init -> command {r['to_command'][-1] * 1e3:.1f} ms, "
                f"command -> power-off {r['to_poweroff'][-1] * 1e3:.1f} ms "
                f"(kernel {t['init']:.2f} s, wall {t['wall']:.1f} s)")
    return dict(rows=rows, append=BOOT_APPEND, command="/bin/mark")


def boot_once(image):
    """One boot by image/boot.sh: the printk time of each of BOOT_EVENTS, and the wall time."""
    env = dict(os.environ, INITRAMFS=image, APPEND=BOOT_APPEND, ARCH="x86_64")
    t0 = time.perf_counter()
    r = subprocess.run(["sh", "image/boot.sh", "--", "/bin/mark"], cwd=REPO, env=env,
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300)
    wall = time.perf_counter() - t0
    serial = r.stdout.replace("\r", "")
    tail = "\n".join(serial.splitlines()[-15:])
    if r.returncode != 0:
        raise BenchError(f"boot of {os.path.basename(image)} failed (status {r.returncode}): "
                         f"{r.stderr.strip()}\n{tail}")
    times = dict(wall=wall)
    for line in serial.splitlines():
        # "[    5.237253] Run /init as init process": seconds since the kernel started.
        if not line.startswith("[") or "]" not in line:
            continue
        stamp, text = line[1:].split("]", 1)
        for key, event in BOOT_EVENTS:
            if key not in times and text.strip() == event:
                times[key] = float(stamp)
    lost = [event for key, event in BOOT_EVENTS if key not in times]
    if lost:
        raise BenchError(f"boot of {os.path.basename(image)}: no {lost} on the serial log:\n"
                         f"{tail}")
    return times


# ---------------------------------------------------------------- the machine

def machine():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_kib = status_like("/proc/meminfo", "MemTotal")
    os_name = "?"
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    os_name = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return dict(kernel=os.uname().release, arch=os.uname().machine, cpu=cpu,
                cores=os.cpu_count(), mem_kib=mem_kib, os=os_name,
                loadavg_start=os.getloadavg())


def status_like(path, key):
    with open(path) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return None


def versions():
    out = {}
    for cmd, pkg in PACKAGES.items():
        r = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", pkg], capture_output=True)
        out[cmd] = r.stdout.decode().strip() if r.returncode == 0 else "?"

    def git(*args):
        try:
            return subprocess.run(["git", "-C", REPO] + list(args), capture_output=True,
                                  text=True).stdout.strip()
        except OSError:
            return ""

    commit = git("rev-parse", "--short", "HEAD") or "?"
    dirty = bool(git("status", "--porcelain", "--", "src", "Cargo.toml", ".cargo"))
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True,
                           cwd=REPO).stdout.strip()
    out["boxinit"] = commit + (" + uncommitted changes in src/" if dirty else "")
    try:
        with open(os.path.join(os.path.dirname(ANCHOR_BIN), "versions")) as f:
            out["musl builds"] = ", ".join(line.strip() for line in f if line.strip())
    except OSError:
        out["musl builds"] = "?"
    out["rustc"] = rustc
    return out


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mode", choices=MODES, default="full")
    ap.add_argument("--work", default=os.path.join(REPO, "target", "bench"))
    ap.add_argument("--results", default=None)
    ap.add_argument("--only", default="", help="comma-separated sections (for debugging)")
    a = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("bench: must run as root")
    work = os.path.abspath(a.work)
    rootfs = os.path.join(work, "rootfs")
    for need in (BOXINIT, PROBE, os.path.join(rootfs, "bin", "probe")):
        if not os.path.exists(need):
            sys.exit(f"bench: {need} is missing (bench/run.sh builds it)")
    p = MODES[a.mode]
    only = set(filter(None, a.only.split(",")))
    want = lambda s: not only or s in only

    state_dir = os.path.join(work, "state")
    state = dict(runc=os.path.join(state_dir, "runc"), crun=os.path.join(state_dir, "crun"))
    started = datetime.datetime.now(datetime.timezone.utc)
    t0 = time.monotonic()
    res = dict(mode=a.mode, params=p, machine=machine(), versions=versions(),
               started=started.isoformat(timespec="seconds"), sections={})
    log(f"{a.mode} run on {res['machine']['cpu']}, {res['machine']['cores']} cores")
    s = res["sections"]
    try:
        if want("start"):
            s["start"] = bench_start(p, work)
        if want("container"):
            s["container"] = bench_container(p, work, rootfs, state)
        if want("container_all"):
            s["container_all"] = bench_container_all(p, work, rootfs)
        if want("reap"):
            s["reap"] = bench_reap(p)
        if want("rss"):
            s["rss"] = bench_rss(p, rootfs)
        if want("size"):
            s["size"] = bench_size()
        if want("signals"):
            s["signals"] = bench_signals(p, rootfs)
        if want("rootless"):
            s["rootless"] = bench_rootless(p, rootfs)
        if want("boot"):
            s["boot"] = bench_boot(p, work)
    except BenchError as e:
        sys.exit(f"bench: FAILED: {e}")
    finally:
        shutil.rmtree(state_dir, ignore_errors=True)
    res["machine"]["loadavg_end"] = os.getloadavg()
    res["duration_s"] = round(time.monotonic() - t0, 1)
    results = a.results or os.path.join(work, "results.json")
    with open(results, "w") as f:
        json.dump(res, f, indent=1)
    log(f"measured in {res['duration_s']} s; raw results in {os.path.relpath(results, REPO)}")


if __name__ == "__main__":
    main()
