//! Symlinks in a rootfs: boxinit's own mounts (/proc, /dev, /sys, /dev/mqueue) go only on
//! real directories and refuse a link, even one that changes while containers start; a mount
//! step or --chdir through a link stays inside the container, an absolute link meaning a path
//! in the container and `..` at the top staying at the top. Every test runs the real binary as
//! root with real namespaces and looks at the command's view, the rootfs and the host.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::*;

fn in_root(root: &TempDir) -> Command {
    let mut cmd = boxinit_cmd();
    cmd.arg("--rootfs").arg(root.path());
    cmd
}

/// Replace the directory `name` of the rootfs by a symlink to `target`.
fn make_link(root: &TempDir, name: &str, target: &str) {
    let path = root.path().join(name);
    std::fs::remove_dir(&path).unwrap();
    symlink(target, &path).unwrap();
}

// ---------------------------------------------------------------------------------------
// boxinit's own mount points
// ---------------------------------------------------------------------------------------

#[test]
fn proc_dev_sys_or_mqueue_as_a_symlink_is_refused_with_nothing_mounted_through_it() {
    let cases = [
        ("proc", "tmp/p", "/proc"),
        ("proc", "/tmp/p", "/proc"),
        ("dev", "tmp/p", "/dev"),
        ("sys", "tmp/p", "/sys"),
        ("sys", "/tmp/p", "/sys"),
        ("dev/mqueue", "../tmp/p", "/dev/mqueue"),
    ];
    let before = host_mountinfo();
    for (name, target, shown) in cases {
        let root = busybox_rootfs();
        std::fs::create_dir_all(root.path().join("tmp/p")).unwrap();
        if name == "dev/mqueue" {
            std::fs::create_dir_all(root.path().join("dev/mqueue")).unwrap();
        }
        make_link(&root, name, target);
        let was = tree_listing(root.path());
        let mut cmd = in_root(&root);
        if name == "sys" {
            cmd.arg("--sys");
        }
        if name == "dev/mqueue" {
            cmd.args(["--no-dev", "--mqueue"]);
        }
        let out = run(cmd.args(["--", "/probe", "report"]));
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(125), "{name} -> {target}: {out:?}");
        assert!(out.stdout.is_empty(), "{name} -> {target} ran: {out:?}");
        assert_eq!(
            stderr,
            format!("boxinit: mount point is a symlink: {shown}\n"),
            "{name} -> {target}"
        );
        assert_eq!(
            tree_listing(root.path()),
            was,
            "{name} -> {target}: rootfs changed"
        );
        assert!(dir_entries(&root.path().join("tmp/p")).is_empty());
    }
    assert_eq!(host_mountinfo(), before, "the host's mount table changed");
}

