//! Hand-made rows in the sync tables, as the sync engine writes them, and
//! small readers of the scorecard API: what the scorecard tests build their
//! fixtures and expectations from.

use chrono::{Datelike as _, NaiveDate, TimeZone as _, Utc};
use serde_json::{Value, json};

use app::domain::{ConnectionId, OrgId};

use crate::helpers::{TestApp, TestUser};

/// Monday of the current UTC week (the test organisations use UTC, Monday).
pub(crate) fn current_week() -> NaiveDate {
    let today = Utc::now().date_naive();
    today - chrono::Days::new(u64::from(today.weekday().num_days_from_monday()))
}

pub(crate) fn ms(week: NaiveDate, day: u64, hour: u32) -> i64 {
    let date = week + chrono::Days::new(day);
    Utc.from_utc_datetime(&date.and_hms_opt(hour, 0, 0).unwrap())
        .timestamp_millis()
}

/// A typed bind value (PostgreSQL needs NULLs of the column's type).
pub(crate) enum B {
    I(Option<i64>),
    F(Option<f64>),
    S(Option<String>),
}

/// What [`i`] binds as an integer: plain numbers and the typed ids.
pub(crate) trait Int {
    fn int(self) -> Option<i64>;
}

impl Int for i64 {
    fn int(self) -> Option<i64> {
        Some(self)
    }
}

impl Int for Option<i64> {
    fn int(self) -> Option<i64> {
        self
    }
}

impl Int for OrgId {
    fn int(self) -> Option<i64> {
        Some(self.0)
    }
}

impl Int for ConnectionId {
    fn int(self) -> Option<i64> {
        Some(self.0)
    }
}

pub(crate) fn i(v: impl Int) -> B {
    B::I(v.int())
}

pub(crate) fn f(v: Option<f64>) -> B {
    B::F(v)
}

pub(crate) fn s<T: ToString>(v: impl Into<Option<T>>) -> B {
    B::S(v.into().map(|t| t.to_string()))
}

pub(crate) async fn exec(app: &TestApp, sql: &str, binds: Vec<B>) {
    let mut q = sqlx::query(sql);
    for b in binds {
        q = match b {
            B::I(v) => q.bind(v),
            B::F(v) => q.bind(v),
            B::S(v) => q.bind(v),
        };
    }
    q.execute(&app.db().pool).await.unwrap();
}

pub(crate) async fn connection(app: &TestApp, org: OrgId, provider: &str) -> ConnectionId {
    let (id,): (ConnectionId,) = sqlx::query_as(
        "INSERT INTO connections (org_id, provider, account_id, status, connected_at, created_at, updated_at) \
         VALUES ($1, $2, $3, 'connected', 0, 0, 0) RETURNING id",
    )
    .bind(org)
    .bind(provider)
    .bind(format!("{provider}-account"))
    .fetch_one(&app.db().pool)
    .await
    .unwrap();
    id
}

pub(crate) async fn person(
    app: &TestApp,
    org: OrgId,
    name: &str,
    user: Option<i64>,
    links: &[(ConnectionId, &str, &str)],
) -> i64 {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO people (org_id, name, email, user_id, created_at, updated_at) VALUES ($1, $2, $3, $4, 0, 0) RETURNING id",
    )
    .bind(org)
    .bind(name)
    .bind(format!("{}@acme.test", name.to_lowercase()))
    .bind(user)
    .fetch_one(&app.db().pool)
    .await
    .unwrap();
    for (conn, provider, external) in links {
        exec(
            app,
            "INSERT INTO person_links (org_id, connection_id, provider, external_id, person_id, source, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 'manual', 0, 0)",
            vec![i(org), i(*conn), s(*provider), s(*external), i(id)],
        )
        .await;
    }
    id
}

/// An activity row; unset fields are NULL or empty.
#[derive(Default, Clone)]
pub(crate) struct Act {
    pub kind: &'static str,
    pub ext: &'static str,
    pub owner: &'static str,
    pub occurred: Option<i64>,
    pub created: Option<i64>,
    pub start: Option<i64>,
    pub title: &'static str,
    pub body: &'static str,
    pub direction: Option<&'static str>,
    pub disposition_label: Option<&'static str>,
    pub activity_type: Option<&'static str>,
    pub outcome: Option<&'static str>,
    pub deleted: bool,
}

