//! Encrypted backups (issue 15): a backup may be encrypted with age (the `age` crate, rage's
//! library) to one or more age recipients (`age1…` public keys) or to a passphrase.
//!
//! The file is an ordinary age file — it begins with age's header line, and `age -d` opens
//! it — whose plaintext is a small container:
//!
//! ```text
//! careline backup 1\n
//! witness N\n
//! <N bytes: the backup's audit witness, as FILE-audit holds it for a plain backup>
//! <the SQLite file, to the end>
//! ```
//!
//! The audit witness goes inside rather than beside: it holds the number of the audit log's
//! last entry and that entry's hash, and the number tells how much was done on the desk up to
//! the backup (two backups' witnesses tell how much between them). Inside, an encrypted
//! backup is one file that tells nothing but its size, and its witness cannot be lost or
//! swapped apart from it.
//!
//! The plaintext is only ever written to private (0600) files of the person running careline,
//! beside the backup or the database, and overwritten before it is removed.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use age::secrecy::{ExposeSecret, SecretString};

/// The first line of every age file (the binary form careline writes).
const AGE_HEADER: &[u8] = b"age-encryption.org/v1\n";
/// The first line of age's ASCII-armoured form.
const AGE_ARMOR: &[u8] = b"-----BEGIN AGE ENCRYPTED FILE-----";
/// The first line of the container inside.
const CONTAINER: &str = "careline backup 1";
/// A witness is three short lines; anything longer is not one.
const WITNESS_LIMIT: usize = 4096;

/// How a backup is to be encrypted.
pub enum Encryption {
    /// To these age recipients (each one's identity opens it).
    Recipients(Vec<age::x25519::Recipient>),
    /// To a passphrase (age's scrypt recipient).
    Passphrase(SecretString),
}

impl Encryption {
    /// The number of recipients (none for a passphrase), for the audit and the report.
    pub fn recipients(&self) -> usize {
        match self {
            Encryption::Recipients(list) => list.len(),
            Encryption::Passphrase(_) => 0,
        }
    }

    pub fn is_passphrase(&self) -> bool {
        matches!(self, Encryption::Passphrase(_))
    }
}

/// What opens an encrypted backup.
pub enum BackupKey {
    /// The identities read from these identity files (`--identity`).
    Identities {
        files: Vec<PathBuf>,
        identities: Vec<Box<dyn age::Identity + Send + Sync>>,
    },
    /// A passphrase.
    Passphrase(SecretString),
}

impl BackupKey {
    /// "this identity (key.txt)" or "this passphrase", for messages.
    fn described(&self) -> String {
        match self {
            BackupKey::Identities { files, .. } => {
                let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
                if names.len() == 1 {
                    format!("this identity (--identity {})", names[0])
                } else {
                    format!("these identities (--identity {})", names.join(", "))
                }
            }
            BackupKey::Passphrase(_) => "this passphrase".into(),
        }
    }
}

/// How a backup file is encrypted, as its header says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Encrypted {
    /// To age recipients: an identity opens it.
    Recipients,
    /// To a passphrase.
    Passphrase,
}

/// Parses one age recipient (`age1…`); `given` names where it came from for the message,
/// which never repeats the text (a secret key given by mistake must not reach a log).
pub fn parse_recipient(text: &str, given: &str) -> Result<age::x25519::Recipient, String> {
    let text = text.trim();
    if text.starts_with("AGE-SECRET-KEY-") {
        return Err(format!(
            "{given}: this is an age identity, a secret key; give its recipient (`age-keygen -y FILE` prints it) and keep the identity off this host"
        ));
    }
    if text.starts_with("ssh-") {
        return Err(format!(
            "{given}: an SSH key; careline encrypts to age recipients (age1…, made with `age-keygen`)"
        ));
    }
    age::x25519::Recipient::from_str(text).map_err(|why| {
        format!("{given}: not an age recipient (age1…, as `age-keygen -y` prints): {why}")
    })
}

