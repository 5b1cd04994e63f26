//! The shared-host deployment (DESIGN §5, docs/SECURITY.md): careline installed as a
//! setgid-group program, like `crontab`. The database lives in a directory only that group
//! may enter; operators are not in the group, so they reach the data only through careline,
//! which runs with the group and applies every role and grant check.
//!
//! What this module knows: whether this process runs so ("privileged": its effective group
//! is not its real one), where the host's config and log are (from the binary's own
//! location), whether a file may be trusted, which files make up a database, and how to open a
//! file a user names with the user's own rights rather than the group's.

mod own_config;

pub use own_config::{ignored_own_settings, own_config, IgnoredSetting, OwnConfig};

use std::ffi::{CStr, CString};
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

/// Set by `careline host setup`: this process works on a shared host's database.
static SETTING_UP: AtomicBool = AtomicBool::new(false);

/// Directories whose programs take their settings from `/etc` and log to `/var/log`.
const SYSTEM_BINARY_DIRS: &[&str] = &[
    "/usr/bin",
    "/usr/local/bin",
    "/bin",
    "/usr/sbin",
    "/usr/local/sbin",
    "/sbin",
];

/// The files SQLite and careline keep beside a database on a shared host: `host setup`
/// makes them, so that no operator's careline ever creates (and owns) one.
pub const SIDE_FILES: &[&str] = &["-wal", "-shm", "-writers"];

/// Whether this process runs as the installed setgid-group program: its effective group is
/// not its real one. Then every setting comes from the host's config and every path a user
/// names is opened with the user's rights.
pub fn privileged() -> bool {
    // SAFETY: getegid and getgid cannot fail and touch no memory.
    unsafe { libc::getegid() != libc::getgid() }
}

/// Notes that this process (`careline host setup`, run by root) works on a shared host's
/// database, as a privileged careline does.
pub fn set_setting_up() {
    SETTING_UP.store(true, Ordering::Relaxed);
}

/// Whether the database is a shared host's: its connections must never remove or create the
/// files beside it (see `store::engine`).
pub fn on_shared_host() -> bool {
    privileged() || SETTING_UP.load(Ordering::Relaxed)
}

/// Runs `open` with the real user's rights on files: on this thread only, the file-system
/// group becomes the real group (`setfsgid`), so a file careline opens or creates for a path
/// a user gave is one the user could open or create themselves, and never one of the
/// database's group. Other threads (the store's) keep the group. Outside a privileged
/// process it just runs `open`.
pub fn as_user<T>(open: impl FnOnce() -> io::Result<T>) -> io::Result<T> {
    if !privileged() {
        return open();
    }
    let _user = UserFiles::enter()?;
    open()
}

/// The user's file-system group on this thread while it lives.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
struct UserFiles {
    group: libc::gid_t,
}

impl UserFiles {
    #[cfg(not(target_os = "linux"))]
    fn enter() -> io::Result<UserFiles> {
        Err(io::Error::other(
            "careline installed setgid opens your files on Linux only (setfsgid)",
        ))
    }

    #[cfg(target_os = "linux")]
    fn enter() -> io::Result<UserFiles> {
        // SAFETY: these calls only change or read this thread's credentials.
        unsafe {
            let group = libc::getegid();
            let real = libc::getgid();
            libc::setfsgid(real);
            // setfsgid reports no error; asking with an invalid id returns the current one.
            if libc::setfsgid(libc::gid_t::MAX) as libc::gid_t != real {
                libc::setfsgid(group);
                return Err(io::Error::other(
                    "cannot take your own rights to open a file you named",
                ));
            }
            Ok(UserFiles { group })
        }
    }
}

impl Drop for UserFiles {
    #[cfg(not(target_os = "linux"))]
    fn drop(&mut self) {}

    #[cfg(target_os = "linux")]
    fn drop(&mut self) {
        // SAFETY: as above; the saved group is the effective one, always allowed.
        unsafe {
            libc::setfsgid(self.group);
        }
    }
}

