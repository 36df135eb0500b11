#!/bin/sh
# Build boxinit's two images with podman (what `just image` runs):
#   NAME:scratch  FROM scratch, only /boxinit              (image/Containerfile)
#   NAME:busybox  a busybox root filesystem and /boxinit  (image/Containerfile.busybox)
# Both have ENTRYPOINT ["/boxinit", "--"]; the busybox one has CMD ["sh"].
#
# Environment: BOXINIT_IMAGE is NAME (default localhost/boxinit); BOXINIT_BIN is a static
# boxinit to put in the images instead of building the release binary.
# podman reads image/containers.conf (through CONTAINERS_CONF); nothing under /etc changes.
set -eu
cd "$(dirname "$0")/.."
name=${BOXINIT_IMAGE:-localhost/boxinit}
bin=${BOXINIT_BIN:-}
target=${CARGO_TARGET_DIR:-target}
if [ -z "$bin" ]; then
    cargo build --release -q
    bin=$target/x86_64-unknown-linux-musl/release/boxinit
fi
CONTAINERS_CONF=$(pwd)/image/containers.conf
export CONTAINERS_CONF

# A build context of our own, so that builds running side by side do not share one.
mkdir -p "$target"
context=$(mktemp -d "$target/image-context.XXXXXX")
trap 'rm -rf "$context"' EXIT
cp "$bin" "$context/boxinit"
sh image/busybox-rootfs.sh "$context/rootfs"

podman build -q -f image/Containerfile -t "$name:scratch" "$context" >/dev/null
podman build -q -f image/Containerfile.busybox -t "$name:busybox" "$context" >/dev/null
echo "built $name:scratch and $name:busybox"
