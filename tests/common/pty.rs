//! The real `careline` binary in a pseudo-terminal at 80×24: a demo desk in its own folders,
//! its command line, and a screen driven by keystrokes and read back through a terminal
//! emulator (vt100), for the end-to-end tests.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{native_pty_system, Child, CommandBuilder, MasterPty, PtySize};

use careline::store::{Actor, Customer, OpenOptions, Store};

pub const BIN: &str = env!("CARGO_BIN_EXE_careline");

/// How long a screen may take to show what a test waits for.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// A desk in a temporary folder: `careline init`, then 300 demo customers (seed 4), all by
/// the OS login running the tests.
pub struct Desk {
    _dir: tempfile::TempDir,
    pub home: PathBuf,
    pub db: PathBuf,
}

impl Desk {
    pub fn new() -> Desk {
        let dir = tempfile::tempdir().expect("dir");
        let home = dir.path().to_path_buf();
        let db = home.join("desk.db");
        let desk = Desk {
            _dir: dir,
            home,
            db,
        };
        desk.cli(&["init"]);
        desk.cli(&["demo", "--customers", "300", "--seed", "4"]);
        desk
    }

    pub fn envs(&self) -> Vec<(&'static str, PathBuf)> {
        vec![
            ("XDG_DATA_HOME", self.home.join("data")),
            ("XDG_CONFIG_HOME", self.home.join("config")),
            ("XDG_RUNTIME_DIR", self.home.join("run")),
        ]
    }

    /// Runs `careline --db DESK ARGS` and insists on success.
    pub fn cli(&self, args: &[&str]) -> std::process::Output {
        let out = Command::new(BIN)
            .arg("--db")
            .arg(&self.db)
            .args(args)
            .envs(self.envs())
            .env_remove("CARELINE_DB")
            .output()
            .expect("run careline");
        assert!(
            out.status.success(),
            "careline {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// [`Desk::cli`] with `--json` output read back.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.cli(args);
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "careline {args:?} printed no JSON ({e}):\n{}",
                String::from_utf8_lossy(&out.stdout)
            )
        })
    }

    /// The screen started in a new 80×24 pseudo-terminal with `args`: the process and the
    /// terminal's master side.
    pub fn spawn(
        &self,
        args: &[&str],
    ) -> (Box<dyn Child + Send + Sync>, Box<dyn MasterPty + Send>) {
        std::fs::create_dir_all(self.home.join("run")).expect("run dir");
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: 24,
                cols: 80,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("pty");
        let mut cmd = CommandBuilder::new(BIN);
        cmd.arg("--db");
        cmd.arg(&self.db);
        cmd.args(args);
        for (k, v) in self.envs() {
            cmd.env(k, v);
        }
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("CARELINE_DB");
        let child = pty.slave.spawn_command(cmd).expect("spawn careline");
        drop(pty.slave);
        (child, pty.master)
    }

    /// The screen in `lang` with the `mono` theme (selection in reverse video), read by a
    /// thread into the emulator as it draws.
    pub fn screen(&self, lang: &str) -> Screen {
        let (child, master) = self.spawn(&["--lang", lang, "--theme", "mono"]);
        let parser = Arc::new(Mutex::new(vt100::Parser::new(24, 80, 0)));
        let mut reader = master.try_clone_reader().expect("reader");
        let feed = Arc::clone(&parser);
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                if let Ok(mut p) = feed.lock() {
                    p.process(&buf[..n]);
                }
            }
        });
        let writer = master.take_writer().expect("writer");
        Screen {
            parser,
            writer,
            child,
            _master: master,
        }
    }

    /// The desk's database through the store, as the OS login that ran `init` (its admin,
    /// and the operator of every screen started here). Each read sees the latest commit.
    pub fn store(&self) -> (Store, Actor) {
        let store = Store::open(&self.db, OpenOptions::default()).expect("the desk opens");
        let me = store
            .actor(&super::login(), None)
            .expect("the desk's admin");
        (store, me)
    }

    pub fn customers(&self) -> Vec<Customer> {
        let (store, me) = self.store();
        super::every_customer(&store, &me)
    }
}

pub struct Screen {
    pub parser: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
    pub child: Box<dyn Child + Send + Sync>,
    _master: Box<dyn MasterPty + Send>,
}

impl Screen {
    pub fn text(&self) -> String {
        self.parser
            .lock()
            .map(|p| p.screen().contents())
            .unwrap_or_default()
    }

    /// Waits until the screen shows `needle` (ignoring the spaces wide characters leave).
    pub fn wait_for(&self, needle: &str) -> String {
        self.wait_for_within(needle, PATIENCE)
    }

    /// [`Screen::wait_for`] with its own deadline.
    pub fn wait_for_within(&self, needle: &str, patience: Duration) -> String {
        let deadline = Instant::now() + patience;
        loop {
            let text = self.text();
            if text.contains(needle) || text.replace(' ', "").contains(&needle.replace(' ', "")) {
                return text;
            }
            if Instant::now() > deadline {
                panic!("screen never showed {needle:?}; it shows:\n{text}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The text drawn in reverse video on screen row `row` (0 is the top), each run of
    /// reversed cells trimmed: with the `mono` theme, what is selected there.
    pub fn reversed_on_row(&self, row: u16) -> Vec<String> {
        let Ok(parser) = self.parser.lock() else {
            return Vec::new();
        };
        let screen = parser.screen();
        let (_, cols) = screen.size();
        let mut runs = Vec::new();
        let mut run = String::new();
        for col in 0..cols {
            match screen.cell(row, col) {
                // The second cell of a wide character carries no attributes of its own.
                Some(cell) if cell.is_wide_continuation() => {}
                Some(cell) if cell.inverse() => run.push_str(cell.contents()),
                _ => {
                    if !run.trim().is_empty() {
                        runs.push(run.trim().to_string());
                    }
                    run.clear();
                }
            }
        }
        if !run.trim().is_empty() {
            runs.push(run.trim().to_string());
        }
        runs
    }

    /// The screen row (0 is the top) whose text contains `needle`, if one does.
    pub fn row_with(&self, needle: &str) -> Option<u16> {
        let parser = self.parser.lock().ok()?;
        let screen = parser.screen();
        let (rows, cols) = screen.size();
        (0..rows).find(|&r| {
            screen
                .contents_between(r, 0, r, cols)
                .replace(' ', "")
                .contains(&needle.replace(' ', ""))
        })
    }

    pub fn send(&mut self, bytes: &str) {
        self.writer.write_all(bytes.as_bytes()).expect("write");
        self.writer.flush().expect("flush");
        // Esc followed at once by a key would read as Alt-key; give each write its own read.
        std::thread::sleep(Duration::from_millis(120));
    }

    pub fn wait_exit(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                assert!(status.success(), "careline exited with {status:?}");
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("careline did not exit; screen:\n{}", self.text());
    }

    pub fn kill_hard(&mut self) {
        if let Some(pid) = self.child.process_id() {
            unsafe {
                libc::kill(pid as i32, libc::SIGKILL);
            }
        }
        let _ = self.child.wait();
    }
}

/// Keys as an xterm sends them.
pub mod keys {
    pub const ENTER: &str = "\r";
    pub const TAB: &str = "\t";
    pub const ESC: &str = "\x1b";
    pub const CTRL_C: &str = "\x03";
    pub const CTRL_S: &str = "\x13";
    pub const RIGHT: &str = "\x1b[C";
    pub const LEFT: &str = "\x1b[D";
    pub const DOWN: &str = "\x1b[B";
    pub const F3: &str = "\x1bOR";
    pub const F4: &str = "\x1bOS";
}
