#!/usr/bin/env python3
"""Turn bench/measure.py's results (JSON) into BENCHMARKS.md and an SVG bar chart of the
ratios. Standard library only; the SVG is written by hand.

Usage: bench/report.py RESULTS.json --markdown BENCHMARKS.md --svg bench/chart.svg
"""

import argparse
import datetime
import os
import statistics
import sys
from xml.sax.saxutils import escape

# ---------------------------------------------------------------- numbers


def median(xs):
    return statistics.median(xs)


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
        rows = self.timing_table(
            sec, "1. Supervisor start",
            "How long it takes to start an init that starts `/bin/true` (the host's, dynamically "
            "linked) and exits with its status, against running `/bin/true` alone. hyperfine "
            f"`-N` (no shell), {p['start_warmup']} warm-up runs, then {p['start_runs']} runs "
            f"per command in each of {rounds(p['start_rounds'])} (the order of the commands "
            "rotates from round to round); the medians pool all rounds. No init is PID 1 here, "
            "so each one that can becomes a child subreaper, as it would outside a container: "
            "tini gets `-s` for that (boxinit and catatonit do it by themselves, dumb-init "
            "cannot).",
            "Supervisor start (x /bin/true)", "× /bin/true")
        box = next(r for r in rows if r.get("boxinit"))
        floor = next((r for r in rows if r.get("floor")), None)
        if floor:
            self.out(
                "The last row is not an init but the floor: a static program that only prints "
                f"its version costs {fmt_ratio(floor['ratio'])} of `/bin/true` by itself, so "
                "an init that is a program of its own (one more exec, fork and exit) cannot "
                f"start `/bin/true` in less than about {fmt_ratio(1 + floor['ratio'])}.", "")
        pinned = sec.get("pinned")
        if pinned:
            base = median(next(r for r in pinned if r.get("baseline"))["times"])
            mine = median(next(r for r in pinned if r.get("boxinit"))["times"])
            self.out(
                "With hyperfine and everything it starts pinned to one CPU (`taskset -c 0`), "
                f"so that no wake-up crosses CPUs, `boxinit -- /bin/true` takes "
                f"{fmt_ratio(mine / base)} of `/bin/true` ({fmt_time(mine, time_unit(base))} "
                f"against {fmt_time(base, time_unit(base))}).", "")
        self.target("Supervisor start", "≤ 1.30x bare `/bin/true`", fmt_ratio(box["ratio"]),
                    box["ratio"] <= 1.30)

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
        self.target("Container start", "≤ 0.65x unshare(1), same namespaces",
                    fmt_ratio(box["ratio"]), box["ratio"] <= 0.65)
        others = [r for r in rows if not r.get("boxinit") and not r.get("baseline")]
        fastest = min(others, key=lambda r: r["median"])
        self.target("Container start", "far under bwrap, crun and runc",
                    f"{box['median'] / fastest['median']:.2f}x the fastest of them "
                    f"({fastest['name']})", box["median"] < fastest["median"])

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
                    f"{fmt_ratio(box['ratio'])} {fastest['name']})", cpu_ratio <= 1.0)
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
        worst = max(median(r["vmhwm_kib"]) for r in rows if r.get("boxinit"))
        self.target("Peak RSS as PID 1", "≤ 64 KiB", f"{worst:,.0f} KiB", worst <= 64)

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
            "already stripped, boxinit's release profile strips too). The dynamically linked "
            "ones need glibc on top, which this does not count.", "",
            "| binary | linkage | installed | stripped | × boxinit |",
            "| --- | --- | ---: | ---: | ---: |")
        bars = []
        for r in rows:
            ratio = r["stripped"] / box["stripped"]
            name = f"**{r['name']}**" if r.get("boxinit") else r["name"]
            self.out(f"| {name} | {r['linkage']} | {group(r['installed'])} B | "
                     f"{group(r['stripped'])} B | {fmt_ratio(ratio)} |")
            label = r["name"] if "(" in r["name"] else f"{r['name']} ({r['linkage']})"
            bars.append((label, r["stripped"] / 1024,
                         f"{r['stripped'] / 1024:,.1f} KiB", kind(r)))
        self.out("")
        self.panels.append(("Stripped binary size, KiB", bars, False))
        budget = sec["budget"]
        self.target("Stripped size", f"≤ {group(budget)} B (48 KiB)",
                    f"{group(box['stripped'])} B", box["stripped"] <= budget)

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

    # -- the whole

    def target(self, what, goal, measured, met):
        self.targets.append((what, goal, measured, met))

    def render(self, svg_rel):
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
            f"| tools | hyperfine {v['hyperfine']}, busybox {v['busybox']} (the rootfs) |",
            "", f"![boxinit against the inits and launchers it replaces]({svg_rel})", "")
        if self.targets:
            self.out("## Targets", "", "The goals of issue 4, against this run.", "",
                     "| what | goal | measured | met |", "| --- | --- | --- | --- |")
            for what, goal, measured, met in self.targets:
                self.out(f"| {what} | {goal} | {measured} | {'yes' if met else '**no**'} |")
            self.out("")
        self.md += body
        return "\n".join(self.md).rstrip() + "\n"


def kind(r):
    if r.get("boxinit"):
        return "boxinit"
    if r.get("baseline"):
        return "baseline"
    return "other"


# ---------------------------------------------------------------- the chart

