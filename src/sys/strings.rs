//! Strings that live as long as the process: argv and envp as the kernel gave them, the
//! command's environment built in static room, and the few strings boxinit keeps.

use super::{Errno, Result};
use core::cell::Cell;
use core::ffi::{c_char, c_int, CStr};
use core::ptr;

/// A NUL-terminated array of C strings that lives as long as the process: argv or envp.
///
/// The slice holds the pointers before the terminating null, so every tail of it is still a
/// valid `char *const[]` for `execve`. The pointers are in cells: `without` takes entries out
/// of the array in place (the kernel's envp is ours to change).
#[derive(Clone, Copy)]
pub struct Strings {
    ptrs: &'static [Cell<*const c_char>],
}

impl Strings {
    /// # Safety
    /// `ptrs` points to `len` valid C strings followed by a null pointer, all living for the
    /// rest of the process, as the kernel lays out argv and envp.
    unsafe fn from_raw(ptrs: *const *const c_char, len: usize) -> Strings {
        if ptrs.is_null() {
            return Strings::EMPTY;
        }
        Strings {
            // Cell<T> has T's layout, and nothing else reads the array meanwhile.
            ptrs: core::slice::from_raw_parts(ptrs.cast::<Cell<*const c_char>>(), len),
        }
    }

    /// The process's arguments, as the entry point finds them.
    ///
    /// # Safety
    /// `argv` holds `argc` valid C strings and a null pointer, living for the whole process.
    pub unsafe fn argv(argc: c_int, argv: *const *const c_char) -> Strings {
        Strings::from_raw(argv, argc.max(0) as usize)
    }

    /// The process's environment, as the entry point finds it.
    ///
    /// # Safety
    /// `envp` is null or a null-terminated array of valid C strings living for the whole
    /// process.
    pub unsafe fn envp(envp: *const *const c_char) -> Strings {
        let mut len = 0;
        while !envp.is_null() && !(*envp.add(len)).is_null() {
            len += 1;
        }
        Strings::from_raw(envp, len)
    }

    /// For unit tests (and the fuzzer): a vector of `strs` that lives for the rest of the
    /// test process.
    #[cfg(any(test, fuzzing))]
    pub fn leak(strs: &[&str]) -> Strings {
        let owned: Vec<*const c_char> = strs
            .iter()
            .map(|s| std::ffi::CString::new(*s).unwrap().into_raw() as *const c_char)
            .chain(std::iter::once(ptr::null()))
            .collect();
        let ptrs = Box::leak(owned.into_boxed_slice());
        // SAFETY: ptrs holds strs.len() leaked C strings and a final null.
        unsafe { Strings::from_raw(ptrs.as_mut_ptr(), strs.len()) }
    }

    pub const EMPTY: Strings = Strings { ptrs: &[] };

    pub fn len(&self) -> usize {
        self.ptrs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ptrs.is_empty()
    }

    pub fn get(&self, i: usize) -> Option<&'static CStr> {
        let p = self.ptrs.get(i)?.get();
        // SAFETY: every non-null pointer in the slice is a valid C string (see `from_raw`);
        // null ones are what `without` left behind the entries it kept.
        (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) })
    }

    /// The strings from index `n` on; still null-terminated.
    pub fn skip(&self, n: usize) -> Strings {
        Strings {
            ptrs: &self.ptrs[n.min(self.ptrs.len())..],
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &'static CStr> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }

    /// The value of environment variable `name` in these `NAME=value` strings, if set.
    pub fn value(&self, name: &[u8]) -> Option<&'static CStr> {
        self.iter().find_map(|entry| {
            let bytes = entry.to_bytes_with_nul();
            let rest = bytes.strip_prefix(name)?.strip_prefix(&b"="[..])?;
            c_str(rest)
        })
    }

    /// `/bin/sh`: the command boxinit runs when it is given none.
    pub fn default_shell() -> Strings {
        Strings {
            ptrs: &DEFAULT_SHELL.0[..1],
        }
    }

    pub(super) fn as_ptr(&self) -> *const *const c_char {
        // An empty slice's pointer is dangling; execve needs a real null-terminated array.
        if self.ptrs.is_empty() {
            NULL_ARRAY.0.as_ptr().cast()
        } else {
            self.ptrs.as_ptr().cast()
        }
    }

    /// These strings without those `drop` picks, compacted in place: the array that held
    /// them (and every `Strings` still pointing into it) holds the kept ones, a null after
    /// them, and nulls or stale entries past that. Use only the returned value afterwards.
    pub fn without(self, drop: impl Fn(&CStr) -> bool) -> Strings {
        let mut kept = 0;
        for i in 0..self.len() {
            let entry = self.ptrs[i].get();
            if self.get(i).is_some_and(|s| !drop(s)) {
                self.ptrs[kept].set(entry);
                kept += 1;
            }
        }
        if kept < self.len() {
            // The array's own terminator stays at len; this one ends the kept entries.
            self.ptrs[kept].set(ptr::null());
        }
        Strings {
            ptrs: &self.ptrs[..kept],
        }
    }
}

