//! Drop-in fidelity: under each name boxinit behaves as the program it replaces.
//! Where practical each test runs the real tini, dumb-init and catatonit (Debian's, installed
//! by tests/install-deps.sh) side by side with boxinit under the same name and compares what
//! they do: exit status, which stream got output, which signals reach the command, the
//! command's signal state. boxinit's own name keeps boxinit's rules, tested here too.

mod support;

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use support::{
    boxinit, children, exit_code, probe, probe_rootfs, report_value, state_and_parent,
    strip_options_env, text, Running, TempDir, LIMIT,
};

/// The real program a name stands for.
fn real(name: &str) -> PathBuf {
    let program = match name {
        "docker-init" => "tini",
        "podman-init" => "catatonit",
        other => other,
    };
    let path = Path::new("/usr/bin").join(program);
    assert!(
        path.exists(),
        "{} is missing (tests/install-deps.sh installs it)",
        path.display()
    );
    path
}

/// boxinit called as `name`, or the real program when `original`; the probe's directory is
/// first in PATH and none of the inits' settings is in the environment.
fn init(name: &str, original: bool) -> Command {
    let mut cmd = if original {
        Command::new(real(name))
    } else {
        let mut cmd = Command::new(boxinit());
        cmd.arg0(name);
        cmd
    };
    strip_options_env(&mut cmd);
    // Socket activation's variable, which tini reads too.
    cmd.env_remove("LISTEN_PID");
    let dir = probe().parent().unwrap().to_owned();
    let path = std::env::var("PATH").unwrap_or_default();
    cmd.env("PATH", format!("{}:{path}", dir.display()))
        .env("PROBE", probe());
    cmd
}

/// A name, its flags, and its environment.
type Case = (
    &'static str,
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
);

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn output(cmd: &mut Command) -> Out {
    let out = support::run(cmd);
    Out {
        code: exit_code(out.status),
        stdout: text(&out.stdout),
        stderr: text(&out.stderr),
    }
}

/// Where a run's output went: (status, stdout had some, stderr had some).
fn shape(out: &Out) -> (i32, bool, bool) {
    (
        out.code,
        !out.stdout.trim().is_empty(),
        !out.stderr.trim().is_empty(),
    )
}

/// Run `args` (with `env`) under the real program and under boxinit as `name`; both outputs.
fn both(name: &str, args: &[&str], env: &[(&str, &str)]) -> (Out, Out) {
    let run = |original| {
        let mut cmd = init(name, original);
        cmd.args(args).envs(env.iter().copied());
        output(&mut cmd)
    };
    (run(true), run(false))
}

/// The lines tini prints when it is not a subreaper (and not PID 1); boxinit always is one.
fn without_tini_warning(stderr: &str) -> String {
    let mut lines = stderr.lines().peekable();
    let mut kept = String::new();
    while let Some(line) = lines.next() {
        if line.contains("Tini is not running as PID 1") {
            // Two more lines of explanation follow.
            lines.next();
            lines.next();
            continue;
        }
        kept.push_str(line);
        kept.push('\n');
    }
    kept
}

// ---- No command, usage errors, help and version ----------------------------------------------

#[test]
fn no_command_prints_usage_on_stderr_and_exits_as_the_real_program() {
    for name in [
        "tini",
        "docker-init",
        "dumb-init",
        "catatonit",
        "podman-init",
    ] {
        for args in [&[][..], &["--"]] {
            let (real, ours) = both(name, args, &[]);
            assert_eq!(
                shape(&ours),
                shape(&real),
                "{name} {args:?}: {}",
                ours.stderr
            );
            assert_eq!(ours.code, 1, "{name} {args:?}");
            assert!(ours.stderr.contains("sage"), "{name}: {}", ours.stderr);
        }
    }
    // boxinit keeps its default command, /bin/sh.
    let mut cmd = init("boxinit", false);
    let mut p = Running::start(&mut cmd);
    p.write_stdin(b"echo from-sh; exit 7\n");
    assert_eq!(p.line(), "from-sh");
    assert_eq!(p.wait(), 7);
}

