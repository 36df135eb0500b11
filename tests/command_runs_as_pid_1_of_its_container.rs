//! The core: boxinit runs a command as PID 1 of a fresh container, or supervises it
//! when no namespace is asked for. Every test runs the real binary as root and looks at what
//! the command saw (through the probe or busybox) and at what the host still sees afterwards.

mod support;

use std::path::Path;
use std::process::{Command, Output};
use support::*;

// ---------------------------------------------------------------------------------------
// The container: PID 1, hostname, /proc, mounts
// ---------------------------------------------------------------------------------------

#[test]
fn boxinit_is_pid_1_inside() {
    let report = report_in_rootfs(&[]);
    assert_eq!(report_value(&report, "pid"), "2", "{report}");
    assert_eq!(report_value(&report, "ppid"), "1", "{report}");
    assert_eq!(report_value(&report, "comm1"), "boxinit", "{report}");
    assert_eq!(report_value(&report, "cwd"), "/", "{report}");
}

#[test]
fn hostname_is_set_inside_and_unchanged_outside() {
    let before = host_hostname();
    assert_ne!(before, "core-box");
    let report = report_in_rootfs(&["--hostname", "core-box"]);
    assert_eq!(report_value(&report, "hostname"), "core-box", "{report}");
    assert_eq!(host_hostname(), before, "the host's hostname changed");
}

#[test]
fn hostname_of_64_bytes_fits() {
    let name = "h".repeat(64);
    let report = report_in_rootfs(&["--hostname", &name]);
    assert_eq!(report_value(&report, "hostname"), name, "{report}");
}

#[test]
fn proc_lists_only_the_container() {
    let report = report_in_rootfs(&[]);
    // boxinit (1) and the probe (2), nothing of the host.
    assert_eq!(report_value(&report, "pids"), "1,2", "{report}");
    // The rootfs, its own /proc (with the parts that show the host hidden) and /dev,
    // nothing of the host's mount table.
    let mounts = report_value(&report, "mounts");
    assert!(mounts.starts_with("/,/proc,"), "{report}");
    assert!(
        mounts
            .split(',')
            .all(|m| m == "/" || m.starts_with("/proc") || m.starts_with("/dev")),
        "{report}"
    );
}

#[test]
fn host_mount_table_is_unchanged() {
    let root = probe_rootfs();
    let rootfs = root.path().to_str().unwrap().to_owned();
    let before = host_mountinfo();
    assert!(!before.contains(&rootfs));

    // While a container runs, the host sees none of its mounts.
    let mut running = Running::start(
        boxinit_cmd()
            .arg("--rootfs")
            .arg(root.path())
            .args(["--", "/probe", "signals"]),
    );
    assert_eq!(running.line(), "ready");
    let during = host_mountinfo();
    assert!(
        !during.contains(&rootfs),
        "the rootfs mount leaked to the host:\n{during}"
    );
    running.signal(libc::SIGTERM);
    assert_eq!(running.line(), "signal 15");
    assert_eq!(running.finish().status.code(), Some(0));

    // A container that mounts /proc over the host's one, without a rootfs.
    let out = ok(boxinit_cmd()
        .args(["--unshare", "mnt,pid", "--"])
        .arg(probe())
        .arg("report"));
    assert_eq!(report_value(&text(&out.stdout), "pids"), "1,2");

    let after = host_mountinfo();
    assert_eq!(before, after, "the host's mount table changed");
}

