//! Every failure is one line on stderr, from boxinit itself, with the status that says what
//! failed: 127 the command is not found, 126 it cannot run, 125 boxinit's own steps. The
//! command's process failing before exec hands its failure back to boxinit, which reports it
//! from outside the command's cgroup; values in messages cannot drive the terminal.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::process::{Command, Output, Stdio};
use support::*;

/// The status is `status` and stderr is exactly `line` and its newline.
#[track_caller]
fn assert_reported(out: &Output, status: i32, line: &str) {
    assert_eq!(out.status.code(), Some(status), "{out:?}");
    assert_eq!(text(&out.stderr), format!("{line}\n"), "{out:?}");
    assert!(out.stdout.is_empty(), "{out:?}");
}

#[test]
fn command_not_found_is_127_and_one_line() {
    let out = run(boxinit_cmd().args(["--", "/nonexistent/command"]));
    assert_reported(
        &out,
        127,
        "boxinit: executing /nonexistent/command: No such file or directory",
    );
    let out = run(boxinit_cmd()
        .env("PATH", "/nonexistent")
        .args(["--", "no-such-command"]));
    assert_reported(
        &out,
        127,
        "boxinit: executing no-such-command: No such file or directory",
    );
}

#[test]
fn an_empty_command_is_shown_as_empty_not_left_out() {
    // As env(1) does: a line that named nothing would read as if the exec itself were missing.
    for args in [&[""][..], &["--", ""]] {
        let out = run(boxinit_cmd().args(args));
        assert_reported(
            &out,
            127,
            "boxinit: executing '': No such file or directory",
        );
    }
}

#[test]
fn command_not_executable_is_126_and_one_line() {
    let dir = TempDir::new("not-executable");
    let file = dir.path().join("data");
    std::fs::write(&file, "not a program\n").unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = run(boxinit_cmd().arg("--").arg(&file));
    let line = format!("boxinit: executing {}: Permission denied", file.display());
    assert_reported(&out, 126, &line);
}

/// tini's prefix carries the pid of the process that writes the line: boxinit's, not that
/// of the command's process that failed.
#[test]
fn the_failure_of_the_command_is_reported_by_boxinit() {
    let mut cmd = Command::new(boxinit());
    strip_options_env(&mut cmd);
    let child = cmd
        .arg0("tini")
        .args(["--", "/nonexistent/command"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(127), "{out:?}");
    assert_eq!(
        text(&out.stderr),
        format!("[FATAL tini ({pid})] executing /nonexistent/command: No such file or directory\n")
    );
}

/// Taking the ids of a user the new user namespace does not map (nobody, found by name only
/// in the container) fails in the command's process, after the fork: boxinit's own step, 125,
/// with the line saying the id is not mapped and which options map it.
#[test]
fn a_setup_step_failing_in_the_command_process_is_125_and_one_line() {
    for namespaces in ["user", "user,pid"] {
        let out = run(boxinit_cmd()
            .args(["--unshare", namespaces, "--user", "nobody"])
            .args(["--", "true"]));
        let line = "boxinit: setting gid (not mapped: --map-gid, --map-groups): Invalid argument";
        assert_reported(&out, 125, line);
    }
}

/// In a small memory cgroup the command's process may not be able to write a line; boxinit,
/// outside it, reports the failure, with the command's status. Also from the init of a PID
/// namespace.
#[test]
fn command_not_found_under_a_memory_limit_is_127_and_one_line() {
    for namespaces in [&[][..], &["--unshare", "pid"]] {
        let name = format!("boxinit-test-{}", unique());
        let out = run(boxinit_cmd()
            .args(["--memory", "8m", "--cgroup", &name])
            .args(namespaces)
            .args(["--", "/nonexistent/command"]));
        assert_reported(
            &out,
            127,
            "boxinit: executing /nonexistent/command: No such file or directory",
        );
    }
}

/// A limit so small that nothing fits in it: whatever fails (the exec, whose memory the
/// group cannot hold; or the option, refused), one line says what, never a silent status.
#[test]
fn a_memory_limit_too_small_for_anything_still_gives_one_line() {
    let name = format!("boxinit-test-{}", unique());
    let out = run(boxinit_cmd().args(["--memory", "1", "--cgroup", &name, "--", "true"]));
    let stderr = text(&out.stderr);
    assert!(matches!(out.status.code(), Some(125 | 126)), "{out:?}");
    assert_eq!(stderr.lines().count(), 1, "{out:?}");
    assert!(stderr.starts_with("boxinit: "), "{out:?}");
    assert!(!stderr.contains("Argument list too long"), "{out:?}");
}

/// 0x9b alone and U+009B (c2 9b in UTF-8) both start a terminal escape sequence.
#[test]
fn c1_controls_in_values_are_shown_escaped() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let cases: [(&[u8], &str); 3] = [
        (b"/nonexistent\x9b[31m", "/nonexistent\\x9b[31m"),
        (b"/nonexistent\xc2\x9b[31m", "/nonexistent\\xc2\\x9b[31m"),
        // Non-ASCII that is no control is shown as it is (U+015B ends in 9b).
        ("/nonexistent\u{15b}".as_bytes(), "/nonexistent\u{15b}"),
    ];
    for (rootfs, shown) in cases {
        let out = run(boxinit_cmd()
            .arg("--rootfs")
            .arg(OsStr::from_bytes(rootfs))
            .args(["--", "true"]));
        let line = format!("boxinit: checking rootfs {shown}: No such file or directory");
        assert_reported(&out, 125, &line);
    }
}

