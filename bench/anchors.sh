#!/bin/sh
# Build the anchors' best variants: tini, dumb-init and catatonit from Debian's own source
# packages, each one `musl-gcc -static -Os` of its single C file, stripped; and the helpers of
# the supervisor-start table, a static `true` (and `false`) and the floor, and the boot
# benchmark's command, `mark` (bench/c/). All land
# in target/bench/anchors/bin, built again only when this script, bench/c/ or musl-gcc change.
#
# The sources come through a PRIVATE apt configuration under target/bench/apt (the machine's
# own sources turned into deb-src, with their own lists and cache), so the machine's apt lists
# and /etc/apt are left exactly as they were.
# Usage: bench/anchors.sh      (as root on a fresh machine it installs musl-tools first)
set -eu
cd "$(dirname "$0")/.."
top=$PWD
work=$top/target/bench
apt=$work/apt
out=$work/anchors
say() { echo "bench: $*" >&2; }

if ! command -v musl-gcc >/dev/null 2>&1; then
    say "apt-get install musl-tools"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q musl-tools >/dev/null
fi

# The cache key: what decides the binaries. Debian's source versions are pinned by the
# machine's sources, which do not move within a release.
key=$(cat bench/anchors.sh bench/c/*.c | cksum | cut -d' ' -f1)-$(musl-gcc -dumpversion)
if [ -f "$out/key" ] && [ "$(cat "$out/key")" = "$key" ]; then
    exit 0
fi
rm -rf "$out"
mkdir -p "$out/bin" "$out/src"

# 1. The private deb-src configuration: every deb line of the machine's sources, as deb-src.
mkdir -p "$apt/parts" "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/src"
rm -f "$apt/parts/"*
for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    sed 's/^Types:.*$/Types: deb-src/' "$f" >"$apt/parts/$(basename "$f")"
done
if [ -f /etc/apt/sources.list ]; then
    sed -n 's/^deb[[:space:]]/deb-src /p' /etc/apt/sources.list >"$apt/parts/machine.list"
fi
aptp() {
    apt-get -q -o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$apt/parts" \
        -o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache" "$@"
}

# 2. The upstream tarballs (.orig.tar.*) of tini, dumb-init and catatonit. Debian's patches
# touch only their build systems, which this does not use; the download of a .debian.tar
# may fail (the mirror has lost one of them) as long as the .orig tarball came.
have_sources() {
    for p in tini dumb-init catatonit; do
        ls "$apt/src/${p}_"*.orig.tar.* >/dev/null 2>&1 || return 1
    done
}
if ! have_sources; then
    say "fetching the sources of tini, dumb-init and catatonit (private apt config in $apt)"
    aptp update >"$apt/log" 2>&1 || { cat "$apt/log" >&2; exit 1; }
    (cd "$apt/src" && aptp source --download-only tini dumb-init catatonit) >"$apt/log" 2>&1 ||
        true
    have_sources || {
        cat "$apt/log" >&2
        say "could not download the sources of tini, dumb-init and catatonit"
        exit 1
    }
fi
for t in "$apt/src/"*.orig.tar.*; do
    tar -xf "$t" -C "$out/src"
done

# 3. One compiler line each.
cc() { musl-gcc -static -Os -s "$@"; }
say "building tini, dumb-init and catatonit with musl-gcc -static -Os"
tini=$(echo "$out/src"/tini-*)
v=${tini##*/tini-}
printf '#define TINI_VERSION "%s"\n#define TINI_GIT ""\n' "$v" >"$tini/src/tiniConfig.h"
cc -o "$out/bin/tini" "$tini/src/tini.c"

dumb=$(echo "$out/src"/dumb-init-*)
cc -o "$out/bin/dumb-init" "$dumb/dumb-init.c"

cata=$(echo "$out/src"/catatonit-*)
v=${cata##*/catatonit-}
sed -e 's/@PACKAGE_NAME@/catatonit/' -e "s/@PACKAGE_VERSION@/$v/" \
    -e 's|@PACKAGE_BUGREPORT@|https://bugs.opensuse.org/|' \
    -e 's|@PACKAGE_URL@|https://github.com/openSUSE/catatonit/|' \
    "$cata/config.h.in" >"$cata/config.h"
cc -o "$out/bin/catatonit" "$cata/catatonit.c"

cc -o "$out/bin/true" bench/c/true.c
cc -DSTATUS=1 -o "$out/bin/false" bench/c/true.c
cc -o "$out/bin/floor" bench/c/floor.c
cc -o "$out/bin/mark" bench/c/mark.c
for step in SUBREAPER PGRP SIGWAIT; do
    cc -D$step -o "$out/bin/floor+$(echo $step | tr 'A-Z' 'a-z')" bench/c/floor.c
done
cc -DSUBREAPER -DPGRP -DSIGWAIT -o "$out/bin/floor+all" bench/c/floor.c

# What was built from what, for the report.
for p in tini dumb-init catatonit; do
    dsc=$(ls "$apt/src/${p}_"*.dsc 2>/dev/null | head -n1)
    ver=$(sed -n 's/^Version: //p' "$dsc" 2>/dev/null)
    echo "$p ${ver:-?}"
done >"$out/versions"
echo "musl-gcc $(musl-gcc -dumpversion), musl $(dpkg-query -W -f '${Version}' musl 2>/dev/null)" \
    >>"$out/versions"
echo "$key" >"$out/key"
