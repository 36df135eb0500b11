//! Resource limits: boxinit puts the command in a cgroup of its own with the limits
//! asked for, and removes the group when the command has ended, however it ended.
//!
//! This host has cgroup v1 (hybrid), so the limits themselves are tested on v1. cgroup v2 is
//! tested in a private mount namespace where a cgroup2 is mounted at /sys/fs/cgroup: its
//! hierarchy holds no useful controller here, so there it checks the group's life, the
//! cgroup namespace and the clear errors; `v2_checks` runs the limits too where the
//! controllers exist (a qemu guest), given the cgroup root.

mod support;

use std::ffi::CString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use support::*;

// ---------------------------------------------------------------------------------------
// The limits (v1 on this host)
// ---------------------------------------------------------------------------------------

#[test]
fn memory_hog_is_killed_with_one_oom_line() {
    check_oom(&Tree::V1);
}

#[test]
fn memory_hog_in_a_container_is_killed_with_one_oom_line() {
    let name = group_name();
    let root = probe_rootfs();
    let out = run(boxinit_cmd()
        .args(["--memory", "32m", "--cgroup", &name, "--rootfs"])
        .arg(root.path())
        .args(["--", "/probe", "alloc", "64"]));
    assert_oom(&out);
    Tree::V1.assert_gone(&name);
}

#[test]
fn pids_limit_fails_forks_and_boxinit_still_answers() {
    check_pids(&Tree::V1);
}

#[test]
fn cpu_quota_holds_a_busy_loop() {
    check_cpus(&Tree::V1);
}

#[test]
fn every_limit_lands_in_its_v1_file() {
    let name = group_name();
    let mut running = Running::start(
        boxinit_cmd()
            .args(["--memory", "32m", "--memory-swap", "64m", "--cpus", "0.5"])
            .args(["--cgroup", &name])
            .env("BOXINIT_CPU_WEIGHT", "200")
            .env("BOXINIT_PIDS", "16")
            .arg("--")
            .arg(probe())
            .arg("signals"),
    );
    assert_eq!(running.line(), "ready");
    let dirs = Tree::V1.dirs(&name);
    let read = |dir: &Path, file: &str| {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        text.trim().to_owned()
    };
    let (memory, cpu, pids) = (&dirs[0], &dirs[1], &dirs[2]);
    assert_eq!(read(memory, "memory.limit_in_bytes"), "33554432");
    assert_eq!(read(memory, "memory.memsw.limit_in_bytes"), "67108864");
    assert_eq!(read(cpu, "cpu.cfs_period_us"), "100000");
    assert_eq!(read(cpu, "cpu.cfs_quota_us"), "50000");
    assert_eq!(read(cpu, "cpu.shares"), "2048"); // weight 200 is twice the default
    assert_eq!(read(pids, "pids.max"), "16");
    // The command is in every hierarchy's group; boxinit is in none.
    for dir in &dirs {
        let members = read(dir, "cgroup.procs");
        assert_eq!(members, command_pid(running.pid()).to_string(), "{dir:?}");
    }
    running.signal(libc::SIGTERM);
    assert_eq!(running.line(), "signal 15");
    let out = running.finish();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    Tree::V1.assert_gone(&name);
}

#[test]
fn a_name_alone_makes_an_accounting_group() {
    let name = group_name();
    let out = ok(boxinit_cmd()
        .args(["--cgroup", &name, "--"])
        .arg(probe())
        .arg("cgroup"));
    let seen = text(&out.stdout);
    for controller in ["memory", "cpu", "pids"] {
        let own = own_cgroup(controller);
        let want = format!("{}/{name}", own.trim_end_matches('/'));
        assert_eq!(cgroup_of(&seen, controller), want, "{seen}");
    }
    Tree::V1.assert_gone(&name);
}

// ---------------------------------------------------------------------------------------
// The group's life: removed after every kind of end
// ---------------------------------------------------------------------------------------

#[test]
fn group_is_removed_after_sigkill_of_the_command() {
    check_sigkill(&Tree::V1);
}

