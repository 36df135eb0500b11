//! The option parser (src/opts.rs) on arbitrary argv and environments, under each name
//! boxinit answers to: any input gives a configuration or a clean failure (a status and a
//! message), never a panic.
//!
//! boxinit's module tree is built here with std, as its unit tests build it: this file stands
//! in for src/main.rs (whose `start` is never called: `cfg(fuzzing)` leaves out the C entry
//! point in src/sys.rs, and lets the fuzzer use `Strings::leak`).
#![no_main]
#![allow(dead_code, unused_imports)]

use libfuzzer_sys::fuzz_target;

#[path = "../../src/accounts.rs"]
mod accounts;
#[path = "../../src/boot.rs"]
mod boot;
#[path = "../../src/cgroups.rs"]
mod cgroups;
#[path = "../../src/container/mod.rs"]
mod container;
#[path = "../../src/env.rs"]
mod env;
#[path = "../../src/fds.rs"]
mod fds;
#[path = "../../src/help.rs"]
mod help;
#[path = "../../src/opts.rs"]
mod opts;
#[path = "../../src/out.rs"]
mod out;
#[path = "../../src/procs.rs"]
mod procs;
#[path = "../../src/signals.rs"]
mod signals;
#[path = "../../src/spawn.rs"]
mod spawn;
#[path = "../../src/supervise.rs"]
mod supervise;
#[path = "../../src/sys.rs"]
mod sys;
#[path = "../../src/values.rs"]
mod values;

/// What src/main.rs's `start` is to the other modules; the fuzzer never runs it.
pub fn start(_: sys::Strings, _: sys::Strings) -> ! {
    unreachable!()
}

const NAMES: [&str; 4] = ["boxinit", "/sbin/tini", "dumb-init", "/run/podman-init"];

fuzz_target!(|data: &[u8]| {
    // The first byte: the name (low two bits) and how many of the NUL-separated strings that
    // follow are arguments (the rest are environment entries).
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let strings: Vec<String> = rest
        .split(|&c| c == 0)
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .collect();
    let argc = ((pick >> 2) as usize).min(strings.len());
    let mut args = vec![NAMES[(pick & 3) as usize]];
    args.extend(strings[..argc].iter().map(String::as_str));
    let env: Vec<&str> = strings[argc..].iter().map(String::as_str).collect();
    match opts::parse(sys::Strings::leak(&args), sys::Strings::leak(&env)) {
        Ok(config) => assert!(config.action != opts::Action::Run || !config.command.is_empty()),
        Err(failure) => assert!(failure.status != 0 && !failure.what.is_empty()),
    }
});
