//! The boxinit binary: its entry point `_start` (in `sys/entry.rs`, with the rest of the unsafe
//! code) hands argv and envp to `boxinit::start`.

#![cfg_attr(not(test), no_std)]
#![cfg_attr(not(test), no_main)]
#![deny(unsafe_code)]

// (`cargo clippy --all-targets` builds this file as a test too, with std's own entry point
// and panic handler.)
#[cfg(not(test))]
#[path = "sys/entry.rs"]
mod entry;

#[cfg(not(test))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    boxinit::out::error("internal error", b"", None);
    // In boot mode a clean power-off, not a kernel panic.
    boxinit::boot::quit(boxinit::out::Failure::STATUS)
}
