//! HTML for the OAuth consent and error pages of both providers.
//!
//! Exists so the pages work without JavaScript (plain form POST) and use a relative form
//! action, so they keep working when the router is nested under any prefix.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::util::html_escape;

/// What the consent page shows and posts back.
#[derive(Debug)]
pub struct ConsentPage<'a> {
    pub brand: &'a str,
    pub app_name: &'a str,
    pub account: &'a str,
    /// Relative form action, e.g. `authorize`.
    pub action: &'a str,
    pub required: &'a [String],
    pub optional: &'a [String],
    /// Hidden fields echoed back on submit.
    pub hidden: &'a [(&'a str, String)],
}

/// The consent and error pages' stylesheet, inline. Public so a server that
/// mounts the sandbox can allow exactly this style in its Content-Security-Policy
/// (by its SHA-256) rather than every inline style.
pub const STYLE: &str = "
body{font-family:Lexend Deca,Helvetica,Arial,sans-serif;background:#f5f8fa;color:#33475b;margin:0}
header{background:#2d3e50;color:#fff;padding:12px 24px;font-weight:600}
main{max-width:560px;margin:40px auto;background:#fff;border:1px solid #cbd6e2;border-radius:4px;padding:32px}
h1{font-size:22px;margin-top:0} ul{padding-left:20px} li{margin:4px 0} code{background:#eaf0f6;padding:1px 4px}
.actions{display:flex;gap:12px;margin-top:24px}
button{font-size:14px;padding:10px 24px;border-radius:3px;border:1px solid #ff7a59;cursor:pointer}
button.approve{background:#ff7a59;color:#fff} button.deny{background:#fff;color:#ff7a59}
.error{border-left:4px solid #f2545b;padding-left:12px}
";

fn page(title: &str, body: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>{STYLE}</style></head><body><header>{title}</header><main>{body}</main></body></html>"#
    )
}

/// Renders the consent page.
pub fn consent(p: &ConsentPage<'_>) -> Response {
    let mut body = format!(
        "<h1>Connect {} to your {} account</h1><p>Account: <strong>{}</strong></p>",
        html_escape(p.app_name),
        html_escape(p.brand),
        html_escape(p.account)
    );
    body.push_str("<p>This app is requesting access to:</p><ul>");
    for s in p.required {
        body.push_str(&format!("<li><code>{}</code></li>", html_escape(s)));
    }
    body.push_str("</ul>");
    if !p.optional.is_empty() {
        body.push_str("<p>Optional access:</p><ul>");
        for s in p.optional {
            body.push_str(&format!(
                "<li><code>{}</code> (optional)</li>",
                html_escape(s)
            ));
        }
        body.push_str("</ul>");
    }
    body.push_str(&format!(
        r#"<form method="post" action="{}">"#,
        html_escape(p.action)
    ));
    for (k, v) in p.hidden {
        body.push_str(&format!(
            r#"<input type="hidden" name="{}" value="{}">"#,
            html_escape(k),
            html_escape(v)
        ));
    }
    body.push_str(
        r#"<div class="actions"><button class="approve" type="submit" name="decision" value="approve">Connect app</button><button class="deny" type="submit" name="decision" value="deny">Cancel</button></div></form>"#,
    );
    Html(page(p.brand, &body)).into_response()
}

/// Renders an error page (no redirect), as HubSpot does for a bad client or redirect URI.
pub fn error_page(brand: &str, message: &str) -> Response {
    let body = format!(
        r#"<h1>Authorization failed</h1><p class="error">{}</p>"#,
        html_escape(message)
    );
    (StatusCode::BAD_REQUEST, Html(page(brand, &body))).into_response()
}

/// Appends query parameters to a redirect URI.
pub fn redirect_with(uri: &str, params: &[(&str, &str)]) -> String {
    let q = serde_urlencoded::to_string(params).unwrap_or_default();
    let sep = if uri.contains('?') { '&' } else { '?' };
    format!("{uri}{sep}{q}")
}
