//! The command's environment: boxinit's own, passed on untouched, or edited as env(1) does by
//! `--clearenv`, `--setenv K=V` and `--unsetenv K`. Built without a heap: entries are borrowed
//! from argv and envp into a list of fixed capacity, and more than fits is an error, never a
//! silent cut.

use crate::config::{Edit, EnvEdits};
use crate::out::Failure;
use crate::sys::{self, EnvBuffer, Strings};
use core::ffi::CStr;

/// What `env -i` users expect after a clear when they do not set it themselves: the usual
/// PATH of a root shell and a HOME (TERM is kept from the caller).
pub const DEFAULT_PATH: &CStr =
    c"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const DEFAULT_HOME: &CStr = c"HOME=/";

impl EnvEdits {
    pub fn is_empty(&self) -> bool {
        !self.clear && self.edits.is_empty()
    }

    /// `--setenv K=V`: K must be a name (not empty); V may be anything.
    pub fn set(&mut self, entry: &'static CStr) -> Result<(), Failure> {
        let bytes = entry.to_bytes();
        if !bytes.iter().skip(1).any(|&c| c == b'=') || bytes[0] == b'=' {
            return Err(Failure::plain(
                c"invalid --setenv (want NAME=VALUE):",
                bytes,
            ));
        }
        self.push(Edit(entry))
    }

    /// `--unsetenv K`.
    pub fn unset(&mut self, name: &'static CStr) -> Result<(), Failure> {
        let bytes = name.to_bytes();
        if bytes.is_empty() || sys::has_byte(bytes, b'=') {
            return Err(Failure::plain(c"invalid --unsetenv (want NAME):", bytes));
        }
        self.push(Edit(name))
    }

    fn push(&mut self, edit: Edit) -> Result<(), Failure> {
        self.edits
            .push(edit)
            .map_err(|_| Failure::plain_bare(c"too many --setenv and --unsetenv (at most 32)"))
    }
}

impl Edit {
    fn names(&self, name: &[u8]) -> bool {
        name_of(self.0) == name
    }

    /// The entry to add, if this is a set.
    fn entry(&self) -> Option<&'static CStr> {
        sys::has_byte(self.0.to_bytes(), b'=').then_some(self.0)
    }
}

/// The environment the command gets: `inherited` itself when nothing was asked for, else a
/// new one, built once.
pub fn for_command(inherited: Strings, edits: &EnvEdits) -> Result<Strings, Failure> {
    if edits.is_empty() {
        return Ok(inherited);
    }
    let mut env =
        EnvBuffer::take().ok_or(Failure::plain_bare(c"building the environment twice"))?;
    build(inherited, edits, |entry| env.push(entry))?;
    Ok(env.finish())
}

/// Hand `push` the command's environment, entry by entry: the inherited entries no edit
/// names (after a clear only TERM), each set no later edit overrides, and after a clear the
/// default PATH and HOME unless an edit names them. `push` says false when it is full.
fn build(
    inherited: Strings,
    edits: &EnvEdits,
    mut push: impl FnMut(&'static CStr) -> bool,
) -> Result<(), Failure> {
    // Whether an edit from index `from` on names `name`.
    let named = |from: usize, name: &[u8]| edits.edits[from..].iter().any(|e| e.names(name));
    let mut add = |entry: &'static CStr| match push(entry) {
        true => Ok(()),
        false => Err(Failure::plain_bare(
            c"more than 1024 environment variables for the command",
        )),
    };
    for entry in inherited.iter() {
        let keep = !edits.clear && !named(0, name_of(entry));
        let term = edits.clear && name_of(entry) == b"TERM" && !named(0, b"TERM");
        if keep || term {
            add(entry)?;
        }
    }
    for (i, edit) in edits.edits.iter().enumerate() {
        if let Some(entry) = edit.entry() {
            if !named(i + 1, name_of(entry)) {
                add(entry)?;
            }
        }
    }
    for default in [DEFAULT_PATH, DEFAULT_HOME] {
        if edits.clear && !named(0, name_of(default)) {
            add(default)?;
        }
    }
    Ok(())
}

/// `K` of `K=V` (all of an entry without `=`).
fn name_of(entry: &CStr) -> &[u8] {
    variable_name(entry.to_bytes())
}

/// The name of an environment entry: up to its `=`, or all of it. Split by `values::split`,
/// whose code is in the binary once.
pub fn variable_name(entry: &[u8]) -> &[u8] {
    crate::values::split(entry, b'=').next().unwrap_or(entry)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leak(s: &str) -> &'static CStr {
        Box::leak(std::ffi::CString::new(s).unwrap().into_boxed_c_str())
    }

    fn built(inherited: &[&str], clear: bool, edits: &[Edit]) -> Vec<String> {
        let mut e = EnvEdits {
            clear,
            ..EnvEdits::default()
        };
        for edit in edits {
            e.push(*edit).unwrap();
        }
        let mut list = Vec::new();
        let push = |entry: &'static CStr| {
            list.push(entry.to_str().unwrap().to_owned());
            true
        };
        build(Strings::leak(inherited), &e, push).unwrap();
        list
    }

    #[test]
    fn set_replaces_and_unset_removes() {
        let env = ["A=1", "B=2", "A=3"];
        let got = built(&env, false, &[Edit(leak("A=9")), Edit(leak("B"))]);
        assert_eq!(got, ["A=9"]);
        let got = built(&env, false, &[Edit(leak("A")), Edit(leak("C="))]);
        assert_eq!(got, ["B=2", "C="]);
        let edits = [Edit(leak("C=1")), Edit(leak("C=2")), Edit(leak("D=1"))];
        assert_eq!(
            built(&env, false, &edits),
            ["A=1", "B=2", "A=3", "C=2", "D=1"]
        );
        let edits = [Edit(leak("C=1")), Edit(leak("C"))];
        assert_eq!(built(&env, false, &edits), env);
    }

    #[test]
    fn clear_keeps_term_and_fills_path_and_home() {
        let env = ["A=1", "TERM=xterm", "HOME=/root"];
        let got = built(&env, true, &[Edit(leak("HOME=/home/me"))]);
        assert_eq!(
            got,
            [
                "TERM=xterm",
                "HOME=/home/me",
                DEFAULT_PATH.to_str().unwrap()
            ]
        );
        // A name an edit mentions gets no default.
        let got = built(&["A=1", "TERM=vt100"], true, &[Edit(leak("PATH"))]);
        assert_eq!(got, ["TERM=vt100", "HOME=/"]);
        let got = built(&["A=1"], true, &[]);
        assert_eq!(got, [DEFAULT_PATH.to_str().unwrap(), "HOME=/"]);
    }

    #[test]
    fn bad_names_and_too_many_are_refused() {
        let mut e = EnvEdits::default();
        assert!(e.set(leak("=1")).is_err());
        assert!(e.set(leak("A")).is_err());
        assert!(e.set(leak("A=")).is_ok());
        assert!(e.unset(c"").is_err());
        assert!(e.unset(c"A=1").is_err());
        let e = EnvEdits {
            clear: false,
            edits: [Edit(leak("X"))].into_iter().collect(),
        };
        let mut room = 2;
        let full = |_: &'static CStr| {
            room -= 1;
            room >= 0
        };
        assert!(build(Strings::leak(&["A=1", "B=2", "C=3"]), &e, full).is_err());
    }
}
