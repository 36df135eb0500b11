//! The test probe: a small static program that tests run under boxinit (often inside a rootfs
//! that holds nothing else) to report what it sees. It is built as an example by `cargo test`
//! for the musl target, so it needs nothing from the host.
//!
//! probe report                 key=value lines: pid, ppid, pgid, sid, hostname, cwd, pids,
//!                              mounts, fds, sigblk, sigign, foreground, comm1
//! probe exit N                 exit with status N
//! probe die SIG                kill itself with signal SIG (number)
//! probe signals [UNTIL]        print "ready", then "signal N" for each signal received, until
//!                              signal UNTIL (default 15) arrives; then exit 0
//! probe orphans N              make N orphans (children whose parent exited), then wait until
//!                              none of them is a zombie and print "zombies=K" (K=0 when the
//!                              reaper did its job; gives up after 20 s)
//! probe sleep                  wait for a signal to end it
//! probe lines                  print `got:LINE` for each line read from stdin, until its end
//! probe stopper                `lines`, but catching SIGTSTP and stopping itself with SIGSTOP
//!                              (as vi and less do)
//! probe alloc MB               allocate and touch MB MiB, then print "allocated=MB"
//! probe forks N                fork N children that wait to be killed; print
//!                              "forked=K failed=F"
//! probe spin SECS              keep a CPU busy for SECS seconds, then print
//!                              "cpu_ms=C wall_ms=W" (CPU time used, wall time taken)
//! probe cgroup                 print /proc/self/cgroup
//! probe clocks                 monotonic=SECS and boottime=SECS: the clocks as this process
//!                              reads them (a time namespace shifts them)
//! probe pty                    open a new pty pair through /dev/ptmx, pass a line from the
//!                              master to the slave and print "pty=ok PATH" (or the error)
//! probe catch [UNTIL]          as `signals`, but every signal is caught, faults included
//!                              (default UNTIL 64)
//! probe status                 key=value lines of who it is: uid, gid, groups, capinh, capprm,
//!                              capeff, capbnd, capamb, nonewprivs (from /proc/self/status),
//!                              home ($HOME), rlimit_NAME=SOFT:HARD for nofile, nproc, core,
//!                              cpu, fsize, as, stack, memlock ("unlimited" for none)
//!
//! Several commands can be chained with `--then`: `probe report --then exit 3`.

use std::io::Write;
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    for step in args.split(|a| a == "--then") {
        run(step);
    }
}

fn run(step: &[String]) {
    let arg = |i: usize| step.get(i).map(String::as_str);
    match arg(0) {
        Some("report") => report(),
        Some("exit") => std::process::exit(arg(1).unwrap_or("0").parse().unwrap()),
        Some("die") => die(arg(1).unwrap_or("9").parse().unwrap()),
        Some("signals") => signals(arg(1).unwrap_or("15").parse().unwrap()),
        Some("catch") => catch(arg(1).unwrap_or("64").parse().unwrap()),
        Some("orphans") => orphans(arg(1).unwrap_or("1").parse().unwrap()),
        Some("alloc") => alloc(arg(1).unwrap_or("1").parse().unwrap()),
        Some("forks") => forks(arg(1).unwrap_or("1").parse().unwrap()),
        Some("spin") => spin(arg(1).unwrap_or("1").parse().unwrap()),
        Some("cgroup") => print!("{}", read("/proc/self/cgroup")),
        Some("clocks") => clocks(),
        Some("pty") => pty(),
        Some("status") => status(),
        Some("stopper") => {
            extern "C" fn stop_myself(_: libc::c_int) {
                unsafe { libc::kill(libc::getpid(), libc::SIGSTOP) };
            }
            unsafe {
                libc::signal(
                    libc::SIGTSTP,
                    stop_myself as *const () as libc::sighandler_t,
                )
            };
            run(&["lines".to_owned()]);
        }
        Some("lines") => {
            for line in std::io::stdin().lines() {
                say(&format!("got:{}", line.unwrap()));
            }
        }
        Some("sleep") => loop {
            unsafe { libc::pause() };
        },
        other => {
            eprintln!("probe: unknown command {other:?}");
            std::process::exit(2)
        }
    }
}

fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}").unwrap();
    out.flush().unwrap();
}

