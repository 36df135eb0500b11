//! The container's file system: the container's /dev, its hardened /proc, /sys and
//! mqueue, the mount steps (--bind, --ro-bind, --tmpfs), the root's shape (--ro, --volatile,
//! --chroot) and --chdir. Every test runs the real binary as root with real mounts, and looks
//! both at what the command saw and at what the host has afterwards.

mod support;

use std::collections::BTreeMap;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::Command;
use support::*;

// ---------------------------------------------------------------------------------------
// /dev
// ---------------------------------------------------------------------------------------

#[test]
fn dev_null_is_a_device_and_nothing_reaches_the_rootfs() {
    let root = busybox_rootfs();
    let script = "test -c /dev/null && echo null=char; echo lost > /dev/null; \
                  for d in zero full random urandom tty; do test -c /dev/$d || echo missing $d; done; \
                  stat -c %t:%T /dev/null; for l in fd stdin ptmx; do readlink /dev/$l; done; \
                  test -d /dev/shm && touch /dev/shm/x && echo shm=ok; \
                  head -c 4 /dev/zero | od -An -tx1";
    let out = ok(in_root(&root).args(["--", "sh", "-c", script]));
    assert_eq!(
        text(&out.stdout),
        "null=char\n1:3\n/proc/self/fd\n/proc/self/fd/0\npts/ptmx\nshm=ok\n 00 00 00 00\n"
    );
    // The rootfs's /dev is as it was: empty.
    assert_eq!(dir_entries(&root.path().join("dev")), Vec::<String>::new());
}

#[test]
fn busybox_runs_a_background_job() {
    // busybox sh gives a background job /dev/null as its stdin; without a /dev it fails.
    let root = busybox_rootfs();
    let out = ok(in_root(&root).args(["--", "sh", "-c", "sleep 1 & wait; echo done"]));
    assert_eq!(text(&out.stdout), "done\n");
}

#[test]
fn a_pty_works_on_a_devpts_of_its_own() {
    let root = busybox_rootfs();
    let out = ok(in_root(&root).args(["--", "/probe", "pty"]));
    // A new devpts instance: the first terminal in it, whatever the host has open.
    assert_eq!(text(&out.stdout), "pty=ok /dev/pts/0\n");
}

#[test]
fn no_dev_leaves_dev_alone() {
    let root = busybox_rootfs();
    for args in [&["--no-dev"][..], &[]] {
        let mut cmd = in_root(&root);
        cmd.args(args).args([
            "--",
            "sh",
            "-c",
            "cut -d' ' -f5 /proc/self/mountinfo | grep -c ^/dev",
        ]);
        if args.is_empty() {
            cmd.env("BOXINIT_NO_DEV", "1");
        }
        let out = run(&mut cmd);
        assert_eq!(text(&out.stdout), "0\n", "{args:?}: {out:?}");
    }
    // BOXINIT_NO_DEV and --dev ask for opposite things: refused, as both options would be,
    // not settled by where each came from.
    let out = run(in_root(&root).env("BOXINIT_NO_DEV", "1").args([
        "--dev",
        "--",
        "test",
        "-c",
        "/dev/null",
    ]));
    assert_eq!(exit_code(out.status), 125);
    let line = "boxinit: BOXINIT_NO_DEV contradicts --dev\n";
    assert_eq!(text(&out.stderr), line);
}

#[test]
fn devices_are_bound_from_the_host_when_they_cannot_be_made() {
    // As in a user namespace: mknod fails with EPERM (forced here by strace), so each node
    // is the host's, bind-mounted.
    let root = busybox_rootfs();
    let script = "stat -c '%n %F %t:%T' /dev/null /dev/tty /dev/urandom; \
                  echo gone > /dev/null; grep -c ' /dev/null ' /proc/self/mountinfo";
    let out = ok(Command::new("strace")
        .args(["-f", "-qq", "-o", "/dev/null", "-e", "trace=mknodat"])
        .args(["-e", "inject=mknodat:error=EPERM"])
        .arg(boxinit())
        .arg("--rootfs")
        .arg(root.path())
        .args(["--", "sh", "-c", script]));
    assert_eq!(
        text(&out.stdout),
        "/dev/null character special file 1:3\n/dev/tty character special file 5:0\n\
         /dev/urandom character special file 1:9\n1\n"
    );
    assert_eq!(dir_entries(&root.path().join("dev")), Vec::<String>::new());
}

