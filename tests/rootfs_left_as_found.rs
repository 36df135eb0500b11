//! A run leaves the rootfs as it found it: the mount points boxinit makes where the rootfs has
//! none (/proc, /dev, /sys, the directories and empty files binds and tmpfs mounts go on) are
//! removed again when the container ends, whether a step failed or the command ran, and the
//! directories they were made in keep their modification times. Every test runs the real
//! binary as root with real namespaces and compares the rootfs, the host's mount table and
//! the process table before and after.

mod support;

use std::path::Path;
use std::process::Command;
use support::*;

/// The environment variable that marks every process of one run.
const TAG: &str = "ROOTFS_LEFT_TAG";

/// What a run must not change: the rootfs, listed with types, modes and times; the host's
/// mounts that name the test's directories (other tests mount their own meanwhile).
#[derive(Debug, PartialEq)]
struct Host {
    rootfs: std::collections::BTreeMap<String, String>,
    mounts: Vec<String>,
}

fn host(root: &Path, source: &Path) -> Host {
    let names = [root.to_str().unwrap(), source.to_str().unwrap()];
    Host {
        rootfs: tree_listing(root),
        mounts: host_mountinfo()
            .lines()
            .filter(|l| names.iter().any(|n| l.contains(n)))
            .map(str::to_owned)
            .collect(),
    }
}

/// A rootfs with the probe only (no /proc, no /dev), its times in the past, so that a
/// directory made and removed again would show in its parent's time.
fn bare_rootfs() -> TempDir {
    let root = TempDir::new("left-as-found");
    std::fs::create_dir(root.path().join("mnt")).unwrap();
    std::fs::copy(probe(), root.path().join("probe")).unwrap();
    for dir in [root.path().join("mnt"), root.path().to_path_buf()] {
        let done = Command::new("touch")
            .args(["-d", "2001-02-03 04:05:06"])
            .arg(&dir)
            .status()
            .unwrap();
        assert!(done.success());
    }
    root
}

/// A bind source: a directory with one file.
fn source() -> TempDir {
    let src = TempDir::new("left-as-found-src");
    std::fs::write(src.path().join("file"), "bound\n").unwrap();
    src
}

/// Run `args` (boxinit's, or strace's before boxinit's when `strace` is given) and check the
/// status, the one line on stderr, and that the rootfs, the host's mounts and the process
/// table are as they were.
#[track_caller]
fn run_and_compare(
    root: &TempDir,
    src: &TempDir,
    strace: &[&str],
    args: &[String],
    status: i32,
    line: &str,
) {
    let before = host(root.path(), src.path());
    let tag = unique();
    let mut cmd = match strace {
        [] => boxinit_cmd(),
        _ => {
            let mut cmd = Command::new("strace");
            cmd.args(["-f", "-e", "quiet=all", "-o", "/dev/null"])
                .args(strace)
                .arg(boxinit());
            strip_options_env(&mut cmd);
            cmd
        }
    };
    let out = run(cmd.args(args).env(TAG, &tag));
    assert_eq!(exit_code(out.status), status, "{args:?}: {out:?}");
    let stderr = text(&out.stderr);
    match line {
        "" => assert_eq!(stderr, "", "{args:?}"),
        _ => assert_eq!(stderr, format!("{line}\n"), "{args:?}"),
    }
    assert_eq!(host(root.path(), src.path()), before, "{args:?}: changed");
    let left = processes_with_env(&format!("{TAG}={tag}"));
    assert!(left.is_empty(), "{args:?}: left running: {left:?}");
}

fn args(root: &TempDir, rest: &[&str]) -> Vec<String> {
    let mut all = vec!["--rootfs".to_owned(), root.path().display().to_string()];
    all.extend(rest.iter().map(|s| s.to_string()));
    all
}

/// Mount steps whose mount points the rootfs lacks: a directory two levels down, a file, and
/// a tmpfs; then `rest`.
fn with_new_mount_points(root: &TempDir, src: &TempDir, rest: &[&str]) -> Vec<String> {
    let dir = bind(src.path(), "/mnt/new/deeper");
    let file = bind(&src.path().join("file"), "/made/file");
    let steps = ["--bind", &dir, "--ro-bind", &file, "--tmpfs", "/tmp"];
    args(root, &[&steps[..], rest].concat())
}

fn bind(src: &Path, dest: &str) -> String {
    format!("{}:{dest}", src.display())
}

