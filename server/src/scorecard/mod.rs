//! Scorecards on the server: storage, evaluation of synced, manual and
//! formula measurables into `measurable_weeks`, the week view, the default
//! template, and live updates.
//!
//! Reads only ever touch `measurable_weeks` (plus small definition tables);
//! raw synced records are scanned when a week is first computed, when synced
//! data changes ([`live`] reacts to `Event::RecordsChanged`) and when a
//! definition, goal or entry changes.

pub mod affected;
pub mod cell;
pub mod clock;
pub mod compute;
pub mod dashboard;
pub mod live;
pub mod preview;
pub mod service;
pub mod staleness;
pub mod store;
pub mod synced;
pub mod template;
pub mod view;