#[test]
fn group_is_removed_after_failures() {
    check_failures(&Tree::V1);
    // boxinit's own failure after the group was made: a rootfs whose /proc is a file, where
    // the PID namespace's fresh /proc cannot be mounted.
    let name = group_name();
    let empty = TempDir::new("cgroups-empty-root");
    std::fs::write(empty.path().join("proc"), "").unwrap();
    let out = run(boxinit_cmd()
        .args(["--pids", "8", "--cgroup", &name, "--rootfs"])
        .arg(empty.path())
        .args(["--", "/probe"]));
    assert_eq!(out.status.code(), Some(125), "{out:?}");
    assert_one_line(&out, "mounting /proc");
    Tree::V1.assert_gone(&name);
}

#[test]
fn group_is_removed_after_a_pivot_in_the_same_process() {
    // No PID namespace: boxinit itself pivots into the rootfs, where no path leads back to
    // the cgroup tree; it removes the group through descriptors opened before.
    let name = group_name();
    let root = probe_rootfs();
    let out = run(boxinit_cmd()
        .args([
            "--pids",
            "8",
            "--cgroup",
            &name,
            "--unshare",
            "mnt",
            "--rootfs",
        ])
        .arg(root.path())
        .args(["--", "/probe", "exit", "3"]));
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    assert!(out.stderr.is_empty(), "{out:?}");
    Tree::V1.assert_gone(&name);
}

#[test]
fn what_the_command_leaves_in_the_group_is_killed() {
    let name = group_name();
    let out = run(boxinit_cmd()
        .args(["--pids", "8", "--cgroup", &name, "--"])
        .arg(probe())
        .args(["forks", "3"]));
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(text(&out.stdout).trim(), "forked=3 failed=0");
    Tree::V1.assert_gone(&name);
}

// ---------------------------------------------------------------------------------------
// The cgroup namespace
// ---------------------------------------------------------------------------------------

#[test]
fn cgroup_namespace_has_the_group_as_its_root() {
    check_cgroup_namespace(&Tree::V1);
    // In a whole container too: PID 1 inside takes the namespace after moving in.
    let name = group_name();
    let root = probe_rootfs();
    let out = ok(boxinit_cmd()
        .args([
            "--pids",
            "8",
            "--cgroup",
            &name,
            "--unshare",
            "mnt,pid,cgroup",
        ])
        .arg("--rootfs")
        .arg(root.path())
        .args(["--", "/probe", "cgroup"]));
    assert_eq!(cgroup_of(&text(&out.stdout), "pids"), "/", "{out:?}");
    Tree::V1.assert_gone(&name);
}

// ---------------------------------------------------------------------------------------
// Bad input and hosts without a usable cgroup tree: 125, one line, nothing left
// ---------------------------------------------------------------------------------------