#[test]
fn mounts_do_not_propagate_to_a_host_with_shared_mounts() {
    // This machine's / is private already, so stand in for a host whose mounts are shared
    // (as systemd makes them): a mount namespace with shared propagation everywhere.
    let root = probe_rootfs();
    let script = r#"
        before=$(cat /proc/self/mountinfo)
        "$BOXINIT" --rootfs "$ROOT" -- /probe report >/dev/null || exit 10
        "$BOXINIT" --unshare mnt,pid -- "$PROBE" report >/dev/null || exit 11
        [ "$before" = "$(cat /proc/self/mountinfo)" ] || { echo changed; exit 12; }
        # Control: a mount namespace that does not make its mounts private leaks here.
        unshare --mount --propagation unchanged mount --bind "$ROOT" "$ROOT"
        grep -q " $ROOT " /proc/self/mountinfo && echo control-leaked
    "#;
    let out = ok(Command::new("unshare")
        .args(["--mount", "--propagation", "shared", "sh", "-c", script])
        .env("BOXINIT", boxinit())
        .env("PROBE", probe())
        .env("ROOT", root.path()));
    assert_eq!(text(&out.stdout).trim(), "control-leaked", "{out:?}");
}

#[test]
fn mnt_pid_without_rootfs_remounts_proc() {
    let out = ok(boxinit_cmd()
        .args(["--unshare", "mnt,pid", "--"])
        .arg(probe())
        .arg("report"));
    let report = text(&out.stdout);
    assert_eq!(report_value(&report, "pid"), "2", "{report}");
    assert_eq!(report_value(&report, "ppid"), "1", "{report}");
    assert_eq!(report_value(&report, "pids"), "1,2", "{report}");
    assert_eq!(report_value(&report, "comm1"), "boxinit", "{report}");
    // No rootfs: the host's files, and the directory the caller was in.
    let cwd = std::env::current_dir().unwrap();
    assert_eq!(report_value(&report, "cwd"), cwd.to_str().unwrap());
    assert_eq!(report_value(&report, "hostname"), host_hostname());
}

// ---------------------------------------------------------------------------------------
// Exit status
// ---------------------------------------------------------------------------------------

/// Probe steps and the status boxinit must exit with.
const EXITS: [(&str, &str, i32); 6] = [
    ("exit", "0", 0),
    ("exit", "1", 1),
    ("exit", "42", 42),
    ("exit", "255", 255),
    ("die", "9", 128 + 9),
    ("die", "15", 128 + 15),
];

#[test]
fn exit_codes_pass_through_the_container() {
    let root = probe_rootfs();
    for (step, arg, want) in EXITS {
        let out = run(boxinit_cmd()
            .arg("--rootfs")
            .arg(root.path())
            .args(["--", "/probe", step, arg]));
        assert_eq!(out.status.code(), Some(want), "probe {step} {arg}: {out:?}");
        assert!(out.stderr.is_empty(), "{out:?}");
    }
}

#[test]
fn exit_codes_pass_through_plain_supervision() {
    for (step, arg, want) in EXITS {
        let out = run(boxinit_cmd().arg("--").arg(probe()).args([step, arg]));
        assert_eq!(out.status.code(), Some(want), "probe {step} {arg}: {out:?}");
        assert!(out.stderr.is_empty(), "{out:?}");
    }
}

// ---------------------------------------------------------------------------------------
// Signals and orphans
// ---------------------------------------------------------------------------------------

#[test]
fn signals_to_outer_boxinit_reach_the_command_in_a_container() {
    let root = probe_rootfs();
    let mut running = Running::start(
        boxinit_cmd()
            .arg("--rootfs")
            .arg(root.path())
            .args(["--", "/probe", "signals"]),
    );
    assert_eq!(running.line(), "ready");
    // One at a time: each is seen before the next is sent, so none can overtake another.
    for sig in [libc::SIGUSR1, libc::SIGINT, libc::SIGTERM] {
        running.signal(sig);
        assert_eq!(running.line(), format!("signal {sig}"));
    }
    let out = running.finish();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}

#[test]
fn sigterm_reaches_the_command_without_namespaces() {
    let mut running = Running::start(boxinit_cmd().arg("--").arg(probe()).arg("signals"));
    assert_eq!(running.line(), "ready");
    running.signal(libc::SIGTERM);
    assert_eq!(running.line(), "signal 15");
    let out = running.finish();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}

