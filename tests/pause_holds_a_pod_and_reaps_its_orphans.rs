//! Under the name `pause`, boxinit is Kubernetes' pause: no command, process 1 of a pod that
//! reaps whatever is reparented to it, ends with status 0 on SIGTERM or SIGINT, answers `-v`
//! with a version, warns (and goes on) when it is not process 1, and needs no root. Then as a
//! pod's infra container under podman, from a scratch image that holds only boxinit as /pause.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use support::{report_value, text, unique, Running, TempDir};

/// A user and group that own nothing here, as the pause image runs as.
const NOBODY: &str = "65535";

/// A directory holding boxinit as `pause` (a copy, so that any user can run it).
fn pause_dir() -> (TempDir, PathBuf) {
    let dir = TempDir::new("pause");
    let pause = dir.path().join("pause");
    std::fs::copy(support::boxinit(), &pause).unwrap();
    (dir, pause)
}

/// `pause ARGS`, as the unprivileged user, to its end.
fn pause_run(pause: &Path, args: &[&str]) -> Output {
    support::run(as_nobody(pause).args(args))
}

/// `pause`, as the unprivileged user.
fn as_nobody(pause: &Path) -> Command {
    let mut cmd = Command::new("setpriv");
    cmd.args(["--reuid", NOBODY, "--regid", NOBODY, "--clear-groups", "--"]);
    cmd.arg(pause);
    cmd
}

#[test]
fn v_in_either_case_prints_the_version() {
    let (_dir, pause) = pause_dir();
    for flag in ["-v", "-V"] {
        let out = pause_run(&pause, &[flag]);
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        let stdout = text(&out.stdout);
        assert!(stdout.starts_with("pause.c v"), "{stdout}");
        assert_eq!(stdout.lines().count(), 1, "{stdout}");
        assert!(out.stderr.is_empty(), "{out:?}");
    }
}