fn report() {
    let (pid, ppid, pgid, sid) = unsafe {
        (
            libc::getpid(),
            libc::getppid(),
            libc::getpgrp(),
            libc::getsid(0),
        )
    };
    say(&format!("pid={pid}"));
    say(&format!("ppid={ppid}"));
    say(&format!("pgid={pgid}"));
    say(&format!("sid={sid}"));
    say(&format!(
        "hostname={}",
        read("/proc/sys/kernel/hostname").trim()
    ));
    let cwd = std::env::current_dir().map(|p| p.display().to_string());
    say(&format!(
        "cwd={}",
        cwd.unwrap_or_else(|e| format!("error: {e}"))
    ));
    say(&format!("pids={}", numeric_entries("/proc").join(",")));
    let mounts: Vec<String> = read("/proc/self/mountinfo")
        .lines()
        .filter_map(|l| l.split(' ').nth(4).map(str::to_owned))
        .collect();
    say(&format!("mounts={}", mounts.join(",")));
    // The directory handle read_dir holds is open while it lists; leave it out.
    let fds: Vec<String> = numeric_entries("/proc/self/fd")
        .into_iter()
        .filter(|fd| std::fs::read_link(format!("/proc/self/fd/{fd}")).is_ok())
        .collect();
    say(&format!("fds={}", fds.join(",")));
    let status = read("/proc/self/status");
    for key in ["SigBlk", "SigIgn"] {
        let value = status
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{key}:")))
            .unwrap_or("")
            .trim();
        say(&format!("{}={value}", key.to_lowercase()));
    }
    let foreground = unsafe { libc::tcgetpgrp(0) };
    say(&format!("foreground={foreground}"));
    say(&format!("comm1={}", read("/proc/1/comm").trim()));
}

fn clocks() {
    for (name, clock) in [
        ("monotonic", libc::CLOCK_MONOTONIC),
        ("boottime", libc::CLOCK_BOOTTIME),
    ] {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        unsafe { libc::clock_gettime(clock, &mut ts) };
        say(&format!("{name}={}", ts.tv_sec));
    }
}

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

fn numeric_entries(dir: &str) -> Vec<String> {
    let mut names: Vec<u64> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names.iter().map(u64::to_string).collect()
}

fn die(sig: i32) {
    unsafe {
        libc::signal(sig, libc::SIG_DFL);
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, sig);
        libc::sigprocmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        libc::kill(libc::getpid(), sig);
    }
    std::process::exit(100) // not reached when sig kills
}

/// Take every catchable signal synchronously and report it, until `until` arrives.
fn signals(until: i32) {
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigfillset(&mut set);
        for sig in [libc::SIGSEGV, libc::SIGBUS, libc::SIGFPE, libc::SIGILL] {
            libc::sigdelset(&mut set, sig);
        }
        libc::sigprocmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        say("ready");
        loop {
            let sig = libc::sigwaitinfo(&set, std::ptr::null_mut());
            if sig < 0 {
                continue;
            }
            say(&format!("signal {sig}"));
            if sig == until {
                std::process::exit(0);
            }
        }
    }
}

/// Like `signals`, with the fault signals blocked and taken too: a supervisor that passes
/// them on is seen doing so rather than killing the probe.
fn catch(until: i32) {
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigfillset(&mut set);
        libc::sigprocmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        say("ready");
        loop {
            let sig = libc::sigwaitinfo(&set, std::ptr::null_mut());
            if sig < 0 {
                continue;
            }
            say(&format!("signal {sig}"));
            if sig == until {
                std::process::exit(0);
            }
        }
    }
}