#[test]
fn bad_limits_are_125_with_one_line_and_leave_nothing() {
    let name = group_name();
    for (args, says) in [
        (&["--memory", "12q"][..], "invalid --memory"),
        (&["--memory", "1.5g"], "invalid --memory"),
        (&["--memory", "m"], "invalid --memory"),
        (&["--memory", "99999999999t"], "invalid --memory"),
        (&["--memory-swap", "32m"], "--memory-swap needs --memory"),
        (
            &["--memory", "32m", "--memory-swap", "16m"],
            "is less than --memory",
        ),
        (&["--cpus", "half"], "invalid --cpus"),
        (&["--cpus", "1.2.3"], "invalid --cpus"),
        (&["--cpus", "0.000001"], "invalid --cpus"),
        (&["--cpus", "0.001"], "invalid --cpus"),
        (&["--cpu-weight", "10001"], "invalid --cpu-weight"),
        (&["--pids", "many"], "invalid --pids"),
        // Zero and negative values.
        (&["--memory", "0"], "invalid --memory"),
        (&["--memory", "-1m"], "invalid --memory"),
        (&["--cpus", "0"], "invalid --cpus"),
        (&["--cpus", "-0.5"], "invalid --cpus"),
        (&["--cpu-weight", "0"], "invalid --cpu-weight"),
        (&["--pids", "0"], "invalid --pids"),
        (&["--pids", "-1"], "invalid --pids"),
    ] {
        let out = run(boxinit_cmd()
            .args(args)
            .args(["--cgroup", &name, "--"])
            .arg(probe())
            .args(["exit", "0"]));
        assert_eq!(out.status.code(), Some(125), "{args:?}: {out:?}");
        assert_one_line(&out, says);
        Tree::V1.assert_gone(&name);
    }
    // Names the kernel would refuse only once the cgroup is made are refused before.
    for name in ["a/b", "..", "cgroup.procs", "a\nb", &"n".repeat(201), ""] {
        let out = run(boxinit_cmd().args(["--pids", "8", "--cgroup", name, "--", "true"]));
        assert_eq!(out.status.code(), Some(125), "{name:?}: {out:?}");
        let says = match name {
            "" => "--cgroup is empty",
            _ => "invalid --cgroup name",
        };
        assert_one_line(&out, says);
    }
    // The environment's forms are checked the same way.
    let out = run(boxinit_cmd()
        .env("BOXINIT_MEMORY", "lots")
        .args(["--cgroup", &name, "--", "true"]));
    assert_eq!(out.status.code(), Some(125), "{out:?}");
    assert_one_line(&out, "BOXINIT_MEMORY");
    Tree::V1.assert_gone(&name);
}

#[test]
fn an_existing_group_is_refused_and_kept() {
    let name = group_name();
    let taken = Tree::V1.dirs(&name)[2].clone();
    std::fs::create_dir(&taken).unwrap();
    let out = run(boxinit_cmd().args(["--pids", "8", "--cgroup", &name, "--", "true"]));
    let kept = taken.is_dir();
    let _ = std::fs::remove_dir(&taken);
    assert_eq!(out.status.code(), Some(125), "{out:?}");
    assert_one_line(&out, "making cgroup");
    assert!(text(&out.stderr).contains("File exists"), "{out:?}");
    assert!(kept, "boxinit removed a group it did not make");
}

#[test]
fn no_cgroup_mounted_is_125() {
    in_private_mounts(|| {
        mount("tmpfs", "/sys/fs/cgroup", "tmpfs", 0);
        let name = group_name();
        for limit in [&["--memory", "32m"][..], &["--pids", "8"], &["--cpus", "1"]] {
            let out = run(boxinit_cmd()
                .args(limit)
                .args(["--cgroup", &name, "--", "true"]));
            assert_eq!(out.status.code(), Some(125), "{limit:?}: {out:?}");
            assert_one_line(&out, "no cgroup hierarchy at /sys/fs/cgroup/");
            let left = std::fs::read_dir("/sys/fs/cgroup").unwrap().count();
            assert_eq!(left, 0, "boxinit left something in /sys/fs/cgroup");
        }
    });
}

#[test]
fn unwritable_cgroup_tree_is_125_and_leaves_nothing() {
    let name = group_name();
    // A read-only hierarchy, after a writable one was done: what was made is undone.
    in_private_mounts(|| {
        let pids = "/sys/fs/cgroup/pids";
        mount(pids, pids, "", libc::MS_BIND);
        mount(
            "",
            pids,
            "",
            libc::MS_BIND | libc::MS_REMOUNT | libc::MS_RDONLY,
        );
        let out = run(boxinit_cmd().args([
            "--memory", "64m", "--pids", "8", "--cgroup", &name, "--", "true",
        ]));
        assert_eq!(out.status.code(), Some(125), "{out:?}");
        assert_one_line(&out, "making cgroup /sys/fs/cgroup/pids");
        assert!(
            text(&out.stderr).contains("Read-only file system"),
            "{out:?}"
        );
    });
    Tree::V1.assert_gone(&name);
    // Not root: the tree is not delegated to nobody.
    let out = run(Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(boxinit())
        .args(["--pids", "8", "--cgroup", &name, "--", "true"]));
    assert_eq!(out.status.code(), Some(125), "{out:?}");
    assert_one_line(&out, "making cgroup");
    assert!(text(&out.stderr).contains("Permission denied"), "{out:?}");
    Tree::V1.assert_gone(&name);
}

