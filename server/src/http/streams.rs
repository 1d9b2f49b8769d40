//! A cap on the live event streams one user holds open on this replica.
//!
//! Exists because each stream is a connection and a broadcast receiver held
//! for as long as the browser likes: one user (or a stolen cookie) opening
//! thousands would starve everyone else. A tab holds one stream, so eight
//! covers anyone's desk; the ninth is answered 429 until one closes.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

/// Streams one user may hold open on one replica.
pub const PER_USER: usize = 8;

/// Open streams per user. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct StreamSlots {
    open: Arc<Mutex<HashMap<i64, usize>>>,
}

/// One open stream; dropping it frees the slot.
#[derive(Debug)]
pub struct Slot {
    slots: StreamSlots,
    user_id: i64,
}

impl StreamSlots {
    /// A slot for `user_id`, or `None` when they hold [`PER_USER`] already.
    pub fn take(&self, user_id: i64) -> Option<Slot> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let count = open.entry(user_id).or_default();
        if *count >= PER_USER {
            return None;
        }
        *count += 1;
        Some(Slot {
            slots: self.clone(),
            user_id,
        })
    }

    /// Streams `user_id` holds open now.
    pub fn open(&self, user_id: i64) -> usize {
        let open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        open.get(&user_id).copied().unwrap_or(0)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.slots.open.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(count) = open.get_mut(&self.user_id) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&self.user_id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_gets_eight_slots_and_a_closed_one_back() {
        let slots = StreamSlots::default();
        let mut held: Vec<Slot> = (0..PER_USER).map(|_| slots.take(1).unwrap()).collect();
        assert!(slots.take(1).is_none());
        assert!(slots.take(2).is_some(), "another user is not affected");
        drop(held.pop());
        assert_eq!(slots.open(1), PER_USER - 1);
        assert!(slots.take(1).is_some());
    }
}