#[test]
fn usage_errors_exit_with_the_real_programs_status() {
    let cases: [(&str, &[&str]); 16] = [
        ("tini", &["--bogus", "--", "true"]),
        ("tini", &["-Z", "--", "true"]),
        ("tini", &["-e", "256", "--", "true"]),
        ("tini", &["-e", "x", "--", "true"]),
        ("tini", &["-p", "SIGNOPE", "--", "true"]),
        ("docker-init", &["-c", "--", "true"]),
        ("dumb-init", &["--bogus", "true"]),
        ("dumb-init", &["-Z", "true"]),
        ("dumb-init", &["-r", "1:32", "true"]),
        ("dumb-init", &["-r", "0:1", "true"]),
        ("dumb-init", &["-r", "32:1", "true"]),
        ("dumb-init", &["-r", "TERM:INT", "true"]),
        ("dumb-init", &["-r", "15", "true"]),
        ("catatonit", &["--bogus", "--", "true"]),
        ("catatonit", &["-Z", "--", "true"]),
        ("podman-init", &["-e", "1", "--", "true"]),
    ];
    for (name, args) in cases {
        let (real, ours) = both(name, args, &[]);
        assert_eq!(real.code, 1, "the real {name} {args:?}");
        assert_eq!(
            shape(&ours),
            shape(&real),
            "{name} {args:?}: {}",
            ours.stderr
        );
        assert_eq!(
            ours.stderr.lines().count(),
            1,
            "{name} {args:?}: {}",
            ours.stderr
        );
    }
    // boxinit's own name keeps coreutils' 125 for its own failures.
    let out = output(init("boxinit", false).args(["--bogus", "true"]));
    assert_eq!(out.code, 125);
    // And what is accepted by the real dumb-init is accepted here: a rewrite of KILL or STOP
    // too, which never arrive to be rewritten (dumb-init checks the range only).
    let accepted: [&[&str]; 4] = [
        &["-r", "1:31", "true"],
        &["-r", "15:0", "true"],
        &["-r", "9:15", "true"],
        &["-r", "19:15", "true"],
    ];
    for args in accepted {
        let (real, ours) = both("dumb-init", args, &[]);
        assert_eq!((ours.code, real.code), (0, 0), "{args:?}: {}", ours.stderr);
    }
}

#[test]
fn help_version_and_license_go_where_the_real_programs_put_them() {
    let cases: [(&str, &str); 12] = [
        ("tini", "-h"),
        ("tini", "--version"),
        ("tini", "-l"),
        ("docker-init", "--version"),
        ("dumb-init", "-h"),
        ("dumb-init", "--help"),
        ("dumb-init", "-V"),
        ("dumb-init", "--version"),
        ("catatonit", "-h"),
        ("catatonit", "-V"),
        ("catatonit", "--version"),
        ("catatonit", "-L"),
    ];
    for (name, flag) in cases {
        let (real, ours) = both(name, &[flag], &[]);
        assert_eq!(shape(&ours), shape(&real), "{name} {flag}");
        assert_eq!(ours.code, 0, "{name} {flag}");
    }
}

#[test]
fn help_and_version_answer_whatever_else_is_wrong() {
    let cases: [Case; 8] = [
        ("boxinit", &["--help"], &[("BOXINIT_ROOTFS", "/nope")]),
        ("boxinit", &["--version"], &[("BOXINIT_WAIT_ALL", "maybe")]),
        ("boxinit", &["--bogus", "-h"], &[]),
        ("boxinit", &["--grace", "soon", "--license"], &[]),
        ("tini", &["-e", "999", "-h"], &[("BOXINIT_GRACE", "soon")]),
        ("tini", &["-Z", "--version"], &[]),
        ("dumb-init", &["-r", "1:32", "--help"], &[]),
        ("catatonit", &["-x", "-V"], &[("BOXINIT_UNSHARE", "bogus")]),
    ];
    for (name, args, env) in cases {
        let mut cmd = init(name, false);
        let out = output(cmd.args(args).envs(env.iter().copied()));
        assert_eq!(out.code, 0, "{name} {args:?} {env:?}: {}", out.stderr);
        assert!(!(out.stdout + &out.stderr).trim().is_empty());
    }
}

