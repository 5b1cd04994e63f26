//! One stream of events for the loop: terminal input, screen pops and signals. Ticks come
//! from the loop's own timeout.

use std::sync::mpsc::Sender;

use crossterm::event::Event as TermEvent;

#[derive(Debug)]
pub enum Event {
    Term(TermEvent),
    Pop(String),
    /// A slow read finished on the worker.
    Loaded(Box<super::component::Msg>),
    /// The terminal can no longer be read (the SSH connection dropped).
    InputClosed,
}

/// Reads the terminal on its own thread.
pub fn spawn_terminal_reader(events: Sender<Event>) {
    std::thread::spawn(move || loop {
        match crossterm::event::read() {
            Ok(event) => {
                if events.send(Event::Term(event)).is_err() {
                    break;
                }
            }
            Err(e) => {
                tracing::warn!("terminal input closed: {e}");
                let _ = events.send(Event::InputClosed);
                break;
            }
        }
    });
}
