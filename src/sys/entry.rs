//! The process's entry point, `_start`, for the boxinit binary: it finds argc, argv and envp
//! where the kernel put them on the stack and hands them to `boxinit::start`. No C start-up
//! code runs: boxinit uses nothing of libc's state (no threads, no TLS, no stdio, no atexit),
//! and musl's start-up, TLS set-up and exit path were about 2 KB of the binary. It lives
//! here, with the rest of the unsafe code, and is included by `src/main.rs` only, so the
//! library (and the tests that link it) keep the usual start-up. The linker scripts in
//! .cargo/link/ leave the C start-up objects out of boxinit's own link.
#![allow(unsafe_code)]

use boxinit::sys::Strings;
use core::ffi::c_char;

// Of libc only the memory and string functions the compiler calls (memcpy, memset, memcmp,
// strlen) are linked, so the link must be asked for by name.
#[link(name = "c", kind = "static")]
extern "C" {}

/// Unoptimised builds keep libcore's unwind tables, which name this symbol; with
/// `panic = "abort"` nothing ever calls it (release builds drop the reference).
#[cfg(debug_assertions)]
#[no_mangle]
extern "C" fn rust_eh_personality() {}

// The kernel starts the process with the stack pointer at argc, then argv's pointers and a
// null, then envp's and a null. The ABI wants the stack 16-byte aligned at a call, and a zero
// frame pointer and return address end a debugger's backtrace here.
#[cfg(target_arch = "x86_64")]
core::arch::global_asm!(
    ".globl _start",
    "_start:",
    "xor ebp, ebp",
    "mov rdi, rsp",
    "and rsp, -16",
    "call {entry}",
    "ud2",
    entry = sym entry,
);

#[cfg(target_arch = "aarch64")]
core::arch::global_asm!(
    ".globl _start",
    "_start:",
    "mov x29, xzr",
    "mov x30, xzr",
    "mov x0, sp",
    "and sp, x0, #-16",
    "bl {entry}",
    "udf #0",
    entry = sym entry,
);

/// Wrap argv and envp, then hand over to safe code.
unsafe extern "C" fn entry(stack: *const usize) -> ! {
    // SAFETY: the kernel's layout (see above): argc strings in argv and a null, then a
    // null-terminated envp, all living as long as the process.
    let (args, env) = unsafe {
        let argc = *stack;
        let argv = stack.add(1).cast::<*const c_char>();
        (
            Strings::argv(argc as _, argv),
            Strings::envp(argv.add(argc + 1)),
        )
    };
    boxinit::start(args, env)
}
