//! cgroup v2: the limits for real, in a qemu guest (this host's cgroup2 has no
//! controllers). Debian's kernel boots under TCG with the initramfs of image/initramfs.sh,
//! whose /init is the boxinit under test, plus a second archive the kernel unpacks over it:
//! the probe (/probe) and the guest's script (tests/support/cgroups_v2_guest.sh). The script
//! runs every check and prints `cg:KEY=VALUE` lines on the serial console; the assertions are
//! here. Two boots: boxinit as PID 1 runs the script, and boxinit as PID 1 limits its command
//! itself (limits on the kernel command line).

mod support;

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;
use support::*;

/// One boot, start to power-off, on a busy shared machine under TCG.
const BOOT_LIMIT: Duration = Duration::from_secs(400);

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// image/initramfs.sh's initramfs with a second archive after it (the kernel unpacks
/// concatenated archives in order): /probe and /cgroups-v2.sh.
fn initramfs() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cgroups-v2");
        std::fs::create_dir_all(&dir).unwrap();
        let base = dir.join("base.gz");
        let built = run(Command::new("sh")
            .arg(repo().join("image/initramfs.sh"))
            .arg(&base)
            .env("BOXINIT_BIN", boxinit()));
        assert!(built.status.success(), "{}", text(&built.stderr));

        let extra = TempDir::new("cgroups-v2-extra");
        std::fs::copy(probe(), extra.path().join("probe")).unwrap();
        std::fs::copy(
            repo().join("tests/support/cgroups_v2_guest.sh"),
            extra.path().join("cgroups-v2.sh"),
        )
        .unwrap();
        let archive = run(Command::new("sh")
            .arg("-c")
            .arg("find . | cpio --quiet -o -H newc -R 0:0 | gzip -1")
            .current_dir(extra.path()));
        assert!(archive.status.success(), "{}", text(&archive.stderr));

        let all = dir.join("initramfs.gz");
        let mut bytes = std::fs::read(&base).unwrap();
        bytes.extend_from_slice(&archive.stdout);
        std::fs::write(&all, bytes).unwrap();
        all
    })
}

/// Boot with `append` on the kernel command line and `command` as boxinit's: boot.sh's
/// status and the serial console's lines.
fn boot(append: &[&str], command: &[&str]) -> (i32, Log) {
    let mut child = Command::new("sh")
        .arg(repo().join("image/boot.sh"))
        .arg("--")
        .args(command)
        .env("INITRAMFS", initramfs())
        .env("APPEND", append.join(" "))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .process_group(0)
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        BufReader::new(stdout)
            .split(b'\n')
            .map_while(Result::ok)
            .map(|l| text(&l).trim_end_matches('\r').to_owned())
            .collect::<Vec<_>>()
    });
    let Some(status) = wait_for(&mut child, BOOT_LIMIT) else {
        // SAFETY: no pointers; the group is boot.sh's own, with its QEMU.
        unsafe { libc::kill(-(child.id() as i32), libc::SIGKILL) };
        let _ = child.wait();
        Log(reader.join().unwrap()).fail("the VM did not end in time");
    };
    (exit_code(status), Log(reader.join().unwrap()))
}

/// The serial console's lines; a failed check shows their tail.
struct Log(Vec<String>);

impl Log {
    /// The value of the script's `cg:KEY=` line.
    #[track_caller]
    fn value(&self, key: &str) -> &str {
        let prefix = format!("cg:{key}=");
        self.0
            .iter()
            .find_map(|l| l.strip_prefix(&prefix))
            .unwrap_or_else(|| self.fail(&format!("no line {prefix}")))
    }

    #[track_caller]
    fn expect(&self, key: &str, want: &str) {
        let got = self.value(key);
        if got != want {
            self.fail(&format!("{key}: {got:?}, not {want:?}"));
        }
    }

    #[track_caller]
    fn has(&self, want: &str) {
        if !self.0.iter().any(|l| l.contains(want)) {
            self.fail(&format!("no line with {want:?}"));
        }
    }

    /// A number in `key=N` inside the value of the `cg:` line `line`.
    #[track_caller]
    fn number(&self, line: &str, key: &str) -> f64 {
        let value = self.value(line);
        let field = value
            .split_whitespace()
            .find_map(|f| f.strip_prefix(&format!("{key}=")));
        field
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| self.fail(&format!("no {key}=N in {line}: {value:?}")))
    }

    #[track_caller]
    fn check(&self, ok: bool, what: &str) {
        if !ok {
            self.fail(what);
        }
    }

    #[track_caller]
    fn fail(&self, why: &str) -> ! {
        let tail = &self.0[self.0.len().saturating_sub(80)..];
        panic!(
            "{why}\n--- serial console (last lines):\n{}",
            tail.join("\n")
        )
    }
}

