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

    #[test]
    fn a_temporary_folder_is_local() {
        let dir = std::env::temp_dir();
        assert_ne!(filesystem_kind(&dir), FsKind::Network("NFS"));
    }
}
