//! Backups and restores (DESIGN §4, §6; issue 15). A backup is one SQLite file written by
//! `VACUUM INTO` from a single read transaction — consistent while other operators write,
//! and never restarted by their writes — with its own audit witness beside it
//! (`FILE-audit`). It is checked (integrity, audit chain, witness) before it is reported
//! made. A restore checks the file first, refuses while other processes have the database
//! open, keeps the file it replaces, swaps the files while no careline is opening them
//! (`swap_lock`), and is audited in the restored database. A backup may
//! be encrypted with age, its witness then inside it (`encryption`); a restore or
//! `check --backup` decrypts it into a private file first.

use std::os::fd::AsRawFd;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Local, Utc};
use rusqlite::{Connection, OpenFlags};
use serde::Serialize;

use super::encryption::{self, BackupKey, Encrypted, Encryption, OpenFailure};
use super::{
    audit, witness, Actor, CheckReport, OpenOptions, Permission, Result, Store, StoreError,
};

/// What a backup made.
#[derive(Debug, Clone, Serialize)]
pub struct Backup {
    pub file: PathBuf,
    /// The audit witness beside the file; none for an encrypted backup, which holds its
    /// witness inside.
    pub witness: Option<PathBuf>,
    /// How the file is encrypted, if it is.
    pub encrypted: Option<Encrypted>,
    /// How many age recipients it is encrypted to (none for a passphrase or a plain backup).
    pub recipients: usize,
    pub bytes: u64,
    pub audit_entries: i64,
    pub customers: i64,
    /// Older backups removed by `--keep`.
    pub removed: Vec<PathBuf>,
}

/// What a restore did.
#[derive(Debug, Clone, Serialize)]
pub struct Restored {
    pub database: PathBuf,
    pub from: PathBuf,
    /// Where the database it replaced was kept (none when there was none).
    pub replaced_kept_as: Option<PathBuf>,
    pub audit_entries: i64,
    /// How the backup was encrypted, if it was.
    pub encrypted: Option<Encrypted>,
    /// Whether `--force` was given.
    pub forced: bool,
    /// With `--force`, whether other processes had the database open when it was replaced,
    /// and which (those whose open files could be read: see [`OpenElsewhere`]).
    pub overrode: Option<OpenElsewhere>,
}

/// The other processes that had a database open when a forced restore replaced it.
#[derive(Debug, Clone, Serialize)]
pub struct OpenElsewhere {
    /// Whether SQLite's lock showed the database open elsewhere (what a restore without
    /// `--force` refuses on).
    pub locked: bool,
    /// Those seen to have it open (their later writes are refused: see `opened_file`).
    pub processes: Vec<OpenProcess>,
    /// Processes whose open files could not be read (another user's, to someone not root):
    /// any of them may have had it open too.
    pub unreadable: usize,
}

/// A process seen with the database open.
#[derive(Debug, Clone, Serialize)]
pub struct OpenProcess {
    pub pid: u32,
    /// Its command's name, as the kernel gives it (`careline`, `sqlite3`).
    pub command: String,
}

