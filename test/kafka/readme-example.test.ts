import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BusRecord } from '../../pipeline/bus/bus.ts';
import { createKafkaBus, type KafkaBus } from '../../pipeline/bus/kafka/kafka-bus.ts';
import type { Codec } from '../../pipeline/serde/codec.ts';
import { createLogger, silentLogger } from '../../pipeline/log.ts';
import { boot } from '../../cli/boot.ts';
import { createSchemaRegistryCodec } from '../../pipeline/serde/schema-registry-codec.ts';
import { waitFor as waitForValue } from '../../pipeline/testing/wait-for.ts';
import { describeWithService } from '../support/services.ts';
import { fastTuning, memoryLogger, waitFor } from '../support/kafka-harness.ts';
import {
  type KafkaCluster,
  kafkaBrokerMissing,
  kafkaBrokerService,
  startKafkaCluster,
} from '../support/kafka-broker.ts';
import { allTopicSettings } from '../../schemas/topics.ts';
import {
  apicurioMissing,
  apicurioService,
  startApicurioRegistry,
  type ApicurioRegistry,
} from '../support/apicurio-registry.ts';

const exampleUrl = new URL('../../examples/kafkajs-producer.ts', import.meta.url);
const readmeUrl = new URL('../../README.md', import.meta.url);

// On Apache Kafka and a real schema registry (Apicurio's Confluent API), as a user's cluster would have them.
describeWithService(
  `${kafkaBrokerService} and ${apicurioService}`,
  kafkaBrokerMissing() ?? apicurioMissing(),
  "README example: a user's own kafkajs producer feeds the pipeline",
  () => {
    let cluster: KafkaCluster;
    let brokers: string;
    let registry: ApicurioRegistry;
    let bus: KafkaBus;
    let codec: Codec;
    beforeAll(async () => {
      // A broker of its own, not the run's shared one: the example and the worker use the catalogue's topics
      // (trades, candles) and the stage's group, which fixed names other files' records would meet.
      cluster = await startKafkaCluster({ nodes: 1 });
      brokers = cluster.brokers.join(',');
      registry = await startApicurioRegistry();
      codec = await createSchemaRegistryCodec({ url: registry.url });
      bus = createKafkaBus(
        { brokers: cluster.brokers, clientId: 'pipeline', ssl: false },
        { log: memoryLogger() },
        fastTuning,
      );
      // As Strimzi would from strimzi/topics.yaml: the user's producer writes before any worker has started.
      await bus.ensureTopics(allTopicSettings().map((t) => ({ ...t, replicas: 1 })));
    }, 120_000);
    afterAll(async () => {
      await bus?.close();
      await registry?.close();
      await cluster?.stop();
    });

    it('shows the example file verbatim in the README', () => {
      expect(readFileSync(readmeUrl, 'utf8')).toContain('```ts\n' + readFileSync(exampleUrl, 'utf8') + '```');
    });

    const runExample = () =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', exampleUrl.pathname], {
        env: {
          ...process.env,
          KAFKA_BROKERS: brokers,
          SCHEMA_REGISTRY_URL: registry.url,
          KAFKAJS_NO_PARTITIONER_WARNING: '1',
        },
      });

    it('writes a trade that the pipeline reads and decodes', async () => {
      const before = Date.now();
      await runExample();
      const records: BusRecord[] = [];
      const sub = await bus.subscribe({
        groupId: 'trade-to-ohlc',
        topics: ['trades'],
        onBatch: async (b) => void records.push(...b.records),
      });
      await waitFor('the example trade', () => records.length >= 1);
      await sub.close();
      expect(records).toHaveLength(1);
      const trade = (await codec.decode('trades', records[0]!.value)) as Record<string, unknown>;
      expect(trade).toMatchObject({
        exchange: 'kraken',
        symbol: 'BTC/USD',
        tradeId: '42',
        price: 64_000.5,
        quantity: 0.01,
        side: 'buy',
      });
      expect(trade.timestamp).toBeGreaterThanOrEqual(before);
      expect(records[0]!.key).toBe('BTC/USD');
      // One schema under trades-value, registered by both sides: the pipeline's and the user's are the same.
      const versions = (await fetch(`${registry.url}/subjects/trades-value/versions`).then((r) =>
        r.json(),
      )) as number[];
      expect(versions).toEqual([1]);
    });

    it('feeds the trade-to-ohlc worker, configured by environment only, which turns it into a candle', async () => {
      const worker = await boot({
        env: {
          KAFKA_BROKERS: brokers,
          SCHEMA_REGISTRY_URL: registry.url,
          METRICS_PORT: '0',
          TOPIC_REPLICAS: '1',
          OHLC_PARTIAL_INTERVAL: '300ms',
          OHLC_TIMEFRAMES: '1m',
          LOG_LEVEL: 'silent',
        },
        stages: ['trade-to-ohlc'],
        mode: 'run',
        log: process.env.DEBUG_TEST ? createLogger({ level: 'debug' }) : silentLogger,
      });
      try {
        const before = Date.now();
        await runExample();
        // The open window's candle comes as a partial; if the window closes first (a trade just before a minute's
        // end, on a slow machine), as the closed candle: either way the worker made the user's trade a candle.
        const records: BusRecord[] = [];
        const sub = await bus.subscribe({
          groupId: 'candles-of-the-example',
          topics: ['candles.partial', 'candles'],
          onBatch: async (b) => void records.push(...b.records),
        });
        const ofTheExample = async () => {
          for (const r of records) {
            const candle = (await codec.decode(r.topic, r.value)) as Record<string, unknown> & { start: number };
            if (candle.start + 60_000 > before) return { record: r, candle };
          }
          return null;
        };
        const found = await waitForValue(
          ofTheExample,
          'a candle of the example trade from the worker',
          90_000,
          100,
        ).catch(async (err: Error) => {
          // Say what the worker did, not only that it did not answer.
          const metrics = await (await fetch(`${worker.url}/metrics`)).text();
          throw new Error(
            `${err.message}; worker: ${metrics
              .split('\n')
              .filter((l) => /^cf_(records|dead|consumer_lag|stage_ready)/.test(l))
              .join('; ')}`,
          );
        });
        await sub.close();
        expect(found.candle).toMatchObject({
          symbol: 'BTC/USD',
          timeframe: '1m',
          open: 64_000.5,
          close: 64_000.5,
          final: found.record.topic === 'candles',
        });
        expect(found.record.key).toBe(`BTC/USD|1m|${found.candle.start}`);
      } finally {
        await worker.stop();
      }
    }, 150_000);
  },
);
