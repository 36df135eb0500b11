//! Namespaces and the command's process: lo in a new network namespace, joining namespaces
//! made by others, time offsets, the command's environment, its descriptors and working
//! directory, its session, and dying with the parent. As root, with real namespaces.

mod support;

use std::os::fd::OwnedFd;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};
use support::*;

// ---------------------------------------------------------------------------------------
// Network
// ---------------------------------------------------------------------------------------

#[test]
fn new_network_namespace_has_lo_up_and_nothing_else() {
    let root = busybox_rootfs();
    let out = ok(boxinit_cmd().arg("--rootfs").arg(root.path()).args([
        "--unshare",
        "mnt,pid,net",
        "--",
        "ip",
        "-o",
        "link",
    ]));
    let links = interfaces(&text(&out.stdout));
    assert_eq!(links.len(), 1, "{links:?}");
    let (name, flags) = &links[0];
    assert_eq!(name, "lo");
    assert!(flags.split(',').any(|f| f == "UP"), "lo is down: {flags}");
    // Up means usable: the loopback address answers.
    let out = ok(boxinit_cmd()
        .arg("--rootfs")
        .arg(root.path())
        .args(["--unshare", "mnt,pid,net", "--"])
        .args(["ping", "-c", "1", "-W", "5", "127.0.0.1"]));
    assert!(text(&out.stdout).contains("1 packets received"), "{out:?}");
}

#[test]
fn join_net_enters_a_namespace_made_by_ip_netns() {
    let root = busybox_rootfs();
    let netns = NetNs::add();
    // Something only that namespace has: an address on its lo.
    netns.ip(&["addr", "add", "10.123.45.6/32", "dev", "lo"]);
    let inode = std::fs::metadata(netns.path()).map(|m| {
        use std::os::unix::fs::MetadataExt;
        m.ino()
    });
    let inode = inode.unwrap();
    for args in [
        &["--join-net", netns.path()][..],
        // The default namespaces of --rootfs plus a joined one; and the environment form.
        &["--unshare", "mnt,pid"],
    ] {
        let mut cmd = boxinit_cmd();
        if args[0] == "--unshare" {
            cmd.env("BOXINIT_JOIN_NET", netns.path());
        }
        let out = ok(cmd.arg("--rootfs").arg(root.path()).args(args).args([
            "--",
            "sh",
            "-c",
            "readlink /proc/self/ns/net; ip -o addr",
        ]));
        let stdout = text(&out.stdout);
        assert_eq!(
            stdout.lines().next(),
            Some(format!("net:[{inode}]").as_str()),
            "{args:?}: {stdout}"
        );
        assert!(stdout.contains("10.123.45.6"), "{args:?}: {stdout}");
    }
}

/// `ip -o link` as (name, flags) pairs.
fn interfaces(listing: &str) -> Vec<(String, String)> {
    listing
        .lines()
        .filter_map(|l| {
            let mut fields = l.split(": ");
            fields.next()?.parse::<u32>().ok()?;
            let name = fields.next()?.split('@').next()?.to_owned();
            let flags = fields.next()?.split('>').next()?.trim_start_matches('<');
            Some((name, flags.to_owned()))
        })
        .collect()
}

/// A network namespace made by `ip netns add`, deleted when dropped.
struct NetNs {
    name: String,
    path: String,
}

impl NetNs {
    fn add() -> NetNs {
        let name = format!("boxinit-{}", unique());
        let status = Command::new("ip").args(["netns", "add", &name]).status();
        assert!(status.unwrap().success(), "ip netns add {name} failed");
        NetNs {
            path: format!("/run/netns/{name}"),
            name,
        }
    }

    fn path(&self) -> &str {
        &self.path
    }

    fn ip(&self, args: &[&str]) {
        let status = Command::new("ip")
            .args(["-n", &self.name])
            .args(args)
            .status();
        assert!(status.unwrap().success(), "ip -n {} {args:?}", self.name);
    }
}

impl Drop for NetNs {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["netns", "delete", &self.name])
            .status();
    }
}

// ---------------------------------------------------------------------------------------
// Time
// ---------------------------------------------------------------------------------------

const DAY: u64 = 86400;

