#!/usr/bin/env python3
"""Measure boxinit against the inits and launchers it replaces; write the raw results as JSON.

bench/run.sh builds boxinit, the probe, the anchors and the rootfs first, then runs this, then
bench/report.py, which renders the JSON through bench/BENCHMARKS.md.j2 (where each section's
method is written down) into BENCHMARKS.md and bench/chart.svg.
Needs root and Debian's python3-psutil. Every process it starts is ended, every container
deleted, and the only mount it makes lives in a private mount namespace that ends with it.

Sections: start, container, container_all, reap, rss, size, signals, rootless, boot.
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
import subprocess
import sys
import tempfile
import time

import psutil

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RELEASE = os.path.join(REPO, "target", "x86_64-unknown-linux-musl", "release")
BOXINIT = os.path.join(RELEASE, "boxinit")
# The supervisor build (cargo build --release --no-default-features --target-dir
# target/supervisor): a row of its own wherever the inits are compared.
BOXINIT_SUPERVISOR = os.path.join(REPO, "target", "supervisor", "x86_64-unknown-linux-musl",
                                  "release", "boxinit")
PROBE = os.path.join(RELEASE, "examples", "probe")
UNIFIED = "/sys/fs/cgroup/unified"
TRUE, FALSE = "/bin/true", "/bin/false"
# Built by bench/anchors.sh: the anchors' musl builds, a static true and false, the floor, mark.
ANCHOR_BIN = os.path.join(REPO, "target", "bench", "anchors", "bin")
STATIC_TRUE, STATIC_FALSE = os.path.join(ANCHOR_BIN, "true"), os.path.join(ANCHOR_BIN, "false")
FLOOR = os.path.join(ANCHOR_BIN, "floor")
MARK = os.path.join(ANCHOR_BIN, "mark")
NOBODY = 65534

MODES = {
    # hyperfine runs = runs x rounds: the rounds rotate the order of the commands, so a slow
    # spell of the machine is spread over all of them instead of hitting one.
    "full": dict(start_runs=50, start_warmup=5, start_rounds=30,
                 container_runs=50, container_warmup=5, container_rounds=6,
                 orphans=20000, reap_rounds=7, rss_rounds=9, signals=1000, signal_rounds=21,
                 anatomy_runs=500, boot_runs=5),
    "quick": dict(start_runs=30, start_warmup=3, start_rounds=1,
                  container_runs=8, container_warmup=2, container_rounds=1,
                  orphans=2000, reap_rounds=1, rss_rounds=1, signals=100, signal_rounds=1,
                  anatomy_runs=50, boot_runs=1),
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


def quiet(argv, **kw):
    """Run argv to its end with no input, its output captured as text."""
    return subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, **kw)


# ---------------------------------------------------------------- processes

class Run:
    """One process tree under test: argv with stdout on a pipe read line by line with a
    timeout, stderr kept for the error message."""

    def __init__(self, argv, what):
        self.what, self.argv, self.buf = what, argv, b""
        self.err = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=self.err, cwd="/")

    def readline(self, timeout=10):
        fd, deadline = self.proc.stdout.fileno(), time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise self.fail(f"no output within {timeout} s")
            chunk = os.read(fd, 4096)
            if not chunk:
                raise self.fail("output ended")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode()

    def expect(self, want, timeout=10, prefix=False):
        line = self.readline(timeout)
        if not (line.startswith(want) if prefix else line == want):
            raise self.fail(f"expected {want!r}, read {line!r}")
        return line

    def fail(self, why):
        err = ""
        if not self.err.closed:
            self.err.seek(0)
            err = self.err.read().decode(errors="replace").strip()
        self.kill()
        return BenchError(f"{self.what}: {why}\n  command: {shlex.join(self.argv)}\n"
                          f"  exit status: {self.proc.returncode}\n  stderr: {err!r}")

    def stop(self, pid, sig=signal.SIGTERM, timeout=10, want=None):
        """Send sig to pid (the init) and wait for the whole tree; returns the exit status,
        which must be `want` when given."""
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass
        try:
            status = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise self.fail(f"did not end within {timeout} s of signal {int(sig)}")
        if want is not None and status != want:
            raise self.fail(f"exit status {status} after signal {int(sig)}, not {want}")
        return status

    def kill(self):
        """End everything: SIGKILL to the PID 1 of the namespace kills the namespace."""
        if self.proc.poll() is None:
            for p in children(self.proc.pid, recursive=True) + [self.proc]:
                try:
                    p.kill()
                except psutil.NoSuchProcess:
                    pass
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                pass
        self.proc.stdout.close()
        self.err.close()


def children(pid, recursive=False):
    try:
        return psutil.Process(pid).children(recursive=recursive)
    except psutil.NoSuchProcess:
        return []


def only_child(run):
    kids = [p.pid for p in children(run.proc.pid)]
    if len(kids) != 1:
        raise run.fail(f"expected one child of pid {run.proc.pid}, found {kids}")
    return kids[0]


def vmhwm_kib(pid):
    # psutil has no peak resident set (VmHWM) on Linux, only the current one.
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))


def cpu_ns(pid):
    """CPU time the process has used itself, in ns: schedstat counts in ns, where psutil's
    cpu_times (from /proc/PID/stat) count in clock ticks, 10 ms."""
    with open(f"/proc/{pid}/schedstat") as f:
        return int(f.read().split()[0])


def smaps_kib(pid):
    """Resident KiB of each kind of mapping of pid: the program file (its text, data and
    read-only data), anonymous memory (its .bss and heap), [stack], [vdso] and the like."""
    out = {}
    for m in psutil.Process(pid).memory_maps(grouped=True):
        kind = ("program file" if m.path.startswith("/") else
                "anonymous" if m.path in ("", "[anon]") else m.path)
        out[kind] = out.get(kind, 0) + m.rss // 1024
    return out


def pid1(init_argv):
    """Run INIT as PID 1 of a fresh PID namespace (with its own /proc) - what a container gives."""
    return [tool("unshare"), "--fork", "--pid", "--mount-proc"] + init_argv


def rotate(items, n):
    n %= len(items)
    return items[n:] + items[:n]


def display(argv):
    """argv as shown: the program by its name (the supervisor build by the name it ships as)."""
    def program(a):
        return "boxinit-supervisor" if a == BOXINIT_SUPERVISOR else os.path.basename(a)
    return shlex.join([program(a) if i == 0 and os.path.isabs(a) else a
                       for i, a in enumerate(argv)])


def row(name, argv, display, **extra):
    return dict(name=name, argv=argv, display=display, **extra)


def inits():
    """Each init as one would run it as PID 1, with the argv that precedes the command: boxinit,
    the musl builds of the anchors (bench/anchors.sh) and Debian's builds. `not_pid1` is what
    it needs to be a child subreaper when it is not PID 1."""
    musl = lambda name: os.path.join(ANCHOR_BIN, name)
    return [
        dict(name="boxinit", argv=[BOXINIT, "--"], build="boxinit", boxinit=True),
        dict(name="boxinit-supervisor", argv=[BOXINIT_SUPERVISOR, "--"], build="boxinit",
             boxinit=True),
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


def not_pid1(init, cmd):
    """init's argv wrapping cmd outside a PID namespace, where it must ask to be a subreaper."""
    return init["argv"][:1] + init.get("not_pid1", []) + init["argv"][1:] + cmd


