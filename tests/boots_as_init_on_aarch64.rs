//! Boot mode on aarch64. One boot of Debian's arm64 kernel under
//! qemu-system-aarch64 (`-M virt -cpu max`, TCG) with an initramfs whose /init is the aarch64
//! boxinit, through image/initramfs.sh and image/boot.sh with ARCH=aarch64 (what
//! `just arch=aarch64 boot` runs). The scripts build the aarch64 binary (adding the target
//! first) and fetch the kernel and busybox (image/arm64-debs.sh), so nothing else has to run
//! before this test. A TCG boot of arm64 takes tens of seconds: one boot checks everything.

mod support;

use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;
use support::*;

/// Building the aarch64 binary and fetching Debian's packages on a fresh machine.
const BUILD_LIMIT: Duration = Duration::from_secs(900);
/// One boot to power-off, on a busy shared machine.
const BOOT_LIMIT: Duration = Duration::from_secs(300);

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("boot-aarch64");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Run `cmd` in a process group of its own with stdout and stderr into `log`, at most
/// `limit` (then the group, QEMU included, is killed): its status and the log's text.
fn run_logged(cmd: &mut Command, log: &Path, limit: Duration) -> (Option<i32>, String) {
    let file = File::create(log).unwrap();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(file.try_clone().unwrap())
        .stderr(file)
        .process_group(0)
        .spawn()
        .unwrap();
    let status = wait_for(&mut child, limit);
    if status.is_none() {
        // SAFETY: no pointers; the group is the child's own.
        unsafe { libc::kill(-(child.id() as i32), libc::SIGKILL) };
        let _ = child.wait();
    }
    let text = text(&std::fs::read(log).unwrap()).replace('\r', "");
    (status.map(exit_code), text)
}

#[track_caller]
fn fail(why: &str, log: &str) -> ! {
    let lines: Vec<&str> = log.lines().collect();
    let tail = &lines[lines.len().saturating_sub(60)..];
    panic!("{why}\n--- log (last lines):\n{}", tail.join("\n"))
}

/// The `key=value` line's value.
fn value<'a>(log: &'a str, key: &str) -> &'a str {
    let prefix = format!("{key}=");
    log.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| fail(&format!("no {key}= line"), log))
}

/// What the command reports, one `key=value` line each. No double quote can cross the kernel
/// command line: the script has single ones only.
const REPORT: &str = "echo pid1=$(cat /proc/1/comm); \
    echo machine=$(uname -m); \
    echo argv=$0,$1; \
    for m in /dev /proc /sys; do \
      cut -d' ' -f2 /proc/mounts | grep -qx $m && echo mounted=$m; done; \
    exit 3";

#[test]
fn aarch64_boots_runs_the_command_and_powers_off() {
    let initramfs = scratch("initramfs.gz");
    let (built, log) = run_logged(
        Command::new("sh")
            .arg(repo().join("image/initramfs.sh"))
            .arg(&initramfs)
            .env("ARCH", "aarch64")
            .env_remove("BOXINIT_BIN"),
        &scratch("initramfs.log"),
        BUILD_LIMIT,
    );
    if built != Some(0) {
        fail(&format!("image/initramfs.sh ended with {built:?}"), &log);
    }

    let (status, log) = run_logged(
        Command::new("sh")
            .arg(repo().join("image/boot.sh"))
            .args(["--", "sh", "-c", REPORT, "zero", "two words"])
            .env("ARCH", "aarch64")
            .env("INITRAMFS", &initramfs)
            .env_remove("KERNEL")
            .env_remove("APPEND"),
        &scratch("console.log"),
        BOOT_LIMIT,
    );
    // boot.sh's status is the command's, read from boxinit's line on the console.
    if status != Some(3) {
        fail(&format!("boot.sh ended with {status:?}, not 3"), &log);
    }
    for want in ["boxinit: exit status 3", "reboot: Power down"] {
        if !log.lines().any(|l| l.contains(want)) {
            fail(&format!("no line with {want:?}"), &log);
        }
    }
    for unwanted in ["Kernel panic", "Attempted to kill init"] {
        if log.contains(unwanted) {
            fail(&format!("a line with {unwanted:?}"), &log);
        }
    }
    if value(&log, "pid1") != "init" {
        fail("PID 1 is not boxinit (/init)", &log);
    }
    if value(&log, "machine") != "aarch64" {
        fail("the guest is not aarch64", &log);
    }
    if value(&log, "argv") != "zero,two words" {
        fail("the command's arguments did not arrive whole", &log);
    }
    for m in ["/dev", "/proc", "/sys"] {
        if !log.lines().any(|l| l == format!("mounted={m}")) {
            fail(&format!("{m} is not mounted"), &log);
        }
    }
}