fn open_err(path: &Path, e: impl std::fmt::Display) -> StoreError {
    StoreError::Open {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

/// Integrity, foreign keys, schema version and the audit chain of the database file at
/// `path`, against the witness at `witness_file`. For the live database (`Store::check`), a
/// backup, and a file about to be restored.
pub(super) fn check_file(conn: &Connection, witness_file: &Path) -> Result<CheckReport> {
    // The witness is read before the log: an entry witnessed is already committed.
    check_with(conn, witness::read(witness_file))
}

/// The same check against what a witness said when it was read (or why it could not be).
pub(super) fn check_with(
    conn: &Connection,
    witnessed: std::result::Result<Option<witness::Witnessed>, String>,
) -> Result<CheckReport> {
    let mut stmt = conn.prepare("PRAGMA integrity_check")?;
    let integrity = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut stmt = conn.prepare("PRAGMA foreign_key_check")?;
    let foreign_key_problems = stmt.query_map([], |_| Ok(()))?.count();
    Ok(CheckReport {
        schema_version: conn.query_row("PRAGMA user_version", [], |r| r.get(0))?,
        integrity,
        foreign_key_problems,
        audit: audit::verify(conn, witnessed)?,
        report_sums: {
            let mut wrong = super::reports::check_day_sums(conn)?;
            wrong.extend(super::points_days::check(conn)?);
            wrong.extend(super::reminder_days::check(conn)?);
            wrong
        },
        points: super::points::check_points(conn)?,
    })
}

/// Why a check failed, in one line.
fn failed(report: &CheckReport) -> String {
    if report.integrity != ["ok"] {
        return format!("integrity: {}", report.integrity.join("; "));
    }
    if report.foreign_key_problems > 0 {
        return match report.foreign_key_problems {
            1 => "1 row points at a missing row".to_string(),
            n => format!("{n} rows point at missing rows"),
        };
    }
    if let Some((id, why)) = &report.audit.broken_at {
        return format!("the audit chain is broken at entry {id}: {why}");
    }
    if let Some(problem) = &report.audit.witness_problem {
        return problem.clone();
    }
    if !report.audit.protection.is_empty() {
        return report.audit.protection.join("; ");
    }
    if !report.report_sums.is_empty() {
        return report.report_sums.join("; ");
    }
    if !report.points.is_empty() {
        return report.points.join("; ");
    }
    "it did not pass".into()
}

/// The mode a backup gets: the owner's, and the group's read when the database is shared
/// with a group whose members work on it directly (a shared desk). On a shared host the
/// database's group is careline's own, which writes nothing of its into a user's folders: the
/// backup is its maker's alone there (and root's).
fn backup_mode(database: &Path) -> u32 {
    let mode = std::fs::metadata(database)
        .map(|m| m.permissions().mode())
        .unwrap_or(0o600);
    if mode & 0o060 != 0 && !crate::host::privileged() {
        0o640
    } else {
        0o600
    }
}

/// `FILE` with a time stamp before its extension: `careline-20261126-221500.db`.
fn stamped(file: &Path, at: DateTime<Local>) -> PathBuf {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| "careline".into());
    let name = match file.extension() {
        Some(ext) => format!(
            "{stem}-{}.{}",
            at.format("%Y%m%d-%H%M%S"),
            ext.to_string_lossy()
        ),
        None => format!("{stem}-{}", at.format("%Y%m%d-%H%M%S")),
    };
    file.with_file_name(name)
}

/// The stamped backups of `file` beside it, oldest first.
fn stamped_siblings(file: &Path) -> Vec<PathBuf> {
    let dir = match file.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(dir) => dir.to_path_buf(),
        None => PathBuf::from("."),
    };
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    let ext = file
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()));
    let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    let name = p.file_name().map(|n| n.to_string_lossy().to_string());
                    name.is_some_and(|n| {
                        let Some(rest) = n.strip_prefix(&format!("{stem}-")) else {
                            return false;
                        };
                        let stamp = match &ext {
                            Some(ext) => rest.strip_suffix(ext.as_str()),
                            None => Some(rest),
                        };
                        stamp.is_some_and(|s| {
                            s.len() == 15
                                && s.as_bytes()[8] == b'-'
                                && s.bytes()
                                    .enumerate()
                                    .all(|(i, b)| i == 8 || b.is_ascii_digit())
                        })
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

impl Store {
    /// Writes a checked backup of the database to `file` (`careline backup`); admins only.
    /// With `keep`, the file name gets a time stamp and only the newest `keep` stamped
    /// backups beside it are kept. With `encryption`, the checked copy and its witness are
    /// encrypted into `file` (see `encryption`) and the plaintext copy is overwritten and
    /// removed.
    pub fn backup(
        &mut self,
        actor: &Actor,
        file: &Path,
        keep: Option<usize>,
        encryption: Option<&Encryption>,
    ) -> Result<Backup> {
        self.require(actor, Permission::BackUp)?;
        let target = match keep {
            Some(_) => stamped(file, self.now().with_timezone(&Local)),
            None => file.to_path_buf(),
        };
        if target.exists() {
            return Err(open_err(
                &target,
                "exists already; a backup never replaces a file (choose another name, or use --keep)",
            ));
        }
        let mode = backup_mode(self.path());
        let partial = with_suffix(&target, ".partial");
        let sealing = with_suffix(&target, ".encrypting");
        // The backup's files are made with the rights of whoever asked for it (on a shared
        // host, the admin's own, never the database group's: careline would otherwise write
        // wherever the group may).
        use crate::host::as_user as user;
        let _ = user(|| std::fs::remove_file(&partial));
        let _ = user(|| std::fs::remove_file(&sealing));
        // Made empty with its mode first: VACUUM INTO fills an empty file as it finds it. The
        // plaintext copy of an encrypted backup is its maker's alone.
        let mut partial_mode = if encryption.is_some() { 0o600 } else { mode };
        let made_empty = user(|| {
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(partial_mode)
                .open(&partial)
        })
        .map_err(|e| open_err(&partial, e))?;
        // Readable to the database's group, never to the maker's own group (on many hosts every
        // user's primary group is `users`): the file is given the database's group, or is
        // its owner's alone when that cannot be done.
        let mut mode = mode;
        if partial_mode & 0o040 != 0 {
            let database_group = std::fs::metadata(self.path()).map(|m| m.gid()).ok();
            let given = database_group
                .is_some_and(|gid| std::os::unix::fs::fchown(&made_empty, None, Some(gid)).is_ok());
            if !given {
                partial_mode = 0o600;
                mode = 0o600;
                made_empty
                    .set_permissions(std::fs::Permissions::from_mode(partial_mode))
                    .map_err(|e| open_err(&partial, e))?;
            }
        }
        drop(made_empty);
        let made = self.backup_into(&partial, &target, mode, encryption);
        // The plaintext copy is gone whatever happened (an encrypted backup's is overwritten
        // first); so is a half-written encrypted file.
        let _ = user(|| {
            encryption::shred(&partial);
            encryption::shred(&witness::path(&partial));
            Ok(())
        });
        if made.is_err() {
            let _ = user(|| std::fs::remove_file(&sealing));
        }
        let (bytes, audit_entries, customers) = made?;
        // An encrypted backup, written afresh, follows the same rule as the plain copy.
        if encryption.is_some() && mode & 0o040 != 0 {
            let database_group = std::fs::metadata(self.path()).map(|m| m.gid()).ok();
            let given = database_group.is_some_and(|gid| {
                // Not with the user's rights: giving the file the database's group takes
                // the group careline runs with on a shared host.
                std::os::unix::fs::chown(&target, None, Some(gid)).is_ok()
            });
            if !given {
                user(|| std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o600)))
                    .map_err(|e| open_err(&target, e))?;
            }
        }
        let mut removed = Vec::new();
        if let Some(keep) = keep {
            let all = stamped_siblings(file);
            let excess = all.len().saturating_sub(keep.max(1));
            for old in all.into_iter().take(excess) {
                if old == target {
                    continue;
                }
                user(|| std::fs::remove_file(&old)).map_err(|e| open_err(&old, e))?;
                let _ = user(|| std::fs::remove_file(witness::path(&old)));
                removed.push(old);
            }
        }
        let backup = Backup {
            witness: encryption.is_none().then(|| witness::path(&target)),
            encrypted: encryption.map(|e| {
                if e.is_passphrase() {
                    Encrypted::Passphrase
                } else {
                    Encrypted::Recipients
                }
            }),
            recipients: encryption.map_or(0, Encryption::recipients),
            file: target,
            bytes,
            audit_entries,
            customers,
            removed,
        };
        self.write(actor, |w| {
            w.audit(
                "backup",
                "database",
                None,
                serde_json::json!({
                    "file": std::path::absolute(&backup.file)
                        .unwrap_or_else(|_| backup.file.clone())
                        .display()
                        .to_string(),
                    "bytes": backup.bytes,
                    "audit_entries": backup.audit_entries,
                    "encrypted": backup.encrypted.is_some(),
                    "recipients": backup.recipients,
                    "passphrase": backup.encrypted == Some(Encrypted::Passphrase),
                    "removed": backup.removed.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
                }),
            );
            Ok(())
        })?;
        Ok(backup)
    }

    /// VACUUM INTO `partial`, made a single self-contained file, witnessed, checked, then
    /// renamed (or encrypted) to `target`: its size, audit entries and customers.
    fn backup_into(
        &self,
        partial: &Path,
        target: &Path,
        mode: u32,
        encryption: Option<&Encryption>,
    ) -> Result<(u64, i64, i64)> {
        // The database's witness, read before the copy is taken, so that it names an entry
        // the copy holds: the copy is checked against it (a backup gets a witness of its own,
        // which would otherwise hide a log cut or rewritten under the database's witness).
        // Both of one database, when a restore swaps the files meanwhile (see `swap_lock`).
        let (live, source) = {
            let _opening = super::swap_lock::Opening::wait(self.path(), self.options.busy_timeout);
            let live = witness::read(&witness::path(self.path()));
            let source = super::engine::connect(self.path(), self.options.busy_timeout)?;
            (live, source)
        };
        let copied = source.execute("VACUUM INTO ?1", [partial.display().to_string()]);
        super::engine::close(source, self.path(), self.options.busy_timeout);
        copied?;
        // From here only the backup's own files are touched, with the asker's rights.
        let mut outcome = None;
        crate::host::as_user(|| {
            outcome = Some(self.finish_backup(partial, target, mode, encryption, live));
            Ok(())
        })
        .map_err(|e| open_err(partial, e))?;
        outcome.unwrap_or_else(|| Err(open_err(partial, "the backup was not finished")))
    }

    /// Makes the file VACUUM INTO wrote a single file, checks it against the database's
    /// witness `live` (read before the copy was taken), witnesses it, and renames it to
    /// `target`, or encrypts it with its witness into `target`.
    fn finish_backup(
        &self,
        partial: &Path,
        target: &Path,
        mode: u32,
        encryption: Option<&Encryption>,
        live: std::result::Result<Option<witness::Witnessed>, String>,
    ) -> Result<(u64, i64, i64)> {
        let copy = Connection::open_with_flags(partial, OpenFlags::SQLITE_OPEN_READ_WRITE)
            .map_err(|e| open_err(partial, e))?;
        // One file, no log beside it: the backup is complete as it lies.
        let _: String = copy.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))?;
        let report = check_with(&copy, live)?;
        if let (None, Some(problem)) = (&report.audit.broken_at, &report.audit.witness_problem) {
            return Err(StoreError::Database(format!(
                "the database fails its audit witness check ({problem}); a backup would carry a \
                 witness of its own and hide that, so none was made: see `careline check` and \
                 docs/OPERATIONS.md (Checking)"
            )));
        }
        let head = audit::head(&copy)?;
        witness::create(partial, head.as_ref()).map_err(|e| open_err(partial, e))?;
        if !report.ok() {
            return Err(StoreError::Database(format!(
                "the backup {} failed its check ({}); it was not kept",
                target.display(),
                failed(&report)
            )));
        }
        let customers: i64 = copy.query_row("SELECT count(*) FROM customers", [], |r| r.get(0))?;
        drop(copy);
        if let Some(encryption) = encryption {
            let witness_text =
                std::fs::read(witness::path(partial)).map_err(|e| open_err(partial, e))?;
            let sealing = with_suffix(target, ".encrypting");
            let bytes = encryption::seal(partial, &witness_text, &sealing, mode, encryption)
                .map_err(|e| open_err(target, format!("cannot encrypt the backup: {e}")))?;
            std::fs::rename(&sealing, target).map_err(|e| open_err(target, e))?;
            return Ok((bytes, report.audit.entries, customers));
        }
        let file = std::fs::File::open(partial).map_err(|e| open_err(partial, e))?;
        file.sync_all().map_err(|e| open_err(partial, e))?;
        let bytes = file.metadata().map_err(|e| open_err(partial, e))?.len();
        std::fs::set_permissions(partial, std::fs::Permissions::from_mode(mode))
            .map_err(|e| open_err(partial, e))?;
        std::fs::rename(witness::path(partial), witness::path(target))
            .map_err(|e| open_err(target, e))?;
        std::fs::rename(partial, target).map_err(|e| open_err(target, e))?;
        Ok((bytes, report.audit.entries, customers))
    }
}

