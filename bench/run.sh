#!/bin/sh
# The benchmark harness (`just bench`): find or install the anchors, build their musl variants
# (bench/anchors.sh, cached in target/bench/anchors), build boxinit and the test probe, make
# one busybox rootfs, measure everything (bench/measure.py) and write the report
# (bench/report.py through the template bench/BENCHMARKS.md.j2): BENCHMARKS.md and
# bench/chart.svg. It writes nothing else in the repository.
#
# Usage: bench/run.sh [--quick] [--out DIR]
#   --quick     few runs and 2000 orphans instead of 20000: checks that the harness works
#               (CI), numbers are not worth quoting. Also BENCH_QUICK=1.
#   --out DIR   where BENCHMARKS.md and chart.svg go. Default: the repository (BENCHMARKS.md,
#               bench/chart.svg) for a full run, target/bench/ for a quick one, so a quick
#               run never overwrites the published results.
# Needs root (namespaces, mounts, containers). Leaves no container, mount or process behind.
set -eu
cd "$(dirname "$0")/.."

quick=${BENCH_QUICK:-0}
[ "$quick" = 0 ] || quick=1
out=""
while [ $# -gt 0 ]; do
    case $1 in
    --quick) quick=1 ;;
    --out) out=${2:?--out needs a directory}; shift ;;
    --out=*) out=${1#--out=} ;;
    -h | --help) sed -n '2,/^set/s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "bench: unknown argument: $1 (try --help)" >&2; exit 2 ;;
    esac
    shift
done

say() { echo "bench: $*" >&2; }

if [ "$(id -u)" != 0 ]; then
    say "must run as root (it makes namespaces, mounts and containers)"
    exit 1
fi

# 1. The anchors, from Debian's packages: command -> package.
missing=""
for pair in tini:tini tini-static:tini dumb-init:dumb-init catatonit:catatonit \
    unshare:util-linux bwrap:bubblewrap runc:runc crun:crun hyperfine:hyperfine \
    strip:binutils file:file setpriv:util-linux strace:strace perf:linux-perf; do
    cmd=${pair%%:*} pkg=${pair#*:}
    if ! command -v "$cmd" >/dev/null 2>&1; then
        case " $missing " in *" $pkg "*) ;; *) missing="$missing $pkg" ;; esac
    fi
done
if ! [ -x /bin/busybox ] || ! file -L /bin/busybox 2>/dev/null | grep -q static; then
    missing="$missing busybox-static"
fi
# Debian's python3 with Debian's matplotlib, Jinja2 and psutil, whatever python3 comes first
# on PATH.
py=/usr/bin/python3
if ! [ -x $py ] || ! $py -c 'import matplotlib, jinja2, psutil' 2>/dev/null; then
    missing="$missing python3 python3-matplotlib python3-jinja2 python3-psutil"
fi
if [ -n "$missing" ]; then
    say "apt-get install$missing"
    apt-get update -q >/dev/null
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing >/dev/null
fi

# The musl builds of tini, dumb-init and catatonit, the static true and the floor.
sh bench/anchors.sh

# 2. boxinit (release: the full and the supervisor build) and the test probe (static, also
# copied into the rootfs).
say "building boxinit and the probe (release)"
cargo build --release --quiet
cargo build --release --quiet --no-default-features --target-dir target/supervisor
cargo build --release --quiet --example probe

# 3. One busybox rootfs for every launcher and engine.
work=target/bench
mkdir -p "$work"
say "making the busybox rootfs in $work/rootfs"
sh image/busybox-rootfs.sh "$work/rootfs"
cp target/x86_64-unknown-linux-musl/release/examples/probe "$work/rootfs/bin/probe"

# 4. Measure, then write the report.
if [ -z "$out" ]; then
    if [ "$quick" = 1 ]; then out=$work; else out=.; fi
fi
mode=full
[ "$quick" = 0 ] || mode=quick
$py bench/measure.py --mode "$mode" --work "$work" --results "$work/results.json"
if [ "$out" = . ]; then
    $py bench/report.py "$work/results.json" --markdown BENCHMARKS.md --chart bench/chart.svg
else
    $py bench/report.py "$work/results.json" --markdown "$out/BENCHMARKS.md" \
        --chart "$out/chart.svg"
fi
