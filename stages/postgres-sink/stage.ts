import { validateRecord } from '../../schemas/validate.ts';
import {
  CandleflowError,
  DatabaseError,
  ValidationError,
  defineStage,
  errorMessage,
  topicByName,
  topics,
  type BatchContext,
  type InputRecord,
  type StageDefinition,
} from '../../pipeline/index.ts';

// Writes every result topic to Postgres. A batch (one partition's records) is validated, then upserted in one
// transaction through the injected writer; the runner commits the batch's offsets only after handleBatch
// resolves. Upserts are keyed like the topics, so a redelivered batch rewrites the same rows.

/** Records of one topic to upsert. */
export interface TopicRows {
  topic: string;
  values: readonly object[];
}

/**
 * Where the sink writes (pipeline/db's PostgresResultStore in production): one call, one transaction. It
 * throws DatabaseError, retriable when the database is unreachable, not retriable when it refused the data.
 */
export interface ResultWriter {
  upsert(batches: readonly TopicRows[]): Promise<void>;
}

export const sinkInputs = [topics.candles, topics.features, topics.predictions, topics.predictionErrors] as const;

function group(records: readonly InputRecord[]): TopicRows[] {
  const byTopic = new Map<string, object[]>();
  for (const r of records) {
    let values = byTopic.get(r.topic);
    if (!values) byTopic.set(r.topic, (values = []));
    values.push(r.value as object);
  }
  return [...byTopic].map(([topic, values]) => ({ topic, values }));
}

export function createPostgresSinkStage(writer: ResultWriter): StageDefinition {
  async function handleBatch(records: readonly InputRecord[], ctx: BatchContext): Promise<void> {
    const valid: InputRecord[] = [];
    for (const record of records) {
      const topic = topicByName(record.topic);
      const problem = topic ? validateRecord(topic.schema, record.value) : `topic ${record.topic} is not a sink input`;
      if (problem) ctx.deadLetter(record, new ValidationError(problem));
      else valid.push(record);
    }
    if (valid.length === 0) return;
    try {
      await writer.upsert(group(valid));
    } catch (err) {
      if (err instanceof CandleflowError && err.retriable) {
        // Not ready until a write goes through again; the runner retries this same batch with backoff and holds
        // the partition (and its offsets) meanwhile, so nothing is skipped.
        ctx.setReady(false);
        ctx.log.warn(
          { err: errorMessage(err), records: valid.length },
          'postgres-sink: database unavailable, batch will be retried',
        );
        throw err;
      }
      // The database refused the data (a value PostgreSQL rejects though it passed validation): find the
      // records it refuses one by one, dead-letter them, keep the others.
      ctx.log.warn({ err: errorMessage(err) }, 'postgres-sink: batch refused, writing records one by one');
      await writeOneByOne(valid, ctx);
    }
    ctx.setReady(true);
  }

  async function writeOneByOne(records: readonly InputRecord[], ctx: BatchContext): Promise<void> {
    for (const record of records) {
      try {
        await writer.upsert([{ topic: record.topic, values: [record.value as object] }]);
      } catch (err) {
        if (err instanceof CandleflowError && err.retriable) {
          ctx.setReady(false);
          throw err;
        }
        ctx.deadLetter(
          record,
          err instanceof CandleflowError ? err : new DatabaseError(errorMessage(err), { retriable: false, cause: err }),
        );
      }
    }
  }

  return defineStage({
    name: 'postgres-sink',
    description: 'Upserts candles, features, predictions and prediction errors into Postgres.',
    inputs: sinkInputs,
    outputs: [],
    handleBatch,
  });
}
