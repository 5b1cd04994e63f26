//! Screen pop: `careline pop NUMBER` hands an incoming caller's number to the same OS user's
//! running careline over a Unix socket in the runtime directory (owner-only).

use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::time::Duration;

use anyhow::{bail, Context as _, Result};

use super::event::Event;

pub const SOCKET_NAME: &str = "careline.sock";

pub fn socket_path(runtime_dir: &Path) -> PathBuf {
    runtime_dir.join(SOCKET_NAME)
}

/// Listens for pops and forwards each number to the event loop. Returns None (and says why in
/// the log) when another careline of this user already listens.
pub fn listen(runtime_dir: &Path, events: Sender<Event>) -> Option<PopListener> {
    let path = socket_path(runtime_dir);
    // The socket and its folder are the operator's: on a shared host they are made with the
    // operator's own rights, never the database group's.
    let listener = match crate::host::as_user(|| bind(runtime_dir, &path)) {
        Ok(Some(listener)) => listener,
        Ok(None) => {
            tracing::warn!(
                "screen pop goes to the careline already running ({})",
                path.display()
            );
            return None;
        }
        Err(e) => {
            tracing::warn!("screen pop disabled: {e}");
            return None;
        }
    };
    let thread_path = path.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
            let mut reader = BufReader::new(&stream);
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            let number = line
                .trim()
                .strip_prefix("pop ")
                .unwrap_or(line.trim())
                .to_string();
            let reply = if number.is_empty() || number.len() > 64 {
                "error: no number\n"
            } else if events.send(Event::Pop(number)).is_err() {
                break;
            } else {
                "ok\n"
            };
            let mut writer = &stream;
            let _ = writer.write_all(reply.as_bytes());
        }
        tracing::info!("screen pop listener on {} stopped", thread_path.display());
    });
    Some(PopListener { path })
}

/// Makes the runtime folder (owner-only) and listens on the socket in it; None when another
/// careline of this user listens there already.
fn bind(runtime_dir: &Path, path: &Path) -> std::io::Result<Option<UnixListener>> {
    let named = |what: &str, at: &Path, e: std::io::Error| {
        std::io::Error::new(e.kind(), format!("cannot {what} {}: {e}", at.display()))
    };
    std::fs::create_dir_all(runtime_dir).map_err(|e| named("create", runtime_dir, e))?;
    let _ = std::fs::set_permissions(runtime_dir, std::fs::Permissions::from_mode(0o700));
    if path.exists() {
        if UnixStream::connect(path).is_ok() {
            return Ok(None);
        }
        let _ = std::fs::remove_file(path); // left by a careline that died
    }
    let listener = UnixListener::bind(path).map_err(|e| named("listen on", path, e))?;
    if let Err(e) = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)) {
        tracing::warn!("cannot make {} owner-only: {e}", path.display());
    }
    Ok(Some(listener))
}

/// Removes the socket when the screen closes.
pub struct PopListener {
    path: PathBuf,
}

impl Drop for PopListener {
    fn drop(&mut self) {
        let _ = crate::host::as_user(|| std::fs::remove_file(&self.path));
    }
}

/// Sends a number to the running careline (`careline pop`).
pub fn send(runtime_dir: &Path, number: &str) -> Result<()> {
    let number = number.trim();
    if number.is_empty() || number.chars().any(char::is_control) {
        bail!("give the caller's number, e.g. `careline pop 13800138000`");
    }
    let path = socket_path(runtime_dir);
    let stream = crate::host::as_user(|| UnixStream::connect(&path)).with_context(|| {
        format!(
            "no careline screen is running for you (nothing listens on {})",
            path.display()
        )
    })?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut writer = &stream;
    writer.write_all(format!("pop {number}\n").as_bytes())?;
    let mut reply = String::new();
    BufReader::new(&stream)
        .read_line(&mut reply)
        .context("the running careline did not answer")?;
    match reply.trim() {
        "ok" => Ok(()),
        other => bail!("the running careline refused the pop: {other}"),
    }
}
