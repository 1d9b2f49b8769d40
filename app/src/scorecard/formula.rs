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

use std::collections::{HashMap, HashSet};
use std::fmt;

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

    fn precedence(self) -> u8 {
        match self {
            BinOp::Add | BinOp::Sub => 1,
            BinOp::Mul | BinOp::Div => 2,
        }
    }
}

/// A parsed formula expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// A non-negative literal (negative literals parse as [`Expr::Neg`]).
    Number(f64),
    /// `m:<id>`: the value of measurable `id`.
    Ref(i64),
    /// Unary minus.
    Neg(Box<Expr>),
    /// A binary operation.
    Binary(BinOp, Box<Expr>, Box<Expr>),
}

impl Expr {
    fn precedence(&self) -> u8 {
        match self {
            Expr::Binary(op, _, _) => op.precedence(),
            Expr::Neg(_) => 3,
            Expr::Number(_) | Expr::Ref(_) => 4,
        }
    }

    fn eval(&self, lookup: &dyn Fn(i64) -> Option<f64>) -> Option<f64> {
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

    fn collect_refs(&self, seen: &mut HashSet<i64>, out: &mut Vec<i64>) {
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

/// A parsed formula. Serialises as its canonical text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Formula {
    expr: Expr,
}

impl Formula {
    /// Parses formula text such as `m:12 / m:13 * 100`.
    pub fn parse(source: &str) -> Result<Formula, FormulaError> {
        let tokens = lex(source)?;
        let mut parser = Parser { tokens, pos: 0 };
        let expr = parser.expr(0)?;
        let (column, token) = parser.peek();
        match token {
            Token::End => Ok(Formula { expr }),
            Token::RParen => Err(FormulaError {
                column,
                kind: FormulaErrorKind::UnmatchedParen,
            }),
            other => Err(FormulaError {
                column,
                kind: FormulaErrorKind::ExpectedOperator {
                    found: other.describe(),
                },
            }),
        }
    }

    /// The parsed expression tree.
    pub fn expr(&self) -> &Expr {
        &self.expr
    }

    /// Ids of the referenced measurables, each once, in order of first
    /// appearance.
    pub fn references(&self) -> Vec<i64> {
        let mut out = Vec::new();
        self.expr.collect_refs(&mut HashSet::new(), &mut out);
        out
    }

    /// Evaluates the formula, looking referenced values up with `lookup`.
    ///
    /// Returns `None` when a reference has no value (or a non-finite one),
    /// on division by zero, or when the result is not finite.
    pub fn eval(&self, lookup: impl Fn(i64) -> Option<f64>) -> Option<f64> {
        self.expr.eval(&lookup)
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

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Number(f64),
    Ref(i64),
    Op(BinOp),
    LParen,
    RParen,
    End,
}

impl Token {
    fn describe(&self) -> String {
        match self {
            Token::Number(n) => format!("number `{n}`"),
            Token::Ref(id) => format!("`m:{id}`"),
            Token::Op(op) => format!("`{}`", op.symbol()),
            Token::LParen => "`(`".to_owned(),
            Token::RParen => "`)`".to_owned(),
            Token::End => "the end of the formula".to_owned(),
        }
    }
}

fn column(index: usize) -> u32 {
    u32::try_from(index + 1).unwrap_or(u32::MAX)
}

fn lex(source: &str) -> Result<Vec<(u32, Token)>, FormulaError> {
    let chars: Vec<char> = source.chars().collect();
    if chars.len() > MAX_FORMULA_CHARS as usize {
        return Err(FormulaError {
            column: MAX_FORMULA_CHARS + 1,
            kind: FormulaErrorKind::TooLong {
                max: MAX_FORMULA_CHARS,
            },
        });
    }
    let err = |i: usize, kind| FormulaError {
        column: column(i),
        kind,
    };
    let mut tokens = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let start = i;
        let token = match c {
            c if c.is_whitespace() => {
                i += 1;
                continue;
            }
            '+' => Token::Op(BinOp::Add),
            '-' => Token::Op(BinOp::Sub),
            '*' => Token::Op(BinOp::Mul),
            '/' => Token::Op(BinOp::Div),
            '(' => Token::LParen,
            ')' => Token::RParen,
            '0'..='9' | '.' => {
                while chars
                    .get(i)
                    .is_some_and(|c| c.is_ascii_digit() || *c == '.')
                {
                    i += 1;
                }
                // Swallow trailing letters so "12abc" is reported as one bad number.
                while chars
                    .get(i)
                    .is_some_and(|c| c.is_alphanumeric() || *c == '_')
                {
                    i += 1;
                }
                let text: String = chars[start..i].iter().collect();
                let valid = text.chars().filter(|c| *c == '.').count() <= 1
                    && text.chars().any(|c| c.is_ascii_digit())
                    && text.chars().all(|c| c.is_ascii_digit() || c == '.');
                let number = text.parse::<f64>().ok().filter(|n| valid && n.is_finite());
                match number {
                    Some(n) => {
                        tokens.push((column(start), Token::Number(n)));
                        continue;
                    }
                    None => return Err(err(start, FormulaErrorKind::BadNumber(text))),
                }
            }
            'm' if chars.get(i + 1) == Some(&':') => {
                i += 2;
                let digits_start = i;
                while chars.get(i).is_some_and(char::is_ascii_digit) {
                    i += 1;
                }
                if i == digits_start
                    || chars
                        .get(i)
                        .is_some_and(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
                {
                    return Err(err(digits_start, FormulaErrorKind::BadReference));
                }
                let digits: String = chars[digits_start..i].iter().collect();
                match digits.parse::<i64>() {
                    Ok(id) => {
                        tokens.push((column(start), Token::Ref(id)));
                        continue;
                    }
                    Err(_) => {
                        return Err(err(
                            digits_start,
                            FormulaErrorKind::ReferenceTooLarge(digits),
                        ));
                    }
                }
            }
            other => return Err(err(start, FormulaErrorKind::UnexpectedChar(other))),
        };
        tokens.push((column(start), token));
        i += 1;
    }
    if tokens.is_empty() {
        return Err(err(0, FormulaErrorKind::Empty));
    }
    tokens.push((column(chars.len()), Token::End));
    Ok(tokens)
}

struct Parser {
    tokens: Vec<(u32, Token)>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> (u32, Token) {
        self.tokens
            .get(self.pos)
            .or(self.tokens.last())
            .cloned()
            .unwrap_or((1, Token::End))
    }

    fn advance(&mut self) {
        if self.pos + 1 < self.tokens.len() {
            self.pos += 1;
        }
    }

    fn expr(&mut self, depth: u32) -> Result<Expr, FormulaError> {
        let mut lhs = self.term(depth)?;
        while let (_, Token::Op(op @ (BinOp::Add | BinOp::Sub))) = self.peek() {
            self.advance();
            let rhs = self.term(depth)?;
            lhs = Expr::Binary(op, Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }

    fn term(&mut self, depth: u32) -> Result<Expr, FormulaError> {
        let mut lhs = self.unary(depth)?;
        while let (_, Token::Op(op @ (BinOp::Mul | BinOp::Div))) = self.peek() {
            self.advance();
            let rhs = self.unary(depth)?;
            lhs = Expr::Binary(op, Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }

    fn unary(&mut self, depth: u32) -> Result<Expr, FormulaError> {
        let (column, token) = self.peek();
        if depth > MAX_NESTING {
            return Err(FormulaError {
                column,
                kind: FormulaErrorKind::TooDeep { max: MAX_NESTING },
            });
        }
        match token {
            Token::Op(BinOp::Sub) => {
                self.advance();
                Ok(Expr::Neg(Box::new(self.unary(depth + 1)?)))
            }
            Token::Number(n) => {
                self.advance();
                Ok(Expr::Number(n))
            }
            Token::Ref(id) => {
                self.advance();
                Ok(Expr::Ref(id))
            }
            Token::LParen => {
                self.advance();
                let inner = self.expr(depth + 1)?;
                let (close_column, close) = self.peek();
                if close == Token::RParen {
                    self.advance();
                    Ok(inner)
                } else {
                    Err(FormulaError {
                        column: close_column,
                        kind: FormulaErrorKind::UnclosedParen { opened_at: column },
                    })
                }
            }
            other => Err(FormulaError {
                column,
                kind: FormulaErrorKind::ExpectedOperand {
                    found: other.describe(),
                },
            }),
        }
    }
}

/// Finds a cycle in a dependency graph (measurable id → ids it references).
///
/// Returns the cycle as the ids along it with the first repeated at the end,
/// e.g. `[1, 2, 3, 1]` for 1 → 2 → 3 → 1, or `[5, 5]` for a formula that
/// references itself; `None` if the graph is acyclic. Ids that only appear
/// as references are treated as having no dependencies. The search is
/// deterministic (keys in ascending order, edges in the given order).
pub fn find_cycle(graph: &HashMap<i64, Vec<i64>>) -> Option<Vec<i64>> {
    evaluation_order(graph).err()
}

/// Orders all ids of a dependency graph so that every id comes after the
/// ids it references (evaluate formulas in this order), or returns the cycle
/// found as in [`find_cycle`]. Ids that only appear as references are
/// included.
pub fn evaluation_order(graph: &HashMap<i64, Vec<i64>>) -> Result<Vec<i64>, Vec<i64>> {
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Mark {
        InProgress,
        Done,
    }
    let mut roots: Vec<i64> = graph.keys().copied().collect();
    roots.sort_unstable();
    let no_edges: Vec<i64> = Vec::new();
    let mut marks: HashMap<i64, Mark> = HashMap::new();
    let mut order = Vec::new();
    for root in roots {
        if marks.contains_key(&root) {
            continue;
        }
        marks.insert(root, Mark::InProgress);
        // Iterative DFS: (node, index of the next edge to follow).
        let mut stack: Vec<(i64, usize)> = vec![(root, 0)];
        while let Some(top) = stack.last_mut() {
            let node = top.0;
            let edges = graph.get(&node).unwrap_or(&no_edges);
            if let Some(&next) = edges.get(top.1) {
                top.1 += 1;
                match marks.get(&next) {
                    Some(Mark::Done) => {}
                    Some(Mark::InProgress) => {
                        let from = stack.iter().position(|(n, _)| *n == next).unwrap_or(0);
                        let mut cycle: Vec<i64> = stack[from..].iter().map(|(n, _)| *n).collect();
                        cycle.push(next);
                        return Err(cycle);
                    }
                    None => {
                        marks.insert(next, Mark::InProgress);
                        stack.push((next, 0));
                    }
                }
            } else {
                marks.insert(node, Mark::Done);
                order.push(node);
                stack.pop();
            }
        }
    }
    Ok(order)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn f(s: &str) -> Formula {
        Formula::parse(s).unwrap()
    }

    fn err(s: &str) -> FormulaError {
        Formula::parse(s).unwrap_err()
    }

    fn values(id: i64) -> Option<f64> {
        match id {
            12 => Some(7.0),
            13 => Some(20.0),
            14 => Some(0.0),
            _ => None,
        }
    }

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
        assert_eq!(f("m:13 + m:12 / m:13 - 4").references(), vec![13, 12]);
        assert!(f("1 + 2").references().is_empty());
        assert_eq!(f("m:0").references(), vec![0]);
    }

    #[test]
    fn parse_errors_name_position_and_problem() {
        assert_eq!(err("").kind, FormulaErrorKind::Empty);
        assert_eq!(err("   ").to_string(), "column 1: the formula is empty");
        assert_eq!(
            err("m:12 +").to_string(),
            "column 7: expected a number, `m:<id>` or `(`, found the end of the formula"
        );
        assert_eq!(
            err("1 + * 2"),
            FormulaError {
                column: 5,
                kind: FormulaErrorKind::ExpectedOperand {
                    found: "`*`".into()
                }
            }
        );
        assert_eq!(
            err("(1 + 2").to_string(),
            "column 7: missing `)` for the `(` at column 1"
        );
        assert_eq!(
            err("1 + 2)").to_string(),
            "column 6: `)` has no matching `(`"
        );
        assert_eq!(
            err("m:12 m:13").to_string(),
            "column 6: expected an operator (+ - * /), found `m:13`"
        );
        assert_eq!(err("2 (3)").column, 3);
        assert_eq!(
            err("1 % 2").to_string(),
            "column 3: unexpected character `%`"
        );
        assert_eq!(
            err("m:x").to_string(),
            "column 3: expected a measurable id after `m:`, e.g. `m:12`"
        );
        assert_eq!(err("m:").kind, FormulaErrorKind::BadReference);
        assert_eq!(err("m:12a").kind, FormulaErrorKind::BadReference);
        assert_eq!(err("m:-3").kind, FormulaErrorKind::BadReference);
        assert_eq!(err("M:12").kind, FormulaErrorKind::UnexpectedChar('M'));
        assert_eq!(
            err("m:99999999999999999999").kind,
            FormulaErrorKind::ReferenceTooLarge("99999999999999999999".into())
        );
        assert_eq!(err("1.2.3").to_string(), "column 1: invalid number `1.2.3`");
        assert_eq!(
            err("4 + 12abc").kind,
            FormulaErrorKind::BadNumber("12abc".into())
        );
        assert_eq!(err(".").kind, FormulaErrorKind::BadNumber(".".into()));
        assert_eq!(
            err(&"9".repeat(400)).kind,
            FormulaErrorKind::BadNumber("9".repeat(400))
        );
        assert_eq!(err("()").column, 2);
        // Columns count characters, not bytes.
        assert_eq!(err("é").column, 1);
        assert_eq!(
            err("1 + ×").to_string(),
            "column 5: unexpected character `×`"
        );
    }

    #[test]
    fn nesting_and_length_limits() {
        let deep = format!("{}1{}", "(".repeat(100), ")".repeat(100));
        assert_eq!(
            err(&deep).kind,
            FormulaErrorKind::TooDeep { max: MAX_NESTING }
        );
        let ok = format!("{}1{}", "(".repeat(60), ")".repeat(60));
        assert_eq!(f(&ok).eval(values), Some(1.0));
        assert_eq!(
            err(&"-".repeat(100)).kind,
            FormulaErrorKind::TooDeep { max: MAX_NESTING }
        );
        let long = vec!["1"; 1001].join("+");
        assert_eq!(
            err(&long).kind,
            FormulaErrorKind::TooLong {
                max: MAX_FORMULA_CHARS
            }
        );
        let chain = vec!["1"; 1000].join("+");
        assert_eq!(f(&chain).eval(values), Some(1000.0));
    }

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

    #[test]
    fn cycles() {
        let graph: HashMap<i64, Vec<i64>> =
            [(1, vec![2, 10]), (2, vec![3]), (3, vec![1]), (4, vec![1])].into();
        assert_eq!(find_cycle(&graph), Some(vec![1, 2, 3, 1]));
        let graph: HashMap<i64, Vec<i64>> = [(5, vec![5])].into();
        assert_eq!(find_cycle(&graph), Some(vec![5, 5]));
        let graph: HashMap<i64, Vec<i64>> = [
            (1, vec![2, 3]),
            (2, vec![3]),
            (3, vec![10, 11]),
            (4, vec![1, 3]),
        ]
        .into();
        assert_eq!(find_cycle(&graph), None);
        let order = evaluation_order(&graph).unwrap();
        let at = |id: i64| order.iter().position(|n| *n == id).unwrap();
        for (node, deps) in &graph {
            for dep in deps {
                assert!(
                    at(*dep) < at(*node),
                    "{dep} must come before {node} in {order:?}"
                );
            }
        }
        assert_eq!(order.len(), 6);
        assert_eq!(find_cycle(&HashMap::new()), None);
        // A long chain does not overflow the stack.
        let chain: HashMap<i64, Vec<i64>> = (0..100_000).map(|i| (i, vec![i + 1])).collect();
        assert_eq!(find_cycle(&chain), None);
    }

    fn arb_expr() -> impl Strategy<Value = Expr> {
        let leaf = prop_oneof![
            (0u32..100_000).prop_map(|n| Expr::Number(f64::from(n) / 100.0)),
            (0.0f64..1e12).prop_map(Expr::Number),
            (0i64..1_000).prop_map(Expr::Ref),
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

        #[test]
        fn parser_never_panics(s in "[ 0-9m:.+*/()\\-]{0,40}") {
            if let Ok(formula) = Formula::parse(&s) {
                let again = Formula::parse(&formula.to_string()).unwrap();
                prop_assert_eq!(again, formula);
            }
        }
    }
}