# ---------------------------------------------------------------- hyperfine

def check_runs(rows, wrap):
    """Run each command once, so a failure says which one and why instead of a bare status;
    and where a true is on the command line, once more with false instead, which must give
    status 1: the command did run, and its status came back."""
    false = {TRUE: FALSE, STATIC_TRUE: STATIC_FALSE}
    for r in rows:
        runs = [(r["argv"], 0)]
        if any(a in false for a in r["argv"]):
            runs.append(([false.get(a, a) for a in r["argv"]], 1))
        for argv, want in runs:
            p = quiet(wrap + argv, cwd=REPO)
            if p.returncode != want:
                raise BenchError(f"{r['name']}: exit status {p.returncode}, not {want}\n"
                                 f"  command: {shlex.join(wrap + argv)}\n"
                                 f"  stderr: {p.stderr.strip()!r}")


def hyperfine(rows, p, kind, work, wrap=(), rounds=None):
    """Time each row's argv with hyperfine -N, with the runs, warm-up and rounds of `kind`
    (start or container); adds the pooled 'times' (s) and each round's median to each row."""
    wrap, rounds = list(wrap), rounds or p[f"{kind}_rounds"]
    check_runs(rows, wrap)
    for r in rows:
        r["times"], r["round_medians"] = [], []
    out = os.path.join(work, "hyperfine.json")
    for rnd in range(rounds):
        argv = [tool("hyperfine"), "-N", "--style", "none", "--warmup",
                str(p[f"{kind}_warmup"]), "--runs", str(p[f"{kind}_runs"]), "--export-json", out]
        for r in rotate(rows, rnd):
            argv += ["-n", r["name"], shlex.join(r["argv"])]
        log(f"  round {rnd + 1}/{rounds}: {len(rows)} commands x {p[f'{kind}_runs']} runs")
        # Its output is only its warnings about outliers (the rounds and medians deal with
        # those): show it only when it fails.
        h = quiet(wrap + argv, cwd=REPO)
        if h.returncode != 0:
            raise BenchError(f"hyperfine failed (status {h.returncode}):\n"
                             f"{h.stdout.strip()}\n{h.stderr.strip()}")
        with open(out) as f:
            results = {res["command"]: res["times"] for res in json.load(f)["results"]}
        os.unlink(out)
        for r in rows:
            r["times"] += results[r["name"]]
            r["round_medians"].append(statistics.median(results[r["name"]]))
    return rows


# ---------------------------------------------------------------- 1. supervisor start

