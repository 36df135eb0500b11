//! The launcher: any rootfs path works (`.`, `./`, `/`, and `/` again inside a
//! container), a PID namespace always gets a /proc of its own and a rootfs always gets a
//! /proc, and the container dies with its launcher at every moment, the first microseconds
//! after the fork included.

mod support;

use std::process::{Command, Output};
use support::*;

/// Run to the end; status 0 and a quiet stderr; the stdout.
#[track_caller]
fn ok(cmd: &mut Command) -> String {
    let out: Output = run(cmd);
    assert_eq!(out.status.code(), Some(0), "{cmd:?}: {out:?}");
    assert!(out.stderr.is_empty(), "{cmd:?}: {out:?}");
    text(&out.stdout)
}

/// The rootfs, its own /proc (with the parts that show the host hidden) and /dev: nothing of
/// the host's mount table.
#[track_caller]
fn assert_container_mounts(report: &str, case: &str) {
    let mounts = report_value(report, "mounts");
    assert!(mounts.starts_with("/,/proc,"), "{case}:\n{report}");
    assert!(
        mounts
            .split(',')
            .all(|m| m == "/" || m.starts_with("/proc") || m.starts_with("/dev")),
        "{case}:\n{report}"
    );
}

// ---- The rootfs, whatever its path -------------------------------------------------------

/// `--rootfs .` and `--rootfs ./` from inside the rootfs, as `unshare --root=.` takes them.
#[test]
fn rootfs_dot_is_the_working_directory() {
    let root = probe_rootfs();
    for path in [".", "./"] {
        let report = ok(boxinit_cmd()
            .args(["--rootfs", path, "--", "/probe", "report"])
            .current_dir(root.path()));
        assert_eq!(report_value(&report, "pid"), "2", "{path}:\n{report}");
        assert_eq!(report_value(&report, "pids"), "1,2", "{path}:\n{report}");
        assert_container_mounts(&report, path);
    }
}

/// `--rootfs /`: the host's tree, in namespaces of its own (as `bwrap --bind / /`).
#[test]
fn rootfs_slash_is_the_hosts_tree() {
    let before = host_mountinfo();
    let report = ok(boxinit_cmd()
        .args(["--rootfs", "/", "--hostname", "slash", "--"])
        .arg(probe())
        .arg("report"));
    assert_eq!(report_value(&report, "pid"), "2", "{report}");
    assert_eq!(report_value(&report, "pids"), "1,2", "{report}");
    assert_eq!(report_value(&report, "hostname"), "slash", "{report}");
    assert_eq!(host_mountinfo(), before, "the host's mounts changed");
}

/// A boxinit inside a boxinit container makes a container of the container's root. The outer
/// container's command needs the capabilities a container's root does not keep by default
/// (CAP_SYS_ADMIN, for namespaces and mounts), as a nested runtime under docker does.
#[test]
fn nested_rootfs_slash_inside_a_container() {
    let root = probe_rootfs();
    std::fs::copy(boxinit(), root.path().join("boxinit")).unwrap();
    let report = ok(boxinit_cmd()
        .arg("--rootfs")
        .arg(root.path())
        .args(["--cap-add", "all", "--"])
        .args(["/boxinit", "--rootfs", "/", "--", "/probe", "report"]));
    assert_eq!(report_value(&report, "pid"), "2", "{report}");
    assert_eq!(report_value(&report, "pids"), "1,2", "{report}");
    assert_eq!(report_value(&report, "comm1"), "boxinit", "{report}");
}

// ---- /proc -----------------------------------------------------------------------------

/// `--unshare pid` without `mnt`: boxinit brings the mount namespace the new /proc needs
/// (as `unshare --pid --fork --mount-proc` does), so /proc lists only the container, and the
/// host's /proc is untouched.
#[test]
fn a_pid_namespace_always_gets_its_own_proc() {
    let before = host_mountinfo();
    for list in ["pid", "pid,uts", "pid,ipc,net"] {
        let report = ok(boxinit_cmd()
            .args(["--unshare", list, "--"])
            .arg(probe())
            .arg("report"));
        assert_eq!(report_value(&report, "pid"), "2", "{list}:\n{report}");
        assert_eq!(report_value(&report, "pids"), "1,2", "{list}:\n{report}");
    }
    assert_eq!(host_mountinfo(), before, "the host's mounts changed");
}

/// A rootfs without a PID namespace still gets a /proc (of the PID namespace it is in), not
/// the empty directory of the rootfs.
#[test]
fn a_rootfs_always_gets_a_proc() {
    let root = probe_rootfs();
    for list in ["mnt", "mnt,uts"] {
        let report = ok(boxinit_cmd().arg("--rootfs").arg(root.path()).args([
            "--unshare",
            list,
            "--",
            "/probe",
            "report",
        ]));
        assert_container_mounts(&report, list);
        let pid = report_value(&report, "pid");
        let pids = report_value(&report, "pids");
        assert!(
            pid != "2" && pids.split(',').any(|p| p == pid),
            "{list}: /proc does not list the probe:\n{report}"
        );
    }
}

// ---- Dying with the launcher -------------------------------------------------------------

/// The outer boxinit is killed while its child, the container's PID 1, is inside the prctl
/// that arms its parent-death signal (strace holds that call 400 ms at its entry): the
/// signal was armed after the parent died, so the kernel will never send it. The container
/// must end anyway, and nothing of it may be left.
#[test]
fn the_container_dies_with_a_launcher_killed_before_the_death_signal_is_armed() {
    for args in [&["--hostname", "race"][..], &["--unshare", "pid"]] {
        let marker = format!("boxinit-race-{}", unique());
        let mut cmd = Command::new("strace");
        cmd.args(["-f", "-e", "trace=prctl", "-e"])
            .arg("inject=prctl:delay_enter=400000")
            .args(["-o", "/dev/stdout"]);
        cmd.arg(boxinit()).args(args).arg("--");
        cmd.arg(probe()).args(["sleep", &marker]);
        let mut strace = Running::start(&mut cmd);
        // strace writes the call when it enters it, before the delay.
        strace.skip_past("PR_SET_PDEATHSIG");
        let outer = children(strace.pid());
        assert_eq!(outer.len(), 1, "strace's children: {outer:?}");
        kill(outer[0], libc::SIGKILL);
        // strace ends when every process it traces has: the container must be gone.
        strace.wait();
        let left: Vec<String> = all_pids()
            .into_iter()
            .map(|pid| command_line(pid as u32))
            .filter(|line| line.contains(&marker))
            .collect();
        assert!(left.is_empty(), "{args:?}: left running: {left:?}");
    }
}
