//! What the integration tests share: where boxinit and the probe are, throwaway root
//! filesystems, and running processes. Every wait for a process or its output has a deadline,
//! and every process a test starts carries a tag in its environment, so that what a test leaves
//! running (when it fails, say) is killed, wherever it was reparented to.
#![allow(dead_code)] // each test binary uses its own part of this

use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// How long any one awaited event (a line of output, the end of the output, an exit) may take
/// before the test fails.
pub const LIMIT: Duration = Duration::from_secs(30);

/// How long a command may take from `finish` (or `run`) to its end: its exit and the end of its
/// output. Building an image takes a while.
const RUN_LIMIT: Duration = Duration::from_secs(60);

/// The variable that points the tests at another build of boxinit (the supervisor build, for
/// one: tests/run.sh runs the supervisor and drop-in fidelity tests against it too). Not a BOXINIT_
/// name: boxinit refuses the BOXINIT_ variables it does not know.
pub const BIN_VARIABLE: &str = "TEST_BOXINIT_BIN";

/// The boxinit binary under test: the one `TEST_BOXINIT_BIN` names, or cargo's for this run.
pub fn boxinit() -> PathBuf {
    match std::env::var_os(BIN_VARIABLE) {
        Some(path) if !path.is_empty() => PathBuf::from(path),
        _ => PathBuf::from(env!("CARGO_BIN_EXE_boxinit")),
    }
}

/// Whether the binary under test has the job of this Cargo feature (`launcher`, `limits`,
/// `boot`, `stop-delay`). Asked of the binary itself, with an option of the job and a bad
/// value: a build with the job refuses the value, one without refuses the option as not in
/// this build.
pub fn has_job(feature: &str) -> bool {
    let option = match feature {
        "launcher" => "--unshare=bogus",
        "limits" => "--cpus=bogus",
        "boot" => "--on-exit=bogus",
        "stop-delay" => "--stop-delay=bogus",
        _ => panic!("no such job: {feature}"),
    };
    let out = boxinit_cmd().args([option, "true"]).output().unwrap();
    !String::from_utf8_lossy(&out.stderr).contains("not in this build")
}

/// boxinit, without any option the test's own environment might hold.
pub fn boxinit_cmd() -> Command {
    let mut cmd = Command::new(boxinit());
    strip_options_env(&mut cmd);
    cmd
}

/// Take out of `cmd`'s environment every variable boxinit or a personality reads that the
/// tests' own environment holds (those the test set on `cmd` stay).
pub fn strip_options_env(cmd: &mut Command) {
    for (name, _) in std::env::vars_os() {
        let ours = ["BOXINIT_", "TINI_", "DUMB_INIT_", "CATATONIT_"]
            .iter()
            .any(|p| name.to_string_lossy().starts_with(p));
        if ours && cmd.get_envs().all(|(set, _)| set != name.as_os_str()) {
            cmd.env_remove(&name);
        }
    }
}

/// Run to the end and insist on status 0 and a quiet stderr.
#[track_caller]
pub fn ok(cmd: &mut Command) -> Output {
    let out = run(cmd);
    assert_eq!(out.status.code(), Some(0), "{cmd:?}: {out:?}");
    assert!(out.stderr.is_empty(), "{cmd:?}: {out:?}");
    out
}

/// The host's mount table, as this test process sees it.
pub fn host_mountinfo() -> String {
    std::fs::read_to_string("/proc/self/mountinfo").unwrap()
}

/// `dir` and every name under it, with its type, mode, size, link target and modification
/// time: what changes if anything is made, removed or written there.
pub fn tree_listing(dir: &Path) -> std::collections::BTreeMap<String, String> {
    use std::os::unix::fs::MetadataExt;
    let mut all = std::collections::BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    let mut describe = |path: &Path| {
        let meta = std::fs::symlink_metadata(path).unwrap();
        let link = std::fs::read_link(path).ok();
        let what = format!(
            "{:o} {} {:?} {}.{}",
            meta.mode(),
            meta.size(),
            link,
            meta.mtime(),
            meta.mtime_nsec()
        );
        all.insert(path.display().to_string(), what);
        meta.is_dir()
    };
    describe(dir);
    while let Some(at) = todo.pop() {
        for entry in std::fs::read_dir(&at).unwrap() {
            let path = entry.unwrap().path();
            if describe(&path) {
                todo.push(path);
            }
        }
    }
    all
}

