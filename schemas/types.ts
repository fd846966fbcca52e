// Generated from schemas/avro/*.avsc by schemas/generate-types.ts (npm run gen). Do not edit.

export type Side = 'buy' | 'sell';
export type SentimentLabel = 'negative' | 'neutral' | 'positive';
export type SignalAction = 'buy' | 'sell' | 'hold';
export type ChartPatternKind = 'support' | 'resistance';

/** One executed trade as reported by an exchange or replayed from a file. */
export interface Trade {
  /** Exchange id in lower case as ccxt names it (e.g. kraken, binance) or 'file' for replays without one. */
  exchange: string;
  /** Unified market symbol BASE/QUOTE (e.g. BTC/USD). */
  symbol: string;
  /** The exchange's trade id; null when the source has none (de-duplication then compares time, price, quantity and side). */
  tradeId: null | string;
  /** Execution price in quote currency. */
  price: number;
  /** Executed amount in base currency. */
  quantity: number;
  /** Taker side; null when the source does not say. */
  side: null | Side;
  /** Event time: when the exchange executed the trade, epoch milliseconds UTC. */
  timestamp: number;
}

/** OHLCV bar of one symbol over one UTC-aligned window [start, end). Keyed symbol|timeframe|start, so a re-emitted candle replaces the earlier one. */
export interface Candle {
  /** Unified market symbol BASE/QUOTE. */
  symbol: string;
  /** Window length: one of 1m, 5m, 15m, 1h, 4h, 1d. */
  timeframe: string;
  /** Window open time (inclusive), aligned to UTC; the candle's event time. */
  start: number;
  /** Window close time (exclusive): start + timeframe. */
  end: number;
  /** Price of the first trade by (timestamp, trade id). */
  open: number;
  /** Highest trade price in the window. */
  high: number;
  /** Lowest trade price in the window. */
  low: number;
  /** Price of the last trade by (timestamp, trade id). */
  close: number;
  /** Sum of trade quantities (base currency); 0 for a flat gap candle. */
  volume: number;
  /** Sum of price x quantity (quote currency); null when the source does not give it. */
  quoteVolume: null | number;
  /** quoteVolume / volume; null when volume is 0 or unknown. */
  vwap: null | number;
  /** Number of trades in the window; null when unknown. */
  trades: null | number;
  /** Quantity of buyer-initiated trades; null when sides are unknown. */
  buyVolume: null | number;
  /** True for a closed window (topic candles); false for the window so far (topic candles.partial). */
  final: boolean;
}

/** Technical indicators of one candle, computed on the stream with TA-Lib's definitions. Keyed symbol|timeframe|start like its candle. A field is null during its warm-up, exactly where TA-Lib has no value yet. */
export interface FeatureVector {
  /** Unified market symbol BASE/QUOTE. */
  symbol: string;
  /** Candle timeframe: one of 1m, 5m, 15m, 1h, 4h, 1d. */
  timeframe: string;
  /** Start of the candle these features describe; the event time. */
  start: number;
  /** End (exclusive) of that candle: the time the features became known. */
  end: number;
  /** Close price of that candle, the base of any return predicted from these features. */
  close: number;
  /** Simple moving average of close, 20 periods. Null during warm-up. */
  sma20: null | number;
  /** Exponential moving average of close, 12 periods (TA-Lib seeding: SMA of the first 12). Null during warm-up. */
  ema12: null | number;
  /** Exponential moving average of close, 26 periods. Null during warm-up. */
  ema26: null | number;
  /** Wilder's relative strength index, 14 periods. Null during warm-up. */
  rsi14: null | number;
  /** MACD line: EMA12 - EMA26 (TA-Lib MACD 12/26/9). Null during warm-up. */
  macd: null | number;
  /** Signal line: EMA9 of the MACD line. Null during warm-up. */
  macdSignal: null | number;
  /** macd - macdSignal. Null during warm-up. */
  macdHistogram: null | number;
  /** Upper Bollinger band: SMA20 + 2 population standard deviations. Null during warm-up. */
  bbUpper: null | number;
  /** Middle Bollinger band: SMA20 of close. Null during warm-up. */
  bbMiddle: null | number;
  /** Lower Bollinger band: SMA20 - 2 population standard deviations. Null during warm-up. */
  bbLower: null | number;
  /** Wilder's average true range, 14 periods. Null during warm-up. */
  atr14: null | number;
  /** Slow stochastic %K (14, 3, SMA). Null during warm-up. */
  stochK: null | number;
  /** Slow stochastic %D (3-period SMA of slow %K). Null during warm-up. */
  stochD: null | number;
  /** On-balance volume, starting at the first candle's volume as TA-Lib does. Null during warm-up. */
  obv: null | number;
  /** Wilder's average directional index, 14 periods. Null during warm-up. */
  adx14: null | number;
  /** Commodity channel index, 20 periods. Null during warm-up. */
  cci20: null | number;
  /** Money flow index, 14 periods. Null during warm-up. */
  mfi14: null | number;
  /** Williams %R, 14 periods. Null during warm-up. */
  williamsR14: null | number;
  /** ln(close / previous close). Null during warm-up. */
  logReturn: null | number;
  /** Sample standard deviation of the last 20 log returns. Null during warm-up. */
  volatility20: null | number;
}

