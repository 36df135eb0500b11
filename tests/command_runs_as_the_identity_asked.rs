//! Identity: user namespaces and id maps, --user and --groups, capabilities,
//! no_new_privs and rlimits. Tests run the real binary as root and as a real unprivileged
//! user made for the test (useradd, with a subordinate id range; userdel afterwards), and
//! read what the command is from /proc/self/status inside (`probe status`) and what the
//! files it made are from the host.

mod support;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;
use support::*;

/// crun's default capability set, as /proc/self/status shows it.
const DEFAULT_CAPS: &str = "00000000a80425fb";
const NO_CAPS: &str = "0000000000000000";

// ---------------------------------------------------------------------------------------
// A real unprivileged user, and boxinit where it can run it
// ---------------------------------------------------------------------------------------

/// useradd and userdel lock /etc/passwd: one at a time within this test binary.
static ACCOUNTS: Mutex<()> = Mutex::new(());

/// A user made for one test, with its subordinate uid and gid ranges; removed when dropped.
struct TestUser {
    name: String,
    uid: u32,
    gid: u32,
    subuid: (u32, u32),
    subgid: (u32, u32),
}

impl TestUser {
    fn new() -> TestUser {
        let name = format!("bxid{}", unique().replace('-', "x"));
        let _lock = ACCOUNTS.lock().unwrap_or_else(|e| e.into_inner());
        // Debian's passwd package makes these; a machine without them gets empty ones.
        for file in ["/etc/subuid", "/etc/subgid"] {
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(file)
                .unwrap();
        }
        let out = run(Command::new("useradd").args(["-M", "-s", "/bin/sh", &name]));
        assert!(out.status.success(), "useradd: {out:?}");
        let mut user = TestUser {
            uid: id_of(&name, "-u"),
            gid: id_of(&name, "-g"),
            name,
            subuid: (0, 0),
            subgid: (0, 0),
        };
        // Debian's useradd gives new users ranges when /etc/subuid exists; make sure.
        if subids("/etc/subuid", &user.name).is_none() {
            let start = 1_000_000_000 + (user.uid % 40_000) * 65_536;
            let range = format!("{start}-{}", start + 65_535);
            let out = run(Command::new("usermod").args([
                "--add-subuids",
                &range,
                "--add-subgids",
                &range,
                &user.name,
            ]));
            assert!(out.status.success(), "usermod: {out:?}");
        }
        user.subuid = subids("/etc/subuid", &user.name).unwrap();
        user.subgid = subids("/etc/subgid", &user.name).unwrap();
        user
    }

    /// Run `args` as this user (real and effective ids, its groups), from `dir`.
    fn command(&self, dir: &Path, args: &[&str]) -> Command {
        let mut cmd = Command::new("setpriv");
        cmd.arg(format!("--reuid={}", self.uid))
            .arg(format!("--regid={}", self.gid))
            .args(["--init-groups", "--"])
            .args(args)
            .current_dir(dir);
        cmd
    }

    /// Take away its subordinate ranges.
    fn drop_subids(&self) {
        let (u, g) = (self.subuid, self.subgid);
        let out = run(Command::new("usermod").args([
            "--del-subuids",
            &format!("{}-{}", u.0, u.0 + u.1 - 1),
            "--del-subgids",
            &format!("{}-{}", g.0, g.0 + g.1 - 1),
            &self.name,
        ]));
        assert!(out.status.success(), "usermod: {out:?}");
    }
}

impl Drop for TestUser {
    fn drop(&mut self) {
        let _lock = ACCOUNTS.lock().unwrap_or_else(|e| e.into_inner());
        let _ = run(Command::new("userdel").arg(&self.name));
    }
}

fn id_of(name: &str, flag: &str) -> u32 {
    let out = run(Command::new("id").args([flag, name]));
    text(&out.stdout).trim().parse().unwrap()
}

/// The first range of `name` in /etc/subuid or /etc/subgid.
fn subids(file: &str, name: &str) -> Option<(u32, u32)> {
    let text = std::fs::read_to_string(file).unwrap_or_default();
    text.lines().find_map(|line| {
        let f: Vec<&str> = line.split(':').collect();
        (f.len() == 3 && f[0] == name).then(|| (f[1].parse().unwrap(), f[2].parse().unwrap()))
    })
}

