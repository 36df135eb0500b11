#!/usr/bin/env python3
"""Turn bench/measure.py's results (JSON) into BENCHMARKS.md, through the template
bench/BENCHMARKS.md.j2 (Debian's python3-jinja2), and a bar chart of the ratios (Debian's
python3-matplotlib). This file computes the numbers; the template holds every word.

Usage: bench/report.py RESULTS.json --markdown BENCHMARKS.md --chart bench/chart.svg
"""

import argparse
import datetime
import json
import os
import statistics
import sys

import jinja2

HERE = os.path.dirname(os.path.abspath(__file__))
median = statistics.median


def paired_ratio(a, b):
    """The median over rounds of a's median / b's median in the same round: two commands
    measured minutes apart on a shared machine compare worse than within one round."""
    if "round_medians" not in a:
        return median(a["times"]) / median(b["times"])
    return median([x / y for x, y in zip(a["round_medians"], b["round_medians"])])


def quartiles(xs):
    if len(xs) < 2:
        return xs[0], xs[0]
    q = statistics.quantiles(xs, n=4, method="inclusive")
    return q[0], q[2]


def time_unit(seconds):
    """A unit for a table whose typical time is `seconds`: (scale, name, digits)."""
    return (1e6, "µs", 0) if seconds < 0.01 else (1e3, "ms", 2) if seconds < 1 else (1, "s", 3)


def fmt_time(x, unit):
    scale, name, digits = unit
    return f"{x * scale:,.{digits}f} {name}"


def x(r, digits=2):
    return f"{r:.{digits}f}x"


def pct(ratio):
    """A ratio as a signed percentage: 1.034 -> '+3.4%'."""
    return f"{(ratio - 1) * 100:+.1f}%"


def group(n):
    return f"{n:,}"


def kind(r):
    return ("boxinit" if r.get("boxinit") else "baseline" if r.get("baseline") else
            "musl" if r.get("build") == "musl" else "other")


def by_name(rows):
    return {r["name"]: r for r in rows}


# The targets of a section that was skipped: what, goal.
SKIPPED = {"rootless": ("Rootless container start", "≤ 0.65x `unshare -r`, under bwrap"),
           "boot": ("Boot: the init's share", "a few ms, well under busybox's")}


