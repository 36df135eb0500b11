//! `--stop-delay DURATION`: on SIGTERM boxinit keeps the command serving for DURATION before
//! passing the signal on (what a Kubernetes preStop sleep is for); meanwhile every other
//! signal passes at once, and a second TERM ends the wait. The times are measured by when
//! the command's lines come through its pipe.

mod support;

use std::time::{Duration, Instant};
use support::{text, Running};

const TERM: i32 = libc::SIGTERM;
const INT: i32 = libc::SIGINT;
const USR1: i32 = libc::SIGUSR1;
const USR2: i32 = libc::SIGUSR2;

/// boxinit with `args`, supervising the probe, which prints each signal it gets until USR1.
fn serving(args: &[&str]) -> Running {
    assert!(
        support::has_job("stop-delay"),
        "this build has no stop delay: run only a_build_without_the_stop_delay_refuses_it_in_one_line against it"
    );
    let mut cmd = support::boxinit_cmd();
    cmd.args(args).arg("--").arg(support::probe());
    let mut running = Running::start(cmd.args(["signals", &USR1.to_string()]));
    running.expect("ready");
    running
}

/// Send TERM, which the probe must see only after `delay`.
#[track_caller]
fn term_held_for(running: &mut Running, delay: Duration) {
    let sent = Instant::now();
    running.signal(TERM);
    let term = arrives(running, TERM, sent);
    assert!(term >= delay, "TERM came after {term:?}, within the delay");
}

/// End the probe with USR1: nothing else may have come, and boxinit exits with its 0.
#[track_caller]
fn ends_at_usr1(running: Running) {
    running.signal(USR1);
    let out = running.finish();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(text(&out.stdout), format!("signal {USR1}\n"), "more came");
}

/// The probe's line for `sig`, and how long it took from `since`.
#[track_caller]
fn arrives(running: &mut Running, sig: i32, since: Instant) -> Duration {
    running.expect(&format!("signal {sig}"));
    since.elapsed()
}

#[test]
fn term_reaches_the_command_only_after_the_delay_and_other_signals_at_once() {
    let delay = Duration::from_millis(1500);
    let mut running = serving(&["--stop-delay", "1500ms"]);
    let sent = Instant::now();
    running.signal(TERM);
    // Held, the command serves on: another signal comes through at once, before the TERM.
    running.signal(USR2);
    let usr2 = arrives(&mut running, USR2, sent);
    assert!(usr2 < delay, "USR2 took {usr2:?}");
    let term = arrives(&mut running, TERM, sent);
    assert!(term >= delay, "TERM came after {term:?}, within the delay");
    ends_at_usr1(running);
}

#[test]
fn a_second_term_passes_at_once_and_int_does_too() {
    // A delay no test waits for: each signal must come long before it ends.
    let mut running = serving(&["--stop-delay", "10m"]);
    let sent = Instant::now();
    running.signal(TERM);
    running.signal(INT);
    let int = arrives(&mut running, INT, sent);
    running.signal(TERM);
    let term = arrives(&mut running, TERM, sent);
    assert!(int < support::LIMIT && term < support::LIMIT);
    ends_at_usr1(running);
}

#[test]
fn with_a_grace_period_the_shutdown_begins_after_the_delay() {
    let mut running = serving(&["--stop-delay", "1s", "--grace", "10m"]);
    term_held_for(&mut running, Duration::from_secs(1));
    ends_at_usr1(running);
}

#[test]
fn in_a_pid_namespace_the_init_inside_holds_it() {
    // The launcher relays the TERM at once; the init inside, which serves the command, holds it.
    let mut running = serving(&["--unshare", "pid", "--stop-delay", "1s"]);
    term_held_for(&mut running, Duration::from_secs(1));
    ends_at_usr1(running);
}

#[test]
fn the_variable_and_every_name_take_it_and_a_bad_value_is_refused() {
    let mut cmd = support::boxinit_cmd();
    cmd.env("BOXINIT_STOP_DELAY", "1s")
        .arg("--")
        .arg(support::probe());
    let mut running = Running::start(cmd.args(["signals", &USR1.to_string()]));
    running.expect("ready");
    term_held_for(&mut running, Duration::from_secs(1));
    ends_at_usr1(running);

    let dir = support::TempDir::new("stop-delay-names");
    let tini = dir.path().join("tini");
    std::os::unix::fs::symlink(support::boxinit(), &tini).unwrap();
    let mut cmd = std::process::Command::new(&tini);
    support::strip_options_env(&mut cmd);
    cmd.args(["--stop-delay", "1s", "--"]).arg(support::probe());
    let mut running = Running::start(cmd.args(["signals", &USR1.to_string()]));
    running.expect("ready");
    term_held_for(&mut running, Duration::from_secs(1));
    ends_at_usr1(running);

    let out = support::run(support::boxinit_cmd().args(["--stop-delay", "soon", "true"]));
    assert_eq!(out.status.code(), Some(125));
    let line = "boxinit: invalid --stop-delay (want 10, 10s, 500ms or 1m): soon\n";
    assert_eq!(text(&out.stderr), line);
    // A pause has no command to keep serving.
    let out = support::run(support::boxinit_cmd().args(["--stop-delay", "1s", "--pause"]));
    assert_eq!(out.status.code(), Some(125));
    assert_eq!(
        text(&out.stderr),
        "boxinit: --stop-delay does not apply with --pause\n"
    );
}

/// The supervisor build (`--no-default-features`, given by TEST_BOXINIT_BIN; run this test alone)
/// refuses the option and its variable as it refuses those of its other left-out jobs.
#[test]
fn a_build_without_the_stop_delay_refuses_it_in_one_line() {
    if support::has_job("stop-delay") {
        eprintln!("skipped: this build has the stop delay (run it against the supervisor build)");
        return;
    }
    let why = "is not in this build (built without the stop delay)";
    let out = support::run(support::boxinit_cmd().args(["--stop-delay", "1s", "true"]));
    assert_eq!(out.status.code(), Some(125), "{out:?}");
    assert_eq!(text(&out.stderr), format!("boxinit: --stop-delay {why}\n"));
    let mut cmd = support::boxinit_cmd();
    let out = support::run(cmd.env("BOXINIT_STOP_DELAY", "1s").arg("true"));
    assert_eq!(out.status.code(), Some(125), "{out:?}");
    assert_eq!(
        text(&out.stderr),
        format!("boxinit: BOXINIT_STOP_DELAY {why}\n")
    );
}