/** One news headline or article about crypto markets. */
export interface NewsItem {
  /** Stable id of the item (source id, or sha256 of url or title); the topic key. */
  id: string;
  /** Publisher or feed name. */
  source: string;
  /** Headline. */
  title: string;
  /** Article text, when the feed gives it. */
  body: null | string;
  /** Link to the article. */
  url: null | string;
  /** Unified symbols the item is about (BASE/QUOTE); empty for general market news. */
  symbols: string[];
  /** Event time: when the item was published, epoch milliseconds UTC. */
  publishedAt: number;
}

/** Sentiment of one news item for one symbol it mentions, scored by a text model. A headline fans out to one record per asset it names plus one market-wide record (symbol '*'); keyed symbol|newsId and partitioned by symbol, so every record of a symbol is on one partition, in order. */
export interface Sentiment {
  /** Id of the scored NewsItem. */
  newsId: string;
  /** Unified symbol BASE/QUOTE the item mentions, or '*' for the market-wide record every item gets; null only on records written before the fan-out existed (read them as '*'). */
  symbol: null | string;
  /** Most likely class. */
  label: SentimentLabel;
  /** P(positive) - P(negative), in [-1, 1]. */
  score: number;
  /** Probability of the chosen label, in [0, 1]. */
  confidence: number;
  /** Name of the model that scored it. */
  modelName: string;
  /** Version of that model. */
  modelVersion: string;
  /** Event time: the news item's publication time. */
  publishedAt: number;
  /** The model's P(negative); the three sum to 1. Null on records written before they were added (added with defaults: BACKWARD compatible). */
  pNegative: null | number;
  /** The model's P(neutral); null on records written before it was added. */
  pNeutral: null | number;
  /** The model's P(positive); null on records written before it was added. */
  pPositive: null | number;
  /** Every asset symbol the item mentions (the fan-out), the same on each of its records; empty for news about none. */
  symbols: string[];
}

/** Exponentially weighted sentiment of one symbol by event time, updated by each Sentiment record of it: every item's score weighs 2^(-age / halfLife), age measured from the newest item's publication time. Keyed and partitioned by symbol ('*' is the whole market). */
export interface SentimentIndex {
  /** Unified symbol BASE/QUOTE, or '*' for the market-wide index. */
  symbol: string;
  /** Event time of the index: the latest publication time folded in. */
  asOf: number;
  /** Decay-weighted mean of the items' scores (P(positive) - P(negative)), in [-1, 1]. */
  score: number;
  /** Sum of the items' decayed weights at asOf: the effective number of recent items (small: little evidence). */
  weight: number;
  /** Number of items folded in since the index started (not decayed). */
  count: number;
  /** Half-life of an item's weight (SENTIMENT_HALF_LIFE). */
  halfLifeMs: number;
  /** The item whose record produced this update. */
  newsId: string;
}

