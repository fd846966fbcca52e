import type { Admin, ConsumerGroupJoinEvent, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coPartitionedAssigner } from '../../pipeline/bus/kafka/co-partitioned-assignor.ts';
import { uniqueName } from '../../pipeline/testing/unique-name.ts';
import { waitFor } from '../../pipeline/testing/wait-for.ts';
import {
  type KafkaCluster,
  kafkaBrokerMissing,
  kafkaBrokerService,
  startKafkaCluster,
} from '../support/kafka-broker.ts';
import { describeWithService } from '../support/services.ts';
import { ConsumerProtocolMember } from './consumer-protocol-member.ts';
import { createTopic, kafkajsClient } from './kafkajs-helpers.ts';
import { assignedByBroker } from '../../pipeline/bus/kafka/kafkajs-workarounds.ts';

// KIP-848: Kafka 4 runs the new consumer group protocol next to the classic one that kafkajs speaks. A group
// is converted to a "consumer" group as soon as a member of the new protocol joins it (Kafka's default
// group.consumer.migration.policy=bidirectional); its classic members then get the broker's assignment.

type Join = ConsumerGroupJoinEvent['payload'];

/** Whether partition p of every topic goes with partition p of the others: the adapter's co-partitioning promise. */
const coPartitioned = (assignment: Record<string, number[]>, topics: readonly string[]) => {
  const sets = topics.map((t) => JSON.stringify([...(assignment[t] ?? [])].sort()));
  return sets.every((s) => s === sets[0]);
};

async function kafkajsMember(kafka: Kafka, groupId: string, topics: string[], joins: Join[], crashes: Error[]) {
  const consumer = kafka.consumer({
    groupId,
    sessionTimeout: 6_000,
    heartbeatInterval: 300,
    maxWaitTimeInMs: 100,
    partitionAssigners: [coPartitionedAssigner],
  });
  consumer.on(consumer.events.GROUP_JOIN, (e) => joins.push(e.payload));
  consumer.on(consumer.events.CRASH, (e) => crashes.push(e.payload.error));
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({ eachMessage: async () => undefined });
  return consumer;
}

function suite(
  policy: 'bidirectional' | 'disabled',
  body: (ctx: () => { cluster: KafkaCluster; kafka: Kafka; admin: Admin }) => void,
) {
  describe(`group.consumer.migration.policy=${policy}`, () => {
    let cluster: KafkaCluster;
    let kafka: Kafka;
    let admin: Admin;
    beforeAll(async () => {
      cluster = await startKafkaCluster({
        nodes: 1,
        config: {
          'group.consumer.migration.policy': policy,
          // The new protocol's heartbeat interval is 5 s by default, and its minimum too.
          'group.consumer.heartbeat.interval.ms': 500,
          'group.consumer.min.heartbeat.interval.ms': 500,
        },
      });
      kafka = kafkajsClient(cluster.kafkaConfig());
      admin = kafka.admin();
      await admin.connect();
    }, 120_000);
    afterAll(async () => {
      await admin?.disconnect();
      await cluster?.stop();
    });
    body(() => ({ cluster, kafka, admin }));
  });
}

describeWithService(kafkaBrokerService, kafkaBrokerMissing(), 'kafkajs 2.2.4 and the KIP-848 consumer protocol', () => {
  suite('bidirectional', (ctx) => {
    it('a new-protocol member takes a kafkajs group over: the broker assigns and the co-partitioned assignor is bypassed', async () => {
      const { cluster, kafka, admin } = ctx();
      const topics = [
        await createTopic(admin, 'pred', { numPartitions: 4 }),
        await createTopic(admin, 'cand', { numPartitions: 4 }),
      ];
      const groupId = uniqueName('mixed');
      const joins: Join[] = [];
      const crashes: Error[] = [];
      const consumer = await kafkajsMember(kafka, groupId, topics, joins, crashes);
      await waitFor(() => joins.length > 0, 'the kafkajs member to join');
      expect(joins[0]).toMatchObject({ isLeader: true, groupProtocol: 'CandleflowCoPartitioned' });
      expect(assignedByBroker(joins[0]!)).toBe(false);

      const member = await ConsumerProtocolMember.join(cluster.brokers, groupId, topics);
      await waitFor(
        () => joins.length > 1 && member.partitions().length > 0,
        'the group to be shared by both members',
        30_000,
      );
      const shared = joins.at(-1)!;
      // kafkajs still names its assignor, but nobody ran it: there is no leader, and isLeader is '' (not a boolean).
      expect(shared).toMatchObject({ leaderId: '', isLeader: '', groupProtocol: 'CandleflowCoPartitioned' });
      expect(assignedByBroker(shared)).toBe(true);
      expect(coPartitioned(shared.memberAssignment, topics)).toBe(false);
      // DescribeGroups v2 (kafkajs's newest) knows nothing of consumer groups: the group looks dead and empty.
      const { groups } = await admin.describeGroups([groupId]);
      expect(groups[0]).toMatchObject({ state: 'Dead', protocolType: '', members: [] });

      await member.leave();
      // Back to a classic group when the last new-protocol member leaves; kafkajs's assignor is in charge again.
      await waitFor(
        () => !assignedByBroker(joins.at(-1)!) && joins.length > 2,
        'the group to become classic again',
        30_000,
      );
      expect(joins.at(-1)!.memberAssignment).toEqual(Object.fromEntries(topics.map((t) => [t, [0, 1, 2, 3]])));
      await consumer.disconnect();
      // At most the transient GROUP_LOAD_IN_PROGRESS of a fresh cluster, after which kafkajs restarts by itself.
      expect(crashes.filter((e) => (e as { retriable?: boolean }).retriable !== true)).toEqual([]);
    }, 60_000);
  });

  suite('disabled', (ctx) => {
    it('keeps new-protocol members out of a kafkajs group, and a kafkajs member out of a consumer group (crash, no restart)', async () => {
      const { cluster, kafka, admin } = ctx();
      const topics = [
        await createTopic(admin, 'pred', { numPartitions: 2 }),
        await createTopic(admin, 'cand', { numPartitions: 2 }),
      ];
      const classic = uniqueName('classic');
      const joins: Join[] = [];
      const crashes: Error[] = [];
      const consumer = await kafkajsMember(kafka, classic, topics, joins, crashes);
      await waitFor(() => joins.length > 0, 'the kafkajs member to join');
      await expect(ConsumerProtocolMember.join(cluster.brokers, classic, topics)).rejects.toThrow(
        /online upgrade is disabled/,
      );
      await consumer.disconnect();

      const modern = uniqueName('modern');
      const member = await ConsumerProtocolMember.join(cluster.brokers, modern, topics);
      const lateJoins: Join[] = [];
      const lateCrashes: Error[] = [];
      const late = await kafkajsMember(kafka, modern, topics, lateJoins, lateCrashes);
      await waitFor(() => lateCrashes.length > 0, 'the kafkajs member to crash');
      // adapter: a CRASH whose restart is false leaves the subscription dead; it must fail loudly, not just log.
      expect(lateCrashes[0]).toMatchObject({
        name: 'KafkaJSProtocolError',
        type: 'INCONSISTENT_GROUP_PROTOCOL',
        retriable: false,
      });
      expect(lateJoins).toEqual([]);
      await late.disconnect();
      await member.leave();
    }, 60_000);
  });
});
