import { trace } from '@opentelemetry/api';
import { tracing } from '@opentelemetry/sdk-node';
import { afterEach, describe, expect, it } from 'vitest';
import { extractTraceContext, injectTraceContext } from './propagation.ts';
import { shutdownTelemetry, startTelemetry, telemetryConfigured } from './sdk.ts';

describe('telemetry SDK', () => {
  afterEach(() => shutdownTelemetry());

  it('starts only when the OTEL_* environment asks for an exporter', async () => {
    expect(telemetryConfigured({})).toBe(false);
    expect(telemetryConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://tempo:4318' })).toBe(true);
    expect(telemetryConfigured({ OTEL_TRACES_EXPORTER: 'otlp' })).toBe(true);
    expect(
      telemetryConfigured({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://tempo:4318' }),
    ).toBe(false);
    expect(telemetryConfigured({ OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' })).toBe(false);
    expect(await startTelemetry({ serviceName: 'candleflow-test', env: {} })).toBe(false);
  });

  it("continues a producer's trace in the consumer through Kafka headers", async () => {
    const exporter = new tracing.InMemorySpanExporter();
    expect(
      await startTelemetry({
        serviceName: 'candleflow-test',
        env: {},
        spanProcessors: [new tracing.SimpleSpanProcessor(exporter)],
      }),
    ).toBe(true);
    const tracer = trace.getTracer('candleflow');
    const headers = tracer.startActiveSpan('trades send', (span) => {
      const h = injectTraceContext({});
      span.end();
      return h;
    });
    const wire = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)]));
    tracer.startSpan('trades process', {}, extractTraceContext(wire)).end();
    // Spans are exported once the resource detectors are done; read them before shutdown empties the exporter.
    for (let waited = 0; exporter.getFinishedSpans().length < 2 && waited < 5_000; waited += 10)
      await new Promise((r) => setTimeout(r, 10));
    const [send, process] = exporter.getFinishedSpans();
    expect(send?.name).toBe('trades send');
    expect(process?.name).toBe('trades process');
    expect(process!.spanContext().traceId).toBe(send!.spanContext().traceId);
    expect(process!.parentSpanContext?.spanId).toBe(send!.spanContext().spanId);
    expect(send!.resource.attributes['service.name']).toBe('candleflow-test');
  });
});