struct PointerArray<const N: usize>([Cell<*const c_char>; N]);
// SAFETY: these arrays are never changed (`without` only shrinks arrays it is given, and
// nobody gives it these: they hold no entry to drop, so it writes nothing) and point to
// immutable string literals.
unsafe impl<const N: usize> Sync for PointerArray<N> {}
static DEFAULT_SHELL: PointerArray<2> =
    PointerArray([Cell::new(c"/bin/sh".as_ptr()), Cell::new(ptr::null())]);
static NULL_ARRAY: PointerArray<1> = PointerArray([Cell::new(ptr::null())]);

/// Whether `byte` is in `bytes`: a plain loop, where core's `contains` on bytes is an unrolled
/// memchr of about 200 bytes.
#[allow(clippy::manual_contains)] // what clippy suggests is the memchr this avoids
pub fn has_byte(bytes: &[u8], byte: u8) -> bool {
    bytes.iter().any(|&c| c == byte)
}

/// `bytes` as a C string when its only NUL is its last byte. (core's
/// `CStr::from_bytes_with_nul` finds the NUL with an unrolled memchr: about 500 bytes.)
pub fn c_str(bytes: &[u8]) -> Option<&CStr> {
    match bytes.iter().position(|&b| b == 0) {
        // SAFETY: the one NUL is the last byte.
        Some(nul) if nul + 1 == bytes.len() => {
            Some(unsafe { CStr::from_bytes_with_nul_unchecked(bytes) })
        }
        _ => None,
    }
}

/// Keep the concatenation of `parts` (and a NUL) for the rest of the process, for the few
/// strings boxinit builds at run time (cgroup and boot paths, variable names in messages).
/// Each piece of the room is handed out once and never written again; None when the room is
/// used up or a part holds a NUL.
pub fn keep(parts: &[&[u8]]) -> Option<&'static CStr> {
    use core::sync::atomic::{AtomicUsize, Ordering};
    const ROOM: usize = 16 * 1024;
    struct Room(core::cell::UnsafeCell<[u8; ROOM]>);
    // SAFETY: disjoint pieces are handed out by an atomic counter (see below).
    unsafe impl Sync for Room {}
    static ROOM_BYTES: Room = Room(core::cell::UnsafeCell::new([0; ROOM]));
    static USED: AtomicUsize = AtomicUsize::new(0);

    if parts.iter().any(|p| has_byte(p, 0)) {
        return None;
    }
    let len = parts.iter().map(|p| p.len()).sum::<usize>() + 1;
    if len > ROOM {
        return None;
    }
    let start = USED.fetch_add(len, Ordering::Relaxed);
    if start > ROOM - len {
        return None;
    }
    // SAFETY: bytes start..start+len were handed to no one else (the counter only grows), are
    // inside the room, and are written here, before the one shared reference to them exists.
    unsafe {
        let piece = ROOM_BYTES.0.get().cast::<u8>().add(start);
        let mut at = piece;
        for part in parts {
            ptr::copy_nonoverlapping(part.as_ptr(), at, part.len());
            at = at.add(part.len());
        }
        *at = 0;
        Some(CStr::from_bytes_with_nul_unchecked(
            core::slice::from_raw_parts(piece, len),
        ))
    }
}

