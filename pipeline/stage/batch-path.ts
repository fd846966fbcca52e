import { context, SpanKind, trace } from '@opentelemetry/api';
import type { BusRecord, RecordBatch } from '../bus/bus.ts';
import { StageDefinitionError, type CandleflowError } from '../errors.ts';
import type { StateEntry } from '../state/keyed-state-store.ts';
import { batchAttributes, extractTraceContext } from '../telemetry/propagation.ts';
import { CandleflowAttributes } from '../telemetry/semconv.ts';
import { decodeInput, inputSpec, type DecodedInput } from './decode-input.ts';
import type { BatchContext, InputRecord } from './define-stage.ts';
import { afterFailure, deadLetter } from './failure-policy.ts';
import { encodeOutputs, type PendingOutput } from './produce-outputs.ts';
import type { StageScope } from './stage-runtime.ts';

// `handleBatch` stages (sinks, batched inference): every record of a partition batch in one call, in one span
// linked to the trace of each record. A non-retriable failure is narrowed to single records to find the ones at
// fault; keyed states touched by a failed attempt are rolled back before the next one.

export async function handleBatchAtOnce(
  scope: StageScope,
  batch: RecordBatch,
  outputs: PendingOutput[],
): Promise<void> {
  const spec = inputSpec(scope, batch.topic);
  const items: DecodedInput[] = [];
  for (const record of batch.records) {
    const decoded = await decodeInput(scope, spec, record, outputs);
    if (decoded) items.push(decoded);
  }
  const links = items.flatMap(({ record }) => {
    const linked = trace.getSpanContext(extractTraceContext(record.headers));
    return linked ? [{ context: linked }] : [];
  });
  const span = scope.tracer.startSpan(`${scope.stage.name} process`, {
    kind: SpanKind.CONSUMER,
    links,
    attributes: { ...batchAttributes(batch, scope.groupId), [CandleflowAttributes.STAGE]: scope.stage.name },
  });
  try {
    await context.with(trace.setSpan(context.active(), span), () => runBatchHandler(scope, items, outputs));
  } finally {
    span.end();
  }
}

async function runBatchHandler(scope: StageScope, items: DecodedInput[], outputs: PendingOutput[]): Promise<void> {
  if (items.length === 0) return;
  const { stage } = scope;
  const deadLettered: { record: BusRecord; error: CandleflowError }[] = [];
  const byInput = new Map(items.map((i) => [i.input, i]));
  const itemOf = (input: InputRecord): DecodedInput => {
    const item = byInput.get(input);
    if (!item) throw new StageDefinitionError(`stage ${stage.name} asked for the state of a record outside its batch`);
    return item;
  };
  const entryOf = (input: InputRecord): StateEntry<unknown> => {
    const { entry } = itemOf(input);
    if (!entry) throw new StageDefinitionError(`stage ${stage.name} has no keyed state`);
    return entry;
  };
  // States as they were before this attempt: a failed attempt must not leave half-applied state behind.
  const entries = [...new Set(items.flatMap((i) => (i.entry ? [i.entry] : [])))];
  const before = entries.map((e) => structuredClone(e.state));
  const ctx: BatchContext<unknown> = {
    now: scope.now,
    log: scope.log,
    setReady: (ready) => scope.setHandlerReady(ready),
    deadLetter: (input, error) => {
      const item = byInput.get(input);
      if (item) deadLettered.push({ record: item.record, error });
    },
    state: (input) => entryOf(input).state,
    setState: (input, next) => {
      entryOf(input).state = next;
    },
    keyOf: (input) => itemOf(input).key,
  };
  for (let attempt = 0; ; attempt++) {
    deadLettered.length = 0;
    try {
      const result = await stage.handleBatch!(
        items.map((i) => i.input),
        ctx,
      );
      for (const o of await encodeOutputs(scope.runtime.codec, result, stage)) outputs.push(o);
      for (const d of deadLettered) deadLetter(scope, d.record, d.error, outputs);
      for (const { record, entry } of items) {
        if (!entry) continue;
        entry.offsets[record.topic] = Math.max(entry.offsets[record.topic] ?? 0, record.offset + 1);
        scope.store!.changed(entry);
      }
      return;
    } catch (err) {
      entries.forEach((e, i) => (e.state = structuredClone(before[i])));
      const verdict = await afterFailure(scope, err, attempt);
      if (!verdict) continue;
      if (items.length === 1) {
        const { record, entry } = items[0]!;
        deadLetter(scope, record, verdict, outputs);
        // Its key's state moves past it too: a restart must not send the same record to the DLQ again.
        if (entry) {
          entry.offsets[record.topic] = Math.max(entry.offsets[record.topic] ?? 0, record.offset + 1);
          scope.store!.changed(entry);
        }
        return;
      }
      // Find the records at fault: each one alone.
      for (const item of items) await runBatchHandler(scope, [item], outputs);
      return;
    }
  }
}