// ---------------------------------------------------------------------------------------
// /proc, /sys, mqueue
// ---------------------------------------------------------------------------------------

#[test]
fn proc_is_masked_and_read_only_where_it_shows_the_host() {
    let root = busybox_rootfs();
    // What this kernel has of the masked files, each with something in it on the host.
    let shows_something = |f: &&str| match *f {
        "kcore" => Path::new("/proc/kcore").exists(),
        f => !std::fs::read(format!("/proc/{f}"))
            .unwrap_or_default()
            .is_empty(),
    };
    let masked: Vec<&str> = [
        "kcore",
        "keys",
        "timer_list",
        "sched_debug",
        "latency_stats",
    ]
    .into_iter()
    .filter(shows_something)
    .collect();
    assert!(!masked.is_empty(), "nothing to mask on this kernel");
    let mut script = String::new();
    for f in &masked {
        script += &format!("echo {f}=$(cat /proc/{f} | wc -c); ");
    }
    script += "ls /proc/acpi 2>/dev/null | wc -l; \
               (echo x > /proc/sys/kernel/hostname) 2>/dev/null || echo sys=read-only; \
               cat /proc/sys/kernel/hostname; \
               (echo 1 > /proc/sysrq-trigger) 2>/dev/null || echo sysrq=refused";
    let out = ok(in_root(&root)
        .args(["--hostname", "fs-box", "--", "sh", "-c"])
        .arg(&script));
    let stdout = text(&out.stdout);
    let mut want: String = masked.iter().map(|f| format!("{f}=0\n")).collect();
    want += "0\nsys=read-only\nfs-box\nsysrq=refused\n";
    assert_eq!(stdout, want);
}

#[test]
fn sys_is_read_only_with_firmware_masked_and_mqueue_is_mounted() {
    let root = busybox_rootfs();
    let script = "test -d /sys/kernel && echo sys=there; touch /sys/x 2>/dev/null || echo sys=ro; \
                  cut -d' ' -f5,6 /proc/self/mountinfo | grep '^/sys '; \
                  grep -o ' /dev/mqueue .* mqueue ' /proc/self/mountinfo | cut -d' ' -f2; \
                  echo firmware=$(ls -A /sys/firmware | wc -l); \
                  touch /sys/firmware/x 2>/dev/null || echo firmware=ro";
    let out = ok(in_root(&root).args(["--sys", "--mqueue", "--", "sh", "-c", script]));
    // The host's firmware tables are there to hide.
    assert!(!dir_entries(Path::new("/sys/firmware")).is_empty());
    assert_eq!(
        text(&out.stdout),
        "sys=there\nsys=ro\n/sys ro,nosuid,nodev,noexec,relatime\n/dev/mqueue\n\
         firmware=0\nfirmware=ro\n"
    );
    // Without them, neither.
    let out = ok(in_root(&root).args([
        "--",
        "sh",
        "-c",
        "ls /sys | wc -l; test -e /dev/mqueue || echo none",
    ]));
    assert_eq!(text(&out.stdout), "0\nnone\n");
}

// ---------------------------------------------------------------------------------------
// Mount steps
// ---------------------------------------------------------------------------------------

#[test]
fn bind_writes_are_seen_on_the_host() {
    let root = busybox_rootfs();
    let shared = TempDir::new("fs-shared");
    std::fs::write(shared.path().join("in"), "from host\n").unwrap();
    let before = dir_entries(root.path());
    let out = ok(in_root(&root)
        .arg("--bind")
        .arg(format!("{}:/mnt/shared", shared.path().display()))
        .args([
            "--",
            "sh",
            "-c",
            "cat /mnt/shared/in; echo from box > /mnt/shared/out",
        ]));
    assert_eq!(text(&out.stdout), "from host\n");
    assert_eq!(
        std::fs::read_to_string(shared.path().join("out")).unwrap(),
        "from box\n"
    );
    // The mount point was made inside the rootfs, and removed again when the container ended.
    assert_eq!(dir_entries(root.path()), before);
}

