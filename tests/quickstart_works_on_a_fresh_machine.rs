//! The README's Quick start works on a fresh machine, where Rust is installed but
//! neither the musl target nor busybox-static is. Each Quick start command must install what
//! it needs itself, in either order, and `.ci/run` must run them as the README writes them.
//!
//! The machine's rustup, dpkg and apt-get are not ours to undo here (other runs use them), so
//! the scripts run in a copy of the checkout with stand-ins for rustup, dpkg, apt-get, pip,
//! cargo and just first in PATH: they keep a fresh machine's state in a directory and log every
//! call. Everything else is real: the busybox rootfs, boxinit's container, the size check.
//! The stand-in cargo fails as the real one does on a fresh machine ("can't find crate for
//! core") while the musl target is missing. .ci/run on CI runs the same for real.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use support::{text, write_executable, TempDir};

const MUSL: &str = "x86_64-unknown-linux-musl";

/// A copy of the scripts of the checkout, the boxinit binary where a release build puts it,
/// and the stand-ins. `state/` holds one file per installed thing; `log` every call.
struct Machine {
    dir: TempDir,
}

impl Machine {
    /// A fresh machine: Rust, but no musl target and no busybox-static.
    fn fresh() -> Machine {
        let dir = TempDir::new("quickstart");
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        for file in [
            "README.md",
            ".ci/run",
            "image/example.sh",
            "image/busybox-rootfs.sh",
            "tests/install-deps.sh",
            "tests/run.sh",
        ] {
            let to = dir.path().join("checkout").join(file);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(root.join(file), to).unwrap();
        }
        // What tests/run.sh calls after the install, each with tests of its own: here only
        // that it is called, after what it needs is installed.
        for file in ["tests/emulated.sh", "fuzz/run.sh", "bench/size-check.sh"] {
            let to = dir.path().join("checkout").join(file);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            write_executable(&to, "#!/bin/sh\n");
        }
        let release = dir
            .path()
            .join("checkout/target")
            .join(MUSL)
            .join("release");
        std::fs::create_dir_all(&release).unwrap();
        std::fs::copy(support::boxinit(), release.join("boxinit")).unwrap();
        std::fs::create_dir_all(dir.path().join("state")).unwrap();
        std::fs::create_dir_all(dir.path().join("bin")).unwrap();
        let m = Machine { dir };
        m.stand_ins();
        m
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn stand_ins(&self) {
        let log = |name: &str| {
            format!(
                "#!/bin/sh\nstate={state}\necho \"{name} $*\" >>{log}\n",
                state = self.path("state").display(),
                log = self.path("log").display()
            )
        };
        let bin = self.path("bin");
        let script = |name: &str, body: &str| {
            write_executable(&bin.join(name), &format!("{}{body}", log(name)));
        };
        script(
            "rustup",
            r#"case "$1 $2" in
"target list") [ "$3" != --installed ] || { echo x86_64-unknown-linux-gnu; cat "$state/targets" 2>/dev/null; } ;;
"target add") echo "$3" >>"$state/targets" ;;
"target remove") grep -vx "$3" "$state/targets" >"$state/t" 2>/dev/null; mv "$state/t" "$state/targets" ;;
*) exit 1 ;;
esac
"#,
        );
        script(
            "dpkg",
            r#"[ "$1" = -s ] && [ -e "$state/pkg-$2" ] || exit 1
echo "Package: $2"; echo "Status: install ok installed"
"#,
        );
        script(
            "apt-get",
            r#"action=""
for a; do
    case $a in
    -*) ;;
    install|purge|remove|update) action=$a ;;
    *) case $action in
       install) touch "$state/pkg-$a" ;;
       purge|remove) rm -f "$state/pkg-$a" ;;
       esac ;;
    esac