/// Swaps the rootfs's `proc` (a directory) with `other` (a symlink to a decoy directory) as
/// fast as it can, until told to pause or stop; pausing waits for the swap under way.
struct Flipper {
    stop: Arc<AtomicBool>,
    pause: Arc<AtomicBool>,
    swapping: Arc<Mutex<()>>,
    flips: Arc<AtomicUsize>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Flipper {
    fn start(root: &Path) -> Flipper {
        let c = |p: &Path| std::ffi::CString::new(p.as_os_str().as_bytes()).unwrap();
        let (a, b) = (c(&root.join("proc")), c(&root.join("other")));
        let stop = Arc::new(AtomicBool::new(false));
        let pause = Arc::new(AtomicBool::new(false));
        let swapping = Arc::new(Mutex::new(()));
        let flips = Arc::new(AtomicUsize::new(0));
        let (s, p, m, n) = (stop.clone(), pause.clone(), swapping.clone(), flips.clone());
        let thread = std::thread::spawn(move || {
            while !s.load(Ordering::SeqCst) {
                if p.load(Ordering::SeqCst) {
                    std::thread::yield_now();
                    continue;
                }
                let _swap = m.lock().unwrap();
                if p.load(Ordering::SeqCst) {
                    continue;
                }
                // SAFETY: two C strings (the C library lacks a renameat2 wrapper); RENAME_EXCHANGE swaps the two names atomically.
                let done = unsafe {
                    libc::syscall(
                        libc::SYS_renameat2,
                        libc::AT_FDCWD,
                        a.as_ptr(),
                        libc::AT_FDCWD,
                        b.as_ptr(),
                        libc::RENAME_EXCHANGE,
                    )
                };
                assert_eq!(done, 0, "renameat2: {}", std::io::Error::last_os_error());
                n.fetch_add(1, Ordering::Relaxed);
            }
        });
        Flipper {
            stop,
            pause,
            swapping,
            flips,
            thread: Some(thread),
        }
    }

    fn pause(&self) {
        self.pause.store(true, Ordering::SeqCst);
        drop(self.swapping.lock().unwrap());
    }

    fn resume(&self) {
        self.pause.store(false, Ordering::SeqCst);
    }

    fn finish(mut self) -> usize {
        self.stop.store(true, Ordering::SeqCst);
        self.thread.take().unwrap().join().unwrap();
        self.flips.load(Ordering::Relaxed)
    }
}

/// What became of one container started while `proc` kept changing.
#[derive(Default, Debug)]
struct RaceCounts {
    started: usize,
    refused: usize,
    /// Containers where some /proc/sys took a write.
    writable: usize,
    /// Containers whose check found no /proc/sys at all (so proved nothing).
    unseen: usize,
}

/// Start containers while the flipper swaps `proc` between a directory and a link to a
/// decoy, until `limit` containers or `time` have passed. Each command, once running, waits
/// until the flipper is paused, then tries to write kernel/hostname (in its own UTS
/// namespace, with the name it already has) under every place its procfs could be.
fn race_proc_link(limit: usize, time: Duration) -> (RaceCounts, usize) {
    let root = busybox_rootfs();
    std::fs::create_dir_all(root.path().join("tmp/decoy/sys")).unwrap();
    symlink("tmp/decoy", root.path().join("other")).unwrap();
    let check = "echo ready; read go; \
                 for d in /proc /other /tmp/decoy; do \
                   test -e $d/sys/kernel/hostname && echo found; \
                   (echo race > $d/sys/kernel/hostname) 2>/dev/null && echo writable=$d; \
                 done; true";
    let flipper = Flipper::start(root.path());
    let mut counts = RaceCounts::default();
    let deadline = Instant::now() + time;
    while counts.started + counts.refused < limit && Instant::now() < deadline {
        let mut child = in_root(&root)
            .args(["--hostname", "race", "--", "sh", "-c", check])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        stdout.read_line(&mut first).unwrap();
        if first == "ready\n" {
            flipper.pause();
            child.stdin.take().unwrap().write_all(b"go\n").unwrap();
            let mut rest = String::new();
            std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
            flipper.resume();
            let out = child.wait_with_output().unwrap();
            assert!(out.status.success(), "{out:?} {rest}");
            counts.started += 1;
            counts.writable += rest.contains("writable") as usize;
            counts.unseen += !rest.contains("found") as usize;
        } else {
            let out = child.wait_with_output().unwrap();
            let stderr = text(&out.stderr);
            assert_eq!(out.status.code(), Some(125), "{first} {out:?}");
            assert_eq!(stderr, "boxinit: mount point is a symlink: /proc\n");
            counts.refused += 1;
        }
    }
    (counts, flipper.finish())
}

fn assert_no_writable_proc_sys(limit: usize, time: Duration) {
    let (counts, flips) = race_proc_link(limit, time);
    eprintln!("proc link race: {counts:?}, {flips} flips");
    assert!(counts.started > 0 && counts.refused > 0, "{counts:?}");
    assert_eq!(counts.unseen, 0, "{counts:?}");
    assert_eq!(counts.writable, 0, "{counts:?}, {flips} flips");
}

#[test]
fn proc_link_flipping_while_containers_start_never_leaves_proc_sys_writable() {
    assert_no_writable_proc_sys(1000, Duration::from_secs(45));
}

#[test]
#[ignore = "a longer run of the same race: cargo test -- --ignored"]
fn proc_link_flipping_through_10000_starts_never_leaves_proc_sys_writable() {
    assert_no_writable_proc_sys(10_000, Duration::from_secs(600));
}

// ---------------------------------------------------------------------------------------
// Mount steps and --chdir through links
// ---------------------------------------------------------------------------------------

#[test]
fn bind_onto_an_absolute_link_lands_at_its_target_inside_the_root() {
    let root = busybox_rootfs();
    for dir in ["usr/local/foo", "run", "work/real"] {
        std::fs::create_dir_all(root.path().join(dir)).unwrap();
    }
    symlink("/usr/local/foo", root.path().join("usr/local/cow")).unwrap();
    std::fs::write(root.path().join("run/hostname"), "image\n").unwrap();
    symlink("/run/hostname", root.path().join("etc/hostname")).unwrap();
    symlink("/work/real", root.path().join("work/abs")).unwrap();
    let src = TempDir::new("links-src");
    std::fs::write(src.path().join("marker"), "from the host\n").unwrap();
    let file = TempDir::new("links-file");
    std::fs::write(file.path().join("hostname"), "bound\n").unwrap();
    let was = tree_listing(root.path());
    let out = ok(in_root(&root)
        .arg("--bind")
        .arg(format!("{}:/usr/local/cow", src.path().display()))
        .arg("--ro-bind")
        .arg(format!(
            "{}:/etc/hostname",
            file.path().join("hostname").display()
        ))
        .args(["--tmpfs", "/work/abs", "--chdir", "/work/abs", "--"])
        .args([
            "sh",
            "-c",
            "cat /usr/local/foo/marker /run/hostname; pwd; touch t; \
                grep -c ' /work/real ' /proc/self/mountinfo",
        ]));
    assert_eq!(
        text(&out.stdout),
        "from the host\nbound\n/work/real\n1\n",
        "{out:?}"
    );
    // The binds were on the links' targets in the container's mount tree only.
    assert_eq!(tree_listing(root.path()), was, "the rootfs changed");
}

#[test]
fn links_and_dots_that_climb_stay_inside_the_root() {
    let root = busybox_rootfs();
    let outside = TempDir::new("links-outside");
    let name = format!("boxinit-climb-{}", unique());
    symlink("../../../../../../..", root.path().join("up")).unwrap();
    symlink("/../../etc", root.path().join("etc-up")).unwrap();
    symlink(outside.path(), root.path().join("host")).unwrap();
    let src = TempDir::new("links-climb-src");
    std::fs::write(src.path().join("marker"), "bound\n").unwrap();
    let before = host_mountinfo();
    let out = ok(in_root(&root)
        .arg("--bind")
        .arg(format!("{}:/up/{name}", src.path().display()))
        .arg("--bind")
        .arg(format!("{}:/../../../{name}-dots", src.path().display()))
        .args(["--tmpfs", &format!("/etc-up/{name}")])
        .args(["--chdir", "/up/../..", "--"])
        .args([
            "sh",
            "-c",
            &format!(
                "pwd; cat /{name}/marker /{name}-dots/marker; touch /etc/{name}/t && \
             ls -d /etc/{name} /{name}"
            ),
        ]));
    assert_eq!(
        text(&out.stdout),
        format!("/\nbound\nbound\n/{name}\n/etc/{name}\n"),
        "{out:?}"
    );
    // Each mount point was made inside the rootfs, where the link leads in the container (the
    // command listed them there), and removed from it when the container ended.
    for made in [name.clone(), format!("{name}-dots"), format!("etc/{name}")] {
        assert!(
            !root.path().join(&made).exists(),
            "{made} left in the rootfs"
        );
    }
    // And nothing on the host.
    for host in [
        format!("/{name}"),
        format!("/{name}-dots"),
        format!("/etc/{name}"),
    ] {
        assert!(!Path::new(&host).exists(), "{host} made on the host");
    }
    // A link to a host directory names a path in the container, here a missing one: no
    // mount point is made through a link that leads nowhere.
    let out = run(in_root(&root).args(["--tmpfs", &format!("/host/{name}"), "--", "true"]));
    assert_eq!(out.status.code(), Some(125), "{out:?}");
    assert_eq!(
        text(&out.stderr),
        format!("boxinit: mounting on /host/{name}: No such file or directory\n")
    );
    assert!(dir_entries(outside.path()).is_empty(), "written outside");
    assert_eq!(host_mountinfo(), before, "the host's mount table changed");
}