/// The recipients of a recipients file (as age's `-R`): one `age1…` a line; empty lines and
/// lines beginning with `#` are left out. `path` names the file in messages.
pub fn recipients_file(text: &str, path: &Path) -> Result<Vec<age::x25519::Recipient>, String> {
    let mut found = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let given = format!("--recipients-file {} line {}", path.display(), n + 1);
        found.push(parse_recipient(line, &given)?);
    }
    if found.is_empty() {
        return Err(format!(
            "--recipients-file {}: holds no age recipient (one age1… a line)",
            path.display()
        ));
    }
    Ok(found)
}

/// The identities of an age identity file (as age's `-i`): `AGE-SECRET-KEY-1…` lines, `#`
/// comments. `path` names the file in messages (never a line of it: it is secret).
pub fn identity_file(
    bytes: &[u8],
    path: &Path,
) -> Result<Vec<Box<dyn age::Identity + Send + Sync>>, String> {
    if bytes.starts_with(AGE_HEADER) || bytes.starts_with(AGE_ARMOR) {
        return Err(format!(
            "--identity {}: is itself encrypted (age -p); decrypt it with age first, or keep it unencrypted on the machine you restore on",
            path.display()
        ));
    }
    let parsed = age::IdentityFile::from_buffer(bytes).map_err(|e| {
        format!(
            "--identity {}: not an age identity file ({e})",
            path.display()
        )
    })?;
    let identities = parsed
        .into_identities()
        .map_err(|e| format!("--identity {}: {e}", path.display()))?;
    if identities.is_empty() {
        return Err(format!(
            "--identity {}: holds no age identity (AGE-SECRET-KEY-1…, as `age-keygen` writes)",
            path.display()
        ));
    }
    Ok(identities)
}

/// A passphrase read from a file or from standard input: its first line, without the line
/// ending. `given` names where it came from.
pub fn passphrase_text(text: &str, given: &str) -> Result<SecretString, String> {
    let line = text.lines().next().unwrap_or("");
    if line.is_empty() {
        return Err(format!("{given}: the passphrase is empty (its first line)"));
    }
    Ok(SecretString::from(line.to_string()))
}

/// The first bytes of the file at `path` (up to `n`).
fn first_bytes(path: &Path, n: usize) -> io::Result<Vec<u8>> {
    let mut start = Vec::with_capacity(n);
    crate::host::as_user(|| File::open(path))?
        .take(n as u64)
        .read_to_end(&mut start)?;
    Ok(start)
}

/// Whether the backup at `path` is encrypted, and how: none for a file that does not begin
/// with age's header. The file is opened with the rights of whoever runs careline. The
/// error says why, without the file's name.
pub fn encrypted(path: &Path) -> Result<Option<Encrypted>, String> {
    let start = first_bytes(path, AGE_ARMOR.len()).map_err(|e| e.to_string())?;
    if start.starts_with(AGE_ARMOR) {
        return Err(
            "it is an ASCII-armoured age file; careline reads age's binary form: decrypt it with `age -d`, and restore that".into(),
        );
    }
    if !start.starts_with(AGE_HEADER) {
        return Ok(None);
    }
    let file = crate::host::as_user(|| File::open(path)).map_err(|e| e.to_string())?;
    let decryptor = age::Decryptor::new_buffered(BufReader::new(file))
        .map_err(|e| format!("it begins like an age file, but its header cannot be read ({e})"))?;
    Ok(Some(if decryptor.is_scrypt() {
        Encrypted::Passphrase
    } else {
        Encrypted::Recipients
    }))
}

/// Writes `out` (new, with `mode`): the database file `database` with the witness text
/// `witness`, encrypted as `encryption` says. Returns its size. `out` is removed again when
/// anything fails.
pub(super) fn seal(
    database: &Path,
    witness: &[u8],
    out: &Path,
    mode: u32,
    encryption: &Encryption,
) -> io::Result<u64> {
    let made = (|| {
        let encryptor = match encryption {
            Encryption::Recipients(list) => {
                age::Encryptor::with_recipients(list.iter().map(|r| r as &dyn age::Recipient))
                    .map_err(|e| io::Error::other(e.to_string()))?
            }
            Encryption::Passphrase(passphrase) => age::Encryptor::with_user_passphrase(
                SecretString::from(passphrase.expose_secret().to_string()),
            ),
        };
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(mode)
            .open(out)?;
        let mut sealed = encryptor.wrap_output(BufWriter::new(file))?;
        write!(sealed, "{CONTAINER}\nwitness {}\n", witness.len())?;
        sealed.write_all(witness)?;
        io::copy(&mut File::open(database)?, &mut sealed)?;
        let file = sealed.finish()?.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        Ok(file.metadata()?.len())
    })();
    if made.is_err() {
        let _ = std::fs::remove_file(out);
    }
    made
}

