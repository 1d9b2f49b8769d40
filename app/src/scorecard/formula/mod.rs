//! Formula measurables: a tiny arithmetic language over other measurables.
//!
//! Some scorecard numbers are derived, e.g. a close rate is "deals won /
//! proposals sent × 100". Such a measurable stores a formula like
//! `m:12 / m:13 * 100`, where `m:<id>` is the same week's value of measurable
//! `<id>`. The language is deliberately small: decimal numbers, `+ - * /`,
//! parentheses and unary minus, with the usual precedence and left
//! associativity. It cannot loop or call anything, so evaluating a
//! user-supplied formula is safe on the server and in the browser.
//!
//! Evaluation is total: a missing referenced value, a division by zero or a
//! non-finite intermediate result gives `None` ("no value this week") rather
//! than an error or infinity. Formulas may reference other formula
//! measurables; [`find_cycle`] and [`evaluation_order`] guard against cycles.
//!
//! This file holds the public types. The work on them is split by concern:
//! `parse` reads text into an [`Expr`], `text` writes it back canonically,
//! `eval` computes values and lists references, and `order` sorts formulas
//! that reference each other.

mod eval;
mod order;
mod parse;
#[cfg(test)]
mod testing;
mod text;

pub use order::{evaluation_order, find_cycle};

use crate::domain::MeasurableId;
use serde::{Deserialize, Serialize};

/// Longest accepted formula, in characters.
pub const MAX_FORMULA_CHARS: u32 = 2000;
/// Deepest accepted nesting of parentheses and unary minus.
pub const MAX_NESTING: u32 = 64;

/// Binary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
}

impl BinOp {
    fn symbol(self) -> char {
        match self {
            BinOp::Add => '+',
            BinOp::Sub => '-',
            BinOp::Mul => '*',
            BinOp::Div => '/',
        }
    }
}

/// A parsed formula expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// A non-negative literal (negative literals parse as [`Expr::Neg`]).
    Number(f64),
    /// `m:<id>`: the value of measurable `id`.
    Ref(MeasurableId),
    /// Unary minus.
    Neg(Box<Expr>),
    /// A binary operation.
    Binary(BinOp, Box<Expr>, Box<Expr>),
}

/// A parsed formula. Serialises as its canonical text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Formula {
    expr: Expr,
}

impl Formula {
    /// Parses formula text such as `m:12 / m:13 * 100`.
    pub fn parse(source: &str) -> Result<Formula, FormulaError> {
        parse::parse(source).map(|expr| Formula { expr })
    }

    /// The parsed expression tree.
    pub fn expr(&self) -> &Expr {
        &self.expr
    }

    /// Ids of the referenced measurables, each once, in order of first
    /// appearance.
    pub fn references(&self) -> Vec<MeasurableId> {
        self.expr.references()
    }

    /// Evaluates the formula, looking referenced values up with `lookup`.
    ///
    /// Returns `None` when a reference has no value (or a non-finite one),
    /// on division by zero, or when the result is not finite.
    pub fn eval(&self, lookup: impl Fn(MeasurableId) -> Option<f64>) -> Option<f64> {
        self.expr.eval(&lookup)
    }
}

/// A formula syntax error, located by 1-based character column.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("column {column}: {kind}")]
pub struct FormulaError {
    /// 1-based character column of the problem (one past the end for
    /// "unexpected end of formula").
    pub column: u32,
    /// What is wrong.
    pub kind: FormulaErrorKind,
}

/// The kinds of [`FormulaError`].
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FormulaErrorKind {
    /// Nothing but whitespace.
    #[error("the formula is empty")]
    Empty,
    /// Longer than [`MAX_FORMULA_CHARS`].
    #[error("the formula is longer than {max} characters")]
    TooLong {
        /// The limit.
        max: u32,
    },
    /// A character that cannot start any token.
    #[error("unexpected character `{0}`")]
    UnexpectedChar(char),
    /// A malformed or out-of-range number.
    #[error("invalid number `{0}`")]
    BadNumber(String),
    /// `m:` not followed by a measurable id.
    #[error("expected a measurable id after `m:`, e.g. `m:12`")]
    BadReference,
    /// A measurable id that does not fit in 64 bits.
    #[error("measurable id `{0}` is too large")]
    ReferenceTooLarge(String),
    /// A number, reference or `(` was expected.
    #[error("expected a number, `m:<id>` or `(`, found {found}")]
    ExpectedOperand {
        /// What was found instead.
        found: String,
    },
    /// An operator or the end was expected.
    #[error("expected an operator (+ - * /), found {found}")]
    ExpectedOperator {
        /// What was found instead.
        found: String,
    },
    /// A `(` without its `)`.
    #[error("missing `)` for the `(` at column {opened_at}")]
    UnclosedParen {
        /// Column of the unmatched `(`.
        opened_at: u32,
    },
    /// A `)` without a matching `(`.
    #[error("`)` has no matching `(`")]
    UnmatchedParen,
    /// Nested deeper than [`MAX_NESTING`].
    #[error("parentheses or minus signs are nested more than {max} deep")]
    TooDeep {
        /// The limit.
        max: u32,
    },
}
