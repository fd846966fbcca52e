import { topics } from '../pipeline/index.ts';

// How each result topic maps onto its table: record field -> column, and the key columns the upsert conflicts
// on (the topic's key, in snake case). One table per topic; migrations/0001_init.sql creates them.

export interface ResultTable {
  table: string;
  /** [column, record field] in insert order. */
  columns: readonly (readonly [string, string])[];
  /** Conflict target: the topic key's columns. */
  key: readonly string[];
  /** Replace an existing row only when this column's new value is at least the stored one (latest-value tables). */
  newerOrEqual?: string;
}

function snake(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function table(
  name: string,
  fields: readonly string[],
  keyFields: readonly string[],
  rename: Record<string, string> = {},
): ResultTable {
  const column = (f: string) => rename[f] ?? snake(f);
  return { table: name, columns: fields.map((f) => [column(f), f] as const), key: keyFields.map(column) };
}

export const resultTables: Readonly<Record<string, ResultTable>> = {
  [topics.candles.name]: table(
    'candles',
    [
      'symbol',
      'timeframe',
      'start',
      'end',
      'open',
      'high',
      'low',
      'close',
      'volume',
      'quoteVolume',
      'vwap',
      'trades',
      'buyVolume',
      'final',
    ],
    topics.candles.key,
  ),
  [topics.features.name]: table(
    'features',
    [
      'symbol',
      'timeframe',
      'start',
      'end',
      'close',
      'sma20',
      'ema12',
      'ema26',
      'rsi14',
      'macd',
      'macdSignal',
      'macdHistogram',
      'bbUpper',
      'bbMiddle',
      'bbLower',
      'atr14',
      'stochK',
      'stochD',
      'obv',
      'adx14',
      'cci20',
      'mfi14',
      'williamsR14',
      'logReturn',
      'volatility20',
    ],
    topics.features.key,
  ),
  [topics.predictions.name]: table(
    'predictions',
    [
      'symbol',
      'timeframe',
      'featureTime',
      'modelName',
      'horizon',
      'targetTime',
      'basePrice',
      'predictedReturn',
      'predictedPrice',
      'modelVersion',
      'modelSha256',
    ],
    topics.predictions.key,
  ),
  [topics.predictionErrors.name]: table(
    'prediction_errors',
    [
      'symbol',
      'timeframe',
      'targetTime',
      'modelName',
      'featureTime',
      'modelVersion',
      'predictedReturn',
      'actualReturn',
      'error',
      'absError',
      'directionCorrect',
      'baselineError',
      'baselineAbsError',
      'predictedPrice',
      'actualPrice',
    ],
    topics.predictionErrors.key,
  ),
  [topics.signals.name]: table(
    'signals',
    [
      'symbol',
      'timeframe',
      'timestamp',
      'action',
      'targetPosition',
      'price',
      'expectedReturn',
      'confidence',
      'riskChecks',
      'modelName',
      'modelVersion',
    ],
    topics.signals.key,
    { timestamp: 'ts' },
  ),
  [topics.sentiment.name]: table(
    'sentiment',
    [
      'newsId',
      'symbol',
      'label',
      'score',
      'confidence',
      'modelName',
      'modelVersion',
      'publishedAt',
      'pNegative',
      'pNeutral',
      'pPositive',
    ],
    topics.sentiment.key,
  ),
  [topics.chartPatterns.name]: table(
    'chart_patterns',
    [
      'symbol',
      'timeframe',
      'windowEnd',
      'kind',
      'windowStart',
      'priceAtStart',
      'priceAtEnd',
      'confidence',
      'modelName',
      'modelVersion',
    ],
    topics.chartPatterns.key,
  ),
};

/**
 * The newest prediction per (symbol, timeframe, model), written with every predictions batch (migration 0002):
 * same columns as predictions, keyed without the feature time.
 */
export const latestPredictionsTable: ResultTable = {
  ...resultTables[topics.predictions.name]!,
  table: 'latest_predictions',
  key: ['symbol', 'timeframe', 'model_name'],
  newerOrEqual: 'feature_time',
};

const quote = (column: string) => `"${column}"`;

/** `INSERT ... VALUES (...), (...) ON CONFLICT (key) DO UPDATE` for `rows` rows: the last write of a key wins. */
export function upsertSql(spec: ResultTable, rows: number): string {
  const width = spec.columns.length;
  const values: string[] = [];
  for (let r = 0; r < rows; r++) {
    values.push(`(${spec.columns.map((_, c) => `$${r * width + c + 1}`).join(', ')})`);
  }
  const updates = spec.columns
    .filter(([column]) => !spec.key.includes(column))
    .map(([column]) => `${quote(column)} = EXCLUDED.${quote(column)}`);
  updates.push('written_at = now()');
  return (
    `INSERT INTO ${spec.table} (${spec.columns.map(([c]) => quote(c)).join(', ')}) VALUES ${values.join(', ')} ` +
    `ON CONFLICT (${spec.key.map(quote).join(', ')}) DO UPDATE SET ${updates.join(', ')}` +
    (spec.newerOrEqual
      ? ` WHERE ${spec.table}.${quote(spec.newerOrEqual)} <= EXCLUDED.${quote(spec.newerOrEqual)}`
      : '')
  );
}
