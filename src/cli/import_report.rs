//! What an import tells about its rows: on screen, the first few lines and then counts by
//! kind; in a report file, every line. A file of a million rows can have thousands of
//! warnings, which no one reads scrolling past.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};

use crate::text::{counted, sanitize};

/// Lines shown on screen before the rest go to the report file only.
pub const SHOWN: u64 = 10;

/// The lines of one import's report.
pub struct ImportReport {
    /// Where the report file goes; created with the first line.
    path: PathBuf,
    file: Option<BufWriter<File>>,
    /// Lines by kind, each named for one ("rejected (phone)", "possible duplicate" …).
    kinds: BTreeMap<String, u64>,
    lines: u64,
}

impl ImportReport {
    /// A report for an import of `what` (customers, purchases), to be written in `dir`.
    pub fn new(dir: &Path, what: &str) -> ImportReport {
        let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
        ImportReport {
            path: dir
                .join("import-reports")
                .join(format!("import-{what}-{stamp}-{}.txt", std::process::id())),
            file: None,
            kinds: BTreeMap::new(),
            lines: 0,
        }
    }

    /// One line of the report, counted under `kind`; shown on screen while few have been.
    pub fn line(&mut self, kind: &str, text: &str) -> Result<()> {
        let text = sanitize(text);
        self.lines += 1;
        *self.kinds.entry(kind.to_string()).or_default() += 1;
        if self.lines <= SHOWN {
            eprintln!("{text}");
        }
        if self.file.is_none() {
            if let Some(dir) = self.path.parent() {
                crate::host::as_user(|| std::fs::create_dir_all(dir))
                    .with_context(|| format!("cannot create {}", dir.display()))?;
            }
            // It quotes customers' names and numbers: readable by its owner only (and, in the
            // operator's folder on a shared host, the operator's, not the database group's).
            let file = crate::host::as_user(|| {
                File::options()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .open(&self.path)
            })
            .with_context(|| format!("cannot create {}", self.path.display()))?;
            self.file = Some(BufWriter::new(file));
        }
        if let Some(file) = &mut self.file {
            writeln!(file, "{text}")
                .with_context(|| format!("cannot write {}", self.path.display()))?;
        }
        Ok(())
    }

    /// Ends the report: the lines not shown, counted by kind, and where every line is.
    pub fn finish(mut self) -> Result<()> {
        if let Some(file) = &mut self.file {
            file.flush()
                .with_context(|| format!("cannot write {}", self.path.display()))?;
        }
        if self.lines > SHOWN {
            let kinds: Vec<String> = self
                .kinds
                .iter()
                .map(|(kind, n)| kind_counted(*n, kind))
                .collect();
            eprintln!(
                "… and {}; {} in all: {}",
                counted(self.lines - SHOWN, "more line", "more lines"),
                counted(self.lines, "line", "lines"),
                kinds.join(", ")
            );
        }
        if self.lines > 0 {
            eprintln!("Every line is in {}", self.path.display());
        }
        Ok(())
    }
}

/// How many lines of a kind, in words: a noun (`possible duplicate`, `unknown column`) takes
/// its plural, `rejected (…)` stays as it is.
fn kind_counted(n: u64, kind: &str) -> String {
    if kind.starts_with("rejected") {
        format!("{n} {kind}")
    } else {
        counted(n, kind, &format!("{kind}s"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_goes_to_the_file_and_kinds_are_counted() {
        let dir = tempfile::tempdir().expect("a folder");
        let mut report = ImportReport::new(dir.path(), "customers");
        for i in 0..25 {
            let kind = if i % 5 == 0 {
                "phone"
            } else {
                "possible duplicate"
            };
            report
                .line(kind, &format!("line {}: {kind}", i + 2))
                .expect("write");
        }
        assert_eq!(report.lines, 25);
        assert_eq!(report.kinds.get("phone"), Some(&5));
        assert_eq!(report.kinds.get("possible duplicate"), Some(&20));
        let path = report.path.clone();
        report.finish().expect("finish");
        let text = std::fs::read_to_string(&path).expect("the report");
        assert_eq!(text.lines().count(), 25);
        assert_eq!(text.lines().last(), Some("line 26: possible duplicate"));
        let mode = std::fs::metadata(&path).expect("meta").permissions();
        assert_eq!(
            std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777,
            0o600
        );
    }

    #[test]
    fn kinds_are_counted_in_words() {
        assert_eq!(
            kind_counted(1, "possible duplicate"),
            "1 possible duplicate"
        );
        assert_eq!(
            kind_counted(29, "possible duplicate"),
            "29 possible duplicates"
        );
        assert_eq!(kind_counted(2, "unknown column"), "2 unknown columns");
        assert_eq!(
            kind_counted(1, "rejected (birthday)"),
            "1 rejected (birthday)"
        );
        assert_eq!(
            kind_counted(3, "rejected (birthday)"),
            "3 rejected (birthday)"
        );
    }
}