/// Make `n` orphans and wait until whoever inherits them has reaped them all.
fn orphans(n: usize) {
    let mut orphan_pids = Vec::with_capacity(n);
    for _ in 0..n {
        // The middle process reports its child's pid through a pipe, then exits at once,
        // leaving the grandchild to be reparented; the grandchild exits at once too.
        let mut fds = [0; 2];
        unsafe { libc::pipe(fds.as_mut_ptr()) };
        match unsafe { libc::fork() } {
            0 => unsafe {
                let grandchild = libc::fork();
                if grandchild == 0 {
                    libc::_exit(0);
                }
                libc::write(fds[1], &grandchild as *const i32 as *const libc::c_void, 4);
                libc::_exit(0);
            },
            middle => unsafe {
                let mut grandchild: i32 = 0;
                libc::close(fds[1]);
                libc::read(fds[0], &mut grandchild as *mut i32 as *mut libc::c_void, 4);
                libc::close(fds[0]);
                libc::waitpid(middle, std::ptr::null_mut(), 0);
                orphan_pids.push(grandchild);
            },
        }
    }
    // Nothing signals "someone else reaped it", so look until they are gone or time is up.
    // An orphan is reparented to one of our ancestors (the nearest subreaper, or init): it is
    // left while its pid is a child of one of them (a reused pid would belong to someone
    // else). Our own parent need not be the reaper: a shell may stand between.
    let ancestors = ancestors();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let left = orphan_pids
            .iter()
            .filter(|pid| parent_of(**pid).is_some_and(|p| ancestors.contains(&p)))
            .count();
        if left == 0 || Instant::now() > deadline {
            say(&format!("zombies={left}"));
            return;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Our parent, its parent, and so on up to the first process of our PID namespace.
fn ancestors() -> Vec<i32> {
    let mut chain = vec![unsafe { libc::getppid() }];
    while let Some(next) = chain.last().and_then(|&pid| parent_of(pid)) {
        if next == 0 || chain.contains(&next) {
            break;
        }
        chain.push(next);
    }
    chain
}

fn parent_of(pid: i32) -> Option<i32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(1)?.parse().ok()
}

/// Allocate `mb` MiB and touch every page, so that it is really used; then say so.
fn alloc(mb: usize) {
    let mut chunks = Vec::new();
    for _ in 0..mb {
        let chunk = vec![1u8; 1 << 20];
        chunks.push(std::hint::black_box(chunk));
    }
    say(&format!("allocated={mb}"));
}

/// Fork `n` children that wait to be killed; report how many forks worked and how many
/// failed. The children stay: whoever ends the probe's container ends them.
fn forks(n: usize) {
    let (mut forked, mut failed) = (0, 0);
    for _ in 0..n {
        match unsafe { libc::fork() } {
            0 => loop {
                unsafe { libc::pause() };
            },
            -1 => failed += 1,
            _ => forked += 1,
        }
    }
    say(&format!("forked={forked} failed={failed}"));
}

/// Keep a CPU busy for `secs` seconds of wall time, then report the CPU time used and the
/// wall time taken, in milliseconds.
fn spin(secs: u64) {
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < Duration::from_secs(secs) {
        for _ in 0..10_000 {
            n = std::hint::black_box(n.wrapping_add(1));
        }
    }
    let wall = start.elapsed().as_millis();
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    let cpu = |t: libc::timeval| t.tv_sec as u128 * 1000 + t.tv_usec as u128 / 1000;
    say(&format!(
        "cpu_ms={} wall_ms={wall}",
        cpu(usage.ru_utime) + cpu(usage.ru_stime)
    ));
}

/// A terminal pair from /dev/ptmx: what the master writes, the slave reads as a line.
fn pty() {
    use std::io::{BufRead, BufReader};
    use std::os::fd::FromRawFd;
    use std::os::unix::fs::OpenOptionsExt;
    let result = (|| -> std::io::Result<String> {
        let master = unsafe { libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY) };
        if master < 0
            || unsafe { libc::grantpt(master) } != 0
            || unsafe { libc::unlockpt(master) } != 0
        {
            return Err(std::io::Error::last_os_error());
        }
        let mut name = [0 as libc::c_char; 64];
        if unsafe { libc::ptsname_r(master, name.as_mut_ptr(), name.len()) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        let path = unsafe { std::ffi::CStr::from_ptr(name.as_ptr()) }
            .to_str()
            .unwrap()
            .to_owned();
        // O_NOCTTY: a session leader (a container's command is one) would otherwise make it
        // its controlling terminal, and get SIGHUP when the master closes.
        let slave = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_NOCTTY)
            .open(&path)?;
        let mut master = unsafe { std::fs::File::from_raw_fd(master) };
        master.write_all(b"ping\n")?;
        let mut line = String::new();
        BufReader::new(slave).read_line(&mut line)?;
        if line.trim_end() != "ping" {
            return Err(std::io::Error::other(format!("read {line:?}")));
        }
        Ok(path)
    })();
    match result {
        Ok(path) => say(&format!("pty=ok {path}")),
        Err(e) => say(&format!("pty=error {e}")),
    }
}

fn status() {
    let status = read("/proc/self/status");
    let field = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{key}:")))
            .unwrap_or("")
            .split_whitespace()
            .collect::<Vec<_>>()
    };
    // The real id, as the kernel shows it (real, effective, saved, filesystem).
    say(&format!("uid={}", field("Uid").join(" ")));
    say(&format!("gid={}", field("Gid").join(" ")));
    say(&format!("groups={}", field("Groups").join(" ")));
    for key in [
        "CapInh",
        "CapPrm",
        "CapEff",
        "CapBnd",
        "CapAmb",
        "NoNewPrivs",
    ] {
        say(&format!("{}={}", key.to_lowercase(), field(key).join(" ")));
    }
    say(&format!(
        "home={}",
        std::env::var("HOME").unwrap_or_default()
    ));
    for (name, resource) in [
        ("nofile", libc::RLIMIT_NOFILE),
        ("nproc", libc::RLIMIT_NPROC),
        ("core", libc::RLIMIT_CORE),
        ("cpu", libc::RLIMIT_CPU),
        ("fsize", libc::RLIMIT_FSIZE),
        ("as", libc::RLIMIT_AS),
        ("stack", libc::RLIMIT_STACK),
        ("memlock", libc::RLIMIT_MEMLOCK),
    ] {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        unsafe { libc::getrlimit(resource, &mut limit) };
        let show = |n: libc::rlim_t| {
            if n == libc::RLIM_INFINITY {
                "unlimited".to_owned()
            } else {
                n.to_string()
            }
        };
        say(&format!(
            "rlimit_{name}={}:{}",
            show(limit.rlim_cur),
            show(limit.rlim_max)
        ));
    }
}
