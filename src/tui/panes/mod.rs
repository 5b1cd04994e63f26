//! The panes of the operator's screen.

pub mod card;
pub mod customer_form;
pub mod interaction_form;
pub mod log;
pub mod lookup;
