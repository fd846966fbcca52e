import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Consumer, Kafka, Producer } from 'kafkajs';
import { createKafkaBus } from '../../pipeline/bus/kafka/kafka-bus.ts';
import { ProducerFencedError } from '../../pipeline/errors.ts';
import { silentLogger } from '../../pipeline/log.ts';
import { uniqueName } from '../../pipeline/testing/unique-name.ts';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createLocalRegistryCodec } from '../../pipeline/serde/local-registry-codec.ts';
import { waitFor } from '../../pipeline/testing/wait-for.ts';
import type { Candle, Trade } from '../../schemas/types.ts';
import { spawnCandleflow, waitForLine } from '../support/cli-process.ts';
import {
  type KafkaCluster,
  kafkaBrokerMissing,
  kafkaBrokerService,
  startKafkaCluster,
} from '../support/kafka-broker.ts';
import { describeWithService } from '../support/services.ts';
import { createTopic, kafkajsClient, producerOptions } from './kafkajs-helpers.ts';

// PROCESSING_GUARANTEE=exactly-once on a real broker. First the mechanism, deterministically: a producer killed
// with its transaction open, whose records are in the log, is fenced by its successor and none of its records or
// offsets is ever read committed. Then the whole: `candleflow run trade-to-ohlc` SIGKILLed three times mid-stream
// gives a read-committed reader of `candles` every closed candle exactly once, equal to the candle computed from
// the trades.

const openTransaction = fileURLToPath(new URL('./fixtures/open-transaction.ts', import.meta.url));

const codec = createLocalRegistryCodec();
const symbols = ['BTC/USD', 'ETH/USD', 'SOL/USD'];
const perSymbol = 1_800; // one trade a second: 30 windows of 1m, 29 closed by a later trade
const start = Date.UTC(2024, 0, 1);

function trade(symbol: string, i: number): Trade {
  return {
    exchange: 'test',
    symbol,
    tradeId: String(i),
    price: 100 + ((i * 37) % 101) / 10,
    quantity: 0.5 + (i % 7) / 10,
    side: i % 3 === 0 ? 'sell' : 'buy',
    timestamp: start + i * 1000,
  };
}

/** The closed 1m candles of the trades, by key, as open/high/low/close/trades. */
function expectedCandles(): Map<string, string> {
  const out = new Map<string, string>();
  for (const symbol of symbols) {
    const windows = perSymbol / 60;
    for (let w = 0; w < windows - 1; w++) {
      const trades = Array.from({ length: 60 }, (_, k) => trade(symbol, w * 60 + k));
      const prices = trades.map((t) => t.price);
      const key = `${symbol}|1m|${start + w * 60_000}`;
      out.set(key, [prices[0], Math.max(...prices), Math.min(...prices), prices.at(-1), 60].join(' '));
    }
  }
  return out;
}