/// The most environment entries boxinit builds for a command (see `env`), and the most a
/// command's environment may have when one of its entries is replaced (`env_with`).
pub const ENV_CAPACITY: usize = 1024;

/// An environment for execve, built in a static array of pointers that can be filled once
/// per process (the command's environment is built once).
pub struct EnvBuffer {
    ptrs: &'static mut [*const c_char; ENV_CAPACITY + 1],
    len: usize,
}

impl EnvBuffer {
    /// The buffer; `None` if it was taken before.
    pub fn take() -> Option<EnvBuffer> {
        use core::sync::atomic::{AtomicBool, Ordering};
        struct Buffer(core::cell::UnsafeCell<[*const c_char; ENV_CAPACITY + 1]>);
        // SAFETY: only the one taker of TAKEN ever gets a reference to the contents.
        unsafe impl Sync for Buffer {}
        static BUFFER: Buffer =
            Buffer(core::cell::UnsafeCell::new([ptr::null(); ENV_CAPACITY + 1]));
        static TAKEN: AtomicBool = AtomicBool::new(false);
        if TAKEN.swap(true, Ordering::AcqRel) {
            return None;
        }
        Some(EnvBuffer {
            // SAFETY: TAKEN makes this the only reference ever made to the contents.
            ptrs: unsafe { &mut *BUFFER.0.get() },
            len: 0,
        })
    }

    /// Add `entry`; false when ENV_CAPACITY entries are there already.
    pub fn push(&mut self, entry: &'static CStr) -> bool {
        if self.len == ENV_CAPACITY {
            return false;
        }
        self.ptrs[self.len] = entry.as_ptr();
        self.len += 1;
        true
    }

    pub fn finish(self) -> Strings {
        let ptrs: &'static mut [*const c_char; ENV_CAPACITY + 1] = self.ptrs;
        ptrs[self.len] = ptr::null();
        // SAFETY: the first len pointers are of 'static C strings and the next is null.
        unsafe { Strings::from_raw(ptrs.as_ptr(), self.len) }
    }
}

/// Room for the command's environment with one entry replaced (HOME for --user).
struct EnvArea {
    ptrs: [*const c_char; ENV_CAPACITY + 1],
    entry: [u8; 4096],
}

struct EnvCell(core::cell::UnsafeCell<EnvArea>);
// SAFETY: boxinit has one thread; `env_with` writes the area once, before the command starts,
// and never again.
unsafe impl Sync for EnvCell {}
// In .bss: its pages are faulted in only when --user needs them.
static ENV_AREA: EnvCell = EnvCell(core::cell::UnsafeCell::new(EnvArea {
    ptrs: [ptr::null(); ENV_CAPACITY + 1],
    entry: [0; 4096],
}));