/// Where a host installation keeps its settings and its log, from where the binary is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPaths {
    /// The host's config file: the database and every rule.
    pub config: PathBuf,
    /// The log directory (root and the group; operators cannot read it).
    pub log_dir: PathBuf,
}

impl HostPaths {
    /// For a binary at `binary`: under `/usr/bin`, `/usr/local/bin`, `/bin` (or an `sbin`)
    /// `/etc/careline/careline.toml` and `/var/log/careline`; at `PREFIX/bin/careline`
    /// otherwise `PREFIX/etc/careline/careline.toml` and `PREFIX/var/log/careline` (a binary
    /// in a folder not named `bin` takes that folder as its prefix).
    pub fn for_binary(binary: &Path) -> HostPaths {
        let dir = binary.parent().unwrap_or(Path::new("/"));
        let prefix = if SYSTEM_BINARY_DIRS.iter().any(|d| dir == Path::new(d)) {
            PathBuf::from("/")
        } else if dir.file_name().is_some_and(|n| n == "bin") {
            dir.parent().unwrap_or(Path::new("/")).to_path_buf()
        } else {
            dir.to_path_buf()
        };
        HostPaths {
            config: prefix.join("etc/careline/careline.toml"),
            log_dir: prefix.join("var/log/careline"),
        }
    }

    /// For the running binary (`/proc/self/exe`, which a user cannot redirect).
    pub fn of_this_binary() -> io::Result<HostPaths> {
        Ok(HostPaths::for_binary(&std::env::current_exe()?))
    }

    pub fn log_file(&self) -> PathBuf {
        self.log_dir.join("careline.log")
    }

    /// Where `host setup` records the path it installed careline at, beside the config: run
    /// again without `--bin`, it installs there again rather than a second copy elsewhere.
    pub fn installed_record(&self) -> PathBuf {
        self.config.with_file_name("installed-bin")
    }

    /// The path recorded in [`HostPaths::installed_record`]: none when there is no record;
    /// an error saying why when there is one that cannot be used (root would install a
    /// setgid program wherever it says, so it must be root's alone, as the config is).
    pub fn recorded_bin(&self) -> Result<Option<PathBuf>, String> {
        let record = self.installed_record();
        match std::fs::symlink_metadata(&record) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("{}: {e}", record.display())),
            Ok(_) => {}
        }
        if let Some(problem) = untrusted(&record) {
            return Err(problem);
        }
        let text =
            std::fs::read_to_string(&record).map_err(|e| format!("{}: {e}", record.display()))?;
        let path = PathBuf::from(text.trim());
        if !path.is_absolute() || path.file_name().is_none() {
            return Err(format!(
                "{} does not name a program by its full path",
                record.display()
            ));
        }
        Ok(Some(path))
    }
}

/// Why `path` cannot be trusted as the host's config, if it cannot: it and every folder above
/// it must be owned by root and writable by no one else (a folder with the sticky bit, such
/// as /tmp, is allowed above the config's own folder).
pub fn untrusted(path: &Path) -> Option<String> {
    let real = match std::fs::canonicalize(path) {
        Ok(real) => real,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Some(format!("{} does not exist", path.display()))
        }
        Err(e) => return Some(format!("{}: {e}", path.display())),
    };
    let own_dir = real.parent().map(Path::to_path_buf);
    for (i, at) in real.ancestors().enumerate() {
        let meta = match std::fs::symlink_metadata(at) {
            Ok(meta) => meta,
            Err(e) => return Some(format!("{}: {e}", at.display())),
        };
        if i == 0 && !meta.is_file() {
            return Some(format!("{} is not a regular file", at.display()));
        }
        if meta.uid() != 0 {
            return Some(format!("{} is not owned by root", at.display()));
        }
        let sticky = meta.is_dir() && meta.mode() & libc::S_ISVTX != 0;
        let may_be_sticky = i > 0 && own_dir.as_deref() != Some(at);
        if meta.mode() & 0o022 != 0 && !(sticky && may_be_sticky) {
            return Some(format!(
                "{} is writable by others than root (mode {:o})",
                at.display(),
                meta.mode() & 0o7777
            ));
        }
    }
    None
}