#[test]
fn anything_else_is_a_usage_error_with_status_1() {
    let (_dir, pause) = pause_dir();
    for (args, line) in [
        (
            &["x"][..],
            "boxinit: a pause runs no command, but was given x\n",
        ),
        (&["-x"], "boxinit: unknown option -x\n"),
        (&["--pause"], "boxinit: unknown option --pause\n"),
    ] {
        let out = pause_run(&pause, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {out:?}");
        assert_eq!(text(&out.stderr), line, "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}: {out:?}");
    }
    // boxinit's variables are boxinit's, not pause's: refused, not ignored.
    let out = support::run(as_nobody(&pause).env("BOXINIT_GRACE", "1"));
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let line = "boxinit: not read under this name: BOXINIT_GRACE\n";
    assert_eq!(text(&out.stderr), line);
}

#[test]
fn not_process_1_it_warns_and_term_or_int_end_it_with_status_0() {
    let (_dir, pause) = pause_dir();
    for sig in [libc::SIGTERM, libc::SIGINT] {
        // The warning comes once the signals are blocked, to be taken in turn: then a signal
        // cannot end it by its default action.
        let mut cmd = Command::new("sh");
        cmd.args(["-c", r#"exec "$@" 2>&1"#, "sh", "setpriv"]);
        cmd.args(["--reuid", NOBODY, "--regid", NOBODY, "--clear-groups", "--"]);
        let mut running = Running::start(cmd.arg(&pause));
        running.expect("boxinit: pause is not process 1 of its PID namespace");
        running.signal(sig);
        assert_eq!(running.wait(), 0, "signal {sig}");
    }
}

/// In a PID namespace of its own pause is process 1: the orphans of a process there come to
/// it, as the unprivileged user it runs as, and it reaps each one.
#[test]
fn as_process_1_it_reaps_the_orphans_reparented_to_it() {
    let (dir, pause) = pause_dir();
    std::fs::copy(support::probe(), dir.path().join("probe")).unwrap();
    // The shell, process 1, starts the probe and becomes pause: the probe's orphans are
    // reparented to pause, and the probe says when none of them is left a zombie.
    let script = r#"probe="$1"; shift; "$probe" orphans 20 & exec "$@""#;
    let mut cmd = Command::new("unshare");
    cmd.args(["--pid", "--fork", "--mount-proc", "--kill-child"]);
    cmd.args(["sh", "-c", script, "sh"])
        .arg(dir.path().join("probe"));
    cmd.args([
        "setpriv",
        "--reuid",
        NOBODY,
        "--regid",
        NOBODY,
        "--clear-groups",
        "--",
    ]);
    cmd.arg(&pause);
    let mut running = Running::start(&mut cmd);
    running.expect("zombies=0");
    let pause_pid = support::children(running.pid());
    assert_eq!(pause_pid.len(), 1, "{pause_pid:?}");
    let status = std::fs::read_to_string(format!("/proc/{}/status", pause_pid[0])).unwrap();
    let uid = status.lines().find(|l| l.starts_with("Uid:")).unwrap();
    assert_eq!(uid.split_whitespace().nth(2), Some(NOBODY), "{uid}");
    support::kill(pause_pid[0], libc::SIGTERM);
    assert_eq!(running.wait(), 0);
    // Process 1 says nothing about being process 1.
    let out = running.finish();
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
}

// ---- As a pod's infra container under podman ----------------------------------------------

/// podman with this project's containers.conf (ulimits within the hard limits, runc,
/// cgroupfs), as tests/runs_under_container_engines.rs runs it.
fn podman() -> Command {
    let conf = Path::new(env!("CARGO_MANIFEST_DIR")).join("image/containers.conf");
    let mut cmd = Command::new("podman");
    cmd.env("CONTAINERS_CONF", conf);
    cmd
}

#[track_caller]
fn podman_ok(args: &[&str]) -> String {
    let out = support::run(podman().args(args));
    assert!(out.status.success(), "podman {args:?}: {out:?}");
    text(&out.stdout).trim().to_string()
}

/// A pod and its image, removed when dropped (the pod first: its infra uses the image).
struct Pod {
    name: String,
    image: String,
}

impl Drop for Pod {
    fn drop(&mut self) {
        for args in [
            &["pod", "rm", "--force", "--ignore", &self.name][..],
            &["rmi", "--force", "--ignore", &self.image],
        ] {
            let _ = podman()
                .args(args)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// A pod whose infra container is a scratch image holding boxinit as /pause, sharing its PID
/// namespace with the pod:
/// the orphans of another container in the pod come to it, and `podman pod stop` ends it
/// with status 0 (at its SIGTERM, not the SIGKILL podman sends after 10 s).
#[test]
fn as_a_pods_infra_container_it_reaps_another_containers_orphans_and_stops_with_0() {
    let (dir, _pause) = pause_dir();
    let tar = dir.path().join("image.tar");
    let made = support::run(
        Command::new("tar")
            .arg("-C")
            .arg(dir.path())
            .arg("-cf")
            .arg(&tar)
            .arg("pause"),
    );
    assert!(made.status.success(), "{made:?}");
    let name = format!("boxinit-test-pause-{}", unique());
    let pod = Pod {
        image: format!("localhost/{name}:scratch"),
        name,
    };
    let entry = r#"ENTRYPOINT ["/pause"]"#;
    let tar = tar.to_str().unwrap();
    podman_ok(&["import", "--change", entry, tar, &pod.image]);
    podman_ok(&[
        "pod",
        "create",
        "--name",
        &pod.name,
        "--share",
        "ipc,net,uts,pid",
        "--infra-image",
        &pod.image,
        "--infra-command",
        "/pause",
    ]);
    podman_ok(&["pod", "start", &pod.name]);
    let infra = podman_ok(&[
        "pod",
        "inspect",
        "--format",
        "{{.InfraContainerID}}",
        &pod.name,
    ]);

    // Another container in the pod: its orphans are reparented to the pod's process 1.
    let rootfs = support::probe_rootfs();
    let out = support::run(
        podman()
            .args(["run", "--rm", "--pod", &pod.name, "--rootfs"])
            .arg(rootfs.path())
            .args(["/probe", "report", "--then", "orphans", "20"]),
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stdout = text(&out.stdout);
    assert_ne!(report_value(&stdout, "pid"), "1", "{stdout}");
    assert_eq!(report_value(&stdout, "zombies"), "0", "{stdout}");

    let started = std::time::Instant::now();
    podman_ok(&["pod", "stop", &pod.name]);
    let took = started.elapsed();
    assert!(
        took.as_secs() < 5,
        "podman pod stop took {took:?}: it waited for its SIGKILL"
    );
    let status = podman_ok(&["inspect", "--format", "{{.State.ExitCode}}", &infra]);
    assert_eq!(status, "0");
    let logs = support::run(podman().args(["logs", &infra]));
    assert!(
        logs.stderr.is_empty() && logs.stdout.is_empty(),
        "process 1 said: {logs:?}"
    );
}
