//! What the options need of the system, looked at once they are parsed and before anything
//! starts: a rootfs that is a directory, descriptors to keep that are open.

use crate::config::Config;
use crate::out::Failure;
use crate::{container, fds};

pub fn check(config: &Config) -> Result<(), Failure> {
    if let Some(rootfs) = config.rootfs {
        container::check_rootfs_exists(rootfs)?;
    }
    fds::check_open(&config.keep_fds)
}

// (A rootfs needs the launcher.)
#[cfg(all(test, feature = "launcher"))]
mod tests {
    use super::*;
    use crate::config::Host;
    use crate::opts;
    use crate::sys::Strings;

    fn checked(argv: &[&str]) -> Result<Config, Failure> {
        let config = opts::parse(Strings::leak(argv), Strings::EMPTY, Host::default())?;
        check(&config).map(|()| config)
    }

    #[test]
    fn a_rootfs_must_be_a_directory_and_kept_descriptors_open() {
        assert!(checked(&["boxinit", "--rootfs", "/nonexistent", "x"]).is_err());
        assert!(checked(&["boxinit", "--rootfs", "/etc/passwd", "x"]).is_err());
        assert!(checked(&["boxinit", "--rootfs", "/", "x"]).is_ok());
        // The test process has 0, 1 and 2 open, and surely not 900000.
        assert!(checked(&["boxinit", "--keep-fd", "900000", "x"]).is_err());
        assert!(checked(&["boxinit", "--keep-fd", "2", "x"]).is_ok());
    }
}