/// The database and every file beside it whose name begins with the database's (its
/// write-ahead log, shared memory, writers' lock, audit witness …).
pub fn database_files(db: &Path) -> io::Result<Vec<PathBuf>> {
    let dir = db.parent().unwrap_or(Path::new("."));
    let Some(name) = db.file_name() else {
        return Err(io::Error::other(format!("{} names no file", db.display())));
    };
    let mut files = vec![db.to_path_buf()];
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let entry_name = entry.file_name();
        if entry_name != name && entry_name.as_bytes().starts_with(name.as_bytes()) {
            files.push(entry.path());
        }
    }
    files.sort();
    Ok(files)
}

/// The side file `suffix` of `db` (`careline.db` + `-wal`).
pub fn side_file(db: &Path, suffix: &str) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// What is wrong with a database's folder or files on a shared host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileProblem {
    /// Not there. SQLite removes the `-wal` and `-shm` files when the last connection to the
    /// database closes, unless it keeps them as careline's do: a program other than careline
    /// (`sqlite3`) that had the database open removes them so.
    Missing(PathBuf),
    /// There, but of the wrong kind, owner, group or mode: the reason, naming the file.
    Unsafe(String),
}

impl FileProblem {
    /// Whether this is a side file (`-wal`, `-shm`, `-writers`) of `db` that is missing:
    /// one `careline host setup` makes, and root's careline may make again.
    pub fn missing_side_file(&self, db: &Path) -> bool {
        matches!(self, FileProblem::Missing(path)
            if SIDE_FILES.iter().any(|suffix| side_file(db, suffix) == *path))
    }
}

impl std::fmt::Display for FileProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FileProblem::Missing(path) => write!(f, "{} is missing", path.display()),
            FileProblem::Unsafe(why) => f.write_str(why),
        }
    }
}

/// Makes the side files of `db` (`-wal`, `-shm`, `-writers`) that are missing, as `uid`'s and
/// `gid`'s with mode 0660, so that no operator's careline ever creates (and owns) one. Returns
/// those it made.
pub fn make_side_files(db: &Path, uid: u32, gid: u32) -> io::Result<Vec<PathBuf>> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut made = Vec::new();
    for suffix in SIDE_FILES {
        let path = side_file(db, suffix);
        let created = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o660)
            .open(&path);
        match created {
            Ok(_) => {
                set_owner_and_mode(&path, uid, gid, 0o660)?;
                made.push(path);
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(io::Error::new(e.kind(), format!("{}: {e}", path.display()))),
        }
    }
    Ok(made)
}

/// Why a privileged careline must not open the database at `db`, if it must not: its folder
/// and files must belong to the database's group (this process's effective group), be closed
/// to others, and all have the folder's owner (root, after `careline host setup`), never the
/// operator running careline, nor any other (a file an operator owns is one they could open
/// without careline, wherever it lies). The side files must exist already, or SQLite would
/// create them owned by the operator.
pub fn unsafe_database_files(db: &Path) -> Option<FileProblem> {
    unsafe_files_among(db, database_files(db))
}

