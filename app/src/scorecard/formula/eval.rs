//! Evaluating an [`Expr`] and listing the measurables it references.
//!
//! Exists apart from parsing because evaluation is where the language's
//! promise of totality is kept: every way a value can go missing or stop
//! being finite ends in `None` here, and nowhere else.

use std::collections::HashSet;

use crate::domain::MeasurableId;

use super::{BinOp, Expr};

impl Expr {
    /// The value of the expression, or `None` when a referenced value is
    /// missing, a divisor is zero or any intermediate result is not finite.
    pub(super) fn eval(&self, lookup: &dyn Fn(MeasurableId) -> Option<f64>) -> Option<f64> {
        let value = match self {
            Expr::Number(n) => *n,
            Expr::Ref(id) => lookup(*id)?,
            Expr::Neg(inner) => -inner.eval(lookup)?,
            Expr::Binary(op, lhs, rhs) => {
                let (a, b) = (lhs.eval(lookup)?, rhs.eval(lookup)?);
                match op {
                    BinOp::Add => a + b,
                    BinOp::Sub => a - b,
                    BinOp::Mul => a * b,
                    BinOp::Div if b == 0.0 => return None,
                    BinOp::Div => a / b,
                }
            }
        };
        value.is_finite().then_some(value)
    }

    /// Ids of the referenced measurables, each once, in order of first
    /// appearance.
    pub(super) fn references(&self) -> Vec<MeasurableId> {
        let mut out = Vec::new();
        self.collect_refs(&mut HashSet::new(), &mut out);
        out
    }

    fn collect_refs(&self, seen: &mut HashSet<MeasurableId>, out: &mut Vec<MeasurableId>) {
        match self {
            Expr::Number(_) => {}
            Expr::Ref(id) => {
                if seen.insert(*id) {
                    out.push(*id);
                }
            }
            Expr::Neg(inner) => inner.collect_refs(seen, out),
            Expr::Binary(_, lhs, rhs) => {
                lhs.collect_refs(seen, out);
                rhs.collect_refs(seen, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{f, values};

    #[test]
    fn evaluates_with_precedence_and_associativity() {
        assert_eq!(f("m:12 / m:13 * 100").eval(values), Some(35.0));
        assert_eq!(f("1 + 2 * 3").eval(values), Some(7.0));
        assert_eq!(f("(1 + 2) * 3").eval(values), Some(9.0));
        assert_eq!(f("10 - 4 - 3").eval(values), Some(3.0));
        assert_eq!(f("64 / 4 / 2").eval(values), Some(8.0));
        assert_eq!(f("-2 * -3").eval(values), Some(6.0));
        assert_eq!(f("--5").eval(values), Some(5.0));
        assert_eq!(f("-(1 + 2)").eval(values), Some(-3.0));
        assert_eq!(f("2 - -3").eval(values), Some(5.0));
        assert_eq!(f(" 0.5+.25 ").eval(values), Some(0.75));
        assert_eq!(f("3.").eval(values), Some(3.0));
        assert_eq!(f("m:13").eval(values), Some(20.0));
    }

    #[test]
    fn missing_values_and_division_by_zero_give_none() {
        assert_eq!(f("m:12 + m:99").eval(values), None);
        assert_eq!(f("m:12 / m:14").eval(values), None);
        assert_eq!(f("1 / (m:12 - 7)").eval(values), None);
        assert_eq!(f("m:12 * 0").eval(values), Some(0.0));
        assert_eq!(f("m:12").eval(|_| Some(f64::INFINITY)), None);
        let huge = "9".repeat(300);
        assert_eq!(f(&format!("{huge} * {huge}")).eval(values), None);
    }

    #[test]
    fn references_in_first_appearance_order() {
        assert_eq!(
            f("m:13 + m:12 / m:13 - 4").references(),
            vec![
                crate::domain::MeasurableId(13),
                crate::domain::MeasurableId(12)
            ]
        );
        assert!(f("1 + 2").references().is_empty());
        assert_eq!(f("m:0").references(), vec![crate::domain::MeasurableId(0)]);
    }
}
