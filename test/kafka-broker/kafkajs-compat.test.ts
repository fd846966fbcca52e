import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  type Admin,
  AssignerProtocol,
  ConfigResourceTypes,
  type Kafka,
  type Producer,
  ResourcePatternTypes,
} from 'kafkajs';
import { afterAll, beforeAll, expect, it } from 'vitest';
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
import {
  brokerApiVersions,
  collect,
  createTopic,
  type KafkajsLine,
  kafkajsClient,
  kafkajsImplementedVersions,
  producerOptions,
  readTopic,
} from './kafkajs-helpers.ts';
import {
  createTopicsAndWait,
  createTopicsFailure,
  offsetResetFrom,
  retriableKafkaError,
  sendOffsetsRetrying,
} from '../../pipeline/bus/kafka/kafkajs-workarounds.ts';

// What kafkajs 2.2.4 does against Apache Kafka 4 (KRaft, one node): every case is a real exchange with the
// broker. README.md sums the findings up; the adapter-facing ones are marked "adapter:".

const values = (records: Array<{ value: string }>) => records.map((r) => r.value);
const aggregateTypes = (err: unknown) =>
  ((err as { errors?: Array<{ type: string }> }).errors ?? []).map((e) => e.type);

describeWithService(kafkaBrokerService, kafkaBrokerMissing(), 'kafkajs 2.2.4 against Apache Kafka 4 (one node)', () => {
  let cluster: KafkaCluster;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  const lines: KafkajsLine[] = [];
  const alice = { username: 'alice', password: 'alice-secret' };

  beforeAll(async () => {
    cluster = await startKafkaCluster({
      nodes: 1,
      sasl: { users: [alice] },
      config: { 'log.cleaner.backoff.ms': 200 },
    });
    kafka = kafkajsClient(cluster.kafkaConfig(), lines);
    admin = kafka.admin();
    await admin.connect();
    producer = kafka.producer(producerOptions);
    await producer.connect();
  }, 120_000);
  afterAll(async () => {
    await producer?.disconnect();
    await admin?.disconnect();
    await cluster?.stop();
  });

  it('finds a version both sides support for every API kafkajs implements (KIP-896 removed only older ones)', async () => {
    const broker = new Map((await brokerApiVersions(cluster.brokers[0]!)).map((r) => [r.apiKey, r]));
    const implemented = kafkajsImplementedVersions().filter((api) => broker.has(api.apiKey));
    expect(implemented.length).toBeGreaterThan(30);
    for (const api of implemented) {
      const range = broker.get(api.apiKey)!;
      // kafkajs sends min(its highest, the broker's highest) and never looks at the broker's lowest.
      const sent = Math.min(Math.max(...api.versions), range.maxVersion);
      expect(
        sent,
        `${api.name}: kafkajs would send v${sent}, broker takes v${range.minVersion}-${range.maxVersion}`,
      ).toBeGreaterThanOrEqual(range.minVersion);
    }
    const { brokers, clusterId } = await admin.describeCluster();
    expect(brokers.map((b) => b.nodeId)).toEqual([1]);
    expect(clusterId).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('creates topics with partitions, replication and configs, and describes their configs', async () => {
    const topic = await createTopic(admin, 'compact', {
      numPartitions: 3,
      replicationFactor: 1,
      configEntries: [
        { name: 'cleanup.policy', value: 'compact' },
        { name: 'retention.ms', value: '3600000' },
      ],
    });
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(meta.topics[0]!.partitions.map((p) => p.replicas)).toEqual([[1], [1], [1]]);
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
    });
    const config = Object.fromEntries(resources[0]!.configEntries.map((e) => [e.configName, e.configValue]));
    expect(config).toMatchObject({ 'cleanup.policy': 'compact', 'retention.ms': '3600000' });
    expect(await admin.createTopics({ topics: [{ topic }] })).toBe(false);
  });

  it('takes -1 (the broker default) for partitions and replicas although kafkajs speaks CreateTopics v3', async () => {
    // adapter: ensureTopics sends replicationFactor -1 when the catalogue gives none; Kafka 4 honours it.
    const topic = await createTopic(admin, 'defaults', { numPartitions: -1, replicationFactor: -1 });
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(meta.topics[0]!.partitions).toHaveLength(1);
    expect(meta.topics[0]!.partitions[0]!.replicas).toHaveLength(1);
  });

  it('may throw UNKNOWN_TOPIC_OR_PARTITION from createTopics(waitForLeaders) for topics it created; createTopicsAndWait does not', async () => {
    // kafkajs waits for leaders tolerating LEADER_NOT_AVAILABLE only; a KRaft broker that has not applied the
    // topic's record yet says UNKNOWN_TOPIC_OR_PARTITION. A race: when it happens, the topic exists all the same.
    for (let i = 0; i < 5; i++) {
      const topic = uniqueName('race');
      const thrown = await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 3 }] }).then(
        () => null,
        (e: { type?: string }) => e,
      );
      if (thrown) {
        expect(thrown.type).toBe('UNKNOWN_TOPIC_OR_PARTITION');
        expect(await admin.listTopics()).toContain(topic);
      }
    }
    const topics = Array.from({ length: 5 }, () => ({ topic: uniqueName('waited'), numPartitions: 3 }));
    expect(await createTopicsAndWait(admin, topics)).toBe(true);
    const meta = await admin.fetchTopicMetadata({ topics: topics.map((t) => t.topic) });
    expect(meta.topics.flatMap((t) => t.partitions.map((p) => p.leader))).toEqual(Array(15).fill(1));
    expect(await createTopicsAndWait(admin, topics)).toBe(false);
  });

  it('refuses more replicas than nodes and segments under 1 MiB (KIP-1030), naming the reason', async () => {
    // adapter: ensureTopics swallows every CreateTopics error as "unsupported or refused"; these two are
    // configuration mistakes (TOPIC_REPLICAS=3 on one broker) and must stop the worker instead.
    const tooMany = await admin
      .createTopics({ topics: [{ topic: uniqueName('rf3'), replicationFactor: 3 }] })
      .catch((e: unknown) => e);
    expect(aggregateTypes(tooMany)).toEqual(['INVALID_REPLICATION_FACTOR']);
    expect(createTopicsFailure(tooMany)).toBe('invalid');
    const tinySegments = await admin
      .createTopics({
        topics: [{ topic: uniqueName('seg'), configEntries: [{ name: 'segment.bytes', value: '65536' }] }],
      })
      .catch((e: unknown) => e);
    expect(aggregateTypes(tinySegments)).toEqual(['INVALID_CONFIG']);
    expect(createTopicsFailure(tinySegments)).toBe('invalid');
  });

  it('produces with acks=-1, plain and idempotent, without gaps or duplicates', async () => {
    const topic = await createTopic(admin, 'acks', { numPartitions: 1 });
    const idempotent = kafka.producer({ ...producerOptions, idempotent: true, maxInFlightRequests: 5 });
    await idempotent.connect();
    try {
      const plain = await producer.send({
        topic,
        acks: -1,
        messages: Array.from({ length: 50 }, (_, i) => ({ key: 'k', value: `p${i}` })),
      });
      const idem = await idempotent.send({
        topic,
        acks: -1,
        messages: Array.from({ length: 50 }, (_, i) => ({ key: 'k', value: `i${i}` })),
      });
      expect([plain[0]!.baseOffset, idem[0]!.baseOffset]).toEqual(['0', '50']);
    } finally {
      await idempotent.disconnect();
    }
    const records = await readTopic(kafka, admin, topic);
    expect(records.map((r) => r.offset)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(values(records)).toEqual([
      ...Array.from({ length: 50 }, (_, i) => `p${i}`),
      ...Array.from({ length: 50 }, (_, i) => `i${i}`),
    ]);
  });

  it('runs a classic-protocol group of two members with the adapter assignor: rebalance, commit, committed offsets', async () => {
    const topic = await createTopic(admin, 'group', { numPartitions: 4 });
    const groupId = uniqueName('group');
    const options = { groupId, partitionAssigners: [coPartitionedAssigner] };
    const first = await collect(kafka, topic, options);
    await producer.send({
      topic,
      acks: -1,
      messages: Array.from({ length: 40 }, (_, i) => ({ key: `k${i}`, value: `a${i}` })),
    });
    await waitFor(() => first.records.length >= 40, 'first member reads all 40', 20_000);
    const second = await collect(kafka, topic, options);
    await waitFor(
      () => second.assignments.length > 0 && first.assignments.length > 1,
      'rebalance to two members',
      30_000,
    );
    const mine = (c: typeof first) => (c.assignments.at(-1)![topic] ?? []).sort();
    expect([...mine(first), ...mine(second)].sort()).toEqual([0, 1, 2, 3]);
    expect(mine(first).filter((p) => mine(second).includes(p))).toEqual([]);
    await producer.send({
      topic,
      acks: -1,
      messages: Array.from({ length: 40 }, (_, i) => ({ key: `k${i}`, value: `b${i}` })),
    });
    await waitFor(
      () => [...first.records, ...second.records].filter((r) => r.value.startsWith('b')).length >= 40,
      'both members read the second 40',
    );
    const ends = await admin.fetchTopicOffsets(topic);
    await waitFor(async () => {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return committed!.partitions.every((p) => p.offset === ends.find((e) => e.partition === p.partition)!.high);
    }, 'committed offsets at the end of every partition');
    const { groups } = await admin.describeGroups([groupId]);
    expect(groups[0]).toMatchObject({ state: 'Stable', protocolType: 'consumer', protocol: 'CandleflowCoPartitioned' });
    expect(groups[0]!.members).toHaveLength(2);
    const assigned = groups[0]!.members.map(
      (m) => AssignerProtocol.MemberAssignment.decode(m.memberAssignment)!.assignment[topic]!.length,
    );
    expect(assigned).toEqual([2, 2]);
    await Promise.all([first.stop(), second.stop()]);
    expect([...first.crashes, ...second.crashes]).toEqual([]);
  }, 60_000);

  it('starts a new group at the log start with fromBeginning and at the end without it', async () => {
    const topic = await createTopic(admin, 'from', { numPartitions: 1 });
    await producer.send({ topic, acks: -1, messages: [{ value: 'old' }] });
    const early = await collect(kafka, topic, { groupId: uniqueName('early'), fromBeginning: true });
    const late = await collect(kafka, topic, { groupId: uniqueName('late'), fromBeginning: false });
    // The late group looks up the log end at its first fetch, after run() returned: produce until it reads.
    await waitFor(
      async () => {
        await producer.send({ topic, acks: -1, messages: [{ value: 'new' }] });
        return late.records.length > 0;
      },
      'the late group to read a new record',
      20_000,
      200,
    );
    await waitFor(() => early.records.length >= 2, 'the early group to read');
    expect(values(early.records)[0]).toBe('old');
    expect(values(late.records)).not.toContain('old');
    expect(late.records[0]!.offset).toBeGreaterThan(0);
    await Promise.all([early.stop(), late.stop()]);
  });

  it('commits transactions with sendOffsets; read_committed never sees an aborted record', async () => {
    const input = await createTopic(admin, 'tx-in', { numPartitions: 1 });
    const output = await createTopic(admin, 'tx-out', { numPartitions: 1 });
    const groupId = uniqueName('tx-group');
    await producer.send({ topic: input, acks: -1, messages: [{ value: 'in0' }, { value: 'in1' }] });
    const tx = kafka.producer({
      ...producerOptions,
      transactionalId: uniqueName('tx'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await tx.connect();
    try {
      const first = await tx.transaction();
      await first.send({ topic: output, acks: -1, messages: [{ value: 'c1' }, { value: 'c2' }] });
      // sendOffsetsRetrying: kafkajs's own sendOffsets fails at once while the group coordinator is loading
      // (a fresh cluster; see kafkajs-replicated.test.ts).
      await sendOffsetsRetrying(first, {
        consumerGroupId: groupId,
        topics: [{ topic: input, partitions: [{ partition: 0, offset: '2' }] }],
      });
      await first.commit();
      const aborted = await tx.transaction();
      await aborted.send({ topic: output, acks: -1, messages: [{ value: 'x1' }, { value: 'x2' }] });
      await sendOffsetsRetrying(aborted, {
        consumerGroupId: groupId,
        topics: [{ topic: input, partitions: [{ partition: 0, offset: '1' }] }],
      });
      await aborted.abort();
      const last = await tx.transaction();
      await last.send({ topic: output, acks: -1, messages: [{ value: 'c3' }] });
      await last.commit();
    } finally {
      await tx.disconnect();
    }
    // Visible once the commit marker is written (OffsetFetch v3 has no requireStable; kafkajs-replicated.test.ts).
    await waitFor(async () => {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [input] });
      return committed!.partitions[0]!.offset === '2';
    }, 'the offsets sent in the committed transaction');
    expect(values(await readTopic(kafka, admin, output, { readUncommitted: false }))).toEqual(['c1', 'c2', 'c3']);
    // The aborted records are in the log all the same (with a marker after each transaction).
    const everything = await readTopic(kafka, admin, output, { readUncommitted: true });
    expect(values(everything)).toEqual(['c1', 'c2', 'x1', 'x2', 'c3']);
    expect(everything.map((r) => r.offset)).toEqual([0, 1, 3, 4, 6]);
  }, 60_000);

  it('compacts a topic with small segments: old values of a key are removed from the log', async () => {
    const topic = await createTopic(admin, 'compacted', {
      numPartitions: 1,
      configEntries: [
        { name: 'cleanup.policy', value: 'compact' },
        // segment.bytes cannot go under 1 MiB in Kafka 4 (KIP-1030); time-based rolling makes small segments.
        { name: 'segment.ms', value: '100' },
        { name: 'min.cleanable.dirty.ratio', value: '0.01' },
        { name: 'min.compaction.lag.ms', value: '0' },
      ],
    });
    const keys = ['a', 'b', 'c', 'd'];
    await producer.send({ topic, acks: -1, messages: keys.map((k) => ({ key: k, value: `${k}-old` })) });
    await producer.send({ topic, acks: -1, messages: keys.map((k) => ({ key: k, value: `${k}-new` })) });
    // A segment rolls when a record comes after segment.ms; only rolled segments are cleaned.
    let fillers = 0;
    await waitFor(
      async () => {
        await producer.send({ topic, acks: -1, messages: [{ key: 'filler', value: `f${fillers++}` }] });
        const records = await readTopic(kafka, admin, topic);
        return !values(records).some((v) => v.endsWith('-old'));
      },
      'the cleaner to remove the old values',
      60_000,
      300,
    );
    const records = await readTopic(kafka, admin, topic);
    expect(records.filter((r) => r.key !== 'filler').map((r) => r.value)).toEqual(keys.map((k) => `${k}-new`));
    expect(records[0]!.offset).toBeGreaterThanOrEqual(4);
  }, 90_000);

  it('resets a committed offset below the log start, says so only in a log line, and commits -2 or -1 itself', async () => {
    const topic = await createTopic(admin, 'truncated', { numPartitions: 1 });
    await producer.send({ topic, acks: -1, messages: Array.from({ length: 10 }, (_, i) => ({ value: `v${i}` })) });
    const cases = [
      // Earliest: on from the new log start. Latest: whatever the log held is skipped.
      { fromBeginning: true, committedAfter: '-2' },
      { fromBeginning: false, committedAfter: '-1' },
    ];
    // kafkajs looks the partition leader up in its metadata cache before anything else: an admin client that
    // has not asked about the topic yet fails (KafkaJSTopicMetadataNotLoaded) without asking the broker.
    const fresh = kafka.admin();
    await fresh.connect();
    try {
      const notCached = await fresh
        .deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '7' }] })
        .catch((e: unknown) => e);
      expect(notCached).toMatchObject({ name: 'KafkaJSTopicMetadataNotLoaded' });
      await fresh.fetchTopicMetadata({ topics: [topic] });
      await fresh.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '7' }] });
    } finally {
      await fresh.disconnect();
    }
    expect((await admin.fetchTopicOffsets(topic))[0]).toMatchObject({ low: '7', high: '10' });
    for (const c of cases) {
      const end = Number((await admin.fetchTopicOffsets(topic))[0]!.high);
      const groupId = uniqueName('truncated');
      // A member that had got to offset 3 before retention (here deleteRecords) moved the log start to 7.
      // (admin.setOffsets would do too, but it joins the group with a 5 s fetch wait.)
      const earlier = await collect(kafka, topic, { groupId, commit: false });
      await waitFor(() => earlier.assignments.length > 0, 'the earlier member to join');
      await earlier.consumer.commitOffsets([{ topic, partition: 0, offset: '3' }]);
      await earlier.stop();
      const seen: KafkajsLine[] = [];
      const reader = await collect(kafkajsClient(cluster.kafkaConfig(), seen), topic, {
        groupId,
        fromBeginning: c.fromBeginning,
        commit: false,
      });
      // adapter: this line (namespace ConsumerGroup, level ERROR) is the only signal kafkajs gives (offsetResetFrom).
      await waitFor(() => seen.some((l) => offsetResetFrom(l.entry)), 'the reset log line');
      const reset = seen.find((l) => offsetResetFrom(l.entry))!;
      expect(reset).toMatchObject({
        level: 'ERROR',
        namespace: 'ConsumerGroup',
        message: 'Offset out of range, resetting to default offset',
      });
      expect(offsetResetFrom(reset.entry)).toEqual({ topic, partition: 0, groupId });
      expect(seen.filter((l) => offsetResetFrom(l.entry))).toHaveLength(1);
      // kafkajs commits the sentinel (-2 earliest, -1 latest) although this consumer runs with autoCommit off.
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      expect(committed!.partitions[0]!.offset).toBe(c.committedAfter);
      // Latest is looked up at the next fetch after the reset: produce until the reader has something.
      await waitFor(
        async () => {
          await producer.send({ topic, acks: -1, messages: [{ value: `after-${c.fromBeginning}` }] });
          return reader.records.some((r) => r.value === `after-${c.fromBeginning}`);
        },
        'a record produced after the reset',
        20_000,
        200,
      );
      const offsets = reader.records.map((r) => r.offset);
      if (c.fromBeginning) expect(offsets.slice(0, 3)).toEqual([7, 8, 9]);
      else expect(offsets.filter((o) => o < end)).toEqual([]);
      await reader.stop();
    }
  }, 60_000);

  it('authenticates with SCRAM-SHA-512 and enforces ACLs with StandardAuthorizer', async () => {
    const topic = await createTopic(admin, 'acl', { numPartitions: 1 });
    const superClient = kafkajsClient(cluster.kafkaConfig(cluster.superUser!));
    const superProducer = superClient.producer(producerOptions);
    await superProducer.connect();
    await superProducer.send({ topic, acks: -1, messages: [{ value: 'from-admin' }] });
    await superProducer.disconnect();

    const wrong = kafkajsClient({
      ...cluster.kafkaConfig({ ...alice, password: 'wrong' }),
      retry: { retries: 0 },
    }).producer(producerOptions);
    const refused = await wrong.connect().catch((e: Error) => e);
    expect(refused).toMatchObject({ name: 'KafkaJSSASLAuthenticationError' });

    const aliceClient = kafkajsClient({ ...cluster.kafkaConfig(alice), retry: { retries: 1 } });
    const aliceAdmin = aliceClient.admin();
    await aliceAdmin.connect();
    const notAllowed = await aliceAdmin
      .createTopics({ topics: [{ topic: uniqueName('alice') }] })
      .catch((e: unknown) => e);
    await aliceAdmin.disconnect();
    expect(aggregateTypes(notAllowed)).toEqual(['TOPIC_AUTHORIZATION_FAILED']);
    expect(createTopicsFailure(notAllowed)).toBe('refused');
    const aliceProducer = aliceClient.producer(producerOptions);
    await aliceProducer.connect();
    try {
      const denied = await aliceProducer
        .send({ topic, acks: -1, messages: [{ value: 'denied' }] })
        .catch((e: unknown) => e);
      expect(JSON.stringify(denied, Object.getOwnPropertyNames(denied))).toMatch(
        /TOPIC_AUTHORIZATION_FAILED|not authorized to access topics/i,
      );
      await admin.createAcls({
        acl: [AclOperationTypes.WRITE, AclOperationTypes.DESCRIBE].map((operation) => ({
          resourceType: AclResourceTypes.TOPIC,
          resourceName: topic,
          resourcePatternType: ResourcePatternTypes.LITERAL,
          principal: 'User:alice',
          host: '*',
          operation,
          permissionType: AclPermissionTypes.ALLOW,
        })),
      });
      await waitFor(
        () =>
          aliceProducer.send({ topic, acks: -1, messages: [{ value: 'from-alice' }] }).then(
            () => true,
            () => false,
          ),
        'alice to be allowed to write',
      );
    } finally {
      await aliceProducer.disconnect();
    }
    expect(values(await readTopic(kafka, admin, topic))).toContain('from-alice');
  });

  it('made the broker log no request of an unsupported version in all of the above', () => {
    const log = readFileSync(join(cluster.nodes[0]!.dir, 'logs', 'server.log'), 'utf8');
    expect(log.split('\n').filter((line) => /unsupported ?version/i.test(line))).toEqual([]);
  });

  // Last: it takes the node down.
  it('recovers producers and a consumer when the node is SIGKILLed and restarted mid-stream', async () => {
    const topic = await createTopic(admin, 'crash', { numPartitions: 2 });
    const reader = await collect(kafka, topic, { groupId: uniqueName('crash') });
    const idempotent = kafka.producer({ ...producerOptions, idempotent: true, maxInFlightRequests: 1 });
    await idempotent.connect();
    const acked = new Set<string>();
    const failures: Error[] = [];
    let running = true;
    let sent = 0;
    const sendLoop = async (p: Producer, prefix: string) => {
      while (running) {
        const value = `${prefix}${sent++}`;
        try {
          await p.send({ topic, acks: -1, messages: [{ key: value, value }] });
          acked.add(value);
        } catch (err) {
          failures.push(err as Error);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const loops = [sendLoop(producer, 'p'), sendLoop(idempotent, 'i')];
    await waitFor(() => acked.size >= 20, '20 acknowledged records');
    await cluster.killNode(1);
    // Down until kafkajs gives up on a send (its retries last about 10 s here), so that the failure is seen.
    await waitFor(() => failures.length >= 2, 'sends to fail while the node is down', 60_000);
    const beforeRestart = acked.size;
    await cluster.startNode(1);
    await waitFor(() => acked.size >= beforeRestart + 40, '40 more acknowledged records after the restart', 60_000);
    running = false;
    await Promise.all(loops);
    await idempotent.disconnect();
    await waitFor(
      () => [...acked].every((v) => reader.records.some((r) => r.value === v)),
      'the consumer to read every acknowledged record',
      60_000,
    );
    await reader.stop();
    // Nothing acknowledged was lost (a process kill keeps the page cache), and the idempotent producer wrote nothing twice.
    const inLog = values(await readTopic(kafka, admin, topic));
    expect([...acked].filter((v) => !inLog.includes(v))).toEqual([]);
    const idempotentValues = inLog.filter((v) => v.startsWith('i'));
    expect(new Set(idempotentValues).size).toBe(idempotentValues.length);
    // adapter: sends that fail while the node is away come as KafkaJSNonRetriableError (retriable: false) around a
    // retriable KafkaJSConnectionError; toBusError must look at the cause (retriableKafkaError) or the runner
    // treats a broker restart as a permanent failure.
    expect(failures.length).toBeGreaterThan(0);
    for (const failure of failures) {
      expect(failure).toMatchObject({ name: 'KafkaJSNonRetriableError', retriable: false });
      expect(retriableKafkaError(failure)).toBe(true);
    }
    // The consumer restarted by itself after each crash (kafkajs restarts when the original cause is retriable).
    expect(reader.crashes.every((e) => retriableKafkaError(e))).toBe(true);
  }, 120_000);
});