/// Whether a process other than this one has the database at `database` open: SQLite keeps a
/// shared lock on one byte of the `-shm` file for as long as a connection has it open.
fn open_elsewhere(database: &Path) -> bool {
    let mut shm = database.as_os_str().to_owned();
    shm.push("-shm");
    let Ok(file) = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(PathBuf::from(shm))
    else {
        return false;
    };
    // The "dead man switch" byte of SQLite's unix VFS: 120 + 8 lock slots.
    const DMS: libc::off_t = 128;
    // SAFETY: a zeroed flock is a valid value; F_GETLK only reads the descriptor's locks.
    let mut lock: libc::flock = unsafe { std::mem::zeroed() };
    lock.l_type = libc::F_WRLCK as libc::c_short;
    lock.l_whence = libc::SEEK_SET as libc::c_short;
    lock.l_start = DMS;
    lock.l_len = 1;
    // SAFETY: F_GETLK with a valid flock on an open descriptor.
    let asked = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_GETLK, &mut lock) };
    asked == 0 && lock.l_type != libc::F_UNLCK as libc::c_short
}

/// The other processes that have the database at `database` (or its log or shared memory)
/// open, found in `/proc`: each process's open files, by device and inode.
fn open_by_others(database: &Path) -> OpenElsewhere {
    let files: Vec<(u64, u64)> = ["", "-wal", "-shm"]
        .iter()
        .filter_map(|suffix| std::fs::metadata(with_suffix(database, suffix)).ok())
        .map(|m| (m.dev(), m.ino()))
        .collect();
    let mut found = OpenElsewhere {
        locked: false,
        processes: Vec::new(),
        unreadable: 0,
    };
    let Ok(proc) = std::fs::read_dir("/proc") else {
        return found;
    };
    let me = std::process::id();
    for entry in proc.filter_map(|e| e.ok()) {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        if pid == me {
            continue;
        }
        let Ok(fds) = std::fs::read_dir(entry.path().join("fd")) else {
            found.unreadable += 1;
            continue;
        };
        let holds = fds.filter_map(|fd| fd.ok()).any(|fd| {
            std::fs::metadata(fd.path()).is_ok_and(|m| files.contains(&(m.dev(), m.ino())))
        });
        if holds {
            let command = std::fs::read_to_string(entry.path().join("comm"))
                .map(|c| c.trim().to_string())
                .unwrap_or_default();
            found.processes.push(OpenProcess { pid, command });
        }
    }
    found.processes.sort_by_key(|p| p.pid);
    found
}

