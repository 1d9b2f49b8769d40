//! The HubSpot simulator: OAuth, CRM objects, search, associations, owners, pipelines,
//! lists, dispositions, rate limits and webhooks, all under `/hubspot`.
//!
//! Paths mirror `api.hubapi.com` (both `/crm/v3/...` and the date-versioned
//! `/crm/objects/2026-03/...`) plus the browser authorize page of `app.hubspot.com`.

pub mod account;
pub mod associations;
pub mod crm;
pub mod errors;
pub mod limits;
pub mod lists;
pub mod oauth;
pub mod owners;
pub mod pipelines;
pub mod properties;
pub mod scopes;
pub mod search;
pub mod webhooks;

use axum::Router;
use axum::routing::{get, post};

use crate::Sandbox;

/// HubSpot routes (state applied by the caller).
pub fn routes() -> Router<Sandbox> {
    let mut r = Router::new()
        .route(
            "/hubspot/oauth/authorize",
            get(oauth::authorize_page).post(oauth::authorize_submit),
        )
        .route(
            "/hubspot/oauth/{portal}/authorize",
            get(oauth::authorize_page).post(oauth::authorize_submit),
        )
        .route(
            "/hubspot/oauth/v1/access-tokens/{token}",
            get(oauth::access_token_info),
        )
        .route(
            "/hubspot/oauth/v1/refresh-tokens/{token}",
            get(oauth::refresh_token_info).delete(oauth::refresh_token_delete),
        )
        .route(
            "/hubspot/calling/v1/dispositions",
            get(pipelines::dispositions),
        )
        .route(
            "/hubspot/oauth/v2/private-apps/get/access-token-info",
            post(oauth::private_app_token_info),
        )
        .route("/hubspot/account-info/v3/details", get(account::details));
    for v in ["v1", "v3", "2026-03"] {
        r = r.route(&format!("/hubspot/oauth/{v}/token"), post(oauth::token));
    }
    for v in ["v3", "2026-03"] {
        r = r
            .route(
                &format!("/hubspot/oauth/{v}/token/introspect"),
                post(oauth::introspect),
            )
            .route(
                &format!("/hubspot/oauth/{v}/token/revoke"),
                post(oauth::revoke),
            );
    }
    for base in ["/hubspot/crm/v3/objects", "/hubspot/crm/objects/2026-03"] {
        r = r
            .route(&format!("{base}/{{ty}}"), get(crm::list))
            .route(&format!("{base}/{{ty}}/search"), post(search::search))
            .route(&format!("{base}/{{ty}}/batch/read"), post(crm::batch_read))
            .route(&format!("{base}/{{ty}}/{{id}}"), get(crm::get_one));
    }
    r.route(
        "/hubspot/crm/v4/objects/{from}/{id}/associations/{to}",
        get(associations::list),
    )
    .route(
        "/hubspot/crm/objects/2026-03/{from}/{id}/associations/{to}",
        get(associations::list),
    )
    .route(
        "/hubspot/crm/v4/associations/{from}/{to}/batch/read",
        post(associations::batch_read),
    )
    .route(
        "/hubspot/crm/associations/2026-03/{from}/{to}/batch/read",
        post(associations::batch_read),
    )
    .route("/hubspot/crm/v3/owners", get(owners::list))
    .route("/hubspot/crm/v3/owners/", get(owners::list))
    .route("/hubspot/crm/v3/owners/{id}", get(owners::get_one))
    .route("/hubspot/crm/owners/2026-03", get(owners::list))
    .route("/hubspot/crm/owners/2026-03/{id}", get(owners::get_one))
    .route("/hubspot/crm/v3/pipelines/{ty}", get(pipelines::list))
    .route(
        "/hubspot/crm/v3/pipelines/{ty}/{id}",
        get(pipelines::get_one),
    )
    .route(
        "/hubspot/crm/v3/pipelines/{ty}/{id}/stages",
        get(pipelines::stages),
    )
    .route("/hubspot/crm/v3/properties/{ty}", get(properties::list))
    .route(
        "/hubspot/crm/v3/properties/{ty}/{name}",
        get(properties::get_one),
    )
    .route("/hubspot/crm/v3/lists/search", post(lists::search))
    .route("/hubspot/crm/v3/lists/{id}", get(lists::get_one))
    .route(
        "/hubspot/crm/v3/lists/{id}/memberships",
        get(lists::memberships),
    )
    .route(
        "/hubspot/crm/v3/lists/object-type-id/{otid}/name/{name}",
        get(lists::by_name),
    )
}
