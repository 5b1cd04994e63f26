//! The audit witness: a small file beside the database (`<database>-audit`) holding the
//! number and hash of the audit log's last entry, moved forward after each write that added
//! entries. The chain alone shows an edited or a deleted entry, but not a deleted tail (what
//! is left still links up); the witness does, since it records an entry the log no longer
//! has. Every backup carries one (DESIGN §6).
//!
//! A write first settles with the witness, under the database's write lock and before it
//! appends: the witness must name an entry the log still holds, with the hash it recorded
//! (the head the write's transaction sees, or an entry before it). When it does not — the
//! log was cut or rewritten behind careline — the witness is frozen: it keeps the entry it
//! recorded, gains a line saying when a write found the log otherwise and what head that
//! write found, and is never moved forward again, so that `check` keeps failing and says
//! what was cut however much is written since. The write itself goes through (a desk keeps
//! taking calls); the finding is logged. Only a restore (which puts the backup's witness in
//! place) ends it.
//!
//! The witness is moved forward after the commit, under an advisory lock on the file, and
//! only forwards: it is never written ahead of what has committed, so a write that fails or
//! is killed before its commit cannot make it name an entry the log never held. A witness
//! therefore never names an entry past the head a later transaction sees, only, while other
//! writers are between their commit and their update, one before it; the settling accepts
//! that (the entry named is in the log with its hash), so concurrent writers never freeze
//! it falsely. A writer killed between its commit and the update leaves the witness behind,
//! which `check` accepts for the same reason. The file is never created by a write: only
//! when the database is created or first given a witness (schema version 14), so that
//! deleting it cannot be undone by the next write.

use std::cell::Cell;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::fd::AsRawFd;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::audit::Head;

/// The first line of a witness file.
const MAGIC: &str = "careline audit witness";

/// What a witness file records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Witnessed {
    /// The last entry witnessed (none: the log was empty).
    pub head: Option<Head>,
    /// When a write found the log no longer holding that entry, what it found.
    pub frozen: Option<Frozen>,
}

/// What the write that froze a witness found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frozen {
    /// When, in seconds since 1970.
    pub at: i64,
    /// The head of the log that write was about to append to (none: an empty log).
    pub found: Option<Head>,
}

/// The witness file of a database.
pub fn path(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push("-audit");
    PathBuf::from(name)
}

fn head_text(head: Option<&Head>) -> String {
    match head {
        Some(h) => format!("entry {}\nhash {}", h.entry, h.hash),
        None => "entry 0\nhash -".to_string(),
    }
}

fn text(witnessed: &Witnessed) -> String {
    let mut text = format!("{MAGIC}\n{}\n", head_text(witnessed.head.as_ref()));
    if let Some(frozen) = &witnessed.frozen {
        let found = head_text(frozen.found.as_ref()).replace('\n', " ");
        text.push_str(&format!("frozen {} {found}\n", frozen.at));
    }
    text
}

/// Reads what a witness file says: none when there is no file; an error naming the file when
/// it cannot be read or is not a witness. Read under the file's lock, so never half written.
pub fn read(path: &Path) -> Result<Option<Witnessed>, String> {
    let cannot = |e: std::io::Error| format!("cannot read the witness {}: {e}", path.display());
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(cannot(e)),
    };
    let mut text = String::new();
    let read = locked(&file, libc::LOCK_SH, |mut file| {
        file.read_to_string(&mut text).map(drop)
    });
    read.map_err(cannot)?;
    parse(&text).map(Some).ok_or_else(|| {
        format!(
            "the witness {} is not a careline audit witness (it was overwritten)",
            path.display()
        )
    })
}

/// `entry N` and `hash H` (`-` for entry 0) as two words each.
fn parse_head(entry: &str, hash: &str) -> Option<Option<Head>> {
    let entry: i64 = entry.parse().ok()?;
    if entry == 0 && hash == "-" {
        return Some(None);
    }
    if entry < 1 || hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Some(Some(Head {
        entry,
        hash: hash.to_string(),
    }))
}