/// The name the replaced database is kept under: `careline.db.replaced-20261126-221500`.
fn replaced_name(database: &Path, at: DateTime<Local>) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(format!(".replaced-{}", at.format("%Y%m%d-%H%M%S")));
    PathBuf::from(name)
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// How the backup at `from` is encrypted, checked against the key given for it: an error
/// naming what to give when they do not fit.
fn encryption_of(from: &Path, key: Option<&BackupKey>) -> Result<Option<Encrypted>> {
    if !from.exists() {
        return Err(open_err(from, "no such backup"));
    }
    let encrypted = encryption::encrypted(from).map_err(|why| open_err(from, why))?;
    match (encrypted, key) {
        (None, Some(BackupKey::Identities { .. })) => Err(open_err(
            from,
            "--identity: this backup is not encrypted (it does not begin with an age header); leave --identity out",
        )),
        (None, Some(BackupKey::Passphrase(_))) => Err(open_err(
            from,
            "a passphrase was given, but this backup is not encrypted (it does not begin with an age header)",
        )),
        (Some(Encrypted::Recipients), None) => Err(open_err(
            from,
            "the backup is encrypted to age recipients: give the identity that opens it with --identity PATH",
        )),
        (Some(Encrypted::Passphrase), None) => Err(open_err(
            from,
            "the backup is encrypted with a passphrase: give it with --passphrase-file PATH, or on a terminal",
        )),
        _ => Ok(encrypted),
    }
}