/// `env` with every `NAME=...` entry replaced by one `NAME=value` at the end. Called at most
/// once per process (the strings live in one static area); E2BIG when they do not fit.
pub fn env_with(env: Strings, name: &[u8], value: &[u8]) -> Result<Strings> {
    // SAFETY: the only use of the area (see EnvCell); what it returns is never written again.
    let area = unsafe { &mut *ENV_AREA.0.get() };
    let len = name.len() + 1 + value.len();
    if len >= area.entry.len() || has_byte(value, 0) {
        return Err(Errno::E2BIG);
    }
    area.entry[..name.len()].copy_from_slice(name);
    area.entry[name.len()] = b'=';
    area.entry[name.len() + 1..len].copy_from_slice(value);
    area.entry[len] = 0;
    let mut n = 0;
    for entry in env.iter() {
        let bytes = entry.to_bytes();
        if bytes.starts_with(name) && bytes.get(name.len()) == Some(&b'=') {
            continue;
        }
        if n == ENV_CAPACITY - 1 {
            return Err(Errno::E2BIG);
        }
        area.ptrs[n] = entry.as_ptr();
        n += 1;
    }
    area.ptrs[n] = area.entry.as_ptr().cast();
    area.ptrs[n + 1] = ptr::null();
    // SAFETY: n + 1 valid C strings (static or the process's own envp), then a null.
    Ok(unsafe { Strings::from_raw(area.ptrs.as_ptr(), n + 1) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: Strings) -> Vec<String> {
        s.iter().map(|c| c.to_str().unwrap().to_owned()).collect()
    }

    #[test]
    fn without_compacts_in_place() {
        let env = Strings::leak(&["A=1", "BOXINIT_X=2", "B=3", "BOXINIT_Y=4"]);
        let kept = env.without(|e| e.to_bytes().starts_with(b"BOXINIT_"));
        assert_eq!(texts(kept), ["A=1", "B=3"]);
        // Still a null-terminated array for execve.
        assert!(env.ptrs[2].get().is_null());
        let all = Strings::leak(&["A=1"]).without(|_| false);
        assert_eq!(texts(all), ["A=1"]);
        assert!(Strings::leak(&["X=1"]).without(|_| true).is_empty());
    }

    #[test]
    fn c_str_takes_only_a_string_ending_in_its_one_nul() {
        assert_eq!(c_str(b"abc\0"), Some(c"abc"));
        assert_eq!(c_str(b"\0"), Some(c""));
        assert_eq!(c_str(b"abc"), None);
        assert_eq!(c_str(b""), None);
        assert_eq!(c_str(b"a\0b\0"), None);
    }
}

/// A `'static` C string by its pointer alone, with a 16-bit number of the caller's kept in
/// the pointer's top 16 bits, which no user-space address uses (Linux gives user space 47 bits
/// on x86_64 and 48 on aarch64, more only to an mmap that asks for it). `out::Failure` is two
/// of these: 16 bytes, which a function returns in two registers, where 24 bytes went through
/// memory at every `?` of the run (about 5 KB of code).
#[derive(Clone, Copy, Debug)]
pub struct CText(ptr::NonNull<u8>);

/// Where the tag starts in a `CText` or `ShortBytes`.
const TAG_SHIFT: u32 = 48;

fn tagged(ptr: ptr::NonNull<u8>, tag: u16) -> ptr::NonNull<u8> {
    ptr.map_addr(|a| a | (usize::from(tag) << TAG_SHIFT))
}

fn untagged(ptr: ptr::NonNull<u8>) -> *const u8 {
    ptr.as_ptr().map_addr(|a| a & ((1 << TAG_SHIFT) - 1))
}

fn tag_of(ptr: ptr::NonNull<u8>) -> u16 {
    (ptr.addr().get() >> TAG_SHIFT) as u16
}

impl CText {
    pub fn new(text: &'static CStr, tag: u16) -> CText {
        CText(tagged(ptr::NonNull::from_ref(text).cast(), tag))
    }

    pub fn get(self) -> &'static CStr {
        // SAFETY: the pointer, untagged, is a `&'static CStr`'s.
        unsafe { CStr::from_ptr(untagged(self.0).cast()) }
    }

    pub fn tag(self) -> u16 {
        tag_of(self.0)
    }
}

/// The first `SHORT_MAX` bytes (or fewer) of a `'static` byte string, by a pointer whose top
/// 16 bits keep their number and a byte of the caller's (see `CText`).
#[derive(Clone, Copy, Debug)]
pub struct ShortBytes(ptr::NonNull<u8>);

impl ShortBytes {
    /// The most bytes kept: what is longer is cut to it.
    pub const MAX: usize = 255;

    #[inline(never)]
    pub fn new(bytes: &'static [u8], extra: u8) -> ShortBytes {
        let len = bytes.len().min(ShortBytes::MAX) as u16;
        ShortBytes(tagged(
            ptr::NonNull::from_ref(bytes).cast(),
            len | u16::from(extra) << 8,
        ))
    }

    pub fn get(self) -> &'static [u8] {
        // SAFETY: the pointer, untagged, is a `&'static [u8]`'s, of at least the length kept.
        unsafe { core::slice::from_raw_parts(untagged(self.0), tag_of(self.0) as u8 as usize) }
    }

    pub fn extra(self) -> u8 {
        (tag_of(self.0) >> 8) as u8
    }

    pub fn with_extra(self, extra: u8) -> ShortBytes {
        ShortBytes::new(self.get(), extra)
    }
}
