//! A first end-to-end check that the harness works; the full core suite is in tests/core.rs.
mod support;
use std::process::Command;
use support::*;

#[test]
fn runs_the_probe_as_pid_2_under_boxinit_as_pid_1() {
    let root = probe_rootfs();
    let out = run(Command::new(boxinit())
        .arg("--rootfs")
        .arg(root.path())
        .args(["--hostname", "smoke", "--", "/probe", "report"]));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(report_value(&stdout, "ppid"), "1");
    assert_eq!(report_value(&stdout, "comm1"), "boxinit");
    assert_eq!(report_value(&stdout, "hostname"), "smoke");
}