/// boxinit copied where anyone may run it (the build tree may be closed).
struct Bins {
    dir: TempDir,
}

impl Bins {
    fn new() -> Bins {
        let dir = TempDir::new("bins");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let dest = dir.path().join("boxinit");
        std::fs::copy(boxinit(), &dest).unwrap();
        std::fs::set_permissions(&dest, std::fs::Permissions::from_mode(0o755)).unwrap();
        Bins { dir }
    }

    fn boxinit(&self) -> String {
        self.dir.path().join("boxinit").display().to_string()
    }
}

/// A busybox rootfs whose files belong to `owner` (uid, gid), as one the caller unpacked.
fn rootfs_owned_by(owner: (u32, u32)) -> TempDir {
    let root = busybox_rootfs();
    let spec = format!("{}:{}", owner.0, owner.1);
    let out = run(Command::new("chown").args(["-R", &spec]).arg(root.path()));
    assert!(out.status.success(), "chown: {out:?}");
    root
}

/// A busybox rootfs with an `app` user (1000, in groups app and audio) and a world-writable
/// /tmp.
fn rootfs_with_accounts() -> TempDir {
    let root = busybox_rootfs();
    std::fs::write(
        root.path().join("etc/passwd"),
        "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:App:/home/app:/bin/sh\n",
    )
    .unwrap();
    std::fs::write(
        root.path().join("etc/group"),
        "root:x:0:\naudio:x:29:pulse,app\napp:x:1000:\nstaff:x:50:\n",
    )
    .unwrap();
    std::fs::set_permissions(
        root.path().join("tmp"),
        std::fs::Permissions::from_mode(0o1777),
    )
    .unwrap();
    root
}

fn owner_of(path: PathBuf) -> (u32, u32) {
    let meta = std::fs::metadata(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (meta.uid(), meta.gid())
}

/// Run and insist on exit 0.
#[track_caller]
fn ok(cmd: &mut Command) -> Output {
    let out = run(cmd);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    out
}

/// `probe status` under boxinit with `args` (the probe at `/probe` in `rootfs`, or the host's).
#[track_caller]
fn status_of(args: &[&str], rootfs: Option<&Path>) -> String {
    let mut cmd = Command::new(boxinit());
    if let Some(root) = rootfs {
        cmd.arg("--rootfs").arg(root);
    }
    cmd.args(args).arg("--");
    match rootfs {
        Some(_) => cmd.arg("/probe"),
        None => cmd.arg(probe()),
    };
    text(&ok(cmd.arg("status")).stdout)
}

fn value<'a>(status: &'a str, key: &str) -> &'a str {
    report_value(status, key)
}

/// As `user`, `boxinit --rootfs ROOT ARGS...`, which must succeed.
fn rootless_ok(user: &TestUser, root: &TempDir, args: &[&str]) -> Output {
    let bins = Bins::new();
    let boxinit = bins.boxinit();
    let mut argv = vec![boxinit.as_str(), "--rootfs", root.path().to_str().unwrap()];
    argv.extend_from_slice(args);
    ok(&mut user.command(bins.dir.path(), &argv))
}

// ---------------------------------------------------------------------------------------
// Rootless: an unprivileged user's container
// ---------------------------------------------------------------------------------------

#[test]
fn rootless_shell_is_root_inside_and_the_caller_on_the_host() {
    let user = TestUser::new();
    let root = rootfs_owned_by((user.uid, user.gid));
    let out = rootless_ok(
        &user,
        &root,
        &[
            "--",
            "sh",
            "-c",
            "id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map; echo $$; touch /tmp/made",
        ],
    );
    let stdout = text(&out.stdout);
    let lines: Vec<Vec<&str>> = stdout
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    let (uid, gid) = (user.uid.to_string(), user.gid.to_string());
    assert_eq!(lines[0], ["0"], "{stdout}");
    assert_eq!(lines[1], ["0"], "{stdout}");
    assert_eq!(lines[2], ["0", uid.as_str(), "1"], "{stdout}");
    assert_eq!(lines[3], ["0", gid.as_str(), "1"], "{stdout}");
    assert_eq!(lines[4], ["2"], "not PID 2 of its own namespace:\n{stdout}");
    assert_eq!(owner_of(root.path().join("tmp/made")), (user.uid, user.gid));
}

