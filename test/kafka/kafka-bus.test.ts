import { Partitioners } from 'kafkajs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BusRecord, RecordBatch, TopicPartition } from '../../pipeline/bus/bus.ts';
import { createKafkaBus, type KafkaBus, type PartitionLag } from '../../pipeline/bus/kafka/kafka-bus.ts';
import { BusError } from '../../pipeline/errors.ts';
import { uniqueName } from '../../pipeline/testing/unique-name.ts';
import { kafkaBrokerService } from '../support/kafka-broker.ts';
import { fastTuning, memoryLogger, uniqueTopic, waitFor } from '../support/kafka-harness.ts';
import { describeWithService } from '../support/services.ts';
import { sharedKafkaBroker } from '../support/shared-kafka-broker.ts';

// The adapter on the run's shared Apache Kafka broker: topics made over CreateTopics by ensureTopics, groups
// coordinated by Kafka's group coordinator. What only an injected broker failure or a broker without CreateTopics
// can show is in kafka-bus-mock-faults.test.ts.

const { broker, missing } = sharedKafkaBroker();

describeWithService(kafkaBrokerService, missing, `kafkajs Bus adapter on Apache Kafka ${broker?.version ?? ''}`, () => {
  const buses: KafkaBus[] = [];
  const log = memoryLogger();
  const newBus = (onLag?: (lag: PartitionLag) => void): KafkaBus => {
    const bus = createKafkaBus(broker!.busConfig(), { log, onLag }, fastTuning);
    buses.push(bus);
    return bus;
  };
  let admin: KafkaBus;
  const topicWith = async (partitions: number): Promise<string> => {
    const name = uniqueTopic('t');
    await admin.ensureTopics([{ name, partitions }]);
    return name;
  };
  /** Subscribes and keeps every record it is given, committing after each batch unless told not to. */
  const collect = async (
    bus: KafkaBus,
    groupId: string,
    topic: string,
    opts: { commit?: boolean; sink?: BusRecord[] } = {},
  ) => {
    const records = opts.sink ?? [];
    const batches: RecordBatch[] = [];
    const revoked: TopicPartition[][] = [];
    const assigned: TopicPartition[][] = [];
    const sub = await bus.subscribe({
      groupId,
      topics: [topic],
      onBatch: async (batch) => {
        batches.push(batch);
        records.push(...batch.records);
        if (opts.commit !== false) {
          await sub.commit([
            {
              topic: batch.topic,
              partition: batch.partition,
              offset: batch.records[batch.records.length - 1]!.offset + 1,
            },
          ]);
        }
      },
      onAssign: (tps) => void assigned.push(tps),
      onRevoke: (tps) => void revoked.push(tps),
    });
    return { sub, records, batches, revoked, assigned };
  };

  beforeAll(() => {
    admin = newBus();
  });
  afterAll(async () => {
    await Promise.all(buses.map((b) => b.close()));
  });

  it('takes records in topics it has just created, each once', async () => {
    // Before the adapter waited for ListOffsets, most fresh topics got some of these records twice.
    for (let round = 0; round < 6; round++) {
      const topic = await topicWith(3);
      const messages = Array.from({ length: 9 }, (_, i) => ({
        key: null,
        value: Buffer.from(String(i)),
        partition: i % 3,
      }));
      await admin.produce(topic, messages);
      const { sub, records } = await collect(newBus(), uniqueName('fresh'), topic);
      await waitFor('9 records', () => records.length >= 9);
      await new Promise((r) => setTimeout(r, 300)); // a duplicate would arrive in the same fetch or the next
      await sub.close();
      expect(records.map((r) => r.value.toString()).sort()).toEqual(messages.map((m) => m.value.toString()).sort());
    }
  });

  it('produces more than the broker takes in one record batch (message.max.bytes) in one call', async () => {
    const topic = await topicWith(1);
    // 3 MB to one partition: as one send, kafkajs would make one record batch and the broker refuse it.
    const messages = Array.from({ length: 3000 }, (_, i) => ({ key: `k${i}`, value: Buffer.alloc(1000, i % 256) }));
    await admin.produce(topic, messages);
    const { sub, records } = await collect(newBus(), uniqueName('large'), topic);
    await waitFor('3000 records', () => records.length >= 3000);
    await sub.close();
    expect(records.map((r) => r.key)).toEqual(messages.map((m) => m.key));
  });

  it('round-trips keys, values, headers and timestamps in offset order', async () => {
    const topic = await topicWith(1);
    const group = uniqueName('g');
    const bus = newBus();
    const sent = Array.from({ length: 20 }, (_, i) => ({
      key: `k${i % 3}`,
      value: Buffer.from(`value-${i}`),
      headers: { traceparent: `tp-${i}`, 'x-n': String(i) },
      timestamp: 1_700_000_000_000 + i,
    }));
    await bus.produce(topic, sent);
    const { records, sub } = await collect(bus, group, topic);
    await waitFor('20 records', () => records.length >= 20);
    expect(
      records.map((r) => [r.topic, r.partition, r.offset, r.key, r.value.toString(), r.headers, r.timestamp]),
    ).toEqual(sent.map((m, i) => [topic, 0, i, m.key, m.value.toString(), m.headers, m.timestamp]));
    await sub.close();
  });

  it("partitions by key exactly like kafkajs's default partitioner and keeps each key in order", async () => {
    const topic = await topicWith(6);
    const group = uniqueName('g');
    const bus = newBus();
    const messages = Array.from({ length: 300 }, (_, i) => ({
      key: `BTC/USD|${i % 30}`,
      value: Buffer.from(String(i)),
    }));
    for (let i = 0; i < messages.length; i += 50) await bus.produce(topic, messages.slice(i, i + 50));
    const { records, sub } = await collect(bus, group, topic);
    await waitFor('300 records', () => records.length >= 300);
    expect(records).toHaveLength(300);

    const partitioner = Partitioners.DefaultPartitioner();
    const partitionMetadata = Array.from({ length: 6 }, (_, p) => ({
      partitionId: p,
      leader: 1,
      partitionErrorCode: 0,
      replicas: [1],
      isr: [1],
    }));
    const perKey = new Map<string, number[]>();
    for (const r of records) {
      expect(r.partition).toBe(partitioner({ topic, partitionMetadata, message: { key: r.key!, value: r.value } }));
      perKey.set(r.key!, [...(perKey.get(r.key!) ?? []), Number(r.value.toString())]);
    }
    for (const [, values] of perKey) expect(values).toEqual([...values].sort((a, b) => a - b));
    expect(new Set(records.map((r) => r.partition)).size).toBeGreaterThan(1);
    await sub.close();
  });

  it('writes to the partition a message names', async () => {
    const topic = await topicWith(4);
    const group = uniqueName('g');
    const bus = newBus();
    await bus.produce(topic, [
      { key: 'same', value: Buffer.from('a'), partition: 3 },
      { key: 'same', value: Buffer.from('b'), partition: 1 },
    ]);
    const { records, sub } = await collect(bus, group, topic);
    await waitFor('2 records', () => records.length >= 2);
    expect(Object.fromEntries(records.map((r) => [r.value.toString(), r.partition]))).toEqual({ a: 3, b: 1 });
    expect(await bus.partitionCount(topic)).toBe(4);
    const missing = await bus.partitionCount(uniqueTopic('missing')).then(
      () => null,
      (e: unknown) => e,
    );
    expect(missing).toBeInstanceOf(BusError);
    expect((missing as BusError).retriable).toBe(false);
    await sub.close();
  });

  it('resumes a group after its committed offset', async () => {
    const topic = await topicWith(1);
    const group = uniqueName('g');
    const bus = newBus();
    await bus.produce(
      topic,
      Array.from({ length: 10 }, (_, i) => ({ key: 'k', value: Buffer.from(String(i)) })),
    );
    const first = await collect(bus, group, topic, { commit: false });
    await waitFor('10 records', () => first.records.length >= 10);
    await first.sub.commit([{ topic, partition: 0, offset: 6 }]);
    expect(await first.sub.committed({ topic, partition: 0 })).toBe(6);
    await first.sub.close();

    await bus.produce(topic, [{ key: 'k', value: Buffer.from('10') }]);
    const second = await collect(bus, group, topic);
    await waitFor('records 6..10', () => second.records.length >= 5);
    expect(second.records.map((r) => r.offset)).toEqual([6, 7, 8, 9, 10]);
    expect(second.records.map((r) => r.value.toString())).toEqual(['6', '7', '8', '9', '10']);
    await second.sub.close();
  });

  it('hands uncommitted records to the next member of the group', async () => {
    const topic = await topicWith(2);
    const group = uniqueName('g');
    const bus = newBus();
    await bus.produce(
      topic,
      Array.from({ length: 12 }, (_, i) => ({ key: null, value: Buffer.from(String(i)), partition: i % 2 })),
    );
    const first = await collect(bus, group, topic, { commit: false });
    await waitFor('12 records', () => first.records.length >= 12);
    await first.sub.commit([{ topic, partition: 0, offset: 2 }]);
    await first.sub.close();
    const second = await collect(bus, group, topic);
    await waitFor('10 redelivered records', () => second.records.length >= 10);
    const seen = second.records.map((r) => `${r.partition}:${r.offset}`).sort();
    expect(seen).toEqual(
      [...['2', '3', '4', '5'].map((o) => `0:${o}`), ...['0', '1', '2', '3', '4', '5'].map((o) => `1:${o}`)].sort(),
    );
  });

  it('rebalances two members with no record lost or reordered per key, and refuses commits after revoke', async () => {
    const topic = await topicWith(6);
    const group = uniqueName('g');
    const busA = newBus();
    const busB = newBus();
    // 18 keys: the first that give every one of the 6 partitions at least one (12 leave partition 2 empty).
    const keys = Array.from({ length: 18 }, (_, i) => `ETH/USDT|${i}`);
    let seq = 0;
    const produceRound = () =>
      busA.produce(
        topic,
        keys.map((key) => ({ key, value: Buffer.from(`${key}#${seq++}`) })),
      );
    const handled: Array<{ member: string; record: BusRecord }> = [];
    const track = (member: string) => {
      const sink: BusRecord[] = [];
      const push = sink.push.bind(sink);
      sink.push = (...items: BusRecord[]) => {
        for (const record of items) handled.push({ member, record });
        return push(...items);
      };
      return sink;
    };
    for (let i = 0; i < 10; i++) await produceRound();
    const a = await collect(busA, group, topic, { sink: track('a') });
    await waitFor('member a to read the first rounds', () => handled.length >= 10 * keys.length);
    expect(a.sub.assignment()).toHaveLength(6);

    const producing = (async () => {
      for (let i = 0; i < 20; i++) {
        await produceRound();
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const b = await collect(busB, group, topic, { sink: track('b') });
    await producing;
    await waitFor(
      'member a to see the new assignment',
      () => a.sub.assignment().length + b.sub.assignment().length === 6 && a.sub.assignment().length < 6,
      60_000,
    );
    // Kafka's rebalance can end after the rounds above: these give member b records on every partition it owns.
    for (let i = 0; i < 3; i++) await produceRound();
    await waitFor('every record', () => new Set(handled.map((h) => h.record.value.toString())).size === seq, 60_000);

    const ownedA = a.sub
      .assignment()
      .map((tp) => tp.partition)
      .sort();
    const ownedB = b.sub
      .assignment()
      .map((tp) => tp.partition)
      .sort();
    expect([...ownedA, ...ownedB].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(
      b.assigned
        .flat()
        .map((tp) => tp.partition)
        .sort(),
    ).toEqual(ownedB);
    expect(
      a.revoked
        .flat()
        .map((tp) => tp.partition)
        .sort(),
    ).toEqual(ownedB);

    // No record lost; per key, records are handled in production order. Kafka refuses a commit once the group
    // is completing a rebalance (REBALANCE_IN_PROGRESS), so records handled just before a handover may be
    // handled again by the new owner: replays happen only on moved partitions.
    const values = handled.map((h) => h.record.value.toString());
    expect(new Set(values).size).toBe(seq);
    const perKey = new Map<string, number[]>();
    for (const v of values) {
      const [key, n] = v.split('#') as [string, string];
      perKey.set(key, [...(perKey.get(key) ?? []), Number(n)]);
    }
    for (const [, ns] of perKey) {
      const firsts = ns.filter((n, i) => ns.indexOf(n) === i);
      expect(firsts).toEqual([...firsts].sort((x, y) => x - y));
      let max = -1;
      for (const n of ns) {
        if (n > max) {
          expect(firsts.indexOf(n)).toBe(firsts.filter((f) => f <= max).length); // the next one, no gap
          max = n;
        }
      }
    }
    const counts = new Map<string, number>();
    for (const h of handled) counts.set(h.record.value.toString(), (counts.get(h.record.value.toString()) ?? 0) + 1);
    const replayedPartitions = new Set(
      handled.filter((h) => counts.get(h.record.value.toString())! > 1).map((h) => h.record.partition),
    );
    for (const p of replayedPartitions) expect(ownedB).toContain(p);
    expect(new Set(handled.filter((h) => h.member === 'b').map((h) => h.record.partition))).toEqual(new Set(ownedB));

    // A commit for a partition member a lost is refused: the group's offset stays where member b put it.
    const lost = { topic, partition: ownedB[0]! };
    const before = await b.sub.committed(lost);
    await a.sub.commit([{ ...lost, offset: 0 }]);
    expect(await b.sub.committed(lost)).toBe(before);
    expect(
      log.lines.some(
        (l) => l.msg.startsWith('commit refused') && JSON.stringify(l.obj).includes(`"partition":${lost.partition}`),
      ),
    ).toBe(true);
    const kept = { topic, partition: ownedA[0]! };
    const end = (await a.sub.committed(kept))!;
    await a.sub.commit([{ ...kept, offset: end }]);
    expect(await a.sub.committed(kept)).toBe(end);

    await b.sub.close();
    await waitFor('member a to take every partition back', () => a.sub.assignment().length === 6, 60_000);
    expect(
      b.revoked
        .flat()
        .map((tp) => tp.partition)
        .sort(),
    ).toEqual(ownedB);
    await a.sub.close();
  }, 180_000);

  it('lets the batch in flight finish and commit when a subscription closes', async () => {
    const topic = await topicWith(1);
    const group = uniqueName('g');
    const bus = newBus();
    await bus.produce(
      topic,
      Array.from({ length: 5 }, (_, i) => ({ key: 'k', value: Buffer.from(String(i)) })),
    );
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started = false;
    const sub = await bus.subscribe({
      groupId: group,
      topics: [topic],
      onBatch: async (batch) => {
        started = true;
        await gate;
        await sub.commit([{ topic, partition: 0, offset: batch.records[batch.records.length - 1]!.offset + 1 }]);
      },
    });
    await waitFor('the batch to start', () => started);
    const closing = sub.close();
    release();
    await closing;
    expect(sub.assignment()).toEqual([]);
    expect(await sub.committed({ topic, partition: 0 })).toBe(5);
  });

  it('finishes onAssign before the first batch, heartbeating through an assignment longer than a session', async () => {
    const topic = await topicWith(1);
    const group = uniqueName('g');
    const bus = newBus();
    await bus.produce(topic, [{ key: 'k', value: Buffer.from('first') }]);
    const events: string[] = [];
    const sub = await bus.subscribe({
      groupId: group,
      topics: [topic],
      onAssign: async (tps) => {
        events.push(`assign ${tps.map((tp) => tp.partition).join(',')}`);
        // Well over the 6 s session, after which Kafka expels a silent member: a restore can take that long.
        await new Promise((r) => setTimeout(r, 10_000));
        events.push('assigned');
      },
      onRevoke: () => void events.push('revoke'),
      onBatch: async (batch) => void events.push(`batch ${batch.records.map((r) => r.value.toString()).join(',')}`),
    });
    const memberId = sub.memberId;
    await waitFor('the first batch', () => events.some((e) => e.startsWith('batch')), 30_000);
    // A member that stopped heartbeating would be expelled now and rejoin: revoke, assign, a new member id.
    await bus.produce(topic, [{ key: 'k', value: Buffer.from('second') }]);
    await waitFor('the second batch', () => events.includes('batch second'), 30_000);
    expect(events).toEqual(['assign 0', 'assigned', 'batch first', 'batch second']);
    expect(sub.memberId).toBe(memberId);
    await sub.close();
  }, 60_000);

  it('pauses and resumes partitions', async () => {
    const topic = await topicWith(2);
    const group = uniqueName('g');
    const bus = newBus();
    const { records, sub } = await collect(bus, group, topic);
    sub.pause([{ topic, partition: 1 }]);
    await bus.produce(topic, [{ key: null, value: Buffer.from('held'), partition: 1 }]);
    await bus.produce(topic, [{ key: null, value: Buffer.from('flows'), partition: 0 }]);
    await waitFor('the record of the running partition', () => records.length >= 1);
    // Produced after the held one, so a partition that was not paused would have shown its record by now.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(records.map((r) => r.value.toString())).toEqual(['flows']);
    sub.resume([{ topic, partition: 1 }]);
    await waitFor('the held record', () => records.length >= 2);
    expect(records.map((r) => r.value.toString())).toEqual(['flows', 'held']);
    await sub.close();
  });

  it('reads one partition from its start to its end at call time (state restore)', async () => {
    const topic = await topicWith(3);
    const bus = newBus();
    await bus.produce(
      topic,
      Array.from({ length: 9 }, (_, i) => ({ key: `k${i}`, value: Buffer.from(String(i)), partition: i % 3 })),
    );
    const read: BusRecord[] = [];
    await bus.readPartition({ topic, partition: 1 }, (r) => read.push(r));
    expect(read.map((r) => [r.partition, r.offset, r.value.toString()])).toEqual([
      [1, 0, '1'],
      [1, 1, '4'],
      [1, 2, '7'],
    ]);
    const none: BusRecord[] = [];
    const empty = await topicWith(1);
    await bus.readPartition({ topic: empty, partition: 0 }, (r) => none.push(r));
    expect(none).toEqual([]);
  });

  it('reports consumer lag per partition', async () => {
    const topic = await topicWith(2);
    const group = uniqueName('g');
    const lags: PartitionLag[] = [];
    const bus = newBus((lag) => lags.push(lag));
    await bus.produce(
      topic,
      Array.from({ length: 30 }, (_, i) => ({ key: null, value: Buffer.from(String(i)), partition: i % 2 })),
    );
    const { records, sub } = await collect(bus, group, topic);
    await waitFor('30 records', () => records.length >= 30);
    await waitFor('lag of both partitions', () => bus.lag().filter((l) => l.topic === topic).length === 2);
    expect(
      bus
        .lag()
        .filter((l) => l.topic === topic)
        .sort((x, y) => x.partition - y.partition),
    ).toEqual([
      { groupId: group, topic, partition: 0, lag: 0 },
      { groupId: group, topic, partition: 1, lag: 0 },
    ]);
    expect(lags.every((l) => l.lag >= 0 && l.groupId === group)).toBe(true);
    await sub.close();
    expect(bus.lag().filter((l) => l.topic === topic)).toEqual([]);
  });
});
