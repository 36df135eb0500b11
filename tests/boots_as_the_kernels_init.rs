//! Boot mode. Each test boots Debian's kernel (linux-image-amd64) under QEMU without
//! KVM, with an initramfs whose /init is the boxinit under test (image/initramfs.sh), through
//! image/boot.sh (what `just boot` runs), and reads the serial console. A boot takes seconds of
//! TCG, so each one checks as much as it can, and at most two run at a time.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};
use support::*;

/// How long one boot may take from start to power-off, on a busy shared machine.
const BOOT_LIMIT: Duration = Duration::from_secs(240);
/// Boots at a time: each keeps a CPU busy.
const MAX_BOOTS: usize = 2;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The initramfs, built once per test run around the boxinit under test.
fn initramfs() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| build_initramfs("initramfs.gz", "yes"))
}

/// The same without dev/console: the kernel starts /init with no fds 0, 1, 2.
fn initramfs_without_console() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| build_initramfs("initramfs-no-console.gz", "no"))
}

fn build_initramfs(name: &str, console: &str) -> PathBuf {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("boot")
        .join(name);
    let built = run(Command::new("sh")
        .arg(repo().join("image/initramfs.sh"))
        .arg(&out)
        .env("BOXINIT_BIN", boxinit())
        .env("CONSOLE", console));
    assert!(built.status.success(), "{}", text(&built.stderr));
    out
}

/// A second root on an ext4 disk image: busybox, a marker file and an /sbin/init that says
/// who it is, how its root is mounted, and powers off.
fn disk() -> &'static Path {
    &disk_and_entries().0
}

/// How many names the disk's root file system holds, itself included, as `find / -xdev`
/// counts them.
fn disk_entries() -> usize {
    disk_and_entries().1
}

fn disk_and_entries() -> &'static (PathBuf, usize) {
    static BUILT: OnceLock<(PathBuf, usize)> = OnceLock::new();
    BUILT.get_or_init(|| {
        let root = busybox_root();
        std::fs::write(root.path().join("on-disk"), "the disk root\n").unwrap();
        std::fs::create_dir(root.path().join("run")).unwrap();
        // busybox's applet link: replaced, not written through.
        std::fs::remove_file(root.path().join("sbin/init")).unwrap();
        write_executable(
            &root.path().join("sbin/init"),
            "#!/bin/sh\n\
             mode=$(grep ' / ' /proc/mounts | cut -d' ' -f4 | cut -d, -f1)\n\
             echo \"disk init: pid $$, $(cat /on-disk), $mode\"\n\
             exec poweroff -f\n",
        );
        let image = Path::new(env!("CARGO_TARGET_TMPDIR")).join("boot/disk.img");
        ext4_image(root.path(), &image);
        // mke2fs adds lost+found.
        (image, count_entries(root.path()) + 1)
    })
}

fn count_entries(dir: &Path) -> usize {
    let below: usize = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| match e.file_type().unwrap().is_dir() {
            true => count_entries(&e.path()),
            false => 1,
        })
        .sum();
    below + 1
}

/// The size of the initramfs once unpacked: what it holds in memory until it is deleted.
fn initramfs_bytes() -> u64 {
    let out = run(Command::new("sh")
        .arg("-c")
        .arg("gzip -dc \"$0\" | wc -c")
        .arg(initramfs()));
    text(&out.stdout).trim().parse().unwrap()
}

/// A busybox root filesystem (image/busybox-rootfs.sh).
fn busybox_root() -> TempDir {
    let root = TempDir::new("boot-root");
    let made = run(Command::new("sh")
        .arg(repo().join("image/busybox-rootfs.sh"))
        .arg(root.path()));
    assert!(made.status.success(), "{}", text(&made.stderr));
    root
}

/// A slot among MAX_BOOTS, held while a VM runs.
struct Slot;

static SLOTS: (Mutex<usize>, Condvar) = (Mutex::new(0), Condvar::new());

impl Slot {
    fn take() -> Slot {
        let mut busy = SLOTS.0.lock().unwrap();
        while *busy >= MAX_BOOTS {
            busy = SLOTS.1.wait(busy).unwrap();
        }
        *busy += 1;
        Slot
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        *SLOTS.0.lock().unwrap() -= 1;
        SLOTS.1.notify_one();
    }
}

/// A booting VM: image/boot.sh and its QEMU in a process group of their own, the serial
/// console read line by line. Dropped before its end, the group is killed.
struct Vm {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    log: Vec<String>,
    deadline: Instant,
    _slot: Slot,
}