pub(crate) async fn activity(app: &TestApp, org: OrgId, conn: ConnectionId, a: Act) {
    exec(
        app,
        "INSERT INTO activities (org_id, connection_id, kind, external_id, owner_external_id, occurred_at, remote_created_at, start_at, \
         title, body, call_direction, disposition_label, activity_type, meeting_outcome, url, deleted, synced_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 0)",
        vec![
            i(org),
            i(conn),
            s(a.kind),
            s(a.ext),
            s(a.owner),
            i(a.occurred.or(a.start).or(a.created)),
            i(a.created.or(a.occurred)),
            i(a.start),
            s(a.title),
            s(a.body),
            s::<&str>(a.direction),
            s::<&str>(a.disposition_label),
            s::<&str>(a.activity_type),
            s::<&str>(a.outcome),
            s(format!("https://app.hubspot.test/{}/{}", a.kind, a.ext)),
            i(i64::from(a.deleted)),
        ],
    )
    .await;
}

pub(crate) async fn associate(
    app: &TestApp,
    org: OrgId,
    conn: ConnectionId,
    from_kind: &str,
    from: &str,
    contact: &str,
) {
    exec(
        app,
        "INSERT INTO associations (org_id, connection_id, from_kind, from_external_id, to_kind, to_external_id, synced_at) \
         VALUES ($1, $2, $3, $4, 'contact', $5, 0)",
        vec![i(org), i(conn), s(from_kind), s(from), s(contact)],
    )
    .await;
}

/// A deal as the sync writes it: `properties` is the raw HubSpot
/// properties object (all strings); the `amount` column mirrors
/// `properties.amount`.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn deal(
    app: &TestApp,
    org: OrgId,
    conn: ConnectionId,
    ext: &str,
    owner: &str,
    close: i64,
    won: bool,
    pipeline: &str,
    properties: Value,
) {
    let amount = properties["amount"]
        .as_str()
        .and_then(|a| a.parse::<f64>().ok());
    exec(
        app,
        "INSERT INTO deals (org_id, connection_id, external_id, name, pipeline, closed_won, amount, close_date, \
         remote_created_at, owner_external_id, url, properties, synced_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10, $11, 0)",
        vec![
            i(org),
            i(conn),
            s(ext),
            s(format!("Deal {ext}")),
            s(pipeline),
            i(i64::from(won)),
            f(amount),
            i(close),
            s(owner),
            s(format!("https://app.hubspot.test/deal/{ext}")),
            s(properties.to_string()),
        ],
    )
    .await;
}

pub(crate) async fn create(app: &TestApp, user: &TestUser, card: i64, body: Value) -> i64 {
    let url = app.url(&format!("/api/v1/scorecards/{card}/measurables"));
    let r = user.client.post(url).json(&body).send().await.unwrap();
    let status = r.status();
    let v: Value = r.json().await.unwrap();
    assert_eq!(status, 201, "{body} → {v}");
    v["id"].as_i64().unwrap()
}

pub(crate) async fn get(user: &TestUser, url: String) -> Value {
    let r = user.client.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 200, "{url}");
    r.json().await.unwrap()
}

pub(crate) fn row<'a>(card: &'a Value, name: &str) -> &'a Value {
    card["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["rows"].as_array().unwrap())
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("no row {name}"))
}

pub(crate) fn this_week(card: &Value, name: &str) -> Option<f64> {
    row(card, name)["this_week"]["value"].as_f64()
}

/// Creates an empty scorecard through the API (a manual measurable on the
/// default scorecard) and returns its id.
pub(crate) async fn first_card(app: &TestApp, admin: &TestUser) -> i64 {
    let r = admin
        .client
        .post(app.url("/api/v1/scorecards"))
        .json(&json!({"name": "Sales"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

pub(crate) async fn post(user: &TestUser, url: String, body: Value) -> (u16, Value) {
    let r = user.client.post(&url).json(&body).send().await.unwrap();
    let status = r.status().as_u16();
    let v = r.json::<Value>().await.unwrap_or(Value::Null);
    (status, v)
}

/// Creates the default template with every section owned by `person`
/// (`None`: the whole team) and returns the new scorecard's id.
pub(crate) async fn template(app: &TestApp, admin: &TestUser, person: Option<i64>) -> i64 {
    let owners: serde_json::Map<String, Value> = [
        "Inside sales",
        "Outside sales",
        "Hybrid",
        "Warm 250",
        "Reactive operations",
    ]
    .iter()
    .map(|s| ((*s).to_owned(), json!(person)))
    .collect();
    let (status, v) = post(
        admin,
        app.url("/api/v1/scorecards/template"),
        json!({ "owners": owners }),
    )
    .await;
    assert_eq!(status, 201, "{v}");
    v["id"].as_i64().unwrap()
}
