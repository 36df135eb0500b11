//! The bad-input matrix. Every invalid invocation, under each name boxinit answers
//! to, on the command line and in the environment, ends with its defined status (125, the
//! personality's usage status 1, or 126/127), exactly one line on stderr with control bytes
//! escaped, and nothing left behind: no mount, cgroup or process of its own, no file in the
//! rootfs.

mod support;

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;
use support::*;

/// One invalid invocation: the name boxinit runs under, its arguments (`ROOT` stands for a
/// good rootfs; `FILE` and `NOPROC` for bad ones), its environment and the status; and, for
/// a refused option, what its line must name (and whether it is run by nobody, not root);
/// for two that contradict each other, the other one too, as it was given.
struct Case {
    name: &'static str,
    args: Vec<OsString>,
    env: Vec<(OsString, OsString)>,
    status: i32,
    names: Option<&'static str>,
    and_names: Option<&'static str>,
    rootless: bool,
}

fn case(name: &'static str, args: &[&str], env: &[(&str, &str)], status: i32) -> Case {
    Case {
        name,
        args: args.iter().map(OsString::from).collect(),
        env: env.iter().map(|(k, v)| (k.into(), v.into())).collect(),
        status,
        names: None,
        and_names: None,
        rootless: false,
    }
}

/// An option refused before anything starts: 125, and a line that names `option`.
fn named(option: &'static str, args: &[&str], env: &[(&str, &str)]) -> Case {
    Case {
        names: Some(option),
        ..case("boxinit", args, env, 125)
    }
}

/// Two options that cannot both act, refused whichever way each was given: the line names
/// `option`, then `contradicts` and `other`, each as given (an option or a variable).
fn both(option: &'static str, other: &'static str, args: &[&str], env: &[(&str, &str)]) -> Case {
    Case {
        and_names: Some(other),
        ..named(option, args, env)
    }
}

/// `named`, run by someone who is not root (nobody).
fn rootless(option: &'static str, args: &[&str]) -> Case {
    Case {
        rootless: true,
        ..named(option, args, &[])
    }
}

/// boxinit's own usage errors and failures.
fn b(args: &[&str]) -> Case {
    case("boxinit", args, &[], 125)
}

/// An environment variable boxinit reads, with a bad value.
fn e(var: &str, value: &str) -> Case {
    case("boxinit", &["true"], &[(var, value)], 125)
}

