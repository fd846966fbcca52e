import type { InputRecord } from '../../pipeline/index.ts';
import { joinFields, topicByName } from '../../schemas/topics.ts';
import type {
  Candle,
  ChartPattern,
  FeatureVector,
  Prediction,
  PredictionError,
  Sentiment,
  Signal,
} from '../../schemas/types.ts';

// Records of every result topic, as the sink receives them. Values are plausible (BTC near 10,800 USD in July
// 2019) and vary with the index so that rows are distinguishable.

export const T0 = Date.UTC(2019, 6, 1); // 2019-07-01T00:00:00Z
const MIN = 60_000;

export function candle(i: number, over: Partial<Candle> = {}): Candle {
  const open = 10_800 + i;
  return {
    symbol: 'BTC/USD',
    timeframe: '1m',
    start: T0 + i * MIN,
    end: T0 + (i + 1) * MIN,
    open,
    high: open + 5,
    low: open - 5,
    close: open + 1,
    volume: 2.5 + i,
    quoteVolume: (2.5 + i) * open,
    vwap: open,
    trades: 10 + i,
    buyVolume: 1.25,
    final: true,
    ...over,
  };
}

export function features(i: number, over: Partial<FeatureVector> = {}): FeatureVector {
  return {
    symbol: 'BTC/USD',
    timeframe: '1m',
    start: T0 + i * MIN,
    end: T0 + (i + 1) * MIN,
    close: 10_801 + i,
    sma20: i < 19 ? null : 10_790 + i,
    ema12: 10_795 + i,
    ema26: 10_790 + i,
    rsi14: 55,
    macd: 5,
    macdSignal: 4,
    macdHistogram: 1,
    bbUpper: 10_900,
    bbMiddle: 10_800,
    bbLower: 10_700,
    atr14: 12,
    stochK: 60,
    stochD: 58,
    obv: 100 + i,
    adx14: 22,
    cci20: 40,
    mfi14: 50,
    williamsR14: -40,
    logReturn: 0.0001,
    volatility20: 0.002,
    ...over,
  };
}

export function prediction(i: number, over: Partial<Prediction> = {}): Prediction {
  const basePrice = 10_801 + i;
  return {
    symbol: 'BTC/USD',
    timeframe: '1m',
    featureTime: T0 + i * MIN,
    horizon: 1,
    targetTime: T0 + (i + 1) * MIN,
    basePrice,
    predictedReturn: 0.0002 * ((i % 5) - 2),
    predictedPrice: basePrice * Math.exp(0.0002 * ((i % 5) - 2)),
    modelName: 'lgbm-returns',
    modelVersion: '1.0.0',
    modelSha256: 'a'.repeat(64),
    ...over,
  };
}

export function predictionError(i: number, over: Partial<PredictionError> = {}): PredictionError {
  return {
    symbol: 'BTC/USD',
    timeframe: '1m',
    featureTime: T0 + i * MIN,
    targetTime: T0 + (i + 1) * MIN,
    modelName: 'lgbm-returns',
    modelVersion: '1.0.0',
    predictedReturn: 0.0002,
    actualReturn: 0.0001,
    error: 0.0001,
    absError: 0.0001,
    directionCorrect: true,
    baselineError: -0.0001,
    baselineAbsError: 0.0001,
    predictedPrice: 10_803,
    actualPrice: 10_802,
    ...over,
  };
}

export function signal(i: number, over: Partial<Signal> = {}): Signal {
  return {
    symbol: 'BTC/USD',
    timeframe: '1m',
    timestamp: T0 + i * MIN,
    action: 'buy',
    targetPosition: 0.25,
    price: 10_801 + i,
    expectedReturn: 0.0002,
    confidence: 0.6,
    riskChecks: ['max-position'],
    modelName: 'lgbm-returns',
    modelVersion: '1.0.0',
    ...over,
  };
}

export function sentiment(i: number, over: Partial<Sentiment> = {}): Sentiment {
  return {
    newsId: `news-${i}`,
    symbol: 'BTC/USD',
    label: 'positive',
    score: 0.7,
    confidence: 0.8,
    modelName: 'finbert',
    modelVersion: '1',
    publishedAt: T0 + i * MIN,
    pNegative: 0.05,
    pNeutral: 0.2,
    pPositive: 0.75,
    symbols: ['BTC/USD'],
    ...over,
  };
}

export function chartPattern(i: number, over: Partial<ChartPattern> = {}): ChartPattern {
  return {
    symbol: 'BTC/USD',
    timeframe: '1m',
    windowStart: T0,
    windowEnd: T0 + (i + 60) * MIN,
    kind: 'support',
    priceAtStart: 10_700,
    priceAtEnd: 10_750,
    confidence: 0.9,
    modelName: 'chart-yolo',
    modelVersion: '1',
    ...over,
  };
}

let offset = 0;
/** Wraps values as records of a topic, keyed like the runtime keys them. */
export function inputs<T extends object>(topicName: string, values: readonly T[]): InputRecord<T>[] {
  const topic = topicByName(topicName)!;
  return values.map((value) => ({
    topic: topicName,
    partition: 0,
    offset: offset++,
    headers: {},
    key: joinFields(value as Record<string, unknown>, topic.key),
    value,
  }));
}