#[test]
fn an_empty_rootfs_and_a_missing_command_leave_no_dev_or_proc() {
    let root = TempDir::new("left-empty");
    let src = source();
    let args = args(&root, &["--", "/nope"]);
    let line = "boxinit: executing /nope: No such file or directory";
    run_and_compare(&root, &src, &[], &args, 127, line);
    assert!(dir_entries(root.path()).is_empty());
}

#[test]
fn a_bad_bind_source_leaves_the_rootfs_as_it_was() {
    let root = bare_rootfs();
    let src = source();
    let missing = src.path().join("nope");
    let dest = bind(&missing, "/mnt/deep/x");
    let args = args(&root, &["--bind", &dest, "--", "/probe"]);
    let line = format!(
        "boxinit: opening bind source {}: No such file or directory",
        missing.display()
    );
    run_and_compare(&root, &src, &[], &args, 125, &line);
}

#[test]
fn a_bad_chdir_after_binds_removes_their_new_mount_points() {
    let root = bare_rootfs();
    let src = source();
    let args = with_new_mount_points(&root, &src, &["--chdir", "/nope", "--", "/probe"]);
    let line = "boxinit: changing directory to /nope: No such file or directory";
    run_and_compare(&root, &src, &[], &args, 125, line);
}

#[test]
fn without_a_pid_namespace_a_failed_run_leaves_the_rootfs_too() {
    let root = bare_rootfs();
    let src = source();
    let dir = bind(src.path(), "/mnt/new");
    let args = args(
        &root,
        &[
            "--unshare",
            "mnt",
            "--bind",
            &dir,
            "--chdir",
            "/nope",
            "--",
            "/probe",
        ],
    );
    let line = "boxinit: changing directory to /nope: No such file or directory";
    run_and_compare(&root, &src, &[], &args, 125, line);
}

#[test]
fn an_injected_failure_during_setup_leaves_the_rootfs_as_it_was() {
    let root = bare_rootfs();
    let src = source();
    let dir = bind(src.path(), "/mnt/new/deeper");
    // The rootfs lacks proc, dev and mnt/new: mkdirat makes proc, dev, dev/pts and dev/shm
    // (in the /dev tmpfs), mnt/new, and fails on the sixth, mnt/new/deeper.
    let args = args(&root, &["--bind", &dir, "--", "/probe"]);
    let inject = ["-e", "inject=mkdirat:error=EACCES:when=6"];
    let line = "boxinit: making the mount point /mnt/new/deeper: Permission denied";
    run_and_compare(&root, &src, &inject, &args, 125, line);
}

#[test]
fn a_failed_sys_in_a_user_namespace_leaves_no_sys() {
    let root = bare_rootfs();
    let src = source();
    // In a user namespace without a network namespace of its own, sysfs may not be mounted:
    // the host's /sys is bound instead, and that is what fails here.
    let args = args(
        &root,
        &["--unshare", "user,mnt,pid", "--sys", "--", "/probe"],
    );
    let line = "boxinit: mounting /sys: Operation not permitted";
    let strace = ["-P", "/sys", "-e", "inject=open_tree:error=EPERM"];
    run_and_compare(&root, &src, &strace, &args, 125, line);
}

#[test]
fn a_successful_run_removes_the_mount_points_it_made_too() {
    let root = bare_rootfs();
    let src = source();
    let args = with_new_mount_points(&root, &src, &["--", "/probe", "exit", "0"]);
    run_and_compare(&root, &src, &[], &args, 0, "");
}

#[test]
fn what_was_there_before_stays_even_when_empty() {
    let root = bare_rootfs();
    let src = source();
    for dir in ["proc", "dev", "mnt/empty"] {
        std::fs::create_dir(root.path().join(dir)).unwrap();
    }
    std::fs::write(root.path().join("mnt/file"), "").unwrap();
    let dir = bind(src.path(), "/mnt/empty");
    let file = bind(&src.path().join("file"), "/mnt/file");
    let args = args(
        &root,
        &["--bind", &dir, "--bind", &file, "--", "/probe", "exit", "0"],
    );
    run_and_compare(&root, &src, &[], &args, 0, "");
    for kept in ["proc", "dev", "mnt/empty", "mnt/file"] {
        assert!(root.path().join(kept).exists(), "{kept} was removed");
    }
}

