//! Terminals and job control, as a user at an interactive bash sees them: bash runs
//! on a pseudo-terminal of its own, and the test types into it (`\x1a` is Ctrl-Z, `\x03`
//! Ctrl-C) and reads what the terminal shows.
//!
//! - A background job (`boxinit ... &`) never takes the terminal from the shell, in any mode:
//!   inside a new PID namespace the groups of the shell and of the job both look like 0, and
//!   taking "our" foreground there took the shell's, which then exited.
//! - Ctrl-Z stops the command, and boxinit with it (every boxinit of the chain, in a PID
//!   namespace): bash sees the job Stopped and gives its prompt back; `fg` continues it, with
//!   the terminal back in the command's hands, so Ctrl-C then ends it.
//!
//! Typed text is echoed by the terminal, so each line the test waits for is written so that
//! its echo differs from its output (`echo mark""er` shows `marker`).

mod support;

use std::process::Command;
use support::*;

/// An interactive bash on a new terminal, with boxinit as $B (and under its other names in
/// $LINKS), the probe as $PROBE and a rootfs holding the probe as $ROOT.
struct Shell {
    bash: Running,
    _root: TempDir,
    _links: TempDir,
}

impl Shell {
    fn new() -> Shell {
        let root = probe_rootfs();
        let links = TempDir::new("links");
        for name in ["tini", "dumb-init", "catatonit"] {
            std::os::unix::fs::symlink(boxinit(), links.path().join(name)).unwrap();
        }
        let mut cmd = interactive_bash();
        cmd.env("B", boxinit())
            .env("PROBE", probe())
            .env("ROOT", root.path())
            .env("LINKS", links.path());
        strip_options_env(&mut cmd);
        let mut shell = Shell {
            bash: Running::start_on_terminal(cmd),
            _root: root,
            _links: links,
        };
        shell.sync("start");
        shell
    }

    fn type_in(&mut self, text: &str) {
        self.bash.write_stdin(text.as_bytes());
    }

    /// Type `echo` of a unique mark and wait for its output: the shell has the terminal and
    /// has read everything typed before.
    #[track_caller]
    fn sync(&mut self, what: &str) {
        let mark = format!("sync-{what}-{}", unique());
        let (head, tail) = mark.split_at(5);
        self.type_in(&format!("echo '{head}''{tail}'\n"));
        self.bash.skip_past(&mark);
    }

    /// Wait until the terminal shows `text`.
    #[track_caller]
    fn expect(&mut self, text: &str) {
        self.bash.skip_past(text);
    }

    /// Ctrl-C, then wait for bash to read a line again (readline turns bracketed paste on
    /// each time): bash drops what was typed while a job it waits for dies of SIGINT.
    #[track_caller]
    fn interrupt(&mut self) {
        self.type_in("\x03");
        self.bash.skip_past("\x1b[?2004h");
    }

    /// The exit status of the last command, as bash reports it.
    #[track_caller]
    fn status(&mut self) -> String {
        self.type_in("echo \"stat\"\"us=$?.\"\n");
        self.bash.skip_past("status=");
        let line = self.bash.line();
        line.trim_end_matches('.').to_owned()
    }
}

impl Drop for Shell {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            self.type_in("exit\n");
        }
    }
}

/// The processes whose command line holds `mark`, with their states.
fn states(mark: &str) -> Vec<(i32, char)> {
    all_pids()
        .into_iter()
        .filter(|&pid| command_line(pid as u32).contains(mark))
        .filter_map(|pid| Some((pid, state_and_parent(pid)?.0)))
        .collect()
}

/// Whether the probe started with `mark` runs (boxinit's own command line holds it too).
fn probe_runs(mark: &str) -> bool {
    states(mark).iter().any(|&(pid, _)| {
        std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == "probe")
    })
}

