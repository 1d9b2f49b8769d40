//! The one way Tally renders a `<textarea>` holding user text.
//!
//! Exists because Leptos's server rendering (tachys 0.2) writes the children
//! of `<textarea>` without HTML escaping: it files textarea with `<script>`,
//! `<style>` and `<noscript>` as elements whose children are not escaped
//! (`ESCAPE_CHILDREN = false`). But the HTML parser reads a textarea's content
//! as escapable raw text (RCDATA): character references are decoded, and the
//! first `</textarea>` ends the element whatever came before. A note holding
//! `</textarea><img src=x onerror=…>` therefore closed the textarea in the
//! server HTML and ran its script in whoever opened the cell page.
//!
//! Here the text is escaped once, by [`escape_rcdata`], and set as the
//! element's inner HTML rather than as a child: the server writes it as is,
//! and in the browser `innerHTML` on a textarea is parsed in the RCDATA state,
//! which decodes it back to the same text. Hydration leaves it alone (there is
//! no text node to match). `clippy.toml` forbids `<textarea>`, `<script>`,
//! `<style>`, `<noscript>` and `inner_html` everywhere else (clippy sees
//! through the `view!` macro), so no other view can reintroduce the bug.

use leptos::prelude::*;

/// HTML-escapes text for the content of an escapable raw-text element
/// (`<textarea>`, `<title>`): `&`, `<` and `>`. Quotes need no escaping
/// there.
pub fn escape_rcdata(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// A `<textarea name=…>` showing `value`, escaped. Other attributes pass
/// through with `attr:`, e.g. `<TextArea name="note" value=v attr:rows="2"/>`.
#[component]
#[allow(clippy::disallowed_methods)] // The one sanctioned textarea, escaped.
pub fn TextArea(
    /// The form field name.
    name: &'static str,
    /// The text shown (and submitted unless edited).
    #[prop(into)]
    value: String,
) -> impl IntoView {
    view! { <textarea name=name inner_html=escape_rcdata(&value)></textarea> }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_escaped_and_plain_text_kept() {
        assert_eq!(
            escape_rcdata(r#"</textarea><img src=x onerror="a&b">"#),
            r#"&lt;/textarea&gt;&lt;img src=x onerror="a&amp;b"&gt;"#
        );
        assert_eq!(
            escape_rcdata("Holiday week, 3 reps out"),
            "Holiday week, 3 reps out"
        );
        assert_eq!(escape_rcdata("&amp;"), "&amp;amp;");
    }
}
