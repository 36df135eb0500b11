//! The C entry point of the boxinit binary: musl's static start-up code (crt1 and
//! `__libc_start_main`) calls `main` below. It lives here, with the rest of the unsafe code,
//! and is included by `src/main.rs` only, so the library (and the tests that link it) have no
//! `main` of their own.
#![allow(unsafe_code)]

use boxinit::sys::Strings;
use core::ffi::{c_char, c_int};

// Nothing else of libc is used, so the link must be asked for by name.
#[link(name = "c", kind = "static")]
extern "C" {}

/// Unoptimised builds keep libcore's unwind tables, which name this symbol; with
/// `panic = "abort"` nothing ever calls it (release builds drop the reference).
#[cfg(debug_assertions)]
#[no_mangle]
extern "C" fn rust_eh_personality() {}

/// Wrap argv and envp, then hand over to safe code.
#[no_mangle]
extern "C" fn main(argc: c_int, argv: *const *const c_char, envp: *const *const c_char) -> c_int {
    // SAFETY: the kernel passes argc strings in argv and a null-terminated envp, which live
    // as long as the process.
    let (args, env) = unsafe { (Strings::argv(argc, argv), Strings::envp(envp)) };
    boxinit::start(args, env)
}