done
"#,
        );
        script("pip", "");
        script("just", "");
        script(
            "cargo",
            &format!(
                r#"if ! grep -qx {MUSL} "$state/targets" 2>/dev/null; then
    echo "error[E0463]: can't find crate for core (the {MUSL} target may not be installed)" >&2
    exit 101
fi
"#
            ),
        );
    }

    /// Run `script` (a path in the checkout) with sh, as root in the checkout's directory.
    fn run(&self, args: &[&str]) -> (bool, String) {
        let path = format!(
            "{}:{}",
            self.path("bin").display(),
            std::env::var("PATH").unwrap()
        );
        let out = support::run(
            Command::new("sh")
                .args(args)
                .current_dir(self.path("checkout"))
                .env("PATH", path),
        );
        let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
        (out.status.success(), all)
    }

    fn log(&self) -> Vec<String> {
        std::fs::read_to_string(self.path("log"))
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// Index of the first logged call that starts with `call`.
    #[track_caller]
    fn first(&self, call: &str) -> usize {
        let log = self.log();
        log.iter()
            .position(|l| l.starts_with(call))
            .unwrap_or_else(|| panic!("no call {call:?} in {log:#?}"))
    }

    fn installed(&self, what: &str) {
        std::fs::write(self.path("state").join(what), "").unwrap();
    }
}

/// The example builds boxinit, so it needs the musl target before cargo runs; the rootfs
/// needs busybox-static. Then it runs, for real, the container the README describes.
#[test]
fn example_installs_what_it_needs_on_a_fresh_machine() {
    let m = Machine::fresh();
    let (ok, out) = m.run(&["image/example.sh"]);
    assert!(ok, "example.sh failed:\n{out}\n{:#?}", m.log());
    let target_add = m.first(&format!("rustup target add {MUSL}"));
    let busybox = m.first("apt-get install");
    assert!(
        m.log()[busybox].contains("busybox-static"),
        "{:#?}",
        m.log()
    );
    let build = m.first("cargo build");
    assert!(target_add < build && busybox < build, "{:#?}", m.log());
    assert!(out.contains("hostname: boxed"), "{out}");
    assert!(out.contains("my pid: 2"), "{out}");
}

/// tests/run.sh, first on a fresh machine (before the example): the target and every package
/// before the first cargo command.
#[test]
fn test_script_installs_what_it_needs_on_a_fresh_machine() {
    let m = Machine::fresh();
    let (ok, out) = m.run(&["tests/run.sh"]);
    assert!(ok, "run.sh failed:\n{out}\n{:#?}", m.log());
    let cargo = m.first("cargo ");
    assert!(m.first(&format!("rustup target add {MUSL}")) < cargo);
    let install = m.first("apt-get install");
    assert!(install < cargo, "{:#?}", m.log());
    for package in ["busybox-static", "containerd", "strace"] {
        assert!(m.log()[install].contains(package), "{:#?}", m.log());
    }
    assert!(m.first("cargo test") < m.first("just bench"));
}

/// .ci/run takes away what a fresh machine lacks, then runs the README's Quick start commands
/// in the README's order.
#[test]
fn ci_runs_the_readmes_quick_start_on_what_a_fresh_machine_lacks() {
    let m = Machine::fresh();
    m.installed("pkg-busybox-static");
    std::fs::write(m.path("state/targets"), format!("{MUSL}\n")).unwrap();
    let (ok, out) = m.run(&[".ci/run"]);
    assert!(ok, ".ci/run failed:\n{out}\n{:#?}", m.log());
    let remove = m.first(&format!("rustup target remove {MUSL}"));
    let purge = m.first("apt-get purge");
    assert!(m.log()[purge].contains("busybox-static"), "{:#?}", m.log());
    let add = m.first(&format!("rustup target add {MUSL}"));
    assert!(remove < add && purge < add, "{:#?}", m.log());
    // The example (which runs the container) before the tests (which run cargo test).
    assert!(out.contains("hostname: boxed"), "{out}");
    assert!(
        m.first("cargo build") < m.first("cargo test"),
        "{:#?}",
        m.log()
    );
    assert!(
        m.first("cargo test") < m.first("just bench"),
        "{:#?}",
        m.log()
    );
}