/// Puts the backup `from` into the new file `scratch` as a plain SQLite file, decrypting it
/// with `key` when it is encrypted: the witness to check it against (beside the backup, or
/// taken out of the encrypted one beside `scratch`).
fn unpack(
    from: &Path,
    encrypted: Option<Encrypted>,
    key: Option<&BackupKey>,
    scratch: &Path,
) -> Result<PathBuf> {
    match (encrypted, key) {
        (Some(_), Some(key)) => {
            let scratch_witness = witness::path(scratch);
            let _ = std::fs::remove_file(&scratch_witness);
            encryption::open(from, key, scratch, &scratch_witness).map_err(|failure| {
                let why = match failure {
                    OpenFailure::Damaged(why) => format!("the backup is damaged: {why}"),
                    other => other.to_string(),
                };
                open_err(from, why)
            })?;
            Ok(scratch_witness)
        }
        _ => {
            let backup_witness = witness::path(from);
            if !backup_witness.exists() {
                return Err(open_err(
                    from,
                    format!(
                        "has no audit witness beside it ({}); every backup careline makes has one",
                        backup_witness.display()
                    ),
                ));
            }
            let mut input = crate::host::as_user(|| std::fs::File::open(from))
                .map_err(|e| open_err(from, e))?;
            let mut output = encryption::private_file(scratch).map_err(|e| open_err(scratch, e))?;
            std::io::copy(&mut input, &mut output).map_err(|e| open_err(from, e))?;
            Ok(backup_witness)
        }
    }
}

