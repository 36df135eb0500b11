#!/usr/bin/env python3
"""Turn bench/measure.py's results (JSON) into BENCHMARKS.md, the README's numbers block and a
bar chart of the ratios (matplotlib, Debian's python3-matplotlib).

Usage: bench/report.py RESULTS.json --markdown BENCHMARKS.md --chart bench/chart.svg
                       [--readme README.md]
"""

import argparse
import datetime
import os
import statistics
import sys

# ---------------------------------------------------------------- numbers


def median(xs):
    return statistics.median(xs)


def paired_ratio(a, b):
    """The median over rounds of a's median / b's median in the same round: two commands
    measured minutes apart on a shared machine compare worse than within one round."""
    return median([x / y for x, y in zip(a["round_medians"], b["round_medians"])])


def quartiles(xs):
    if len(xs) < 2:
        return xs[0], xs[0]
    q = statistics.quantiles(xs, n=4, method="inclusive")
    return q[0], q[2]


def time_unit(seconds):
    """A unit for a table whose typical time is `seconds`."""
    if seconds < 0.01:
        return 1e6, "µs", 0
    if seconds < 1:
        return 1e3, "ms", 2
    return 1, "s", 3


def fmt_time(x, unit):
    scale, name, digits = unit
    return f"{x * scale:,.{digits}f} {name}"


def fmt_ratio(r):
    return f"{r:.2f}x"


def pct(ratio):
    """A ratio as a signed percentage: 1.034 -> '+3.4%'."""
    return f"{(ratio - 1) * 100:+.1f}%"


def bold(label, r):
    return f"**{label}**" if r.get("boxinit") else label


def group(n):
    return f"{n:,}"


def rounds(n):
    return "1 round" if n == 1 else f"{n} rounds"


def runs(n):
    return "1 run" if n == 1 else f"{n} runs"


# ---------------------------------------------------------------- sections