// ---------------------------------------------------------------------------------------
// cgroup v2
// ---------------------------------------------------------------------------------------

#[test]
fn v2_in_a_private_cgroup2_mount() {
    in_private_mounts(|| {
        mount("none", "/sys/fs/cgroup", "cgroup2", 0);
        v2_checks(Path::new("/sys/fs/cgroup"));
    });
}

/// Everything cgroup v2 can show where its tree is mounted at `root` (/sys/fs/cgroup, where
/// boxinit looks): the group's life, cgroup.procs, the namespace view, and each limit where
/// its controller is available (a qemu guest), or a clear 125 where it is not (this host).
pub fn v2_checks(root: &Path) {
    let tree = Tree::V2(root.to_owned());
    check_failures(&tree);
    check_sigkill(&tree);
    check_cgroup_namespace(&tree);

    // The command, and only it, is in the group, which is under the caller's own.
    let name = group_name();
    let out = ok(boxinit_cmd()
        .args(["--cgroup", &name, "--"])
        .arg(probe())
        .arg("cgroup"));
    let want = format!("{}/{name}", own_cgroup("").trim_end_matches('/'));
    assert_eq!(cgroup_of(&text(&out.stdout), ""), want, "{out:?}");
    tree.assert_gone(&name);

    let available = std::fs::read_to_string(root.join("cgroup.controllers")).unwrap();
    let has = |c: &str| available.split_whitespace().any(|a| a == c);
    if has("memory") {
        check_oom(&tree);
    }
    if has("pids") {
        check_pids(&tree);
    }
    if has("cpu") {
        check_cpus(&tree);
    }
    for (limit, controller) in [
        ("--memory", "memory"),
        ("--pids", "pids"),
        ("--cpus", "cpu"),
    ] {
        if has(controller) {
            continue;
        }
        let value = if limit == "--memory" { "64m" } else { "1" };
        let out = run(boxinit_cmd().args([limit, value, "--cgroup", &name, "--", "true"]));
        assert_eq!(out.status.code(), Some(125), "{limit}: {out:?}");
        assert_one_line(
            &out,
            &format!("cgroup controller not available: {controller}"),
        );
        tree.assert_gone(&name);
    }
}

// ---------------------------------------------------------------------------------------
// Checks shared by v1 and v2
// ---------------------------------------------------------------------------------------

/// `--memory 32m` and a probe that touches 64 MiB: killed, 137, one line that says why.
fn check_oom(tree: &Tree) {
    let name = group_name();
    let out = run(boxinit_cmd()
        .args(["--memory", "32m", "--cgroup", &name, "--"])
        .arg(probe())
        .args(["alloc", "64"]));
    assert_oom(&out);
    tree.assert_gone(&name);
}

/// `--pids 16` and a probe that forks 64 times: forks fail past the limit, and boxinit,
/// whose group is not the limited one, still passes signals on.
fn check_pids(tree: &Tree) {
    let name = group_name();
    let mut running = Running::start(
        boxinit_cmd()
            .args(["--pids", "16", "--cgroup", &name, "--"])
            .arg(probe())
            .args(["forks", "64", "--then", "signals"]),
    );
    // The probe and 15 children make 16.
    assert_eq!(running.line(), "forked=15 failed=49");
    assert_eq!(running.line(), "ready");
    running.signal(libc::SIGUSR1);
    assert_eq!(running.line(), "signal 10");
    running.signal(libc::SIGTERM);
    assert_eq!(running.line(), "signal 15");
    let out = running.finish();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(out.stderr.is_empty(), "{out:?}");
    tree.assert_gone(&name);
}

