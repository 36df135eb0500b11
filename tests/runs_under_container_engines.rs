//! boxinit under the real container engines, as root (see ../shared/ENVIRONMENT.md):
//! - runc and crun run an OCI bundle with a busybox rootfs whose process is
//!   `/boxinit -- CMD`;
//! - podman runs boxinit as its `--init` (`/run/podman-init -- CMD`, the catatonit
//!   personality) and the images image/build.sh makes (ENTRYPOINT ["/boxinit", "--"]).
//! - containerd (a daemon of the test's own) runs the image image/build.sh makes, imported
//!   with `ctr image import` from `podman save`, with `ctr run` and `ctr task kill`.
//!
//! Every test names its containers and images uniquely and removes them when it ends, even
//! when it fails, so the tests run in parallel and leave nothing behind.

mod support;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};
use support::{report_value, text, unique, Running, TempDir};

// runc

#[test]
fn runc_passes_exit_codes_through() {
    exit_codes(Engine::Runc);
}

#[test]
fn runc_kill_reaches_the_command() {
    signals(Engine::Runc);
}

#[test]
fn runc_orphans_are_reaped() {
    orphans(Engine::Runc);
}

// crun

#[test]
fn crun_passes_exit_codes_through() {
    exit_codes(Engine::Crun);
}

#[test]
fn crun_kill_reaches_the_command() {
    signals(Engine::Crun);
}

#[test]
fn crun_orphans_are_reaped() {
    orphans(Engine::Crun);
}

/// boxinit is PID 1 of the container with the command as its child, and the command's exit
/// code, or 128+N for a death by signal N, is the engine's.
fn exit_codes(engine: Engine) {
    let bundle = Bundle::new(engine);
    let out = bundle.run(&["/probe", "report", "--then", "exit", "3"]);
    let stdout = expect_status(&out, 3);
    assert_eq!(report_value(&stdout, "comm1"), "boxinit", "{stdout}");
    assert_eq!(report_value(&stdout, "ppid"), "1", "{stdout}");
    assert_ne!(report_value(&stdout, "pid"), "1", "{stdout}");

    for (command, status) in [
        (&["/probe", "exit", "0"][..], 0),
        (&["/probe", "exit", "255"], 255),
        (&["/probe", "die", "9"], 137),
        (&["/probe", "die", "15"], 143),
        (&["/no/such/command"], 127),
    ] {
        expect_status(&bundle.run(command), status);
    }
}

