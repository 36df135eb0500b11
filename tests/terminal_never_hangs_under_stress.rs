//! The terminal never hangs: an interactive bash on a pseudo-terminal, typed into quickly and
//! often while two busy loops keep the CPUs busy, under each way of starting a command with
//! boxinit (supervisor, container, rootless container, nested, the tini and dumb-init names).
//!
//! - Ctrl-Z, then `fg` (and every fifth time `bg` first: the job reads the terminal in the
//!   background and stops again): each time bash reports the job stopped, every process of
//!   it stops, and after `fg` the command reads the terminal again (a line typed comes back
//!   from `cat -A` with its `$`, which neither the terminal's echo nor bash shows).
//! - Ctrl-C typed within 0.1 s of the command line: before bash starts the job, while boxinit
//!   sets up, or once the command runs. Each time the job ends, `$?` is 130 and no process of
//!   it is left.
//!
//! Every wait is bounded. A wait that runs out is a hang, or a lost Ctrl-C when a second one
//! then ends the job; each fault is told with the mode, the cycle, where the Ctrl-C landed
//! and the last output of the terminal, and counted per mode. The counts are printed, one
//! line per mode, and must be 0.
//!
//! `cat` alone, without boxinit, runs the same cycles, and shows bash's own races with an
//! early Ctrl-C (about one cycle in a hundred under this load): its child catches SIGINT
//! with bash's handler from its taking of the terminal to its exec; a SIGINT that reaches
//! bash while it starts the job makes it give the prompt back at once, the job left running
//! with the terminal; and one that reaches bash between readline's handing over of the line
//! and its parse is dropped (with the line's first character, a space here). Those, told
//! apart by what /proc showed when ^C showed and at the prompt, are counted and printed
//! apart and fail nothing.
//!
//! The heavy run (STRESS_CYCLES of each, 500 unless set, per mode; STRESS_MODES, names
//! separated by commas, to run only those) is ignored by default; `just stress` runs it.
//! A light one runs in the normal test run.

mod support;

use std::fmt::Write as _;
use std::fs::File;
use std::io::Write as _;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};
use support::{
    all_pids, boxinit, children, interactive_bash, on_terminal, state_and_parent,
    strip_options_env, unique, TempDir,
};

/// How long any one awaited event may take before it counts as a hang: far beyond what any
/// step takes on a loaded machine (milliseconds), short enough to go on after one.
const BOUND: Duration = Duration::from_secs(10);

/// How long a job may take to end after Ctrl-C before it counts as running on: a command
/// dies of SIGINT at once.
const ENDING: Duration = Duration::from_secs(2);

/// What readline writes as it starts reading a line: the prompt is up.
const PROMPT: &str = "\x1b[?2004h";

/// A way of starting `cat -A` as a job of the shell.
struct Mode {
    name: &'static str,
    /// The line typed. Each starts with a space: bash 5.2, given a SIGINT after readline
    /// handed over a line and before it parsed it, drops the line's first character and runs
    /// the rest (`"$B" ...` would then open a quote and wait at `> ` for ever; `cat -A`
    /// would be `at -A`). Losing a space changes nothing, and that Ctrl-C shows as lost.
    command: &'static str,
    /// `bg` is part of the cycle. Not under the dumb-init name: there the command leads a
    /// session of its own, out of job control, and in the background it would read the
    /// terminal beside the shell (as under the real dumb-init).
    bg: bool,
}

const MODES: &[Mode] = &[
    Mode {
        name: "cat alone",
        command: " cat -A",
        bg: true,
    },
    Mode {
        name: "supervisor",
        command: " \"$B\" -- cat -A",
        bg: true,
    },
    Mode {
        name: "container",
        command: " \"$B\" --unshare mnt,pid -- cat -A",
        bg: true,
    },
    Mode {
        name: "rootless container",
        command: " setpriv --reuid=65534 --regid=65534 --clear-groups \"$B\" --unshare user,mnt,pid -- cat -A",
        bg: true,
    },
    Mode {
        name: "nested",
        command: " \"$B\" -- \"$B\" --unshare mnt,pid -- cat -A",
        bg: true,
    },
    Mode {
        name: "tini",
        command: " \"$LINKS/tini\" -- cat -A",
        bg: true,
    },
    Mode {
        name: "dumb-init",
        command: " \"$LINKS/dumb-init\" cat -A",
        bg: false,
    },
    Mode {
        name: "dumb-init -c",
        command: " \"$LINKS/dumb-init\" -c cat -A",
        bg: true,
    },
];