/** A model's forecast of the log return of one symbol over a horizon, made from the features of one closed candle. Keyed symbol|timeframe|featureTime|model. */
export interface Prediction {
  /** Unified market symbol BASE/QUOTE. */
  symbol: string;
  /** Candle timeframe the model works on: one of 1m, 5m, 15m, 1h, 4h, 1d. */
  timeframe: string;
  /** Start of the candle whose features were used; the event time. */
  featureTime: number;
  /** Horizon in candles of the timeframe. */
  horizon: number;
  /** Start of the candle whose close is predicted: featureTime + horizon x timeframe. */
  targetTime: number;
  /** Close of the feature candle, the price the return is measured from. */
  basePrice: number;
  /** Predicted log return ln(close at targetTime / basePrice). */
  predictedReturn: number;
  /** basePrice x exp(predictedReturn). */
  predictedPrice: number;
  /** Name of the model in the registry. */
  modelName: string;
  /** Version of that model. */
  modelVersion: string;
  /** sha256 of the model.onnx that produced the forecast. */
  modelSha256: string;
}

/** A prediction checked against the realised candle, next to the naive no-change baseline's error for the same prediction. */
export interface PredictionError {
  /** Unified market symbol BASE/QUOTE. */
  symbol: string;
  /** Timeframe of the prediction: one of 1m, 5m, 15m, 1h, 4h, 1d. */
  timeframe: string;
  /** Start of the candle the prediction was made from. */
  featureTime: number;
  /** Start of the realised candle; the event time. */
  targetTime: number;
  /** Model that made the prediction. */
  modelName: string;
  /** Version of that model. */
  modelVersion: string;
  /** Predicted log return. */
  predictedReturn: number;
  /** Realised log return ln(actual close / basePrice). */
  actualReturn: number;
  /** predictedReturn - actualReturn. */
  error: number;
  /** |error|. */
  absError: number;
  /** Whether sign(predictedReturn) equals sign(actualReturn) (a zero counts as its own sign). */
  directionCorrect: boolean;
  /** Error of the naive no-change forecast (predicted return 0): -actualReturn. */
  baselineError: number;
  /** |baselineError|. */
  baselineAbsError: number;
  /** Predicted close. */
  predictedPrice: number;
  /** Realised close at targetTime. */
  actualPrice: number;
}

/** A risk-checked trading signal with a position size, derived from a prediction. */
export interface Signal {
  /** Unified market symbol BASE/QUOTE. */
  symbol: string;
  /** Timeframe of the prediction behind the signal. */
  timeframe: string;
  /** Event time: the feature time of the prediction behind the signal. */
  timestamp: number;
  /** What to do. */
  action: SignalAction;
  /** Target position as a fraction of portfolio equity, in [-1, 1] (negative = short). */
  targetPosition: number;
  /** Reference price (the prediction's base price). */
  price: number;
  /** The predicted log return the signal acts on. */
  expectedReturn: number;
  /** Confidence in [0, 1]. */
  confidence: number;
  /** Risk rules that limited or vetoed the signal; empty when none did. */
  riskChecks: string[];
  /** Model whose prediction produced the signal. */
  modelName: string;
  /** Version of that model. */
  modelVersion: string;
}

/** A support or resistance line found by the chart-vision model in a rendered chart of recent candles. */
export interface ChartPattern {
  /** Unified market symbol BASE/QUOTE. */
  symbol: string;
  /** Timeframe of the charted candles. */
  timeframe: string;
  /** Start of the first charted candle. */
  windowStart: number;
  /** End of the last charted candle; the event time. */
  windowEnd: number;
  /** Kind of line. */
  kind: ChartPatternKind;
  /** Price of the line at windowStart. */
  priceAtStart: number;
  /** Price of the line at windowEnd. */
  priceAtEnd: number;
  /** Model confidence in [0, 1]. */
  confidence: number;
  /** Model that found the line. */
  modelName: string;
  /** Version of that model. */
  modelVersion: string;
}

export interface Records {
  Trade: Trade;
  Candle: Candle;
  FeatureVector: FeatureVector;
  NewsItem: NewsItem;
  Sentiment: Sentiment;
  SentimentIndex: SentimentIndex;
  Prediction: Prediction;
  PredictionError: PredictionError;
  Signal: Signal;
  ChartPattern: ChartPattern;
}
