//! The supervisor, tested on real processes: each personality's flags, defaults and
//! environment forms; exit codes; which signals reach whom; reaping when not PID 1; the parent
//! death signal; job control; the terminal's foreground; `--grace` and `--wait-all`; and what
//! the command inherits (descriptors, signal mask and dispositions, working directory).
//!
//! Every wait has a deadline and every process a test starts carries a tag in its environment,
//! so a failing test kills all it started, wherever they were reparented to.

mod support;

use std::ffi::CStr;
use std::fs::{File, OpenOptions};
use std::os::fd::{AsRawFd, FromRawFd};
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use support::{
    boxinit, children, exit_code, kill, probe, report_value, state_and_parent, strip_options_env,
    text, Running, TempDir, LIMIT,
};

use libc::{
    SIGABRT, SIGBUS, SIGCHLD, SIGCONT, SIGFPE, SIGHUP, SIGILL, SIGINT, SIGKILL, SIGQUIT, SIGSEGV,
    SIGSTOP, SIGSYS, SIGTERM, SIGTRAP, SIGTSTP, SIGTTIN, SIGTTOU, SIGUSR1, SIGUSR2,
};

/// The signals the kernel raises for a fault of the process itself: never forwarded.
const FAULTS: [i32; 7] = [SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS, SIGABRT];

/// Signals 1..=31 a supervisor passes on: all but KILL, STOP, CHLD and the faults.
fn forwardable() -> Vec<i32> {
    (1..=31)
        .filter(|s| ![SIGKILL, SIGSTOP, SIGCHLD].contains(s) && !FAULTS.contains(s))
        .collect()
}

/// Signals whose default action ends the process (the rest stop it or are ignored).
const FATAL: [i32; 23] = [
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 24, 25, 26, 27, 29, 30, 31,
];

/// A personality, its flags, and its environment.
type Case = (
    &'static str,
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
);

/// Every personality, as argv[0] picks it.
const PERSONALITIES: [&str; 6] = [
    "boxinit",
    "tini",
    "docker-init",
    "dumb-init",
    "catatonit",
    "podman-init",
];

// ---- Exit codes ---------------------------------------------------------------------------

#[test]
fn exit_codes_pass_through_for_every_personality() {
    for name in PERSONALITIES {
        for code in 0..=255 {
            let status = quick_status(init(name).args(["--", "probe", "exit", &code.to_string()]));
            assert_eq!(status, code, "{name}: probe exit {code}");
        }
    }
}

#[test]
fn death_by_signal_is_128_plus_n() {
    for name in ["boxinit", "tini", "dumb-init", "catatonit"] {
        for sig in FATAL {
            let status = quick_status(init(name).args(["--", "probe", "die", &sig.to_string()]));
            assert_eq!(status, 128 + sig, "{name}: probe die {sig}");
        }
    }
}

#[test]
fn expect_exit_maps_only_the_listed_codes_to_zero() {
    let mapped = [3, 42, 143, 255];
    // Each spelling of the option: separate, clustered, long (boxinit's).
    let forms: [(&str, &[&str]); 3] = [
        ("tini", &["-e", "3", "-e42", "-e", "143", "-e", "255"]),
        ("docker-init", &["-we3", "-e", "42", "-e143", "-e", "255"]),
        (
            "boxinit",
            &[
                "-e",
                "3",
                "--expect-exit",
                "42",
                "--expect-exit=143",
                "-e255",
            ],
        ),
    ];
    for (name, flags) in forms {
        for code in 0..=255 {
            let want = if mapped.contains(&code) { 0 } else { code };
            let mut cmd = init(name);
            cmd.args(flags)
                .args(["--", "probe", "exit", &code.to_string()]);
            assert_eq!(
                quick_status(&mut cmd),
                want,
                "{name} {flags:?}: exit {code}"
            );
        }
        for sig in FATAL {
            let want = if mapped.contains(&(128 + sig)) {
                0
            } else {
                128 + sig
            };
            let mut cmd = init(name);
            cmd.args(flags)
                .args(["--", "probe", "die", &sig.to_string()]);
            assert_eq!(quick_status(&mut cmd), want, "{name} {flags:?}: die {sig}");
        }
    }
}

#[test]
fn command_not_found_or_not_executable() {
    let dir = TempDir::new("noexec");
    let file = dir.path().join("plain");
    std::fs::write(&file, "not a program\n").unwrap();
    for name in ["tini", "dumb-init", "catatonit"] {
        assert_eq!(
            quick_status(init(name).args(["--", "/nonexistent/program"])),
            127
        );
        assert_eq!(quick_status(init(name).arg("--").arg(&file)), 126);
    }
}

// ---- Which signals reach whom -------------------------------------------------------------

#[test]
fn every_forwardable_signal_reaches_the_child() {
    let cases: [(&str, &[&str]); 6] = [
        ("boxinit", &[]),
        ("tini", &[]),
        ("tini", &["-g"]),
        ("dumb-init", &[]),
        ("dumb-init", &["-c"]),
        ("catatonit", &[]),
    ];
    for (name, flags) in cases {
        let mut p = Running::start(init(name).args(flags).args(["--", "probe", "signals"]));
        p.expect("ready");
        // Under dumb-init's name (either mode) the terminal stop signals stop the whole job instead
        // (tested below and in job_control_works_through_boxinit.rs); tini keeps TTIN and TTOU and
        // catatonit all three, as the real ones do (tests/behaves_as_the_program_it_replaces.rs);
        // everywhere else they are passed on like the rest.
        let kept: &[i32] = match name {
            "dumb-init" | "catatonit" => &[SIGTSTP, SIGTTIN, SIGTTOU],
            "tini" => &[SIGTTIN, SIGTTOU],
            _ => &[],
        };
        let mut sent = forwardable();
        sent.retain(|&s| s != SIGTERM && !kept.contains(&s));
        sent.push(SIGTERM); // the probe's last: it exits 0 on it
        for sig in sent {
            p.signal(sig);
            p.expect(&format!("signal {sig}"));
        }
        assert_eq!(p.rest(), Vec::<String>::new(), "{name} {flags:?}");
        assert_eq!(p.wait(), 0, "{name} {flags:?}");
    }
}

