//! Webhook work is in the database before the 2xx: deliveries that arrive
//! while another run holds the lease survive the process stopping, and a new
//! process on the same database lands them; an inbox item is claimed by one
//! run only. Deliveries to a URI with percent-encoded characters verify.

use std::time::Duration;

use server::sync::{Work, hubspot, inbox, runs};

use crate::{
    helpers::BACKENDS,
    sync::{assert_changes, both, change_upstream, wait_until},
    sync_env::{env, small_opts},
};

async fn inbox_len(db: &server::db::Db, connection_id: app::domain::ConnectionId) -> i64 {
    sqlx::query_as::<_, (i64,)>("SELECT COUNT(*) FROM webhook_inbox WHERE connection_id = $1")
        .bind(connection_id)
        .fetch_one(&db.pool)
        .await
        .unwrap()
        .0
}

#[tokio::test]
async fn sync_webhook_work_survives_a_restart_while_a_run_is_busy() {
    for backend in BACKENDS {
        let Some(e) = env(backend, small_opts()).await else {
            continue;
        };
        both(&e).await;
        // Another replica's run holds the HubSpot lease.
        let db = e.app.db().clone();
        assert!(
            runs::try_lease(&db, e.hubspot, "other-replica", 120_000)
                .await
                .unwrap()
        );
        e.sb.set_webhook_targets(sandbox::WebhookTargets {
            hubspot_url: Some(e.app.url("/webhooks/hubspot")),
            fathom_url: None,
        });
        let (call, deal, note) = change_upstream(&e).await;
        // Three changes, each acknowledged with a 2xx.
        wait_until("three acknowledged deliveries", || async {
            e.sb.deliveries().iter().filter(|d| d.ok).count() >= 3
        })
        .await;
        assert!(
            inbox_len(&db, e.hubspot).await >= 1,
            "the work waits in the inbox"
        );
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert!(
            !assert_changes(&e, &call, &deal, &note).await,
            "nothing ran while the lease was held"
        );

        // The process goes away with the work unprocessed.
        e.sb.set_webhook_targets(sandbox::WebhookTargets::default());
        let e = e.restart().await;
        let db = e.app.db().clone();
        runs::release_lease(&db, e.hubspot, "other-replica")
            .await
            .unwrap();
        wait_until("the queued changes after a restart", || {
            assert_changes(&e, &call, &deal, &note)
        })
        .await;
        wait_until("an empty inbox", || {
            let db = db.clone();
            let id = e.hubspot;
            async move { inbox_len(&db, id).await == 0 }
        })
        .await;
        let (webhook_runs,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM sync_runs WHERE connection_id = $1 AND triggered_by = 'webhook' \
             AND status = 'succeeded'",
        )
        .bind(e.hubspot)
        .fetch_one(&db.pool)
        .await
        .unwrap();
        assert!(webhook_runs >= 1);
    }
}

#[tokio::test]
async fn sync_inbox_items_are_claimed_by_one_run_until_the_claim_expires() {
    for backend in BACKENDS {
        let Some(e) = env(backend, small_opts()).await else {
            continue;
        };
        // Nothing drains this connection: another replica holds its lease.
        let db = e.app.db().clone();
        assert!(
            runs::try_lease(&db, e.hubspot, "other-replica", 120_000)
                .await
                .unwrap()
        );
        let calls = hubspot::kind("calls").unwrap();
        let work = Work::HubspotIds(vec![(calls, vec!["1".into()], vec![])]);
        let mut tx = db.begin().await.unwrap();
        inbox::push(&mut tx, e.hubspot, &work).await.unwrap();
        tx.commit().await.unwrap();

        let (a, b) = tokio::join!(
            inbox::claim(&db, e.hubspot, "replica-a", 400),
            inbox::claim(&db, e.hubspot, "replica-b", 400)
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a.len() + b.len(), 1, "exactly one claim got the item");
        assert!(
            inbox::claim(&db, e.hubspot, "replica-c", 400)
                .await
                .unwrap()
                .is_empty()
        );
        // A claim that is not renewed (its process died) frees the item.
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(
            inbox::claim(&db, e.hubspot, "replica-c", 400)
                .await
                .unwrap()
                .len(),
            1
        );
        inbox::done(&db, "replica-c").await.unwrap();
        assert_eq!(inbox_len(&db, e.hubspot).await, 0);
    }
}

#[tokio::test]
async fn sync_webhooks_to_a_uri_with_encoded_characters_verify() {
    for backend in BACKENDS {
        let Some(e) = env(backend, small_opts()).await else {
            continue;
        };
        both(&e).await;
        // HubSpot signs this URI with %3A, %40 and %2C decoded.
        e.sb.set_webhook_targets(sandbox::WebhookTargets {
            hubspot_url: Some(
                e.app
                    .url("/webhooks/hubspot?source=hub%3Asales%40acme%2Ceu"),
            ),
            fathom_url: None,
        });
        let (call, deal, note) = change_upstream(&e).await;
        wait_until("webhook changes", || {
            assert_changes(&e, &call, &deal, &note)
        })
        .await;
        let deliveries = e.sb.deliveries();
        assert!(!deliveries.is_empty());
        assert!(
            deliveries.iter().all(|d| d.ok),
            "every delivery was accepted: {:?}",
            deliveries.iter().map(|d| d.status).collect::<Vec<_>>()
        );
    }
}
