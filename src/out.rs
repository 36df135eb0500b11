//! What boxinit says: one line per message on stderr, built in a fixed buffer and written
//! with one `write`, without `core::fmt` (it would double the binary).
//!
//! Every message is exactly one line of bounded length, whatever it quotes: the values in it
//! (paths, names, arguments) have their control bytes escaped and are cut past `VALUE_MAX`
//! bytes, with a marker. Under a personality's name the line starts the way that program's
//! do (`[dumb-init] `, `[WARN  tini (42)] `, `ERROR (catatonit:42): `) so log filters keep
//! working; the words after it are boxinit's.

use crate::sys::{self, Errno};
use core::ffi::CStr;
use core::sync::atomic::{AtomicU8, Ordering};

/// How much boxinit says: 0 errors only, 1 warnings (the default), 2 info, 3 debug.
static VERBOSITY: AtomicU8 = AtomicU8::new(1);
/// The prefix style: a `Style` as a number.
static STYLE: AtomicU8 = AtomicU8::new(Style::Boxinit as u8);

pub const ERROR: u8 = 0;
pub const WARN: u8 = 1;
pub const INFO: u8 = 2;
pub const DEBUG: u8 = 3;

/// Whose message prefix lines carry.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Style {
    Boxinit,
    Tini,
    DumbInit,
    Catatonit,
}

pub fn set_verbosity(level: u8) {
    VERBOSITY.store(level, Ordering::Relaxed);
}

pub fn verbosity() -> u8 {
    VERBOSITY.load(Ordering::Relaxed)
}

pub fn set_style(style: Style) {
    STYLE.store(style as u8, Ordering::Relaxed);
}

fn style() -> Style {
    match STYLE.load(Ordering::Relaxed) {
        1 => Style::Tini,
        2 => Style::DumbInit,
        3 => Style::Catatonit,
        _ => Style::Boxinit,
    }
}

/// The longest line, newline included; what does not fit ends in `...`.
const LINE: usize = 1024;
/// The most bytes of one value a message shows.
pub const VALUE_MAX: usize = 200;
const CUT: &[u8] = b"...";

/// One message line under construction.
pub struct Line {
    buf: [u8; LINE],
    len: usize,
    full: bool,
}

impl Line {
    #[cfg(test)]
    fn clone_bytes(mut self) -> Vec<u8> {
        self.bytes().to_vec()
    }

    /// A line at `level`, starting with the prefix of the current style.
    #[inline(never)]
    pub fn new(level: u8) -> Line {
        Line::styled(style(), level)
    }

    #[inline(never)]
    fn styled(style: Style, level: u8) -> Line {
        let mut line = Line {
            buf: [0; LINE],
            len: 0,
            full: false,
        };
        let level_word = match level {
            ERROR => "ERROR",
            WARN => "WARN",
            INFO => "INFO",
            _ => "DEBUG",
        };
        match style {
            Style::Boxinit => line.text(b"boxinit: "),
            Style::DumbInit => line.text(b"[dumb-init] "),
            Style::Tini => {
                // tini pads its level words to five letters and calls errors fatal.
                let word: &[u8] = match level {
                    ERROR => b"FATAL",
                    WARN => b"WARN ",
                    INFO => b"INFO ",
                    _ => b"DEBUG",
                };
                line.text(b"[").text(word).text(b" tini (");
                line.number(sys::getpid() as i64).text(b")] ")
            }
            Style::Catatonit => {
                line.text(level_word.as_bytes()).text(b" (catatonit:");
                line.number(sys::getpid() as i64).text(b"): ")
            }
        };
        line
    }

    /// Text of boxinit's own, as it is (cut only if the line is full).
    #[inline(never)]
    pub fn text(&mut self, text: &[u8]) -> &mut Line {
        for &b in text {
            self.push(b);
        }
        self
    }