#[test]
fn monotonic_offset_shifts_the_monotonic_clock() {
    let root = probe_rootfs();
    let before = host_clock(libc::CLOCK_MONOTONIC);
    let out = ok(boxinit_cmd().arg("--rootfs").arg(root.path()).args([
        "--monotonic",
        "86400",
        "--",
        "/probe",
        "clocks",
    ]));
    let after = host_clock(libc::CLOCK_MONOTONIC);
    let inside: u64 = report_value(&text(&out.stdout), "monotonic")
        .parse()
        .unwrap();
    assert!(
        (before + DAY..=after + DAY).contains(&inside),
        "monotonic {inside} inside, {before}..{after} outside"
    );
    // The boot-time clock is left alone.
    let boottime: u64 = report_value(&text(&out.stdout), "boottime")
        .parse()
        .unwrap();
    assert!(boottime < DAY + before, "{out:?}");
}

/// /proc/uptime is the boot-time clock, so --boottime moves it; the environment form too.
#[test]
fn boottime_offset_shifts_proc_uptime() {
    let root = busybox_rootfs();
    for env in [false, true] {
        let before = host_clock(libc::CLOCK_BOOTTIME);
        let mut cmd = boxinit_cmd();
        if env {
            cmd.env("BOXINIT_BOOTTIME", "86400");
        } else {
            cmd.args(["--boottime", "86400"]);
        }
        let out = ok(cmd
            .arg("--rootfs")
            .arg(root.path())
            .args(["--", "cat", "/proc/uptime"]));
        let after = host_clock(libc::CLOCK_BOOTTIME);
        let uptime = text(&out.stdout);
        let inside: f64 = uptime.split_whitespace().next().unwrap().parse().unwrap();
        let inside = inside as u64;
        assert!(
            (before + DAY..=after + DAY).contains(&inside),
            "uptime {inside} inside, {before}..{after} outside (env form: {env})"
        );
    }
}

#[test]
fn time_offsets_without_pid_namespace_still_reach_the_command() {
    // Only a time namespace: boxinit still needs a process inside it to start the command.
    let before = host_clock(libc::CLOCK_MONOTONIC);
    let out = ok(boxinit_cmd()
        .args(["--monotonic", "-100", "--"])
        .arg(probe())
        .arg("clocks"));
    let after = host_clock(libc::CLOCK_MONOTONIC);
    let inside: u64 = report_value(&text(&out.stdout), "monotonic")
        .parse()
        .unwrap();
    assert!(
        (before - 100..=after - 100).contains(&inside),
        "monotonic {inside} inside, {before}..{after} outside"
    );
}

fn host_clock(clock: libc::clockid_t) -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: ts is a valid out-pointer.
    assert_eq!(unsafe { libc::clock_gettime(clock, &mut ts) }, 0);
    ts.tv_sec as u64
}

// ---------------------------------------------------------------------------------------
// Environment
// ---------------------------------------------------------------------------------------

#[test]
fn setenv_and_unsetenv_edit_the_inherited_environment() {
    let out = ok(boxinit_cmd()
        .env("KEEP", "kept")
        .env("DROP", "dropped")
        .env("CHANGE", "old")
        .args(["--setenv", "CHANGE=new", "--unsetenv", "DROP"])
        .args(["--setenv", "ADDED=a=b", "--", "env"]));
    let env = lines(&out);
    assert!(env.contains(&"KEEP=kept".into()), "{env:?}");
    assert!(env.contains(&"CHANGE=new".into()), "{env:?}");
    assert!(env.contains(&"ADDED=a=b".into()), "{env:?}");
    assert!(!env.iter().any(|e| e.starts_with("DROP=")), "{env:?}");
    assert!(!env.contains(&"CHANGE=old".into()), "{env:?}");
}

