//! Replacing this process with a program: execve with the command's own arguments, with a
//! shell for a script without `#!`, or with a short list of our own.

use super::Strings;
use core::ffi::{c_char, CStr};
use core::ptr;
use syscalls::{syscall, Errno, Sysno};

/// `execve(2)`; returns only on failure, with the error.
///
/// # Safety
/// `argv` and `envp` are null-terminated arrays of C strings.
unsafe fn execve_raw(path: &CStr, argv: *const *const c_char, envp: *const *const c_char) -> Errno {
    match syscall!(Sysno::execve, path.as_ptr(), argv, envp) {
        Ok(_) => Errno::EINVAL,
        Err(errno) => errno,
    }
}

/// Replace this process with `path`; returns only on failure.
pub fn execve(path: &CStr, argv: Strings, envp: Strings) -> Errno {
    // SAFETY: Strings are null-terminated arrays of C strings.
    unsafe { execve_raw(path, argv.as_ptr(), envp.as_ptr()) }
}

/// The most arguments a script without `#!` can be run with through /bin/sh.
pub const SCRIPT_ARGS: usize = 4096;

/// Run `script` with /bin/sh, as execvp does when the kernel does not know a file's format
/// (ENOEXEC): `sh script ARG...`, the ARGs being `argv` after its first. Returns the error:
/// E2BIG past SCRIPT_ARGS arguments (the new argv is built in a fixed array).
pub fn execve_with_shell(script: &CStr, argv: Strings, env: Strings) -> Errno {
    #[repr(C)]
    struct Array(core::cell::UnsafeCell<[*const c_char; SCRIPT_ARGS + 2]>);
    // SAFETY: only the child of `spawn` uses it, one at a time, just before exec.
    unsafe impl Sync for Array {}
    // In .bss: its pages cost nothing until a script needs them.
    static ARGS: Array = Array(core::cell::UnsafeCell::new([ptr::null(); SCRIPT_ARGS + 2]));
    if argv.len() > SCRIPT_ARGS {
        return Errno::E2BIG;
    }
    // SAFETY: nobody else uses the array meanwhile (see above).
    let args = unsafe { &mut *ARGS.0.get() };
    args[0] = c"sh".as_ptr();
    args[1] = script.as_ptr();
    let mut n = 2;
    for arg in argv.iter().skip(1) {
        args[n] = arg.as_ptr();
        n += 1;
    }
    args[n] = ptr::null();
    // SAFETY: args and env are null-terminated arrays of C strings.
    unsafe { execve_raw(c"/bin/sh", args.as_ptr(), env.as_ptr()) }
}

/// Execute `path` with `args` (at most 31) and `env`; returns only on failure.
pub fn execve_list(path: &CStr, args: &[&CStr], env: Strings) -> Errno {
    let mut ptrs: [*const c_char; 32] = [ptr::null(); 32];
    if args.len() >= ptrs.len() {
        return Errno::E2BIG;
    }
    for (slot, arg) in ptrs.iter_mut().zip(args) {
        *slot = arg.as_ptr();
    }
    // SAFETY: every argument is a C string and ptrs ends with a null.
    unsafe { execve_raw(path, ptrs.as_ptr(), env.as_ptr()) }
}