/// A user who may not read the rootfs is told so about the rootfs, not about a mount in it.
#[test]
fn an_unreadable_rootfs_is_named_in_the_error() {
    let root = probe_rootfs();
    std::fs::set_permissions(root.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    let out = probe_report_as_nobody(root.path());
    let line = format!(
        "boxinit: opening rootfs {}: Permission denied",
        root.path().display()
    );
    assert_reported(&out, 125, &line);
    // Control: root may read it, and the container starts.
    ok(boxinit_cmd()
        .arg("--rootfs")
        .arg(root.path())
        .args(["--", "/probe", "exit", "0"]));
}

/// The probe's report from `rootfs`, run by boxinit as uid and gid 65534.
fn probe_report_as_nobody(rootfs: &std::path::Path) -> std::process::Output {
    run(Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(boxinit())
        .arg("--rootfs")
        .arg(rootfs)
        .args(["--", "/probe", "report"]))
}

/// A caller who may read the rootfs but not write it cannot have a mount point made there:
/// the line says that, not that mounting failed.
#[test]
fn a_mount_point_the_caller_may_not_make_is_named_as_such() {
    let root = probe_rootfs();
    std::fs::remove_dir(root.path().join("proc")).unwrap();
    std::fs::set_permissions(root.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = probe_report_as_nobody(root.path());
    assert_reported(
        &out,
        125,
        "boxinit: making the mount point /proc: Permission denied",
    );
}

/// --volatile over the host's root, by any path to it, is refused before anything starts.
#[test]
fn volatile_over_the_host_root_is_refused_and_says_why() {
    for rootfs in ["/", "/tmp/.."] {
        let out = run(boxinit_cmd().args(["--rootfs", rootfs, "--volatile", "--", "true"]));
        let line =
            format!("boxinit: --volatile needs a rootfs other than the host's root: {rootfs}");
        assert_reported(&out, 125, &line);
    }
}

/// A path to join that is no namespace of its kind, or a clock offset the kernel would take
/// only as ERANGE: one line that names the option, before anything is joined or made, with
/// the usage status of the name boxinit is called by.
#[test]
fn a_namespace_of_another_kind_or_a_clock_out_of_range_names_the_option() {
    for (name, status, prefix) in [("boxinit", 125, "boxinit: "), ("tini", 1, "")] {
        let mut cmd = Command::new(boxinit());
        strip_options_env(&mut cmd);
        let out = run(cmd
            .arg0(name)
            .args(["--join-net", "/proc/self/ns/pid", "--", "true"]));
        assert_eq!(out.status.code(), Some(status), "{name}: {out:?}");
        let stderr = text(&out.stderr);
        let line = "--join-net names no net namespace: /proc/self/ns/pid\n";
        assert!(
            stderr.ends_with(line) && stderr.lines().count() == 1,
            "{stderr:?}"
        );
        assert!(stderr.starts_with(prefix), "{stderr:?}");
    }
    let out = run(boxinit_cmd().args(["--join-uts", "/etc/passwd", "--", "true"]));
    assert_reported(
        &out,
        125,
        "boxinit: --join-uts names no uts namespace: /etc/passwd",
    );
    for (option, offset) in [
        ("--boottime", "-999999999999"),
        ("--monotonic", "4611686018"),
    ] {
        let out = run(boxinit_cmd().args([option, offset, "--", "true"]));
        let why = "would move its clock below 0 or past 4611686018 seconds";
        assert_reported(&out, 125, &format!("boxinit: {option} {why}: {offset}"));
    }
}
