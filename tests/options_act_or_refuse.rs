//! Every option of the table, in every spelling (long, short, its variable), under every name
//! that knows it, in every mode (plain supervision, a container, a boot): it acts, or the
//! whole run is refused before anything starts, with the name's usage status and one line
//! that names the option. Nothing is accepted and then ignored.
//!
//! The options come from boxinit's own table (`boxinit::opts::table`), so a new option that
//! this file has no sample for fails the test until it gets one.

mod support;

use boxinit::config::Personality;
use boxinit::opts::{self, Mode};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;
use std::time::Duration;
use support::*;

/// A value that would make an option act, more options it needs, and a shell script that
/// exits 0 only if it did (None: its effect is not cheap to see from inside; then the run is
/// only checked not to be refused for its mode).
struct Sample {
    value: &'static str,
    with: &'static [&'static str],
    effect: Option<&'static str>,
}

const fn plain(value: &'static str) -> Sample {
    Sample {
        value,
        with: &[],
        effect: None,
    }
}

const fn shows(value: &'static str, effect: &'static str) -> Sample {
    Sample {
        value,
        with: &[],
        effect: Some(effect),
    }
}

/// The sample for an option, by its long name or (without one) its variable; None for those
/// that answer or choose the mode themselves (help, version, license, --boot) and for
/// --pause, which runs no command (see `pause_is_refused_in_boot_mode`). Every other option
/// must have one.
fn sample(name: &str) -> Option<Sample> {
    Some(match name {
        "help" | "version" | "license" | "-V" | "-L" | "boot" | "pause" => return None,
        "rootfs" => plain("/"),
        "hostname" => shows("h", "test $(hostname) = h"),
        "unshare" => shows("uts", "test $(readlink /proc/self/ns/uts) != $HOST_UTS"),
        "parent-death-signal" => plain("TERM"),
        "expect-exit" => shows("3", "exit 3"),
        "verbosity" | "BOXINIT_VERBOSITY" | "TINI_VERBOSITY" => plain("2"),
        "DUMB_INIT_DEBUG" | "CATATONIT_DEBUG" => plain("1"),
        "DUMB_INIT_SETSID" => plain("0"),
        "rewrite" => plain("10:12"),
        "grace" | "stop-delay" => plain("1s"),
        "memory" => plain("64m"),
        "memory-swap" => Sample {
            value: "128m",
            with: &["--memory", "64m"],
            effect: None,
        },
        "cpus" => plain("0.5"),
        "cpu-weight" => plain("100"),
        "pids" => plain("100"),
        "cgroup" => plain("boxinit-options-test"),
        "switch-root" => plain("/nonexistent"),
        "root-device" | "BOXINIT_ROOT" => Sample {
            value: "/dev/nonexistent",
            with: &["--root-wait", "0"],
            effect: None,
        },
        "root-fstype" => plain("ext4"),
        "root-options" => plain("ro"),
        "root-wait" => plain("1ms"),
        "on-exit" => plain("halt"),
        "modules" => plain("nosuch"),
        "join-user" | "join-cgroup" | "join-ipc" | "join-uts" | "join-net" | "join-pid"
        | "join-time" | "join-mnt" => plain("/proc/1/ns/net"),
        "boottime" | "monotonic" => plain("10"),
        "setenv" => shows("X=1", "test \"$X\" = 1"),
        "unsetenv" => shows("HOST_UTS", "test -z \"$HOST_UTS\""),
        "clearenv" => shows("", "test -z \"$HOST_UTS\""),
        "keep-fd" => plain("2"),
        "parent-pid" => plain("1"),
        "bind" | "ro-bind" => plain("/tmp:/mnt"),
        "tmpfs" => plain("/mnt"),
        "chdir" => shows("/tmp", "test $(pwd) = /tmp"),
        "user" => plain("root"),
        "groups" => plain("0"),
        "uid" | "gid" => plain("0"),
        "map-uid" | "map-gid" => plain("0:0:1"),
        "map-users" | "map-groups" => plain("auto"),
        "cap-add" | "cap-drop" => plain("chown"),
        "rlimit" => plain("NOFILE=1024"),
        "subreaper"
        | "TINI_SUBREAPER"
        | "process-group"
        | "TINI_KILL_PROCESS_GROUP"
        | "verbose"
        | "warn-zombies"
        | "single-child"
        | "wait-all"
        | "exec"
        | "exit-device"
        | "new-session"
        | "die-with-parent"
        | "ro"
        | "volatile"
        | "chroot"
        | "dev"
        | "no-dev"
        | "sys"
        | "mqueue"
        | "allow-new-privs" => plain(""),
        _ => panic!("no sample for {name}: add one to tests/options_act_or_refuse.rs"),
    })
}

