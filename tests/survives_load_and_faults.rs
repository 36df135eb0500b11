//! Stress and faults. Each test has a light form in the normal run and a heavy one behind
//! `#[ignore]` (`just stress` runs those: `cargo test --release --test survives_load_and_faults --
//! --ignored`).

mod support;

use std::process::Command;
use std::time::{Duration, Instant};
use support::*;

/// A command tagged so that every process it leaves can be found.
fn tagged(args: &[&str], tag: &str) -> Command {
    let mut cmd = Command::new(boxinit());
    cmd.args(args).env("HARDEN_TAG", tag);
    cmd
}

fn tagged_pids(tag: &str) -> Vec<i32> {
    processes_with_env(&format!("HARDEN_TAG={tag}"))
}

/// Wait (with a deadline) until no process carries `tag`.
fn none_left(tag: &str) -> Vec<i32> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left = tagged_pids(tag);
        if left.is_empty() || Instant::now() > deadline {
            return left;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn probe_path() -> String {
    probe().to_str().unwrap().to_owned()
}

// ---- Orphans ------------------------------------------------------------------------------

fn orphans(n: usize) {
    // 100 000 double forks take longer than `run` waits on a busy machine (about 35 s on an
    // idle one, as long as under tini -s): timeout(1) bounds the run instead.
    let out = Command::new("timeout")
        .arg("600")
        .arg(boxinit())
        .args(["--", &probe_path(), "orphans", &n.to_string()])
        .env("HARDEN_TAG", "o")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(exit_code(out.status), 0, "{out:?}");
    assert_eq!(text(&out.stdout).trim(), "zombies=0", "{out:?}");
    assert!(out.stderr.is_empty(), "{out:?}");
}

#[test]
fn orphans_are_reaped() {
    orphans(2_000);
}

#[test]
#[ignore]
fn orphans_100_000_are_reaped() {
    orphans(100_000);
}

// ---- A signal storm -----------------------------------------------------------------------

fn signal_storm(n: usize) {
    let mut p = Running::start(&mut tagged(&["--", &probe_path(), "catch", "15"], "s"));
    p.expect("ready");
    let kinds = [
        libc::SIGUSR1,
        libc::SIGUSR2,
        libc::SIGWINCH,
        libc::SIGHUP,
        libc::SIGALRM,
        libc::SIGCHLD,
        libc::SIGCONT,
        libc::SIGURG,
        libc::SIGINT,
        libc::SIGQUIT,
    ];
    for i in 0..n {
        p.signal(kinds[i % kinds.len()]);
    }
    p.signal(libc::SIGTERM);
    let out = p.finish();
    assert_eq!(exit_code(out.status), 0, "{out:?}");
    assert!(out.stderr.is_empty(), "{out:?}");
}

#[test]
fn a_signal_storm_neither_hangs_nor_changes_the_status() {
    signal_storm(1_000);
}

#[test]
#[ignore]
fn a_storm_of_10_000_signals() {
    signal_storm(10_000);
}

/// A rootfs holding the probe and an empty /dev, and its path.
fn rootfs_with_dev() -> (TempDir, String) {
    let root = probe_rootfs();
    std::fs::create_dir_all(root.path().join("dev")).unwrap();
    let path = root.path().to_str().unwrap().to_owned();
    (root, path)
}

/// How many mounts of the host's table are in `rootfs`.
fn mounts_of(rootfs: &str) -> usize {
    host_mountinfo()
        .lines()
        .filter(|l| l.contains(rootfs))
        .count()
}

// ---- Containers back to back --------------------------------------------------------------

fn back_to_back(n: usize) {
    let (_root, rootfs) = rootfs_with_dev();
    let mounts = || mounts_of(&rootfs);
    let mounts_before = mounts();
    let tag = format!("b2b-{}", unique());
    for i in 0..n {
        let status = (i % 7).to_string();
        let out = run(&mut tagged(
            &[
                "--rootfs", &rootfs, "--", "/probe", "report", "--then", "exit", &status,
            ],
            &tag,
        ));
        assert_eq!(exit_code(out.status), (i % 7) as i32, "run {i}: {out:?}");
        assert!(out.stderr.is_empty(), "run {i}: {out:?}");
        // No descriptor of boxinit's (or of the test's) reaches the command.
        assert_eq!(report_value(&text(&out.stdout), "fds"), "0,1,2", "run {i}");
    }
    assert_eq!(mounts(), mounts_before, "mounts of the rootfs left");
    assert_eq!(none_left(&tag), Vec::<i32>::new(), "processes left");
}

#[test]
fn containers_back_to_back_leak_nothing() {
    back_to_back(20);
}

#[test]
#[ignore]
fn a_thousand_containers_back_to_back() {
    back_to_back(1000);
}

// ---- A fork bomb under --pids -------------------------------------------------------------

#[test]
fn a_fork_bomb_is_contained_and_boxinit_still_answers() {
    let tag = format!("bomb-{}", unique());
    let mut p = Running::start(&mut tagged(
        &[
            "--pids",
            "64",
            "--",
            &probe_path(),
            "forks",
            "500",
            "--then",
            "sleep",
        ],
        &tag,
    ));
    let line = p.line();
    let forked: usize = line
        .strip_prefix("forked=")
        .and_then(|l| l.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("unexpected line {line:?}"));
    assert!(forked < 64, "{line}");
    p.signal(libc::SIGTERM);
    let out = p.finish();
    assert_eq!(exit_code(out.status), 128 + libc::SIGTERM, "{out:?}");
    assert_eq!(none_left(&tag), Vec::<i32>::new(), "processes left");
}

// ---- Output passes through untouched ------------------------------------------------------

fn pass_through(bytes: usize) {
    let dir = TempDir::new("stress-out");
    let file = dir.path().join("data");
    // Every byte value, in a pattern that shifts, so a lost or doubled block shows.
    let data: Vec<u8> = (0..bytes).map(|i| (i ^ (i >> 11)) as u8).collect();
    std::fs::write(&file, &data).unwrap();
    let out = run(&mut tagged(
        &["--", "/bin/cat", file.to_str().unwrap()],
        "pipe",
    ));
    assert_eq!(exit_code(out.status), 0);
    assert!(out.stderr.is_empty(), "{:?}", text(&out.stderr));
    assert_eq!(out.stdout.len(), data.len());
    assert!(
        out.stdout == data,
        "the output differs from what the command wrote"
    );
}

#[test]
fn output_passes_through_complete() {
    pass_through(4 << 20);
}

#[test]
#[ignore]
fn a_hundred_megabytes_pass_through() {
    pass_through(100 << 20);
}

// ---- SIGKILL of the outer boxinit ---------------------------------------------------------

fn killed_outside(rounds: u64) {
    let root = probe_rootfs();
    std::fs::create_dir_all(root.path().join("dev")).unwrap();
    let rootfs = root.path().to_str().unwrap().to_owned();
    for round in 0..rounds {
        let tag = format!("kill-{}", unique());
        let mut cmd = tagged(
            &[
                "--rootfs", &rootfs, "--", "/probe", "forks", "5", "--then", "sleep",
            ],
            &tag,
        );
        let p = Running::start(&mut cmd);
        // A moment anywhere from before the setup to after the command started.
        std::thread::sleep(Duration::from_micros(round * 7_919 % 30_000));
        p.signal(libc::SIGKILL);
        drop(p.finish());
        assert_eq!(
            none_left(&tag),
            Vec::<i32>::new(),
            "round {round}: processes left"
        );
    }
}

#[test]
fn sigkill_of_boxinit_takes_the_container_down() {
    killed_outside(5);
}

#[test]
#[ignore]
fn sigkill_of_boxinit_at_100_moments() {
    killed_outside(100);
}

// ---- SIGSTOP and SIGCONT ------------------------------------------------------------------

#[test]
fn a_stopped_boxinit_loses_no_signal() {
    let mut p = Running::start(&mut tagged(&["--", &probe_path(), "signals", "15"], "stop"));
    p.expect("ready");
    p.signal(libc::SIGSTOP);
    p.signal(libc::SIGUSR1);
    p.signal(libc::SIGCONT);
    p.skip_to(&format!("signal {}", libc::SIGUSR1));
    p.signal(libc::SIGTERM);
    let out = p.finish();
    assert_eq!(exit_code(out.status), 0, "{out:?}");
}

// ---- Injected syscall failures ------------------------------------------------------------

#[test]
fn injected_failures_give_125_one_line_and_leave_the_host_alone() {
    if Command::new("strace").arg("-V").output().is_err() {
        panic!("strace is not installed (tests/install-deps.sh installs it)");
    }
    let (_root, rootfs) = rootfs_with_dev();
    let mounts = || mounts_of(&rootfs);
    let before = mounts();
    let container = ["--rootfs", &rootfs, "--", "/probe", "exit", "0"];
    let rootless = [
        "--unshare",
        "user",
        "--rootfs",
        &rootfs,
        "--",
        "/probe",
        "exit",
        "0",
    ];
    // (fault, only on this path, the run). Writes of the id maps go through fds opened on
    // /proc/self/..., which strace can pick out by path: their openat fails.
    let faults: &[(&str, Option<&str>, &[&str])] = &[
        ("mount:error=EPERM:when=1", None, &container),
        // The container's own file systems are made with fsmount and placed with move_mount.
        ("fsmount:error=EPERM:when=2", None, &container),
        ("move_mount:error=EPERM:when=3", None, &container),
        ("pivot_root:error=EPERM", None, &container),
        ("unshare:error=EPERM", None, &container),
        ("clone:error=EAGAIN:when=1", None, &container),
        (
            "sethostname:error=EPERM",
            None,
            &["--rootfs", &rootfs, "--hostname", "h", "/probe"],
        ),
        (
            "setns:error=EPERM",
            None,
            &["--join-net", "/proc/self/ns/net", "/bin/true"],
        ),
        (
            "mkdirat:error=EACCES",
            None,
            &["--memory", "64m", "/bin/true"],
        ),
        ("openat:error=EPERM", Some("/proc/self/uid_map"), &rootless),
        ("openat:error=EACCES", Some("/proc/self/gid_map"), &rootless),
        (
            "openat:error=EPERM",
            Some("/proc/self/setgroups"),
            &rootless,
        ),
    ];
    for (fault, path, args) in faults {
        let tag = format!("fault-{}", unique());
        let mut cmd = Command::new("strace");
        cmd.args(["-f", "-e", "quiet=all", "-o", "/dev/null"]);
        if let Some(path) = path {
            cmd.args(["-P", path]);
        }
        cmd.arg("-e")
            .arg(format!("inject={fault}"))
            .arg(boxinit())
            .args(*args)
            .env("HARDEN_TAG", &tag);
        let out = run(&mut cmd);
        let stderr = text(&out.stderr);
        assert_eq!(exit_code(out.status), 125, "{fault}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{fault}: {stderr}");
        assert!(stderr.starts_with("boxinit: "), "{fault}: {stderr}");
        assert_eq!(mounts(), before, "{fault}: a mount was left");
        assert_eq!(
            none_left(&tag),
            Vec::<i32>::new(),
            "{fault}: processes left"
        );
    }
}
