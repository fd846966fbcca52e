import { afterAll, beforeAll, expect, it } from 'vitest';
import { createKafkaBus, type KafkaBus } from '../../pipeline/bus/kafka/kafka-bus.ts';
import { BusError } from '../../pipeline/errors.ts';
import { fastTuning, memoryLogger, uniqueTopic } from '../support/kafka-harness.ts';
import { kafkaMockMissing, kafkaMockService, startKafkaMock, type KafkaMock } from '../support/kafka-mock.ts';
import { describeWithService } from '../support/services.ts';

// The two adapter tests that stay on librdkafka's mock cluster (kafka-bus.test.ts has the rest, on Apache Kafka).
// An Apache Kafka broker cannot be told to fail the next N Produce requests with NOT_LEADER_OR_FOLLOWER (killing a
// node makes connection errors, not that answer, and not an exact count of them), and it always has CreateTopics:
// the mock injects request errors (`failRequests`) and is a broker without CreateTopics.

describeWithService(
  kafkaMockService,
  kafkaMockMissing(),
  'kafkajs Bus adapter on broker faults (librdkafka mock)',
  () => {
    let mock: KafkaMock;
    const buses: KafkaBus[] = [];
    const log = memoryLogger();
    const newBus = (): KafkaBus => {
      const bus = createKafkaBus(
        { brokers: mock.brokers.split(','), clientId: 'candleflow-test', ssl: false },
        { log },
        fastTuning,
      );
      buses.push(bus);
      return bus;
    };
    beforeAll(async () => {
      mock = await startKafkaMock();
    });
    afterAll(async () => {
      await Promise.all(buses.map((b) => b.close()));
      await mock?.stop();
    });

    it('retries retriable broker errors and gives up with a retriable BusError', async () => {
      const topic = uniqueTopic('t');
      await mock.createTopic({ name: topic, partitions: 1 });
      const bus = newBus();
      await bus.produce(topic, [{ key: 'warm', value: Buffer.from('up') }]);
      // 6 = NOT_LEADER_OR_FOLLOWER, 0 = Produce
      await mock.failRequests(0, 6, 2);
      await bus.produce(topic, [{ key: 'k', value: Buffer.from('after-retries') }]);
      const read: string[] = [];
      await bus.readPartition({ topic, partition: 0 }, (r) => read.push(r.value.toString()));
      expect(read).toEqual(['up', 'after-retries']);

      await mock.failRequests(0, 6, 40);
      const err = await bus.produce(topic, [{ key: 'k', value: Buffer.from('never') }]).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(BusError);
      expect((err as BusError).retriable).toBe(true);
    });

    it('tolerates a broker without CreateTopics and says so in one log line', async () => {
      const bus = newBus();
      const name = uniqueTopic('never-created');
      const before = log.lines.length;
      await bus.ensureTopics([
        { name, partitions: 2 },
        { name: 'trades', partitions: 6 },
      ]);
      await bus.ensureTopics([{ name, partitions: 2 }]);
      const said = log.lines.slice(before).filter((l) => l.msg.includes('CreateTopics'));
      expect(said).toHaveLength(1);
      expect(JSON.stringify(said[0]!.obj)).toContain(name);
      expect(JSON.stringify(said[0]!.obj)).not.toContain('"trades"');
    });
  },
);
