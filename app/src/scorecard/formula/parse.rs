//! Reading formula text: the lexer and the recursive-descent parser.
//!
//! Exists so that every way text can fail to be a formula is found in one
//! place and reported with the 1-based character column a user can act on,
//! and so that the length and nesting limits protect the parser's stack.

use super::{BinOp, Expr, FormulaError, FormulaErrorKind, MAX_FORMULA_CHARS, MAX_NESTING};
use crate::domain::MeasurableId;

/// Parses formula text such as `m:12 / m:13 * 100` into its expression.
pub(super) fn parse(source: &str) -> Result<Expr, FormulaError> {
    let tokens = lex(source)?;
    let mut parser = Parser { tokens, pos: 0 };
    let expr = parser.expr(0)?;
    let (column, token) = parser.peek();
    match token {
        Token::End => Ok(expr),
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

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Number(f64),
    Ref(MeasurableId),
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
                        tokens.push((column(start), Token::Ref(MeasurableId(id))));
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
        self.chain(depth, &[BinOp::Add, BinOp::Sub], Parser::term)
    }

    fn term(&mut self, depth: u32) -> Result<Expr, FormulaError> {
        self.chain(depth, &[BinOp::Mul, BinOp::Div], Parser::unary)
    }

    /// One precedence level: `operand`s joined left-associatively by `ops`.
    fn chain(
        &mut self,
        depth: u32,
        ops: &[BinOp],
        operand: fn(&mut Parser, u32) -> Result<Expr, FormulaError>,
    ) -> Result<Expr, FormulaError> {
        let mut lhs = operand(self, depth)?;
        while let (_, Token::Op(op)) = self.peek()
            && ops.contains(&op)
        {
            self.advance();
            let rhs = operand(self, depth)?;
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use proptest::prelude::*;

    use super::super::testing::{err, f, values};
    use super::super::{Formula, FormulaError};
    use super::*;

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

    proptest! {
        #[test]
        fn parser_never_panics(s in "[ 0-9m:.+*/()\\-]{0,40}") {
            if let Ok(formula) = Formula::parse(&s) {
                let again = Formula::parse(&formula.to_string()).unwrap();
                prop_assert_eq!(again, formula);
            }
        }
    }
}
