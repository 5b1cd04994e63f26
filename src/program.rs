//! The name careline goes by, for the commands its messages tell someone to run: installed
//! as `tr-careline`, a hint saying `careline operator add …` names a program that is not
//! there (or an older one). The binary notes the name it was started by ([`note_started_as`]);
//! the library, run by tests or benchmarks, says `careline`.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The file name the binary was started by (`argv[0]`'s), once noted.
static STARTED_AS: OnceLock<String> = OnceLock::new();

/// The installed program's path on a shared host (`/proc/self/exe` of the setgid program),
/// once noted.
static INSTALLED: OnceLock<PathBuf> = OnceLock::new();

/// Notes the name the binary was started by (the file name of `argv0`) and, on a shared
/// host, where the program it runs is installed. Call once, first thing in `main`.
pub fn note_started_as(argv0: Option<&std::ffi::OsStr>) {
    let name = argv0
        .and_then(|a| Path::new(a).file_name())
        .and_then(|n| n.to_str())
        .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_graphic()));
    if let Some(name) = name {
        let _ = STARTED_AS.set(name.to_string());
    }
    if crate::host::privileged() {
        if let Ok(exe) = std::env::current_exe() {
            let _ = INSTALLED.set(exe);
        }
    }
}

/// The name to type to run careline again: the one it was started by (`careline` when the
/// library runs without the binary).
pub fn name() -> &'static str {
    STARTED_AS.get().map(String::as_str).unwrap_or("careline")
}

/// The program a command for root names (`sudo … restore FILE`, `sudo … host setup`): on a
/// shared host the installed program by its full path, which root's `PATH` under sudo may not
/// hold; elsewhere [`name`].
pub fn for_root() -> String {
    match INSTALLED.get() {
        Some(path) => path.display().to_string(),
        None => name().to_string(),
    }
}

/// Where the setgid program runs from on a shared host, when this is it.
pub fn installed() -> Option<&'static Path> {
    INSTALLED.get().map(PathBuf::as_path)
}

/// The command that sets a shared host up again, or repairs it, with the database and group
/// given (placeholders when unknown) and the installed program's path: run without `--bin`,
/// setup reuses the path it recorded, but a hint says it outright.
pub fn setup_command(db: Option<&Path>, group: Option<&str>) -> String {
    let db = db.map_or("PATH".to_string(), |d| d.display().to_string());
    let group = group.unwrap_or("NAME");
    let program = for_root();
    match installed() {
        Some(bin) => format!(
            "sudo {program} host setup --db {db} --group {group} --bin {}",
            bin.display()
        ),
        None => format!("sudo {program} host setup --db {db} --group {group}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_library_says_careline() {
        // Tests never note a name: the library's messages say `careline`.
        assert_eq!(name(), "careline");
        assert_eq!(for_root(), "careline");
        assert_eq!(
            setup_command(Some(Path::new("/var/lib/careline/careline.db")), Some("cl")),
            "sudo careline host setup --db /var/lib/careline/careline.db --group cl"
        );
    }
}
