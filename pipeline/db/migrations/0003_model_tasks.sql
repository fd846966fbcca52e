-- Models serve tasks (return-forecast, volatility-forecast, sentiment, chart-lines), and one model is active per
-- task and scope (a symbol and/or a timeframe, '' meaning any) instead of one per timeframe. Models registered
-- before tasks existed were return forecasts, and each active one served its own timeframe.

ALTER TABLE models ADD COLUMN task text NOT NULL DEFAULT 'return-forecast';
ALTER TABLE models ALTER COLUMN task DROP DEFAULT;

CREATE TABLE model_activations (
  task          text   NOT NULL,
  symbol        text   NOT NULL DEFAULT '',
  timeframe     text   NOT NULL DEFAULT '',
  name          text   NOT NULL,
  version       text   NOT NULL,
  activated_at  bigint NOT NULL,
  PRIMARY KEY (task, symbol, timeframe),
  FOREIGN KEY (name, version) REFERENCES models (name, version)
);

INSERT INTO model_activations (task, symbol, timeframe, name, version, activated_at)
  SELECT 'return-forecast', '', timeframe, name, version, registered_at FROM models WHERE active;

DROP INDEX models_one_active_per_timeframe;
ALTER TABLE models DROP COLUMN active;
