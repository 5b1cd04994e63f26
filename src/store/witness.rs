//! The audit witness: a small file beside the database (`<database>-audit`) holding the
//! number and hash of the audit log's last entry, rewritten after each write that added
//! entries. The chain alone shows an edited or a deleted entry, but not a deleted tail (what
//! is left still links up); the witness does, since it records an entry the log no longer
//! has. Every backup carries one (DESIGN §6).
//!
//! Writers update it after their commit, under an advisory lock on the file, and only
//! forwards: two writers finishing in either order leave the higher entry. A writer killed
//! between its commit and the update leaves the witness one write behind, which `check`
//! accepts (the entry it names is still in the log). The file is never created by a write:
//! only when the database is created or first given a witness (schema version 14), so that
//! deleting it cannot be undone by the next write.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::fd::AsRawFd;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::audit::Head;

/// The first line of a witness file.
const MAGIC: &str = "careline audit witness";

/// The witness file of a database.
pub fn path(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push("-audit");
    PathBuf::from(name)
}

fn text(head: Option<&Head>) -> String {
    match head {
        Some(h) => format!("{MAGIC}\nentry {}\nhash {}\n", h.entry, h.hash),
        None => format!("{MAGIC}\nentry 0\nhash -\n"),
    }
}

/// Reads what a witness file says: none when there is no file; an error naming the file when
/// it cannot be read or is not a witness.
pub fn read(path: &Path) -> Result<Option<Head>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read the witness {}: {e}", path.display())),
    };
    parse(&text).ok_or_else(|| {
        format!(
            "the witness {} is not a careline audit witness (it was overwritten)",
            path.display()
        )
    })
}

fn parse(text: &str) -> Option<Option<Head>> {
    let mut lines = text.lines();
    if lines.next()? != MAGIC {
        return None;
    }
    let entry: i64 = lines.next()?.strip_prefix("entry ")?.parse().ok()?;
    let hash = lines.next()?.strip_prefix("hash ")?;
    if entry == 0 {
        return Some(None);
    }
    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Some(Some(Head {
        entry,
        hash: hash.to_string(),
    }))
}

/// Creates the witness of `database` recording `head`, with the database file's permissions
/// (a shared desk's group writes it too). An existing witness is replaced.
pub fn create(database: &Path, head: Option<&Head>) -> std::io::Result<()> {
    let mode = std::fs::metadata(database)
        .map(|m| m.permissions().mode() & 0o777)
        .unwrap_or(0o600);
    let path = path(database);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(mode)
        .open(&path)?;
    if file.metadata()?.permissions().mode() & 0o777 != mode {
        file.set_permissions(std::fs::Permissions::from_mode(mode))?;
    }
    file.write_all(text(head).as_bytes())?;
    file.sync_all()
}

/// The witness a store keeps open and moves forward after its writes.
#[derive(Debug)]
pub struct Witness {
    path: PathBuf,
    file: Option<File>,
}

impl Witness {
    /// Opens the witness of `database`, if it has one.
    pub fn open(database: &Path) -> Witness {
        let path = path(database);
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path);
        if let Err(e) = &file {
            tracing::warn!("the audit witness {} is not written: {e}", path.display());
        }
        Witness {
            path,
            file: file.ok(),
        }
    }

    /// Records `head` unless the witness already records a later entry. Failures are logged:
    /// the write they follow has committed, and `check` reports a witness left behind.
    pub fn advance(&self, head: &Head) {
        let Some(file) = &self.file else {
            return;
        };
        if let Err(e) = advance(file, head) {
            tracing::warn!("the audit witness {}: {e}", self.path.display());
        }
    }
}

fn advance(mut file: &File, head: &Head) -> std::io::Result<()> {
    let fd = file.as_raw_fd();
    // SAFETY: flock on a descriptor this store keeps open.
    if unsafe { libc::flock(fd, libc::LOCK_EX) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    let outcome = (|| {
        let mut current = String::new();
        file.seek(SeekFrom::Start(0))?;
        file.read_to_string(&mut current)?;
        let recorded = parse(&current).flatten().map_or(0, |h| h.entry);
        if head.entry <= recorded {
            return Ok(());
        }
        let text = text(Some(head));
        file.seek(SeekFrom::Start(0))?;
        file.write_all(text.as_bytes())?;
        file.set_len(text.len() as u64)
    })();
    // SAFETY: as above.
    unsafe {
        libc::flock(fd, libc::LOCK_UN);
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(entry: i64) -> Head {
        Head {
            entry,
            hash: format!("{entry:064x}"),
        }
    }

    #[test]
    fn a_witness_moves_forward_only() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("w.db");
        std::fs::write(&db, b"").expect("db");
        create(&db, None).expect("create");
        assert_eq!(read(&path(&db)), Ok(None));
        let w = Witness::open(&db);
        w.advance(&head(12));
        assert_eq!(read(&path(&db)), Ok(Some(head(12))));
        // A writer that committed earlier but updates later does not move it back.
        w.advance(&head(9));
        assert_eq!(read(&path(&db)), Ok(Some(head(12))));
        w.advance(&head(100));
        assert_eq!(read(&path(&db)), Ok(Some(head(100))));
    }

    #[test]
    fn a_file_that_is_not_a_witness_is_said_to_be_one_no_longer() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("x.db-audit");
        std::fs::write(&file, "entry 5\n").expect("write");
        let err = read(&file).expect_err("not a witness");
        assert!(err.contains("not a careline audit witness"), "{err}");
        assert_eq!(read(&dir.path().join("none")), Ok(None));
    }
}
