//! The property schema of each generated object type.
//!
//! Exists so "defined but unset" properties come back as `null` and unknown ones are absent,
//! as HubSpot does.

use super::Gen;
use crate::model::ObjectKind;

impl Gen {
    pub(super) fn define_schema(&mut self) {
        let schema: &[(ObjectKind, &[&str])] = &[
            (
                ObjectKind::Contacts,
                &[
                    "firstname",
                    "lastname",
                    "email",
                    "jobtitle",
                    "hs_buying_role",
                    "company",
                    "phone",
                    "lifecyclestage",
                    "hubspot_owner_id",
                    "associatedcompanyid",
                ],
            ),
            (
                ObjectKind::Companies,
                &[
                    "name",
                    "domain",
                    "industry",
                    "city",
                    "numberofemployees",
                    "hubspot_owner_id",
                    "website",
                    "phone",
                ],
            ),
            (
                ObjectKind::Deals,
                &[
                    "dealname",
                    "amount",
                    "hs_mrr",
                    "mrr",
                    "closedate",
                    "dealstage",
                    "pipeline",
                    "hubspot_owner_id",
                    "dealtype",
                    "hs_is_closed",
                    "hs_is_closed_won",
                    "description",
                ],
            ),
            (
                ObjectKind::Calls,
                &[
                    "hs_timestamp",
                    "hs_call_title",
                    "hs_call_body",
                    "hs_call_direction",
                    "hs_call_disposition",
                    "hs_call_duration",
                    "hs_call_status",
                    "hs_body_preview",
                    "hubspot_owner_id",
                    "hs_activity_type",
                ],
            ),
            (
                ObjectKind::Meetings,
                &[
                    "hs_timestamp",
                    "hs_meeting_title",
                    "hs_meeting_body",
                    "hs_meeting_start_time",
                    "hs_meeting_end_time",
                    "hs_meeting_outcome",
                    "hs_activity_type",
                    "hubspot_owner_id",
                    "hs_meeting_location",
                ],
            ),
            (
                ObjectKind::Notes,
                &["hs_timestamp", "hs_note_body", "hubspot_owner_id"],
            ),
            (
                ObjectKind::Emails,
                &[
                    "hs_timestamp",
                    "hs_email_direction",
                    "hs_email_status",
                    "hs_email_subject",
                    "hs_email_text",
                    "hs_email_to_email",
                    "hs_email_from_email",
                    "hubspot_owner_id",
                ],
            ),
            (
                ObjectKind::Tasks,
                &[
                    "hs_timestamp",
                    "hs_task_subject",
                    "hs_task_body",
                    "hs_task_status",
                    "hs_task_priority",
                    "hs_task_type",
                    "hubspot_owner_id",
                ],
            ),
        ];
        for (kind, names) in schema {
            for n in *names {
                self.s.define(*kind, n);
            }
        }
    }
}
