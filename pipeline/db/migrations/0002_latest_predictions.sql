-- The newest prediction of each (symbol, timeframe, model), kept by the sink next to `predictions`, so that
-- /v1/predictions/latest is a key lookup whatever the length of the history (a DISTINCT ON over the history
-- reads every row of the symbol). The sink's upsert only replaces a row with one of the same or a later
-- feature time, so a late or redelivered older prediction never moves "latest" backwards.

CREATE TABLE latest_predictions (
  symbol            text             NOT NULL,
  timeframe         text             NOT NULL,
  feature_time      bigint           NOT NULL,
  model_name        text             NOT NULL,
  horizon           integer          NOT NULL,
  target_time       bigint           NOT NULL,
  base_price        double precision NOT NULL,
  predicted_return  double precision NOT NULL,
  predicted_price   double precision NOT NULL,
  model_version     text             NOT NULL,
  model_sha256      text             NOT NULL,
  written_at        timestamptz      NOT NULL DEFAULT now(),
  PRIMARY KEY (symbol, timeframe, model_name)
);

INSERT INTO latest_predictions
SELECT DISTINCT ON (symbol, timeframe, model_name)
       symbol, timeframe, feature_time, model_name, horizon, target_time, base_price, predicted_return, predicted_price,
       model_version, model_sha256, written_at
  FROM predictions
 ORDER BY symbol, timeframe, model_name, feature_time DESC;

DROP INDEX predictions_latest_idx;