COLORS = {"boxinit": "#d9480f", "baseline": "#495057", "other": "#a5b1bd"}


def svg_chart(panels, subtitle):
    width, label_w, bar_w, pad = 780, 300, 370, 16
    row_h, bar_h, title_h, gap = 20, 13, 26, 14
    parts = []
    y = 44
    for title, bars, has_base in panels:
        parts.append(f'<text x="{pad}" y="{y + 16}" class="t">{escape(title)}</text>')
        y += title_h
        scale = bar_w / max(max(b[1] for b in bars), 1.0 if has_base else 0) / 1.02
        if has_base:  # drawn first, so that bars and labels go over it
            x1 = pad + label_w + scale
            parts.append(f'<line x1="{x1:.1f}" y1="{y - 3}" x2="{x1:.1f}" '
                         f'y2="{y + row_h * len(bars) - 4}" stroke="#212529" '
                         'stroke-width="1" stroke-dasharray="3,3"/>')
        for label, value, text, k in bars:
            w = max(value * scale, 1)
            x0 = pad + label_w
            cls = "b" if k == "boxinit" else "l"
            parts.append(f'<text x="{x0 - 8}" y="{y + bar_h - 2}" class="{cls}" '
                         f'text-anchor="end">{escape(label)}</text>')
            parts.append(f'<rect x="{x0}" y="{y}" width="{w:.1f}" height="{bar_h}" '
                         f'fill="{COLORS[k]}"/>')
            parts.append(f'<text x="{x0 + w + 5:.1f}" y="{y + bar_h - 2}" class="{cls}">'
                         f'{escape(text)}</text>')
            y += row_h
        y += gap
    height = y + 24
    legend_y = height - 12
    legend = []
    lx = pad
    for k, text in (("boxinit", "boxinit"), ("baseline", "baseline (1x, dashed line)"),
                    ("other", "the others")):
        legend.append(f'<rect x="{lx}" y="{legend_y - 10}" width="12" height="12" '
                      f'fill="{COLORS[k]}"/><text x="{lx + 17}" y="{legend_y}" class="l">'
                      f'{escape(text)}</text>')
        lx += 40 + 7 * len(text)
    return "\n".join([
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="DejaVu Sans, Helvetica, Arial, '
        'sans-serif">',
        "<style>.t{font-size:14px;font-weight:bold;fill:#212529}"
        ".l{font-size:12px;fill:#343a40}.b{font-size:12px;font-weight:bold;fill:#d9480f}"
        ".l,.b{paint-order:stroke;stroke:#ffffff;stroke-width:3px;stroke-linejoin:round}"
        ".s{font-size:12px;fill:#6c757d}</style>",
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{pad}" y="22" class="t" style="font-size:16px">boxinit against the inits '
        'and launchers it replaces</text>',
        f'<text x="{pad}" y="38" class="s">{escape(subtitle)}</text>',
        *parts, *legend, "</svg>", ""])


README_BEGIN = "<!-- bench:begin (written by `just bench`; do not edit) -->"
README_END = "<!-- bench:end -->"


def update_readme(path, rep, res):
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
             f"{m['cores']} cores, hyperfine medians of one run); every table is in "
             "[BENCHMARKS.md](BENCHMARKS.md).", "",
             "| what | goal | measured | met |", "| --- | --- | --- | --- |"]
    for what, goal, measured, met in rep.targets:
        lines.append(f"| {what} | {goal} | {measured} | {'yes' if met else '**no**'} |")
    lines += ["", "![boxinit against the inits and launchers it replaces](bench/chart.svg)",
              README_END]
    head, rest = text.split(README_BEGIN, 1)
    tail = rest.split(README_END, 1)[1]
    with open(path, "w") as f:
        f.write(head + "\n".join(lines) + tail)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--markdown", required=True)
    ap.add_argument("--svg", required=True)
    ap.add_argument("--readme", help="replace the README's block between the bench markers")
    a = ap.parse_args()
    import json
    with open(a.results) as f:
        res = json.load(f)
    rep = Report(res)
    for section in (rep.start, rep.container, rep.container_all, rep.reap, rep.rss, rep.size,
                    rep.signals):
        section()
    svg_rel = os.path.relpath(os.path.abspath(a.svg),
                              os.path.dirname(os.path.abspath(a.markdown)))
    text = rep.render(svg_rel)
    for path in (a.markdown, a.svg):
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(a.markdown, "w") as f:
        f.write(text)
    m = res["machine"]
    started = datetime.datetime.fromisoformat(res["started"])
    subtitle = (f"{started:%Y-%m-%d}, Linux {m['kernel']}, {m['cpu']}, {m['cores']} cores"
                f"{', QUICK RUN' if res['mode'] == 'quick' else ''}. Shorter is better.")
    with open(a.svg, "w") as f:
        f.write(svg_chart(rep.panels, subtitle))
    print(f"bench: wrote {a.markdown} and {a.svg}", file=sys.stderr)
    if a.readme:
        update_readme(a.readme, rep, res)
        print(f"bench: updated the numbers in {a.readme}", file=sys.stderr)
    for what, goal, measured, met in rep.targets:
        print(f"bench:   {'met    ' if met else 'NOT MET'}  {what}: {measured} (goal {goal})",
              file=sys.stderr)


if __name__ == "__main__":
    main()
