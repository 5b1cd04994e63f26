//! The `careline` binary: parse the command line, log to a file, run, report failures in one
//! line on standard error.

use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::process::ExitCode;

use careline::cli::{parse, run};
use careline::config::Paths;

/// mimalloc instead of the system allocator: the demo generator builds rows on one thread and
/// SQLite frees them on another, and glibc's arenas lock on every such free.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Sends tracing to `careline.log` in the data directory (on a shared host, the host's log
/// directory), never to the terminal. A log that cannot be opened is not a reason to refuse
/// work.
fn start_logging(paths: &Paths) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let file = if careline::host::privileged() {
        host_log()?
    } else {
        own_log(paths)?
    };
    let (writer, guard) = tracing_appender::non_blocking(file);
    let filter = tracing_subscriber::EnvFilter::try_from_env("CARELINE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()?;
    Some(guard)
}

/// The operator's own log, in their data directory.
fn own_log(paths: &Paths) -> Option<std::fs::File> {
    let dir = paths.data_dir.clone();
    std::fs::create_dir_all(&dir).ok()?;
    // The log can quote customers' names and numbers: readable by its owner only, as the
    // database is. A log made by an older careline is narrowed to the same.
    let path = dir.join("careline.log");
    let file = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o600)
        .open(&path)
        .ok()?;
    if file
        .metadata()
        .is_ok_and(|m| m.permissions().mode() & 0o077 != 0)
    {
        let _ = file.set_permissions(std::fs::Permissions::from_mode(0o600));
    }
    Some(file)
}

/// On a shared host, the host's log, which `careline host setup` made for the group: never
/// created here (it would be the operator's), never in the operator's folders.
fn host_log() -> Option<std::fs::File> {
    let host = careline::host::HostPaths::of_this_binary().ok()?;
    std::fs::OpenOptions::new()
        .append(true)
        .open(host.log_file())
        .ok()
}

fn main() -> ExitCode {
    careline::program::note_started_as(std::env::args_os().next().as_deref());
    if careline::host::privileged() {
        careline::cli::host::ignore_user_environment();
    }
    let cli = parse();
    if cli.command.is_some() {
        // A command piped into `head` stops quietly, as other Unix tools do. The screen keeps
        // the default of ignoring it: a screen-pop client hanging up must not end the screen.
        // SAFETY: setting a signal disposition before any thread starts.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        }
    }
    let _guard = start_logging(&Paths::discover());
    // Many operators write to one log on a shared host: each line says whose careline wrote it
    // (the real user, as the operator is taken from it).
    let _user = careline::host::privileged().then(|| {
        let user = careline::config::os_login().unwrap_or_else(|| {
            // SAFETY: getuid cannot fail.
            format!("uid {}", unsafe { libc::getuid() })
        });
        tracing::info_span!("careline", user = %user).entered()
    });
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            // Not eprintln!: when the terminal has hung up (the SSH session dropped) standard
            // error is gone too, and eprintln! would panic on the failed write.
            let _ = writeln!(std::io::stderr(), "careline: {e:#}");
            ExitCode::FAILURE
        }
    }
}