#[test]
fn rootless_sys_is_the_hosts_bound_read_only_with_firmware_masked() {
    // A user namespace without a network namespace of its own may not mount sysfs.
    let user = TestUser::new();
    let root = rootfs_owned_by((user.uid, user.gid));
    let script = "test -d /sys/kernel && echo sys=there; touch /sys/x 2>/dev/null || echo sys=ro; \
                  echo firmware=$(ls -A /sys/firmware | wc -l); \
                  touch /sys/firmware/x 2>/dev/null || echo firmware=ro; \
                  echo writable=$(awk '$5 ~ \"^/sys\" && $6 !~ \"^ro,\"' /proc/self/mountinfo | wc -l); \
                  echo mounts=$(grep -c ' /sys' /proc/self/mountinfo)";
    let out = rootless_ok(&user, &root, &["--sys", "--", "sh", "-c", script]);
    let stdout = text(&out.stdout);
    assert!(!dir_entries(Path::new("/sys/firmware")).is_empty());
    assert!(
        stdout.starts_with("sys=there\nsys=ro\nfirmware=0\nfirmware=ro\nwritable=0\n"),
        "{stdout}"
    );
    // The host's /sys with what is mounted below it (its cgroups), all of it read-only.
    let mounts: usize = report_value(&stdout, "mounts").parse().unwrap();
    assert!(mounts > 2, "{stdout}");
}

#[test]
fn rootless_uid_and_gid_pick_the_ids_inside() {
    let user = TestUser::new();
    let root = rootfs_owned_by((user.uid, user.gid));
    let out = rootless_ok(
        &user,
        &root,
        &["--uid", "1000", "--gid", "1001", "--", "/probe", "status"],
    );
    let status = text(&out.stdout);
    assert_eq!(value(&status, "uid"), "1000 1000 1000 1000", "{status}");
    assert_eq!(value(&status, "gid"), "1001 1001 1001 1001", "{status}");
    // Not root inside: no capabilities, whatever boxinit holds in the namespace.
    for key in ["capprm", "capeff", "capamb"] {
        assert_eq!(value(&status, key), NO_CAPS, "{status}");
    }
    assert_eq!(value(&status, "nonewprivs"), "1", "{status}");
}

#[test]
fn subuid_ranges_are_mapped_through_newuidmap() {
    let user = TestUser::new();
    let root = rootfs_owned_by((user.uid, user.gid));
    let out = rootless_ok(
        &user,
        &root,
        &[
            "--map-users",
            "auto",
            "--map-groups",
            "auto",
            "--",
            "sh",
            "-c",
            "cat /proc/self/uid_map /proc/self/gid_map; touch /tmp/mine /tmp/app; \
             chown 1000:1000 /tmp/app",
        ],
    );
    let stdout = text(&out.stdout);
    let maps: Vec<Vec<u32>> = stdout
        .lines()
        .map(|l| l.split_whitespace().map(|n| n.parse().unwrap()).collect())
        .collect();
    let (su, sg) = (user.subuid, user.subgid);
    assert_eq!(
        maps,
        [
            vec![0, user.uid, 1],
            vec![1, su.0, su.1],
            vec![0, user.gid, 1],
            vec![1, sg.0, sg.1]
        ],
        "{stdout}"
    );
    assert_eq!(owner_of(root.path().join("tmp/mine")), (user.uid, user.gid));
    // 1000 inside is the 1000th id of the range (1 is its first).
    assert_eq!(
        owner_of(root.path().join("tmp/app")),
        (su.0 + 999, sg.0 + 999)
    );

    // With ranges, --user can be anyone in them: here 1000 of the rootfs's /etc/passwd.
    let tmp = root.path().join("tmp");
    std::fs::set_permissions(tmp, std::fs::Permissions::from_mode(0o1777)).unwrap();
    std::fs::write(
        root.path().join("etc/passwd"),
        "root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n",
    )
    .unwrap();
    let out = rootless_ok(
        &user,
        &root,
        &[
            "--map-users=auto",
            "--map-groups=auto",
            "--user=app",
            "--",
            "sh",
            "-c",
            "id -u; id -G; echo $HOME; touch /tmp/byapp",
        ],
    );
    assert_eq!(text(&out.stdout), "1000\n1000\n/home/app\n", "{out:?}");
    assert_eq!(
        owner_of(root.path().join("tmp/byapp")),
        (su.0 + 999, sg.0 + 999)
    );
}

