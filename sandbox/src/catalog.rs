//! Static HubSpot account configuration: call dispositions and deal pipelines.
//!
//! Exists so the generator and the HTTP layer agree on the same GUIDs and stage ids.

/// A call outcome: `(guid, label)`.
pub type Disposition = (&'static str, &'static str);

pub const DISP_BUSY: &str = "9d9162e7-6cf3-4944-bf63-4dff82258764";
pub const DISP_CONNECTED: &str = "f240bbac-87c9-4f6e-bf70-924b57d47db7";
pub const DISP_LIVE_MESSAGE: &str = "a4c4c377-d246-4b32-a13b-75a56a4cd0ff";
pub const DISP_VOICEMAIL: &str = "b2cf5968-551e-4856-9783-52b3da59a7d0";
pub const DISP_NO_ANSWER: &str = "73a0d17f-1163-4015-bdd5-ec830791da20";
pub const DISP_WRONG_NUMBER: &str = "17b47fee-58de-441e-a44c-c6300d46f273";
/// An account-specific (custom) outcome, like real portals have.
pub const DISP_MEETING_BOOKED: &str = "5f1c2d9e-3b7a-4c8e-9d01-6a2b4c8e0f13";

/// HubSpot's default outcomes plus one custom outcome.
pub const DISPOSITIONS: &[Disposition] = &[
    (DISP_BUSY, "Busy"),
    (DISP_CONNECTED, "Connected"),
    (DISP_LIVE_MESSAGE, "Left live message"),
    (DISP_VOICEMAIL, "Left voicemail"),
    (DISP_NO_ANSWER, "No answer"),
    (DISP_WRONG_NUMBER, "Wrong number"),
    (DISP_MEETING_BOOKED, "Meeting booked"),
];

/// A pipeline stage: `(id, label, probability, is_closed)`.
pub type Stage = (&'static str, &'static str, &'static str, bool);

/// A deal pipeline.
#[derive(Debug)]
pub struct Pipeline {
    pub id: &'static str,
    pub label: &'static str,
    /// Epoch ms; HubSpot reports 0 for the default pipeline.
    pub created: i64,
    pub stages: &'static [Stage],
}

pub const PIPELINES: &[Pipeline] = &[
    Pipeline {
        id: "default",
        label: "Sales Pipeline",
        created: 0,
        stages: &[
            (
                "appointmentscheduled",
                "Appointment Scheduled",
                "0.2",
                false,
            ),
            ("qualifiedtobuy", "Qualified To Buy", "0.4", false),
            (
                "presentationscheduled",
                "Presentation Scheduled",
                "0.6",
                false,
            ),
            (
                "decisionmakerboughtin",
                "Decision Maker Bought-In",
                "0.8",
                false,
            ),
            ("contractsent", "Contract Sent", "0.9", false),
            ("closedwon", "Closed Won", "1.0", true),
            ("closedlost", "Closed Lost", "0.0", true),
        ],
    },
    Pipeline {
        id: "84513792",
        label: "Managed Services",
        created: 1_672_531_200_000,
        stages: &[
            ("167004911", "Assessment Booked", "0.2", false),
            ("167004912", "Assessment Done", "0.5", false),
            ("167004913", "Proposal Sent", "0.7", false),
            ("167004914", "Closed Won", "1.0", true),
            ("167004915", "Closed Lost", "0.0", true),
        ],
    },
];
