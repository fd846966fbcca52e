import { context, propagation, trace } from '@opentelemetry/api';
import type { NodeSDK, tracing } from '@opentelemetry/sdk-node';

// The one module that starts the OpenTelemetry SDK. Exporters come from the standard OTEL_* variables
// (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_TRACES_EXPORTER, OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, ...), so
// pointing a worker at Tempo is configuration only. Without them nothing starts and tracing costs nothing.

type Env = Readonly<Record<string, string | undefined>>;

export interface TelemetryOptions {
  /** service.name unless OTEL_SERVICE_NAME says otherwise (e.g. candleflow-trade-to-ohlc). */
  serviceName: string;
  env: Env;
  /** Replaces the exporters from the environment and starts regardless of it (tests: InMemorySpanExporter). */
  spanProcessors?: tracing.SpanProcessor[];
}

let sdk: NodeSDK | null = null;

/** True when the environment asks for traces to be exported. */
export function telemetryConfigured(env: Env): boolean {
  if (env.OTEL_SDK_DISABLED === 'true') return false;
  const exporter = env.OTEL_TRACES_EXPORTER?.trim();
  if (exporter) return exporter !== 'none';
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/** Starts the SDK once; returns whether tracing is on. The SDK (a second of imports) loads only then. */
export async function startTelemetry(options: TelemetryOptions): Promise<boolean> {
  if (sdk) return true;
  const env = options.env;
  if (!options.spanProcessors && !telemetryConfigured(env)) return false;
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  if (sdk) return true;
  sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME || options.serviceName,
    // Spans are made by the runtime around records; no automatic instrumentation of http, pg, ...
    instrumentations: [],
    ...(options.spanProcessors ? { spanProcessors: options.spanProcessors } : {}),
  });
  sdk.start();
  return true;
}

/** Flushes and stops the SDK (graceful shutdown); a no-op when it was not started. */
export async function shutdownTelemetry(): Promise<void> {
  const running = sdk;
  sdk = null;
  await running?.shutdown();
  // Give the process back its no-op globals, so code asking whether tracing is on (tracingActive) hears no.
  if (running) {
    trace.disable();
    context.disable();
    propagation.disable();
  }
}