const NAMES: [(&str, Personality); 4] = [
    ("boxinit", Personality::Boxinit),
    ("tini", Personality::Tini),
    ("dumb-init", Personality::DumbInit),
    ("catatonit", Personality::Catatonit),
];

/// One run: the name, the mode, the option as spelt, and what came of it.
struct Run {
    what: String,
    status: i32,
    stderr: String,
    ran: bool,
}

fn run_one(name: &str, mode: Mode, spelling: &Spelling, sample: &Sample, marker: &Path) -> Run {
    let _ = std::fs::remove_file(marker);
    let script = format!(
        "touch {}; {}",
        marker.display(),
        sample.effect.unwrap_or("true")
    );
    let mut cmd = match mode {
        // The boot of a PID namespace of its own (boot mode needs PID 1), mounts private.
        Mode::Booting => {
            // (and its own UTS namespace: a boot's --hostname names the machine).
            let mut cmd = Command::new("unshare");
            cmd.args(["--fork", "--pid", "--mount", "--mount-proc", "--uts"])
                .arg(boxinit())
                .arg("--boot");
            cmd
        }
        _ => {
            let mut cmd = Command::new(boxinit());
            cmd.arg0(name);
            cmd
        }
    };
    strip_options_env(&mut cmd);
    if mode == Mode::Container {
        cmd.args(["--unshare", "mnt,pid,uts"]);
    }
    let host_uts = std::fs::read_link("/proc/self/ns/uts").unwrap();
    cmd.env("HOST_UTS", host_uts);
    let what = give(&mut cmd, spelling, sample);
    cmd.args(sample.with).args(["--", "sh", "-c", &script]);
    let out = run(&mut cmd);
    Run {
        what: format!("{name} in {mode:?}: {what}"),
        status: exit_code(out.status),
        stderr: text(&out.stderr),
        ran: marker.exists(),
    }
}

/// `spelling` with `sample`'s value given to `cmd`: how it was given (`VAR=VALUE` for a
/// variable).
fn give(cmd: &mut Command, spelling: &Spelling, sample: &Sample) -> String {
    match spelling {
        Spelling::Flag(flag) => {
            cmd.arg(flag);
            if !sample.value.is_empty() {
                cmd.arg(sample.value);
            }
            flag.clone()
        }
        Spelling::Variable(var) => {
            let value = if sample.value.is_empty() {
                "1"
            } else {
                sample.value
            };
            cmd.env(var, value);
            format!("{var}={value}")
        }
    }
}

enum Spelling {
    Flag(String),
    Variable(String),
}

fn spellings(entry: &opts::Entry) -> Vec<Spelling> {
    let mut found = Vec::new();
    if let Some(long) = entry.long() {
        found.push(Spelling::Flag(format!("--{long}")));
    }
    if let Some(short) = entry.short() {
        found.push(Spelling::Flag(format!("-{short}")));
    }
    if let Some(var) = entry.variable() {
        found.push(Spelling::Variable(String::from_utf8(var.to_vec()).unwrap()));
    }
    found
}

fn key(entry: &opts::Entry) -> String {
    match (entry.long(), entry.variable()) {
        (Some(long), _) => long.to_owned(),
        (None, Some(var)) => String::from_utf8(var.to_vec()).unwrap(),
        (None, None) => format!("-{}", entry.short().unwrap()),
    }
}

/// Options that make the run a container by themselves (a namespace to make or join).
fn makes_a_container(key: &str) -> bool {
    key.starts_with("join-")
        || [
            "rootfs",
            "hostname",
            "unshare",
            "boottime",
            "monotonic",
            "uid",
            "gid",
            "map-uid",
            "map-gid",
            "map-users",
            "map-groups",
        ]
        .contains(&key)
}

/// The mode refusal's words.
fn refused_for_mode(stderr: &str) -> bool {
    stderr.contains(" applies to ") || stderr.contains(" does not apply in ")
}

