//! Events reach subscribers, and on PostgreSQL every replica.

use std::time::Duration;

use server::events::{Event, EventBus};

use crate::helpers::{BACKENDS, test_db};

async fn next(rx: &mut tokio::sync::broadcast::Receiver<Event>) -> Event {
    tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .expect("event within 5 s")
        .unwrap()
}

#[tokio::test]
async fn published_events_reach_every_replica() {
    for backend in BACKENDS {
        let Some(db) = test_db(backend).await else {
            continue;
        };
        let a = EventBus::start(&db.db, &db.url).await.unwrap();
        // A second bus on the same database stands in for a second replica.
        let b = EventBus::start(&db.db, &db.url).await.unwrap();
        let (mut rx_a, mut rx_b) = (a.subscribe(), b.subscribe());
        let (mut local_a, mut local_b) = (a.subscribe_local(), b.subscribe_local());
        let event = Event::RecordsChanged {
            org_id: app::domain::OrgId(7),
            connection_id: app::domain::ConnectionId(3),
            objects: vec!["calls".into()],
        };
        a.publish(event.clone()).await.unwrap();
        assert_eq!(
            next(&mut rx_a).await,
            event,
            "{backend:?}: the publisher hears it once"
        );
        if backend == server::db::Backend::Postgres {
            assert_eq!(next(&mut rx_b).await, event, "the other replica hears it");
        }
        assert!(
            rx_a.try_recv().is_err(),
            "{backend:?}: delivered exactly once"
        );
        assert_eq!(event.org_id(), app::domain::OrgId(7));
        assert_eq!(
            next(&mut local_a).await,
            event,
            "{backend:?}: the publisher's own work hears it"
        );
        assert!(
            local_a.try_recv().is_err(),
            "{backend:?}: once, also locally"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(
            local_b.try_recv().is_err(),
            "{backend:?}: another replica's once-per-event work does not hear it"
        );
    }
}