/// The processes (not zombies) whose environment holds `entry` (`NAME=value`).
pub fn processes_with_env(entry: &str) -> Vec<i32> {
    all_pids()
        .into_iter()
        .filter(|&p| {
            std::fs::read(format!("/proc/{p}/environ"))
                .is_ok_and(|env| env.split(|&c| c == 0).any(|e| e == entry.as_bytes()))
        })
        .filter(|&p| state_and_parent(p).is_some_and(|(s, _)| s != 'Z'))
        .collect()
}

/// The names in `dir`, sorted.
pub fn dir_entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The probe (tests/support/probe.rs), built beside boxinit as an example.
pub fn probe() -> PathBuf {
    // Beside cargo's build, whichever boxinit is under test.
    let cargos = PathBuf::from(env!("CARGO_BIN_EXE_boxinit"));
    let path = cargos.parent().unwrap().join("examples/probe");
    assert!(
        path.exists(),
        "{} is missing: run the tests with cargo test",
        path.display()
    );
    path
}

/// A name no other test (or test run) uses at the same time.
pub fn unique() -> String {
    static COUNT: AtomicUsize = AtomicUsize::new(0);
    let n = COUNT.fetch_add(1, Ordering::Relaxed);
    format!("{}-{n}", std::process::id())
}

/// A directory under the system temp dir (tempfile's), removed when dropped; named after the
/// test's `tag`, and open to every user (0755), since tests also run as unprivileged ones.
pub struct TempDir(tempfile::TempDir);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let dir = tempfile::Builder::new()
            .prefix(&format!("boxinit-{tag}-"))
            .tempdir()
            .unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        self.0.path()
    }
}

/// A rootfs that holds only the probe (as /probe) and an empty /proc.
pub fn probe_rootfs() -> TempDir {
    let root = TempDir::new("probe-root");
    std::fs::create_dir_all(root.path().join("proc")).unwrap();
    std::fs::copy(probe(), root.path().join("probe")).unwrap();
    root
}

/// A busybox rootfs made from busybox-static, with the applet links and the probe.
pub fn busybox_rootfs() -> TempDir {
    let busybox = Path::new("/bin/busybox");
    assert!(
        busybox.exists(),
        "busybox-static is not installed (tests/run installs it)"
    );
    let root = TempDir::new("busybox-root");
    for dir in [
        "bin", "sbin", "usr/bin", "usr/sbin", "proc", "sys", "dev", "tmp", "etc", "root",
    ] {
        std::fs::create_dir_all(root.path().join(dir)).unwrap();
    }
    std::fs::copy(busybox, root.path().join("bin/busybox")).unwrap();
    std::fs::copy(probe(), root.path().join("probe")).unwrap();
    let status = Command::new("chroot")
        .arg(root.path())
        .args(["/bin/busybox", "--install", "-s"])
        .status()
        .unwrap();
    assert!(status.success(), "busybox --install failed");
    root
}

/// An ext4 disk image of 32 MiB at `image` holding the tree at `source` (mke2fs -d, no mount).
pub fn ext4_image(source: &Path, image: &Path) {
    let _ = std::fs::remove_file(image);
    let made = run(Command::new("mke2fs")
        .args(["-q", "-t", "ext4", "-d"])
        .arg(source)
        .arg(image)
        .arg("32M"));
    assert!(made.status.success(), "mke2fs: {}", text(&made.stderr));
}

/// Write an executable file.
pub fn write_executable(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// The `key=value` lines of `probe report`, as (key, value) lookups.
pub fn report_value<'a>(stdout: &'a str, key: &str) -> &'a str {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
        .unwrap_or_else(|| panic!("no {key}= in probe output:\n{stdout}"))
}