    /// A value from outside (a path, a name, an argument): control bytes and backslashes
    /// escaped, cut after VALUE_MAX bytes. The C1 controls count as control bytes, both as a
    /// raw byte (0x9b alone is CSI to a terminal in 8-bit mode) and in their UTF-8 form
    /// (`\xc2\x9b` is CSI to a UTF-8 terminal); other UTF-8 is shown as it is.
    #[inline(never)]
    pub fn value(&mut self, value: &[u8]) -> &mut Line {
        let shown = &value[..value.len().min(VALUE_MAX)];
        let mut i = 0;
        while i < shown.len() {
            let b = shown[i];
            let len = utf8_len(&shown[i..]);
            match b {
                b'\n' => self.text(b"\\n"),
                b'\t' => self.text(b"\\t"),
                b'\r' => self.text(b"\\r"),
                b'\\' => self.text(b"\\\\"),
                0..=0x1f | 0x7f..=0x9f => self.hex(b),
                // The UTF-8 form of a C1 control, U+0080 to U+009F.
                0xc2 if len == 2 && shown[i + 1] <= 0x9f => self.hex(b).hex(shown[i + 1]),
                _ => self.text(&shown[i..i + len]),
            };
            i += len;
        }
        if shown.len() < value.len() {
            self.text(CUT);
        }
        self
    }

    /// `\xNN`, how a byte that must not reach the terminal is shown.
    fn hex(&mut self, b: u8) -> &mut Line {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let (hi, lo) = (HEX[(b >> 4) as usize], HEX[(b & 15) as usize]);
        self.text(&[b'\\', b'x', hi, lo])
    }

    #[inline(never)]
    pub fn number(&mut self, n: i64) -> &mut Line {
        let mut digits = [0; 20];
        if n < 0 {
            self.push(b'-');
        }
        self.text(decimal(n.unsigned_abs(), &mut digits))
    }

    /// `SIGTERM (15)`, or `signal 34` for one without a classic name.
    #[inline(never)]
    pub fn signal(&mut self, sig: i32) -> &mut Line {
        match crate::values::signal_name(sig) {
            Some(name) => self
                .text(b"SIG")
                .text(name)
                .text(b" (")
                .number(sig as i64)
                .text(b")"),
            None => self.text(b"signal ").number(sig as i64),
        }
    }

    fn push(&mut self, b: u8) {
        // Room is kept for the cut marker and the newline.
        if self.len + CUT.len() + 1 >= LINE {
            if !self.full {
                self.full = true;
                self.buf[self.len..self.len + CUT.len()].copy_from_slice(CUT);
                self.len += CUT.len();
            }
            return;
        }
        self.buf[self.len] = b;
        self.len += 1;
    }

    /// The line so far, with its newline.
    pub fn bytes(&mut self) -> &[u8] {
        self.buf[self.len] = b'\n';
        &self.buf[..=self.len]
    }

    /// Write it to stderr in one piece.
    #[inline(never)]
    pub fn send(&mut self) {
        let _ = sys::write_all(sys::STDERR, &[self.bytes()]);
    }
}

/// How many bytes of `bytes` (not empty) make its first character: a well-formed UTF-8
/// sequence, or else one byte (ASCII, or a byte that starts no character and is shown or
/// escaped alone).
fn utf8_len(bytes: &[u8]) -> usize {
    // The second byte's range depends on the first (no overlong forms, no surrogates, nothing
    // past U+10FFFF); the others are 0x80..=0xbf.
    let (len, second) = match bytes[0] {
        0xc2..=0xdf => (2, 0x80..=0xbf),
        0xe0 => (3, 0xa0..=0xbf),
        0xed => (3, 0x80..=0x9f),
        0xe1..=0xef => (3, 0x80..=0xbf),
        0xf0 => (4, 0x90..=0xbf),
        0xf1..=0xf3 => (4, 0x80..=0xbf),
        0xf4 => (4, 0x80..=0x8f),
        _ => return 1,
    };
    let well_formed = bytes.len() >= len
        && second.contains(&bytes[1])
        && bytes[2..len].iter().all(|&c| (0x80..=0xbf).contains(&c));
    if well_formed {
        len
    } else {
        1
    }
}

