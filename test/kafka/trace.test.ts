import { context, SpanKind, trace } from '@opentelemetry/api';
import { tracing } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BusRecord } from '../../pipeline/bus/bus.ts';
import { createKafkaBus, type KafkaBus } from '../../pipeline/bus/kafka/kafka-bus.ts';
import { topics, type TopicSpec } from '../../pipeline/index.ts';
import { silentLogger } from '../../pipeline/log.ts';
import { createRegistry, StageMetrics } from '../../pipeline/metrics/stage-metrics.ts';
import { createLocalRegistryCodec } from '../../pipeline/serde/local-registry-codec.ts';
import { defineStage, emit } from '../../pipeline/stage/define-stage.ts';
import { StageRunner } from '../../pipeline/stage/index.ts';
import { injectTraceContext } from '../../pipeline/telemetry/propagation.ts';
import { shutdownTelemetry, startTelemetry } from '../../pipeline/telemetry/sdk.ts';
import { uniqueName } from '../../pipeline/testing/unique-name.ts';
import { waitFor } from '../../pipeline/testing/wait-for.ts';
import type { Trade } from '../../schemas/types.ts';
import { fastTuning } from '../support/kafka-harness.ts';
import { kafkaBrokerService } from '../support/kafka-broker.ts';
import { describeWithService } from '../support/services.ts';
import { sharedKafkaBroker } from '../support/shared-kafka-broker.ts';

// One trade's trace, followed through two stages over a Kafka-protocol broker: the producer's span, the first
// stage's span (its child, context read from the Kafka headers) and the second stage's span (the first's child).
// On the run's shared Apache Kafka broker.

const { broker, missing } = sharedKafkaBroker();

describeWithService(kafkaBrokerService, missing, 'tracing across stages on Kafka', () => {
  const exporter = new tracing.InMemorySpanExporter();
  let bus: KafkaBus;
  beforeAll(async () => {
    await startTelemetry({
      serviceName: 'trace-test',
      env: {},
      spanProcessors: [new tracing.SimpleSpanProcessor(exporter)],
    });
    bus = createKafkaBus(broker!.busConfig('trace-test'), { log: silentLogger }, fastTuning);
  });
  afterAll(async () => {
    await bus?.close();
    await shutdownTelemetry();
  });

  it('links one trade from its producer through two stages in one trace', async () => {
    const spec = (name: string): TopicSpec<'Trade'> => ({ ...topics.trades, name: uniqueName(name), partitions: 1 });
    const [first, middle, last] = [spec('in'), spec('mid'), spec('out')];
    await bus.ensureTopics(
      [first, middle, last].flatMap((t) => [t.name, `${t.name}.dlq`]).map((name) => ({ name, partitions: 1 })),
    );
    const codec = createLocalRegistryCodec();
    const runtime = {
      bus,
      codec,
      metrics: new StageMetrics(createRegistry({ defaultMetrics: false })),
      log: silentLogger,
    };
    const pass = (name: 'trade-to-ohlc' | 'indicators', from: TopicSpec<'Trade'>, to: TopicSpec<'Trade'>) =>
      new StageRunner(
        defineStage<Trade>({
          name,
          description: 'pass',
          inputs: [from],
          outputs: [to],
          handle: (r) => [emit(to, r.value)],
        }),
        runtime,
        {
          groupId: uniqueName(name),
          ticks: false,
        },
      );
    const stages = [pass('trade-to-ohlc', first, middle), pass('indicators', middle, last)];
    for (const s of stages) await s.start();

    const trade: Trade = {
      exchange: 'kraken',
      symbol: 'BTC/USD',
      tradeId: '1',
      price: 10_749.4,
      quantity: 0.5,
      side: 'buy',
      timestamp: 1_561_939_200_000,
    };
    const producer = trace.getTracer('test').startSpan('send trade', { kind: SpanKind.PRODUCER });
    const headers = injectTraceContext({}, trace.setSpan(context.active(), producer));
    producer.end();
    await bus.produce(first.name, [
      { key: trade.symbol, value: await codec.encode(first.name, 'Trade', trade), headers },
    ]);

    const out: BusRecord[] = [];
    const sub = await bus.subscribe({
      groupId: uniqueName('reader'),
      topics: [last.name],
      onBatch: async (b) => void out.push(...b.records),
    });
    await waitFor(() => out.length === 1, 'the trade through both stages', 60_000);
    await sub.close();
    for (const s of stages) await s.stop();

    const spans = exporter.getFinishedSpans();
    const byName = (name: string) => spans.find((s) => s.name === name)!;
    const [sent, ohlc, indicators] = [
      byName('send trade'),
      byName('trade-to-ohlc process'),
      byName('indicators process'),
    ];
    const traceId = sent.spanContext().traceId;
    expect(ohlc.spanContext().traceId).toBe(traceId);
    expect(indicators.spanContext().traceId).toBe(traceId);
    expect(ohlc.parentSpanContext?.spanId).toBe(sent.spanContext().spanId);
    expect(indicators.parentSpanContext?.spanId).toBe(ohlc.spanContext().spanId);
    expect(ohlc.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.destination.name': first.name,
      'messaging.destination.partition.id': '0',
      'messaging.kafka.offset': 0,
    });
    expect(out[0]!.headers.traceparent).toContain(traceId);
  }, 120_000);
});