/// `runc kill ID SIG` (or crun's) signals PID 1, boxinit, and the command gets the signal;
/// on TERM it exits and the container ends at once.
fn signals(engine: Engine) {
    let bundle = Bundle::new(engine);
    bundle.configure(&["/probe", "signals"]);
    let mut run =
        Running::start(&mut engine.command(&["run", "--bundle", bundle.dir(), &bundle.id]));
    run.skip_to("ready");
    for (name, number) in [("HUP", 1), ("USR1", 10), ("TERM", 15)] {
        let out = support::run(&mut engine.command(&["kill", &bundle.id, name]));
        assert!(out.status.success(), "kill {name}: {}", text(&out.stderr));
        run.skip_to(&format!("signal {number}"));
    }
    let out = run.finish();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

/// 1000 orphans of the command come to boxinit, PID 1, which reaps every one. (The probe
/// counts the orphans still its parent's: it must not be PID 1 itself, its own reaper.)
fn orphans(engine: Engine) {
    let bundle = Bundle::new(engine);
    let out = bundle.run(&["/probe", "report", "--then", "orphans", "1000"]);
    let stdout = expect_status(&out, 0);
    assert_eq!(report_value(&stdout, "comm1"), "boxinit", "{stdout}");
    assert_eq!(report_value(&stdout, "ppid"), "1", "{stdout}");
    assert_eq!(report_value(&stdout, "zombies"), "0", "{stdout}");
}

// podman --init

/// `podman run --init --init-path boxinit` runs boxinit as /run/podman-init (the catatonit
/// personality) and passes the command's status on.
#[test]
fn podman_init_passes_exit_codes_through() {
    let rootfs = support::busybox_rootfs();
    let out = podman_init_run(rootfs.path(), &["/probe", "report", "--then", "exit", "3"]);
    let stdout = expect_status(&out, 3);
    assert_eq!(report_value(&stdout, "comm1"), "podman-init", "{stdout}");
    assert_eq!(report_value(&stdout, "ppid"), "1", "{stdout}");

    for (command, status) in [
        (&["/probe", "exit", "0"][..], 0),
        (&["/probe", "exit", "255"], 255),
        (&["/probe", "die", "9"], 137),
        (&["/no/such/command"], 127),
    ] {
        expect_status(&podman_init_run(rootfs.path(), command), status);
    }
}

/// `podman kill -s SIG` signals the init, boxinit, which passes the signal to the command.
#[test]
fn podman_init_passes_signals() {
    let rootfs = support::busybox_rootfs();
    let container = PodmanContainer::new();
    let mut run =
        Running::start(podman_init(&container.name, rootfs.path()).args(["/probe", "signals"]));
    run.skip_to("ready");
    for (name, number) in [("HUP", 1), ("USR1", 10), ("TERM", 15)] {
        let out = support::run(podman().args(["kill", "--signal", name, &container.name]));
        assert!(out.status.success(), "kill {name}: {}", text(&out.stderr));
        run.skip_to(&format!("signal {number}"));
    }
    let out = run.finish();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

/// `podman stop -t 2` sends SIGTERM to boxinit, which passes it on: the command's trap runs
/// and the container ends with the trap's status well before podman would send SIGKILL.
#[test]
fn podman_stop_lets_the_command_trap_term() {
    let rootfs = support::busybox_rootfs();
    let container = PodmanContainer::new();
    let script = "trap 'echo trapped; exit 42' TERM; echo ready; sleep 1000 & wait";
    let mut run =
        Running::start(podman_init(&container.name, rootfs.path()).args(["sh", "-c", script]));
    run.skip_to("ready");
    let start = Instant::now();
    let out = support::run(podman().args(["stop", "-t", "2", &container.name]));
    let took = start.elapsed();
    assert!(out.status.success(), "podman stop: {}", text(&out.stderr));
    run.skip_to("trapped");
    let out = run.finish();
    assert_eq!(
        out.status.code(),
        Some(42),
        "not ended by the trap: {}",
        text(&out.stderr)
    );
    assert!(
        took < Duration::from_secs(2),
        "podman stop took {took:?}: it waited the 2 s for its SIGKILL"
    );
}

/// The command's orphans are reaped by boxinit as podman's init too.
#[test]
fn podman_init_reaps_orphans() {
    let rootfs = support::busybox_rootfs();
    let command = ["/probe", "report", "--then", "orphans", "1000"];
    let out = podman_init_run(rootfs.path(), &command);
    let stdout = expect_status(&out, 0);
    assert_eq!(report_value(&stdout, "comm1"), "podman-init", "{stdout}");
    assert_eq!(report_value(&stdout, "ppid"), "1", "{stdout}");
    assert_eq!(report_value(&stdout, "zombies"), "0", "{stdout}");
}

// The images of image/build.sh

/// image/build.sh (what `just image` runs) builds NAME:scratch and NAME:busybox with
/// ENTRYPOINT ["/boxinit", "--"]; both run, with boxinit as PID 1, passing statuses, stdin
/// and signals; the scratch image is a base for an image of one static program.
#[test]
fn images_from_build_sh() {
    let (_images, [scratch, busybox, derived]) = build_images();

    // What the images say they run.
    for (image, cmd) in [(&scratch, "null"), (&busybox, r#"["sh"]"#)] {
        let format = "{{json .Config.Entrypoint}} {{json .Config.Cmd}}";
        let out = support::run(podman().args(["image", "inspect", "--format", format, image]));
        let stdout = expect_status(&out, 0);
        assert_eq!(
            stdout.trim(),
            format!(r#"["/boxinit","--"] {cmd}"#),
            "{image}"
        );
    }

    // busybox: boxinit is PID 1, the shell its child, and the shell's status comes out.
    let container = PodmanContainer::new();
    let script = "cat /proc/1/comm; echo ppid=$PPID; exit 5";
    let out = support::run(podman().args([
        "run",
        "--rm",
        "--name",
        &container.name,
        &busybox,
        "sh",
        "-c",
        script,
    ]));
    let stdout = expect_status(&out, 5);
    assert_eq!(stdout, "boxinit\nppid=1\n");

    // busybox with no command: the default CMD, a shell, reads its commands from stdin.
    let container = PodmanContainer::new();
    let mut shell =
        Running::start(podman().args(["run", "--rm", "-i", "--name", &container.name, &busybox]));
    shell.write_stdin(b"echo shell of $(cat /proc/1/comm)\nexit 6\n");
    let out = shell.finish();
    let stdout = expect_status(&out, 6);
    assert_eq!(stdout, "shell of boxinit\n");

    // scratch: an image FROM it holding one static program, which runs under boxinit.
    let _context = build_probe_image(&scratch, &derived, "CMD [\"/probe\", \"report\"]\n");

    let container = PodmanContainer::new();
    let out = support::run(podman().args(["run", "--rm", "--name", &container.name, &derived]));
    let stdout = expect_status(&out, 0);
    assert_eq!(report_value(&stdout, "comm1"), "boxinit", "{stdout}");
    assert_eq!(report_value(&stdout, "ppid"), "1", "{stdout}");

    let container = PodmanContainer::new();
    let out = support::run(podman().args([
        "run",
        "--rm",
        "--name",
        &container.name,
        &derived,
        "/probe",
        "exit",
        "7",
    ]));
    expect_status(&out, 7);

    // `podman stop` sends SIGTERM to boxinit, which passes it to the program.
    let container = PodmanContainer::new();
    let mut run = Running::start(podman().args([
        "run",
        "--rm",
        "--name",
        &container.name,
        &derived,
        "/probe",
        "signals",
    ]));
    run.skip_to("ready");
    let out = support::run(podman().args(["stop", "-t", "10", &container.name]));
    assert!(out.status.success(), "podman stop: {}", text(&out.stderr));
    run.skip_to("signal 15");
    let out = run.finish();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

// containerd (what Kubernetes nodes run containers with)

/// The image image/build.sh makes (with the probe added) runs under containerd's `ctr run`:
/// boxinit is PID 1, exit codes and deaths by signal pass through, `ctr task kill` (SIGTERM)
/// reaches the command, and the command's orphans are reaped. containerd runs with a root,
/// state directory and socket of its own (runc as its runtime, which works with this
/// machine's hybrid cgroups), and is stopped at the end, leaving nothing running.
#[test]
fn containerd_runs_the_image_from_build_sh() {
    let (_images, [scratch, _, derived]) = build_images();
    let context = build_probe_image(&scratch, &derived, "");
    let archive = context.path().join("image.tar");
    let out = support::run(
        podman()
            .args(["save", "-q", "--format", "docker-archive", "-o"])
            .arg(&archive)
            .arg(&derived),
    );
    expect_status(&out, 0);

    let containerd = Containerd::start();
    expect_status(
        &support::run(containerd.ctr(&["image", "import"]).arg(&archive)),
        0,
    );
    // The image's entrypoint is /boxinit --; ctr run's arguments replace it, so say it again.
    let run = |command: &[&str]| {
        let id = format!("boxinit-test-{}", unique());
        let mut args = vec!["run", "--rm", &derived, &id, "/boxinit", "--"];
        args.extend(command);
        support::run(&mut containerd.ctr(&args))
    };

    let stdout = expect_status(&run(&["/probe", "report", "--then", "exit", "3"]), 3);
    assert_eq!(report_value(&stdout, "comm1"), "boxinit", "{stdout}");
    assert_eq!(report_value(&stdout, "ppid"), "1", "{stdout}");
    for (command, status) in [
        (&["/probe", "exit", "0"][..], 0),
        (&["/probe", "exit", "255"], 255),
        (&["/probe", "die", "9"], 137),
        (&["/probe", "die", "15"], 143),
        (&["/no/such/command"], 127),
    ] {
        expect_status(&run(command), status);
    }

    let stdout = expect_status(&run(&["/probe", "report", "--then", "orphans", "1000"]), 0);
    assert_eq!(report_value(&stdout, "zombies"), "0", "{stdout}");

    let id = format!("boxinit-test-{}", unique());
    let mut task = Running::start(&mut containerd.ctr(&[
        "run", "--rm", &derived, &id, "/boxinit", "--", "/probe", "signals",
    ]));
    task.skip_to("ready");
    for (name, number) in [("SIGHUP", 1), ("SIGUSR1", 10), ("SIGTERM", 15)] {
        let out = support::run(&mut containerd.ctr(&["task", "kill", "-s", name, &id]));
        expect_status(&out, 0);
        task.skip_to(&format!("signal {number}"));
    }
    let out = task.finish();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

/// A containerd daemon of the test's own: its root, state, socket and namespace in a
/// temporary directory, stopped (with its shims) when dropped.
struct Containerd {
    dir: TempDir,
    daemon: Option<std::process::Child>,
}

impl Containerd {
    fn start() -> Containerd {
        let dir = TempDir::new("containerd");
        let d = dir.path().display();
        let config = format!(
            "version = 2\nroot = \"{d}/root\"\nstate = \"{d}/state\"\n\
             disabled_plugins = [\"io.containerd.grpc.v1.cri\"]\n\
             [grpc]\n  address = \"{d}/sock\"\n[ttrpc]\n  address = \"{d}/sock.ttrpc\"\n\
             [debug]\n  address = \"\"\n[metrics]\n  address = \"\"\n"
        );
        std::fs::write(dir.path().join("config.toml"), config).unwrap();
        let log = std::fs::File::create(dir.path().join("log")).unwrap();
        let daemon = Command::new("containerd")
            .arg("--config")
            .arg(dir.path().join("config.toml"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        let c = Containerd {
            dir,
            daemon: Some(daemon),
        };
        // `ctr version` answers once the daemon serves its socket.
        let deadline = Instant::now() + support::LIMIT;
        while !support::run(&mut c.ctr(&["version"])).status.success() {
            assert!(
                Instant::now() < deadline,
                "containerd did not start: {}",
                std::fs::read_to_string(c.dir.path().join("log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        c
    }

    fn ctr(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new("ctr");
        cmd.arg("--address")
            .arg(self.dir.path().join("sock"))
            .args(["--namespace", "boxinit-test"])
            .args(args);
        cmd
    }
}

impl Drop for Containerd {
    fn drop(&mut self) {
        let Some(mut daemon) = self.daemon.take() else {
            return;
        };
        // Containers left by a failed test, then the daemon itself.
        let list = self.ctr(&["task", "ls", "-q"]).output();
        for id in list.map(|o| text(&o.stdout)).unwrap_or_default().lines() {
            let _ = self.ctr(&["task", "kill", "-s", "SIGKILL", id]).output();
            let _ = self.ctr(&["task", "delete", "-f", id]).output();
            let _ = self.ctr(&["container", "delete", id]).output();
        }
        support::kill(daemon.id() as i32, libc::SIGTERM);
        if support::wait_for(&mut daemon, support::LIMIT).is_none() {
            let _ = daemon.kill();
            let _ = daemon.wait();
        }
        // Its snapshots may still be mounted under its root if a container was left.
        let root = self.dir.path().to_str().unwrap().to_owned();
        let mounts = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
        let mut points: Vec<&str> = mounts
            .lines()
            .filter_map(|l| l.split(' ').nth(4))
            .filter(|p| p.starts_with(&root))
            .collect();
        points.sort_by_key(|p| std::cmp::Reverse(p.len()));
        for point in points {
            let _ = Command::new("umount").args(["-l", point]).status();
        }
        // The namespace's parent cgroup, which containerd makes in every hierarchy and leaves.
        for hierarchy in std::fs::read_dir("/sys/fs/cgroup").into_iter().flatten() {
            let _ = std::fs::remove_dir(hierarchy.unwrap().path().join("boxinit-test"));
        }
    }
}

// Helpers

/// Check a run's exit status (an engine passes the container's on) and return its stdout.
fn expect_status(out: &Output, status: i32) -> String {
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(status),
        "stdout:\n{stdout}\nstderr:\n{}",
        text(&out.stderr)
    );
    stdout
}

/// The OCI runtimes.
#[derive(Clone, Copy, Debug)]
enum Engine {
    Runc,
    Crun,
}

impl Engine {
    /// The runtime with `args`. crun refuses the hybrid cgroup layout of the test machines
    /// (cgroup v1 controllers plus a cgroup2 mount at /sys/fs/cgroup/unified), so it runs in
    /// a private mount namespace where that mount is gone; the host keeps it.
    fn command(self, args: &[&str]) -> Command {
        match self {
            Engine::Runc => {
                let mut cmd = Command::new("runc");
                cmd.args(args);
                cmd
            }
            Engine::Crun => {
                // crun refuses the hybrid layout, so hide the cgroup2 mount in a private mount
                // namespace. A throwaway tmpfs takes its place: what crun writes there (it makes
                // a directory per container) must not land in the host's /sys/fs/cgroup.
                let mut cmd = Command::new("unshare");
                cmd.args([
                    "-m",
                    "sh",
                    "-c",
                    "u=/sys/fs/cgroup/unified; ! mountpoint -q $u || umount $u; \
                     mount -t tmpfs -o size=1m crun-scratch $u; exec crun \"$@\"",
                    "sh",
                ]);
                cmd.args(args);
                cmd
            }
        }
    }
}

/// An OCI bundle made by `runc spec` around a busybox rootfs holding /probe and /boxinit;
/// its container ID is unique, and the container is deleted when the bundle is dropped.
struct Bundle {
    engine: Engine,
    id: String,
    dir: TempDir,
    _rootfs: TempDir,
    /// config.json, with ARGS where the process's args go.
    template: String,
}

impl Bundle {
    fn new(engine: Engine) -> Bundle {
        let rootfs = support::busybox_rootfs();
        std::fs::copy(support::boxinit(), rootfs.path().join("boxinit")).unwrap();
        let dir = TempDir::new("bundle");
        let out = support::run(
            Command::new("runc")
                .arg("spec")
                .arg("--bundle")
                .arg(dir.path()),
        );
        assert!(out.status.success(), "runc spec: {}", text(&out.stderr));
        let spec = std::fs::read_to_string(dir.path().join("config.json")).unwrap();
        let root = json_string(rootfs.path().to_str().unwrap());
        let template = replace_once(&spec, "\"terminal\": true", "\"terminal\": false");
        let template = replace_once(
            &template,
            "\"path\": \"rootfs\"",
            &format!("\"path\": {root}"),
        );
        // The args array: from its key to the first ']' after it.
        let start = template
            .find("\"args\": [")
            .expect("no args in config.json");
        let end = start + template[start..].find(']').unwrap() + 1;
        let template = format!("{}\"args\": ARGS{}", &template[..start], &template[end..]);
        Bundle {
            engine,
            id: format!("boxinit-test-{}", unique()),
            dir,
            _rootfs: rootfs,
            template,
        }
    }

    fn dir(&self) -> &str {
        self.dir.path().to_str().unwrap()
    }

    /// Make the container's process `/boxinit -- COMMAND`.
    fn configure(&self, command: &[&str]) {
        let args: Vec<String> = ["/boxinit", "--"]
            .iter()
            .chain(command)
            .map(|a| json_string(a))
            .collect();
        let config = self
            .template
            .replace("ARGS", &format!("[{}]", args.join(", ")));
        std::fs::write(self.dir.path().join("config.json"), config).unwrap();
    }

    /// Run `/boxinit -- COMMAND` in a container to its end (`run` deletes it then).
    fn run(&self, command: &[&str]) -> Output {
        self.configure(command);
        support::run(
            &mut self
                .engine
                .command(&["run", "--bundle", self.dir(), &self.id]),
        )
    }
}

impl Drop for Bundle {
    fn drop(&mut self) {
        // Gone already when the test went well; a failed one may have left it running.
        let _ = self
            .engine
            .command(&["delete", "--force", &self.id])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "{from:?} in:\n{text}");
    text.replacen(from, to, 1)
}

fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// podman with this project's containers.conf (image/containers.conf, which image/build.sh
/// uses too): ulimits within the hard limits, runc, cgroupfs.
fn podman() -> Command {
    let conf = Path::new(env!("CARGO_MANIFEST_DIR")).join("image/containers.conf");
    let mut cmd = Command::new("podman");
    cmd.env("CONTAINERS_CONF", conf);
    cmd
}

/// `podman run --rm --name NAME --init --init-path BOXINIT --rootfs ROOTFS`: the command
/// comes next. podman writes files into the rootfs: give it a throwaway one.
fn podman_init(name: &str, rootfs: &Path) -> Command {
    let mut cmd = podman();
    cmd.args(["run", "--rm", "--name", name, "--init", "--init-path"])
        .arg(support::boxinit())
        .arg("--rootfs")
        .arg(rootfs);
    cmd
}

/// Run COMMAND with boxinit as podman's init, to its end.
fn podman_init_run(rootfs: &Path, command: &[&str]) -> Output {
    let container = PodmanContainer::new();
    support::run(podman_init(&container.name, rootfs).args(command))
}

/// A unique podman container name; the container is removed when this is dropped.
struct PodmanContainer {
    name: String,
}

impl PodmanContainer {
    fn new() -> PodmanContainer {
        PodmanContainer {
            name: format!("boxinit-test-{}", unique()),
        }
    }
}

impl Drop for PodmanContainer {
    fn drop(&mut self) {
        // `run --rm` removed it when the test went well.
        let _ = podman()
            .args(["rm", "--force", "--ignore", "--time", "0", &self.name])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// podman images removed when this is dropped (in order: derived images first).
/// image/build.sh (what `just image` runs) under a unique name: the names of its scratch and
/// busybox images and a name for an image derived from them, all removed when the first
/// value is dropped.
fn build_images() -> (PodmanImages, [String; 3]) {
    let name = format!("localhost/boxinit-test-{}", unique());
    let names = [
        format!("{name}:scratch"),
        format!("{name}:busybox"),
        format!("{name}-probe:latest"),
    ];
    let images = PodmanImages(names.iter().rev().cloned().collect());
    let out = support::run(
        Command::new("sh")
            .arg("image/build.sh")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("BOXINIT_IMAGE", &name)
            .env("BOXINIT_BIN", support::boxinit()),
    );
    assert!(
        out.status.success(),
        "image/build.sh failed:\n{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    (images, names)
}

/// `image`: `base` with the probe added as /probe, and `more` Containerfile lines. Returns
/// the build context, which holds the probe.
fn build_probe_image(base: &str, image: &str, more: &str) -> TempDir {
    let context = TempDir::new("probe-image");
    std::fs::copy(support::probe(), context.path().join("probe")).unwrap();
    let containerfile = format!("FROM {base}\nCOPY probe /probe\n{more}");
    std::fs::write(context.path().join("Containerfile"), containerfile).unwrap();
    let out = support::run(
        podman()
            .args(["build", "-q", "-t", image])
            .arg(context.path()),
    );
    expect_status(&out, 0);
    context
}

struct PodmanImages(Vec<String>);

impl Drop for PodmanImages {
    fn drop(&mut self) {
        for image in &self.0 {
            let _ = podman()
                .args(["rmi", "--force", "--ignore", image])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}
