//! The JSON every subcommand prints: one figure, as rows of the final table.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One figure's result: what `tally-bench <figure>` prints and `report` merges.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Fragment {
    /// Figure number in issue 7 ("1" … "6").
    pub figure: String,
    /// Short title.
    pub title: String,
    /// `measured`, `partial` or `not_measured`.
    pub status: String,
    /// Why a figure (or part of it) was not measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The table rows.
    pub rows: Vec<Row>,
    /// Anything else worth keeping (raw samples, tool output).
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub details: Value,
}

/// One line of the table.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Row {
    /// Figure id, e.g. "6a".
    pub id: String,
    /// What is measured.
    pub metric: String,
    /// The inputs that produced the figure (sizes, machine-independent settings).
    pub inputs: String,
    /// The figure as text (min/median/max or p50/p95/p99), or "not measured: …".
    pub result: String,
    /// The numbers behind `result`.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub values: Value,
    /// The budget or goal, as text; empty when there is none.
    pub budget: String,
    /// Whether the budget is met; `None` when there is no budget or no figure.
    pub met: Option<bool>,
}

impl Fragment {
    /// A figure whose feature is not there yet: every row says so, with no number.
    pub fn not_measured(
        figure: &str,
        title: &str,
        reason: &str,
        rows: &[(&str, &str, &str)],
    ) -> Self {
        Fragment {
            figure: figure.into(),
            title: title.into(),
            status: "not_measured".into(),
            reason: Some(reason.into()),
            rows: rows
                .iter()
                .map(|(id, metric, budget)| Row {
                    id: (*id).into(),
                    metric: (*metric).into(),
                    inputs: "—".into(),
                    result: format!("not measured: {reason}"),
                    values: Value::Null,
                    budget: (*budget).into(),
                    met: None,
                })
                .collect(),
            details: Value::Null,
        }
    }

    /// Prints the fragment as pretty JSON on stdout.
    pub fn print(&self) -> anyhow::Result<()> {
        println!("{}", serde_json::to_string_pretty(self)?);
        Ok(())
    }
}

/// Summary statistics over repeated samples.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Spread {
    pub n: usize,
    pub min: f64,
    pub median: f64,
    pub max: f64,
}

impl Spread {
    /// Min, median and max of `samples` (which must not be empty).
    pub fn of(samples: &[f64]) -> Spread {
        let mut s = samples.to_vec();
        s.sort_by(f64::total_cmp);
        let n = s.len();
        let median = if n == 0 {
            f64::NAN
        } else if n % 2 == 1 {
            s[n / 2]
        } else {
            (s[n / 2 - 1] + s[n / 2]) / 2.0
        };
        Spread {
            n,
            min: s.first().copied().unwrap_or(f64::NAN),
            median,
            max: s.last().copied().unwrap_or(f64::NAN),
        }
    }

    /// "min / median / max (n runs)" with `digits` decimals and a unit.
    pub fn text(&self, digits: usize, unit: &str) -> String {
        format!(
            "{:.d$} / {:.d$} / {:.d$} {unit} (min / median / max of {} runs)",
            self.min,
            self.median,
            self.max,
            self.n,
            d = digits
        )
    }
}

/// The `q` quantile (0..=1) of `samples` by nearest rank.
pub fn percentile(samples: &[f64], q: f64) -> f64 {
    if samples.is_empty() {
        return f64::NAN;
    }
    let mut s = samples.to_vec();
    s.sort_by(f64::total_cmp);
    let rank = (q * s.len() as f64).ceil() as usize;
    s[rank.clamp(1, s.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_and_percentiles() {
        let s = Spread::of(&[3.0, 1.0, 2.0, 10.0]);
        assert_eq!((s.min, s.median, s.max), (1.0, 2.5, 10.0));
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 0.5), 50.0);
        assert_eq!(percentile(&v, 0.95), 95.0);
        assert_eq!(percentile(&v, 0.99), 99.0);
        assert_eq!(percentile(&[7.0], 0.99), 7.0);
    }
}
