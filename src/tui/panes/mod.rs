//! The panes of the operator's screen.

pub mod card;
pub mod customer_form;
pub mod lookup;