def bench_start(p, work):
    """Every init wrapping the static `true` and the host's /bin/true, next to each alone and
    under the floor; the same pinned to one CPU; the floor step by step; then one start
    under strace and perf stat."""
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
            # outside a container.
            argv = not_pid1(i, [cmd])
            rows.append(row(f"{cmd_name}: {i['name']}", argv, display(argv), init=i["name"],
                            command=cmd_name, build=i["build"], boxinit=i.get("boxinit", False)))
    hyperfine(rows, p, "start", work)
    floor = row("floor", [FLOOR, STATIC_TRUE], "floor true", floor=True)
    box = row("boxinit", [BOXINIT, "--", STATIC_TRUE], "boxinit -- true", boxinit=True)
    pinned = [row("alone", [STATIC_TRUE], "true", baseline=True), dict(floor), dict(box)]
    log("  the same on one CPU (taskset -c 0)")
    hyperfine(pinned, p, "start", work, wrap=(tool("taskset"), "-c", "0"),
              rounds=max(1, p["start_rounds"] // 2))
    steps = [dict(floor)] + [
        row(f"floor+{step}", [f"{FLOOR}+{step}", STATIC_TRUE], what) for step, what in (
            ("subreaper", "+ becomes a child subreaper"),
            ("pgrp", "+ a process group for the command"),
            ("sigwait", "+ all signals blocked, waits for SIGCHLD by sigwaitinfo"),
            ("all", "+ all three"))] + [dict(box)]
    log("  the floor step by step")
    hyperfine(steps, p, "start", work)
    log("  anatomy: strace -f and perf stat of one start")
    subjects = [dict(name="floor", argv=[FLOOR])] + [
        i for i in inits() if i.get("boxinit") or i["build"] == "musl"]
    anatomy = []
    for s in subjects:
        argv = not_pid1(s, [STATIC_TRUE])
        anatomy.append(dict(name=s["name"], display=display(argv),
                            boxinit=s.get("boxinit", False), floor=s["name"] == "floor",
                            syscalls=syscalls_of(argv), perf=perf_stat(argv, p["anatomy_runs"])))
    return dict(rows=rows, pinned=pinned, steps=steps, anatomy=anatomy)


def syscalls_of(argv):
    """The system calls of argv's process and of its children up to their execve, in order,
    as [(role, name)], role "init" or "child"."""
    with tempfile.NamedTemporaryFile(mode="r") as trace:
        subprocess.run([tool("strace"), "-f", "-qq", "-o", trace.name] + argv, check=True,
                       stdin=subprocess.DEVNULL, capture_output=True)
        lines = trace.read().splitlines()
    first = lines[0].split()[0]
    calls, exec_seen = [], set()
    for line in lines:
        pid, rest = line.split(None, 1)
        if rest.startswith(("<...", "+++", "---")):
            continue
        name = rest.split("(", 1)[0]
        if pid == first:
            if not (name == "execve" and not calls):  # the init's own exec, in every row
                calls.append(("init", name))
        elif pid not in exec_seen:
            calls.append(("child", name))
            if name == "execve":
                exec_seen.add(pid)
    return calls


def perf_counts(argv, events, **kw):
    """Run `perf stat -x , -e EVENTS` + argv; the counts it reports, or None without perf or
    when it fails."""
    perf = shutil.which("perf")
    if not perf:
        return None
    r = quiet([perf, "stat", "-x", ",", "-e", ",".join(events)] + argv, **kw)
    return parse_perf(r.stderr, events) if r.returncode == 0 else None


def parse_perf(text, events):
    out = {}
    for f in (line.split(",") for line in text.splitlines()):
        if len(f) > 3 and f[2] in events:
            try:
                out[f[2]] = float(f[0])
            except ValueError:
                return None
    return out or None


def perf_stat(argv, runs):
    """Means over `perf stat -r RUNS` of task-clock (ms), page faults, context switches and
    CPU migrations."""
    return perf_counts(["-r", str(runs), "--"] + argv,
                       ("task-clock", "page-faults", "context-switches", "cpu-migrations"))


# ---------------------------------------------------------------- 2. container start

def hybrid_cgroups():
    """True when a cgroup2 mount sits at /sys/fs/cgroup/unified next to v1 hierarchies, which
    crun 1.8 refuses ("cgroups in hybrid mode not supported")."""
    return any(m.mountpoint == UNIFIED and m.fstype == "cgroup2"
               for m in psutil.disk_partitions(all=True))


def make_bundles(rootfs, work):
    """Two OCI bundles for the same rootfs: `runc spec` as generated (network namespace left
    out, so the namespaces are boxinit's), and a minimal one that asks for what boxinit does
    and no more (those namespaces, a writable root, /proc, no masked or read-only paths)."""
    bundles = {}
    for kind in ("spec", "minimal"):
        b = bundles[kind] = os.path.join(work, f"bundle-{kind}")
        shutil.rmtree(b, ignore_errors=True)
        os.makedirs(b)
        subprocess.run([tool("runc"), "spec", "--bundle", b], check=True)
        with open(os.path.join(b, "config.json")) as f:
            c = json.load(f)
        c["process"].update(terminal=False, args=[TRUE])
        c["root"]["path"] = rootfs
        c["linux"]["namespaces"] = [{"type": t} for t in ("pid", "ipc", "uts", "mount")]
        if kind == "minimal":
            c["root"]["readonly"] = False
            c["mounts"] = [m for m in c["mounts"] if m["destination"] == "/proc"]
            c["linux"].pop("maskedPaths", None)
            c["linux"].pop("readonlyPaths", None)
        with open(os.path.join(b, "config.json"), "w") as f:
            json.dump(c, f, indent=1)
    return bundles


def unshare_row(name, R, extra=(), **kw):
    flags = ["--fork", "--pid", "--mount", "--uts", "--ipc", *extra]
    return row(name, [tool("unshare")] + flags + [f"--root={R}", "--mount-proc", TRUE],
               "unshare " + " ".join(flags) + " --root=R --mount-proc /bin/true", **kw)


def box_row(name, R, flags=(), **kw):
    return row(name, [BOXINIT, *flags, "--rootfs", R, "--", TRUE],
               " ".join(["boxinit", *flags, "--rootfs R -- /bin/true"]), **kw)


def bench_container(p, work, rootfs, state):
    log("2/8 container start")
    bundles = make_bundles(rootfs, work)
    tag = f"boxinit-bench-{os.getpid()}"
    ids = []

    def engine_run(name, kind, suffix=""):
        cid = f"{tag}-{name}-{kind}{suffix}"
        ids.append((tool(name), state[name], cid))
        return [tool(name), "--root", state[name], "run", "--bundle", bundles[kind], cid]

    # With hybrid cgroups crun needs the cgroup2 mount out of its sight. The fair way: run
    # hyperfine itself (so every command alike) in a private mount namespace where that mount
    # is replaced by a tmpfs; crun then runs directly. The workaround row runs crun the way
    # one would from the host - in its own `unshare -m`, after a real umount - so its extra
    # cost shows next to crun alone. It unmounts a second tmpfs stacked on the first: crun
    # (legacy mode) makes a directory for each container under unified/ and, that being no
    # cgroupfs, cannot remove it; here those land in the throwaway tmpfs.
    hybrid, wrap = hybrid_cgroups(), []
    if hybrid:
        tmpfs = f"mount -t tmpfs -o mode=755,size=16m boxinit-bench {UNIFIED}"
        setup = f"umount {UNIFIED} && {tmpfs} && {tmpfs} && exec \"$@\""
        wrap = [tool("unshare"), "--mount", "--propagation", "private", "sh", "-c", setup, "sh"]
    R = rootfs
    rows = [box_row("boxinit --rootfs", R, boxinit=True),
            unshare_row("unshare(1)", R, baseline=True),
            row("bwrap", [tool("bwrap"), "--unshare-pid", "--unshare-ipc", "--unshare-uts",
                          "--bind", R, "/", "--proc", "/proc", TRUE],
                "bwrap --unshare-pid --unshare-ipc --unshare-uts --bind R / --proc /proc "
                "/bin/true")]
    for name in ("crun", "runc"):
        for kind, label in (("minimal", "minimal config"), ("spec", "runc spec config")):
            rows.append(row(f"{name} run ({label})", engine_run(name, kind),
                            f"{name} run, bundle: {label}"))
        if name == "crun" and hybrid:
            script = f"umount {UNIFIED} && exec {shlex.join(engine_run(name, 'spec', '-wa'))}"
            rows.append(row("crun run (spec) + workaround", [tool("unshare"), "-m", "sh", "-c",
                                                             script],
                            f"unshare -m sh -c 'umount {UNIFIED} && exec crun run ...', "
                            "bundle: runc spec config"))
    try:
        hyperfine(rows, p, "container", work, wrap)
    finally:
        delete_containers(ids, tag)
    log("  container start, step by step")
    steps = [unshare_row("unshare(1)", R, baseline=True),
             box_row("boxinit --chroot --no-dev", R, ("--chroot", "--no-dev")),
             box_row("boxinit --no-dev", R, ("--no-dev",)),
             box_row("boxinit", R, boxinit=True)]
    hyperfine(steps, p, "container", work, wrap)
    kind_of = {name: kind for kind, names in CALL_KINDS.items() for name in names.split()}
    for s in steps:
        s["calls"] = {}
        for _, name in syscalls_of(s["argv"]):
            kind = kind_of.get(name, "other")
            s["calls"][kind] = s["calls"].get(kind, 0) + 1
    return dict(baseline="unshare(1)", rows=rows, hybrid=hybrid, steps=steps)


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


def delete_containers(ids, tag):
    """Delete any container left by an interrupted run, and any v1 cgroup left with it."""
    for exe, root, cid in ids:
        quiet([exe, "--root", root, "delete", "--force", cid])
    base = os.path.dirname(UNIFIED)
    for hierarchy in sorted(os.listdir(base)):
        path = os.path.join(base, hierarchy)
        if not os.path.isdir(path) or path == UNIFIED:
            continue
        for name in (n for n in os.listdir(path) if n.startswith(tag)):
            try:
                os.rmdir(os.path.join(path, name))
                log(f"  removed a cgroup left behind: {path}/{name}")
            except OSError as e:
                log(f"  WARNING: cannot remove {path}/{name}: {e}")


def bench_container_all(p, work, rootfs):
    log("2b/8 container start, all namespaces")
    R, bwrap = rootfs, tool("bwrap")
    bw = [bwrap, "--unshare-all", "--bind", R, "/", "--proc", "/proc"]
    rows = [
        box_row("boxinit --unshare all", R, ("--unshare", "all"), boxinit=True),
        unshare_row("unshare(1) all", R, ("--net", "--cgroup", "--time"), baseline=True),
        row("bwrap --unshare-all", bw + ["--dev", "/dev", TRUE],
            "bwrap --unshare-all --bind R / --proc /proc --dev /dev /bin/true "
            "(user ipc pid net uts cgroup; a new /dev)"),
        row("bwrap --unshare-all, no /dev", bw + [TRUE],
            "bwrap --unshare-all --bind R / --proc /proc /bin/true"),
    ]
    rows[0]["display"] += " (mnt uts ipc pid net cgroup time)"
    hyperfine(rows, p, "container", work)
    return dict(baseline="unshare(1) all", rows=rows)


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
                line = run.expect("zombies=", timeout=300, prefix=True)
                t1 = time.perf_counter()
                init = only_child(run)
                r["cpu_ns"].append(cpu_ns(init))
                r["zombies"].append(int(line.split("=")[1]))
                r["wall"].append(t1 - t0)
                run.stop(init)
            finally:
                run.kill()
            log(f"  {r['name']}: {t1 - t0:.3f} s, {line}")
    counted = []
    if shutil.which("perf"):
        log("  once more each, counting the init's own system calls (perf stat -p)")
        for r in rows:
            r["counts"] = reap_counts(r, n)
        # dumb-init puts its command in a session of its own, unlike the others; -c does not.
        single = dict(name="dumb-init (musl, -Os) -c", build="musl",
                      argv=[os.path.join(ANCHOR_BIN, "dumb-init"), "-c", "--"])
        single["counts"] = reap_counts(single, n)
        counted.append(single)
    return dict(orphans=n, rows=rows, counted=counted, subreaper=subreaper_check())


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
        perf = subprocess.Popen([tool("perf"), "stat", "-x", ",", "-e", ",".join(REAP_EVENTS),
                                 "-p", str(kids[0].pid)], stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        run.expect("zombies=", timeout=300, prefix=True)
        perf.send_signal(signal.SIGINT)
        err = perf.communicate(timeout=10)[1]
        run.stop(kids[0].pid)
    finally:
        if perf and perf.poll() is None:
            perf.kill()
            perf.wait()
        run.kill()
    counts = {k: int(v) for k, v in (parse_perf(err, REAP_EVENTS) or {}).items()}
    log(f"    {r['name']}: {counts}")
    return counts


def set_subreaper(on):
    PR_SET_CHILD_SUBREAPER = 36  # psutil cannot set it; prctl(2) through libc
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, int(on), 0, 0, 0) != 0:
        raise BenchError(f"prctl(PR_SET_CHILD_SUBREAPER): errno {ctypes.get_errno()}")


def subreaper_check():
    """Not PID 1 (run as a plain child): does an orphan of the command come to the init, or
    past it? The harness is a subreaper meanwhile, so an orphan that passes the init comes to
    the harness, which reaps it (nothing is left to the host's init)."""
    log("  as a plain child (not PID 1): who gets the orphans?")
    cases = []
    for i in inits():
        cases.append((i["name"], i["argv"]))
        if i.get("not_pid1"):
            cases.append((f"{i['name']} {' '.join(i['not_pid1'])}", not_pid1(i, [])))
    script = f'({shlex.quote(PROBE)} sleep & echo $!); exec {shlex.quote(PROBE)} sleep'
    out = []
    set_subreaper(True)
    try:
        for name, argv in cases:
            run = Run(argv + ["/bin/sh", "-c", script], f"orphan check under {name}")
            try:
                orphan = psutil.Process(int(run.readline()))
                # When the subshell has exited, the orphan's parent is the init (a subreaper)
                # or, past it, the harness.
                deadline = time.monotonic() + 5
                while (parent := orphan.ppid()) not in (run.proc.pid, os.getpid()):
                    if time.monotonic() > deadline:
                        raise run.fail(f"orphan {orphan.pid} still has parent {parent}")
                    time.sleep(0.005)
                orphan.kill()
                if parent == os.getpid():
                    os.waitpid(orphan.pid, 0)
                run.stop(run.proc.pid)
            finally:
                run.kill()
            out.append(dict(name=name, display=display(argv + ["CMD"]),
                            reaps=parent == run.proc.pid))
            log(f"    {name}: orphans go {'to the init' if out[-1]['reaps'] else 'past it'}")
    finally:
        set_subreaper(False)
    return out


# ---------------------------------------------------------------- 4. peak RSS, 6. signals

def waiting_inits(rootfs, with_none=False):
    """The rows of the tables where each init, as PID 1, runs `probe signals`: the inits, and
    boxinit --rootfs (the probe copied into the rootfs); with_none: the probe alone first."""
    rows = inits() + [dict(name="boxinit --rootfs", container=True, rootfs=rootfs,
                           build="boxinit", boxinit=True)]
    if with_none:
        rows.insert(0, dict(name="no init", argv=[], baseline=True))
    for r in rows:
        r["display"] = ("boxinit --rootfs R -- /bin/probe signals" if r.get("container") else
                        f"unshare --fork --pid --mount-proc {display(r['argv'])} probe signals"
                        .replace("  ", " "))
    return rows


def under_each(rows, rounds, measure):
    """For each round and each row (the order rotating), start the row's init with `probe
    signals` as its command and call measure(row, run, pids) once it is ready; pids are the
    host pids to read or signal: pid1 (the PID 1 inside), signal (where signals go), and
    for boxinit --rootfs outer (boxinit outside); then stop it by SIGTERM (the probe exits 0)."""
    for rnd in range(rounds):
        for r in rotate(rows, rnd):
            if r.get("container"):
                run = Run([BOXINIT, "--rootfs", r["rootfs"], "--", "/bin/probe", "signals"],
                          r["name"])
            else:
                run = Run(pid1(r["argv"]) + [PROBE, "signals"], r["name"])
            try:
                run.expect("ready")
                pids = dict(pid1=only_child(run), outer=run.proc.pid)
                pids["signal"] = pids["outer" if r.get("container") else "pid1"]
                measure(r, rnd, run, pids)
                run.stop(pids["signal"], want=0)
            finally:
                run.kill()


def bench_rss(p, rootfs):
    log("4/8 peak RSS (VmHWM) of each init as PID 1 while its child waits")
    rows = waiting_inits(rootfs)
    for r in rows:
        r["vmhwm_kib"], r["outer_vmhwm_kib"] = [], []

    def measure(r, rnd, run, pids):
        time.sleep(0.05)  # let the init settle into its wait
        r["vmhwm_kib"].append(vmhwm_kib(pids["pid1"]))
        if rnd == 0:
            r["smaps"] = smaps_kib(pids["pid1"])
        if r.get("container"):
            r["outer_vmhwm_kib"].append(vmhwm_kib(pids["outer"]))

    under_each(rows, p["rss_rounds"], measure)
    for r in rows:
        log(f"  {r['name']}: " + ", ".join(f"{k} KiB" for k in r["vmhwm_kib"]))
    return dict(rows=rows)


def bench_signals(p, rootfs):
    n = p["signals"]
    log(f"6/8 signal round trip, {n} x SIGUSR1")
    rows = waiting_inits(rootfs, with_none=True)
    for r in rows:
        r["totals"] = []
        r["display"] += (" (signal to boxinit outside)" if r.get("container") else
                         " (signal to probe)" if not r["argv"] else "")
    usr1 = f"signal {int(signal.SIGUSR1)}"

    def measure(r, rnd, run, pids):
        t0 = time.perf_counter()
        for _ in range(n):
            os.kill(pids["signal"], signal.SIGUSR1)
            run.expect(usr1, timeout=5)
        r["totals"].append(time.perf_counter() - t0)

    under_each(rows, p["signal_rounds"], measure)
    for r in rows:
        log(f"  {r['name']}: " + ", ".join(f"{t * 1e3:.0f} ms" for t in r["totals"]))
    return dict(count=n, baseline="no init", rows=rows)


# ---------------------------------------------------------------- 5. sizes

def bench_size():
    log("5/8 stripped sizes")
    rows = []
    for i in inits():
        path = i["argv"][0]
        with tempfile.TemporaryDirectory() as tmp:
            copy = os.path.join(tmp, "bin")
            shutil.copyfile(path, copy)
            subprocess.run([tool("strip"), "--strip-all", copy], check=True)
            stripped = os.path.getsize(copy)
        # Dynamic: the ELF file asks for an interpreter (a PT_INTERP program header).
        headers = quiet([tool("readelf"), "-lW", path], check=True).stdout
        rows.append(dict(name=i["name"], path=path, installed=os.path.getsize(path),
                         stripped=stripped, build=i["build"], boxinit=i.get("boxinit", False),
                         linkage="dynamic" if " INTERP " in headers else "static"))
        log(f"  {i['name']}: {stripped} bytes stripped ({rows[-1]['linkage']})")
    # The ceilings bench/size-check.sh enforces for each build.
    return dict(rows=rows, ceilings={"boxinit": 73728, "boxinit-supervisor": 24576})


# ---------------------------------------------------------------- 7. rootless

def as_nobody():
    return [tool("setpriv"), f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--"]


def bench_rootless(p, rootfs):
    """Container start as an unprivileged user: boxinit with a user namespace against
    `unshare -r` and `bwrap --unshare-all`, all with the same rootfs and a fresh /proc."""
    log("7/8 rootless container start (as nobody)")
    if quiet(as_nobody() + ["test", "-x", os.path.join(rootfs, "bin", "true")]).returncode == 0:
        return rootless_in(p, rootfs)
    # The repository is out of nobody's reach (under /root, say): a copy of the rootfs in a
    # directory nobody can walk into.
    with tempfile.TemporaryDirectory(prefix="boxinit-bench-") as tmp:
        os.chmod(tmp, 0o755)
        subprocess.run(["cp", "-a", rootfs, os.path.join(tmp, "rootfs")], check=True)
        return rootless_in(p, os.path.join(tmp, "rootfs"))


def rootless_in(p, R):
    box = box_row("boxinit --unshare user,...", R, ("--unshare", "user,mnt,uts,ipc,pid"),
                  boxinit=True)
    r = quiet(as_nobody() + box["argv"], cwd="/")
    if r.returncode != 0:
        why = (f"`{box['display']}` as nobody fails (status {r.returncode}: "
               f"{r.stderr.strip() or 'no message'})")
        log(f"  skipped: {why}")
        return dict(skipped=why)
    flags = ["--fork", "--pid", "--mount", "--uts", "--ipc"]
    rows = [box,
            row("unshare -r", [tool("unshare"), "-r"] + flags + [f"--root={R}", "--mount-proc",
                                                                 TRUE],
                f"unshare -r {' '.join(flags)} --root=R --mount-proc /bin/true", baseline=True),
            row("bwrap --unshare-all", [tool("bwrap"), "--unshare-all", "--bind", R, "/",
                                        "--proc", "/proc", TRUE],
                "bwrap --unshare-all --bind R / --proc /proc /bin/true")]
    with tempfile.TemporaryDirectory() as tmp:
        os.chown(tmp, NOBODY, NOBODY)
        hyperfine(rows, p, "container", tmp, wrap=as_nobody())
    return dict(baseline="unshare -r", rows=rows)


# ---------------------------------------------------------------- 8. boot

# The kernel's console at info level, each line with its printk time (the `quiet` that
# image/boot.sh passes would hide "Run /init as init process").
BOOT_APPEND = "printk.time=1 loglevel=7"
# The serial log's lines the boot benchmark times, in the order they come.
BOOT_EVENTS = (("init", "Run /init as init process"), ("start", "bench: command starts"),
               ("end", "bench: command ends"), ("off", "reboot: Power down"))


def bench_boot(p, work):
    """Boots under qemu (TCG) with boxinit as /init and with a busybox script as /init, timed
    by the kernel's own printk times on the serial log; the command is bench/c/mark.c."""
    log("8/8 boot")
    missing = [what for what, ok in (
        ("qemu-system-x86_64", shutil.which("qemu-system-x86_64")),
        ("a kernel in /boot (linux-image-amd64)",
         any(n.startswith("vmlinuz-") for n in os.listdir("/boot"))),
        ("cpio", shutil.which("cpio")),
        ("the static mark (bench/anchors.sh)", os.path.exists(MARK))) if not ok]
    if missing:
        log(f"  skipped: missing {', '.join(missing)}")
        return dict(skipped="missing " + ", ".join(missing))
    d = os.path.join(work, "boot")
    # The command goes in as a second archive after the initramfs's own: the kernel unpacks
    # concatenated archives in turn.
    mark_root = os.path.join(d, "mark-root")
    shutil.rmtree(mark_root, ignore_errors=True)
    os.makedirs(os.path.join(mark_root, "bin"))
    shutil.copy(MARK, os.path.join(mark_root, "bin", "mark"))
    mark_cpio = subprocess.run("find bin | cpio --quiet -o -H newc -R 0:0 | gzip -6", shell=True,
                               cwd=mark_root, check=True, capture_output=True).stdout
    images = {}
    for init in ("boxinit", "busybox"):
        images[init] = os.path.join(d, f"initramfs-{init}.gz")
        env = dict(os.environ, INIT=init, BOXINIT_BIN=BOXINIT, ARCH="x86_64")
        r = quiet(["sh", "image/initramfs.sh", images[init]], cwd=REPO, env=env)
        if r.returncode != 0:
            raise BenchError(f"image/initramfs.sh (INIT={init}) failed: {r.stderr.strip()}")
        with open(images[init], "ab") as f:
            f.write(mark_cpio)
    rows = [dict(name="boxinit", boxinit=True, display="boxinit as /init"),
            dict(name="busybox", display="busybox sh as /init (image/busybox-init.sh)")]
    for r in rows:
        r.update(kernel=[], to_command=[], command=[], to_poweroff=[], wall=[])
    for i in range(p["boot_runs"]):
        # The order alternates, so a slow spell of the machine is shared.
        for r in (rows if i % 2 == 0 else rows[::-1]):
            t = boot_once(images[r["name"]])
            for key, a, b in (("kernel", None, "init"), ("to_command", "init", "start"),
                              ("command", "start", "end"), ("to_poweroff", "end", "off")):
                r[key].append(t[b] - (t[a] if a else 0))
            r["wall"].append(t["wall"])
            log(f"  {r['name']}: init -> command {r['to_command'][-1] * 1e3:.1f} ms, "
                f"command -> power-off {r['to_poweroff'][-1] * 1e3:.1f} ms "
                f"(kernel {t['init']:.2f} s, wall {t['wall']:.1f} s)")
    return dict(rows=rows, append=BOOT_APPEND, command="/bin/mark")


def boot_once(image):
    """One boot by image/boot.sh: the printk time of each of BOOT_EVENTS, and the wall time."""
    env = dict(os.environ, INITRAMFS=image, APPEND=BOOT_APPEND, ARCH="x86_64")
    t0 = time.perf_counter()
    r = quiet(["sh", "image/boot.sh", "--", "/bin/mark"], cwd=REPO, env=env, timeout=300)
    times = dict(wall=time.perf_counter() - t0)
    serial = r.stdout.replace("\r", "").splitlines()
    tail = "\n".join(serial[-15:])
    if r.returncode != 0:
        raise BenchError(f"boot of {os.path.basename(image)} failed (status {r.returncode}): "
                         f"{r.stderr.strip()}\n{tail}")
    for line in serial:
        # "[    5.237253] Run /init as init process": seconds since the kernel started.
        if line.startswith("[") and "]" in line:
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
    # psutil has no CPU model name; /proc/cpuinfo and os-release say it.
    with open("/proc/cpuinfo") as f:
        cpu = next((line.split(":", 1)[1].strip() for line in f
                    if line.startswith("model name")), "?")
    try:
        with open("/etc/os-release") as f:
            os_name = next((line.split("=", 1)[1].strip().strip('"') for line in f
                            if line.startswith("PRETTY_NAME=")), "?")
    except OSError:
        os_name = "?"
    return dict(kernel=os.uname().release, arch=os.uname().machine, cpu=cpu,
                cores=psutil.cpu_count(), mem_kib=psutil.virtual_memory().total // 1024,
                os=os_name, loadavg_start=psutil.getloadavg())


def versions():
    out = {cmd: quiet(["dpkg-query", "-W", "-f", "${Version}", pkg]).stdout.strip() or "?"
           for cmd, pkg in PACKAGES.items()}
    git = lambda *args: quiet(["git", "-C", REPO, *args]).stdout.strip()
    dirty = git("status", "--porcelain", "--", "src", "Cargo.toml", ".cargo")
    out["boxinit"] = (git("rev-parse", "--short", "HEAD") or "?") + (
        " + uncommitted changes in src/" if dirty else "")
    try:
        with open(os.path.join(os.path.dirname(ANCHOR_BIN), "versions")) as f:
            out["musl builds"] = ", ".join(line.strip() for line in f if line.strip())
    except OSError:
        out["musl builds"] = "?"
    out["rustc"] = quiet(["rustc", "--version"], cwd=REPO).stdout.strip()
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
    state_dir = os.path.join(work, "state")
    state = dict(runc=os.path.join(state_dir, "runc"), crun=os.path.join(state_dir, "crun"))
    sections = dict(
        start=lambda: bench_start(p, work),
        container=lambda: bench_container(p, work, rootfs, state),
        container_all=lambda: bench_container_all(p, work, rootfs),
        reap=lambda: bench_reap(p), rss=lambda: bench_rss(p, rootfs), size=bench_size,
        signals=lambda: bench_signals(p, rootfs), rootless=lambda: bench_rootless(p, rootfs),
        boot=lambda: bench_boot(p, work))
    only = set(filter(None, a.only.split(","))) or set(sections)
    t0 = time.monotonic()
    res = dict(mode=a.mode, params=p, machine=machine(), versions=versions(),
               started=datetime.datetime.now(datetime.timezone.utc)
               .isoformat(timespec="seconds"), sections={})
    log(f"{a.mode} run on {res['machine']['cpu']}, {res['machine']['cores']} cores")
    try:
        for name, measure in sections.items():
            if name in only:
                res["sections"][name] = measure()
    except BenchError as e:
        sys.exit(f"bench: FAILED: {e}")
    finally:
        shutil.rmtree(state_dir, ignore_errors=True)
    res["machine"]["loadavg_end"] = psutil.getloadavg()
    res["duration_s"] = round(time.monotonic() - t0, 1)
    results = a.results or os.path.join(work, "results.json")
    with open(results, "w") as f:
        json.dump(res, f, indent=1)
    log(f"measured in {res['duration_s']} s; raw results in {os.path.relpath(results, REPO)}")


if __name__ == "__main__":
    main()