#[test]
fn a_rootfs_in_a_user_namespace_without_a_pid_namespace_is_refused_untouched() {
    // Its /proc could not be mounted (the host's PID namespace is not the new user
    // namespace's): refused before anything is made.
    let root = bare_rootfs();
    let src = source();
    let args = args(&root, &["--unshare", "user,mnt", "--", "/probe"]);
    let line = "boxinit: --unshare needs pid for a rootfs's /proc in a user namespace";
    run_and_compare(&root, &src, &[], &args, 125, line);
}

#[test]
fn mount_points_made_in_a_user_namespace_without_a_pid_namespace_are_removed() {
    // No rootfs: the binds go on host directories, made in a mount namespace of a new user
    // namespace, which could not be left again to remove them.
    let root = bare_rootfs();
    let src = source();
    let dest = format!("{}/mnt/new/deeper", root.path().display());
    let probe = probe().display().to_string();
    for (rest, status, line) in [
        (&["--", &probe, "exit", "0"][..], 0, ""),
        (
            &["--chdir", "/nope", "--", &probe],
            125,
            "boxinit: changing directory to /nope: No such file or directory",
        ),
    ] {
        let mut args = vec!["--unshare", "user,mnt", "--bind"];
        let dir = bind(src.path(), &dest);
        args.push(&dir);
        args.extend(rest);
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        run_and_compare(&root, &src, &[], &args, status, line);
    }
}

/// Runs `runs` (lines of boxinit's arguments) from a chroot at /inner of a throwaway root: a
/// tmpfs pivoted to in a mount namespace of the test's own, so that a run that reached outside
/// its chroot harms nothing of the host. The chroot has no /proc, and a /dev with only null. Returns the listings of the outer root and of
/// /inner (with /inner/r, a rootfs) before and after each run, and each run's status.
fn from_a_chroot(runs: &[&str], pid_one: bool) -> String {
    let outer = TempDir::new("chroot-outer");
    let o = outer.path().display();
    let start = if pid_one { "$B unshare -p -f -m " } else { "" };
    let mut script = format!(
        "set -e; O={o}; mount -t tmpfs tmpfs $O
         mkdir -p $O/bin $O/proc $O/sys $O/dev $O/old $O/inner/bin $O/inner/etc $O/inner/r/bin
         cp /bin/busybox $O/bin/; cp /bin/busybox $O/inner/bin/; cp /bin/busybox $O/inner/r/bin/
         ln -s busybox $O/inner/bin/true; ln -s busybox $O/inner/r/bin/true
         mkdir $O/inner/dev; mknod -m 666 $O/inner/dev/null c 1 3; cp {} $O/inner/boxinit
         mount -t proc proc $O/proc; mount -t sysfs sysfs $O/sys
         mount --rbind /dev $O/dev; mount --make-rprivate $O/dev
         cd $O; pivot_root . old; B=/bin/busybox; $B umount -l /old; set +e
         list() {{ echo \"outer: $($B ls /) inner: $($B ls /inner) r: $($B ls /inner/r)\"; }}
         list\n",
        boxinit().display()
    );
    for run in runs {
        script += &format!(
            "{start}$B chroot /inner /boxinit {run} 2>/dev/null; echo \"status $?\"; list\n"
        );
    }
    let out =
        run(Command::new("unshare").args(["-m", "--propagation", "private", "sh", "-c", &script]));
    text(&out.stdout).replace('\n', " ")
}

/// `seen` shows every listing as it was before: each of the runs (of the statuses given)
/// left the outer root and the chroot as they were.
fn assert_all_as_found(seen: &str, statuses: &[&str]) {
    let clean = "outer: bin dev inner old proc sys inner: bin boxinit dev etc r r: bin";
    let mut want = clean.to_string();
    for status in statuses {
        want += &format!(" status {status} {clean}");
    }
    let words = |text: &str| {
        text.split_whitespace()
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(words(seen), words(&want), "{seen}");
}

#[test]
fn a_run_from_a_chroot_removes_its_mount_points_there_and_nothing_outside() {
    let runs = [
        "--unshare mnt --tmpfs /x9 -- true",
        "--rootfs /r --unshare mnt -- true",
    ];
    assert_all_as_found(&from_a_chroot(&runs, false), &["0", "0"]);
}

#[test]
fn a_boot_from_a_chroot_removes_its_mount_points_there_and_nothing_outside() {
    if !has_job("boot") {
        return;
    }
    let runs = ["--boot --unshare mnt --tmpfs /x9 -- true"];
    assert_all_as_found(&from_a_chroot(&runs, true), &["0"]);
}
