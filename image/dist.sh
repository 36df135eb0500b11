#!/bin/sh
# Release binaries for both architectures (what `just dist` runs), static and stripped, in
# target/dist: boxinit-ARCH, the full build (supervisor, launcher, limits, boot mode), and
# boxinit-supervisor-ARCH, the supervisor build (every personality and supervisor option,
# nothing else); the man page boxinit.1; and SHA256SUMS of them all beside them.
# Check a download with: sha256sum -c SHA256SUMS --ignore-missing
set -eu
cd "$(dirname "$0")/.."
dist=target/dist
mkdir -p "$dist"
files=""
for arch in x86_64 aarch64; do
    target=$arch-unknown-linux-musl
    rustup target add "$target" >/dev/null 2>&1 || true
    cargo build --release --quiet --target "$target"
    cp "target/$target/release/boxinit" "$dist/boxinit-$arch"
    cargo build --release --quiet --target "$target" --no-default-features --target-dir target/supervisor
    cp "target/supervisor/$target/release/boxinit" "$dist/boxinit-supervisor-$arch"
    files="$files boxinit-$arch boxinit-supervisor-$arch"
done
cp docs/boxinit.1 "$dist/boxinit.1"
cd "$dist"
# shellcheck disable=SC2086 # the names have no spaces
sha256sum $files boxinit.1 >SHA256SUMS
for f in $files; do
    echo "$f $(wc -c <"$f" | tr -d ' ') bytes"
done
cat SHA256SUMS