#[test]
fn the_license_is_the_whole_mit_text() {
    let file = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("LICENSE"));
    let file = file.expect("LICENSE");
    assert!(file.starts_with("MIT License"));
    for (name, flag) in [
        ("tini", "-l"),
        ("boxinit", "--license"),
        ("catatonit", "-L"),
    ] {
        let out = output(init(name, false).arg(flag));
        assert_eq!(
            (out.code, out.stdout.as_str()),
            (0, file.as_str()),
            "{name} {flag}"
        );
    }
}

// ---- Environment variables ------------------------------------------------------------------

#[test]
fn the_replaced_programs_variables_never_stop_a_start() {
    let cases: [(&str, (&str, &str)); 8] = [
        ("tini", ("TINI_VERBOSITY", "abc")),
        ("tini", ("TINI_VERBOSITY", "-1")),
        ("tini", ("TINI_SUBREAPER", "")),
        ("tini", ("TINI_KILL_PROCESS_GROUP", "0")),
        ("dumb-init", ("DUMB_INIT_DEBUG", "abc")),
        ("dumb-init", ("DUMB_INIT_SETSID", "abc")),
        ("dumb-init", ("DUMB_INIT_SETSID", "")),
        ("catatonit", ("CATATONIT_DEBUG", "")),
    ];
    for (name, var) in cases {
        let (real, ours) = both(name, &["--", "probe", "exit", "3"], &[var]);
        assert_eq!(real.code, 3, "the real {name} with {var:?}");
        assert_eq!(ours.code, 3, "{name} with {var:?}: {}", ours.stderr);
    }
}

#[test]
fn boxinit_booleans_take_yes_and_no_words_and_refuse_the_rest() {
    // A grandchild that outlives the command until stdin closes: with --wait-all boxinit
    // waits for it, without it boxinit ends with the command.
    let script = r#"sh -c 'read x' & exit 0"#;
    for off in ["0", "false", "no", "off", "", "FALSE"] {
        let mut cmd = init("boxinit", false);
        cmd.env("BOXINIT_WAIT_ALL", off).args(["sh", "-c", script]);
        let mut p = Running::start(&mut cmd);
        assert_eq!(p.wait(), 0, "BOXINIT_WAIT_ALL={off:?} waited");
    }
    for on in ["1", "true", "yes", "on"] {
        let mut cmd = init("boxinit", false);
        cmd.env("BOXINIT_WAIT_ALL", on)
            .args(["-v", "sh", "-c", script]);
        let mut p = Running::start(&mut cmd);
        p.close_stdin();
        let out = p.finish();
        assert_eq!(exit_code(out.status), 0);
        // It waited for the grandchild: it reported reaping it.
        let stderr = text(&out.stderr);
        assert!(stderr.contains("reaped orphan process"), "{on}: {stderr}");
    }
    for (var, value) in [
        ("BOXINIT_WAIT_ALL", "maybe"),
        ("BOXINIT_PROCESS_GROUP", "2"),
        ("BOXINIT_VERBOSITY", "loud"),
    ] {
        for name in ["boxinit", "tini", "dumb-init"] {
            if name == "dumb-init" && var == "BOXINIT_PROCESS_GROUP" {
                continue; // dumb-init's group mode is -c's opposite, not this variable
            }
            let mut cmd = init(name, false);
            let out = output(cmd.env(var, value).args(["--", "true"]));
            // A usage error, with the name's usage status.
            let usage = if name == "boxinit" { 125 } else { 1 };
            assert_eq!(out.code, usage, "{name} {var}={value}");
            assert!(out.stderr.contains(var), "{name}: {}", out.stderr);
            assert_eq!(out.stderr.lines().count(), 1);
        }
    }
}