/// The matrix.
fn cases() -> Vec<Case> {
    let mut cases = vec![
        // Options that take a value, without one or with a bad one.
        b(&["--rootfs"]),
        b(&["--hostname"]),
        b(&["--unshare", "bogus", "true"]),
        b(&["--unshare", "pid,,uts", "true"]),
        b(&["--unshare"]),
        b(&["--parent-death-signal", "BOGUS", "true"]),
        b(&["--parent-death-signal", "0", "true"]),
        b(&["-p", "65", "true"]),
        b(&["--expect-exit", "256", "true"]),
        b(&["-e", "x", "true"]),
        b(&["--rewrite", "1:x", "true"]),
        b(&["-r", "99:1", "true"]),
        b(&["--grace", "bad", "true"]),
        b(&["--grace", "99999999999999999999", "true"]),
        b(&["--grace=1h", "true"]),
        b(&["--memory", "12x", "true"]),
        b(&["--memory", "16777216t", "true"]),
        b(&["--memory-swap", "1x", "true"]),
        b(&["--cpus", "0", "true"]),
        b(&["--cpus", "0.000001", "true"]),
        b(&["--cpus", "-1", "true"]),
        b(&["--cpu-weight", "0", "true"]),
        b(&["--cpu-weight", "10001", "true"]),
        b(&["--pids", "0", "true"]),
        b(&["--pids", "many", "true"]),
        b(&["--cgroup", "a/b", "true"]),
        b(&["--cgroup", "..", "true"]),
        b(&["--root-wait", "x", "true"]),
        b(&["--on-exit", "bogus", "true"]),
        b(&["--join-net", "/nonexistent/ns", "true"]),
        b(&["--join-uts", "/etc/passwd", "true"]),
        b(&["--join-ipc"]),
        b(&["--boottime", "x", "true"]),
        b(&["--monotonic", "1x", "true"]),
        b(&["--setenv", "X", "true"]),
        b(&["--setenv", "=1", "true"]),
        b(&["--unsetenv", "A=B", "true"]),
        b(&["--keep-fd", "x", "true"]),
        b(&["--keep-fd", "-1", "true"]),
        b(&["--bind", ":/a", "--rootfs", "ROOT", "/probe"]),
        b(&["--bind", "/src:", "--rootfs", "ROOT", "/probe"]),
        b(&["--ro-bind", "", "--rootfs", "ROOT", "/probe"]),
        b(&["--tmpfs", "/t:big", "--rootfs", "ROOT", "/probe"]),
        b(&["--tmpfs", ":1m", "--rootfs", "ROOT", "/probe"]),
        b(&["--chdir", "", "true"]),
        // Flags given a value, unknown options, options that need others.
        b(&["--verbose=3", "true"]),
        b(&["--help=x"]),
        b(&["--frob"]),
        b(&["-Z"]),
        b(&["--ro", "true"]),
        b(&["--volatile", "true"]),
        b(&["--chroot", "true"]),
        // Accepted and ignored no more: options outside the mode they act in, values that
        // would mean the opposite of what they say, and requests that cannot act.
        b(&["--switch-root", "/nonexistent", "true"]),
        b(&["--exit-device", "true"]),
        b(&["--modules", "nosuch", "true"]),
        b(&["--root-device", "/dev/nonexistent", "true"]),
        b(&["--exec", "true"]),
        b(&["-P", "true"]),
        // A pause runs no command: what acts only on one is refused, named as given.
        both("-r", "-P", &["-P", "-r", "TERM:0"], &[]),
        both("-e", "-P", &["-P", "-e", "143"], &[]),
        both("-g", "-P", &["-P", "-g"], &[]),
        both("--user", "--pause", &["--pause", "--user", "nobody"], &[]),
        both("--setenv", "-P", &["-P", "--setenv", "A=1"], &[]),
        both("--rlimit", "-P", &["-P", "--rlimit", "NOFILE=10"], &[]),
        both(
            "--memory",
            "-P",
            &["-P", "--memory", "10m", "--cgroup", "r3p"],
            &[],
        ),
        both(
            "BOXINIT_SETENV",
            "-P",
            &["-P"],
            &[("BOXINIT_SETENV", "A=1")],
        ),
        Case {
            and_names: Some("-P"),
            ..case("catatonit", &["-P", "--setenv", "A=1"], &[], 1)
        },
        // A joined user namespace has its maps: ids and maps of our own are refused.
        both(
            "--uid",
            "--join-user",
            &["--join-user", "/proc/self/ns/user", "--uid", "5", "id"],
            &[],
        ),
        both(
            "--map-uid",
            "--join-user",
            &[
                "--join-user",
                "/proc/self/ns/user",
                "--map-uid",
                "0:0:1",
                "id",
            ],
            &[],
        ),
        both(
            "--user",
            "--join-user",
            &["--join-user", "/proc/self/ns/user", "--user", "5", "id"],
            &[],
        ),
        both(
            "--groups",
            "--join-user",
            &["--join-user", "/proc/self/ns/user", "--groups", "5", "id"],
            &[],
        ),
        both(
            "--gid",
            "BOXINIT_JOIN_USER",
            &["--gid", "5", "id"],
            &[("BOXINIT_JOIN_USER", "/proc/self/ns/user")],
        ),
        // Each named as given, a variable by its own name, with the reason it cannot act.
        both(
            "--uid",
            "BOXINIT_UNSHARE=none",
            &["--uid", "3", "true"],
            &[("BOXINIT_UNSHARE", "none")],
        ),
        named(
            "--memory-swap",
            &["--memory-swap", "16m", "true"],
            &[("BOXINIT_MEMORY", "32m")],
        ),
        named(
            "BOXINIT_MEMORY_SWAP",
            &["true"],
            &[("BOXINIT_MEMORY_SWAP", "8m")],
        ),
        named(
            "BOXINIT_HOSTNAME",
            &["--unshare", "none", "true"],
            &[("BOXINIT_HOSTNAME", "x")],
        ),
        both(
            "--hostname",
            "--join-uts",
            &["--join-uts", "/proc/self/ns/uts", "--hostname", "x", "true"],
            &[],
        ),
        both(
            "--rootfs",
            "--join-mnt",
            &[
                "--join-mnt",
                "/proc/self/ns/mnt",
                "--rootfs",
                "ROOT",
                "/probe",
            ],
            &[],
        ),
        both(
            "--bind",
            "--join-mnt",
            &[
                "--join-mnt",
                "/proc/self/ns/mnt",
                "--bind",
                "/etc:/x",
                "true",
            ],
            &[],
        ),
        // Bad values, the option named as given: short or long.
        named("-r", &["-r", "KILL", "true"], &[]),
        named("--rewrite", &["--rewrite", "TERM", "true"], &[]),
        named("-e", &["-e", "256", "true"], &[]),
        named("--expect-exit", &["--expect-exit", "256", "true"], &[]),
        named("-p", &["-p", "0", "true"], &[]),
        named(
            "--parent-death-signal",
            &["--parent-death-signal", "0", "true"],
            &[],
        ),
        b(&["--unshare", "all,none", "true"]),
        b(&["--unshare", "none,net", "true"]),
        b(&["--rootfs", "ROOT", "--bind", "/etc:/", "/probe"]),
        b(&["--rootfs", "ROOT", "--bind", "/etc:/a/..", "/probe"]),
        b(&["--rootfs", "ROOT", "--tmpfs", "/tmp:0", "/probe"]),
        case(
            "boxinit",
            &["--rootfs", "ROOT", "/probe"],
            &[("BOXINIT_TMPFS", "/tmp:0")],
            125,
        ),
        b(&["--memory", "1", "true"]),
        b(&["--memory", "512", "true"]),
        b(&["--memory", "8192", "true"]),
        b(&["-rootfs", "ROOT", "/probe"]),
        case("boxinit", &["true"], &[("BOXINIT_ROOTF", "/srv/r")], 125),
        case("tini", &["true"], &[("BOXINIT_ROOTF", "/srv/r")], 1),
        case("tini", &["--", "true"], &[("BOXINIT_MEMORY", "64m")], 1),
        case(
            "dumb-init",
            &["--unshare", "mnt", "--volatile", "true"],
            &[],
            1,
        ),
        // Bad root filesystems.
        b(&["--rootfs", "/nonexistent", "true"]),
        b(&["--rootfs", "FILE", "true"]),
        b(&["--rootfs", "FILE/inner", "/probe"]),
        b(&["--rootfs", "ROOT/probe", "/probe"]),
        b(&["--rootfs", "ROOT", "--bind", "/nonexistent:/mnt", "/probe"]),
        b(&["--rootfs", "ROOT", "--ro-bind", "/nonexistent", "/probe"]),
        b(&["--rootfs", "ROOT", "--chdir", "/nonexistent", "/probe"]),
        b(&["--rootfs", "ROOT", "--join-net", "/nonexistent", "/probe"]),
        // Commands that cannot be run: 126 and 127.
        case("boxinit", &["--rootfs", "ROOT", "/nonexistent"], &[], 127),
        case("boxinit", &["--rootfs", "ROOT", "/proc"], &[], 126),
        case("boxinit", &["--rootfs", "NOPROC", "/probe"], &[], 127),
        case("boxinit", &["/nonexistent/command"], &[], 127),
        case("boxinit", &["/"], &[], 126),
        case("boxinit", &["/etc/passwd"], &[], 126),
        case("tini", &["--", "/nonexistent"], &[], 127),
        case("dumb-init", &["/nonexistent"], &[], 127),
        case("catatonit", &["--", "/"], &[], 126),
        // The environment forms.
        e("BOXINIT_GRACE", "x"),
        e("BOXINIT_WAIT_ALL", "maybe"),
        e("BOXINIT_UNSHARE", "bogus"),
        e("BOXINIT_ROOTFS", "/nonexistent"),
        e("BOXINIT_MEMORY", "lots"),
        e("BOXINIT_MEMORY_SWAP", "-1"),
        e("BOXINIT_CPUS", "1.5.5"),
        e("BOXINIT_CPU_WEIGHT", "0"),
        e("BOXINIT_PIDS", "0"),
        e("BOXINIT_CGROUP", "a/b"),
        e("BOXINIT_PARENT_DEATH_SIGNAL", "NOPE"),
        e("BOXINIT_PROCESS_GROUP", "perhaps"),
        e("BOXINIT_BOOTTIME", "x"),
        e("BOXINIT_SETENV", "X"),
        e("BOXINIT_KEEP_FD", "fd"),
        e("BOXINIT_TMPFS", "/t:huge"),
        e("BOXINIT_CHDIR", ""),
        e("BOXINIT_ROOT_WAIT", "soon"),
        e("BOXINIT_ON_EXIT", "explode"),
        e("BOXINIT_NEW_SESSION", "2"),
        e("BOXINIT_JOIN_NET", "/nonexistent"),
        // Each replaced program's usage errors: status 1.
        case("tini", &["-e", "999", "true"], &[], 1),
        case("tini", &["-p", "BOGUS", "true"], &[], 1),
        case("tini", &["--frob", "true"], &[], 1),
        case("tini", &["-e"], &[], 1),
        case("tini", &["--memory", "12x", "true"], &[], 1),
        case("dumb-init", &["-r", "x:y", "true"], &[], 1),
        case("dumb-init", &["--frob"], &[], 1),
        case("dumb-init", &["-r"], &[], 1),
        case("dumb-init", &["--grace", "x", "true"], &[], 1),
        case("catatonit", &["-Z"], &[], 1),
        case("catatonit", &["--frob", "true"], &[], 1),
        case("catatonit", &["--rootfs"], &[], 1),
        // A usage error under a replaced program's name has its status, whoever's option or
        // variable it is.
        case("tini", &["true"], &[("BOXINIT_GRACE", "x")], 1),
        case("dumb-init", &["true"], &[("BOXINIT_UNSHARE", "x")], 1),
        case("catatonit", &["true"], &[("BOXINIT_GRACE", "x")], 1),
        case("tini", &["--volatile", "--", "true"], &[], 1),
        // Refused before anything starts, naming the option: empty list items...
        named("--groups", &["--groups", "1,,3", "true"], &[]),
        named("--groups", &["--groups", ",", "true"], &[]),
        named(
            "--cap-add",
            &["--cap-add", "net_admin,,sys_time", "true"],
            &[],
        ),
        named("--rlimit", &["--rlimit", "nofile=50,", "true"], &[]),
        named("--keep-fd", &["--keep-fd", ",3", "true"], &[]),
        named("--modules", &["--modules", ",,", "true"], &[]),
        named("--map-uid", &["--map-uid", "0:0:1,,", "true"], &[]),
        named(
            "BOXINIT_BIND",
            &["--rootfs", "ROOT", "/probe"],
            &[("BOXINIT_BIND", "/tmp:/x,,")],
        ),
        named("BOXINIT_GROUPS", &["true"], &[("BOXINIT_GROUPS", "1,,3")]),
        // ...--user with a part left empty...
        named("--user", &["--user", "1000:", "true"], &[]),
        named("--user", &["--user", ":1000", "true"], &[]),
        // ...values past what the kernel takes...
        named("--cpus", &["--cpus", "99999999999", "true"], &[]),
        named("--boottime", &["--boottime", "-999999999", "true"], &[]),
        named("--monotonic", &["--monotonic", "4611686018", "true"], &[]),
        named(
            "--map-uid",
            &["--map-uid", "0:0:1", "--map-uid", "0:100:1", "true"],
            &[],
        ),
        named("--map-gid", &["--map-gid", "0:100:10,5:200:1", "true"], &[]),
        named("--pids", &["--unshare", "pid", "--pids", "1", "true"], &[]),
        named(
            "--pids",
            &["--rootfs", "ROOT", "--pids", "1", "/probe"],
            &[],
        ),
        named(
            "BOXINIT_VERBOSITY",
            &["true"],
            &[("BOXINIT_VERBOSITY", "4")],
        ),
        // ...a namespace of another kind to join...
        named(
            "--join-net",
            &["--join-net", "/proc/self/ns/pid", "true"],
            &[],
        ),
        named("--join-uts", &["--join-uts", "/etc/passwd", "true"], &[]),
        // ...ids a user namespace does not map, or cannot set...
        named(
            "--user",
            &["--unshare", "user", "--user", "1000", "true"],
            &[],
        ),
        named(
            "--user",
            &["--unshare", "user", "--user", "0:5", "true"],
            &[],
        ),
        named(
            "--groups",
            &["--unshare", "user", "--groups", "0", "true"],
            &[],
        ),
        named(
            "--groups",
            &["--map-gid", "0:100000:10", "--groups", "10", "true"],
            &[],
        ),
        // ...a rootfs's /proc that a user namespace without a PID namespace cannot mount...
        named(
            "--unshare",
            &["--unshare", "user,mnt", "--rootfs", "ROOT", "/probe"],
            &[],
        ),
        // ...options that contradict each other, from the command line or the environment,
        // named as they were given...
        both(
            "BOXINIT_NO_DEV",
            "--dev",
            &["--rootfs", "ROOT", "--dev", "/probe"],
            &[("BOXINIT_NO_DEV", "1")],
        ),
        both(
            "--no-dev",
            "BOXINIT_DEV",
            &["--rootfs", "ROOT", "--no-dev", "/probe"],
            &[("BOXINIT_DEV", "1")],
        ),
        both(
            "BOXINIT_RO",
            "--volatile",
            &["--rootfs", "ROOT", "--volatile", "/probe"],
            &[("BOXINIT_RO", "1")],
        ),
        both(
            "TINI_KILL_PROCESS_GROUP",
            "-c",
            &["-c", "true"],
            &[("TINI_KILL_PROCESS_GROUP", "1")],
        ),
        both(
            "-g",
            "DUMB_INIT_SETSID",
            &["-g", "true"],
            &[("DUMB_INIT_SETSID", "0")],
        ),
        both(
            "--new-session",
            "DUMB_INIT_SETSID",
            &["--new-session", "true"],
            &[("DUMB_INIT_SETSID", "0")],
        ),
        both(
            "--boottime",
            "--join-time",
            &[
                "--join-time",
                "/proc/self/ns/time",
                "--boottime",
                "5",
                "true",
            ],
            &[],
        ),
        both(
            "BOXINIT_MONOTONIC",
            "--join-time",
            &["--join-time", "/proc/self/ns/time", "true"],
            &[("BOXINIT_MONOTONIC", "5")],
        ),
        both(
            "--map-users",
            "--map-uid",
            &["--map-users", "auto", "--map-uid", "0:0:1", "true"],
            &[],
        ),
        both(
            "BOXINIT_MAP_GROUPS",
            "--map-gid",
            &["--map-gid", "0:0:1", "true"],
            &[("BOXINIT_MAP_GROUPS", "auto")],
        ),
        both(
            "BOXINIT_GRACE",
            "BOXINIT_EXEC",
            &["true"],
            &[
                ("BOXINIT_BOOT", "1"),
                ("BOXINIT_EXEC", "1"),
                ("BOXINIT_GRACE", "3"),
            ],
        ),
        named("--map-users", &["--map-users", "none", "true"], &[]),
        // ...and the same, or what only root may do, run by nobody.
        rootless("--user", &["--user", "0", "true"]),
        rootless("--user", &["--user", "65534", "true"]),
        rootless("--groups", &["--groups", "65534", "true"]),
        rootless("--cap-add", &["--cap-add", "net_admin", "true"]),
        rootless("--user", &["--unshare", "user", "--user", "1000", "true"]),
        rootless("--groups", &["--unshare", "user", "--groups", "0", "true"]),
        rootless(
            "--unshare",
            &["--unshare", "mnt", "--rootfs", "ROOT", "/probe"],
        ),
        rootless(
            "--unshare",
            &["--unshare", "user,mnt", "--rootfs", "ROOT", "/probe"],
        ),
    ];

    // Control bytes in values: the message shows them escaped, on one line.
    for value in ["a\nb", "\x1b[31mred", "tab\there", "cr\rx", "\x7f"] {
        cases.push(b(&["--grace", value, "true"]));
        cases.push(b(&["--unshare", value, "true"]));
        cases.push(e("BOXINIT_MEMORY", value));
    }
    cases.push(b(&["--rootfs", "/nonexistent\n\x1b[2J", "true"]));
    cases.push(b(&["--frob\nfake: second line"]));
    cases.push(case(
        "boxinit",
        &["--rootfs", "ROOT", "/no\nsuch"],
        &[],
        127,
    ));

    // A non-UTF-8 argument.
    let mut bad = b(&["--grace"]);
    bad.args.push(OsString::from_vec(b"\xff\xfe1s".to_vec()));
    bad.args.push("true".into());
    cases.push(bad);
    let mut bad = b(&["--rootfs"]);
    bad.args
        .push(OsString::from_vec(b"/nonexistent/\xc3\x28".to_vec()));
    cases.push(bad);

    // A huge argv: 100 000 arguments after a bad option.
    let mut huge = b(&["--grace", "x"]);
    huge.args
        .extend((0..100_000).map(|i| OsString::from(format!("arg{i}"))));
    cases.push(huge);
    // A huge value.
    cases.push(b(&["--unshare", &"x".repeat(100_000), "true"]));

    // An environment of 10 000 variables, one of them bad.
    let mut big = e("BOXINIT_GRACE", "x");
    big.env
        .extend((0..10_000).map(|i| (format!("HARDEN_VAR_{i}").into(), "v".into())));
    cases.push(big);
    cases
}

