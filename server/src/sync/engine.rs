//! Running syncs: the lease, run bookkeeping, progress events, the
//! scheduler and webhook-triggered runs.
//!
//! A run takes the connection's lease (one run per connection, across
//! replicas), marks any run a crash left `running` as `interrupted`, and then
//! works through the provider's steps. It renews the lease while it works;
//! if the process dies the lease simply expires and the next run resumes
//! from the committed cursors.
//!
//! Webhook work waits in the database (the inbox): a run that finds
//! the lease free claims it at once; otherwise the run holding the lease
//! drains it when it ends, and a small poller (every replica, every second)
//! picks up what another replica or a crashed process left.

use app::domain::{ConnectionId, ConnectionStatus, OrgId};
use futures::FutureExt as _;
use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicI64, Ordering},
    },
    time::Duration,
};

use anyhow::Context as _;

use super::{
    aircall, autotask,
    budget::{Budgets, Limits},
    catalogue,
    client::{Api, Auth, Counters, NeedsReauth},
    fathom,
    hubspot::{self, steps},
    inbox,
    progress::Progress,
    properties,
    runs::{self, Trigger},
    work::{Work, merge},
};
use crate::{
    db::{Db, now_ms},
    events::{Event, EventBus},
    integrations::{Integrations, TokenLease, store},
    providers::{self, Provider},
};

/// Result of asking for a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// A new run.
    Started(i64),
    /// Another run holds the lease (its id, when known).
    Busy(Option<i64>),
}

struct Inner {
    db: Db,
    integrations: Integrations,
    events: EventBus,
    budgets: Budgets,
    http: reqwest::Client,
    owner: String,
    lease_ttl_ms: AtomicI64,
    interval_ms: std::sync::atomic::AtomicU64,
    stopped: AtomicBool,
}

/// The sync engine. Cheap to clone.
#[derive(Clone)]
pub struct SyncEngine {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for SyncEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncEngine")
            .field("owner", &self.inner.owner)
            .finish_non_exhaustive()
    }
}

/// Default lease: renewed every third of it.
pub const LEASE_TTL_MS: i64 = 60_000;