#[test]
fn an_unknown_boxinit_variable_is_refused_under_every_name() {
    // A misspelt setting (BOXINIT_ROOTF for BOXINIT_ROOTFS) would let the command run
    // without what was asked for: it is named, and nothing runs.
    for name in ["boxinit", "tini", "dumb-init", "catatonit"] {
        let out = output(
            init(name, false)
                .env("BOXINIT_ROOTF", "/srv/r")
                .args(["--", "sh", "-c", "echo ran"]),
        );
        let usage = if name == "boxinit" { 125 } else { 1 };
        assert_eq!(out.code, usage, "{name}: {}", out.stderr);
        assert!(
            out.stderr.contains("unknown variable BOXINIT_ROOTF"),
            "{name}"
        );
        assert_eq!(out.stderr.lines().count(), 1, "{name}");
        assert!(out.stdout.is_empty(), "{name}: the command ran");
    }
}

#[test]
fn boxinit_variables_are_not_passed_on_and_the_programs_own_are() {
    let env = [
        ("BOXINIT_GRACE", "5"),
        ("BOXINIT_WAIT_ALL", "no"),
        ("BOXINIT_VERBOSITY", "1"),
        ("TINI_VERBOSITY", "1"),
        ("DUMB_INIT_SETSID", "1"),
    ];
    for name in ["boxinit", "tini", "dumb-init", "catatonit"] {
        let mut cmd = init(name, false);
        let out = output(cmd.envs(env).args(["--", "env"]));
        assert_eq!(out.code, 0, "{name}: {}", out.stderr);
        let vars: Vec<&str> = out.stdout.lines().collect();
        for gone in ["BOXINIT_GRACE=", "BOXINIT_WAIT_ALL=", "BOXINIT_VERBOSITY="] {
            assert!(!vars.iter().any(|v| v.starts_with(gone)), "{name}: {gone}");
        }
        // The real tini and dumb-init pass theirs on.
        for kept in ["TINI_VERBOSITY=1", "DUMB_INIT_SETSID=1"] {
            assert!(vars.contains(&kept), "{name}: {kept} missing");
        }
    }
    for name in ["tini", "dumb-init"] {
        let out = output(init(name, true).envs(env).args(["--", "env"]));
        for kept in ["TINI_VERBOSITY=1", "DUMB_INIT_SETSID=1"] {
            assert!(
                out.stdout.lines().any(|v| v == kept),
                "the real {name}: {kept}"
            );
        }
    }
}

#[test]
fn a_boxinit_inside_is_not_configured_by_the_outer_ones_variables() {
    if !support::has_job("launcher") {
        eprintln!("skipped: the outer boxinit needs the launcher (--rootfs), not in this build");
        return;
    }
    let root = probe_rootfs();
    std::fs::copy(boxinit(), root.path().join("boxinit")).unwrap();
    let mut cmd = init("boxinit", false);
    cmd.env("BOXINIT_ROOTFS", root.path())
        .args(["--", "/boxinit", "--", "/probe", "exit", "4"]);
    let out = output(&mut cmd);
    assert_eq!(out.code, 4, "{}", out.stderr);
}

// ---- Signals ----------------------------------------------------------------------------------

/// The fault signals: the kernel raises them for a fault of the process itself.
const FAULTS: [i32; 7] = [
    libc::SIGILL,
    libc::SIGTRAP,
    libc::SIGABRT,
    libc::SIGBUS,
    libc::SIGFPE,
    libc::SIGSEGV,
    libc::SIGSYS,
];
/// Sent after each signal: the highest number, so that the init and the command take it
/// after the one before it (pending signals are taken lowest first).
const MARKER: i32 = 64;
/// Ends `probe catch`: sent last, never among the signals tested.
const LAST: i32 = 60;

