import { avroSchemas, recordNames, type RecordName } from './records.ts';
import { isTimeframe, timeframeMs, type Timeframe } from './timeframes.ts';

// The rules a record must meet beyond decoding: its Avro field types (derived from the .avsc files, so they
// cannot drift) and the domain rules the docs state (known timeframe, BASE/QUOTE symbol, finite numbers,
// high >= low...). One place, used by the stage runner on every record in and out, and by the Postgres sink.

/** Unified market symbol BASE/QUOTE: upper-case letters, digits and . _ -, e.g. BTC/USD, 1INCH/USDT. */
export const SYMBOL_PATTERN = /^[A-Z0-9][A-Z0-9._-]{0,19}\/[A-Z0-9][A-Z0-9._-]{0,19}$/;

/** The symbol of market-wide sentiment: every news item gets one record of it besides its assets' records. */
export const MARKET_SYMBOL = '*';

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

/** What is wrong with a record, and the short word its dead letter says (`invalid` unless more is known). */
export interface RecordProblem {
  message: string;
  reason: string;
}

type Rule = (r: Record<string, any>) => string | RecordProblem | null;

/** No crypto market is older than Bitcoin's genesis block: an earlier trade is a broken clock or a zero. */
export const EARLIEST_TRADE_TIME = Date.UTC(2009, 0, 3);
/** The latest event time any record may carry: past it a timestamp is a corrupt value, not a time. */
export const LATEST_EVENT_TIME = Date.UTC(2100, 0, 1);
/** Longest string field (ids, names, symbols); news text has its own, larger bounds. */
export const MAX_STRING_LENGTH = 256;
const stringLimits: Partial<Record<string, number>> = { title: 1_000, url: 4_096, body: 100_000 };
/** Most entries of an array field (news symbols, a signal's risk checks). */
export const MAX_ARRAY_LENGTH = 100;

function isTimeField(type: unknown): boolean {
  return (
    typeof type === 'object' && type !== null && (type as { logicalType?: string }).logicalType === 'timestamp-millis'
  );
}

/**
 * Bounds every record meets whatever its schema: event times before LATEST_EVENT_TIME, strings and arrays of a
 * bounded size, so that no single record can make a stage do unbounded work or hold unbounded memory.
 */
function sizeRules(schema: RecordName): Rule[] {
  const fields = avroSchemas[schema].fields;
  const times = fields.filter((f) => isTimeField(f.type)).map((f) => f.name);
  const sized = fields
    .filter((f) => !isTimeField(f.type) && f.type !== 'double' && f.type !== 'long' && f.type !== 'int')
    .map((f) => f.name);
  return [
    (r) => {
      for (const f of times) {
        if (r[f] >= LATEST_EVENT_TIME)
          return { reason: 'future', message: `${f} ${r[f]} is after ${new Date(LATEST_EVENT_TIME).toISOString()}` };
      }
      return null;
    },
    (r) => {
      for (const f of sized) {
        const v = r[f];
        if (typeof v === 'string' && v.length > (stringLimits[f] ?? MAX_STRING_LENGTH))
          return { reason: 'too-large', message: `${f} is ${v.length} characters long` };
        if (Array.isArray(v) && v.length > MAX_ARRAY_LENGTH)
          return { reason: 'too-large', message: `${f} has ${v.length} entries (at most ${MAX_ARRAY_LENGTH})` };
      }
      return null;
    },
  ];
}

const symbol: Rule = (r) =>
  r.symbol === null || SYMBOL_PATTERN.test(r.symbol) ? null : `symbol "${r.symbol}" is not BASE/QUOTE`;
/** Sentiment's symbols: BASE/QUOTE, or MARKET_SYMBOL for the market-wide record (null: written before the fan-out). */
const sentimentSymbol: Rule = (r) =>
  r.symbol === null || r.symbol === MARKET_SYMBOL || SYMBOL_PATTERN.test(r.symbol)
    ? null
    : `symbol "${r.symbol}" is not BASE/QUOTE or "${MARKET_SYMBOL}"`;
const probabilities: Rule = (r) => {
  const p = [r.pNegative, r.pNeutral, r.pPositive];
  if (p.every((x) => x === null)) return null;
  if (p.some((x) => typeof x !== 'number' || x < 0 || x > 1))
    return 'pNegative, pNeutral and pPositive must all be in [0, 1]';
  const sum = p[0] + p[1] + p[2];
  return Math.abs(sum - 1) <= 1e-4 ? null : `pNegative + pNeutral + pPositive is ${sum}, not 1`;
};
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

const finiteNumbers = (r: Record<string, unknown>): string | null => {
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

const domainRules: Record<RecordName, Rule[]> = {
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
  Sentiment: [sentimentSymbol, inUnit('score', -1), inUnit('confidence'), probabilities],
  SentimentIndex: [
    sentimentSymbol,
    inUnit('score', -1),
    (r) => (r.weight >= 0 && r.count >= 1 ? null : 'weight must not be negative and count must be at least 1'),
    positive('halfLifeMs'),
  ],
  ChartPattern: [
    symbol,
    timeframe,
    inUnit('confidence'),
    (r) => (r.windowEnd > r.windowStart ? null : 'windowEnd must be after windowStart'),
  ],
  Trade: [
    symbol,
    (r) =>
      r.timestamp >= EARLIEST_TRADE_TIME
        ? null
        : {
            reason: 'too-old',
            message: `timestamp ${r.timestamp} is before ${new Date(EARLIEST_TRADE_TIME).toISOString()}, when no crypto market traded`,
          },
    positive('price'),
    (r) => (r.quantity >= 0 ? null : `quantity must not be negative, got ${r.quantity}`),
  ],
};

const rules = Object.fromEntries(
  recordNames.map((name) => [name, [...domainRules[name], ...sizeRules(name)]]),
) as Record<RecordName, Rule[]>;

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
 * encoded): the stage runner's hot path. The problem says why, with the word its dead letter carries.
 */
export function checkValues(schema: RecordName, record: Record<string, unknown>): RecordProblem | null {
  const e = finiteNumbers(record);
  if (e) return { message: `${schema}: ${e}`, reason: 'invalid' };
  for (const rule of rules[schema]) {
    const p = rule(record);
    if (p === null) continue;
    return typeof p === 'string'
      ? { message: `${schema}: ${p}`, reason: 'invalid' }
      : { message: `${schema}: ${p.message}`, reason: p.reason };
  }
  return null;
}

/** checkValues' message alone. */
export function validateValues(schema: RecordName, record: Record<string, unknown>): string | null {
  return checkValues(schema, record)?.message ?? null;
}
