//! The process's entry point, `_start`, for the boxinit binary: it finds argc, argv and envp
//! where the kernel put them on the stack and hands them to `boxinit::start`. No C start-up
//! code runs: boxinit uses nothing of libc's state (no threads, no TLS, no stdio, no atexit),
//! and musl's start-up, TLS set-up, exit path and clone were about 3.3 KB of the binary. It
//! lives here, with the rest of the unsafe code, and is included by `src/main.rs` only, so
//! the library (and the tests that link it) keep the usual start-up. The linker wrappers in
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

// aarch64's atomic read-modify-writes are calls to helpers that use the LSE instructions
// when the CPU has them, as a constructor finds out from the auxiliary vector: no C start-up
// code runs that constructor here, so the helpers' load-and-store-exclusive loops (right on
// every ARMv8 CPU) serve. Saying so here keeps the probe's code (about 1 KB: the constructor,
// getauxval) out of the link.
#[cfg(target_arch = "aarch64")]
#[no_mangle]
static __aarch64_have_lse_atomics: u8 = 0;

// The memory and string functions the compiler calls, a byte at a time: musl's are unrolled
// for speed (about 1.2 KB on aarch64, 400 B on x86_64), where boxinit copies and compares a
// few kilobytes in a whole run. memmove (and memcpy, the same code) copies backwards when
// the destination starts inside the source; memcmp (and bcmp) gives the difference of the
// first bytes that differ.
#[cfg(target_arch = "x86_64")]
core::arch::global_asm!(
    ".globl memcpy",
    "memcpy:",
    ".globl memmove",
    "memmove:",
    "mov rax, rdi",
    "mov rcx, rdx",
    "mov r8, rdi",
    "sub r8, rsi",
    "cmp r8, rdx",
    "jb 2f",
    "rep movsb",
    "ret",
    "2:",
    "lea rsi, [rsi + rdx - 1]",
    "lea rdi, [rdi + rdx - 1]",
    "std",
    "rep movsb",
    "cld",
    "ret",
    ".globl memset",
    "memset:",
    "mov r8, rdi",
    "mov eax, esi",
    "mov rcx, rdx",
    "rep stosb",
    "mov rax, r8",
    "ret",
    ".globl memcmp",
    "memcmp:",
    ".globl bcmp",
    "bcmp:",
    "xor eax, eax",
    "mov rcx, rdx",
    "repe cmpsb",
    "je 2f",
    "movzx eax, byte ptr [rdi - 1]",
    "movzx ecx, byte ptr [rsi - 1]",
    "sub eax, ecx",
    "2:",
    "ret",
    ".globl strlen",
    "strlen:",
    "mov rax, rdi",
    "3:",
    "cmp byte ptr [rax], 0",
    "je 4f",
    "inc rax",
    "jmp 3b",
    "4:",
    "sub rax, rdi",
    "ret",
);

#[cfg(target_arch = "aarch64")]
core::arch::global_asm!(
    ".globl memcpy",
    "memcpy:",
    ".globl memmove",
    "memmove:",
    "mov x3, x0",
    "sub x4, x0, x1",
    "cmp x4, x2",
    "b.lo 3f",
    "cbz x2, 2f",
    "1:",
    "ldrb w4, [x1], #1",
    "strb w4, [x3], #1",
    "subs x2, x2, #1",
    "b.ne 1b",
    "2:",
    "ret",
    "3:",
    "cbz x2, 2b",
    "subs x2, x2, #1",
    "ldrb w4, [x1, x2]",
    "strb w4, [x0, x2]",
    "b 3b",
    ".globl memset",
    "memset:",
    "mov x3, x0",
    "cbz x2, 2f",
    "1:",
    "strb w1, [x3], #1",
    "subs x2, x2, #1",
    "b.ne 1b",
    "2:",
    "ret",
    ".globl memcmp",
    "memcmp:",
    ".globl bcmp",
    "bcmp:",
    "mov w3, #0",
    "1:",
    "cbz x2, 2f",
    "ldrb w3, [x0], #1",
    "ldrb w4, [x1], #1",
    "sub x2, x2, #1",
    "subs w3, w3, w4",
    "b.eq 1b",
    "2:",
    "mov w0, w3",
    "ret",
    ".globl strlen",
    "strlen:",
    "mov x1, x0",
    "1:",
    "ldrb w2, [x1], #1",
    "cbnz w2, 1b",
    "sub x0, x1, x0",
    "sub x0, x0, #1",
    "ret",
);