#[test]
fn ro_bind_and_ro_are_not_writable() {
    let root = busybox_rootfs();
    let src = TempDir::new("fs-src");
    std::fs::write(src.path().join("code"), "fn main() {}\n").unwrap();
    let single = src.path().join("code");
    let script = "cat /src/code; touch /src/new 2>/dev/null || echo src=ro; \
                  (echo x >> /one) 2>/dev/null || echo file=ro; \
                  touch /root/new 2>/dev/null || echo root=ro; \
                  touch /out/new && echo out=rw; touch /dev/shm/x && echo shm=rw";
    let out = ok(in_root(&root)
        .args(["--ro", "--tmpfs", "/out"])
        .arg("--ro-bind")
        .arg(format!("{}:/src", src.path().display()))
        .arg("--ro-bind")
        .arg(format!("{}:/one", single.display()))
        .args(["--", "sh", "-c", script]));
    assert_eq!(
        text(&out.stdout),
        "fn main() {}\nsrc=ro\nfile=ro\nroot=ro\nout=rw\nshm=rw\n"
    );
    assert_eq!(dir_entries(src.path()), ["code"]);
    assert_eq!(std::fs::read_to_string(&single).unwrap(), "fn main() {}\n");
}

#[test]
fn steps_run_in_command_line_order() {
    // A tmpfs over /data, then a bind into it: the bind is on top, inside the tmpfs.
    let root = busybox_rootfs();
    let src = TempDir::new("fs-order");
    std::fs::write(src.path().join("f"), "bound\n").unwrap();
    let bind = format!("{}:/data/b", src.path().display());
    let out = ok(in_root(&root)
        .args(["--tmpfs", "/data", "--bind", &bind])
        .args(["--", "sh", "-c", "cat /data/b/f; ls /data"]));
    assert_eq!(text(&out.stdout), "bound\nb\n");
    // The other way round, the tmpfs hides the bind.
    let out = ok(in_root(&root)
        .args(["--bind", &bind, "--tmpfs", "/data"])
        .args(["--", "sh", "-c", "ls /data | wc -l"]));
    assert_eq!(text(&out.stdout), "0\n");
}

#[test]
fn tmpfs_takes_a_size() {
    let root = busybox_rootfs();
    let script = "grep -o ' /small .*' /proc/self/mountinfo | grep -o 'size=[^,]*'; \
                  dd if=/dev/zero of=/small/f bs=1k count=2048 2>/dev/null || echo full; \
                  dd if=/dev/zero of=/big/f bs=1k count=2048 2>/dev/null && echo fits; \
                  stat -c %a /small";
    let out = ok(in_root(&root)
        .args(["--tmpfs", "/small:1m", "--tmpfs", "/big"])
        .args(["--", "sh", "-c", script]));
    assert_eq!(text(&out.stdout), "size=1024k\nfull\nfits\n1777\n");
}

#[test]
fn environment_forms_build_the_same_container() {
    let root = busybox_rootfs();
    let a = TempDir::new("fs-env-a");
    let b = TempDir::new("fs-env-b");
    std::fs::write(a.path().join("f"), "a\n").unwrap();
    std::fs::write(b.path().join("f"), "b\n").unwrap();
    let script = "cat /a/f /b/f; touch /b/x 2>/dev/null || echo b=ro; pwd; \
                  grep -o ' /t1 .*' /proc/self/mountinfo | grep -o 'size=[^,]*'; test -d /t2 && echo t2";
    let out = ok(boxinit_cmd()
        .env("BOXINIT_ROOTFS", root.path())
        .env("BOXINIT_BIND", format!("{}:/a", a.path().display()))
        .env("BOXINIT_RO_BIND", format!("{}:/b", b.path().display()))
        .env("BOXINIT_TMPFS", "/t1:64k,/t2")
        .env("BOXINIT_CHDIR", "/t2")
        .args(["--", "sh", "-c", script]));
    assert_eq!(text(&out.stdout), "a\nb\nb=ro\n/t2\nsize=64k\nt2\n");
    // A comma on the command line is part of the path, not a separator.
    let out = run(in_root(&root).args(["--tmpfs", "/x,/y", "--", "sh", "-c", "ls -d /x,"]));
    assert_eq!(text(&out.stdout), "/x,\n", "{out:?}");
}

// ---------------------------------------------------------------------------------------
// The root: --volatile, --chroot, --chdir
// ---------------------------------------------------------------------------------------