#[test]
fn rootless_map_within_the_subuid_range_is_allowed() {
    let user = TestUser::new();
    let su = user.subuid;
    let root = rootfs_owned_by((user.uid, user.gid));
    let out = rootless_ok(
        &user,
        &root,
        &[
            &format!("--map-uid=0:{}:1,1:{}:10", user.uid, su.0 + 5),
            &format!("--map-gid=0:{}:1", user.gid),
            "--",
            "sh",
            "-c",
            "cat /proc/self/uid_map; touch /tmp/x; chown 3 /tmp/x",
        ],
    );
    let uid_map: Vec<Vec<u32>> = text(&out.stdout)
        .lines()
        .map(|l| l.split_whitespace().map(|n| n.parse().unwrap()).collect())
        .collect();
    assert_eq!(uid_map, [vec![0, user.uid, 1], vec![1, su.0 + 5, 10]]);
    // 3 inside is the third id of that range.
    assert_eq!(owner_of(root.path().join("tmp/x")), (su.0 + 7, user.gid));
}

#[test]
fn maps_the_caller_may_not_use_are_refused() {
    let user = TestUser::new();
    let bins = Bins::new();
    let root = rootfs_owned_by((user.uid, user.gid));
    let rootfs = root.path().to_str().unwrap();
    let outside = format!("0:{}:1", user.subuid.0 + user.subuid.1);
    for map in [
        "--map-uid=0:0:1",
        "--map-gid=0:0:1",
        &format!("--map-uid={outside}"),
    ] {
        let out = run(&mut user.command(
            bins.dir.path(),
            &[&bins.boxinit(), "--rootfs", rootfs, map, "--", "true"],
        ));
        assert_one_line_125(&out, "not allowed", map);
    }
    // Without subordinate ranges, auto has nothing to map.
    user.drop_subids();
    let out = run(&mut user.command(
        bins.dir.path(),
        &[
            &bins.boxinit(),
            "--rootfs",
            rootfs,
            "--map-users=auto",
            "--",
            "true",
        ],
    ));
    assert_one_line_125(&out, "/etc/subuid", "--map-users auto without ranges");
}

#[test]
fn missing_newuidmap_is_a_clear_failure() {
    let user = TestUser::new();
    let bins = Bins::new();
    let root = rootfs_owned_by((user.uid, user.gid));
    // The helpers out of sight: a tmpfs over /usr/bin in a mount namespace of the test's.
    let script = r#"mount -t tmpfs none /usr/bin && exec /usr/sbin/runuser -u "$USERNAME" -- \
        "$BOXINIT" --rootfs "$ROOT" --map-users auto -- true"#;
    let out = run(Command::new("unshare")
        .args(["--mount", "sh", "-c", script])
        .env("USERNAME", &user.name)
        .env("BOXINIT", bins.boxinit())
        .env("ROOT", root.path())
        .current_dir(bins.dir.path()));
    assert_one_line_125(&out, "/usr/bin/newuidmap", "newuidmap hidden");
}