/// Wait (looking every millisecond, up to LIMIT) until `done`.
#[track_caller]
fn poll_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + LIMIT;
    while !done() {
        assert!(
            std::time::Instant::now() < deadline,
            "gave up waiting for {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
}

/// Wait until every process of the job started with `mark` is stopped: the command and
/// each boxinit of the chain.
#[track_caller]
fn wait_stopped(what: &str, mark: &str) {
    poll_until(&format!("{what}: the whole job to stop"), || {
        states(mark).iter().all(|&(_, s)| s == 'T')
    });
}

impl Shell {
    /// Ctrl-Z: bash's job table says Stopped, the prompt is back, and the whole job stops.
    /// (Under the dumb-init name boxinit stops right after it sends the command SIGSTOP, as
    /// dumb-init does: the command may stop a moment later, and until it has, what is typed
    /// may still reach it: it leads a session of its own, out of job control.)
    #[track_caller]
    fn ctrl_z(&mut self, what: &str, mark: &str) {
        self.type_in("\x1a");
        self.expect("Stopped");
        wait_stopped(what, mark);
        self.sync("stopped");
    }

    /// `fg`: the whole job continues with the terminal in the command's hands: it reads
    /// the next line typed, and Ctrl-C ends it (130).
    #[track_caller]
    fn fg_reads_and_ctrl_c_ends(&mut self, what: &str, mark: &str) {
        self.type_in("fg\n");
        poll_until(&format!("{what}: the job to continue"), || {
            states(mark).iter().all(|&(_, s)| s != 'T')
        });
        let line = format!("line-{}", unique());
        self.type_in(&format!("{line}\n"));
        self.expect(&format!("got:{line}"));
        self.interrupt();
        assert_eq!(self.status(), "130", "{what}");
        poll_until("the job to end", || states(mark).is_empty());
    }
}

/// Each way of starting boxinit, as typed: the command follows.
const PLAIN: &[&str] = &[
    "\"$B\" --",
    "\"$LINKS/tini\" --",
    "\"$LINKS/catatonit\" --",
    "\"$LINKS/dumb-init\"",
    "\"$LINKS/dumb-init\" -c",
];
const NAMESPACES: &[&str] = &[
    "\"$B\" --hostname x --",
    "\"$B\" --unshare pid --",
    "\"$B\" --unshare mnt,uts --",
    "\"$B\" --unshare all --",
    // A time namespace alone: an init inside that is not PID 1.
    "\"$B\" --unshare time --",
];
const ROOTFS: &[&str] = &[
    "\"$B\" --rootfs \"$ROOT\" --",
    "\"$LINKS/dumb-init\" --rootfs \"$ROOT\"",
];

fn every_mode() -> Vec<&'static str> {
    [PLAIN, NAMESPACES, ROOTFS].concat()
}

/// The command to run in `mode`: inside a rootfs the probe is /probe.
fn probe_in(mode: &str) -> &'static str {
    if mode.contains("$ROOT") {
        "/probe"
    } else {
        "\"$PROBE\""
    }
}

#[test]
fn a_background_job_never_takes_the_terminal() {
    let mut sh = Shell::new();
    for mode in every_mode() {
        let mark = format!("mark-{}", unique());
        let probe = probe_in(mode);
        sh.type_in(&format!("{mode} {probe} sleep {mark} &\n"));
        // Once the command runs, any taking of the terminal is done.
        poll_until("the probe to run", || probe_runs(&mark));
        // The shell still reads the terminal: it runs what is typed next.
        sh.sync("after-bg");
        sh.type_in("kill %1; wait $!\n");
        assert_eq!(sh.status(), "143", "{mode}");
        poll_until("the job to end", || states(&mark).is_empty());
    }
}

#[test]
fn ctrl_z_stops_the_job_and_fg_resumes_it() {
    let mut sh = Shell::new();
    for mode in every_mode() {
        let mark = format!("mark-{}", unique());
        let probe = probe_in(mode);
        sh.type_in(&format!("{mode} {probe} lines {mark}\n"));
        poll_until("the probe to run", || probe_runs(&mark));
        sh.ctrl_z(mode, &mark);
        sh.fg_reads_and_ctrl_c_ends(mode, &mark);
    }
}