/// Why an encrypted backup was not opened.
#[derive(Debug)]
pub enum OpenFailure {
    /// The key given does not open it (or the backup is encrypted another way).
    WrongKey(String),
    /// It opened but what is inside is cut short, altered or not a careline backup.
    Damaged(String),
    /// A file could not be read or written.
    Io(io::Error),
}

impl std::fmt::Display for OpenFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OpenFailure::WrongKey(why) | OpenFailure::Damaged(why) => f.write_str(why),
            OpenFailure::Io(e) => write!(f, "{e}"),
        }
    }
}

/// Decrypts the backup `sealed` with `key` into the new private files `database` and
/// `witness` (0600, made by the caller's rights). Both are removed again when it fails.
pub(super) fn open(
    sealed: &Path,
    key: &BackupKey,
    database: &Path,
    witness: &Path,
) -> Result<(), OpenFailure> {
    let opened = open_into(sealed, key, database, witness);
    if opened.is_err() {
        shred(database);
        shred(witness);
    }
    opened
}

fn open_into(
    sealed: &Path,
    key: &BackupKey,
    database: &Path,
    witness: &Path,
) -> Result<(), OpenFailure> {
    let file = crate::host::as_user(|| File::open(sealed)).map_err(OpenFailure::Io)?;
    let decryptor = age::Decryptor::new_buffered(BufReader::new(file))
        .map_err(|e| OpenFailure::Damaged(format!("its age header cannot be read ({e})")))?;
    let wrong = || {
        OpenFailure::WrongKey(format!(
            "the backup is encrypted: {} does not open it",
            key.described()
        ))
    };
    match (decryptor.is_scrypt(), key) {
        (true, BackupKey::Identities { .. }) => {
            return Err(OpenFailure::WrongKey(
                "the backup is encrypted with a passphrase, not to an identity: give the passphrase (--passphrase-file PATH, or on the terminal) instead of --identity".into(),
            ))
        }
        (false, BackupKey::Passphrase(_)) => {
            return Err(OpenFailure::WrongKey(
                "the backup is encrypted to age recipients, not with a passphrase: give the identity that opens it with --identity PATH".into(),
            ))
        }
        _ => {}
    }
    let reader = match key {
        BackupKey::Identities { identities, .. } => {
            decryptor.decrypt(identities.iter().map(|i| i.as_ref() as &dyn age::Identity))
        }
        BackupKey::Passphrase(passphrase) => {
            let identity = age::scrypt::Identity::new(SecretString::from(
                passphrase.expose_secret().to_string(),
            ));
            decryptor.decrypt(std::iter::once(&identity as &dyn age::Identity))
        }
    };
    let reader = match reader {
        Ok(reader) => reader,
        Err(
            age::DecryptError::NoMatchingKeys
            | age::DecryptError::DecryptionFailed
            | age::DecryptError::KeyDecryptionFailed,
        ) => return Err(wrong()),
        Err(age::DecryptError::Io(e)) => return Err(OpenFailure::Io(e)),
        Err(e) => {
            return Err(OpenFailure::Damaged(format!(
                "it cannot be decrypted ({e})"
            )))
        }
    };
    let mut plain = BufReader::new(reader);
    let damaged = |what: &str| OpenFailure::Damaged(format!("it was opened, but {what}"));
    let header = read_line(&mut plain).map_err(|_| damaged("it is not a careline backup"))?;
    if header != CONTAINER {
        return Err(damaged(
            "what is inside is not a careline backup (it may be a plain file encrypted with age: `age -d` it and restore that)",
        ));
    }
    let length: usize = read_line(&mut plain)
        .ok()
        .and_then(|line| line.strip_prefix("witness ")?.parse().ok())
        .filter(|n| *n <= WITNESS_LIMIT)
        .ok_or_else(|| damaged("its audit witness is missing"))?;
    let mut text = vec![0; length];
    plain
        .read_exact(&mut text)
        .map_err(|_| damaged("it ends inside its audit witness"))?;
    write_new(witness, &text).map_err(OpenFailure::Io)?;
    let mut out = private_file(database).map_err(OpenFailure::Io)?;
    io::copy(&mut plain, &mut out).map_err(|e| match e.kind() {
        // age reports a cut-short or altered stream as invalid data.
        io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof => {
            damaged(&format!("it is cut short or altered ({e})"))
        }
        _ => OpenFailure::Io(e),
    })?;
    out.sync_all().map_err(OpenFailure::Io)?;
    Ok(())
}