describeWithService(kafkaBrokerService, kafkaBrokerMissing(), 'exactly-once (real broker)', () => {
  let cluster: KafkaCluster;
  let kafka: Kafka;
  let producer: Producer;
  let reader: Consumer | undefined;
  const workers: ChildProcessWithoutNullStreams[] = [];

  const startWorker = () => {
    const child = spawnCandleflow(['run', 'trade-to-ohlc'], {
      KAFKA_BROKERS: cluster.brokers.join(','),
      TOPIC_REPLICAS: '1',
      METRICS_PORT: '0',
      OHLC_TIMEFRAMES: '1m',
      BATCH_MAX_RECORDS: '25',
      PROCESSING_GUARANTEE: process.env.EOS_MODE ?? 'exactly-once',
      INSTANCE_ID: 'eos-test',
      KAFKA_SESSION_TIMEOUT: '6s',
      KAFKA_HEARTBEAT_INTERVAL: '1s',
    });
    workers.push(child);
    child.stdout.on('data', (d: Buffer) => (log += d));
    child.stderr.on('data', (d: Buffer) => (log += d));
    return child;
  };
  let log = '';

  beforeAll(async () => {
    cluster = await startKafkaCluster({ nodes: 1 });
    kafka = kafkajsClient(cluster.kafkaConfig());
    producer = kafka.producer(producerOptions);
    await producer.connect();
  }, 120_000);
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') process.stderr.write(`worker output:\n${log.slice(-6000)}\n`);
    log = '';
  });
  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
    await reader?.disconnect();
    await producer?.disconnect();
    await cluster?.stop();
  });

  /** Every record of partition 0 of `topic`, read committed or not, until `count` are there. */
  const readAll = async (topic: string, readUncommitted: boolean, count: number): Promise<string[]> => {
    const values: string[] = [];
    const consumer = kafka.consumer({ groupId: uniqueName('read'), readUncommitted, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void values.push(message.value!.toString()) });
    await waitFor(() => values.length >= count, `${count} records of ${topic}`, 30_000);
    await consumer.disconnect();
    return values;
  };

  it("aborts a killed producer's open transaction when its id is opened again: nothing of it is read committed", async () => {
    const admin = kafka.admin();
    await admin.connect();
    const topic = await createTopic(admin, 'eos-out', { numPartitions: 1 });
    const groupId = uniqueName('eos-group');
    const txId = uniqueName('eos-tx');
    const killed = spawn(process.execPath, ['--import', 'tsx', openTransaction], {
      env: {
        ...process.env,
        KAFKA_BROKERS: cluster.brokers.join(','),
        TX_ID: txId,
        TX_TOPIC: topic,
        TX_GROUP: groupId,
        TX_COUNT: '5',
        TX_OFFSET: '5',
      },
    }) as ChildProcessWithoutNullStreams;
    workers.push(killed);
    await waitForLine(killed, /^open$/, 60_000);
    expect(await readAll(topic, true, 5)).toHaveLength(5); // in the log, uncommitted
    killed.kill('SIGKILL');
    await new Promise((resolve) => killed.once('exit', resolve));

    const bus = createKafkaBus({ brokers: cluster.brokers, clientId: 'eos-test', ssl: false }, { log: silentLogger });
    try {
      const successor = await bus.transactional!(txId);
      await successor.run(async (tx) => {
        await tx.produce(topic, [{ key: 'k', value: Buffer.from('from the successor') }]);
        await tx.sendOffsets(groupId, [{ topic, partition: 0, offset: 2 }]);
      });
      // Readable at once: the successor's opening aborted the open transaction, whose records the LSO waited on.
      expect(await readAll(topic, false, 1)).toEqual(['from the successor']);
      const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
      expect(offsets!.partitions).toEqual([expect.objectContaining({ partition: 0, offset: '2' })]);

      const second = await bus.transactional!(txId);
      await expect(
        successor.run(async (tx) => tx.produce(topic, [{ key: 'k', value: Buffer.from('x') }])),
      ).rejects.toThrow(ProducerFencedError);
      await second.close();
    } finally {
      await bus.close();
      await admin.disconnect();
    }
  }, 120_000);

  it('gives a read-committed reader every closed candle once through three SIGKILLs mid-stream', async () => {
    const first = startWorker();
    await waitForLine(first, /"msg":"stage started"/, 60_000);
    for (const symbol of symbols) {
      const messages = [];
      for (let i = 0; i < perSymbol; i++) {
        messages.push({ key: symbol, value: await codec.encode('trades', 'Trade', trade(symbol, i)) });
      }
      for (let i = 0; i < messages.length; i += 600) {
        await producer.send({ topic: 'trades', acks: -1, messages: messages.slice(i, i + 600) });
      }
    }

    const seen: string[] = [];
    const closed = new Map<string, string>();
    reader = kafka.consumer({ groupId: 'eos-reader', readUncommitted: false, maxWaitTimeInMs: 100 });
    await reader.connect();
    await reader.subscribe({ topic: 'candles', fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => {
        const c = (await codec.decode('candles', message.value!)) as Candle;
        const key = message.key!.toString();
        seen.push(key);
        closed.set(key, [c.open, c.high, c.low, c.close, c.trades].join(' '));
      },
    });

    const expected = expectedCandles();
    let worker = first;
    for (const share of [0.2, 0.45, 0.7]) {
      await waitFor(() => seen.length >= expected.size * share, `${share * 100}% of the candles`, 60_000);
      worker.kill('SIGKILL');
      await new Promise((resolve) => worker.once('exit', resolve));
      worker = startWorker();
    }
    expect(seen.length).toBeLessThan(expected.size);
    await waitFor(() => closed.size >= expected.size, 'every closed candle after the restarts', 90_000);
    worker.kill('SIGTERM');
    await new Promise((resolve) => worker.once('exit', resolve));

    const repeated = seen.filter((key, i) => seen.indexOf(key) !== i);
    expect(repeated).toEqual([]);
    expect(closed).toEqual(expected);
  }, 240_000);
});
