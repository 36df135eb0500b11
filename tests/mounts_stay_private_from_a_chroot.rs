//! boxinit started inside a chroot, where `/` is a directory of some mount rather than a mount
//! of its own: the container still gets a private mount tree, with or without a rootfs, and
//! nothing mounted inside reaches the mount table it was started from. That table is a mount
//! namespace of the test's own, made shared, as systemd makes a host's: were the container's
//! tree not private, its mounts would show there.

mod support;

use std::process::Command;
use support::*;

/// A busybox root to chroot into, with boxinit as /boxinit, a /dev/null (as a chroot made
/// for work has; /proc is masked with it) and a second busybox root at /rootfs.
fn chroot_dir() -> TempDir {
    let root = busybox_rootfs();
    let dir = root.path();
    std::fs::copy(boxinit(), dir.join("boxinit")).unwrap();
    let made = run(Command::new("mknod")
        .args(["-m", "666"])
        .arg(dir.join("dev/null"))
        .args(["c", "1", "3"]));
    assert!(made.status.success(), "{}", text(&made.stderr));
    std::fs::create_dir_all(dir.join("rootfs/tmp")).unwrap();
    let copied = run(Command::new("cp")
        .arg("-a")
        .arg(dir.join("bin"))
        .arg(dir.join("rootfs")));
    assert!(copied.status.success(), "{}", text(&copied.stderr));
    root
}

/// Run `script` (sh) in a shared mount namespace of its own, with $CHROOT the directory; its
/// mount table (mountinfo: mounts and their propagation) must be the same after as before,
/// the run must succeed quietly, and the chroot's own /tmp stay empty. Returns its stdout.
#[track_caller]
fn in_shared_namespace(root: &TempDir, script: &str) -> String {
    let wrapped = format!(
        r#"before=$(cat /proc/self/mountinfo)
        case $before in *shared:*) ;; *) echo "the namespace is not shared" >&2; exit 90;; esac
        {script}
        status=$?
        after=$(cat /proc/self/mountinfo)
        [ "$before" = "$after" ] || {{
            printf 'mount table changed from:\n%s\nto:\n%s\n' "$before" "$after" >&2; exit 91; }}
        exit $status"#
    );
    let out = run(Command::new("unshare")
        .args(["--mount", "--propagation", "shared", "sh", "-c", &wrapped])
        .env("CHROOT", root.path()));
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(exit_code(out.status), 0, "{stdout}{stderr}");
    assert_eq!(stderr, "");
    assert_eq!(dir_entries(&root.path().join("tmp")), Vec::<String>::new());
    stdout
}

/// What the command does in each run: mount a tmpfs, write in it, and show it is there.
const MOUNT_INSIDE: &str = "mount -t tmpfs none /tmp && touch /tmp/inside && ls /tmp";

#[test]
fn unshare_mnt_and_pid_works_in_a_chroot_and_leaks_no_mount() {
    let script = format!(
        "chroot \"$CHROOT\" /boxinit --unshare mnt,pid --cap-add SYS_ADMIN -- \
         sh -c '{MOUNT_INSIDE} && echo pid=$$'"
    );
    assert_eq!(
        in_shared_namespace(&chroot_dir(), &script),
        "inside\npid=2\n"
    );
}

#[test]
fn a_chroot_keeps_its_working_directory_in_the_container() {
    let script = format!(
        "chroot \"$CHROOT\" sh -c 'cd /rootfs/bin && exec /boxinit --unshare mnt \
         --cap-add SYS_ADMIN -- sh -c \"pwd; {MOUNT_INSIDE}\"'"
    );
    assert_eq!(
        in_shared_namespace(&chroot_dir(), &script),
        "/rootfs/bin\ninside\n"
    );
}

#[test]
fn rootfs_pivots_and_chroots_from_inside_a_chroot() {
    let root = chroot_dir();
    for how in ["", "--chroot"] {
        let script = format!(
            "chroot \"$CHROOT\" /boxinit --unshare mnt,pid --cap-add SYS_ADMIN \
             --rootfs rootfs {how} -- sh -c '{MOUNT_INSIDE}; test -e /boxinit || echo in-rootfs'"
        );
        assert_eq!(
            in_shared_namespace(&root, &script),
            "inside\nin-rootfs\n",
            "{how}"
        );
    }
}
