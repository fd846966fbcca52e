-- Result tables, one per topic, keyed like the topic (schemas/topics.ts `key`), so an upsert of a redelivered or
-- corrected record replaces the row. Times are bigint epoch milliseconds UTC, the same numbers the records carry:
-- no time zone conversion anywhere, and keyset cursors compare plain integers. The API adds the ISO form.
-- The primary keys lead with (symbol, timeframe, time): a backward scan of the key index serves the API's
-- "symbol + timeframe, newest first" queries, so no separate DESC index is needed for them.
-- written_at says when the sink last wrote the row (debugging late or corrected records).

CREATE TABLE candles (
  symbol        text             NOT NULL,
  timeframe     text             NOT NULL,
  start         bigint           NOT NULL,
  "end"         bigint           NOT NULL,
  open          double precision NOT NULL,
  high          double precision NOT NULL,
  low           double precision NOT NULL,
  close         double precision NOT NULL,
  volume        double precision NOT NULL,
  quote_volume  double precision,
  vwap          double precision,
  trades        bigint,
  buy_volume    double precision,
  final         boolean          NOT NULL,
  written_at    timestamptz      NOT NULL DEFAULT now(),
  PRIMARY KEY (symbol, timeframe, start)
);

CREATE TABLE features (
  symbol          text             NOT NULL,
  timeframe       text             NOT NULL,
  start           bigint           NOT NULL,
  "end"           bigint           NOT NULL,
  close           double precision NOT NULL,
  sma20           double precision,
  ema12           double precision,
  ema26           double precision,
  rsi14           double precision,
  macd            double precision,
  macd_signal     double precision,
  macd_histogram  double precision,
  bb_upper        double precision,
  bb_middle       double precision,
  bb_lower        double precision,
  atr14           double precision,
  stoch_k         double precision,
  stoch_d         double precision,
  obv             double precision,
  adx14           double precision,
  cci20           double precision,
  mfi14           double precision,
  williams_r14    double precision,
  log_return      double precision,
  volatility20    double precision,
  written_at      timestamptz      NOT NULL DEFAULT now(),
  PRIMARY KEY (symbol, timeframe, start)
);

CREATE TABLE predictions (
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
  PRIMARY KEY (symbol, timeframe, feature_time, model_name)
);
-- /v1/predictions/latest: newest row per (timeframe, model) of a symbol.
CREATE INDEX predictions_latest_idx ON predictions (symbol, timeframe, model_name, feature_time DESC);

CREATE TABLE prediction_errors (
  symbol              text             NOT NULL,
  timeframe           text             NOT NULL,
  target_time         bigint           NOT NULL,
  model_name          text             NOT NULL,
  feature_time        bigint           NOT NULL,
  model_version       text             NOT NULL,
  predicted_return    double precision NOT NULL,
  actual_return       double precision NOT NULL,
  error               double precision NOT NULL,
  abs_error           double precision NOT NULL,
  direction_correct   boolean          NOT NULL,
  baseline_error      double precision NOT NULL,
  baseline_abs_error  double precision NOT NULL,
  predicted_price     double precision NOT NULL,
  actual_price        double precision NOT NULL,
  written_at          timestamptz      NOT NULL DEFAULT now(),
  PRIMARY KEY (symbol, timeframe, target_time, model_name)
);

CREATE TABLE signals (
  symbol           text             NOT NULL,
  timeframe        text             NOT NULL,
  ts               bigint           NOT NULL,
  action           text             NOT NULL CHECK (action IN ('buy', 'sell', 'hold')),
  target_position  double precision NOT NULL,
  price            double precision NOT NULL,
  expected_return  double precision NOT NULL,
  confidence       double precision NOT NULL,
  risk_checks      text[]           NOT NULL,
  model_name       text             NOT NULL,
  model_version    text             NOT NULL,
  written_at       timestamptz      NOT NULL DEFAULT now(),
  PRIMARY KEY (symbol, timeframe, ts)
);

CREATE TABLE sentiment (
  news_id        text             NOT NULL PRIMARY KEY,
  symbol         text,
  label          text             NOT NULL CHECK (label IN ('negative', 'neutral', 'positive')),
  score          double precision NOT NULL,
  confidence     double precision NOT NULL,
  model_name     text             NOT NULL,
  model_version  text             NOT NULL,
  published_at   bigint           NOT NULL,
  written_at     timestamptz      NOT NULL DEFAULT now()
);
CREATE INDEX sentiment_symbol_time_idx ON sentiment (symbol, published_at DESC);

CREATE TABLE chart_patterns (
  symbol          text             NOT NULL,
  timeframe       text             NOT NULL,
  window_end      bigint           NOT NULL,
  kind            text             NOT NULL CHECK (kind IN ('support', 'resistance')),
  window_start    bigint           NOT NULL,
  price_at_start  double precision NOT NULL,
  price_at_end    double precision NOT NULL,
  confidence      double precision NOT NULL,
  model_name      text             NOT NULL,
  model_version   text             NOT NULL,
  written_at      timestamptz      NOT NULL DEFAULT now(),
  PRIMARY KEY (symbol, timeframe, window_end, kind)
);

-- The model registry's view for the API. At most one active model per timeframe (the predictor serves one model
-- per timeframe): the partial unique index makes a second activation fail instead of leaving two "active".
CREATE TABLE models (
  name           text        NOT NULL,
  version        text        NOT NULL,
  timeframe      text        NOT NULL,
  sha256         text        NOT NULL,
  card           jsonb       NOT NULL DEFAULT '{}'::jsonb,
  onnx_path      text,
  active         boolean     NOT NULL DEFAULT false,
  registered_at  bigint      NOT NULL,
  PRIMARY KEY (name, version)
);
CREATE UNIQUE INDEX models_one_active_per_timeframe ON models (timeframe) WHERE active;
