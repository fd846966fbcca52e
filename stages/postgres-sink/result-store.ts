import { DatabaseError, joinFields, topicByName, topics, type Sql } from '../../pipeline/index.ts';
import { latestPredictionsTable, resultTables, upsertSql, type ResultTable } from '../../market/result-tables.ts';

/** Records of one topic to upsert. */
export interface TopicRows {
  topic: string;
  values: readonly object[];
}

// Rows per INSERT: wide feature rows stay far below PostgreSQL's 65,535 bind parameters.
const ROWS_PER_STATEMENT = 500;

/**
 * Writes result records to their tables. One `upsert` call is one transaction: every row of every topic is
 * written, or none is. Throws DatabaseError: retriable when the database is unreachable (try again later),
 * not retriable when the data itself was refused (a constraint or type error).
 */
export class PostgresResultStore {
  constructor(private readonly sql: Sql) {}

  async upsert(batches: readonly TopicRows[]): Promise<void> {
    const statements = batches.flatMap((batch) => this.statements(batch));
    if (statements.length === 0) return;
    await this.sql.transaction('result store: upsert', async (tx) => {
      for (const { text, values } of statements) await tx.query(text, values);
    });
  }

  private statements(batch: TopicRows): { text: string; values: unknown[] }[] {
    const spec = resultTables[batch.topic];
    const topic = topicByName(batch.topic);
    if (!spec || !topic)
      throw new DatabaseError(`result store: no table for topic ${batch.topic}`, { retriable: false });
    // ON CONFLICT DO UPDATE refuses to touch one row twice in a statement: keep the last record of each key,
    // which is what applying them in order would leave.
    const latest = new Map<string, object>();
    for (const value of batch.values) latest.set(joinFields(value as Record<string, unknown>, topic.key), value);
    const rows = [...latest.values()];
    const out = chunked(spec, rows);
    if (batch.topic === topics.predictions.name) {
      // The newest of the batch per (symbol, timeframe, model) goes to latest_predictions too.
      const newest = new Map<string, Record<string, unknown>>();
      for (const row of rows as Record<string, unknown>[]) {
        const key = joinFields(row, ['symbol', 'timeframe', 'modelName']);
        const seen = newest.get(key);
        if (!seen || (seen.featureTime as number) <= (row.featureTime as number)) newest.set(key, row);
      }
      out.push(...chunked(latestPredictionsTable, [...newest.values()]));
    }
    return out;
  }
}

function chunked(spec: ResultTable, rows: readonly object[]): { text: string; values: unknown[] }[] {
  const out: { text: string; values: unknown[] }[] = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(i, i + ROWS_PER_STATEMENT);
    const values: unknown[] = [];
    for (const row of chunk) {
      for (const [, field] of spec.columns) values.push((row as Record<string, unknown>)[field] ?? null);
    }
    out.push({ text: upsertSql(spec, chunk.length), values });
  }
  return out;
}