#[test]
fn volatile_leaves_the_rootfs_byte_identical() {
    let root = busybox_rootfs();
    std::fs::write(root.path().join("etc/motd"), "pristine\n").unwrap();
    let before = tree_digest(root.path());
    let script = "echo changed > /etc/motd; rm /bin/ls; mkdir -p /new/dir; echo x > /new/dir/f; \
                  chmod 700 /etc; cat /etc/motd; test -e /bin/ls || echo ls=gone";
    for _ in 0..2 {
        let out = ok(in_root(&root).args(["--volatile", "--", "sh", "-c", script]));
        // Each run starts from the pristine rootfs and sees its own writes.
        assert_eq!(text(&out.stdout), "changed\nls=gone\n");
    }
    assert_eq!(tree_digest(root.path()), before, "the rootfs changed");
    // Control: without --volatile the same writes do change it.
    ok(in_root(&root).args(["--", "sh", "-c", script]));
    assert_ne!(tree_digest(root.path()), before);
}

#[test]
fn chroot_instead_of_pivot_root() {
    let root = probe_rootfs();
    let out = ok(boxinit_cmd()
        .arg("--rootfs")
        .arg(root.path())
        .args(["--chroot", "--", "/probe", "report"]));
    let report = text(&out.stdout);
    assert_eq!(report_value(&report, "pid"), "2", "{report}");
    assert_eq!(report_value(&report, "cwd"), "/", "{report}");
    assert_eq!(report_value(&report, "comm1"), "boxinit", "{report}");
    // A busybox shell cannot climb out either.
    let bb = busybox_rootfs();
    let out = ok(boxinit_cmd().arg("--rootfs").arg(bb.path()).args([
        "--chroot",
        "--",
        "sh",
        "-c",
        "cd /../../..; ls / | sort | tr '\\n' ' '",
    ]));
    let mut want = dir_entries(bb.path()).join(" ");
    want.push(' ');
    assert_eq!(text(&out.stdout), want);
}

#[test]
fn chdir_starts_the_command_there() {
    let root = busybox_rootfs();
    std::fs::create_dir_all(root.path().join("work/sub")).unwrap();
    let out = ok(in_root(&root).args(["--chdir", "/work/sub", "--", "pwd"]));
    assert_eq!(text(&out.stdout), "/work/sub\n");
    // Relative to the container's root, and through a symlink that stays inside.
    std::os::unix::fs::symlink("work", root.path().join("w")).unwrap();
    let out = ok(in_root(&root).args(["--chdir", "w/sub", "--", "pwd"]));
    assert_eq!(text(&out.stdout), "/work/sub\n");
    // Without a rootfs, in a mount namespace of its own.
    let dir = TempDir::new("fs-chdir");
    let out = ok(boxinit_cmd()
        .args(["--unshare", "mnt", "--chdir"])
        .arg(dir.path())
        .args(["--", "pwd"]));
    assert_eq!(text(&out.stdout).trim(), dir.path().to_str().unwrap());
}

// ---------------------------------------------------------------------------------------
// Bad input, and the host's mount table
// ---------------------------------------------------------------------------------------