/// Output as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// An exit status as boxinit reports one: the code, or 128+N for a death by signal N.
pub fn exit_code(status: ExitStatus) -> i32 {
    status
        .code()
        .unwrap_or_else(|| 128 + status.signal().unwrap())
}

// ---- Running processes --------------------------------------------------------------------

/// Run `cmd` (stdin /dev/null) to its end, within RUN_LIMIT, and collect its output.
#[track_caller]
pub fn run(cmd: &mut Command) -> Output {
    cmd.stdin(Stdio::null());
    Running::spawn(cmd).finish()
}

/// A process a test started, with its stdout read line by line as it comes, its stdin to write
/// to or close, and its stderr kept for the end (and for the message of a failure).
///
/// Every wait has a deadline: a line within LIMIT, the end within RUN_LIMIT. Dropped before
/// `finish` has seen it end (the test is done with it, or failed), it is killed with every
/// process it started that is still there.
pub struct Running {
    child: Child,
    /// Its stdin, or the keyboard of its terminal.
    stdin: Option<Box<dyn Write + Send>>,
    stdout: Pipe,
    /// None when stderr goes where stdout goes (a terminal).
    stderr: Option<Pipe>,
    tag: Tag,
    /// Its pid and command line, for messages.
    what: String,
    /// `finish` saw it exit and all its output end.
    finished: bool,
}

impl Running {
    /// Start `cmd` with its stdin, stdout and stderr on pipes.
    pub fn start(cmd: &mut Command) -> Running {
        cmd.stdin(Stdio::piped());
        Running::spawn(cmd)
    }

    /// Start `cmd`, whose stdin, stdout and stderr the caller has set up (a terminal, say), and
    /// read its output from `output`. `cmd` is dropped once the process runs, and with it the
    /// caller's copies of what it handed the process: the output ends when the process's do.
    pub fn start_with_output(mut cmd: Command, output: impl Read + Send + 'static) -> Running {
        let tag = Tag::new(&mut cmd);
        let child = cmd.spawn().unwrap();
        drop(cmd);
        Running {
            what: command_line(child.id()),
            child,
            stdin: None,
            stdout: Pipe::read(output),
            stderr: None,
            tag,
            finished: false,
        }
    }

    /// Start `cmd` on a terminal of its own (see `on_terminal`): what is written to its
    /// stdin is typed on the terminal, and its output is what the terminal shows.
    pub fn start_on_terminal(mut cmd: Command) -> Running {
        let tag = Tag::new(&mut cmd);
        let term = on_terminal(cmd);
        Running {
            what: command_line(term.child.id()),
            child: term.child,
            stdin: Some(Box::new(term.keyboard)),
            stdout: Pipe::read(term.screen),
            stderr: None,
            tag,
            finished: false,
        }
    }

    /// Start `cmd` with stdout and stderr on pipes (stdin as the caller set it).
    fn spawn(cmd: &mut Command) -> Running {
        let tag = Tag::new(cmd);
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        Running {
            what: command_line(child.id()),
            stdin: child
                .stdin
                .take()
                .map(|pipe| Box::new(pipe) as Box<dyn Write + Send>),
            stdout: Pipe::read(child.stdout.take().unwrap()),
            stderr: Some(Pipe::read(child.stderr.take().unwrap())),
            child,
            tag,
            finished: false,
        }
    }

    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    /// Send `sig` to the process.
    #[track_caller]
    pub fn signal(&self, sig: i32) {
        kill(self.pid(), sig);
    }

    /// The next line of output; fails at its end or after LIMIT.
    #[track_caller]
    pub fn line(&mut self) -> String {
        match self.stdout.line(Instant::now() + LIMIT) {
            Ok(Some(line)) => line,
            Ok(None) => self.fail("output ended early"),
            Err(TimedOut) => self.fail(&format!("no output for {LIMIT:?}")),
        }
    }

    /// The next line of output, which must be `want`.
    #[track_caller]
    pub fn expect(&mut self, want: &str) {
        let line = self.line();
        assert_eq!(line, want, "{}", self.what);
    }