class Report:
    """The derived numbers of each section (added to its rows), the Targets rows and the
    chart's panels."""

    def __init__(self, res):
        self.s = res["sections"]
        self.targets, self.panels = [], []
        for name in ("start", "container", "container_all", "reap", "rss", "size", "signals",
                     "rootless", "boot"):
            if self.s.get(name) and not self.s[name].get("skipped"):
                getattr(self, name)(self.s[name])
            elif name in SKIPPED and self.s.get(name):
                self.target(*SKIPPED[name], f"not measured: {self.s[name]['skipped']}", None)

    def target(self, what, goal, measured, met, why=None):
        """One row of the Targets table. `why` is (the name of a template macro that says
        what this report measured of the cause, its data): said when the target is missed."""
        self.targets.append(dict(what=what, goal=goal, measured=measured, met=met, why=why))

    def panel(self, title, rows, label, value, text, base=True):
        self.panels.append((title, [(label(r), value(r), text(r), r.get("kind") or kind(r))
                                    for r in rows], base))

    def timing(self, sec):
        """A hyperfine table against its baseline row: medians, quartiles, ratios, unit."""
        base = next(r for r in sec["rows"] if r.get("baseline"))
        for r in sec["rows"]:
            r["median"], r["quartiles"] = median(r["times"]), quartiles(r["times"])
            r["ratio"] = r["median"] / median(base["times"])
        sec["unit"] = time_unit(median(base["times"]))
        return next(r for r in sec["rows"] if r.get("boxinit"))

    def start(self, sec):
        rows = sec["rows"]
        cell = {(r["command"], r["init"]): r for r in rows}
        for r in rows:
            alone, floor = cell[(r["command"], "alone")], cell[(r["command"], "floor")]
            r["median"] = median(r["times"])
            r["ratio"] = r["median"] / median(alone["times"])
            r["to_floor"] = paired_ratio(r, floor)
            r["kind"] = "baseline" if r.get("floor") else "other" if r.get("baseline") else kind(r)
        sec["table"] = [(cell[("static true", r["init"])], cell[("/bin/true", r["init"])])
                        for r in rows if r["command"] == "static true"]
        sec["unit"] = unit = time_unit(cell[("static true", "alone")]["median"])
        box = cell[("static true", "boxinit")]
        self.panel("Supervisor start, static true (x the floor)", [a for a, _ in sec["table"]],
                   lambda r: {"alone": "the command alone",
                              "floor": "floor (vfork, exec, wait)"}.get(r["init"], r["init"]),
                   lambda r: r["to_floor"], lambda r: x(r["to_floor"]))
        gaps = [box["to_floor"]]
        steps = by_name(sec.get("steps", []))
        for r in sec.get("steps", []):
            r["median"], r["to_floor"] = median(r["times"]), paired_ratio(r, steps["floor"])
            r["added"] = r["median"] - median(steps["floor"]["times"])
        if steps:
            gaps.append(steps["boxinit"]["to_floor"])
        pinned = {r["name"]: median(r["times"]) for r in sec.get("pinned", [])}
        if pinned:
            sec["pinned_text"] = {k: fmt_time(v, unit) for k, v in pinned.items()}
            sec["pinned_ratio"] = pinned["boxinit"] / pinned["floor"]
            gaps.append(sec["pinned_ratio"])
        for a in sec.get("anatomy", []):
            a["init_calls"] = sum(1 for who, _ in a["syscalls"] if who == "init")
            a["child_calls"] = len(a["syscalls"]) - a["init_calls"]
        sec["why"] = why = dict(gaps=gaps, steps=steps, anatomy=by_name(sec.get("anatomy", [])))
        self.target("Supervisor start", "≤ 1.05x the floor (static `true`)", f"{box['to_floor']:.3f}x ({pct(box['to_floor'])})",
                    box["to_floor"] <= 1.05, ("start", why))
        musl = [a for a, _ in sec["table"] if a.get("build") == "musl"]
        fastest = min(musl, key=lambda r: r["median"])
        gap = paired_ratio(box, fastest)
        self.target("Supervisor start", "ahead of the fastest musl anchor", f"{gap:.3f}x {fastest['init']} ({pct(gap)})", gap < 1,
                    ("start", why))

    def container(self, sec):
        box = self.timing(sec)
        self.panel("Container start, default namespaces (x unshare(1))", sec["rows"],
                   lambda r: r["name"], lambda r: r["ratio"], lambda r: x(r["ratio"]))
        steps = sec.get("steps")
        why = None
        if steps:
            sec["steps_unit"] = time_unit(median(steps[0]["times"]))
            for r in steps:
                r["median"], r["ratio"] = median(r["times"]), paired_ratio(r, steps[0])
                r["all_calls"] = sum(r["calls"].values())
            sec["call_kinds"] = sorted({k for r in steps for k in r["calls"]},
                                       key=lambda k: (-max(r["calls"].get(k, 0) for r in steps), k))
            why = ("container", dict(by_name(steps), base=steps[0]))
        self.target("Container start", "≤ 0.80x unshare(1), same namespaces", x(box["ratio"]), box["ratio"] <= 0.80, why)
        fastest = min((r for r in sec["rows"] if not r.get("boxinit") and not r.get("baseline")),
                      key=lambda r: r["median"])
        self.target("Container start", "under bwrap (and crun, runc)", f"{x(box['median'] / fastest['median'])} the fastest "
                    f"of them ({fastest['name']})", box["median"] < fastest["median"])

    def container_all(self, sec):
        box = self.timing(sec)
        self.panel("Container start, all namespaces (x unshare(1))", sec["rows"],
                   lambda r: r["name"], lambda r: r["ratio"], lambda r: x(r["ratio"]))
        bw = by_name(sec["rows"])["bwrap --unshare-all"]
        self.target("Container start, all namespaces", "under `bwrap --unshare-all`", f"{x(box['median'] / bw['median'])} bwrap",
                    box["median"] < bw["median"])

    def reap(self, sec):
        rows, n = sec["rows"], sec["orphans"]
        for r in rows:
            r["median"], r["cpu"] = median(r["wall"]), median(r["cpu_ns"])
        anchors = [r for r in rows if not r.get("boxinit")]
        sec["fastest"] = fastest = min(anchors, key=lambda r: r["median"])
        sec["unit"] = time_unit(fastest["median"])
        for r in rows:
            r["ratio"] = r["median"] / fastest["median"]
            r["kind"] = "baseline" if r is fastest else kind(r)
        sec["counted_rows"] = [r for r in rows + sec.get("counted", []) if r.get("counts")]
        for r in sec["counted_rows"]:
            r["per_orphan"] = {e: r["counts"][e] / n for e in r["counts"]}
        self.panel(f"Reaping {group(n)} orphans, wall time (x fastest anchor)", rows,
                   lambda r: r["name"], lambda r: r["ratio"], lambda r: x(r["ratio"]))
        box = next(r for r in rows if r.get("boxinit"))
        # Judged on the init's own CPU time: the wall time is mostly the probe's forking,
        # the same for every init, and its spread from run to run is wider than their gaps.
        sec["leanest"] = leanest = min(anchors, key=lambda r: r["cpu"])
        sec["cpu_ratio"] = box["cpu"] / leanest["cpu"]
        single = next((r for r in sec.get("counted", []) if r.get("counts")), None)
        self.target(f"Reaping {group(n)} orphans", "init CPU ≤ the leanest anchor's", f"{x(sec['cpu_ratio'])} {leanest['name']} (wall time "
                    f"{x(box['ratio'])} {fastest['name']})", sec["cpu_ratio"] <= 1.0,
                    ("reap", dict(box=box, other=leanest, single=single)))
        self.target("Zombies left", "0", str(max(box["zombies"])), max(box["zombies"]) == 0)

    def rss(self, sec):
        rows = sec["rows"]
        box = next(r for r in rows if r.get("boxinit") and not r.get("container"))
        for r in rows:
            r["kib"] = median(r["vmhwm_kib"])
            r["ratio"] = r["kib"] / median(box["vmhwm_kib"])
            r["label"] = r["name"] + (" (PID 1 inside)" if r.get("container") else "")
            if r.get("outer_vmhwm_kib"):
                r["outer_kib"] = median(r["outer_vmhwm_kib"])
                r["outer_ratio"] = r["outer_kib"] / median(box["vmhwm_kib"])
        self.panel("Peak RSS (VmHWM) of the init as PID 1, KiB", rows, lambda r: r["label"],
                   lambda r: r["kib"], lambda r: f"{r['kib']:,.0f} KiB", base=False)
        sec["mapped"] = [r for r in rows if r.get("smaps") and not r.get("container")
                         and r.get("build") in ("boxinit", "musl")]
        sec["map_kinds"] = sorted({k for r in sec["mapped"] for k in r["smaps"]},
                                  key=lambda k: (-max(r["smaps"].get(k, 0) for r in sec["mapped"]), k))
        least = min((r for r in rows if r.get("build") == "musl"), key=lambda r: r["kib"])
        # Each build against its own ceiling: the supervisor build carries only the supervisor.
        for name, most in (("boxinit", 1.0), ("boxinit-supervisor", 0.7)):
            r = next((r for r in rows if r["name"] == name), None)
            if r is None:
                continue
            ratio = r["kib"] / least["kib"]
            goal = int(most * least["kib"] // 4 * 4)
            self.target(f"Peak RSS as PID 1, {name}", f"≤ {most:.1f}x the smallest musl anchor's",
                        f"{r['kib']:,.0f} KiB, {x(ratio)} {least['name']} ({least['kib']:,.0f} KiB)",
                        ratio <= most,
                        ("rss", dict(worst=r["kib"], least=least, goal=goal, smaps=r.get("smaps"))))

    def size(self, sec):
        rows = sec["rows"]
        box = next(r for r in rows if r.get("boxinit"))
        for r in rows:
            r["ratio"] = r["stripped"] / box["stripped"]
        self.panel("Stripped binary size, KiB", rows, lambda r: r["name"],
                   lambda r: r["stripped"] / 1024, lambda r: f"{r['stripped'] / 1024:,.1f} KiB",
                   base=False)
        musl = min((r for r in rows if r.get("build") == "musl"), key=lambda r: r["stripped"])
        for r in rows:
            ceiling = sec["ceilings"].get(r["name"]) if r.get("boxinit") else None
            if ceiling:
                self.target(f"Size, {r['name']}", f"≤ {group(ceiling)} B ({ceiling // 1024} KiB), stripped",
                            f"{group(r['stripped'])} B", r["stripped"] <= ceiling)
        self.target("Size, boxinit", "smaller than every musl anchor", f"{x(box['stripped'] / musl['stripped'])} {musl['name']} "
                    f"({group(musl['stripped'])} B)", box["stripped"] < musl["stripped"])

    def signals(self, sec):
        rows, n = sec["rows"], sec["count"]
        base = median(next(r for r in rows if r.get("baseline"))["totals"])
        sec["unit"] = time_unit(base)
        for r in rows:
            r["median"] = median(r["totals"])
            r["ratio"], r["added"] = r["median"] / base, (r["median"] - base) / n
            r["label"] = r["name"] + (" (2 hops)" if r.get("container") else "")
        self.panel("Signal round trip (x no init)", rows, lambda r: r["label"],
                   lambda r: r["ratio"], lambda r: x(r["ratio"]))

    def rootless(self, sec):
        box = self.timing(sec)
        self.panel("Rootless container start (x unshare -r)", sec["rows"], lambda r: r["name"],
                   lambda r: r["ratio"], lambda r: x(r["ratio"]))
        bw = next(r for r in sec["rows"] if r["name"].startswith("bwrap"))
        self.target("Rootless container start", "≤ 0.65x `unshare -r`", x(box["ratio"]), box["ratio"] <= 0.65)
        self.target("Rootless container start", "under `bwrap --unshare-all`", f"{x(box['median'] / bw['median'])} bwrap",
                    box["median"] < bw["median"])

    def boot(self, sec):
        rows = by_name(sec["rows"])
        for r in sec["rows"]:
            r["share"] = [a + b for a, b in zip(r["to_command"], r["to_poweroff"])]
            for k in ("kernel", "to_command", "to_poweroff", "share", "wall"):
                r[k + "_median"] = median(r[k])
        box, bb = rows["boxinit"], rows["busybox"]
        for r in sec["rows"]:
            r["ratio"] = r["share_median"] / bb["share_median"]
            r["kind"] = "boxinit" if r.get("boxinit") else "baseline"
        sec["runs"] = len(box["to_command"])
        self.panel("Boot: the init's share, init → command + command → power-off (x busybox)",
                   sec["rows"], lambda r: "boxinit" if r.get("boxinit") else "busybox sh",
                   lambda r: r["ratio"], lambda r: x(r["ratio"]))
        ms = lambda r, k: f"{r[k + '_median'] * 1e3:,.1f}"
        self.target("Boot: the init's share", "well under busybox's (≤ 0.5x)", f"{ms(box, 'share')} ms (to the command "
                    f"{ms(box, 'to_command')}, to power-off {ms(box, 'to_poweroff')}) against "
                    f"busybox's {ms(bb, 'share')} ms ({ms(bb, 'to_command')} + "
                    f"{ms(bb, 'to_poweroff')}): {x(box['ratio'])}", box["ratio"] <= 0.5,
                    ("boot_busybox", None))
        self.target("Boot: the init's share", "a few ms (≤ 10 ms, under qemu TCG)", f"{ms(box, 'share')} ms", box["share_median"] <= 0.010,
                    ("boot_ms", None))


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


def render(res, rep, chart_rel):
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE), trim_blocks=True,
                             lstrip_blocks=True, keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined)
    env.filters.update(time=fmt_time, x=x, pct=pct, group=group, median=median,
                       paired=paired_ratio)
    m = res["machine"]
    busy = max(m["loadavg_start"][0], m["loadavg_end"][0]) > m["cores"]
    return env.get_template("BENCHMARKS.md.j2").render(
        res=res, s=rep.s, m=m, v=res["versions"], p=res["params"], targets=rep.targets,
        started=datetime.datetime.fromisoformat(res["started"]), chart=chart_rel, busy=busy)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--markdown", required=True)
    ap.add_argument("--chart", required=True, help="where the chart goes (.svg or .png)")
    a = ap.parse_args()
    with open(a.results) as f:
        res = json.load(f)
    rep = Report(res)
    for path in (a.markdown, a.chart):
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    chart_rel = os.path.relpath(os.path.abspath(a.chart),
                                os.path.dirname(os.path.abspath(a.markdown)))
    text = render(res, rep, chart_rel)
    with open(a.markdown, "w") as f:
        f.write(text)
    m, started = res["machine"], datetime.datetime.fromisoformat(res["started"])
    subtitle = (f"{started:%Y-%m-%d}, Linux {m['kernel']}, {m['cpu']}, {m['cores']} cores"
                f"{', QUICK RUN' if res['mode'] == 'quick' else ''}. Shorter is better.")
    draw_chart(a.chart, rep.panels, subtitle)
    print(f"bench: wrote {a.markdown} and {a.chart}", file=sys.stderr)
    for t in rep.targets:
        state = "skipped" if t["met"] is None else "met    " if t["met"] else "NOT MET"
        print(f"bench:   {state}  {t['what']}: {t['measured']} (goal {t['goal']})",
              file=sys.stderr)


if __name__ == "__main__":
    main()
