//! Widgets shared by the panes.

pub mod complaint_event;
pub mod form;
pub mod sla_clock;