/// A job started in the background that reads the terminal stops, as any job does (the shell
/// keeps its input), and `fg` continues it with the terminal: it reads what is typed next.
/// Under the dumb-init name too: there the command would lead a session of its own, out of
/// job control, reading the shell's input (the real dumb-init's background job makes bash
/// exit); as a background job it gets a process group instead. `bg` and `kill -CONT` continue
/// it in the background, where its next read stops the job again.
#[test]
fn a_background_job_that_reads_the_terminal_stops_until_fg() {
    let mut sh = Shell::new();
    for mode in every_mode() {
        let mark = format!("mark-{}", unique());
        let probe = probe_in(mode);
        sh.type_in(&format!("{mode} {probe} lines {mark} &\n"));
        poll_until("the probe to run", || probe_runs(&mark));
        wait_stopped(mode, &mark);
        // The shell still has its input.
        sh.sync("after-stop");
        for resume in ["bg", "kill -CONT %1"] {
            // Continued in the background it reads again, and stops again: bash says so
            // before its next prompt.
            sh.type_in(&format!("{resume}; sleep 0.2; echo 'resu''med'\n"));
            sh.expect("resumed");
            wait_stopped(mode, &mark);
            sh.sync("stopped-again");
            sh.type_in("jobs\n");
            sh.expect("Stopped");
        }
        sh.fg_reads_and_ctrl_c_ends(mode, &mark);
    }
}

/// A command that catches SIGTSTP and then stops itself with SIGSTOP (vi, less, a nested
/// boxinit) stops the whole job as a terminal stop does, and `fg` resumes it with the terminal.
#[test]
fn a_command_that_stops_itself_stops_the_job() {
    let mut sh = Shell::new();
    let nested: Vec<String> = [PLAIN, NAMESPACES]
        .concat()
        .iter()
        // Not under dumb-init's session mode: the nested boxinit's command would be out of
        // its reach (in a group of its own in a session without the terminal).
        .filter(|mode| !mode.ends_with("dumb-init\""))
        .map(|mode| format!("{mode} \"$B\" --"))
        .collect();
    let stoppers = every_mode()
        .into_iter()
        .map(|mode| (mode.to_owned(), "stopper"))
        .chain(nested.into_iter().map(|mode| (mode, "lines")));
    for (mode, what) in stoppers {
        let mark = format!("mark-{}", unique());
        let probe = probe_in(&mode);
        sh.type_in(&format!("{mode} {probe} {what} {mark}\n"));
        poll_until("the probe to run", || probe_runs(&mark));
        let what = format!("{mode} {what}");
        sh.ctrl_z(&what, &mark);
        sh.fg_reads_and_ctrl_c_ends(&what, &mark);
    }
}

/// dumb-init's single-child mode (`-c`, or DUMB_INIT_SETSID=0) passes TSTP, TTIN and TTOU on
/// and then stops itself, as dumb-init does; SIGCONT resumes it and reaches the command.
#[test]
fn dumb_init_single_child_mode_stops_itself_after_passing_a_terminal_stop() {
    let links = TempDir::new("links");
    let dumb_init = links.path().join("dumb-init");
    std::os::unix::fs::symlink(boxinit(), &dumb_init).unwrap();
    for setsid_off in [false, true] {
        let mut cmd = Command::new(&dumb_init);
        if setsid_off {
            cmd.env("DUMB_INIT_SETSID", "0");
        } else {
            cmd.arg("-c");
        }
        // The probe takes every signal itself, so only boxinit can be the one that stops.
        let mut p = Running::start(cmd.arg(probe()).arg("signals"));
        p.expect("ready");
        for stop in [libc::SIGTSTP, libc::SIGTTIN, libc::SIGTTOU] {
            p.signal(stop);
            p.expect(&format!("signal {stop}"));
            poll_until("dumb-init to stop itself", || {
                state_and_parent(p.pid()).is_some_and(|(s, _)| s == 'T')
            });
            p.signal(libc::SIGCONT);
            p.expect(&format!("signal {}", libc::SIGCONT));
            poll_until("dumb-init to continue", || {
                state_and_parent(p.pid()).is_some_and(|(s, _)| s != 'T')
            });
        }
        p.signal(libc::SIGTERM);
        p.expect(&format!("signal {}", libc::SIGTERM));
        assert_eq!(p.wait(), 0, "setsid off by env: {setsid_off}");
    }
}
