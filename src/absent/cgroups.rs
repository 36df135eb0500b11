//! Resource limits' place in a build without them (no `limits` feature): the parser refuses
//! their options, so there is never a group to make, enter or remove.

use crate::config::Limits;
use crate::out::Failure;

impl Limits {
    pub fn wanted(&self) -> bool {
        *self != Limits::default()
    }
}

/// No group can exist in this build.
pub enum Group {}

impl Group {
    pub fn remove<T>(&self, _result: Result<T, Failure>) -> Result<T, Failure> {
        match *self {}
    }
}

pub fn check(limits: &Limits) -> Result<(), Failure> {
    match limits.wanted() {
        false => Ok(()),
        true => Err(absent()),
    }
}

pub fn create(limits: &Limits, _cgroup_namespace: bool) -> Result<Option<Group>, Failure> {
    check(limits).map(|()| None)
}

pub fn enter(_group: Option<&Group>) -> Result<(), Failure> {
    Ok(())
}

fn absent() -> Failure {
    Failure::plain(c"limits are not in this build (built without limits)", b"")
}