#[test]
fn root_gives_explicit_ranges() {
    let root = rootfs_with_accounts();
    let out = ok(Command::new(boxinit())
        .arg("--rootfs")
        .arg(root.path())
        .args([
            "--map-uid",
            "0:3000000:1000",
            "--map-uid=1000:3100000:10",
            "--map-gid=0:3000000:2000",
            "--",
            "sh",
            "-c",
            "cat /proc/self/uid_map; touch /tmp/r; touch /tmp/a; chown 1005:1500 /tmp/a",
        ]));
    let stdout = text(&out.stdout);
    let maps: Vec<Vec<u32>> = stdout
        .lines()
        .map(|l| l.split_whitespace().map(|n| n.parse().unwrap()).collect())
        .collect();
    assert_eq!(
        maps,
        [vec![0, 3000000, 1000], vec![1000, 3100000, 10]],
        "{stdout}"
    );
    assert_eq!(owner_of(root.path().join("tmp/r")), (3000000, 3000000));
    assert_eq!(owner_of(root.path().join("tmp/a")), (3100005, 3001500));
}

#[test]
fn root_with_unshare_all_is_root_in_a_one_id_user_namespace() {
    let root = probe_rootfs();
    let status = status_of(&["--unshare", "all"], Some(root.path()));
    assert_eq!(value(&status, "uid"), "0 0 0 0", "{status}");
    assert_eq!(value(&status, "capbnd"), DEFAULT_CAPS, "{status}");
    let out = ok(Command::new(boxinit())
        .args(["--unshare", "all", "--rootfs"])
        .arg(root.path())
        .args(["--", "/probe", "report"]));
    assert_eq!(report_value(&text(&out.stdout), "pid"), "2");
}

// ---------------------------------------------------------------------------------------
// --user and --groups
// ---------------------------------------------------------------------------------------

#[test]
fn user_in_a_container_from_the_rootfs_accounts() {
    let root = rootfs_with_accounts();
    for user in ["app", "1000"] {
        let status = status_of(&["--user", user], Some(root.path()));
        assert_eq!(value(&status, "uid"), "1000 1000 1000 1000", "{status}");
        assert_eq!(value(&status, "gid"), "1000 1000 1000 1000", "{status}");
        assert_eq!(value(&status, "groups"), "29 1000", "{status}");
        assert_eq!(value(&status, "home"), "/home/app", "{status}");
        for key in ["capinh", "capprm", "capeff", "capamb"] {
            assert_eq!(value(&status, key), NO_CAPS, "{key}: {status}");
        }
        assert_eq!(value(&status, "capbnd"), DEFAULT_CAPS, "{status}");
        assert_eq!(value(&status, "nonewprivs"), "1", "{status}");
    }
}

#[test]
fn user_group_and_groups_by_name_and_number() {
    let root = rootfs_with_accounts();
    let status = status_of(
        &["--user", "app:staff", "--groups", "audio,7"],
        Some(root.path()),
    );
    assert_eq!(value(&status, "uid"), "1000 1000 1000 1000", "{status}");
    assert_eq!(value(&status, "gid"), "50 50 50 50", "{status}");
    assert_eq!(value(&status, "groups"), "7 29", "{status}");
    // A number without an entry: group 0 and home /, as Docker and gosu do.
    let status = status_of(&["--user", "4242"], Some(root.path()));
    assert_eq!(value(&status, "uid"), "4242 4242 4242 4242", "{status}");
    assert_eq!(value(&status, "gid"), "0 0 0 0", "{status}");
    assert_eq!(value(&status, "groups"), "0", "{status}");
    assert_eq!(value(&status, "home"), "/", "{status}");
    let status = status_of(&["--user", "4242:4343"], Some(root.path()));
    assert_eq!(value(&status, "gid"), "4343 4343 4343 4343", "{status}");
}

