//! Connecting HubSpot with a pasted private-app token instead of OAuth, on
//! SQLite and PostgreSQL: "Test connection" saves nothing; a good token is
//! stored encrypted and syncs what OAuth would; a token short of scopes
//! says which; a bad one is refused by name with nothing stored; a revoked
//! one marks the connection "needs re-auth" with the reason.

use serde_json::{Value, json};
use server::sync::{Trigger, Work};

use crate::{
    helpers::BACKENDS,
    sync::{assert_ok, stored},
    sync_env::{Env, env, small_opts, truth},
};

/// The scopes Tally asks HubSpot for (`providers::hubspot`), written out
/// again so a change there shows up here.
const REQUIRED: &[&str] = &[
    "crm.objects.contacts.read",
    "crm.objects.companies.read",
    "crm.objects.deals.read",
    "crm.objects.owners.read",
    "crm.lists.read",
];

async fn connect(e: &Env, body: Value) -> (u16, Value) {
    let r = e
        .admin
        .client
        .post(e.app.url("/api/v1/integrations/hubspot/connect"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn hubspot_rows(e: &Env) -> Vec<(i64, String, String, Option<String>)> {
    sqlx::query_as(
        "SELECT id, account_name, status, last_error FROM connections \
         WHERE provider = 'hubspot' AND status <> 'disconnected' ORDER BY id",
    )
    .fetch_all(&e.app.db().pool)
    .await
    .unwrap()
}

async fn secret_fields(e: &Env, id: i64) -> Vec<String> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT field FROM connection_secrets WHERE connection_id = $1 ORDER BY field",
    )
    .bind(id)
    .fetch_all(&e.app.db().pool)
    .await
    .unwrap();
    rows.into_iter().map(|(f,)| f).collect()
}

#[tokio::test]
async fn a_pasted_private_app_token_connects_syncs_and_fails_safely_when_revoked() {
    for backend in BACKENDS {
        let Some(e) = env(backend, small_opts()).await else {
            continue;
        };
        // The environment connected this portal through OAuth; the token
        // replaces that connection's secrets (same portal, same row).
        let before = hubspot_rows(&e).await;
        assert_eq!(before.len(), 1);
        let token = e.sb.private_app_token(REQUIRED);
        assert!(token.starts_with("pat-na1-"));

        // Test connection: HubSpot's answer, nothing written.
        let (status, body) = connect(&e, json!({"access_token": token, "test": true})).await;
        assert_eq!(status, 200, "{body}");
        let check = &body["token_check"];
        assert_eq!(check["account_id"], small_opts().portal_id.to_string());
        assert_eq!(check["missing"], json!([]));
        let mut required: Vec<&str> = REQUIRED.to_vec();
        required.sort_unstable();
        let mut said: Vec<String> = serde_json::from_value(check["required"].clone()).unwrap();
        said.sort();
        assert_eq!(said, required);
        assert!(body.get("connection_id").is_none(), "{body}");
        assert_eq!(hubspot_rows(&e).await, before, "a test saves nothing");
        assert_eq!(
            secret_fields(&e, before[0].0).await,
            ["access_token", "refresh_token"]
        );

        // Connect: stored encrypted, no refresh token, no expiry.
        let (status, body) = connect(&e, json!({"access_token": format!("  {token}\n")})).await;
        assert_eq!(status, 200, "{body}");
        let id = body["connection_id"].as_i64().expect("a connection id");
        assert_eq!(id, before[0].0);
        let rows = hubspot_rows(&e).await;
        assert_eq!(rows[0].2, "connected");
        assert_eq!(secret_fields(&e, id).await, ["access_token"]);
        let (expires,): (Option<i64>,) =
            sqlx::query_as("SELECT access_expires_at FROM connections WHERE id = $1")
                .bind(id)
                .fetch_one(&e.app.db().pool)
                .await
                .unwrap();
        assert_eq!(expires, None);
        let (cipher,): (String,) =
            sqlx::query_as("SELECT ciphertext FROM connection_secrets WHERE connection_id = $1")
                .bind(id)
                .fetch_one(&e.app.db().pool)
                .await
                .unwrap();
        assert!(!cipher.contains(&token), "the token is encrypted at rest");
        assert!(
            !body.to_string().contains(&token),
            "the answer never echoes it"
        );

        // A full sync with the token brings every live call the portal has.
        let run = e
            .app
            .state
            .sync
            .run(e.hubspot, Trigger::Manual, Work::Full)
            .await
            .unwrap()
            .expect("the lease was free");
        assert_ok(&e, run).await;
        let want = truth(&e.sb_base, "hubspot/calls")
            .await
            .iter()
            .filter(|c| c["archived"] == false)
            .count();
        let have = stored(&e, "calls")
            .await
            .values()
            .filter(|(deleted, _, _)| *deleted == 0)
            .count();
        assert!(want > 0, "the sandbox has calls");
        assert_eq!(have, want, "calls synced with the pasted token");

        // The private app is deleted at HubSpot: the next run is refused,
        // and the connection says a new token is needed.
        assert!(e.sb.revoke_access_token(&token));
        let run = e
            .app
            .state
            .sync
            .run(e.hubspot, Trigger::Manual, Work::Full)
            .await
            .unwrap()
            .expect("the lease was free");
        let (status, _): (String, Option<String>) =
            sqlx::query_as("SELECT status, error FROM sync_runs WHERE id = $1")
                .bind(run)
                .fetch_one(&e.app.db().pool)
                .await
                .unwrap();
        assert_eq!(status, "failed");
        let rows = hubspot_rows(&e).await;
        assert_eq!(rows[0].2, "needs_reauth");
        let reason = rows[0].3.clone().unwrap_or_default();
        assert!(
            reason.contains("refused the pasted access token"),
            "{reason}"
        );
    }
}

#[tokio::test]
async fn a_bad_or_short_token_is_refused_or_flagged_by_name() {
    for backend in BACKENDS {
        let Some(e) = env(backend, small_opts()).await else {
            continue;
        };
        let before = hubspot_rows(&e).await;

        for (token, expect) in [
            (
                "pat-na1-00000000-0000-0000-0000-000000000000",
                "HubSpot refused this access token",
            ),
            ("   ", "access_token is required"),
        ] {
            let (status, body) = connect(&e, json!({"access_token": token})).await;
            assert_eq!(status, 422, "{body}");
            let text = body.to_string();
            assert!(text.contains("access_token"), "names the field: {text}");
            assert!(text.contains(expect), "{text}");
            assert_eq!(hubspot_rows(&e).await, before, "nothing stored");
        }

        // A private app without the deals and lists scopes: the check names
        // them, and a connection made anyway says scopes are missing.
        let short: Vec<&str> = REQUIRED
            .iter()
            .copied()
            .filter(|s| !matches!(*s, "crm.objects.deals.read" | "crm.lists.read"))
            .collect();
        let token = e.sb.private_app_token(&short);
        let (status, body) = connect(&e, json!({"access_token": token, "test": true})).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            body["token_check"]["missing"],
            json!(["crm.objects.deals.read", "crm.lists.read"])
        );
        let (status, body) = connect(&e, json!({"access_token": token})).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(hubspot_rows(&e).await[0].2, "missing_scopes");
    }
}