#[test]
fn clearenv_leaves_path_home_and_term() {
    let root = busybox_rootfs();
    let out = ok(boxinit_cmd()
        .env("TERM", "vt220")
        .env("SECRET", "x")
        .arg("--rootfs")
        .arg(root.path())
        .args(["--clearenv", "--setenv", "A=1", "--", "env"]));
    let mut env = lines(&out);
    env.sort();
    assert_eq!(
        env,
        [
            "A=1",
            "HOME=/",
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "TERM=vt220"
        ],
        "{out:?}"
    );
    // The environment forms, and a HOME of one's own.
    let out = ok(boxinit_cmd()
        .env("BOXINIT_CLEARENV", "1")
        .env("BOXINIT_SETENV", "HOME=/root")
        .env_remove("TERM")
        .args(["--", "env"]));
    let mut env = lines(&out);
    env.sort();
    assert_eq!(
        env,
        [
            "HOME=/root",
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        ],
        "{out:?}"
    );
}

#[test]
fn more_environment_than_fits_is_refused_not_cut() {
    let mut cmd = boxinit_cmd();
    for i in 0..1100 {
        cmd.env(format!("FILL{i}"), "x");
    }
    let out = run(cmd.args(["--setenv", "A=1", "--", "true"]));
    assert_eq!(out.status.code(), Some(125), "{out:?}");
    assert_eq!(
        text(&out.stderr),
        "boxinit: more than 1024 environment variables for the command\n"
    );
    // Without an edit the environment passes untouched, however large.
    let mut cmd = boxinit_cmd();
    for i in 0..1100 {
        cmd.env(format!("FILL{i}"), "x");
    }
    let out = ok(cmd.args(["--", "sh", "-c", "env | grep -c ^FILL"]));
    assert_eq!(text(&out.stdout).trim(), "1100");
}

// ---------------------------------------------------------------------------------------
// Descriptors and the working directory
// ---------------------------------------------------------------------------------------