#[test]
fn user_without_namespaces_does_what_gosu_does() {
    let user = TestUser::new();
    let before = text(&ok(Command::new(probe()).arg("status")).stdout);
    let status = status_of(&["--user", &user.name], None);
    let (uid, gid) = (user.uid.to_string(), user.gid.to_string());
    assert_eq!(
        value(&status, "uid"),
        [uid.as_str(); 4].join(" "),
        "{status}"
    );
    assert_eq!(
        value(&status, "gid"),
        [gid.as_str(); 4].join(" "),
        "{status}"
    );
    assert_eq!(value(&status, "groups"), gid, "{status}");
    // useradd -M leaves the home in passwd, made or not.
    assert_eq!(value(&status, "home"), format!("/home/{}", user.name));
    for key in ["capinh", "capprm", "capeff", "capamb"] {
        assert_eq!(value(&status, key), NO_CAPS, "{key}: {status}");
    }
    // Like gosu, nothing else changes: the bounding set, no_new_privs, limits.
    for key in ["capbnd", "nonewprivs", "rlimit_nofile", "rlimit_core"] {
        assert_eq!(value(&status, key), value(&before, key), "{key}: {status}");
    }
    // And its name for an id the host knows only by number.
    let status = status_of(&["--user", &format!("{uid}:{gid}")], None);
    assert_eq!(value(&status, "home"), format!("/home/{}", user.name));
}

#[test]
fn plain_supervision_changes_nothing() {
    let direct = text(&ok(Command::new(probe()).arg("status")).stdout);
    let supervised = status_of(&[], None);
    assert_eq!(supervised, direct);
}

// ---------------------------------------------------------------------------------------
// Capabilities and no_new_privs
// ---------------------------------------------------------------------------------------

#[test]
fn root_in_a_container_keeps_the_default_set() {
    let root = probe_rootfs();
    let status = status_of(&[], Some(root.path()));
    assert_eq!(value(&status, "uid"), "0 0 0 0", "{status}");
    for key in ["capprm", "capeff", "capbnd"] {
        assert_eq!(value(&status, key), DEFAULT_CAPS, "{key}: {status}");
    }
    assert_eq!(value(&status, "capinh"), NO_CAPS, "{status}");
    assert_eq!(value(&status, "capamb"), NO_CAPS, "{status}");
    assert_eq!(value(&status, "nonewprivs"), "1", "{status}");
    // And boxinit, PID 1 there, keeps what it had to supervise.
    let out = ok(Command::new(boxinit())
        .arg("--rootfs")
        .arg(root.path())
        .args(["--", "/probe", "report"]));
    assert_eq!(report_value(&text(&out.stdout), "comm1"), "boxinit");
}

#[test]
fn cap_add_and_drop_shape_every_set() {
    let root = probe_rootfs();
    let status = status_of(
        &["--cap-drop", "all", "--cap-add", "net_admin,CAP_SYS_TIME"],
        Some(root.path()),
    );
    let want = format!("{:016x}", 1u64 << 12 | 1 << 25);
    for key in ["capprm", "capeff", "capbnd"] {
        assert_eq!(value(&status, key), want, "{key}: {status}");
    }
    let status = status_of(
        &["--cap-drop=chown", "--cap-drop=kill", "--allow-new-privs"],
        Some(root.path()),
    );
    let want = format!("{:016x}", 0xa80425fbu64 & !(1 | 1 << 5));
    assert_eq!(value(&status, "capbnd"), want, "{status}");
    assert_eq!(value(&status, "nonewprivs"), "0", "{status}");
    // Without a container, only what was asked: everything the host had but net_raw.
    let host = text(&ok(Command::new(probe()).arg("status")).stdout);
    let host = u64::from_str_radix(value(&host, "capbnd"), 16).unwrap();
    let status = status_of(&["--cap-drop", "NET_RAW"], None);
    let want = format!("{:016x}", host & !(1 << 13));
    for key in ["capprm", "capeff", "capbnd"] {
        assert_eq!(value(&status, key), want, "{key}: {status}");
    }
    assert_eq!(value(&status, "nonewprivs"), "0", "{status}");
}

#[test]
fn cap_add_reaches_a_non_root_user_as_ambient() {
    let root = rootfs_with_accounts();
    let status = status_of(
        &["--user", "app", "--cap-add", "net_bind_service"],
        Some(root.path()),
    );
    assert_eq!(value(&status, "uid"), "1000 1000 1000 1000", "{status}");
    let want = format!("{:016x}", 1u64 << 10);
    for key in ["capinh", "capprm", "capeff", "capamb"] {
        assert_eq!(value(&status, key), want, "{key}: {status}");
    }
}

