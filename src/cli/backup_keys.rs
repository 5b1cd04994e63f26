//! The keys of encrypted backups on the command line: `backup --recipient/--recipients-file/
//! --passphrase/--passphrase-file`, and `restore`/`check --backup` with `--identity` or a
//! passphrase. Every file named here is read with the rights of whoever runs careline (on a
//! shared host, never the database group's).

use std::io::Read as _;
use std::path::{Path, PathBuf};

use age::secrecy::SecretString;
use anyhow::{anyhow, bail, Result};
use clap::Args;

use crate::store::{BackupKey, Encrypted, Encryption};

#[derive(Debug, Args)]
pub struct EncryptArgs {
    /// Encrypt the backup to this age recipient (age1…, as `age-keygen` prints it); repeat
    /// for more. Only an identity of one of them opens it: keep the identity off this host.
    #[arg(long = "recipient", value_name = "AGE_RECIPIENT")]
    pub recipients: Vec<String>,
    /// Encrypt to every age recipient in this file: one age1… a line, # comments (as
    /// age -R); repeatable.
    #[arg(long = "recipients-file", value_name = "PATH")]
    pub recipients_files: Vec<PathBuf>,
    /// Encrypt with a passphrase asked on the terminal (twice).
    #[arg(long, conflicts_with_all = ["recipients", "recipients_files", "passphrase_file"])]
    pub passphrase: bool,
    /// Encrypt with the passphrase on the first line of this file (for cron; the file must be
    /// its owner's alone, chmod 600), or - to read it from standard input.
    #[arg(long, value_name = "PATH", conflicts_with_all = ["recipients", "recipients_files"])]
    pub passphrase_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct KeyArgs {
    /// An age identity file that opens an encrypted backup (AGE-SECRET-KEY-1…, as age -i);
    /// repeatable.
    #[arg(long = "identity", value_name = "PATH")]
    pub identities: Vec<PathBuf>,
    /// The passphrase of an encrypted backup, on the first line of this file (its owner's
    /// alone), or - for standard input. Without it or --identity, a backup encrypted with a
    /// passphrase asks for it on the terminal.
    #[arg(long, value_name = "PATH", conflicts_with = "identities")]
    pub passphrase_file: Option<PathBuf>,
}

/// How `backup` is to encrypt, from its options: none when none was given.
pub fn encryption(args: &EncryptArgs) -> Result<Option<Encryption>> {
    if args.passphrase {
        return Ok(Some(Encryption::Passphrase(ask_new_passphrase()?)));
    }
    if let Some(path) = &args.passphrase_file {
        return Ok(Some(Encryption::Passphrase(passphrase_from(path)?)));
    }
    let mut recipients = Vec::new();
    for text in &args.recipients {
        // Named in a message unless it is a secret key given by mistake.
        let given = if text.trim().starts_with("AGE-SECRET-KEY-") {
            "--recipient".to_string()
        } else {
            format!("--recipient {text:.80}")
        };
        recipients.push(crate::store::parse_recipient(text, &given).map_err(|e| anyhow!(e))?);
    }
    for path in &args.recipients_files {
        let text = crate::host::as_user(|| std::fs::read_to_string(path))
            .map_err(|e| anyhow!("--recipients-file {}: {e}", path.display()))?;
        recipients.extend(crate::store::recipients_file(&text, path).map_err(|e| anyhow!(e))?);
    }
    if recipients.is_empty() {
        return Ok(None);
    }
    // The same recipient named twice is one recipient.
    let mut seen = std::collections::HashSet::new();
    recipients.retain(|r| seen.insert(r.to_string()));
    Ok(Some(Encryption::Recipients(recipients)))
}

/// What opens the backup at `backup`, from the options (or asked on the terminal for a
/// backup encrypted with a passphrase): none for a plain backup.
pub fn key_for(backup: &Path, args: &KeyArgs) -> Result<Option<BackupKey>> {
    if !args.identities.is_empty() {
        let mut identities = Vec::new();
        for path in &args.identities {
            let bytes = crate::host::as_user(|| std::fs::read(path))
                .map_err(|e| anyhow!("--identity {}: {e}", path.display()))?;
            identities.extend(crate::store::identity_file(&bytes, path).map_err(|e| anyhow!(e))?);
        }
        return Ok(Some(BackupKey::Identities {
            files: args.identities.clone(),
            identities,
        }));
    }
    if let Some(path) = &args.passphrase_file {
        return Ok(Some(BackupKey::Passphrase(passphrase_from(path)?)));
    }
    // Asked only when the backup says it needs one; any other case the store explains.
    if backup.exists()
        && crate::store::backup_encryption(backup)
            .map_err(|why| anyhow!("cannot open {}: {why}", backup.display()))?
            == Some(Encrypted::Passphrase)
    {
        let asked = rpassword::prompt_password(format!(
            "Passphrase of the encrypted backup {}: ",
            backup.display()
        ))
        .map_err(|e| no_terminal(e, "--passphrase-file PATH"))?;
        let passphrase =
            crate::store::passphrase_text(&asked, "the passphrase").map_err(|e| anyhow!(e))?;
        return Ok(Some(BackupKey::Passphrase(passphrase)));
    }
    Ok(None)
}

/// A new backup's passphrase, asked twice on the terminal.
fn ask_new_passphrase() -> Result<SecretString> {
    use age::secrecy::ExposeSecret as _;
    let first = rpassword::prompt_password("Passphrase for the backup: ")
        .map_err(|e| no_terminal(e, "--passphrase-file PATH"))?;
    let passphrase =
        crate::store::passphrase_text(&first, "--passphrase").map_err(|e| anyhow!(e))?;
    let again = rpassword::prompt_password("The same passphrase again: ")
        .map_err(|e| no_terminal(e, "--passphrase-file PATH"))?;
    if again.lines().next().unwrap_or("") != passphrase.expose_secret() {
        bail!("--passphrase: the two passphrases differ; nothing was written");
    }
    Ok(passphrase)
}

fn no_terminal(e: std::io::Error, instead: &str) -> anyhow::Error {
    anyhow!("the passphrase is asked on the terminal, and it could not be ({e}); for scripts give it with {instead}")
}

/// The passphrase on the first line of the file at `path` (`-`: standard input). The file
/// must be its owner's alone: a passphrase others may read protects nothing.
fn passphrase_from(path: &Path) -> Result<SecretString> {
    let given = format!("--passphrase-file {}", path.display());
    let mut text = String::new();
    if path == Path::new("-") {
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| anyhow!("{given}: cannot read standard input: {e}"))?;
    } else {
        use std::os::unix::fs::PermissionsExt as _;
        let mut file = crate::host::as_user(|| std::fs::File::open(path))
            .map_err(|e| anyhow!("{given}: {e}"))?;
        let mode = file
            .metadata()
            .map_err(|e| anyhow!("{given}: {e}"))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            bail!(
                "{given}: others than its owner may read or write it (mode {:o}); make it the owner's alone: chmod 600 {}",
                mode & 0o777,
                path.display()
            );
        }
        file.read_to_string(&mut text)
            .map_err(|e| anyhow!("{given}: {e}"))?;
    }
    crate::store::passphrase_text(&text, &given).map_err(|e| anyhow!(e))
}
