import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { createLocalRegistryCodec } from '../../pipeline/serde/local-registry-codec.ts';
import { waitFor } from '../../pipeline/testing/wait-for.ts';
import type { Trade } from '../../schemas/types.ts';
import { spawnCandleflow, waitForLine } from '../support/cli-process.ts';
import {
  type KafkaCluster,
  type KafkaClusterOptions,
  kafkaBrokerMissing,
  kafkaBrokerService,
  startKafkaCluster,
} from '../support/kafka-broker.ts';
import { describeWithService } from '../support/services.ts';
import { ConsumerProtocolMember } from './consumer-protocol-member.ts';
import { collect, kafkajsClient, producerOptions } from './kafkajs-helpers.ts';

// `candleflow run trade-to-ohlc` as a process on a real broker, in the states a user's cluster can be in:
// topics that contradict the catalogue, a consumer kafkajs will not restart, records deleted before they were
// read, a broker gone at shutdown. Each case gets its own one-node cluster: the worker uses the real topic names.

const codec = createLocalRegistryCodec();
const group = 'candleflow.trade-to-ohlc';

interface Worker {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function startWorker(cluster: KafkaCluster, env: Record<string, string> = {}): Worker {
  const child = spawnCandleflow(['run', 'trade-to-ohlc'], {
    KAFKA_BROKERS: cluster.brokers.join(','),
    TOPIC_REPLICAS: '1',
    METRICS_PORT: '0',
    OHLC_TIMEFRAMES: '1m',
    SHUTDOWN_GRACE_MS: '3000',
    ...env,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

function trade(i: number, timestamp: number): Trade {
  return {
    exchange: 'test',
    symbol: 'BTC/USD',
    tradeId: String(i),
    price: 64_000 + i,
    quantity: 0.01,
    side: 'buy',
    timestamp,
  };
}

async function sendTrades(producer: Producer, from: number, count: number, start: number): Promise<void> {
  const messages = [];
  for (let i = from; i < from + count; i++) {
    messages.push({ key: 'BTC/USD', value: await codec.encode('trades', 'Trade', trade(i, start + i * 1000)) });
  }
  await producer.send({ topic: 'trades', acks: -1, messages });
}

describeWithService(kafkaBrokerService, kafkaBrokerMissing(), 'a Kafka worker in trouble (real broker)', () => {
  let cluster: KafkaCluster | undefined;
  let kafka: Kafka;
  let admin: Admin;
  let worker: Worker | undefined;

  async function cluster1(config: KafkaClusterOptions['config'] = {}): Promise<KafkaCluster> {
    cluster = await startKafkaCluster({ nodes: 1, config });
    kafka = kafkajsClient(cluster.kafkaConfig());
    admin = kafka.admin();
    await admin.connect();
    return cluster;
  }

  afterEach(async () => {
    if (worker && worker.child.exitCode === null) {
      worker.child.kill('SIGKILL');
      await worker.exited;
    }
    worker = undefined;
    await admin?.disconnect();
    await cluster?.stop();
    cluster = undefined;
  });

  describe('topics that contradict the catalogue stop the worker at start, exit 2, one line naming the topic', () => {
    it('a changelog with fewer partitions than its input', async () => {
      const c = await cluster1();
      await admin.createTopics({
        topics: [
          {
            topic: 'trade-to-ohlc.state',
            numPartitions: 4,
            configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
          },
        ],
      });
      worker = startWorker(c);
      expect(await worker.exited).toBe(2);
      expect(worker.stderr().trim().split('\n')).toEqual([
        'candleflow run: topic trade-to-ohlc.state has 4 partitions, expected 6, like its input trades',
      ]);
    }, 90_000);

    it('an output topic with another cleanup policy', async () => {
      const c = await cluster1();
      await admin.createTopics({
        topics: [{ topic: 'candles', numPartitions: 6, configEntries: [{ name: 'cleanup.policy', value: 'delete' }] }],
      });
      worker = startWorker(c);
      expect(await worker.exited).toBe(2);
      expect(worker.stderr().trim()).toBe(
        'candleflow run: topic candles has cleanup.policy=delete, expected compact,delete',
      );
    }, 90_000);
  });

  it('a consumer that kafkajs will not restart makes the worker say so and exit 1, not sit alive', async () => {
    // With the migration policy disabled, a kafkajs member cannot join a group of the new consumer protocol:
    // kafkajs crashes with INCONSISTENT_GROUP_PROTOCOL and restart: false.
    const c = await cluster1({
      'group.consumer.migration.policy': 'disabled',
      'group.consumer.heartbeat.interval.ms': 500,
      'group.consumer.min.heartbeat.interval.ms': 500,
    });
    await admin.createTopics({ topics: [{ topic: 'trades', numPartitions: 6 }] });
    // FindCoordinator (which this minimal member does not send) creates __consumer_offsets on a fresh cluster.
    await admin.describeGroups([group]);
    const member = await ConsumerProtocolMember.join(c.brokers, group, ['trades']);
    try {
      worker = startWorker(c);
      expect(await worker.exited).toBe(1);
      expect(worker.stdout()).toMatch(/consumer of group candleflow\.trade-to-ohlc crashed and will not restart/);
      expect(worker.stdout()).toMatch(/supported protocols are incompatible with those of existing members/);
    } finally {
      await member.leave();
    }
  }, 90_000);

  it('records deleted before they were read are counted and stop the worker (ON_INPUT_LOST=stop); continue fills no gap across them', async () => {
    const c = await cluster1();
    const producer = kafka.producer(producerOptions);
    await producer.connect();
    try {
      worker = startWorker(c);
      await waitForLine(worker.child, /candleflow run ready/, 60_000);
      const start = Date.UTC(2026, 0, 1);
      await sendTrades(producer, 0, 10, start);
      const committed = async () =>
        (await admin.fetchOffsets({ groupId: group, topics: ['trades'] }))[0]!.partitions.reduce(
          (n, p) => n + Math.max(0, Number(p.offset)),
          0,
        );
      await waitFor(async () => (await committed()) === 10, 'the worker to commit 10 trades', 30_000);
      worker.child.kill('SIGTERM');
      expect(await worker.exited).toBe(0);

      // While it is away: 20 more trades five minutes on, of which retention (here deleteRecords) takes the first 15.
      await sendTrades(producer, 10, 20, start + 5 * 60_000);
      const partition = (await admin.fetchOffsets({ groupId: group, topics: ['trades'] }))[0]!.partitions.find(
        (p) => Number(p.offset) === 10,
      )!.partition;
      await admin.fetchTopicMetadata({ topics: ['trades'] });
      await admin.deleteTopicRecords({ topic: 'trades', partitions: [{ partition, offset: '25' }] });

      worker = startWorker(c);
      expect(await worker.exited).toBe(1);
      const lost = `15 records of trades[${partition}] (offsets 10 to 24) were deleted before ${group} read them`;
      expect(worker.stdout()).toContain(lost);
      expect(worker.stdout()).toContain('set ON_INPUT_LOST=continue to go on from the log start');

      // The stop holds: the group's offset was put back, so a plain restart stops again, saying the same.
      worker = startWorker(c);
      expect(await worker.exited).toBe(1);
      expect(worker.stdout()).toContain(lost);

      // Going on is a choice the user makes; the loss is still counted.
      worker = startWorker(c, { ON_INPUT_LOST: 'continue' });
      const ready = await waitForLine(worker.child, /candleflow run ready/, 60_000);
      const url = (JSON.parse(ready) as { url: string }).url;
      await waitFor(
        async () => /cf_input_lost_records_total\{[^}]*\} 15/.test(await (await fetch(`${url}/metrics`)).text()),
        'the lost records to be counted',
        30_000,
      );
      await waitFor(async () => (await committed()) === 30, 'the worker to read on from the log start', 30_000);
      // The first minute closes; the four minutes in the hole are not presented as flat trading.
      const candles = await collect(kafka, 'candles', { groupId: 'test-candles', commit: false });
      await waitFor(() => candles.records.length >= 1, 'the first candle', 30_000);
      await new Promise((r) => setTimeout(r, 1000)); // flat candles would have come in the same batch
      await candles.stop();
      expect(candles.records.map((r) => r.key)).toEqual([`BTC/USD|1m|${start}`]);
    } finally {
      await producer.disconnect();
    }
  }, 180_000);

  it('an input topic deleted under a running worker makes it say so and exit, not sit alive', async () => {
    const c = await cluster1();
    worker = startWorker(c, { TOPIC_CHECK_INTERVAL: '1s' });
    await waitForLine(worker.child, /candleflow run ready/, 60_000);
    await admin.deleteTopics({ topics: ['trades'] });
    expect(await worker.exited).toBe(1);
    expect(worker.stdout()).toContain('candleflow: topics failed: topic trades does not exist');
  }, 120_000);

  it('ends within SHUTDOWN_GRACE_MS when the broker is gone, saying so when it had to give up', async () => {
    const c = await cluster1();
    worker = startWorker(c);
    await waitForLine(worker.child, /candleflow run ready/, 60_000);
    await c.stopNode(c.nodes[0]!.id);
    const stoppedAt = Date.now();
    worker.child.kill('SIGTERM');
    const code = await worker.exited;
    // A deadline the worker promises (3 s of grace), with room for process exit: not a speed claim.
    expect(Date.now() - stoppedAt).toBeLessThan(3_000 + 5_000);
    if (code !== 0) expect(worker.stdout()).toMatch(/shutdown did not finish within SHUTDOWN_GRACE_MS|shutdown failed/);
    expect([0, 1]).toContain(code);
  }, 90_000);
});
