//! What `--boot --switch-root` does to the root it leaves. Only the kernel's initramfs may be
//! emptied (the qemu boots in tests/boots_as_the_kernels_init.rs show that it is); any other old
//! root keeps every file, and boxinit says in one line that it kept them. Each test runs boxinit as
//! PID 1 of a PID namespace whose root is a real file system (an ext4 disk image on a loop device,
//! a tmpfs), inside a mount namespace of the test's own, and compares a listing of that root, with
//! checksums, taken before and after.

mod support;

use std::path::Path;
use std::process::Command;
use support::*;

const KEPT: &str = "boxinit: not an initramfs: the old root keeps its files\n";

/// An old root: busybox, files of the caller's in a deep directory, a symlink that leads to
/// the new root, a hard link, and a busybox root in /newroot to switch to (with the mount
/// points a boot needs there, or `bare` of them).
fn old_root(bare: bool) -> TempDir {
    let root = busybox_rootfs();
    let dir = root.path();
    for d in ["run", "oldroot", "data/deep/deeper"] {
        std::fs::create_dir_all(dir.join(d)).unwrap();
    }
    std::fs::write(dir.join("data/deep/deeper/letter"), "the caller's words\n").unwrap();
    std::fs::hard_link(dir.join("data/deep/deeper/letter"), dir.join("data/link")).unwrap();
    std::os::unix::fs::symlink("/newroot/marker", dir.join("data/to-new-root")).unwrap();
    std::fs::copy(boxinit(), dir.join("boxinit")).unwrap();
    let new = dir.join("newroot");
    std::fs::create_dir(&new).unwrap();
    let copied = run(Command::new("cp").arg("-a").arg(dir.join("bin")).arg(&new));
    assert!(copied.status.success(), "{}", text(&copied.stderr));
    for d in ["dev", "proc", "sys", "run", "tmp"]
        .iter()
        .filter(|_| !bare)
    {
        std::fs::create_dir(new.join(d)).unwrap();
    }
    std::fs::write(new.join("marker"), "the new root\n").unwrap();
    root
}

/// In a mount namespace of its own, with `mount_it` (shell) putting the old root at $ROOT:
/// a listing of $ROOT with checksums, then `enter` (shell) runs `"$@"`, which is
/// `boxinit --boot --switch-root /newroot`, as PID 1 of a new PID namespace; then the listing
/// again, which must be the same, and the switch must have gone on, with one line saying the
/// files were kept.
#[track_caller]
fn switch_keeps_every_file(source: &Path, mount_it: &str, enter: &str) {
    let work = TempDir::new("switch-root");
    let root = work.path().join("root");
    std::fs::create_dir(&root).unwrap();
    let script = format!(
        r#"set -e
        {mount_it}
        list() {{ cd "$ROOT" && find . -xdev -printf '%y %m %U:%G %n %s %l %p\n' | sort &&
                  find . -xdev -type f -exec sha256sum {{}} + | sort; }}
        list >"$WORK/before"
        set +e
        unshare --pid --fork --mount sh -c "$ENTER" enter \
            /boxinit --boot --switch-root /newroot -- /bin/sh -c 'cat /marker; exit 7' \
            >"$WORK/stdout" 2>"$WORK/stderr"
        echo $? >"$WORK/status"
        list >"$WORK/after"
        "#
    );
    let out = run(Command::new("unshare")
        .args(["--mount", "--propagation", "private", "sh", "-c", &script])
        .env("ROOT", &root)
        .env("SOURCE", source)
        .env("ENTER", enter)
        .env("WORK", work.path()));
    assert!(out.status.success(), "{out:?}");
    let read = |name: &str| std::fs::read_to_string(work.path().join(name)).unwrap();
    let (before, after, stderr) = (read("before"), read("after"), read("stderr"));
    let lost: Vec<&str> = before.lines().filter(|l| !after.contains(l)).collect();
    assert!(lost.is_empty(), "lost or changed:\n{}", lost.join("\n"));
    assert!(
        before.contains("data/deep/deeper/letter") && before.contains("newroot/marker"),
        "the listing does not list the root:\n{before}"
    );
    assert_eq!(before, after, "the old root changed");
    assert_eq!(read("status"), "7\n", "{stderr}");
    assert_eq!(read("stdout"), "the new root\n", "{stderr}");
    assert_eq!(stderr, format!("{KEPT}boxinit: exit status 7\n"));
}

#[test]
fn an_ext4_root_keeps_every_file_and_the_switch_goes_on() {
    let source = old_root(false);
    let image = TempDir::new("switch-root-image");
    let image = image.path().join("root.img");
    ext4_image(source.path(), &image);
    // The disk is `/` of the namespace, a mount root, as a real disk root is.
    switch_keeps_every_file(
        source.path(),
        &format!("mount -o loop {} \"$ROOT\"", image.display()),
        r#"cd "$ROOT" && pivot_root . oldroot && umount -l /oldroot && exec "$@""#,
    );
}

#[test]
fn a_tmpfs_root_of_a_container_is_no_initramfs_and_keeps_every_file() {
    // A tmpfs, as a container's root often is, entered by chroot: in memory, and still not
    // the kernel's initramfs.
    let source = old_root(false);
    switch_keeps_every_file(
        source.path(),
        "mount -t tmpfs none \"$ROOT\" && cp -a \"$SOURCE/.\" \"$ROOT\"",
        r#"exec chroot "$ROOT" "$@""#,
    );
}

#[test]
fn mount_points_made_in_the_new_root_are_removed_at_the_end() {
    // A new root without /dev, /proc, /sys, /run and /tmp: the boot makes them to mount
    // there, and removes them again once it is over (the listing covers the new root too).
    let source = old_root(true);
    switch_keeps_every_file(
        source.path(),
        "mount -t tmpfs none \"$ROOT\" && cp -a \"$SOURCE/.\" \"$ROOT\"",
        r#"exec chroot "$ROOT" "$@""#,
    );
}