#[test]
fn no_new_privs_keeps_a_setuid_binary_from_gaining() {
    let root = rootfs_with_accounts();
    // A setuid-root copy of the probe: with no_new_privs the exec gains nothing.
    let suid = root.path().join("probe-suid");
    std::fs::copy(root.path().join("probe"), &suid).unwrap();
    std::fs::set_permissions(&suid, std::fs::Permissions::from_mode(0o4755)).unwrap();
    let status = status_of(&["--user", "app"], Some(root.path()));
    assert_eq!(value(&status, "nonewprivs"), "1");
    let out = ok(Command::new(boxinit())
        .arg("--rootfs")
        .arg(root.path())
        .args(["--user", "app", "--", "/probe-suid", "status"]));
    let status = text(&out.stdout);
    assert_eq!(value(&status, "uid"), "1000 1000 1000 1000", "{status}");
    // Control: without it, the setuid bit works (the effective id becomes 0).
    let out = ok(Command::new(boxinit())
        .arg("--rootfs")
        .arg(root.path())
        .args([
            "--user",
            "app",
            "--allow-new-privs",
            "--",
            "/probe-suid",
            "status",
        ]));
    let status = text(&out.stdout);
    assert_eq!(value(&status, "uid"), "1000 0 0 0", "{status}");
}

// ---------------------------------------------------------------------------------------
// Resource limits
// ---------------------------------------------------------------------------------------

#[test]
fn rlimits_with_and_without_a_container() {
    let root = probe_rootfs();
    for rootfs in [None, Some(root.path())] {
        let status = status_of(
            &[
                "--rlimit",
                "NOFILE=100:200",
                "--rlimit=core=0,RLIMIT_CPU=unlimited",
                "--rlimit",
                "fsize=1000000",
            ],
            rootfs,
        );
        assert_eq!(value(&status, "rlimit_nofile"), "100:200", "{status}");
        assert_eq!(value(&status, "rlimit_core"), "0:0", "{status}");
        assert_eq!(value(&status, "rlimit_cpu"), "unlimited:unlimited");
        assert_eq!(value(&status, "rlimit_fsize"), "1000000:1000000");
    }
    // boxinit itself keeps its own limits: only the command's are set.
    let out = ok(Command::new(boxinit())
        .args(["--rlimit", "NOFILE=50", "--", "sh", "-c"])
        .arg("grep 'Max open files' /proc/$PPID/limits"));
    assert!(!text(&out.stdout).contains(" 50 "), "{out:?}");
}

#[test]
fn rlimit_hard_limits_cannot_be_raised() {
    // Past the kernel's nr_open, NOFILE is refused even with CAP_SYS_RESOURCE (before the
    // command starts).
    let out = run(Command::new(boxinit())
        .args(["--rlimit", "NOFILE=unlimited", "--"])
        .arg(probe())
        .arg("status"));
    let says = "--rlimit NOFILE=unlimited is above the kernel's fs.nr_open";
    assert_one_line_125(&out, says, "NOFILE=unlimited");
}

// ---------------------------------------------------------------------------------------
// The environment forms and bad input
// ---------------------------------------------------------------------------------------

#[test]
fn every_option_has_an_environment_form() {
    let root = rootfs_with_accounts();
    let out = ok(Command::new(boxinit())
        .arg("--rootfs")
        .arg(root.path())
        .env("BOXINIT_USER", "app:staff")
        .env("BOXINIT_GROUPS", "audio")
        .env("BOXINIT_CAP_DROP", "all")
        .env("BOXINIT_CAP_ADD", "kill")
        .env("BOXINIT_ALLOW_NEW_PRIVS", "1")
        .env("BOXINIT_RLIMIT", "NOFILE=64,CORE=0")
        .env("BOXINIT_MAP_UID", "0:3000000:2000")
        .env("BOXINIT_MAP_GID", "0:3000000:2000")
        .args(["--", "/probe", "status"]));
    let status = text(&out.stdout);
    assert_eq!(value(&status, "uid"), "1000 1000 1000 1000", "{status}");
    assert_eq!(value(&status, "gid"), "50 50 50 50", "{status}");
    assert_eq!(value(&status, "groups"), "29", "{status}");
    assert_eq!(value(&status, "capbnd"), format!("{:016x}", 1 << 5));
    assert_eq!(value(&status, "capamb"), format!("{:016x}", 1 << 5));
    assert_eq!(value(&status, "nonewprivs"), "0", "{status}");
    assert_eq!(value(&status, "rlimit_nofile"), "64:64", "{status}");

    let probe_root = probe_rootfs();
    let out = ok(Command::new(boxinit())
        .arg("--rootfs")
        .arg(probe_root.path())
        .env("BOXINIT_UID", "7")
        .env("BOXINIT_GID", "8")
        .env("BOXINIT_UNSHARE", "user,mnt,pid")
        .args(["--", "/probe", "status"]));
    let status = text(&out.stdout);
    assert_eq!(value(&status, "uid"), "7 7 7 7", "{status}");
    assert_eq!(value(&status, "gid"), "8 8 8 8", "{status}");
}