/// `boxinit: <what> <subject>: <strerror>`, the one shape of every failure message.
#[inline(never)]
pub fn error(what: &str, subject: &[u8], errno: Option<Errno>) {
    error_line(style(), what.as_bytes(), subject, errno).send();
}

/// The failure line: `<what> <subject>: <strerror>`, each part only when given.
fn error_line(style: Style, what: &[u8], subject: &[u8], errno: Option<Errno>) -> Line {
    let mut line = Line::styled(style, ERROR);
    line.text(what);
    if !subject.is_empty() {
        line.text(b" ").value(subject);
    }
    if let Some(errno) = errno {
        line.text(b": ");
        match describe(errno) {
            Some(text) => line.text(text),
            None => line.text(b"errno ").number(errno.into_raw() as i64),
        };
    }
    line
}

/// A step of boxinit's own that failed: what it was doing, on what, why, and the exit status
/// that says so (125, as coreutils' chroot and env use for their own failures; a usage error
/// under a personality's name exits as that program does).
///
/// Kept small (16 bytes, two registers): every `?` of the run moves it, and each move is code.
#[derive(Debug)]
pub struct Failure {
    /// What boxinit was doing, with the errno (0 when no system call failed; errnos are below
    /// 4096).
    what: sys::CText,
    /// What it was done to (its first bytes: more than a message shows), with the status.
    subject: sys::ShortBytes,
}

// The subject is kept as far as a message shows it, and a byte beyond, which says it was cut.
const _: () = assert!(VALUE_MAX < sys::ShortBytes::MAX);

impl Failure {
    pub const STATUS: u8 = 125;

    /// A system call failed.
    pub fn os(what: &'static CStr, subject: &'static [u8], errno: Errno) -> Failure {
        Failure::new(what, subject, errno.into_raw() as u16)
    }

    /// A system call failed, on nothing a message would name.
    #[inline(never)]
    pub fn os_bare(what: &'static CStr, errno: Errno) -> Failure {
        Failure::os(what, b"", errno)
    }

    /// A failure with no errno to tell: something asked for that boxinit cannot do, or the
    /// system not as it needs it.
    pub fn plain(what: &'static CStr, subject: &'static [u8]) -> Failure {
        Failure::new(what, subject, 0)
    }

    /// `plain`, on nothing a message would name.
    #[inline(never)]
    pub fn plain_bare(what: &'static CStr) -> Failure {
        Failure::plain(what, b"")
    }

    /// Cold: the compiler then lays each caller's error path out of its main line, in fewer
    /// bytes (about 400 on x86_64).
    #[cold]
    fn new(what: &'static CStr, subject: &'static [u8], errno: u16) -> Failure {
        Failure {
            what: sys::CText::new(what, errno),
            subject: sys::ShortBytes::new(subject, 0),
        }
    }

    /// What boxinit was doing (or, for a usage error, what is wrong).
    pub fn what(&self) -> &'static [u8] {
        self.what.get().to_bytes()
    }

    /// The errno of the system call that failed, if one did.
    pub fn errno(&self) -> Option<Errno> {
        let errno = self.what.tag();
        (errno != 0).then(|| Errno::new(errno as i32))
    }

    /// The exit status that says so.
    pub fn status(&self) -> u8 {
        self.subject.extra() ^ Failure::STATUS
    }

    /// The same failure, saying `what` (the same thing in other words).
    pub fn saying(self, what: &'static CStr) -> Failure {
        Failure {
            what: sys::CText::new(what, self.what.tag()),
            ..self
        }
    }

    pub fn with_status(self, status: u8) -> Failure {
        Failure {
            subject: self.subject.with_extra(status ^ Failure::STATUS),
            ..self
        }
    }

    #[inline(never)]
    pub fn report(&self) {
        error_line(style(), self.what(), self.subject.get(), self.errno()).send();
    }

    pub fn exit(&self) -> ! {
        self.report();
        sys::exit(self.status())
    }
}

