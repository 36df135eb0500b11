# boxinit's recipes. `just --list` shows them.

bin := "target/x86_64-unknown-linux-musl/release/boxinit"
# The architecture `just initramfs` and `just boot` build and boot: x86_64 or aarch64
# (`just arch=aarch64 boot -- CMD`, or ARCH=aarch64 in the environment)
arch := env_var_or_default("ARCH", "x86_64")

# Build the static release binary
build:
    cargo build --release

# Run boxinit with ARGS (after building it)
run *ARGS: build
    {{bin}} {{ARGS}}

# The Quick start example: a busybox container with its own hostname, PID 1 and /proc
example:
    sh image/example.sh

# Install what the tests use and run every test
test:
    sh tests/run.sh

# Build the scratch and busybox images with podman
image:
    sh image/build.sh

# Measure boxinit against tini, dumb-init, catatonit, unshare, bwrap, crun and runc
bench *ARGS:
    sh bench/run.sh {{ARGS}}

# Install the release binary and its man page under PREFIX (bin/boxinit, share/man/man1/boxinit.1)
install PREFIX="/usr/local": build
    install -D -m 755 {{bin}} "{{PREFIX}}/bin/boxinit"
    install -D -m 644 docs/boxinit.1 "{{PREFIX}}/share/man/man1/boxinit.1"

# Static release binaries for x86_64 and aarch64 in target/dist (boxinit-ARCH, the full build; boxinit-supervisor-ARCH, the supervisor build), with the man page and SHA256SUMS
dist:
    sh image/dist.sh

# The aarch64 build's tests under qemu's user-mode emulation
test-aarch64:
    sh tests/emulated.sh

# Build the initramfs (target/initramfs.gz, or target/initramfs-aarch64.gz): boxinit as /init, busybox, dev/console, modules
initramfs:
    ARCH={{arch}} sh image/initramfs.sh

# Boot the initramfs under QEMU (TCG) and run CMD, or a shell on the serial console; exits with CMD's status
[positional-arguments]
boot *CMD: initramfs
    ARCH={{arch}} sh image/boot.sh "$@"

# Fuzz every parser (values, options under each name) for SECONDS each (nightly; cargo-fuzz optional)
fuzz SECONDS="30":
    sh fuzz/run.sh {{SECONDS}}

# The heavy stress tests (100 000 orphans, 10 000 signals, 1000 containers, 100 MB, ...)
stress:
    cargo test --release --test survives_load_and_faults \
        --test terminal_never_hangs_under_stress -- --ignored

# The value parsers' unit tests under miri (nightly with the miri component)
miri:
    rustup +nightly component add miri rust-src
    cargo +nightly miri test --target x86_64-unknown-linux-gnu \
        --test value_parsers_round_trip_and_never_panic -- values::