/// `--cpus 0.2` and a busy loop for 2 s: it gets 0.15-0.30 of the wall time, and the kernel
/// says it throttled the group (on a loaded machine the share alone could be that low).
fn check_cpus(tree: &Tree) {
    let name = group_name();
    let mut running = Running::start(
        boxinit_cmd()
            .args(["--cpus", "0.2", "--cgroup", &name, "--"])
            .arg(probe())
            .args(["spin", "2", "--then", "signals"]),
    );
    let spun = running.line();
    assert_eq!(running.line(), "ready");
    let dir = &tree.dirs(&name)[tree.cpu_index()];
    let stat = std::fs::read_to_string(dir.join("cpu.stat")).unwrap();
    running.signal(libc::SIGTERM);
    assert_eq!(running.line(), "signal 15");
    let out = running.finish();
    assert_eq!(out.status.code(), Some(0), "{out:?}");

    let number = |text: &str, key: &str| -> f64 {
        let field = text.split_whitespace().skip_while(|f| *f != key).nth(1);
        field
            .unwrap_or_else(|| panic!("no {key} in {text}"))
            .parse()
            .unwrap()
    };
    let spun = spun.replace('=', " ");
    let share = number(&spun, "cpu_ms") / number(&spun, "wall_ms");
    assert!((0.15..=0.30).contains(&share), "CPU share {share}: {spun}");
    assert!(number(&stat, "nr_throttled") > 0.0, "{stat}");
    tree.assert_gone(&name);
}

/// SIGKILL of the command: boxinit exits 137 and the group is gone.
fn check_sigkill(tree: &Tree) {
    let name = group_name();
    let mut running = Running::start(
        boxinit_cmd()
            .args(["--cgroup", &name, "--"])
            .arg(probe())
            .arg("signals"),
    );
    assert_eq!(running.line(), "ready");
    let dir = &tree.dirs(&name)[0];
    let members = std::fs::read_to_string(dir.join("cgroup.procs")).unwrap();
    let command = command_pid(running.pid());
    assert_eq!(members.trim(), command.to_string(), "{dir:?}");
    kill(command, libc::SIGKILL);
    let out = running.finish();
    assert_eq!(out.status.code(), Some(137), "{out:?}");
    tree.assert_gone(&name);
}

/// The command fails (not found, not executable, an exit status): the group goes anyway.
fn check_failures(tree: &Tree) {
    let name = group_name();
    for (command, want) in [("/nonexistent/command", 127), ("/etc/passwd", 126)] {
        let out = run(boxinit_cmd().args(["--cgroup", &name, "--", command]));
        assert_eq!(out.status.code(), Some(want), "{command}: {out:?}");
        tree.assert_gone(&name);
    }
    let out = run(boxinit_cmd()
        .args(["--cgroup", &name, "--"])
        .arg(probe())
        .args(["die", "15"]));
    assert_eq!(out.status.code(), Some(143), "{out:?}");
    tree.assert_gone(&name);
}

/// With `--unshare cgroup` the command sees its group as the root.
fn check_cgroup_namespace(tree: &Tree) {
    let name = group_name();
    let out = ok(boxinit_cmd()
        .args(["--cgroup", &name, "--unshare", "cgroup", "--"])
        .arg(probe())
        .arg("cgroup"));
    let controller = tree.controller();
    assert_eq!(cgroup_of(&text(&out.stdout), controller), "/", "{out:?}");
    tree.assert_gone(&name);
}

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// Where groups are: v1's hierarchies on this host, or a v2 tree mounted at a root.
enum Tree {
    V1,
    V2(PathBuf),
}

impl Tree {
    /// The directories group `name` has (or would have): v1's memory, cpu and pids ones.
    fn dirs(&self, name: &str) -> Vec<PathBuf> {
        match self {
            Tree::V1 => ["memory", "cpu", "pids"]
                .iter()
                .map(|c| under(&Path::new("/sys/fs/cgroup").join(c), &own_cgroup(c)).join(name))
                .collect(),
            Tree::V2(root) => vec![under(root, &own_cgroup("")).join(name)],
        }
    }

