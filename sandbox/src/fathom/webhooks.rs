//! Fathom's "new meeting content ready" webhook payload.
//!
//! Exists to define what the sandbox POSTs: the Meeting object with transcript, summary and
//! action items included (as a webhook created with those `include_*` flags would send),
//! signed per Standard Webhooks by [`crate::webhooks`].

use serde_json::Value;

use super::meetings::{Includes, meeting_json};
use crate::options::SandboxOptions;
use crate::store::{FathomMeeting, Store};

/// The webhook body for a meeting.
pub fn payload(s: &Store, opts: &SandboxOptions, m: &FathomMeeting) -> Value {
    meeting_json(s, opts, m, Includes::webhook())
}