/// Checks the backup `from` (`careline check --backup`) against its witness. A plain backup
/// is read as it lies (read-only); an encrypted one is decrypted with `key` into a private
/// file beside it, overwritten and removed after. The database is not touched, and every
/// file is opened with the rights of whoever asked.
pub fn check_backup(
    from: &Path,
    key: Option<&BackupKey>,
) -> Result<(CheckReport, Option<Encrypted>)> {
    let encrypted = encryption_of(from, key)?;
    let mut outcome = None;
    crate::host::as_user(|| {
        outcome = Some(match (encrypted, key) {
            (Some(_), Some(key)) => {
                let scratch = with_suffix(from, &format!(".checking-{}", std::process::id()));
                let _ = std::fs::remove_file(&scratch);
                let _ = std::fs::remove_file(witness::path(&scratch));
                let checked = unpack(from, encrypted, Some(key), &scratch)
                    .and_then(|witness_file| check_plain(from, &scratch, &witness_file));
                encryption::shred(&scratch);
                encryption::shred(&witness::path(&scratch));
                checked
            }
            _ => {
                let backup_witness = witness::path(from);
                if backup_witness.exists() {
                    check_plain(from, from, &backup_witness)
                } else {
                    Err(open_err(
                        from,
                        format!(
                            "has no audit witness beside it ({}); every backup careline makes has one",
                            backup_witness.display()
                        ),
                    ))
                }
            }
        });
        Ok(())
    })
    .map_err(|e| open_err(from, e))?;
    let report = outcome.unwrap_or_else(|| Err(open_err(from, "the backup was not checked")))?;
    Ok((report, encrypted))
}