    /// Which of `dirs` is the cpu controller's.
    fn cpu_index(&self) -> usize {
        match self {
            Tree::V1 => 1,
            Tree::V2(_) => 0,
        }
    }

    /// The controller field of /proc/self/cgroup lines for the group's hierarchy.
    fn controller(&self) -> &'static str {
        match self {
            Tree::V1 => "memory",
            Tree::V2(_) => "",
        }
    }

    #[track_caller]
    fn assert_gone(&self, name: &str) {
        for dir in self.dirs(name) {
            assert!(!dir.exists(), "{} is left behind", dir.display());
        }
    }
}

fn under(root: &Path, path: &str) -> PathBuf {
    root.join(path.trim_start_matches('/'))
}

/// The test's own group in the hierarchy of `controller` ("" for v2), from /proc/self/cgroup.
fn own_cgroup(controller: &str) -> String {
    cgroup_of(
        &std::fs::read_to_string("/proc/self/cgroup").unwrap(),
        controller,
    )
}

/// In /proc/PID/cgroup text, the path for `controller` ("" for the v2 line).
fn cgroup_of(text: &str, controller: &str) -> String {
    text.lines()
        .find_map(|line| {
            let mut fields = line.splitn(3, ':');
            let (id, controllers, path) = (fields.next()?, fields.next()?, fields.next()?);
            let found = if controller.is_empty() {
                id == "0" && controllers.is_empty()
            } else {
                controllers.split(',').any(|c| c == controller)
            };
            found.then(|| path.to_owned())
        })
        .unwrap_or_else(|| panic!("no {controller:?} line in:\n{text}"))
}

/// A group name no other test uses.
fn group_name() -> String {
    format!("boxinit-test-{}", unique())
}

/// The one child of boxinit `pid`: the command, in plain supervision.
fn command_pid(boxinit: i32) -> i32 {
    let kids = children(boxinit);
    assert_eq!(kids.len(), 1, "children of boxinit: {kids:?}");
    kids[0]
}

#[track_caller]
fn assert_oom(out: &Output) {
    assert_eq!(out.status.code(), Some(137), "{out:?}");
    assert!(!text(&out.stdout).contains("allocated"), "{out:?}");
    assert_one_line(
        out,
        "out of memory: the kernel's OOM killer ended a process of cgroup",
    );
}

/// stderr is one line, boxinit's, holding `what`.
#[track_caller]
fn assert_one_line(out: &Output, what: &str) {
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{out:?}");
    assert!(
        stderr.starts_with("boxinit: ") && stderr.contains(what),
        "{out:?}"
    );
}

/// Run `f` on a thread of its own in a private mount namespace (a thread's mount namespace
/// is its own to change, and what it starts inherits it): the host's mounts stay as they are,
/// and the namespace goes with the thread.
fn in_private_mounts(f: impl FnOnce() + Send) {
    std::thread::scope(|scope| {
        let thread = scope.spawn(|| {
            // SAFETY: no pointers.
            let r = unsafe { libc::unshare(libc::CLONE_NEWNS) };
            assert_eq!(r, 0, "unshare: {}", std::io::Error::last_os_error());
            mount("none", "/", "", libc::MS_REC | libc::MS_PRIVATE);
            f();
        });
        if let Err(panic) = thread.join() {
            std::panic::resume_unwind(panic);
        }
    });
}

#[track_caller]
fn mount(source: &str, target: &str, fstype: &str, flags: libc::c_ulong) {
    let c = |s: &str| CString::new(s).unwrap();
    let (source, target, fstype) = (c(source), c(target), c(fstype));
    let fstype_ptr = if fstype.is_empty() {
        std::ptr::null()
    } else {
        fstype.as_ptr()
    };
    // SAFETY: C strings or null, as mount(2) takes them.
    let r = unsafe {
        libc::mount(
            source.as_ptr(),
            target.as_ptr(),
            fstype_ptr,
            flags,
            std::ptr::null(),
        )
    };
    assert_eq!(
        r,
        0,
        "mount {target:?}: {}",
        std::io::Error::last_os_error()
    );
}