// ---- The terminal -------------------------------------------------------------------------

/// An awaited event that did not come within BOUND: what was awaited.
struct Stuck(String);

/// An interactive bash on a new pseudo-terminal, with boxinit as $B and its links under the
/// other names in $LINKS. Every process it starts carries a tag in its environment, so that
/// whatever is left when it is dropped (after a hang) is killed.
struct Terminal {
    shell: Child,
    keyboard: File,
    chunks: Receiver<Vec<u8>>,
    /// All the terminal showed so far, of which the first `read` bytes were looked at.
    shown: Vec<u8>,
    read: usize,
    bash: i32,
    tag: String,
}

const TAG: &str = "TERMINAL_STRESS_TAG";

impl Terminal {
    fn start(links: &Path) -> Result<Terminal, Stuck> {
        let tag = unique();
        let mut cmd = interactive_bash();
        cmd.env("TERM", "xterm")
            .env("HISTFILE", "")
            .env("B", boxinit())
            .env("LINKS", links)
            .env(TAG, &tag);
        strip_options_env(&mut cmd);
        let term = on_terminal(cmd);
        let mut screen = term.screen;
        let (tx, chunks) = mpsc::channel();
        std::thread::spawn(move || {
            let mut buf = [0; 4096];
            while let Ok(n @ 1..) = std::io::Read::read(&mut screen, &mut buf) {
                if tx.send(buf[..n].to_vec()).is_err() {
                    return;
                }
            }
        });
        let mut term = Terminal {
            bash: term.child.id() as i32,
            shell: term.child,
            keyboard: term.keyboard,
            chunks,
            shown: Vec::new(),
            read: 0,
            tag,
        };
        term.sync()?;
        Ok(term)
    }

    fn type_in(&mut self, text: &str) {
        self.keyboard.write_all(text.as_bytes()).unwrap();
    }

    /// Read until the terminal shows `want`; what follows it is read next.
    fn skip_past(&mut self, want: &str) -> Result<(), Stuck> {
        self.read_to(want).map(drop)
    }

    /// What the terminal shows up to `end` (taken too).
    fn read_to(&mut self, end: &str) -> Result<String, Stuck> {
        self.read_to_within(end, BOUND)
    }

