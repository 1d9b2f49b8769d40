//! Sparkline geometry for the 13-week trend column.
//!
//! Each scorecard row shows a small line chart of the last 13 weeks (one
//! quarter) so the team sees direction, not just this week's colour. This
//! module turns the weekly values into the `points` attribute of an SVG
//! `<polyline>`; it is pure so the server and the browser draw the same line.
//!
//! Values are normalised to `0..=1` between the smallest and the largest
//! value shown (if all values are equal the line sits in the middle). Missing
//! or non-finite weeks keep their horizontal slot but get no point, so
//! [`sparkline_points`] draws straight across a gap, while
//! [`sparkline_segments`] breaks the line there.

/// Scales values linearly to `0..=1` (smallest → 0, largest → 1).
///
/// Missing and non-finite values stay `None`. If all present values are
/// equal they all map to 0.5.
pub fn normalise(values: &[Option<f64>]) -> Vec<Option<f64>> {
    let present = values.iter().flatten().copied().filter(|v| v.is_finite());
    let (min, max) = present.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let range = max - min;
    values
        .iter()
        .map(|v| {
            let v = v.filter(|v| v.is_finite())?;
            if range > 0.0 && range.is_finite() {
                Some(((v - min) / range).clamp(0.0, 1.0))
            } else if range.is_finite() {
                Some(0.5)
            } else {
                // The span overflows f64 (values near ±f64::MAX): scale each
                // side separately to stay finite.
                Some((0.5 * v / max.abs().max(min.abs()) + 0.5).clamp(0.0, 1.0))
            }
        })
        .collect()
}

/// Formats a coordinate with at most two decimals and no trailing zeros.
fn coord(x: f64) -> String {
    let s = format!("{x:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_owned()
    } else {
        s.to_owned()
    }
}

/// The points of each week, `None` for missing weeks. Week `i` of `n` sits
/// at `x = i × width / (n − 1)` (a single week is centred); `y` grows
/// downwards as in SVG, so the largest value is at `y = 0`.
fn points(values: &[Option<f64>], width: f64, height: f64) -> Vec<Option<(f64, f64)>> {
    if !(width.is_finite() && height.is_finite() && width > 0.0 && height > 0.0) {
        return Vec::new();
    }
    let n = values.len();
    let step = if n > 1 { width / (n - 1) as f64 } else { 0.0 };
    normalise(values)
        .into_iter()
        .enumerate()
        .map(|(i, t)| {
            let x = if n > 1 { i as f64 * step } else { width / 2.0 };
            t.map(|t| (x, height * (1.0 - t)))
        })
        .collect()
}

fn join(points: &[(f64, f64)]) -> String {
    points
        .iter()
        .map(|(x, y)| format!("{},{}", coord(*x), coord(*y)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// SVG polyline `points` for the weekly `values` in a `width × height` box,
/// e.g. `"0,40 10,20 20,0"`. Missing weeks are skipped (the line bridges
/// them). Empty when there is nothing to draw or the box is not positive.
pub fn sparkline_points(values: &[Option<f64>], width: f64, height: f64) -> String {
    let present: Vec<(f64, f64)> = points(values, width, height)
        .into_iter()
        .flatten()
        .collect();
    join(&present)
}

/// Like [`sparkline_points`] but split into one polyline per run of
/// consecutive weeks with values, so missing weeks show as gaps. A run of a
/// single week yields a single point (draw it as a dot).
pub fn sparkline_segments(values: &[Option<f64>], width: f64, height: f64) -> Vec<String> {
    points(values, width, height)
        .split(Option::is_none)
        .filter(|run| !run.is_empty())
        .map(|run| join(&run.iter().flatten().copied().collect::<Vec<_>>()))
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn normalises_to_unit_range() {
        assert_eq!(
            normalise(&[Some(10.0), Some(20.0), None, Some(15.0)]),
            vec![Some(0.0), Some(1.0), None, Some(0.5)]
        );
        assert_eq!(
            normalise(&[Some(3.0), Some(3.0)]),
            vec![Some(0.5), Some(0.5)]
        );
        assert_eq!(normalise(&[None, Some(f64::NAN)]), vec![None, None]);
        assert_eq!(
            normalise(&[Some(-5.0), Some(5.0)]),
            vec![Some(0.0), Some(1.0)]
        );
        let extreme = normalise(&[Some(-f64::MAX), Some(f64::MAX)]);
        assert_eq!(extreme, vec![Some(0.0), Some(1.0)]);
        assert!(normalise(&[]).is_empty());
    }

    #[test]
    fn polyline_points() {
        let values = [Some(10.0), Some(20.0), Some(15.0)];
        assert_eq!(sparkline_points(&values, 100.0, 40.0), "0,40 50,0 100,20");
        // Thirteen weeks with a gap; x positions keep their slot.
        let mut weeks = vec![Some(1.0); 13];
        weeks[0] = Some(0.0);
        weeks[6] = None;
        weeks[12] = Some(2.0);
        let pts = sparkline_points(&weeks, 120.0, 30.0);
        let parts: Vec<&str> = pts.split(' ').collect();
        assert_eq!(parts.len(), 12);
        assert_eq!(parts[0], "0,30");
        assert_eq!(parts[5], "50,15");
        assert_eq!(parts[6], "70,15");
        assert_eq!(parts[11], "120,0");
    }

    #[test]
    fn flat_and_degenerate_inputs() {
        assert_eq!(
            sparkline_points(&[Some(5.0); 3], 10.0, 10.0),
            "0,5 5,5 10,5"
        );
        assert_eq!(sparkline_points(&[Some(5.0)], 10.0, 10.0), "5,5");
        assert_eq!(sparkline_points(&[], 10.0, 10.0), "");
        assert_eq!(sparkline_points(&[None, None], 10.0, 10.0), "");
        assert_eq!(sparkline_points(&[Some(1.0), Some(2.0)], 0.0, 10.0), "");
        assert_eq!(
            sparkline_points(&[Some(1.0), Some(2.0)], 10.0, f64::NAN),
            ""
        );
        assert_eq!(
            sparkline_points(&[Some(0.0), Some(1.0), Some(3.0)], 10.0, 3.0),
            "0,3 5,2 10,0"
        );
        assert_eq!(
            sparkline_points(&[Some(0.0), Some(1.0), Some(2.0)], 1.0, 1.0),
            "0,1 0.5,0.5 1,0"
        );
        assert_eq!(
            sparkline_points(&[Some(0.0), Some(1.0), Some(2.0), Some(3.0)], 1.0, 1.0),
            "0,1 0.33,0.67 0.67,0.33 1,0"
        );
    }

    #[test]
    fn segments_break_at_gaps() {
        let values = [Some(0.0), Some(2.0), None, Some(1.0), None, None];
        assert_eq!(
            sparkline_segments(&values, 50.0, 10.0),
            vec!["0,10 10,0".to_owned(), "30,5".to_owned()]
        );
        assert!(sparkline_segments(&[None], 50.0, 10.0).is_empty());
    }
}
