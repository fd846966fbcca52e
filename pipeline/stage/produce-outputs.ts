import { validateValues } from '../../schemas/validate.ts';
import { joinFields } from '../../schemas/topics.ts';
import type { Bus, BusMessage, Headers } from '../bus/bus.ts';
import { partitionForKey } from '../bus/partitioner.ts';
import { StageDefinitionError, ValidationError } from '../errors.ts';
import type { TopicSpec } from '../../schemas/topics.ts';
import type { StageMetrics } from '../metrics/stage-metrics.ts';
import type { Codec } from '../serde/codec.ts';
import { injectTraceContext } from '../telemetry/propagation.ts';
import type { Output, StageOutputs } from './define-stage.ts';

// The one way records leave a stage or a source: encoded with their catalogue key and partition, grouped by
// topic, produced, and counted once acknowledged. The record path, the batch path, ticks, flush, dead letters
// and the SourceRunner all end here.

/** A record encoded and waiting to be produced. */
export interface PendingOutput {
  topic: string;
  message: BusMessage;
}

// Series keys (symbol|timeframe) repeat on every record of a series: remember their partitions, within a bound.
const partitions = new Map<string, number>();
function partitionOf(key: string, count: number): number {
  const cacheKey = `${count}|${key}`;
  let partition = partitions.get(cacheKey);
  if (partition === undefined) {
    if (partitions.size >= 10_000) partitions.clear();
    partition = partitionForKey(key, count);
    partitions.set(cacheKey, partition);
  }
  return partition;
}

/** Who emits: a stage or source, by name and declared outputs. */
export interface Producer {
  name: string;
  outputs: readonly TopicSpec[];
}

/**
 * Encodes an output with its catalogue key and partition, carrying the active trace context in its headers. An
 * output to a topic the producer did not declare is a wiring mistake: the catalogue, the ACLs and the consumers
 * were all derived from the declaration.
 */
export async function encodeOutput(codec: Codec, output: Output, producer: Producer): Promise<PendingOutput> {
  const { topic, value } = output;
  const stageName = producer.name;
  if (!producer.outputs.some((t) => t.name === topic.name)) {
    throw new StageDefinitionError(
      `stage ${stageName} emitted to topic ${topic.name}, which it does not declare in its outputs (${producer.outputs.map((t) => t.name).join(', ') || 'none'})`,
    );
  }
  const record = value as unknown as Record<string, unknown>;
  const problem = validateValues(topic.schema, record);
  if (problem)
    throw new ValidationError(`${stageName} produced an invalid ${topic.schema} for ${topic.name}: ${problem}`);
  const headers: Headers = injectTraceContext({ ...output.headers });
  return {
    topic: topic.name,
    message: {
      key: joinFields(record, topic.key),
      partition: partitionOf(joinFields(record, topic.partitionKey), topic.partitions),
      value: await codec.encode(topic.name, topic.schema, value),
      headers,
    },
  };
}

/** Encodes what a handler, tick or source returned, in order. */
export async function encodeOutputs(codec: Codec, result: StageOutputs, producer: Producer): Promise<PendingOutput[]> {
  const pending: PendingOutput[] = [];
  for (const output of result ?? []) pending.push(await encodeOutput(codec, output, producer));
  return pending;
}

/**
 * Produces pending records, one produce call per topic (in parallel across topics, in order within one), and
 * resolves once all are acknowledged. Counts them in cf_records_out_total; dead letters are counted where they
 * are made (cf_dead_letters_total), not here.
 */
export async function produceOutputs(
  bus: Pick<Bus, 'produce'>,
  metrics: StageMetrics,
  stageName: string,
  outputs: readonly PendingOutput[],
): Promise<void> {
  if (outputs.length === 0) return;
  const byTopic = new Map<string, BusMessage[]>();
  for (const o of outputs) {
    let list = byTopic.get(o.topic);
    if (!list) byTopic.set(o.topic, (list = []));
    list.push(o.message);
  }
  await Promise.all(
    [...byTopic].map(async ([topic, messages]) => {
      await bus.produce(topic, messages);
      if (!topic.endsWith('.dlq')) metrics.recordsOut.inc({ stage: stageName, topic }, messages.length);
    }),
  );
}