    fn read_to_within(&mut self, end: &str, within: Duration) -> Result<String, Stuck> {
        let deadline = Instant::now() + within;
        loop {
            let left = &self.shown[self.read..];
            if let Some(at) = left.windows(end.len()).position(|w| w == end.as_bytes()) {
                let text = String::from_utf8_lossy(&left[..at]).into_owned();
                self.read += at + end.len();
                return Ok(text);
            }
            let wait = deadline.saturating_duration_since(Instant::now());
            match self.chunks.recv_timeout(wait) {
                Ok(chunk) => self.shown.extend(chunk),
                Err(RecvTimeoutError::Timeout) => {
                    return Err(Stuck(format!("{end:?} within {within:?}")))
                }
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(Stuck(format!("{end:?}, but the terminal closed")))
                }
            }
        }
    }

    /// Type `echo` of a unique mark and wait for its output and the prompt after it: bash
    /// has the terminal and has read everything typed before.
    fn sync(&mut self) -> Result<(), Stuck> {
        let mark = format!("sync-{}", unique());
        let (head, tail) = mark.split_at(5);
        self.type_in(&format!("echo '{head}''{tail}'\n"));
        self.skip_past(&mark)?;
        self.skip_past(PROMPT)
    }

    /// The status of the last command, as bash reports it, and the prompt after it.
    fn status(&mut self) -> Result<String, Stuck> {
        self.type_in("echo \"stat\"\"us=$?.\"\n");
        self.skip_past("status=")?;
        let status = self.read_to(".")?;
        self.skip_past(PROMPT)?;
        Ok(status)
    }

    /// The processes of the job bash runs: all below bash.
    fn job(&self) -> Vec<i32> {
        let mut job = children(self.bash);
        let mut i = 0;
        while i < job.len() {
            job.extend(children(job[i]));
            i += 1;
        }
        job.retain(|&pid| state_and_parent(pid).is_some_and(|(s, _)| s != 'Z'));
        job
    }

    /// Wait until the job's processes are as `want` says (looking every millisecond).
    fn wait_job(&self, what: &str, want: impl Fn(&[(i32, char)]) -> bool) -> Result<(), Stuck> {
        let deadline = Instant::now() + BOUND;
        loop {
            let states: Vec<(i32, char)> = (self.job().into_iter())
                .filter_map(|pid| Some((pid, state_and_parent(pid)?.0)))
                .collect();
            if want(&states) {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(Stuck(format!("{what} (states {states:?})")));
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// Live processes with our tag other than bash: none once a job ended.
    fn strays(&self) -> Vec<String> {
        let entry = format!("{TAG}={}", self.tag);
        all_pids()
            .into_iter()
            .filter(|&pid| pid != self.bash)
            .filter(|&pid| has_entry(pid, &entry))
            .filter(|&pid| state_and_parent(pid).is_some_and(|(s, _)| s != 'Z'))
            .map(|pid| format!("{pid} {}", comm(pid)))
            .collect()
    }

    /// The processes of the terminal, bash's included: name, parent, group and state.
    fn leftovers(&self) -> Vec<String> {
        let entry = format!("{TAG}={}", self.tag);
        all_pids()
            .into_iter()
            .filter(|&pid| has_entry(pid, &entry))
            .filter_map(|pid| {
                let (state, parent) = state_and_parent(pid)?;
                let (_, group, _) = stat(pid)?;
                Some(format!(
                    "{pid} {} parent {parent} group {group} {state}",
                    comm(pid)
                ))
            })
            .collect()
    }

    /// The last output of the terminal, for a message.
    fn last_output(&self) -> String {
        let from = self.shown.len().saturating_sub(600);
        format!("{:?}", String::from_utf8_lossy(&self.shown[from..]))
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        let entry = format!("{TAG}={}", self.tag);
        let _ = self.shell.kill();
        for _ in 0..100 {
            let left: Vec<i32> = all_pids()
                .into_iter()
                .filter(|&pid| has_entry(pid, &entry))
                .filter(|&pid| state_and_parent(pid).is_some_and(|(s, _)| s != 'Z'))
                .collect();
            if left.is_empty() {
                break;
            }
            for pid in left {
                // SAFETY: no pointers.
                unsafe { libc::kill(pid, libc::SIGKILL) };
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        let _ = self.shell.wait();
    }
}

fn has_entry(pid: i32, entry: &str) -> bool {
    std::fs::read(format!("/proc/{pid}/environ"))
        .is_ok_and(|env| env.split(|&c| c == 0).any(|e| e == entry.as_bytes()))
}

fn comm(pid: i32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .unwrap_or_default()
        .trim()
        .to_owned()
}

// ---- Faults and counts --------------------------------------------------------------------

enum Fault {
    /// An awaited event never came.
    Hang(String),
    /// Ctrl-C did nothing: the job ran on until a second one.
    Lost(String),
    /// Ctrl-C reached bash's child before it exec'd the job's first program.
    LostToBash(String),
    /// Ctrl-C reached bash itself, before it had started the job, which then ran on.
    LostInBash(String),
    /// Bash gave its prompt back while its job ran on.
    Abandoned(String),
    /// Lost, or the job abandoned, with a Ctrl-C timed from the line, where bash's windows
    /// could not be ruled out.
    Unclear(String),
    /// The job ended, but with another status, or left processes behind.
    Wrong(String),
}

impl From<Stuck> for Fault {
    fn from(stuck: Stuck) -> Fault {
        Fault::Hang(format!("no {}", stuck.0))
    }
}

#[derive(Default)]
struct Counts {
    cycles: usize,
    hangs: usize,
    lost: usize,
    lost_to_bash: usize,
    lost_in_bash: usize,
    abandoned: usize,
    unclear: usize,
    wrong: usize,
    /// Where the Ctrl-Cs landed: before the job's first process, while boxinit set up,
    /// once `cat` ran.
    landed: [usize; 3],
    messages: Vec<String>,
}

impl Counts {
    fn record(&mut self, what: &str, cycle: usize, fault: Fault, term: &Terminal) {
        let boxinits = matches!(fault, Fault::Hang(_) | Fault::Lost(_) | Fault::Wrong(_));
        let (count, kind, why) = match fault {
            Fault::Hang(why) => (&mut self.hangs, "hang", why),
            Fault::Lost(why) => (&mut self.lost, "lost Ctrl-C", why),
            Fault::LostToBash(why) => (&mut self.lost_to_bash, "Ctrl-C lost to bash", why),
            Fault::LostInBash(why) => (&mut self.lost_in_bash, "Ctrl-C taken by bash", why),
            Fault::Abandoned(why) => (&mut self.abandoned, "job abandoned by bash", why),
            Fault::Unclear(why) => (&mut self.unclear, "lost Ctrl-C, maybe to bash", why),
            Fault::Wrong(why) => (&mut self.wrong, "wrong end", why),
        };
        *count += 1;
        let message = format!(
            "{what}, cycle {cycle}: {kind}: {why}; left running {:?}; the terminal last showed {}",
            term.leftovers(),
            term.last_output()
        );
        // Straight to stderr, past the test harness's capture: a long run shows its faults
        // as they come, bash's own too.
        let _ = writeln!(std::io::stderr(), "{message}");
        if boxinits {
            self.messages.push(message);
        }
    }
}

// ---- The cycles ---------------------------------------------------------------------------

/// Start the job and wait until `cat` runs in it.
fn start_job(term: &mut Terminal, mode: &Mode) -> Result<(), Fault> {
    term.type_in(&format!("{}\n", mode.command));
    term.wait_job("the command to start", |job| {
        job.iter().any(|&(pid, s)| s != 'T' && comm(pid) == "cat")
    })?;
    Ok(())
}

/// Ctrl-Z: bash reports the job stopped and the whole job stops; `fg` (after `bg` and a stop
/// on reading the terminal in the background, when `bg_first`) continues it, and `cat` reads
/// the line typed next.
fn stop_and_fg(term: &mut Terminal, cycle: usize, bg_first: bool) -> Result<(), Fault> {
    let all_stopped = |job: &[(i32, char)]| !job.is_empty() && job.iter().all(|&(_, s)| s == 'T');
    term.type_in("\x1a");
    term.skip_past("Stopped")?;
    term.wait_job("every process of the job to stop", all_stopped)?;
    if bg_first {
        term.type_in("bg\n");
        term.sync()?;
        term.wait_job(
            "the job to stop again, reading the terminal in the background",
            all_stopped,
        )?;
    }
    term.type_in("fg\n");
    term.wait_job("every process of the job to continue after fg", |job| {
        !job.is_empty() && job.iter().all(|&(_, s)| s != 'T')
    })?;
    let line = format!("line{cycle}-{}", unique());
    term.type_in(&format!("{line}\n"));
    term.skip_past(&format!("{line}$"))?;
    Ok(())
}

/// Ctrl-C: the job ends with status 130, and nothing of it is left.
fn ends_with_130(term: &mut Terminal, when: &str) -> Result<(), Fault> {
    let status = term.status()?;
    if status != "130" {
        return Err(Fault::Wrong(format!("status {status} after Ctrl-C {when}")));
    }
    let deadline = Instant::now() + BOUND;
    loop {
        let left = [term.job().iter().map(|p| comm(*p)).collect(), term.strays()].concat();
        if left.is_empty() {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(Fault::Wrong(format!(
                "left running after Ctrl-C {when}: {left:?}"
            )));
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn ctrl_z_cycles(mode: &Mode, cycles: usize, links: &Path) -> Counts {
    let what = format!("{} Ctrl-Z/fg", mode.name);
    let mut counts = Counts::default();
    let mut term = Terminal::start(links).unwrap_or_else(|e| panic!("starting bash: {}", e.0));
    let mut running = false;
    for cycle in 1..=cycles {
        counts.cycles += 1;
        let done = if running {
            Ok(())
        } else {
            start_job(&mut term, mode)
        }
        .and_then(|()| {
            running = true;
            stop_and_fg(&mut term, cycle, mode.bg && cycle % 5 == 0)
        });
        if let Err(fault) = done {
            counts.record(&what, cycle, fault, &term);
            term = Terminal::start(links).unwrap_or_else(|e| panic!("starting bash: {}", e.0));
            running = false;
        }
    }
    if running {
        term.type_in("\x03");
        let ended = term.skip_past(PROMPT).map_err(Fault::from);
        if let Err(fault) = ended.and_then(|()| ends_with_130(&mut term, "at the end")) {
            counts.record(&what, cycles, fault, &term);
        }
    }
    counts
}

/// The terminal's foreground group, as bash's /proc stat shows it, and the job's processes
/// (pid, name, group, state), to tell where a Ctrl-C went.
struct Moment {
    foreground: i32,
    job: Vec<(i32, String, i32, char)>,
}

impl Moment {
    fn now(term: &Terminal) -> Moment {
        let job = (term.job().into_iter())
            .filter_map(|pid| {
                let (state, group, _) = stat(pid)?;
                Some((pid, comm(pid), group, state))
            })
            .collect();
        Moment {
            foreground: stat(term.bash).map_or(0, |(_, _, fg)| fg),
            job,
        }
    }

    /// Where Ctrl-C landed: before the job had a process, while it started, once cat ran.
    fn stage(&self) -> usize {
        if self.job.is_empty() {
            0
        } else if self.job.iter().any(|(_, comm, _, _)| comm == "cat") {
            2
        } else {
            1
        }
    }

    /// Bash has the terminal and no job process.
    fn bash_alone(&self, bash: i32) -> bool {
        self.job.is_empty() && self.foreground == bash
    }

    /// The job's only process is bash's child, before its exec.
    fn only_bash(&self) -> bool {
        !self.job.is_empty() && self.job.iter().all(|(_, comm, _, _)| comm == "bash")
    }

    fn describe(&self, bash: i32) -> String {
        let fg = if self.foreground == bash {
            "bash's".to_owned()
        } else {
            self.foreground.to_string()
        };
        format!("foreground group {fg}, job {:?}", self.job)
    }
}

/// Each process's pending (its own and its process's), blocked, ignored and caught signals.
fn signal_states(pids: &[i32]) -> Vec<String> {
    pids.iter()
        .map(|pid| {
            let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
            let masks: Vec<&str> = (status.lines())
                .filter(|l| {
                    ["SigPnd", "ShdPnd", "SigBlk", "SigIgn", "SigCgt"]
                        .iter()
                        .any(|k| l.starts_with(k))
                })
                .collect();
            format!("{pid} {} {}", comm(*pid), masks.join(" "))
        })
        .collect()
}

/// A process's state, group and its terminal's foreground group (/proc/PID/stat).
fn stat(pid: i32) -> Option<(char, i32, i32)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = stat[stat.rfind(')')? + 1..].split_whitespace().collect();
    let state = fields.first()?.chars().next()?;
    Some((
        state,
        fields.get(2)?.parse().ok()?,
        fields.get(5)?.parse().ok()?,
    ))
}

/// Type the command line, and Ctrl-C `delay` later; where it landed.
/// Where a Ctrl-C's delay is counted from.
#[derive(Clone, Copy, PartialEq)]
enum Timing {
    /// From bash's taking of the command line: the Ctrl-C may come while bash starts the job,
    /// in bash's own windows.
    Line,
    /// From the exec of the job's first program: bash's part is over, and the terminal is
    /// the job's; the rest is boxinit's.
    Exec,
}

fn early_ctrl_c(
    term: &mut Terminal,
    mode: &Mode,
    timing: Timing,
    delay: Duration,
) -> Result<usize, Fault> {
    term.type_in(&format!("{}\n", mode.command));
    // Readline has taken the whole line (a Ctrl-C before would leave readline's typeahead
    // to be run as a command).
    term.skip_past("\x1b[?2004l")?;
    if timing == Timing::Exec {
        term.wait_job("the job's first program to start", |job| {
            job.iter().any(|&(pid, _)| comm(pid) != "bash")
        })?;
    }
    std::thread::sleep(delay);
    let before = Moment::now(term);
    term.type_in("\x03");
    // The terminal (or readline) shows ^C as it sends SIGINT to the foreground group.
    term.skip_past("^C")?;
    let after = Moment::now(term);
    let stage = before.stage();
    let from = match timing {
        Timing::Line => "the line",
        Timing::Exec => "the exec",
    };
    let when = format!(
        "{} ms after {from} ({}; when ^C showed: {})",
        delay.as_millis(),
        before.describe(term.bash),
        after.describe(term.bash),
    );
    // A command dies of SIGINT at once: a job still there a while later ran on.
    let ended = term.read_to_within(PROMPT, ENDING).is_ok();
    if !ended && !term.job().is_empty() {
        let signals = signal_states(&term.job());
        term.type_in("\x03");
        let why = format!("the job went on after Ctrl-C {when}, its signals then {signals:?}");
        return Err(match term.skip_past(PROMPT) {
            // When ^C showed, the job was still bash's child, before its exec: between its
            // taking of the terminal and its exec, bash's child catches SIGINT with bash's own
            // handler, which only notes it (the same without boxinit).
            Ok(()) if timing == Timing::Line && after.only_bash() => Fault::LostToBash(why),
            // When ^C showed, bash had the terminal and no child yet: the SIGINT was bash's
            // alone, and boxinit was not started (see `Mode::command`).
            Ok(()) if timing == Timing::Line && after.bash_alone(term.bash) => {
                Fault::LostInBash(why)
            }
            // Possibly so too, /proc having been looked at too late to tell.
            Ok(()) if timing == Timing::Line => Fault::Unclear(why),
            Ok(()) => Fault::Lost(format!("{why}; a second Ctrl-C ended it")),
            Err(_) => Fault::Hang(format!("{why}, and a second Ctrl-C too")),
        });
    }
    if !ended {
        term.skip_past(PROMPT)?;
    }
    // Bash waits for its foreground job before its next prompt, unless the Ctrl-C reached
    // bash itself (the terminal was still bash's) while it started the job: bash's check for
    // it after its fork gives the prompt back at once, while the job runs on and takes the
    // terminal (bash, reading in the background then, exits). The same without boxinit.
    let at_prompt = Moment::now(term);
    if !at_prompt.job.is_empty() {
        let why = format!(
            "bash gave its prompt back at Ctrl-C {when} while its job ran on ({})",
            at_prompt.describe(term.bash)
        );
        let running = at_prompt.job.iter().all(|(_, _, _, s)| *s != 'T');
        return Err(match timing {
            Timing::Line if after.foreground == term.bash && running => Fault::Abandoned(why),
            Timing::Line => Fault::Unclear(why),
            Timing::Exec => Fault::Wrong(why),
        });
    }
    ends_with_130(term, &when)?;
    Ok(stage)
}

fn ctrl_c_cycles(mode: &Mode, cycles: usize, links: &Path) -> Counts {
    let what = format!("{} early Ctrl-C", mode.name);
    let mut counts = Counts::default();
    let mut term = Terminal::start(links).unwrap_or_else(|e| panic!("starting bash: {}", e.0));
    for cycle in 1..=cycles {
        counts.cycles += 1;
        // Half from the line, half from the exec; half in the first 5 ms, where boxinit
        // starts, half over 0.1 s. The same from run to run.
        let timing = [Timing::Exec, Timing::Line][cycle % 2];
        let spread = [5_001, 100_001][cycle / 2 % 2];
        let delay = Duration::from_micros((cycle as u64 * 7919) % spread);
        match early_ctrl_c(&mut term, mode, timing, delay) {
            Ok(landed) => counts.landed[landed] += 1,
            Err(fault) => {
                counts.record(&what, cycle, fault, &term);
                term = Terminal::start(links).unwrap_or_else(|e| panic!("starting bash: {}", e.0));
            }
        }
    }
    counts
}

// ---- The runs -----------------------------------------------------------------------------

/// Two shell loops that keep two CPUs busy while they live.
struct BusyLoops(Vec<Child>);

impl BusyLoops {
    fn start() -> BusyLoops {
        BusyLoops(
            (0..2)
                .map(|_| {
                    Command::new("sh")
                        .args(["-c", "while :; do :; done"])
                        .stdin(Stdio::null())
                        .spawn()
                        .unwrap()
                })
                .collect(),
        )
    }
}

impl Drop for BusyLoops {
    fn drop(&mut self) {
        for busy in &mut self.0 {
            let _ = busy.kill();
            let _ = busy.wait();
        }
    }
}

/// Every mode, `cycles` of each kind, under two busy loops: print the counts and insist on
/// no fault.
fn terminal_never_hangs(cycles: usize) {
    let _busy = BusyLoops::start();
    let links = TempDir::new("terminal-stress-links");
    for name in ["tini", "dumb-init"] {
        std::os::unix::fs::symlink(boxinit(), links.path().join(name)).unwrap();
    }
    let started = Instant::now();
    let mut table = String::new();
    let mut messages = Vec::new();
    for mode in chosen_modes() {
        let z = ctrl_z_cycles(mode, cycles, links.path());
        let c = ctrl_c_cycles(mode, cycles, links.path());
        let line = format!(
            "{:<20} Ctrl-Z/fg: {} cycles, {} hangs, {} wrong ends | early Ctrl-C: {} cycles, \
             {} hangs, {} lost, {} wrong ends; bash's own: {} lost in bash, {} lost in its \
             child, {} jobs abandoned, {} unclear (landed before/while starting/once running: \
             {}/{}/{})",
            mode.name,
            z.cycles,
            z.hangs,
            z.wrong,
            c.cycles,
            c.hangs,
            c.lost,
            c.wrong,
            c.lost_in_bash,
            c.lost_to_bash,
            c.abandoned,
            c.unclear,
            c.landed[0],
            c.landed[1],
            c.landed[2],
        );
        let _ = writeln!(std::io::stderr(), "{line}");
        writeln!(table, "{line}").unwrap();
        messages.extend(z.messages);
        messages.extend(c.messages);
    }
    let _ = writeln!(
        std::io::stderr(),
        "{cycles} cycles of each per mode in {:.0?}",
        started.elapsed()
    );
    assert!(
        messages.is_empty(),
        "{table}\n{} faults:\n{}",
        messages.len(),
        messages.join("\n")
    );
}

/// The modes named in STRESS_MODES (names separated by commas), or all.
fn chosen_modes() -> Vec<&'static Mode> {
    let Ok(names) = std::env::var("STRESS_MODES") else {
        return MODES.iter().collect();
    };
    let names: Vec<&str> = names.split(',').collect();
    for name in &names {
        assert!(
            MODES.iter().any(|m| m.name == *name),
            "STRESS_MODES: no mode {name:?}"
        );
    }
    MODES.iter().filter(|m| names.contains(&m.name)).collect()
}

/// STRESS_CYCLES, or `default`.
fn cycles(default: usize) -> usize {
    std::env::var("STRESS_CYCLES")
        .ok()
        .map(|n| n.parse().expect("STRESS_CYCLES is a number"))
        .unwrap_or(default)
}

#[test]
fn the_terminal_never_hangs_nor_loses_a_ctrl_c() {
    terminal_never_hangs(10);
}

#[test]
#[ignore]
fn the_terminal_never_hangs_nor_loses_a_ctrl_c_in_500_cycles() {
    terminal_never_hangs(cycles(500));
}