/// Send each of `signals` to the init as `name` (real or ours) running `probe catch`; the
/// signals the command saw, in order.
fn forwarded(name: &str, flags: &[&str], original: bool, signals: &[i32]) -> Vec<i32> {
    let mut cmd = init(name, original);
    let last = LAST.to_string();
    let mut p = Running::start(cmd.args(flags).args(["--", "probe", "catch", &last]));
    p.expect("ready");
    let mut seen = Vec::new();
    for &sig in signals {
        p.signal(sig);
        p.signal(MARKER);
        loop {
            let line = p.line();
            let n: i32 = line.strip_prefix("signal ").unwrap().parse().unwrap();
            if n == MARKER {
                break;
            }
            seen.push(n);
        }
    }
    p.signal(LAST);
    p.expect(&format!("signal {LAST}"));
    assert_eq!(p.wait(), 0, "{name} {flags:?}");
    seen
}

/// Signals 1..=31 one can send and expect to be taken, except those that stop or end the
/// init itself (KILL, STOP), CHLD, and the terminal stops (which dumb-init also stops itself for), plus real-time ones.
fn sendable(faults: bool) -> Vec<i32> {
    let skip = [
        libc::SIGKILL,
        libc::SIGSTOP,
        libc::SIGCHLD,
        libc::SIGTSTP,
        libc::SIGTTIN,
        libc::SIGTTOU,
    ];
    (1..=31)
        .filter(|s| !skip.contains(s) && (faults || !FAULTS.contains(s)))
        .chain([35, 40, 50]) // (the probe, on musl, cannot block 32 to 34)
        .collect()
}

#[test]
fn each_name_passes_on_the_signals_the_real_program_does() {
    // The real tini and catatonit die of a fault signal sent to them (they leave those
    // unblocked for their own faults); boxinit neither dies nor passes it on (see README).
    let cases: [(&str, &[&str], bool); 5] = [
        ("dumb-init", &[], true),
        ("dumb-init", &["-c"], true),
        ("tini", &[], false),
        ("tini", &["-g"], false),
        ("catatonit", &[], false),
    ];
    for (name, flags, faults) in cases {
        let signals = sendable(faults);
        let real = forwarded(name, flags, true, &signals);
        let ours = forwarded(name, flags, false, &signals);
        assert_eq!(ours, real, "{name} {flags:?}");
    }
    // The terminal stops tini and catatonit keep to themselves.
    let stops = [libc::SIGTSTP, libc::SIGTTIN, libc::SIGTTOU];
    for name in ["tini", "catatonit"] {
        let real = forwarded(name, &[], true, &stops);
        let ours = forwarded(name, &[], false, &stops);
        assert_eq!(ours, real, "{name}");
    }
}

#[test]
fn dumb_init_passes_on_fault_signals_and_boxinit_does_not() {
    let ours = forwarded("dumb-init", &[], false, &FAULTS);
    assert_eq!(ours, FAULTS.to_vec());
    for name in ["boxinit", "tini", "catatonit"] {
        let seen = forwarded(name, &[], false, &FAULTS);
        assert_eq!(seen, Vec::<i32>::new(), "{name}");
    }
}

#[test]
fn rewrites_apply_whatever_the_source_signal() {
    let segv_to_usr2 = [libc::SIGSEGV, libc::SIGABRT, libc::SIGTERM];
    let (usr2, quit) = (libc::SIGUSR2, libc::SIGQUIT);
    let real = forwarded(
        "dumb-init",
        &["-r", "11:12", "-r", "6:3"],
        true,
        &segv_to_usr2,
    );
    assert_eq!(real, [usr2, quit, libc::SIGTERM]);
    let ours = forwarded(
        "dumb-init",
        &["-r", "11:12", "-r", "6:3"],
        false,
        &segv_to_usr2,
    );
    assert_eq!(ours, real);
    // boxinit's own name passes no fault on, unless a rewrite says what to pass.
    let ours = forwarded(
        "boxinit",
        &["-r", "SEGV:USR2", "-r", "ABRT:3"],
        false,
        &segv_to_usr2,
    );
    assert_eq!(ours, real);
}