/// What a boot needs: kernel command line words (before `--`), a disk, the command.
#[derive(Default)]
struct Boot<'a> {
    append: &'a [&'a str],
    disk: bool,
    /// QEMU's own status, from the exit device boxinit writes to, rather than the status
    /// line boot.sh reads (QEMU exits at once then: no "Power down" line).
    qemu_status: bool,
    /// The initramfs without dev/console.
    no_console: bool,
}

impl Boot<'_> {
    fn start(&self, command: &[&str]) -> Vm {
        let mut cmd = Command::new("sh");
        cmd.arg(repo().join("image/boot.sh"))
            .arg("--")
            .args(command)
            .env(
                "INITRAMFS",
                if self.no_console {
                    initramfs_without_console()
                } else {
                    initramfs()
                },
            )
            .env("APPEND", self.append.join(" "))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .process_group(0);
        if self.disk {
            cmd.env("DISK", disk());
        }
        if self.qemu_status {
            cmd.env("STATUS_FROM", "qemu");
        }
        let slot = Slot::take();
        let mut child = cmd.spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).split(b'\n').map_while(Result::ok) {
                let line = text(&line).trim_end_matches('\r').to_owned();
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        Vm {
            stdin: child.stdin.take(),
            child,
            lines,
            log: Vec::new(),
            deadline: Instant::now() + BOOT_LIMIT,
            _slot: slot,
        }
    }

    /// Boot, run `command` and wait for the end: boot.sh's status and the serial log.
    fn run(&self, command: &[&str]) -> (i32, Log) {
        self.start(command).finish()
    }
}

impl Vm {
    /// Read the console until a line contains `want`.
    fn wait_for(&mut self, want: &str) {
        while !self.log.last().is_some_and(|l| l.contains(want)) {
            let left = self.deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => self.log.push(line),
                Err(_) => Log(std::mem::take(&mut self.log)).fail(&format!("no line {want:?}")),
            }
        }
    }

    /// Type on the serial console.
    fn type_in(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().unwrap();
        stdin.write_all(bytes).unwrap();
        stdin.flush().unwrap();
    }

    fn finish(mut self) -> (i32, Log) {
        self.stdin.take();
        loop {
            let left = self.deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => self.log.push(line),
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    Log(std::mem::take(&mut self.log)).fail("the VM did not end")
                }
            }
        }
        let left = self.deadline.saturating_duration_since(Instant::now());
        let Some(status) = wait_for(&mut self.child, left) else {
            Log(std::mem::take(&mut self.log)).fail("boot.sh did not end")
        };
        (exit_code(status), Log(std::mem::take(&mut self.log)))
    }
}

impl Drop for Vm {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            // SAFETY: no pointers; the group is boot.sh's own.
            unsafe { libc::kill(-(self.child.id() as i32), libc::SIGKILL) };
            let _ = self.child.wait();
        }
    }
}

/// The serial console's lines. Every failed check shows its tail.
struct Log(Vec<String>);

impl Log {
    fn has(&self, want: &str) -> bool {
        self.0.iter().any(|l| l.contains(want))
    }

    /// The line that starts with `key=`, without it.
    fn value(&self, key: &str) -> &str {
        let prefix = format!("{key}=");
        self.0
            .iter()
            .find_map(|l| l.strip_prefix(&prefix))
            .unwrap_or_else(|| self.fail(&format!("no {key}= line")))
    }

    #[track_caller]
    fn expect(&self, want: &str) {
        if !self.has(want) {
            self.fail(&format!("no line with {want:?}"));
        }
    }

    #[track_caller]
    fn refuse(&self, unwanted: &str) {
        if self.has(unwanted) {
            self.fail(&format!("a line with {unwanted:?}"));
        }
    }

    /// The end of a boot as it should be: the status line, a clean power-off, no panic.
    #[track_caller]
    fn powered_off_with(&self, status: u8) {
        self.expect(&format!("boxinit: exit status {status}"));
        self.expect("reboot: Power down");
        self.refuse("Kernel panic");
        self.refuse("Attempted to kill init");
    }

    /// boot.sh's status (the command's, from the status line, or QEMU's own) is `want`.
    #[track_caller]
    fn boot_sh_exited(&self, status: i32, want: i32) {
        check(
            self,
            status == want,
            &format!("boot.sh exited {status}, not {want}"),
        );
    }

    #[track_caller]
    fn fail(&self, why: &str) -> ! {
        let tail = &self.0[self.0.len().saturating_sub(60)..];
        panic!(
            "{why}\n--- serial console (last lines):\n{}",
            tail.join("\n")
        )
    }
}

#[track_caller]
fn check(log: &Log, ok: bool, what: &str) {
    if !ok {
        log.fail(what);
    }
}

