import type { Trade } from '../../schemas/types.ts';
import type { Bus } from '../../pipeline/bus/bus.ts';
import { createKafkaBus } from '../../pipeline/bus/kafka/kafka-bus.ts';
import type { KafkaBusConfig } from '../../pipeline/bus/kafka/kafka-config.ts';
import { topics, type TopicSpec } from '../../pipeline/index.ts';
import { silentLogger } from '../../pipeline/log.ts';
import { createRegistry, StageMetrics } from '../../pipeline/metrics/stage-metrics.ts';
import { defineStage, emit } from '../../pipeline/stage/define-stage.ts';
import { StageRunner } from '../../pipeline/stage/index.ts';
import { createSchemaRegistryCodec } from '../../pipeline/serde/schema-registry-codec.ts';
import { fastTuning } from '../../test/support/kafka-harness.ts';
import { PARTITIONS, RECORDS, timeUntil } from './bench-clock.ts';

// Candleflow's side of the Kafka bench: the adapter alone (decode and encode Avro through the schema-registry
// codec, produce, commit through KafkaBus), and a pass-through stage under the real runner on top of it (adds
// validation, metrics, keys and partitions from the catalogue), at-least-once or exactly-once.

export async function adapterOnly(config: KafkaBusConfig, registryUrl: string, round: number): Promise<number> {
  const bus = createKafkaBus(config, { log: silentLogger }, fastTuning);
  const codec = await createSchemaRegistryCodec({ url: registryUrl });
  let moved = 0;
  let start: number | null = null;
  const sub = await bus.subscribe({
    groupId: `adapter-${round}`,
    topics: ['bench-in'],
    maxBatchSize: 5000,
    onBatch: async (batch) => {
      start ??= performance.now();
      const out = [];
      for (const r of batch.records) {
        const trade = await codec.decode('trades', r.value);
        out.push({
          key: r.key,
          value: await codec.encode('trades', 'Trade', trade),
          headers: r.headers,
          timestamp: r.timestamp,
        });
      }
      await bus.produce(`bench-out-adapter-${round}`, out);
      await sub.commit([
        { topic: batch.topic, partition: batch.partition, offset: batch.records[batch.records.length - 1]!.offset + 1 },
      ]);
      moved += batch.records.length;
    },
  });
  const ms = await timeUntil(
    () => moved,
    () => start,
  );
  await sub.close();
  await bus.close();
  return (RECORDS / ms) * 1000;
}

export async function throughStage(
  config: KafkaBusConfig,
  registryUrl: string,
  round: number,
  exactlyOnce: boolean,
): Promise<number> {
  const kafka = createKafkaBus(config, { log: silentLogger }, fastTuning);
  const side = exactlyOnce ? 'eos' : 'alo';
  const input: TopicSpec<'Trade'> = { ...topics.trades, name: 'bench-in', partitions: PARTITIONS };
  const output: TopicSpec<'Trade'> = {
    ...topics.trades,
    name: `bench-out-stage-${side}-${round}`,
    partitions: PARTITIONS,
  };
  let moved = 0;
  let start: number | null = null;
  // Counts the outputs once acknowledged (at-least-once) or once their transaction committed (exactly-once).
  const bus: Bus = {
    ...kafka,
    produce: async (topic, messages) => {
      await kafka.produce(topic, messages);
      if (topic === output.name) moved += messages.length;
    },
    transactional: async (id) => {
      const producer = await kafka.transactional!(id);
      return {
        close: () => producer.close(),
        run: async (fn) => {
          let sent = 0;
          await producer.run((tx) =>
            fn({
              ...tx,
              produce: async (topic, messages) => {
                await tx.produce(topic, messages);
                if (topic === output.name) sent += messages.length;
              },
            }),
          );
          moved += sent;
        },
      };
    },
  };
  const stage = defineStage<Trade>({
    name: 'trade-to-ohlc',
    description: 'pass-through',
    inputs: [input],
    outputs: [output],
    handle: (r) => {
      start ??= performance.now();
      return [emit(output, r.value)];
    },
  });
  const runner = new StageRunner(
    stage,
    {
      bus,
      codec: await createSchemaRegistryCodec({ url: registryUrl }),
      log: silentLogger,
      metrics: new StageMetrics(createRegistry({ defaultMetrics: false })),
    },
    {
      groupId: `stage-${side}-${round}`,
      ticks: false,
      maxBatchSize: 5000,
      ...(exactlyOnce ? { exactlyOnce: { instanceId: 'bench' } } : {}),
    },
  );
  await runner.start();
  const ms = await timeUntil(
    () => moved,
    () => start,
  );
  await runner.stop();
  await kafka.close();
  return (RECORDS / ms) * 1000;
}

/** Output topics Candleflow's side writes in a round. */
export const candleflowOutputs = (round: number): string[] => [
  `bench-out-adapter-${round}`,
  `bench-out-stage-alo-${round}`,
  `bench-out-stage-eos-${round}`,
];