    /// Read lines until one is `want`, within LIMIT, passing over the others.
    #[track_caller]
    pub fn skip_to(&mut self, want: &str) {
        let deadline = Instant::now() + LIMIT;
        loop {
            match self.stdout.line(deadline) {
                Ok(Some(line)) if line == want => return,
                Ok(Some(_)) => {}
                Ok(None) => self.fail(&format!("output ended before {want:?}")),
                Err(TimedOut) => self.fail(&format!("no line {want:?} in {LIMIT:?}")),
            }
        }
    }

    /// The lines of `probe report`, up to its last key.
    #[track_caller]
    pub fn report(&mut self) -> String {
        let mut report = String::new();
        loop {
            let line = self.line();
            let last = line.starts_with("comm1=");
            report.push_str(&line);
            report.push('\n');
            if last {
                return report;
            }
        }
    }

    /// Read until the output holds `want` anywhere, even in a line not finished yet (a prompt,
    /// or a trace line that ends later), within LIMIT; what follows it is read next.
    #[track_caller]
    pub fn skip_past(&mut self, want: &str) {
        let deadline = Instant::now() + LIMIT;
        loop {
            let left = &self.stdout.bytes[self.stdout.taken..];
            if let Some(at) = left.windows(want.len()).position(|w| w == want.as_bytes()) {
                self.stdout.taken += at + want.len();
                return;
            }
            if self.stdout.ended {
                self.fail(&format!("output ended before {want:?}"));
            }
            if self.stdout.receive(deadline).is_err() {
                self.fail(&format!("no {want:?} in {LIMIT:?}"));
            }
        }
    }

    /// Every line up to the end of the output (all writers gone), within LIMIT.
    #[track_caller]
    pub fn rest(&mut self) -> Vec<String> {
        let deadline = Instant::now() + LIMIT;
        let mut rest = Vec::new();
        loop {
            match self.stdout.line(deadline) {
                Ok(Some(line)) => rest.push(line),
                Ok(None) => return rest,
                Err(TimedOut) => self.fail(&format!("output open after {LIMIT:?}; got {rest:?}")),
            }
        }
    }

    /// Write `bytes` to the process's stdin.
    #[track_caller]
    pub fn write_stdin(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin is not a pipe");
        stdin.write_all(bytes).unwrap();
    }

    pub fn close_stdin(&mut self) {
        self.stdin.take();
    }

    /// The exit code (128+N for a signal), within LIMIT.
    #[track_caller]
    pub fn wait(&mut self) -> i32 {
        match wait_for(&mut self.child, LIMIT) {
            Some(status) => exit_code(status),
            None => self.fail(&format!("still running after {LIMIT:?}")),
        }
    }

    /// Whether the process has not ended after `time`.
    pub fn still_running_after(&mut self, time: Duration) -> bool {
        wait_for(&mut self.child, time).is_none()
    }

    /// Close stdin and wait for the end, within RUN_LIMIT: the exit status, the rest of stdout
    /// (all of it, if no line was read) and all of stderr, each up to its end.
    #[track_caller]
    pub fn finish(mut self) -> Output {
        self.close_stdin();
        let deadline = Instant::now() + RUN_LIMIT;
        let Some(status) = wait_for(&mut self.child, RUN_LIMIT) else {
            self.fail(&format!("still running after {RUN_LIMIT:?}"))
        };
        let Ok(stdout) = self.stdout.rest(deadline) else {
            self.fail(&format!("stdout still open after {RUN_LIMIT:?}"))
        };
        let stderr = match self.stderr.as_mut().map(|pipe| pipe.rest(deadline)) {
            None => Vec::new(),
            Some(Ok(stderr)) => without_emulation_warning(stderr),
            Some(Err(TimedOut)) => self.fail(&format!("stderr still open after {RUN_LIMIT:?}")),
        };
        self.finished = true;
        Output {
            status,
            stdout,
            stderr,
        }
    }