/// [`unsafe_database_files`] over `listed`, the files beside `db` as they were listed a
/// moment before they are looked at.
fn unsafe_files_among(db: &Path, listed: io::Result<Vec<PathBuf>>) -> Option<FileProblem> {
    // SAFETY: these cannot fail and touch no memory.
    let (user, group) = unsafe { (libc::getuid(), libc::getegid()) };
    let dir = db.parent().unwrap_or(Path::new("."));
    let unsafe_file = |why: String| Err(FileProblem::Unsafe(why));
    let check = |path: &Path, want_dir: bool, owner: Option<u32>| -> Result<u32, FileProblem> {
        let meta = match std::fs::symlink_metadata(path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(FileProblem::Missing(path.to_path_buf()))
            }
            Err(e) => return unsafe_file(format!("{}: {e}", path.display())),
        };
        let kind_ok = if want_dir {
            meta.is_dir()
        } else {
            meta.is_file()
        };
        if !kind_ok {
            let what = if want_dir {
                "a folder"
            } else {
                "a regular file"
            };
            return unsafe_file(format!("{} is not {what}", path.display()));
        }
        // Root owns them on a shared host: root running careline (a restore, a check) is not
        // an operator who could open them without it.
        if meta.uid() == user && user != 0 {
            return unsafe_file(format!("{} is owned by you", path.display()));
        }
        if owner.is_some_and(|o| o != meta.uid()) {
            return unsafe_file(format!(
                "{} is owned by {}, not by the owner of its folder ({})",
                path.display(),
                user_name(meta.uid()),
                owner.map(user_name).unwrap_or_default()
            ));
        }
        if meta.gid() != group {
            return unsafe_file(format!(
                "{} belongs to the group {}, not careline's ({})",
                path.display(),
                group_name(meta.gid()),
                group_name(group)
            ));
        }
        if meta.mode() & 0o007 != 0 {
            return unsafe_file(format!(
                "{} is open to other users (mode {:o})",
                path.display(),
                meta.mode() & 0o7777
            ));
        }
        Ok(meta.uid())
    };
    let owner = match check(dir, true, None) {
        Ok(owner) => owner,
        Err(problem) => return Some(problem),
    };
    for suffix in SIDE_FILES {
        if let Err(problem) = check(&side_file(db, suffix), false, Some(owner)) {
            return Some(problem);
        }
    }
    // A file listed beside the database may be gone by the time it is looked at (a restore's
    // temporary copy and its journal come and go): what is no longer there cannot be opened,
    // so only the database itself is missing when it is not found.
    match listed {
        Ok(files) => files
            .iter()
            .find_map(|f| match check(f, false, Some(owner)) {
                Err(FileProblem::Missing(gone)) if gone != db => None,
                found => found.err(),
            }),
        Err(e) => Some(FileProblem::Unsafe(format!("{}: {e}", dir.display()))),
    }
}

/// Whether the real user is a member of this process's effective group: then they can open
/// the database without careline, and the roles are theirs to bypass.
pub fn user_in_group() -> bool {
    // SAFETY: getgroups writes at most `len` ids into the buffer it is given.
    unsafe {
        let group = libc::getegid();
        let n = libc::getgroups(0, std::ptr::null_mut());
        if n <= 0 {
            return false;
        }
        let mut groups = vec![0 as libc::gid_t; n as usize];
        let n = libc::getgroups(n, groups.as_mut_ptr());
        n > 0 && groups[..n as usize].contains(&group)
    }
}

/// The name of the group `gid`, or its number when it has none.
pub fn group_name(gid: libc::gid_t) -> String {
    let mut group = std::mem::MaybeUninit::<libc::group>::uninit();
    let mut buf = vec![0 as libc::c_char; 16 * 1024];
    let mut result: *mut libc::group = std::ptr::null_mut();
    // SAFETY: getgrgid_r writes only into the buffers given; the name points into `buf`.
    unsafe {
        let rc = libc::getgrgid_r(
            gid,
            group.as_mut_ptr(),
            buf.as_mut_ptr(),
            buf.len(),
            &mut result,
        );
        if rc == 0 && !result.is_null() && !(*result).gr_name.is_null() {
            if let Ok(name) = CStr::from_ptr((*result).gr_name).to_str() {
                return name.to_string();
            }
        }
    }
    gid.to_string()
}

/// The login of the user `uid`, or their number when they have none.
pub fn user_name(uid: libc::uid_t) -> String {
    let mut pwd = std::mem::MaybeUninit::<libc::passwd>::uninit();
    let mut buf = vec![0 as libc::c_char; 16 * 1024];
    let mut result: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: getpwuid_r writes only into the buffers given; the name points into `buf`.
    unsafe {
        let rc = libc::getpwuid_r(
            uid,
            pwd.as_mut_ptr(),
            buf.as_mut_ptr(),
            buf.len(),
            &mut result,
        );
        if rc == 0 && !result.is_null() && !(*result).pw_name.is_null() {
            if let Ok(name) = CStr::from_ptr((*result).pw_name).to_str() {
                return name.to_string();
            }
        }
    }
    uid.to_string()
}