fn parse(text: &str) -> Option<Witnessed> {
    let mut lines = text.lines();
    if lines.next()? != MAGIC {
        return None;
    }
    let entry = lines.next()?.strip_prefix("entry ")?;
    let hash = lines.next()?.strip_prefix("hash ")?;
    let head = parse_head(entry, hash)?;
    let frozen = match lines.next() {
        None => None,
        Some(line) => {
            let words: Vec<&str> = line.split(' ').collect();
            match words[..] {
                ["frozen", at, "entry", entry, "hash", hash] => Some(Frozen {
                    at: at.parse().ok()?,
                    found: parse_head(entry, hash)?,
                }),
                _ => return None,
            }
        }
    };
    if lines.next().is_some() {
        return None;
    }
    Some(Witnessed { head, frozen })
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
    let witnessed = Witnessed {
        head: head.cloned(),
        frozen: None,
    };
    file.write_all(text(&witnessed).as_bytes())?;
    file.sync_all()
}

/// The first hexadecimal digits of a hash, enough to tell it in a message.
pub fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

/// Why a witness is frozen, for the log: what it records and what the write that froze it
/// found (`earlier`: a write before this one; otherwise this write, now).
fn finding(recorded: &Head, found: Option<&Head>, earlier: bool) -> String {
    let found = match (found, earlier) {
        (None, false) => "the log is empty".to_string(),
        (None, true) => "a write found the log empty".to_string(),
        (Some(f), false) if f.entry < recorded.entry => {
            format!(
                "the log ends at entry {} (hash {})",
                f.entry,
                short(&f.hash)
            )
        }
        (Some(f), true) if f.entry < recorded.entry => format!(
            "a write found the log ending at entry {} (hash {})",
            f.entry,
            short(&f.hash)
        ),
        (Some(_), false) => format!("the log holds another entry {}", recorded.entry),
        (Some(_), true) => format!("a write found another entry {} in the log", recorded.entry),
    };
    format!(
        "records entry {} (hash {}), but {found}: the log was cut or rewritten behind careline",
        recorded.entry,
        short(&recorded.hash)
    )
}

/// The witness a store keeps open: settled with before each write that appends, moved
/// forward after it commits.
#[derive(Debug)]
pub struct Witness {
    path: PathBuf,
    file: Option<File>,
    /// Whether this store has logged that the witness is frozen (once is enough for a
    /// process; every process says it once).
    warned: Cell<bool>,
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
            warned: Cell::new(false),
        }
    }

    /// No witness to write (yet): a database being created gets one once its log has a head.
    pub fn none(database: &Path) -> Witness {
        Witness {
            path: path(database),
            file: None,
            warned: Cell::new(false),
        }
    }

    fn warn_once(&self, what: impl FnOnce() -> String) {
        if !self.warned.replace(true) {
            tracing::warn!("the audit witness {} {}", self.path.display(), what());
        }
    }

    /// Settles with the witness before a write appends to a log whose head, as the write's
    /// transaction sees it under the write lock, is `before`; `hash_of` gives the hash the
    /// log holds at an entry. Whether the write may move the witness forward after its
    /// commit: yes when the witness names `before` or an entry before it, with the hash the
    /// log holds there. Otherwise the witness is frozen (when it was not yet), the finding
    /// logged, and the answer is no; so too for a witness frozen already, one that is not a
    /// witness, and none at all. Only an error of the log's own is returned: the write then
    /// fails as any write whose statement failed.
    pub fn settle(
        &self,
        before: Option<&Head>,
        now: i64,
        hash_of: impl FnOnce(i64) -> super::Result<Option<String>>,
    ) -> super::Result<bool> {
        let Some(file) = &self.file else {
            return Ok(false);
        };
        let mut answer = Ok(false);
        let settled = locked(file, libc::LOCK_EX, |mut file| {
            let mut current = String::new();
            file.seek(SeekFrom::Start(0))?;
            file.read_to_string(&mut current)?;
            let Some(mut witnessed) = parse(&current) else {
                self.warn_once(|| {
                    "is not a careline audit witness (it was overwritten); it is left as it is for `careline check` to report".to_string()
                });
                return Ok(());
            };
            if let (Some(recorded), Some(frozen)) = (&witnessed.head, &witnessed.frozen) {
                let found = frozen.found.clone();
                self.warn_once(|| {
                    format!(
                        "is frozen: it {}; writes go on without moving it, for `careline check` to report",
                        finding(recorded, found.as_ref(), true)
                    )
                });
                return Ok(());
            }
            let Some(recorded) = witnessed.head.clone() else {
                answer = Ok(true);
                return Ok(());
            };
            let held = match before {
                Some(b) if b.entry == recorded.entry => Ok(b.hash == recorded.hash),
                Some(b) if recorded.entry < b.entry => {
                    hash_of(recorded.entry).map(|h| h.as_deref() == Some(recorded.hash.as_str()))
                }
                _ => Ok(false),
            };
            match held {
                Ok(true) => answer = Ok(true),
                Ok(false) => {
                    witnessed.frozen = Some(Frozen {
                        at: now,
                        found: before.cloned(),
                    });
                    let frozen = text(&witnessed);
                    file.seek(SeekFrom::Start(0))?;
                    file.write_all(frozen.as_bytes())?;
                    file.set_len(frozen.len() as u64)?;
                    self.warned.set(true);
                    tracing::warn!(
                        "the audit witness {} {}; it is frozen at entry {} (writes go on without moving it) for `careline check` to report",
                        self.path.display(),
                        finding(&recorded, before, false),
                        recorded.entry
                    );
                }
                Err(e) => answer = Err(e),
            }
            Ok(())
        });
        if let Err(e) = settled {
            tracing::warn!("the audit witness {}: {e}", self.path.display());
        }
        answer
    }

    /// Records `head` unless the witness already records a later entry, or is frozen, or is
    /// not a witness. Failures are logged: the write they follow has committed, and `check`
    /// reports a witness left behind.
    pub fn advance(&self, head: &Head) {
        let Some(file) = &self.file else {
            return;
        };
        if let Err(e) = locked(file, libc::LOCK_EX, |file| advance(file, head)) {
            tracing::warn!("the audit witness {}: {e}", self.path.display());
        }
    }
}

