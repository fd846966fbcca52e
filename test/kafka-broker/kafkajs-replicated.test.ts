import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { uniqueName } from '../../pipeline/testing/unique-name.ts';
import { waitFor } from '../../pipeline/testing/wait-for.ts';
import {
  type KafkaCluster,
  kafkaBrokerMissing,
  kafkaBrokerService,
  startKafkaCluster,
} from '../support/kafka-broker.ts';
import { describeWithService } from '../support/services.ts';
import { collect, createTopic, kafkajsClient, producerOptions, readTopic } from './kafkajs-helpers.ts';
import {
  groupCoordinatorErrors,
  protocolErrorTypes,
  retriableKafkaError,
  sendOffsetsRetrying,
} from '../../pipeline/bus/kafka/kafkajs-workarounds.ts';

// kafkajs 2.2.4 against three combined broker+controller nodes, replication 3: what a Strimzi cluster of
// three pods does when one of them is killed.

describeWithService(
  kafkaBrokerService,
  kafkaBrokerMissing(),
  'kafkajs 2.2.4 against a 3-node Apache Kafka 4 cluster',
  () => {
    let cluster: KafkaCluster;
    let kafka: Kafka;
    let admin: Admin;
    let producer: Producer;

    beforeAll(async () => {
      cluster = await startKafkaCluster({ nodes: 3 });
      kafka = kafkajsClient(cluster.kafkaConfig());
      admin = kafka.admin();
      await admin.connect();
      producer = kafka.producer(producerOptions);
      await producer.connect();
    }, 180_000);
    afterAll(async () => {
      await producer?.disconnect();
      await admin?.disconnect();
      await cluster?.stop();
    });

    // admin.fetchTopicMetadata has no retry of its own: the call that meets the dead node's connection fails.
    const leaders = async (topic: string) => {
      const meta = await waitFor(
        () =>
          admin
            .fetchTopicMetadata({ topics: [topic] })
            .catch((e: unknown) => (retriableKafkaError(e) ? null : Promise.reject(e))),
        `metadata of ${topic}`,
        30_000,
        100,
      );
      return meta.topics[0]!.partitions.sort((a, b) => a.partitionId - b.partitionId);
    };

    it('lists three nodes and spreads replicas over them; replication -1 takes default.replication.factor', async () => {
      expect((await admin.describeCluster()).brokers.map((b) => b.nodeId).sort()).toEqual([1, 2, 3]);
      const topic = await createTopic(admin, 'spread', { numPartitions: 3, replicationFactor: -1 });
      const partitions = await leaders(topic);
      expect(partitions.map((p) => p.replicas.length)).toEqual([3, 3, 3]);
      expect(new Set(partitions.map((p) => p.leader)).size).toBe(3);
    });

    it('sendOffsets gives up on group coordinator errors it means to retry (misnamed); sendOffsetsRetrying does not', async () => {
      // kafkajs's retry lists use the Java names, its error table others: none of the three ever matches.
      const require = createRequire(import.meta.url);
      const { errorCodes } = require('kafkajs/src/protocol/error.js') as {
        errorCodes: Array<{ type: string; code: number }>;
      };
      const eos = readFileSync(require.resolve('kafkajs/src/producer/eosManager/index.js'), 'utf8');
      const retried = [...eos.matchAll(/const COMMIT_\w+_PROTOCOL_ERRORS = \[([^\]]*)\]/g)].flatMap((m) =>
        [...m[1]!.matchAll(/'(\w+)'/g)].map((n) => n[1]!),
      );
      const known = new Set(errorCodes.map((e) => e.type));
      expect(retried.filter((name) => !known.has(name))).toEqual([
        'COORDINATOR_LOAD_IN_PROGRESS',
        'COORDINATOR_NOT_AVAILABLE',
        'NOT_COORDINATOR',
      ]);
      expect([14, 15, 16].map((code) => errorCodes.find((e) => e.code === code)!.type)).toEqual([
        ...groupCoordinatorErrors,
      ]);

      // On this cluster no group has been used yet: the first TxnOffsetCommit meets a coordinator still loading.
      const input = await createTopic(admin, 'eos-in', { numPartitions: 1 });
      const output = await createTopic(admin, 'eos-out', { numPartitions: 1 });
      const groupId = uniqueName('eos');
      const tx = kafka.producer({
        ...producerOptions,
        transactionalId: uniqueName('eos'),
        idempotent: true,
        maxInFlightRequests: 1,
      });
      await tx.connect();
      try {
        const transaction = await tx.transaction();
        await transaction.send({ topic: output, acks: -1, messages: [{ value: 'out' }] });
        const offsets = {
          consumerGroupId: groupId,
          topics: [{ topic: input, partitions: [{ partition: 0, offset: '1' }] }],
        };
        const raw = await transaction.sendOffsets(offsets).then(
          () => null,
          (e: unknown) => e,
        );
        // Either it got through, or it failed on exactly such an error, retriable, with the transaction still open.
        if (raw) {
          expect(protocolErrorTypes(raw).some((t) => groupCoordinatorErrors.has(t))).toBe(true);
          expect(transaction.isActive()).toBe(true);
        }
        await sendOffsetsRetrying(transaction, offsets);
        await transaction.commit();
      } finally {
        await tx.disconnect();
      }
      // kafkajs asks with OffsetFetch v3, which has no requireStable (KIP-447, v7): until the commit marker
      // reaches __consumer_offsets, a transactional offset reads as the previous one (here none, -1).
      const committed = async () => (await admin.fetchOffsets({ groupId, topics: [input] }))[0]!.partitions[0]!.offset;
      expect(['-1', '1']).toContain(await committed());
      await waitFor(async () => (await committed()) === '1', 'the transactional offset to become visible');
      expect((await readTopic(kafka, admin, output, { readUncommitted: false })).map((r) => r.value)).toEqual(['out']);
    }, 60_000);

    it('goes on producing (acks=-1) and consuming when a partition leader is SIGKILLed; min.insync.replicas is enforced', async () => {
      const minIsr2 = [{ name: 'min.insync.replicas', value: '2' }];
      const topic = await createTopic(admin, 'failover', {
        numPartitions: 3,
        replicationFactor: 3,
        configEntries: minIsr2,
      });
      const strict = await createTopic(admin, 'strict', {
        numPartitions: 1,
        replicationFactor: 3,
        configEntries: [{ name: 'min.insync.replicas', value: '3' }],
      });
      const reader = await collect(kafka, topic, { groupId: uniqueName('failover') });
      const acked = new Set<string>();
      let running = true;
      let n = 0;
      const loop = (async () => {
        while (running) {
          const value = `m${n++}`;
          await producer.send({ topic, acks: -1, messages: [{ key: value, value }] }).then(
            () => acked.add(value),
            () => undefined,
          );
          await new Promise((r) => setTimeout(r, 30));
        }
      })();
      await waitFor(() => acked.size >= 30, '30 acknowledged records');

      const victim = (await leaders(topic))[0]!.leader;
      await cluster.killNode(victim);
      await waitFor(
        async () => ![-1, victim].includes((await leaders(topic))[0]!.leader),
        'a new leader for partition 0',
        30_000,
      );
      const afterFailover = acked.size;
      await waitFor(() => acked.size >= afterFailover + 30, '30 more acknowledged records with one node down', 60_000);
      // Two in-sync replicas left: enough for min.insync.replicas=2, not for 3.
      expect((await leaders(topic)).map((p) => p.isr.length)).toEqual([2, 2, 2]);
      // No retries, so each refusal comes back at once; bootstrapped from the live nodes (a seed is picked at random).
      const live = cluster.nodes.filter((node) => node.running).map((node) => node.address);
      const impatient = kafkajsClient({ ...cluster.kafkaConfig(), brokers: live, retry: { retries: 0 } }).producer(
        producerOptions,
      );
      await impatient.connect();
      let refusal: unknown;
      await waitFor(
        async () => {
          refusal = await impatient
            .send({ topic: strict, acks: -1, timeout: 2_000, messages: [{ value: 'x' }] })
            .catch((e: unknown) => e);
          return protocolErrorTypes(refusal).includes('NOT_ENOUGH_REPLICAS');
        },
        'NOT_ENOUGH_REPLICAS from the min.insync.replicas=3 topic',
        30_000,
        200,
      );
      // Wrapped in KafkaJSNumberOfRetriesExceeded (retriable: false) around the retriable protocol error.
      expect(refusal).toMatchObject({ name: 'KafkaJSNumberOfRetriesExceeded', retriable: false });
      expect(retriableKafkaError(refusal)).toBe(true);

      await cluster.startNode(victim);
      await waitFor(
        async () => (await leaders(strict))[0]!.isr.length === 3,
        'the restarted node back in the ISR',
        60_000,
      );
      await impatient.send({ topic: strict, acks: -1, messages: [{ value: 'accepted' }] });
      await impatient.disconnect();
      running = false;
      await loop;
      await waitFor(
        () => [...acked].every((v) => reader.records.some((r) => r.value === v)),
        'every acknowledged record read',
        60_000,
      );
      await reader.stop();
      const inLog = new Set((await readTopic(kafka, admin, topic)).map((r) => r.value));
      expect([...acked].filter((v) => !inLog.has(v))).toEqual([]);
      expect(reader.crashes.every((e) => retriableKafkaError(e))).toBe(true);
    }, 180_000);
  },
);
