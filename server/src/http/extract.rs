//! The REST API's extractors: the authenticated viewer with its role checks,
//! and JSON bodies whose refusals speak the API's error envelope.
//!
//! Exists so the `/api/v1` modules (accounts in `api_v1`, connections, sync,
//! scorecards) share one extractor without importing each other; the role
//! rules themselves are `Viewer::require_manager` / `require_admin` in `app`,
//! the same ones server functions use.

use app::{domain::Viewer, error::ApiError};
use axum::{
    Json,
    extract::{
        FromRequest, FromRequestParts, OptionalFromRequest, Request, rejection::JsonRejection,
    },
    http::request::Parts,
    response::{IntoResponse, Response},
};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::error::JsonError;

/// The signed-in viewer of an API request, or a 401.
#[derive(Debug)]
pub struct ApiViewer(pub Viewer);

impl<S: Send + Sync> FromRequestParts<S> for ApiViewer {
    type Rejection = JsonError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Viewer>()
            .cloned()
            .map(ApiViewer)
            .ok_or(JsonError(ApiError::Unauthorized))
    }
}

impl ApiViewer {
    /// The viewer if they may manage integrations and scorecards, else a 403.
    pub fn manager(self) -> Result<Viewer, JsonError> {
        Ok(self.0.require_manager()?)
    }

    /// The viewer if they are an admin, else a 403.
    pub fn admin(self) -> Result<Viewer, JsonError> {
        Ok(self.0.require_admin()?)
    }
}

/// A JSON request body. A body that is not JSON, too large, or not sent as
/// `Content-Type: application/json` is answered in the API's JSON error
/// envelope with the decoder's explanation at the status axum chose (400,
/// 413 or 415); JSON of the wrong shape is a 422 naming the field at fault
/// (`source.filters.keywords`), as every other refusal does.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

/// Why a JSON body was refused.
#[derive(Debug)]
pub enum BodyRejection {
    /// Not readable as JSON at all.
    Unreadable(JsonRejection),
    /// JSON, but not the shape expected.
    Shape(JsonError),
}

impl IntoResponse for BodyRejection {
    fn into_response(self) -> Response {
        match self {
            BodyRejection::Shape(e) => e.into_response(),
            BodyRejection::Unreadable(e) => {
                let body = serde_json::json!({
                    "error": "invalid_body",
                    "message": e.body_text(),
                    "field": "body",
                });
                (e.status(), Json(body)).into_response()
            }
        }
    }
}

/// Decodes JSON into `T`, naming the field at fault when it does not fit.
pub fn decode<T: DeserializeOwned>(body: Value) -> Result<T, JsonError> {
    serde_path_to_error::deserialize::<_, T>(body).map_err(|e| {
        let path = e.path().to_string();
        let field = if path.is_empty() || path == "." {
            "body".to_owned()
        } else {
            path
        };
        JsonError(ApiError::invalid(&field, e.into_inner().to_string()))
    })
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = BodyRejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let Json(value) = <Json<Value> as FromRequest<S>>::from_request(req, state)
            .await
            .map_err(BodyRejection::Unreadable)?;
        decode(value).map(JsonBody).map_err(BodyRejection::Shape)
    }
}

impl<T: DeserializeOwned, S: Send + Sync> OptionalFromRequest<S> for JsonBody<T> {
    type Rejection = BodyRejection;

    async fn from_request(req: Request, state: &S) -> Result<Option<Self>, Self::Rejection> {
        let value = <Json<Value> as OptionalFromRequest<S>>::from_request(req, state)
            .await
            .map_err(BodyRejection::Unreadable)?;
        match value {
            None => Ok(None),
            Some(Json(value)) => decode(value)
                .map(|v| Some(JsonBody(v)))
                .map_err(BodyRejection::Shape),
        }
    }
}