#[test]
fn every_bad_invocation_fails_cleanly_and_leaves_nothing() {
    let cases = cases();
    assert!(cases.len() >= 80, "only {} cases", cases.len());
    assert!(cases.iter().filter(|c| c.names.is_some()).count() >= 30);

    let root = probe_rootfs();
    // A rootfs has a /dev (boxinit makes one where it is missing, which is not what this
    // test is about).
    std::fs::create_dir_all(root.path().join("dev")).unwrap();
    let dir = TempDir::new("hardening");
    let file = dir.path().join("a-file");
    std::fs::write(&file, "not a directory").unwrap();
    let noproc = dir.path().join("noproc");
    std::fs::create_dir_all(noproc.join("dev")).unwrap();
    let paths = [
        ("ROOT", root.path()),
        ("FILE", file.as_path()),
        ("NOPROC", noproc.as_path()),
    ];

    let files_before = tree(root.path());
    let mut failures = Vec::new();
    for case in &cases {
        if let Err(why) = check(case, &paths, root.path()) {
            failures.push(format!("{}: {why}", describe(case)));
        }
    }
    assert_eq!(
        tree(root.path()),
        files_before,
        "files changed in the rootfs"
    );
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// Run one case and check its status, its stderr and what it left behind.
fn check(case: &Case, paths: &[(&str, &Path)], root: &Path) -> Result<(), String> {
    let tag = format!("harden-{}", unique());
    let mut cmd = Command::new(boxinit());
    cmd.arg0(case.name);
    for arg in &case.args {
        let mut arg = arg.as_bytes().to_vec();
        for (word, path) in paths {
            if let Some(rest) = arg.strip_prefix(word.as_bytes()) {
                arg = [path.as_os_str().as_bytes(), rest].concat();
            }
        }
        cmd.arg(OsStr::from_bytes(&arg));
    }
    cmd.envs(case.env.iter().map(|(k, v)| (k, v)));
    cmd.env("HARDEN_TAG", &tag);
    if case.rootless {
        cmd.uid(65534).gid(65534);
    }
    let mounts_before = our_mounts(root);
    let running = Running::start(&mut cmd);
    let pid = running.pid();
    let out = running.finish();

    let status = exit_code(out.status);
    if status != case.status {
        return Err(format!(
            "status {status}, want {}; stderr {:?}",
            case.status,
            text(&out.stderr)
        ));
    }
    let stderr = &out.stderr;
    let lines = stderr.iter().filter(|&&c| c == b'\n').count();
    if lines != 1 || stderr.last() != Some(&b'\n') {
        return Err(format!("want one line on stderr, got {:?}", text(stderr)));
    }
    if let Some(c) = stderr[..stderr.len() - 1]
        .iter()
        .find(|&&c| c < 0x20 || c == 0x7f)
    {
        return Err(format!("control byte {c:#x} on stderr: {:?}", text(stderr)));
    }
    let prefix: &[u8] = match case.name {
        "tini" => b"[FATAL tini (",
        "dumb-init" => b"[dumb-init] ",
        "catatonit" => b"ERROR (catatonit:",
        _ => b"boxinit: ",
    };
    if !stderr.starts_with(prefix) {
        return Err(format!("stderr without its prefix: {:?}", text(stderr)));
    }
    if let Some(option) = case.names {
        // The option first, as it was given, then why.
        let said = [prefix, option.as_bytes(), b" "].concat();
        let invalid = [prefix, b"invalid ", option.as_bytes()].concat();
        let variable = [&b"boxinit: invalid value for "[..], option.as_bytes()].concat();
        if ![said, invalid, variable]
            .iter()
            .any(|start| stderr.starts_with(start))
        {
            return Err(format!(
                "the line does not name {option}: {:?}",
                text(stderr)
            ));
        }
    }
    if let Some(other) = case.and_names {
        let line = text(stderr);
        if !line.trim_end().ends_with(&format!(" contradicts {other}"))
            && !line
                .trim_end()
                .ends_with(&format!(" does not apply with {other}"))
        {
            return Err(format!("the line does not name {other}: {line:?}"));
        }
    }
    if our_mounts(root) != mounts_before {
        return Err("a mount of the rootfs was left in the host's table".into());
    }
    if let Some(group) = cgroup_named(&format!("boxinit-{pid}")) {
        return Err(format!("cgroup {group} left behind"));
    }
    let left: Vec<i32> = all_pids()
        .into_iter()
        .filter(|&p| has_tag(p, &tag))
        .collect();
    if !left.is_empty() {
        return Err(format!("processes left: {left:?}"));
    }
    Ok(())
}

/// Lines of the host's mount table that name the test's rootfs (others' mounts, made by
/// tests running at the same time, are not ours to judge).
fn our_mounts(root: &Path) -> Vec<String> {
    let table = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    let root = root.to_str().unwrap();
    table
        .lines()
        .filter(|l| l.contains(root))
        .map(str::to_owned)
        .collect()
}

/// Every path under `dir`, with its size.
fn tree(dir: &Path) -> Vec<(String, u64)> {
    let mut all = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let meta = entry.metadata().unwrap();
            if meta.is_dir() {
                todo.push(entry.path());
            }
            all.push((entry.path().display().to_string(), meta.len()));
        }
    }
    all.sort();
    all
}

