-- A sum measurable reads the raw properties it names ("the first non-empty
-- of mrr, hs_mrr, amount") through one rule in app::scorecard::first_non_empty.
-- The stored mrr column had a rule of its own (hs_mrr when positive, else
-- amount) and hs_mrr only copied a property: both go, so no number can come
-- from a second rule.
ALTER TABLE deals DROP COLUMN mrr;
ALTER TABLE deals DROP COLUMN hs_mrr;