/// `sh -c 'exec 7<DIR; exec boxinit ARGS'`: boxinit inherits descriptor 7 (a directory
/// outside any rootfs) without close-on-exec, as from a careless caller.
fn with_fd_7(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(r#"exec 7<"$DIR"; shift; exec "$BOXINIT" "$@""#)
        .arg("sh")
        .arg("-")
        .args(args)
        .env("DIR", dir)
        .env("BOXINIT", boxinit());
    strip_options_env(&mut cmd);
    cmd
}

#[test]
fn only_0_1_2_reach_the_command_in_a_container() {
    let root = probe_rootfs();
    let outside = TempDir::new("process-outside");
    let rootfs = root.path().to_str().unwrap();
    let report = text(
        &ok(&mut with_fd_7(
            outside.path(),
            &["--rootfs", rootfs, "--", "/probe", "report"],
        ))
        .stdout,
    );
    assert_eq!(report_value(&report, "fds"), "0,1,2", "{report}");
    // Named by --keep-fd it arrives (also without a rootfs, and by the environment form).
    let report = text(
        &ok(&mut with_fd_7(
            outside.path(),
            &[
                "--rootfs",
                rootfs,
                "--keep-fd",
                "7",
                "--",
                "/probe",
                "report",
            ],
        ))
        .stdout,
    );
    assert_eq!(report_value(&report, "fds"), "0,1,2,7", "{report}");
    let probe = probe();
    let probe = probe.to_str().unwrap();
    let mut cmd = with_fd_7(outside.path(), &["--unshare", "uts", "--", probe, "report"]);
    let report = text(&ok(&mut cmd).stdout);
    assert_eq!(report_value(&report, "fds"), "0,1,2", "{report}");
    let mut cmd = with_fd_7(outside.path(), &["--unshare", "uts", "--", probe, "report"]);
    let report = text(&ok(cmd.env("BOXINIT_KEEP_FD", "7")).stdout);
    assert_eq!(report_value(&report, "fds"), "0,1,2,7", "{report}");
}

#[test]
fn plain_supervision_passes_descriptors_on_as_tini_does() {
    let outside = TempDir::new("process-outside");
    let probe = probe();
    let probe = probe.to_str().unwrap();
    let report = text(&ok(&mut with_fd_7(outside.path(), &["--", probe, "report"])).stdout);
    // The same descriptors as the probe has when the shell runs it itself.
    let mut direct = Command::new("sh");
    direct
        .arg("-c")
        .arg(r#"exec 7<"$DIR"; exec "$PROBE" report"#)
        .env("DIR", outside.path())
        .env("PROBE", probe);
    let direct = text(&ok(&mut direct).stdout);
    let fds = report_value(&report, "fds");
    assert_eq!(fds, report_value(&direct, "fds"), "{report}");
    assert!(fds.split(',').any(|fd| fd == "7"), "{report}");
    // --keep-fd asks for the container's rule there too, even naming only 0, 1 or 2.
    let mut cmd = with_fd_7(outside.path(), &["--keep-fd", "1", "--", probe, "report"]);
    let report = text(&ok(&mut cmd).stdout);
    assert_eq!(report_value(&report, "fds"), "0,1,2", "{report}");
}

/// runc's CVE-2024-21626: a leaked descriptor of a host directory, reached through
/// /proc/self/fd (or /proc/1/fd, the init beside the command), is a way out of the rootfs.
#[test]
fn leaked_directory_fd_does_not_lead_out_of_the_rootfs() {
    let root = busybox_rootfs();
    let outside = TempDir::new("process-outside");
    std::fs::write(outside.path().join("marker"), "host\n").unwrap();
    let rootfs = root.path().to_str().unwrap();
    let script = "pwd; readlink /proc/self/cwd; ls /proc/1/fd | tr '\\n' ' '; echo; \
                  for d in /proc/self/fd/7 /proc/1/fd/7 /proc/1/cwd/..; do \
                    (cd $d 2>/dev/null && test -e marker && echo escaped $d); done; echo end";
    let mut cmd = with_fd_7(
        outside.path(),
        &["--rootfs", rootfs, "--", "sh", "-c", script],
    );
    // Started from inside the directory it must not reach, too.
    let out = ok(cmd.current_dir(outside.path()));
    assert_eq!(lines(&out), ["/", "/", "0 1 2 ", "end"], "{out:?}");

    // Control: kept on purpose, the same descriptor does lead out, so the test can see it.
    let mut cmd = with_fd_7(
        outside.path(),
        &[
            "--rootfs",
            rootfs,
            "--keep-fd",
            "7",
            "--",
            "sh",
            "-c",
            script,
        ],
    );
    let out = ok(&mut cmd);
    assert!(
        text(&out.stdout).contains("escaped /proc/self/fd/7"),
        "{out:?}"
    );
}

// ---------------------------------------------------------------------------------------
// Sessions
// ---------------------------------------------------------------------------------------

#[test]
fn container_command_leads_its_own_session_without_a_terminal() {
    let root = probe_rootfs();
    let out = ok(boxinit_cmd()
        .arg("--rootfs")
        .arg(root.path())
        .args(["--", "/probe", "report"]));
    let report = text(&out.stdout);
    assert_eq!(report_value(&report, "pid"), "2", "{report}");
    assert_eq!(report_value(&report, "sid"), "2", "{report}");
}

#[test]
fn plain_supervision_keeps_the_session_unless_asked() {
    let probe = probe();
    let report = text(&ok(boxinit_cmd().arg("--").arg(&probe).arg("report")).stdout);
    assert_ne!(
        report_value(&report, "sid"),
        report_value(&report, "pid"),
        "{report}"
    );
    let mut by_flag = boxinit_cmd();
    by_flag.arg("--new-session");
    let mut by_env = boxinit_cmd();
    by_env.env("BOXINIT_NEW_SESSION", "1");
    for mut cmd in [by_flag, by_env] {
        let report = text(&ok(cmd.arg("--").arg(&probe).arg("report")).stdout);
        assert_eq!(
            report_value(&report, "sid"),
            report_value(&report, "pid"),
            "{report}"
        );
    }
}

/// Started in the foreground of a terminal, the command is meant to own it (a shell with
/// job control): no new session, its own group in the foreground. --new-session still
/// detaches it.
#[test]
fn container_command_on_a_terminal_keeps_it() {
    let root = probe_rootfs();
    let rootfs = root.path().to_str().unwrap();
    let boxinit = boxinit();
    let boxinit = boxinit.to_str().unwrap();
    for (extra, own_session) in [("", false), ("--new-session", true)] {
        let line = format!("{boxinit} --rootfs {rootfs} {extra} -- /probe report");
        let mut cmd = Command::new("script");
        cmd.args(["-qec", &line, "/dev/null"]);
        strip_options_env(&mut cmd);
        let out = run(&mut cmd);
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        let report = text(&out.stdout).replace('\r', "");
        let (pid, sid) = (report_value(&report, "pid"), report_value(&report, "sid"));
        assert_eq!(pid == sid, own_session, "{extra}: {report}");
        let foreground = report_value(&report, "foreground");
        if own_session {
            assert_eq!(foreground, "-1", "{report}"); // no controlling terminal at all
        } else {
            assert_eq!(foreground, report_value(&report, "pgid"), "{report}");
        }
    }
}

// ---------------------------------------------------------------------------------------
// Dying with the parent
// ---------------------------------------------------------------------------------------

/// A shell starts boxinit in the background and waits; the test kills the shell. Returns
/// whether boxinit and every process under it were gone within LIMIT.
fn parent_dies(args: &[&str]) -> bool {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(r#"shift; "$BOXINIT" "$@" & echo "boxinit=$!"; wait"#)
        .arg("sh")
        .arg("-")
        .args(args)
        .env("BOXINIT", boxinit());
    strip_options_env(&mut cmd);
    let mut shell = Running::start(&mut cmd);
    let boxinit = started(&mut shell);
    let tree = tree_of(boxinit);
    assert!(tree.len() >= 2, "{tree:?}");
    let watched: Vec<(i32, OwnedFd)> = tree.iter().map(|&pid| (pid, pidfd(pid))).collect();
    shell.signal(libc::SIGKILL);
    let deadline = Instant::now() + LIMIT;
    watched.iter().all(|(_, fd)| ended_by(fd, deadline))
}

#[test]
fn die_with_parent_ends_the_container() {
    let root = probe_rootfs();
    let rootfs = root.path().to_str().unwrap();
    assert!(parent_dies(&[
        "--die-with-parent",
        "--rootfs",
        rootfs,
        "--",
        "/probe",
        "signals"
    ]));
}

#[test]
fn die_with_parent_ends_the_command_without_namespaces() {
    let probe = probe();
    let probe = probe.to_str().unwrap();
    assert!(parent_dies(&["--die-with-parent", "--", probe, "signals"]));
    // Control: without it, boxinit and the command outlive the shell (killed by the test).
    assert!(!parent_dies_quickly(&["--", probe, "signals"]));
}

/// The race: the parent dies after boxinit started but before it opened the parent's pidfd,
/// which then never becomes readable (or is another process's). strace holds boxinit at the
/// entry of that pidfd_open while the test kills the parent; boxinit must see its parent
/// changed and end instead of running the command.
#[test]
fn die_with_parent_sees_a_parent_that_died_first() {
    let probe = probe();
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(
            r#"strace -D -qq -o /dev/null -e trace=pidfd_open \
                 -e inject=pidfd_open:delay_enter=3000000:when=1 \
                 "$BOXINIT" --die-with-parent -- "$PROBE" signals & echo "boxinit=$!"; wait"#,
        )
        .env("BOXINIT", boxinit())
        .env("PROBE", &probe);
    strip_options_env(&mut cmd);
    let mut shell = Running::start(&mut cmd);
    let pid: i32 = shell
        .line()
        .strip_prefix("boxinit=")
        .unwrap()
        .parse()
        .unwrap();
    let watched = pidfd(pid);
    // strace -D leaves boxinit the shell's child, and it execs boxinit in place: wait until
    // that process is boxinit, held at pidfd_open(its parent).
    let deadline = Instant::now() + LIMIT;
    let held = format!("{} 0x{:x} ", libc::SYS_pidfd_open, shell.pid());
    while !std::fs::read_to_string(format!("/proc/{pid}/syscall"))
        .is_ok_and(|s| s.starts_with(&held))
    {
        assert!(
            Instant::now() < deadline,
            "boxinit never reached its pidfd_open"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    shell.signal(libc::SIGKILL);
    assert!(
        ended_by(&watched, Instant::now() + LIMIT),
        "boxinit outlived its parent"
    );
    let out = shell.finish();
    assert!(
        !text(&out.stdout).contains("ready"),
        "the command ran: {out:?}"
    );
    assert_eq!(
        text(&out.stderr),
        "boxinit: the parent died before boxinit started\n"
    );
}

/// Like `parent_dies`, but gives up after a short while (for the control, which must not end).
fn parent_dies_quickly(args: &[&str]) -> bool {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(r#"shift; "$BOXINIT" "$@" & echo "boxinit=$!"; wait"#)
        .arg("sh")
        .arg("-")
        .args(args)
        .env("BOXINIT", boxinit());
    strip_options_env(&mut cmd);
    let mut shell = Running::start(&mut cmd);
    let boxinit = started(&mut shell);
    let tree = tree_of(boxinit);
    let watched: Vec<OwnedFd> = tree.iter().map(|&pid| pidfd(pid)).collect();
    shell.signal(libc::SIGKILL);
    let deadline = Instant::now() + Duration::from_millis(500);
    let ended = watched.iter().all(|fd| ended_by(fd, deadline));
    for &pid in &tree {
        // SAFETY: no pointers; the pidfds keep the pids from being reused meanwhile.
        unsafe { libc::kill(pid, libc::SIGKILL) };
    }
    ended
}

/// The pid of boxinit the shell started, once the probe under it said "ready" (the two lines
/// come in either order).
fn started(shell: &mut Running) -> i32 {
    let mut lines = [shell.line(), shell.line()];
    lines.sort();
    assert_eq!(lines[1], "ready", "{lines:?}");
    lines[0].strip_prefix("boxinit=").unwrap().parse().unwrap()
}

/// `pid` and everything below it.
fn tree_of(pid: i32) -> Vec<i32> {
    let mut tree = vec![pid];
    let mut i = 0;
    while i < tree.len() {
        tree.extend(children(tree[i]));
        i += 1;
    }
    tree
}

// ---------------------------------------------------------------------------------------
// Bad input
// ---------------------------------------------------------------------------------------

#[test]
fn each_bad_option_is_125_with_one_line() {
    let root = probe_rootfs();
    let rootfs = root.path().to_str().unwrap();
    let cases: [(&[&str], &str); 12] = [
        (&["--setenv", "NOEQUALS"], "invalid --setenv"),
        (&["--setenv", "=x"], "invalid --setenv"),
        (&["--unsetenv", "A=B"], "invalid --unsetenv"),
        (&["--keep-fd", "x"], "invalid descriptor for --keep-fd: x"),
        (
            &["--keep-fd", "999999"],
            "no open descriptor for --keep-fd: 999999",
        ),
        (&["--monotonic", "soon"], "invalid --monotonic"),
        (&["--boottime", "1.5"], "invalid --boottime"),
        (&["--join-net", ""], "--join-net is empty"),
        (
            &["--unshare", "net", "--join-net", "/proc/self/ns/net"],
            "--join-net contradicts --unshare net",
        ),
        (
            &["--monotonic", "5", "--join-time", "/proc/self/ns/time"],
            "--monotonic contradicts --join-time",
        ),
        (
            &["--join-net", "/nonexistent/ns"],
            "opening namespace /nonexistent/ns: No such file or directory",
        ),
        // A namespace of another kind than the option says.
        (
            &["--join-net", "/proc/self/ns/uts"],
            "--join-net names no net namespace: /proc/self/ns/uts",
        ),
    ];
    for (args, problem) in cases {
        let out = run(boxinit_cmd()
            .arg("--rootfs")
            .arg(rootfs)
            .args(args)
            .args(["--", "/probe", "report"]));
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(125), "{args:?}: {out:?}");
        assert!(out.stdout.is_empty(), "{args:?} ran the command: {out:?}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(
            stderr.starts_with("boxinit: ") && stderr.contains(problem),
            "{args:?}: {stderr:?} does not say {problem:?}"
        );
    }
    // The environment forms are checked the same way.
    for (var, value) in [
        ("BOXINIT_KEEP_FD", "x"),
        ("BOXINIT_MONOTONIC", "x"),
        ("BOXINIT_SETENV", "A"),
    ] {
        let out = run(boxinit_cmd().env(var, value).args(["--", "true"]));
        assert_eq!(out.status.code(), Some(125), "{var}: {out:?}");
        assert_eq!(text(&out.stderr).lines().count(), 1, "{var}: {out:?}");
    }
}

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

fn lines(out: &Output) -> Vec<String> {
    text(&out.stdout).lines().map(str::to_owned).collect()
}
