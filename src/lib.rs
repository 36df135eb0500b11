//! boxinit: one small static PID 1 for containers, launchers and boot.
//!
//! `run` is the whole run from the top; each job has its module (`supervise`, `container`,
//! `boot`, `cgroups`), and `sys` is the kernel interface, the only place with `unsafe`.

#![cfg_attr(not(any(test, fuzzing)), no_std)]
#![deny(unsafe_code)]

pub mod accounts;
// The jobs beyond supervision are features (all in the default build). A build without one
// has, in its place, the small module of `absent/` that the run's steps can call unchanged:
// the parser has refused that job's options already.
#[cfg_attr(not(feature = "boot"), path = "absent/boot.rs")]
pub mod boot;
#[cfg_attr(not(feature = "limits"), path = "absent/cgroups.rs")]
pub mod cgroups;
pub mod check;
pub mod config;
#[cfg_attr(not(feature = "launcher"), path = "absent/container.rs")]
pub mod container;
pub mod env;
pub mod fds;
pub mod help;
pub mod opts;
pub mod out;
pub mod procs;
mod run;
pub mod signals;
pub mod spawn;
pub mod supervise;
pub mod sys;
pub mod values;

pub use run::start;