#[track_caller]
fn assert_one_line_125(out: &Output, says: &str, what: &str) {
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(125), "{what}: {out:?}");
    assert_eq!(stderr.lines().count(), 1, "{what}: {stderr}");
    assert!(stderr.starts_with("boxinit: "), "{what}: {stderr}");
    assert!(stderr.contains(says), "{what}: {stderr}");
}

#[test]
fn bad_input_is_125_and_one_line() {
    let root = rootfs_with_accounts();
    let rootfs = root.path().to_str().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &["--cap-add", "bogus"],
            "invalid --cap-add (unknown capability): bogus",
        ),
        (&["--cap-drop", "net_raw,"], "--cap-drop has an empty item"),
        (&["--rlimit", "NOFILE"], "invalid --rlimit"),
        (&["--rlimit", "NOFILE=10:5"], "invalid --rlimit"),
        (&["--rlimit", "BOGUS=1"], "invalid --rlimit"),
        (&["--rlimit", "NOFILE=1k"], "invalid --rlimit"),
        (&["--map-uid", "0:1000"], "invalid --map-uid"),
        (&["--map-gid", "0:1000:0"], "invalid --map-gid"),
        (&["--map-uid", "x:1:1"], "invalid --map-uid"),
        (&["--map-uid", "0:1:2,1:9:1"], "invalid --map-uid"),
        (
            &[
                "--map-uid",
                "0:1:1,1:2:1,2:3:1,3:4:1,4:5:1,5:6:1,6:7:1,7:8:1,8:9:1",
            ],
            "more than 8 id maps",
        ),
        (
            &["--map-users", "yes"],
            "invalid --map-users (want auto): yes",
        ),
        (
            &["--map-groups", "no"],
            "invalid --map-groups (want auto): no",
        ),
        (&["--uid", "-1"], "invalid --uid"),
        (&["--uid", "0", "--map-uid", "0:0:1"], "--uid and --gid"),
        (
            &["--rootfs", rootfs, "--user", "nosuchuser"],
            "--user names no user in /etc/passwd: nosuchuser",
        ),
        (
            &["--rootfs", rootfs, "--user", "app:nosuchgroup"],
            "--user names no group in /etc/group: nosuchgroup",
        ),
        (
            &["--rootfs", rootfs, "--groups", "audio,nogroup9"],
            "--groups names no group in /etc/group: nogroup9",
        ),
        (
            &["--user", "nosuchuser-on-the-host"],
            "--user names no user in /etc/passwd",
        ),
    ];
    for (args, says) in cases {
        let out = run(Command::new(boxinit()).args(*args).args(["--", "true"]));
        assert_one_line_125(&out, says, &format!("{args:?}"));
    }
    // The same through the environment.
    for (var, value) in [
        ("BOXINIT_CAP_ADD", "bogus"),
        ("BOXINIT_RLIMIT", "NOFILE=x"),
        ("BOXINIT_MAP_UID", "1:2"),
        ("BOXINIT_USER", "nosuchuser-on-the-host"),
    ] {
        let out = run(Command::new(boxinit()).env(var, value).args(["--", "true"]));
        assert_one_line_125(&out, "boxinit: ", var);
    }
}