// ---------------------------------------------------------------------------------------

/// What the first boot's command reports, one `key=value` line each. No double quote can
/// cross the kernel command line: the script has single ones only.
const REPORT: &str = "echo pid1=$(cat /proc/1/comm); \
    echo argv=$0,$1; \
    echo greeting=$GREETING; \
    echo kernel-words=$(env | grep -c -e ^console= -e ^panic= -e ^quiet); \
    for m in /dev /dev/pts /dev/shm /proc /sys /sys/fs/cgroup /run /tmp; do \
      cut -d' ' -f2 /proc/mounts | grep -qx $m && echo mounted=$m; done; \
    echo mounts=$(grep -c . /proc/mounts); \
    echo lo=$(cat /sys/class/net/lo/flags); \
    echo hostname=$(hostname); \
    echo tty=$(tty); \
    : </dev/tty && echo ctty=yes; \
    echo session=$(cut -d' ' -f6 /proc/self/stat)-$$; \
    exit 3";

/// The command's options act in boot mode as they do anywhere: from the kernel line's
/// variables and from the words after its `--`. (The background job ignores the SIGHUP the
/// kernel sends when the command, leading the console's session, exits.)
#[test]
fn the_command_options_act_in_boot_mode() {
    let (status, log) = Boot {
        append: &["BOXINIT_CHDIR=/tmp", "BOXINIT_CLEARENV=1"],
        ..Boot::default()
    }
    .run(&[
        "-e",
        "3",
        "--wait-all",
        "--setenv",
        "FROM_OPTION=yes",
        "/bin/sh",
        "-c",
        "echo cwd=$(pwd); echo from=$FROM_OPTION; echo home=$HOME; \
         trap '' HUP; (sleep 1; echo late=yes) & exit 3",
    ]);
    log.powered_off_with(0);
    log.boot_sh_exited(status, 0);
    assert_eq!(log.value("cwd"), "/tmp", "--chdir");
    assert_eq!(log.value("from"), "yes", "--setenv");
    // --clearenv's default HOME, not the kernel's.
    assert_eq!(log.value("home"), "/", "--clearenv");
    assert_eq!(log.value("late"), "yes", "--wait-all");
}

#[test]
fn boots_runs_the_command_from_the_kernel_line_and_powers_off() {
    let (status, log) = Boot {
        append: &["BOXINIT_HOSTNAME=bootbox", "GREETING=hello"],
        ..Boot::default()
    }
    .run(&["sh", "-c", REPORT, "zero", "two words"]);
    log.boot_sh_exited(status, 3);
    log.powered_off_with(3);
    assert_eq!(log.value("pid1"), "init", "PID 1 is not boxinit (/init)");
    assert_eq!(log.value("argv"), "zero,two words");
    assert_eq!(log.value("greeting"), "hello");
    assert_eq!(
        log.value("kernel-words"),
        "0",
        "the kernel's own words reached init"
    );
    for m in [
        "/dev",
        "/dev/pts",
        "/dev/shm",
        "/proc",
        "/sys",
        "/sys/fs/cgroup",
        "/run",
        "/tmp",
    ] {
        check(
            &log,
            log.has(&format!("mounted={m}")),
            &format!("{m} is not mounted"),
        );
    }
    // IFF_UP | IFF_LOOPBACK (and RUNNING, which the kernel adds for an up loopback)
    let lo = u32::from_str_radix(log.value("lo").trim_start_matches("0x"), 16).unwrap();
    check(&log, lo & 1 != 0, "lo is down");
    assert_eq!(log.value("hostname"), "bootbox");
    assert_eq!(log.value("tty"), "/dev/console");
    assert_eq!(log.value("ctty"), "yes", "no controlling terminal");
    // sh leads its own session.
    let session = log.value("session");
    let (sid, pid) = session.split_once('-').unwrap();
    assert_eq!(sid, pid, "the command does not lead its session");
}

#[test]
fn ctrl_c_on_the_serial_console_interrupts_the_command() {
    let mut vm = Boot::default().start(&["sh", "-c", "echo ready; exec sleep 1000"]);
    vm.wait_for("ready");
    vm.type_in(b"\x03");
    let (status, log) = vm.finish();
    // 130: death by SIGINT; boxinit survives it and powers off cleanly.
    log.boot_sh_exited(status, 130);
    log.powered_off_with(130);
}