/// The command's blocked and ignored signals (hex, as /proc shows them) under `name`, started
/// by a caller that ignores HUP and blocks USR2.
fn child_signal_state(name: &str, original: bool) -> (String, String) {
    let mut cmd = init(name, original);
    cmd.args(["--", "probe", "report"]);
    // SAFETY: signal and sigprocmask are async-signal-safe.
    unsafe {
        cmd.pre_exec(|| {
            libc::signal(libc::SIGHUP, libc::SIG_IGN);
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, libc::SIGUSR2);
            libc::sigprocmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
            Ok(())
        });
    }
    let out = output(&mut cmd);
    assert_eq!(out.code, 0, "{name}: {}", out.stderr);
    (
        report_value(&out.stdout, "sigblk").to_owned(),
        report_value(&out.stdout, "sigign").to_owned(),
    )
}

#[test]
fn the_command_gets_the_signal_state_the_real_program_gives_it() {
    for name in ["tini", "dumb-init"] {
        let real = child_signal_state(name, true);
        let ours = child_signal_state(name, false);
        assert_eq!(ours, real, "{name}: (blocked, ignored)");
    }
    // The real catatonit starts its command with TSTP, TTIN and TTOU blocked on top of the caller's
    // mask, so Ctrl-Z cannot stop the job; boxinit deliberately passes the caller's mask on
    // unchanged (the README says so), and Ctrl-Z works
    // (tests/job_control_works_through_boxinit.rs).
    let stops =
        (1u64 << (libc::SIGTSTP - 1)) | (1 << (libc::SIGTTIN - 1)) | (1 << (libc::SIGTTOU - 1));
    let (real_blocked, real_ignored) = child_signal_state("catatonit", true);
    let (ours_blocked, ours_ignored) = child_signal_state("catatonit", false);
    let real_blocked = u64::from_str_radix(&real_blocked, 16).unwrap();
    let ours_blocked = u64::from_str_radix(&ours_blocked, 16).unwrap();
    assert_eq!(
        real_blocked & stops,
        stops,
        "the real catatonit blocks them"
    );
    assert_eq!(ours_blocked, real_blocked & !stops, "catatonit: blocked");
    assert_eq!(ours_ignored, real_ignored, "catatonit: ignored");
}

// ---- Messages -----------------------------------------------------------------------------------

/// Whether `line` starts the way the program's own lines do.
fn has_prefix(name: &str, line: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match name {
        "dumb-init" => line.starts_with("[dumb-init] "),
        "tini" => ["[FATAL", "[WARN ", "[INFO ", "[DEBUG", "[TRACE"]
            .iter()
            .any(|level| {
                line.strip_prefix(level)
                    .and_then(|rest| rest.strip_prefix(" tini ("))
                    .and_then(|rest| rest.split_once(")] "))
                    .is_some_and(|(pid, _)| digits(pid))
            }),
        "catatonit" => ["FATAL", "ERROR", "WARN", "INFO", "DEBUG"]
            .iter()
            .any(|level| {
                line.strip_prefix(level)
                    .and_then(|rest| rest.strip_prefix(" (catatonit:"))
                    .and_then(|rest| rest.split_once("): "))
                    .is_some_and(|(pid, _)| digits(pid))
            }),
        _ => line.starts_with("boxinit: "),
    }
}

