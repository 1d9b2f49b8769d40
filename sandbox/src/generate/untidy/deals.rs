//! Closed-won deals whose MRR properties disagree.
//!
//! Exists because a portal's custom `mrr` property, HubSpot's calculated `hs_mrr`, a
//! legacy MRR field and `amount` rarely agree: one is blank, one is missing, one is a real
//! zero. Each rep gets one deal of every such shape inside the window.

use rand::Rng;
use rand::seq::SliceRandom;

use super::people::People;
use super::records::Owner;
use super::{FORMER_OWNER_ID, MINUTE, UNKNOWN_OWNER_ID};
use crate::catalog::PIPELINES;
use crate::generate::words::DEAL_PRODUCTS;
use crate::generate::{ContactRef, DAY, Gen};
use crate::model::{ObjectKind, Val};

/// The MRR-related properties of an untidy closed-won deal; `None` leaves one out.
struct Money {
    amount: i64,
    mrr: Option<Val>,
    hs_mrr: Option<Val>,
    legacy_mrr: Option<i64>,
}

impl Gen {
    /// Closed-won deals inside the window whose MRR properties disagree, per rep, plus one
    /// each for the former rep and the unknown owner.
    pub(super) fn untidy_deals(&mut self, start: i64, reps: usize, people: &People) {
        let span = self.now - start;
        let at = |g: &mut Gen, frac: f64, rep: usize| {
            let t = start
                + (span as f64 * frac) as i64
                + rep as i64 * 3 * 3_600_000
                + g.rng.gen_range(0..3_600_000);
            t.clamp(start + MINUTE, g.now - MINUTE)
        };
        for rep in 0..reps {
            let Some(c) = people.warm[rep].first().cloned() else {
                continue;
            };
            let owner = Owner::Rep(rep);
            let m = self.rng.gen_range(20..120) * 50;
            let shapes = [
                // (a) custom mrr differs from both hs_mrr and amount.
                Money {
                    amount: 12 * m,
                    mrr: Some(Val::Num(m)),
                    hs_mrr: Some(Val::Num(m - self.rng.gen_range(2..10) * 50)),
                    legacy_mrr: Some(m + self.rng.gen_range(1..6) * 50),
                },
                // (b) mrr without hs_mrr; amount adds a setup fee.
                {
                    let m = self.rng.gen_range(20..140) * 50;
                    Money {
                        amount: m + self.rng.gen_range(2..20) * 50,
                        mrr: Some(Val::Num(m)),
                        hs_mrr: None,
                        legacy_mrr: (rep % 2 == 0).then(|| m - self.rng.gen_range(1..8) * 50),
                    }
                },
                // (c) blank mrr, hs_mrr set.
                {
                    let h = self.rng.gen_range(10..100) * 50;
                    Money {
                        amount: 12 * h,
                        mrr: Some(Val::Str("".into())),
                        hs_mrr: Some(Val::Num(h)),
                        legacy_mrr: None,
                    }
                },
                // (d) a real zero: a one-off project.
                Money {
                    amount: self.rng.gen_range(3..30) * 100,
                    mrr: Some(Val::Num(0)),
                    hs_mrr: None,
                    legacy_mrr: None,
                },
                // (e) no mrr at all, blank hs_mrr.
                Money {
                    amount: self.rng.gen_range(10..80) * 100,
                    mrr: None,
                    hs_mrr: Some(Val::Str("".into())),
                    legacy_mrr: None,
                },
            ];
            for (k, money) in shapes.into_iter().enumerate() {
                let close = at(self, (2 * k + 1) as f64 / 10.0, rep);
                self.won_deal(close, owner, (rep + k) % PIPELINES.len(), money, &c);
            }
        }
        for (k, id) in [FORMER_OWNER_ID, UNKNOWN_OWNER_ID].into_iter().enumerate() {
            let Some(c) = people.all.get(k).cloned() else {
                continue;
            };
            let m = self.rng.gen_range(20..80) * 50;
            let close = at(self, 0.3 + 0.4 * k as f64, 0);
            let money = Money {
                amount: 12 * m,
                mrr: Some(Val::Num(m)),
                hs_mrr: Some(Val::Num(m)),
                legacy_mrr: None,
            };
            self.won_deal(close, Owner::Id(id), k % PIPELINES.len(), money, &c);
        }
    }

    fn won_deal(&mut self, close: i64, owner: Owner, pi: usize, money: Money, c: &ContactRef) {
        let pipeline = &PIPELINES[pi];
        let Some(stage) = pipeline.stages.iter().find(|s| s.3 && s.2 == "1.0") else {
            return;
        };
        let product = *DEAL_PRODUCTS.choose(&mut self.rng).unwrap_or(&"Managed IT");
        let company_name = self
            .s
            .table(ObjectKind::Companies)
            .get(c.company)
            .and_then(|r| self.s.prop_string(r, "name"))
            .unwrap_or_default();
        let created = close - self.rng.gen_range(7..60) * DAY;
        let dealtype = if self.rng.gen_bool(0.7) {
            "newbusiness"
        } else {
            "existingbusiness"
        };
        let mut props = vec![
            (
                self.key("dealname"),
                Val::Str(format!("{company_name} - {product}").into()),
            ),
            (self.key("amount"), Val::Num(money.amount)),
            (self.key("closedate"), Val::Ts(close)),
            (self.key("dealstage"), self.sym(stage.0)),
            (self.key("pipeline"), self.sym(pipeline.id)),
            (self.key("dealtype"), self.sym(dealtype)),
            (self.key("hs_is_closed"), self.sym("true")),
            (self.key("hs_is_closed_won"), self.sym("true")),
            (self.key("hubspot_owner_id"), self.owner_val(owner)),
        ];
        if let Some(v) = money.mrr {
            props.push((self.key("mrr"), v));
        }
        if let Some(v) = money.hs_mrr {
            props.push((self.key("hs_mrr"), v));
        }
        if let Some(v) = money.legacy_mrr {
            props.push((self.key("monthly_recurring_revenue"), Val::Num(v)));
        }
        self.push(
            ObjectKind::Deals,
            created,
            props,
            vec![
                (ObjectKind::Contacts, c.id),
                (ObjectKind::Companies, c.company),
            ],
        );
    }
}