#[test]
fn a_crashing_command_ends_in_a_clean_reboot_with_on_exit_reboot() {
    let (status, log) = Boot {
        append: &["BOXINIT_ON_EXIT=reboot"],
        ..Boot::default()
    }
    .run(&["sh", "-c", "kill -SEGV $$"]);
    log.boot_sh_exited(status, 139);
    log.expect("boxinit: exit status 139");
    // QEMU runs with -no-reboot, so the reboot ends it.
    log.expect("reboot: Restarting system");
    log.refuse("Kernel panic");
    log.refuse("Power down");
}

#[test]
fn sigusr2_to_pid_1_powers_off_after_term_grace_and_kill() {
    // The command ignores TERM (and so does its sleep): only the SIGKILL after the grace
    // period ends it; USR2 wins over --on-exit reboot.
    let (status, log) = Boot {
        append: &["BOXINIT_ON_EXIT=reboot", "BOXINIT_GRACE=1"],
        ..Boot::default()
    }
    .run(&["sh", "-c", "trap '' TERM; kill -USR2 1; sleep 1000"]);
    log.expect("boxinit: grace period over; killing what is left");
    log.powered_off_with(137);
    log.refuse("Restarting system");
    log.boot_sh_exited(status, 137);
}

#[test]
fn switch_root_into_the_disk_keeps_boxinit_as_pid_1() {
    let (status, log) = Boot {
        append: &["BOXINIT_ROOT=/dev/vda"],
        disk: true,
        ..Boot::default()
    }
    .run(&[
        "sh",
        "-c",
        "echo marker=$(cat /on-disk); echo pid1=$(cat /proc/1/comm); \
         echo initramfs=$(ls /init 2>&1 | grep -c 'No such'); \
         echo root=$(grep ' / ' /proc/mounts | cut -d' ' -f1,3); \
         for m in /dev /dev/pts /proc /sys /run /tmp; do \
           cut -d' ' -f2 /proc/mounts | grep -qx $m && echo mounted=$m; done; \
         echo disk-entries=$(find / -xdev | wc -l); \
         echo shmem-kb=$(awk '/^Shmem:/ { print $2 }' /proc/meminfo); exit 4",
    ]);
    log.boot_sh_exited(status, 4);
    log.powered_off_with(4);
    assert_eq!(log.value("marker"), "the disk root");
    assert_eq!(log.value("pid1"), "init");
    assert_eq!(
        log.value("initramfs"),
        "1",
        "/init of the initramfs is still there"
    );
    assert_eq!(log.value("root"), "/dev/vda ext4");
    for m in ["/dev", "/dev/pts", "/proc", "/sys", "/run", "/tmp"] {
        check(
            &log,
            log.has(&format!("mounted={m}")),
            &format!("{m} is not mounted"),
        );
    }
    // The initramfs (a tmpfs: its pages count as Shmem) was emptied, and the deletion
    // stayed on it: every name of the disk is still there.
    log.refuse("not an initramfs");
    let shmem = log.value("shmem-kb").parse::<u64>().unwrap() * 1024;
    let initramfs = initramfs_bytes();
    check(
        &log,
        shmem < initramfs / 2,
        &format!("{shmem} bytes of tmpfs in use: the initramfs ({initramfs} bytes) is still there"),
    );
    assert_eq!(
        log.value("disk-entries"),
        disk_entries().to_string(),
        "names lost on the disk"
    );
}

#[test]
fn exec_hands_pid_1_to_the_init_of_the_new_root() {
    let (status, log) = Boot {
        append: &[
            "BOXINIT_ROOT=/dev/vda",
            "BOXINIT_ROOT_FSTYPE=ext4",
            "BOXINIT_ROOT_OPTIONS=ro",
            "BOXINIT_EXEC=1",
        ],
        disk: true,
        ..Boot::default()
    }
    .run(&["/sbin/init"]);
    log.expect("disk init: pid 1, the disk root, ro");
    // The disk's init powered off itself: boxinit had no status to report.
    log.refuse("boxinit: exit status");
    log.expect("reboot: Power down");
    log.refuse("Kernel panic");
    log.boot_sh_exited(status, 0);
}

#[test]
fn an_unknown_option_on_the_kernel_line_powers_off_with_a_failure() {
    // A bare word before `--` reaches init as an argument. Without dev/console in the
    // initramfs, boxinit opens the console itself to say so.
    let (status, log) = Boot {
        append: &["--bogus"],
        qemu_status: true,
        no_console: true,
        ..Boot::default()
    }
    .run(&["sh", "-c", "echo ran"]);
    log.expect("boxinit: unknown option --bogus");
    log.expect("boxinit: exit status 125");
    log.refuse("Kernel panic");
    log.refuse("ran");
    // The exit device: QEMU exits 2*125+1.
    check(
        &log,
        status == 251,
        &format!("qemu exited {status}, not 251"),
    );
}