#[test]
fn messages_carry_the_real_programs_prefix() {
    // A command that cannot be found: each program says so on stderr.
    for name in ["tini", "dumb-init", "catatonit"] {
        let (real, ours) = both(name, &["--", "/nonexistent/command"], &[]);
        let real_lines = without_tini_warning(&real.stderr);
        let real_line = real_lines.lines().next().unwrap_or_default();
        assert!(
            has_prefix(name, real_line),
            "the real {name}: {real_line:?}"
        );
        assert_eq!(ours.stderr.lines().count(), 1, "{name}: {}", ours.stderr);
        assert!(has_prefix(name, &ours.stderr), "{name}: {:?}", ours.stderr);
    }
    let out = output(init("boxinit", false).arg("/nonexistent/command"));
    assert!(has_prefix("boxinit", &out.stderr), "{}", out.stderr);
}

#[test]
fn verbose_reports_the_pid_signals_reaps_and_the_status() {
    let cases: [Case; 5] = [
        ("boxinit", &["-v"], &[]),
        ("boxinit", &[], &[("BOXINIT_VERBOSITY", "2")]),
        ("tini", &["-vvv"], &[]),
        ("tini", &[], &[("TINI_VERBOSITY", "3")]),
        ("dumb-init", &[], &[("DUMB_INIT_DEBUG", "1")]),
    ];
    // An orphan, reaped before the probe goes on; then a probe that ends on USR2.
    let script = r#""$PROBE" orphans 1 && exec "$PROBE" signals 12"#;
    for (name, flags, env) in cases {
        let mut cmd = init(name, false);
        cmd.args(flags).envs(env.iter().copied());
        let mut p = Running::start(cmd.args(["--", "sh", "-c", script]));
        p.expect("zombies=0");
        p.expect("ready");
        p.signal(libc::SIGUSR2);
        p.expect("signal 12");
        let out = p.finish();
        let stderr = text(&out.stderr);
        let what = format!("{name} {flags:?} {env:?}:\n{stderr}");
        assert_eq!(exit_code(out.status), 0, "{what}");
        assert!(stderr.lines().all(|l| has_prefix(name, l)), "{what}");
        for fact in [
            "started the command, pid ",
            "received SIGUSR2 (12); passed on to ",
            "reaped orphan process ",
            ", which exited with status 0",
            "reaped the command, pid ",
            "exiting with status 0",
        ] {
            assert!(stderr.contains(fact), "{fact:?} missing: {what}");
        }
    }
}

#[test]
fn every_message_is_one_line_whatever_it_quotes() {
    let long = "h".repeat(100_000);
    let mut cases: Vec<(&str, Vec<&str>)> = vec![
        ("boxinit", vec!["--grace", "R\n\x1b[31mred", "--", "true"]),
        ("tini", vec!["-p", "two\nlines", "--", "true"]),
        ("boxinit", vec!["--grace", long.as_str(), "--", "true"]),
        ("dumb-init", vec!["--bo\ngus", "true"]),
        ("catatonit", vec!["--", "no\nsuch\tcommand"]),
        ("boxinit", vec!["--", long.as_str()]),
    ];
    let launcher = support::has_job("launcher");
    if launcher {
        // A path the kernel refuses, quoted after its error.
        cases.push(("boxinit", vec!["--rootfs", "R\n\x1b[31mred", "--", "true"]));
        cases.push(("tini", vec!["--rootfs", "two\nlines", "--", "true"]));
        cases.push(("boxinit", vec!["--hostname", long.as_str(), "--", "true"]));
    }
    for (name, args) in cases {
        let out = output(init(name, false).args(&args));
        assert_ne!(out.code, 0);
        assert_eq!(out.stderr.lines().count(), 1, "{name}: {:?}", out.stderr);
        assert!(
            out.stderr.len() < 1100,
            "{name}: {} bytes",
            out.stderr.len()
        );
        assert!(!out.stderr.contains('\x1b') && !out.stderr.contains('\t'));
    }
    let out = output(init("boxinit", false).args(["--grace", "R\n\x1b", "true"]));
    assert!(out.stderr.contains(r"R\n\x1b"), "{}", out.stderr);
    let out = output(init("boxinit", false).args(["--grace", &long, "true"]));
    assert!(out.stderr.contains("hhh..."), "{}", out.stderr);
    if launcher {
        let out = output(init("boxinit", false).args(["--rootfs", "R\n\x1b", "true"]));
        assert!(out.stderr.contains(r"R\n\x1b"), "{}", out.stderr);
    }
}

