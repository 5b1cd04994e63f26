//! Which file a store opened. A restore puts another database at the path (the one it
//! replaces is renamed aside), but a careline that had it open keeps writing to the file it
//! opened: its operator's saves would go into the renamed file and be lost without a word.
//! So the store notes the device and inode of the database and of its write-ahead log when it
//! opens them, and every write, and the screen's look for others' changes, first asks
//! whether the files at the path are still those; when they are not, the write is refused
//! with [`StoreError::Replaced`].

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::{Result, StoreError};

/// A file as the kernel knows it: its device and inode.
type Identity = (u64, u64);

fn identity(path: &Path) -> Option<Identity> {
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

fn wal(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push("-wal");
    PathBuf::from(name)
}

/// The database file (and its write-ahead log) a store opened.
#[derive(Debug, Clone)]
pub(super) struct OpenedFile {
    database: Option<Identity>,
    wal: Option<Identity>,
}

impl OpenedFile {
    /// The files at `database` now: taken once the store has opened them.
    pub(super) fn at(database: &Path) -> OpenedFile {
        OpenedFile {
            database: identity(database),
            wal: identity(&wal(database)),
        }
    }

    /// Notes the write-ahead log at `database` afresh, after this store's own connection
    /// removed it or made it again (a bulk load switching to the rollback journal and back):
    /// none while there is none.
    pub(super) fn log_made_again(&mut self, database: &Path) {
        self.wal = identity(&wal(database));
    }

    /// Refuses when the file at `database` (or its log) is no longer the one this store
    /// opened: it was replaced, or removed. A file not known at open is not compared.
    pub(super) fn still_at(&self, database: &Path) -> Result<()> {
        let same = |opened: Option<Identity>, path: &Path| {
            opened.is_none_or(|opened| identity(path) == Some(opened))
        };
        if same(self.database, database) && same(self.wal, &wal(database)) {
            return Ok(());
        }
        Err(StoreError::Replaced {
            path: database.display().to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_renamed_aside_and_another_put_in_its_place_is_told() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("r.db");
        std::fs::write(&db, b"one").expect("db");
        std::fs::write(wal(&db), b"").expect("wal");
        let opened = OpenedFile::at(&db);
        assert!(opened.still_at(&db).is_ok());
        // Written to in place: still the same file.
        std::fs::write(&db, b"one more").expect("write");
        assert!(opened.still_at(&db).is_ok());
        // Renamed aside, another in its place (a restore).
        std::fs::rename(&db, dir.path().join("r.db.replaced")).expect("rename");
        std::fs::write(&db, b"two").expect("db");
        match opened.still_at(&db) {
            Err(StoreError::Replaced { path }) => assert_eq!(path, db.display().to_string()),
            other => panic!("expected Replaced, got {other:?}"),
        }
        // The log alone replaced is told too.
        let opened = OpenedFile::at(&db);
        std::fs::rename(wal(&db), dir.path().join("r.db-wal.replaced")).expect("rename");
        std::fs::write(wal(&db), b"").expect("wal");
        assert!(matches!(
            opened.still_at(&db),
            Err(StoreError::Replaced { .. })
        ));
    }
}