class Report:
    def __init__(self, res):
        self.res = res
        self.s = res["sections"]
        self.md = []
        self.panels = []  # (title, [(label, value, text, kind)], baseline_at_1)
        self.targets = []
        self.misses = []

    def out(self, *lines):
        self.md.extend(lines)

    # -- hyperfine tables (sections 1, 2, 2b)

    def timing_table(self, sec, title, what, chart_title, ratio_name):
        rows = sec["rows"]
        base = next(r for r in rows if r.get("baseline"))
        base_med = median(base["times"])
        unit = time_unit(base_med)
        p = self.res["params"]
        self.out(f"## {title}", "", what, "")
        for note in sec.get("notes", []):
            self.out(f"Note: {note}.", "")
        self.out(f"| command | median | middle half (p25–p75) | runs | {ratio_name} |",
                 "| --- | ---: | ---: | ---: | ---: |")
        bars = []
        for r in rows:
            med = median(r["times"])
            lo, hi = quartiles(r["times"])
            ratio = med / base_med
            name = f"**{r['display']}**" if r.get("boxinit") else r["display"]
            self.out(f"| {name} | {fmt_time(med, unit)} | {fmt_time(lo, unit)} – "
                     f"{fmt_time(hi, unit)} | {len(r['times'])} | {fmt_ratio(ratio)} |")
            bars.append((r["name"], ratio, fmt_ratio(ratio), kind(r)))
            r["median"], r["ratio"] = med, ratio
        self.out("")
        self.panels.append((chart_title, bars, True))
        return rows

    def start(self):
        sec = self.s.get("start")
        if not sec:
            return
        p = self.res["params"]
        rows = sec["rows"]
        for r in rows:
            r["median"] = median(r["times"])
        cell = {(r["command"], r["init"]): r for r in rows}
        names = [r["init"] for r in rows if r["command"] == "static true"]
        labels = {"alone": "the command alone", "floor": "floor (vfork, exec, wait)"}
        unit = time_unit(cell[("static true", "alone")]["median"])
        self.out(
            "## 1. Supervisor start", "",
            "How long it takes to start an init that starts a command and exits with its "
            "status. Two commands: `true`, a static program that returns 0 (bench/c/true.c, "
            "musl-gcc -static -Os), which costs least to start so that what the init adds "
            "shows, and the host's `/bin/true` (dynamically linked, as most commands are). "
            "Each is measured alone and under the **floor** (bench/c/floor.c: vfork, exec the "
            "command, wait for it, exit with its status — one more exec and nothing else, the "
            "least any init can cost). hyperfine `-N` (no shell), "
            f"{p['start_warmup']} warm-up runs, then {p['start_runs']} runs per command in "
            f"each of {rounds(p['start_rounds'])} (the order of all {len(rows)} commands "
            "rotates from round to round, so a slow spell of the shared machine is spread over "
            "all of them); the medians pool all rounds. *× floor* is paired: the median over "
            "the rounds of each round's ratio, so that a slow spell of the machine between "
            "two commands does not count. No init is PID 1 here, so each one "
            "that can becomes a child subreaper, as it would outside a container: tini gets "
            "`-s` for that (boxinit and catatonit do it by themselves, dumb-init cannot).", "",
            "| init | `true`: median | × `true` | × floor | `/bin/true`: median | × `/bin/true` "
            "| × floor |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        bars = []
        for name in names:
            cells = []
            for cmd in ("static true", "/bin/true"):
                r = cell[(cmd, name)]
                alone = cell[(cmd, "alone")]["median"]
                floor = cell[(cmd, "floor")]["median"]
                r["ratio"], r["to_floor"] = r["median"] / alone, r["median"] / floor
                if "round_medians" in r:
                    r["to_floor"] = paired_ratio(r, cell[(cmd, "floor")])
                cells += [fmt_time(r["median"], unit), fmt_ratio(r["ratio"]),
                          f"{r['to_floor']:.3f}x"]
            r = cell[("static true", name)]
            label = labels.get(name, name)
            self.out(f"| {bold(label, r)} | " + " | ".join(cells) + " |")
            k = "baseline" if r.get("floor") else "other" if r.get("baseline") else kind(r)
            bars.append((label, r["to_floor"], f"{r['to_floor']:.2f}x", k))
        self.out("")
        self.panels.append(("Supervisor start, static true (x the floor)", bars, True))
        box = cell[("static true", "boxinit")]
        musl = [cell[("static true", n)] for n in names if cell[("static true", n)].get("build")
                == "musl"]
        fastest = min(musl, key=lambda r: r["median"])
        pinned = sec.get("pinned")
        if pinned:
            pm = {r["name"]: median(r["times"]) for r in pinned}
            self.out(
                "With hyperfine and everything it starts pinned to one CPU (`taskset -c 0`), "
                "so that no wake-up crosses CPUs: `true` alone "
                f"{fmt_time(pm['alone'], unit)}, under the floor "
                f"{fmt_time(pm['floor'], unit)}, under boxinit {fmt_time(pm['boxinit'], unit)} "
                f"({pm['boxinit'] / pm['floor']:.3f}x the floor).", "")
        self.steps(sec.get("steps"), unit)
        self.anatomy(sec.get("anatomy"))
        why = self.start_why(sec, box)
        self.out(f"In short: {why}", "")
        self.target("Supervisor start", "≤ 1.05x the floor (static `true`)",
                    f"{box['to_floor']:.3f}x ({pct(box['to_floor'])})",
                    box["to_floor"] <= 1.05, why)
        gap = (paired_ratio(box, fastest) if "round_medians" in box
               else box["median"] / fastest["median"])
        self.target("Supervisor start", "ahead of the fastest musl anchor",
                    f"{gap:.3f}x {fastest['init']} ({pct(gap)})", gap < 1, why)

    def start_why(self, sec, box):
        """The measured reasons, in one paragraph: boxinit's gap to the floor in each table of
        this run, what the init steps cost on the floor, and CPU and system calls per start."""
        parts = []
        gaps = [box["to_floor"]]
        steps = sec.get("steps") or []
        by = {r["name"]: r for r in steps}
        if "boxinit" in by and "floor" in by:
            gaps.append(paired_ratio(by["boxinit"], by["floor"]))
        pinned = {r["name"]: median(r["times"]) for r in sec.get("pinned", [])}
        if "boxinit" in pinned:
            gaps.append(pinned["boxinit"] / pinned["floor"])
        parts.append("In the three measurements of this run (the table, the steps, pinned to "
                     "one CPU) boxinit is " + ", ".join(pct(g) for g in gaps) +
                     " over the floor.")
        if "floor+all" in by:
            parts.append("The steps an init needs cost the floor "
                         f"{pct(paired_ratio(by['floor+all'], by['floor']))} together "
                         "(*What each step of an init costs*).")
        anat = {a["name"]: a for a in sec.get("anatomy") or []}
        if "boxinit" in anat and "floor" in anat:
            a, f = anat["boxinit"], anat["floor"]
            if a.get("perf") and f.get("perf"):
                parts.append(f"CPU per start, with `true`: boxinit "
                             f"{a['perf']['task-clock'] * 1e3:.0f} µs, the floor "
                             f"{f['perf']['task-clock'] * 1e3:.0f} µs (perf stat, 10 µs "
                             "resolution, one init after the other: this drifts with the "
                             "machine's load);")
            parts.append(f"system calls: {len(a['syscalls'])} against {len(f['syscalls'])} "
                         "(*Where the start goes*).")
        return " ".join(parts)

    def steps(self, rows, unit):
        if not rows:
            return
        floor = rows[0]
        self.out(
            "### What each step of an init costs", "",
            "The floor built again with one step of a real init each (bench/c/floor.c), and "
            "with all three, next to boxinit, all wrapping `true`; hyperfine as above, these "
            f"{len(rows)} commands rotating among themselves. *× floor* is paired by round.", "",
            "| command | median | × floor | added to the floor |", "| --- | ---: | ---: | ---: |")
        for r in rows:
            med = median(r["times"])
            ratio = paired_ratio(r, floor)
            added = "" if r is floor else f"{(med - median(floor['times'])) * 1e6:+,.0f} µs"
            self.out(f"| {bold(r['display'], r)} | {fmt_time(med, unit)} | {ratio:.3f}x | "
                     f"{added} |")
        self.out("")

    def anatomy(self, subjects):
        if not subjects:
            return
        p = self.res["params"]
        self.out(
            "### Where the start goes", "",
            "Each wrapping `true` once under `strace -f` (the system calls of the init, and of "
            "its child until the exec), and "
            f"{p['anatomy_runs']} times under `perf stat` (means per start, the init and "
            "`true` together; `true`'s share is the same in every row). perf stat runs one "
            "init after the other, not interleaved, so on a shared machine its CPU column "
            "drifts with the load; the system calls are exact. This machine's VM exposes no "
            "hardware counters, so there are no cycles or instructions.", "",
            "| init | system calls: init | child before exec | CPU (task-clock) | page faults "
            "| context switches |", "| --- | ---: | ---: | ---: | ---: | ---: |")
        for a in subjects:
            init = sum(1 for who, _ in a["syscalls"] if who == "init")
            child = sum(1 for who, _ in a["syscalls"] if who == "child")
            pf = a.get("perf") or {}
            cols = [f"{pf['task-clock'] * 1e3:,.0f} µs" if "task-clock" in pf else "?",
                    f"{pf.get('page-faults', 0):.0f}" if pf else "?",
                    f"{pf.get('context-switches', 0):.2f}" if pf else "?"]
            self.out(f"| {bold(a['name'], a)} | {init} | {child} | " + " | ".join(cols) + " |")
        self.out("")
        for a in subjects:
            if a["boxinit"] or a["floor"]:
                calls = ", ".join(f"{n}{'ᶜ' if who == 'child' else ''}"
                                  for who, n in a["syscalls"])
                self.out(f"- {a['name']}: {calls}")
        self.out("", "(ᶜ: in the child, before its exec.) boxinit's calls beyond the floor's "
                 "are what an init needs: the signal mask and SIGCHLD disposition, the "
                 "subreaper bit, whether it holds the terminal, a process group of the "
                 "command's own, chdir, and waiting by signal so that signals can be "
                 "forwarded.", "")

    def container(self):
        sec = self.s.get("container")
        if not sec:
            return
        p = self.res["params"]
        rows = self.timing_table(
            sec, "2. Container start",
            "How long it takes to make a container from the busybox rootfs `R` "
            "(`target/bench/rootfs`), run its `/bin/true` in it and tear it down, with "
            "boxinit's default namespaces (mount, UTS, IPC, PID) and a fresh `/proc`. "
            "unshare(1) with the same namespaces is the baseline; bwrap gets the same "
            "namespaces (it always makes a mount namespace) and a fresh `/proc`. crun and runc "
            "run the same rootfs from two bundles made by `runc spec` with the network "
            "namespace left out: *runc spec config* keeps everything else `runc spec` writes "
            "(read-only root, /proc, a tmpfs /dev with its devices, /dev/pts, /dev/shm, "
            "mqueue, /sys, cgroups mount, masked and read-only paths); *minimal config* has only "
            "what boxinit does (writable root, /proc) — both still make their cgroups, which "
            "they cannot skip. hyperfine `-N`, "
            f"{p['container_warmup']} warm-up runs, then {p['container_runs']} runs per command "
            f"in each of {rounds(p['container_rounds'])}.",
            "Container start, default namespaces (x unshare(1))", "× unshare(1)")
        box = next(r for r in rows if r.get("boxinit"))
        why = self.container_steps(sec.get("steps"))
        self.target("Container start", "≤ 0.65x unshare(1), same namespaces",
                    fmt_ratio(box["ratio"]), box["ratio"] <= 0.65, why)
        others = [r for r in rows if not r.get("boxinit") and not r.get("baseline")]
        fastest = min(others, key=lambda r: r["median"])
        self.target("Container start", "under bwrap (and crun, runc)",
                    f"{box['median'] / fastest['median']:.2f}x the fastest of them "
                    f"({fastest['name']})", box["median"] < fastest["median"])

    def container_steps(self, steps):
        """The table of boxinit's container start step by step, and its system calls by kind;
        returns the measured reason for the container target."""
        if not steps:
            return None
        base = steps[0]
        unit = time_unit(median(base["times"]))
        self.out(
            "### Where the container start goes", "",
            "boxinit's container start without the /dev it makes (`--no-dev`) and also with "
            "chroot instead of pivot_root (`--chroot`), next to its default and unshare(1), "
            "timed together as above (these commands rotating among themselves; *× unshare(1)* "
            "paired by round). Then the system calls of each, from one run under `strace -f` "
            "(the launcher, the init inside, and the command until its exec), by kind.", "",
            "| command | median | × unshare(1) |", "| --- | ---: | ---: |")
        for r in steps:
            self.out(f"| {bold(r['display'], r)} | {fmt_time(median(r['times']), unit)} | "
                     f"{paired_ratio(r, base):.2f}x |")
        kinds = sorted({k for r in steps for k in r["calls"]},
                       key=lambda k: -max(r["calls"].get(k, 0) for r in steps))
        self.out("", "| system calls | " + " | ".join(r["name"] for r in steps) + " |",
                 "| --- |" + " ---: |" * len(steps))
        for k in kinds:
            self.out(f"| {k} | " + " | ".join(str(r["calls"].get(k, 0)) for r in steps) + " |")
        self.out("| **all** | " + " | ".join(str(sum(r["calls"].values())) for r in steps) +
                 " |", "")
        by = {r["name"]: r for r in steps}
        box, bare = by["boxinit"], by["boxinit --chroot --no-dev"]
        nodev = by["boxinit --no-dev"]
        mounts = [r["calls"].get("mounts", 0) for r in (box, base)]
        return (
            f"*Where the container start goes*: boxinit makes {sum(box['calls'].values())} "
            f"system calls to unshare(1)'s {sum(base['calls'].values())}, {mounts[0]} of them "
            f"for mounts (unshare: {mounts[1]}): its /dev (a tmpfs with six device nodes and "
            "five links, a devpts, a tmpfs on /dev/shm; unshare(1) leaves the host's /dev in "
            "sight), /proc made safe as runtimes do (a tmpfs and two /dev/null binds over "
            "sensitive paths, four read-only rebinds), pivot_root with the old root detached; "
            "and the command's capability bounding set, cut to a runtime's default set (one "
            "prctl per capability dropped). "
            f"Without /dev it is {paired_ratio(nodev, base):.2f}x unshare(1), and with chroot "
            f"as unshare(1) does {paired_ratio(bare, base):.2f}x: what is left of the gap is "
            "the work it does that unshare(1) does not.")

    def container_all(self):
        sec = self.s.get("container_all")
        if not sec:
            return
        p = self.res["params"]
        rows = self.timing_table(
            sec, "2b. Container start, all namespaces",
            "As above, with every namespace boxinit knows (`--unshare all`: mount, UTS, IPC, "
            "PID, network, cgroup, time), against unshare(1) with the same seven and "
            "`bwrap --unshare-all` (user, IPC, PID, network, UTS, cgroup: a user namespace "
            "instead of a time namespace), once with the `--dev /dev` it is usually given and "
            "once without (boxinit makes no /dev). Same hyperfine settings.",
            "Container start, all namespaces (x unshare(1))", "× unshare(1), all")
        box = next(r for r in rows if r.get("boxinit"))
        bw = next(r for r in rows if r["name"] == "bwrap --unshare-all")
        self.target("Container start, all namespaces", "under `bwrap --unshare-all`",
                    f"{box['median'] / bw['median']:.2f}x bwrap", box["median"] < bw["median"])

    # -- reaping

    def reap(self):
        sec = self.s.get("reap")
        if not sec:
            return
        n = sec["orphans"]
        rows = sec["rows"]
        p = self.res["params"]
        anchors = [r for r in rows if not r.get("boxinit")]
        for r in rows:
            r["median"] = median(r["wall"])
        fastest = min(anchors, key=lambda r: r["median"])
        unit = time_unit(fastest["median"])
        self.out(
            "## 3. Reaping", "",
            f"Each init runs as PID 1 of a fresh PID namespace (`unshare --fork --pid "
            f"--mount-proc INIT -- probe orphans {group(n)} --then sleep`), so all are compared "
            f"alike. The probe makes {group(n)} orphans (a child that forks a grandchild and "
            "exits at once; the grandchild exits at once too), then waits until none of them "
            "is left unreaped under PID 1 and prints how many are (it gives up after 20 s). "
            "*Wall time* runs from starting unshare to that line; most of it is the probe's "
            "own forking, the same for all. *Init CPU* is the CPU time the init itself has "
            "used by then (from `/proc/PID/schedstat`), which is mostly reaping. "
            f"{rounds(p['reap_rounds']).capitalize()}, the order rotating.", "",
            "| init | wall time, median | min – max | × fastest anchor | init CPU, median | "
            "zombies left (worst) |",
            "| --- | ---: | ---: | ---: | ---: | ---: |")
        bars = []
        for r in rows:
            ratio = r["median"] / fastest["median"]
            r["ratio"] = ratio
            name = f"**{r['name']}**" if r.get("boxinit") else r["name"]
            self.out(f"| {name} | {fmt_time(r['median'], unit)} | "
                     f"{fmt_time(min(r['wall']), unit)} – {fmt_time(max(r['wall']), unit)} | "
                     f"{fmt_ratio(ratio)} | {median(r['cpu_ns']) / 1e6:.1f} ms | "
                     f"{max(r['zombies'])} |")
            bars.append((r["name"], ratio, fmt_ratio(ratio),
                         "baseline" if r is fastest else kind(r)))
        self.out("", f"The fastest anchor in this run: {fastest['name']}.", "")
        self.reap_counts(rows + sec.get("counted", []), n)
        self.panels.append((f"Reaping {group(n)} orphans, wall time (x fastest anchor)", bars,
                            True))
        box = next(r for r in rows if r.get("boxinit"))
        # Judged on the init's own CPU time: the wall time is mostly the probe's forking,
        # the same for every init, and its spread from run to run is wider than their gaps.
        cpu = {r["name"]: median(r["cpu_ns"]) for r in rows}
        leanest = min(anchors, key=lambda r: cpu[r["name"]])
        cpu_ratio = cpu[box["name"]] / cpu[leanest["name"]]
        self.out(f"The init that spent least CPU reaping, of the anchors: {leanest['name']} "
                 f"({cpu[leanest['name']] / 1e6:.1f} ms); boxinit spent "
                 f"{fmt_ratio(cpu_ratio)} of that.", "")
        self.target(f"Reaping {group(n)} orphans", "init CPU ≤ the leanest anchor's",
                    f"{fmt_ratio(cpu_ratio)} {leanest['name']} (wall time "
                    f"{fmt_ratio(box['ratio'])} {fastest['name']})", cpu_ratio <= 1.0,
                    self.reap_why(box, leanest, n, sec.get("counted", [])))
        self.target("Zombies left", "0", str(max(box["zombies"])), max(box["zombies"]) == 0)
        sub = sec.get("subreaper", [])
        if sub:
            self.out(
                "Not as PID 1 (run as a plain child, where only a child subreaper gets the "
                "orphans of its command): the command is a shell whose subshell starts a "
                "process and exits; the table says whether that orphan was reparented to the "
                "init. One that is not cannot reap the command's orphans here; they go past it "
                "to whoever is above (in this test, the harness, so that nothing is left to the "
                "host's init).", "",
                "| init, not PID 1 | orphans of its command go to it |", "| --- | --- |")
            for c in sub:
                self.out(f"| `{c['display']}` | {'yes' if c['reaps'] else '**no**'} |")
            self.out("")

    def reap_why(self, box, other, n, counted):
        a, b = box.get("counts"), other.get("counts")
        if not a or not b:
            return "Section 3 has no counts of system calls (perf was missing)."
        per = lambda c, e: c.get(e, 0) / n
        sw, sc = "context-switches", "raw_syscalls:sys_enter"
        text = (f"Per orphan (section 3, perf stat -p), boxinit is woken {per(a, sw):.2f} "
                f"times and makes {per(a, sc):.2f} system calls; {other['name']} is woken "
                f"{per(b, sw):.2f} times and makes {per(b, sc):.2f}: the fewer wake-ups, the "
                "more zombies each one reaps, and the less CPU per orphan. The loops are "
                "alike (wait for a signal, then waitpid with WNOHANG until none is left).")
        single = next((r for r in counted if r.get("counts")), None)
        if single and other["name"].startswith("dumb-init"):
            c = single["counts"]
            text += (" dumb-init alone puts its command in a session of its own, and with "
                     "scheduler autogroups a session is a scheduling group of its own; with "
                     f"`-c` (no session) it is woken {per(c, sw):.2f} times per orphan and "
                     f"makes {per(c, sc):.2f} system calls, as boxinit does.")
        return text

    def reap_counts(self, rows, n):
        rows = [r for r in rows if r.get("counts")]
        if not rows:
            return
        self.out(
            "The same once more for each init with `perf stat -p` attached to it (not timed): "
            "its own system calls and context switches while it reaps, per orphan (one "
            "process for PID 1 to reap; wait4 calls that find nobody count too).", "",
            "| init | system calls per orphan | wait4 per orphan | context switches per orphan |",
            "| --- | ---: | ---: | ---: |")
        for r in rows:
            c = r["counts"]
            cells = [f"{c[e] / n:.2f}" if e in c else "?" for e in (
                "raw_syscalls:sys_enter", "syscalls:sys_enter_wait4", "context-switches")]
            self.out(f"| {bold(r['name'], r)} | " + " | ".join(cells) + " |")
        self.out("")

    # -- peak RSS

    def rss(self):
        sec = self.s.get("rss")
        if not sec:
            return
        rows = sec["rows"]
        p = self.res["params"]
        box = next(r for r in rows if r.get("boxinit") and not r.get("container"))
        box_kib = median(box["vmhwm_kib"])
        self.out(
            "## 4. Peak RSS", "",
            "`VmHWM` (the peak resident set) from `/proc/PID/status` of the init itself — not "
            "its child — while it runs as PID 1 of a fresh PID namespace (`unshare --fork "
            "--pid --mount-proc INIT -- probe signals`) and its child waits for a signal. The "
            "init's host PID is the one child of unshare; it is read once the probe has said "
            "`ready` (so the init has started it and is waiting) and 50 ms later. For "
            "`boxinit --rootfs` (the probe copied into the rootfs) the PID 1 inside is "
            "measured, and boxinit outside, which passes signals in, is shown next to it. "
            f"Median of {runs(p['rss_rounds'])}. The kernel's kB are KiB.", "",
            "| init | VmHWM | × boxinit |", "| --- | ---: | ---: |")
        bars = []
        for r in rows:
            kib = median(r["vmhwm_kib"])
            ratio = kib / box_kib
            label = r["name"] + (" (PID 1 inside)" if r.get("container") else "")
            name = f"**{label}**" if r.get("boxinit") else label
            self.out(f"| {name} | {kib:,.0f} KiB | {fmt_ratio(ratio)} |")
            if r.get("outer_vmhwm_kib"):
                outer = median(r["outer_vmhwm_kib"])
                self.out(f"| {r['name']} (boxinit outside) | {outer:,.0f} KiB | "
                         f"{fmt_ratio(outer / box_kib)} |")
            bars.append((label, kib, f"{kib:,.0f} KiB", kind(r)))
        self.out("")
        self.panels.append(("Peak RSS (VmHWM) of the init as PID 1, KiB", bars, False))
        self.memory_map(rows)
        worst = max(median(r["vmhwm_kib"]) for r in rows if r.get("boxinit"))
        musl = [r for r in rows if r.get("build") == "musl"]
        least = min(musl, key=lambda r: median(r["vmhwm_kib"]))
        ratio = worst / median(least["vmhwm_kib"])
        self.target("Peak RSS as PID 1", "≤ 0.7x the smallest musl anchor's",
                    f"{worst:,.0f} KiB, {fmt_ratio(ratio)} {least['name']} "
                    f"({median(least['vmhwm_kib']):,.0f} KiB)", ratio <= 0.7,
                    self.rss_why(rows, worst, least))

    def rss_why(self, rows, worst, least):
        goal = int(0.7 * median(least["vmhwm_kib"]) // 4 * 4)
        box = next((r for r in rows if r.get("boxinit") and r.get("smaps")), None)
        text = (f"The goal is at most {goal} KiB against {least['name']}: "
                f"{(worst - goal) / 4:.0f} page(s) of 4 KiB less than boxinit's {worst:,.0f}.")
        if box:
            text += (" boxinit's resident pages by mapping (section 4): " +
                     ", ".join(f"{k} {v} KiB" for k, v in box["smaps"].items() if v) + ".")
        return text

    def memory_map(self, rows):
        """What the resident pages are, for boxinit and the musl builds (from the first round's
        /proc/PID/smaps, read with VmHWM)."""
        rows = [r for r in rows if r.get("smaps") and r.get("build") in ("boxinit", "musl")
                and not r.get("container")]
        if not rows:
            return
        kinds = sorted({k for r in rows for k in r["smaps"]},
                       key=lambda k: -max(r["smaps"].get(k, 0) for r in rows))
        self.out("Where the resident memory is, by mapping (`Rss` in `/proc/PID/smaps`, read "
                 "with VmHWM; *program file* is the binary's text and data, *anonymous* its "
                 ".bss, heap and the like):", "",
                 "| init | " + " | ".join(kinds) + " | total |",
                 "| --- |" + " ---: |" * (len(kinds) + 1))
        for r in rows:
            self.out(f"| {bold(r['name'], r)} | " +
                     " | ".join(f"{r['smaps'].get(k, 0)} KiB" for k in kinds) +
                     f" | {sum(r['smaps'].values())} KiB |")
        self.out("")

    # -- sizes

    def size(self):
        sec = self.s.get("size")
        if not sec:
            return
        rows = sec["rows"]
        box = next(r for r in rows if r.get("boxinit"))
        self.out(
            "## 5. Binary size", "",
            "Each binary as installed and after `strip --strip-all` of a copy (Debian's are "
            "already stripped, boxinit's release profile strips too, the musl builds are "
            "linked with `-s`). The dynamically linked ones need glibc on top, which this "
            "does not count.", "",
            "| binary | linkage | installed | stripped | × boxinit |",
            "| --- | --- | ---: | ---: | ---: |")
        bars = []
        for r in rows:
            ratio = r["stripped"] / box["stripped"]
            name = f"**{r['name']}**" if r.get("boxinit") else r["name"]
            self.out(f"| {name} | {r['linkage']} | {group(r['installed'])} B | "
                     f"{group(r['stripped'])} B | {fmt_ratio(ratio)} |")
            bars.append((r["name"], r["stripped"] / 1024,
                         f"{r['stripped'] / 1024:,.1f} KiB", kind(r)))
        self.out("")
        self.panels.append(("Stripped binary size, KiB", bars, False))
        budget = sec["budget"]
        self.target("Size", f"under {group(budget)} B (48 KiB), stripped",
                    f"{group(box['stripped'])} B", box["stripped"] < budget)
        musl = min((r for r in rows if r.get("build") == "musl"), key=lambda r: r["stripped"])
        ratio = box["stripped"] / musl["stripped"]
        self.target("Size", "smaller than every musl anchor",
                    f"{fmt_ratio(ratio)} {musl['name']} ({group(musl['stripped'])} B)",
                    ratio < 1)

    # -- signals

    def signals(self):
        sec = self.s.get("signals")
        if not sec:
            return
        n = sec["count"]
        rows = sec["rows"]
        p = self.res["params"]
        base = next(r for r in rows if r.get("baseline"))
        base_med = median(base["totals"])
        unit = time_unit(base_med)
        self.out(
            "## 6. Signal round trip", "",
            f"The harness (Python) sends SIGUSR1 to the init and waits until its child, "
            f"`probe signals`, prints `signal 10`; {group(n)} times in a row, timed together. "
            "Each init runs as PID 1 of a fresh PID namespace, as in section 4; *no init* "
            "sends to the probe itself as PID 1, the cost of the harness and the probe alone. "
            "`boxinit --rootfs` is signalled outside, so the signal makes two hops (boxinit "
            "outside, PID 1 inside) before the probe. "
            f"Median of {runs(p['signal_rounds'])} of {group(n)}, the order rotating.", "",
            f"| init | {group(n)} round trips, median | per round trip | added by the init "
            "| × no init |", "| --- | ---: | ---: | ---: | ---: |")
        bars = []
        for r in rows:
            med = median(r["totals"])
            ratio = med / base_med
            label = r["name"] + (" (2 hops)" if r.get("container") else "")
            name = f"**{label}**" if r.get("boxinit") else label
            added = "" if r.get("baseline") else f"{(med - base_med) / n * 1e6:,.1f} µs"
            self.out(f"| {name} | {fmt_time(med, unit)} | {med / n * 1e6:,.1f} µs | {added} | "
                     f"{fmt_ratio(ratio)} |")
            bars.append((label, ratio, fmt_ratio(ratio), kind(r)))
        self.out("")
        self.panels.append(("Signal round trip (x no init)", bars, True))

    # -- rootless, boot: hooks that report a skip until their features land

    def rootless(self):
        sec = self.s.get("rootless")
        if not sec:
            return
        if sec.get("skipped"):
            self.out("## 7. Rootless container start", "", f"Skipped: {sec['skipped']}.", "")
            self.target("Rootless container start", "≤ 0.65x `unshare -r`, under bwrap",
                        "not measured: boxinit has no user namespaces yet", None)
            return
        rows = self.timing_table(
            sec, "7. Rootless container start",
            "As section 2, as the unprivileged user nobody (hyperfine and all it starts run "
            "under `setpriv --reuid=65534 --regid=65534 --clear-groups`): boxinit with a user "
            "namespace (`--unshare user,mnt,uts,ipc,pid`) against `unshare -r` with the same "
            "namespaces and `bwrap --unshare-all` (user, IPC, PID, network, UTS, cgroup). "
            "Same hyperfine settings as section 2.",
            "Rootless container start (x unshare -r)", "× `unshare -r`")
        box = next(r for r in rows if r.get("boxinit"))
        bw = next(r for r in rows if r["name"].startswith("bwrap"))
        self.target("Rootless container start", "≤ 0.65x `unshare -r`", fmt_ratio(box["ratio"]),
                    box["ratio"] <= 0.65)
        self.target("Rootless container start", "under `bwrap --unshare-all`",
                    f"{box['median'] / bw['median']:.2f}x bwrap", box["median"] < bw["median"])

    def boot(self):
        sec = self.s.get("boot")
        if not sec:
            return
        self.out("## 8. Boot", "")
        if sec.get("skipped"):
            self.out(f"Skipped: {sec['skipped']}.", "")
            self.target("Boot: the init's share", "a few ms, well under busybox's",
                        f"not measured: {sec['skipped']}", None)
            return
        rows = sec["rows"]
        n = len(rows[0]["to_command"])
        self.out(
            "Debian's kernel booted by `image/boot.sh` under qemu (TCG, no KVM) with the "
            "initramfs of `image/initramfs.sh`, once with boxinit as /init and once with "
            "`INIT=busybox`: the same initramfs with /init a busybox shell script "
            "(image/busybox-init.sh) doing what boxinit's boot mode does: the same mounts with "
            "the same flags (devtmpfs, devpts, /dev/shm, proc, sysfs, cgroup2, /run, /tmp), lo "
            "up, the command in a session of its own on the console (`setsid -c`), its status "
            "on the console, `poweroff -f`. That script is busybox's least: busybox `init` "
            "with an inittab would run the same script and add its own start and its "
            "signal-driven shutdown. "
            f"Times are the kernel's own (`{sec['append']}`: printk times on the serial log): "
            "*init → command* from \"Run /init as init process\" to the command's first "
            "line in /dev/kmsg (the command is `mark`, bench/c/mark.c, a static program that "
            "writes a line there as it starts and one as it ends, so its exec is in the "
            "init's share), *command → power-off* from its last line to \"reboot: Power "
            "down\". TCG runs the guest many times slower than the machine, and the first run "
            "of any code pays for its translation: the milliseconds are qemu's, the ratio "
            f"is what carries over. Median of {runs(n)} each, the order alternating "
            "(min – max in brackets).", "",
            "| /init | kernel → init | init → command | command → power-off | "
            "the init's share | × busybox | whole boot (wall) |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for r in rows:
            r["share"] = [a + b for a, b in zip(r["to_command"], r["to_poweroff"])]
        bb = next(r for r in rows if r["name"] == "busybox")
        bars = []

        def ms(xs):
            return (f"{median(xs) * 1e3:,.1f} ms ({min(xs) * 1e3:,.1f} – "
                    f"{max(xs) * 1e3:,.1f})")

        for r in rows:
            ratio = median(r["share"]) / median(bb["share"])
            name = f"**{r['display']}**" if r.get("boxinit") else r["display"]
            self.out(f"| {name} | {median(r['kernel']):.2f} s | {ms(r['to_command'])} | "
                     f"{ms(r['to_poweroff'])} | {ms(r['share'])} | {fmt_ratio(ratio)} | "
                     f"{median(r['wall']):.1f} s |")
            label = "boxinit" if r.get("boxinit") else "busybox sh"
            bars.append((label, ratio, fmt_ratio(ratio), "boxinit" if r.get("boxinit")
                         else "baseline"))
        self.out("")
        self.panels.append(("Boot: the init's share, init → command + command → power-off "
                            "(x busybox)", bars, True))
        box = next(r for r in rows if r.get("boxinit"))
        share, bb_share = median(box["share"]), median(bb["share"])
        self.target(
            "Boot: the init's share", "well under busybox's (≤ 0.5x)",
            f"{share * 1e3:,.1f} ms (to the command {median(box['to_command']) * 1e3:,.1f}, "
            f"to power-off {median(box['to_poweroff']) * 1e3:,.1f}) against busybox's "
            f"{bb_share * 1e3:,.1f} ms ({median(bb['to_command']) * 1e3:,.1f} + "
            f"{median(bb['to_poweroff']) * 1e3:,.1f}): {fmt_ratio(share / bb_share)}",
            share <= 0.5 * bb_share, "Section 8 has both intervals of each boot.")
        self.target(
            "Boot: the init's share", "a few ms (≤ 10 ms, under qemu TCG)",
            f"{share * 1e3:,.1f} ms", share <= 0.010,
            "Section 8: under TCG the first run of any code pays for its translation, and "
            "the init's share includes the kernel's exec of /init and of the command.")

    # -- the whole

    def target(self, what, goal, measured, met, why=None):
        """One row of the Targets table; `why` points to the tables that measure the cause,
        said under the table when the target is missed."""
        self.targets.append((what, goal, measured, met))
        if met is False and why:
            self.misses.append(f"- {what} ({goal}): {measured}. {why}")

    def render(self, chart_rel):
        res = self.res
        m = res["machine"]
        v = res["versions"]
        body, self.md = self.md, []
        quick = res["mode"] == "quick"
        self.out("# Benchmarks", "",
                 "<!-- Generated by `just bench` (bench/run.sh, bench/measure.py, "
                 "bench/report.py). Do not edit: run it again. -->", "")
        if quick:
            self.out("> **Quick run** (`bench/run.sh --quick`): a few runs and "
                     f"{group(res['params']['orphans'])} orphans, to check that the harness "
                     "works. Not numbers to quote.", "")
        started = datetime.datetime.fromisoformat(res["started"])
        self.out(
            f"Measured on {started:%Y-%m-%d %H:%M} UTC by `just bench` "
            f"({res['mode']} run, {res['duration_s']:.0f} s). Every number here is written by "
            "that command. Absolute times drift on a shared machine, so each table gives "
            "ratios to a baseline measured in the same run.", "",
            "| machine | |", "| --- | --- |",
            f"| kernel | Linux {m['kernel']} {m['arch']} |",
            f"| CPU | {m['cpu']}, {m['cores']} cores |",
            f"| memory | {m['mem_kib'] / 1048576:.1f} GiB |",
            f"| system | {m['os']} |",
            f"| load average (1 min) | {m['loadavg_start'][0]:.2f} at the start, "
            f"{m['loadavg_end'][0]:.2f} at the end |",
            f"| boxinit | {v['boxinit']}, {v['rustc']} |",
            "| anchors (Debian packages) | " + ", ".join(
                f"{k} {v[k]}" for k in ("tini", "dumb-init", "catatonit", "unshare", "bwrap",
                                        "crun", "runc")) + " |",
            f"| musl builds (bench/anchors.sh, from Debian's sources) | "
            f"{v.get('musl builds', '?')} |",
            f"| tools | hyperfine {v['hyperfine']}, busybox {v['busybox']} (the rootfs) |",
            "")
        if busy(res):
            self.out("**The machine was shared during this run** (the load average was above "
                     "its number of cores: other work ran beside the benchmark). Absolute "
                     "times are inflated and spread wide; the ratios, taken within each round "
                     "of interleaved commands, are what to read.", "")
        self.out(f"![boxinit against the inits and launchers it replaces]({chart_rel})", "")
        if self.targets:
            self.out("## Targets", "", "The goals of issues 4 and 12, against this run.", "")
            self.out(*targets_table(self.targets), "")
            if self.misses:
                self.out("Missed, and where this report measures why:", "", *self.misses, "")
        self.md += body
        return "\n".join(self.md).rstrip() + "\n"


def busy(res):
    m = res["machine"]
    return max(m["loadavg_start"][0], m["loadavg_end"][0]) > m["cores"]


def met_text(met):
    return "skipped" if met is None else "yes" if met else "**no**"


def targets_table(targets):
    return (["| what | goal | measured | met |", "| --- | --- | --- | --- |"] +
            [f"| {what} | {goal} | {measured} | {met_text(met)} |"
             for what, goal, measured, met in targets])


def kind(r):
    if r.get("boxinit"):
        return "boxinit"
    if r.get("baseline"):
        return "baseline"
    if r.get("build") == "musl":
        return "musl"
    return "other"


# ---------------------------------------------------------------- the chart

COLORS = {"boxinit": "#d9480f", "baseline": "#495057", "musl": "#4c6ef5", "other": "#a5b1bd"}
LEGEND = {"boxinit": "boxinit", "baseline": "baseline (1x, dashed line)",
          "musl": "musl builds of the anchors", "other": "the others"}


def draw_chart(path, panels, subtitle):
    """One horizontal bar panel per table, stacked; SVG text stays text, PNG works too."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    plt.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "boxinit",
                         "font.family": "DejaVu Sans", "font.size": 9})
    heights = [len(bars) + 1.2 for _, bars, _ in panels]
    fig, axes = plt.subplots(len(panels), 1, figsize=(9, 0.24 * sum(heights) + 1.2),
                             gridspec_kw=dict(height_ratios=heights), squeeze=False)
    for ax, (title, bars, has_base) in zip(axes[:, 0], panels):
        labels, values, texts, kinds = zip(*bars)
        ys = range(len(bars))
        ax.barh(ys, values, height=0.7, color=[COLORS[k] for k in kinds])
        ax.set_yticks(ys, labels)
        for tick, k in zip(ax.get_yticklabels(), kinds):
            if k == "boxinit":
                tick.set_color(COLORS["boxinit"])
                tick.set_fontweight("bold")
        ax.invert_yaxis()
        top = max(values)
        for y, v, t in zip(ys, values, texts):
            ax.text(v + top * 0.01, y, t, va="center", fontsize=8)
        ax.set_xlim(0, top * 1.15)
        if has_base:
            ax.axvline(1, color="#212529", linewidth=0.8, linestyle="--")
        ax.set_title(title, loc="left", fontsize=10, fontweight="bold")
        ax.tick_params(axis="y", length=0)
        ax.spines[["top", "right"]].set_visible(False)
    fig.suptitle("boxinit against the inits and launchers it replaces\n" + subtitle,
                 x=0.01, ha="left", fontsize=10)
    used = {k for _, bars, _ in panels for *_, k in bars}
    handles = [plt.Rectangle((0, 0), 1, 1, color=COLORS[k]) for k in LEGEND if k in used]
    fig.legend(handles, [LEGEND[k] for k in LEGEND if k in used], loc="lower left",
               ncol=len(handles), frameon=False, fontsize=8)
    fig.tight_layout(rect=(0, 0.03, 1, 0.97))
    fig.savefig(path, metadata={"Date": None} if path.endswith(".svg") else None)
    plt.close(fig)


README_BEGIN = "<!-- bench:begin (written by `just bench`; do not edit) -->"
README_END = "<!-- bench:end -->"


def update_readme(path, rep, res, chart):
    """Put this run's targets table into the README between the markers, so the numbers it
    quotes are always the last full run's, never typed."""
    with open(path) as f:
        text = f.read()
    if README_BEGIN not in text or README_END not in text:
        raise SystemExit(f"bench: {path} has no bench markers")
    m = res["machine"]
    started = datetime.datetime.fromisoformat(res["started"])
    lines = [README_BEGIN,
             f"Measured by `just bench` on {started:%Y-%m-%d} (Linux {m['kernel']}, "
             f"{m['cores']} cores, load average {m['loadavg_start'][0]:.1f} at the start and "
             f"{m['loadavg_end'][0]:.1f} at the end"
             f"{': shared with other work' if busy(res) else ''}); every table is in "
             "[BENCHMARKS.md](BENCHMARKS.md).", ""]
    lines += targets_table(rep.targets)
    if rep.misses:
        lines += ["", "Missed, and where BENCHMARKS.md measures why:", ""] + rep.misses
    lines += ["", f"![boxinit against the inits and launchers it replaces]({chart})",
              README_END]
    head, rest = text.split(README_BEGIN, 1)
    tail = rest.split(README_END, 1)[1]
    with open(path, "w") as f:
        f.write(head + "\n".join(lines) + tail)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--markdown", required=True)
    ap.add_argument("--chart", required=True, help="where the chart goes (.svg or .png)")
    ap.add_argument("--readme", help="replace the README's block between the bench markers")
    a = ap.parse_args()
    import json
    with open(a.results) as f:
        res = json.load(f)
    rep = Report(res)
    for section in (rep.start, rep.container, rep.container_all, rep.reap, rep.rss, rep.size,
                    rep.signals, rep.rootless, rep.boot):
        section()
    chart_rel = os.path.relpath(os.path.abspath(a.chart),
                                os.path.dirname(os.path.abspath(a.markdown)))
    text = rep.render(chart_rel)
    # Notes written by hand (where the binary's bytes go) close the page; no run measures them.
    notes = os.path.join(os.path.dirname(os.path.abspath(__file__)), "size-notes.md")
    if os.path.exists(notes):
        with open(notes) as f:
            text = text.rstrip("\n") + "\n\n" + f.read()
    for path in (a.markdown, a.chart):
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(a.markdown, "w") as f:
        f.write(text)
    m = res["machine"]
    started = datetime.datetime.fromisoformat(res["started"])
    subtitle = (f"{started:%Y-%m-%d}, Linux {m['kernel']}, {m['cpu']}, {m['cores']} cores"
                f"{', QUICK RUN' if res['mode'] == 'quick' else ''}. Shorter is better.")
    draw_chart(a.chart, rep.panels, subtitle)
    print(f"bench: wrote {a.markdown} and {a.chart}", file=sys.stderr)
    if a.readme:
        readme_dir = os.path.dirname(os.path.abspath(a.readme))
        update_readme(a.readme, rep, res, os.path.relpath(os.path.abspath(a.chart), readme_dir))
        print(f"bench: updated the numbers in {a.readme}", file=sys.stderr)
    for what, goal, measured, met in rep.targets:
        state = "skipped" if met is None else "met    " if met else "NOT MET"
        print(f"bench:   {state}  {what}: {measured} (goal {goal})", file=sys.stderr)


if __name__ == "__main__":
    main()