#[test]
fn durations_past_what_boxinit_counts_are_refused() {
    for grace in ["9999999999999999999ms", "99999999999999999s", "4294967296s"] {
        let out = output(init("boxinit", false).args(["--grace", grace, "true"]));
        assert_eq!(out.code, 125, "--grace {grace}");
        let mut cmd = init("boxinit", false);
        let out = output(cmd.env("BOXINIT_GRACE", grace).arg("true"));
        assert_eq!(out.code, 125, "BOXINIT_GRACE={grace}");
    }
    let out = output(init("boxinit", false).args(["--grace", "4294967295s", "true"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
}

// ---- Commands: scripts without #!, zombies inherited at exec -----------------------------------

#[test]
fn a_script_without_a_shebang_runs_under_bin_sh() {
    let dir = TempDir::new("noshebang");
    let script = dir.path().join("script");
    support::write_executable(&script, "echo \"ran $0 with $# args: $*\"\nexit 6\n");
    let path = format!(
        "{}:{}",
        dir.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let script = script.to_str().unwrap().to_owned();
    for name in ["boxinit", "tini", "dumb-init", "catatonit"] {
        for command in [script.as_str(), "script"] {
            let run = |original| {
                let mut cmd = init(name, original);
                cmd.env("PATH", &path).args(["--", command, "a", "b c"]);
                output(&mut cmd)
            };
            let out = run(false);
            // As execvp runs it: $0 is the file found.
            let want = format!("ran {script} with 2 args: a b c\n");
            assert_eq!(
                (out.code, out.stdout.as_str()),
                (6, want.as_str()),
                "{name} {command}: {}",
                out.stderr
            );
            if name != "boxinit" {
                let real = run(true);
                assert_eq!((out.code, &out.stdout), (real.code, &real.stdout), "{name}");
            }
        }
    }
    // env(1) does the same.
    let out = output(Command::new("env").args([script.as_str(), "a", "b c"]));
    assert_eq!(out.code, 6);
}

#[test]
fn a_zombie_inherited_at_exec_is_reaped_at_once() {
    for name in ["boxinit", "tini", "dumb-init", "catatonit"] {
        let mut cmd = init(name, false);
        cmd.args(["--", "probe", "signals"]);
        // The process that becomes boxinit first has a child that ends, and does not reap it.
        // SAFETY: fork, _exit and waitid are async-signal-safe.
        unsafe {
            cmd.pre_exec(|| {
                let pid = libc::fork();
                if pid == 0 {
                    libc::_exit(0);
                }
                // Wait until it is a zombie, leaving it one (WNOWAIT).
                let mut info: libc::siginfo_t = std::mem::zeroed();
                libc::waitid(
                    libc::P_PID,
                    pid as libc::id_t,
                    &mut info,
                    libc::WEXITED | libc::WNOWAIT,
                );
                Ok(())
            });
        }
        let mut p = Running::start(&mut cmd);
        p.expect("ready");
        let zombies = || {
            children(p.pid())
                .into_iter()
                .filter(|&c| state_and_parent(c).is_some_and(|(s, _)| s == 'Z'))
                .count()
        };
        let deadline = std::time::Instant::now() + LIMIT;
        while zombies() > 0 {
            assert!(
                std::time::Instant::now() < deadline,
                "{name}: the inherited zombie is still there"
            );
            std::thread::yield_now();
        }
        p.signal(libc::SIGTERM);
        assert_eq!(p.wait(), 0, "{name}");
    }
}
