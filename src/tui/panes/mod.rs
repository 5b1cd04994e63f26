//! The panes of the operator's screen. Each is a [`Pane`](crate::tui::component::Pane) in its
//! own file; the screen has the panes listed in [`registered`], in this order (the tab line
//! follows it).

pub mod card;
pub mod care;
pub mod complaints;
pub mod log;
pub mod lookup;

use crate::tui::component::Pane;

/// Every pane of the screen. Adding a pane is its file and one line here.
pub fn registered() -> Vec<Box<dyn Pane>> {
    vec![
        Box::new(lookup::Lookup::default()),
        Box::new(card::Card::default()),
        Box::new(log::Log::default()),
        Box::new(complaints::Complaints::default()),
        Box::new(care::Care::default()),
    ]
}