    /// Fail the test; dropping `self` on the way kills the process and all it started.
    #[track_caller]
    fn fail(&self, why: &str) -> ! {
        panic!("{}: {why}", self.what)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // Once it ended and every process that inherited its output let go of that, what could
        // be left are daemons; looking for them costs a read of every process's environment,
        // too much after each of the thousands of short runs.
        if !self.finished {
            // Its pid is ours (to find what is below it) only while it is not reaped.
            let unreaped = matches!(self.child.try_wait(), Ok(None));
            kill_tree(unreaped.then(|| self.pid()), &self.tag);
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        if std::thread::panicking() {
            // What the process said, shown with the failed test's output.
            let stderr = self.stderr.as_mut().map(Pipe::so_far).unwrap_or_default();
            eprintln!(
                "{}\n--- its stdout:\n{}\n--- its stderr:\n{stderr}",
                self.what,
                self.stdout.so_far()
            );
        }
    }
}

/// Under qemu's user-mode emulation (tests/emulated.sh sets TEST_EMULATED), which
/// refuses PR_SET_CHILD_SUBREAPER, every boxinit that is not PID 1 warns about it once: that
/// expected line is taken out so the tests judge the rest of stderr as they do natively.
fn without_emulation_warning(stderr: Vec<u8>) -> Vec<u8> {
    const WARNING: &[u8] = b"boxinit: warning: becoming a subreaper: Invalid argument\n";
    if std::env::var_os("TEST_EMULATED").is_none() {
        return stderr;
    }
    let mut kept = Vec::new();
    for line in stderr.split_inclusive(|&b| b == b'\n') {
        if line != WARNING {
            kept.extend_from_slice(line);
        }
    }
    kept
}

/// Wait for `child` at most `timeout` without polling: a pidfd becomes readable when it ends.
pub fn wait_for(child: &mut Child, timeout: Duration) -> Option<ExitStatus> {
    if let Some(status) = child.try_wait().unwrap() {
        return Some(status);
    }
    if wait_pid(child.id() as i32, timeout) {
        Some(child.wait().unwrap())
    } else {
        None
    }
}

/// Whether process `pid` (a child or not) ends within `timeout`.
fn wait_pid(pid: i32, timeout: Duration) -> bool {
    // SAFETY: pidfd_open takes no pointers; the pidfd is close-on-exec.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    if fd < 0 {
        return true; // already gone (and reaped)
    }
    // SAFETY: we own the new descriptor.
    let fd = unsafe { OwnedFd::from_raw_fd(fd as i32) };
    ended_by(&fd, Instant::now() + timeout)
}

/// A deadline passed.
struct TimedOut;

/// A pipe (or terminal) read to its end on a thread, its bytes passed on through a channel as
/// they come: waiting for them can give up at a deadline, even while some process keeps the
/// pipe open (what an engine ran, an orphan).
struct Pipe {
    chunks: Receiver<Vec<u8>>,
    /// All it carried so far, of which the first `taken` bytes were handed out.
    bytes: Vec<u8>,
    taken: usize,
    ended: bool,
}