#[test]
fn orphans_are_reaped_in_the_container_while_the_command_runs() {
    let root = probe_rootfs();
    let out = run(boxinit_cmd()
        .arg("--rootfs")
        .arg(root.path())
        .args(["--", "/probe", "orphans", "200", "--then", "exit", "7"]));
    // The probe counts the zombies left while it still runs, then exits with 7.
    assert_eq!(text(&out.stdout).trim(), "zombies=0", "{out:?}");
    assert_eq!(out.status.code(), Some(7), "{out:?}");
}

#[test]
fn orphans_are_reaped_without_namespaces() {
    // boxinit is a subreaper here: the orphans come to it, not to the host's init.
    let out = run(boxinit_cmd()
        .arg("--")
        .arg(probe())
        .args(["orphans", "200", "--then", "exit", "7"]));
    assert_eq!(text(&out.stdout).trim(), "zombies=0", "{out:?}");
    assert_eq!(out.status.code(), Some(7), "{out:?}");
}

// ---------------------------------------------------------------------------------------
// A busybox container, and the way out that is not there
// ---------------------------------------------------------------------------------------

#[test]
fn busybox_shell_sees_its_hostname_its_processes_and_pid_2() {
    let root = busybox_rootfs();
    let out = ok(boxinit_cmd().arg("--rootfs").arg(root.path()).args([
        "--hostname",
        "bb-core",
        "--",
        "sh",
        "-c",
        "hostname; ps; echo $$",
    ]));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.first(), Some(&"bb-core"), "{stdout}");
    assert_eq!(lines.last(), Some(&"2"), "$$ is not 2:\n{stdout}");
    assert!(lines.len() > 3, "{stdout}");

    // ps: boxinit as 1, the shell as 2, and ps itself; nothing else.
    let header: Vec<&str> = lines[1].split_whitespace().collect();
    assert_eq!(header.first(), Some(&"PID"), "{stdout}");
    let column = header.iter().position(|h| *h == "COMMAND").unwrap();
    let rows: Vec<(u32, &str)> = lines[2..lines.len() - 1]
        .iter()
        .map(|row| {
            let fields: Vec<&str> = row.split_whitespace().collect();
            let pid = fields[0].parse().unwrap();
            (pid, fields.get(column).copied().unwrap_or(""))
        })
        .collect();
    assert_eq!(rows.len(), 3, "ps lists more than the container:\n{stdout}");
    assert_eq!(rows[0].0, 1, "{stdout}");
    assert!(rows[0].1.ends_with("boxinit"), "{stdout}");
    assert_eq!(rows[1], (2, "sh"), "{stdout}");
    assert!(rows[2].0 > 2 && rows[2].1.contains("ps"), "{stdout}");
}

#[test]
fn busybox_without_command_runs_bin_sh() {
    let root = busybox_rootfs();
    let mut shell = Running::start(boxinit_cmd().arg("--rootfs").arg(root.path()));
    shell.write_stdin(b"echo pid=$$ $0; exit 3\n");
    let out = shell.finish();
    assert_eq!(text(&out.stdout), "pid=2 /bin/sh\n", "{out:?}");
    assert_eq!(out.status.code(), Some(3), "{out:?}");
}

#[test]
fn busybox_cannot_climb_out_of_the_rootfs() {
    let root = busybox_rootfs();
    let outside = TempDir::new("core-outside");
    let marker = outside.path().join("marker");
    std::fs::write(&marker, "host\n").unwrap();
    let script = format!(
        "cd /../../../../..; pwd; ls -1a; test -e {m} && echo marker=visible || echo marker=hidden",
        m = marker.display()
    );
    let out = ok(boxinit_cmd()
        .arg("--rootfs")
        .arg(root.path())
        .args(["--", "sh", "-c", &script]));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.first(), Some(&"/"), "{stdout}");
    assert_eq!(lines.last(), Some(&"marker=hidden"), "{stdout}");
    // What `/../../..` lists is the rootfs, entry for entry.
    let mut seen: Vec<&str> = lines[1..lines.len() - 1]
        .iter()
        .copied()
        .filter(|n| *n != "." && *n != "..")
        .collect();
    seen.sort();
    assert_eq!(seen, dir_entries(root.path()), "{stdout}");
}