impl SyncEngine {
    /// An engine; call [`SyncEngine::spawn_scheduler`] to run on a timer.
    pub fn new(
        db: Db,
        integrations: Integrations,
        events: EventBus,
        interval: Duration,
    ) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .user_agent(concat!("Tally/", env!("CARGO_PKG_VERSION")))
            .build()
            .context("building the sync HTTP client")?;
        Ok(Self {
            inner: Arc::new(Inner {
                db,
                integrations,
                events,
                budgets: Budgets::new(Limits::default()),
                http,
                owner: uuid::Uuid::new_v4().to_string(),
                lease_ttl_ms: AtomicI64::new(LEASE_TTL_MS),
                interval_ms: std::sync::atomic::AtomicU64::new(
                    u64::try_from(interval.as_millis()).unwrap_or(u64::MAX),
                ),
                stopped: AtomicBool::new(false),
            }),
        })
    }

    /// The request budgets (tests shorten their windows).
    pub fn budgets(&self) -> &Budgets {
        &self.inner.budgets
    }

    /// Sets the lease length (tests use short ones).
    pub fn set_lease_ttl_ms(&self, ms: i64) {
        self.inner
            .lease_ttl_ms
            .store(ms.max(300), Ordering::Relaxed);
    }

    /// Time between scheduled runs (zero: off).
    pub fn interval(&self) -> Duration {
        Duration::from_millis(self.inner.interval_ms.load(Ordering::Relaxed))
    }

    /// Changes the scheduling interval (tests).
    pub fn set_interval(&self, d: Duration) {
        self.inner.interval_ms.store(
            u64::try_from(d.as_millis()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
    }

    /// Stops the scheduler and the inbox poller and starts no new run, as
    /// a process that exits would (tests use it to play a crash).
    pub fn stop(&self) {
        self.inner.stopped.store(true, Ordering::SeqCst);
    }

    fn stopped(&self) -> bool {
        self.inner.stopped.load(Ordering::SeqCst)
    }

    fn ttl(&self) -> i64 {
        self.inner.lease_ttl_ms.load(Ordering::Relaxed)
    }

    /// Starts a run in the background; returns its id, or the running one's.
    pub async fn start(
        &self,
        connection_id: ConnectionId,
        trigger: Trigger,
        work: Work,
    ) -> anyhow::Result<Start> {
        let Some(run_id) = self.begin(connection_id, trigger, &work).await? else {
            return Ok(Start::Busy(
                runs::active_run(&self.inner.db, connection_id).await?,
            ));
        };
        let engine = self.clone();
        tokio::spawn(async move {
            engine.execute(connection_id, run_id, work, None).await;
        });
        Ok(Start::Started(run_id))
    }

    /// Runs to the end in the caller's task; `None` when another run holds
    /// the lease. Dropping the future mid-way is what a crash looks like.
    pub async fn run(
        &self,
        connection_id: ConnectionId,
        trigger: Trigger,
        work: Work,
    ) -> anyhow::Result<Option<i64>> {
        let Some(run_id) = self.begin(connection_id, trigger, &work).await? else {
            return Ok(None);
        };
        self.execute(connection_id, run_id, work, None).await;
        Ok(Some(run_id))
    }

    /// A provider API for one connection, counting into `counters`.
    fn api(
        &self,
        connection_id: ConnectionId,
        base: &str,
        auth: Auth,
        counters: Arc<Counters>,
    ) -> Api {
        Api {
            auth,
            base: base.trim_end_matches('/').to_owned(),
            connection_id,
            http: self.inner.http.clone(),
            tokens: Arc::new(TokenLease::new(
                self.inner.integrations.clone(),
                connection_id,
            )),
            budgets: self.inner.budgets.clone(),
            counters,
        }
    }

    /// Takes the lease and creates the run row.
    async fn begin(
        &self,
        connection_id: ConnectionId,
        trigger: Trigger,
        work: &Work,
    ) -> anyhow::Result<Option<i64>> {
        let db = &self.inner.db;
        if self.stopped()
            || !runs::try_lease(db, connection_id, &self.inner.owner, self.ttl()).await?
        {
            return Ok(None);
        }
        self.open_run(connection_id, trigger, work).await.map(Some)
    }

    /// With the lease held: closes what a crash left and creates the run row.
    async fn open_run(
        &self,
        connection_id: ConnectionId,
        trigger: Trigger,
        work: &Work,
    ) -> anyhow::Result<i64> {
        let db = &self.inner.db;
        runs::mark_interrupted(db, connection_id).await?;
        let provider = store::get(db, connection_id).await?.map(|c| c.provider);
        let total = match (work, provider) {
            (Work::Full, Some(Provider::Hubspot)) => steps::full_steps(),
            (Work::Full, Some(Provider::Autotask)) => autotask::FULL_STEPS,
            (Work::Full, Some(Provider::Aircall)) => aircall::FULL_STEPS,
            (Work::Full, _) => fathom::FULL_STEPS,
            (Work::HubspotIds(k), _) => k.len() as i64,
            (Work::FathomMeetings(_) | Work::AircallCalls(_), _) => 1,
        };
        runs::start(db, connection_id, trigger, total).await
    }

    #[tracing::instrument(skip_all, fields(connection_id = connection_id.0, run_id = run_id))]
    async fn execute(
        &self,
        connection_id: ConnectionId,
        run_id: i64,
        work: Work,
        claim: Option<String>,
    ) {
        let counters = Arc::new(Counters::default());
        let heartbeat = async {
            loop {
                tokio::time::sleep(Duration::from_millis(
                    u64::try_from(self.ttl() / 3).unwrap_or(1000),
                ))
                .await;
                match runs::renew_lease(
                    &self.inner.db,
                    connection_id,
                    &self.inner.owner,
                    self.ttl(),
                )
                .await
                {
                    Ok(true) => {}
                    Ok(false) => return "the run lost its lease".to_owned(),
                    Err(e) => tracing::warn!(error = format!("{e:#}"), "renewing a sync lease"),
                }
                if let Some(c) = &claim
                    && let Err(e) = inbox::renew(&self.inner.db, c, self.ttl()).await
                {
                    tracing::warn!(error = format!("{e:#}"), "renewing a webhook inbox claim");
                }
            }
        };
        // A bug that panics mid-run must still end the run and free the
        // lease, not leave it "running" until the lease expires.
        let steps =
            std::panic::AssertUnwindSafe(self.steps(connection_id, run_id, work, counters.clone()))
                .catch_unwind();
        let outcome = tokio::select! {
            r = steps => match r {
                Ok(r) => r.map_err(|e| {
                    if e.is::<NeedsReauth>() {
                        "the connection needs to be reconnected".to_owned()
                    } else {
                        format!("{e:#}")
                    }
                }),
                Err(_) => Err("the sync stopped on an internal error (see the server log)".to_owned()),
            },
            lost = heartbeat => Err(lost),
        };
        let db = &self.inner.db;
        let calls = counters.api_calls.load(Ordering::Relaxed);
        let throttled = counters.throttled.load(Ordering::Relaxed);
        if let Err(e) = runs::set_calls(db, run_id, calls, throttled).await {
            tracing::warn!(error = format!("{e:#}"), "saving run counters");
        }
        let error = outcome.err();
        if let Some(e) = &error {
            tracing::warn!(connection_id = connection_id.0, run_id, error = %e, "sync run failed");
        }
        if let Err(e) = runs::finish(db, run_id, connection_id, error.as_deref()).await {
            tracing::error!(error = format!("{e:#}"), "finishing a sync run");
        }
        if let Some(c) = &claim {
            let settled = if error.is_none() {
                inbox::done(db, c).await
            } else {
                inbox::failed(db, c).await
            };
            if let Err(e) = settled {
                tracing::error!(error = format!("{e:#}"), "settling webhook inbox items");
            }
        }
        if let Err(e) = runs::release_lease(db, connection_id, &self.inner.owner).await {
            tracing::error!(error = format!("{e:#}"), "releasing a sync lease");
        }
        self.progress(connection_id, run_id).await;
        if let Err(e) = self.drain(connection_id).await {
            tracing::warn!(error = format!("{e:#}"), "draining the webhook inbox");
        }
        if error.is_none()
            && let Err(e) = self.follow_up(connection_id).await
        {
            tracing::warn!(error = format!("{e:#}"), "starting a follow-up run");
        }
    }

    /// A measurable saved during the run may name properties the run did
    /// not fetch: another run fetches them now rather than at the next
    /// scheduled one. Boxed: it starts runs, and runs call it when they end.
    fn follow_up(
        &self,
        connection_id: ConnectionId,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = anyhow::Result<()>> + Send + 'static>>
    {
        let engine = self.clone();
        Box::pin(async move {
            let db = &engine.inner.db;
            let Some(conn) = store::get(db, connection_id).await? else {
                return Ok(());
            };
            if conn.provider != Provider::Hubspot {
                return Ok(());
            }
            let wanted = properties::wanted(db, conn.org_id).await?;
            if properties::unregistered(db, connection_id, &wanted).await? {
                engine
                    .start(connection_id, Trigger::Manual, Work::Full)
                    .await?;
            }
            Ok(())
        })
    }

    async fn org_of(&self, connection_id: ConnectionId) -> OrgId {
        store::get(&self.inner.db, connection_id)
            .await
            .ok()
            .flatten()
            .map(|c| c.org_id)
            .unwrap_or_default()
    }

    async fn progress(&self, connection_id: ConnectionId, run_id: i64) {
        let org_id = self.org_of(connection_id).await;
        if let Err(e) = self
            .inner
            .events
            .publish(Event::SyncProgress {
                org_id,
                connection_id,
                run_id,
            })
            .await
        {
            tracing::warn!(error = format!("{e:#}"), "publishing sync progress");
        }
    }

    /// The connection's backfill window, weeks.
    async fn backfill_weeks(&self, connection_id: ConnectionId) -> anyhow::Result<i64> {
        runs::ensure_settings(&self.inner.db, connection_id).await?;
        let (weeks,): (i64,) =
            sqlx::query_as("SELECT backfill_weeks FROM sync_settings WHERE connection_id = $1")
                .bind(connection_id)
                .fetch_one(&self.inner.db.pool)
                .await?;
        Ok(weeks)
    }

    async fn steps(
        &self,
        connection_id: ConnectionId,
        run_id: i64,
        work: Work,
        counters: Arc<Counters>,
    ) -> anyhow::Result<()> {
        let db = &self.inner.db;
        let conn = store::get(db, connection_id)
            .await?
            .with_context(|| format!("no connection {connection_id}"))?;
        if matches!(
            conn.status,
            ConnectionStatus::NeedsReauth | ConnectionStatus::Disconnected
        ) {
            return Err(NeedsReauth.into());
        }
        let provider = self.inner.integrations.provider(conn.provider);
        let auth = self.inner.integrations.request_auth(&conn).await?;
        let base = conn.api_base.as_deref().unwrap_or(&provider.urls.api_base);
        let api = self.api(connection_id, base, auth, counters.clone());
        let weeks = self.backfill_weeks(connection_id).await?;
        let org_id = conn.org_id;
        let progress = Progress::new(
            db.clone(),
            self.inner.events.clone(),
            org_id,
            connection_id,
            run_id,
            counters,
        );
        match conn.provider {
            Provider::Hubspot => {
                let ctx = hubspot::Ctx {
                    db: db.clone(),
                    api,
                    org_id,
                    connection_id,
                    portal: conn.account_id.clone(),
                    run_id,
                    backfill_weeks: weeks,
                    events: self.inner.events.clone(),
                    named: Arc::new(properties::wanted(db, org_id).await?),
                };
                match work {
                    Work::Full => steps::full(&ctx, &progress).await?,
                    Work::HubspotIds(items) => steps::ids(&ctx, &items, &progress).await?,
                    Work::FathomMeetings(_) | Work::AircallCalls(_) => {}
                }
            }
            Provider::Fathom => {
                let ctx = fathom::Ctx {
                    db: db.clone(),
                    api,
                    org_id,
                    connection_id,
                    run_id,
                    backfill_weeks: weeks,
                };
                match work {
                    Work::FathomMeetings(items) => ctx.delivered(&items, &progress).await?,
                    _ => ctx.full(&progress).await?,
                }
            }
            Provider::Autotask => {
                let ctx = autotask::Ctx {
                    db: db.clone(),
                    api,
                    org_id,
                    connection_id,
                    run_id,
                    backfill_weeks: weeks,
                };
                ctx.full(&progress).await?;
            }
            Provider::Aircall => {
                let ctx = aircall::Ctx {
                    db: db.clone(),
                    api,
                    org_id,
                    connection_id,
                    run_id,
                    backfill_weeks: weeks,
                };
                match work {
                    Work::AircallCalls(calls) => ctx.delivered(&calls, &progress).await?,
                    _ => ctx.full(&progress).await?,
                }
            }
        }
        progress.save_calls().await?;
        runs::refresh_counts(db, connection_id).await?;
        Ok(())
    }

    /// Starts a run for a connection's waiting webhook work, if the lease is
    /// free (otherwise the holder drains it when it ends, or the poller
    /// does). Boxed: it starts runs, and runs call it when they end.
    pub fn drain(
        &self,
        connection_id: ConnectionId,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = anyhow::Result<bool>> + Send + 'static>>
    {
        let engine = self.clone();
        Box::pin(async move {
            let db = &engine.inner.db;
            if engine.stopped() || !inbox::has_waiting(db, connection_id).await? {
                return Ok(false);
            }
            if !runs::try_lease(db, connection_id, &engine.inner.owner, engine.ttl()).await? {
                return Ok(false);
            }
            let claim = format!("{}:{}", engine.inner.owner, uuid::Uuid::new_v4());
            let claimed = inbox::claim(db, connection_id, &claim, engine.ttl()).await;
            let work = match claimed {
                Ok(items) if !items.is_empty() => merge(items),
                other => {
                    runs::release_lease(db, connection_id, &engine.inner.owner).await?;
                    return other.map(|_| false);
                }
            };
            let run_id = match engine
                .open_run(connection_id, Trigger::Webhook, &work)
                .await
            {
                Ok(id) => id,
                Err(e) => {
                    inbox::failed(db, &claim).await?;
                    runs::release_lease(db, connection_id, &engine.inner.owner).await?;
                    return Err(e);
                }
            };
            let e2 = engine.clone();
            tokio::spawn(async move {
                e2.execute(connection_id, run_id, work, Some(claim)).await;
            });
            Ok(true)
        })
    }

    /// Every second, starts runs for webhook work nobody holds (left by a
    /// busy run on another replica, a failed run's retry, or a crash).
    pub fn spawn_inbox_poller(&self) {
        let engine = self.clone();
        tokio::spawn(async move {
            while !engine.stopped() {
                match inbox::waiting(&engine.inner.db).await {
                    Ok(ids) => {
                        for id in ids {
                            if let Err(e) = engine.drain(id).await {
                                tracing::warn!(
                                    error = format!("{e:#}"),
                                    "draining the webhook inbox"
                                );
                            }
                        }
                    }
                    Err(e) => tracing::warn!(error = format!("{e:#}"), "reading the webhook inbox"),
                }
                let pause = Duration::from_millis(800 + rand::random::<u64>() % 400);
                tokio::time::sleep(pause).await;
            }
        });
    }

    /// Starts every due connection once, then sleeps; forever.
    pub fn spawn_scheduler(&self) {
        if self.interval().is_zero() {
            tracing::info!("scheduled syncs are off (TALLY_SYNC_INTERVAL_MINUTES=0)");
            return;
        }
        let engine = self.clone();
        tokio::spawn(async move {
            while !engine.stopped() {
                if let Err(e) = engine.tick().await {
                    tracing::warn!(error = format!("{e:#}"), "sync scheduler");
                }
                let pause = engine.interval().min(Duration::from_secs(30));
                tokio::time::sleep(pause.mul_f64(0.8 + 0.4 * rand::random::<f64>())).await;
            }
        });
    }

    /// One scheduler pass.
    pub async fn tick(&self) -> anyhow::Result<()> {
        let db = &self.inner.db;
        let now = now_ms();
        let due: Vec<(ConnectionId, String)> = sqlx::query_as(
            "SELECT c.id, c.provider FROM connections c LEFT JOIN sync_settings s ON s.connection_id = c.id \
             WHERE c.auto_sync = 1 AND c.status IN ('connected', 'degraded', 'missing_scopes') \
             AND (s.next_run_at IS NULL OR s.next_run_at <= $1)",
        )
        .bind(now)
        .fetch_all(&db.pool)
        .await?;
        let due = due.into_iter().filter_map(|(id, provider)| {
            Provider::parse(&provider)
                .is_some_and(|p| providers::spec(p).sync_ready)
                .then_some((id,))
        });
        let interval = i64::try_from(self.interval().as_millis()).unwrap_or(i64::MAX / 4);
        for (id,) in due {
            runs::ensure_settings(db, id).await?;
            let next = now + interval + (interval as f64 * 0.1 * rand::random::<f64>()) as i64;
            // Claim the slot so other replicas skip it this round.
            let claimed = sqlx::query(
                "UPDATE sync_settings SET next_run_at = $1 WHERE connection_id = $2 \
                 AND (next_run_at IS NULL OR next_run_at <= $3)",
            )
            .bind(next)
            .bind(id)
            .bind(now)
            .execute(&db.pool)
            .await?
            .rows_affected();
            if claimed == 1 {
                self.start(id, Trigger::Schedule, Work::Full).await?;
            }
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl crate::integrations::SyncEngine for SyncEngine {
    async fn sync_now(&self, connection_id: ConnectionId) -> anyhow::Result<()> {
        self.start(connection_id, Trigger::Manual, Work::Full)
            .await?;
        Ok(())
    }

    async fn refresh_properties(
        &self,
        connection_id: ConnectionId,
        objects: &[&str],
    ) -> anyhow::Result<()> {
        let conn = store::get(&self.inner.db, connection_id)
            .await?
            .with_context(|| format!("no connection {connection_id}"))?;
        if conn.provider != Provider::Hubspot {
            return Ok(());
        }
        let provider = self.inner.integrations.provider(conn.provider);
        let api = self.api(
            connection_id,
            &provider.urls.api_base,
            Auth::Bearer,
            Arc::default(),
        );
        catalogue::refresh(&api, &self.inner.db, objects).await
    }
}