#[test]
fn fault_signals_and_sigchld_are_not_forwarded() {
    // (dumb-init passes the faults on, as the real one does:
    // tests/behaves_as_the_program_it_replaces.rs.)
    for (name, flags) in [("boxinit", &[][..]), ("tini", &["-g"]), ("catatonit", &[])] {
        let mut p = Running::start(init(name).args(flags).args(["--", "probe", "signals"]));
        p.expect("ready");
        for sig in FAULTS.into_iter().chain([SIGCHLD]) {
            p.signal(sig);
            // A marker after each: were the fault passed on, the probe would report it (or
            // die of it) in place of the next line expected.
            p.signal(SIGUSR1);
            p.expect(&format!("signal {SIGUSR1}"));
        }
        p.signal(SIGTERM);
        p.expect("signal 15");
        assert_eq!(p.rest(), Vec::<String>::new(), "{name}");
        assert_eq!(
            p.wait(),
            0,
            "{name}: boxinit must survive faults sent to it"
        );
    }
}

/// The members of `sh -c 'probe & probe & wait'`: the shell and two probes in one group.
const TWO_PROBES: &str = r#""$PROBE" signals 10 & "$PROBE" signals 10 & wait"#;

#[test]
fn group_modes_reach_every_member_of_the_job() {
    let cases: [Case; 7] = [
        ("tini", &["-g"], &[]),
        ("docker-init", &[], &[("TINI_KILL_PROCESS_GROUP", "1")]),
        ("catatonit", &["-g"], &[]),
        ("podman-init", &["-g"], &[]),
        ("boxinit", &["--process-group"], &[]),
        ("dumb-init", &[], &[]),
        ("dumb-init", &[], &[("DUMB_INIT_SETSID", "1")]),
    ];
    for (name, flags, env) in cases {
        let mut cmd = init(name);
        cmd.args(flags).envs(env.iter().copied());
        let mut p = Running::start(cmd.args(["--", "sh", "-c", TWO_PROBES]));
        p.expect("ready");
        p.expect("ready");
        p.signal(SIGUSR1);
        let rest = p.rest();
        assert_eq!(rest, ["signal 10", "signal 10"], "{name} {flags:?} {env:?}");
        // The shell got it too, and died of it.
        assert_eq!(p.wait(), 128 + SIGUSR1, "{name} {flags:?} {env:?}");
    }
}

/// A shell whose background probe reports its pid, then waits.
const ONE_PROBE: &str = r#""$PROBE" report --then signals 10 & wait"#;

#[test]
fn child_only_modes_signal_the_command_alone() {
    let cases: [Case; 6] = [
        ("boxinit", &[], &[]),
        ("tini", &[], &[]),
        ("catatonit", &[], &[("TINI_KILL_PROCESS_GROUP", "1")]), // not catatonit's
        ("dumb-init", &["-c"], &[]),
        ("dumb-init", &["--single-child"], &[]),
        ("dumb-init", &[], &[("DUMB_INIT_SETSID", "0")]),
    ];
    for (name, flags, env) in cases {
        let what = format!("{name} {flags:?} {env:?}");
        let mut cmd = init(name);
        cmd.args(flags).envs(env.iter().copied());
        let mut p = Running::start(cmd.args(["--", "sh", "-c", ONE_PROBE]));
        let report = p.report();
        p.expect("ready");
        let pid: i32 = report_value(&report, "pid").parse().unwrap();
        // The shell leads its own process group but not a session.
        assert_eq!(report_value(&report, "pgid"), report_value(&report, "ppid"));
        assert_ne!(report_value(&report, "sid"), report_value(&report, "ppid"));
        p.signal(SIGUSR1);
        assert_eq!(p.wait(), 128 + SIGUSR1, "{what}: the shell must die of it");
        // Had the probe been signalled too, USR1 would be pending before USR2 and come first.
        kill(pid, SIGUSR2);
        p.expect("signal 12");
        kill(pid, SIGUSR1);
        p.expect("signal 10");
        assert_eq!(p.rest(), Vec::<String>::new(), "{what}");
    }
}

#[test]
fn dumb_init_session_mode_makes_the_command_a_session_leader() {
    let mut p = Running::start(init("dumb-init").args(["--", "sh", "-c", ONE_PROBE]));
    let report = p.report();
    p.expect("ready");
    assert_eq!(report_value(&report, "sid"), report_value(&report, "ppid"));
    assert_eq!(report_value(&report, "pgid"), report_value(&report, "ppid"));
    p.signal(SIGUSR1);
    p.expect("signal 10");
    assert_eq!(p.wait(), 128 + SIGUSR1);
}

#[test]
fn dumb_init_terms_the_rest_of_the_group_when_the_command_ends() {
    let script = r#""$PROBE" signals & read line; exit 4"#;
    let mut p = Running::start(init("dumb-init").args(["--", "sh", "-c", script]));
    p.expect("ready");
    p.close_stdin();
    p.expect("signal 15");
    assert_eq!(p.rest(), Vec::<String>::new());
    assert_eq!(p.wait(), 4);
}

