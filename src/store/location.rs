//! Where the database file lives: SQLite's locking is unsafe on network file systems
//! (DESIGN §5), so those are recognised from `statfs` and refused unless overridden.

use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FsKind {
    Local,
    Network(&'static str),
    Unknown,
}

/// Names the file system holding `dir` when it is a network one.
#[cfg(target_os = "linux")]
pub fn filesystem_kind(dir: &Path) -> FsKind {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;

    let Ok(c_path) = CString::new(dir.as_os_str().as_bytes()) else {
        return FsKind::Unknown;
    };
    let mut stat = std::mem::MaybeUninit::<libc::statfs>::uninit();
    // SAFETY: c_path is a valid NUL-terminated string and stat points to writable memory of
    // the right size; statfs only writes into it.
    let rc = unsafe { libc::statfs(c_path.as_ptr(), stat.as_mut_ptr()) };
    if rc != 0 {
        return FsKind::Unknown;
    }
    // SAFETY: statfs returned 0, so it filled the struct.
    let magic = unsafe { stat.assume_init() }.f_type as u32;
    kind_of_magic(magic)
}

/// What a file system is, from the magic number `statfs` reports for it: a network one by
/// name, any other local.
fn kind_of_magic(magic: u32) -> FsKind {
    network_name(magic).map_or(FsKind::Local, FsKind::Network)
}

#[cfg(not(target_os = "linux"))]
pub fn filesystem_kind(_dir: &Path) -> FsKind {
    FsKind::Unknown
}

/// File-system magic numbers (linux/magic.h) of the network file systems.
fn network_name(magic: u32) -> Option<&'static str> {
    Some(match magic {
        0x6969 => "NFS",
        0x517B => "SMB",
        0xFF53_4D42 => "CIFS",
        0xFE53_4D42 => "SMB2",
        0x5346_414F => "AFS",
        0x7375_7245 => "Coda",
        0x564C => "NCP",
        0x0102_1997 => "9P",
        0x0BD0_0BD0 => "Lustre",
        0x0016_1997 => "GlusterFS",
        0x00C3_6400 => "CephFS",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_magics_are_named() {
        assert_eq!(network_name(0x6969), Some("NFS"));
        assert_eq!(network_name(0xFF53_4D42), Some("CIFS"));
        assert_eq!(network_name(0xEF53), None, "ext4 is local");
    }

    /// The magic numbers as the kernel reports them (libc's copies of linux/magic.h where it
    /// has them; CIFS and SMB2 are "\xFFSMB" and "\xFESMB" in ASCII, as the kernel spells them).
    #[cfg(target_os = "linux")]
    #[test]
    fn network_file_systems_are_network_and_local_ones_local() {
        for (magic, name) in [
            (libc::NFS_SUPER_MAGIC as u32, "NFS"),
            (libc::SMB_SUPER_MAGIC as u32, "SMB"),
            (0xFF53_4D42, "CIFS"),
            (0xFE53_4D42, "SMB2"),
            (libc::AFS_SUPER_MAGIC as u32, "AFS"),
            (libc::CODA_SUPER_MAGIC as u32, "Coda"),
            (libc::NCP_SUPER_MAGIC as u32, "NCP"),
        ] {
            assert_eq!(kind_of_magic(magic), FsKind::Network(name), "{magic:#x}");
        }
        for (magic, name) in [
            (libc::EXT4_SUPER_MAGIC as u32, "ext4"),
            (libc::XFS_SUPER_MAGIC as u32, "xfs"),
            (libc::BTRFS_SUPER_MAGIC as u32, "btrfs"),
            (libc::TMPFS_MAGIC as u32, "tmpfs"),
            (libc::OVERLAYFS_SUPER_MAGIC as u32, "overlayfs"),
            (libc::PROC_SUPER_MAGIC as u32, "proc"),
        ] {
            assert_eq!(kind_of_magic(magic), FsKind::Local, "{name} is local");
        }
    }

    /// Read through `statfs` itself: /proc is always the kernel's own (local) file system, and
    /// the temporary folder the tests keep their databases in is local too.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_temporary_folder_and_proc_are_local() {
        assert_eq!(filesystem_kind(Path::new("/proc")), FsKind::Local);
        let dir = std::env::temp_dir();
        assert_eq!(filesystem_kind(&dir), FsKind::Local, "{}", dir.display());
    }
}