/// A cgroup of that name in any v1 hierarchy, two levels deep at most.
fn cgroup_named(name: &str) -> Option<String> {
    let mut todo: Vec<(std::path::PathBuf, u32)> = std::fs::read_dir("/sys/fs/cgroup")
        .ok()?
        .flatten()
        .map(|e| (e.path(), 0))
        .collect();
    while let Some((dir, depth)) = todo.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                if entry.file_name() == name {
                    return Some(entry.path().display().to_string());
                }
                if depth < 2 {
                    todo.push((entry.path(), depth + 1));
                }
            }
        }
    }
    None
}

fn has_tag(pid: i32, tag: &str) -> bool {
    let entry = format!("HARDEN_TAG={tag}");
    std::fs::read(format!("/proc/{pid}/environ"))
        .is_ok_and(|env| env.split(|&c| c == 0).any(|e| e == entry.as_bytes()))
}

/// A case as one line for a failure message (a huge argv shortened).
fn describe(case: &Case) -> String {
    let args: Vec<String> = case
        .args
        .iter()
        .take(6)
        .map(|a| {
            let s = a.to_string_lossy();
            if s.len() > 40 {
                format!("{}...", &s[..40])
            } else {
                s.into_owned()
            }
        })
        .collect();
    let env: Vec<String> = case
        .env
        .iter()
        .take(2)
        .map(|(k, v)| format!("{}={:?}", k.to_string_lossy(), v))
        .collect();
    format!("[{}] {} {}", case.name, env.join(" "), args.join(" "))
}
