//! Fathom never says a recording was deleted: each full run reconciles the
//! synced window against a complete listing. A meeting deleted upstream is
//! marked deleted after the next run; a run whose listing fails marks
//! nothing.

use server::sync::{Trigger, Work};

use crate::{
    helpers::BACKENDS,
    sync::{assert_ok, both, control, full_run, run_status, stored},
    sync_env::{env, small_opts, truth},
};

#[tokio::test]
async fn sync_marks_meetings_deleted_in_fathom_after_a_complete_listing_only() {
    for backend in BACKENDS {
        let Some(e) = env(backend, small_opts()).await else {
            continue;
        };
        both(&e).await;
        let meetings = truth(&e.sb_base, "fathom/meetings").await;
        assert!(meetings.len() >= 2, "the sandbox has meetings");
        let gone = meetings[0]["recording_id"].as_i64().unwrap().to_string();
        let kept = meetings[1]["recording_id"].as_i64().unwrap().to_string();
        control(
            &e,
            reqwest::Method::DELETE,
            &format!("fathom/meetings/{gone}"),
            None,
        )
        .await;
        e.sb.clear_request_log();

        // The window's id listing fails (every try), after the incremental
        // listing succeeded: the run fails and marks nothing.
        let window_start = (chrono::Utc::now() - chrono::Duration::weeks(26)).format("%Y-%m-%d");
        *e.fail_matching.lock().unwrap() = Some(format!("created_after={window_start}"));
        let failed = e
            .app
            .state
            .sync
            .run(e.fathom, Trigger::Manual, Work::Full)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(run_status(&e, failed).await.0, "failed");
        let deleted = stored(&e, "fathom")
            .await
            .values()
            .filter(|m| m.0 == 1)
            .count();
        assert_eq!(deleted, 0, "a failed listing marks nothing deleted");
        let listed =
            e.sb.request_log()
                .iter()
                .filter(|r| r.path.ends_with("/meetings") && r.status == 200)
                .count();
        assert!(listed >= 1, "the incremental listing got through");
        *e.fail_matching.lock().unwrap() = None;
        e.sb.clear_faults();

        let run = full_run(&e, e.fathom).await;
        assert_ok(&e, run).await;
        let after = stored(&e, "fathom").await;
        assert_eq!(after[&gone].0, 1, "the deleted meeting is marked so");
        assert_eq!(after[&kept].0, 0, "the others stay");
        assert_eq!(
            after.values().filter(|m| m.0 == 1).count(),
            1,
            "only the deleted one"
        );
        let (deletes,): (i64,) = sqlx::query_as(
            "SELECT deleted FROM sync_run_objects WHERE run_id = $1 AND object = 'fathom_meetings'",
        )
        .bind(run)
        .fetch_one(&e.app.db().pool)
        .await
        .unwrap();
        assert_eq!(deletes, 1, "the run counts the deletion");
    }
}