#[test]
fn every_option_acts_or_is_refused_in_every_mode_under_every_name() {
    let dir = TempDir::new("options");
    let marker = dir.path().join("ran");
    let mut failures = Vec::new();
    let mut runs = 0;
    for entry in opts::table() {
        let Some(sample) = sample(&key(&entry)) else {
            continue;
        };
        for (name, personality) in NAMES {
            if !entry.known_under(personality) {
                continue;
            }
            for mode in [Mode::Supervising, Mode::Container, Mode::Booting] {
                // Only boxinit's own name boots (with --boot); the others as the kernel's
                // init alone, which tests/boots_as_the_kernels_init.rs covers.
                if mode == Mode::Booting && personality != Personality::Boxinit {
                    continue;
                }
                for spelling in spellings(&entry) {
                    runs += 1;
                    let run = run_one(name, mode, &spelling, &sample, &marker);
                    if let Some(why) = judge(&entry, mode, personality, &sample, &run) {
                        failures.push(format!("{}: {why}\n    {}", run.what, run.stderr));
                    }
                }
            }
        }
    }
    assert!(runs > 300, "only {runs} runs");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// What is wrong with `run`, if anything.
fn judge(
    entry: &opts::Entry,
    mode: Mode,
    personality: Personality,
    sample: &Sample,
    run: &Run,
) -> Option<String> {
    let usage = if personality == Personality::Boxinit {
        125
    } else {
        1
    };
    let mode = if mode == Mode::Supervising && makes_a_container(&key(entry)) {
        Mode::Container
    } else {
        mode
    };
    if entry.acts_in(mode) {
        if refused_for_mode(&run.stderr) {
            return Some("refused in a mode where it acts".into());
        }
        if sample.effect.is_some() && run.status != 0 {
            return Some(format!("its effect was not seen (status {})", run.status));
        }
        return None;
    }
    // A boot's refusal ends as every failed boot does, with its status line.
    let stderr = match mode {
        Mode::Booting => run.stderr.strip_suffix("boxinit: exit status 125\n"),
        _ => Some(run.stderr.as_str()),
    };
    let lines = stderr.map_or(0, |s| s.lines().count());
    if run.status != usage || lines != 1 || !refused_for_mode(&run.stderr) {
        return Some(format!(
            "should be refused for its mode: status {}, {lines} lines",
            run.status
        ));
    }
    if run.ran {
        return Some("the command ran before the refusal".into());
    }
    None
}

#[test]
fn pause_is_refused_in_boot_mode() {
    let mut cmd = Command::new("unshare");
    cmd.args(["--fork", "--pid", "--mount", "--mount-proc"])
        .arg(boxinit())
        .args(["--boot", "--pause"]);
    strip_options_env(&mut cmd);
    let out = run(&mut cmd);
    let stderr = text(&out.stderr);
    assert_eq!(exit_code(out.status), 125, "{stderr}");
    assert_eq!(
        stderr,
        "boxinit: --pause does not apply in boot mode\nboxinit: exit status 125\n"
    );
}

#[test]
fn cap_add_without_root_or_a_user_namespace_is_refused() {
    // Nobody but root can raise a capability outside a user namespace of their own: the
    // command would run without it.
    let mut cmd = Command::new("setpriv");
    cmd.args(["--reuid", "65534", "--regid", "65534", "--clear-groups"])
        .arg(boxinit())
        .args(["--cap-add", "sys_admin", "--", "true"]);
    strip_options_env(&mut cmd);
    let out = run(&mut cmd);
    let stderr = text(&out.stderr);
    assert_eq!(exit_code(out.status), 125, "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("--cap-add needs root or a user namespace"),
        "{stderr}"
    );
    // With a user namespace, it acts: the command has it there.
    let mut cmd = Command::new("setpriv");
    cmd.args(["--reuid", "65534", "--regid", "65534", "--clear-groups"])
        .arg(boxinit())
        .args(["--unshare", "user", "--cap-add", "sys_admin", "--"])
        .args(["sh", "-c", "grep CapEff /proc/self/status"]);
    strip_options_env(&mut cmd);
    let out = run(&mut cmd);
    assert_eq!(exit_code(out.status), 0, "{}", text(&out.stderr));
    let eff = text(&out.stdout);
    let mask = u64::from_str_radix(eff.trim().rsplit('\t').next().unwrap(), 16).unwrap();
    assert!(mask & (1 << 21) != 0, "no CAP_SYS_ADMIN: {eff}");
}

/// `args` to boxinit (after `env`), in a PID namespace of their own when `boot` (boot mode
/// needs PID 1): refused before the command runs, with status 125 and the one line `line`
/// (a boot's refusal ends with its status line, as every failed boot does).
#[track_caller]
fn assert_refused(boot: bool, env: &[(&str, &str)], args: &[&str], line: &str) {
    let mut cmd = match boot {
        true => {
            let mut cmd = Command::new("unshare");
            cmd.args(["--fork", "--pid", "--mount", "--mount-proc", "--uts"])
                .arg(boxinit())
                .arg("--boot");
            cmd
        }
        false => Command::new(boxinit()),
    };
    strip_options_env(&mut cmd);
    cmd.envs(env.iter().copied())
        .args(args)
        .args(["--", "sh", "-c", "echo ran"]);
    let out = run(&mut cmd);
    let stderr = text(&out.stderr);
    let want = match boot {
        true => format!("boxinit: {line}\nboxinit: exit status 125\n"),
        false => format!("boxinit: {line}\n"),
    };
    assert_eq!(
        (exit_code(out.status), stderr.as_str()),
        (125, want.as_str()),
        "{args:?}"
    );
    assert!(out.stdout.is_empty(), "{args:?} ran the command");
}

#[test]
fn an_empty_value_is_refused_not_taken_as_unset() {
    assert_refused(true, &[], &["--switch-root", ""], "--switch-root is empty");
    assert_refused(true, &[("BOXINIT_ROOT", "")], &[], "BOXINIT_ROOT is empty");
    assert_refused(
        false,
        &[("BOXINIT_ROOTFS", "")],
        &[],
        "BOXINIT_ROOTFS is empty",
    );
    assert_refused(false, &[], &["--hostname="], "--hostname is empty");
}

#[test]
fn supervision_options_are_refused_with_exec() {
    // --exec hands process 1 to the command: nothing is left to warn, wait or rewrite.
    let why = "does not apply with --exec";
    for option in ["--warn-zombies", "--wait-all"] {
        assert_refused(true, &[], &["--exec", option], &format!("{option} {why}"));
    }
    assert_refused(
        true,
        &[],
        &["--exec", "--grace", "1"],
        &format!("--grace {why}"),
    );
    let (env, line) = ([("BOXINIT_GRACE", "1")], format!("BOXINIT_GRACE {why}"));
    assert_refused(true, &env, &["--exec"], &line);
}

#[test]
fn limits_identity_and_session_options_are_refused_with_exec() {
    // With --exec the command becomes process 1 at once: no cgroup, identity change or
    // session is made for it, so these would be ignored, and a cgroup left behind.
    let why = "does not apply with --exec";
    let cases: [&[&str]; 11] = [
        &["--memory", "64m"],
        &["--memory-swap", "64m"],
        &["--cpus", "1"],
        &["--cpu-weight", "100"],
        &["--pids", "10"],
        &["--cgroup", "x"],
        &["--user", "1"],
        &["--groups", "1"],
        &["--cap-drop", "all"],
        &["--rlimit", "nofile=10"],
        &["--new-session"],
    ];
    for option in cases {
        let args = [&["--exec"], option].concat();
        assert_refused(true, &[], &args, &format!("{} {why}", option[0]));
    }
    assert_refused(
        true,
        &[],
        &["--exec", "--cap-add", "chown"],
        &format!("--cap-add {why}"),
    );
    let line = format!("BOXINIT_MEMORY {why}");
    assert_refused(true, &[("BOXINIT_MEMORY", "64m")], &["--exec"], &line);
}

#[test]
fn unshare_none_given_with_other_namespaces_is_refused() {
    // "none" and a namespace ask for opposite things, in any order, as in one list.
    let why = "--unshare takes all or none alone, not in a list:";
    for (first, then) in [("net", "none"), ("none", "net"), ("all", "none")] {
        let args = ["--unshare", first, "--unshare", then];
        assert_refused(false, &[], &args, &format!("{why} {then}"));
    }
}

#[test]
fn options_that_need_a_namespace_are_refused_with_unshare_none() {
    let why = "contradicts --unshare none";
    let needing = [
        ("--boottime", "5"),
        ("--uid", "0"),
        ("--map-users", "auto"),
        ("--rootfs", "/"),
        ("--hostname", "h"),
        ("--tmpfs", "/tmp"),
    ];
    for (option, value) in needing {
        let line = format!("{option} {why}");
        assert_refused(false, &[], &["--unshare", "none", option, value], &line);
    }
    // Named as given: the variable with its value.
    let env = [("BOXINIT_UNSHARE", "none")];
    let line = "--rootfs contradicts BOXINIT_UNSHARE=none";
    assert_refused(false, &env, &["--rootfs", "/"], line);
}

#[test]
fn a_namespace_both_joined_and_unshared_is_refused_naming_both_as_given() {
    let net = "/proc/self/ns/net";
    let line = "BOXINIT_JOIN_NET contradicts --unshare net";
    assert_refused(
        false,
        &[("BOXINIT_JOIN_NET", net)],
        &["--unshare", "net"],
        line,
    );
    let line = "--join-net contradicts BOXINIT_UNSHARE=net";
    let env = [("BOXINIT_UNSHARE", "net")];
    assert_refused(false, &env, &["--join-net", net], line);
}

#[test]
fn kill_stop_and_chld_cannot_be_rewritten_and_the_refusal_says_why() {
    let why = "(KILL and STOP cannot be caught, and CHLD is how boxinit reaps)";
    for (args, given) in [
        (["-r", "9:15"], "-r"),
        (["-r", "KILL:TERM"], "-r"),
        (["--rewrite", "STOP:0"], "--rewrite"),
        (["-r", "CHLD:USR1"], "-r"),
    ] {
        let line = format!("invalid {given} {why}: {}", args[1]);
        assert_refused(false, &[], &args, &line);
    }
}

#[test]
fn options_asking_for_opposite_things_are_refused_together() {
    let cases: [(&[&str], &str); 5] = [
        (&["-c", "--new-session"], "--new-session contradicts -c"),
        (&["-g", "-c"], "-g contradicts -c"),
        (
            &["--rootfs", "/", "--dev", "--no-dev"],
            "--no-dev contradicts --dev",
        ),
        (
            &["--rootfs", "/", "--volatile", "--ro"],
            "--ro contradicts --volatile",
        ),
        (
            &["--rootfs", "/", "--chroot"],
            "--chroot needs a rootfs other than the host's root: /",
        ),
    ];
    for (args, line) in cases {
        assert_refused(false, &[], args, line);
    }
    // Wherever each came from, and named as it was given.
    let env = [("BOXINIT_DEV", "1"), ("BOXINIT_NO_DEV", "1")];
    let line = "BOXINIT_NO_DEV contradicts BOXINIT_DEV";
    assert_refused(false, &env, &["--rootfs", "/"], line);
    let env = [("BOXINIT_NO_DEV", "1")];
    let line = "BOXINIT_NO_DEV contradicts --dev";
    assert_refused(false, &env, &["--rootfs", "/", "--dev"], line);
    let env = [("BOXINIT_DEV", "1")];
    let line = "--no-dev contradicts BOXINIT_DEV";
    assert_refused(false, &env, &["--rootfs", "/", "--no-dev"], line);
    let env = [("TINI_KILL_PROCESS_GROUP", "1")];
    let line = "TINI_KILL_PROCESS_GROUP contradicts -c";
    assert_refused(false, &env, &["-c"], line);
    let env = [("DUMB_INIT_SETSID", "0")];
    let line = "--process-group contradicts DUMB_INIT_SETSID";
    assert_refused(false, &env, &["--process-group"], line);
    assert_refused(false, &env, &["-g"], "-g contradicts DUMB_INIT_SETSID");
}

#[test]
fn cap_drop_without_root_or_a_user_namespace_is_refused() {
    // Dropping from the bounding set needs CAP_SETPCAP: refused before anything starts,
    // not a late failure of the drop.
    let mut cmd = Command::new("setpriv");
    cmd.args(["--reuid", "65534", "--regid", "65534", "--clear-groups"])
        .arg(boxinit())
        .args(["--cap-drop", "all", "--", "true"]);
    strip_options_env(&mut cmd);
    let out = run(&mut cmd);
    assert_eq!(exit_code(out.status), 125);
    assert_eq!(
        text(&out.stderr),
        "boxinit: --cap-drop needs root or a user namespace (--unshare user)\n"
    );
}

#[test]
fn mount_options_in_boot_mode_are_refused_without_a_mount_namespace() {
    // A boot's file system options act in a container it makes with --unshare mnt; without
    // one there is nothing for them to act on.
    let why = "applies in boot mode only with --unshare mnt";
    assert_refused(true, &[], &["--rootfs", "/"], &format!("--rootfs {why}: /"));
    for option in [
        &["--bind", "/tmp:/mnt"][..],
        &["--sys"],
        &["--tmpfs", "/mnt"],
    ] {
        assert_refused(true, &[], option, &format!("{} {why}", option[0]));
    }
    assert_refused(
        true,
        &[("BOXINIT_RO", "1")],
        &[],
        &format!("BOXINIT_RO {why}"),
    );
}

#[test]
fn a_flag_variable_that_says_no_is_refused_nowhere() {
    // BOXINIT_EXIT_DEVICE=0 asks for no exit device: outside boot mode, that holds.
    for (var, value) in [("BOXINIT_EXIT_DEVICE", "0"), ("BOXINIT_EXEC", "no")] {
        let mut cmd = Command::new(boxinit());
        strip_options_env(&mut cmd);
        cmd.env(var, value).args(["--", "sh", "-c", "echo ran"]);
        let out = run(&mut cmd);
        assert_eq!(exit_code(out.status), 0, "{var}={value}: {out:?}");
        assert_eq!(text(&out.stdout), "ran\n", "{var}={value}");
    }
    let line = "BOXINIT_EXIT_DEVICE applies to boot mode only (--boot)";
    assert_refused(false, &[("BOXINIT_EXIT_DEVICE", "1")], &[], line);
}

#[test]
fn identity_that_cannot_act_is_refused_before_the_command_runs() {
    // Someone who is not root cannot change their ids or groups outside a user namespace;
    // inside one, only to ids it maps.
    for (args, line) in [
        (
            &["--user", "0"][..],
            "boxinit: --user needs root or a user namespace (--unshare user)\n",
        ),
        (
            &["--groups", "0"],
            "boxinit: --groups needs root or a user namespace (--unshare user)\n",
        ),
        (
            &["--unshare", "user", "--user", "1000"],
            "boxinit: --user names an id not mapped (--map-uid, --map-gid): 1000\n",
        ),
        (
            &["--unshare", "user", "--groups", "0"],
            "boxinit: --groups needs --map-gid or --map-groups in a user namespace\n",
        ),
    ] {
        let mut cmd = Command::new("setpriv");
        cmd.args(["--reuid", "65534", "--regid", "65534", "--clear-groups"])
            .arg(boxinit())
            .args(args)
            .args(["--", "sh", "-c", "echo ran"]);
        strip_options_env(&mut cmd);
        let out = run(&mut cmd);
        assert_eq!(exit_code(out.status), 125, "{args:?}: {out:?}");
        assert_eq!(text(&out.stderr), line, "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?} ran the command");
    }
    // The id the one-id map gives (0) acts.
    let mut cmd = Command::new("setpriv");
    cmd.args(["--reuid", "65534", "--regid", "65534", "--clear-groups"])
        .arg(boxinit())
        .args(["--unshare", "user", "--user", "0:0", "--", "id", "-u"]);
    strip_options_env(&mut cmd);
    let out = run(&mut cmd);
    assert_eq!(exit_code(out.status), 0, "{out:?}");
    assert_eq!(text(&out.stdout), "0\n");
}

#[test]
fn id_maps_act_with_exec() {
    // Unlike --user, which the command's process would apply after a fork that --exec does
    // not make, the maps are written before the exec: the command is process 1 of a user
    // namespace with them.
    for (args, want) in [
        (&["--uid", "5"][..], "5\n5 0 1\n"),
        (&["--map-uid", "0:100000:10"], "0\n0 100000 10\n"),
    ] {
        let mut cmd = Command::new("unshare");
        cmd.args(["--fork", "--pid", "--mount", "--mount-proc", "--uts"])
            .arg(boxinit())
            .args(["--boot", "--exec"])
            .args(args)
            .args([
                "--",
                "sh",
                "-c",
                "id -u; tr -s ' ' </proc/self/uid_map | sed 's/^ //'",
            ]);
        strip_options_env(&mut cmd);
        let out = run(&mut cmd);
        assert_eq!(exit_code(out.status), 0, "{args:?}: {out:?}");
        assert_eq!(text(&out.stdout), want, "{args:?}");
    }
}

#[test]
fn options_that_act_only_on_a_command_are_refused_with_pause() {
    // A pause runs no command: what would act on one has nothing to act on.
    let mut runs = 0;
    for entry in opts::table() {
        // (Those of a container alone are refused for that first, with -P as without.)
        if entry.acts_in(Mode::Pausing) || !entry.acts_in(Mode::Supervising) || !entry.in_build() {
            continue;
        }
        let Some(sample) = sample(&key(&entry)) else {
            continue;
        };
        for (name, personality) in NAMES {
            let pauses = [Personality::Boxinit, Personality::Catatonit].contains(&personality);
            if !pauses || !entry.known_under(personality) {
                continue;
            }
            // catatonit takes -g with -P, and so does boxinit under its name.
            if personality == Personality::Catatonit && key(&entry) == "process-group" {
                continue;
            }
            for spelling in spellings(&entry) {
                runs += 1;
                let mut cmd = Command::new(boxinit());
                cmd.arg0(name).arg("-P");
                strip_options_env(&mut cmd);
                let given = give(&mut cmd, &spelling, &sample);
                let given = given.split('=').next().unwrap().to_owned();
                cmd.args(sample.with);
                // (One that is not refused pauses: `finish` fails it after its time limit.)
                let out = Running::start(&mut cmd).finish();
                let stderr = text(&out.stderr);
                let usage = if personality == Personality::Boxinit {
                    125
                } else {
                    1
                };
                assert_eq!(exit_code(out.status), usage, "{name} -P {given}: {stderr}");
                assert_eq!(stderr.lines().count(), 1, "{name} -P {given}: {stderr}");
                let why = format!("{given} does not apply with -P\n");
                let named = !sample.with.is_empty() || stderr.ends_with(&why);
                assert!(
                    stderr.ends_with(" does not apply with -P\n") && named,
                    "{stderr}"
                );
            }
        }
    }
    assert!(runs > 30, "only {runs} runs");
}

#[test]
fn catatonit_takes_its_group_flag_with_pause_as_the_real_one_does() {
    let mut ours = Command::new(boxinit());
    ours.arg0("catatonit");
    for mut cmd in [Command::new("catatonit"), ours] {
        strip_options_env(&mut cmd);
        cmd.args(["-P", "-g"]);
        let mut pause = Running::start(&mut cmd);
        assert!(
            pause.still_running_after(Duration::from_millis(300)),
            "{cmd:?} ended"
        );
        pause.signal(libc::SIGTERM);
        assert_eq!(pause.wait(), 0, "{cmd:?}");
    }
}

#[test]
fn root_device_settings_without_one_are_refused_naming_the_one_given() {
    let line = "--root-wait needs --root-device";
    assert_refused(true, &[], &["--root-wait", "0"], line);
    let line = "BOXINIT_ROOT_WAIT needs --root-device";
    assert_refused(true, &[("BOXINIT_ROOT_WAIT", "5")], &[], line);
}

#[test]
fn options_are_named_by_the_form_given() {
    assert_refused(
        false,
        &[],
        &["-r", "TERM"],
        "invalid -r (want SIGNAL:SIGNAL, 0 to drop): TERM",
    );
    let why = "(want SIGNAL:SIGNAL, 0 to drop): TERM";
    assert_refused(
        false,
        &[],
        &["--rewrite", "TERM"],
        &format!("invalid --rewrite {why}"),
    );
    let why = "(want 0-255): 256";
    assert_refused(false, &[], &["-e", "256"], &format!("invalid -e {why}"));
    assert_refused(
        false,
        &[],
        &["--expect-exit", "256"],
        &format!("invalid --expect-exit {why}"),
    );
    assert_refused(
        false,
        &[],
        &["--pause", "-r", "1:2"],
        "-r does not apply with --pause",
    );
}

/// `boxinit` with `env` and `args` (a container of `root` when given) running `script`:
/// its stdout, after a status of 0.
fn output_of(env: &[(&str, &str)], args: &[&str], script: &str) -> String {
    let mut cmd = Command::new(boxinit());
    strip_options_env(&mut cmd);
    cmd.envs(env.iter().copied())
        .args(args)
        .args(["--", "sh", "-c", script]);
    let out = run(&mut cmd);
    assert_eq!(exit_code(out.status), 0, "{args:?}: {}", text(&out.stderr));
    text(&out.stdout)
}

/// The effective capabilities in `/proc/self/status`'s words.
fn has_cap(status: &str, cap: u32) -> bool {
    let eff = status.trim().rsplit('\t').next().unwrap();
    u64::from_str_radix(eff, 16).unwrap() & (1 << cap) != 0
}

#[test]
fn the_command_lines_edits_replace_the_environments_of_the_same_thing() {
    // The command line wins: its adds and drops, sets and unsets, mount steps replace the
    // environment's whole, rather than some of each running in turn.
    let caps = "grep CapEff /proc/self/status";
    let out = output_of(
        &[("BOXINIT_CAP_ADD", "net_admin")],
        &["--cap-drop", "net_admin"],
        caps,
    );
    assert!(!has_cap(&out, 12), "net_admin kept: {out}");
    let out = output_of(
        &[("BOXINIT_CAP_DROP", "net_raw")],
        &["--cap-add", "net_raw"],
        caps,
    );
    assert!(has_cap(&out, 13), "net_raw lost: {out}");
    let out = output_of(&[("BOXINIT_CAP_DROP", "all")], &["--cap-add", "kill"], caps);
    assert!(has_cap(&out, 5), "kill lost: {out}");
    let show = "echo A=${A-unset}";
    let out = output_of(&[("BOXINIT_SETENV", "A=1")], &["--unsetenv", "A"], show);
    assert_eq!(out, "A=unset\n");
    let out = output_of(
        &[("A", "0"), ("BOXINIT_UNSETENV", "A")],
        &["--setenv", "A=1"],
        show,
    );
    assert_eq!(out, "A=1\n");

    let root = busybox_rootfs();
    let scratch = TempDir::new("scratch");
    std::fs::write(scratch.path().join("here"), "").unwrap();
    let rootfs = root.path().to_str().unwrap();
    let bind = format!("{}:/tmp/s", scratch.path().display());
    let args = ["--rootfs", rootfs, "--bind", &bind];
    let out = output_of(&[("BOXINIT_TMPFS", "/tmp")], &args, "ls /tmp/s");
    assert_eq!(out, "here\n", "the environment's tmpfs covered the bind");
    let ro = format!("{}:/tmp/s", scratch.path().display());
    let script = "touch /tmp/s/written && echo written";
    let out = output_of(&[("BOXINIT_RO_BIND", &ro)], &args, script);
    assert_eq!(
        out, "written\n",
        "the environment's read-only bind covered --bind"
    );
    assert!(scratch.path().join("written").exists());
}

#[test]
fn a_rootfs_that_is_the_hosts_root_is_refused_naming_the_option_as_given() {
    let why = "needs a rootfs other than the host's root: /";
    let args = ["--rootfs", "/", "--volatile"];
    assert_refused(false, &[], &args, &format!("--volatile {why}"));
    let env = [("BOXINIT_VOLATILE", "1")];
    let line = format!("BOXINIT_VOLATILE {why}");
    assert_refused(false, &env, &["--rootfs", "/"], &line);
    let env = [("BOXINIT_ROOTFS", "/"), ("BOXINIT_CHROOT", "1")];
    assert_refused(false, &env, &[], &format!("BOXINIT_CHROOT {why}"));
}

/// boxinit given `args` with a hard NOFILE limit of 4096, as nobody or as root.
fn with_nofile_hard_limit_4096(as_nobody: bool, args: &[&str]) -> std::process::Output {
    let mut cmd = Command::new("sh");
    cmd.args(["-c", "ulimit -n 4096 && exec \"$@\"", "sh"]);
    if as_nobody {
        cmd.args([
            "setpriv",
            "--reuid",
            "65534",
            "--regid",
            "65534",
            "--clear-groups",
        ]);
    }
    cmd.arg(boxinit()).args(args);
    strip_options_env(&mut cmd);
    run(&mut cmd)
}

#[test]
fn an_rlimit_the_kernel_would_refuse_is_refused_before_the_command_runs() {
    let nr_open = std::fs::read_to_string("/proc/sys/fs/nr_open").unwrap();
    let why = format!("is above the kernel's fs.nr_open ({})", nr_open.trim());
    let line = format!("--rlimit NOFILE=unlimited {why}");
    assert_refused(false, &[], &["--rlimit", "NOFILE=unlimited"], &line);
    let env = [("BOXINIT_RLIMIT", "core=0,nofile=unlimited")];
    let line = format!("BOXINIT_RLIMIT NOFILE=unlimited {why}");
    assert_refused(false, &env, &[], &line);

    // A hard limit above the one boxinit has: only CAP_SYS_RESOURCE in the host's user
    // namespace raises it, which nobody lacks, and so does any process in a user namespace.
    let why = "needs CAP_SYS_RESOURCE on the host to go above the hard limit (4096)";
    let line = format!("boxinit: --rlimit NOFILE=5000 {why}\n");
    let show = ["--", "sh", "-c", "echo $(ulimit -Sn) $(ulimit -Hn)"];
    for (as_nobody, args) in [
        (true, &["--rlimit", "NOFILE=10:5000"][..]),
        (false, &["--unshare", "user", "--rlimit", "NOFILE=10:5000"]),
    ] {
        let out = with_nofile_hard_limit_4096(as_nobody, &[args, &show].concat());
        assert_eq!(exit_code(out.status), 125, "{args:?}: {out:?}");
        assert_eq!(text(&out.stderr), line, "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?} ran the command");
    }
    // Up to it, it acts.
    let args = [&["--rlimit", "NOFILE=10:4096"][..], &show].concat();
    let out = with_nofile_hard_limit_4096(true, &args);
    assert_eq!(exit_code(out.status), 0, "{out:?}");
    assert_eq!(text(&out.stdout), "10 4096\n");
    // Root raises it where it has CAP_SYS_RESOURCE, and is refused where it has not.
    let raised = [&["--rlimit", "NOFILE=5000"][..], &show].concat();
    let out = with_nofile_hard_limit_4096(false, &raised);
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let effective = status.lines().find(|l| l.starts_with("CapEff:")).unwrap();
    if has_cap(effective, 24) {
        assert_eq!(
            (exit_code(out.status), text(&out.stdout)),
            (0, "5000 5000\n".into())
        );
    } else {
        assert_eq!(exit_code(out.status), 125, "{out:?}");
        assert_eq!(text(&out.stderr), line);
    }
}

/// Variables, arguments, and the one line of their refusal.
type Refusal<'a> = (&'a [(&'a str, &'a str)], &'a [&'a str], String);

#[test]
fn a_user_or_group_not_found_is_named_as_given_with_why() {
    let passwd = "names no user in /etc/passwd: nosuch";
    let group = "names no group in /etc/group:";
    let not_an_id = "is not a valid id: 4294967295";
    let cases: [Refusal; 6] = [
        (&[], &["--user", "nosuch"], format!("--user {passwd}")),
        (
            &[("BOXINIT_USER", "nosuch")],
            &[],
            format!("BOXINIT_USER {passwd}"),
        ),
        (
            &[],
            &["--user", "1:nosuchgroup"],
            format!("--user {group} nosuchgroup"),
        ),
        (
            &[],
            &["--groups", "0,nosuch"],
            format!("--groups {group} nosuch"),
        ),
        (
            &[],
            &["--user", "4294967295"],
            format!("--user {not_an_id}"),
        ),
        (
            &[("BOXINIT_GROUPS", "4294967295")],
            &[],
            format!("BOXINIT_GROUPS {not_an_id}"),
        ),
    ];
    for (env, args, line) in cases {
        assert_refused(false, env, args, &line);
    }
}
