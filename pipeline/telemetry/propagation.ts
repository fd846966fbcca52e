import { context, propagation, ROOT_CONTEXT, type Context, type TextMapGetter, type TextMapSetter } from '@opentelemetry/api';
import type { Headers } from '../bus/bus.ts';

// W3C trace context travels in Kafka headers. Headers arrive as Buffers from kafkajs and as strings from the
// embedded bus; the Bus normalises them to strings, and this getter also copes with Buffers to be safe.

const getter: TextMapGetter<Record<string, unknown>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key];
    if (value === undefined || value === null) return undefined;
    if (Array.isArray(value)) return value.map((v) => String(v));
    return Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
  },
};

const setter: TextMapSetter<Headers> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

export function extractContext(headers: Record<string, unknown>): Context {
  return propagation.extract(ROOT_CONTEXT, headers, getter);
}

/** Adds the active (or given) trace context to `headers` and returns them. */
export function injectContext(headers: Headers, ctx: Context = context.active()): Headers {
  propagation.inject(ctx, headers, setter);
  return headers;
}