/// The classic escape from chroot(2): chroot into a subdirectory while the working directory
/// stays outside it, climb `..` from there, chroot("."). It works against a plain chroot (the
/// control below); against boxinit's pivot_root and detached old root, the top it reaches is
/// the rootfs. The escape itself is done by this very test binary (static, like boxinit), run
/// inside the rootfs with CORE_TEST_ESCAPE_MARKER set.
#[test]
fn chroot_escape_does_not_reach_the_host() {
    if let Ok(marker) = std::env::var(ESCAPE_ENV) {
        return escape_and_look(&marker);
    }
    let root = probe_rootfs();
    let outside = TempDir::new("core-outside");
    let marker = outside.path().join("marker");
    std::fs::write(&marker, "host\n").unwrap();
    std::fs::copy(std::env::current_exe().unwrap(), root.path().join("escape")).unwrap();
    let helper = [
        "/escape",
        "--exact",
        "chroot_escape_does_not_reach_the_host",
        "--nocapture",
        "--test-threads=1",
    ];

    let out = ok(boxinit_cmd()
        .env(ESCAPE_ENV, &marker)
        .arg("--rootfs")
        .arg(root.path())
        .arg("--")
        .args(helper));
    let seen = escape_line(&out);
    // Out of the jail (it is visible from where the climb ended), but still in the rootfs.
    assert!(seen.contains("jail=true"), "{seen}");
    assert!(
        seen.contains("marker=false"),
        "the host is reachable: {seen}"
    );

    // Control: the same steps under chroot(8) do reach the host, so the probe is real.
    let control = ok(Command::new("chroot")
        .env(ESCAPE_ENV, &marker)
        .arg(root.path())
        .args(helper));
    let seen = escape_line(&control);
    assert!(
        seen.contains("marker=true"),
        "control did not escape: {seen}"
    );
}

// ---------------------------------------------------------------------------------------
// Failures: 127, 126, 125
// ---------------------------------------------------------------------------------------

#[test]
fn command_not_found_is_127() {
    let root = probe_rootfs();
    for name in ["no-such-command", "/no/such/command"] {
        let out = run(boxinit_cmd()
            .arg("--rootfs")
            .arg(root.path())
            .args(["--", name]));
        assert_eq!(out.status.code(), Some(127), "{name}: {out:?}");
        assert_eq!(
            text(&out.stderr),
            format!("boxinit: executing {name}: No such file or directory\n")
        );
    }
    // The same without a container.
    let out = run(boxinit_cmd().args(["--", "/no/such/command"]));
    assert_eq!(out.status.code(), Some(127), "{out:?}");
    assert_eq!(
        text(&out.stderr),
        "boxinit: executing /no/such/command: No such file or directory\n"
    );
}

#[test]
fn command_not_executable_is_126() {
    let root = probe_rootfs();
    std::fs::write(root.path().join("plain"), "#!/probe\n").unwrap();
    // By path, and found by the PATH search but refused (reported over "not found").
    for (name, path) in [("/plain", "/bin"), ("plain", "/nowhere:/")] {
        let out = run(boxinit_cmd()
            .env("PATH", path)
            .arg("--rootfs")
            .arg(root.path())
            .args(["--", name]));
        assert_eq!(out.status.code(), Some(126), "{name}: {out:?}");
        assert_eq!(
            text(&out.stderr),
            format!("boxinit: executing {name}: Permission denied\n")
        );
    }
    // The same without a container.
    let dir = TempDir::new("core-plain");
    let plain = dir.path().join("plain");
    std::fs::write(&plain, "#!/bin/sh\n").unwrap();
    let out = run(boxinit_cmd().arg("--").arg(&plain));
    assert_eq!(out.status.code(), Some(126), "{out:?}");
    assert_eq!(
        text(&out.stderr),
        format!(
            "boxinit: executing {}: Permission denied\n",
            plain.display()
        )
    );
}

