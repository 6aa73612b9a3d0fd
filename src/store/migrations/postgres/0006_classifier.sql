-- Category suggestion 分类建议 (docs/classify.md, "In the product"): classifier model versions
-- learnt from the deployment's closed requests, and the suggestion made for each ticket.

-- One row per trained model; exactly one is active (the newest stored by `classify learn`).
CREATE TABLE classifier_models (
  version     bigserial PRIMARY KEY,
  trained_at  bigint NOT NULL,                  -- epoch ms
  examples    integer NOT NULL,
  categories  text NOT NULL,                    -- JSON {code: count}
  metrics     text NOT NULL DEFAULT '{}',       -- JSON, e.g. {"cv_macro_f1": 0.91, "folds": 5}
  source      text NOT NULL DEFAULT 'store',    -- store | csv
  model       text NOT NULL,                    -- Classifier::serialize()
  active      integer NOT NULL DEFAULT 0
);
CREATE INDEX classifier_models_active ON classifier_models(active, version);

-- The suggestion shown for a ticket: top categories with confidence, and whether intake used it
-- to set the ticket's category (applied = 1: the category is "suggested", not chosen).
CREATE TABLE ticket_category_suggestions (
  ticket_id     bigint PRIMARY KEY REFERENCES tickets(id),
  model_version bigint NOT NULL,
  category      text NOT NULL,
  confidence    double precision NOT NULL,
  alternatives  text NOT NULL DEFAULT '[]',     -- JSON [{"code":…, "confidence":…}] (top 3)
  applied       integer NOT NULL DEFAULT 0,
  created_at    bigint NOT NULL
);
