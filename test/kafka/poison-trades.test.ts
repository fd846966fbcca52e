import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BusRecord } from '../../pipeline/bus/bus.ts';
import { createKafkaBus, type KafkaBus } from '../../pipeline/bus/kafka/kafka-bus.ts';
import { partitionForKey } from '../../pipeline/bus/partitioner.ts';
import type { Codec } from '../../pipeline/serde/codec.ts';
import { createSchemaRegistryCodec } from '../../pipeline/serde/schema-registry-codec.ts';
import { DeadLetterHeaders } from '../../pipeline/stage/index.ts';
import { topics } from '../../schemas/topics.ts';
import type { Candle, Trade } from '../../schemas/types.ts';
import { spawnCandleflow, waitForLine } from '../support/cli-process.ts';
import {
  kafkaBrokerMissing,
  kafkaBrokerService,
  startKafkaCluster,
  type KafkaCluster,
} from '../support/kafka-broker.ts';
import { fastTuning, memoryLogger, waitFor } from '../support/kafka-harness.ts';
import { startTestSchemaRegistry, type TestSchemaRegistry } from '../support/schema-registry.ts';
import { describeWithService } from '../support/services.ts';

// Issue 12's poison trades, fed to `candleflow run trade-to-ohlc` as a user runs it, on a real Kafka broker: a
// trade of the year 2100, one at epoch 0 and one a week ahead of its symbol's stream are dead-lettered with their
// reasons, and the worker keeps going: the later trades still make their candles, for both symbols.

const MIN = 60_000;
const DAY = 86_400_000;
// History ten days old, so that the week-ahead trade is still in the past: only its jump gives it away.
const T0 = Math.floor((Date.now() - 10 * DAY) / DAY) * DAY;

function trade(symbol: string, timestamp: number, id: string): Trade {
  return { exchange: 'kraken', symbol, tradeId: id, price: 100, quantity: 1, side: 'buy', timestamp };
}

describeWithService(kafkaBrokerService, kafkaBrokerMissing(), 'poison trades on Kafka', () => {
  let cluster: KafkaCluster;
  let registry: TestSchemaRegistry;
  let bus: KafkaBus;
  let codec: Codec;
  let worker: ChildProcessWithoutNullStreams | undefined;

  beforeAll(async () => {
    // A broker of its own, not the run's shared one: the worker uses the catalogue's topics (trades, candles,
    // trades.dlq) and its stage's group, which fixed names other files' records would meet.
    cluster = await startKafkaCluster({ nodes: 1 });
    registry = await startTestSchemaRegistry();
    codec = await createSchemaRegistryCodec({ url: registry.url });
    bus = createKafkaBus(cluster.busConfig(), { log: memoryLogger() }, fastTuning);
  }, 180_000);
  afterAll(async () => {
    if (worker && worker.exitCode === null) worker.kill('SIGKILL');
    await bus?.close();
    await registry?.close();
    await cluster?.stop();
  });

  const send = async (trades: Trade[]): Promise<void> => {
    const messages = [];
    for (const t of trades) {
      messages.push({
        key: t.symbol,
        partition: partitionForKey(t.symbol, topics.trades.partitions),
        value: await codec.encode(topics.trades.name, 'Trade', t),
      });
    }
    await bus.produce(topics.trades.name, messages);
  };

  it('dead-letters a year-2100, an epoch-0 and a week-ahead trade; the worker goes on making candles', async () => {
    worker = spawnCandleflow(['run', 'trade-to-ohlc'], {
      KAFKA_BROKERS: cluster.brokers.join(','),
      SCHEMA_REGISTRY_URL: registry.url,
      TOPIC_REPLICAS: '1',
      METRICS_PORT: '0',
      OHLC_TIMEFRAMES: '1m',
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
    });
    let log = '';
    worker.stdout.on('data', (d: Buffer) => (log += d));
    worker.stderr.on('data', (d: Buffer) => (log += d));
    await waitForLine(worker, /candleflow run ready/, 120_000);

    const before: Trade[] = [];
    const after: Trade[] = [];
    for (let m = 0; m < 5; m += 1) {
      before.push(trade('BTC/USD', T0 + m * MIN + 3_000, `b${m}`), trade('ETH/USD', T0 + m * MIN + 4_000, `e${m}`));
    }
    for (let m = 5; m < 11; m += 1) {
      after.push(trade('BTC/USD', T0 + m * MIN + 3_000, `b${m}`), trade('ETH/USD', T0 + m * MIN + 4_000, `e${m}`));
    }
    const poison = [
      trade('BTC/USD', Date.UTC(2100, 0, 1, 12), 'p2100'),
      trade('BTC/USD', 0, 'p0'),
      trade('BTC/USD', T0 + 7 * DAY, 'pweek'),
    ];
    await send(before);
    await send(poison);
    await send(after);

    const dead: BusRecord[] = [];
    const candles: Candle[] = [];
    const dlq = await bus.subscribe({
      groupId: 'poison-dlq',
      topics: ['trades.dlq'],
      onBatch: async (b) => void dead.push(...b.records),
    });
    const out = await bus.subscribe({
      groupId: 'poison-candles',
      topics: ['candles'],
      onBatch: async (b) => {
        for (const r of b.records) candles.push((await codec.decode('candles', r.value)) as Candle);
      },
    });
    // Minute 10's trades close minute 9: ten candles a symbol, every one after the poison too.
    // Say what the worker did, not only that it did not answer.
    const explain = (err: Error): never => {
      throw new Error(
        `${err.message}: ${candles.length} candles, ${dead.length} dead letters; worker: ${log.slice(-3000)}`,
      );
    };
    await waitFor('the candles after the poison', () => candles.length >= 20, 90_000).catch(explain);
    await waitFor('three dead letters', () => dead.length >= 3, 30_000).catch(explain);
    await dlq.close();
    await out.close();

    expect(worker.exitCode).toBeNull();
    const reasons = await Promise.all(
      dead.map(async (r) => {
        const t = (await codec.decode('trades', r.value)) as Trade;
        return [t.tradeId, r.headers[DeadLetterHeaders.REASON]];
      }),
    );
    expect(reasons.sort()).toEqual([
      ['p0', 'too-old'],
      ['p2100', 'future'],
      ['pweek', 'future'],
    ]);
    for (const symbol of ['BTC/USD', 'ETH/USD']) {
      const starts = candles
        .filter((c) => c.symbol === symbol)
        .map((c) => (c.start - T0) / MIN)
        .sort((a, b) => a - b);
      expect(starts).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    }
  }, 300_000);
});