/// A command line that is refused still reads BOXINIT_EXIT_DEVICE as an accepted one does:
/// `no` is no, and the boot ends in a plain power-off. (Through the exit device QEMU would end
/// at once, before the kernel's "Power down".)
#[test]
fn exit_device_no_on_a_refused_kernel_line_is_not_used() {
    let (status, log) = Boot {
        append: &["BOXINIT_EXIT_DEVICE=no", "--bogus"],
        ..Boot::default()
    }
    .run(&["sh", "-c", "echo ran"]);
    log.expect("boxinit: unknown option --bogus");
    log.powered_off_with(125);
    log.refuse("ran");
    log.boot_sh_exited(status, 125);
}

#[test]
fn a_missing_root_device_powers_off_with_a_failure() {
    let (status, log) = Boot {
        append: &["BOXINIT_ROOT=/dev/nope", "BOXINIT_ROOT_WAIT=1"],
        no_console: true,
        ..Boot::default()
    }
    .run(&["sh", "-c", "echo ran"]);
    log.expect("boxinit: waiting for root device /dev/nope: No such file or directory");
    log.powered_off_with(125);
    log.refuse("ran");
    log.boot_sh_exited(status, 125);
}

/// A PID 1 that a container engine (here unshare) started is no init of a kernel: even
/// without /proc to look at, boxinit supervises as usual and mounts nothing.
#[test]
fn pid_1_of_a_container_does_not_boot() {
    let root = busybox_root();
    std::fs::copy(boxinit(), root.path().join("boxinit")).unwrap();
    let out = run(Command::new("unshare")
        .args(["--pid", "--fork", "--mount", "--root"])
        .arg(root.path())
        .args(["/boxinit", "--", "/bin/sh", "-c"])
        .arg("echo pid=$$ devices=$(ls /dev | wc -l) proc=$(ls /proc | wc -l); exit 3"));
    let stderr = text(&out.stderr);
    assert_eq!(exit_code(out.status), 3, "{stderr}");
    assert_eq!(
        text(&out.stdout).trim(),
        "pid=2 devices=0 proc=0",
        "{stderr}"
    );
    assert!(!stderr.contains("exit status"), "{stderr}");

    // With a /proc of its namespace, the same.
    let out = run(Command::new("unshare")
        .args(["--pid", "--fork", "--mount-proc"])
        .arg(boxinit())
        .args(["--", "sh", "-c", "exit 3"]));
    let stderr = text(&out.stderr);
    assert_eq!(exit_code(out.status), 3, "{stderr}");
    assert!(!stderr.contains("exit status"), "{stderr}");
}

/// `--boot` anywhere but as PID 1 is refused before it mounts anything: boot mode mounts a
/// tmpfs over every standard directory that is not a mount point yet (/tmp, /run, ...), which
/// on a running system would hide the caller's files. Run in a mount namespace of its own, so
/// that a regression cannot touch the host's mounts.
#[test]
fn boot_flag_outside_pid_1_is_refused_in_one_line_and_mounts_nothing() {
    let script = r#"
        before=$(cat /proc/self/mountinfo)
        "$BOXINIT" --boot -- true 2>"$ERR"
        status=$?
        [ "$before" = "$(cat /proc/self/mountinfo)" ] || { echo mounted; exit 12; }
        exit $status
    "#;
    let dir = TempDir::new("boot-flag");
    let err = dir.path().join("stderr");
    let out = run(Command::new("unshare")
        .args(["--mount", "--propagation", "private", "sh", "-c", script])
        .env("BOXINIT", boxinit())
        .env("ERR", &err));
    assert_eq!(out.status.code(), Some(125), "{out:?}");
    let stderr = std::fs::read_to_string(&err).unwrap();
    // Boot mode never ran: no status line follows the refusal.
    assert_eq!(stderr, "boxinit: --boot needs boxinit to be PID 1\n");
}

/// --modules is best effort, as systemd-modules-load is: a module that cannot be loaded is
/// one warning line, and the boot goes on to run the command.
#[test]
fn a_module_that_fails_to_load_is_a_warning_and_the_boot_goes_on() {
    let out = run(Command::new("unshare")
        .args(["--fork", "--pid", "--mount", "--mount-proc"])
        .arg(boxinit())
        .args([
            "--boot",
            "--modules",
            "no-such-module",
            "--",
            "sh",
            "-c",
            "exit 3",
        ]));
    let stderr = text(&out.stderr);
    assert_eq!(exit_code(out.status), 3, "{stderr}");
    assert_eq!(
        stderr,
        "boxinit: warning: loading module no-such-module: No such file or directory\n\
         boxinit: exit status 3\n"
    );
}