#[test]
fn dumb_init_rewrites_and_drops_signals() {
    for (name, flags) in [
        ("dumb-init", &["-r", "12:10", "-r", "1:0"][..]),
        ("dumb-init", &["-c", "--rewrite", "12:10", "--rewrite=1:0"]),
        ("boxinit", &["-r", "USR2:10", "-r", "1:0"]),
    ] {
        let mut cmd = init(name);
        let mut p = Running::start(cmd.args(flags).args(["--", "probe", "signals", "3"]));
        p.expect("ready");
        p.signal(SIGUSR2);
        p.expect("signal 10");
        // HUP (1) would come before QUIT (3) if it were passed on.
        p.signal(SIGHUP);
        p.signal(SIGQUIT);
        p.expect("signal 3");
        assert_eq!(p.rest(), Vec::<String>::new(), "{name} {flags:?}");
        assert_eq!(p.wait(), 0, "{name} {flags:?}");
    }
}

// ---- Pause mode ---------------------------------------------------------------------------

#[test]
fn pause_mode_waits_and_exits_zero_on_term_or_int() {
    for name in ["catatonit", "podman-init", "boxinit"] {
        for last in [SIGTERM, SIGINT] {
            let mut p = Running::start(init(name).arg("-P"));
            // Nothing announces readiness: wait until boxinit takes its signals.
            poll_until(&format!("{name} -P to take its signals"), || {
                takes_signals(p.pid())
            });
            for sig in [SIGHUP, SIGUSR1, SIGCHLD, SIGQUIT] {
                p.signal(sig);
            }
            assert!(
                p.still_running_after(Duration::from_millis(150)),
                "{name} -P left on a signal other than TERM or INT"
            );
            p.signal(last);
            assert_eq!(p.wait(), 0, "{name} -P, signal {last}");
        }
    }
}

// ---- Reaping when not PID 1 ---------------------------------------------------------------

#[test]
fn orphans_are_all_reaped_when_not_pid_1() {
    for name in ["boxinit", "tini", "dumb-init", "catatonit"] {
        let mut p = Running::start(init(name).args(["--", "probe", "orphans", "500"]));
        p.expect("zombies=0");
        assert_eq!(p.rest(), Vec::<String>::new());
        assert_eq!(p.wait(), 0, "{name}");
    }
}

#[test]
fn orphans_are_adopted_by_boxinit_not_the_host_init() {
    // The subshell starts the probe and exits at once: the probe is an orphan while the
    // command (the outer shell) still runs.
    let script = r#"("$PROBE" report --then signals 10 &); read line; exit 6"#;
    for name in ["boxinit", "tini", "dumb-init", "catatonit"] {
        let mut p = Running::start(init(name).args(["--", "sh", "-c", script]));
        let report = p.report();
        p.expect("ready");
        let orphan: i32 = report_value(&report, "pid").parse().unwrap();
        let me = p.pid();
        poll_until(&format!("{name} to adopt the orphan {orphan}"), || {
            parent_of(orphan) == Some(me)
        });
        kill(orphan, SIGUSR1);
        p.expect("signal 10");
        p.close_stdin();
        assert_eq!(p.rest(), Vec::<String>::new());
        assert_eq!(p.wait(), 6, "{name}");
    }
}

// ---- Parent death signal ------------------------------------------------------------------