/// One line of the container's head (at most 64 bytes), without its newline.
fn read_line(input: &mut impl BufRead) -> io::Result<String> {
    let mut line = Vec::new();
    input.take(64).read_until(b'\n', &mut line)?;
    if line.pop() != Some(b'\n') {
        return Err(io::Error::from(io::ErrorKind::InvalidData));
    }
    String::from_utf8(line).map_err(|_| io::Error::from(io::ErrorKind::InvalidData))
}

/// A new file only its owner may read or write.
pub(super) fn private_file(path: &Path) -> io::Result<File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

fn write_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = private_file(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Overwrites the file at `path` with zeros, then removes it: a plaintext copy is not left
/// readable in the directory's free blocks as far as the file system lets a program see to
/// that (a copy-on-write or journalling file system, or an SSD, may still keep old blocks:
/// docs/SECURITY.md). Nothing happens when there is no file.
pub(super) fn shred(path: &Path) {
    if let Ok(mut file) = std::fs::OpenOptions::new().write(true).open(path) {
        let length = file.metadata().map(|m| m.len()).unwrap_or(0);
        let zeros = vec![0u8; 1 << 20];
        let mut left = length;
        while left > 0 {
            let n = left.min(zeros.len() as u64) as usize;
            if file.write_all(&zeros[..n]).is_err() {
                break;
            }
            left -= n as u64;
        }
        let _ = file.sync_all();
    }
    let _ = std::fs::remove_file(path);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recipients_file_skips_comments_and_blank_lines_and_names_a_bad_line() {
        let one = age::x25519::Identity::generate().to_public().to_string();
        let two = age::x25519::Identity::generate().to_public().to_string();
        let path = Path::new("r.txt");
        let found = recipients_file(&format!("# keys\n\n  {one}  \n#{two}\n{two}\n"), path)
            .expect("two recipients");
        assert_eq!(
            found.iter().map(|r| r.to_string()).collect::<Vec<_>>(),
            [one.clone(), two]
        );
        let err = recipients_file(&format!("{one}\nage1nope\n"), path).expect_err("line 2");
        assert!(
            err.starts_with("--recipients-file r.txt line 2: not an age recipient"),
            "{err}"
        );
        let err = recipients_file("# nothing\n\n", path).expect_err("empty");
        assert!(err.contains("holds no age recipient"), "{err}");
    }

    #[test]
    fn a_passphrase_is_the_first_line_without_its_ending_and_never_empty() {
        let p = passphrase_text("two words\r\nsecond line\n", "--passphrase-file p").expect("ok");
        assert_eq!(p.expose_secret(), "two words");
        let err = passphrase_text("\nlater\n", "--passphrase-file p").expect_err("empty");
        assert_eq!(
            err,
            "--passphrase-file p: the passphrase is empty (its first line)"
        );
        assert!(passphrase_text("", "x").is_err());
    }

    #[test]
    fn the_containers_head_lines_are_short_and_end_with_a_newline() {
        let mut ok = "witness 101\nrest".as_bytes();
        assert_eq!(read_line(&mut ok).expect("a line"), "witness 101");
        let long = "x".repeat(100);
        assert!(read_line(&mut long.as_bytes()).is_err());
        assert!(read_line(&mut "no newline".as_bytes()).is_err());
    }
}