/// The check of the plain SQLite file `file` (of the backup `from`), opened read-only.
fn check_plain(from: &Path, file: &Path, witness_file: &Path) -> Result<CheckReport> {
    let copy = Connection::open_with_flags(file, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| open_err(from, e))?;
    check_file(&copy, witness_file)
}

/// Restores the backup `from` over the database `database` (`careline restore`), as `login`,
/// who must be an admin in the backup, or root. An encrypted backup is decrypted with `key`
/// first. See the module's comment.
pub fn restore(
    from: &Path,
    database: &Path,
    login: &str,
    force: bool,
    key: Option<&BackupKey>,
    options: OpenOptions,
) -> Result<Restored> {
    // 1. The backup, checked as it lies, against its witness.
    let encrypted = encryption_of(from, key)?;
    let scratch = tempfile_beside(database);
    let scratch_witness = witness::path(&scratch);
    let discard = || {
        let _ = std::fs::remove_file(&scratch);
        let _ = std::fs::remove_file(&scratch_witness);
    };
    let backup_witness = match unpack(from, encrypted, key, &scratch) {
        Ok(witness_file) => witness_file,
        Err(e) => {
            discard();
            return Err(e);
        }
    };
    let result = (|| {
        let copy = Connection::open_with_flags(&scratch, OpenFlags::SQLITE_OPEN_READ_WRITE)
            .map_err(|e| open_err(from, e))?;
        let report = check_file(&copy, &backup_witness)?;
        if !report.ok() {
            return Err(StoreError::Database(format!(
                "{} failed its check ({}); nothing was restored",
                from.display(),
                failed(&report)
            )));
        }
        let role: Option<super::Role> = copy
            .query_row(
                "SELECT role FROM operators WHERE login = ?1 AND active",
                [login],
                |r| super::stored_name(r, 0),
            )
            .ok();
        // Root restores any backup (on a shared host only root may, below).
        // SAFETY: getuid cannot fail.
        let root = unsafe { libc::getuid() } == 0;
        if !root && !role.is_some_and(|r| r.may(Permission::Restore)) {
            return Err(StoreError::Forbidden(format!(
                "only an admin of the backup may restore it ({}); {login} is not one in {}",
                Permission::Restore.what(),
                from.display()
            )));
        }
        // A backup is a file of its own, in the rollback journal's mode. Put in place so, the
        // first careline to open it switched it to the write-ahead log while others opened it
        // too, and they were refused as busy (on a shared host, with a journal file beside it
        // made as the operator's). It goes into place in the write-ahead log's mode; closing
        // the copy removes the log and shared memory this makes beside it.
        let journal: String = copy.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !journal.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Database(format!(
                "{} stayed in journal mode {journal}; nothing was restored",
                from.display()
            )));
        }
        Ok(report.audit.entries)
    })();
    let entries = match result {
        Ok(entries) => entries,
        Err(e) => {
            discard();
            return Err(e);
        }
    };
    // On a shared host the database's files are root's: only root restores there (the
    // files made here would otherwise be the admin's, and refused to everyone after).
    // SAFETY: getuid cannot fail.
    if crate::host::on_shared_host() && unsafe { libc::getuid() } != 0 {
        discard();
        return Err(StoreError::Forbidden(format!(
            "on a shared host the database is restored by root: sudo {} restore FILE",
            crate::program::for_root()
        )));
    }
    // 2. Nobody else may have the database open; with --force, who had it is noted. From here
    // until the backup is in place no careline opens it (see `swap_lock`): one that began
    // opening it already has it open by the time the swap begins, and is noted here.
    let swap = match super::swap_lock::Swap::take(database, options.busy_timeout) {
        Ok(swap) => swap,
        Err(e) => {
            discard();
            return Err(e);
        }
    };
    let elsewhere = open_elsewhere(database);
    let overrode = (force && database.exists()).then(|| OpenElsewhere {
        locked: elsewhere,
        ..open_by_others(database)
    });
    if !force && elsewhere {
        discard();
        return Err(StoreError::Conflict(format!(
            "other careline processes (or another program) have {} open; ask everyone to close careline and stop cron jobs first, or pass --force if they are gone",
            database.display()
        )));
    }
    // 3. The database replaced is kept, with its log and witness.
    let now = Local::now();
    let mut kept = None;
    let mut mode = 0o600;
    let mut owner = None;
    if database.exists() {
        let meta = std::fs::metadata(database).map_err(|e| open_err(database, e))?;
        mode = meta.permissions().mode() & 0o777;
        owner = Some((meta.uid(), meta.gid()));
        let keep = replaced_name(database, now);
        for suffix in ["", "-wal", "-audit"] {
            let file = with_suffix(database, suffix);
            if file.exists() {
                std::fs::rename(&file, with_suffix(&keep, suffix))
                    .map_err(|e| open_err(&file, e))?;
            }
        }
        let _ = std::fs::remove_file(with_suffix(database, "-shm"));
        // Ownership follows the database replaced (a shared desk's group).
        let _ = std::os::unix::fs::chown(&scratch, Some(meta.uid()), Some(meta.gid()));
        kept = Some(keep);
    }
    std::fs::set_permissions(&scratch, std::fs::Permissions::from_mode(mode))
        .map_err(|e| open_err(&scratch, e))?;
    std::fs::rename(&scratch, database).map_err(|e| open_err(database, e))?;
    std::fs::copy(&backup_witness, witness::path(database))
        .map_err(|e| open_err(&backup_witness, e))?;
    let _ = std::fs::remove_file(&scratch_witness);
    let _ = std::fs::set_permissions(
        witness::path(database),
        std::fs::Permissions::from_mode(mode),
    );
    // On a shared host an operator's careline opening the new database must find its log and
    // shared memory there, as `host setup` makes them (it may not make them itself).
    if let Some((uid, gid)) = owner.filter(|_| crate::host::on_shared_host()) {
        crate::host::make_side_files(database, uid, gid).map_err(|e| open_err(database, e))?;
    }
    drop(swap);
    // 4. Recorded in the restored database, by the admin who restored it.
    let mut store = Store::open(database, options)?;
    let actor = store.operator_or_root(login)?;
    store.write(&actor, |w| {
        w.audit(
            "restore",
            "database",
            None,
            serde_json::json!({
                "from": from.display().to_string(),
                "replaced_kept_as": kept.as_ref().map(|k| k.display().to_string()),
                "encrypted": encrypted.is_some(),
                "restored_at": Utc::now().to_rfc3339(),
                "force": force,
                "open_elsewhere": overrode.as_ref().map(|o| serde_json::json!({
                    "locked": o.locked,
                    "processes": o.processes.iter().map(|p| serde_json::json!({
                        "pid": p.pid,
                        "command": p.command,
                    })).collect::<Vec<_>>(),
                    "unreadable": o.unreadable,
                })),
            }),
        );
        Ok(())
    })?;
    Ok(Restored {
        database: database.to_path_buf(),
        from: from.to_path_buf(),
        replaced_kept_as: kept,
        audit_entries: entries,
        encrypted,
        forced: force,
        overrode,
    })
}

impl Store {
    /// `login` as the actor of what root does to the database (a restore, `host setup`): the
    /// operator of that login, or root recorded under its login when it is none (or one
    /// disabled: root acts as root whatever its operator account).
    pub(crate) fn operator_or_root(&self, login: &str) -> Result<Actor> {
        if self.operator_by_login(login)?.is_some() {
            match self.actor(login, None) {
                Err(StoreError::DisabledOperator(_)) => {}
                acting => return acting,
            }
        }
        Ok(Actor {
            id: 0,
            login: login.to_string(),
            name: login.to_string(),
            role: super::Role::Admin,
            via: None,
        })
    }
}

/// A new file name beside `database` for the copy being restored.
fn tempfile_beside(database: &Path) -> PathBuf {
    let path = with_suffix(database, &format!(".restoring-{}", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}
