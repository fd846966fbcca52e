import { ROOT_CONTEXT, propagation, trace, TraceFlags } from '@opentelemetry/api';
import { core } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusRecord } from '../bus/bus.ts';
import { batchAttributes, extractTraceContext, injectTraceContext, recordAttributes } from './propagation.ts';

const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const spanId = '00f067aa0ba902b7';

describe('W3C trace context in Kafka headers', () => {
  beforeAll(() => propagation.setGlobalPropagator(new core.W3CTraceContextPropagator()));
  afterAll(() => propagation.disable());

  it('injects traceparent into string headers and extracts it from Buffer headers as kafkajs delivers them', () => {
    const producing = trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: TraceFlags.SAMPLED });
    const headers = injectTraceContext({ 'x-other': 'kept' }, producing);
    expect(headers).toEqual({ 'x-other': 'kept', traceparent: `00-${traceId}-${spanId}-01` });

    const onTheWire = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)]));
    const extracted = trace.getSpanContext(extractTraceContext(onTheWire));
    expect(extracted).toEqual({ traceId, spanId, traceFlags: TraceFlags.SAMPLED, isRemote: true });
  });

  it('reads the last value of a repeated header and ignores headers without a context', () => {
    const other = '11111111111111111111111111111111';
    const ctx = extractTraceContext({
      traceparent: [Buffer.from(`00-${other}-${spanId}-00`), `00-${traceId}-${spanId}-01`],
    });
    // W3C: a repeated traceparent is invalid unless it is one value; the propagator takes the first and keeps it.
    expect(trace.getSpanContext(ctx)?.traceId).toBe(other);
    expect(trace.getSpanContext(extractTraceContext({ 'x-other': 'v' }))).toBeUndefined();
    expect(trace.getSpanContext(extractTraceContext({ traceparent: 'garbage' }))).toBeUndefined();
  });

  it('adds nothing when there is no active span', () => {
    expect(injectTraceContext({})).toEqual({});
  });

  it('names topic, partition and offset with the messaging conventions', () => {
    const record: BusRecord = {
      topic: 'trades',
      partition: 3,
      offset: 42,
      key: 'BTC/USD',
      value: Buffer.alloc(0),
      headers: {},
      timestamp: 0,
    };
    expect(recordAttributes(record, 'trade-to-ohlc')).toEqual({
      'messaging.system': 'kafka',
      'messaging.operation.type': 'process',
      'messaging.destination.name': 'trades',
      'messaging.destination.partition.id': '3',
      'messaging.kafka.offset': 42,
      'messaging.kafka.message.key': 'BTC/USD',
      'messaging.consumer.group.name': 'trade-to-ohlc',
    });
    expect(
      batchAttributes({
        topic: 'trades',
        partition: 3,
        highWatermark: 50,
        records: [record, { ...record, offset: 43 }],
      }),
    ).toMatchObject({
      'messaging.batch.message_count': 2,
      'messaging.kafka.offset': 42,
    });
  });
});
