//! Reads that can take longer than a frame run here, on a thread with its own connection to
//! the database, so that a keystroke is never kept waiting behind them. A job is handed the
//! worker's store and returns a [`Msg`]; the message comes back to the screen's loop as an
//! event and is routed like any other. The desk's counts and the Reports pane's figures go
//! this way.

use std::sync::mpsc::{self, Sender};
use std::thread::JoinHandle;

use super::component::Msg;
use crate::store::Store;

/// A read to run off the key path.
pub type Job = Box<dyn FnOnce(&mut Store) -> Msg + Send>;

pub struct Worker {
    jobs: Option<Sender<Job>>,
    thread: Option<JoinHandle<()>>,
}

impl Worker {
    /// Starts the thread with `store` (a connection of its own, see `Store::open_another`);
    /// each job's message goes to `done`. The thread ends when the worker is dropped or
    /// `done` reports the screen gone (returns false).
    pub fn start(mut store: Store, done: impl Fn(Msg) -> bool + Send + 'static) -> Worker {
        let (jobs, queue) = mpsc::channel::<Job>();
        let thread = std::thread::Builder::new()
            .name("careline-reads".into())
            .spawn(move || {
                for job in queue {
                    if !done(job(&mut store)) {
                        break;
                    }
                }
            });
        match thread {
            Ok(thread) => Worker {
                jobs: Some(jobs),
                thread: Some(thread),
            },
            Err(e) => {
                tracing::warn!("no thread for slow reads, they run on the key path: {e}");
                Worker {
                    jobs: None,
                    thread: None,
                }
            }
        }
    }

    /// Hands a job over; false when there is no worker thread (the caller runs it itself).
    pub fn submit(&self, job: Job) -> Result<(), Job> {
        match &self.jobs {
            Some(jobs) => jobs.send(job).map_err(|e| e.0),
            None => Err(job),
        }
    }
}

impl Worker {
    /// Closes the queue and waits for the job being run (the screen quits without waiting:
    /// the process ends and a read loses nothing).
    pub fn finish(mut self) {
        self.jobs = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
