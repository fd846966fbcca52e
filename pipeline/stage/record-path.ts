import { SpanKind, SpanStatusCode, type Span } from '@opentelemetry/api';
import type { RecordBatch } from '../bus/bus.ts';
import { CandleflowError, StageDefinitionError, errorMessage } from '../errors.ts';
import { extractTraceContext, recordAttributes, tracingActive } from '../telemetry/propagation.ts';
import { CandleflowAttributes } from '../telemetry/semconv.ts';
import { decodeInput, inputSpec, type DecodedInput } from './decode-input.ts';
import { afterFailure, deadLetter } from './failure-policy.ts';
import { encodeOutputs, type PendingOutput } from './produce-outputs.ts';
import type { StageScope } from './stage-runtime.ts';

// `handle` stages: one record at a time, in offset order, each in its own span when tracing is on. Outputs and
// dead letters are collected into `outputs`; the runner produces them once the whole batch is handled.

export async function handleRecords(scope: StageScope, batch: RecordBatch, outputs: PendingOutput[]): Promise<void> {
  const spec = inputSpec(scope, batch.topic);
  // Without a tracing SDK, spans would be no-ops: skip building their attributes for every record.
  const traced = tracingActive();
  for (const record of batch.records) {
    const decoded = await decodeInput(scope, spec, record, outputs);
    if (!decoded) continue;
    if (!traced) {
      await handleOne(scope, decoded, outputs);
      continue;
    }
    const attributes = { ...recordAttributes(record, scope.groupId), [CandleflowAttributes.STAGE]: scope.stage.name };
    await scope.tracer.startActiveSpan(
      `${scope.stage.name} process`,
      { kind: SpanKind.CONSUMER, attributes },
      extractTraceContext(record.headers),
      async (span) => {
        try {
          await handleOne(scope, decoded, outputs, span);
        } catch (err) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(err) });
          throw err;
        } finally {
          span.end();
        }
      },
    );
  }
}

async function handleOne(scope: StageScope, decoded: DecodedInput, outputs: PendingOutput[], span?: Span) {
  const { record, entry } = decoded;
  const timer = scope.runtime.metrics.handleSeconds.startTimer({ stage: scope.stage.name });
  try {
    const produced = await handleWithRetry(scope, decoded);
    if (produced instanceof CandleflowError) {
      span?.setAttribute(CandleflowAttributes.DEAD_LETTER_CODE, produced.code);
      deadLetter(scope, record, produced, outputs);
    } else {
      span?.setAttribute(CandleflowAttributes.OUTPUTS, produced.length);
      for (const o of produced) outputs.push(o);
    }
    // Handled or dead-lettered, the record is behind this state now: a replay after a restart skips it.
    if (entry) {
      entry.offsets[record.topic] = record.offset + 1;
      scope.store!.changed(entry);
    }
  } finally {
    timer();
  }
}

/** Runs the handler; returns its encoded outputs, or the error that sends the record to the DLQ. */
async function handleWithRetry(
  scope: StageScope,
  { input, key, entry }: DecodedInput,
): Promise<PendingOutput[] | CandleflowError> {
  const { stage } = scope;
  for (let attempt = 0; ; attempt++) {
    try {
      const returned = stage.handle!(input, {
        state: entry?.state,
        setState: (next: unknown) => {
          if (!entry) throw new StageDefinitionError(`stage ${stage.name} has no state to set`);
          entry.state = next;
        },
        key,
        now: scope.now,
        log: scope.log,
      });
      // Most handlers are synchronous: awaiting only promises saves a microtask per record.
      const result = returned instanceof Promise ? await returned : returned;
      return await encodeOutputs(scope.runtime.codec, result, stage);
    } catch (err) {
      const verdict = await afterFailure(scope, err, attempt);
      if (verdict) return verdict;
    }
  }
}
