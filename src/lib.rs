//! careline: a keyboard-driven terminal customer-care desk for call-centre operators.
//!
//! The library holds everything but the binary's entry point, so that tests and benchmarks
//! drive the same code the operators use.

pub mod cli;
pub mod config;
pub mod demo;
pub mod domain;
pub mod host;
pub mod import;
pub mod program;
pub mod report_text;
pub mod store;
pub mod text;
pub mod tui;
