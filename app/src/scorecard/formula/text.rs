//! The canonical text form of formulas.
//!
//! Exists because a formula is stored and sent as text: writing an
//! expression back with only the parentheses it needs is the inverse of
//! parsing, and serde's string form of [`Formula`] goes through here.

use std::fmt;

use super::{BinOp, Expr, Formula, FormulaError};

impl BinOp {
    fn precedence(self) -> u8 {
        match self {
            BinOp::Add | BinOp::Sub => 1,
            BinOp::Mul | BinOp::Div => 2,
        }
    }
}

impl Expr {
    fn precedence(&self) -> u8 {
        match self {
            Expr::Binary(op, _, _) => op.precedence(),
            Expr::Neg(_) => 3,
            Expr::Number(_) | Expr::Ref(_) => 4,
        }
    }

    fn write_child(&self, f: &mut fmt::Formatter<'_>, parens: bool) -> fmt::Result {
        if parens {
            write!(f, "({self})")
        } else {
            write!(f, "{self}")
        }
    }
}

/// Canonical text: single spaces around binary operators and only the
/// parentheses needed. Parsing it gives back an equal expression for every
/// expression produced by [`Formula::parse`].
impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Number(n) => write!(f, "{n}"),
            Expr::Ref(id) => write!(f, "m:{id}"),
            Expr::Neg(inner) => {
                f.write_str("-")?;
                inner.write_child(f, inner.precedence() < 3)
            }
            Expr::Binary(op, lhs, rhs) => {
                let p = op.precedence();
                lhs.write_child(f, lhs.precedence() < p)?;
                write!(f, " {} ", op.symbol())?;
                // Operators are left-associative: an equal-precedence right
                // operand needs parentheses.
                rhs.write_child(f, rhs.precedence() <= p)
            }
        }
    }
}

impl fmt::Display for Formula {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.expr.fmt(f)
    }
}

impl std::str::FromStr for Formula {
    type Err = FormulaError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Formula::parse(s)
    }
}

impl TryFrom<String> for Formula {
    type Error = FormulaError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Formula::parse(&s)
    }
}

impl From<Formula> for String {
    fn from(formula: Formula) -> String {
        formula.to_string()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use proptest::prelude::*;

    use super::super::testing::f;
    use super::*;

    #[test]
    fn display_is_canonical() {
        assert_eq!(f("m:12/m:13*100").to_string(), "m:12 / m:13 * 100");
        assert_eq!(f("(1 + 2) * 3").to_string(), "(1 + 2) * 3");
        assert_eq!(f("((1)) + (2 * 3)").to_string(), "1 + 2 * 3");
        assert_eq!(f("1 - (2 - 3)").to_string(), "1 - (2 - 3)");
        assert_eq!(f("(1 - 2) - 3").to_string(), "1 - 2 - 3");
        assert_eq!(f("1 / (2 * 3)").to_string(), "1 / (2 * 3)");
        assert_eq!(f("-(m:1 * 2)").to_string(), "-(m:1 * 2)");
        assert_eq!(f("- - 2.50").to_string(), "--2.5");
        assert_eq!(f("1 - -2").to_string(), "1 - -2");
    }

    #[test]
    fn serde_uses_the_text_form() {
        let formula = f("m:12/m:13*100");
        let json = serde_json::to_string(&formula).unwrap();
        assert_eq!(json, "\"m:12 / m:13 * 100\"");
        assert_eq!(serde_json::from_str::<Formula>(&json).unwrap(), formula);
        let bad = serde_json::from_str::<Formula>("\"1 +\"").unwrap_err();
        assert!(bad.to_string().contains("column 4"), "{bad}");
    }

    fn arb_expr() -> impl Strategy<Value = Expr> {
        let leaf = prop_oneof![
            (0u32..100_000).prop_map(|n| Expr::Number(f64::from(n) / 100.0)),
            (0.0f64..1e12).prop_map(Expr::Number),
            (0i64..1_000).prop_map(|id| Expr::Ref(crate::domain::MeasurableId(id))),
        ];
        leaf.prop_recursive(6, 48, 2, |inner| {
            prop_oneof![
                inner.clone().prop_map(|e| Expr::Neg(Box::new(e))),
                (
                    prop_oneof![
                        Just(BinOp::Add),
                        Just(BinOp::Sub),
                        Just(BinOp::Mul),
                        Just(BinOp::Div)
                    ],
                    inner.clone(),
                    inner
                )
                    .prop_map(|(op, a, b)| Expr::Binary(
                        op,
                        Box::new(a),
                        Box::new(b)
                    )),
            ]
        })
    }

    proptest! {
        #[test]
        fn display_parse_round_trip(expr in arb_expr()) {
            let formula = Formula { expr };
            let text = formula.to_string();
            let reparsed = Formula::parse(&text);
            prop_assert_eq!(reparsed.as_ref(), Ok(&formula), "text: {}", text);
        }
    }
}