const OOM: &str = "boxinit: out of memory: the kernel's OOM killer ended a process of cgroup";

#[test]
fn limits_in_a_cgroup_v2_guest() {
    let (status, log) = boot(&[], &["sh", "/cgroups-v2.sh"]);
    log.expect("done", "yes");
    log.has("boxinit: exit status 0");
    log.check(status == 0, &format!("boot.sh exited {status}"));
    // The guest's boxinit, PID 1, sits in the root group, which holds every controller.
    log.expect("own", "0::/");
    for controller in ["memory", "cpu", "pids"] {
        let available = log.value("available").split_whitespace();
        log.check(
            available.clone().any(|c| c == controller),
            &format!("no {controller} controller in the guest"),
        );
    }
    log.expect("root_subtree_first", "");

    // Bad input: a delegated group whose parent does not pass memory down; a read-only tree.
    log.expect("undelegated_status", "125");
    log.expect("undelegated_lines", "1");
    log.expect(
        "undelegated_err",
        "boxinit: cgroup controllers not passed down to /sys/fs/cgroup/deleg",
    );
    log.expect("undelegated_left", "");
    log.expect("readonly_status", "125");
    log.expect("readonly_lines", "1");
    log.check(
        log.value("readonly_err").ends_with("Read-only file system"),
        "readonly: not the error",
    );

    // --memory 32m and 64 MiB: killed, 137, one line; the root passes memory down (the
    // root is exempt from the no-internal-process rule: boxinit stays there).
    log.expect("memory_status", "137");
    log.expect("memory_out", "");
    log.expect("memory_lines", "1");
    log.expect("memory_err", &format!("{OOM} mem"));
    log.expect("root_subtree", "memory");

    // --pids 16 and 64 forks: the probe and 15 children; boxinit still passes signals on.
    log.expect("pids_forks", "forked=15 failed=49");
    log.expect("pids_ready", "ready");
    log.expect("pids_current", "16");
    log.expect("pids_usr1", "signal 10");
    log.expect("pids_term", "signal 15");
    log.expect("pids_status", "0");
    log.expect("pids_err", "");

    // --cpus 0.2 and a 2 s busy loop: 0.15-0.30 of the wall time, and throttled.
    log.expect("cpu_status", "0");
    log.expect("cpu_err", "");
    let share = log.number("cpu_spin", "cpu_ms") / log.number("cpu_spin", "wall_ms");
    log.check(
        (0.15..=0.30).contains(&share),
        &format!("CPU share {share}"),
    );
    let throttled: u64 = log.value("cpu_throttled").parse().unwrap_or(0);
    log.check(throttled > 0, "cpu.stat: never throttled");

    // Every limit in its file: memory.max, memory.swap.max (64m of memory and swap is 16m of
    // swap), cpu.max, cpu.weight, pids.max.
    log.expect("files_status", "0");
    log.expect("files", "50331648 16777216 50000 100000 50 30");
    log.expect("files_err", "");

    log.expect("plain_cgroup", "0::/plain");
    log.expect("ns_cgroup", "0::/");

    // One level down, boxinit alone in its group: it moves to a leaf so that the group can
    // pass controllers down, and leaves nothing behind.
    log.expect("nested_status", "0");
    log.expect("nested_cgroup", "0::/outer/inner");
    log.expect("nested_subtree", "memory pids");
    log.expect("nested_groups", "./inner ./inner.supervisor");
    log.expect("nested_err", "");
    // Afterwards the group is as it was: no controllers passed down, no leaf.
    log.expect("nested_subtree_after", "");
    log.expect("nested_left", "");

    // Rootless in a delegated group: the same limit, the same end.
    log.expect("rootless_status", "137");
    log.expect("rootless_out", "");
    log.expect("rootless_err", &format!("{OOM} hog"));
    log.expect("rootless_left", "");

    log.expect("left", "");
}

#[test]
fn boot_mode_limits_its_one_command() {
    let (status, log) = boot(
        &["BOXINIT_MEMORY=32m", "BOXINIT_PIDS=64"],
        &["sh", "/cgroups-v2.sh", "boot"],
    );
    log.expect("boot_cgroup", "/boxinit-1");
    log.expect("boot_files", "33554432 64 ");
    log.has(&format!("{OOM} boxinit-1"));
    log.has("boxinit: exit status 137");
    log.has("reboot: Power down");
    log.check(status == 137, &format!("boot.sh exited {status}, not 137"));
}
