import { avroSchemas, type RecordName } from './records.ts';
import { isTimeframe, timeframeMs, type Timeframe } from './timeframes.ts';

// The rules a record must meet beyond decoding: its Avro field types (derived from the .avsc files, so they
// cannot drift) and the domain rules the docs state (known timeframe, BASE/QUOTE symbol, finite numbers,
// high >= low...). One place, used by the stage runner on every record in and out, and by the Postgres sink.

/** Unified market symbol BASE/QUOTE: upper-case letters, digits and . _ -, e.g. BTC/USD, 1INCH/USDT. */
export const SYMBOL_PATTERN = /^[A-Z0-9][A-Z0-9._-]{0,19}\/[A-Z0-9][A-Z0-9._-]{0,19}$/;

function typeError(type: unknown, value: unknown, path: string): string | null {
  if (Array.isArray(type)) {
    for (const branch of type) if (typeError(branch, value, path) === null) return null;
    return `${path} is ${JSON.stringify(value)}, not one of ${JSON.stringify(type.map((t) => (typeof t === 'object' && t !== null ? (t as { type: unknown }).type : t)))}`;
  }
  if (typeof type === 'object' && type !== null) {
    const t = type as { type: string; symbols?: string[]; items?: unknown };
    if (t.type === 'enum')
      return t.symbols?.includes(value as string) ? null : `${path} must be one of ${t.symbols?.join(', ')}`;
    if (t.type === 'array') {
      if (!Array.isArray(value)) return `${path} must be an array`;
      for (let i = 0; i < value.length; i++) {
        const e = typeError(t.items, value[i], `${path}[${i}]`);
        if (e) return e;
      }
      return null;
    }
    return typeError(t.type, value, path);
  }
  switch (type) {
    case 'null':
      return value === null ? null : `${path} must be null`;
    case 'string':
      return typeof value === 'string' ? null : `${path} must be a string`;
    case 'boolean':
      return typeof value === 'boolean' ? null : `${path} must be a boolean`;
    case 'int':
    case 'long':
      return Number.isSafeInteger(value) ? null : `${path} must be an integer, got ${String(value)}`;
    case 'float':
    case 'double':
      return typeof value === 'number' && Number.isFinite(value)
        ? null
        : `${path} must be a finite number, got ${String(value)}`;
    default:
      return null;
  }
}

type Rule = (r: Record<string, any>) => string | null;

const symbol: Rule = (r) =>
  r.symbol === null || SYMBOL_PATTERN.test(r.symbol) ? null : `symbol "${r.symbol}" is not BASE/QUOTE`;
const timeframe: Rule = (r) =>
  isTimeframe(r.timeframe) ? null : `timeframe "${r.timeframe}" is not one of 1m, 5m, 15m, 1h, 4h, 1d`;
const inUnit =
  (field: string, lo = 0): Rule =>
  (r) =>
    r[field] >= lo && r[field] <= 1 ? null : `${field} ${r[field]} is outside [${lo}, 1]`;
const positive =
  (...fields: string[]): Rule =>
  (r) => {
    for (const f of fields) if (!(r[f] > 0)) return `${f} must be positive, got ${r[f]}`;
    return null;
  };

const finiteNumbers: Rule = (r) => {
  // A plain loop: this runs on every record in and out of every stage. Avro lets NaN and Infinity through.
  for (const k in r) {
    const x = r[k];
    if (typeof x === 'number' && !Number.isFinite(x)) return `${k} must be a finite number, got ${x}`;
  }
  return null;
};

const candleWindow: Rule = (r) => {
  const length = timeframeMs[r.timeframe as Timeframe];
  if (r.end - r.start !== length) return `end - start must be ${length} ms for ${r.timeframe}`;
  return r.start % length === 0 ? null : `start must be aligned to the ${r.timeframe} window`;
};

const rules: Record<RecordName, Rule[]> = {
  NewsItem: [],
  Candle: [
    symbol,
    timeframe,
    candleWindow,
    positive('open', 'high', 'low', 'close'),
    (r) => (r.high >= r.low ? null : `high ${r.high} is below low ${r.low}`),
    (r) =>
      r.open >= r.low && r.open <= r.high && r.close >= r.low && r.close <= r.high
        ? null
        : 'open and close must lie within [low, high]',
    (r) => (r.volume >= 0 ? null : `volume must not be negative, got ${r.volume}`),
    (r) => (r.end > r.start ? null : 'end must be after start'),
  ],
  FeatureVector: [symbol, timeframe, positive('close')],
  Prediction: [
    symbol,
    timeframe,
    positive('basePrice', 'horizon'),
    (r) => (r.targetTime > r.featureTime ? null : 'targetTime must be after featureTime'),
  ],
  PredictionError: [symbol, timeframe, (r) => (r.absError >= 0 ? null : 'absError must not be negative')],
  Signal: [symbol, timeframe, inUnit('targetPosition', -1), inUnit('confidence')],
  Sentiment: [symbol, inUnit('score', -1), inUnit('confidence')],
  ChartPattern: [
    symbol,
    timeframe,
    inUnit('confidence'),
    (r) => (r.windowEnd > r.windowStart ? null : 'windowEnd must be after windowStart'),
  ],
  Trade: [
    symbol,
    positive('price'),
    (r) => (r.quantity >= 0 ? null : `quantity must not be negative, got ${r.quantity}`),
  ],
};

/** Why `value` is not a valid record of `schema`, or null when it is: field types, then domain rules. */
export function validateRecord(schema: RecordName, value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return `${schema} must be an object`;
  const record = value as Record<string, unknown>;
  for (const field of avroSchemas[schema].fields) {
    const e = typeError(field.type, record[field.name], field.name);
    if (e) return `${schema}: ${e}`;
  }
  return validateValues(schema, record);
}

/**
 * The domain rules alone, for records whose field types Avro already guaranteed (just decoded, or about to be
 * encoded): the stage runner's hot path.
 */
export function validateValues(schema: RecordName, record: Record<string, unknown>): string | null {
  const e = finiteNumbers(record);
  if (e) return `${schema}: ${e}`;
  for (const rule of rules[schema]) {
    const e = rule(record);
    if (e) return `${schema}: ${e}`;
  }
  return null;
}