/// This process's effective group's name: the database's group on a shared host.
pub fn effective_group_name() -> String {
    // SAFETY: getegid cannot fail.
    group_name(unsafe { libc::getegid() })
}

/// A group by name: its id and members, None when there is no such group.
pub fn group_by_name(name: &str) -> io::Result<Option<(libc::gid_t, Vec<String>)>> {
    let c_name = CString::new(name).map_err(|_| io::Error::other("a group name with a NUL"))?;
    let mut group = std::mem::MaybeUninit::<libc::group>::uninit();
    let mut buf = vec![0 as libc::c_char; 64 * 1024];
    let mut result: *mut libc::group = std::ptr::null_mut();
    // SAFETY: getgrnam_r writes only into the buffers given; every pointer read below points
    // into `buf`, which outlives the reads, and the member list ends with a null pointer.
    unsafe {
        let rc = libc::getgrnam_r(
            c_name.as_ptr(),
            group.as_mut_ptr(),
            buf.as_mut_ptr(),
            buf.len(),
            &mut result,
        );
        if rc != 0 {
            return Err(io::Error::from_raw_os_error(rc));
        }
        if result.is_null() {
            return Ok(None);
        }
        let mut members = Vec::new();
        let mut member = (*result).gr_mem;
        while !member.is_null() && !(*member).is_null() {
            members.push(CStr::from_ptr(*member).to_string_lossy().into_owned());
            member = member.add(1);
        }
        Ok(Some(((*result).gr_gid, members)))
    }
}