#[test]
fn bad_input_is_125_with_one_line_and_nothing_left_behind() {
    let root = busybox_rootfs();
    let src = TempDir::new("fs-bad-src");
    let src = src.path().to_str().unwrap().to_owned();
    let missing = format!("{src}/missing");
    let cases: Vec<(Vec<String>, &str, String)> = vec![
        (
            args(&["--bind", &format!("{missing}:/m")]),
            "opening bind source",
            missing.clone(),
        ),
        (
            args(&["--ro-bind", &missing]),
            "opening bind source",
            missing.clone(),
        ),
        (
            args(&["--chdir", "/nowhere"]),
            "No such file",
            "/nowhere".into(),
        ),
        (
            args(&["--chdir", "/bin/busybox"]),
            "Not a directory",
            "/bin/busybox".into(),
        ),
        (args(&["--chdir", ""]), "--chdir is empty", String::new()),
        (
            args(&["--tmpfs", "/t:lots"]),
            "invalid --tmpfs",
            "/t:lots".into(),
        ),
        (
            args(&["--tmpfs", "/t:0"]),
            "invalid --tmpfs (a size of 0 is no limit to the kernel): /t:0",
            "/t:0".into(),
        ),
        (args(&["--bind", ":/x"]), "invalid --bind", ":/x".into()),
    ];
    let before = host_mountinfo();
    for (extra, problem, subject) in &cases {
        let out = run(in_root(&root).args(extra).args(["--", "/probe", "report"]));
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(125), "{extra:?}: {out:?}");
        assert!(out.stdout.is_empty(), "{extra:?} ran the command: {out:?}");
        assert_eq!(stderr.lines().count(), 1, "{extra:?}: {stderr}");
        assert!(
            stderr.starts_with("boxinit: ")
                && stderr.contains(problem)
                && stderr.contains(subject.as_str()),
            "{extra:?}: {stderr:?} does not name {problem:?} {subject:?}"
        );
    }
    // Options that need a rootfs, or a mount namespace, say so before doing anything.
    for (extra, problem) in [
        (&["--volatile"][..], "--volatile applies to containers only"),
        (&["--unshare", "mnt", "--volatile"], "needs --rootfs"),
        (&["--unshare", "mnt", "--chroot"], "needs --rootfs"),
        (
            &["--bind", "/tmp:/tmp"],
            "--bind applies to containers only",
        ),
        (
            &["--unshare", "uts", "--bind", "/tmp:/tmp"],
            "--bind needs the mnt namespace",
        ),
        (
            &["--unshare", "uts", "--ro"],
            "--ro needs the mnt namespace",
        ),
        (
            &["--join-mnt", "/proc/self/ns/mnt", "--tmpfs", "/tmp"],
            "--tmpfs contradicts --join-mnt",
        ),
    ] {
        let out = run(boxinit_cmd()
            .args(extra)
            .arg("--")
            .arg(probe())
            .arg("report"));
        assert_eq!(out.status.code(), Some(125), "{extra:?}: {out:?}");
        assert!(text(&out.stderr).contains(problem), "{extra:?}: {out:?}");
    }
    assert_eq!(host_mountinfo(), before, "the host's mount table changed");
}

#[test]
fn host_mount_table_is_unchanged_after_100_runs() {
    let root = busybox_rootfs();
    let src = TempDir::new("fs-100");
    let bind = format!("{}:/src", src.path().display());
    let before = host_mountinfo();
    for i in 0..100 {
        let mut cmd = in_root(&root);
        cmd.args([
            "--ro-bind",
            &bind,
            "--tmpfs",
            "/scratch:1m",
            "--sys",
            "--mqueue",
        ]);
        if i % 2 == 1 {
            cmd.arg("--volatile");
        }
        let out = run(cmd.args(["--", "/probe", "exit", "0"]));
        assert_eq!(out.status.code(), Some(0), "run {i}: {out:?}");
    }
    assert_eq!(host_mountinfo(), before, "the host's mount table changed");
}

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// `boxinit --rootfs ROOT`, options to follow.
fn in_root(root: &TempDir) -> Command {
    let mut cmd = boxinit_cmd();
    cmd.arg("--rootfs").arg(root.path());
    cmd
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// Everything about a tree that a write could change: for each path, its type, mode, owner,
/// size, modification time and content (or link target).
fn tree_digest(root: &Path) -> BTreeMap<String, String> {
    let mut digest = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(path) = stack.pop() {
        let meta = std::fs::symlink_metadata(&path).unwrap();
        let kind = meta.file_type();
        let content = if kind.is_symlink() {
            std::fs::read_link(&path).unwrap().display().to_string()
        } else if kind.is_file() {
            format!("{:?}", std::fs::read(&path).unwrap())
        } else if kind.is_dir() {
            for entry in std::fs::read_dir(&path).unwrap() {
                stack.push(entry.unwrap().path());
            }
            dir_entries(&path).join("/")
        } else {
            format!("special {}", kind.is_char_device())
        };
        let key = path.strip_prefix(root).unwrap().display().to_string();
        let mode = meta.permissions().mode();
        let value = format!(
            "{mode:o} {}:{} {} {} {content}",
            meta.uid(),
            meta.gid(),
            meta.len(),
            meta.mtime_nsec() + meta.mtime() * 1_000_000_000
        );
        digest.insert(key, value);
    }
    digest
}
