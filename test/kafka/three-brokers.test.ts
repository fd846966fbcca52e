import type { Admin } from 'kafkajs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BusRecord } from '../../pipeline/bus/bus.ts';
import { createKafkaBus, type KafkaBus } from '../../pipeline/bus/kafka/kafka-bus.ts';
import { uniqueName } from '../../pipeline/testing/unique-name.ts';
import { kafkajsClient } from '../kafka-broker/kafkajs-helpers.ts';
import {
  type KafkaCluster,
  kafkaBrokerMissing,
  kafkaBrokerService,
  startKafkaCluster,
} from '../support/kafka-broker.ts';
import { fastTuning, memoryLogger, waitFor } from '../support/kafka-harness.ts';
import { describeWithService } from '../support/services.ts';

// The adapter on three Apache Kafka nodes, a topic replicated on all of them: its partitions' leaders are spread
// over the nodes, so producing and fetching talk to every broker, not only the bootstrap one.

describeWithService(kafkaBrokerService, kafkaBrokerMissing(), 'kafkajs adapter on a 3-node Kafka cluster', () => {
  let cluster: KafkaCluster;
  let bus: KafkaBus;
  let admin: Admin;
  beforeAll(async () => {
    cluster = await startKafkaCluster({ nodes: 3 });
    bus = createKafkaBus(cluster.busConfig(), { log: memoryLogger() }, fastTuning);
    admin = kafkajsClient(cluster.kafkaConfig()).admin();
    await admin.connect();
  }, 180_000);
  afterAll(async () => {
    await admin?.disconnect();
    await bus?.close();
    await cluster?.stop();
  });

  it('produces to and consumes from partitions led by different brokers, each replicated 3 times', async () => {
    const topic = uniqueName('candles');
    await bus.ensureTopics([{ name: topic, partitions: 6, replicas: 3 }]);
    expect(await bus.partitionCount(topic)).toBe(6);
    const [metadata] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
    const leaderOf = new Map(metadata!.partitions.map((p) => [p.partitionId, p.leader]));
    for (const p of metadata!.partitions) {
      expect([...p.replicas].sort()).toEqual([1, 2, 3]);
      expect([...p.isr].sort()).toEqual([1, 2, 3]);
    }
    expect(new Set(leaderOf.values())).toEqual(new Set([1, 2, 3]));

    const messages = Array.from({ length: 120 }, (_, i) => ({
      key: `ETH/USD|${i % 24}`,
      value: Buffer.from(String(i)),
    }));
    await bus.produce(topic, messages);
    const records: BusRecord[] = [];
    const sub = await bus.subscribe({
      groupId: uniqueName('indicators'),
      topics: [topic],
      onBatch: async (b) => void records.push(...b.records),
    });
    await waitFor('120 records', () => records.length >= 120, 60_000);
    await sub.close();
    expect(records.map((r) => Number(r.value.toString())).sort((a, b) => a - b)).toEqual(messages.map((_, i) => i));
    expect(new Set(records.map((r) => r.partition)).size).toBe(6);
    expect(new Set(records.map((r) => leaderOf.get(r.partition)))).toEqual(new Set([1, 2, 3]));
  }, 120_000);
});