impl Pipe {
    fn read(mut from: impl Read + Send + 'static) -> Pipe {
        let (tx, chunks) = mpsc::channel();
        std::thread::spawn(move || {
            let mut buf = [0; 4096];
            loop {
                match from.read(&mut buf) {
                    Ok(0) => return,
                    Ok(n) => {
                        if tx.send(buf[..n].to_vec()).is_err() {
                            return;
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(_) => return, // a terminal ends with EIO
                }
            }
        });
        Pipe {
            chunks,
            bytes: Vec::new(),
            taken: 0,
            ended: false,
        }
    }

    /// Take in the next chunk, or the end, by `deadline`.
    fn receive(&mut self, deadline: Instant) -> Result<(), TimedOut> {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.chunks.recv_timeout(left) {
            Ok(chunk) => self.bytes.extend(chunk),
            Err(RecvTimeoutError::Disconnected) => self.ended = true,
            Err(RecvTimeoutError::Timeout) => return Err(TimedOut),
        }
        Ok(())
    }

    /// The next line, without its newline (or a terminal's carriage return), by `deadline`;
    /// None at the end.
    fn line(&mut self, deadline: Instant) -> Result<Option<String>, TimedOut> {
        loop {
            let left = &self.bytes[self.taken..];
            let (line, used) = match left.iter().position(|&b| b == b'\n') {
                Some(newline) => (&left[..newline], newline + 1),
                None if self.ended && !left.is_empty() => (left, left.len()), // unfinished
                None if self.ended => return Ok(None),
                None => {
                    self.receive(deadline)?;
                    continue;
                }
            };
            let line = text(line).trim_end_matches('\r').to_owned();
            self.taken += used;
            return Ok(Some(line));
        }
    }

    /// All that is left, up to the end, by `deadline`.
    fn rest(&mut self, deadline: Instant) -> Result<Vec<u8>, TimedOut> {
        while !self.ended {
            self.receive(deadline)?;
        }
        let rest = self.bytes[self.taken..].to_vec();
        self.taken = self.bytes.len();
        Ok(rest)
    }

    /// All it carried so far, for a message.
    fn so_far(&mut self) -> String {
        while let Ok(chunk) = self.chunks.try_recv() {
            self.bytes.extend(chunk);
        }
        text(&self.bytes)
    }
}

/// The environment variable that marks every process a test started.
const TAG: &str = "TEST_RUN_TAG";

/// A tag in a command's environment: every process that inherits it is known as the test's.
struct Tag {
    /// `TAG=value`, as /proc/PID/environ holds it.
    entry: String,
}

impl Tag {
    fn new(cmd: &mut Command) -> Tag {
        let value = unique();
        cmd.env(TAG, &value);
        Tag {
            entry: format!("{TAG}={value}"),
        }
    }

    fn is_on(&self, pid: i32) -> bool {
        std::fs::read(format!("/proc/{pid}/environ"))
            .is_ok_and(|env| env.split(|&c| c == 0).any(|e| e == self.entry.as_bytes()))
    }
}

/// SIGKILL every process that carries `tag` and every process below one of those or below
/// `root` (a child not reaped yet, so that its pid is still ours): the tag finds those that
/// were reparented away, their parents those whose environment was replaced (a container's).
/// Deepest first, and again until none is left alive.
fn kill_tree(root: Option<i32>, tag: &Tag) {
    for _ in 0..100 {
        let mut tree: Vec<i32> = root.into_iter().collect();
        tree.extend(
            all_pids()
                .into_iter()
                .filter(|&pid| Some(pid) != root && tag.is_on(pid)),
        );
        let mut i = 0;
        while i < tree.len() {
            for child in children(tree[i]) {
                if !tree.contains(&child) {
                    tree.push(child);
                }
            }
            i += 1;
        }
        tree.retain(|&pid| {
            state_and_parent(pid).is_some_and(|(state, _)| !matches!(state, 'Z' | 'X'))
        });
        if tree.is_empty() {
            return;
        }
        for &pid in tree.iter().rev() {
            // SAFETY: no pointers.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Send `sig` to `pid`, which must exist.
#[track_caller]
pub fn kill(pid: i32, sig: i32) {
    // SAFETY: no pointers.
    let r = unsafe { libc::kill(pid, sig) };
    assert_eq!(
        r,
        0,
        "kill({pid}, {sig}): {}",
        std::io::Error::last_os_error()
    );
}

/// A process's argv as `ps` shows it, after its pid.
pub fn command_line(pid: u32) -> String {
    let argv = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    let argv = String::from_utf8_lossy(&argv).replace('\0', " ");
    format!("[{pid}] {}", argv.trim_end())
}

/// The children of `pid`, which any of its threads may have started.
pub fn children(pid: i32) -> Vec<i32> {
    let mut children = Vec::new();
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task"));
    for task in tasks.into_iter().flatten().flatten() {
        let list = std::fs::read_to_string(task.path().join("children")).unwrap_or_default();
        children.extend(
            list.split_whitespace()
                .filter_map(|c| c.parse::<i32>().ok()),
        );
    }
    children
}

pub fn all_pids() -> Vec<i32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect()
}

/// A process's state (R, S, T, Z, ...) and parent, from /proc/PID/stat; None once it is gone.
pub fn state_and_parent(pid: i32) -> Option<(char, i32)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let mut fields = stat[stat.rfind(')')? + 1..].split_whitespace();
    let state = fields.next()?.chars().next()?;
    Some((state, fields.next()?.parse().ok()?))
}

/// A pidfd of `pid`, which must exist: it keeps the pid from being reused while held.
pub fn pidfd(pid: i32) -> OwnedFd {
    // SAFETY: no pointers.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    assert!(
        fd >= 0,
        "pidfd_open {pid}: {}",
        std::io::Error::last_os_error()
    );
    // SAFETY: a new descriptor that we own.
    unsafe { OwnedFd::from_raw_fd(fd as i32) }
}

/// Whether the process of `pidfd` has ended (a zombie counts) by `deadline`.
pub fn ended_by(pidfd: &OwnedFd, deadline: Instant) -> bool {
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let mut pfd = libc::pollfd {
            fd: pidfd.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd.
        match unsafe { libc::poll(&mut pfd, 1, left.as_millis() as i32) } {
            1.. => return true,
            0 => return false,
            _ => {}
        }
    }
}

/// An interactive bash (prompt `$ `), for `on_terminal`: the caller adds its environment.
pub fn interactive_bash() -> Command {
    let mut cmd = Command::new("bash");
    cmd.args(["--norc", "--noprofile", "-i"]).env("PS1", "$ ");
    cmd
}

/// A process on a terminal of its own, as a user's terminal would start it: the keyboard
/// (what is typed goes to its stdin) and the screen (what its stdout and stderr show).
pub struct OnTerminal {
    pub child: Child,
    pub keyboard: std::fs::File,
    pub screen: std::fs::File,
}

/// Start `cmd` as the leader of a new session whose controlling terminal is a new
/// pseudo-terminal, on its stdin, stdout and stderr, with every signal at its default action
/// and none blocked: whoever runs the tests may have started them with SIGINT and SIGQUIT
/// ignored (`cargo test &` in a script does), and an ignored signal stays ignored in every
/// program started below, so Ctrl-C would do nothing. The process is our own child.
pub fn on_terminal(cmd: Command) -> OnTerminal {
    let (pty, pts) = pty_process::blocking::open().unwrap();
    // SAFETY: only async-signal-safe calls between fork and exec.
    let cmd = unsafe { pty_process::blocking::Command::from(cmd).pre_exec(default_signals) };
    // Our copy of the terminal's slave side goes with the spawn: the screen ends (EIO) once
    // the session's do.
    let child = cmd.spawn(pts).unwrap();
    let screen = OwnedFd::from(pty);
    OnTerminal {
        child,
        keyboard: screen.try_clone().unwrap().into(),
        screen: screen.into(),
    }
}

/// Set every signal to its default action and unblock them all (run in the child before its
/// exec). Through the system call itself: the C library refuses to touch the signals it keeps
/// for its own use (32 to 34), and the test harness may have left those ignored.
fn default_signals() -> std::io::Result<()> {
    /// The kernel's `struct sigaction` (x86_64 and aarch64 alike).
    #[repr(C)]
    struct KernelSigaction {
        handler: usize,
        flags: u64,
        restorer: usize,
        mask: u64,
    }
    let default = KernelSigaction {
        handler: libc::SIG_DFL,
        flags: 0,
        restorer: 0,
        mask: 0,
    };
    // SIGKILL and SIGSTOP refuse (EINVAL) and stay as they are: they cannot be ignored.
    for sig in 1..=64 {
        // SAFETY: `default` is a valid kernel sigaction of the size passed; no old one asked.
        unsafe {
            libc::syscall(
                libc::SYS_rt_sigaction,
                sig,
                &default,
                std::ptr::null::<u8>(),
                8,
            )
        };
    }
    let none: u64 = 0;
    // SAFETY: `none` is a valid signal set of the size passed.
    unsafe {
        libc::syscall(
            libc::SYS_rt_sigprocmask,
            libc::SIG_SETMASK,
            &none,
            std::ptr::null::<u8>(),
            8,
        )
    };
    Ok(())
}