/// A message at `level` made of `parts` (each escaped and cut as a value), shown when the
/// verbosity reaches `level`.
#[inline(never)]
pub fn say(level: u8, parts: &[&[u8]]) {
    if verbosity() < level {
        return;
    }
    let mut line = Line::new(level);
    for part in parts {
        line.value(part);
    }
    line.send();
}

/// Text the caller asked for (help, version, license), on the stream `fd` the replaced
/// program uses for it.
pub fn print(fd: core::ffi::c_int, text: &str) {
    let _ = sys::write_all(fd, &[text.as_bytes()]);
}

/// strerror's text, for the errnos boxinit's system calls give (`sys::strerror`).
pub fn describe(errno: Errno) -> Option<&'static [u8]> {
    sys::strerror(errno)
}

/// Decimal digits of `n` in `buf`, without `core::fmt`.
pub fn decimal(n: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut i = buf.len();
    let mut n = n;
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return &buf[i..];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_digits() {
        let mut buf = [0; 20];
        assert_eq!(decimal(0, &mut buf), b"0");
        assert_eq!(decimal(42, &mut buf), b"42");
        assert_eq!(decimal(u64::MAX, &mut buf), b"18446744073709551615");
    }

    fn line_of(build: impl FnOnce(&mut Line)) -> String {
        let mut line = Line::styled(Style::Boxinit, ERROR);
        build(&mut line);
        String::from_utf8(line.bytes().to_vec()).unwrap()
    }

    #[test]
    fn values_are_escaped_and_cut_to_one_line() {
        assert_eq!(
            line_of(|l| {
                l.text(b"checking rootfs ").value(b"R\n\x1b[31m\\\t\x7f");
            }),
            "boxinit: checking rootfs R\\n\\x1b[31m\\\\\\t\\x7f\n"
        );
        let long = vec![b'h'; 100_000];
        let text = line_of(|l| {
            l.value(&long);
        });
        assert_eq!(text.lines().count(), 1);
        assert_eq!(text, format!("boxinit: {}...\n", "h".repeat(VALUE_MAX)));
        // Non-ASCII names stay readable.
        assert_eq!(
            line_of(|l| {
                l.value("día".as_bytes());
            }),
            "boxinit: día\n"
        );
    }

    #[test]
    fn c1_controls_are_escaped_raw_and_in_utf8() {
        let shown = |value: &[u8]| {
            let mut line = Line::styled(Style::Boxinit, ERROR);
            line.value(value);
            line.clone_bytes()
        };
        assert_eq!(shown(b"a\x9bb\x80\x9f"), b"boxinit: a\\x9bb\\x80\\x9f\n");
        assert_eq!(shown(b"a\xc2\x9b[31m"), b"boxinit: a\\xc2\\x9b[31m\n");
        assert_eq!(
            shown(b"\xc2\x80\xc2\x9f"),
            b"boxinit: \\xc2\\x80\\xc2\\x9f\n"
        );
        // A 0x9b that ends a character is no control: U+015B, U+00A0, U+1F600.
        let text = "\u{15b}\u{a0}\u{1f600}";
        assert_eq!(
            shown(text.as_bytes()),
            format!("boxinit: {text}\n").as_bytes()
        );
        // A stray control byte, after a character or in a broken sequence, is escaped.
        assert_eq!(shown(b"\xc3\x9b\x9b"), b"boxinit: \xc3\x9b\\x9b\n");
        assert_eq!(shown(b"\xe0\x9b\x80"), b"boxinit: \xe0\\x9b\\x80\n");
        assert_eq!(shown(b"\xc2"), b"boxinit: \xc2\n");
    }

    #[test]
    fn a_full_line_ends_with_the_marker() {
        let text = line_of(|l| {
            for _ in 0..100 {
                l.text(b"0123456789abcdef");
            }
        });
        assert_eq!(text.len(), LINE);
        assert!(text.ends_with("...\n"));
        assert_eq!(text.lines().count(), 1);
    }

    #[test]
    fn signals_by_name_and_number() {
        assert_eq!(
            line_of(|l| {
                l.signal(15);
            }),
            "boxinit: SIGTERM (15)\n"
        );
        assert_eq!(
            line_of(|l| {
                l.signal(34);
            }),
            "boxinit: signal 34\n"
        );
        assert_eq!(
            line_of(|l| {
                l.number(-7);
            }),
            "boxinit: -7\n"
        );
    }

    #[test]
    fn failure_lines() {
        let f = Failure::plain(c"invalid value for BOXINIT_WAIT_ALL:", b"maybe\n");
        let text = error_line(Style::Boxinit, f.what(), f.subject.get(), f.errno());
        let text = text.clone_bytes();
        assert_eq!(
            String::from_utf8(text).unwrap(),
            "boxinit: invalid value for BOXINIT_WAIT_ALL: maybe\\n\n"
        );
        assert_eq!(f.status(), 125);
        assert_eq!(f.with_status(1).status(), 1);
    }

    #[test]
    fn a_failure_keeps_its_errno_status_and_as_much_subject_as_is_shown() {
        let long: &'static [u8] = vec![b'p'; 100_000].leak();
        let f = Failure::os(c"opening", long, Errno::ENOENT).with_status(7);
        assert_eq!(
            (f.what(), f.errno(), f.status()),
            (&b"opening"[..], Some(Errno::ENOENT), 7)
        );
        let text = error_line(Style::Boxinit, f.what(), f.subject.get(), f.errno());
        let expected = format!(
            "boxinit: opening {}...: No such file or directory\n",
            "p".repeat(VALUE_MAX)
        );
        assert_eq!(String::from_utf8(text.clone_bytes()).unwrap(), expected);
        let short: &'static [u8] = b"qqq";
        let f = Failure::plain(c"", short);
        assert_eq!(
            (f.subject.get(), f.errno(), f.status()),
            (&b"qqq"[..], None, 125)
        );
    }

    #[test]
    fn each_personality_has_its_prefix() {
        let pid = sys::getpid();
        let prefix = |style, level| {
            let mut line = Line::styled(style, level);
            String::from_utf8(line.bytes().to_vec()).unwrap()
        };
        assert_eq!(prefix(Style::DumbInit, WARN), "[dumb-init] \n");
        assert_eq!(
            prefix(Style::Tini, ERROR),
            format!("[FATAL tini ({pid})] \n")
        );
        assert_eq!(
            prefix(Style::Tini, WARN),
            format!("[WARN  tini ({pid})] \n")
        );
        assert_eq!(
            prefix(Style::Tini, INFO),
            format!("[INFO  tini ({pid})] \n")
        );
        assert_eq!(
            prefix(Style::Catatonit, ERROR),
            format!("ERROR (catatonit:{pid}): \n")
        );
        assert_eq!(
            prefix(Style::Catatonit, DEBUG),
            format!("DEBUG (catatonit:{pid}): \n")
        );
    }

    #[test]
    fn errno_text_is_strerror() {
        assert_eq!(
            describe(Errno::ENOENT),
            Some(&b"No such file or directory"[..])
        );
        assert_eq!(describe(Errno::EACCES), Some(&b"Permission denied"[..]));
        assert_eq!(describe(Errno::ELOOP), Some(&b"Symbolic link loop"[..]));
        assert_eq!(describe(Errno::ENOMEDIUM), Some(&b"No medium found"[..]));
        assert_eq!(describe(Errno::ENOKEY), None);
        let mut line = error_line(Style::Boxinit, b"reading", b"/k", Some(Errno::ENOKEY));
        assert_eq!(line.bytes(), b"boxinit: reading /k: errno 126\n");
    }
}
