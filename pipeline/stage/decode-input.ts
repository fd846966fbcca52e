import { checkValues } from '../../schemas/validate.ts';
import { joinFields, topicByName, type TopicSpec } from '../../schemas/topics.ts';
import type { BusRecord } from '../bus/bus.ts';
import { CandleflowError, StageDefinitionError, ValidationError } from '../errors.ts';
import type { StateEntry } from '../state/keyed-state-store.ts';
import type { InputRecord } from './define-stage.ts';
import { deadLetter } from './failure-policy.ts';
import type { PendingOutput } from './produce-outputs.ts';
import type { StageScope } from './stage-runtime.ts';

// The one way a record enters a stage, for the record path and the batch path alike:
// decode -> validate -> find its key's state -> skip it if a restored state already covers it.

/** A decoded input ready for the handler. */
export interface DecodedInput {
  record: BusRecord;
  input: InputRecord;
  /** Partition key (keyed stages) or message key. */
  key: string;
  /** The key's state entry, for keyed stages. */
  entry?: StateEntry<unknown>;
}

/** The catalogue spec of an input topic of the stage. */
export function inputSpec(scope: StageScope, topic: string): TopicSpec {
  const spec = scope.stage.inputs.find((t) => t.name === topic) ?? topicByName(topic);
  if (!spec) throw new StageDefinitionError(`stage ${scope.stage.name} got a record of unknown topic ${topic}`);
  return spec;
}

/**
 * Decodes and validates one record. Returns undefined for a record to pass over: one that does not decode or
 * validate (dead-lettered into `outputs`), or one whose key's state already covers its offset (applied before
 * a restart, its outputs already acknowledged).
 */
export async function decodeInput(
  scope: StageScope,
  spec: TopicSpec,
  record: BusRecord,
  outputs: PendingOutput[],
): Promise<DecodedInput | undefined> {
  let input: InputRecord;
  try {
    const decoded = await scope.runtime.codec.decode(record.topic, record.value);
    const value = scope.stage.prepare ? scope.stage.prepare(decoded) : decoded;
    const problem = checkValues(spec.schema, value as Record<string, unknown>);
    if (problem) throw new ValidationError(`${spec.schema} on ${record.topic}: ${problem.message}`, problem.reason);
    input = {
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      key: record.key,
      headers: record.headers,
      value,
    };
  } catch (err) {
    if (!(err instanceof CandleflowError)) throw err;
    deadLetter(scope, record, err, outputs);
    return undefined;
  }
  if (!scope.store) return { record, input, key: input.key ?? '' };
  const key = joinFields(input.value as Record<string, unknown>, spec.partitionKey);
  const entry = scope.store.entry(record.partition, key);
  if ((entry.offsets[record.topic] ?? -1) > record.offset) return undefined;
  return { record, input, key, entry };
}
