import {
  type Attributes,
  ProxyTracerProvider,
  trace,
  type Context,
  ROOT_CONTEXT,
  context,
  propagation,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';
import type { BusRecord, Headers, RecordBatch } from '../bus/bus.ts';
import {
  ATTR_MESSAGING_BATCH_MESSAGE_COUNT,
  ATTR_MESSAGING_CONSUMER_GROUP_NAME,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_DESTINATION_PARTITION_ID,
  ATTR_MESSAGING_KAFKA_MESSAGE_KEY,
  ATTR_MESSAGING_KAFKA_OFFSET,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM,
  MESSAGING_SYSTEM_KAFKA,
  MessagingOperationType,
} from './semconv.ts';

// W3C trace context (traceparent, tracestate) travels in Kafka headers from producer to consumer. Only
// @opentelemetry/api is used here: without a started SDK every call is a cheap no-op.

/** Header values as our Bus gives them (strings) or as Kafka clients give them (Buffers, repeated headers). */
export type CarrierValue = string | Buffer | ReadonlyArray<string | Buffer> | undefined;
export type HeaderCarrier = Readonly<Record<string, CarrierValue>>;

const asText = (v: string | Buffer): string => (typeof v === 'string' ? v : v.toString('utf8'));

export const headerGetter: TextMapGetter<HeaderCarrier> = {
  keys: (carrier) => Object.keys(carrier),
  get(carrier, key) {
    const value = carrier[key];
    if (value === undefined) return undefined;
    return Array.isArray(value) ? value.map(asText) : asText(value as string | Buffer);
  },
};

const headerSetter: TextMapSetter<Headers> = {
  set(carrier, key, value) {
    carrier[key] = value;
  },
};

/** Whether a tracing SDK is registered; without one every span is a no-op and hot paths may skip them. */
export function tracingActive(): boolean {
  const provider = trace.getTracerProvider();
  return !(provider instanceof ProxyTracerProvider) || provider.getDelegate().constructor.name !== 'NoopTracerProvider';
}

/** Adds the trace context of `ctx` (default: the active one) to `headers` and returns them. */
export function injectTraceContext(headers: Headers = {}, ctx: Context = context.active()): Headers {
  propagation.inject(ctx, headers, headerSetter);
  return headers;
}

/** The context a record's headers carry, as a child of `parent` (default: the root, so stages do not chain). */
export function extractTraceContext(headers: HeaderCarrier, parent: Context = ROOT_CONTEXT): Context {
  return propagation.extract(parent, headers, headerGetter);
}

/** Span attributes of one consumed record. */
export function recordAttributes(record: BusRecord, groupId?: string): Attributes {
  return {
    [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM_KAFKA,
    [ATTR_MESSAGING_OPERATION_TYPE]: MessagingOperationType.PROCESS,
    [ATTR_MESSAGING_DESTINATION_NAME]: record.topic,
    [ATTR_MESSAGING_DESTINATION_PARTITION_ID]: String(record.partition),
    [ATTR_MESSAGING_KAFKA_OFFSET]: record.offset,
    ...(record.key !== null ? { [ATTR_MESSAGING_KAFKA_MESSAGE_KEY]: record.key } : {}),
    ...(groupId ? { [ATTR_MESSAGING_CONSUMER_GROUP_NAME]: groupId } : {}),
  };
}

/** Span attributes of one consumed batch (offset: its first record). */
export function batchAttributes(batch: RecordBatch, groupId?: string): Attributes {
  return {
    [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM_KAFKA,
    [ATTR_MESSAGING_OPERATION_TYPE]: MessagingOperationType.PROCESS,
    [ATTR_MESSAGING_DESTINATION_NAME]: batch.topic,
    [ATTR_MESSAGING_DESTINATION_PARTITION_ID]: String(batch.partition),
    [ATTR_MESSAGING_BATCH_MESSAGE_COUNT]: batch.records.length,
    ...(batch.records[0] ? { [ATTR_MESSAGING_KAFKA_OFFSET]: batch.records[0].offset } : {}),
    ...(groupId ? { [ATTR_MESSAGING_CONSUMER_GROUP_NAME]: groupId } : {}),
  };
}
