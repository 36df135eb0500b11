#!/bin/sh
# Release binaries for both architectures (what `just dist` runs): target/dist/boxinit-x86_64
# and target/dist/boxinit-aarch64, static and stripped, the man page boxinit.1, and SHA256SUMS
# of all three beside them.
# Check a download with: sha256sum -c SHA256SUMS --ignore-missing
set -eu
cd "$(dirname "$0")/.."
dist=target/dist
mkdir -p "$dist"
for arch in x86_64 aarch64; do
    target=$arch-unknown-linux-musl
    rustup target add "$target" >/dev/null 2>&1 || true
    cargo build --release --quiet --target "$target"
    cp "target/$target/release/boxinit" "$dist/boxinit-$arch"
done
cp docs/boxinit.1 "$dist/boxinit.1"
cd "$dist"
sha256sum boxinit-x86_64 boxinit-aarch64 boxinit.1 >SHA256SUMS
for f in boxinit-x86_64 boxinit-aarch64; do
    echo "$f $(wc -c <"$f" | tr -d ' ') bytes"
done
cat SHA256SUMS