/// The logins whose primary group is `gid`: members of it as much as those it lists.
pub fn primary_members(gid: libc::gid_t) -> Vec<String> {
    let mut logins = Vec::new();
    // SAFETY: getpwent's entry is read before the next call; `host setup`, the only caller,
    // runs on one thread. setpwent and endpwent open and close the password database.
    unsafe {
        libc::setpwent();
        loop {
            let entry = libc::getpwent();
            if entry.is_null() {
                break;
            }
            if (*entry).pw_gid == gid && !(*entry).pw_name.is_null() {
                logins.push(
                    CStr::from_ptr((*entry).pw_name)
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
        libc::endpwent();
    }
    logins
}

/// A user by login: their id and primary group, None when there is no such user.
pub fn user_by_login(login: &str) -> io::Result<Option<(libc::uid_t, libc::gid_t)>> {
    let c_name = CString::new(login).map_err(|_| io::Error::other("a login with a NUL"))?;
    let mut pwd = std::mem::MaybeUninit::<libc::passwd>::uninit();
    let mut buf = vec![0 as libc::c_char; 16 * 1024];
    let mut result: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: getpwnam_r writes only into the buffers given.
    unsafe {
        let rc = libc::getpwnam_r(
            c_name.as_ptr(),
            pwd.as_mut_ptr(),
            buf.as_mut_ptr(),
            buf.len(),
            &mut result,
        );
        if rc != 0 {
            return Err(io::Error::from_raw_os_error(rc));
        }
        if result.is_null() {
            return Ok(None);
        }
        Ok(Some(((*result).pw_uid, (*result).pw_gid)))
    }
}

/// Whether `path`'s mode, owner and group are as given (the file type aside).
pub fn is_set(path: &Path, uid: u32, gid: u32, mode: u32) -> bool {
    std::fs::symlink_metadata(path)
        .is_ok_and(|m| m.uid() == uid && m.gid() == gid && m.mode() & 0o7777 == mode)
}

/// Gives `path` (not a symbolic link) the owner, group and mode asked, the mode last (a change
/// of owner clears the setgid bit).
pub fn set_owner_and_mode(path: &Path, uid: u32, gid: u32, mode: u32) -> io::Result<()> {
    std::os::unix::fs::lchown(path, Some(uid), Some(gid))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file listed beside the database that is gone when looked at (a restore's temporary
    /// copy and its journal, removed in between) is not a missing file: only the database
    /// and its side files are. Root's alone own such files, so the look is tried as root.
    #[test]
    fn a_file_gone_since_the_listing_is_not_missing() {
        use std::os::unix::fs::PermissionsExt;
        // SAFETY: getuid cannot fail.
        if unsafe { libc::getuid() } != 0 {
            return;
        }
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o770))
            .expect("folder mode");
        let db = dir.path().join("careline.db");
        for file in std::iter::once(db.clone()).chain(SIDE_FILES.iter().map(|s| side_file(&db, s)))
        {
            std::fs::write(&file, b"").expect("file");
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o660))
                .expect("file mode");
        }
        let gone = side_file(&db, ".restoring-7-journal");
        let listed = database_files(&db).expect("listing");
        assert_eq!(unsafe_files_among(&db, Ok(listed.clone())), None);
        let mut with_gone = listed.clone();
        with_gone.push(gone);
        assert_eq!(unsafe_files_among(&db, Ok(with_gone)), None);
        std::fs::remove_file(&db).expect("remove");
        assert_eq!(
            unsafe_files_among(&db, Ok(listed)),
            Some(FileProblem::Missing(db.clone()))
        );
    }

    #[test]
    fn the_config_and_log_follow_the_binary() {
        let system = HostPaths::for_binary(Path::new("/usr/local/bin/careline"));
        assert_eq!(system.config, PathBuf::from("/etc/careline/careline.toml"));
        assert_eq!(system.log_dir, PathBuf::from("/var/log/careline"));
        assert_eq!(
            HostPaths::for_binary(Path::new("/usr/bin/careline")).config,
            PathBuf::from("/etc/careline/careline.toml")
        );
        let prefix = HostPaths::for_binary(Path::new("/opt/cl/bin/careline"));
        assert_eq!(
            prefix.config,
            PathBuf::from("/opt/cl/etc/careline/careline.toml")
        );
        assert_eq!(
            prefix.log_file(),
            PathBuf::from("/opt/cl/var/log/careline/careline.log")
        );
        assert_eq!(
            HostPaths::for_binary(Path::new("/opt/cl/careline")).config,
            PathBuf::from("/opt/cl/etc/careline/careline.toml")
        );
    }

    #[test]
    fn a_config_others_may_write_is_not_trusted() {
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("careline.toml");
        std::fs::write(&file, "").expect("file");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
            .expect("chmod");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        // SAFETY: geteuid cannot fail.
        let root = unsafe { libc::geteuid() } == 0;
        let verdict = untrusted(&file);
        if root {
            // /tmp is root's with the sticky bit; the folder and file are root's, closed.
            assert_eq!(verdict, None);
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o664)).expect("chmod");
            let verdict = untrusted(&file).expect("group-writable");
            assert!(verdict.contains("writable by others"), "{verdict}");
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
            std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o1777))
                .expect("chmod");
            let verdict = untrusted(&file).expect("its own folder open to all");
            assert!(verdict.contains("writable by others"), "{verdict}");
        } else {
            let verdict = untrusted(&file).expect("not root's");
            assert!(verdict.contains("not owned by root"), "{verdict}");
        }
        let missing = untrusted(&dir.path().join("none.toml")).expect("missing");
        assert!(missing.contains("does not exist"), "{missing}");
    }

    #[test]
    fn the_database_files_are_those_named_after_it() {
        let dir = tempfile::tempdir().expect("dir");
        let db = dir.path().join("desk.db");
        for name in [
            "desk.db",
            "desk.db-wal",
            "desk.db-audit",
            "other.db",
            "desk.dbx",
        ] {
            std::fs::write(dir.path().join(name), "").expect("file");
        }
        let names: Vec<String> = database_files(&db)
            .expect("listed")
            .iter()
            .filter_map(|p| p.file_name()?.to_str().map(str::to_string))
            .collect();
        assert_eq!(
            names,
            ["desk.db", "desk.db-audit", "desk.db-wal", "desk.dbx"]
        );
        assert_eq!(
            side_file(&db, "-shm"),
            dir.path().join("desk.db-shm"),
            "beside the database"
        );
    }

    #[test]
    fn outside_a_setgid_program_files_open_as_usual() {
        assert!(!privileged(), "tests do not run setgid");
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("x");
        as_user(|| std::fs::write(&path, "x")).expect("written");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "x");
    }
}