#[test]
fn parent_death_signal_fires_when_the_parent_dies() {
    let links = Links::new();
    for (name, flags) in [
        ("tini", &["-p", "SIGTERM"][..]),
        ("docker-init", &["-p", "15"]),
        ("boxinit", &["--parent-death-signal=TERM"]),
    ] {
        // A shell starts boxinit in the background and exits when its stdin closes.
        let mut cmd = shell(r#""$INIT" $FLAGS -- "$PROBE" signals & read line"#);
        cmd.env("INIT", links.path(name))
            .env("FLAGS", flags.join(" "));
        let mut p = Running::start(&mut cmd);
        p.expect("ready");
        p.close_stdin();
        p.wait();
        // boxinit got TERM from the kernel and passed it on; the probe exits on it, and
        // then boxinit (the last writer of the pipe) ends too.
        p.expect("signal 15");
        assert_eq!(p.rest(), Vec::<String>::new(), "{name} {flags:?}");
    }
}

// ---- Job control --------------------------------------------------------------------------

#[test]
fn terminal_stops_stop_the_child_and_cont_resumes_it() {
    // (tini keeps TTIN and TTOU to itself, as the real one does.)
    let mut p = Running::start(init("boxinit").args(["--", "probe", "sleep"]));
    let child = exec_child(p.pid());
    for stop in [SIGTSTP, SIGTTIN, SIGTTOU] {
        p.signal(stop);
        poll_until(&format!("the child to stop on {stop}"), || {
            state(child) == Some('T')
        });
        p.signal(SIGCONT);
        poll_until("the child to continue", || {
            matches!(state(child), Some('S' | 'R'))
        });
    }
    p.signal(SIGTERM);
    assert_eq!(p.wait(), 128 + SIGTERM);
}

#[test]
fn dumb_init_session_mode_stops_the_job_and_itself() {
    let mut p = Running::start(init("dumb-init").args(["--", "probe", "sleep"]));
    let me = p.pid();
    let child = exec_child(me);
    for stop in [SIGTSTP, SIGTTIN, SIGTTOU] {
        p.signal(stop);
        poll_until(&format!("dumb-init to stop itself on {stop}"), || {
            state(me) == Some('T')
        });
        // The command leads a session of its own, so its group is orphaned and the kernel
        // drops a terminal stop signal it has no handler for: it must be stopped for real.
        poll_until(&format!("the child to stop on {stop}"), || {
            state(child) == Some('T')
        });
        p.signal(SIGCONT);
        poll_until("both to continue", || {
            matches!(state(me), Some('S' | 'R')) && matches!(state(child), Some('S' | 'R'))
        });
    }
    p.signal(SIGTERM);
    assert_eq!(p.wait(), 128 + SIGTERM);
}

// ---- Terminals ----------------------------------------------------------------------------

#[test]
fn child_owns_the_terminal_foreground() {
    for name in ["boxinit", "tini", "dumb-init", "catatonit"] {
        // boxinit leads the terminal's session, as under `docker run -t`.
        let mut cmd = init(name);
        cmd.args(["--", "probe", "report"]);
        let mut p = on_pty(cmd);
        let report = p.report();
        assert_eq!(p.wait(), 0, "{name}");
        let pid = report_value(&report, "pid");
        assert_eq!(report_value(&report, "pgid"), pid, "{name}:\n{report}");
        let foreground = report_value(&report, "foreground");
        assert_eq!(foreground, pid, "{name}:\n{report}");
        if name == "dumb-init" {
            // Its own session, with the terminal as its controlling tty.
            assert_eq!(report_value(&report, "sid"), pid, "{name}:\n{report}");
        }
    }
    let links = Links::new();
    for name in ["boxinit", "tini"] {
        // boxinit started by a shell that leads the session (`; :` keeps sh from exec'ing).
        let mut cmd = shell(r#""$INIT" -- "$PROBE" report; :"#);
        cmd.env("INIT", links.path(name));
        let mut p = on_pty(cmd);
        let report = p.report();
        assert_eq!(p.wait(), 0, "{name}");
        let pid = report_value(&report, "pid");
        assert_eq!(report_value(&report, "pgid"), pid, "{name}:\n{report}");
        let foreground = report_value(&report, "foreground");
        assert_eq!(foreground, pid, "{name}:\n{report}");
        assert_ne!(report_value(&report, "sid"), pid, "{name}:\n{report}");
    }
}

#[test]
fn a_background_job_does_not_take_the_terminal() {
    // bash with job control puts `&` jobs in a group of their own, outside the foreground:
    // boxinit there must leave the terminal to the shell, as any background job does.
    let links = Links::new();
    for name in ["boxinit", "tini"] {
        let mut cmd = shell(r#"exec bash -c 'set -m; "$INIT" -- "$PROBE" report & wait'"#);
        cmd.env("INIT", links.path(name));
        let mut p = on_pty(cmd);
        let report = p.report();
        assert_eq!(p.wait(), 0, "{name}");
        let pid = report_value(&report, "pid");
        assert_eq!(report_value(&report, "pgid"), pid, "{name}:\n{report}");
        let foreground = report_value(&report, "foreground");
        assert_eq!(
            foreground,
            report_value(&report, "sid"),
            "{name}:\n{report}"
        );
    }
}

#[test]
fn hup_and_cont_reach_the_child_on_a_terminal() {
    // dumb-init gives the terminal to the command, which costs it a SIGHUP and a SIGCONT of
    // its own: those are swallowed, but every later one is the command's.
    for name in ["dumb-init", "tini", "boxinit"] {
        let mut cmd = init(name);
        cmd.args(["--", "probe", "signals"]);
        let mut p = on_pty(cmd);
        p.expect("ready");
        for sig in [SIGHUP, SIGCONT, SIGHUP, SIGCONT, SIGTERM] {
            p.signal(sig);
            p.expect(&format!("signal {sig}"));
        }
        assert_eq!(p.wait(), 0, "{name}");
        assert_eq!(p.rest(), Vec::<String>::new(), "{name}");
    }
}

// ---- Shutdown: --grace and --wait-all ------------------------------------------------------

/// A grandchild that says "got-term" and exits when it gets TERM.
const TRAPS_TERM: &str =
    r#"trap 'echo got-term; exit 0' TERM; echo "ready $$"; while :; do sleep 1 & wait $!; done"#;
/// A grandchild (and its sleeps) that ignore TERM.
const IGNORES_TERM: &str = r#"trap '' TERM; echo "ready $$"; while :; do sleep 1; done"#;

/// Start boxinit as `name` with `init_args` on `sh -c script`, where the script starts the
/// `grandchild` script (as $G); returns once the grandchild is ready, with its pid.
fn with_grandchild(
    name: &str,
    init_args: &[&str],
    grandchild: &str,
    script: &str,
) -> (Running, i32) {
    let mut cmd = init(name);
    cmd.env("G", grandchild)
        .args(init_args)
        .args(["--", "sh", "-c", script]);
    let mut p = Running::start(&mut cmd);
    let ready = p.line();
    let pid = ready
        .strip_prefix("ready ")
        .unwrap_or_else(|| panic!("unexpected line {ready:?}"));
    (p, pid.parse().unwrap())
}

const LEAVES_GRANDCHILD: &str = r#"sh -c "$G" & read line; exit 3"#;

#[test]
fn grace_terms_a_trapping_grandchild_and_waits_for_it() {
    for (name, args) in [
        ("boxinit", &["--grace", "5s"][..]),
        ("tini", &["--grace=5s"]),
        ("dumb-init", &["-c", "--grace", "5"]),
    ] {
        let (mut p, grandchild) = with_grandchild(name, args, TRAPS_TERM, LEAVES_GRANDCHILD);
        let start = Instant::now();
        p.close_stdin();
        p.expect("got-term");
        assert_eq!(p.rest(), Vec::<String>::new());
        assert_eq!(p.wait(), 3, "{name} {args:?}");
        let elapsed = start.elapsed();
        assert!(
            elapsed < Duration::from_secs(4),
            "{name}: took {elapsed:?}: waited for the grace period, not the grandchild"
        );
        assert!(
            gone(grandchild),
            "{name}: grandchild {grandchild} outlived boxinit"
        );
    }
}

#[test]
fn grace_kills_a_grandchild_that_ignores_term_after_the_grace_period() {
    let grace = Duration::from_millis(1500);
    let (mut p, grandchild) = with_grandchild(
        "boxinit",
        &["--grace", "1500ms"],
        IGNORES_TERM,
        LEAVES_GRANDCHILD,
    );
    let start = Instant::now();
    p.close_stdin();
    assert_eq!(p.wait(), 3);
    let elapsed = start.elapsed();
    assert!(
        elapsed >= grace,
        "KILL came after {elapsed:?}, before the grace"
    );
    assert!(elapsed < grace + Duration::from_secs(3), "took {elapsed:?}");
    assert!(gone(grandchild), "grandchild {grandchild} outlived boxinit");
    assert_eq!(p.rest(), Vec::<String>::new());
}

#[test]
fn grace_on_sigterm_terms_everyone() {
    let script = r#"sh -c "$G" & wait"#;
    let (mut p, grandchild) = with_grandchild("tini", &["--grace", "5s"], TRAPS_TERM, script);
    let start = Instant::now();
    p.signal(SIGTERM);
    p.expect("got-term");
    assert_eq!(p.rest(), Vec::<String>::new());
    assert_eq!(p.wait(), 128 + SIGTERM);
    assert!(
        start.elapsed() < Duration::from_secs(4),
        "{:?}",
        start.elapsed()
    );
    assert!(gone(grandchild));
}

#[test]
fn wait_all_waits_for_a_background_grandchild() {
    for name in ["boxinit", "tini", "dumb-init"] {
        let script = r#""$PROBE" report --then signals 10 & exit 7"#;
        let mut cmd = init(name);
        // dumb-init's session mode would TERM the group when the command ends.
        let flags: &[&str] = if name == "dumb-init" { &["-c"] } else { &[] };
        let mut p = Running::start(
            cmd.args(flags)
                .args(["--wait-all", "--", "sh", "-c", script]),
        );
        let report = p.report();
        p.expect("ready");
        let grandchild: i32 = report_value(&report, "pid").parse().unwrap();
        let me = p.pid();
        // Once the shell has exited, its orphan is ours.
        poll_until("the shell to exit", || parent_of(grandchild) == Some(me));
        assert!(
            p.still_running_after(Duration::from_millis(200)),
            "{name} --wait-all left before the grandchild"
        );
        kill(grandchild, SIGUSR1);
        p.expect("signal 10");
        assert_eq!(p.rest(), Vec::<String>::new());
        assert_eq!(p.wait(), 7, "{name}");
    }
}

// ---- What the command inherits ------------------------------------------------------------

#[test]
fn child_sees_only_the_callers_descriptors() {
    for extra in [false, true] {
        let want = if extra { "0,1,2,7" } else { "0,1,2" };
        let mut direct = Command::new(probe());
        only_fds(direct.arg("report"), extra);
        let direct = Running::start(&mut direct).report();
        assert_eq!(report_value(&direct, "fds"), want);
        for name in ["boxinit", "tini", "dumb-init", "catatonit"] {
            let mut cmd = init(name);
            only_fds(cmd.args(["--", "probe", "report"]), extra);
            let mut p = Running::start(&mut cmd);
            let report = p.report();
            assert_eq!(report_value(&report, "fds"), want, "{name}");
            assert_eq!(p.wait(), 0);
        }
    }
}

#[test]
fn child_gets_the_callers_signal_mask_and_ignored_signals() {
    // (ignored, blocked) as the caller leaves them.
    let cases: [(&[i32], &[i32]); 4] = [
        (&[], &[]),
        (&[SIGHUP], &[SIGUSR2]), // nohup, and a caller that blocks something
        (&[SIGCHLD, SIGQUIT], &[SIGTERM, SIGINT, SIGCHLD]),
        (&[SIGTERM, SIGINT], &[SIGHUP, SIGCONT, 40]),
    ];
    for (ignored, blocked) in cases {
        let mut direct = Command::new(probe());
        caller_signals(direct.arg("report"), ignored, blocked);
        let direct = Running::start(&mut direct).report();
        let (blk, ign) = (
            report_value(&direct, "sigblk").to_owned(),
            report_value(&direct, "sigign").to_owned(),
        );
        // The setup itself worked.
        let ign_bits = u64::from_str_radix(&ign, 16).unwrap();
        let blk_bits = u64::from_str_radix(&blk, 16).unwrap();
        assert!(ignored.iter().all(|&s| ign_bits & bit(s) != 0), "{ign}");
        assert!(blocked.iter().all(|&s| blk_bits & bit(s) != 0), "{blk}");
        // (dumb-init and catatonit give the command their own:
        // tests/behaves_as_the_program_it_replaces.rs.)
        for name in ["boxinit", "tini", "docker-init"] {
            let mut cmd = init(name);
            caller_signals(cmd.args(["--", "probe", "report"]), ignored, blocked);
            let mut p = Running::start(&mut cmd);
            let report = p.report();
            let what = format!("{name}, ignoring {ignored:?}, blocking {blocked:?}");
            assert_eq!(report_value(&report, "sigblk"), blk, "{what}");
            assert_eq!(report_value(&report, "sigign"), ign, "{what}");
            assert_eq!(p.wait(), 0, "{what}");
        }
    }
}

#[test]
fn boxinit_works_in_slash_and_the_child_in_the_callers_directory() {
    let dir = TempDir::new("cwd");
    let want = dir.path().canonicalize().unwrap();
    for name in ["boxinit", "tini", "dumb-init", "catatonit"] {
        let mut cmd = init(name);
        cmd.current_dir(dir.path())
            .args(["--", "probe", "report", "--then", "signals"]);
        let mut p = Running::start(&mut cmd);
        let report = p.report();
        p.expect("ready");
        assert_eq!(Path::new(report_value(&report, "cwd")), want, "{name}");
        // A round trip through the supervisor: it is past its set-up.
        p.signal(SIGUSR1);
        p.expect("signal 10");
        let cwd = std::fs::read_link(format!("/proc/{}/cwd", p.pid())).unwrap();
        assert_eq!(cwd, Path::new("/"), "{name}'s own directory");
        p.signal(SIGTERM);
        p.expect("signal 15");
        assert_eq!(p.wait(), 0);
    }
}

// ---- Version, help, and each personality's own flags --------------------------------------

#[test]
fn version_is_what_docker_info_parses() {
    let links = Links::new();
    for name in ["tini", "docker-init"] {
        let out = output(Command::new(links.path(name)).arg("--version"));
        assert_eq!(out.code, 0, "{name} --version: {}", out.stderr);
        assert_eq!(out.stdout.lines().count(), 1, "{:?}", out.stdout);
        let (version, commit) = docker_parse(&out.stdout)
            .unwrap_or_else(|| panic!("{name} --version: docker cannot parse {:?}", out.stdout));
        assert!(
            !version.is_empty() && !commit.is_empty(),
            "{:?}",
            out.stdout
        );
    }
}

#[test]
fn version_and_help_exit_zero_for_every_personality() {
    let links = Links::new();
    let cases: [(&str, &[&str]); 14] = [
        ("boxinit", &["--version"]),
        ("boxinit", &["-V"]),
        ("boxinit", &["-h"]),
        ("boxinit", &["--help"]),
        ("tini", &["-h"]),
        ("docker-init", &["-h"]),
        ("dumb-init", &["-V"]),
        ("dumb-init", &["--version"]),
        ("dumb-init", &["-h"]),
        ("dumb-init", &["--help"]),
        ("catatonit", &["-V"]),
        ("catatonit", &["--version"]),
        ("catatonit", &["-h"]),
        ("podman-init", &["-V"]),
    ];
    for (name, args) in cases {
        let out = output(Command::new(links.path(name)).args(args));
        assert_eq!(out.code, 0, "{name} {args:?}: {}", out.stderr);
        // Each on the stream its program uses (tests/behaves_as_the_program_it_replaces.rs compares
        // them).
        let on_stderr = name == "dumb-init" || (name == "catatonit" && args[0] == "-h");
        let (used, unused) = if on_stderr {
            (&out.stderr, &out.stdout)
        } else {
            (&out.stdout, &out.stderr)
        };
        assert!(!used.trim().is_empty(), "{name} {args:?} printed nothing");
        assert!(unused.is_empty(), "{name} {args:?}: {unused}");
    }
    for (name, flag) in [
        ("tini", "-l"),
        ("catatonit", "-L"),
        ("boxinit", "--license"),
    ] {
        let out = output(Command::new(links.path(name)).arg(flag));
        assert_eq!(out.code, 0, "{name} {flag}: {}", out.stderr);
        assert!(!out.stdout.trim().is_empty());
    }
}

#[test]
fn each_personality_takes_its_own_flags_and_refuses_the_others() {
    let refused: [(&str, &[&str]); 23] = [
        ("tini", &["-c"]),
        ("tini", &["-r", "15:0"]),
        ("tini", &["-P"]),
        ("tini", &["-L"]),
        ("docker-init", &["--single-child"]),
        ("dumb-init", &["-g"]),
        ("dumb-init", &["-e", "1"]),
        ("dumb-init", &["-p", "TERM"]),
        ("dumb-init", &["-s"]),
        ("dumb-init", &["-P"]),
        ("dumb-init", &["-w"]),
        ("dumb-init", &["-l"]),
        ("catatonit", &["-c"]),
        ("catatonit", &["-e", "1"]),
        ("catatonit", &["-p", "TERM"]),
        ("catatonit", &["-r", "1:0"]),
        ("catatonit", &["-s"]),
        ("catatonit", &["-w"]),
        ("catatonit", &["-l"]),
        ("podman-init", &["-c"]),
        ("podman-init", &["--rewrite=1:0"]),
        ("tini", &["--bogus"]),
        ("boxinit", &["-Z"]),
    ];
    for (name, flags) in refused {
        let mut cmd = init(name);
        let out = output(cmd.args(flags).args(["--", "probe", "exit", "0"]));
        // A usage error exits as the replaced program's do.
        let usage_status = if name == "boxinit" { 125 } else { 1 };
        assert_eq!(out.code, usage_status, "{name} {flags:?} was accepted");
        assert!(
            out.stderr.contains(flags[0]),
            "{name} {flags:?}: the message should name the option: {:?}",
            out.stderr
        );
        assert!(out.stdout.is_empty());
    }
    let accepted: [Case; 7] = [
        ("tini", &["-s", "-w", "-g", "-e", "1", "-p", "KILL"], &[]),
        ("tini", &[], &[("TINI_SUBREAPER", "1")]),
        ("docker-init", &["-sg"], &[]),
        ("dumb-init", &["-c", "-r", "1:0", "--single-child"], &[]),
        ("catatonit", &["-g"], &[]),
        ("podman-init", &["-g"], &[]),
        (
            "boxinit",
            &["-s", "-c", "-w", "-e", "3", "-r", "1:0", "-p", "KILL"],
            &[],
        ),
    ];
    for (name, flags, env) in accepted {
        let mut cmd = init(name);
        cmd.envs(env.iter().copied());
        let out = output(cmd.args(flags).args(["--", "probe", "exit", "0"]));
        assert_eq!(out.code, 0, "{name} {flags:?} {env:?}: {}", out.stderr);
    }
}

#[test]
fn verbosity_flags_and_environment() {
    let quiet = |name: &str, flags: &[&str], env: &[(&str, &str)]| {
        let mut cmd = init(name);
        cmd.args(flags).envs(env.iter().copied());
        let out = output(cmd.args(["--", "probe", "exit", "0"]));
        assert_eq!(out.code, 0, "{}", out.stderr);
        out.stderr.is_empty()
    };
    assert!(quiet("tini", &[], &[]));
    assert!(quiet("dumb-init", &[], &[]));
    assert!(quiet("tini", &[], &[("TINI_VERBOSITY", "0")]));
    assert!(!quiet("tini", &[], &[("TINI_VERBOSITY", "3")]));
    assert!(!quiet("docker-init", &["-vv"], &[]));
    assert!(!quiet("dumb-init", &["-v", "-v"], &[]));
    assert!(!quiet("dumb-init", &[], &[("DUMB_INIT_DEBUG", "1")]));
    // Another program's variables are not read.
    assert!(quiet("dumb-init", &[], &[("TINI_VERBOSITY", "3")]));
    assert!(quiet("tini", &[], &[("DUMB_INIT_DEBUG", "1")]));
    // tini -w: one warning per orphan reaped, and nothing about the command itself.
    for (flags, warnings) in [(&["-w"][..], 3), (&[], 0)] {
        let mut cmd = init("tini");
        let out = output(cmd.args(flags).args(["--", "probe", "orphans", "3"]));
        assert_eq!((out.code, out.stdout.as_str()), (0, "zombies=0\n"));
        assert_eq!(
            out.stderr.lines().count(),
            warnings,
            "{flags:?}: {}",
            out.stderr
        );
    }
    // tini reads its variable with atoi ("loud" is 0) and starts; boxinit's own refuses, with
    // tini's usage status.
    let mut cmd = init("tini");
    cmd.env("TINI_VERBOSITY", "loud");
    assert_eq!(output(cmd.args(["--", "probe", "exit", "0"])).code, 0);
    let mut cmd = init("tini");
    cmd.env("BOXINIT_VERBOSITY", "loud");
    assert_eq!(output(cmd.args(["--", "probe", "exit", "0"])).code, 1);
}

// ---- Helpers ------------------------------------------------------------------------------

/// The supervisor build (`--no-default-features`) knows every option, and refuses those of the
/// jobs it has not, before anything runs: one line that says so, with boxinit's status (125)
/// or the replaced program's (1).
#[test]
fn a_build_without_a_job_refuses_its_options_in_one_line() {
    let missing: Vec<&str> = ["launcher", "limits", "boot"]
        .into_iter()
        .filter(|job| !support::has_job(job))
        .collect();
    if missing.is_empty() {
        eprintln!("skipped: this build has every job (run it against the supervisor build)");
        return;
    }
    let cases: [(&str, &[&str], (&str, &str)); 3] = [
        ("launcher", &["--rootfs", "/"], ("BOXINIT_ROOTFS", "/")),
        ("limits", &["--memory", "64m"], ("BOXINIT_MEMORY", "64m")),
        ("boot", &["--boot"], ("BOXINIT_BOOT", "1")),
    ];
    let refused = |name: &str, cmd: &mut Command, status: i32, what: &str| {
        let out = support::run(cmd.arg("echo").arg("ran"));
        let stderr = text(&out.stderr);
        assert_eq!(exit_code(out.status), status, "{name} {what}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{name} {what}: {stderr}");
        assert!(out.stdout.is_empty(), "{name} {what}: the command ran");
        stderr
    };
    for (job, args, (variable, value)) in cases {
        if !missing.contains(&job) {
            continue;
        }
        let stderr = refused("boxinit", init("boxinit").args(args), 125, args[0]);
        let want = format!("boxinit: {} is not in this build", args[0]);
        assert!(stderr.starts_with(&want), "{stderr}");
        let stderr = refused(
            "boxinit",
            init("boxinit").env(variable, value),
            125,
            variable,
        );
        assert!(
            stderr.contains(&format!("{variable} is not in this build")),
            "{stderr}"
        );
        // tini knows the launcher's options; those of limits and boot are boxinit's own, so
        // tini refuses them as unknown, in this build as in any.
        let stderr = refused("tini", init("tini").args(args).arg("--"), 1, args[0]);
        if job == "launcher" {
            assert!(stderr.contains("--rootfs is not in this build"), "{stderr}");
        }
    }
}

/// boxinit as `name` (argv[0]), with the probe's directory first in PATH and its path in
/// $PROBE, in a clean environment as far as boxinit's settings go.
fn init(name: &str) -> Command {
    let mut cmd = Command::new(boxinit());
    cmd.arg0(name);
    strip_options_env(&mut cmd);
    let dir = probe().parent().unwrap().to_owned();
    let path = std::env::var("PATH").unwrap_or_default();
    cmd.env("PATH", format!("{}:{path}", dir.display()))
        .env("PROBE", probe());
    cmd
}

/// `sh -c script`, with the probe's path in $PROBE and none of boxinit's settings.
fn shell(script: &str) -> Command {
    let mut cmd = Command::new("sh");
    strip_options_env(&mut cmd);
    cmd.env("PROBE", probe()).args(["-c", script]);
    cmd
}

/// The exit code of a quick run that leaves no core files.
fn quick_status(cmd: &mut Command) -> i32 {
    no_core_files(cmd);
    exit_code(support::run(cmd).status)
}

fn no_core_files(cmd: &mut Command) {
    let none = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: setrlimit is async-signal-safe.
    unsafe {
        cmd.pre_exec(move || {
            if libc::setrlimit(libc::RLIMIT_CORE, &none) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// Start `cmd` on a new pseudo-terminal, as the leader of a session that has it as its
/// controlling terminal; its output (stdout and stderr) comes from the terminal.
fn on_pty(mut cmd: Command) -> Running {
    let (master, slave) = pty();
    cmd.stdin(slave.try_clone().unwrap())
        .stdout(slave.try_clone().unwrap())
        .stderr(slave);
    // SAFETY: setsid and ioctl are async-signal-safe.
    unsafe {
        cmd.pre_exec(|| {
            if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    // Our copies of the slave go with cmd: the output ends (EIO) once the session's do.
    Running::start_with_output(cmd, master)
}

fn state(pid: i32) -> Option<char> {
    Some(state_and_parent(pid)?.0)
}

fn parent_of(pid: i32) -> Option<i32> {
    Some(state_and_parent(pid)?.1)
}

/// Whether `pid` no longer exists (not even as a zombie).
fn gone(pid: i32) -> bool {
    !Path::new(&format!("/proc/{pid}")).exists()
}

/// A signal set from /proc/PID/status (`SigBlk`, `SigIgn`, ...).
fn sig_mask(pid: i32, key: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
        .unwrap_or(0)
}

/// Whether `pid` has its signals blocked (signalfd) or waits in sigtimedwait (which
/// unblocks the set it waits for while it waits).
fn takes_signals(pid: i32) -> bool {
    let syscall = std::fs::read_to_string(format!("/proc/{pid}/syscall")).unwrap_or_default();
    let waiting = syscall.split_whitespace().next() == Some(&libc::SYS_rt_sigtimedwait.to_string());
    waiting || sig_mask(pid, "SigBlk") != 0
}

fn bit(sig: i32) -> u64 {
    1 << (sig - 1)
}

/// Wait for a condition that no event announces: look every millisecond, up to LIMIT.
fn poll_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + LIMIT;
    while !done() {
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// boxinit's child, once it has become the probe (boxinit blocks its signals before forking).
fn exec_child(init: i32) -> i32 {
    let mut child = 0;
    poll_until("boxinit's child to exec", || {
        let Some(&pid) = children(init).first() else {
            return false;
        };
        child = pid;
        std::fs::read_to_string(format!("/proc/{child}/comm")).is_ok_and(|c| c.trim() == "probe")
    });
    child
}

/// Symbolic links to boxinit named after each personality, as they are installed.
struct Links(TempDir);

impl Links {
    fn new() -> Links {
        let dir = TempDir::new("links");
        for name in PERSONALITIES {
            std::os::unix::fs::symlink(boxinit(), dir.path().join(name)).unwrap();
        }
        Links(dir)
    }

    fn path(&self, name: &str) -> std::path::PathBuf {
        self.0.path().join(name)
    }
}

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn output(cmd: &mut Command) -> Out {
    strip_options_env(cmd);
    let out = support::run(cmd);
    Out {
        code: exit_code(out.status),
        stdout: text(&out.stdout),
        stderr: text(&out.stderr),
    }
}

/// How docker reads its init's `--version`: `tini version X - git.Y`, Y without dots.
fn docker_parse(text: &str) -> Option<(String, String)> {
    let parts: Vec<&str> = text.trim().split(" - ").collect();
    let version = parts[0].strip_prefix("tini version ")?;
    let git: Vec<&str> = parts.get(1)?.split('.').collect();
    match git[..] {
        ["git", commit] => Some((version.to_owned(), commit.to_owned())),
        _ => None,
    }
}

/// Leave the command only descriptors 0, 1 and 2 (and a copy of stdin as 7 when `extra`).
fn only_fds(cmd: &mut Command, extra: bool) {
    // SAFETY: close_range and dup2 are async-signal-safe.
    unsafe {
        cmd.pre_exec(move || {
            let flags = libc::CLOSE_RANGE_CLOEXEC;
            if libc::syscall(libc::SYS_close_range, 3u32, u32::MAX, flags) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            if extra && libc::dup2(0, 7) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// Start the command as a caller that ignores `ignored` and blocks `blocked` would.
fn caller_signals(cmd: &mut Command, ignored: &'static [i32], blocked: &'static [i32]) {
    // SAFETY: sigaction and sigprocmask are async-signal-safe.
    unsafe {
        cmd.pre_exec(move || {
            for &sig in ignored {
                if libc::signal(sig, libc::SIG_IGN) == libc::SIG_ERR {
                    return Err(std::io::Error::last_os_error());
                }
            }
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            for &sig in blocked {
                libc::sigaddset(&mut set, sig);
            }
            if libc::sigprocmask(libc::SIG_SETMASK, &set, std::ptr::null_mut()) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// A new pseudo-terminal: (master, slave), both close-on-exec so that processes other tests
/// start meanwhile do not inherit them.
fn pty() -> (File, File) {
    // SAFETY: posix_openpt returns a new descriptor, which we own.
    let master = unsafe { libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC) };
    assert!(
        master >= 0,
        "posix_openpt: {}",
        std::io::Error::last_os_error()
    );
    // SAFETY: as above.
    let master = unsafe { File::from_raw_fd(master) };
    let mut name = [0 as libc::c_char; 64];
    // SAFETY: name is a valid buffer of its length.
    unsafe {
        assert_eq!(libc::grantpt(master.as_raw_fd()), 0);
        assert_eq!(libc::unlockpt(master.as_raw_fd()), 0);
        assert_eq!(
            libc::ptsname_r(master.as_raw_fd(), name.as_mut_ptr(), name.len()),
            0
        );
    }
    // SAFETY: ptsname_r wrote a NUL-terminated name.
    let name = unsafe { CStr::from_ptr(name.as_ptr()) }.to_str().unwrap();
    let slave = OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NOCTTY)
        .open(name)
        .unwrap();
    (master, slave)
}
