//! What the integration tests share: where boxinit and the probe are, throwaway root
//! filesystems, and running a process with a deadline.
#![allow(dead_code)] // each test binary uses its own part of this

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The boxinit binary cargo built for this test run.
pub fn boxinit() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_boxinit"))
}

/// The probe (tests/support/probe.rs), built beside boxinit as an example.
pub fn probe() -> PathBuf {
    let path = boxinit().parent().unwrap().join("examples/probe");
    assert!(
        path.exists(),
        "{} is missing: run the tests with cargo test",
        path.display()
    );
    path
}

/// A directory under the system temp dir, removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let n = COUNT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("boxinit-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
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

/// Write an executable file.
pub fn write_executable(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Wait for `child` at most `secs` seconds; kill it and fail the test when it takes longer.
pub fn wait_with_deadline(child: &mut Child, secs: u64) -> ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("process {} still running after {secs} s", child.id());
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Run `cmd` to the end (at most 60 s) and collect its output.
pub fn run(cmd: &mut Command) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Drain both pipes on threads so a chatty child cannot block on a full pipe.
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || read_all(&mut stdout));
    let err = std::thread::spawn(move || read_all(&mut stderr));
    let status = wait_with_deadline(&mut child, 60);
    Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

fn read_all(r: &mut impl std::io::Read) -> Vec<u8> {
    let mut buf = Vec::new();
    r.read_to_end(&mut buf).unwrap();
    buf
}

/// The `key=value` lines of `probe report`, as (key, value) lookups.
pub fn report_value<'a>(stdout: &'a str, key: &str) -> &'a str {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
        .unwrap_or_else(|| panic!("no {key}= in probe output:\n{stdout}"))
}

/// Read lines from a child's stdout until one equals `want`; fails at EOF.
pub fn expect_line(reader: &mut impl BufRead, want: &str) {
    let mut line = String::new();
    loop {
        line.clear();
        let n = reader.read_line(&mut line).unwrap();
        assert!(n > 0, "end of output before {want:?}");
        if line.trim_end() == want {
            return;
        }
    }
}

/// A child's stdout as a line reader.
pub fn lines(child: &mut Child) -> BufReader<std::process::ChildStdout> {
    BufReader::new(child.stdout.take().unwrap())
}
