import {
  topics,
  type Candle,
  type FeatureVector,
  type Prediction,
  type PredictionError,
  type Signal,
  type Sql,
  DatabaseError,
} from '../../pipeline/index.ts';
import { resultTables, type ResultTable } from '../../market/result-tables.ts';

// The API's reads, as a small interface the app receives (so the app never touches pg). Lists are newest
// first and paged by keyset: the cursor is the (time, tie-break) of the last row returned, and the next page
// is every row strictly before it in that order, which the key index serves without OFFSET.

/** Position after which the next page starts. `tiebreak` orders rows that share a time (the model name). */
export interface Cursor {
  time: number;
  tiebreak?: string;
}

export interface SeriesQuery {
  symbol: string;
  timeframe: string;
  /** Inclusive lower bound, epoch ms. */
  from?: number;
  /** Exclusive upper bound, epoch ms. */
  to?: number;
  limit: number;
  after?: Cursor;
  /** Only rows of this model (predictions, errors). */
  model?: string;
}

export interface Page<T> {
  rows: T[];
  /** Where the next page starts; null on the last page. */
  next: Cursor | null;
}

export interface SymbolSummary {
  symbol: string;
  timeframe: string;
  candles: number;
  first: number;
  last: number;
}

export interface ModelRow {
  name: string;
  version: string;
  task: string;
  timeframe: string;
  sha256: string;
  card: Record<string, unknown>;
  onnxPath: string | null;
  active: boolean;
  registeredAt: number;
}

export interface ResultQueries {
  symbols(): Promise<SymbolSummary[]>;
  candles(q: SeriesQuery): Promise<Page<Candle>>;
  features(q: SeriesQuery): Promise<Page<FeatureVector>>;
  predictions(q: SeriesQuery): Promise<Page<Prediction>>;
  /** Newest prediction of each (timeframe, model) of a symbol. */
  latestPredictions(symbol: string, timeframe?: string): Promise<Prediction[]>;
  signals(q: SeriesQuery): Promise<Page<Signal>>;
  predictionErrors(q: SeriesQuery): Promise<Page<PredictionError>>;
  models(): Promise<ModelRow[]>;
  /** Resolves when the database answers; throws DatabaseError otherwise. */
  ping(): Promise<void>;
}

interface SeriesSpec {
  table: ResultTable;
  time: string;
  tiebreak?: string;
}

const selectList = (t: ResultTable) => t.columns.map(([column, field]) => `"${column}" AS "${field}"`).join(', ');

function spec(topic: string, time: string, tiebreak?: string): SeriesSpec {
  const table = resultTables[topic];
  if (!table) throw new Error(`no result table for ${topic}`);
  return tiebreak ? { table, time, tiebreak } : { table, time };
}

const series = {
  candles: spec(topics.candles.name, 'start'),
  features: spec(topics.features.name, 'start'),
  predictions: spec(topics.predictions.name, 'feature_time', 'model_name'),
  signals: spec(topics.signals.name, 'ts'),
  predictionErrors: spec(topics.predictionErrors.name, 'target_time', 'model_name'),
};

function seriesSql(s: SeriesSpec, q: SeriesQuery): { text: string; values: unknown[] } {
  const values: unknown[] = [q.symbol, q.timeframe];
  const where = ['symbol = $1', 'timeframe = $2'];
  const param = (v: unknown) => {
    values.push(v);
    return `$${values.length}`;
  };
  if (q.from !== undefined) where.push(`${s.time} >= ${param(q.from)}`);
  if (q.to !== undefined) where.push(`${s.time} < ${param(q.to)}`);
  if (q.model !== undefined && s.tiebreak) where.push(`${s.tiebreak} = ${param(q.model)}`);
  if (q.after) {
    if (s.tiebreak && q.after.tiebreak !== undefined) {
      where.push(`(${s.time}, ${s.tiebreak}) < (${param(q.after.time)}, ${param(q.after.tiebreak)})`);
    } else {
      where.push(`${s.time} < ${param(q.after.time)}`);
    }
  }
  const order = s.tiebreak ? `${s.time} DESC, ${s.tiebreak} DESC` : `${s.time} DESC`;
  // One row more than asked tells whether a next page exists without a count.
  const text = `SELECT ${selectList(s.table)} FROM ${s.table.table} WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ${param(q.limit + 1)}`;
  return { text, values };
}

export function createResultQueries(sql: Sql): ResultQueries {
  async function query<T extends object>(what: string, text: string, values: unknown[] = []): Promise<T[]> {
    try {
      return await sql.query<T>(text, values);
    } catch (err) {
      if (err instanceof DatabaseError) err.message = `${what}: ${err.message}`;
      throw err;
    }
  }

  async function page<T extends object>(what: string, s: SeriesSpec, q: SeriesQuery): Promise<Page<T>> {
    const { text, values } = seriesSql(s, q);
    const rows = await query<T>(what, text, values);
    if (rows.length <= q.limit) return { rows, next: null };
    rows.length = q.limit;
    const last = rows[rows.length - 1] as Record<string, unknown>;
    const timeField = s.table.columns.find(([c]) => c === s.time)![1];
    const tieField = s.tiebreak ? s.table.columns.find(([c]) => c === s.tiebreak)![1] : undefined;
    const next: Cursor = { time: last[timeField] as number };
    if (tieField) next.tiebreak = last[tieField] as string;
    return { rows, next };
  }

  const predictionsTable = series.predictions.table;
  return {
    symbols: () =>
      query<SymbolSummary>(
        'symbols',
        `SELECT symbol, timeframe, count(*)::bigint AS candles, min(start) AS first, max(start) AS last
           FROM candles GROUP BY symbol, timeframe ORDER BY symbol, timeframe`,
      ),
    candles: (q) => page<Candle>('candles', series.candles, q),
    features: (q) => page<FeatureVector>('features', series.features, q),
    predictions: (q) => page<Prediction>('predictions', series.predictions, q),
    signals: (q) => page<Signal>('signals', series.signals, q),
    predictionErrors: (q) => page<PredictionError>('prediction errors', series.predictionErrors, q),
    latestPredictions: (symbol, timeframe) =>
      query<Prediction>(
        'latest predictions',
        `SELECT ${selectList(predictionsTable)} FROM latest_predictions
          WHERE symbol = $1 ${timeframe === undefined ? '' : 'AND timeframe = $2'}
          ORDER BY timeframe, model_name`,
        timeframe === undefined ? [symbol] : [symbol, timeframe],
      ),
    models: () =>
      query<ModelRow>(
        'models',
        `SELECT m.name, m.version, m.task, m.timeframe, m.sha256, m.card, m.onnx_path AS "onnxPath",
                EXISTS (SELECT 1 FROM model_activations a WHERE a.name = m.name AND a.version = m.version) AS active,
                m.registered_at AS "registeredAt"
           FROM models m ORDER BY m.task, m.timeframe, m.registered_at DESC, m.name, m.version`,
      ),
    ping: () => sql.ping(),
  };
}