#[test]
fn missing_rootfs_is_125() {
    let dir = TempDir::new("core-missing");
    let missing = dir.path().join("missing");
    let out = run(boxinit_cmd()
        .arg("--rootfs")
        .arg(&missing)
        .args(["--", "/probe", "report"]));
    assert_eq!(out.status.code(), Some(125), "{out:?}");
    assert!(out.stdout.is_empty(), "{out:?}");
    assert_eq!(
        text(&out.stderr),
        format!(
            "boxinit: checking rootfs {}: No such file or directory\n",
            missing.display()
        )
    );
}

#[test]
fn each_bad_option_is_125_with_one_line() {
    let root = probe_rootfs();
    let rootfs = root.path().to_str().unwrap();
    let file = root.path().join("probe");
    let file = file.to_str().unwrap();
    let long = "h".repeat(65);
    let cases: [(&[&str], &str, &str); 12] = [
        (&["--bogus"], "unknown option", "--bogus"),
        (&["-Z"], "unknown option", "-Z"),
        (&["--rootfs"], "missing value", "--rootfs"),
        (&["--hostname"], "missing value", "--hostname"),
        (&["--unshare"], "missing value", "--unshare"),
        (&["--rootfs", ""], "--rootfs is empty", ""),
        (&["--rootfs="], "--rootfs is empty", ""),
        (&["--rootfs", file], "Not a directory", file),
        (&["--hostname", &long], "longer than 64 bytes", &long),
        (&["--unshare", "mnt,nope"], "unknown namespace", "nope"),
        (
            &["--unshare", "mnt,ipc,pid", "--hostname", "h"],
            "needs the uts namespace",
            "h",
        ),
        (
            // (pid would bring mnt along, for its /proc)
            &["--unshare", "uts,ipc", "--rootfs", rootfs],
            "needs the mnt namespace",
            rootfs,
        ),
    ];
    for (args, problem, subject) in cases {
        let mut cmd = boxinit_cmd();
        cmd.args(args);
        // A missing value is one of an option that comes last; the others get a command.
        if problem != "missing value" {
            cmd.arg("--").arg(probe()).arg("report");
        }
        let out = run(&mut cmd);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(125), "{args:?}: {out:?}");
        assert!(out.stdout.is_empty(), "{args:?} ran the command: {out:?}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(
            stderr.starts_with("boxinit: ") && stderr.contains(problem) && stderr.contains(subject),
            "{args:?}: {stderr:?} does not name {problem:?} {subject:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// The command line and the environment
// ---------------------------------------------------------------------------------------

#[test]
fn help_and_version_exit_0() {
    for flag in ["-h", "--help"] {
        let out = run(boxinit_cmd().args([flag, "--", "/no/such/command"]));
        assert_eq!(out.status.code(), Some(0), "{flag}: {out:?}");
        assert!(text(&out.stdout).contains("Usage: boxinit"), "{out:?}");
        assert!(out.stderr.is_empty(), "{out:?}");
    }
    for flag in ["--version", "-V"] {
        let out = run(boxinit_cmd().arg(flag));
        assert_eq!(out.status.code(), Some(0), "{flag}: {out:?}");
        let stdout = text(&out.stdout);
        assert!(stdout.contains(env!("CARGO_PKG_VERSION")), "{stdout}");
        assert_eq!(stdout.lines().count(), 1, "{stdout}");
    }
}

#[test]
fn environment_forms_build_the_container() {
    let root = probe_rootfs();
    let out = ok(boxinit_cmd()
        .env("BOXINIT_ROOTFS", root.path())
        .env("BOXINIT_HOSTNAME", "env-box")
        .args(["--", "/probe", "report"]));
    let report = text(&out.stdout);
    assert_eq!(report_value(&report, "hostname"), "env-box", "{report}");
    assert_eq!(report_value(&report, "pid"), "2", "{report}");
    assert_eq!(report_value(&report, "pids"), "1,2", "{report}");
    assert_eq!(report_value(&report, "cwd"), "/", "{report}");

    let out = ok(boxinit_cmd()
        .env("BOXINIT_UNSHARE", "mnt,pid")
        .arg("--")
        .arg(probe())
        .arg("report"));
    let report = text(&out.stdout);
    assert_eq!(report_value(&report, "pids"), "1,2", "{report}");
    assert_eq!(report_value(&report, "comm1"), "boxinit", "{report}");
}

#[test]
fn command_line_wins_over_environment() {
    let root = probe_rootfs();
    let dir = TempDir::new("core-env");
    let out = ok(boxinit_cmd()
        .env("BOXINIT_ROOTFS", dir.path().join("missing"))
        .env("BOXINIT_HOSTNAME", "env-box")
        .env("BOXINIT_UNSHARE", "none")
        .arg("--rootfs")
        .arg(root.path())
        .args(["--hostname", "cli-box", "--unshare", "mnt,uts,pid"])
        .args(["--", "/probe", "report"]));
    let report = text(&out.stdout);
    assert_eq!(report_value(&report, "hostname"), "cli-box", "{report}");
    assert_eq!(report_value(&report, "pid"), "2", "{report}");

    // And the other way: the environment asks for a container, the command line for none.
    let (pid, out) = run_with_pid(
        boxinit_cmd()
            .env("BOXINIT_UNSHARE", "mnt,uts,ipc,pid")
            .args(["--unshare", "none", "--"])
            .arg(probe())
            .arg("report"),
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let report = text(&out.stdout);
    assert_eq!(report_value(&report, "ppid"), pid.to_string(), "{report}");
}

#[test]
fn unshare_none_is_plain_supervision() {
    for args in [&["--unshare", "none", "--"][..], &["--"], &[]] {
        let (pid, out) = run_with_pid(boxinit_cmd().args(args).arg(probe()).arg("report"));
        assert_eq!(out.status.code(), Some(0), "{args:?}: {out:?}");
        let report = text(&out.stdout);
        // The probe is boxinit's child in the host's namespaces.
        assert_eq!(report_value(&report, "ppid"), pid.to_string(), "{report}");
        assert_ne!(report_value(&report, "pid"), "2", "{report}");
        assert_ne!(report_value(&report, "comm1"), "boxinit", "{report}");
        assert_eq!(report_value(&report, "hostname"), host_hostname());
    }
}

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// Run to the end and insist on status 0 and a quiet stderr.
/// `probe report` run by `boxinit --rootfs R OPTIONS -- /probe report` in a rootfs that
/// holds only the probe; it must succeed quietly.
fn report_in_rootfs(options: &[&str]) -> String {
    let root = probe_rootfs();
    let mut cmd = boxinit_cmd();
    cmd.arg("--rootfs").arg(root.path()).args(options);
    text(&ok(cmd.args(["--", "/probe", "report"])).stdout)
}

fn host_hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .unwrap()
        .trim()
        .to_owned()
}

/// Run `cmd` to the end, and collect its output with its pid.
fn run_with_pid(cmd: &mut Command) -> (i32, Output) {
    let running = Running::start(cmd);
    (running.pid(), running.finish())
}

const ESCAPE_ENV: &str = "CORE_TEST_ESCAPE_MARKER";

/// The escape, run as the helper inside the rootfs: prints where it ended up.
fn escape_and_look(marker: &str) {
    std::fs::create_dir_all("/jail").unwrap();
    std::os::unix::fs::chroot("/jail").unwrap();
    // The working directory is still outside the new root: climb from there.
    for _ in 0..64 {
        std::env::set_current_dir("..").unwrap();
    }
    std::os::unix::fs::chroot(".").unwrap();
    std::env::set_current_dir("/").unwrap();
    println!(
        "escape jail={} marker={}",
        Path::new("/jail").is_dir(),
        Path::new(marker).exists()
    );
}

fn escape_line(out: &Output) -> String {
    let stdout = text(&out.stdout);
    stdout
        .lines()
        .find_map(|l| l.find("escape jail=").map(|at| l[at..].to_owned()))
        .unwrap_or_else(|| panic!("no escape line in:\n{stdout}"))
}
