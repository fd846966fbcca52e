import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Admin, Kafka } from 'kafkajs';
import { waitFor } from '../../pipeline/testing/wait-for.ts';
import type { Candle } from '../../schemas/types.ts';
import { startKafkaCluster } from '../../test/support/kafka-broker.ts';
import { client, lag, offsetSpan, OutputReader, producerOf, send, setTopicConfig, trade } from './kafka-side.ts';
import { startReady, startWorker } from './worker-process.ts';

// Drill 3: `trade-to-ohlc.state` really compacted by the broker's cleaner, then the worker restarted on it: the
// restore's time against the keys and the changelog's records, and the candles the restored state closes
// compared with the trades' own candles. Every trade lies in the first 1m window, so the only candles are those
// the closing round makes after the restart: each depends on all seven earlier trades of its symbol.

const changelog = 'trade-to-ohlc.state';
const group = 'candleflow.trade-to-ohlc';
const openRounds = [0, 1, 2, 3, 4];
const rollRounds = [10, 11]; // written after segment.ms, so that the earlier records leave the active segment
const closeRound = 70; // past the window end plus the 2 s grace

const symbolOf = (k: number) => `K${k}/USD`;
const priceOf = (k: number, r: number) => 100 + ((r * 37 + k * 13) % 101) / 10;
const round = (keys: number, r: number) => Array.from({ length: keys }, (_, k) => trade(symbolOf(k), r, priceOf(k, r)));

export interface CompactionFigures {
  keys: number;
  recordsBefore: number;
  recordsAfter: number;
  compacted: boolean;
  restoredKeys: number;
  readyToRestoredS: number;
  spawnToRestoredS: number;
  spawnToReadyS: number;
  candles: number;
  mismatches: string[];
}

/** Offsets the log cleaner has cleaned up to, summed over the partitions of `topic` (its checkpoint file). */
function cleanedUpTo(dataDir: string, topic: string): number {
  const file = join(dataDir, 'cleaner-offset-checkpoint');
  if (!existsSync(file)) return 0;
  return readFileSync(file, 'utf8')
    .split('\n')
    .slice(2)
    .map((l) => l.split(' '))
    .filter(([t]) => t === topic)
    .reduce((n, [, , offset]) => n + Number(offset), 0);
}

/** Records a reader finds in `topic` now, i.e. what compaction left. */
async function countRecords(kafka: Kafka, admin: Admin, topic: string): Promise<number> {
  const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
  const seen = new Map<number, number>();
  let count = 0;
  const consumer = kafka.consumer({ groupId: `faults-count-${Date.now()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      count++;
      seen.set(partition, Number(message.offset));
    },
  });
  const done = () => [...ends].every(([p, end]) => end === 0 || (seen.get(p) ?? -1) >= end - 1);
  await waitFor(done, `every record of ${topic}`, 120_000, 50);
  await consumer.disconnect();
  return count;
}

async function committedAll(admin: Admin): Promise<void> {
  await waitFor(
    async () => (await lag(admin, group, 'trades')) === 0,
    'the worker to commit every trade',
    180_000,
    100,
  );
}

export async function compactionDrill(keys: number): Promise<CompactionFigures> {
  const cluster = await startKafkaCluster({ nodes: 1, config: { 'log.cleaner.backoff.ms': 200 } });
  const kafka = client(cluster);
  const admin = kafka.admin();
  const producer = await producerOf(kafka);
  const reader = new OutputReader(kafka);
  let [worker] = await startReady(cluster, ['trade-to-ohlc']);
  try {
    await admin.connect();
    await setTopicConfig(admin, changelog, { 'segment.ms': '1000', 'min.cleanable.dirty.ratio': '0.01' });
    for (const r of openRounds) {
      await send(producer, round(keys, r));
      await committedAll(admin);
    }
    for (const r of rollRounds) {
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await send(producer, round(keys, r));
      await committedAll(admin);
    }
    const recordsBefore = await offsetSpan(admin, changelog);
    const dataDir = join(cluster.nodes[0]!.dir, 'data');
    // The last roll round's records are in the active segment, which the cleaner never touches.
    const cleanable = recordsBefore - keys;
    const compacted = await waitFor(() => cleanedUpTo(dataDir, changelog) >= cleanable, 'compaction', 60_000, 200)
      .then(() => true)
      .catch(() => false);
    const recordsAfter = await countRecords(kafka, admin, changelog);

    await worker!.stop('SIGTERM');
    worker = startWorker(cluster, 'trade-to-ohlc');
    const restored = await worker.line(/"msg":"state restored"/, 180_000);
    const ready = await worker.line(/candleflow run ready/, 180_000);
    // The worker says ready as soon as its consumer starts; from there to 'state restored' (pino times) is the
    // group join, the assignment and the restore from the changelog.
    const readyToRestoredS = (Number(restored.json!.time) - Number(ready.json!.time)) / 1000;

    await reader.start(['candles']);
    await send(producer, round(keys, closeRound));
    await waitFor(() => reader.keys('candles') >= keys, `${keys} candles`, 180_000, 50);
    const mismatches: string[] = [];
    for (let k = 0; k < keys; k++) {
      const rounds = [...openRounds, ...rollRounds];
      const prices = rounds.map((r) => priceOf(k, r));
      const want = [prices[0], Math.max(...prices), Math.min(...prices), prices.at(-1), rounds.length].join(' ');
      const key = `${symbolOf(k)}|1m|${trade(symbolOf(k), 0, 0).timestamp}`;
      const values = (reader.values.get('candles')!.get(key) ?? []).map((v) => JSON.parse(v) as Candle);
      const got = values.map((c) => [c.open, c.high, c.low, c.close, c.trades].join(' '));
      if (got.length === 0 || got.some((g) => g !== want)) mismatches.push(`${key}: ${got.join(' / ')} != ${want}`);
    }
    return {
      keys,
      recordsBefore,
      recordsAfter,
      compacted,
      restoredKeys: Number(restored.json!.keys),
      readyToRestoredS,
      spawnToRestoredS: (restored.at - worker.startedAt) / 1000,
      spawnToReadyS: (ready.at - worker.startedAt) / 1000,
      candles: reader.keys('candles'),
      mismatches,
    };
  } catch (err) {
    process.stderr.write(`--- trade-to-ohlc\n${worker?.tail()}\n`);
    throw err;
  } finally {
    await worker?.stop('SIGKILL');
    await reader.stop().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    await cluster.stop();
  }
}