/// Runs `work` on `file` under the advisory lock `how` (`LOCK_SH`, `LOCK_EX`).
fn locked<T>(
    file: &File,
    how: libc::c_int,
    work: impl FnOnce(&File) -> std::io::Result<T>,
) -> std::io::Result<T> {
    let fd = file.as_raw_fd();
    // SAFETY: flock on a descriptor open for as long as `file` is borrowed.
    if unsafe { libc::flock(fd, how) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    let outcome = work(file);
    // SAFETY: as above.
    unsafe {
        libc::flock(fd, libc::LOCK_UN);
    }
    outcome
}

fn advance(mut file: &File, head: &Head) -> std::io::Result<()> {
    let mut current = String::new();
    file.seek(SeekFrom::Start(0))?;
    file.read_to_string(&mut current)?;
    let recorded = match parse(&current) {
        Some(Witnessed { frozen: None, head }) => head.map_or(0, |h| h.entry),
        // Frozen, or not a witness: left as it is for `check`.
        _ => return Ok(()),
    };
    if head.entry <= recorded {
        return Ok(());
    }
    let text = text(&Witnessed {
        head: Some(head.clone()),
        frozen: None,
    });
    file.seek(SeekFrom::Start(0))?;
    file.write_all(text.as_bytes())?;
    file.set_len(text.len() as u64)
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

    fn witnessed(entry: i64) -> Option<Witnessed> {
        Some(Witnessed {
            head: Some(head(entry)),
            frozen: None,
        })
    }

    /// A log of entries 1..=last, each with the hash `head` gives it.
    fn log(last: i64) -> impl Fn(i64) -> super::super::Result<Option<String>> {
        move |entry| Ok((1..=last).contains(&entry).then(|| head(entry).hash))
    }

    #[test]
    fn a_witness_moves_forward_only() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("w.db");
        std::fs::write(&db, b"").expect("db");
        create(&db, None).expect("create");
        assert_eq!(
            read(&path(&db)),
            Ok(Some(Witnessed {
                head: None,
                frozen: None
            }))
        );
        let w = Witness::open(&db);
        w.advance(&head(12));
        assert_eq!(read(&path(&db)), Ok(witnessed(12)));
        // A writer that committed earlier but updates later does not move it back.
        w.advance(&head(9));
        assert_eq!(read(&path(&db)), Ok(witnessed(12)));
        w.advance(&head(100));
        assert_eq!(read(&path(&db)), Ok(witnessed(100)));
    }

    #[test]
    fn a_witness_behind_the_log_it_is_in_lets_the_write_move_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("w.db");
        std::fs::write(&db, b"").expect("db");
        create(&db, Some(&head(10))).expect("create");
        let w = Witness::open(&db);
        // At the head, and behind it (writers between their commit and their update).
        assert!(w.settle(Some(&head(10)), 0, log(10)).expect("settle"));
        assert!(w.settle(Some(&head(13)), 0, log(13)).expect("settle"));
        assert_eq!(read(&path(&db)), Ok(witnessed(10)));
        // An empty witness names no entry to lose.
        create(&db, None).expect("create");
        let w = Witness::open(&db);
        assert!(w.settle(Some(&head(3)), 0, log(3)).expect("settle"));
    }

    #[test]
    fn a_witness_the_log_no_longer_holds_is_frozen_and_stays_so() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("w.db");
        std::fs::write(&db, b"").expect("db");
        create(&db, Some(&head(60))).expect("create");
        let w = Witness::open(&db);
        // The log was cut back to entry 57.
        assert!(!w.settle(Some(&head(57)), 1_000, log(57)).expect("settle"));
        let frozen = Some(Witnessed {
            head: Some(head(60)),
            frozen: Some(Frozen {
                at: 1_000,
                found: Some(head(57)),
            }),
        });
        assert_eq!(read(&path(&db)), Ok(frozen.clone()));
        // Written on since, past the entry it names: it stays frozen as it was.
        w.advance(&head(58));
        assert!(!w.settle(Some(&head(61)), 2_000, log(61)).expect("settle"));
        w.advance(&head(62));
        assert_eq!(read(&path(&db)), Ok(frozen));
        let text = std::fs::read_to_string(path(&db)).expect("text");
        assert!(
            text.ends_with(&format!("\nfrozen 1000 entry 57 hash {}\n", head(57).hash)),
            "{text}"
        );
    }

    #[test]
    fn a_witness_whose_entry_has_another_hash_is_frozen() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("w.db");
        std::fs::write(&db, b"").expect("db");
        create(&db, Some(&head(5))).expect("create");
        let w = Witness::open(&db);
        let rewritten = |_| Ok(Some("f".repeat(64)));
        assert!(!w.settle(Some(&head(8)), 7, rewritten).expect("settle"));
        let read = read(&path(&db)).expect("read").expect("a witness");
        assert_eq!(read.frozen.map(|f| f.found), Some(Some(head(8))));
        // And a log emptied entirely.
        create(&db, Some(&head(5))).expect("create");
        let w = Witness::open(&db);
        assert!(!w.settle(None, 7, log(0)).expect("settle"));
        let read = super::read(&path(&db)).expect("read").expect("a witness");
        assert_eq!(read.frozen.map(|f| f.found), Some(None));
    }

    #[test]
    fn a_file_that_is_not_a_witness_is_said_to_be_one_no_longer() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("x.db-audit");
        std::fs::write(&file, "entry 5\n").expect("write");
        let err = read(&file).expect_err("not a witness");
        assert!(err.contains("not a careline audit witness"), "{err}");
        assert_eq!(read(&dir.path().join("none")), Ok(None));
        // Nor is it written over by a write: it is left for `check`.
        let db = dir.path().join("x.db");
        let w = Witness::open(&db);
        assert!(!w.settle(Some(&head(3)), 0, log(3)).expect("settle"));
        w.advance(&head(4));
        assert_eq!(std::fs::read_to_string(&file).expect("text"), "entry 5\n");
        // A frozen line of another shape is no witness either.
        let bad = format!("{MAGIC}\nentry 5\nhash {}\nfrozen soon\n", head(5).hash);
        std::fs::write(&file, bad).expect("write");
        assert!(read(&file).is_err());
    }
}
